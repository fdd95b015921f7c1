"""Combining and arranging tensors: meshgrid, broadcast_tensors/shapes, tile, diff, rot90,
dstack/column_stack/row_stack, atleast_nd, cartesian_prod, combinations, tril/triu_indices,
vander, flipud/fliplr, cummax/cummin, logcumsumexp.

Most are compositions of existing ops (reshape, expand, cat, flip), so their gradients and
view semantics come from those; the rest are pure functions through `apply`.
"""

from __future__ import annotations

import builtins
import itertools
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from . import _ops_math as M
from . import _ops_shape as S
from ._complex_refusals import refuse_complex_kernel
from ._ops_reduce import _index_dtype, named_result, return_types
from ._tensor import Size, Tensor, _wrap_dim, apply

# torch.return_types.cummax / cummin: (values, indices) named tuples like max/min's.
named_result("cummax")
named_result("cummin")


def _tensor_list(tensors) -> list:
    """`f(a, b)` and `f([a, b])` both mean [a, b]."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


# ---- broadcasting and grids -------------------------------------------------------------

def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of `shapes` broadcast to (ints count as 1-d shapes)."""
    shapes = [(s,) if isinstance(s, builtins.int) else s for s in shapes if s is not None]
    out = [1] * builtins.max((len(s) for s in shapes), default=0)
    for i, shape in enumerate(shapes):
        # From the last dim, as torch: the message shows the dims already merged.
        for k in range(-1, -1 - len(shape), -1):
            size = shape[k]
            if size == out[k]:
                continue
            if out[k] == 1:
                if size < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative "
                                     "length!")
                out[k] = size
            if size != 1 and out[k] != size:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {size} at {k}! Mismatching "
                    f"argument at index {i} had {shape}; but expected shape should be "
                    f"broadcastable to {out}")
    return Size(out)


def broadcast_tensors(*tensors) -> tuple:
    """The inputs expanded to their common broadcast shape (views, as torch); one already
    of that shape is returned itself, as torch's (a distribution keeps its parameter
    tensors: `Normal(loc, scale).loc is loc`, a leaf an optimizer can take)."""
    tensors = _tensor_list(tensors)
    shape = M.broadcast_shape(*tensors)
    return tuple(t if tuple(t.shape) == shape else S.expand(t, shape) for t in tensors)


_MESHGRID_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass "
                     "the indexing argument.")


def meshgrid(*tensors, indexing=None) -> tuple:
    """Coordinate grids from 0-d/1-d tensors of sizes n1..nk: k tensors of shape
    (n1, ..., nk) for indexing='ij', with the first two sizes swapped for 'xy'.

    Without `indexing`, 'ij' is used and torch's UserWarning is issued.

    PyTorch parity: for an input of more than one dim, torch's error message prints the
    tensor; this one names its dim count.
    """
    tensors = _tensor_list(tensors)
    if indexing is None:
        warnings.warn(_MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t.ndim}D tensor")
    swap = indexing == "xy" and len(tensors) >= 2
    order = [1, 0] + list(range(2, len(tensors))) if swap else list(range(len(tensors)))
    sizes = [tensors[i].numel() for i in order]
    grids = []
    for i, t in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[order.index(i)] = t.numel()     # the output dim this input varies along
        grids.append(S.expand(S.reshape(t, tuple(shape)), tuple(sizes)))
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of elements of the 1-d inputs: (n1 * ... * nk, k); one input is
    returned as it is."""
    tensors = _tensor_list(tensors)
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return S.stack([g.reshape(-1) for g in grids], 1)


def _f_rows(x, idx):
    return x[idx]


def combinations(input, r: int = 2, with_replacement: bool = False):
    """The r-length combinations of the elements of a 1-d tensor, as rows: (C, r);
    itertools.combinations order (combinations_with_replacement with the flag)."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(jnp.zeros((0,), input._value.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = np.array(list(pick(range(input.shape[0]), r)), np.int32).reshape(-1, r)
    return apply(_f_rows, "IndexBackward0", input, jnp.asarray(idx))


