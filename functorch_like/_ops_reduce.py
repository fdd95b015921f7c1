"""Reductions with PyTorch's dim/keepdim conventions and result dtypes."""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple

import jax
import jax.numpy as jnp

from . import _autocast_state, _dtypes
from ._dim_lists import check_norm_dim
from ._complex_refusals import refuse_complex, refuse_complex_kernel
from ._tensor import Tensor, _wrap_dim, apply
from .autograd._grad_mode import is_grad_enabled
from .pure import _distance, _edge_grads
from .pure._types import opmath_dtype


class return_types:
    """PyTorch's named results (`torch.return_types.max(values, indices)`,
    `linalg_slogdet(sign, logabsdet)`, ...): tuples whose fields have names, one type per
    name, added by `named_result`."""


def named_result(name: str, fields: tuple[str, ...] = ("values", "indices")) -> type:
    """The `torch.return_types.<name>` tuple type with `fields`, made once per name.

    Its repr is PyTorch's: `torch.return_types.name(\nfield=...,\nfield=...)`.
    """
    existing = getattr(return_types, name, None)
    if existing is not None and tuple(existing._fields) == tuple(fields):
        return existing
    base = namedtuple(name, fields)

    class ReturnType(base):
        __slots__ = ()

        def __new__(cls, *args, **kwargs):
            # (torch's structseq is built from one sequence too: type(r)((v, i)))
            if len(args) == 1 and not kwargs and len(fields) > 1 and isinstance(
                    args[0], (tuple, list)) and len(args[0]) == len(fields):
                args = tuple(args[0])
            return base.__new__(cls, *args, **kwargs)

        def __repr__(self):
            body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
            return f"torch.return_types.{name}(\n{body})"
    ReturnType.__name__ = ReturnType.__qualname__ = name
    # (found again by pickle: functorch_like.return_types looks the name up here)
    ReturnType.__module__ = "functorch_like.return_types"
    setattr(return_types, name, ReturnType)
    return ReturnType


for _name in ("max", "min", "sort", "topk", "kthvalue", "median"):
    named_result(_name)


def _dims(dim, ndim):
    """None (all dims) or a sorted tuple of non-negative dims.

    An empty tuple/list means all dims, as PyTorch's sum/mean/var/std/norm/amax
    (`x.sum(())` is a 0-d tensor); all/any are the exception (see `_bool_dims`).
    """
    if dim is None:
        return None
    if isinstance(dim, builtins.int):
        dim = (dim,)
    wrapped = [_wrap_dim(d, ndim) for d in dim]
    for i, d in enumerate(wrapped):
        if d in wrapped[:i] and ndim:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    out = tuple(sorted(set(wrapped)))
    return out if out and ndim else None        # a 0-d input's dim 0 / -1 is itself


def _index_dtype():
    return _dtypes.int64.jax


def _accumulator(dtype):
    # PyTorch accumulates float16/bfloat16 reductions in float32 and rounds once at the end.
    return opmath_dtype(dtype)


def _f_sum(x, *, axis, keepdims, dtype):
    return jnp.sum(x, axis=axis, keepdims=keepdims, dtype=_accumulator(dtype)).astype(dtype)


def _sum_dtype(input, dtype):
    if dtype is not None:
        out = _dtypes.to_jax(dtype)
        if not jnp.issubdtype(out, jnp.inexact) and (input.requires_grad and
                                                     is_grad_enabled()):
            # (torch's autograd has no integer outputs of a differentiable op; this
            # computed a sum that silently dropped out of the graph)
            raise RuntimeError(f"Autograd not support dtype: "
                               f"{_dtypes.scalar_type_name(dtype)}")
        return out
    if not jnp.issubdtype(input._value.dtype, jnp.inexact):
        return _dtypes.int64.jax      # bool and integer sums promote to int64
    return input._value.dtype


