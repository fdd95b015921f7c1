"""nn.MultiheadAttention over functorch_like.pure._attention."""

from __future__ import annotations

import jax.numpy as jnp

from ... import _random
from ..._tensor import apply
from ...pure import init as _init
from .._functional_mha import _f_mha     # the op shared with F.multi_head_attention_forward
from .._functional_mha import (check_batch, check_in_projection_dtypes, check_key_value,
                               check_mask_sizes, check_masks, check_projection_shapes,
                               check_shapes)
from ._init_helpers import assign_params, fresh_key
from .linear import Linear
from .module import Module


class NonDynamicallyQuantizableLinear(Linear):
    """PyTorch's name for MultiheadAttention's output projection (a plain Linear)."""


class MultiheadAttention(Module):
    """Multi-head attention with PyTorch's parameters and masks.

    Parameters: in_proj_weight (3E, E) when kdim = vdim = embed_dim, else q_proj_weight
    (E, E), k_proj_weight (E, kdim) and v_proj_weight (E, vdim); in_proj_bias (3E,);
    out_proj; bias_k, bias_v (1, 1, E) with add_bias_kv. Masks: attn_mask (L, S) or
    (N * num_heads, L, S) and key_padding_mask (N, S), bool (True = may not attend) or
    float (added). Input (L, N, E), (N, L, E) with batch_first, or unbatched (L, E); key
    and value carry kdim and vdim features. Returns (output, weights or None); the weights
    cover S keys plus one for add_bias_kv and one for add_zero_attn.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0,
                 bias: bool = True, add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim=None, vdim=None, batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self._factory = (dtype, device)
        self._bias = bias
        # Registered in PyTorch's order (state_dict keys and parameters() follow it); the
        # arrays come in _reset_parameters.
        separate = ("q_proj_weight", "k_proj_weight", "v_proj_weight")
        order = (separate + ("in_proj_weight",) if not self._qkv_same_embed_dim
                 else ("in_proj_weight",) + separate)
        for name in order + ("in_proj_bias",):
            self.register_parameter(name, None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        if add_bias_kv:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            arrays = {"in_proj_weight": _init.xavier_uniform((3 * e, e), key=fresh_key())}
        else:
            arrays = {name: _init.xavier_uniform((e, dim), key=fresh_key()) for name, dim in
                      (("q_proj_weight", e), ("k_proj_weight", self.kdim),
                       ("v_proj_weight", self.vdim))}
        if self._bias:
            # (the weights' dtype: a bare jnp.zeros would be float64 under JAX's x64 mode)
            weight_dtype = next(iter(arrays.values())).dtype
            arrays["in_proj_bias"] = jnp.zeros((3 * e,), weight_dtype)
        if "bias_k" in self._parameters:           # add_bias_kv (registered in __init__)
            arrays["bias_k"] = _init.xavier_normal((1, 1, e), key=fresh_key())
            arrays["bias_v"] = _init.xavier_normal((1, 1, e), key=fresh_key())
        assign_params(self, arrays, *self._factory)
        if self.out_proj.bias is not None:
            self.out_proj.bias._value = jnp.zeros_like(self.out_proj.bias._value)

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_"
                               "mask` to create this mask.")
        check_masks(key_padding_mask, attn_mask)
        check_shapes(query, key, value, key_padding_mask, attn_mask, self.num_heads)
        batched = query.dim() == 3
        if query.shape[-1] != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, "
                                 f"but got {query.shape[-1]}")
        if batched and self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        elif not batched:
            query, key, value = (x.unsqueeze(1) for x in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        check_key_value(key, value, not self._qkv_same_embed_dim)
        check_mask_sizes(query, key, key_padding_mask, attn_mask, self.num_heads,
                         (self.bias_k is not None) + bool(self.add_zero_attn))
        check_batch(query, key, value, self.bias_k, self.num_heads, self.head_dim)
        if not self._qkv_same_embed_dim:
            check_projection_shapes(query, key, value, self.q_proj_weight, self.k_proj_weight,
                                    self.v_proj_weight)
        check_in_projection_dtypes(query, key, value, self.in_proj_weight, self.in_proj_bias,
                                   self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        use_dropout = self.training and self.dropout > 0
        rng = _random.next_key() if use_dropout else None
        out, weights = apply(_f_mha, "MultiheadAttentionBackward", query, key, value,
                             self.in_proj_weight, self.in_proj_bias, self.out_proj.weight,
                             self.out_proj.bias, key_padding_mask, attn_mask, rng,
                             self.q_proj_weight, self.k_proj_weight, self.v_proj_weight,
                             self.bias_k, self.bias_v, num_heads=self.num_heads,
                             dropout_p=float(self.dropout) if use_dropout else 0.0,
                             average=bool(average_attn_weights),
                             add_zero_attn=bool(self.add_zero_attn),
                             need_weights=bool(need_weights))
        if batched and self.batch_first:
            out = out.transpose(0, 1)
        elif not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, (weights if need_weights else None)
