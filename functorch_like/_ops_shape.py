"""Shape ops: view/reshape, squeeze/unsqueeze, permute/transpose, expand/repeat,
cat/stack, narrow, flip/roll, tril/triu (split/chunk: _ops_split.py). Errors use PyTorch's
texts."""

from __future__ import annotations

import functools
import math
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from . import _autocast_state, _dtypes
from ._layout import viewable
from ._tensor import Tensor, _wrap_dim, apply, mark_view
from .pure._errors import is_concrete
from .pure._types import in_opmath
from . import _ops_shape_checks as _checks


def _sizes(args, op: str = "", name: str = "size") -> tuple:
    """`f(2, 3)`, `f((2, 3))`, `f([2, 3])` and `f(torch.Size)` all mean (2, 3). Each size
    is an int (or a NumPy integer, a one-element integer tensor): a float, a bool or a
    float tensor raises torch's TypeError (`x.view(n / 4, -1)` was truncated to 2)."""
    packed = len(args) == 1 and isinstance(args[0], (tuple, list))
    if packed:
        args = args[0]
    out = []
    for i, a in enumerate(args):
        if type(a) is not int and _not_a_size(a):
            what = "Tensor" if isinstance(a, Tensor) else type(a).__name__
            where = (f"but found element of type {what} at pos {i}" if packed or len(args) > 1
                     else f"not {what}")
            raise TypeError(f"{op or 'size'}(): argument '{name}' (position 1) must be tuple "
                            f"of ints, {where}")
        out.append(int(a))
    return tuple(out)


def _not_a_size(a) -> bool:
    """Whether torch refuses `a` as a size: a bool, a float, or a tensor/array that is
    not of an integer dtype."""
    if isinstance(a, (bool, np.bool_, float, np.floating, complex)):
        return True
    dtype = getattr(a, "dtype", None)
    return dtype is not None and not jnp.issubdtype(getattr(dtype, "jax", dtype), jnp.integer)


def size_argument(sizes: tuple, size, op: str) -> tuple:
    """A factory's sizes, given positionally (`zeros(2, 3)`) or as `size=` (torch's
    keyword), never both."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{op}() got multiple values for argument 'size'")
    return (size,)


def new_shape(args, op: str = "") -> tuple:
    """The shape of a tensor being created (`_sizes` rules); negative sizes raise
    PyTorch's error (torch.zeros words it its own way)."""
    shape = _sizes(args, op)
    for d in shape:
        if d < 0:
            if op == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {d}: "
                               f"{list(shape)}")
    return shape


