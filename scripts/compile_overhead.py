"""The Python cost of one call of a compiled training step, piece by piece.

    python scripts/compile_overhead.py [--batch 8] [--calls 20000]

Builds the benchmark's MLP + Adam step under functorch_like.compile, and times (timeit,
the fastest of 5 batches, microseconds per call) what a call does around the XLA program.
Before dispatch, the common call only checks the last call's snapshot (what a call adds to
a hand-written jitted step); the full path (guard, then reading the state slots) is what
a call takes after something changed. After dispatch, while the device computes, a call
writes the outputs back, takes the next snapshot and wraps the result. Then the same
phases inside a training loop, next to a hand-written step's dispatch and wait, and the
XLA fusion count of both programs.
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
from functorch_like._compile_state import Snapshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--idle-us", type=float, default=0.0,
                        help="in the loop, sleep this long after each step: a stand-in for "
                             "a device's run, after which the host's caches are cold")
    args = parser.parse_args()
    step, x, y = bench.compiled_step("mlp", args.batch)
    for _ in range(5):
        step(x, y)._value.block_until_ready()
    snapshot = step._snapshot           # the state as the last call left it
    program, state = snapshot.program, snapshot.state
    values, _, opt_values, _, key = snapshot.inputs
    dynamic = [x._value, y._value]
    out = [values[0]]

    def us(fn) -> float:
        # The fastest of 5 batches: this shared VM's slow phases only ever add time.
        per_batch = max(1, args.calls // 5)
        return min(timeit.repeat(fn, number=per_batch, repeat=5)) / per_batch * 1e6

    pieces = {
        "check the snapshot": snapshot.holds,
        "full path: find program": lambda: step._lookup((x, y), {}),
        "full path: read slots": lambda: step._inputs(state, program.with_grads, dynamic),
        "write outputs back": lambda: state.write(values, None, opt_values, key),
        "next snapshot": lambda: Snapshot(state, program, snapshot.inputs, snapshot),
        "wrap the result": lambda: program.result(out),
    }
    times = {name: us(fn) for name, fn in pieces.items()}
    for name, t in times.items():
        print(f"{name:26s} {t:7.2f} us")
    step._snapshot = snapshot           # (_lookup above made the next call take the full path)
    print(f"{'whole call, program stubbed':26s} {stubbed_call(step, x, y, us):7.2f} us")

    in_loop(step, x, y, max(1000, args.calls // 10), args.idle_us * 1e-6)

    fusion = re.compile(r"^\s*\S+ = .*fusion\(", re.M)
    ours = step.lower(x, y).compile().as_text()
    ft.manual_seed(0)
    params = {k: v._value for k, v in bench.make_mlp().named_parameters()}
    adam = optax.adam(1e-3)
    raw = jax.jit(bench.raw_mlp_step(adam)).lower(params, adam.init(params), x._value,
                                                  y._value).compile()
    print(f"XLA fusions: compiled step {len(fusion.findall(ours))}, "
          f"raw JAX step {len(fusion.findall(raw.as_text()))}")


class _Stub:
    """Stands in for a program's jitted function: returns the outputs of one real call at
    once, so that timing a call times only its Python."""

    def __init__(self, jitted, outputs):
        self.jitted, self.outputs = jitted, outputs

    def __call__(self, *inputs):
        return self.outputs

    def _cache_size(self):
        return self.jitted._cache_size()


def stubbed_call(step, x, y, us) -> float:
    """The whole call `step(x, y)` (checks, write-back, next snapshot, result) with the XLA
    program replaced by a stub: everything a call adds to a hand-written jitted step."""
    program = step._snapshot.program
    jitted = program.jitted
    outputs = []
    program.jitted = lambda *inputs: outputs.append(jitted(*inputs)) or outputs[-1]
    program.jitted._cache_size = jitted._cache_size
    step(x, y)._value.block_until_ready()
    program.jitted = _Stub(jitted, outputs[-1])
    try:
        step(x, y)
        assert step._snapshot is not None, "the stubbed call left no snapshot"
        return us(lambda: step(x, y))
    finally:
        program.jitted = jitted


def in_loop(step, x, y, calls: int, idle: float = 0.0) -> None:
    """A call's phases timed inside a training loop (each call runs and waits for its
    program, as scripts/bench.py does), where the program's run leaves the Python data cold
    in the caches; and the hand-written jitted step's dispatch and wait, for comparison.
    idle: seconds slept after each step (on a GPU the host waits longer, and colder)."""
    clock = time.perf_counter
    names = ["before dispatch", "dispatch", "after dispatch", "wait"]
    total = dict.fromkeys(names, 0.0)
    args, from_snapshot = (x, y), 0
    for _ in range(calls):
        t = [clock()]
        program, state, inputs, snapshot = step._prepare(args, {})
        t.append(clock())
        from_snapshot += snapshot is not None
        outputs = program.dispatch(inputs)
        t.append(clock())
        result = step._finish(program, state, snapshot, outputs, False, args, {})
        t.append(clock())
        result._value.block_until_ready()
        t.append(clock())
        for name, a, b in zip(names, t, t[1:]):
            total[name] += b - a
        if idle:
            time.sleep(idle)
    print(f"in a loop of {calls} calls ({from_snapshot} from the snapshot"
          + (f", {idle * 1e6:.0f} us idle after each" if idle else "") + "), mean us per "
          "call: " + ", ".join(f"{name} {v / calls * 1e6:.1f}" for name, v in total.items()))
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
        if idle:
            time.sleep(idle)
    print(f"raw JAX step in the same loop: dispatch {dispatch / calls * 1e6:.1f}, "
          f"wait {wait / calls * 1e6:.1f}")


if __name__ == "__main__":
    main()
