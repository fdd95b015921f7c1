"""torch.finfo and torch.iinfo: the numerical limits of a floating or integer dtype.

The limits are those of the named type (`finfo(torch.float64).eps` is double's even while
JAX's x64 mode is off and stores float64 as float32), as PyTorch reports them.
"""

from __future__ import annotations

import jax.numpy as jnp

from . import _dtypes


def _real_part(d: _dtypes.dtype) -> _dtypes.dtype:
    # A complex type's limits are those of its real components (torch.finfo(complex64)
    # describes float32).
    return {"complex64": _dtypes.float32, "complex128": _dtypes.float64}.get(d.name, d)


def _check_dtype(type, name: str) -> _dtypes.dtype:
    """`type` as a torch dtype (a Python scalar type read as torch's parser does)."""
    type = _dtypes.as_dtype(type)
    if not isinstance(type, _dtypes.dtype):
        raise TypeError(f"{name}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{type.__class__.__name__}")
    return type


class finfo:
    """Limits of a floating (or complex) dtype: bits, eps, max, min, tiny (=
    smallest_normal), resolution (10**-decimal digits) and dtype (the name, a str).

    `finfo()` describes the default dtype.
    """

    def __init__(self, type=None):
        type = _dtypes.get_default_dtype() if type is None else type
        type = _check_dtype(type, "finfo")
        if not (type.is_floating_point or type.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        real = _real_part(type)
        info = jnp.finfo(real._np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = real.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")

    __str__ = __repr__


class iinfo:
    """Limits of an integer dtype: bits, max, min (Python ints) and dtype (the name)."""

    def __init__(self, type):
        type = _check_dtype(type, "iinfo")
        if type.name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.is_floating_point or type.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = jnp.iinfo(type._np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __repr__(self) -> str:
        # PyTorch prints the integer limits in %g format too ("min=-2.14748e+09").
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"

    __str__ = __repr__