def _infer_shape(shape: tuple, numel: int) -> tuple:
    inferred = False
    for i, d in enumerate(shape):        # (in order, as torch's infer_size reports)
        if d == -1:
            if inferred:
                raise RuntimeError("only one dimension can be inferred")
            inferred = True
        elif d < 0:
            raise RuntimeError(f"invalid shape dimension {d} at index {i} of shape "
                               f"{list(shape)}")
    known = math.prod(d for d in shape if d != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if d == -1 else d for d in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _f_reshape(x, *, shape):
    return jnp.reshape(x, shape)


def view(input, *shape, dtype=None):
    """Same data, new shape (one dim may be -1); or, given a dtype, the same bytes read as
    that dtype (see _ops_view_dtype.view_dtype). A non-contiguous view (a transpose, a
    slice of columns) that no strides can show in the new shape raises, as torch's.
    """
    if len(shape) == 1 and isinstance(_dtypes.as_dtype(shape[0]), _dtypes.dtype) \
            and dtype is None:
        shape, dtype = (), _dtypes.as_dtype(shape[0])
    if dtype is not None and not shape:
        from ._ops_view_dtype import view_dtype
        return view_dtype(input, dtype)
    shape = _infer_shape(_sizes(shape, "view"), input.numel())
    if not viewable(input, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride "
                           "(at least one dimension spans across two contiguous subspaces). "
                           "Use .reshape(...) instead.")
    return _as_view(apply(_f_reshape, "ViewBackward0", input, shape=shape), input)


def reshape(input, *shape):
    """A view in the new shape where torch's strides allow one, else a copy (as torch's:
    writing to the copy of a transposed view leaves its base alone)."""
    return _reshaped(input, _infer_shape(_sizes(shape, "reshape", "shape"), input.numel()))


def _reshaped(input, shape: tuple):
    if not viewable(input, shape):
        return apply(_f_reshape, "UnsafeViewBackward0", input, shape=shape)
    return _as_view(apply(_f_reshape, "ViewBackward0", input, shape=shape), input)


def _as_view(out, base):
    """Marks `out` as a reshaped view of `base`: in-place ops on it write back (PyTorch's
    views share storage)."""
    mark_view(out, base, "reshape")
    return out


def _as_selection(out, base, view: tuple, multi: tuple | None = None):
    """Marks `out` as a view that selects elements of `base` (a permutation, slice, row,
    diagonal or windows of unfold that do not overlap): in-place ops on it write back
    through `write_back`. `multi` = (function, output index) for the pieces of
    split/chunk/unbind, which torch's autograd forbids modifying in place."""
    mark_view(out, base, "select", view, multi)
    return out


def _f_selection(x, *, view):
    """The elements of `x` that `view` (see _as_selection) picks; `x` is a jax array, or a
    numpy one (write_back's positions): only indexing and methods both types have."""
    kind, *a = view
    if kind == "permute":
        return x.transpose(a[0])
    if kind == "slice":
        axis, start, length = a
        return x[(slice(None),) * axis + (slice(start, start + length),)]
    if kind == "select":
        return x[(slice(None),) * a[0] + (a[1],)]
    if kind == "unfold":
        axis, size, step = a
        windows = (x.shape[axis] - size) // step + 1
        picked = x.take(np.arange(windows)[:, None] * step + np.arange(size), axis=axis)
        order = [*range(axis + 1), *range(axis + 2, picked.ndim), axis + 1]
        return picked.transpose(order)      # (..., windows, ..., size)
    offset, a1, a2 = a
    return x.diagonal(offset, a1, a2)


def selection(base, view: tuple):
    """The view `view` (see _as_selection) of `base` taken anew (a plain op, not marked)."""
    return apply(_f_selection, "AsStridedBackward0", base, view=view)


def _f_write_back(base, value, *, view):
    # Where each element of the view lives in the base: the view of an iota. Static (numpy),
    # so the scatter below is exact for every dtype and differentiable for floats.
    positions = _f_selection(np.arange(base.size).reshape(base.shape),
                             view=view).reshape(-1)
    flat = base.reshape(-1).at[positions].set(value.reshape(-1).astype(base.dtype))
    return flat.reshape(base.shape)


def write_back(base, value, view: tuple):
    """`base` with the elements a selection view picks replaced by `value` (the new value
    of the view after an in-place op), recorded as torch's CopySlices."""
    return apply(_f_write_back, "CopySlices", base, value, view=view)


def view_as(input, other):
    return view(input, tuple(other.shape))


def reshape_as(input, other):
    return reshape(input, tuple(other.shape))


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merges dims start_dim..end_dim into one."""
    if input.ndim == 0:
        _wrap_dim(start_dim, 0), _wrap_dim(end_dim, 0)   # only 0 and -1 (PyTorch)
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, input.ndim), _wrap_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input            # (torch returns the tensor itself: a 1-d one stays a leaf)
    shape = input.shape[:s] + (math.prod(input.shape[s:e + 1]),) + input.shape[e + 1:]
    return _reshaped(input, tuple(shape))


def unflatten(input, dim: int, sizes):
    """Splits dim `dim` into `sizes` (one entry may be -1)."""
    d = _wrap_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    known = math.prod(n for n in sizes if n != -1)
    if (known != input.shape[d] if -1 not in sizes
            else known == 0 or input.shape[d] % known):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {d} ({input.shape[d]}) in the input tensor")
    sizes = _infer_shape(sizes, input.shape[d])
    return reshape(input, input.shape[:d] + sizes + input.shape[d + 1:])


def squeeze(input, dim=None):
    """Removes size-1 dims (all, or those in `dim`; others are left alone, as PyTorch)."""
    if dim is None:
        shape = tuple(s for s in input.shape if s != 1)
        name = "SqueezeBackward0"
    else:
        listed = [_wrap_dim(d, input.ndim) for d in ((dim,) if isinstance(dim, int) else dim)]
        dims = set(listed)
        if len(dims) < len(listed):
            twice = next(d for d in listed if listed.count(d) > 1)
            raise RuntimeError(f"dim {twice} appears multiple times in the list of dims")
        shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
        name = "SqueezeBackward1"
    return _as_view(apply(_f_reshape, name, input, shape=shape), input)


def unsqueeze(input, dim: int):
    d = _wrap_dim(dim, input.ndim + 1)
    shape = input.shape[:d] + (1,) + input.shape[d:]
    return _as_view(apply(_f_reshape, "UnsqueezeBackward0", input, shape=tuple(shape)), input)


def _f_permute(x, *, axes):
    return jnp.transpose(x, axes)


def permute(input, *dims):
    dims = _sizes(dims, "permute", "dims")
    if len(dims) != input.ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}")
    axes = tuple(_wrap_dim(d, input.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_selection(apply(_f_permute, "PermuteBackward0", input, axes=axes), input,
                         ("permute", axes))


def transpose(input, dim0: int, dim1: int):
    """Swaps two dims; a 0-d tensor accepts only dims 0 and -1 (PyTorch)."""
    if input.ndim == 0:
        _wrap_dim(dim0, 0), _wrap_dim(dim1, 0)
        return _as_selection(apply(_f_permute, "TransposeBackward0", input, axes=()), input,
                             ("permute", ()))
    a, b = _wrap_dim(dim0, input.ndim), _wrap_dim(dim1, input.ndim)
    axes = list(range(input.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return _as_selection(apply(_f_permute, "TransposeBackward0", input, axes=tuple(axes)),
                         input, ("permute", tuple(axes)))


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a matrix; of a 0-d or 1-d input, a view of it as it is (as torch's:
    a new tensor, with grad_fn TBackward0)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    axes = (1, 0) if input.ndim == 2 else tuple(range(input.ndim))
    return _as_selection(apply(_f_permute, "TBackward0", input, axes=axes), input,
                         ("permute", axes))


def movedim(input, source, destination):
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    _checks.check_movedim_counts(list(src), list(dst))
    wrapped_src = [_wrap_dim(s, input.ndim) for s in src]
    wrapped_dst = [_wrap_dim(d, input.ndim) for d in dst]
    _checks.check_movedim_repeats(list(src), list(dst), wrapped_src, wrapped_dst)
    if input.ndim == 0:
        return input     # dims 0 / -1 of a 0-d tensor: nothing moves
    src, dst = wrapped_src, wrapped_dst
    order = [i for i in range(input.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _as_selection(apply(_f_permute, "PermuteBackward0", input, axes=tuple(order)),
                         input, ("permute", tuple(order)))


moveaxis = movedim


# The ops below select or repeat elements: their values are exact in any dtype, but their
# backward adds up the copies' gradients, which torch does in float32 for float16 and
# bfloat16 (in_opmath: the transpose of the widening sums wide; 4096 bfloat16 copies of
# 0.025 add up to 102, not the 101 of a bfloat16 sum).
@in_opmath
def _f_broadcast_to(x, *, shape):
    return jnp.broadcast_to(x, shape)


# The scalar types with a legacy CPU tensor type, which torch's C++ names types by
# ("torch.FloatTensor"); others it names "CPUBoolType", "CPUComplexFloatType", ...
_LEGACY_TYPES = frozenset("Byte Char Short Int Long Half Float Double".split())


def expanded_shape(shape: tuple, sizes: tuple, type_name: str) -> tuple:
    """The shape `expand(sizes)` gives a tensor of `shape`, or PyTorch's error.

    `type_name` is the tensor's legacy type name ("torch.FloatTensor", `Tensor.type()`).
    """
    scalar = type_name[len("torch."):-len("Tensor")]
    if scalar not in _LEGACY_TYPES:
        type_name = f"CPU{scalar}Type"
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({type_name}{{{list(shape)}}}, size={list(sizes)}"
                           "): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    # PyTorch checks from the last dim backwards, so the last mismatch is the one named.
    for i in reversed(range(len(sizes))):
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out.insert(0, s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}")
        out.insert(0, s)
    return tuple(out)


def expand(input, *sizes):
    """Broadcasts size-1 dims (and new leading dims) to `sizes`; -1 keeps a dim."""
    shape = expanded_shape(tuple(input.shape), _sizes(sizes, "expand"), input.type())
    out = apply(_f_broadcast_to, "ExpandBackward0", input, shape=shape)
    if math.prod(shape) == input.numel():
        return _as_view(out, input)             # nothing repeated: a plain view
    # Elements that share one memory location in torch: in-place ops on it raise.
    mark_view(out, input, "expand")
    return out


def expand_as(input, other):
    return expand(input, tuple(other.shape))


def broadcast_to(input, shape):
    return expand(input, tuple(shape))


@in_opmath
def _f_tile(x, *, reps):
    return jnp.tile(x, reps)


def repeat(input, *sizes):
    """Tiles the tensor `sizes[i]` times along dim i (like numpy.tile)."""
    sizes = _sizes(sizes, "repeat", "repeats")
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    x = input.reshape((1,) * (len(sizes) - input.ndim) + tuple(input.shape))
    if any(n < 0 for n in sizes):       # (XLA's MLIR error before)
        shape = [a * b for a, b in zip(x.shape, sizes)]
        negative = next(n for n in shape if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: "
                           f"{shape}")
    return apply(_f_tile, "RepeatBackward0", x, reps=sizes)


@in_opmath
def _f_repeat_interleave(x, *, repeats, axis):
    return jnp.repeat(x, repeats, axis=axis)


@in_opmath
def _f_repeat_interleave_each(x, r, *, axis, total):
    return jnp.repeat(x, r, axis=axis, total_repeat_length=total)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each entry of `input` (flattened when dim is None) repeated `repeats` times along
    `dim`: an int, or a 1-D tensor of one count per entry. `repeat_interleave(counts)`
    alone gives arange(len(counts)) repeated by counts (int64).

    A tensor of counts decides the output's size: in traced code pass output_size."""
    if repeats is None:                     # torch.repeat_interleave(repeats)
        repeats = input
        input = Tensor._make(jnp.arange(repeats.numel(), dtype=repeats._value.dtype))
    x, axis = (input.reshape(-1), 0) if dim is None else (input, _wrap_dim(dim, input.ndim))
    if isinstance(repeats, Tensor) and repeats.ndim == 1 and repeats.numel() != 1:
        size = x.shape[axis] if x.ndim else 1
        if repeats.shape[0] != size:
            raise RuntimeError(f"repeats must have the same size as input along dim, but "
                               f"got repeats.size(0) = {repeats.shape[0]} and "
                               f"input.size({0 if dim is None else axis}) = {size}")
        r = repeats._value
        if output_size is None and not is_concrete(r):
            raise TypeError("repeat_interleave with a tensor of counts has an output size "
                            "that depends on their values; pass output_size inside traced "
                            "code (functorch_like.compile, jax.jit)")
        if is_concrete(r):
            with jax.ensure_compile_time_eval():
                if bool(jnp.any(r < 0)):
                    raise RuntimeError("repeats can not be negative")
                total = int(jnp.sum(r))
            if output_size is not None and int(output_size) != total:
                # (a wrong size padded or cut the result; traced counts cannot be checked)
                raise RuntimeError("allocated size does not match required size")
            output_size = total
        return apply(_f_repeat_interleave_each, "RepeatInterleaveBackward0", x, repeats,
                     axis=axis, total=int(output_size))
    counted = isinstance(repeats, Tensor)       # (one count, of every entry)
    if counted:
        repeats = repeats.item()
    if output_size is not None:
        expected = (x.shape[axis] if x.ndim else 1) * int(repeats)
        if int(output_size) != expected:
            raise RuntimeError("allocated size does not match required size" if counted else
                               f"repeat_interleave: Invalid output_size, expected {expected} "
                               f"but got {output_size}")
    return apply(_f_repeat_interleave, "RepeatInterleaveBackward0", x, repeats=int(repeats),
                 axis=axis)


# XLA compiles a program per operand count, and its compile time grows faster than the
# count (a concatenate of 4096 arrays, an epoch's batch outputs: 15 s on the 2-core VM, as
# in plain JAX): many operands are joined in groups of _GROUP, each group by one jitted
# program (one dispatch; the programs repeat), and the groups' results in turn.
_GROUP = 32


@functools.partial(jax.jit, static_argnames=("axis", "dtype", "new_axis"))
def _join(*xs, axis, dtype, new_axis):
    xs = [x.astype(dtype) for x in xs]
    return jnp.stack(xs, axis=axis) if new_axis else jnp.concatenate(xs, axis=axis)


def _concatenate(xs: tuple, axis: int, dtype, new_axis: bool = False):
    """concatenate (or stack, new_axis) of the arrays in dtype, in groups of _GROUP."""
    while len(xs) > _GROUP:
        xs = [_join(*xs[i:i + _GROUP], axis=axis, dtype=dtype, new_axis=new_axis)
              for i in range(0, len(xs), _GROUP)]
        new_axis = False
    return _join(*xs, axis=axis, dtype=dtype, new_axis=new_axis)


def _f_cat(*xs, axis, dtype):
    return _concatenate(xs, axis, dtype)


def cat(tensors: Sequence[Tensor], dim: int = 0):
    """Concatenates along `dim`, promoting dtypes; legacy empty 1-D tensors are skipped
    (but promote)."""
    tensors = _checks.tensor_list(tensors)
    if not tensors:
        # A ValueError in PyTorch, unlike the other cat errors.
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    _checks.check_cat_not_0d(tensors)
    numbered = [(i, t) for i, t in enumerate(tensors) if not (t.ndim == 1 and t.numel() == 0)]
    numbered = numbered or [(0, tensors[0])]
    kept = [t for _, t in numbered]
    ref = kept[0]
    d = _wrap_dim(dim, ref.ndim)
    for i, t in numbered:      # i: the position in the caller's list (named in the error)
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} "
                               f"and {t.ndim}")
        for ax in range(ref.ndim):
            if ax != d and t.shape[ax] != ref.shape[ax]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[ax]} but got size {t.shape[ax]} "
                                   f"for tensor number {i} in the list.")
    # (the skipped empty 1-D tensors still take part in the promotion, as torch's:
    # cat([ints, tensor([])]) is float)
    dtype = _dtypes.result_type(*[t._value for t in tensors])
    return apply(_f_cat, "CatBackward0", *kept, axis=d, dtype=dtype)


