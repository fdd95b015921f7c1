"""Search and counting: searchsorted, bucketize, isin, histc, histogram, and the ops whose
output shape depends on the values (unique, unique_consecutive, bincount, argwhere).

The value-shaped ops run eagerly on concrete values (like `nonzero`); inside traced code
(functorch_like.compile, jax.jit) they raise a TypeError that says so, never a wrong result.
"""

from __future__ import annotations

import builtins
import math

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._complex_refusals import refuse_complex_kernel
from ._ops_reduce import named_result
from ._tensor import Tensor, _wrap_dim, apply
from .pure._errors import ValueDependentError


def concrete(t: Tensor, name: str) -> np.ndarray:
    """The values of a value-shaped op's input; in traced code, the TypeError that says why
    it cannot run there."""
    if isinstance(t._value, jax.core.Tracer):
        raise ValueDependentError(f"{name}() has an output shape that depends on the input's "
                                  "values, so it needs concrete values and cannot run inside "
                                  "traced code (functorch_like.compile, jax.jit); call it "
                                  "outside, or use an op with a fixed output shape"
                                  + (" (nonzero_static(size=...))" if name == "nonzero"
                                     else ""))
    return np.asarray(t._value)


def _long(array) -> Tensor:
    return Tensor._make(jnp.asarray(array, _dtypes.int64.jax))


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._make(jnp.asarray(x))


# ---- value-shaped ops (eager) ---------------------------------------------------------

def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim=None):
    """The distinct values (sorted), or distinct slices along `dim`; optionally the inverse
    indices (input's shape, or (input.shape[dim],)) and the counts.

    PyTorch parity: NaNs are all distinct, as PyTorch; the outputs do not require grad
    (PyTorch's unique has no derivative either).
    """
    refuse_complex_kernel("unique" if dim is None else "unique_dim", input)
    a = concrete(input, "unique")
    axis = None if dim is None else _wrap_dim(dim, input.ndim)
    if axis is not None and any(n == 0 for i, n in enumerate(a.shape) if i != axis):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                           "unique cannot be applied")
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True,
                                        axis=axis, equal_nan=False)
    inverse = inverse.reshape(a.shape if axis is None else (a.shape[axis],))
    return _unique_result(values, inverse, counts, input, return_inverse, return_counts)


def _unique_result(values, inverse, counts, input, return_inverse, return_counts):
    out = Tensor._make(jnp.asarray(values, input._value.dtype))
    extra = ((_long(inverse),) if return_inverse else ()) + (
        (_long(counts),) if return_counts else ())
    return (out, *extra) if extra else out


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim=None):
    """Collapses each run of equal consecutive values (or slices along `dim`) to one."""
    refuse_complex_kernel("unique", input)
    a = concrete(input, "unique_consecutive")
    if dim is not None and any(n == 0 for i, n in enumerate(a.shape)
                               if i != _wrap_dim(dim, input.ndim)):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                           "unique cannot be applied")
    if dim is None:
        moved = a.reshape(-1, 1)
    else:
        axis = _wrap_dim(dim, input.ndim)
        moved = np.moveaxis(a, axis, 0)
        moved = moved.reshape(moved.shape[0], math.prod(moved.shape[1:]))
    starts = np.ones(moved.shape[0], bool)
    starts[1:] = np.any(moved[1:] != moved[:-1], axis=1)
    inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.nonzero(starts)[0], moved.shape[0]))
    if dim is None:
        values, inverse = a.reshape(-1)[starts], inverse.reshape(a.shape)
    else:
        values = np.compress(starts, a, axis=axis)
    return _unique_result(values, inverse, counts, input, return_inverse, return_counts)


