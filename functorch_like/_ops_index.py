"""Indexing (`x[...]`, `x[...] = v`), gather/scatter, index_select, nonzero, take.

Index arguments are split into a hashable description (ints, slices, None, Ellipsis) and
integer index arrays that travel as values. Boolean masks become integer indices while
their values are concrete (their count decides the result's shape). Concrete indices are
bounds-checked with PyTorch's IndexError, since JAX would clamp them silently; traced ones
(under compile) read NaN where out of range (see `_gather`).
"""

from __future__ import annotations

import builtins
import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._ops_index_mask import MaskedSelection, TracedMask, masked_read, masked_write
from ._ops_index_parse import _parse
from ._ops_math import _SCALARS, as_operand
from ._ops_search import concrete
from ._scalar_range import check_fits, converted
from ._tensor import Tensor, _wrap_dim, apply, mark_view
from ._func_frames import check_write
from .autograd._errors import VIEW_OF_LEAF_INPLACE
from .autograd._grad_mode import is_grad_enabled
from .pure import _edge_grads
from .pure._errors import is_concrete, user_stacklevel
from .pure._types import convert, in_opmath


def _reshaped(x, spec):
    """(x, spec) with a leading ('r', shape) applied (see _parse)."""
    if spec and spec[0][0] == "r":
        return x.reshape(spec[0][1]), spec[1:]
    return x, spec


def _build(spec, arrays):
    out = []
    for item in spec:
        kind = item[0]
        if kind == "n":
            out.append(None)
        elif kind == "e":
            out.append(Ellipsis)
        elif kind == "s":
            out.append(slice(item[1], item[2], item[3]))
        elif kind == "i":
            out.append(item[1])
        else:
            out.append(arrays[item[1]])
    return tuple(out)


def _mixed(spec) -> bool:
    kinds = {item[0] for item in spec}
    return "i" in kinds and "a" in kinds


def _select_ints(spec):
    """The first of two indexing steps for PyTorch's int + index-tensor semantics.

    PyTorch applies int indices as selections before the index tensors (`x[0, None, idx]`
    is `x.select(0, 0)[None, idx]`), while numpy/JAX treat ints as advanced indices that
    broadcast with the tensors, which moves the result's dims when the two are separated.
    Step one applies the ints (and inserts the None dims); `_rest` is step two's spec.
    """
    return tuple(item[1] if item[0] == "i" else None if item[0] == "n" else
                 Ellipsis if item[0] == "e" else slice(None) for item in spec)


def _rest(spec):
    return tuple(("s", None, None, None) if item[0] == "n" else item
                 for item in spec if item[0] != "i")


def _gather(x, index):
    # Index arrays get "fill" mode: an index out of range yields NaN (the smallest integer
    # for integer dtypes) instead of JAX's default clamp to the edge, so when bounds cannot
    # be checked (traced indices, under compile or jit) a bad index shows as a visibly bad
    # value rather than a plausible one.
    return x.at[index].get(mode="fill")


def _f_getitem(x, *arrays, spec):
    x, spec = _reshaped(x, spec)
    if _mixed(spec):
        return _gather(x[_select_ints(spec)], _build(_rest(spec), arrays))
    return _gather(x, _build(spec, arrays)) if arrays else x[_build(spec, arrays)]


def _getitem_name(spec, shape, index):
    if isinstance(index, slice):
        return "SliceBackward0"
    if any(s[0] == "a" for s in spec):
        return "IndexBackward0"
    if any(s[0] == "r" for s in spec):
        return "SliceBackward0"
    return _basic_name(spec, shape)


def _keeps_dim(start, stop, step, length) -> bool:
    """torch's test for skipping a slice: start 0 as written (-3 is a slice even when it
    means 0), a stop at or past the end, step 1."""
    return (start or 0) == 0 and (stop is None or stop >= length) and step in (None, 1)


