"""Layers of the pure core as init/apply pairs over jax arrays.

`*_init(..., *, key)` returns a dict keyed by PyTorch's state_dict names in PyTorch's
layouts; the apply function takes those arrays by the same names, so
`linear(x, **linear_init(3, 4, key=k))` works. Stateful layers (batch_norm) return
`(output, new_state)` instead of mutating.
"""

from ._activations import celu as celu
from ._activations import elu as elu
from ._activations import glu as glu
from ._activations import gumbel_softmax as gumbel_softmax
from ._activations import hardshrink as hardshrink
from ._activations import hardsigmoid as hardsigmoid
from ._activations import hardswish as hardswish
from ._activations import prelu as prelu
from ._activations import rrelu as rrelu
from ._activations import softmin as softmin
from ._activations import softshrink as softshrink
from ._activations import softsign as softsign
from ._activations import tanhshrink as tanhshrink
from ._activations import threshold as threshold
from ._attention import multi_head_attention as multi_head_attention
from ._attention import scaled_dot_product_attention as scaled_dot_product_attention
from ._activations import gelu as gelu
from ._activations import hardtanh as hardtanh
from ._activations import leaky_relu as leaky_relu
from ._activations import log_softmax as log_softmax
from ._activations import logsigmoid as logsigmoid
from ._activations import mish as mish
from ._activations import relu as relu
from ._activations import relu6 as relu6
from ._activations import selu as selu
from ._activations import sigmoid as sigmoid
from ._activations import silu as silu
from ._activations import softmax as softmax
from ._activations import softplus as softplus
from ._activations import tanh as tanh
from ._conv import conv1d as conv1d
from ._conv import conv2d as conv2d
from ._conv import conv_init as conv_init
from ._conv import conv3d as conv3d
from ._conv import conv_transpose1d as conv_transpose1d
from ._conv import conv_transpose2d as conv_transpose2d
from ._conv import conv_transpose3d as conv_transpose3d
from ._ctc import ctc_loss as ctc_loss
from ._distance import cosine_similarity as cosine_similarity
from ._distance import pairwise_distance as pairwise_distance
from ._distance import pdist as pdist
from ._conv import conv_transpose_init as conv_transpose_init
from ._dropout import dropout as dropout
from ._dropout import alpha_dropout as alpha_dropout
from ._dropout import dropout2d as dropout2d
from ._dropout import feature_alpha_dropout as feature_alpha_dropout
from ._dropout import feature_dropout as feature_dropout
from ._fold import fold as fold
from ._fold import unfold as unfold
from ._grid_sample import affine_grid as affine_grid
from ._grid_sample import grid_sample as grid_sample
from ._linear import bilinear as bilinear
from ._linear import bilinear_init as bilinear_init
from ._linear import embedding as embedding
from ._linear import embedding_init as embedding_init
from ._linear import embedding_renorm as embedding_renorm
from ._linear import flatten as flatten
from ._linear import linear as linear
from ._linear import linear_init as linear_init
from ._linear import unflatten as unflatten
from ._norm import batch_norm as batch_norm
from ._norm import batch_norm_init as batch_norm_init
from ._norm import group_norm as group_norm
from ._norm import group_norm_init as group_norm_init
from ._norm import instance_norm as instance_norm
from ._norm import local_response_norm as local_response_norm
from ._norm import rms_norm as rms_norm
from ._norm import layer_norm as layer_norm
from ._norm import layer_norm_init as layer_norm_init
from ._pool import adaptive_avg_pool1d as adaptive_avg_pool1d
from ._pool import adaptive_avg_pool2d as adaptive_avg_pool2d
from ._pool import adaptive_avg_pool3d as adaptive_avg_pool3d
from ._pool import adaptive_max_pool as _adaptive_max_pool
from ._pool import avg_pool3d as avg_pool3d
from ._pool import lp_pool as _lp_pool
from ._pool import max_pool3d as max_pool3d
from ._pool import max_pool3d_with_indices as max_pool3d_with_indices
from ._pool import avg_pool1d as avg_pool1d
from ._pool import avg_pool2d as avg_pool2d
from ._pool import max_pool1d as max_pool1d
from ._pool import max_pool2d as max_pool2d
from ._pool import max_pool1d_with_indices as max_pool1d_with_indices
from ._pool import max_pool2d_with_indices as max_pool2d_with_indices
from ._unpool import max_unpool1d as max_unpool1d
from ._unpool import max_unpool2d as max_unpool2d
from ._unpool import max_unpool3d as max_unpool3d
from ._resize import channel_shuffle as channel_shuffle
from ._resize import interpolate as interpolate
from ._resize import pixel_shuffle as pixel_shuffle
from ._resize import pixel_unshuffle as pixel_unshuffle
from ._rnn import rnn as rnn
from ._rnn import rnn_cell as rnn_cell
from ._rnn import rnn_cell_init as rnn_cell_init
from ._rnn import rnn_init as rnn_init
from ._embedding_bag import embedding_bag as embedding_bag

# The pure core's n-d pools under nn.functional's per-dimension names.
def adaptive_max_pool1d(x, output_size, return_indices: bool = False):
    """Max over adaptive bins of (N, C, L) or (C, L); with return_indices, (values, indices)."""
    out = _adaptive_max_pool(x, 1, output_size, "adaptive_max_pool1d")
    return out if return_indices else out[0]


def adaptive_max_pool2d(x, output_size, return_indices: bool = False):
    """Max over adaptive bins of (N, C, H, W) or (C, H, W)."""
    out = _adaptive_max_pool(x, 2, output_size, "adaptive_max_pool2d")
    return out if return_indices else out[0]


def adaptive_max_pool3d(x, output_size, return_indices: bool = False):
    """Max over adaptive bins of (N, C, D, H, W) or (C, D, H, W)."""
    out = _adaptive_max_pool(x, 3, output_size, "adaptive_max_pool3d")
    return out if return_indices else out[0]


def lp_pool1d(x, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
    """(sum of x^p over each window) ^ (1/p) over (N, C, L)."""
    return _lp_pool(x, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(x, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
    """(sum of x^p over each window) ^ (1/p) over (N, C, H, W)."""
    return _lp_pool(x, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(x, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
    """(sum of x^p over each window) ^ (1/p) over (N, C, D, H, W)."""
    return _lp_pool(x, 3, norm_type, kernel_size, stride, ceil_mode)


__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "affine_grid",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "batch_norm_init",
    "bilinear",
    "bilinear_init",
    "celu",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_init",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "conv_transpose_init",
    "cosine_similarity",
    "ctc_loss",
    "dropout",
    "dropout2d",
    "elu",
    "embedding",
    "embedding_bag",
    "embedding_init",
    "embedding_renorm",
    "feature_alpha_dropout",
    "feature_dropout",
    "flatten",
    "fold",
    "gelu",
    "glu",
    "grid_sample",
    "group_norm",
    "group_norm_init",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "instance_norm",
    "interpolate",
    "layer_norm",
    "layer_norm_init",
    "leaky_relu",
    "linear",
    "linear_init",
    "local_response_norm",
    "log_softmax",
    "logsigmoid",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "mish",
    "multi_head_attention",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "prelu",
    "relu",
    "relu6",
    "rms_norm",
    "rnn",
    "rnn_cell",
    "rnn_cell_init",
    "rnn_init",
    "rrelu",
    "scaled_dot_product_attention",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "unflatten",
    "unfold",
]
