"""SparseAdam with PyTorch's rule, for dense gradients: rows whose gradient is all zero
are treated as absent from the (sparse) gradient."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, check_beta, hp_as, leafwise, make_hyperparams, next_step,
                    reject, step_counts, zeros_like_tree)


class SparseAdamState(NamedTuple):
    step: Any                     # per-parameter int32 step counts
    hyperparams: HyperParams      # lr, beta1, beta2, eps
    exp_avg: Any
    exp_avg_sq: Any


def present_rows(g):
    """Which entries a sparse gradient of `g` would hold: torch's nn.Embedding(sparse=True)
    makes gradients sparse along dim 0, so a row is present iff it has a non-zero.
    Returns a mask broadcastable to g."""
    if g.ndim == 0:
        return g != 0
    return jnp.any(g != 0, axis=tuple(range(1, g.ndim)), keepdims=True)


def sparse_adam(lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                eps: float = 1e-8, *, maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.SparseAdam` as an optax GradientTransformation.

    Update rule at step t (counted on every update, present rows or not), on the rows R
    where the gradient is non-zero (g negated first when `maximize`):
        m[R] = m[R] + (1 - b1) (g[R] - m[R]);   v[R] = v[R] + (1 - b2) (g[R]^2 - v[R])
        p[R] = p[R] - lr sqrt(1 - b2^t) / (1 - b1^t) * m[R] / (sqrt(v[R]) + eps)
    Other rows keep their moments and values.

    PyTorch parity: torch requires sparse gradients (it raises "SparseAdam does not support
    dense gradients, please consider Adam instead") and updates the rows its sparse
    gradient stores. There are no sparse tensors here: the gradient is dense and a row
    (slice along dim 0) with an all-zero gradient counts as absent. The two agree for
    nn.Embedding(sparse=True), except for a looked-up row whose summed gradient is exactly
    zero (torch stores and updates it, this skips it).
    """
    if not 0.0 < lr:
        reject(f"Invalid learning rate: {lr}")
    if not 0.0 < eps:
        reject(f"Invalid epsilon value: {eps}")
    check_beta(0, betas[0])
    check_beta(1, betas[1])

    def init(params):
        return SparseAdamState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, beta1=betas[0], beta2=betas[1], eps=eps),
            exp_avg=zeros_like_tree(params),
            exp_avg_sq=zeros_like_tree(params))

    def update(grads, state, params=None):
        del params                # no weight decay in SparseAdam

        def leaf(g, step, m, v):
            h = hp_as(state.hyperparams, g.dtype)
            b1, b2 = h["beta1"], h["beta2"]
            if maximize:
                g = -g
            rows = present_rows(g)
            step = next_step(step)
            t = step.astype(g.dtype)
            # torch's order of operations: update = (new - old) * (1 - b), then old + update
            m_new = m + (g - m) * (1 - b1)
            v_new = v + (g * g - v) * (1 - b2)
            step_size = h["lr"] * jnp.sqrt(1 - b2**t) / (1 - b1**t)
            delta = -step_size * (m_new / (jnp.sqrt(v_new) + h["eps"]))
            return (jnp.where(rows, delta, 0).astype(g.dtype), step,
                    jnp.where(rows, m_new, m), jnp.where(rows, v_new, v))

        updates, steps, m, v = leafwise(leaf, 4, grads, state.step, state.exp_avg,
                                        state.exp_avg_sq)
        return updates, SparseAdamState(steps, state.hyperparams, m, v)

    return optax.GradientTransformation(init, update)
