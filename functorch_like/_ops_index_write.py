"""Indexed writes: index_add/copy/fill/put/reduce, scatter_reduce, masked_scatter, put.

Each op is out of place; `_methods.py` binds the in-place variants (`index_add_`, ...)
through `Tensor._set`. Concrete indices are bounds-checked with PyTorch's errors, since
JAX's scatters would drop or wrap them silently. Gradients come from JAX, except
scatter_reduce's "prod", written as a dense product (JAX differentiates scatter-multiply
only for unique indices), "amax"/"amin", whose ties share the gradient as torch's do, and
the plain writes (index_put, put, index_copy), where every write at a repeated index gets
the gradient there, as torch's (`_ops_index.write_at`; JAX gives it to the one that won).
"""

from __future__ import annotations

import builtins
import functools
import warnings

import jax
import jax.numpy as jnp

from . import _dtypes
from ._ops_index import (_build, _check_assignable, check_same_dtype, _f_getitem, _f_setitem, _flat, _parse,
                         _scatter_index, add_at, check_scatter_shapes, poisoned, write_at)
from ._ops_index_mask import TracedMask, masked_write
from ._ops_math import as_operand
from ._scalar_range import check_fits
from ._tensor import Tensor, _wrap_dim, apply
from .pure._errors import is_concrete, user_stacklevel


def _name(dtype) -> str:
    return _dtypes.scalar_type_name(dtype)


def _bad_index(index, size: int, low: int = 0):
    """A value of a concrete index tensor outside [low, size) (the largest one when some are
    too large, as torch reports), else None; traced indices are not checked."""
    v = index._value
    if not is_concrete(v) or not v.size:
        return None
    lo, hi = builtins.int(jnp.min(v)), builtins.int(jnp.max(v))
    return hi if hi >= size else lo if lo < low else None


def _dim_size(input, d: int) -> int:
    return input.shape[d] if input.ndim else 1


def _check_int_index(index, message: str, error=RuntimeError) -> None:
    if not isinstance(index, Tensor) or not jnp.issubdtype(index._value.dtype, jnp.integer):
        got = _name(index.dtype) if isinstance(index, Tensor) else type(index).__name__
        raise error(message.format(got=got))


def _along(axis: int, index):
    return (slice(None),) * axis + (index,)


def _guarded(out, idx, low: int, size: int, checked: bool):
    """`out`, poisoned when an unchecked (traced) index lies outside [low, size): JAX
    would drop that write silently (see _ops_index.poisoned)."""
    return out if checked else poisoned(out, jnp.any((idx < low) | (idx >= size)))


def _vector_index(op, input, dim, index, source):
    """The checks index_add/index_reduce share; returns the wrapped dim."""
    _check_int_index(index, op + "(): Expected dtype int32/int64 for index but got: {got}")
    if index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, but got dim: "
                         f"{index.ndim} with type: {_name(index.dtype)} and size: "
                         f"{list(index.shape)}")
    d = _wrap_dim(dim, input.ndim)
    n_src = _dim_size(source, d)
    if index.numel() != n_src:
        raise RuntimeError(f"{op}(): Number of indices ({index.numel()}) should be equal to "
                           f"source.size(dim): ({n_src}), for dim: {dim}")
    if input.ndim != source.ndim or any(
            a != b for k, (a, b) in enumerate(zip(input.shape, source.shape)) if k != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"{op}(): self ({_name(input.dtype)}) and source "
                           f"({_name(source.dtype)}) must have the same scalar type")
    return d


# ---- index_add / index_copy / index_fill ------------------------------------------------

def _f_index_add(x, idx, src, *, axis, alpha, checked=True):
    shape, x = x.shape, jnp.atleast_1d(x)      # torch reads a 0-d input as of size 1
    src = src if alpha == 1 else src * alpha
    out = add_at(x.at[_along(axis, idx)], x, src.reshape(x[_along(axis, idx)].shape))
    return _guarded(out.reshape(shape), idx, 0, x.shape[axis], checked)