def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum over `dim` (int, tuple or None for all)."""
    axis = _dims(dim, input.ndim)
    name = "SumBackward0" if dim is None else "SumBackward1"
    return apply(_f_sum, name, input, axis=axis, keepdims=keepdim,
                 dtype=_sum_dtype(input, dtype))


def _f_nansum(x, *, axis, keepdims, dtype):
    return jnp.nansum(x, axis=axis, keepdims=keepdims, dtype=_accumulator(dtype)).astype(dtype)


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """sum treating NaN as 0 (integers and bools have none: their sum, as torch)."""
    if not (input.is_floating_point() or input.is_complex()):
        return sum(input, dim, keepdim, dtype=dtype)
    if input.is_complex():
        raise RuntimeError("nansum on CPU does not support complex inputs")
    return apply(_f_nansum, "NansumBackward0", input, axis=_dims(dim, input.ndim),
                 keepdims=keepdim, dtype=_sum_dtype(input, dtype))


def _ops_math():
    from . import _ops_math
    return _ops_math


def _f_mean(x, *, axis, keepdims, dtype):
    return jnp.mean(x, axis=axis, keepdims=keepdims, dtype=_accumulator(dtype)).astype(dtype)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Mean over `dim`; integer inputs need an explicit floating `dtype`, as PyTorch."""
    out = _dtypes.to_jax(dtype) if dtype is not None else input._value.dtype
    if not jnp.issubdtype(out, jnp.inexact):
        which = "Input" if dtype is None else "Optional"     # (torch's two wordings)
        raise RuntimeError(f"mean(): could not infer output dtype. {which} dtype must be "
                           "either a floating point or complex dtype. Got: "
                           f"{_dtypes.scalar_type_name(out)}")
    name = "MeanBackward0" if dim is None else "MeanBackward1"
    return apply(_f_mean, name, input, axis=_dims(dim, input.ndim), keepdims=keepdim,
                 dtype=out)


def _f_prod(x, *, axis, keepdims, dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        # torch's gradient (inf elements give NaN; see _edge_grads.prod), over one axis
        one_axis = None if axis is None or x.ndim == 0 else axis[0]
        out = _edge_grads.prod(x.astype(_accumulator(dtype)), one_axis,
                               keepdims and x.ndim > 0)
        return (out if x.ndim or not keepdims else out.reshape(())).astype(dtype)
    return jnp.prod(x, axis=axis, keepdims=keepdims, dtype=_accumulator(dtype)).astype(dtype)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None):
    name = "ProdBackward0" if dim is None else "ProdBackward1"
    if _autocast_state.cast is not None:    # (cpu autocast: before the result's dtype)
        (input,) = _autocast_state.cast(_f_prod, name, (input,))
    axis = None if dim is None else _dims(_wrap_dim(dim, input.ndim), input.ndim)
    return apply(_f_prod, name, input, axis=axis, keepdims=keepdim,
                 dtype=_sum_dtype(input, dtype))


def _inexact(x) -> bool:
    return jnp.issubdtype(x.dtype, jnp.inexact)


def _f_amax(x, *, axis, keepdims):
    # torch's gradient: split evenly among ties, NaN over a slice whose max is NaN.
    if _inexact(x):
        return _edge_grads.amax(x, axis, keepdims)
    return jnp.max(x, axis=axis, keepdims=keepdims)


def _f_amin(x, *, axis, keepdims):
    if _inexact(x):
        return _edge_grads.amin(x, axis, keepdims)
    return jnp.min(x, axis=axis, keepdims=keepdims)


def _f_max_all(x):
    # torch's full max(): split evenly among ties, or among the NaN positions.
    return _edge_grads.max_all(x) if _inexact(x) else jnp.max(x)


def _f_min_all(x):
    return _edge_grads.min_all(x) if _inexact(x) else jnp.min(x)


def _zero_index(x):
    """The (values, indices) of a reduction over a 0-d input's only "dim": itself, 0."""
    return x, jnp.zeros((), _index_dtype())


