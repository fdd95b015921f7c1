"""More of torch.nn.functional: the remaining activations, their in-place `_` forms, and
gumbel_softmax. Each dispatches one pure-core function; nn.functional re-exports them.

Random draws (rrelu in training, gumbel_softmax) take their key from the global generator,
as dropout does: same seed, same numbers (JAX's stream, not PyTorch's).
"""

from __future__ import annotations

import warnings

from .. import _autocast_state, _dtypes, _random
from .._dtype_refusals import check
from .._ops_math import _no_bool_subtraction
from .._tensor import _wrap_dim, apply
from ..pure import _activations as A
from . import _arg_checks as _args
from . import functional as _F

# ---- in-place forms of the existing activations --------------------------------------


def relu_(input):
    """relu, in place."""
    return _F.relu(input, inplace=True)


def elu_(input, alpha: float = 1.0):
    """elu, in place."""
    return _F.elu(input, alpha, inplace=True)


def leaky_relu_(input, negative_slope: float = 0.01):
    """leaky_relu, in place."""
    return _F.leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    """hardtanh, in place."""
    return _F.hardtanh(input, min_val, max_val, inplace=True)


def selu_(input):
    """selu, in place."""
    return _F.selu(input, inplace=True)


# ---- new activations -----------------------------------------------------------------

def celu(input, alpha: float = 1.0, inplace: bool = False):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    _args.require_input("celu", input, inplace)
    check("elu", input)         # (torch's celu is its elu kernel)
    return _F._act(A.celu, "CeluBackward0", input, inplace, alpha=float(alpha))


def celu_(input, alpha: float = 1.0):
    return celu(input, alpha, inplace=True)


def threshold(input, threshold: float, value: float, inplace: bool = False):
    """x where x > threshold, else value (in x's dtype)."""
    _args.require_input("threshold", input, inplace)
    check("threshold", input)
    return _F._act(A.threshold, "ThresholdBackward0", input, inplace, threshold=threshold,
                   value=value)


_threshold = threshold        # (the argument named threshold hides the function below)


def threshold_(input, threshold: float, value: float):
    return _threshold(input, threshold, value, inplace=True)


def _f_rrelu(x, key, *, lower, upper, training):
    return A.rrelu(x, lower, upper, training, key=key)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False):
    """Leaky ReLU with a random slope per element from U(lower, upper) in training (from the
    global generator), the slope (lower + upper) / 2 otherwise."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    key = _random.next_key() if training else None
    out = apply(_f_rrelu, "RreluWithNoiseBackward0", input, key, lower=float(lower),
                upper=float(upper), training=bool(training))
    return input._set(out, op="rrelu_with_noise_") if inplace else out


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False):
    return rrelu(input, lower, upper, training, inplace=True)


def hardswish(input, inplace: bool = False):
    """x relu6(x + 3) / 6."""
    _args.require_input("hardswish", input, inplace)
    check("hardswish", input)
    return _F._act(A.hardswish, "HardswishBackward0", input, inplace)


def hardsigmoid(input, inplace: bool = False):
    """relu6(x + 3) / 6."""
    _args.require_input("hardsigmoid", input, inplace)
    check("hardsigmoid", input)
    return _F._act(A.hardsigmoid, "HardsigmoidBackward0", input, inplace)


def softsign(input):
    """x / (1 + |x|)."""
    _args.require_method(input, "abs")
    check("abs", input)         # (torch's softsign is Python code calling abs)
    return apply(A.softsign, "DivBackward0", input)


def tanhshrink(input):
    """x - tanh(x)."""
    # torch's is Python code, input - input.tanh(), and tanh(input) is floating
    _args.require_method(input, "tanh")
    _no_bool_subtraction(input, 0.0)
    return apply(A.tanhshrink, "SubBackward0", input)


def softshrink(input, lambd: float = 0.5):
    """x -+ lambd outside [-lambd, lambd], 0 inside."""
    _args.require_input("softshrink", input)
    check("softshrink", input)
    return apply(A.softshrink, "SoftshrinkBackward0", input, lambd=float(lambd))


def hardshrink(input, lambd: float = 0.5):
    """x outside [-lambd, lambd], 0 inside."""
    _args.require_input("hardshrink", input)
    check("hardshrink", input)
    return apply(A.hardshrink, "HardshrinkBackward0", input, lambd=float(lambd))


def glu(input, dim: int = -1):
    """a * sigmoid(b) for the halves a, b of `input` along `dim` (whose size must be even)."""
    dim = _wrap_dim(int(dim), input.ndim)        # (an out-of-range dim raises, as torch's)
    return apply(A.glu, "GluBackward0", input, dim=dim)


def prelu(input, weight):
    """x where x > 0, else weight * x; weight (C,) is broadcast along dim 1, or (1,)."""
    _args.require_tensor("prelu", input, "input", 1)
    _args.require_tensor("prelu", weight, "weight", 2)
    if input.dtype != weight.dtype and _autocast_state.cast is None:   # (JAX promoted)
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{_dtypes.scalar_type_name(input.dtype)} and "
                           f"{_dtypes.scalar_type_name(weight.dtype)}")
    return apply(A.prelu, "PreluKernelBackward0", input, weight)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """softmax(-input) along `dim` (the implicit dim follows softmax's deprecated rule)."""
    if dim is None:
        dim = _F._implicit_dim("softmin", input.ndim, _stacklevel)
    return _F.softmax(-input, dim, dtype=dtype)


def _f_gumbel_softmax(logits, key, *, tau, hard, dim):
    return A.gumbel_softmax(logits, tau, hard, dim, key=key)


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1):
    """softmax((logits + g) / tau) along `dim` with Gumbel noise g from the global generator;
    `hard` returns the one-hot of its argmax, with the soft sample's gradient."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    dim = _wrap_dim(dim, logits.ndim)       # (torch's IndexError for a dim out of range)
    if not logits.is_floating_point():      # (torch draws its noise with exponential_)
        raise RuntimeError("Exponential distribution is a continuous probability "
                           "distribution. dtype must be a floating point but you specified "
                           f"{_dtypes.scalar_type_name(logits.dtype)}")
    return apply(_f_gumbel_softmax, "AddBackward0" if hard else "SoftmaxBackward0", logits,
                 _random.next_key(), tau=float(tau), hard=bool(hard), dim=int(dim))
