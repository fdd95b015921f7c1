"""Adam and AdamW with PyTorch's rule (both moments bias-corrected, eps after the root)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, adam_hyperparams, check_adam_args, hp_as, leafwise,
                    next_step, require_params, step_counts, weight_decay_terms,
                    zeros_like_tree)


class AdamState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, beta1, beta2, eps, weight_decay
    exp_avg: Any
    exp_avg_sq: Any
    max_exp_avg_sq: Any           # None unless amsgrad


def _adam(lr, betas, eps, weight_decay, amsgrad, maximize, decoupled, name):
    check_adam_args(lr, betas, eps, weight_decay)

    def init(params):
        return AdamState(
            step=step_counts(params),
            hyperparams=adam_hyperparams(lr, betas, eps, weight_decay),
            exp_avg=zeros_like_tree(params),
            exp_avg_sq=zeros_like_tree(params),
            max_exp_avg_sq=zeros_like_tree(params) if amsgrad else None)

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, name)

        def leaf(g, p, step, m, v, vmax):
            h = hp_as(state.hyperparams, g.dtype)
            lr, b1, b2 = h["lr"], h["beta1"], h["beta2"]
            if maximize:
                g = -g
            g, decay = weight_decay_terms(g, p, h, decoupled)
            step = next_step(step)
            t = step.astype(g.dtype)
            m = m + (1 - b1) * (g - m)                    # torch's exp_avg.lerp_(g, 1 - b1)
            v = b2 * v + (1 - b2) * g * g
            bc2_sqrt = jnp.sqrt(1 - b2**t)
            if amsgrad:
                vmax = jnp.maximum(vmax, v)
                denom = jnp.sqrt(vmax) / bc2_sqrt + h["eps"]
            else:
                denom = jnp.sqrt(v) / bc2_sqrt + h["eps"]
            step_size = lr / (1 - b1**t)
            return decay - step_size * (m / denom), step, m, v, vmax

        updates, steps, m, v, vmax = leafwise(leaf, 5, grads, params, state.step,
                                              state.exp_avg, state.exp_avg_sq,
                                              state.max_exp_avg_sq)
        return updates, AdamState(steps, state.hyperparams, m, v, vmax if amsgrad else None)

    return optax.GradientTransformation(init, update)


def adam(lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
         weight_decay: float = 0.0, amsgrad: bool = False, *,
         maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.Adam` as an optax GradientTransformation.

    Update rule at step t = 1, 2, ... (g negated first when `maximize`):
        g = g + weight_decay * p                       (L2, folded into the gradient)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g^2
        v_hat = max(v_hat, v) if amsgrad else v
        p = p - lr / (1 - b1^t) * m / (sqrt(v_hat) / sqrt(1 - b2^t) + eps)

    PyTorch parity: both moments are bias-corrected and eps is added after dividing the root
    by sqrt(1 - b2^t); this is optax's `adam(eps_root=0)` exactly. Textbook variants that
    correct only the second moment, or add eps before the correction, drift from it.
    """
    return _adam(lr, betas, eps, weight_decay, amsgrad, maximize, False, "adam")


def adamw(lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 1e-2, amsgrad: bool = False, *,
          maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.AdamW`: Adam with decoupled weight decay.

    The parameter decays first, `p = p * (1 - lr * weight_decay)`, then takes Adam's step
    (without L2 in the gradient). optax's `adamw(weight_decay=wd)` applies the same decay
    (it scales `wd * p` by the learning rate). Note PyTorch's default weight_decay is 1e-2,
    optax's 1e-4.
    """
    return _adam(lr, betas, eps, weight_decay, amsgrad, maximize, True, "adamw")