def index_add(input, dim: int, index, source, *, alpha=1):
    """`input` with `alpha * source` added at `index` (1-D) along `dim`; repeated indices
    accumulate. source: input's shape with `dim` of size len(index)."""
    d = _vector_index("index_add_", input, dim, index, source)
    size = _dim_size(input, d)
    bad = _bad_index(index, size)
    if bad is not None:
        if input.ndim <= 1:         # (torch's kernels for 1-d and n-d inputs say it apart)
            raise IndexError("index out of range in self")
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    if isinstance(alpha, float) and jnp.issubdtype(input._value.dtype, jnp.integer):
        alpha = int(alpha)      # (torch's integer kernel converts alpha first: 2.5 adds 2x)
    return apply(_f_index_add, "IndexAddBackward0", input, index.reshape(-1), source,
                 axis=d, alpha=alpha, checked=is_concrete(index._value))


def _f_index_copy(x, idx, src, *, axis, checked=True):
    # A repeated index gives every copy the gradient, as torch's (grad.index_select).
    shape, x = x.shape, jnp.atleast_1d(x)      # torch reads a 0-d input as of size 1
    src = src.reshape(x[_along(axis, idx)].shape)
    out = write_at(x, src, functools.partial(_along, axis), idx)
    return _guarded(out.reshape(shape), idx, 0, x.shape[axis], checked)


def index_copy(input, dim: int, index, source):
    """`input` with the slices of `source` written at `index` (1-D) along `dim`."""
    _check_int_index(index, "index_copy_(): Expected a long tensor for index, but got {got}")
    if index.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                         f"{index.ndim})")
    d = _wrap_dim(dim, input.ndim)
    n_src = _dim_size(source, d)
    if index.numel() != n_src:
        raise IndexError(f"index_copy_(): Number of indices ({index.numel()}) should be equal "
                         f"to source.size(dim) ({n_src})")
    # torch numbers the dims of the slices (input's dims without `dim`).
    slices = [(a, b) for k, (a, b) in enumerate(zip(input.shape, source.shape)) if k != d]
    for k, (a, b) in enumerate(slices):
        if a != b:
            raise RuntimeError("index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {a} at dimension {k} and "
                               f"source slice shape: {b} at dimension {k}.")
    if source.dtype != input.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_name(input.dtype)} and (source) "
                           f"{_name(source.dtype)}")
    size = _dim_size(input, d)
    bad = _bad_index(index, size)
    if bad is not None:
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} with "
                         f"size {size}")
    return apply(_f_index_copy, "IndexCopyBackward0", input, index.reshape(-1), source,
                 axis=d, checked=is_concrete(index._value))


def _f_index_fill(x, idx, value, *, axis, checked=True):
    shape, x = x.shape, jnp.atleast_1d(x)      # torch reads a 0-d input as of size 1
    out = x.at[_along(axis, idx)].set(jnp.asarray(value).astype(x.dtype))
    size = x.shape[axis]
    return _guarded(out.reshape(shape), idx, -size, size, checked)


def index_fill(input, dim: int, index, value):
    """`input` with the slices at `index` (negative indices count from the end) along `dim`
    set to `value` (a number or a 0-d tensor, whose gradient flows)."""
    _check_int_index(index, "index_fill_(): Expected dtype int64 for index.", IndexError)
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    d = _wrap_dim(dim, input.ndim)
    size = _dim_size(input, d)
    bad = _bad_index(index, size, -size)
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    if isinstance(value, complex) and not input.is_complex():
        raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is "
                           "not supported")
    check_fits(value, input.dtype)
    name = "IndexFillBackward1" if isinstance(value, Tensor) else "IndexFillBackward0"
    return apply(_f_index_fill, name, input, index.reshape(-1), as_operand(value), axis=d,
                 checked=is_concrete(index._value))


# ---- index_put / put ------------------------------------------------------------------

