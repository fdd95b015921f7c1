"""Adaptive softmax (Grave et al., "Efficient softmax approximation for GPUs"): the
computation behind nn.AdaptiveLogSoftmaxWithLoss, on arrays."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._types import Array

__all__ = ["adaptive_log_softmax", "adaptive_log_prob", "adaptive_predict"]


def _head_logprob(x: Array, head_weight: Array, head_bias: Array | None) -> Array:
    logits = x @ head_weight.T
    if head_bias is not None:
        logits = logits + head_bias
    return jax.nn.log_softmax(logits, axis=1)


def _cluster_logprob(x: Array, proj: Array, out: Array) -> Array:
    """One tail cluster: Linear(in, hsz) then Linear(hsz, osz), both without bias."""
    return jax.nn.log_softmax((x @ proj.T) @ out.T, axis=1)


def adaptive_log_softmax(x: Array, target: Array, head_weight: Array,
                         head_bias: Array | None, *tail_weights: Array,
                         cutoffs: tuple[int, ...]) -> tuple[Array, Array]:
    """The log-probability of each row's target, and the mean negative of it.

    Args:
      x: (N, in_features).
      target: (N,) integer classes in [0, n_classes); values must be checked by the caller
        (out-of-range targets give arbitrary numbers here).
      head_weight: (shortlist + n_clusters, in_features); head_bias: its bias or None.
      tail_weights: per cluster i, the two weights (hsz_i, in_features), (osz_i, hsz_i).
      cutoffs: the module's cutoffs followed by n_classes.
    Returns:
      output (N,) and loss ().

    Every cluster is evaluated for every row and the row's own is selected (PyTorch
    evaluates each cluster on its rows only): the same values, with static shapes.
    """
    head = _head_logprob(x, head_weight, head_bias)
    shortlist = cutoffs[0]
    gather = target
    local = jnp.zeros(target.shape, x.dtype)
    for i in range(len(cutoffs) - 1):
        low, high = cutoffs[i], cutoffs[i + 1]
        inside = (target >= low) & (target < high)
        logprob = _cluster_logprob(x, tail_weights[2 * i], tail_weights[2 * i + 1])
        relative = jnp.clip(target - low, 0, high - low - 1)
        picked = jnp.take_along_axis(logprob, relative[:, None], axis=1)[:, 0]
        local = jnp.where(inside, picked, local)
        gather = jnp.where(inside, shortlist + i, gather)
    output = local + jnp.take_along_axis(head, gather[:, None], axis=1)[:, 0]
    return output, jnp.mean(-output)


def adaptive_log_prob(x: Array, head_weight: Array, head_bias: Array | None,
                      *tail_weights: Array, cutoffs: tuple[int, ...]) -> Array:
    """Log-probabilities of all classes: (N, in_features) -> (N, n_classes)."""
    head = _head_logprob(x, head_weight, head_bias)
    shortlist = cutoffs[0]
    parts = [head[:, :shortlist]]
    for i in range(len(cutoffs) - 1):
        logprob = _cluster_logprob(x, tail_weights[2 * i], tail_weights[2 * i + 1])
        parts.append(logprob + head[:, shortlist + i][:, None])
    return jnp.concatenate(parts, axis=1)


def adaptive_predict(x: Array, head_weight: Array, head_bias: Array | None,
                     *tail_weights: Array, cutoffs: tuple[int, ...]) -> Array:
    """The most likely class per row (N,): the head's argmax when it is a shortlist class
    (no tail class can be more likely then), else the argmax over all classes; as
    PyTorch's `predict`, ties included."""
    head_arg = jnp.argmax(_head_logprob(x, head_weight, head_bias), axis=1)
    full_arg = jnp.argmax(adaptive_log_prob(x, head_weight, head_bias, *tail_weights,
                                            cutoffs=cutoffs), axis=1)
    return jnp.where(head_arg < cutoffs[0], head_arg, full_arg)
