"""Legacy and deprecated modules PyTorch 2.13 still ships: CrossMapLRN2d, NLLLoss2d and
Container."""

from __future__ import annotations

import warnings

from ..._tensor import apply
from ...pure import _cross_map_lrn
from .loss import NLLLoss
from .module import Module


def _f_cross_map_lrn2d(x, *, size, alpha, beta, k):
    return _cross_map_lrn.cross_map_lrn2d(x, size, alpha, beta, k)


class CrossMapLRN2d(Module):
    """Local response normalization across channels of (N, C, H, W) input, PyTorch's
    legacy (Lua torch) version; see pure._cross_map_lrn.cross_map_lrn2d.

    PyTorch parity: its windows and its gradient are torch's legacy ones, which differ from
    nn.LocalResponseNorm's (and its gradient is not the forward's derivative); matched.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        return apply(_f_cross_map_lrn2d, "CrossMapLRN2dBackward", input, size=self.size,
                     alpha=self.alpha, beta=self.beta, k=self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class NLLLoss2d(NLLLoss):
    """Deprecated alias of NLLLoss; constructing it warns (FutureWarning) as in PyTorch."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a "
                      "drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more "
                      "details.", FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class Container(Module):
    """Deprecated: a Module holding the keyword arguments as submodules; constructing it
    warns (FutureWarning) as in PyTorch."""

    def __init__(self, **kwargs):
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now "
                      "implemented in `nn.Module`. Subclass that instead.", FutureWarning,
                      stacklevel=2)
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)