concat = concatenate = cat


def _f_stack(*xs, axis, dtype):
    return _concatenate(xs, axis, dtype, new_axis=True)


def stack(tensors: Sequence[Tensor], dim: int = 0):
    """Stacks equal-shaped tensors along a new dim."""
    tensors = _checks.tensor_list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at "
                               f"entry {i}")
    d = _wrap_dim(dim, tensors[0].ndim + 1)
    dtype = _dtypes.result_type(*[t._value for t in tensors])
    return apply(_f_stack, "StackBackward0", *tensors, axis=d, dtype=dtype)


def hstack(tensors):
    """cat of the inputs made at least 1-D, along dim 0 for 1-D ones, else dim 1."""
    tensors = [t.reshape(1) if t.ndim == 0 else t for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """cat along dim 0 of the inputs made at least 2-D."""
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors], 0)


def _f_narrow(x, *, axis, start, length):
    idx = [slice(None)] * x.ndim
    idx[axis] = slice(start, start + length)
    return x[tuple(idx)]


def narrow_args(input, dim: int, start: int, length: int) -> tuple:
    """(dim, start, length) of a narrow, checked with torch's errors; a negative start
    counts from the end."""
    _checks.check_narrow(input, dim, int(start), int(length))
    d = _wrap_dim(dim, input.ndim)
    start = int(start) % input.shape[d] if int(start) < 0 else int(start)
    if start + length > input.shape[d]:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({input.shape[d]}).")
    return d, start, int(length)


