"""Torch's argument parser on parameters declared `Tensor` (not `Scalar`) in its signatures.

PyTorch parity: `torch.maximum(t, 2)`, `t.atan2(2)`, `torch.gcd(2, t)` raise
`TypeError: maximum(): argument 'other' (position 2) must be Tensor, not int` in torch
2.13, because those native functions have no Scalar overload; JAX functions take the
number happily and would return a result torch never gives. The comparison family
(`torch.eq(2, t)`) has a Scalar `other` but a Tensor `input`, and its two overloads make
torch word the refusal as "received an invalid combination of arguments".

The tables were sorted by calling torch 2.13 with an int in each position. Positions
count from 1 and leave `self` out for methods (`t.maximum(2)` says "position 1"); a
keyword argument is named without one. The wrappers are installed late in the package's
`__init__`, outside the `out=` ones, so this check runs first, as torch's parser does;
the first-parameter check (`install_first`) goes outside the `int dim` ones too.
"""

from __future__ import annotations

import functools

from ._argparse_invalid import invalid_combination
from ._overload_args import fits, parse
from ._tensor import typename

# Functions whose first two parameters are both Tensors (names as torch's signatures give).
_BOTH = dict.fromkeys("""
    atan2 arctan2 hypot maximum minimum fmax fmin nextafter ldexp logaddexp logaddexp2
    logical_and logical_or logical_xor gcd lcm igamma igammac dist cross kron inner vdot
    matmul equal isclose allclose
""".split(), ("input", "other"))
_BOTH.update(heaviside=("input", "values"), outer=("input", "vec2"), dot=("input", "tensor"),
             mm=("input", "mat2"), polar=("abs", "angle"), complex=("real", "imag"))
_BOTH.update(dict.fromkeys(("binary_cross_entropy_with_logits", "hinge_embedding_loss",
                            "kl_div"), ("input", "target")),
             pairwise_distance=("x1", "x2"), binomial=("count", "prob"),
             addcmul=("input", "tensor1", "tensor2"), addcdiv=("input", "tensor1", "tensor2"))
# torch.* functions whose first parameter is a Tensor in every overload: a number there
# (`torch.exp(1.0)`, `torch.sum(2)`) raises torch's TypeError, where jnp took the number and
# gave a result torch never gives, or an AttributeError came from deeper down. Sorted by
# calling torch 2.13 with a float first (tests/test_number_input_refusals.py does again).
_FIRST = dict.fromkeys("""
    abs abs_ absolute acos acos_ acosh acosh_ adaptive_avg_pool1d adaptive_max_pool1d
    adjoint alpha_dropout alpha_dropout_ amax amin aminmax angle arccos arccos_ arccosh
    arccosh_ arcsin arcsin_ arcsinh arcsinh_ arctan arctan_ arctanh arctanh_ argmax
    argmin argsort argwhere as_strided asin asin_ asinh asinh_ atan atan_ atanh atanh_
    avg_pool1d batch_norm bernoulli bincount bitwise_not broadcast_to ceil ceil_ celu
    celu_ channel_shuffle cholesky cholesky_inverse cholesky_solve chunk clone
    combinations conj conj_physical conj_physical_ constant_pad_nd conv_transpose1d
    conv_transpose2d conv_transpose3d corrcoef cos cos_ cosh cosh_ count_nonzero cov
    cummax cummin cumprod cumsum deg2rad deg2rad_ det detach detach_ diag diag_embed
    diagflat diagonal diagonal_scatter diff digamma dropout dropout_ empty_like erf erf_
    erfc erfc_ erfinv exp exp2 exp2_ exp_ expm1 expm1_ feature_alpha_dropout
    feature_alpha_dropout_ feature_dropout feature_dropout_ fix fix_ flatten flip fliplr
    flipud floor floor_ frac frac_ frexp frobenius_norm full_like gather geqrf ger
    get_device gradient group_norm hardshrink histc histogram i0 i0_ imag index_add
    index_copy index_put index_put_ index_reduce index_select instance_norm inverse
    is_complex is_conj is_floating_point is_inference is_neg is_nonzero is_same_size
    is_signed isfinite isinf isnan isneginf isposinf isreal istft kthvalue layer_norm
    lgamma log log10 log10_ log1p log1p_ log2 log2_ log_ log_softmax logcumsumexp logdet
    logical_not logit logit_ logsumexp lu_solve masked_scatter masked_select matrix_exp
    matrix_power max max_pool1d max_pool1d_with_indices max_pool2d max_pool3d mean
    median min mode msort multinomial mv mvlgamma nan_to_num nan_to_num_ nanmean
    native_channel_shuffle embedding_renorm_
    nanmedian nansum narrow_copy neg neg_ negative negative_ nonzero nonzero_static
    nuclear_norm numel ones_like orgqr ormqr pdist permute pinverse pixel_shuffle
    pixel_unshuffle poisson poisson_nll_loss positive prelu prod put qr rad2deg rad2deg_
    rand_like randn_like ravel real reciprocal reciprocal_ relu relu_ renorm reshape
    resolve_conj resolve_neg rms_norm roll rot90 round round_ rrelu rrelu_ rsqrt rsqrt_
    scatter_add scatter_reduce select select_scatter selu selu_ sgn sigmoid sigmoid_
    sign signbit sin sin_ sinc sinc_ sinh sinh_ slice_scatter slogdet softmax sort
    split_with_sizes sqrt sqrt_ square square_ squeeze sum svd swapaxes swapdims t take
    take_along_dim tan tan_ tanh tanh_ threshold threshold_ tile topk trace transpose
    triangular_solve tril triu trunc trunc_ unbind unflatten unique_consecutive
    unsafe_chunk unsafe_split unsafe_split_with_sizes unsqueeze view_as_complex
    view_as_real zero_ zeros_like
""".split(), "input")
_FIRST.update(dict.fromkeys(("bilinear", "cosine_embedding_loss", "margin_ranking_loss"),
                            "input1"),
              cosine_similarity="x1", cumulative_trapezoid="y", trapezoid="y", trapz="y",
              embedding="weight", lu_unpack="LU_data", repeat_interleave="repeats",
              triplet_margin_loss="anchor", vander="x", where="condition")
