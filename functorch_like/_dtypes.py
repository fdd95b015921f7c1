"""torch-style dtypes over JAX's, the default dtype, and PyTorch's type promotion.

JAX stores 64-bit types only in x64 mode. While it is off, float64/int64/complex128 are
stored as float32/int32/complex64 and compare equal to them; a tensor of 32-bit ints then
reports the default integer type `torch.int64` (PARITY.md: "treat the int type you use as
the default one"). `set_default_dtype(float64)` turns x64 mode on.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np

from ._writes import WRITES


class dtype:
    """A torch dtype: `torch.float32`. Compares by the JAX type it is stored as."""

    __slots__ = ("name", "_np")

    def __init__(self, name: str, np_dtype):
        self.name = name
        self._np = np.dtype(np_dtype)

    @property
    def jax(self) -> np.dtype:
        """The dtype JAX stores this type as now (32-bit while x64 mode is off)."""
        return jax.dtypes.canonicalize_dtype(self._np)

    @property
    def is_floating_point(self) -> bool:
        return jnp.issubdtype(self._np, jnp.floating)

    @property
    def is_complex(self) -> bool:
        return jnp.issubdtype(self._np, jnp.complexfloating)

    @property
    def is_signed(self) -> bool:
        return self._np.kind in "fic" or self._np == jnp.bfloat16

    @property
    def itemsize(self) -> int:
        return self.jax.itemsize

    def __eq__(self, other) -> bool:
        if isinstance(other, dtype):
            return self.jax == other.jax
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.jax)

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = half = dtype("float16", jnp.float16)
bfloat16 = dtype("bfloat16", jnp.bfloat16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
complex64 = cfloat = dtype("complex64", np.complex64)
complex128 = cdouble = dtype("complex128", np.complex128)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

# Ordered so that the 64-bit name wins when two names share a storage type (x64 off).
_ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
        complex64, complex128)
_NAMES = {d.name: d for d in _ALL}


def _by_name(name: str) -> dtype:
    return _NAMES[name]


_default_float = float32


def _widen_live_integers() -> None:
    """Stores the live tensors' int32 values (int64 while x64 was off) as int64, now that
    x64 is on: what each reported before, it reports after."""
    import gc
    from ._tensor import Tensor
    for obj in gc.get_objects():
        # (by type: isinstance reads __class__, which some proxies answer with a warning)
        if issubclass(type(obj), Tensor):
            value = obj._v
            if isinstance(value, jax.Array) and not isinstance(value, jax.core.Tracer) \
                    and value.dtype == np.int32:
                obj._v = value.astype(np.int64)     # (not a write: the same values)


def get_default_dtype() -> dtype:
    """The dtype of Python floats turned into tensors (float32 unless changed)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    """Sets the default floating dtype; float64 switches on JAX's x64 mode.

    Integer tensors made before the switch (int64 stored in 32 bits while x64 was off)
    are widened then, so that they still report int64 (a label tensor made before the
    call stays a valid cross_entropy target)."""
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    if d.name == "float64" and not jax.config.jax_enable_x64:
        jax.config.update("jax_enable_x64", True)
        _widen_live_integers()
    _default_float = _NAMES[d.name]
    WRITES.count += 1       # (a compiled step's program depends on it)


def default_int() -> dtype:
    return int64


def default_complex() -> dtype:
    return complex128 if _default_float.name == "float64" else complex64


# The name reported for a stored type when two names share it (x64 off): the default one.
# int32 storage reports int64 (PyTorch's default integer type, PARITY.md), but float32 and
# complex64 storage report themselves: float32 *is* the default float, and calling every
# float tensor `torch.float64` would misreport the commonest tensor there is.
_REPORTED = (bool, uint8, int8, int16, int64, int32, float16, bfloat16, float32, float64,
             complex64, complex128)


def from_jax(np_dtype) -> dtype:
    """The torch dtype reported for a stored JAX dtype (int64 for int32 when x64 is off)."""
    np_dtype = np.dtype(np_dtype)
    for d in _REPORTED:
        if d.jax == np_dtype:
            return d
    for d in _REPORTED:     # a 64-bit array made inside `jax.enable_x64()`, used outside it
        if d._np == np_dtype:
            return d
    raise TypeError(f"unsupported dtype {np_dtype}")


