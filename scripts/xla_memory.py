"""XLA's memory for one MLP training step on this backend, by formulation and leaf order.

    python scripts/xla_memory.py [--batch 1024]

Prints XLA's own memory analysis (arguments + outputs + temporaries - donated aliases, in
bytes) of the benchmark's MLP + Adam step written by hand in JAX, for the loss as optax
writes it and as functorch_like.pure.losses.cross_entropy, with the parameter pytree as a
dict (JAX flattens it in sorted key order: each bias before its weight) and as a list in the
model's order (weight, bias, as PyTorch and functorch_like.compile hold them), and of the
same step under functorch_like.compile. XLA's CPU scheduler chooses differently for
programs that differ only in these respects; see BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jax  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=1024)
    args = parser.parse_args()
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