def _writes_through_view(spec, shape, arrays) -> bool:
    """Whether torch writes `x[index] = v` into a view of x: its basic indices are applied
    first, and an int, a None, a bool (a new dim, as None) or a slice short of its whole
    dim makes a view (a leaf's error then names "a view of a leaf Variable")."""
    taken = builtins.sum(1 if s[0] in "is" else arrays[s[1]].ndim
                         if s[0] == "a" and arrays[s[1]].dtype == jnp.bool_ else
                         1 if s[0] == "a" else 0 for s in spec)
    dim = 0
    for s in spec:
        if s[0] in "inr":
            return True
        if s[0] == "e":
            dim += len(shape) - taken
        elif s[0] == "a":
            dim += arrays[s[1]].ndim if arrays[s[1]].dtype == jnp.bool_ else 1
        elif s[0] == "s":
            if not _keeps_dim(*s[1:], shape[dim]):
                return True
            dim += 1
    return False


def _basic_name(spec, shape) -> str:
    """torch applies basic indices one at a time (select, slice, unsqueeze), skipping an
    Ellipsis and a slice that keeps its whole dim: its grad_fn is the last one applied,
    AliasBackward0 when none was (`x[0, 0]` is SelectBackward0, `x[:, :]` an alias).
    A bare slice (`x[:]`, not in a tuple) is always sliced, as torch's fast path does."""
    consumed = builtins.sum(1 for s in spec if s[0] in "is")
    dim, name = 0, "AliasBackward0"
    for s in spec:
        if s[0] == "e":
            dim += len(shape) - consumed
        elif s[0] == "n":
            name = "UnsqueezeBackward0"
        else:
            if s[0] == "i":
                name = "SelectBackward0"
            elif not _keeps_dim(*s[1:], shape[dim]):
                name = "SliceBackward0"
            dim += 1
    return name


def getitem(input, index):
    """`input[index]` with ints, slices, None, Ellipsis, integer and boolean tensors.

    PyTorch parity: with a traced boolean mask (inside compile or jit) the result's shape
    is unknown; it is a `MaskedSelection` that can only be written back through the same
    mask (`y[m] += 1`, `y[m] = x[m] * 2`), see _ops_index_mask."""
    try:
        spec, arrays = _parse(input.shape, index)
    except TracedMask:
        spec = None         # (routed below: outside the except, nothing to chain)
    if spec is None:
        return masked_read(input, index)
    out = apply(_f_getitem, _getitem_name(spec, input.shape, index), input, *arrays, spec=spec)
    if not arrays:          # basic indexing is a view in PyTorch: in-place ops write back
        mark_view(out, input, "index", index)
    return out


def poisoned(result, bad):
    """`result`, or all of it NaN (the smallest integer for integer dtypes) where `bad`: a
    write through an index out of range that could not be checked (traced indices, under
    compile or jit), which JAX would silently drop. Bool results stay as they are."""
    dtype = result.dtype
    if jnp.issubdtype(dtype, jnp.inexact):
        fill = jnp.nan
    elif jnp.issubdtype(dtype, jnp.integer):
        fill = jnp.iinfo(dtype).min
    else:
        return result
    return jnp.where(bad, jnp.asarray(fill, dtype), result)


def _f_setitem(x, v, *arrays, spec, checked=True):
    if spec and spec[0][0] == "r":          # (bool scalars: write into the reshaped x)
        out = _f_setitem(x.reshape(spec[0][1]), v, *arrays, spec=spec[1:], checked=checked)
        return out.reshape(x.shape)
    v = jnp.asarray(v, x.dtype) if not hasattr(v, "astype") else convert(v, x.dtype)
    v = v.reshape(_strip_leading_ones(v.shape))
    if _mixed(spec) or not checked:
        # The flat positions written, with PyTorch's semantics (see _select_ints); an index
        # out of range reads as a negative position ("fill" mode).
        pos = _f_getitem(jnp.arange(x.size).reshape(x.shape), *arrays, spec=spec)
    if _mixed(spec):
        # Scatter into the flattened tensor: `.at[]` alone would use numpy's placement of
        # dims.
        v = jnp.broadcast_to(v, pos.shape)
        out = write_at(x.reshape(-1), v.reshape(-1), _flat, pos.reshape(-1)).reshape(x.shape)
    else:
        # `.at[].set` broadcasts v itself
        out = write_at(x, v, functools.partial(_built, spec), *arrays)
    return out if checked else poisoned(out, jnp.any(pos < 0))


def _flat(pos):
    return pos


def _built(spec, *arrays):
    return _build(spec, arrays)


