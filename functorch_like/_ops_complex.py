"""Complex-number helpers: real/imag, angle, conj and its flags, view_as_real/complex,
complex(), polar.

`real`, `imag`, `view_as_real`, `view_as_complex` and `conj` are views, as PyTorch's:
an in-place op on one writes through to its source (`x.real.mul_(2)`, `x.imag = 0`), and
one on the source shows in them (the view kind "complex" of _tensor_views, with the maps
of `COMPLEX_VIEWS`). `conj()` computes the conjugate eagerly but reports `is_conj()` True,
as PyTorch's lazy conjugate bit does, so code that checks the bit (and `view_as_real`'s
refusal of unresolved conjugates) behaves the same. There is no negative bit: `is_neg()`
is always False and `resolve_neg` returns its input.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from . import _autocast_state, _dtypes
from ._tensor import Tensor, apply

_FLOATS = (_dtypes.float16, _dtypes.float32, _dtypes.float64)


def _f_real(x):
    return jnp.real(x)


def _f_imag(x):
    return jnp.imag(x)


def _view(out: Tensor, base: Tensor, which: str) -> Tensor:
    from ._tensor_views import mark_view
    return mark_view(out, base, "complex", which)


def real(input: Tensor) -> Tensor:
    """The real part of a complex tensor (float, same shape; a view); a real tensor
    itself."""
    if not input.is_complex():
        return input
    return _view(apply(_f_real, "SelectBackward0", input), input, "real")


def imag(input: Tensor) -> Tensor:
    """The imaginary part of a complex tensor (float, same shape; a view)."""
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _view(apply(_f_imag, "SelectBackward0", input), input, "imag")


def set_real(self: Tensor, value) -> None:
    """`x.real = value`: written into x's real part, as torch's setter copies."""
    real(self).copy_(value)


def set_imag(self: Tensor, value) -> None:
    """`x.imag = value`: written into x's imaginary part."""
    imag(self).copy_(value)


def _f_angle(x):
    if jnp.iscomplexobj(x):
        # angle(0) = 0 with a zero gradient, as PyTorch (arctan2's is 0/0 there).
        zero = x == 0
        return jnp.where(zero, 0, jnp.angle(jnp.where(zero, 1, x)))
    # PyTorch: pi where x < 0, else 0 (-0.0 included), NaN kept; a zero gradient.
    pi = jnp.asarray(math.pi, x.dtype)
    out = jnp.where(x < 0, pi, jnp.zeros((), x.dtype))
    return jax.lax.stop_gradient(jnp.where(jnp.isnan(x), x, out))


def angle(input: Tensor) -> Tensor:
    """The elementwise argument (phase) in radians, a float tensor; for real inputs pi
    where negative, 0 elsewhere (integers give the default float type)."""
    x = input
    if not (x.is_complex() or x.is_floating_point()):
        x = x.to(_dtypes.get_default_dtype())
    return apply(_f_angle, "AngleBackward0", x)


def _flagged(t: Tensor, flag: bool) -> Tensor:
    if flag:
        t.__dict__["_is_conj"] = True
    return t


def is_conj(input: Tensor) -> bool:
    """Whether `input` is an unresolved conjugate (a `conj()` result not yet resolved)."""
    return input.__dict__.get("_is_conj", False)


def is_neg(input: Tensor) -> bool:
    """PyTorch's negative bit; never set here (negation is computed eagerly)."""
    return False


def conj(input: Tensor) -> Tensor:
    """The complex conjugate; a real tensor itself. The result reports `is_conj()` True
    (flipped back by a second conj), as PyTorch's conjugate view."""
    if not input.is_complex():
        return input
    return _view(_flagged(apply(jnp.conj, "ConjBackward0", input), not is_conj(input)),
                 input, "conj")


def _f_conj_physical(x):
    return jnp.conj(x)


def conj_physical(input: Tensor) -> Tensor:
    """The complex conjugate, materialized (is_conj() False); a real tensor itself."""
    if not input.is_complex():
        return input
    return apply(_f_conj_physical, "ConjPhysicalBackward0", input)


def _same(input: Tensor) -> Tensor:
    # The same value and graph position, without the flag (a resolved copy).
    return Tensor._make(input._value, input._requires_grad, input._node, input._out)


def resolve_conj(input: Tensor) -> Tensor:
    """`input` with its conjugate bit resolved (itself when the bit is not set)."""
    return _same(input) if is_conj(input) else input


