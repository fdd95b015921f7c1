"""torch.nn.functional's attention: scaled_dot_product_attention, over
functorch_like.pure._attention.scaled_dot_product_attention, and
multi_head_attention_forward (nn.MultiheadAttention's computation as a function), over
functorch_like.pure._attention.multi_head_attention. nn.functional re-exports them."""

from __future__ import annotations

import math
import warnings

from .. import _autocast_state, _dtypes, _random
from .._ops_math import broadcast_of
from .._tensor import apply
from ..pure import _attention
from . import _arg_checks as _args
from ._functional_conv import check_linear_dtypes


def check_mask(mask, mask_name: str, other_type=None, other_name: str = "") -> None:
    """PyTorch's F._canonical_mask checks: an attention mask is bool or floating
    (AssertionError otherwise), and one of another dtype than `other_type` (the other
    mask's, where given) warns that mismatched masks are deprecated."""
    if mask is None:
        return
    if mask.dtype != _dtypes.bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=2)


def check_key_value(key, value, separate: bool) -> None:
    """torch's asserts on time-major (S, N, *) key and value: the same shape, or with
    separate projection weights (kdim, vdim) the same sequence and batch dims."""
    if separate:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape "
                             f"{value.shape}")


def check_batch(query, key, value, bias_k, num_heads: int, head_dim: int) -> None:
    """torch's errors where key or value has another batch size than the query: its cat
    of bias_k, or its reshape of the projected key/value to (S, N * heads, head_dim)."""
    bsz = query.shape[1]
    for x in (key, value):
        if x.shape[1] == bsz:
            continue
        if bias_k is not None:
            raise RuntimeError("Sizes of tensors must match except in dimension 0. Expected "
                               f"size {x.shape[1]} but got size {bsz} for tensor number 1 in "
                               "the list.")
        raise RuntimeError(f"shape '[{x.shape[0]}, {bsz * num_heads}, {head_dim}]' is invalid "
                           f"for input of size {x.shape[0] * x.shape[1] * num_heads * head_dim}")


def check_masks(key_padding_mask, attn_mask) -> None:
    """The mask checks of torch's multi-head attention forward (the module's and
    F.multi_head_attention_forward), in its order."""
    check_mask(key_padding_mask, "key_padding_mask",
               None if attn_mask is None else attn_mask.dtype, "attn_mask")
    check_mask(attn_mask, "attn_mask")


def check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads: int) -> None:
    """torch's `_mha_shape_check` (AssertionError): the dims of key, value and the masks
    for a batched (L, N, E) or unbatched (L, E) query, before the unbatched inputs get
    their batch dim."""
    if query.dim() not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    what = "batched (3-D)" if query.dim() == 3 else "unbatched (2-D)"
    d = query.dim()
    if key.dim() != d or value.dim() != d:
        raise AssertionError(f"For {what} `query`, expected `key` and `value` to be {d}-D but "
                             f"found {key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != d - 1:
        raise AssertionError(f"For {what} `query`, expected `key_padding_mask` to be `None` "
                             f"or {d - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {what} `query`, expected `attn_mask` to be `None`, 2-D "
                                 f"or 3-D but found {attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if d == 2 and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                 f"{attn_mask.shape}")


def check_projection_shapes(query, key, value, q_proj_weight, k_proj_weight,
                            v_proj_weight) -> None:
    """torch's `_in_projection` asserts for separate projection weights: (E, E), (E, kdim)
    and (E, vdim) against the inputs' last dims (a JAX dot_general error before)."""
    e = query.shape[-1]
    for name, w, width in (("query", q_proj_weight, e), ("key", k_proj_weight, key.shape[-1]),
                           ("value", v_proj_weight, value.shape[-1])):
        if tuple(w.shape) != (e, width):
            raise AssertionError(f"expecting {name} weights shape of {(e, width)}, but got "
                                 f"{w.shape}")


def check_mask_sizes(query, key, key_padding_mask, attn_mask, num_heads: int,
                     added: int) -> None:
    """torch's checks of the masks' sizes against time-major (L, N, E) query and (S, N, E)
    key: attn_mask (L, S) or (N * num_heads, L, S) (RuntimeError), key_padding_mask
    (N, S) (AssertionError, naming sizes with the `added` key positions of bias_k and
    add_zero_attn, as torch pads both before its check). A mask that broadcast was used."""
    tgt_len, bsz, src_len = query.shape[0], query.shape[1], key.shape[0]
    if attn_mask is not None:
        expected = (tgt_len, src_len) if attn_mask.dim() == 2 else (
            bsz * num_heads, tgt_len, src_len)
        if tuple(attn_mask.shape) != expected:
            raise RuntimeError(f"The shape of the {attn_mask.dim()}D attn_mask is "
                               f"{attn_mask.shape}, but should be {expected}.")
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len + added}, "
                                 f"but got {key_padding_mask.shape[1] + added}")


