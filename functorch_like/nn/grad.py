"""torch.nn.grad (also `nn.functional.grad`): the gradients of conv1d/2d/3d with respect
to their input and to their weight, given the output's gradient.

Each is the backward of the convolution, taken here by autograd through F.convNd (JAX's
transpose of the convolution). The result is differentiable in `weight`/`input` and
`grad_output` (double backward), as torch's convolution_backward is.
"""

from __future__ import annotations

import functorch_like as torch   # resolved at call time: this module loads inside the package

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight",
           "conv3d_input", "conv3d_weight"]


def _grad_wrt(conv, make_input: bool, size, other, grad_output, stride, padding, dilation,
              groups):
    given = torch.zeros(tuple(size), dtype=grad_output.dtype, requires_grad=True)
    x, w = (given, other) if make_input else (other, given)
    with torch.enable_grad():
        out = conv(x, w, None, stride, padding, dilation, groups)
        return torch.autograd.grad(out, given, grad_output, create_graph=(
            other.requires_grad or grad_output.requires_grad))[0]


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv1d w.r.t. its input (of shape `input_size`, (N, C_in, L)):
    weight (C_out, C_in / groups, kL), grad_output (N, C_out, L_out)."""
    return _grad_wrt(torch.nn.functional.conv1d, True, input_size, weight, grad_output,
                     stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1,
                  groups=1):
    """The gradient of conv1d w.r.t. its weight (of shape `weight_size`): input
    (N, C_in, L), grad_output (N, C_out, L_out)."""
    return _grad_wrt(torch.nn.functional.conv1d, False, weight_size, input, grad_output,
                     stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d w.r.t. its input (of shape `input_size`, (N, C_in, H, W)):
    weight (C_out, C_in / groups, kH, kW), grad_output (N, C_out, H_out, W_out)."""
    return _grad_wrt(torch.nn.functional.conv2d, True, input_size, weight, grad_output,
                     stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1,
                  groups=1):
    """The gradient of conv2d w.r.t. its weight (of shape `weight_size`): input
    (N, C_in, H, W), grad_output (N, C_out, H_out, W_out)."""
    return _grad_wrt(torch.nn.functional.conv2d, False, weight_size, input, grad_output,
                     stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv3d w.r.t. its input (of shape `input_size`, (N, C_in, D, H, W)):
    weight (C_out, C_in / groups, kD, kH, kW), grad_output (N, C_out, D_out, H_out, W_out)."""
    return _grad_wrt(torch.nn.functional.conv3d, True, input_size, weight, grad_output,
                     stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1,
                  groups=1):
    """The gradient of conv3d w.r.t. its weight (of shape `weight_size`): input
    (N, C_in, D, H, W), grad_output (N, C_out, D_out, H_out, W_out)."""
    return _grad_wrt(torch.nn.functional.conv3d, False, weight_size, input, grad_output,
                     stride, padding, dilation, groups)
