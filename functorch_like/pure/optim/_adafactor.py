"""Adafactor with PyTorch's rule (torch.optim.Adafactor, torch 2.13): factored second
moments for parameters of rank >= 2, relative step sizes, update clipping."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from ._base import (HyperParams, decoupled_decay, leafwise, make_hyperparams, next_step,
                    reject, step_counts)


class AdafactorState(NamedTuple):
    step: Any
    hyperparams: HyperParams   # lr, beta2_decay, eps1, eps2, d, weight_decay
    row_var: Any               # per leaf of rank >= 2: shape (..., m, 1); else None
    col_var: Any               # per leaf of rank >= 2: shape (..., 1, n); else None
    variance: Any              # per leaf of rank < 2: like the parameter; else None


def _check(lr: float, beta2_decay: float, eps: tuple, d: float, weight_decay: float) -> None:
    # torch's constructor checks, in its order and with its texts.
    if not 0.0 <= lr:
        reject(f"Learning rate should be >= 0 but is: {lr}")
    if not 0.0 >= beta2_decay:
        reject(f"beta2_decay should be <= 0 but is: {beta2_decay}")
    if eps[0] is not None and not 0.0 <= eps[0]:
        reject(f"epsilon1 should be >= 0 but is: {eps[0]}")
    if not 0.0 <= eps[1]:
        reject(f"epsilon2 should be >= 0 but is: {eps[1]}")
    if not 1.0 <= d:
        reject(f"Clipping threshold d should be >= 1 but is: {d}")
    if not 0.0 <= weight_decay:
        reject(f"weight_decay should be >= 0 but is: {weight_decay}")


def _lerp(a, b, w):
    # at::lerp's two-sided formula: at step 1 (w = 1) the moment becomes b exactly.
    return jnp.where(w < 0.5, a + w * (b - a), b - (b - a) * (1 - w))


def _rms(x, wide):
    """torch's `x.norm(2).item() / numel ** 0.5`: the norm in x's dtype, the rest wide."""
    return jnp.linalg.norm(x.reshape(-1)).astype(wide) / jnp.sqrt(jnp.asarray(x.size, wide))


def _mean_square(g, axis):
    # torch: norm(g, dim).square_().div_(size): a square root and a square, not a sum.
    return jnp.square(jnp.sqrt(jnp.sum(g * g, axis=axis, keepdims=True))) / g.shape[axis]


def adafactor(lr: float = 1e-2, beta2_decay: float = -0.8,
              eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0,
              weight_decay: float = 0.0, *,
              maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.Adafactor` as an optax GradientTransformation.

    Update rule at step t = 1, 2, ... for a parameter p of shape (..., m, n) or a vector
    (g negated first when `maximize`; eps1 = finfo(p.dtype).eps when None):
        w = t^beta2_decay;   rho = min(lr, 1/sqrt(t));   alpha = max(eps2, RMS(p)) * rho
        p = p * (1 - lr * weight_decay)
        rank >= 2:  R = lerp(R, mean(g^2, -1), w);   C = lerp(C, mean(g^2, -2), w)
                    V = R C / max(mean(R, -2), eps1)
        else:       V = lerp(V, g^2, w)
        U = g / sqrt(max(V, eps1^2))
        p = p - alpha / max(1, RMS(U) / d) * U

    `update(grads, state, params)` needs the parameters (alpha scales with their RMS).
    Shapes: row_var (..., m, 1), col_var (..., 1, n), variance like p (rank < 2).

    PyTorch parity: the step-size scalars (w, rho, alpha, the clipping factor) are computed
    in the widest float available (float64 under x64; torch uses Python floats), and the
    RMS norms in the parameter's dtype, as torch's `.norm().item()`. lr is used both as
    the maximum relative step and for the decoupled weight decay, as torch (not the paper).
    """
    _check(lr, beta2_decay, eps, d, weight_decay)
    eps1_given = eps[0] is not None

    def init(params):
        def factor(p, axis):
            if p.ndim < 2:
                return None
            shape = list(p.shape)
            shape[axis] = 1
            return jnp.zeros(shape, p.dtype)

        return AdafactorState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, beta2_decay=beta2_decay,
                                         eps1=eps[0] if eps1_given else 0.0, eps2=eps[1],
                                         d=d, weight_decay=weight_decay),
            row_var=jax.tree.map(lambda p: factor(p, -1), params),
            col_var=jax.tree.map(lambda p: factor(p, -2), params),
            variance=jax.tree.map(lambda p: jnp.zeros_like(p) if p.ndim < 2 else None, params))

    def update(grads, state, params=None):
        if params is None:
            raise ValueError("adafactor needs `params` in update(updates, state, params)")
        h = state.hyperparams

        def leaf(g, p, step, row_var, col_var, variance):
            if jnp.iscomplexobj(p):
                raise RuntimeError("Adafactor does not support complex parameters")
            wide = h["lr"].dtype
            if maximize:
                g = -g
            eps1 = h["eps1"] if eps1_given else jnp.asarray(jnp.finfo(p.dtype).eps, wide)
            step = next_step(step)
            t = step.astype(wide)
            weight = (t ** h["beta2_decay"]).astype(g.dtype)
            rho = jnp.minimum(h["lr"], 1 / jnp.sqrt(t))
            alpha = jnp.maximum(h["eps2"], _rms(p, wide)) * rho
            decay = (decoupled_decay(p, (1 - h["lr"] * h["weight_decay"]).astype(g.dtype))
                     if "weight_decay" in h else 0)     # (see weight_decay_terms)
            if g.ndim > 1:
                row_var = _lerp(row_var, _mean_square(g, -1), weight)
                col_var = _lerp(col_var, _mean_square(g, -2), weight)
                # row_var @ col_var in torch: an outer product (inner dimension 1)
                estimate = row_var * col_var / jnp.maximum(
                    jnp.mean(row_var, axis=-2, keepdims=True), eps1.astype(g.dtype))
            else:
                variance = _lerp(variance, g * g, weight)
                estimate = variance
            u = jax.lax.rsqrt(jnp.maximum(estimate, (eps1 * eps1).astype(g.dtype))) * g
            clip = jnp.maximum(1.0, _rms(u, wide) / h["d"])
            return (decay + (-alpha / clip).astype(g.dtype) * u, step, row_var, col_var,
                    variance)

        updates, steps, rows, cols, variances = leafwise(
            leaf, 5, grads, params, state.step, state.row_var, state.col_var, state.variance)
        return updates, AdafactorState(steps, h, rows, cols, variances)

    return optax.GradientTransformation(init, update)
