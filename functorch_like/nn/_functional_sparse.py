"""F.embedding_bag over functorch_like.pure._embedding_bag."""

from __future__ import annotations

import jax
import numpy as np

from .._tensor import Tensor, apply
from ..autograd._grad_mode import no_grad
from ..pure import _embedding_bag
from ..pure._errors import is_concrete


def _f_embedding_bag(idx, w, offsets, psw, *, mode, include_last_offset, padding_idx,
                     scale_grad_by_freq):
    return _embedding_bag.embedding_bag(idx, w, offsets, mode, psw, include_last_offset,
                                        padding_idx, scale_grad_by_freq)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Per bag, the sum, mean or max of the looked-up rows of weight (num_embeddings, dim).

    input: (B, n) (B bags of n indices, offsets None) or (N,) with offsets (B,) (bag i is
    input[offsets[i]:offsets[i + 1]]; with include_last_offset, offsets has B + 1
    entries). per_sample_weights (input's shape) scale each row (mode "sum" only);
    padding_idx entries are left out. Returns (B, dim); an empty bag gives zeros.

    PyTorch parity: sparse=True gives the same gradient, dense; with mode "max" and tied
    maxima the gradient is shared among the tied rows (PyTorch gives it to one); with
    include_last_offset the last bag ends at the last offset also when padding_idx is set
    (PyTorch 2.13 on CPU then extends it to the end of the input).
    """
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is "
                             "treated is a mini-batch of fixed length sequences. However, "
                             f"found offsets of type {type(offsets)}")
        include_last_offset = False
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        if is_concrete(offsets._value) and offsets._value.size:
            with jax.ensure_compile_time_eval():
                first = int(offsets._value[0])
            if first != 0:
                raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the "
                                   "mini-batch has to start from position 0. However, got "
                                   f"{first}")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:                   # renorms the looked-up rows in place
        from .functional import embedding      # (functional re-exports this module)
        with no_grad():
            embedding(input.reshape(-1), weight, max_norm=max_norm, norm_type=norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
            "on GitHub.")
    if input.dim() == 1 and is_concrete(offsets._value) and offsets._value.size:
        with jax.ensure_compile_time_eval():     # (torch's kernel, after the checks above)
            last = int(offsets._value[-1])
        if last > input.numel():
            raise RuntimeError(f"offsets[-1] can not be greater than input's length "
                               f"{input.numel()} but got offsets[-1] of {last}")
        with jax.ensure_compile_time_eval():
            steps = np.diff(np.asarray(offsets._value))
        if (steps < 0).any():       # (a bag of negative length: read as empty before)
            if include_last_offset and steps[-1] < 0:
                raise RuntimeError("Your input appears to be incorrect: the last offset value "
                                   "should be the size of the indices tensor, but it seems "
                                   "not to be the case.")
            raise RuntimeError("Expected i < index_size to be true, but got false.  (Could "
                               "this error message be improved?  If so, please report an "
                               "enhancement request to PyTorch.)")
    return apply(_f_embedding_bag, "EmbeddingBagBackward0", input, weight, offsets,
                 per_sample_weights, mode=mode, include_last_offset=bool(include_last_offset),
                 padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq))
