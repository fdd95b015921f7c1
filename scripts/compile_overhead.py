"""The Python cost of one call of a compiled training step, piece by piece.

    python scripts/compile_overhead.py [--batch 8] [--calls 20000]

Builds the benchmark's MLP + Adam step under functorch_like.compile, and times (timeit,
the fastest of 5 batches, microseconds per call) what a call does around the XLA program:
finding the program (guard), reading the state slots into inputs, writing the outputs back,
wrapping the result. Before dispatch is what a call adds to a hand-written jitted step; the rest runs
while the device computes. Also prints the XLA fusion count of both optimized programs.
"""

from __future__ import annotations

import argparse
import re
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jax  # noqa: E402
import optax  # noqa: E402

import bench  # noqa: E402
import functorch_like as ft  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    step, x, y = bench.compiled_step("mlp", args.batch)
    for _ in range(5):
        step(x, y)._value.block_until_ready()
    program, state, dynamic = step._lookup((x, y), {})
    values, _, opt_values, _, key = state.read(False)
    out = [values[0]]

    def us(fn) -> float:
        # The fastest of 5 batches: this shared VM's slow phases only ever add time.
        per_batch = max(1, args.calls // 5)
        return min(timeit.repeat(fn, number=per_batch, repeat=5)) / per_batch * 1e6

    pieces = {
        "find program (guard)": lambda: step._lookup((x, y), {}),
        "read slots": lambda: step._inputs(state, program.with_grads, dynamic),
        "write outputs back": lambda: state.write(values, None, opt_values, key),
        "wrap the result": lambda: program.result(out),
    }
    times = {name: us(fn) for name, fn in pieces.items()}
    for name, t in times.items():
        print(f"{name:24s} {t:7.2f} us")
    print(f"{'before dispatch':24s} {times['find program (guard)'] + times['read slots']:7.2f} us")

    fusion = re.compile(r"^\s*\S+ = .*fusion\(", re.M)
    ours = step.lower(x, y).compile().as_text()
    ft.manual_seed(0)
    params = {k: v._value for k, v in bench.make_mlp().named_parameters()}
    adam = optax.adam(1e-3)
    raw = jax.jit(bench.raw_mlp_step(adam)).lower(params, adam.init(params), x._value,
                                                  y._value).compile()
    print(f"XLA fusions: compiled step {len(fusion.findall(ours))}, "
          f"raw JAX step {len(fusion.findall(raw.as_text()))}")


if __name__ == "__main__":
    main()
