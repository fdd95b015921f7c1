"""Pooling over the trailing spatial dims of (N, C, *spatial) or unbatched (C, *spatial)."""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np

from . import _activations
from ._conv import ntuple
from ._errors import ShapeError, shape_str
from ._types import Array

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_avg_pool3d", "adaptive_max_pool", "lp_pool"]


def _out_size(size, k, s, p, d, ceil_mode):
    span = d * (k - 1) + 1
    num = size + 2 * p - span
    out = (-(-num // s) if ceil_mode else num // s) + 1
    # PyTorch: with ceil_mode the last window must start inside the input or left padding.
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _check_padding(k, p, d, name):
    """PyTorch's padding checks, in its order: at::max_pool1d's own (plain kernel size),
    then the output-size one per dim (dilated kernel size), then the 2-d/3-d kernels' shape
    check (plain kernel size again: only a dilated max pool reaches it)."""
    if name == "max_pool1d" and p[0] > k[0] // 2:
        raise ShapeError(f"max_pool1d() padding should be at most half of kernel size, "
                         f"but got padding={p[0]} and kernel_size={k[0]}")
    for ki, pi, di in zip(k, p, d):
        if pi > ((ki - 1) * di + 1) // 2:
            raise ShapeError(f"pad should be at most half of effective kernel size, but got "
                             f"pad={pi}, kernel_size={ki} and dilation={di}")
    if all(pi <= ki // 2 for pi, ki in zip(p, k)):
        return
    if len(k) == 3:
        (kt, kh, kw), (pt, ph, pw) = k, p
        raise ShapeError("pad should be smaller than or equal to half of kernel size, but got "
                         f"kT: {kt} kW: {kw} kH: {kh} padT: {pt} padW: {pw} padH: {ph}")
    (kh, kw), (ph, pw) = ((1,) + k)[-2:], ((0,) + p)[-2:]     # 1-d runs as 2-d
    raise ShapeError("pad should be smaller than or equal to half of kernel size, but got "
                     f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}")


def _raise_too_small(x, nd, outs, name):
    if name == "max_pool1d":        # at::max_pool1d checks before it picks a kernel
        raise ShapeError(f"max_pool1d() Invalid computed output size: {outs[0]}")
    sizes = tuple(x.shape[-nd:])
    if nd == 1:                     # the other 1-d pools run as 2-d ones, of unit height
        sizes, outs = (1,) + sizes, [1] + list(outs)
    planes = x.shape[-nd - 1]
    raise ShapeError(f"Given input size: ({'x'.join(map(str, (planes,) + sizes))}). "
                     f"Calculated output size: ({'x'.join(map(str, [planes] + list(outs)))}). "
                     "Output size is too small")


def _window_args(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name):
    if x.ndim not in (nd + 1, nd + 2):
        if nd == 3:     # PyTorch's 3-d pools' own text
            raise ShapeError("non-empty 4D or 5D (batch mode) tensor expected for input")
        raise ShapeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input, but got input of "
                         f"size: {shape_str(x.shape)}")
    k = ntuple(kernel_size, nd)
    # PyTorch: stride None (or an empty list) means stride = kernel_size.
    s = k if stride is None or stride == [] or stride == () else ntuple(stride, nd)
    if 0 in s:      # (PyTorch's checks; a ZeroDivisionError in the sizes below otherwise)
        raise ShapeError("max_pool1d() stride must be greater than zero, but got 0"
                         if name == "max_pool1d" else "stride should not be zero")
    p, d = ntuple(padding, nd), ntuple(dilation, nd)
    _check_padding(k, p, d, name)
    sizes = x.shape[-nd:]
    outs = [_out_size(n, ki, si, pi, di, ceil_mode) for n, ki, si, pi, di in zip(sizes, k, s, p, d)]
    if any(o <= 0 for o in outs):
        _raise_too_small(x, nd, outs, name)
    # Right padding that yields exactly `out` windows (more than `p` in ceil mode).
    his = [max((o - 1) * si + di * (ki - 1) + 1 - n - pi, 0)
           for o, n, ki, si, pi, di in zip(outs, sizes, k, s, p, d)]
    lead = x.ndim - nd
    return k, s, p, d, his, outs, lead


def _reduce(x, init, op, k, s, d, pads, lead, outs):
    # `init` must be a concrete (numpy) scalar: only then does lax.reduce_window pick its
    # differentiable max/sum primitives; a jnp constant is a tracer under jit, and the
    # generic reduce_window has no VJP.
    y = jax.lax.reduce_window(x, init, op, (1,) * lead + k, (1,) * lead + s,
                              [(0, 0)] * lead + pads, window_dilation=(1,) * lead + d)
    return y[(...,) + tuple(slice(0, o) for o in outs)]


def _max_windows(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name):
    """The window geometry of a max pool, with padding that never wins (-inf or the
    integer minimum)."""
    k, s, p, d, his, outs, lead = _window_args(x, nd, kernel_size, stride, padding, dilation,
                                               ceil_mode, name)
    init = -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
    pads = [(pi, hi) for pi, hi in zip(p, his)]
    return np.asarray(init, x.dtype), k, s, d, pads, lead, outs


def _max_pool(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name):
    init, k, s, d, pads, lead, outs = _max_windows(x, nd, kernel_size, stride, padding,
                                                   dilation, ceil_mode, name)
    if any(di != 1 for di in d):
        return _dilated_max(x, init, k, s, d, pads, lead, outs)
    return _reduce(x, init, jax.lax.max, k, s, d, pads, lead, outs)


def _stacked_windows(x, init, k, s, d, pads, lead, outs):
    """(K, ..., *outs): for each of the K kernel offsets (in window order), the strided
    slice of the padded input it sees; and the K slices themselves."""
    xp = jnp.pad(x, [(0, 0)] * lead + pads, constant_values=init)
    windows = [tuple(slice(oi * di, oi * di + (n - 1) * si + 1, si)
                     for oi, di, si, n in zip(offset, d, s, outs))
               for offset in itertools.product(*(range(ki) for ki in k))]
    return jnp.stack([xp[(...,) + w] for w in windows]), windows


def _dilated_max(x, init, k, s, d, pads, lead, outs):
    # JAX has no VJP for a window-dilated reduce_window max, so take the max over one
    # strided slice per kernel offset instead. The gradient goes to the first maximum in
    # window order, as PyTorch's (and reduce_window's) does on ties.
    stacked, _ = _stacked_windows(x, init, k, s, d, pads, lead, outs)
    first = jnp.argmax(stacked, axis=0)
    return jnp.take_along_axis(stacked, first[None], axis=0)[0]


def _argmax_positions(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name):
    """Per window, the flat position (within its H*W plane of the unpadded input) of the
    first maximum in window order, a NaN counting as the maximum, as PyTorch's indices."""
    init, k, s, d, pads, lead, outs = _max_windows(x, nd, kernel_size, stride, padding,
                                                   dilation, ceil_mode, name)
    stacked, windows = _stacked_windows(x, init, k, s, d, pads, lead, outs)
    if jnp.issubdtype(x.dtype, jnp.floating):         # NaN wins, as in PyTorch's kernel
        stacked = jnp.where(jnp.isnan(stacked), jnp.inf, stacked)
    first = jnp.argmax(stacked, axis=0)
    sizes = x.shape[-nd:]
    where = np.pad(np.arange(int(np.prod(sizes))).reshape(sizes), pads, constant_values=-1)
    table = np.stack([where[w] for w in windows])
    table = table.reshape((len(windows),) + (1,) * lead + tuple(outs))
    table = jnp.broadcast_to(jnp.asarray(table), (len(windows),) + first.shape)
    index_dtype = jax.dtypes.canonicalize_dtype(jnp.int64)
    picked = jnp.take_along_axis(table, first[None], axis=0)[0]
    fallback = _window_starts(sizes, k, s, pads, d, outs).reshape((1,) * lead + tuple(outs))
    # A window with no value above -inf picked a padding cell (-1) when it holds only
    # padding: PyTorch reports its start instead, even where that lies past the input.
    return jnp.where(picked < 0, fallback, picked).astype(index_dtype)


def _window_starts(sizes, k, s, pads, d, outs):
    """Per window, PyTorch's initial argmax: the flat position of its first offset, each
    dim's start stepped by its dilation until it is not negative (the kernel's loop)."""
    starts = []
    for o, si, (pi, _), di in zip(outs, s, pads, d):
        start = np.arange(o) * si - pi
        starts.append(np.where(start < 0, start + di * (-(start // di)), start))
    flat = np.zeros((), np.int64)
    for size, start in zip(sizes, starts):
        flat = np.add.outer(flat * size, start)
    return flat


def max_pool1d_with_indices(x: Array, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False) -> tuple[Array, Array]:
    """max_pool1d and, per output, the position of its maximum along L (for max_unpool1d).
    PyTorch parity: on ties the first maximum in the window wins; indices are int64 (int32
    unless x64 is on)."""
    # Named apart from max_pool1d: PyTorch runs this one as a 2-d pool, with its texts.
    name = "max_pool1d_with_indices"
    return (_max_pool(x, 1, kernel_size, stride, padding, dilation, ceil_mode, name),
            _argmax_positions(x, 1, kernel_size, stride, padding, dilation, ceil_mode, name))


def max_pool2d_with_indices(x: Array, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False) -> tuple[Array, Array]:
    """max_pool2d and, per output, the flat position h * W + w of its maximum in the input
    plane (for max_unpool2d); ties go to the first maximum in window order, as PyTorch."""
    return (max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode),
            _argmax_positions(x, 2, kernel_size, stride, padding, dilation, ceil_mode,
                              "max_pool2d"))


def max_pool3d_with_indices(x: Array, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False) -> tuple[Array, Array]:
    """max_pool3d and, per output, the flat position (d * H + h) * W + w of its maximum."""
    return (max_pool3d(x, kernel_size, stride, padding, dilation, ceil_mode),
            _argmax_positions(x, 3, kernel_size, stride, padding, dilation, ceil_mode,
                              "max_pool3d"))


def max_pool1d(x: Array, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False) -> Array:
    """Max over windows of (N, C, L) -> (N, C, L_out); padding counts as -inf."""
    return _max_pool(x, 1, kernel_size, stride, padding, dilation, ceil_mode, "max_pool1d")


def max_pool2d(x: Array, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False) -> Array:
    """Max over windows of (N, C, H, W) -> (N, C, H_out, W_out); stride defaults to kernel."""
    return _max_pool(x, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")


def max_pool3d(x: Array, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False) -> Array:
    """Max over windows of (N, C, D, H, W) -> (N, C, D_out, H_out, W_out)."""
    return _max_pool(x, 3, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")


def _avg_pool(x, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, name):
    k, s, p, d, his, outs, lead = _window_args(x, nd, kernel_size, stride, padding, 1,
                                               ceil_mode, name)
    pads = [(pi, hi) for pi, hi in zip(p, his)]
    half = x.dtype in (jnp.float16, jnp.bfloat16)
    if half:    # (summed and divided in float32, then rounded once, as torch's CPU kernel)
        return _avg_pool(x.astype(jnp.float32), nd, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override, name).astype(x.dtype)
    total = _reduce(x, np.asarray(0, x.dtype), jax.lax.add, k, s, d, pads, lead, outs)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        return _divide(total, divisor_override)
    # PyTorch's divisor, per spatial dim and multiplied over them: a window starting at
    # o*s - p counts up to the end of the explicit padding (when count_include_pad), or
    # the input's cells only; never the extra right padding that ceil_mode adds.
    counts = np.ones((), np.float64)
    for size, ki, si, pi, o in zip(x.shape[-nd:], k, s, p, outs):
        start = np.arange(o) * si - pi
        end = np.minimum(start + ki, size + pi)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        counts = np.multiply.outer(counts, (end - start).astype(np.float64))
    return _divide(total, counts)


def _divide(total: Array, divisor) -> Array:
    """A window sum over its divisor: for integers torch's integer division (truncation
    toward zero), in the input's dtype."""
    if jnp.issubdtype(total.dtype, jnp.integer):
        return jax.lax.div(total, jnp.broadcast_to(jnp.asarray(divisor).astype(total.dtype),
                                                   total.shape))
    return total / np.asarray(divisor, total.dtype)


def avg_pool1d(x: Array, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Array:
    """Mean over windows of (N, C, L) -> (N, C, L_out), PyTorch's divisor rules."""
    return _avg_pool(x, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     "avg_pool1d")


def avg_pool2d(x: Array, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Array:
    """Mean over windows of (N, C, H, W) -> (N, C, H_out, W_out).

    PyTorch parity: with `count_include_pad` the zero padding counts in the divisor, the
    extra right padding of `ceil_mode` never does; `divisor_override` replaces the divisor.
    """
    return _avg_pool(x, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool2d")


def avg_pool3d(x: Array, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Array:
    """Mean over windows of (N, C, D, H, W), with avg_pool2d's divisor rules."""
    return _avg_pool(x, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool3d")


def _adaptive_matrix(size: int, out: int) -> np.ndarray:
    # Bin i covers [floor(i*size/out), ceil((i+1)*size/out)), as PyTorch.
    m = np.zeros((out, size))
    for i in range(out):
        lo, hi = (i * size) // out, -(-((i + 1) * size) // out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


def _adaptive_sizes(x, nd, output_size, name):
    if x.ndim not in (nd + 1, nd + 2):
        # PyTorch's texts: the 1-d pools check through a generic argument check, the
        # max pools add a colon.
        if nd == 1:
            raise ShapeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional "
                             f"tensor for argument #1 'self' (while checking arguments for "
                             f"{name})")
        colon = ":" if "max" in name else ""
        raise ShapeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{colon} "
                         f"{shape_str(x.shape)}")
    if isinstance(output_size, int) or output_size is None:
        output_size = (output_size,) * nd
    if len(output_size) != nd:
        if nd == 1:         # (torch's argument parser reads the 1-d pools' int[1])
            raise ShapeError(f"{name}() argument 'output_size' should contain one int (got "
                             f"{len(output_size)})")
        raise ShapeError(f"{name}: output_size must be {nd}" if "avg" in name else
                         f"{name}(): internal error: output_size.size() must be {nd}")
    empty = [d for d in range(x.ndim - nd, x.ndim) if x.shape[d] == 0]
    if empty:
        # (an empty pooled dim: no bin has an element; torch's 1-d average pool runs as
        # the 2-d one, on the input with a unit dim before the last)
        shape, dim, shown = list(x.shape), empty[0], name
        if name == "adaptive_avg_pool1d":
            shape, dim, shown = shape[:-1] + [1] + shape[-1:], x.ndim, "adaptive_avg_pool2d"
        raise ShapeError(f"{shown}(): Expected input to have non-zero size for non-batch "
                         f"dimensions, but input has sizes {shape} with dimension {dim} "
                         "being empty")
    return tuple(n if o is None else int(o) for o, n in zip(output_size, x.shape[-nd:]))


def adaptive_avg_pool(x: Array, nd: int, output_size, name: str = "adaptive_avg_pool") -> Array:
    """Average over adaptive bins of the last `nd` dims (bin i of an axis of size n covers
    [floor(i*n/out), ceil((i+1)*n/out))); None in output_size keeps a dim.

    PyTorch parity: float16/bfloat16 are averaged in float32 and rounded once, as torch's
    1-d and 2-d CPU kernels; its 3-d kernel sums in the half type, element by element, so
    its 3-d half results can be a few ulps from these (which are the closer to the mean)."""
    outs = _adaptive_sizes(x, nd, output_size, name)
    # Half precision is averaged in float32 and rounded once, as torch's CPU kernel (bf16
    # bin weights such as 1/7 -> 0.1426 biased every mean downwards); the products are
    # full float32 (HIGHEST), not TF32 as a GPU's default would make them.
    half = x.dtype in (jnp.float16, jnp.bfloat16)
    y = x.astype(jnp.float32) if half else x
    for axis, (n, o) in enumerate(zip(x.shape[-nd:], outs)):
        m = jnp.asarray(_adaptive_matrix(n, o), y.dtype)
        y = jnp.moveaxis(jnp.tensordot(y, m, axes=([x.ndim - nd + axis], [1]),
                                       precision=jax.lax.Precision.HIGHEST), -1,
                         x.ndim - nd + axis)
    return y.astype(x.dtype) if half else y


def adaptive_avg_pool1d(x: Array, output_size) -> Array:
    """Average over `output_size` adaptive bins of (N, C, L) -> (N, C, output_size)."""
    return adaptive_avg_pool(x, 1, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(x: Array, output_size) -> Array:
    """Average over adaptive bins: (N, C, H, W) -> (N, C, *output_size); None keeps a dim."""
    return adaptive_avg_pool(x, 2, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(x: Array, output_size) -> Array:
    """Average over adaptive bins: (N, C, D, H, W) -> (N, C, *output_size)."""
    return adaptive_avg_pool(x, 3, output_size, "adaptive_avg_pool3d")


def _bin_table(size: int, out: int) -> np.ndarray:
    """(out, widest bin): the input positions of each adaptive bin, the short bins padded
    by repeating their last position (after the real ones, so a first-maximum search never
    picks a repeat)."""
    lo = [(i * size) // out for i in range(out)]
    hi = [-(-((i + 1) * size) // out) for i in range(out)]
    width = max(h - l for l, h in zip(lo, hi))
    return np.array([[min(l + j, h - 1) for j in range(width)] for l, h in zip(lo, hi)])


def adaptive_max_pool(x: Array, nd: int, output_size, name: str = "adaptive_max_pool"
                      ) -> tuple[Array, Array]:
    """Max over adaptive bins of the last `nd` dims of (N, C, *) or (C, *).

    Returns:
      (values, indices): the indices are each maximum's flat position in its input plane
      (int64, int32 unless x64 is on). PyTorch parity: the first maximum in window order
      wins and gets the gradient; a NaN counts as the maximum.
    """
    outs = _adaptive_sizes(x, nd, output_size, name)
    sizes = x.shape[-nd:]
    if any(o == 0 for o in outs):
        empty = x.shape[:-nd] + outs
        index_dtype = jax.dtypes.canonicalize_dtype(jnp.int64)
        return jnp.zeros(empty, x.dtype), jnp.zeros(empty, index_dtype)
    tables = [_bin_table(n, o) for n, o in zip(sizes, outs)]
    # flat[o_1, ..., o_nd, k_1, ..., k_nd] = the plane position of offset k in window o.
    flat = np.zeros(tuple(outs) + tuple(t.shape[1] for t in tables), np.int64)
    stride = 1
    for axis in reversed(range(nd)):
        shape = [1] * (2 * nd)
        shape[axis], shape[nd + axis] = tables[axis].shape
        flat = flat + tables[axis].reshape(shape) * stride
        stride *= sizes[axis]
    flat = flat.reshape(tuple(outs) + (-1,))
    lead = x.shape[:-nd]
    windows = jnp.take(x.reshape(lead + (-1,)), jnp.asarray(flat), axis=-1)
    key = windows
    if jnp.issubdtype(x.dtype, jnp.floating):
        key = jnp.where(jnp.isnan(windows), jnp.inf, windows)
    first = jnp.argmax(key, axis=-1)[..., None]
    values = jnp.take_along_axis(windows, first, axis=-1)[..., 0]
    table = jnp.broadcast_to(jnp.asarray(flat), lead + flat.shape)
    index_dtype = jax.dtypes.canonicalize_dtype(jnp.int64)
    indices = jnp.take_along_axis(table, first, axis=-1)[..., 0].astype(index_dtype)
    return values, indices


def lp_pool(x: Array, nd: int, norm_type: float, kernel_size, stride=None,
            ceil_mode: bool = False) -> Array:
    """Power-average pooling: (sum over each window of x^p) ^ (1/p), as PyTorch computes
    it: avg_pool of x^p, times the window size, through sign(.) * relu(|.|)."""
    name = f"lp_pool{nd}d"
    if norm_type in (math.inf, -math.inf):
        # torch: the max (min) of |x| over each window, not the formula's inf-th powers
        sign = 1 if norm_type > 0 else -1
        return sign * _max_pool(sign * jnp.abs(x), nd, kernel_size, stride, 0, 1,
                                ceil_mode, name)
    k = ntuple(kernel_size, nd)
    avg = _avg_pool(x ** norm_type, nd, k, stride, 0, ceil_mode, True, None, name)
    window = 1
    for ki in k:
        window *= ki
    # PyTorch's relu passes the gradient at NaN (jax.nn.relu's rule gives it 0).
    return (jnp.sign(avg) * _activations.relu(jnp.abs(avg)) * window) ** (1.0 / norm_type)