def _f_sdpa(q, k, v, mask, key, *, dropout_p, is_causal, scale, enable_gqa):
    return _attention.scaled_dot_product_attention(q, k, v, mask, dropout_p, is_causal, scale,
                                                   enable_gqa, key=key)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None, enable_gqa: bool = False):
    """softmax(Q K^T * scale + mask) V over (..., L, E) queries and (..., S, E) keys/values;
    a bool attn_mask is True where attending is allowed; enable_gqa lets key/value have
    fewer heads (dim -3) than the query; is_causal with an attn_mask applies both for 4-d
    inputs without dropout with one head size for query, key and value, and raises
    otherwise, as torch 2.13 on CPU. Dropout applies whenever dropout_p > 0 (PyTorch's
    functional form does not look at a module's training flag)."""
    for position, (name, value) in enumerate((("query", query), ("key", key),
                                              ("value", value)), 1):
        _args.require_tensor("scaled_dot_product_attention", value, name, position)
    _args.require_optional_tensor("scaled_dot_product_attention", attn_mask, "attn_mask", 4)
    if is_causal and attn_mask is not None and (
            query.ndim != 4 or dropout_p > 0
            or not query.shape[-1] == key.shape[-1] == value.shape[-1]):
        # (torch's CPU flash kernel, which takes both, serves 4-d inputs without dropout
        # whose query, key and value have one head size; its math path refuses the pair)
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    if not query.dtype == key.dtype == value.dtype and _autocast_state.cast is None:
        names = [_dtypes.cpp_type_name(t.dtype) for t in (query, key, value)]
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {names[0]} key.dtype: {names[1]} and value.dtype: "
                           f"{names[2]} instead.")         # (JAX promoted them)
    if attn_mask is not None and not (attn_mask.dtype == _dtypes.bool
                                      or attn_mask.is_floating_point()
                                      or attn_mask.dtype == query.dtype):
        # (an integer mask was added to the scores as if it were a float one)
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                           f"dtype, but got attn_mask.dtype: "
                           f"{_dtypes.cpp_type_name(attn_mask.dtype)} and  query.dtype: "
                           f"{_dtypes.cpp_type_name(query.dtype)} instead.")
    _check_sdpa_shapes(query, key, value, attn_mask, enable_gqa)
    rng = _random.next_key() if dropout_p > 0 else None
    return apply(_f_sdpa, "ScaledDotProductAttentionBackward", query, key, value, attn_mask,
                 rng, dropout_p=float(dropout_p), is_causal=bool(is_causal),
                 scale=None if scale is None else float(scale), enable_gqa=bool(enable_gqa))


def _check_sdpa_shapes(query, key, value, attn_mask, enable_gqa: bool) -> None:
    """PyTorch's errors (its math path's: the bmm of Q and K^T, then the mask's add) for
    inputs of fewer than 2 dims, batch dims (heads included, without enable_gqa) that do
    not broadcast, a key whose embedding size is not the query's and a mask that does not
    broadcast to the scores (L, S) (JAX's einsum and broadcasting errors before)."""
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.ndim} key.dim: {key.ndim} and "
                           f"value.dim: {value.ndim} instead.")
    if not enable_gqa:
        batch = broadcast_of((tuple(query.shape[:-2]), tuple(key.shape[:-2])))
        broadcast_of((batch, tuple(value.shape[:-2])))
    if key.shape[-1] != query.shape[-1]:
        b = math.prod(query.shape[:-2])
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {query.shape[-1]}] but got: [{b}, {key.shape[-1]}].")
    if attn_mask is not None:
        broadcast_of(((*query.shape[:-1], key.shape[-2]), tuple(attn_mask.shape)))