def _f_max_dim(x, *, axis, keepdims):
    if x.ndim == 0:
        return _zero_index(x)
    idx = jnp.argmax(x, axis=axis, keepdims=True)
    values = jnp.take_along_axis(x, idx, axis=axis)
    if not keepdims:
        values, idx = jnp.squeeze(values, axis), jnp.squeeze(idx, axis)
    return values, idx.astype(_index_dtype())


def _f_min_dim(x, *, axis, keepdims):
    if x.ndim == 0:
        return _zero_index(x)
    idx = jnp.argmin(x, axis=axis, keepdims=True)
    values = jnp.take_along_axis(x, idx, axis=axis)
    if not keepdims:
        values, idx = jnp.squeeze(values, axis), jnp.squeeze(idx, axis)
    return values, idx.astype(_index_dtype())


def _check_nonempty(input, name, dim=None):
    if input.numel() == 0:
        if dim is None:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _check_reducible(input, dim, name: str) -> None:
    """PyTorch's IndexErrors for an index reduction over nothing."""
    if input.numel() or input.ndim == 0:
        return
    if dim is None:
        raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                         "input.numel() == 0.")
    axis = _wrap_dim(dim, input.ndim)
    if input.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def max(input, dim=None, keepdim: bool = False):
    """max(x) -> 0-d max; max(x, dim) -> (values, indices); max(x, other) -> maximum."""
    if isinstance(dim, Tensor):
        return _ops_math().maximum(input, dim)
    if dim is None:
        refuse_complex_kernel("max_all", input)
        _check_nonempty(input, "max")
        return apply(_f_max_all, "MaxBackward1", input)
    refuse_complex("max(): does not support complex input", input)
    axis = _wrap_dim(dim, input.ndim)
    _check_reducible(input, axis, "max")
    values, indices = apply(_f_max_dim, "MaxBackward0", input, axis=axis, keepdims=keepdim)
    return return_types.max(values, indices)


def min(input, dim=None, keepdim: bool = False):
    """min(x) -> 0-d min; min(x, dim) -> (values, indices); min(x, other) -> minimum."""
    if isinstance(dim, Tensor):
        return _ops_math().minimum(input, dim)
    if dim is None:
        refuse_complex_kernel("min_all", input)
        _check_nonempty(input, "min")
        return apply(_f_min_all, "MinBackward1", input)
    refuse_complex("min(): does not support complex input", input)
    axis = _wrap_dim(dim, input.ndim)
    _check_reducible(input, axis, "min")
    values, indices = apply(_f_min_dim, "MinBackward0", input, axis=axis, keepdims=keepdim)
    return return_types.min(values, indices)


def _check_amax_dims(input, dim, name):
    """PyTorch's errors for amax/amin over nothing: the dim is named as the caller gave it."""
    if input.numel():
        return
    if dim == () or dim is None:
        _check_nonempty(input, name)
    for d in (dim,) if isinstance(dim, builtins.int) else dim:
        if input.ndim and input.shape[_wrap_dim(d, input.ndim)] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def amax(input, dim=(), keepdim: bool = False):
    """The maximum over `dim` (every dim when empty); the gradient is shared by ties."""
    axis = None if dim == () or dim is None else _dims(dim, input.ndim)
    refuse_complex_kernel("max_values_cpu", input)
    _check_amax_dims(input, dim, "amax")
    return apply(_f_amax, "AmaxBackward0", input, axis=axis, keepdims=keepdim)


def amin(input, dim=(), keepdim: bool = False):
    """The minimum over `dim` (every dim when empty); the gradient is shared by ties."""
    axis = None if dim == () or dim is None else _dims(dim, input.ndim)
    refuse_complex_kernel("min_values_cpu", input)
    _check_amax_dims(input, dim, "amin")
    return apply(_f_amin, "AminBackward0", input, axis=axis, keepdims=keepdim)