def write_at(x, v, where, *indices):
    """`x.at[where(*indices)].set(v)`; with index arrays and a floating `x`, a repeated
    index gives every write there the gradient, as torch (see _edge_grads.set_at)."""
    if indices and jnp.issubdtype(x.dtype, jnp.inexact):
        return _edge_grads.set_at(where, x, v, *indices)
    return x.at[where(*indices)].set(v)


def _strip_leading_ones(shape) -> tuple:
    # PyTorch drops a value's leading size-1 dims before broadcasting it into the slice
    # (`x[0] = ones(1, 1, 4)` works for a (3, 4) x).
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _check_assignable(input, value, spec, arrays):
    """PyTorch's errors for a value that does not fit the indexed region."""
    if not isinstance(value, Tensor):
        return                          # a number fills any region
    target = tuple(jax.eval_shape(lambda x, *a: _f_getitem(x, *a, spec=spec),
                                  input._value, *arrays).shape)
    vshape = _strip_leading_ones(value.shape)
    if not arrays:
        # Basic indexing is `slice.copy_(value)`: expand's rules and message.
        from ._ops_shape import expanded_shape
        expanded_shape(vshape, target, value.type())
        return
    padded = (1,) * (len(target) - len(vshape)) + vshape
    if len(vshape) > len(target) or builtins.any(
            v != t and v != 1 for v, t in zip(padded, target)):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be "
                           f"broadcast to indexing result of shape {list(target)}")


def _one_value(value) -> bool:
    """A number or a one-element tensor: torch tries such a write as a masked_fill_."""
    return isinstance(value, _SCALARS) or isinstance(value, Tensor) and value.numel() == 1


def _refuse_byte_mask_fill(shape, index, value) -> None:
    """PyTorch writes one value through `masked_fill_` when the index is a single mask
    among basic indices (ints, slices, None, ...), and masked_fill_ refuses a uint8 mask
    (which other indexing still accepts, deprecated). torch checks the ints and the
    mask's shape first, and warns of nothing on this path."""
    if not _one_value(value):
        return
    items = index if isinstance(index, tuple) else (index,)
    tensors = [x for x in items if isinstance(x, Tensor)]
    if len(tensors) == 1 and tensors[0]._value.dtype == jnp.uint8 and not builtins.any(
            isinstance(x, (list, np.ndarray)) for x in items):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                _parse(shape, index, fill=True)
            except TracedMask:
                pass
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with "
                           "dtype unsigned char")


def _check_assignable_type(input, value) -> None:
    """torch's setitem takes a tensor or a Python number; anything else (a list, a string,
    None) is torch's TypeError. PyTorch-parity note: numpy arrays and scalars, and jax
    arrays, are taken as tensors, as the other ops here take them (torch refuses an
    ndarray and a numpy float32 scalar there). (A MaskedSelection: `x[mask]` under a
    traced mask, written back through it.)"""
    if isinstance(value, (Tensor, builtins.bool, builtins.int, builtins.float,
                          builtins.complex, np.ndarray, np.generic, jax.Array,
                          MaskedSelection)):
        return
    kind = type(value)
    # (CPython's tp_name: "numpy.ndarray" for a C type, the bare name for a class in Python
    # or a builtin)
    heap = kind.__flags__ & (1 << 9)
    name = kind.__name__ if heap or kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__name__}"
    raise TypeError(f"can't assign a {name} to a {input.type()}")


def check_same_dtype(input, values) -> None:
    """torch's index_put check: the values written through tensor indices are of the
    destination's dtype (no cast)."""
    if values.dtype != input.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{_dtypes.scalar_type_name(input.dtype)} for the destination and "
                           f"{_dtypes.scalar_type_name(values.dtype)} for the source.")


def _check_advanced_write_dtype(input, index, value) -> None:
    """`input[index] = tensor` with tensor indices is torch's index_put, which refuses a
    tensor of another dtype; basic indexing copies (casting), and so does the masked_fill
    that torch uses for one value through a single bool mask (among basic indices). A
    number, and (here) a numpy or JAX array, is cast."""
    if not isinstance(value, Tensor) or value.dtype == input.dtype:
        return
    items = index if isinstance(index, tuple) else (index,)
    # (a 0-d integer tensor indexes as the int it holds: basic indexing, as in torch)
    tensors = [x for x in items if isinstance(x, Tensor) and (
        x.ndim or x.dtype == _dtypes.bool)]
    listed = builtins.any(isinstance(x, (list, np.ndarray)) for x in items)
    if not tensors and not listed:
        return                                  # (basic indexing)
    if not listed and len(tensors) == 1 and tensors[0].dtype == _dtypes.bool \
            and _one_value(value):
        return                                  # (masked_fill_)
    check_same_dtype(input, value)


