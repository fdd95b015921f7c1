"""Rprop with PyTorch's rule (sign-based step sizes, a skipped step after a sign flip)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from ._base import (HyperParams, check_nonneg, hp_as, leafwise, make_hyperparams,
                    next_step, reject, step_counts, zeros_like_tree)


class RpropState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # etaminus, etaplus, step_size_min, step_size_max
    prev: Any                     # the previous (masked) gradient
    step_size: Any                # per element; starts at lr


def rprop(lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
          step_sizes: tuple[float, float] = (1e-6, 50), *,
          maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.Rprop` as an optax GradientTransformation.

    Update rule, elementwise (g negated first when `maximize`), s = sign(g * prev):
        step_size = clamp(step_size * (etaplus if s > 0 else etaminus if s < 0 else 1),
                          step_size_min, step_size_max)
        g = 0 where s < 0                  (no move after a sign change)
        p = p - sign(g) * step_size;   prev = g

    `lr` only seeds `step_size` at init (as in torch, where a later lr change, e.g. from a
    scheduler, has no effect on parameters that already have state).

    PyTorch parity: torch clamps the step size on every step, also where s = 0; optax's
    `rprop` leaves it unclamped there. They agree whenever lr lies in [step_size_min,
    step_size_max].
    """
    check_nonneg("learning rate", lr)
    etaminus, etaplus = etas
    if not 0.0 < etaminus < 1.0 < etaplus:
        reject(f"Invalid eta values: {etaminus}, {etaplus}")

    def init(params):
        return RpropState(
            step=step_counts(params),
            hyperparams=make_hyperparams(etaminus=etaminus, etaplus=etaplus,
                                         step_size_min=step_sizes[0],
                                         step_size_max=step_sizes[1]),
            prev=zeros_like_tree(params),
            # (a complex parameter's real and imaginary parts are two numbers that each
            # start at lr, as torch's complex(lr, lr))
            step_size=jax.tree.map(
                lambda p: jnp.full_like(p, complex(lr, lr) if jnp.iscomplexobj(p) else lr),
                params))

    def update(grads, state, params=None):
        del params

        def leaf(g, step, prev, step_size):
            h = hp_as(state.hyperparams, g.dtype)
            if maximize:
                g = -g
            s = jnp.sign(g * prev)
            factor = jnp.where(s > 0, h["etaplus"], jnp.where(s < 0, h["etaminus"], 1.0))
            step_size = jnp.clip(step_size * factor, h["step_size_min"],
                                 h["step_size_max"])
            g = jnp.where(s < 0, jnp.zeros_like(g), g)
            return -jnp.sign(g) * step_size, next_step(step), g, step_size

        updates, steps, prev, sizes = leafwise(leaf, 4, grads, state.step, state.prev,
                                               state.step_size)
        return updates, RpropState(steps, state.hyperparams, prev, sizes)

    return optax.GradientTransformation(init, update)
