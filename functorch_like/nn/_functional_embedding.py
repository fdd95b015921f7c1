"""torch.nn.functional's embedding and one_hot; nn.functional re-exports them
(embedding_bag lives in _functional_sparse).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .. import _dtypes
from .._tensor import Tensor, apply
from ..autograd._grad_mode import no_grad
from ..pure import _linear
from . import _arg_checks as _args


def _f_embedding(idx, w, *, padding_idx, scale_grad_by_freq):
    return _linear.embedding(idx, w, padding_idx, scale_grad_by_freq)


def _f_embedding_renorm(w, idx, *, max_norm, norm_type):
    return _linear.embedding_renorm(w, idx, max_norm, norm_type)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of weight picked by integer input; no gradient to the padding_idx row.

    With max_norm, the looked-up rows of `weight` whose norm exceeds it are first rescaled
    in place, as PyTorch's. PyTorch parity: sparse=True gives the same gradient, dense."""
    # (torch.embedding takes them as (weight, indices))
    _args.require_tensor("embedding", weight, "weight", 1)
    _args.require_tensor("embedding", input, "indices", 2)
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if padding_idx is not None:
        if not -weight.shape[0] <= padding_idx < weight.shape[0]:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx += weight.shape[0]
    if max_norm is not None:
        with no_grad():
            weight._set(apply(_f_embedding_renorm, "EmbeddingRenormBackward", weight, input,
                              max_norm=float(max_norm), norm_type=float(norm_type)))
    return apply(_f_embedding, "EmbeddingBackward0", input, weight, padding_idx=padding_idx,
                 scale_grad_by_freq=bool(scale_grad_by_freq))


def embedding_renorm_(input, indices, max_norm: float, norm_type: float):
    """torch.embedding_renorm_: rescales in place the rows of `input` (num, dim) at
    `indices` (any shape, Long or Int) whose `norm_type`-norm exceeds max_norm, as
    embedding(max_norm=...) does before its lookup; returns input."""
    if not isinstance(indices, Tensor) or indices.dtype not in (_dtypes.int64,
                                                                 _dtypes.int32):
        kind = type(indices).__name__ if not isinstance(indices, Tensor) else \
            f"torch.{_dtypes.scalar_type_name(indices.dtype)}Tensor"
        raise RuntimeError("Expected tensor for argument #2 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {kind} instead "
                           "(while checking arguments for embedding_renorm_)")
    with no_grad():
        input._set(apply(_f_embedding_renorm, "EmbeddingRenormBackward", input, indices,
                         max_norm=float(max_norm), norm_type=float(norm_type)))
    return input


def one_hot(tensor, num_classes: int = -1):
    """int64 tensor of shape (*tensor.shape, num_classes): 1 at each class index, else 0.

    tensor: int64 class indices of any shape. num_classes -1 infers max + 1 (a value-shaped
    output: eager only). Errors as PyTorch's: a non-int64 input, an empty one without a
    positive num_classes, negative or too large classes.

    PyTorch parity: in traced code (compile, jax.jit) the values cannot be checked; the
    row of a class outside [0, num_classes) is then filled with the smallest integer (as
    this library's out-of-range writes are), never a valid-looking row.
    """
    from .. import _dtypes
    from ..pure._errors import check_values

    _args.require_tensor("one_hot", tensor)
    if tensor.dtype != _dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    value = tensor._value
    if value.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        check_values((value,), lambda: (value < 0, value.min()),
                     lambda _: RuntimeError("Class values must be non-negative."))
        if num_classes == -1:
            if isinstance(value, jax.core.Tracer):
                raise TypeError("one_hot() without num_classes has an output shape that "
                                "depends on the input's values, so it cannot run inside "
                                "traced code (functorch_like.compile, jax.jit); pass "
                                "num_classes")
            num_classes = int(value.max()) + 1
        check_values((value,), lambda: (value >= num_classes, value.max()),
                     lambda _: RuntimeError("Class values must be smaller than num_classes."))
    out = jax.nn.one_hot(value, num_classes, dtype=_dtypes.int64.jax)
    if isinstance(value, jax.core.Tracer):
        bad = (value < 0) | (value >= num_classes)
        out = jnp.where(bad[..., None], jnp.iinfo(out.dtype).min, out)
    return Tensor._make(out)
