"""Order statistics and moments: median, nanmedian, mode, kthvalue, quantile, nanquantile,
aminmax, cov, corrcoef.

Ties and NaN follow PyTorch's CPU kernels: median takes the lower of the two middle values
and, with a dim, the index a stable sort puts there; a NaN makes median and quantile NaN
(nanmedian / nanquantile skip NaNs); mode is the smallest most frequent value at its last
index. Gradients flow to the selected element (with a dim), or are shared evenly among the
elements equal to the result (median over all elements), as PyTorch's.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp

from . import _autocast_state, _dtypes
from ._complex_refusals import refuse_complex_kernel
from ._ops_reduce import return_types
from ._ops_reduce import named_result
from ._tensor import Tensor, _wrap_dim, apply
from .pure._errors import check_values


def _median_index(x, *, ignore_nan):
    """Index along the last dim of the lower median (NaN-aware), from a stable sort."""
    order = jnp.argsort(x, axis=-1, stable=True)              # NaN sorts last
    nan = jnp.isnan(x) if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.zeros(x.shape, bool)
    count = x.shape[-1] - jnp.sum(nan, -1, keepdims=True) if ignore_nan else x.shape[-1]
    pos = jnp.maximum((count - 1) // 2, 0) * jnp.ones(x.shape[:-1] + (1,), jnp.int32)
    idx = jnp.take_along_axis(order, pos, -1)
    if not ignore_nan:          # any NaN makes the median NaN, at the first NaN's index
        first_nan = jnp.argmax(nan, -1, keepdims=True)
        idx = jnp.where(jnp.any(nan, -1, keepdims=True), first_nan, idx)
    return idx


def _f_median_dim(x, *, axis, keepdims, ignore_nan):
    if x.ndim == 0:
        return x, jnp.zeros((), _dtypes.int64.jax)
    moved = jnp.moveaxis(x, axis, -1)
    idx = _median_index(moved, ignore_nan=ignore_nan)
    values = jnp.take_along_axis(moved, idx, -1)
    values, idx = jnp.moveaxis(values, -1, axis), jnp.moveaxis(idx, -1, axis)
    if not keepdims:
        values, idx = jnp.squeeze(values, axis), jnp.squeeze(idx, axis)
    return values, idx.astype(_dtypes.int64.jax)


def _empty_median(dtype):
    """The median of no elements: NaN, which torch's CPU kernel casts to integer dtypes as
    x86 does (the int64 or int32 minimum, truncated to narrower ints: 0; True for bool)."""
    if jnp.issubdtype(dtype, jnp.inexact):
        return jnp.array(jnp.nan, dtype)
    if dtype == jnp.bool_:
        return jnp.array(True)
    if dtype == jnp.int64:
        return jnp.array(jnp.iinfo(jnp.int64).min, dtype)
    return jnp.array(jnp.iinfo(jnp.int32).min, jnp.int32).astype(dtype)


def _f_median_all(x, *, ignore_nan):
    flat = x.reshape(-1)
    if flat.size == 0:
        return _empty_median(x.dtype)
    value = jax.lax.stop_gradient(flat[_median_index(flat, ignore_nan=ignore_nan)[0]])
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return value
    # PyTorch's evenly_distribute_backward: the gradient is shared by the elements equal to
    # the result (by the NaNs when it is NaN). The added term is 0 in value.
    mask = jnp.where(jnp.isnan(value), jnp.isnan(flat), flat == value)
    share = jnp.where(mask, flat - jax.lax.stop_gradient(flat), 0)
    return value + jnp.sum(share) / jnp.maximum(jnp.sum(mask), 1)


def _median(input, dim, keepdim, ignore_nan, name):
    refuse_complex_kernel("median_cpu" if dim is None else "median_out", input)
    boolean = input.dtype == _dtypes.bool
    if dim is None:
        if boolean and input.numel():       # (no elements: torch's early return)
            raise _dtypes.kernel_error("median_cpu", input.dtype)
        return apply(_f_median_all, "MedianBackward0", input, ignore_nan=ignore_nan)
    axis = _wrap_dim(dim, input.ndim)
    if input.ndim and input.shape[axis] == 0:
        # (torch's nanmedian says "median()" too)
        raise IndexError(f"median(): Expected reduction dim {axis} to have non-zero size.")
    if boolean:
        raise _dtypes.kernel_error("median_out", input.dtype)
    out = apply(_f_median_dim, "MedianBackward1", input, axis=axis, keepdims=keepdim,
                ignore_nan=ignore_nan)
    return getattr(return_types, name)(*out)


def median(input: Tensor, dim=None, keepdim: bool = False):
    """The lower median: of all elements (0-d), or (values, indices) along `dim`."""
    return _median(input, dim, keepdim, False, "median")


named_result("nanmedian", ("values", "indices"))


def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """median ignoring NaNs (NaN only where a slice is all NaN)."""
    return _median(input, dim, keepdim, True, "nanmedian")


def _f_kthvalue(x, *, k, axis, keepdims):
    if x.ndim == 0:
        return x, jnp.zeros((), _dtypes.int64.jax)
    idx = jnp.take(jnp.argsort(x, axis=axis, stable=True), jnp.array([k - 1]), axis=axis)
    values = jnp.take_along_axis(x, idx, axis)
    if not keepdims:
        values, idx = jnp.squeeze(values, axis), jnp.squeeze(idx, axis)
    return values, idx.astype(_dtypes.int64.jax)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """(values, indices) of the k-th smallest element along `dim` (k from 1).

    PyTorch parity: among equal values, the index is the k-th of a stable sort; PyTorch's
    selection algorithm may return another of the tied indices.
    """
    refuse_complex_kernel("kthvalue_cpu", input)
    if input.dtype == _dtypes.bool:
        raise _dtypes.kernel_error("kthvalue_cpu", input.dtype)
    axis = _wrap_dim(dim, input.ndim)
    size = input.shape[axis] if input.ndim else 1
    if size == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {axis} to have non-zero size.")
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    out = apply(_f_kthvalue, "KthvalueBackward0", input, k=builtins.int(k), axis=axis,
                keepdims=keepdim)
    return return_types.kthvalue(*out)


def _f_mode(x, *, axis, keepdims):
    if x.ndim == 0:
        return x, jnp.zeros((), _dtypes.int64.jax)
    moved = jnp.moveaxis(x, axis, -1)
    s = jnp.sort(moved, -1)
    n = s.shape[-1]
    pos = jnp.arange(n)
    starts = jnp.concatenate([jnp.ones(s.shape[:-1] + (1,), bool), s[..., 1:] != s[..., :-1]],
                             -1)
    run_start = jax.lax.cummax(jnp.where(starts, pos, 0), axis=s.ndim - 1)
    run_length = pos - run_start + 1
    # The first longest run in sorted order holds the smallest most frequent value.
    best = jnp.argmax(run_length, -1, keepdims=True)
    value = jnp.take_along_axis(s, best, -1)
    idx = jnp.max(jnp.where(moved == value, pos, -1), -1, keepdims=True)   # last occurrence
    values = jnp.take_along_axis(moved, idx, -1)
    values, idx = jnp.moveaxis(values, -1, axis), jnp.moveaxis(idx, -1, axis)
    if not keepdims:
        values, idx = jnp.squeeze(values, axis), jnp.squeeze(idx, axis)
    return values, idx.astype(_dtypes.int64.jax)


named_result("mode", ("values", "indices"))


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """(values, indices): the most frequent value along `dim` (the smallest on a tie of
    counts) and the index of its last occurrence, as PyTorch's CPU kernel."""
    refuse_complex_kernel("mode_cpu", input)
    axis = _wrap_dim(dim, input.ndim)
    if input.ndim and input.shape[axis] == 0:
        raise IndexError(f"mode(): Expected reduction dim {axis} to have non-zero size.")
    return return_types.mode(*apply(_f_mode, "ModeBackward0", input, axis=axis,
                                    keepdims=keepdim))


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _lerp(a, b, w):
    # at::lerp's two-sided formula, exact at both ends.
    return jnp.where(w < 0.5, a + w * (b - a), b - (b - a) * (1 - w))


