"""nn.Transformer and its encoder/decoder stacks and layers, built (as PyTorch's are) from
nn.MultiheadAttention, Linear, LayerNorm and Dropout submodules, so state_dict keys,
parameter order, repr and forward hooks on the parts are PyTorch's.

PyTorch parity: PyTorch's inference fast paths (`torch._transformer_encoder_layer_fwd`
and, in TransformerEncoder, the nested-tensor path taken in eval mode under no_grad with a
`src_key_padding_mask`) are not reproduced; every call runs the math below. The values
agree, except that PyTorch's nested-tensor path returns 0 at padded positions, whose
values PyTorch leaves unspecified (here they are computed as in training mode).
"""

from __future__ import annotations

import copy
import warnings
from typing import Callable

import numpy as np

from ... import _factories
from ..._tensor import Tensor
from ...amp import is_autocast_enabled
from ...autograd._grad_mode import is_grad_enabled
from ...pure._errors import is_concrete
from .. import functional as F
from .. import init
from .activation import GELU, ReLU
from .._functional_mha import check_mask
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm


def _generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
    return _factories.full((sz, sz), float("-inf"), dtype=dtype, device=device).triu(1)


def _get_seq_len(src: Tensor, batch_first: bool) -> int:
    return src.shape[0] if src.dim() == 2 else src.shape[1 if batch_first else 0]


def _canonical_mask(mask, mask_name: str, other_type, other_name: str, target_type,
                    check_other: bool = True):
    """PyTorch's F._canonical_mask: a bool mask becomes a float one (-inf where True)."""
    if mask is None:
        return None
    check_mask(mask, mask_name, other_type if check_other else None, other_name)
    if not mask.is_floating_point():
        mask = _factories.zeros_like(mask, dtype=target_type).masked_fill(mask,
                                                                          float("-inf"))
    return mask


