"""torch.nn.functional's dropout and dropout2d; nn.functional re-exports them (the other
dropouts live in _functional_layers).

Parity note: the masks are drawn from the global generator: same seed, same masks (JAX's
stream, not PyTorch's).
"""

from __future__ import annotations

import warnings

from .. import _random
from .._tensor import apply
from ..pure import _dropout
from . import _arg_checks as _args


def _f_dropout(x, key, *, p, channels):
    fn = _dropout.dropout2d if channels else _dropout.dropout
    return fn(x, p, True, key=key)


def _dropout_impl(input, p, training, inplace, channels, fname=None):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if fname is not None:       # (checked after p, as torch's Python code does)
        _args.require_input(fname, input, inplace)
    if not training or p == 0.0:
        return input
    key = _random.next_key() if p < 1.0 else None
    out = apply(_f_dropout, "MulBackward0", input, key, p=p, channels=channels)
    return input._set(out, op="dropout_") if inplace else out


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes elements with probability p (mask from the global generator), scales the
    rest by 1/(1-p); identity when not training."""
    return _dropout_impl(input, p, training, inplace, False, "dropout")


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of (N, C, H, W) with probability p; other ranks with torch's
    warnings and behaviour (one draw per (N, C): see pure/_dropout.dropout2d)."""
    _args.require_method(input, "dim")
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. "
                      "Note that dropout2d exists to provide channel-wise dropout on inputs "
                      "with 2 spatial dimensions, a channel dimension, and an optional batch "
                      "dimension (i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      UserWarning, stacklevel=2)
    return _dropout_impl(input, p, training, inplace, True)
