"""Torch's argument parser on parameters declared `Tensor` (not `Scalar`) in its signatures.

PyTorch parity: `torch.maximum(t, 2)`, `t.atan2(2)`, `torch.gcd(2, t)` raise
`TypeError: maximum(): argument 'other' (position 2) must be Tensor, not int` in torch
2.13, because those native functions have no Scalar overload; JAX functions take the
number happily and would return a result torch never gives. The comparison family
(`torch.eq(2, t)`) has a Scalar `other` but a Tensor `input`, and its two overloads make
torch word the refusal as "received an invalid combination of arguments".

The tables were sorted by calling torch 2.13 with an int in each position. Positions
count from 1 and leave `self` out for methods (`t.maximum(2)` says "position 1"); a
keyword argument is named without one. The wrappers are installed last in the package's
`__init__`, outermost, so this check runs before the `out=` one, as torch's parser does.
"""

from __future__ import annotations

import functools

from ._argparse_invalid import got, invalid_combination
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
# In-place methods (and the few torch.* in-place functions) with the same rule.
_INPLACE = ("atan2 arctan2 hypot ldexp nextafter logical_and logical_or logical_xor gcd "
            "lcm heaviside igamma igammac").split()

# Functions with overloads (Tensor input, Tensor other) and (Tensor input, Number other).
_TENSOR_OR_NUMBER = dict.fromkeys("""
    eq ne lt le gt ge greater less greater_equal less_equal not_equal fmod copysign
""".split(), "other")
_TENSOR_OR_NUMBER.update(clamp_min="min", clamp_max="max")

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


def _signatures(other: str) -> str:
    return (f" * (Tensor input, Tensor {other}, *, Tensor out = None)\n"
            f" * (Tensor input, Number {other}, *, Tensor out = None)\n")


def _tensor_input(fn, name: str, other: str, tensor_cls):
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        value = args[0] if args else kwargs.get("input")
        if value is not None and not isinstance(value, tensor_cls):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"{got(args, kwargs, tensor_cls)}, but expected one of:\n"
                            + _signatures(other))
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
    for name, other in _TENSOR_OR_NUMBER.items():
        if name in namespace:
            namespace[name] = _tensor_input(namespace[name], name, other, tensor_cls)
    for name, signatures in _OVERLOADS.items():
        if name in namespace:
            namespace[name] = _overloaded(namespace[name], name, signatures, tensor_cls,
                                          method=False)
    for name, signatures in _METHOD_OVERLOADS.items():
        setattr(tensor_cls, name, _overloaded(getattr(tensor_cls, name), name, signatures,
                                              tensor_cls, method=True))
    # torch.special's names for igamma/igammac check the same, under their native names.
    special = namespace.get("special")
    for name in ("gammainc", "gammaincc"):
        if special is not None and hasattr(special, name):
            setattr(special, name, _function(getattr(special, name), f"special_{name}",
                                             ("input", "other"), tensor_cls))
