"""F.fractional_max_pool2d/3d (and _with_indices) over functorch_like.pure._fractional_pool."""

from __future__ import annotations

from .. import _random
from .._tensor import apply
from ..pure import _fractional_pool

_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _tuple(value, nd: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd


def _f_fractional(x, samples, *, kernel_size, output_size):
    return _fractional_pool.fractional_max_pool(x, samples, kernel_size, output_size)


def _fractional(input, kernel_size, output_size, output_ratio, _random_samples, nd):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an "
                         "output_ratio")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{tuple(input.shape)}")
    spatial = tuple(input.shape[-nd:])
    if output_size is None:
        if nd == 2 and isinstance(output_ratio, (tuple, list)) and len(output_ratio) > 2:
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a "
                             "single Int or tuple of Ints.")
        ratio = _tuple(output_ratio, nd)
        output_size = [int(s * r) for s, r in zip(spatial, ratio)]
    kernel_size, output_size = _tuple(kernel_size, nd), tuple(int(o) for o in
                                                              _tuple(output_size, nd))
    batched = input.dim() == nd + 2
    channels = input.shape[-nd - 1]
    if _random_samples is None:
        # PyTorch parity: torch draws these with torch.rand from its own generator; here
        # they come from functorch_like's generator (same seed, different samples).
        n_batch = input.shape[0] if batched else 1
        _random_samples = _random.rand(n_batch, channels, nd, dtype=input.dtype)
    if tuple(_random_samples.shape[-2:]) != (channels, nd) or _random_samples.dim() != 3:
        if _random_samples.dim() == 3 and _random_samples.shape[1] != channels:
            raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
        raise RuntimeError(f"Expect _random_samples to be of shape (N, {channels}, {nd}), "
                           f"got {tuple(_random_samples.shape)}")
    op = name if nd == 2 else f"{name}_out"
    for dim, (size, k, out) in enumerate(zip(spatial, kernel_size, output_size)):
        if out + k - 1 > size:
            what = _DIM_NAMES[nd][dim]
            raise RuntimeError(f"{op}(): pool {what} {k} too large relative to input "
                               f"{what} {size}")
    x = input if batched else input.unsqueeze(0)
    if _random_samples.shape[0] < x.shape[0]:
        raise RuntimeError("Expect _random_samples.size(0) no less than input batch size.")
    samples = _random_samples[:x.shape[0]].detach()
    out, idx = apply(_f_fractional, f"FractionalMaxPool{nd}DBackward0", x, samples,
                     kernel_size=kernel_size, output_size=output_size)
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return out, idx


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """Fractional max pooling of (N, C, H, W) or (C, H, W): windows of kernel_size at
    pseudo-random starts, output_size = (oH, oW) or int(H * ratio), int(W * ratio).
    Returns (values, indices), indices = h * W + w of each maximum.

    `_random_samples` (N, C, 2) in [0, 1) fixes the windows; passing torch's own samples
    reproduces its result exactly. PyTorch parity: without them, the samples come from
    functorch_like's generator, not torch's stream."""
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """See fractional_max_pool2d_with_indices; returns the values only unless
    return_indices."""
    out, idx = fractional_max_pool2d_with_indices(input, kernel_size, output_size,
                                                  output_ratio, return_indices,
                                                  _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """As fractional_max_pool2d_with_indices for (N, C, T, H, W) or (C, T, H, W), samples
    (N, C, 3); indices = (t * H + h) * W + w."""
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """See fractional_max_pool3d_with_indices."""
    out, idx = fractional_max_pool3d_with_indices(input, kernel_size, output_size,
                                                  output_ratio, return_indices,
                                                  _random_samples)
    return (out, idx) if return_indices else out
