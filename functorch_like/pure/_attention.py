"""Attention: scaled dot-product attention and multi-head attention with PyTorch's
parameters (in_proj_weight, in_proj_bias, out_proj) and mask conventions."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ._dropout import masked as dropout_mask
from ._errors import ShapeError
from ._types import Array, PRNGKey

__all__ = ["scaled_dot_product_attention", "multi_head_attention"]


def _as_bias(mask: Array | None, allowed_when_true: bool, dtype) -> Array | None:
    """A mask as an additive bias: a bool mask becomes 0 / -inf (True meaning "attend"
    for SDPA, "do not attend" for nn.MultiheadAttention); a float mask is added as is."""
    if mask is None:
        return None
    if mask.dtype == jnp.bool_:
        blocked = ~mask if allowed_when_true else mask
        return jnp.where(blocked, -jnp.inf, 0.0).astype(dtype)
    return mask.astype(dtype)


def _attend(q, k, v, bias, dropout_p, key, scale, empty_rows_zero: bool = False):
    """softmax(q k^T * scale + bias) (dropped out) @ v, and the attention weights.

    empty_rows_zero: a row that may attend to nothing (every score -inf) gets weights 0,
    so its output is 0 and its gradients are finite (PyTorch 2.13's fused attention);
    otherwise its softmax is NaN (PyTorch's explicit softmax)."""
    scores = jnp.einsum("...ld,...sd->...ls", q, k) * scale
    if bias is not None:
        scores = scores + bias
    if empty_rows_zero and bias is not None:
        empty = jnp.all(scores == -jnp.inf, axis=-1, keepdims=True)
        weights = jnp.where(empty, 0, jax.nn.softmax(jnp.where(empty, 0, scores), axis=-1))
    else:
        weights = jax.nn.softmax(scores, axis=-1)
    if dropout_p > 0 and key is not None:
        weights = dropout_mask(weights, dropout_p, weights.shape, key)
    return jnp.einsum("...ls,...sd->...ld", weights, v), weights


def scaled_dot_product_attention(q: Array, k: Array, v: Array, attn_mask: Array | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False, *,
                                 key: PRNGKey | None = None) -> Array:
    """torch.nn.functional.scaled_dot_product_attention.

    Args:
      q: (..., L, E); k: (..., S, E); v: (..., S, Ev).
      attn_mask: broadcastable to (..., L, S): bool (True = may attend) or float (added).
      is_causal: position l attends to s <= l only (and where attn_mask allows).
      scale: defaults to 1 / sqrt(E).
      enable_gqa: grouped-query attention: k and v may have fewer heads (dim -3) than q,
        a divisor of q's; each key/value head serves that many consecutive query heads.
      key: PRNG key for dropout_p > 0.
    Returns:
      (..., L, Ev). A row that may attend to nothing is 0 (with finite gradients), as in
      PyTorch 2.13.
    """
    if enable_gqa and q.ndim >= 3:
        heads = q.shape[-3]
        if any(t.ndim < 3 or heads % t.shape[-3] for t in (k, v)):
            # (PyTorch's message, cut short as PyTorch prints it.)
            raise ShapeError("Number of heads in key and value must divide the number of "
                             "heads in ")
        k = jnp.repeat(k, heads // k.shape[-3], axis=-3)
        v = jnp.repeat(v, heads // v.shape[-3], axis=-3)
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    bias = _as_bias(attn_mask, True, q.dtype)
    if is_causal:
        length, source = q.shape[-2], k.shape[-2]
        causal = jnp.tril(jnp.ones((length, source), bool))
        bias = _as_bias(causal, True, q.dtype) if bias is None else bias + _as_bias(
            causal, True, q.dtype)
    return _attend(q, k, v, bias, dropout_p, key, scale, empty_rows_zero=True)[0]


def _pad_keys(bias: Array | None, count: int) -> Array | None:
    """An additive mask over the keys with `count` more keys, all attended (bias 0)."""
    if bias is None or count == 0:
        return bias
    return jnp.pad(bias, [(0, 0)] * (bias.ndim - 1) + [(0, count)])


def multi_head_attention(query: Array, key: Array, value: Array, num_heads: int,
                         in_proj_weight: Array | None, in_proj_bias: Array | None,
                         out_proj_weight: Array, out_proj_bias: Array | None,
                         key_padding_mask: Array | None = None, attn_mask: Array | None = None,
                         dropout_p: float = 0.0, is_causal: bool = False,
                         average_attn_weights: bool = True, *,
                         rng: PRNGKey | None = None, q_proj_weight: Array | None = None,
                         k_proj_weight: Array | None = None,
                         v_proj_weight: Array | None = None, bias_k: Array | None = None,
                         bias_v: Array | None = None, add_zero_attn: bool = False,
                         need_weights: bool = True) -> tuple[Array, Array]:
    """nn.MultiheadAttention's computation on time-major input.

    Args:
      query: (L, N, E); key: (S, N, kdim); value: (S, N, vdim).
      in_proj_weight: (3E, E), rows [q; k; v], when kdim = vdim = E; else None and the
        separate q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim).
      in_proj_bias: (3E,).
      key_padding_mask: (N, S), bool (True = ignore that key) or float (added).
      attn_mask: (L, S) or (N * num_heads, L, S), bool (True = may not attend) or float.
      is_causal: a causal mask when attn_mask is None.
      bias_k, bias_v: (1, 1, E): one more key and value, appended after projection
        (add_bias_kv).
      add_zero_attn: one more all-zero key and value per head, appended last.
      need_weights: False computes as PyTorch's scaled_dot_product_attention path does: a
        query that may attend to nothing gets output 0 (else NaN, as PyTorch's).
    Returns:
      output (L, N, E) and weights, averaged over heads (N, L, S') or per head
      (N, num_heads, L, S'), S' = S plus the appended keys.
    """
    length, n, e = query.shape
    source = key.shape[0]
    h, d = num_heads, e // num_heads
    if in_proj_weight is None:
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        w_q, w_k, w_v = jnp.split(in_proj_weight, 3)
    b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else jnp.split(in_proj_bias, 3)

    def project(x, w, b):                 # (T, N, in) -> (T, N, E)
        return x @ w.T + (0 if b is None else b)
    q, k, v = project(query, w_q, b_q), project(key, w_k, b_k), project(value, w_v, b_v)
    if bias_k is not None:
        k = jnp.concatenate([k, jnp.broadcast_to(bias_k, (1, n, e))])
        v = jnp.concatenate([v, jnp.broadcast_to(bias_v, (1, n, e))])

    def heads(x):                         # (T, N, E) -> (N, H, T, d)
        return x.reshape(x.shape[0], n, h, d).transpose(1, 2, 0, 3)
    q, k, v = heads(q), heads(k), heads(v)
    if add_zero_attn:
        k = jnp.concatenate([k, jnp.zeros((n, h, 1, d), k.dtype)], axis=2)
        v = jnp.concatenate([v, jnp.zeros((n, h, 1, d), v.dtype)], axis=2)
    extra = k.shape[2] - source
    bias = None
    if attn_mask is not None:
        mask = _pad_keys(_as_bias(attn_mask, False, q.dtype), extra)
        bias = mask.reshape(n, h, length, source + extra) if mask.ndim == 3 else mask
    elif is_causal:
        causal = ~jnp.tril(jnp.ones((length, source), bool))
        bias = _pad_keys(_as_bias(causal, False, q.dtype), extra)
    if key_padding_mask is not None:
        pad = _pad_keys(_as_bias(key_padding_mask, False, q.dtype), extra)[:, None, None, :]
        bias = pad if bias is None else bias + pad
    out, weights = _attend(q, k, v, bias, dropout_p, rng, 1 / math.sqrt(d),
                           empty_rows_zero=not need_weights)
    out = out.transpose(2, 0, 1, 3).reshape(length, n, e)
    out = out @ out_proj_weight.T + (0 if out_proj_bias is None else out_proj_bias)
    return out, (weights.mean(axis=1) if average_attn_weights else weights)