def as_dtype(d):
    """A dtype argument as a torch dtype: torch's parser reads the Python scalar types as
    dtypes (float is float64, whatever the default dtype; int int64; complex complex128).
    Anything else is returned as it is, for the caller's own check."""
    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex128
    return d


def to_jax(d) -> np.dtype | None:
    """Accepts a torch dtype, a numpy/JAX dtype, a Python type or None."""
    if d is None:
        return None
    d = as_dtype(d)             # (a Python type as torch reads it: float is torch.double)
    if isinstance(d, dtype):
        return d.jax
    return jax.dtypes.canonicalize_dtype(np.dtype(d))


# c10::ScalarType names, which PyTorch's error messages use ("not implemented for 'Float'").
_SCALAR_TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
                      "int32": "Int", "int64": "Long", "float16": "Half",
                      "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
                      "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def scalar_type_name(d) -> str:
    """PyTorch's ScalarType name of a torch dtype or a stored JAX dtype: 'Float', 'Long'."""
    if not isinstance(d, dtype):
        d = from_jax(d)
    return _SCALAR_TYPE_NAMES[d.name]


def kernel_error(kernel: str, d) -> NotImplementedError:
    """torch's dispatch error for a kernel without this dtype (a torch dtype or a stored
    JAX dtype): `"abs_cpu" not implemented for 'Bool'`."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(d)}\'')


# The C++ type names some PyTorch errors spell instead ("float != long int").
_CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
              "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def cpp_type_name(d) -> str:
    """The C++ name of a torch dtype or a stored JAX dtype: 'float', 'long int'."""
    if not isinstance(d, dtype):
        d = from_jax(d)
    return _CPP_NAMES[d.name]


def is_default(d: dtype) -> builtins.bool:
    """PyTorch omits the dtype from a tensor's repr for these.

    Compared by name, not storage: a float64 array made under `jax.enable_x64()` and
    printed after it still shows `dtype=torch.float64`.
    """
    return d.name in (_default_float.name, "int64", "bool", default_complex().name)


# --- type promotion -------------------------------------------------------------------

def _category(np_dtype) -> builtins.int:
    if np_dtype == np.bool_:
        return 0
    if jnp.issubdtype(np_dtype, jnp.integer):
        return 1
    if jnp.issubdtype(np_dtype, jnp.floating):
        return 2
    return 3


def _scalar_category(x) -> builtins.int:
    if isinstance(x, builtins.bool):
        return 0
    if isinstance(x, builtins.int):
        return 1
    if isinstance(x, builtins.float):
        return 2
    return 3


def _category_default(cat: builtins.int) -> np.dtype:
    return (bool.jax, int64.jax, _default_float.jax, default_complex().jax)[cat]


def result_type(*operands) -> np.dtype:
    """PyTorch's type promotion over arrays (or Tensors) and Python scalars.

    Dimensioned tensors outrank 0-d tensors, which outrank Python scalars; a lower-ranked
    operand only matters when its category (bool < int < float < complex) is higher, and
    then it contributes its own dtype (0-d tensor) or the category's default (scalar).
    """
    dims, zeros, scalars = [], [], []
    for x in operands:
        if isinstance(x, (builtins.bool, builtins.int, builtins.float, builtins.complex)):
            scalars.append(x)
        elif x.ndim == 0:
            zeros.append(np.dtype(x.dtype))
        else:
            dims.append(np.dtype(x.dtype))
    result, cat = None, -1
    for group in (dims, zeros):
        if not group:
            continue
        promoted = group[0]
        for d in group[1:]:
            promoted = jnp.promote_types(promoted, d)
        if result is None:
            result, cat = promoted, _category(promoted)
        elif _category(promoted) > cat:
            result = _promote_category(result, promoted)
            cat = _category(result)
    if scalars:
        scat = max(_scalar_category(s) for s in scalars)
        if result is None:
            result, cat = _category_default(scat), scat
        elif scat > cat:
            result = _promote_category(result, _category_default(scat))
    return jax.dtypes.canonicalize_dtype(result)


def _promote_category(low, high) -> np.dtype:
    # A higher-category operand of lower rank: a float dimensioned tensor turned complex
    # keeps its own width (float32 + complex128 0-d -> complex64, as PyTorch).
    if _category(high) == 3 and _category(low) == 2:
        return np.dtype(np.complex128 if np.dtype(low).itemsize == 8 else np.complex64)
    return high