def _f_index_put_add(x, v, *arrays, spec, checked=True):
    at = x.at[_build(spec, arrays)]
    # (a bool tensor accumulates by logical or, as torch's add of bools)
    out = at.max(v.astype(x.dtype)) if x.dtype == jnp.bool_ else at.add(v.astype(x.dtype))
    if checked:
        return out
    # The positions written; an index out of range reads as a negative one ("fill").
    pos = _f_getitem(jnp.arange(x.size).reshape(x.shape), *arrays, spec=spec)
    return poisoned(out, jnp.any(pos < 0))


def index_put(input, indices, values, accumulate: bool = False):
    """`input` with `values` written (or, with `accumulate`, added) at `input[indices]`,
    indices being a tuple of integer or boolean tensors."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' (position 1) must be tuple of "
                        f"Tensors, not {type(indices).__name__}")
    for k, item in enumerate(indices):
        if not isinstance(item, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(item).__name__}")
    check_same_dtype(input, values)
    try:
        spec, arrays = _parse(input.shape, tuple(indices))    # (checks they broadcast)
    except TracedMask:      # (inside compile or jit: a `where`, see _ops_index_mask)
        spec = None
    if spec is None:
        return masked_write(input, tuple(indices), values, accumulate)
    _check_assignable(input, values, spec, arrays)
    fn = _f_index_put_add if accumulate else _f_setitem
    return apply(fn, "IndexPutBackward0", input, values, *arrays, spec=spec,
                 checked=builtins.all(is_concrete(a) for a in arrays))


def _f_put(x, idx, src, *, accumulate, checked=True):
    flat, idx, src = x.reshape(-1), idx.reshape(-1), src.reshape(-1).astype(x.dtype)
    if accumulate:
        out = flat.at[idx].add(src).reshape(x.shape)
    else:   # a repeated index gives every write the gradient, as torch's (grad.take)
        out = write_at(flat, src, _flat, idx).reshape(x.shape)
    return _guarded(out, idx, -x.size, x.size, checked)


def put(input, index, source, accumulate: bool = False):
    """`input` with the flattened `source` written (or added) at the flat positions `index`
    (negative ones count from the end)."""
    _check_int_index(index, "put_(): Expected a long tensor for index, but got {got}")
    if index.numel() != source.numel():
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {index.numel()}")
    if source.dtype != input.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_name(input.dtype)} and source.dtype = "
                           f"{_name(source.dtype)}")
    n = input.numel()
    if index.numel() and not n:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    bad = _bad_index(index, n, -n)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    return apply(_f_put, "PutBackward0", input, index, source, accumulate=accumulate,
                 checked=is_concrete(index._value))


# ---- scatter_reduce / index_reduce ------------------------------------------------------

def _identity(reduce: str, dtype):
    if reduce in ("sum", "mean"):
        return jnp.zeros((), dtype)
    if reduce == "prod":
        return jnp.ones((), dtype)
    big = jnp.inf if jnp.issubdtype(dtype, jnp.inexact) else jnp.iinfo(dtype).max
    low = -jnp.inf if jnp.issubdtype(dtype, jnp.inexact) else jnp.iinfo(dtype).min
    return jnp.asarray(low if reduce == "amax" else big, dtype)


def _dense_prod(x, idx, src, axis):
    """x with each position along `axis` multiplied by the product of the sources that
    `idx` sends there: a dense (n, *idx.shape) product, whose gradient JAX has for any
    repeats and zeros."""
    n = x.shape[axis]
    hits = idx[None] == jnp.arange(n).reshape((n,) + (1,) * idx.ndim)
    prods = jnp.prod(jnp.where(hits, src[None], jnp.ones((), src.dtype)), axis=axis + 1)
    region = tuple(slice(None) if k == axis else slice(0, s) for k, s in enumerate(idx.shape))
    return x.at[region].set(x[region] * jnp.moveaxis(prods, 0, axis))


def _extremum(x, idx, src, axis, reduce, include_self):
    at = _scatter_index(idx, axis)
    if not include_self:
        x = x.at[at].set(_identity(reduce, x.dtype))
    return x.at[at].max(src) if reduce == "amax" else x.at[at].min(src)


@functools.partial(jax.custom_vjp, nondiff_argnums=(3, 4, 5))
def _scatter_extremum(x, idx, src, axis, reduce, include_self):
    """scatter amax/amin with torch's gradient: shared equally by the elements equal to the
    result, self counted among them even when include_self=False (where self then gets
    none), so such a tie halves the sources' share as in torch's scatter_reduce_backward."""
    return _extremum(x, idx, src, axis, reduce, include_self)


def _scatter_extremum_fwd(x, idx, src, axis, reduce, include_self):
    out = _extremum(x, idx, src, axis, reduce, include_self)
    return out, (x, idx, src, out)


def _scatter_extremum_bwd(axis, reduce, include_self, res, g):
    x, idx, src, out = res
    at = _scatter_index(idx, axis)
    self_is = (x == out).astype(g.dtype)
    src_is = (src == out[at]).astype(g.dtype)
    share = g / self_is.at[at].add(src_is)
    grad_self = self_is * share
    if not include_self:
        grad_self = grad_self.at[at].set(0)
    return grad_self.astype(x.dtype), None, (src_is * share[at]).astype(src.dtype)


_scatter_extremum.defvjp(_scatter_extremum_fwd, _scatter_extremum_bwd)


def _f_scatter_reduce(x, idx, src, *, axis, reduce, include_self, checked=True):
    if x.dtype == jnp.bool_:        # (in uint8: bool has no identities or min/max scatter)
        out = _f_scatter_reduce(x.astype(jnp.uint8), idx, src.astype(jnp.uint8), axis=axis,
                                reduce=reduce, include_self=include_self, checked=checked)
        return out.astype(jnp.bool_)
    shape = x.shape     # (torch reads 0-d tensors as of size 1)
    x, idx, src = jnp.atleast_1d(x), jnp.atleast_1d(idx), jnp.atleast_1d(src)
    out = _scatter_reduced(x, idx, src, axis, reduce, include_self).reshape(shape)
    return _guarded(out, idx, 0, x.shape[axis], checked)


def _scatter_reduced(x, idx, src, axis, reduce, include_self):
    src = src[tuple(slice(0, n) for n in idx.shape)].astype(x.dtype)
    at = _scatter_index(idx, axis)
    if reduce in ("amax", "amin"):
        return _scatter_extremum(x, idx, src, axis, reduce, include_self)
    if not include_self:        # the positions written to start from the reduction's identity
        x = x.at[at].set(_identity(reduce, x.dtype))
    if reduce == "sum":
        return add_at(x.at[at], x, src)
    if reduce == "prod":
        return _dense_prod(x, idx, src, axis)
    count = jnp.ones(x.shape, x.dtype)
    if not include_self:
        count = count.at[at].set(0)
    count = count.at[at].add(jnp.ones(idx.shape, x.dtype))
    total = x.at[at].add(src)
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return total / count
    return jnp.floor_divide(total, count)       # integer mean rounds down, as PyTorch


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True):
    """`input` with `src[i][j]` reduced into position `index[i][j]` along `dim` (for dim 0)
    with "sum", "prod", "mean", "amax" or "amin"; with include_self=False the positions
    written to ignore input's own value. index: input's rank, no larger than src."""
    _check_int_index(index, "scatter(): Expected dtype int32/int64 for index")
    # ("max" and "min" are taken as "amax" and "amin", as torch 2.13 takes them)
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if reduce not in _REDUCTIONS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    d = _wrap_dim(dim, input.ndim)
    check_scatter_shapes(input, d, index, src)
    if src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return _scatter_reduce(input, d, index, src, reduce, include_self, "ScatterReduceBackward0")


def _scatter_reduce(input, d, index, src, reduce, include_self, name):
    size = _dim_size(input, d)
    bad = _bad_index(index, size)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    return apply(_f_scatter_reduce, name, input, index, src, axis=d, reduce=reduce,
                 include_self=builtins.bool(include_self), checked=is_concrete(index._value))


def index_reduce(input, dim: int, index, source, reduce: str, *, include_self: bool = True):
    """`input` with the slices of `source` reduced ("prod", "mean", "amax", "amin") into the
    slices at `index` (1-D) along `dim`."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning,
                  stacklevel=user_stacklevel())
    d = _vector_index("index_reduce_", input, dim, index, source)
    if _bad_index(index, _dim_size(input, d)) is not None:
        raise IndexError("index out of range in self")
    # index_reduce is scatter_reduce with the index repeated over source's other dims.
    if not source.ndim:
        full = index.reshape(())
    else:
        shape = [1] * source.ndim
        shape[d] = -1
        full = index.reshape(shape).expand(*source.shape)
    return _scatter_reduce(input, d, full, source, reduce, include_self, "IndexReduceBackward0")