def _triangle_indices(np_fn, row, col, offset, dtype, name):
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dtype = _dtypes.int64 if dtype is None else _dtypes.as_dtype(dtype)
    if not (dtype.jax.kind in "iu"):
        raise _dtypes.kernel_error(name, dtype)
    rows, cols = np_fn(row, offset, col)
    return Tensor._make(jnp.asarray(np.stack([rows, cols]).reshape(2, -1), dtype.jax))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None):
    """The (2, N) row/column indices of the lower triangle of a row x col matrix (at and
    below diagonal `offset`), in row-major order."""
    del device, layout
    return _triangle_indices(np.tril_indices, row, col, offset, dtype, "tril_indices")


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None):
    """The (2, N) indices of the upper triangle (at and above diagonal `offset`)."""
    del device, layout
    return _triangle_indices(np.triu_indices, row, col, offset, dtype, "triu_indices")


def vander(x, N=None, increasing: bool = False):
    """The Vandermonde matrix of a 1-d x (n,): (n, N), columns x**(N-1) .. x**0 (or
    increasing). Integer inputs give int64, as torch's cumprod.

    PyTorch parity: torch 2.13's vander backward fails (it modifies a saved tensor in
    place); here the gradient is that of the powers.
    """
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x.dtype == _dtypes.bool or not (x.is_floating_point() or x.is_complex()):
        x = x.to(_dtypes.int64)
    # As torch: a cumulative product, so gradients at x == 0 are those of x*x*...
    cols = [S.reshape(x.new_ones(x.shape[0]), (-1, 1))][:n]
    if n > 1:
        cols.append(S.reshape(x, (-1, 1)).expand(x.shape[0], n - 1).cumprod(1))
    out = S.cat(cols, 1) if cols else Tensor._make(jnp.zeros((x.shape[0], 0),
                                                             x._value.dtype))
    return out if increasing else S.flip(out, 1)


# ---- arranging ----------------------------------------------------------------------------

def tile(input, dims):
    """Repeats the tensor `dims[i]` times along dim i; a shorter `dims` is padded with
    leading ones (unlike `repeat`)."""
    if isinstance(dims, builtins.int):
        raise TypeError("tile(): argument 'dims' (position 2) must be tuple of ints, not int")
    dims = tuple(dims)
    return S.repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def _f_diff(x, *, n, axis):
    if x.dtype == jnp.bool_:
        for _ in range(n):
            x = jnp.logical_xor(x[(slice(None),) * axis + (slice(1, None),)],
                                x[(slice(None),) * axis + (slice(None, -1),)])
        return x
    return jnp.diff(x, n=n, axis=axis)


def _check_diff_part(input, part, d):
    if part.ndim != input.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for k in range(input.ndim):
        if k != d and part.shape[k] != input.shape[k]:
            raise RuntimeError(
                "diff expects the shape of tensor to prepend or append to match that of input "
                f"except along the differencing dimension; input.size({k}) = "
                f"{input.shape[k]}, but got tensor.size({k}) = {part.shape[k]}")


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    """The n-th forward difference along `dim` (logical xor for bool), after concatenating
    `prepend` / `append` along that dim; n=0 gives a copy of input alone, as torch."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input.ndim)
    parts = [input]
    for part, front in ((prepend, True), (append, False)):
        if part is not None:
            part = M.as_operand(part)
            _check_diff_part(input, part, d)
            parts.insert(0, part) if front else parts.append(part)
    if n == 0:                  # (a copy of input: torch ignores prepend/append then)
        return input.clone()
    x = S.cat(parts, d) if len(parts) > 1 else input
    n = builtins.min(n, x.shape[d])
    return apply(_f_diff, "DiffBackward0", x, n=n, axis=d) if n else x


def rot90(input, k: int = 1, dims=(0, 1)):
    """Rotates by 90 degrees k times in the plane of `dims`, from the first towards the
    second."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = _wrap_dim(dims[0], input.ndim), _wrap_dim(dims[1], input.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return S.transpose(S.flip(input, d1), d0, d1)
    if k == 2:
        return S.flip(input, (d0, d1))
    if k == 3:
        return S.flip(S.transpose(input, d0, d1), d1)
    return input.clone()


