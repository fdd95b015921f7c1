"""XLA's memory for one MLP training step on this backend, by formulation and leaf order.

    python scripts/xla_memory.py [--batch 1024] [--sweep]

Prints XLA's own memory analysis (arguments + outputs + temporaries - donated aliases, in
bytes) of the benchmark's MLP + Adam step written by hand in JAX, for the loss as optax
writes it and as functorch_like.pure.losses.cross_entropy, with the parameter pytree as a
dict (JAX flattens it in sorted key order: each bias before its weight) and as a list in the
model's order (weight, bias, as PyTorch and functorch_like.compile hold them), and of the
same step under functorch_like.compile. XLA's CPU scheduler chooses differently for
programs that differ only in these respects; see BENCHMARKS.md. --sweep: the same three
programs for MLPs of other widths (ratios to the dict-based raw step).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import jax  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

import bench  # noqa: E402
import functorch_like as ft  # noqa: E402
from functorch_like import nn  # noqa: E402
from functorch_like.pure import losses  # noqa: E402


def _mlp_loss(layers: int, cross_entropy):
    """The loss of an MLP's parameter dict, named as nn.Sequential names Linear layers
    separated by ReLU (0, 2, 4, ...)."""
    def loss(p, x, y):
        h = x
        for i in range(0, 2 * layers, 2):
            h = h @ p[f"{i}.weight"].T + p[f"{i}.bias"]
            h = jax.nn.relu(h) if i < 2 * (layers - 1) else h
        return cross_entropy(h, y)
    return loss


def _optax_cross_entropy(logits, y):
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def raw_bytes(params: dict, loss, order: str, x, y) -> int:
    """XLA's memory of a hand-written Adam step of `loss` over `params`, held as the dict
    (order "sorted") or as a list in the dict's own order (order "model")."""
    names = list(params)
    if order == "model":
        tree = list(params.values())

        def loss_fn(leaves, x, y):
            return loss(dict(zip(names, leaves)), x, y)
    else:
        tree, loss_fn = params, loss
    opt = optax.adam(1e-3)
    step = jax.jit(bench.raw_mlp_step(opt, loss_fn), donate_argnums=(0, 1))
    return bench._xla_bytes(step.lower(tree, opt.init(tree), x, y).compile())


def _mlp(widths: list[int]):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _mlp_bytes(widths: list[int], batch: int) -> dict[str, int]:
    """XLA's memory of an Adam step of an MLP with these widths: hand-written over a dict
    (sorted) and over a list in the model's order, and under functorch_like.compile."""
    ft.manual_seed(0)
    model = _mlp(widths)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, widths[0])).astype(np.float32)
    y = rng.integers(0, widths[-1], batch).astype(np.int32)
    params = {k: v._value for k, v in model.named_parameters()}
    loss = _mlp_loss(len(widths) - 1, _optax_cross_entropy)
    out = {order: raw_bytes(params, loss, order, x, y) for order in ("sorted", "model")}
    compiled = bench.pytorch_step(model, ft.optim.Adam(model.parameters(), lr=1e-3),
                                  nn.CrossEntropyLoss())
    xt, yt = ft.from_numpy(x), ft.from_numpy(y)
    compiled(xt, yt)
    out["compiled"] = bench._xla_bytes(compiled.lower(xt, yt).compile())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    if args.sweep:
        for widths in ([64, 256, 256, 10], [64, 512, 512, 512, 10], [128, 1024, 10],
                       [32, 128, 128, 128, 128, 10], [784, 300, 100, 10]):
            b = _mlp_bytes(widths, args.batch)
            print(f"MLP {widths}, batch {args.batch}: raw dict {b['sorted']}, raw model "
                  f"order {b['model']} ({b['model'] / b['sorted']:.3f}), compiled "
                  f"{b['compiled']} ({b['compiled'] / b['sorted']:.3f})")
        return
    print(f"device: {jax.devices()[0].platform}; jax {jax.__version__}; MLP batch {args.batch}")
    ft.manual_seed(0)
    params = {k: v._value for k, v in bench.make_mlp().named_parameters()}
    x, y = bench._data("mlp", args.batch)
    pure_loss = _mlp_loss(3, losses.cross_entropy)
    for name, loss in (("optax loss", bench.raw_mlp_loss), ("pure cross_entropy", pure_loss)):
        for order in ("sorted", "model"):
            nbytes = raw_bytes(params, loss, order, x, y)
            print(f"raw JAX, {name:18s}, {order:6s} order: {nbytes:>10}")
    step, x, y = bench.compiled_step("mlp", args.batch)
    step(x, y)
    print(f"functorch_like.compile (model order)          : "
          f"{bench._xla_bytes(step.lower(x, y).compile()):>10}")


if __name__ == "__main__":
    main()