# torch.special's, whose native functions are named `special_<name>` in torch's errors.
_SPECIAL_FIRST = dict.fromkeys("""
    bessel_j0 bessel_j1 bessel_y0 bessel_y1 digamma entr erf erfc erfcx erfinv exp2 expit
    expm1 gammaln i0 i0e i1 i1e log1p log_ndtr log_softmax logit logsumexp
    modified_bessel_i0 modified_bessel_i1 modified_bessel_k0 modified_bessel_k1
    multigammaln ndtr ndtri psi round sinc softmax
""".split(), "input")
_SPECIAL_FIRST.update(dict.fromkeys(("airy_ai", "scaled_modified_bessel_k0",
                                     "scaled_modified_bessel_k1", "spherical_bessel_j0"),
                                    "x"))
# torch.fft's transforms (not fftfreq, which takes a size), named `fft_<name>` in errors.
_FFT_FIRST = """fft ifft fft2 ifft2 fftn ifftn rfft irfft rfft2 irfft2 rfftn irfftn hfft ihfft
    hfft2 ihfft2 hfftn ihfftn fftshift ifftshift""".split()
# nn.functional's own (not torch.* objects), whose torch versions call a native function.
_FUNCTIONAL_FIRST = dict.fromkeys("""
    alpha_dropout feature_alpha_dropout rrelu rrelu_ avg_pool2d avg_pool3d linear
    threshold_
""".split(), "input")
_FUNCTIONAL_FIRST.update(cosine_similarity="x1", pairwise_distance="x1",
                         scaled_dot_product_attention="query")
# In-place methods (and the few torch.* in-place functions) with the same rule.
_INPLACE = ("atan2 arctan2 hypot ldexp nextafter logical_and logical_or logical_xor gcd "
            "lcm heaviside igamma igammac addcmul addcdiv").split()

# Functions with several overloads, each as torch 2.13 prints it: a call that fits none
# raises torch's "invalid combination of arguments" listing them (`torch.lerp(t, 2)`,
# `torch.rsub(2, t)`), where JAX would take the number.
_OVERLOADS = {
    "lerp": ("(Tensor input, Tensor end, Tensor weight, *, Tensor out = None)",
             "(Tensor input, Tensor end, Number weight, *, Tensor out = None)"),
    "bucketize": ("(Tensor input, Tensor boundaries, *, bool out_int32 = False, "
                  "bool right = False, Tensor out = None)",
                  "(Number self, Tensor boundaries, *, bool out_int32 = False, "
                  "bool right = False)"),
    "searchsorted": tuple(f"(Tensor sorted_sequence, {t}, *, bool out_int32 = False, "
                          "bool right = False, str side = None, Tensor sorter = None, "
                          "Tensor out = None)" for t in ("Tensor input", "Number self")),
    "rsub": ("(Tensor input, Tensor other, *, Number alpha = 1)",
             "(Tensor input, Number other, Number alpha = 1)"),
}
# Functions with overloads that differ past the input, whose other arguments torch's parser
# converts loosely (a number where a Tensor is listed): only a non-Tensor input is refused
# here, with the overloads listed (`torch.clamp(0.2, max=1.0)`, `torch.eq(2.0, t)`).
_INPUT_OVERLOADS = dict.fromkeys(("clamp", "clip"), tuple(
    f"(Tensor input, {t} min = None, {t} max = None, *, Tensor out = None)"
    for t in ("Tensor", "Number")))


def _tensor_or_number(param: str) -> tuple:
    """The overloads (Tensor input, Tensor param) and (Tensor input, Number param)."""
    return tuple(f"(Tensor input, {t} {param}, *, Tensor out = None)"
                 for t in ("Tensor", "Number"))


_INPUT_OVERLOADS.update(dict.fromkeys("""
    eq ne lt le gt ge greater less greater_equal less_equal not_equal fmod copysign
""".split(), _tensor_or_number("other")), clamp_min=_tensor_or_number("min"),
                        clamp_max=_tensor_or_number("max"))