def resolve_neg(input: Tensor) -> Tensor:
    """`input` itself: no negative bit is ever set here."""
    return input


def _f_view_as_real(x):
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


def view_as_real(input: Tensor) -> Tensor:
    """A complex tensor of shape S as a real one of shape (*S, 2): (real, imag) pairs."""
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    if is_conj(input):
        raise RuntimeError(
            "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the "
            "conjugate tensor so you can view it as real, use self.resolve_conj(); however, "
            "be warned that the resulting tensor will NOT alias the original.")
    return _view(apply(_f_view_as_real, "ViewAsRealBackward0", input), input,
                 "view_as_real")


def _f_complex(re, im):
    return jax.lax.complex(*jnp.broadcast_arrays(re, im))     # (broadcast, as torch's)


def _f_view_as_complex(x):
    return jax.lax.complex(x[..., 0], x[..., 1])


def _check_complex_half(d) -> None:
    if d == _dtypes.float16:
        raise RuntimeError("complex32 (ComplexHalf) is not supported: JAX has no "
                           "complex type with float16 parts")


def view_as_complex(input: Tensor) -> Tensor:
    """A real tensor of shape (*S, 2) as a complex one of shape S (complex64 for float32).

    PyTorch parity: float16 input (PyTorch's complex32) raises, as JAX has no such type.
    """
    input, = _autocast_state.cpu_fp32(input)       # (on torch's CPU autocast fp32 list)
    if input.dtype not in _FLOATS:
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           "tensors, but got a tensor of scalar type: "
                           f"{_dtypes.scalar_type_name(input.dtype)}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    _check_complex_half(input.dtype)
    return _view(apply(_f_view_as_complex, "ViewAsComplexBackward0", input), input,
                 "view_as_complex")


def _check_parts(a: Tensor, b: Tensor) -> None:
    if a.dtype not in _FLOATS or b.dtype not in _FLOATS:
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_dtypes.scalar_type_name(a.dtype)} and "
                           f"{_dtypes.scalar_type_name(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_dtypes.scalar_type_name(a.dtype)}"
                           f" but got scalar type {_dtypes.scalar_type_name(b.dtype)} for "
                           "second argument")
    _check_complex_half(a.dtype)


def complex(real: Tensor, imag: Tensor) -> Tensor:
    """real + i * imag (broadcast): complex64 from float32 parts, complex128 from float64.
    Both parts must have the same floating dtype, as PyTorch."""
    _check_parts(real, imag)
    return apply(_f_complex, "ComplexBackward0", real, imag)


def _f_polar(r, theta):
    return jax.lax.complex(r * jnp.cos(theta), r * jnp.sin(theta))


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    """abs * (cos(angle) + i sin(angle)) (broadcast); same dtype rules as `complex`.

    PyTorch parity: where `abs` is negative (outside polar's domain) PyTorch's gradient
    for `abs` has the opposite sign (its formula uses sgn(result)); here it is the true
    derivative. For abs >= 0 they agree.
    """
    abs, angle = _autocast_state.cpu_fp32(abs, angle)      # (on torch's CPU autocast fp32 list)
    _check_parts(abs, angle)
    return apply(_f_polar, "PolarBackward0", abs, angle)


def _real_of(base: Tensor) -> Tensor:
    return apply(_f_real, "SelectBackward0", base)


def _imag_of(base: Tensor) -> Tensor:
    return apply(_f_imag, "SelectBackward0", base)


# The complex views: (the view of a base, the base holding a view's new value `v`).
COMPLEX_VIEWS = {
    "real": (_real_of, lambda base, v: complex(v, _imag_of(base))),
    "imag": (_imag_of, lambda base, v: complex(_real_of(base), v)),
    "conj": (lambda base: apply(jnp.conj, "ConjBackward0", base),
             lambda base, v: conj_physical(v)),
    "view_as_real": (lambda base: apply(_f_view_as_real, "ViewAsRealBackward0", base),
                     lambda base, v: apply(_f_view_as_complex, "ViewAsComplexBackward0", v)),
    "view_as_complex": (lambda base: apply(_f_view_as_complex, "ViewAsComplexBackward0",
                                           base),
                        lambda base, v: apply(_f_view_as_real, "ViewAsRealBackward0", v)),
}
