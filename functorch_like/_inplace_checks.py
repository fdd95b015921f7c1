"""The order of torch's checks in an in-place pointwise op (`a.add_(b)`, `a *= b`).

PyTorch parity: torch's TensorIterator checks, in this order, that the operands broadcast
("The size of tensor a (3) must match the size of tensor b (2) ..."), that their broadcast
shape is `self`'s ("output with shape [3] doesn't match the broadcast shape [2, 3]"), that
the operands' common dtype can be cast to `self`'s ("result type Float can't be cast to
the desired output type Long"), and only then whether its kernel supports that dtype
(`NotImplementedError: "gcd_cpu" not implemented for 'Float'`). Here the op is computed
out of place and written back with `Tensor._set`, which checks dtype before shape, and the
out-of-place op's own dtype refusals come first of all; the checks below restore torch's
order. A few ops check their operands before the iterator (sub_ with a bool, heaviside_
with mixed dtypes, ldexp_, which is Python code in torch): those come first, as there.
"""

from __future__ import annotations

from . import _dtypes
from ._ops_math import _no_bool_subtraction, broadcast_shape
from ._tensor import Tensor
from ._toplevel_dtypes import can_cast

# In-place methods whose Tensor arguments broadcast against `self` elementwise.
POINTWISE = frozenset("""
    add_ sub_ subtract_ mul_ multiply_ div_ divide_ true_divide_ floor_divide_ remainder_
    fmod_ pow_ clamp_ clip_ clamp_min_ clamp_max_ lerp_ addcmul_ addcdiv_ hypot_ xlogy_
    copysign_ atan2_ arctan2_ eq_ ne_ lt_ le_ gt_ ge_ greater_ less_
    greater_equal_ less_equal_ not_equal_ logical_and_ logical_or_ logical_xor_
    bitwise_and_ bitwise_or_ bitwise_xor_ gcd_ lcm_ bitwise_left_shift_
    bitwise_right_shift_ ldexp_ nextafter_ __iadd__ __isub__ __imul__ __itruediv__
    __ifloordiv__ __imod__ __ipow__ __iand__ __ior__ __ixor__ __ilshift__ __irshift__
""".split())
_SUBTRACTIONS = frozenset(("sub_", "subtract_", "__isub__"))
# Comparisons compute a bool, which casts to any `self`: torch has no cast check to make
# there, and its kernel's refusal (gt_ on complex) is the error.
_COMPARISONS = frozenset("""
    eq_ ne_ lt_ le_ gt_ ge_ greater_ less_ greater_equal_ less_equal_ not_equal_
""".split())
# lerp_ demands self's dtype of `end` and a Tensor `weight` (its own check, first), and a
# Scalar weight takes no part in promotion: no cast to check, its kernel's refusal stands.
_NO_CAST = _COMPARISONS | {"lerp_"}
# torch's clamp with Scalar bounds names the output type the C++ way ("long int").
CLAMP = frozenset("clamp_ clip_ clamp_min_ clamp_max_".split())


def check_shape(name: str, self: Tensor, args, kwargs) -> None:
    """torch's broadcast and output-shape checks, which precede its dtype checks."""
    if name == "ldexp_" and not (self.is_floating_point() or self.is_complex()):
        # torch's ldexp_ is Python code that refuses a non-float self first of all.
        raise RuntimeError("ldexp can't be cast to the desired output type "
                           f"{_dtypes.scalar_type_name(self.dtype)}")
    if name in _SUBTRACTIONS and args:
        _no_bool_subtraction(self, args[0])     # (sub's own check precedes the iterator)
    tensors = [v for v in (*args, *kwargs.values()) if isinstance(v, Tensor)]
    if not tensors:
        return
    shape = broadcast_shape(self, *tensors)
    if shape != tuple(self.shape):
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                           f"broadcast shape {list(shape)}")


def check_cast(name: str, self: Tensor, args, kwargs) -> None:
    """torch's "result type ... can't be cast" check, for an op whose out-of-place form
    refused the operands' dtype (torch checks the cast before its kernel's dtypes)."""
    if name in _NO_CAST:
        return
    operands = [v._value if isinstance(v, Tensor) else v
                for v in (self, *args, *kwargs.values())
                if isinstance(v, (Tensor, bool, int, float, complex))]
    common = _dtypes.from_jax(_dtypes.result_type(*operands))
    if not can_cast(common, self.dtype):
        raise RuntimeError(f"result type {_dtypes.scalar_type_name(common)} can't be cast "
                           f"to the desired output type {cast_target_name(name, self, args)}")


def cast_target_name(name: str, self: Tensor, args) -> str:
    """How torch names `self`'s dtype in in-place op `name`'s cast error: clamp with
    Scalar bounds uses the C++ name ("long int"), the others the ScalarType ("Long")."""
    if name in CLAMP and not any(isinstance(a, Tensor) for a in args):
        return _dtypes.cpp_type_name(self.dtype)
    return _dtypes.scalar_type_name(self.dtype)