def narrow(input, dim: int, start: int, length: int):
    """`length` elements of `dim` from `start` (negative: from the end), as a view."""
    d, start, length = narrow_args(input, dim, start, length)
    out = apply(_f_narrow, "SliceBackward0", input, axis=d, start=start, length=length)
    return _as_selection(out, input, ("slice", d, start, length))


def _f_flip(x, *, axes):
    return jnp.flip(x, axes)


def flip(input, dims):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = tuple(_wrap_dim(d, input.ndim) for d in dims)
    _checks.check_unique_flip(axes)
    if input.ndim == 0:         # (torch takes dim 0 or -1 of a 0-d tensor: nothing to flip)
        axes = ()
    return apply(_f_flip, "FlipBackward0", input, axes=axes)


def _f_roll(x, *, shifts, axes):
    return jnp.roll(x, shifts, axes)


def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:            # the flattened tensor, rolled by one shift
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        return apply(_f_roll, "RollBackward0", input, shifts=shifts[0], axes=None)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    _checks.check_roll(input, shifts, dims)
    return apply(_f_roll, "RollBackward0", input, shifts=shifts,
                 axes=tuple(_wrap_dim(d, input.ndim) for d in dims))


def _f_tril(x, *, k):
    return jnp.tril(x, k)


def _f_triu(x, *, k):
    return jnp.triu(x, k)


