"""Conv1d/2d/3d and ConvTranspose1d/2d/3d over the pure core's convolutions."""

from __future__ import annotations

from .. import _arg_checks as _args
from .. import functional as F
from ...pure import _conv
from ._init_helpers import assign_params, fresh_key
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _nd = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None, output_padding=0):
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in _conv.ntuple(stride, nd)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _conv.ntuple(kernel_size, nd)
        self.stride = _conv.ntuple(stride, nd)
        self.padding = padding if isinstance(padding, str) else _conv.ntuple(padding, nd)
        self.dilation = _conv.ntuple(dilation, nd)
        self.output_padding = _conv.ntuple(output_padding, nd)
        self.groups, self.padding_mode = groups, padding_mode
        self.transposed = self._transposed
        self._factory, self._bias = (dtype, device), bias
        self.reset_parameters()
        if not bias:        # (after weight, as torch's: a bias set later comes second)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        init = _conv.conv_transpose_init if self._transposed else _conv.conv_init
        arrays = init(self.in_channels, self.out_channels, self.kernel_size, self.groups,
                      self._bias, key=fresh_key(), nd=self._nd)
        assign_params(self, arrays, *self._factory)

    def _explicit_padding(self) -> list[int]:
        """(left, right) pairs from the last dim, for F.pad in non-zero padding modes."""
        if self.padding == "valid":
            return [0] * (2 * self._nd)
        if self.padding == "same":
            pads = []
            for k, d in zip(reversed(self.kernel_size), reversed(self.dilation)):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            return pads
        return [p for p in reversed(self.padding) for _ in range(2)]

    def _conv_forward(self, input, fn):
        if self.padding_mode != "zeros":
            input = F.pad(input, self._explicit_padding(), mode=self.padding_mode)
            args = (input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        else:
            args = (input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups)
        # (torch's module passes all seven, which its argument parser's error lists)
        _args.require_conv_overload(f"conv{self._nd}d", args, all_given=True)
        return fn(*args)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _DirectConvNd(_ConvNd):
    """A direct (not transposed) convolution: PyTorch's ConvNd signature, without
    output_padding."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input):
        return self._conv_forward(input, self._functional)


class Conv1d(_DirectConvNd):
    """1-D convolution over (N, C_in, L); weight (C_out, C_in/groups, K)."""

    _nd = 1
    _functional = staticmethod(F.conv1d)


class Conv2d(_DirectConvNd):
    """2-D convolution over (N, C_in, H, W); weight (C_out, C_in/groups, kH, kW)."""

    _nd = 2
    _functional = staticmethod(F.conv2d)


class Conv3d(_DirectConvNd):
    """3-D convolution over (N, C_in, D, H, W); weight (C_out, C_in/groups, kD, kH, kW)."""

    _nd = 3
    _functional = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError('Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def forward(self, input, output_size=None):
        """`output_size` (spatial, or with the leading dims) picks among the sizes a
        strided transposed convolution can produce, via output_padding."""
        output_padding = self._output_padding(input, output_size)
        return self._functional(input, self.weight, self.bias, self.stride, self.padding,
                                output_padding, self.groups, self.dilation)

    def _output_padding(self, input, output_size):
        """The output_padding that makes the output `output_size` (spatial, or with the
        batch/channel dims in front), within PyTorch's range of valid sizes."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        lead = 2 if input.dim() == nd + 2 else 1
        if len(output_size) == lead + nd:
            output_size = output_size[lead:]
        if len(output_size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must "
                             f"have {nd} or {lead + nd} elements (got {len(output_size)})")
        min_sizes = [(input.size(d + lead) - 1) * self.stride[d] - 2 * self.padding[d]
                     + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        max_sizes = [m + s - 1 for m, s in zip(min_sizes, self.stride)]
        for size, low, high in zip(output_size, min_sizes, max_sizes):
            if size < low or size > high:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {min_sizes} to {max_sizes} (for an input of "
                                 f"{input.size()[2:]})")
        return tuple(int(size) - low for size, low in zip(output_size, min_sizes))


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution; weight (C_in, C_out/groups, K)."""

    _nd = 1
    _functional = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution; weight (C_in, C_out/groups, kH, kW)."""

    _nd = 2
    _functional = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution; weight (C_in, C_out/groups, kD, kH, kW)."""

    _nd = 3
    _functional = staticmethod(F.conv_transpose3d)
