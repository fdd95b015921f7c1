"""RMSprop with PyTorch's rule (eps outside the square root)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, check_nonneg, hp_as, leafwise, make_hyperparams,
                    next_step, require_params, step_counts, zeros_like_tree)


class RMSpropState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, alpha, eps, weight_decay, momentum
    square_avg: Any
    momentum_buffer: Any          # None without momentum
    grad_avg: Any                 # None unless centered


def rmsprop(lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
            weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
            maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.RMSprop` as an optax GradientTransformation.

    Update rule (g negated first when `maximize`):
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2
        centered:  m = m + (1 - alpha) * (g - m);  denom = sqrt(v - m^2) + eps
        otherwise: denom = sqrt(v) + eps
        momentum:  buf = momentum * buf + g / denom;  p = p - lr * buf
        otherwise: p = p - lr * g / denom

    PyTorch parity: eps is added *outside* the square root and alpha defaults to 0.99;
    optax's `rmsprop` matches with `decay=alpha, eps_in_sqrt=False` (its defaults are
    decay=0.9 and eps inside the root). The momentum buffer starts at zero.
    """
    check_nonneg("learning rate", lr)
    check_nonneg("epsilon value", eps)
    check_nonneg("momentum value", momentum)
    check_nonneg("weight_decay value", weight_decay)
    check_nonneg("alpha value", alpha)
    use_momentum = momentum > 0

    def init(params):
        return RMSpropState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, alpha=alpha, eps=eps,
                                         weight_decay=weight_decay, momentum=momentum),
            square_avg=zeros_like_tree(params),
            momentum_buffer=zeros_like_tree(params) if use_momentum else None,
            grad_avg=zeros_like_tree(params) if centered else None)

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, "rmsprop")

        def leaf(g, p, step, v, buf, m):
            h = hp_as(state.hyperparams, g.dtype)
            if maximize:
                g = -g
            if p is not None and "weight_decay" in h:     # (see weight_decay_terms)
                g = g + h["weight_decay"] * p
            v = h["alpha"] * v + (1 - h["alpha"]) * g * g
            if centered:
                m = m + (1 - h["alpha"]) * (g - m)
                denom = jnp.sqrt(v - m * m) + h["eps"]
            else:
                denom = jnp.sqrt(v) + h["eps"]
            if use_momentum:
                buf = h["momentum"] * buf + g / denom
                return -h["lr"] * buf, next_step(step), v, buf, m
            return -h["lr"] * (g / denom), next_step(step), v, buf, m

        updates, steps, v, bufs, m = leafwise(leaf, 5, grads, params, state.step,
                                              state.square_avg, state.momentum_buffer,
                                              state.grad_avg)
        return updates, RMSpropState(steps, state.hyperparams, v,
                                     bufs if use_momentum else None, m if centered else None)

    return optax.GradientTransformation(init, update)
