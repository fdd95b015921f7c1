"""Adadelta with PyTorch's rule (eps inside both roots, an lr on top)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, check_nonneg, hp_as, leafwise, make_hyperparams,
                    next_step, reject, require_params, step_counts, weight_decay_terms,
                    zeros_like_tree)


class AdadeltaState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, rho, eps, weight_decay
    square_avg: Any
    acc_delta: Any


def adadelta(lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0,
             *, maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.Adadelta` as an optax GradientTransformation.

    Update rule (g negated first when `maximize`):
        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g^2
        delta = sqrt(a + eps) / sqrt(v + eps) * g
        a = rho * a + (1 - rho) * delta^2
        p = p - lr * delta

    PyTorch parity: optax's `adadelta(learning_rate=lr, rho=rho, eps=eps)` is the same rule
    (note torch's default lr is 1.0; Zeiler's paper has no learning rate at all).
    """
    check_nonneg("learning rate", lr)
    if not 0.0 <= rho <= 1.0:
        reject(f"Invalid rho value: {rho}")
    check_nonneg("epsilon value", eps)
    check_nonneg("weight_decay value", weight_decay)

    def init(params):
        return AdadeltaState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay),
            square_avg=zeros_like_tree(params),
            acc_delta=zeros_like_tree(params))

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, "adadelta")

        def leaf(g, p, step, v, acc):
            h = hp_as(state.hyperparams, g.dtype)
            rho, eps = h["rho"], h["eps"]
            if maximize:
                g = -g
            g, _ = weight_decay_terms(g, p, h, False)
            v = rho * v + (1 - rho) * g * g
            delta = jnp.sqrt(acc + eps) / jnp.sqrt(v + eps) * g
            acc = rho * acc + (1 - rho) * delta * delta
            return -h["lr"] * delta, next_step(step), v, acc

        updates, steps, v, acc = leafwise(leaf, 4, grads, params, state.step,
                                          state.square_avg, state.acc_delta)
        return updates, AdadeltaState(steps, state.hyperparams, v, acc)

    return optax.GradientTransformation(init, update)