def bincount(input: Tensor, weights=None, minlength: int = 0) -> Tensor:
    """Counts of each non-negative integer in 1-D `input` (length max(input)+1, at least
    `minlength`); with `weights`, sums of the weights instead."""
    if input.is_floating_point() or input.is_complex():
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{_dtypes.scalar_type_name(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    a = concrete(input, "bincount")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _long(np.bincount(a, minlength=minlength))
    w = concrete(weights, "bincount")
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    if a.size == 0:             # (torch's empty input counts in int64, weights or not)
        return _long(np.zeros(minlength, np.int64))
    # float32 weights keep their dtype; all others (half too) count in double, as torch.
    dtype = w.dtype if weights.dtype == _dtypes.float32 else _dtypes.float64.jax
    return Tensor._make(jnp.asarray(np.bincount(a, w.astype(np.float64), minlength), dtype))


def argwhere(input: Tensor) -> Tensor:
    """The indices (n, input.ndim) of the non-zero elements, in row-major order."""
    values = concrete(input, "argwhere")
    if np.ndim(values) == 0:        # (as torch: one element at no index, (n, 0))
        return _long(np.zeros((int(bool(values)), 0)))
    return _long(np.argwhere(values))


# ---- fixed-shape ops ------------------------------------------------------------------

def _f_searchsorted(seq, values, *, side, dtype):
    if seq.shape[-1] == 0:          # (an empty sequence: every value goes at 0)
        return jnp.zeros(values.shape, dtype)
    if seq.ndim == 1:
        return jnp.searchsorted(seq, values, side=side).astype(dtype)
    batch = seq.shape[:-1]
    flat = jax.vmap(lambda s, v: jnp.searchsorted(s, v, side=side))(
        seq.reshape((-1, seq.shape[-1])), values.reshape((-1, values.shape[-1])))
    return flat.reshape(batch + values.shape[-1:]).astype(dtype)


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False,
                 right: bool = False, side=None, sorter=None) -> Tensor:
    """Indices at which `input`'s values would be inserted into `sorted_sequence` (1-D, or
    matching `input` in all but the last dim) to keep it sorted; `side`/`right` pick the
    right-most place among equal values; `sorter` sorts an unsorted sequence."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites,"
                               " got side of left while right was True")
        right = side == "right"
    values = _as_tensor(input)
    if sorted_sequence.ndim > 1 and tuple(sorted_sequence.shape[:-1]) != tuple(
            values.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           "the first N-1 dimensions of boundaries tensor and input value "
                           "tensor must match, but we got boundaries tensor "
                           f"{list(sorted_sequence.shape)} and input value tensor "
                           f"{list(values.shape)}")
    seq = sorted_sequence
    if sorter is not None:
        seq = seq.gather(-1, sorter)
    common = _dtypes.result_type(seq._value, values._value)
    dtype = _dtypes.int32.jax if out_int32 else _dtypes.int64.jax
    return apply(_f_searchsorted, "SearchsortedBackward0", seq.to(_dtypes.from_jax(common)),
                 values.to(_dtypes.from_jax(common)), side="right" if right else "left",
                 dtype=dtype)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value of `input` among the 1-D `boundaries` (searchsorted's
    index: boundaries[i-1] < x <= boundaries[i], or < on the right with `right`)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def _f_isin(elements, test, *, invert):
    return jnp.isin(elements, test, invert=invert)


def isin(elements, test_elements, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """True where an element of `elements` occurs in `test_elements` (either may be a
    number); with `invert`, where it does not."""
    del assume_unique                   # a speed hint for PyTorch's sort-based kernel
    return apply(_f_isin, "IsinBackward0", _as_tensor(elements), _as_tensor(test_elements),
                 invert=invert)


def _check_histogram_input(input: Tensor, bins) -> None:
    if not input.is_floating_point():
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{_dtypes.scalar_type_name(input.dtype)}'")
    if isinstance(bins, builtins.int) and bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")


def _cpp_float(v: float) -> str:
    """A double as torch's C++ message prints it (a NaN from a reduction as -nan)."""
    return "-nan" if math.isnan(v) else f"{v:g}"


def _f_histc(x, *, bins, low, high):
    x = x.reshape(-1)
    if low == high:                     # min = max = 0: the data's range
        # (an empty input's range is [0, 0], widened below, as torch's)
        lo, hi = (jnp.min(x), jnp.max(x)) if x.size else (jnp.zeros((), x.dtype),) * 2
    else:
        lo, hi = jnp.asarray(low, x.dtype), jnp.asarray(high, x.dtype)
    same = lo == hi
    lo, hi = jnp.where(same, lo - 1, lo), jnp.where(same, hi + 1, hi)
    inside = (x >= lo) & (x <= hi)
    # PyTorch's linear interpolation: ((x - min) * bins) / (max - min), max in the last bin.
    pos = jnp.floor((x - lo) * bins / (hi - lo)).astype(jnp.int32)
    pos = jnp.clip(pos, 0, bins - 1)
    return jnp.zeros(bins, x.dtype).at[pos].add(inside.astype(x.dtype))


def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:
    """A histogram of `bins` equal-width bins over [min, max] (the data's range when both
    are 0); values outside are ignored."""
    _check_histogram_input(input, bins)
    lo, hi = builtins.float(min), builtins.float(max)
    if lo == hi and input.numel() and not isinstance(input._value, jax.core.Tracer):
        data = np.asarray(input._value)
        lo, hi = builtins.float(data.min()), builtins.float(data.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):     # (a histogram of zeros before)
        raise RuntimeError(f"torch.histc: range of [{_cpp_float(lo)}, {_cpp_float(hi)}] is "
                           "not finite")
    if max < min:
        raise RuntimeError("torch.histc: max must be larger than min")
    # (not differentiable: PyTorch's result does not require grad)
    return apply(_f_histc, "HistcBackward0", input.detach(), bins=builtins.int(bins),
                 low=builtins.float(min), high=builtins.float(max))


def _f_histogram(x, edges, weight, *, density):
    x = x.reshape(-1)
    nbins = edges.shape[0] - 1
    inside = (x >= edges[0]) & (x <= edges[-1])
    pos = jnp.clip(jnp.searchsorted(edges, x, side="right") - 1, 0, nbins - 1)
    w = jnp.ones_like(x) if weight is None else weight.reshape(-1).astype(x.dtype)
    hist = jnp.zeros(nbins, x.dtype).at[pos].add(jnp.where(inside, w, 0))
    if density:
        hist = hist / jnp.sum(hist) / jnp.diff(edges)
    return hist


def histogram(input: Tensor, bins=100, *, range=None, weight=None, density: bool = False):
    """(hist, bin_edges): `bins` equal-width bins over `range` (the data's range by
    default), or the given increasing edges (a 1-D tensor); the last bin includes its right
    edge. `weight` weighs each element; `density` normalizes to unit integral."""
    _check_histogram_input(input, bins)
    if isinstance(bins, Tensor):
        edges = bins.to(input.dtype)
    else:
        if range is None:
            data = concrete(input, "histogram") if input.numel() else np.zeros(1)
            lo, hi = builtins.float(data.min()), builtins.float(data.max())
        else:
            lo, hi = builtins.float(range[0]), builtins.float(range[1])
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension 0's range [{lo:g}, {hi:g}] is "
                               "not finite")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = Tensor._make(jnp.linspace(lo, hi, builtins.int(bins) + 1,
                                          dtype=input._value.dtype))
    hist = apply(_f_histogram, "HistogramBackward0", input, edges, weight, density=density)
    return named_result("histogram", ("hist", "bin_edges"))(hist, edges)
