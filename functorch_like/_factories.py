"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange,
linspace, logspace, eye and the *_like family, with PyTorch's dtype inference."""

from __future__ import annotations

import builtins
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._host import from_host, x64_overflow
from ._scalar_range import check_fits, converted
from ._ops_shape import new_shape, size_argument
from ._tensor import Tensor, _differentiable
from .pure._linspace import linspace_values
from .autograd import _errors as _ag_errors


def _finish(value, dtype=None, device=None, requires_grad=False) -> Tensor:
    if dtype is not None:
        value = value.astype(_dtypes.to_jax(dtype))
    t = Tensor._make(value)
    if device is not None:
        t = t.to(device)
    if requires_grad:
        require_grad(t)
    return t


def require_grad(t: Tensor) -> None:
    """requires_grad=True of a factory or Parameter, with their message for an integer
    tensor (torch's, capitalized unlike the setter's)."""
    if not _differentiable(t._value):
        raise RuntimeError("O" + _ag_errors.CANNOT_REQUIRE_GRAD[1:])
    t.requires_grad = True


def _infer_jax_dtype(arr: np.ndarray):
    """Python data: floats -> default float, ints -> int64, bools -> bool."""
    kind = arr.dtype.kind
    if kind == "f":
        return _dtypes.get_default_dtype().jax
    if kind in "iu":
        return _dtypes.int64.jax
    if kind == "b":
        return _dtypes.bool.jax
    if kind == "c":
        return _dtypes.default_complex().jax
    raise TypeError(f"Could not infer dtype of {arr.dtype}")


def _check_ragged(data) -> list | None:
    """torch's checks of nested lists: it reads the sizes down the first elements, then
    finds every element of that shape, in order; a list where a number belongs is
    converted as one (TypeError), a number where a list belongs is "not a sequence".
    Returns the sizes when one is 0: torch then stores nothing, and looks at nothing
    further ([[], [1]] is a (2, 0) tensor)."""
    if not isinstance(data, (list, tuple)):
        return None
    sizes, first = [], data
    while isinstance(first, (list, tuple)):
        sizes.append(len(first))
        if not first:
            break
        first = first[0]
    if 0 in sizes:
        return sizes
    _check_shape(data, sizes, 0, data)
    return None


_SEQUENCES = frozenset((list, tuple))


def _check_shape(data, sizes: list, depth: int, whole) -> None:
    if len(data) != sizes[depth]:
        raise ValueError(f"expected sequence of length {sizes[depth]} at dim {depth} "
                         f"(got {len(data)})")
    if depth == len(sizes) - 1:             # numbers belong here
        if not _SEQUENCES.isdisjoint(map(type, data)):      # (a C-level scan)
            bad = next(x for x in data if isinstance(x, (list, tuple)))
            if _promoted(whole).kind in "biu":
                raise TypeError(f"'{type(bad).__name__}' object cannot be interpreted as an "
                                "integer")
            raise TypeError(f"must be real number, not {type(bad).__name__}")
        return
    for x in data:
        if not isinstance(x, (list, tuple)):
            raise TypeError("not a sequence")
        _check_shape(x, sizes, depth + 1, whole)


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of `data` (nested lists, numbers, arrays)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        return _finish(data._value, dtype, device, requires_grad)
    if isinstance(data, jax.Array):            # immutable: no copy needed
        return _finish(data, dtype, device, requires_grad)
    if isinstance(data, (np.ndarray, np.generic)):
        return _finish(from_host(data, _dtypes.to_jax(dtype)), None, device, requires_grad)
    data = _tensors_as_scalars(data)
    empty = _check_ragged(data)
    if empty is not None:
        target = _dtypes.to_jax(dtype) if dtype is not None else \
            jax.dtypes.canonicalize_dtype(_promoted(data))
        return _finish(jnp.zeros(empty, target), None, device, requires_grad)
    arr = np.asarray(data) if not isinstance(data, builtins.int) or -2**63 <= data < 2**63 \
        else np.asarray(data, dtype=object)
    if dtype is not None and arr.dtype.kind == "c" and _dtypes.to_jax(dtype).kind != "c":
        raise TypeError("must be real number, not complex")     # (numpy would drop it)
    typed = arr.dtype not in _PYTHON_KINDS or (arr.dtype != object
                                                and not _python_numbers_only(data))
    if typed and arr.dtype.kind not in "US":
        # Typed leaves (numpy scalars, tensors): torch promotes their dtypes with the
        # Python numbers' (int64, the default float), as numpy's coercion does not
        # (whose float64 from [np.float64(0.1)] or [float16 tensor, 2] is no Python
        # float's, which would be the default dtype)
        inferred = _promoted(data)
        if dtype is None:
            try:
                arr = np.asarray(data, dtype=inferred)
            except OverflowError:                   # (an int beyond int64: [2**63])
                raise ValueError("Overflow when unpacking long long") from None
            return _finish(from_host(arr, _dtypes.from_jax(inferred).jax), None, device,
                           requires_grad)
    if arr.dtype == object:     # (torch's RuntimeError: tensor(None), tensor({...}))
        if not isinstance(data, (list, tuple, builtins.int)):
            raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
        _refuse_element(data)
        # numbers only, one of them an int beyond int64: torch converts it to the float
        # type a float among them makes, or refuses it for an integer type
        if not _has_inexact(data):
            raise ValueError("Overflow when unpacking long long")
        arr = np.asarray(data, dtype=np.complex128 if _has_complex(data) else np.float64)
    if arr.dtype.kind in "US":
        # torch reads the sizes down the first elements: a string there is one more
        # dimension it cannot have; met later, among the values, it is a bad value
        first = data
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        if isinstance(first, str) and first is not data:
            raise ValueError("too many dimensions 'str'")
        raise TypeError(f"new(): invalid data type "
                        f"'{'bytes' if arr.dtype.kind == 'S' else 'str'}'")
    target = _dtypes.to_jax(dtype) if dtype is not None else _infer_jax_dtype(arr)
    _check_python_numbers(arr, target, dtype is None or dtype is _dtypes.int64)
    return _finish(from_host(arr, target), None, device, requires_grad)