def tril(input, diagonal: int = 0):
    """Lower triangle of the last two dims (elements above `diagonal` zeroed)."""
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return apply(_f_tril, "TrilBackward0", input, k=int(diagonal))


def triu(input, diagonal: int = 0):
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return apply(_f_triu, "TriuBackward0", input, k=int(diagonal))


def _f_diagonal(x, *, offset, axis1, axis2):
    return jnp.diagonal(x, offset, axis1, axis2)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    a1, a2 = _wrap_dim(dim1, input.ndim), _wrap_dim(dim2, input.ndim)
    _checks.check_diagonal_dims(a1, a2, dim1, dim2)
    out = apply(_f_diagonal, "DiagonalBackward0", input, offset=offset, axis1=a1, axis2=a2)
    return _as_selection(out, input, ("diagonal", offset, a1, a2))


def _f_diag(x, *, k):
    return jnp.diag(x, k)


def diag(input, diagonal: int = 0):
    """A 1-D input's diagonal matrix, or a 2-D input's `diagonal`-th diagonal."""
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return apply(_f_diag, "DiagBackward0", input, k=diagonal)


def _f_trace(x, *, dtype):
    return jnp.trace(x, dtype=dtype)


def trace(input):
    """Sum of the main diagonal of a matrix (integers and bools sum as int64, as torch;
    torch refuses bool)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype == _dtypes.bool:
        raise NotImplementedError('"trace" not implemented for \'Bool\'')
    input, = _autocast_state.cpu_fp32(input)    # (its result dtype is read from the input)
    dtype = input._value.dtype
    if not jnp.issubdtype(dtype, jnp.inexact):
        dtype = _dtypes.int64.jax
    return apply(_f_trace, "TraceBackward0", input, dtype=dtype)
