"""torch.nn.functional.max_unpool3d (1-D and 2-D live in nn.functional)."""

from __future__ import annotations

from . import functional as _F


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each value of (N, C, D, H, W) back at its max_pool3d index in zeros of
    (N, C, D_out, H_out, W_out); D_out = (D - 1) * stride + kernel_size - 2 * padding."""
    return _F._max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)
