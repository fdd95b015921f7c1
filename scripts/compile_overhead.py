"""The Python cost of one call of a compiled training step, piece by piece.

    python scripts/compile_overhead.py [--batch 8] [--calls 20000]

Builds the benchmark's MLP + Adam step under functorch_like.compile, and times (timeit,
the fastest of 5 batches, microseconds per call) what a call does around the XLA program:
finding the program (guard), reading the state slots into inputs, writing the outputs back,
wrapping the result. Before dispatch is what a call adds to a hand-written jitted step;
the rest runs while the device computes. Then the same pieces inside a training loop, next
to a hand-written step's dispatch and wait, and the XLA fusion count of both programs.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
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

    in_loop(step, x, y, max(1000, args.calls // 10))

    fusion = re.compile(r"^\s*\S+ = .*fusion\(", re.M)
    ours = step.lower(x, y).compile().as_text()
    ft.manual_seed(0)
    params = {k: v._value for k, v in bench.make_mlp().named_parameters()}
    adam = optax.adam(1e-3)
    raw = jax.jit(bench.raw_mlp_step(adam)).lower(params, adam.init(params), x._value,
                                                  y._value).compile()
    print(f"XLA fusions: compiled step {len(fusion.findall(ours))}, "
          f"raw JAX step {len(fusion.findall(raw.as_text()))}")


def in_loop(step, x, y, calls: int) -> None:
    """The same pieces timed inside a training loop (each call runs and waits for its
    program, as scripts/bench.py does), where the program's run leaves the Python data cold
    in the caches; and the hand-written jitted step's dispatch and wait, for comparison."""
    clock = time.perf_counter
    names = ["find program", "read slots", "dispatch", "write back", "wrap", "wait"]
    total = dict.fromkeys(names, 0.0)
    for _ in range(calls):
        t = [clock()]
        program, state, dynamic = step._lookup((x, y), {})
        t.append(clock())
        inputs = step._inputs(state, program.with_grads, dynamic)
        t.append(clock())
        (values, grads, opt_values, key), arrays = program.jitted(*inputs)
        t.append(clock())
        state.write(values, grads, opt_values, key, publish_values=True)
        state.last_outputs = (values, opt_values)
        t.append(clock())
        result = program.result(arrays)
        t.append(clock())
        result._value.block_until_ready()
        t.append(clock())
        for name, a, b in zip(names, t, t[1:]):
            total[name] += b - a
    print(f"in a loop of {calls} calls, mean us per call: " + ", ".join(
        f"{name} {v / calls * 1e6:.1f}" for name, v in total.items()))
    ft.manual_seed(0)
    params = {k: v._value for k, v in bench.make_mlp().named_parameters()}
    adam = optax.adam(1e-3)
    jitted = jax.jit(bench.raw_mlp_step(adam), donate_argnums=(0, 1))
    state = [params, adam.init(params)]
    for _ in range(20):                                     # compile and warm up
        state[0], state[1], loss = jitted(state[0], state[1], x._value, y._value)
    loss.block_until_ready()
    dispatch = wait = 0.0
    for _ in range(calls):
        t0 = clock()
        state[0], state[1], loss = jitted(state[0], state[1], x._value, y._value)
        t1 = clock()
        loss.block_until_ready()
        dispatch, wait = dispatch + t1 - t0, wait + clock() - t1
    print(f"raw JAX step in the same loop: dispatch {dispatch / calls * 1e6:.1f}, "
          f"wait {wait / calls * 1e6:.1f}")


if __name__ == "__main__":
    main()