def _f_argmax(x, *, axis, keepdims):
    if x.ndim == 0:
        return _zero_index(x)[1]
    return jnp.argmax(x, axis=axis, keepdims=keepdims).astype(_index_dtype())


def _f_argmin(x, *, axis, keepdims):
    if x.ndim == 0:
        return _zero_index(x)[1]
    return jnp.argmin(x, axis=axis, keepdims=keepdims).astype(_index_dtype())


def _no_bool(input, message):
    if input.dtype == _dtypes.bool:
        raise RuntimeError(message)


def argmax(input, dim=None, keepdim: bool = False):
    """Index of the (first) maximum, over the flattened input when dim is None."""
    _no_bool(input, "argmax(): does not support bool input")
    refuse_complex("argmax(): does not support complex input", input)
    _check_reducible(input, dim, "argmax")
    axis = None if dim is None else _wrap_dim(dim, input.ndim)
    if axis is None and keepdim:
        return apply(_f_argmax, "ArgmaxBackward0", input.reshape(-1), axis=0,
                     keepdims=False).reshape((1,) * input.ndim)
    return apply(_f_argmax, "ArgmaxBackward0", input, axis=axis, keepdims=keepdim)


def argmin(input, dim=None, keepdim: bool = False):
    _no_bool(input, "argmin(): does not support bool input")
    refuse_complex("argmin(): does not support complex input", input)
    _check_reducible(input, dim, "argmin")
    axis = None if dim is None else _wrap_dim(dim, input.ndim)
    if axis is None and keepdim:
        return apply(_f_argmin, "ArgminBackward0", input.reshape(-1), axis=0,
                     keepdims=False).reshape((1,) * input.ndim)
    return apply(_f_argmin, "ArgminBackward0", input, axis=axis, keepdims=keepdim)


def _f_var(x, *, axis, correction, keepdims):
    # torch divides by max(N - correction, 0): inf (or nan for constant data) past N.
    n = x.size if axis is None else math.prod(x.shape[a] for a in axis)
    mean = jnp.mean(x, axis=axis, keepdims=True)
    centered = x - mean
    squares = (centered * jnp.conj(centered)).real if jnp.iscomplexobj(x) else centered ** 2
    return jnp.sum(squares, axis=axis, keepdims=keepdims) / builtins.max(n - correction, 0)


def _f_std(x, *, axis, correction, keepdims):
    v = _f_var(x, axis=axis, correction=correction, keepdims=keepdims)
    # PyTorch's std_backward masks the gradient to 0 where std == 0 (constant input);
    # d sqrt(v) at v = 0 would give inf * 0 = NaN.
    zero = v == 0
    return jnp.where(zero, jnp.zeros((), v.dtype), jnp.sqrt(jnp.where(zero, 1, v)))


def _var_args(dim, unbiased, correction, input=None, name="var"):
    if isinstance(dim, builtins.bool):          # var(x, unbiased) overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if input is not None:
        axis = _dims(dim, input.ndim)
        n = math.prod(input.shape) if axis is None else math.prod(input.shape[a] for a in axis)
        if n - correction <= 0:
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be "
                          "strictly less than the reduction factor (input numel divided by "
                          "output numel).", UserWarning, stacklevel=3)
    return dim, correction


def _floating_only(input) -> None:
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("std and var only support floating point and complex dtypes")


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Variance with Bessel's `correction` (default 1 = unbiased), as torch.var."""
    _floating_only(input)
    dim, correction = _var_args(dim, unbiased, correction, input, "var")
    name = "VarBackward0"
    return apply(_f_var, name, input, axis=_dims(dim, input.ndim), correction=correction,
                 keepdims=keepdim)


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Standard deviation with Bessel's `correction` (default 1), as torch.std."""
    _floating_only(input)
    dim, correction = _var_args(dim, unbiased, correction, input, "std")
    return apply(_f_std, "StdBackward0", input, axis=_dims(dim, input.ndim),
                 correction=correction, keepdims=keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, builtins.bool) else None, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, builtins.bool) else None, keepdim))


