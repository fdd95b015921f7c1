"""RAdam with PyTorch's rule (variance rectification once rho_t > 5)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, adam_hyperparams, check_adam_args, hp_as, leafwise,
                    next_step, require_params, step_counts, weight_decay_terms,
                    zeros_like_tree)


class RAdamState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, beta1, beta2, eps, weight_decay
    exp_avg: Any
    exp_avg_sq: Any


def radam(lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
          maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.RAdam` as an optax GradientTransformation.

    Update rule at step t = 1, 2, ... (g negated first when `maximize`; weight decay as
    in Adam, or AdamW's `p *= 1 - lr * wd` with decoupled_weight_decay):
        m = b1 * m + (1 - b1) * g;   v = b2 * v + (1 - b2) * g^2
        m_hat = m / (1 - b1^t)
        rho_inf = 2 / (1 - b2) - 1;   rho_t = rho_inf - 2 t b2^t / (1 - b2^t)
        rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    p = p - lr * m_hat * sqrt(1 - b2^t) / (sqrt(v) + eps) * r
        otherwise:  p = p - lr * m_hat

    PyTorch parity: eps is added to sqrt(v) *before* the bias correction
    (`sqrt(1 - b2^t) / (sqrt(v) + eps)`); optax's `radam` adds it after
    (`1 / (sqrt(v / (1 - b2^t)) + eps)`) and switches at rho_t >= 5, so the two agree
    exactly only with eps=0 (and rho_t never exactly 5).
    """
    check_adam_args(lr, betas, eps, weight_decay)

    def init(params):
        return RAdamState(
            step=step_counts(params),
            hyperparams=adam_hyperparams(lr, betas, eps, weight_decay),
            exp_avg=zeros_like_tree(params),
            exp_avg_sq=zeros_like_tree(params))

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, "radam")

        def leaf(g, p, step, m, v):
            h = hp_as(state.hyperparams, g.dtype)
            lr, b1, b2 = h["lr"], h["beta1"], h["beta2"]
            if maximize:
                g = -g
            g, decay = weight_decay_terms(g, p, h, decoupled_weight_decay)
            step = next_step(step)
            t = step.astype(g.dtype)
            m = m + (1 - b1) * (g - m)
            v = b2 * v + (1 - b2) * g * g
            # rho_t subtracts two numbers near 2 / (1 - b2) (2e4 for b2 = 0.9999): 1 - b2^t
            # and 1 - b2 from expm1 keep them accurate in float32 (as `1 - b2**t` the
            # update was 31% off at step 6; torch computes these in float64).
            log_b2 = jnp.log(b2)
            bc2 = -jnp.expm1(t * log_b2)
            m_hat = m / (1 - b1**t)
            rho_inf = 2 / -jnp.expm1(log_b2) - 1
            rho_t = rho_inf - 2 * t * jnp.exp(t * log_b2) / bc2
            rectify = rho_t > 5.0
            # The ratio is negative while rho_t < 4: keep sqrt's input valid on the branch
            # that jnp.where discards.
            ratio = ((rho_t - 4) * (rho_t - 2) * rho_inf
                     / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            rect = jnp.sqrt(jnp.where(rectify, ratio, 1.0))
            adaptive = jnp.sqrt(bc2) / (jnp.sqrt(v) + h["eps"])
            step_ = jnp.where(rectify, m_hat * lr * adaptive * rect, m_hat * lr)
            return decay - step_, step, m, v

        updates, steps, m, v = leafwise(leaf, 4, grads, params, state.step, state.exp_avg,
                                        state.exp_avg_sq)
        return updates, RAdamState(steps, state.hyperparams, m, v)

    return optax.GradientTransformation(init, update)
