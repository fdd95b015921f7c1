"""Identity, Linear, Bilinear, Flatten, Unflatten."""

from __future__ import annotations

import warnings

from .. import functional as F
from ...pure import _linear
from ._init_helpers import assign_params, fresh_key
from .module import Module


class Identity(Module):
    """Returns its input; accepts and ignores any constructor arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b with W (out_features, in_features), PyTorch's default init."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self._factory = (dtype, device)
        self._bias = bias
        self.reset_parameters()
        if not bias:        # (after weight, as torch's: a bias set later comes second)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if 0 in (self.in_features, self.out_features):     # (torch's kaiming_uniform_)
            warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        arrays = _linear.linear_init(self.in_features, self.out_features, self._bias,
                                     key=fresh_key())
        assign_params(self, arrays, *self._factory)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y_k = x1^T W_k x2 + b_k with W (out, in1, in2)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self._factory, self._bias = (dtype, device), bias
        self.reset_parameters()
        if not bias:        # (after weight, as torch's: a bias set later comes second)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        arrays = _linear.bilinear_init(self.in1_features, self.in2_features,
                                       self.out_features, self._bias, key=fresh_key())
        assign_params(self, arrays, *self._factory)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Flattens dims start_dim..end_dim (default 1..-1, keeping the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim `dim` into `unflattened_size`."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        # (kept as given, a list or torch.Size included, as torch's prints it)
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError("unflattened_size must be a tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for i, size in enumerate(unflattened_size):
            if not isinstance(size, int):
                raise TypeError("unflattened_size must be tuple of ints, but found element "
                                f"of type {type(size).__name__} at pos {i}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, tuple(self.unflattened_size))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
