"""Where a compiled step's time goes beyond a hand-written one, measured in pairs.

    python scripts/step_parts.py [--steps 300] [--workloads mlp:8,...] [--hlo DIR]

For each workload of scripts/bench.py, three steps are timed in turn, each synchronized,
over the same loop: the hand-written jax.jit step (raw), the XLA program that
functorch_like.compile traced for the PyTorch-style step called directly with its
outputs fed back (program: no Python around it), and the compiled step as a user calls
it (compiled). Taking the three in turn puts each on the same clock and cache state, so
that a GPU's clock changes and a shared machine's load hit them alike. It prints their
medians and the medians of the per-step ratios: program/raw is what the traced program
costs on the device over the hand-written one; compiled/program is the Python around it.
A fourth, raw_hps, is the hand-written step with optax.inject_hyperparams: its
hyperparameters are inputs, as the compiled step's are (a scheduler changes lr without a
recompile), where raw bakes them in as constants. A fifth, program_const, is the program
of a second compiled step traced with its hyperparameters baked in as constants (as raw
has them): what hyperparameters as inputs cost on the device. --hlo writes each
workload's optimized XLA programs (raw and the compiled step's) there, to compare their
kernels.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jax  # noqa: E402
import optax  # noqa: E402

import bench  # noqa: E402


def program_only(kind: str, batch: int):
    """A run() that calls the compiled step's XLA program alone, feeding its state
    outputs back as the next inputs (as the compiled call does, without the Python)."""
    step, x, y = bench.compiled_step(kind, batch)
    for _ in range(3):
        step(x, y)._value.block_until_ready()
    snapshot = step._snapshot
    if snapshot is None:
        raise SystemExit(f"{kind} b{batch}: the step left no snapshot to take inputs from")
    program = snapshot.program
    values, _, opt_values, hps, key = snapshot.inputs
    inputs = [(values, None, opt_values, hps, key, [x._value, y._value])]

    def run():
        (values, _, opt_values, key_out), arrays, *_ = program.dispatch(inputs[0])
        old = inputs[0]
        inputs[0] = (values, None, opt_values, old[3], old[4] if key_out is None else key_out,
                     old[5])
        arrays[0].block_until_ready()
    run.compiled = step.lower(x, y).compile()
    return run


def program_const(kind: str, batch: int):
    """program_only() of a step traced with its hyperparameters as constants: the
    hyperparameter vector is left unread (jax.jit then drops it) and the groups hold the
    plain numbers while tracing."""
    from functorch_like._compile_state import StepState
    unpack = StepState.unpack_hps
    StepState.unpack_hps = lambda self, vector: list(self._hp_values)
    try:
        return program_only(kind, batch)
    finally:
        StepState.unpack_hps = unpack


def paired(runs: dict, steps: int, warmup: int = 20) -> dict:
    """Per variant, the list of its step times, the variants taken in turn each step."""
    for run in runs.values():
        for _ in range(warmup):
            run()
    times = {name: [] for name in runs}
    clock = time.perf_counter
    for _ in range(steps):
        for name, run in runs.items():
            t0 = clock()
            run()
            times[name].append(clock() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--workloads", default="mlp:8,mlp:128,mlp:1024,cnn:64")
    parser.add_argument("--hlo", help="write the optimized XLA programs to this folder")
    args = parser.parse_args()
    device = jax.devices()[0]
    print(f"device: {device.platform} ({device.device_kind}); jax {jax.__version__}; "
          f"{args.steps} steps each, in turn")
    print(f"{'workload':<12}{'raw us':>10}{'raw_hps us':>12}{'program us':>12}"
          f"{'compiled us':>13}{'const us':>10}{'raw_hps/raw':>13}{'program/raw':>13}"
          f"{'const/raw':>11}"
          f"{'compiled/program':>18}{'compiled/raw':>14}")
    for kind, batch in (w.split(":") for w in args.workloads.split(",")):
        batch = int(batch)
        raw, _ = bench.bench_raw(kind, batch)
        raw_hps, _ = bench.bench_raw(kind, batch, optax.inject_hyperparams(optax.adam)(1e-3))
        compiled, _ = bench.bench_compiled(kind, batch)
        program = program_only(kind, batch)
        const = program_const(kind, batch)
        if args.hlo:
            out = Path(args.hlo)
            out.mkdir(parents=True, exist_ok=True)
            for name, run in (("raw", raw), ("raw_hps", raw_hps), ("program", program),
                              ("program_const", const)):
                (out / f"{kind}_b{batch}_{name}.txt").write_text(run.compiled.as_text())
        times = paired({"raw": raw, "raw_hps": raw_hps, "program": program,
                        "compiled": compiled, "program_const": const}, args.steps)
        med = {k: statistics.median(v) * 1e6 for k, v in times.items()}

        def ratio(a, b):
            return statistics.median(x / y for x, y in zip(times[a], times[b]))
        print(f"{kind + ' b' + str(batch):<12}{med['raw']:>10.1f}{med['raw_hps']:>12.1f}"
              f"{med['program']:>12.1f}{med['compiled']:>13.1f}"
              f"{med['program_const']:>10.1f}"
              f"{ratio('raw_hps', 'raw'):>13.3f}{ratio('program', 'raw'):>13.3f}"
              f"{ratio('program_const', 'raw'):>11.3f}"
              f"{ratio('compiled', 'program'):>18.3f}{ratio('compiled', 'raw'):>14.3f}")


if __name__ == "__main__":
    main()