def _f_norm(x, *, p, axis, keepdims):
    # The pure core's p-norm: PyTorch's gradients at 0 and at the zero vector.
    return _distance.vector_norm(x, p, axis, keepdims)


def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None):
    """Vector p-norm over `dim` (all elements by default); 'fro' is the 2-norm."""
    check_norm_dim(p, dim, Tensor)
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        from . import linalg
        return linalg.matrix_norm(input if dtype is None else input.to(dtype), "nuc",
                                  (-2, -1) if dim is None else dim, keepdim)
    if isinstance(p, str):
        raise RuntimeError(f"norm with p={p!r} is not supported")
    x = input if dtype is None else input.to(dtype)
    if not x.is_floating_point() and not x.is_complex():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_dtypes.scalar_type_name(x.dtype)}")
    from .linalg import check_empty_norm
    check_empty_norm(x, builtins.float(p), dim)
    if p == 0:                 # (torch: LinalgVectorNormBackward0, and no gradient)
        from .linalg import norm0
        return norm0(x, "LinalgVectorNormBackward0", axis=_dims(dim, input.ndim),
                     keepdims=keepdim)
    return apply(_f_norm, "LinalgVectorNormBackward0", x, p=builtins.float(p),
                 axis=_dims(dim, input.ndim), keepdims=keepdim)


def _f_cumsum(x, *, axis, dtype):
    if x.ndim == 0:
        return x.astype(dtype)
    return jnp.cumsum(x, axis=axis, dtype=_accumulator(dtype)).astype(dtype)


def _cumulative_dtype(input, dtype, kernel: str):
    """The dtype of cumsum/cumprod: torch has no bool kernel for them."""
    out = _sum_dtype(input, dtype)
    if out == jnp.bool_:
        raise _dtypes.kernel_error(kernel, out)
    return out


def cumsum(input, dim: int, *, dtype=None):
    return apply(_f_cumsum, "CumsumBackward0", input, axis=_wrap_dim(dim, input.ndim),
                 dtype=_cumulative_dtype(input, dtype, "cumsum_out_cpu"))


def _f_cumprod(x, *, axis, dtype):
    if x.ndim == 0:
        return x.astype(dtype)
    if jnp.issubdtype(dtype, jnp.floating):
        # torch's gradient (inf elements give NaN; see _edge_grads.cumprod)
        return _edge_grads.cumprod(x.astype(_accumulator(dtype)), axis).astype(dtype)
    return jnp.cumprod(x, axis=axis, dtype=_accumulator(dtype)).astype(dtype)


def cumprod(input, dim: int, *, dtype=None):
    return apply(_f_cumprod, "CumprodBackward0", input, axis=_wrap_dim(dim, input.ndim),
                 dtype=_cumulative_dtype(input, dtype, "cumprod_out_cpu"))


