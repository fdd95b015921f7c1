"""Adamax with PyTorch's rule (an infinity-norm second moment, eps inside the max)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, adam_hyperparams, check_adam_args, hp_as, leafwise,
                    next_step, require_params, step_counts, weight_decay_terms,
                    zeros_like_tree)


class AdamaxState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, beta1, beta2, eps, weight_decay
    exp_avg: Any
    exp_inf: Any


def adamax(lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
           weight_decay: float = 0.0, *, maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.Adamax` as an optax GradientTransformation.

    Update rule at step t = 1, 2, ... (g negated first when `maximize`):
        g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, |g| + eps)
        p = p - lr / (1 - b1^t) * m / u

    PyTorch parity: this is optax's `adamax` exactly (eps inside the max, only the first
    moment bias-corrected).
    """
    check_adam_args(lr, betas, eps, weight_decay)

    def init(params):
        return AdamaxState(
            step=step_counts(params),
            hyperparams=adam_hyperparams(lr, betas, eps, weight_decay),
            exp_avg=zeros_like_tree(params),
            exp_inf=zeros_like_tree(params))

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, "adamax")

        def leaf(g, p, step, m, u):
            h = hp_as(state.hyperparams, g.dtype)
            b1 = h["beta1"]
            if maximize:
                g = -g
            g, _ = weight_decay_terms(g, p, h, False)
            step = next_step(step)
            m = m + (1 - b1) * (g - m)
            u = jnp.maximum(h["beta2"] * u, jnp.abs(g) + h["eps"])
            clr = h["lr"] / (1 - b1 ** step.astype(g.dtype))
            return -clr * (m / u), step, m, u

        updates, steps, m, u = leafwise(leaf, 4, grads, params, state.step, state.exp_avg,
                                        state.exp_inf)
        return updates, AdamaxState(steps, state.hyperparams, m, u)

    return optax.GradientTransformation(init, update)