def _detect_is_causal_mask(mask, is_causal=None, size=None) -> bool:
    """PyTorch's hint: is_causal=None means "True if `mask` is the causal mask". The hint
    never changes a result here (an explicit mask is always applied), so a traced mask,
    whose values cannot be read, reads as not causal."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None and is_concrete(mask._value):
        sz = size if size is not None else mask.shape[-2]
        # In numpy: inside a jax trace even a comparison of constants is a tracer.
        causal = np.triu(np.full((sz, sz), -np.inf), 1)
        make_causal = (tuple(mask.shape) == causal.shape
                       and bool((np.asarray(mask._value) == causal).all()))
    return make_causal


def _get_activation_fn(activation: str) -> Callable:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _get_clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class _TransformerLayer(Module):
    """The parts both layers share, registered in PyTorch's order: `self_attn`
    (+ `multihead_attn` for the decoder), the feed-forward `linear1`, `dropout`,
    `linear2`, then `norm1..n` and `dropout1..n` for its n blocks."""

    def __init__(self, blocks: int, d_model: int, nhead: int, dim_feedforward: int,
                 dropout: float, activation, layer_norm_eps: float, batch_first: bool,
                 norm_first: bool, bias: bool, device, dtype):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        attn = dict(dropout=dropout, bias=bias, batch_first=batch_first, **factory)
        self.self_attn = MultiheadAttention(d_model, nhead, **attn)
        if blocks == 3:
            self.multihead_attn = MultiheadAttention(d_model, nhead, **attn)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        for i in range(1, blocks + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias,
                                                **factory))
        for i in range(1, blocks + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self._blocks = blocks
        self.activation = (_get_activation_fn(activation) if isinstance(activation, str)
                           else activation)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return getattr(self, f"dropout{self._blocks}")(x)


class TransformerEncoderLayer(_TransformerLayer):
    """Self-attention then a feed-forward block, each with dropout, a residual connection
    and LayerNorm (after the residual sum, or before the block with norm_first=True).

    Input src: (S, N, E), (N, S, E) with batch_first, or unbatched (S, E).
    src_mask: (S, S) or (N * nhead, S, S); src_key_padding_mask: (N, S); bool (True = may
    not attend) or float (added). `activation`: "relu", "gelu" or a callable (a Module is
    registered as the submodule `activation`).
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__(2, d_model, nhead, dim_feedforward, dropout, activation,
                         layer_norm_eps, batch_first, norm_first, bias, device, dtype)
        if self.activation is F.relu or isinstance(self.activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif self.activation is F.gelu or isinstance(self.activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None, is_causal: bool = False) -> Tensor:
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask",
            None if src_mask is None else src_mask.dtype, "src_mask", src.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype,
                                   check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x


class TransformerDecoderLayer(_TransformerLayer):
    """Self-attention over tgt, attention over memory, then a feed-forward block; each
    with dropout, a residual connection and LayerNorm (norm_first: before the block).

    tgt: (T, N, E) (batch_first: (N, T, E); unbatched (T, E)); memory: (S, N, E).
    tgt_mask (T, T), memory_mask (T, S), tgt_key_padding_mask (N, T),
    memory_key_padding_mask (N, S): bool (True = may not attend) or float (added).
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__(3, d_model, nhead, dim_feedforward, dropout, activation,
                         layer_norm_eps, batch_first, norm_first, bias, device, dtype)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask,
                                   tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask,
                                              tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask,
                                               memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)


def _why_no_nested_tensor(layer) -> str:
    """PyTorch's reason for turning off its nested-tensor fast path (only the warning
    text matters here: the path itself is not reproduced)."""
    name = "encoder_layer"
    if not isinstance(layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    if layer.norm_first:
        return f"{name}.norm_first was True"
    if not layer.self_attn.batch_first:
        return (f"{name}.self_attn.batch_first was not True(use batch_first for better "
                "inference performance)")
    if not layer.self_attn._qkv_same_embed_dim:
        return f"{name}.self_attn._qkv_same_embed_dim was not True"
    if layer.self_attn.in_proj_bias is None:
        return f"{name}.self_attn was passed bias=False"
    if not layer.activation_relu_or_gelu:
        return f"{name}.activation_relu_or_gelu was not True"
    if layer.norm1.eps != layer.norm2.eps:
        return f"{name}.norm1.eps was not equal to {name}.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return f"{name}.self_attn.num_heads is odd"
    return ""


class TransformerEncoder(Module):
    """`num_layers` deep copies of `encoder_layer` (as `layers.0`, `layers.1`, ...), then
    `norm` if given. forward(src, mask=None, src_key_padding_mask=None, is_causal=None):
    is_causal=None detects whether `mask` is the causal mask (a hint only)."""

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_no_nested_tensor(encoder_layer)
        if enable_nested_tensor and why_not:
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False "
                          f"because {why_not}", stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src: Tensor, mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                is_causal: bool | None = None) -> Tensor:
        src_key_padding_mask = _canonical_mask(
            src_key_padding_mask, "src_key_padding_mask",
            None if mask is None else mask.dtype, "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        seq_len = _get_seq_len(src, self.layers[0].self_attn.batch_first)
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        padded = self._nested_padding(src, mask, src_key_padding_mask)
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal,
                         src_key_padding_mask=src_key_padding_mask)
        if padded is not None:
            output = output.masked_fill(padded.unsqueeze(-1), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output


    def _nested_padding(self, src: Tensor, mask, key_padding_mask) -> Tensor | None:
        """The padded positions (True) where torch's nested-tensor fast path would run:
        there its output is exactly 0 (the sequences are packed without their padding and
        padded again with zeros), where the layers' own output is not. The fast path runs
        in inference (first layer in eval mode, and grad off or no weight of the first
        layer requiring grad), on a batched src with a key padding mask and no attention
        mask, outside autocast, when the mask pads at the end (checked on concrete values
        only: not inside compile) or mask_check is False.
        Elsewhere the positions that are not padding equal the layers' output, as here."""
        first = self.layers[0]
        if not self.use_nested_tensor or first.training or src.dim() != 3 or \
                key_padding_mask is None or mask is not None or is_autocast_enabled():
            return None
        attn = first.self_attn
        weights = (src, attn.in_proj_weight, attn.in_proj_bias, attn.out_proj.weight,
                   attn.out_proj.bias, first.norm1.weight, first.norm1.bias,
                   first.norm2.weight, first.norm2.bias, first.linear1.weight,
                   first.linear1.bias, first.linear2.weight, first.linear2.bias)
        if is_grad_enabled() and any(w.requires_grad for w in weights):
            return None
        padded = key_padding_mask != 0        # (the canonical mask: -inf where padded)
        if padded.ndim != 2:
            return None
        if getattr(self, "mask_check", True):
            if not is_concrete(padded._value):
                return None         # (torch skips the fast path under compile then, too)
            pads = np.asarray(padded._value)
            # left-aligned: no real position after a padded one in any sequence
            if (np.diff(pads.astype(np.int8), axis=1) < 0).any():
                return None
        return padded         # (use_nested_tensor implies batch_first)


class TransformerDecoder(Module):
    """`num_layers` deep copies of `decoder_layer` (`layers.N`), then `norm` if given."""

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        seq_len = _get_seq_len(tgt, self.layers[0].self_attn.batch_first)
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """The encoder-decoder model of "Attention Is All You Need": `encoder` (a
    TransformerEncoder with a final LayerNorm, or custom_encoder) and `decoder`; every
    parameter with more than one dim is re-drawn xavier_uniform, as in PyTorch.

    forward(src (S, N, E), tgt (T, N, E), masks as in the layers) -> (T, N, E)
    (batch_first: (N, S, E), (N, T, E) -> (N, T, E); unbatched: no N dim).
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable = F.relu,
                 custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                      batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*layer_args, **factory), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*layer_args, **factory), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory))
        self._reset_parameters()
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None,
                tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        batch_dim = 0 if self.batch_first else 1
        if src.dim() == 3 and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
        """(sz, sz) float mask: -inf above the diagonal (future positions), 0 elsewhere."""
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)