def _f_logsumexp(x, *, axis, keepdims):
    if not jnp.iscomplexobj(x):
        return jax.nn.logsumexp(x, axis=axis, keepdims=keepdims)
    # torch's complex rule: shift by the largest real part (0 where it is infinite)
    m = jax.lax.stop_gradient(jnp.max(x.real, axis=axis, keepdims=True))
    m = jnp.where(jnp.isinf(m), 0, m)
    out = jnp.log(jnp.sum(jnp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else jnp.squeeze(out, axis)


def logsumexp(input, dim, keepdim: bool = False):
    """log(sum(exp(input))) over `dim`, shifted by the max for stability; integer inputs
    go to the default float dtype, complex ones stay complex (shifted by the largest real
    part, as torch)."""
    x = input if input.is_floating_point() or input.is_complex() else input.to(
        _dtypes.get_default_dtype())
    return apply(_f_logsumexp, "LogsumexpBackward0", x, axis=_dims(dim, input.ndim),
                 keepdims=keepdim)


def _f_all(x, *, axis, keepdims):
    # (a complex x compared with 0: jnp.all/any read only its real part)
    return jnp.all(x != 0 if jnp.iscomplexobj(x) else x, axis=axis, keepdims=keepdims)


def _f_any(x, *, axis, keepdims):
    return jnp.any(x != 0 if jnp.iscomplexobj(x) else x, axis=axis, keepdims=keepdims)


def _bool_dims(dim, ndim):
    # all/any over an empty dim list reduce nothing (PyTorch: `x.all(())` has x's shape).
    if dim is not None and not isinstance(dim, builtins.int) and len(dim) == 0:
        return ()
    return _dims(dim, ndim)


def _bool_result(out, input):
    # PyTorch keeps uint8 for a uint8 input (the pre-bool-dtype behaviour); others give bool.
    return out.to(input.dtype) if input.dtype == _dtypes.uint8 else out


def all(input, dim=None, keepdim: bool = False):
    """True where every element over `dim` is non-zero (bool result; uint8 for uint8)."""
    return _bool_result(apply(_f_all, "AllBackward0", input,
                              axis=_bool_dims(dim, input.ndim), keepdims=keepdim), input)


def any(input, dim=None, keepdim: bool = False):
    """True where some element over `dim` is non-zero (bool result; uint8 for uint8)."""
    return _bool_result(apply(_f_any, "AnyBackward0", input,
                              axis=_bool_dims(dim, input.ndim), keepdims=keepdim), input)


def _f_count_nonzero(x, *, axis):
    return jnp.count_nonzero(x, axis=axis).astype(_index_dtype())


def count_nonzero(input, dim=None):
    return apply(_f_count_nonzero, "CountNonzeroBackward0", input,
                 axis=_dims(dim, input.ndim))


def _f_sort(x, *, axis, descending, stable):
    if x.ndim == 0:
        return _zero_index(x)
    # argsort(descending=...) rather than argsort(-x): -x puts NaN last instead of first
    # (PyTorch's descending order starts with NaN) and wraps around for unsigned and bool.
    idx = jnp.argsort(x, axis=axis, stable=True, descending=descending)
    return jnp.take_along_axis(x, idx, axis=axis), idx.astype(_index_dtype())


def sort(input, dim: int = -1, descending: bool = False, stable: bool | None = None):
    refuse_complex(" Sort does not support complex dtypes on CPU", input)
    # (torch's sort.stable overload, whenever `stable` is given, names its node SortBackward1)
    values, indices = apply(_f_sort, "SortBackward0" if stable is None else "SortBackward1",
                            input, axis=_wrap_dim(dim, input.ndim), descending=descending,
                            stable=bool(stable))
    return return_types.sort(values, indices)


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    return sort(input, dim, descending, stable).indices


def _f_topk(x, *, k, axis, largest):
    if x.ndim == 0:
        return _zero_index(x)
    moved = jnp.moveaxis(x, axis, -1)
    values, idx = jax.lax.top_k(moved if largest else -moved, k)
    values = values if largest else -values
    return (jnp.moveaxis(values, -1, axis),
            jnp.moveaxis(idx, -1, axis).astype(_index_dtype()))


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The k largest (or smallest) entries along `dim` and their indices."""
    _no_bool(input, "topk does not support bool dtypes on CPU")
    refuse_complex(" topk does not support complex dtypes on CPU", input)
    from ._dim_args import check_int_arg
    k = check_int_arg("topk", "k", k, 1, Tensor)
    axis = _wrap_dim(dim, input.ndim)
    if not 0 <= k <= (input.shape[axis] if input.ndim else 1):
        raise RuntimeError("selected index k out of range")
    values, indices = apply(_f_topk, "TopkBackward0", input, k=k, axis=axis, largest=largest)
    return return_types.topk(values, indices)
