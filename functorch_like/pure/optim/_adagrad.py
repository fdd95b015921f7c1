"""Adagrad with PyTorch's rule (lr decay, eps outside the square root)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from ._base import (HyperParams, check_nonneg, hp_as, leafwise, make_hyperparams,
                    next_step, require_params, step_counts)


class AdagradState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, lr_decay, weight_decay, eps
    sum: Any


def adagrad(lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
            initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
            maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.Adagrad` as an optax GradientTransformation.

    Update rule at step t = 1, 2, ... (g negated first when `maximize`):
        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        sum = sum + g^2                   (sum starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(sum) + eps)

    PyTorch parity: eps is outside the square root. optax's `adagrad` puts it inside
    (`g / sqrt(sum + eps)`) and defaults initial_accumulator_value to 0.1, so the two agree
    exactly only with eps=0 and the same initial value.
    """
    check_nonneg("learning rate", lr)
    check_nonneg("lr_decay value", lr_decay)
    check_nonneg("weight_decay value", weight_decay)
    check_nonneg("initial_accumulator_value value", initial_accumulator_value)
    check_nonneg("epsilon value", eps)

    def init(params):
        return AdagradState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                         eps=eps),
            sum=jax.tree.map(lambda p: jnp.full_like(p, initial_accumulator_value), params))

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, "adagrad")

        def leaf(g, p, step, acc):
            h = hp_as(state.hyperparams, g.dtype)
            if maximize:
                g = -g
            if p is not None and "weight_decay" in h:     # (see weight_decay_terms)
                g = g + h["weight_decay"] * p
            step = next_step(step)
            clr = h["lr"] / (1 + (step - 1).astype(g.dtype) * h["lr_decay"])
            acc = acc + g * g
            return -clr * (g / (jnp.sqrt(acc) + h["eps"])), step, acc

        updates, steps, acc = leafwise(leaf, 3, grads, params, state.step, state.sum)
        return updates, AdagradState(steps, state.hyperparams, acc)

    return optax.GradientTransformation(init, update)