def setitem(input, index, value) -> None:
    """`input[index] = value` (in place; the value broadcasts to the indexed shape). With
    a traced boolean mask (inside compile or jit) it is a `where` (see _ops_index_mask).
    The value is a tensor or a number (see _check_assignable_type)."""
    _check_assignable_type(input, value)
    _refuse_byte_mask_fill(input.shape, index, value)
    check_write(input, setitem=True)        # (inside a torch.func transform)
    try:
        spec, arrays = _parse(input.shape, index, fill=_one_value(value))
    except TracedMask:
        spec = None
    if spec is None:
        _check_advanced_write_dtype(input, index, value)
        input._set(masked_write(input, index, value))
        return
    check_fits(value, input.dtype)
    value_in = value
    value = as_operand(converted(value, input.dtype))
    _check_assignable(input, value, spec, arrays)
    _check_advanced_write_dtype(input, index, value_in)    # (after the shape checks)
    if input._node is None and input._requires_grad and is_grad_enabled() and \
            _writes_through_view(spec, input.shape, arrays):
        raise RuntimeError(VIEW_OF_LEAF_INPLACE)
    # (concrete index tensors were bounds-checked by _parse; traced ones cannot be)
    checked = builtins.all(is_concrete(a) for a in arrays)
    result = apply(_f_setitem, "CopySlices", input, value, *arrays, spec=spec,
                   checked=checked)
    input._set(result)


_INDEX_DTYPE_ERRORS = {
    "gather": "gather(): Expected dtype int32/int64 for index",
    "scatter": "scatter(): Expected dtype int32/int64 for index",
    "scatter_add": "scatter(): Expected dtype int32/int64 for index",
    "index_select": "index_select(): Expected dtype int32 or int64 for index",
}


def _check_index_tensor(index, name):
    if not isinstance(index, Tensor) or not jnp.issubdtype(index._value.dtype, jnp.integer):
        raise RuntimeError(_INDEX_DTYPE_ERRORS[name])


def _size_along(input, d: int) -> int:
    """input's size along dim `d`; a 0-d tensor has size 1 there, as in torch."""
    return input.shape[d] if input.ndim else 1


def _check_bounds(index, size, dim):
    """gather/scatter indices lie in [0, size): PyTorch rejects negative ones too."""
    v = index._value
    if is_concrete(v) and v.size:
        lo, hi = builtins.int(jnp.min(v)), builtins.int(jnp.max(v))
        if lo < 0 or hi >= size:
            bad = hi if hi >= size else lo
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size "
                               f"{size}")


def add_at(at, x, src):
    """`at.add(src)` (`at` being `x.at[...]`); on bool an `or`, as torch adds bools (JAX's
    add refuses them)."""
    return at.max(src) if x.dtype == jnp.bool_ else at.add(src)


# (in_opmath: their backward scatter-adds in float32 for float16 and bfloat16, as torch's;
# a bfloat16 scatter-add of 4096 gradients of 0.025 stalls at 8)
@in_opmath
def _f_gather(x, idx, *, axis):
    shape = idx.shape
    x, idx = jnp.atleast_1d(x), jnp.atleast_1d(idx)     # torch reads 0-d as of size 1
    # PyTorch allows an index smaller than the input in the other dims: crop first.
    crop = tuple(slice(0, n) if d != axis else slice(None) for d, n in enumerate(idx.shape))
    return jnp.take_along_axis(x[crop], idx, axis=axis).reshape(shape)


