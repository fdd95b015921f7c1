"""Stochastic gradient descent with PyTorch's momentum rule."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from ._base import (HyperParams, check_nonneg, hp_as, leafwise, make_hyperparams,
                    next_step, reject, require_params, step_counts, zeros_like_tree)


class SGDState(NamedTuple):
    step: Any                     # per-parameter int32 step counts
    hyperparams: HyperParams      # lr, momentum, dampening, weight_decay
    momentum_buffer: Any          # like params; None without momentum


def sgd(lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
        weight_decay: float = 0.0, nesterov: bool = False, *,
        maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.SGD` as an optax GradientTransformation.

    Update rule, per parameter p with gradient g (negated first when `maximize`):
        g = g + weight_decay * p
        buf = g                                          (first step)
        buf = momentum * buf + (1 - dampening) * g       (later steps)
        d = g + momentum * buf if nesterov else buf      (d = g without momentum)
        p = p - lr * d

    With momentum=0 this is plain gradient descent, p -= lr * g.

    PyTorch parity: the buffer starts at the first gradient itself, not at zero and not
    damped. optax's `sgd(momentum=m)` (trace starting at zero, `t = g + m t`) gives the same
    numbers with dampening=0; the textbook "exponential moving average" form
    `v = b v + (1 - b) g` is this rule with dampening = momentum, except on the first step.

    Hyperparameters live in `state.hyperparams` (change them with `set_hyperparams`);
    whether momentum is used at all is fixed at construction, as PyTorch decides it from
    `momentum != 0`.
    """
    check_nonneg("learning rate", lr)
    check_nonneg("momentum value", momentum)
    check_nonneg("weight_decay value", weight_decay)
    if nesterov and (momentum <= 0 or dampening != 0):
        reject("Nesterov momentum requires a momentum and zero dampening")
    use_momentum = momentum != 0

    def init(params):
        return SGDState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, momentum=momentum, dampening=dampening,
                                         weight_decay=weight_decay),
            momentum_buffer=zeros_like_tree(params) if use_momentum else None)

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, "sgd")

        def leaf(g, p, step, buf):
            h = hp_as(state.hyperparams, g.dtype)
            if maximize:
                g = -g
            if p is not None and "weight_decay" in h:     # (see weight_decay_terms)
                g = g + h["weight_decay"] * p
            if use_momentum:
                later = h["momentum"] * buf + (1 - h["dampening"]) * g
                # (torch's first buffer is `grad.detach().clone()`: a step differentiated
                # through, differentiable=True, gets no gradient along it)
                buf = jnp.where(step == 0, jax.lax.stop_gradient(g), later)
                g = g + h["momentum"] * buf if nesterov else buf
            return -h["lr"] * g, next_step(step), buf

        updates, steps, bufs = leafwise(leaf, 3, grads, params, state.step,
                                        state.momentum_buffer)
        return updates, SGDState(steps, state.hyperparams, bufs if use_momentum else None)

    return optax.GradientTransformation(init, update)
