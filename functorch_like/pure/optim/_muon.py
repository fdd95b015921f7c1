"""Muon with PyTorch's rule: momentum, then a Newton-Schulz orthogonalization in bfloat16."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from ._base import (HyperParams, hp_as, leafwise, make_hyperparams, next_step, reject,
                    step_counts, weight_decay_terms, zeros_like_tree)

# torch.optim._muon's constants (from Keller Jordan's Muon post).
EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5
_ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


class MuonState(NamedTuple):
    step: Any                     # per-parameter int32 counts (not in torch's state_dict)
    hyperparams: HyperParams      # lr, weight_decay, momentum, eps, ns_a, ns_b, ns_c
    momentum_buffer: Any          # like params


def _lerp(start, end, weight):
    """torch.lerp's formula (two branches, so the rounding matches PyTorch's)."""
    return jnp.where(jnp.abs(weight) < 0.5, start + weight * (end - start),
                     end - (end - start) * (1 - weight))


def zeropower_via_newtonschulz(grad: jax.Array, coefficients, ns_steps: int,
                               eps) -> jax.Array:
    """PyTorch's `_zeropower_via_newtonschulz`: approximately U V^T of grad = U S V^T.

    Args:
      grad: (A, B) matrix.
      coefficients: (a, b, c) of the quintic iteration X <- a X + (b G + c G^2) X, G = X X^T.
      ns_steps: number of iterations (< 100).
      eps: lower clamp of the Frobenius norm the input is divided by.
    Returns:
      (A, B) bfloat16 matrix.

    PyTorch parity: torch runs the iteration in bfloat16 with float32 accumulation and one
    rounding per `addmm`; here each `addmm` is a float32 product and sum rounded once to
    bfloat16, which agrees with torch up to occasional one-ulp (2^-8 relative) roundings
    where the float32 sums differ in their last bits.
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    a, b, c = (jnp.asarray(v, jnp.float32) for v in coefficients)
    bf16, f32 = jnp.bfloat16, jnp.float32
    x = grad.astype(bf16)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = jnp.sqrt(jnp.sum(jnp.square(x.astype(f32)))).astype(bf16)
    norm = jnp.maximum(norm, jnp.asarray(eps, f32).astype(bf16))
    x = (x.astype(f32) / norm.astype(f32)).astype(bf16)

    def mm(u, v):
        return jnp.matmul(u, v, preferred_element_type=f32)
    for _ in range(ns_steps):
        gram = mm(x, x.T).astype(bf16)
        # addmm(gram, gram, gram, beta=b, alpha=c): one rounding of b*gram + c*gram@gram
        update = (b * gram.astype(f32) + c * mm(gram, gram)).astype(bf16)
        x = (a * x.astype(f32) + mm(update, x)).astype(bf16)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn: str | None, shape) -> Any:
    """torch's `_adjust_lr`: scales lr so the orthogonal update's RMS is shape-independent."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = max(1, rows / cols) ** 0.5
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * max(rows, cols) ** 0.5
    else:
        ratio = 1.0
    return lr * ratio


def muon(lr: float = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
         nesterov: bool = True,
         ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
         eps: float = EPS, ns_steps: int = DEFAULT_NS_STEPS,
         adjust_lr_fn: str | None = None) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.Muon` as an optax GradientTransformation (2-D parameters).

    Update rule, per (A, B) parameter p with gradient g:
        buf = lerp(buf, g, 1 - momentum)             (buf starts at zero)
        u = lerp(g, buf, momentum) if nesterov else buf
        O = NS(u)                                    (zeropower_via_newtonschulz, bfloat16)
        p = p * (1 - lr * weight_decay) - adjust(lr, (A, B)) * O
    with adjust "original" (default): lr * sqrt(max(1, A / B)); "match_rms_adamw":
    0.2 * lr * sqrt(max(A, B)).

    PyTorch parity: the Newton-Schulz iteration runs in bfloat16 as in torch (see
    `zeropower_via_newtonschulz` for its rounding); a non-2-D parameter raises
    ValueError("Param gradient must be a 2D matrix") at the update, as torch's step does.
    """
    if not 0.0 <= lr:
        reject(f"Learning rate should be >= 0 but is: {lr}")
    if not 0.0 <= momentum:
        reject(f"momentum should be >= 0 but is: {momentum}")
    if not 0.0 <= weight_decay:
        reject(f"weight decay should be >= 0 but is: {weight_decay}")
    if adjust_lr_fn not in _ADJUST_LR_FNS:
        raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients

    def init(params):
        return MuonState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, weight_decay=weight_decay, momentum=momentum,
                                         eps=eps, ns_a=a, ns_b=b, ns_c=c),
            momentum_buffer=zeros_like_tree(params))

    def update(grads, state, params=None):
        if params is None:
            raise ValueError("muon needs `params` in update(updates, state, params) for its "
                             "decoupled weight decay")

        def leaf(g, p, step, buf):
            if g.ndim != 2:
                raise ValueError("Param gradient must be a 2D matrix")
            h = hp_as(state.hyperparams, g.dtype)
            buf = _lerp(buf, g, 1 - h["momentum"])
            u = _lerp(g, buf, h["momentum"]) if nesterov else buf
            ortho = zeropower_via_newtonschulz(
                u, (state.hyperparams["ns_a"], state.hyperparams["ns_b"],
                    state.hyperparams["ns_c"]), ns_steps, state.hyperparams["eps"])
            # decoupled decay p *= 1 - lr * wd, then p -= adjusted_lr * O (as one update)
            _, decay = weight_decay_terms(g, p, h, True)
            return (decay - _adjust_lr(h["lr"], adjust_lr_fn, p.shape) * ortho.astype(g.dtype),
                    next_step(step), buf)

        updates, steps, bufs = leafwise(leaf, 3, grads, params, state.step,
                                        state.momentum_buffer)
        return updates, MuonState(steps, state.hyperparams, bufs)

    return optax.GradientTransformation(init, update)