def _f_quantile(x, q, *, axis, keepdims, interpolation, ignore_nan, scalar_q):
    check_values((q,), lambda: (((q < 0) | (q > 1)), q.reshape(-1)[:1]), lambda d: RuntimeError(
        "quantile() q values must be in the range [0, 1]"))
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    s = jnp.sort(jnp.moveaxis(x, axis, -1), -1)[..., None, :]       # (..., 1, n), NaN last
    nan = jnp.isnan(s)
    n = s.shape[-1]
    count = n - jnp.sum(nan, -1, keepdims=True) if ignore_nan else jnp.full(s.shape[:-1] + (
        1,), n)
    rank = q.reshape(-1, 1) * (count - 1)                             # (..., nq, 1)
    if interpolation == "lower":
        rank = jnp.floor(rank)
    elif interpolation == "higher":
        rank = jnp.ceil(rank)
    elif interpolation == "nearest":
        rank = jnp.round(rank)                                        # half to even
    lo = jnp.clip(jnp.floor(rank), 0, n - 1).astype(jnp.int32)
    hi = jnp.clip(jnp.ceil(rank), 0, n - 1).astype(jnp.int32)
    below = jnp.take_along_axis(s, lo, -1)[..., 0]
    above = jnp.take_along_axis(s, hi, -1)[..., 0]
    weight = (rank - lo)[..., 0] if interpolation != "midpoint" else jnp.full(rank.shape[:-1],
                                                                           0.5)
    out = _lerp(below, above, weight.astype(x.dtype))
    invalid = (count[..., 0] == 0) if ignore_nan else jnp.any(nan, -1)
    out = jnp.where(invalid, jnp.nan, out)                            # (..., nq)
    out = jnp.moveaxis(out, -1, 0)
    if keepdims:
        out = jnp.expand_dims(out, 1 + axis) if x.ndim else out
    return out[0] if scalar_q else out


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    if not input.is_floating_point():
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    scalar_q = not isinstance(q, Tensor)
    if scalar_q:
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        q = Tensor._make(jnp.asarray(q, input._value.dtype))
    elif q.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    elif q.dtype != input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    scalar_q = scalar_q or q.ndim == 0
    axis = None if dim is None else _wrap_dim(dim, input.ndim)
    if input.ndim == 0:                          # (dim 0 of a 0-d tensor: all of it)
        axis = None
    out = apply(_f_quantile, "SqueezeBackward4", input, q, axis=axis, keepdims=keepdim,
                interpolation=interpolation, ignore_nan=ignore_nan, scalar_q=scalar_q)
    if keepdim and axis is None:                 # every dim kept, with size 1
        shape = (() if scalar_q else (q.numel(),)) + (1,) * input.ndim
        out = out.reshape(shape)
    return out


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles along `dim` (of all elements when None); a 1-D `q` adds a leading
    dim of len(q). interpolation: linear, lower, higher, midpoint or nearest."""
    input, = _autocast_state.cpu_fp32(input)       # (on torch's CPU autocast fp32 list)
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """quantile ignoring NaNs (NaN only where a slice is all NaN)."""
    input, = _autocast_state.cpu_fp32(input)
    return _quantile(input, q, dim, keepdim, interpolation, True)


def _f_aminmax(x, *, axis, keepdims):
    return jnp.min(x, axis=axis, keepdims=keepdims), jnp.max(x, axis=axis, keepdims=keepdims)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """(min, max) over `dim` (all elements when None)."""
    refuse_complex_kernel("aminmax_cpu", input)
    axis = None if dim is None or not input.ndim else _wrap_dim(dim, input.ndim)
    if input.numel() == 0 and axis is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if axis is not None and input.shape[axis] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {axis} to have non-zero size.")
    out = apply(_f_aminmax, "AminmaxBackward0", input, axis=axis, keepdims=keepdim)
    return named_result("aminmax", ("min", "max"))(*out)


def _f_cov(x, fw, aw, *, correction):
    x = x.reshape(1, -1) if x.ndim < 2 else x
    w = fw if aw is None else aw if fw is None else fw * aw
    if w is None:
        avg = jnp.mean(x, 1)
        norm = x.shape[1] - correction
    else:
        w = w.astype(x.dtype)
        w_sum = jnp.sum(w)
        avg = jnp.sum(x * w, 1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aw is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * jnp.sum(w * aw) / w_sum
    norm = jnp.where(norm <= 0, 0, norm)      # PyTorch warns and divides by zero
    centred = x - avg[:, None]
    weighted = centred if w is None else centred * w
    return jnp.squeeze(centred @ jnp.conj(weighted.T) / norm)


def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """Covariance of the variables in the rows of `input` (vars, obs), or of a 1-D input.

    fweights (integer observation counts) and aweights (observation weights) as numpy.cov.
    """
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if not (input.is_floating_point() or input.is_complex()):
        input = input.to(_dtypes.get_default_dtype())
    return apply(_f_cov, "SqueezeBackward0", input, fweights, aweights,
                 correction=builtins.int(correction))


def _f_corrcoef(c):
    if c.ndim == 0:
        return c / c
    std = jnp.sqrt(jnp.diagonal(c))
    return jnp.clip(c / std[:, None] / std[None, :], -1, 1)


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the rows of `input`, clipped to [-1, 1]."""
    return apply(_f_corrcoef, "ClampBackward1", cov(input))