# ---- masked_scatter --------------------------------------------------------------------

def _f_masked_scatter(x, mask, src):
    x, mask = jnp.broadcast_arrays(x, mask)
    flat = src.reshape(-1).astype(x.dtype)
    # The k-th True of the mask (row-major) takes src's k-th element.
    position = jnp.cumsum(mask.reshape(-1)) - 1
    taken = flat[jnp.clip(position, 0, builtins.max(flat.size - 1, 0))]
    if jnp.issubdtype(x.dtype, jnp.inexact):
        # A traced mask with more Trues than source has elements (checked only when the
        # mask is concrete): NaN there, never a repeated element.
        taken = jnp.where(position < flat.size, taken, jnp.nan)
    return jnp.where(mask, taken.reshape(x.shape), x)


def masked_scatter(input, mask, source):
    """`input` with the elements where `mask` (bool, broadcastable) is True replaced, in
    order, by the first elements of `source`. Works traced (the positions come from a
    cumsum of the mask).

    PyTorch parity: torch broadcasts (mask, input) first (naming the mask "tensor a"),
    then runs masked_scatter_'s checks on the broadcast copy. A `source` with fewer
    elements than the mask's Trues raises only when the mask is concrete; under jit the
    extra positions are NaN (floating dtypes; integer ones repeat source's last element,
    as no integer can mark them).
    """
    from ._ops_math import broadcast_shape
    shape = broadcast_shape(mask, input)
    return _masked_scatter(input, mask, source, shape)


