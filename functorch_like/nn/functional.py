"""torch.nn.functional on Tensors: each function dispatches one pure-core function.

Parity notes: `batch_norm` updates the running statistics in place, as PyTorch's does;
`dropout` draws its mask from the global generator (same seed, same masks).
"""

from __future__ import annotations

# (`math` and `Tensor` are names torch.nn.functional has too)
import math  # noqa: F401
import warnings

from .._dim_args import check_int_arg
from .._methods import log_softmax as _log_softmax
from .._methods import softmax as _softmax
from .._dtype_refusals import check
from .._ops_math import sigmoid as _sigmoid
from .._tensor import Tensor, apply  # noqa: F401
from ..pure import _activations as A
from . import _arg_checks as _args
from ._functional_activations import celu as celu
from ._functional_activations import celu_ as celu_
from ._functional_activations import elu_ as elu_
from ._functional_activations import glu as glu
from ._functional_activations import gumbel_softmax as gumbel_softmax
from ._functional_activations import hardshrink as hardshrink
from ._functional_activations import hardsigmoid as hardsigmoid
from ._functional_activations import hardswish as hardswish
from ._functional_activations import hardtanh_ as hardtanh_
from ._functional_activations import leaky_relu_ as leaky_relu_
from ._functional_activations import prelu as prelu
from ._functional_activations import relu_ as relu_
from ._functional_activations import rrelu as rrelu
from ._functional_activations import rrelu_ as rrelu_
from ._functional_activations import selu_ as selu_
from ._functional_activations import softmin as softmin
from ._functional_activations import softshrink as softshrink
from ._functional_activations import softsign as softsign
from ._functional_activations import tanhshrink as tanhshrink
from ._functional_activations import threshold as threshold
from ._functional_activations import threshold_ as threshold_
from ._functional_layers import adaptive_avg_pool3d as adaptive_avg_pool3d
from ._functional_layers import adaptive_max_pool1d as adaptive_max_pool1d
from ._functional_layers import adaptive_max_pool1d_with_indices as adaptive_max_pool1d_with_indices  # noqa: E501
from ._functional_layers import adaptive_max_pool2d as adaptive_max_pool2d
from ._functional_layers import adaptive_max_pool2d_with_indices as adaptive_max_pool2d_with_indices  # noqa: E501
from ._functional_layers import adaptive_max_pool3d as adaptive_max_pool3d
from ._functional_layers import adaptive_max_pool3d_with_indices as adaptive_max_pool3d_with_indices  # noqa: E501
from ._functional_layers import alpha_dropout as alpha_dropout
from ._functional_layers import avg_pool3d as avg_pool3d
from ._functional_layers import channel_shuffle as channel_shuffle
from ._functional_layers import channel_shuffle as native_channel_shuffle
from ._functional_layers import conv3d as conv3d
from ._functional_layers import conv_transpose1d as conv_transpose1d
from ._functional_layers import conv_transpose3d as conv_transpose3d
from ._functional_layers import dropout1d as dropout1d
from ._functional_layers import dropout3d as dropout3d
from ._functional_layers import feature_alpha_dropout as feature_alpha_dropout
from ._functional_layers import fold as fold
from ._functional_layers import instance_norm as instance_norm
from ._functional_layers import interpolate as interpolate
from ._functional_fractional import fractional_max_pool2d as fractional_max_pool2d
from ._functional_fractional import fractional_max_pool2d_with_indices as fractional_max_pool2d_with_indices  # noqa: E501
from ._functional_fractional import fractional_max_pool3d as fractional_max_pool3d
from ._functional_fractional import fractional_max_pool3d_with_indices as fractional_max_pool3d_with_indices  # noqa: E501
from ._functional_mha import multi_head_attention_forward as multi_head_attention_forward
from ._functional_layers import local_response_norm as local_response_norm
from ._functional_layers import lp_pool1d as lp_pool1d
from ._functional_layers import lp_pool2d as lp_pool2d
from ._functional_layers import lp_pool3d as lp_pool3d
from ._functional_layers import max_pool1d_with_indices as max_pool1d_with_indices
from ._functional_layers import max_pool2d_with_indices as max_pool2d_with_indices
from ._functional_layers import max_pool3d as max_pool3d
from ._functional_layers import max_pool3d_with_indices as max_pool3d_with_indices
from ._functional_layers import pixel_shuffle as pixel_shuffle
from ._functional_layers import pixel_unshuffle as pixel_unshuffle
from ._functional_layers import rms_norm as rms_norm
from ._functional_layers import unfold as unfold
from ._functional_layers import upsample as upsample
from ._functional_layers import upsample_bilinear as upsample_bilinear
from ._functional_layers import upsample_nearest as upsample_nearest
from ._functional_losses import cosine_embedding_loss as cosine_embedding_loss
from ._functional_losses import cosine_similarity as cosine_similarity
from ._functional_losses import gaussian_nll_loss as gaussian_nll_loss
from ._functional_losses import hinge_embedding_loss as hinge_embedding_loss
from ._functional_linear_ce import linear_cross_entropy as linear_cross_entropy
from ._functional_losses import margin_ranking_loss as margin_ranking_loss
from ._functional_losses import multi_margin_loss as multi_margin_loss
from ._functional_losses import multilabel_margin_loss as multilabel_margin_loss
from ._functional_losses import multilabel_soft_margin_loss as multilabel_soft_margin_loss
from ._functional_losses import pairwise_distance as pairwise_distance
from ._functional_losses import pdist as pdist
from ._functional_losses import poisson_nll_loss as poisson_nll_loss
from ._functional_losses import soft_margin_loss as soft_margin_loss
from ._functional_losses import triplet_margin_loss as triplet_margin_loss
from ._functional_losses import triplet_margin_with_distance_loss as triplet_margin_with_distance_loss  # noqa: E501
from ._functional_sparse import embedding_bag as embedding_bag
from ._functional_ctc import ctc_loss as ctc_loss
from ._functional_grid import affine_grid as affine_grid
from ._functional_grid import grid_sample as grid_sample
from ._functional_unpool import max_unpool3d as max_unpool3d
from ._functional_conv import linear as linear
from ._functional_conv import bilinear as bilinear
from ._functional_conv import conv1d as conv1d
from ._functional_conv import conv2d as conv2d
from ._functional_conv import conv_transpose2d as conv_transpose2d
from ._functional_conv import pad as pad
from ._functional_pool import max_pool1d as max_pool1d
from ._functional_pool import max_pool2d as max_pool2d
from ._functional_pool import max_unpool1d as max_unpool1d
from ._functional_pool import max_unpool2d as max_unpool2d
from ._functional_pool import avg_pool1d as avg_pool1d
from ._functional_pool import avg_pool2d as avg_pool2d
from ._functional_pool import adaptive_avg_pool1d as adaptive_avg_pool1d
from ._functional_pool import adaptive_avg_pool2d as adaptive_avg_pool2d
from ._functional_norm import batch_norm as batch_norm
from ._functional_norm import layer_norm as layer_norm
from ._functional_norm import group_norm as group_norm
from ._functional_dropout import dropout as dropout
from ._functional_dropout import dropout2d as dropout2d
from ._functional_mha import scaled_dot_product_attention as scaled_dot_product_attention
from ._functional_embedding import embedding as embedding
from ._functional_embedding import one_hot as one_hot
from ._functional_losses_common import mse_loss as mse_loss
from ._functional_losses_common import l1_loss as l1_loss
from ._functional_losses_common import smooth_l1_loss as smooth_l1_loss
from ._functional_losses_common import huber_loss as huber_loss
from ._functional_losses_common import cross_entropy as cross_entropy
from ._functional_losses_common import nll_loss as nll_loss
from ._functional_losses_common import binary_cross_entropy as binary_cross_entropy
from ._functional_losses_common import binary_cross_entropy_with_logits as binary_cross_entropy_with_logits  # noqa: E501
from ._functional_losses_common import kl_div as kl_div

