"""Folding an eval-mode BatchNorm into the preceding Conv or Linear (inference speed-up).

With running statistics (mu, var), affine (gamma, beta) and s = gamma / sqrt(var + eps),
BN(W x + b) = (s * W) x + (s * (b - mu) + beta): one layer with a rescaled weight.
"""

from __future__ import annotations

import copy

from ... import _factories
from ..._tensor import Tensor
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A deep copy of `conv` whose weight and bias absorb `bn` (both in eval mode).

    Args:
        conv: a Conv{1,2,3}d or ConvTranspose{1,2,3}d (then pass transpose=True).
        bn: a BatchNorm with running statistics over conv's output channels.
    """
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
        bn.bias, transpose)
    return fused


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                         bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:
    """The fused (weight, bias) Parameters of a conv followed by an eval-mode BatchNorm.

    Args:
        conv_w: (out, in/groups, *k), or (in, out/groups, *k) with transpose=True.
        conv_b: (out,) or None (zeros). bn_rm, bn_rv: (out,). bn_w, bn_b: (out,) or None
            (ones / zeros).

    Returns:
        Parameters in the conv's dtypes, requiring grad as conv_w / conv_b do.
    """
    weight_dtype = conv_w.dtype
    bias_dtype = conv_b.dtype if conv_b is not None else weight_dtype
    if conv_b is None:
        conv_b = _factories.zeros_like(bn_rm)
    if bn_w is None:
        bn_w = _factories.ones_like(bn_rm)
    if bn_b is None:
        bn_b = _factories.zeros_like(bn_rm)
    var_rsqrt = (bn_rv + bn_eps).rsqrt()
    # The output-channel dim is 0 for a conv weight, 1 for a transposed conv's.
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (conv_w.dim() - 2)
    fused_w = (conv_w * (bn_w * var_rsqrt).reshape(shape)).to(weight_dtype)
    fused_b = ((conv_b - bn_rm) * var_rsqrt * bn_w + bn_b).to(bias_dtype)
    return (Parameter(fused_w, conv_w.requires_grad),
            Parameter(fused_b, conv_b.requires_grad))


def fuse_linear_bn_eval(linear, bn):
    """A deep copy of `linear` whose weight and bias absorb `bn` (both in eval mode);
    bn.num_features must equal linear.out_features or be 1."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(linear)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, "
            f"got linear.out_features={linear.out_features} and "
            f"bn.num_features={bn.num_features}")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
        bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor,
                           bn_b: Tensor) -> tuple[Parameter, Parameter]:
    """The fused (weight, bias) Parameters of a Linear followed by an eval-mode BatchNorm.

    Args:
        linear_w: (out, in). linear_b: (out,) or None (zeros). bn_*: (out,) or (1,).
    """
    weight_dtype = linear_w.dtype
    bias_dtype = linear_b.dtype if linear_b is not None else weight_dtype
    if linear_b is None:
        linear_b = _factories.zeros_like(bn_rm)
    scale = bn_w * (bn_rv + bn_eps).rsqrt()
    fused_w = linear_w * scale.unsqueeze(-1).to(weight_dtype)
    fused_b = ((linear_b - bn_rm) * scale + bn_b).to(bias_dtype)
    return (Parameter(fused_w, linear_w.requires_grad),
            Parameter(fused_b, linear_b.requires_grad))
