"""Paired A/B of a compiled call's Python before dispatch, in a training loop, for two
source trees (e.g. a git worktree of the base commit and the working tree).

    python scripts/ab_call_python.py BASE_TREE NEW_TREE [--rounds 30] [--batch 8]

Each tree runs in its own persistent process (the benchmark's MLP + Adam step, compiled,
warmed up). The driver asks them for a round in turn (alternating which goes first): 300
synchronized calls, each timed before dispatch (`CompiledFunction._prepare`, the snapshot
check and argument checks) and as a whole step. Rounds of the two trees are paired in
time, so the 2-core VM's slow phases hit both; the report is the median of the paired
differences and how many rounds the second tree was lower. Timing this in the loop, not
warm: the step's XLA run leaves the Python's data cold, which costs several times the
warm figure (scripts/compile_overhead.py).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def worker(tree: str, batch: int) -> None:
    sys.path[:0] = [tree + "/scripts", tree]
    import bench
    clock = time.perf_counter
    step, x, y = bench.compiled_step("mlp", batch)
    for _ in range(50):
        step(x, y)
    args = (x, y)
    print("ready", flush=True)
    for _ in sys.stdin:
        before, whole = [], []
        for _ in range(300):
            t0 = clock()
            program, state, inputs, snapshot = step._prepare(args, {})
            t1 = clock()
            outputs = program.jitted(*inputs)
            step._finish(program, state, snapshot, outputs, False, args, {}) \
                ._value.block_until_ready()
            before.append(t1 - t0)
            whole.append(clock() - t0)
        print(statistics.median(before) * 1e6, statistics.median(whole) * 1e6, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs=2)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", tree, "--batch",
                               str(args.batch), *args.trees], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for tree in args.trees]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    results: list[list] = [[], []]
    for r in range(args.rounds):
        for i in (0, 1) if r % 2 == 0 else (1, 0):
            procs[i].stdin.write("go\n")
            procs[i].stdin.flush()
            results[i].append(tuple(map(float, procs[i].stdout.readline().split())))
    for p in procs:
        p.stdin.close()
        p.wait()
    a, b = results
    for k, what in ((0, "before dispatch"), (1, "whole step")):
        diffs = [y[k] - x[k] for x, y in zip(a, b)]
        print(f"{what}: medians {statistics.median(x[k] for x in a):.2f} vs "
              f"{statistics.median(y[k] for y in b):.2f} us; paired difference (second - "
              f"first) median {statistics.median(diffs):+.2f} us, second lower in "
              f"{sum(d < 0 for d in diffs)}/{len(diffs)} rounds")


if __name__ == "__main__":
    if "--worker" in sys.argv:
        i = sys.argv.index("--worker")
        worker(sys.argv[i + 1], int(sys.argv[sys.argv.index("--batch") + 1]))
    else:
        main()