def _check_python_numbers(arr: np.ndarray, target, int64: bool) -> None:
    """torch's check of the Python numbers of tensor(data, dtype=<an integer type>): an
    int must fit, where an unsigned type also takes a negative down to -max (it wraps:
    -1 is 255 in uint8); a float must lie within the type's range. (A numpy array's
    values are cast without a check, in torch as here.) `int64`: whether the type is
    int64, which x64-off stores as int32; from_host then names the x64 mode."""
    stored = np.dtype(jax.dtypes.canonicalize_dtype(target))
    if stored.kind not in "iu" or arr.dtype.kind not in "iuf" or not arr.size:
        return
    info = np.iinfo(stored)
    low, high = arr.min(), arr.max()
    if arr.dtype.kind == "f":
        fits = info.min <= low and high <= info.max     # (and not nan: comparisons fail)
    elif info.min == 0:
        fits = high <= info.max and -int(low) <= info.max
    else:
        fits = info.min <= low and high <= info.max
    if fits:
        return
    if int64 and stored == np.int32:
        raise x64_overflow(high if high > info.max else low, stored)
    raise RuntimeError(f"value cannot be converted to type {stored.name} without overflow")


def _tensors_as_scalars(data, nested: bool = False):
    """Tensors inside nested lists/tuples as the numbers they hold, as torch.tensor takes
    them (`torch.tensor([loss1, loss2])` of 1-element tensors is 1-D); one with more than
    one element raises torch's ValueError. A numpy array inside a list is a list of its
    (typed) elements."""
    if isinstance(data, Tensor):
        if data.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return np.asarray(data._value).astype(data.dtype._np).reshape(())[()]
    if nested and isinstance(data, np.ndarray):
        if not data.ndim:       # (torch takes an array for a sequence, and asks its len())
            raise TypeError("len() of unsized object")
        return list(data)
    if isinstance(data, (list, tuple)) and any(
            isinstance(x, (Tensor, list, tuple, np.ndarray)) for x in data):
        return [_tensors_as_scalars(x, True) for x in data]
    return data


# The dtypes numpy gives lists of Python numbers: torch's inference needs no walk then.
_PYTHON_KINDS = tuple(np.dtype(t) for t in (np.int64, np.float64, np.bool_, np.complex128,
                                            object))


_PYTHON_SCALARS = frozenset((builtins.bool, builtins.int, builtins.float, builtins.complex))


