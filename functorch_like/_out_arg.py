"""The `out=` keyword of torch-namespace functions (`torch.matmul(a, b, out=y)`).

PyTorch's native functions write their result into a given tensor and return it; the
official "Tensors" tutorial shows `torch.matmul(tensor, tensor.T, out=y3)` and
`torch.mul(tensor, tensor, out=z3)`. Here the result is computed as usual and then
written into `out` as an in-place update (`Tensor._set`), with torch's checks:

- `out` must be a Tensor (TypeError), and no argument, `out` included, may require grad
  while grad mode is on ("functions with out=... arguments don't support automatic
  differentiation").
- dtype: pointwise (TensorIterator) ops cast the result to `out`'s dtype when
  `torch.can_cast` allows it (`_set` raises torch's "result type Float can't be cast to
  the desired output type Long" otherwise); linear-algebra kernels want the exact dtype
  ("Expected out tensor to have dtype float, but got long int instead"); the sign/rounding
  family says "Found dtype Long but expected Float".
- shape: an `out` of another shape is resized; torch warns when it had elements.

bucketize/searchsorted want out's dtype to be the one `out_int32` asks for.

Reductions: sum/prod/cumsum/cumprod compute in out's dtype (`torch.sum(floats, 1,
out=longs)` sums the truncated values) unless a `dtype=` is given, which out must then
match; mean/std/var/logsumexp cast (logsumexp wants a floating out); amax/amin want the
input's dtype, norm the result's, any/all a bool out (or a uint8 one, tested on the
input cast to uint8). The (values, indices) functions (max/min with a dim, sort,
topk, kthvalue, cummax, cummin, mode) take a pair: see _out_pairs.
(torch.sum without a dim refuses out= in the dim-overload layer outside this one.)
"""

from __future__ import annotations

import functools
import warnings

from . import _dtypes
from ._argparse_names import argparse_typename
from ._out_pairs import check_pair, is_pair, write_pair
from ._toplevel_dtypes import can_cast
from .pure._errors import user_stacklevel

# The groups below were sorted by calling torch 2.13 with an int8 `out` on float inputs.
_CAST = frozenset("""
    acos acosh add angle arccos arccosh arcsin arcsinh arctan arctan2 arctanh asin asinh
    atan atan2 atanh logsumexp max mean min std var cat column_stack concat concatenate copysign cos cosh deg2rad digamma
    div divide dstack eq erf erfc erfinv exp exp2 expm1 floor_divide fmax fmin fmod ge
    greater greater_equal gt hstack hypot i0 kron ldexp le less less_equal lgamma log
    log10 log1p log2 logaddexp logaddexp2 logical_and logical_not logical_or logical_xor
    logit lt maximum minimum mul multiply ne nextafter not_equal pow rad2deg reciprocal
    remainder rsqrt sigmoid sin sinc sinh sqrt square stack sub subtract tan tanh
    true_divide vstack xlogy lerp bitwise_and bitwise_or bitwise_xor bitwise_left_shift
    bitwise_right_shift gcd lcm
""".split())
# torch.cat's own check (the stacking functions call it) words the cast error differently.
_CAT = frozenset("cat column_stack concat concatenate dstack hstack stack vstack".split())
_EXACT = frozenset("addmm argmax argmin bmm cross matmul mm mv norm".split())
# Accumulations compute in out's dtype, as if called with dtype=out.dtype.
_ACCUMULATE = frozenset("cumprod cumsum prod sum".split())
_SAME_AS_INPUT = frozenset("amax amin".split())
_BOOL_OUT = frozenset("all any".split())
_WHERE = frozenset(["where"])
_PAIRS = frozenset("cummax cummin kthvalue max min mode sort topk".split())    # (also plain outs for max/min)
# The native function whose name torch's out= errors carry.
_TORCH_NAME = {"norm": "linalg_vector_norm"}
# torch.special's functions without a derivative of their own (torch lets their arguments
# require grad with out=, see _NO_GRAD).
_SPECIAL_NO_DERIVATIVE = frozenset("""
    airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 modified_bessel_i0 modified_bessel_i1
    modified_bessel_k0 modified_bessel_k1 scaled_modified_bessel_k0 scaled_modified_bessel_k1
    spherical_bessel_j0 chebyshev_polynomial_t chebyshev_polynomial_u chebyshev_polynomial_v
    chebyshev_polynomial_w shifted_chebyshev_polynomial_t shifted_chebyshev_polynomial_u
    shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w hermite_polynomial_h
    hermite_polynomial_he laguerre_polynomial_l legendre_polynomial_p
""".split())
# torch.special's own pointwise functions (and its logsumexp), which take out= too; their
# native names are "special_<name>".
_SPECIAL = _SPECIAL_NO_DERIVATIVE | frozenset("""
    entr erfcx gammainc gammaincc i0e i1 i1e log_ndtr logsumexp multigammaln ndtr ndtri
    polygamma xlog1py zeta
""".split())
_EXACT_FOUND = frozenset("""
    abs absolute ceil clamp clip fix floor frac neg negative round sgn sign trunc
    bitwise_not
""".split())
# Tests of a sign or an infinity: a bool out only.
_BOOL_ONLY = frozenset("signbit isposinf isneginf".split())
# Each with its own words for an out of another dtype than the result's.
_OWN_DTYPE_CHECK = {
    "heaviside": lambda result, out: "heaviside is not yet implemented for tensors with "
                                     "different dtypes.",
    "nan_to_num": lambda result, out: f"nan_to_num: dtype of out: {out} should be same as "
                                      f"input: {result}",
    "float_power": lambda result, out: f"the output given to float_power has dtype {out} "
                                       f"but the operation's result requires dtype {result}",
}
# Index results: out must be int64, or int32 with out_int32=True (torch's own check).
_SEARCH = frozenset("bucketize searchsorted".split())
# Results without a gradient: torch lets their arguments require grad with out=. (So it
# does for torch.special's functions that have no derivative there, and for its ndtr,
# which is composed of other ops.)
_NO_GRAD = _SEARCH | _SPECIAL_NO_DERIVATIVE | frozenset("all any argmax argmin ndtr".split())