def _f_mha(q, k, v, w_in, b_in, w_out, b_out, key_padding_mask, attn_mask, rng, w_q, w_k,
           w_v, bias_k, bias_v, *, num_heads, dropout_p, average, add_zero_attn,
           need_weights):
    return _attention.multi_head_attention(
        q, k, v, num_heads, w_in, b_in, w_out, b_out, key_padding_mask, attn_mask, dropout_p,
        average_attn_weights=average, rng=rng, q_proj_weight=w_q, k_proj_weight=w_k,
        v_proj_weight=w_v, bias_k=bias_k, bias_v=bias_v, add_zero_attn=add_zero_attn,
        need_weights=need_weights)


def check_in_projection_dtypes(query, key, value, in_proj_weight, in_proj_bias,
                               q_proj_weight, k_proj_weight, v_proj_weight) -> None:
    """PyTorch's errors for inputs whose dtype is not the projection weights': its
    attention starts with linear maps of query, key and value, in that order, by slices of
    in_proj_weight (or by the separate q/k/v weights), and those raise linear's errors."""
    weights = ((in_proj_weight,) * 3 if in_proj_weight is not None
               else (q_proj_weight, k_proj_weight, v_proj_weight))
    for x, w in zip((query, key, value), weights):
        check_linear_dtypes(x, w, in_proj_bias)


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v,
                                 add_zero_attn: bool, dropout_p: float, out_proj_weight,
                                 out_proj_bias, training: bool = True, key_padding_mask=None,
                                 need_weights: bool = True, attn_mask=None,
                                 use_separate_proj_weight: bool = False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights: bool = True,
                                 is_causal: bool = False):
    """Multi-head attention with PyTorch's signature (time-major).

    Args:
      query: (L, N, E) or unbatched (L, E); key, value: (S, N, kdim / vdim) or (S, ...).
      in_proj_weight: (3E, E), or None with use_separate_proj_weight and q/k/v_proj_weight.
      in_proj_bias: (3E,) or None; bias_k, bias_v: (1, 1, E) or None.
      key_padding_mask: (N, S) or (S,); attn_mask: (L, S) or (N * num_heads, L, S); bool
        (True = may not attend) or float (added).
    Returns:
      (attn_output (L, N, E), weights (N, L, S') averaged over heads or (N, H, L, S') per
      head, or None when need_weights is False).

    PyTorch parity: dropout (training and dropout_p > 0) draws its mask from
    functorch_like's generator, not torch's stream. `is_causal` is only a hint, as in
    torch: attn_mask must be given and is what is applied. static_k/static_v are not
    supported (NotImplementedError).
    """
    if static_k is not None or static_v is not None:
        raise NotImplementedError("static_k / static_v are not supported by functorch_like")
    check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    batched = query.dim() == 3
    embed_dim = query.shape[-1]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, "
                             f"but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if not batched:             # (torch's next checks see the batch dim added)
        query, key, value = (x.unsqueeze(1) for x in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    check_key_value(key, value, use_separate_proj_weight)
    if use_separate_proj_weight:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        check_projection_shapes(query, key, value, q_proj_weight, k_proj_weight,
                                v_proj_weight)
        in_proj_weight = None
    else:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is "
                                 "None")
        q_proj_weight = k_proj_weight = v_proj_weight = None
    check_masks(key_padding_mask, attn_mask)
    check_mask_sizes(query, key, key_padding_mask, attn_mask, num_heads,
                     (bias_k is not None) + bool(add_zero_attn))
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k is set but bias_v is None" if bias_v is None
                             else "bias_v is set but bias_k is None")
    check_batch(query, key, value, bias_k, num_heads, head_dim)
    check_in_projection_dtypes(query, key, value, in_proj_weight, in_proj_bias,
                               q_proj_weight, k_proj_weight, v_proj_weight)
    use_dropout = training and dropout_p > 0
    rng = _random.next_key() if use_dropout else None
    out, weights = apply(_f_mha, "MultiheadAttentionBackward", query, key, value,
                         in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias,
                         key_padding_mask, attn_mask, rng, q_proj_weight, k_proj_weight,
                         v_proj_weight, bias_k, bias_v, num_heads=num_heads,
                         dropout_p=float(dropout_p) if use_dropout else 0.0,
                         average=bool(average_attn_weights),
                         add_zero_attn=bool(add_zero_attn), need_weights=bool(need_weights))
    if not batched:
        out, weights = out.squeeze(1), weights.squeeze(0)
    return out, (weights if need_weights else None)