def _python_numbers_only(data) -> bool:
    """Whether nested lists/tuples hold Python numbers only (no numpy scalar, no tensor's
    number), by a C-level scan of each list's element types."""
    if not isinstance(data, (list, tuple)):
        return type(data) in _PYTHON_SCALARS
    if set(map(type, data)) <= _PYTHON_SCALARS:
        return True
    return all(_python_numbers_only(x) for x in data if type(x) not in _PYTHON_SCALARS)


def _leaf_dtype(x) -> np.dtype:
    """torch's scalar type of one element of tensor()'s data (in numpy terms)."""
    if isinstance(x, (builtins.bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(x, np.generic):
        return x.dtype
    if isinstance(x, builtins.int):
        return np.dtype(np.int64)
    if isinstance(x, builtins.float):
        return _dtypes.get_default_dtype()._np
    if isinstance(x, builtins.complex):
        return _dtypes.default_complex()._np
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _promoted(data) -> np.dtype:
    """The promotion of every element's scalar type (torch's infer_scalar_type)."""
    if not isinstance(data, (list, tuple)):
        return _leaf_dtype(data)
    out = None
    for x in data:
        d = _promoted(x)
        out = d if out is None else np.dtype(jnp.promote_types(out, d))
    return out if out is not None else _dtypes.get_default_dtype()._np


def _refuse_element(data) -> None:
    """torch's error for the first element tensor() cannot take, a value that is not a
    number (named as Python's type slot names it: decimal.Decimal)."""
    if isinstance(data, (list, tuple)):
        for x in data:
            _refuse_element(x)
        return
    if not isinstance(data, (builtins.bool, builtins.int, builtins.float, builtins.complex,
                             np.generic)):
        kind = type(data)
        name = kind.__name__ if kind.__module__ == "builtins" else \
            f"{kind.__module__}.{kind.__qualname__}"
        raise RuntimeError(f"Could not infer dtype of {name}")


def _has_inexact(data) -> bool:
    if isinstance(data, (list, tuple)):
        return any(_has_inexact(x) for x in data)
    return isinstance(data, (builtins.float, builtins.complex, np.inexact))


def _has_complex(data) -> bool:
    if isinstance(data, (list, tuple)):
        return any(_has_complex(x) for x in data)
    return isinstance(data, builtins.complex)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """`data` itself when it is already a Tensor of that dtype/device, else a new tensor."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if dtype or device else data
    if isinstance(data, jax.Array):
        return _finish(data, dtype, device)
    if isinstance(data, np.ndarray):
        return _finish(from_host(data, _dtypes.to_jax(dtype)), None, device)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False):
    """torch.asarray: as_tensor, plus `copy=True` (a new tensor even when `obj` is one of
    this dtype and device already) and `requires_grad`.

    PyTorch-parity note: arrays and buffers are always copied here (JAX arrays are
    immutable), so `copy=False` never shares memory with a numpy array."""
    out = as_tensor(obj, dtype=dtype, device=device)
    if copy and out is obj:
        out = out.clone()
    if requires_grad:
        require_grad(out)
    return out


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor of the array's dtype. JAX arrays are immutable: the memory is copied."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return Tensor._make(from_host(ndarray))


def _filled(size, fill, dtype, device, requires_grad, op=""):
    d = _dtypes.to_jax(dtype) if dtype is not None else _dtypes.get_default_dtype().jax
    check_fits(fill, _dtypes.as_dtype(dtype) if dtype is not None else d)
    return _finish(jnp.full(new_shape(size, op), converted(fill, d), d), None, device,
                   requires_grad)


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad=False,
          out=None) -> Tensor:
    return _filled(size_argument(sizes, size, "zeros"), 0, dtype, device, requires_grad, "zeros")


def ones(*sizes, size=None, dtype=None, device=None, requires_grad=False,
         out=None) -> Tensor:
    return _filled(size_argument(sizes, size, "ones"), 1, dtype, device, requires_grad)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad=False,
          memory_format=None) -> Tensor:
    """Uninitialized in PyTorch; zeros here (JAX has no uninitialized memory)."""
    return _filled(size_argument(sizes, size, "empty"), 0, dtype, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """`size` filled with `fill_value`; the dtype follows the value's type (bool, int64,
    or the default float), as PyTorch."""
    if dtype is None:
        fill = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
        # (a numpy integer counts as an int, as torch's parser reads it; numpy's bool
        # does not count as a bool there)
        dtype = (_dtypes.bool if isinstance(fill, builtins.bool) else _dtypes.int64
                 if isinstance(fill, (builtins.int, np.integer))
                 else _dtypes.default_complex()
                 if isinstance(fill, builtins.complex) else _dtypes.get_default_dtype())
    return _filled((tuple(size),), fill_value, dtype, device, requires_grad)


def _like_dtype(input, dtype):
    return input.dtype if dtype is None else dtype


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled((tuple(input.shape),), 0, _like_dtype(input, dtype), device, requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled((tuple(input.shape),), 1, _like_dtype(input, dtype), device, requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    return _filled((tuple(input.shape),), fill_value, _like_dtype(input, dtype), device,
                   requires_grad)


def _number(x):
    # (np.int64(3) is an int bound, as in torch: arange(np.int64(3)) is int64)
    return x.item() if isinstance(x, (Tensor, np.generic)) else x


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """[start, end) by `step`: int64 when all bounds are ints, else the default float."""
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.ceil((end - start) / step)
    if dtype is None:
        ints = all(isinstance(v, builtins.int) for v in (start, end, step))
        dtype = _dtypes.int64 if ints else _dtypes.get_default_dtype()
    dtype = _dtypes.as_dtype(dtype)
    if dtype.name == "bool" or dtype.is_complex:
        raise _dtypes.kernel_error("arange_cpu", dtype)
    values = start + np.arange(n, dtype=np.float64) * step
    if _dtypes.to_jax(dtype).kind in "iub":
        # torch's kernel: start and step as integers (truncated); the length from those
        # for int64 (arange(0.5, 4, 1.5, dtype=int64) is [0, 1, 2, 3]), from the numbers
        # as given for the other integer dtypes
        first, stride = builtins.int(start), builtins.int(step)
        if dtype.name == "int64":
            if stride == 0:
                raise ValueError("step must be nonzero")
            sign = (stride > 0) - (stride < 0)
            span = builtins.int(end) - first + stride - sign
            n = builtins.max(abs(span) // abs(stride) * (1 if (span >= 0) == (stride > 0)
                                                          else -1), 0)
        values = first + np.arange(n, dtype=np.int64) * stride
    return _finish(from_host(values, _dtypes.to_jax(dtype)), None, device, requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end inclusive: shape (steps,), the
    default float dtype (complex for complex ends) unless `dtype` is given; the values
    are those of torch's CPU kernel, bit for bit (see pure._linspace)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = _number(start), _number(end)
    if dtype is None:
        dtype = _dtypes.default_complex() if isinstance(start, complex) or isinstance(
            end, complex) else _dtypes.get_default_dtype()
    dtype = _dtypes.as_dtype(dtype)
    if dtype.name == "bool":
        raise _dtypes.kernel_error("linspace_cpu", dtype)
    check_fits(start, dtype)
    check_fits(end, dtype)
    target = np.dtype(_dtypes.to_jax(dtype))
    with np.errstate(all="ignore"):         # (inf and nan as torch's kernel makes them)
        values = linspace_values(start, end, steps, target)
    return _finish(from_host(values, target), None, device, requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad=False):
    d = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    if d.name == "bool":
        raise _dtypes.kernel_error("logspace_cpu", d)
    values = np.logspace(_number(start), _number(end), steps, base=base)
    return _finish(from_host(values, _dtypes.to_jax(d)), None, device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad=False):
    """The n x m (default n x n) identity matrix."""
    from ._dim_args import check_int_arg
    n = check_int_arg("eye", "n", n, 1, Tensor)
    m = check_int_arg("eye", "m", m, 2, Tensor, nullable=True)
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    d = dtype if dtype is not None else _dtypes.get_default_dtype()
    return _finish(jnp.eye(n, n if m is None else m, dtype=_dtypes.to_jax(d)), None, device,
                   requires_grad)


def _legacy_tensor(*args, **kwargs) -> Tensor:
    """`torch.Tensor(...)`: sizes give zeros, data gives a default-float copy."""
    if not args:
        return zeros(0)
    if all(isinstance(a, builtins.int) for a in args):
        return zeros(*args)
    if len(args) == 1 and isinstance(args[0], Tensor):
        return Tensor._make(args[0]._value)
    if len(args) == 1 and isinstance(args[0], (builtins.float, builtins.bool, complex)):
        # (a number is neither sizes nor a sequence of data)
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    return tensor(args[0], dtype=_dtypes.get_default_dtype())