def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """out[i][j] = input[index[i][j]][j] (for dim 0), index of input's rank."""
    _check_index_tensor(index, "gather")
    d = _wrap_dim(dim, input.ndim)
    if builtins.max(index.ndim, 1) != builtins.max(input.ndim, 1):    # (0-d counts as 1-d)
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    for ax in range(builtins.min(index.ndim, input.ndim)):
        if ax != d and index.shape[ax] > input.shape[ax]:
            raise RuntimeError(f"Size does not match at dimension {ax} expected index "
                               f"{list(index.shape)} to be no larger than self "
                               f"{list(input.shape)} apart from dimension {d}")
    _check_bounds(index, _size_along(input, d), d)
    return apply(_f_gather, "GatherBackward0", input, index, axis=d)


def check_scatter_shapes(input, d: int, index, src) -> None:
    """PyTorch's shape checks of scatter/scatter_add/scatter_reduce: index of input's
    rank (and src's, a tensor src: a 0-d one is not a scalar), no larger than input apart
    from dim `d` and no larger than src (JAX's broadcasting error, or a silent fill,
    before)."""
    rank = builtins.max(index.ndim, 1)      # (0-d counts as 1-d)
    if rank != builtins.max(input.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self "
                           "tensor")
    if src is None:
        return
    if rank != builtins.max(src.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src "
                           "tensor")
    if any(k != d and i > s for k, (i, s) in enumerate(zip(index.shape, input.shape))) or \
            any(i > s for i, s in zip(index.shape, src.shape)):
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                           f"{list(input.shape)} apart from dimension {d} and to be no larger "
                           f"size than src {list(src.shape)}")


def _scatter_index(idx, axis):
    grids = list(jnp.indices(idx.shape, sparse=True))
    grids[axis] = idx
    return tuple(grids)


def _f_scatter(x, idx, src, *, axis, mode, checked=True):
    shape = x.shape
    x, idx = jnp.atleast_1d(x), jnp.atleast_1d(idx)     # torch reads 0-d as of size 1
    if hasattr(src, "shape") and jnp.ndim(src):
        src = src[tuple(slice(0, n) for n in idx.shape)]
    src = jnp.asarray(src).astype(x.dtype)
    if mode == "set":      # every write at a repeated index gets the gradient, as torch's
        out = write_at(x, src, functools.partial(_scatter_index, axis=axis), idx)
    else:
        at = x.at[_scatter_index(idx, axis)]
        if mode == "add":
            out = add_at(at, x, src)
        else:   # (on bool a product is an `and`)
            out = at.min(src) if x.dtype == jnp.bool_ else at.multiply(src)
    out = out.reshape(shape)
    return out if checked else poisoned(out, jnp.any((idx < 0) | (idx >= x.shape[axis])))


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None):
    """Writes `src` (a tensor or a scalar) at `index` along `dim`, out of place."""
    _check_index_tensor(index, "scatter")
    if src is None:
        src = value
    if reduce is not None and isinstance(src, Tensor):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and "
                      "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                      "instead for more reduction options.", UserWarning,
                      stacklevel=user_stacklevel())
    d = _wrap_dim(dim, input.ndim)
    if isinstance(src, Tensor) and src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    check_fits(src, input.dtype)        # (a number value: -1.5 into uint8 raises)
    check_scatter_shapes(input, d, index, src if isinstance(src, Tensor) else None)
    _check_bounds(index, _size_along(input, d), d)
    mode = {None: "set", "add": "add", "multiply": "multiply"}.get(reduce)
    if mode is None:
        raise RuntimeError("reduce argument must be either add or multiply.")
    name = "ScatterBackward0" if isinstance(src, Tensor) else "ScatterBackward1"
    return apply(_f_scatter, name, input, index, as_operand(src), axis=d, mode=mode,
                 checked=is_concrete(index._value))


def scatter_add(input, dim: int, index, src):
    _check_index_tensor(index, "scatter_add")
    d = _wrap_dim(dim, input.ndim)
    check_scatter_shapes(input, d, index, src)
    if isinstance(src, Tensor) and src.dtype != input.dtype:     # (jnp would cast src)
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_bounds(index, _size_along(input, d), d)
    return apply(_f_scatter, "ScatterAddBackward0", input, index, src, axis=d, mode="add",
                 checked=is_concrete(index._value))


@in_opmath
def _f_index_select(x, idx, *, axis):
    if not x.ndim:          # (a 0-d input gives a 0-d result, as torch's)
        return jnp.take(x.reshape(1), idx, axis=0).reshape(())
    return jnp.take(x, idx, axis=axis)


