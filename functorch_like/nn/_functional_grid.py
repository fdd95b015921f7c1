"""torch.nn.functional.affine_grid and grid_sample over the pure core; nn.functional
re-exports them."""

from __future__ import annotations

import warnings

from .._tensor import apply
from ..pure import _grid_sample

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")


_UNIT_GRID_WARNING = ("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.")


def _align(align_corners) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=3)
        return False
    return bool(align_corners)


def affine_grid(theta, size, align_corners=None):
    """(N, 2, 3) affine matrices -> (N, H, W, 2) sampling grid for size (N, C, H, W), or
    (N, 3, 4) -> (N, D, H, W, 3) for (N, C, D, H, W). align_corners=None means False,
    with PyTorch's warning."""
    if not (theta.is_floating_point() or theta.is_complex()):
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size, align = tuple(int(s) for s in size), _align(align_corners)
    out = apply(_grid_sample.affine_grid, "AffineGridGeneratorBackward0", theta, size=size,
                align_corners=align)
    if align and min(size[2:]) == 1:        # (after the checks of theta and size, as torch)
        warnings.warn(_UNIT_GRID_WARNING, stacklevel=2)
    return out


def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None):
    """Samples (N, C, H, W) input at the (N, H_out, W_out, 2) grid's (x, y) points in
    [-1, 1] (or 5-D input with a (..., 3) grid): bilinear/nearest/bicubic, padding zeros,
    border or reflection. align_corners=None means False, with PyTorch's warning."""
    name = "GridSampler3DBackward0" if input.ndim == 5 else "GridSampler2DBackward0"
    return apply(_grid_sample.grid_sample, name, input, grid, mode=mode,
                 padding_mode=padding_mode, align_corners=_align(align_corners))
