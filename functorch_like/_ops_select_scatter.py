"""select, the *_scatter family (select/slice/diagonal_scatter: a copy of the input with
`src` embedded where the view would be) and fill_diagonal_."""

from __future__ import annotations

import builtins

import jax.numpy as jnp
import numpy as np

from . import _ops_shape as S
from ._ops_math import as_operand
from ._tensor import _wrap_dim, apply


# ---- select and the *_scatter family ---------------------------------------------------

def _select_index(input, d: int, index: int) -> int:
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return index % size


def select(input, dim: int, index: int):
    """The slice at `index` along `dim`, without that dim (a view)."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input.ndim)
    view = ("select", d, _select_index(input, d, builtins.int(index)))
    out = apply(S._f_selection, "SelectBackward0", input, view=view)
    return S._as_selection(out, input, view)


def _check_src(src, target_shape) -> None:
    if tuple(src.shape) != tuple(target_shape):
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(target_shape)}")


def select_scatter(input, src, dim: int, index: int):
    """A copy of `input` with `src` embedded at `index` along `dim` (`src` has input's shape
    without `dim`)."""
    d = _wrap_dim(dim, input.ndim)
    view = ("select", d, _select_index(input, d, builtins.int(index)))
    _check_src(src, input.shape[:d] + input.shape[d + 1:])
    return apply(S._f_write_back, "SelectScatterBackward0", input, src, view=view)


def _f_slice_scatter(x, src, *, axis, start, stop, step):
    return x.at[(slice(None),) * axis + (slice(start, stop, step),)].set(src.astype(x.dtype))


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1):
    """A copy of `input` with `src` embedded at `input[..., start:end:step, ...]` (`dim`)."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, input.ndim)
    start, end, step = slice(start, end, step).indices(input.shape[d])
    length = len(range(start, end, step))
    _check_src(src, input.shape[:d] + (length,) + input.shape[d + 1:])
    return apply(_f_slice_scatter, "SliceScatterBackward0", input, src, axis=d, start=start,
                 stop=end, step=step)


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A copy of `input` with `src` embedded as its diagonal (see `torch.diagonal`)."""
    a1, a2 = _wrap_dim(dim1, input.ndim), _wrap_dim(dim2, input.ndim)
    if a1 == a2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    view = ("diagonal", builtins.int(offset), a1, a2)
    _check_src(src, np.empty(input.shape, np.bool_).diagonal(offset, a1, a2).shape)
    return apply(S._f_write_back, "DiagonalScatterBackward0", input, src, view=view)


# ---- fill_diagonal_ --------------------------------------------------------------------

def _diagonal_positions(shape: tuple, wrap: bool) -> np.ndarray:
    if len(shape) == 2 and wrap and shape[0] > shape[1] + 1:
        # Tall matrices: the diagonal restarts every (cols + 1) rows (numpy's fill_diagonal).
        return np.arange(0, shape[0] * shape[1], shape[1] + 1)
    strides = np.cumprod((1,) + shape[:0:-1])[::-1]
    return np.arange(builtins.min(shape)) * builtins.int(np.sum(strides))


def _f_fill_diagonal(x, value, *, wrap):
    flat = x.reshape(-1).at[_diagonal_positions(x.shape, wrap)]
    return flat.set(jnp.asarray(value).astype(x.dtype)).reshape(x.shape)


def fill_diagonal_(self, fill_value, wrap: bool = False):
    """Fills the main diagonal (all dims equal for more than 2 dims) in place; `wrap`
    restarts it below a tall matrix's square part."""
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.ndim > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    return self._set(apply(_f_fill_diagonal, "CopySlices", self, as_operand(fill_value),
                           wrap=builtins.bool(wrap)))