def masked_scatter_(input, mask, source):
    """masked_scatter's result for `input` to write back in place, with the in-place
    op's order of checks: source's dtype, then the mask expanded to input's shape (with
    expand's errors), then the mask's dtype."""
    _check_source_dtype(input, source)
    from ._ops_shape import expanded_shape
    expanded_shape(tuple(mask.shape), tuple(input.shape), mask.type())
    return _masked_scatter(input, mask, source, tuple(input.shape))


def _check_source_dtype(input, source) -> None:
    if source.dtype != input.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but "
                           f"got{_name(input.dtype)} and {_name(source.dtype)}")


def _masked_scatter(input, mask, source, shape):
    _check_source_dtype(input, source)
    if mask.dtype != _dtypes.bool:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {_name(mask.dtype)}")
    m = mask._value
    if is_concrete(m):
        ones = builtins.int(jnp.sum(jnp.broadcast_to(m, shape)))
        if ones > source.numel():
            raise RuntimeError("Number of elements of source < number of ones in mask")
        if source.numel() == 0:
            return input.expand(*shape).clone()
    return apply(_f_masked_scatter, "MaskedScatterBackward0", input, mask, source)


def index_put_(input, indices, values, accumulate: bool = False):
    """In-place index_put (torch.index_put_)."""
    return input._set(index_put(input, indices, values, accumulate))