def flipud(input):
    """Flips dim 0."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return S.flip(input, 0)


def fliplr(input):
    """Flips dim 1."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return S.flip(input, 1)


def _atleast(tensors, nd, fix):
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        t = tensors[0]
        return fix(t) if t.ndim < nd else t
    return tuple(fix(t) if t.ndim < nd else t for t in _tensor_list(tensors))


def atleast_1d(*tensors):
    """0-d tensors become (1,); a single tensor in, a tensor out; several, a tuple."""
    return _atleast(tensors, 1, lambda t: S.reshape(t, 1))


def atleast_2d(*tensors):
    """0-d -> (1, 1), (n,) -> (1, n)."""
    return _atleast(tensors, 2, lambda t: S.reshape(t, (1, -1)))


def atleast_3d(*tensors):
    """0-d -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _atleast(tensors, 3, lambda t: S.reshape(
        t, (1, t.numel(), 1) if t.ndim < 2 else tuple(t.shape) + (1,)))


def dstack(tensors):
    """Concatenates along dim 2 after atleast_3d."""
    return S.cat(atleast_3d(list(tensors)), 2)


def column_stack(tensors):
    """Columns side by side: 0-d/1-d inputs become (n, 1) columns, then cat along dim 1."""
    return S.hstack([S.reshape(t, (t.numel(), 1)) if t.ndim < 2 else t for t in tensors])


row_stack = S.vstack


# ---- cumulative ---------------------------------------------------------------------------

def _cum_select(x, *, axis, largest):
    """Indices of the running max (min) along axis: the last one on ties, and NaN wins from
    where it appears (torch's cummax/cummin)."""
    better = jnp.greater_equal if largest else jnp.less_equal

    def combine(a, b):
        (va, ia), (vb, ib) = a, b
        take_b = jnp.isnan(vb) | (~jnp.isnan(va) & better(vb, va)) \
            if jnp.issubdtype(va.dtype, jnp.inexact) else better(vb, va)
        return jnp.where(take_b, vb, va), jnp.where(take_b, ib, ia)

    idx = jax.lax.broadcasted_iota(jnp.int32, x.shape, axis)
    _, best = jax.lax.associative_scan(combine, (x, idx), axis=axis)
    return best


def _f_cum_extreme(x, *, axis, largest):
    if x.ndim == 0:
        return x, jnp.zeros((), _index_dtype())
    idx = _cum_select(jax.lax.stop_gradient(x), axis=axis, largest=largest)
    # Values gathered at the indices: the gradient goes to each chosen element, as torch's.
    return jnp.take_along_axis(x, idx, axis=axis), idx.astype(_index_dtype())


def cummax(input, dim: int):
    """Running maximum along `dim` and where it was found: (values, indices)."""
    refuse_complex_kernel("cummax_cpu", input)
    values, indices = apply(_f_cum_extreme, "CummaxBackward0", input,
                            axis=_wrap_dim(dim, input.ndim), largest=True)
    return return_types.cummax(values, indices)


def cummin(input, dim: int):
    """Running minimum along `dim` and where it was found: (values, indices)."""
    refuse_complex_kernel("cummin_cpu", input)
    values, indices = apply(_f_cum_extreme, "CumminBackward0", input,
                            axis=_wrap_dim(dim, input.ndim), largest=False)
    return return_types.cummin(values, indices)


def _f_logcumsumexp(x, *, axis):
    if x.ndim == 0:
        return x
    return jax.lax.cumlogsumexp(x, axis=axis)


def logcumsumexp(input, dim: int):
    """log(cumsum(exp(input))) along `dim`, without overflow; floating inputs only."""
    if not (input.is_floating_point() or input.is_complex()):
        raise _dtypes.kernel_error("logcumsumexp_out_cpu", input.dtype)
    return apply(_f_logcumsumexp, "LogcumsumexpBackward0", input,
                 axis=_wrap_dim(dim, input.ndim))
