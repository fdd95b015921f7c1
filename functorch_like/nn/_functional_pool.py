"""torch.nn.functional's 1-d/2-d pooling: max_pool1d/2d, their inverses max_unpool1d/2d,
avg_pool1d/2d and adaptive_avg_pool1d/2d. Each dispatches one pure-core function;
nn.functional re-exports them (the 3-d, adaptive-max and lp forms live in
_functional_layers, max_unpool3d in _functional_unpool).
"""

from __future__ import annotations

from .. import _dtypes
from .._dtype_refusals import check
from .._tensor import apply
from ..pure import _pool, _unpool
from . import _arg_checks as _args
from ._functional_conv import _norm_arg


def _f_max_pool(x, *, nd, kernel_size, stride, padding, dilation, ceil_mode, indices):
    if indices:
        fn = _pool.max_pool1d_with_indices if nd == 1 else _pool.max_pool2d_with_indices
    else:
        fn = _pool.max_pool1d if nd == 1 else _pool.max_pool2d
    return fn(x, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of (N, C, L); with return_indices also each maximum's position."""
    _args.require_input("max_pool1d_with_indices" if return_indices else "max_pool1d", input)
    if not return_indices and not input.is_floating_point():
        # (torch's 1-d kernel without indices is for floats only; with indices it is the
        # 2-d one's, which takes integers)
        raise _dtypes.kernel_error("max_pool1d_impl", input.dtype)
    return apply(_f_max_pool, "SqueezeBackward1", input, nd=1,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), dilation=_norm_arg(dilation), ceil_mode=ceil_mode,
                 indices=bool(return_indices))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of (N, C, H, W); stride defaults to kernel_size. With
    return_indices, also each maximum's flat position h * W + w (for max_unpool2d)."""
    _args.require_input("max_pool2d_with_indices" if return_indices else "max_pool2d", input)
    return apply(_f_max_pool, "MaxPool2DWithIndicesBackward0", input, nd=2,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), dilation=_norm_arg(dilation), ceil_mode=ceil_mode,
                 indices=bool(return_indices))


def _f_max_unpool(x, indices, *, nd, kernel_size, stride, padding, output_size):
    fn = (_unpool.max_unpool1d, _unpool.max_unpool2d, _unpool.max_unpool3d)[nd - 1]
    return fn(x, indices, kernel_size, stride, padding, output_size)


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size):
    if output_size is not None:     # checked here, so the message shows the caller's value
        output_size = _unpool.unpool_output_size(tuple(input.shape), _norm_arg(kernel_size),
                                                 _norm_arg(stride), _norm_arg(padding),
                                                 output_size, nd)
    return apply(_f_max_unpool, f"MaxUnpool{nd}DBackward0",
                 input, indices, nd=nd, kernel_size=_norm_arg(kernel_size),
                 stride=_norm_arg(stride), padding=_norm_arg(padding),
                 output_size=output_size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each value of (N, C, L) back at its max_pool1d index in zeros (N, C, L_out)."""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each value of (N, C, H, W) back at its max_pool2d index in zeros of
    (N, C, H_out, W_out); H_out = (H - 1) * stride + kernel_size - 2 * padding by default."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def _f_avg_pool(x, *, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
    if nd == 1:
        return _pool.avg_pool1d(x, kernel_size, stride, padding, ceil_mode, count_include_pad)
    return _pool.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                            divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    _args.require_input("avg_pool1d", input)
    return apply(_f_avg_pool, "SqueezeBackward1", input, nd=1,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    _args.require_input("avg_pool2d", input)
    return apply(_f_avg_pool, "AvgPool2DBackward0", input, nd=2,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)


def _f_adaptive_avg(x, *, nd, output_size):
    fn = _pool.adaptive_avg_pool1d if nd == 1 else _pool.adaptive_avg_pool2d
    return fn(x, output_size)


def adaptive_avg_pool1d(input, output_size):
    check("adaptive_avg_pool2d", input)     # (torch's 1-d uses the 2-d kernel)
    return apply(_f_adaptive_avg, "SqueezeBackward1", input, nd=1,
                 output_size=_norm_arg(output_size))


def adaptive_avg_pool2d(input, output_size):
    check("adaptive_avg_pool2d", input)
    return apply(_f_adaptive_avg, "AdaptiveAvgPool2DBackward0", input, nd=2,
                 output_size=_norm_arg(output_size))
