"""FractionalMaxPool2d and FractionalMaxPool3d."""

from __future__ import annotations

from .. import _functional_fractional as FF
from .module import Module


class _FractionalMaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None):
        super().__init__()
        nd, name = self._nd, type(self).__name__
        if nd == 3 and (kernel_size <= 0 if isinstance(kernel_size, int) else
                        not all(k > 0 for k in kernel_size)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = FF._tuple(kernel_size, nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = FF._tuple(output_size, nd) if output_size is not None else None
        self.output_ratio = FF._tuple(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a "
                             "pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = FF.fractional_max_pool2d if self._nd == 2 else FF.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling of (N, C, H, W) or (C, H, W); see
    F.fractional_max_pool2d. Without `_random_samples`, every call draws new windows
    (from functorch_like's generator: PyTorch parity, not torch's random stream)."""

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W); see
    F.fractional_max_pool3d."""

    _nd = 3