# Helpers that other modules reach as `F._name` (the _functional_* siblings, the loss
# modules, amp's list of lower-precision ops).
from ._functional_conv import _f_conv as _f_conv
from ._functional_conv import _f_conv_t as _f_conv_t
from ._functional_conv import _norm_arg as _norm_arg
from ._functional_losses_common import _legacy_reduction as _legacy_reduction
from ._functional_losses_common import _loss as _loss
from ._functional_norm import _write_buffer as _write_buffer
from ._functional_pool import _max_unpool as _max_unpool
from .._func_frames import inplace_name
from . import grad as grad  # torch.nn.functional.grad is torch.nn.grad

# ---- activations --------------------------------------------------------------------

def _act(fn, name, input, inplace=False, **static):
    out = apply(fn, name, input, **static)
    return input._set(out, op=inplace_name(name)) if inplace else out


def relu(input, inplace: bool = False):
    _args.require_input("relu", input, inplace)
    check("relu", input)
    return _act(A.relu, "ReluBackward0", input, inplace)


def relu6(input, inplace: bool = False):
    _args.require_input("relu6", input, inplace)
    check("hardtanh", input)
    return _act(A.relu6, "HardtanhBackward0", input, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    _args.require_input("hardtanh", input, inplace)
    check("hardtanh", input)
    return _act(A.hardtanh, "HardtanhBackward0", input, inplace, min_val=min_val,
                max_val=max_val)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    _args.require_input("leaky_relu", input, inplace)
    check("leaky_relu", input)
    return _act(A.leaky_relu, "LeakyReluBackward0", input, inplace,
                negative_slope=negative_slope)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    _args.require_input("elu", input, inplace)
    check("elu", input)
    return _act(A.elu, "EluBackward0", input, inplace, alpha=alpha)


def selu(input, inplace: bool = False):
    _args.require_input("selu", input, inplace)
    check("elu", input)         # (torch's selu is its elu kernel)
    return _act(A.selu, "EluBackward0", input, inplace)


def gelu(input, approximate: str = "none"):
    _args.require_input("gelu", input)
    check("gelu", input)
    return apply(A.gelu, "GeluBackward0", input, approximate=approximate)


def silu(input, inplace: bool = False):
    _args.require_input("silu", input, inplace)
    check("silu", input)
    return _act(A.silu, "SiluBackward0", input, inplace)


def mish(input, inplace: bool = False):
    _args.require_input("mish", input, inplace)
    check("mish", input)
    return _act(A.mish, "MishBackward0", input, inplace)


def sigmoid(input):
    _args.require_method(input, "sigmoid")      # (torch's calls input.sigmoid())
    return _sigmoid(input)      # (torch.sigmoid: integer inputs give floats)


def tanh(input):
    _args.require_method(input, "tanh")         # (torch's calls input.tanh())
    return apply(A.tanh, "TanhBackward0", input)


def logsigmoid(input):
    _args.require_input("log_sigmoid", input)
    check("logsigmoid", input)
    return apply(A.logsigmoid, "LogSigmoidBackward0", input)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    _args.require_input("softplus", input)
    check("softplus", input)
    return apply(A.softplus, "SoftplusBackward0", input, beta=beta, threshold=threshold)


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's deprecated implicit softmax dim, with its warning (pointing at the
    caller's line: `stacklevel` counts from the public function, as torch's)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """softmax along `dim` (PyTorch's deprecated implicit dim is supported, with its rule
    and warning)."""
    # (torch's calls input.dim() for an implicit dim, then input.softmax())
    _args.require_method(input, "softmax" if dim is not None else "dim")
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim, _stacklevel)
    # (torch calls `input.softmax(dim)`: a bad dim is refused as the method's position 1)
    dim = check_int_arg("softmax", "dim", dim, 1, Tensor)
    return _softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    _args.require_method(input, "log_softmax" if dim is not None else "dim")
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim, _stacklevel)
    dim = check_int_arg("log_softmax", "dim", dim, 1, Tensor)
    return _log_softmax(input, dim, dtype)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """input / max(||input||_p along dim, eps); written into `out` when given (as
    torch.div's out=)."""
    n = input.norm(p, dim, keepdim=True).clamp_min(eps)
    if out is not None:
        import functorch_like
        return functorch_like.div(input, n.expand_as(input), out=out)
    return input / n.expand_as(input)