_OVERLAP = ("unsupported operation: some elements of the input tensor and the written-to "
            "tensor refer to a single memory location. Please clone() the tensor before "
            "performing the operation.")
_RESIZED = ("An output with one or more elements was resized since it had shape {}, which "
            "does not match the required output shape {}. This behavior is deprecated, and "
            "in a future PyTorch release outputs will not be resized unless they have zero "
            "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to "
            "zero elements with t.resize_(0).")


def _tensors(args, kwargs, tensor_cls):
    """The Tensor arguments, one level into lists (`torch.cat([a, b], out=c)`)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, tensor_cls))
        elif isinstance(value, tensor_cls):
            yield value


def _check_dtype(name: str, result, out) -> None:
    if result.dtype == out.dtype or name in _BOOL_OUT:
        return
    if name in _SAME_AS_INPUT:
        raise RuntimeError(
            "Expected the dtype for input and out to match, but got "
            f"{_dtypes.scalar_type_name(result.dtype)} for input's dtype and "
            f"{_dtypes.scalar_type_name(out.dtype)} for out's dtype.")
    if name in _WHERE:
        raise RuntimeError(f"Expected out type to be {_dtypes.scalar_type_name(result.dtype)}"
                           f" but got {_dtypes.scalar_type_name(out.dtype)}")
    if name in _EXACT or name in _ACCUMULATE:
        raise RuntimeError(
            f"Expected out tensor to have dtype {_dtypes.cpp_type_name(result.dtype)}, but "
            f"got {_dtypes.cpp_type_name(out.dtype)} instead")
    if name in _OWN_DTYPE_CHECK:
        raise RuntimeError(_OWN_DTYPE_CHECK[name](_dtypes.scalar_type_name(result.dtype),
                                                  _dtypes.scalar_type_name(out.dtype)))
    if name in _EXACT_FOUND:
        raise RuntimeError(f"Found dtype {_dtypes.scalar_type_name(out.dtype)} but expected "
                           f"{_dtypes.scalar_type_name(result.dtype)}")
    if not can_cast(result.dtype, out.dtype):
        if name in _CAT:
            raise TypeError("torch.cat(): input types can't be cast to the desired output "
                            f"type {_dtypes.scalar_type_name(out.dtype)}")
        # (torch.ldexp is Python code in torch, with its own check)
        what = "ldexp" if name == "ldexp" else \
            f"result type {_dtypes.scalar_type_name(result.dtype)}"
        raise RuntimeError(f"{what} can't be cast to the desired output type "
                           f"{_dtypes.scalar_type_name(out.dtype)}")


def _check_search_out(out, out_int32) -> None:
    """bucketize/searchsorted's own check of out's dtype (before they compute)."""
    if out.dtype != (_dtypes.int32 if out_int32 else _dtypes.int64):
        raise RuntimeError(
            "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) "
            "or Long(int64) depending on whether out_int32 flag is True, but we got output "
            f"tensor's dtype {_dtypes.scalar_type_name(out.dtype)} and out_int32 flag is "
            f"{bool(out_int32)}")


def _check_before(name: str, args, kwargs, out, tensor_cls) -> None:
    """The checks torch makes of out= calls before it computes anything."""
    if name in _SEARCH:
        _check_search_out(out, kwargs.get("out_int32", False))
    if name in _CAT and any(t is out for t in _tensors(args, kwargs, tensor_cls)):
        # torch.cat writes its inputs' pieces into out one by one, so it refuses an
        # out that is one of them (pointwise ops read each element before writing it).
        raise RuntimeError(_OVERLAP)
    if name == "logsumexp" and not out.dtype.is_floating_point:
        raise RuntimeError("logsumexp(): Expected floating point type for result tensor, "
                           f"but got: {_dtypes.scalar_type_name(out.dtype)}")
    if name in _BOOL_ONLY and out.dtype != _dtypes.bool:
        raise RuntimeError(f"{name} does not support non-boolean outputs.")
    if name in _BOOL_OUT and out.dtype not in (_dtypes.bool, _dtypes.uint8):
        raise RuntimeError(f"{name} only supports bool tensor for result, got: "
                           f"{_dtypes.scalar_type_name(out.dtype)}")
    if name in _WHERE:
        # (only the scalar-free overload of torch.where takes out=)
        for pos, (param, value) in enumerate(zip(("input", "other"), args[1:3]), 2):
            if not isinstance(value, tensor_cls):
                raise TypeError(f"where(): argument '{param}' (position {pos}) must be "
                                f"Tensor, not {argparse_typename(value)}")


def _compute(fn, name: str, args, kwargs, out):
    """`fn`'s result; an accumulation computes in out's dtype unless given a dtype."""
    if name in _ACCUMULATE and kwargs.get("dtype") is None:
        kwargs = {**kwargs, "dtype": out.dtype}
    if name in _BOOL_OUT and out.dtype == _dtypes.uint8 and args:
        # (torch's any/all into a uint8 out test the input cast to uint8: 0.5 counts as 0)
        args = (args[0].to(_dtypes.uint8), *args[1:])
    return fn(*args, **kwargs)


def _resize_write(result, out):
    """Writes `result` into `out`, resizing it (with torch's warning when it had
    elements) if the shapes differ."""
    if tuple(result.shape) != tuple(out.shape):
        if out.numel():
            warnings.warn(_RESIZED.format(list(out.shape), list(result.shape)), UserWarning,
                          stacklevel=user_stacklevel())
        return out._set(result, reshape=True)
    return out._set(result)


def write_out(name: str, result, out):
    """Writes `result` into `out` (resizing it if needed) and returns `out`."""
    _check_dtype(name, result, out)
    return _resize_write(result, out)


def _wrap(fn, name: str, tensor_cls, torch_name: str | None = None):
    from .autograd._grad_mode import is_grad_enabled
    torch_name = torch_name or _TORCH_NAME.get(name, name)

    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        pair = name in _PAIRS and is_pair(out)
        if pair:
            check_pair(name, out, tensor_cls)
        elif not isinstance(out, tensor_cls):
            raise TypeError(f"{torch_name}(): argument 'out' must be Tensor, not "
                            f"{argparse_typename(out)}")
        outs = tuple(out) if pair else (out,)
        if name not in _NO_GRAD and is_grad_enabled() and any(t.requires_grad for t in
                                     (*outs, *_tensors(args, kwargs, tensor_cls))):
            raise RuntimeError(f"{torch_name}(): functions with out=... arguments don't "
                               "support automatic differentiation, but one of the "
                               "arguments requires grad.")
        if pair:
            return write_pair(name, fn(*args, **kwargs), outs, _resize_write)
        _check_before(name, args, kwargs, out, tensor_cls)
        result = _compute(fn, name, args, kwargs, out)
        if isinstance(result, tuple):
            # (torch.max(t, 1, out=values): the (values, indices) form wants a pair)
            raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                            f"{argparse_typename(out)}")
        return write_out(name, result, out)
    return with_out


def install(namespace: dict, tensor_cls: type, aliases: tuple = ()) -> None:
    """Rebinds, in place, the torch-namespace functions listed above to `out=`-accepting
    ones (`namespace`: the package's globals). In each dict of `aliases` (a submodule's
    globals, such as torch.special's `expit`, which is `sigmoid`), a name bound to one of
    those functions is rebound to the same wrapper, so the two stay one function."""
    wrapped = {}
    for name in (_CAST | _EXACT | _EXACT_FOUND | _SEARCH | _ACCUMULATE | _SAME_AS_INPUT
                 | _BOOL_OUT | _WHERE | _PAIRS | _BOOL_ONLY | set(_OWN_DTYPE_CHECK)):
        fn = namespace.get(name)
        if fn is not None:
            namespace[name] = wrapped[id(fn)] = _wrap(fn, name, tensor_cls)
    for names in aliases:
        for key, value in list(names.items()):
            if id(value) in wrapped:
                names[key] = wrapped[id(value)]
            elif key in _SPECIAL and callable(value):
                names[key] = wrapped[id(value)] = _wrap(value, key, tensor_cls,
                                                        f"special_{key}")