# Methods (self left out of the signatures), in-place forms included.
_METHOD_OVERLOADS = {name: ("(Tensor end, Tensor weight)", "(Tensor end, Number weight)")
                     for name in ("lerp", "lerp_")}


def _check(fname: str, params: tuple, first: int, args, kwargs, tensor_cls) -> None:
    """Raises torch's TypeError for the first of `params` given a non-Tensor; `first` is
    the position number of the first of them."""
    for i, param in enumerate(params):
        if i < len(args):
            value, where = args[i], f" (position {first + i})"
        elif param in kwargs:
            value, where = kwargs[param], ""
        else:
            continue
        if not isinstance(value, tensor_cls):
            raise TypeError(f"{fname}(): argument '{param}'{where} must be Tensor, not "
                            f"{typename(value)}")


def _function(fn, name: str, params: tuple, tensor_cls):
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        _check(name, params, 1, args, kwargs, tensor_cls)
        return fn(*args, **kwargs)
    return checked


def _method(fn, name: str, params: tuple, tensor_cls):
    @functools.wraps(fn)
    def checked(self, *args, **kwargs):
        _check(name, params[1:], 1, args, kwargs, tensor_cls)
        return fn(self, *args, **kwargs)
    return checked


def _input_overloaded(fn, name: str, signatures: tuple, tensor_cls):
    """`fn` refusing a non-Tensor input with torch's listing of `signatures`."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        value = args[0] if args else kwargs.get("input")
        if value is not None and not isinstance(value, tensor_cls):
            raise TypeError(invalid_combination(name, signatures, args, kwargs, tensor_cls))
        return fn(*args, **kwargs)
    return checked


def _overloaded(fn, name: str, signatures: tuple, tensor_cls, method: bool):
    """`fn` called only when its arguments fit one of torch's `signatures`."""
    parsed = [parse(sig) for sig in signatures]

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        given = args[1:] if method else args
        if not any(fits(params, given, kwargs, tensor_cls) for params in parsed):
            raise TypeError(invalid_combination(name, signatures, given, kwargs, tensor_cls))
        return fn(*args, **kwargs)
    return checked


def install(namespace: dict, tensor_cls: type) -> None:
    """Rebinds, in place, the torch-namespace functions and Tensor methods of the tables
    above to ones that check their Tensor parameters first (`namespace`: the package's
    globals)."""
    for name, params in _BOTH.items():
        if name in namespace:
            namespace[name] = _function(namespace[name], name, params, tensor_cls)
        if hasattr(tensor_cls, name):
            setattr(tensor_cls, name, _method(getattr(tensor_cls, name), name, params,
                                              tensor_cls))
    for base in _INPLACE:
        name, params = base + "_", _BOTH[base]
        if name in namespace:
            namespace[name] = _function(namespace[name], name, params, tensor_cls)
        if hasattr(tensor_cls, name):
            setattr(tensor_cls, name, _method(getattr(tensor_cls, name), name, params,
                                              tensor_cls))
    for name, signatures in _OVERLOADS.items():
        if name in namespace:
            namespace[name] = _overloaded(namespace[name], name, signatures, tensor_cls,
                                          method=False)
    for name, signatures in _INPUT_OVERLOADS.items():
        if name in namespace:
            namespace[name] = _input_overloaded(namespace[name], name, signatures,
                                                tensor_cls)
    for name, signatures in _METHOD_OVERLOADS.items():
        setattr(tensor_cls, name, _overloaded(getattr(tensor_cls, name), name, signatures,
                                              tensor_cls, method=True))
    # torch.special's names for igamma/igammac check the same, under their native names.
    special = namespace.get("special")
    for name in ("gammainc", "gammaincc"):
        if special is not None and hasattr(special, name):
            setattr(special, name, _function(getattr(special, name), f"special_{name}",
                                             ("input", "other"), tensor_cls))


def install_first(namespace: dict, tensor_cls: type, functional, special) -> None:
    """Rebinds the `_FIRST` functions of `namespace` to ones that check their first
    parameter is a Tensor before anything else (installed after the `int dim` checks:
    torch's parser reads position 1 first). The same objects under nn.functional names
    (`F.pixel_shuffle`) are rebound too, and torch.special's functions refuse under their
    native `special_` names."""
    for name, param in _FIRST.items():
        fn = namespace.get(name)
        if fn is None:
            continue
        namespace[name] = _function(fn, name, (param,), tensor_cls)
        if getattr(functional, name, None) is fn:
            setattr(functional, name, namespace[name])
    for name, param in _FUNCTIONAL_FIRST.items():
        fn = getattr(functional, name, None)
        if fn is not None:
            setattr(functional, name, _function(fn, name, (param,), tensor_cls))
    for name, param in _SPECIAL_FIRST.items():
        fn = getattr(special, name, None)
        if fn is not None:
            setattr(special, name, _function(fn, f"special_{name}", (param,), tensor_cls))
    fft = namespace.get("fft")
    for name in _FFT_FIRST:
        fn = getattr(fft, name, None)
        if fn is not None:
            setattr(fft, name, _function(fn, f"fft_{name}", ("input",), tensor_cls))
