"""torch's top-level in-place functions: `torch.abs_(x)` is `x.abs_()`.

Those with a Tensor method are built from a name list (each calls the method, so the leaf
rule, dtype keeping and view write-through are the method's); those PyTorch has only as
functions (selu_, celu_, threshold_, rrelu_ and the dropouts) call nn.functional in place.
"""

from __future__ import annotations

from . import _toplevel_functional as _TF
from .nn import _functional_layers as _FL
from .nn import functional as F

# torch.<name>(input, *args, **kwargs) == input.<name>(*args, **kwargs).
_METHOD_NAMES = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_",
    "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_",
    "gcd_", "i0_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_",
    "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_",
    "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_",
    "trunc_", "xlogy_", "zero_",
)


def _method_function(name: str):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"In-place `input.{name}(*args, **kwargs)`; returns `input`."
    return fn


INPLACE = {name: _method_function(name) for name in _METHOD_NAMES}


def selu_(input):
    """In-place SELU."""
    return F.selu_(input)


def celu_(input, alpha: float = 1.0):
    """In-place CELU."""
    return F.celu_(input, alpha)


def threshold_(input, threshold: float, value: float):
    """In-place threshold: entries <= threshold become `value`."""
    return F.threshold_(input, threshold, value)


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
           generator=None):
    """In-place randomized leaky ReLU. PyTorch parity: `generator` is not supported."""
    if generator is not None:
        raise NotImplementedError("rrelu_(): a generator argument is not supported")
    return F.rrelu_(input, lower, upper, training)


def dropout_(input, p: float, train: bool):
    """In-place dropout (see torch.dropout)."""
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout_(input, p: float, train: bool):
    """In-place alpha dropout (see torch.alpha_dropout)."""
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_dropout_(input, p: float, train: bool):
    """In-place channel dropout (see torch.feature_dropout)."""
    _TF._check_feature(input, p, train)
    return _FL._dropout("feature", "MulBackward0", input, p, train, True)


def feature_alpha_dropout_(input, p: float, train: bool):
    """In-place channel alpha dropout (see torch.feature_alpha_dropout)."""
    return F.feature_alpha_dropout(input, p, train, inplace=True)


globals().update(INPLACE)      # module attributes, so __init__ re-exports them by name
