"""Layers of the pure core as init/apply pairs over jax arrays.

`*_init(..., *, key)` returns a dict keyed by PyTorch's state_dict names in PyTorch's
layouts; the apply function takes those arrays by the same names, so
`linear(x, **linear_init(3, 4, key=k))` works. Stateful layers (batch_norm) return
`(output, new_state)` instead of mutating.
"""

from ._activations import elu as elu
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
from ._conv import conv_transpose2d as conv_transpose2d
from ._conv import conv_transpose_init as conv_transpose_init
from ._dropout import dropout as dropout
from ._dropout import dropout2d as dropout2d
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
from ._norm import layer_norm as layer_norm
from ._norm import layer_norm_init as layer_norm_init
from ._pool import adaptive_avg_pool1d as adaptive_avg_pool1d
from ._pool import adaptive_avg_pool2d as adaptive_avg_pool2d
from ._pool import avg_pool1d as avg_pool1d
from ._pool import avg_pool2d as avg_pool2d
from ._pool import max_pool1d as max_pool1d
from ._pool import max_pool2d as max_pool2d
from ._pool import max_pool1d_with_indices as max_pool1d_with_indices
from ._pool import max_pool2d_with_indices as max_pool2d_with_indices
from ._unpool import max_unpool1d as max_unpool1d
from ._unpool import max_unpool2d as max_unpool2d
from ._rnn import rnn as rnn
from ._rnn import rnn_cell as rnn_cell
from ._rnn import rnn_cell_init as rnn_cell_init
from ._rnn import rnn_init as rnn_init
from ._embedding_bag import embedding_bag as embedding_bag

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "batch_norm",
    "batch_norm_init", "bilinear", "bilinear_init", "conv1d", "conv2d", "conv_init",
    "conv_transpose2d", "conv_transpose_init", "dropout", "dropout2d", "elu", "embedding",
    "embedding_init", "embedding_renorm", "flatten", "gelu", "group_norm", "group_norm_init",
    "hardtanh", "layer_norm", "layer_norm_init", "leaky_relu", "linear", "linear_init",
    "log_softmax", "logsigmoid", "max_pool1d", "max_pool1d_with_indices", "max_pool2d",
    "max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "mish", "multi_head_attention",
    "relu", "relu6", "rnn", "rnn_cell", "rnn_cell_init", "rnn_init",
    "scaled_dot_product_attention", "selu", "sigmoid", "embedding_bag",
    "silu", "softmax", "softplus", "tanh", "unflatten"
]
