"""The layer functions PyTorch also exposes at top level (torch.conv2d, torch.layer_norm,
torch.dropout, ...), with torch's top-level signatures where they differ from
torch.nn.functional: dropout's `p` and `train` are required and positional, batch_norm's
and instance_norm's arguments come in aten's order, embedding takes (weight, indices),
pools never take `return_indices`. Each forwards to the nn.functional implementation.
"""

from __future__ import annotations

from .nn import _functional_layers as _FL
from .nn import functional as F

# Same signature at top level as in nn.functional.
conv1d = F.conv1d
conv2d = F.conv2d
conv3d = F.conv3d
conv_transpose1d = F.conv_transpose1d
conv_transpose2d = F.conv_transpose2d
conv_transpose3d = F.conv_transpose3d
avg_pool1d = F.avg_pool1d
adaptive_avg_pool1d = F.adaptive_avg_pool1d
rms_norm = F.rms_norm
prelu = F.prelu
hardshrink = F.hardshrink
pixel_shuffle = F.pixel_shuffle
pixel_unshuffle = F.pixel_unshuffle
channel_shuffle = native_channel_shuffle = F.channel_shuffle
bilinear = F.bilinear


def _stride(stride):
    # aten's default stride is [] ("same as kernel_size"); nn.functional spells it None.
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else (
        stride)


# ---- pooling -------------------------------------------------------------------------

def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling of (N, C, L) or (C, L); values only."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling of (N, C, H, W) or (C, H, W); values only."""
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W); values only."""
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """(values, indices) of 1-D max pooling; indices are positions along L (int64)."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode,
                        True)


def adaptive_max_pool1d(input, output_size):
    """(values, indices) of adaptive max pooling over L: torch.adaptive_max_pool1d always
    returns both, unlike nn.functional's default."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


# ---- dropout -------------------------------------------------------------------------
# PyTorch parity: the masks come from this library's global generator (seeded by
# torch.manual_seed), not PyTorch's Philox/MT stream: same distribution, other draws.

def dropout(input, p: float, train: bool):
    """Zeroes each element with probability p and scales survivors by 1/(1-p) when
    `train`; the identity otherwise."""
    return F.dropout(input, p, train)


def alpha_dropout(input, p: float, train: bool):
    """Alpha dropout (keeps SELU's self-normalizing mean and variance) when `train`."""
    return F.alpha_dropout(input, p, train)


def _check_feature(input, p, train):
    if train and 0.0 < p <= 1.0 and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")


def feature_dropout(input, p: float, train: bool):
    """Zeroes whole channels (dim 1 of (N, C, *)) with probability p when `train`."""
    _check_feature(input, p, train)
    return _FL._dropout("feature", "MulBackward0", input, p, train, False)


def feature_alpha_dropout(input, p: float, train: bool):
    """Alpha dropout of whole channels of (N, C, *) when `train`."""
    return F.feature_alpha_dropout(input, p, train)


# ---- normalization -------------------------------------------------------------------

def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enable: bool = True):
    """Normalizes over the trailing `normalized_shape` dims (cudnn_enable has no effect)."""
    del cudnn_enable
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enabled: bool = True):
    """Normalizes (N, C, *) over groups of C / num_groups channels."""
    del cudnn_enabled
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool):
    """aten's batch_norm: all nine arguments positional, weight and bias first. In
    training, the running statistics (when given) are updated in place."""
    del cudnn_enabled
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                        eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats: bool,
                  momentum: float, eps: float, cudnn_enabled: bool):
    """aten's instance_norm: all nine arguments positional, weight and bias first."""
    del cudnn_enabled
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


# ---- embedding, activations ----------------------------------------------------------

def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False):
    """Rows of `weight` (num_embeddings, dim) picked by integer `indices`. As aten's, a
    negative padding_idx means none (nn.functional resolves negatives before calling)."""
    return F.embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def selu(input):
    """scale * (max(0, x) + min(0, alpha * (exp(x) - 1)))."""
    return F.selu(input)


def celu(input, alpha: float = 1.0):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return F.celu(input, alpha)


def threshold(input, threshold: float, value: float):
    """x where x > threshold, else `value`."""
    return F.threshold(input, threshold, value)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          generator=None):
    """Randomized leaky ReLU (slope (lower + upper) / 2 when not training).

    PyTorch parity: `generator` is not supported (the global generator draws the slopes).
    """
    if generator is not None:
        raise NotImplementedError("rrelu(): a generator argument is not supported")
    return F.rrelu(input, lower, upper, training)
