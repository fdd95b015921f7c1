"""XLA's memory for one MLP training step on this backend, by formulation and leaf order.

    python scripts/xla_memory.py [--batch 1024] [--sweep]

Prints XLA's own memory analysis (arguments + outputs + temporaries - donated aliases, in
bytes) of the benchmark's MLP + Adam step written by hand in JAX, for the loss as optax
writes it and as functorch_like.pure.losses.cross_entropy, with the parameter pytree as a
dict (JAX flattens it in sorted key order: each bias before its weight) and as a list in the
model's order (weight, bias, as PyTorch and functorch_like.compile hold them), and of the
same step under functorch_like.compile. XLA's CPU scheduler chooses differently for
programs that differ only in these respects; see BENCHMARKS.md. --sweep: the temporaries
of hand-written Adam MLPs of other widths in both orders.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

import bench  # noqa: E402
from functorch_like.pure import losses  # noqa: E402


def _pure_loss(p, x, y):
    h = jax.nn.relu(x @ p["0.weight"].T + p["0.bias"])
    h = jax.nn.relu(h @ p["2.weight"].T + p["2.bias"])
    return losses.cross_entropy(h @ p["4.weight"].T + p["4.bias"], y)


def raw_bytes(loss, order: str, batch: int) -> int:
    params, _, _ = bench._raw_state("mlp", "sorted")
    names = list(params)
    if order == "model":
        tree = list(params.values())

        def loss_fn(leaves, x, y):
            return loss(dict(zip(names, leaves)), x, y)
    else:
        tree, loss_fn = params, loss
    opt = optax.adam(1e-3)
    x, y = bench._data("mlp", batch)
    step = jax.jit(bench.raw_mlp_step(opt, loss_fn), donate_argnums=(0, 1))
    return bench._xla_bytes(step.lower(tree, opt.init(tree), x, y).compile())


def _mlp_temp_bytes(widths: list[int], batch: int, order: str) -> int:
    """XLA's temporaries of a hand-written Adam step of an MLP with these widths."""
    rng = np.random.default_rng(0)
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        params[f"{i}.weight"] = jnp.asarray(rng.standard_normal((fan_out, fan_in), np.float32))
        params[f"{i}.bias"] = jnp.zeros(fan_out, jnp.float32)
    names = list(params) if order == "model" else sorted(params)
    layers = len(widths) - 1

    def loss(leaves, x, y):
        p, h = dict(zip(names, leaves)), x
        for i in range(layers):
            h = h @ p[f"{i}.weight"].T + p[f"{i}.bias"]
            h = jax.nn.relu(h) if i < layers - 1 else h
        return optax.softmax_cross_entropy_with_integer_labels(h, y).mean()
    leaves = [params[k] for k in names]
    x = jnp.asarray(rng.standard_normal((batch, widths[0]), np.float32))
    y = jnp.asarray(rng.integers(0, widths[-1], batch).astype(np.int32))
    opt = optax.adam(1e-3)
    step = jax.jit(bench.raw_mlp_step(opt, loss), donate_argnums=(0, 1))
    compiled = step.lower(leaves, opt.init(leaves), x, y).compile()
    return compiled.memory_analysis().temp_size_in_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    if args.sweep:
        for widths in ([64, 256, 256, 10], [64, 512, 512, 512, 10], [128, 1024, 10],
                       [32, 128, 128, 128, 128, 10], [784, 300, 100, 10]):
            model = _mlp_temp_bytes(widths, args.batch, "model")
            ordered = _mlp_temp_bytes(widths, args.batch, "sorted")
            print(f"MLP {widths}, batch {args.batch}: temporaries in the model's order "
                  f"{model}, sorted {ordered}, ratio {model / ordered:.3f}")
        return
    print(f"device: {jax.devices()[0].platform}; jax {jax.__version__}; MLP batch {args.batch}")
    for name, loss in (("optax loss", bench.raw_mlp_loss), ("pure cross_entropy", _pure_loss)):
        for order in ("sorted", "model"):
            nbytes = raw_bytes(loss, order, args.batch)
            print(f"raw JAX, {name:18s}, {order:6s} order: {nbytes:>10}")
    step, x, y = bench.compiled_step("mlp", args.batch)
    step(x, y)
    print(f"functorch_like.compile (model order)          : "
          f"{bench._xla_bytes(step.lower(x, y).compile()):>10}")


if __name__ == "__main__":
    main()
