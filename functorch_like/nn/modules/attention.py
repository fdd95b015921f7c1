"""nn.MultiheadAttention over functorch_like.pure._attention."""

from __future__ import annotations

import jax.numpy as jnp

from ... import _random
from ..._tensor import apply
from ...pure import _attention
from ...pure import init as _init
from ._init_helpers import assign_params, fresh_key
from .linear import Linear
from .module import Module


class NonDynamicallyQuantizableLinear(Linear):
    """PyTorch's name for MultiheadAttention's output projection (a plain Linear)."""


def _f_mha(q, k, v, w_in, b_in, w_out, b_out, key_padding_mask, attn_mask, rng, *,
           num_heads, dropout_p, average):
    return _attention.multi_head_attention(q, k, v, num_heads, w_in, b_in, w_out, b_out,
                                           key_padding_mask, attn_mask, dropout_p,
                                           average_attn_weights=average, rng=rng)


class MultiheadAttention(Module):
    """Multi-head attention with PyTorch's parameters (in_proj_weight (3E, E), in_proj_bias,
    out_proj) and masks: attn_mask (L, S) or (N * num_heads, L, S) and key_padding_mask
    (N, S), bool (True = may not attend) or float (added). Input (L, N, E), (N, L, E) with
    batch_first, or unbatched (L, E). Returns (output, weights or None).

    PyTorch parity: key/value dims other than embed_dim (kdim/vdim), add_bias_kv and
    add_zero_attn raise NotImplementedError.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0,
                 bias: bool = True, add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim=None, vdim=None, batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim // num_heads * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if (kdim not in (None, embed_dim) or vdim not in (None, embed_dim) or add_bias_kv
                or add_zero_attn):
            raise NotImplementedError("MultiheadAttention with kdim/vdim != embed_dim, "
                                      "add_bias_kv or add_zero_attn is not supported")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = self.vdim = embed_dim
        self._qkv_same_embed_dim = True
        self.batch_first, self.head_dim = batch_first, embed_dim // num_heads
        self._factory = (dtype, device)
        self._bias = bias
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        if not bias:
            self.register_parameter("in_proj_bias", None)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        e = self.embed_dim
        arrays = {"in_proj_weight": _init.xavier_uniform((3 * e, e), key=fresh_key())}
        if self._bias:
            arrays["in_proj_bias"] = jnp.zeros((3 * e,))
        assign_params(self, arrays, *self._factory)
        if self.out_proj.bias is not None:
            self.out_proj.bias._value = jnp.zeros_like(self.out_proj.bias._value)

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_"
                               "mask` to create this mask.")
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
        use_dropout = self.training and self.dropout > 0
        rng = _random.next_key() if use_dropout else None
        out, weights = apply(_f_mha, "MultiheadAttentionBackward", query, key, value,
                             self.in_proj_weight, self.in_proj_bias, self.out_proj.weight,
                             self.out_proj.bias, key_padding_mask, attn_mask, rng,
                             num_heads=self.num_heads,
                             dropout_p=float(self.dropout) if use_dropout else 0.0,
                             average=bool(average_attn_weights))
        if batched and self.batch_first:
            out = out.transpose(0, 1)
        elif not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, (weights if need_weights else None)