def index_select(input, dim: int, index):
    """The entries of `index` (1-D) along `dim`."""
    _check_index_tensor(index, "index_select")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = _wrap_dim(dim, input.ndim)
    v = index._value
    if is_concrete(v) and v.size:
        size = input.shape[d] if input.ndim else 1
        # Negative indices are out of range too (PyTorch's text and type). (Evaluated now
        # also inside a trace, where the index may be a constant of the program.)
        with jax.ensure_compile_time_eval():
            low, high = builtins.int(jnp.min(v)), builtins.int(jnp.max(v))
        if low < 0 or high >= size:
            if d == 1 and input.ndim > 1:
                # (torch's kernel for dim 1 names the first bad index, in a RuntimeError)
                with jax.ensure_compile_time_eval():
                    flat = np.asarray(v).reshape(-1)
                bad = builtins.int(flat[(flat < 0) | (flat >= size)][0])
                raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} "
                                   f"axis_dim={size}")
            raise IndexError("index out of range in self")
    return apply(_f_index_select, "IndexSelectBackward0", input, index.reshape(-1), axis=d)


def nonzero(input, *, as_tuple: bool = False):
    """Indices of non-zero elements: (n, ndim) int64, or a tuple of 1-D index tensors."""
    values = concrete(input, "nonzero")
    if np.ndim(values) == 0:
        # torch: a 0-d tensor is one element at no index: (n, 0), or as a tuple one
        # index tensor [0] (or empty)
        n = int(bool(values))
        if as_tuple:
            return (Tensor._make(jnp.zeros((n,), _dtypes.int64.jax)),)
        return Tensor._make(jnp.zeros((n, 0), _dtypes.int64.jax))
    idx = np.nonzero(values)
    if as_tuple:
        return tuple(Tensor._make(jnp.asarray(i, _dtypes.int64.jax)) for i in idx)
    return Tensor._make(jnp.asarray(np.stack(idx, axis=1) if idx else np.zeros((0, 0)),
                                    _dtypes.int64.jax))


def nonzero_static(input, *, size: int, fill_value: int = -1):
    """nonzero's (n, ndim) indices padded with `fill_value` rows (or cut) to `size` rows:
    a static shape, so it works inside a compiled step, where nonzero cannot."""
    if isinstance(size, builtins.bool) or not isinstance(size, builtins.int) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    v = input._value
    if v.ndim == 0:
        out = jnp.zeros((size, 0), _dtypes.int64.jax)
    else:
        out = jnp.stack(jnp.nonzero(v, size=size, fill_value=fill_value), axis=1)
    return Tensor._make(out.astype(_dtypes.int64.jax))


def _f_take(x, idx):
    return jnp.take(x.reshape(-1), idx)


def take(input, index):
    """The elements of the flattened input at `index` (negative indices count from the end)."""
    if not isinstance(index, Tensor) or index._value.dtype not in (jnp.int32, jnp.int64):
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{_dtypes.scalar_type_name(index.dtype)}")
    v, n = index._value, input.numel()
    if v.size and not n:
        raise IndexError("take(): tried to take from an empty tensor")
    if is_concrete(v) and v.size:
        lo, hi = builtins.int(jnp.min(v)), builtins.int(jnp.max(v))
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on "
                             f"a tensor of {n} elements.")
    return apply(_f_take, "TakeBackward0", input, index)


@in_opmath
def _f_take_along_dim(x, idx, *, axis):
    return jnp.take_along_axis(x, idx, axis=axis)


def take_along_dim(input, indices, dim=None):
    if isinstance(indices, Tensor) and indices.dtype != _dtypes.int64:
        if dim is None:     # (torch's flattened path is a gather's)
            if indices.dtype not in (_dtypes.int32, _dtypes.int64):
                raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        else:
            raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but "
                               f"got {_dtypes.scalar_type_name(indices.dtype)}")
    if dim is None:
        return apply(_f_take_along_dim, "TakeAlongDimBackward0", input.reshape(-1),
                     indices.reshape(-1), axis=0)
    axis = _wrap_dim(dim, input.ndim)
    if indices.ndim != input.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    if not input.ndim:      # (unlike gather, torch refuses a 0-d input here)
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return apply(_f_take_along_dim, "TakeAlongDimBackward0", input, indices, axis=axis)
