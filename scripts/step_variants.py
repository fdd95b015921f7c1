"""Hand-written JAX steps of the benchmark MLP that differ from scripts/bench.py's raw step
in one way each: XLA kernel count, XLA memory and step time, paired with the raw step.

    python scripts/step_variants.py [--steps 300] [--batches 8,128,1024]

Each variant is the raw step (jax.nn.relu, optax's integer-label cross entropy, optax.adam,
jax.jit with the parameters and optimizer state donated) with one change:
- relu_select: relu written as a select (where(x <= 0, 0, x)), as this library's was
  until session 23;
- ours_relu: this library's pure relu (a max with torch's gradient rule);
- ours_relu+ours_ce: and this library's pure cross_entropy (ignore_index, a NaN for an
  out-of-range target, the mean over the targets counted);
- +key: an unused RNG key among the inputs (the compiled step passes the global key);
- +hps: the learning rate read from a hyperparameter vector input (as the compiled
  step's scheduler-driven hyperparameters are);
- +key+hps: both.
The steps are timed in turn, each synchronized; ratios are medians of per-step ratios.
The kernel count is the entry computation's fusions and custom calls.
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
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

import bench  # noqa: E402
from functorch_like.pure import _activations, losses  # noqa: E402


def _relu_select(x):
    return jnp.where(x <= 0, jnp.zeros((), x.dtype), x)


def _optax_ce(z, y):
    return optax.softmax_cross_entropy_with_integer_labels(z, y).mean()


def _mlp_loss(relu, ce):
    def loss(p, x, y):
        h = relu(x @ p["0.weight"].T + p["0.bias"])
        h = relu(h @ p["2.weight"].T + p["2.bias"])
        return ce(h @ p["4.weight"].T + p["4.bias"], y)
    return loss


LOSSES = {"raw": (jax.nn.relu, _optax_ce), "relu_select": (_relu_select, _optax_ce),
          "ours_relu": (_activations.relu, _optax_ce),
          "ours_relu+ours_ce": (_activations.relu, losses.cross_entropy)}
EXTRA_INPUTS = {"+key": (True, False), "+hps": (False, True), "+key+hps": (True, True)}


def kernels(compiled) -> int:
    text = compiled.as_text()
    entry = text[text.index("\nENTRY"):]
    entry = entry[:entry.index("\n}")]
    return sum(" fusion(" in line or "custom-call(" in line for line in entry.splitlines())


def _variant(batch: int, loss_fn, key: bool = False, hps: bool = False):
    """(run, compiled) of one hand-written step."""
    params = {k: v._value for k, v in bench.make_mlp().named_parameters()}
    x, y = bench._data("mlp", batch)

    def step(params, opt_state, hp, rng, x, y):
        opt = optax.adam(hp[0] if hps else 1e-3)
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss
    jitted = jax.jit(step, donate_argnums=(0, 1), keep_unused=True)
    hp = jnp.asarray([1e-3, 0.9, 0.999, 1e-8, 0.0]) if hps else None
    rng = jax.random.key_data(jax.random.key(0)) if key else None
    state = [params, optax.adam(1e-3).init(params)]
    compiled = jitted.lower(*state, hp, rng, x, y).compile()

    def run():
        state[0], state[1], loss = jitted(*state, hp, rng, x, y)
        loss.block_until_ready()
    return run, compiled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batches", default="8,128,1024")
    args = parser.parse_args()
    device = jax.devices()[0]
    print(f"device: {device.platform} ({device.device_kind}); jax {jax.__version__}; "
          f"{args.steps} steps each, in turn")
    for batch in map(int, args.batches.split(",")):
        made = {name: _variant(batch, _mlp_loss(*fns)) for name, fns in LOSSES.items()}
        made.update({name: _variant(batch, _mlp_loss(*LOSSES["raw"]), *flags)
                     for name, flags in EXTRA_INPUTS.items()})
        runs = {name: run for name, (run, _) in made.items()}
        for run in runs.values():
            for _ in range(20):
                run()
        times = {name: [] for name in runs}
        for _ in range(args.steps):
            for name, run in runs.items():
                t0 = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - t0)
        raw_bytes = bench._xla_bytes(made["raw"][1])
        print(f"MLP batch {batch}")
        print(f"  {'variant':<20}{'kernels':>8}{'XLA bytes':>12}{'mem/raw':>9}"
              f"{'step us':>10}{'time/raw':>10}")
        for name, (_, compiled) in made.items():
            nbytes = bench._xla_bytes(compiled)
            ratio = statistics.median(a / b for a, b in zip(times[name], times["raw"]))
            print(f"  {name:<20}{kernels(compiled):>8}{nbytes:>12}{nbytes / raw_bytes:>9.3f}"
                  f"{statistics.median(times[name]) * 1e6:>10.1f}{ratio:>10.3f}")


if __name__ == "__main__":
    main()
