"""NAdam with PyTorch's rule (momentum schedule mu_t, float32 running product of mu)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, SCALAR_DTYPE, adam_hyperparams, check_adam_args,
                    check_nonneg, hp_as, leafwise, next_step, require_params,
                    scalar_states, step_counts, weight_decay_terms, zeros_like_tree)


class NAdamState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, beta1, beta2, eps, weight_decay, momentum_decay
    mu_product: Any               # float32 0-d per parameter: prod_{i<=t} mu_i
    exp_avg: Any
    exp_avg_sq: Any


def nadam(lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
          weight_decay: float = 0.0, momentum_decay: float = 4e-3,
          decoupled_weight_decay: bool = False, *,
          maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.NAdam` as an optax GradientTransformation.

    Update rule at step t = 1, 2, ... (g negated first when `maximize`; weight decay as
    in Adam, or AdamW's `p *= 1 - lr * wd` with decoupled_weight_decay):
        mu_t = b1 * (1 - 0.5 * 0.96^(t * momentum_decay))
        P_t = P_{t-1} * mu_t                           (P_0 = 1, kept in float32)
        m = b1 * m + (1 - b1) * g;   v = b2 * v + (1 - b2) * g^2
        denom = sqrt(v / (1 - b2^t)) + eps
        p = p - lr (1 - mu_t) / (1 - P_t) * g / denom
              - lr mu_{t+1} / (1 - P_t mu_{t+1}) * m / denom

    PyTorch parity: torch stores `mu_product` as a float32 0-d tensor and rounds it at
    every step; so does this state (even for float64 parameters), so the two agree to the
    last bits. optax's `nadam` is this rule with a constant mu_t = b1, which is torch's
    with momentum_decay=inf (0.96^inf = 0).
    """
    check_adam_args(lr, betas, eps, weight_decay)
    check_nonneg("momentum_decay value", momentum_decay)

    def init(params):
        return NAdamState(
            step=step_counts(params),
            hyperparams=adam_hyperparams(lr, betas, eps, weight_decay,
                                         momentum_decay=momentum_decay),
            mu_product=scalar_states(params, 1.0),
            exp_avg=zeros_like_tree(params),
            exp_avg_sq=zeros_like_tree(params))

    def update(grads, state, params=None):
        grads = require_params(params, grads, weight_decay, state.hyperparams, "nadam")

        def leaf(g, p, step, mu_product, m, v):
            h = hp_as(state.hyperparams, g.dtype)
            lr, b1, b2, psi = h["lr"], h["beta1"], h["beta2"], h["momentum_decay"]
            if maximize:
                g = -g
            g, decay = weight_decay_terms(g, p, h, decoupled_weight_decay)
            step = next_step(step)
            t = step.astype(g.dtype)
            mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
            mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
            # torch: float32 tensor *= python float, the float rounded to float32 first
            mu_product = mu_product * mu.astype(SCALAR_DTYPE)
            prod = mu_product.astype(g.dtype)
            m = m + (1 - b1) * (g - m)
            v = b2 * v + (1 - b2) * g * g
            denom = jnp.sqrt(v / (1 - b2**t)) + h["eps"]
            step_g = (-lr * (1.0 - mu) / (1.0 - prod)) * (g / denom)
            step_m = (-lr * mu_next / (1.0 - prod * mu_next)) * (m / denom)
            return decay + step_g + step_m, step, mu_product, m, v

        updates, steps, prods, m, v = leafwise(leaf, 5, grads, params, state.step,
                                               state.mu_product, state.exp_avg,
                                               state.exp_avg_sq)
        return updates, NAdamState(steps, state.hyperparams, prods, m, v)

    return optax.GradientTransformation(init, update)
