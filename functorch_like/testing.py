"""torch.testing: assert_close (PyTorch's tolerances, checks and messages), make_tensor,
and the deprecated assert_allclose.

Values are compared on the host with numpy in the tensors' own dtype, as PyTorch's
`isclose` computes in it, so the reported differences are the same numbers PyTorch prints.

PyTorch parity: while JAX's x64 mode is off, float64/int64/complex128 tensors are stored
as 32-bit ones and compare equal to them, so `check_dtype` cannot tell float32 from
float64 then (see functorch_like/_dtypes.py). Layouts and strides do not exist here:
`check_layout`/`check_stride` are accepted and have nothing to check.
"""

from __future__ import annotations

import cmath
import collections.abc
import math
import warnings
from typing import Any, Callable

import jax.numpy as jnp
import numpy as np

from . import _dtypes, _random
from ._factories import empty
from ._finfo import finfo, iinfo
from ._tensor import Tensor

__all__ = ["assert_close", "make_tensor", "assert_allclose"]

_PRECISIONS = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5),
               "complex128": (1e-7, 1e-7)}
_NUMBER_DTYPES = {int: _dtypes.int64, float: _dtypes.float64, complex: _dtypes.complex128}


class _Failure(Exception):
    """A mismatch found while walking the inputs: the exception type to raise, its text
    and the path of the item (keys/indices) where it occurred."""

    def __init__(self, type_, msg: str, path: tuple = ()):
        super().__init__(msg)
        self.type, self.msg, self.path = type_, msg, path

    def to_error(self, msg) -> Exception:
        if isinstance(msg, str):
            return self.type(msg)
        text = self.msg
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(
                str([item]) for item in self.path)
        return self.type(msg(text) if callable(msg) else text)


def _tolerances(dtypes, rtol, atol, path):
    if (rtol is None) != (atol is None):
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or "
                       f"omitted, but got no {'rtol' if rtol is None else 'atol'}.", path)
    if rtol is not None:
        return rtol, atol
    pairs = [_PRECISIONS.get(d.name, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_msg(identifier, default: str, extra: str, abs_diff, abs_idx, atol, rel_diff,
                  rel_idx, rtol) -> str:
    equality = rtol == 0 and atol == 0
    if identifier is None:
        identifier = default
    elif callable(identifier):
        identifier = identifier(default)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    for kind, diff, idx, tol in (("absolute", abs_diff, abs_idx, atol),
                                 ("relative", rel_diff, rel_idx, rtol)):
        line = (f"{kind.title()} difference: {diff}" if idx is None
                else f"Greatest {kind} difference: {diff} at index {idx}")
        msg += line + ("" if equality else f" (up to {tol} allowed)") + "\n"
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(None, "Scalars", f"Expected {expected} but got {actual}.", abs_diff,
                         None, atol, rel_diff, None, rtol)


def _isclose(a: np.ndarray, e: np.ndarray, rtol, atol, equal_nan) -> np.ndarray:
    # torch.isclose, in the inputs' dtype: |a - e| <= atol + |rtol * e|, finite.
    close = a == e
    if not jnp.issubdtype(a.dtype, jnp.inexact):
        if rtol == 0 and atol == 0:
            return close
        a, e = a.astype(np.float64), e.astype(np.float64)
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(a - e)
        allowed = atol + np.abs(rtol * e)
        return close | (np.isfinite(err) & (err <= allowed))


def _tensor_msg(a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol, atol) -> str:
    total = matches.size
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    a, e, m = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if not jnp.issubdtype(a.dtype, jnp.inexact):
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[m] = 0
        # torch divides integers in the default float type
        rel_dtype = abs_diff.dtype if jnp.issubdtype(abs_diff.dtype, jnp.floating) else \
            np.float32
        rel = abs_diff.astype(rel_dtype) / np.abs(e).astype(rel_dtype)
        rel[m] = 0

    def where(flat) -> tuple:
        return tuple(int(i) for i in np.unravel_index(flat, matches.shape))
    ai, ri = int(np.argmax(abs_diff)), int(np.argmax(rel))
    return _mismatch_msg(None, "Tensor-likes", extra, abs_diff[ai].item(), where(ai), atol,
                         rel[ri].item(), where(ri), rtol)


def _host(t: Tensor) -> np.ndarray:
    return np.asarray(t._value)


def _compare_tensors(actual, expected, path, *, allow_subclasses, rtol, atol, equal_nan,
                     check_device, check_dtype, **_):
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not allow_subclasses and type(actual) is not type(expected)):
        raise _unsupported(actual, expected, path)
    a, e = (x if isinstance(x, Tensor) else Tensor._make(np.asarray(x)) for x in (actual,
                                                                               expected))

    def attribute(name, x, y):
        raise _Failure(AssertionError, f"The values for attribute '{name}' do not match: "
                       f"{x} != {y}.", path)
    if a.shape != e.shape:
        attribute("shape", a.shape, e.shape)
    if check_device and a.device != e.device:
        attribute("device", a.device, e.device)
    if check_dtype and a.dtype != e.dtype:
        attribute("dtype", a.dtype, e.dtype)
    rtol, atol = _tolerances((a.dtype, e.dtype), rtol, atol, path)
    av, ev = _host(a), _host(e)
    if av.dtype != ev.dtype:
        common = np.promote_types(av.dtype, ev.dtype)
        av, ev = av.astype(common), ev.astype(common)
    matches = _isclose(av, ev, rtol, atol, equal_nan)
    if matches.all():
        return
    if av.ndim == 0:
        msg = _scalar_msg(av.item(), ev.item(), rtol, atol)
    else:
        msg = _tensor_msg(av, ev, matches, rtol, atol)
    raise _Failure(AssertionError, msg, path)


def _compare_numbers(actual, expected, path, *, rtol, atol, equal_nan, check_dtype, **_):
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual,
                                                                            expected))
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(x)] for x in (actual, expected)], rtol,
                             atol, path)
    if check_dtype and type(actual) is not type(expected):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(actual)} != "
                       f"{type(expected)}.", path)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    diff = abs(actual - expected)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_msg(actual, expected, rtol, atol), path)


def _unsupported(actual, expected, path) -> _Failure:
    return _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                    f"{type(actual)} and {type(expected)}.", path)


def _is_number(x) -> bool:
    return isinstance(x, (int, float, complex, np.number)) and not isinstance(
        x, (bool, np.bool_))


def _compare(actual, expected, path, **options) -> None:
    seq, mapping = collections.abc.Sequence, collections.abc.Mapping
    if (isinstance(actual, seq) and isinstance(expected, seq)
            and not isinstance(actual, str) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, "The length of the sequences mismatch: "
                           f"{len(actual)} != {len(expected)}", path)
        for i in range(len(actual)):
            _compare(actual[i], expected[i], (*path, i), **options)
    elif isinstance(actual, mapping) and isinstance(expected, mapping):
        a_keys, e_keys = set(actual.keys()), set(expected.keys())
        if a_keys != e_keys:
            raise _Failure(AssertionError, "The keys of the mappings do not match:\n"
                           f"Missing keys in the actual mapping: {sorted(e_keys - a_keys)}\n"
                           "Additional keys in the actual mapping: "
                           f"{sorted(a_keys - e_keys)}", path)
        try:
            keys = sorted(a_keys)
        except TypeError:
            keys = list(a_keys)
        for key in keys:
            _compare(actual[key], expected[key], (*path, key), **options)
    elif actual is None or expected is None:
        if actual is not expected:
            raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", path)
    elif isinstance(actual, (bool, np.bool_)) and isinstance(expected, (bool, np.bool_)):
        if bool(actual) is not bool(expected):
            raise _Failure(AssertionError, f"Booleans mismatch: {bool(actual)} is not "
                           f"{bool(expected)}", path)
    elif _is_number(actual) and _is_number(expected):
        _compare_numbers(actual, expected, path, **options)
    elif isinstance(actual, (Tensor, np.ndarray)) and isinstance(expected,
                                                                 (Tensor, np.ndarray)):
        _compare_tensors(actual, expected, path, **options)
    else:
        raise _unsupported(actual, expected, path)


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Asserts |actual - expected| <= atol + rtol * |expected| elementwise.

    `actual`/`expected`: Tensors, numpy arrays, Python numbers, bools or None, or
    (nested) sequences and mappings of them. Tensors must match in shape and, unless
    disabled, device and dtype. Default (rtol, atol) per dtype: float16 (1e-3, 1e-5),
    bfloat16 (1.6e-2, 1e-5), float32/complex64 (1.3e-6, 1e-5), float64/complex128
    (1e-7, 1e-7), others exact; the looser of the two inputs' dtypes is used.

    Raises:
      AssertionError: with PyTorch's message ("Tensor-likes are not close!\\n\\nMismatched
        elements: ..."), or `msg` (a string, or a callable given the generated message).
      ValueError: only one of rtol/atol given. TypeError: inputs of unsupported types.
    """
    __tracebackhide__ = True
    try:
        _compare(actual, expected, (), allow_subclasses=allow_subclasses, rtol=rtol,
                 atol=atol, equal_nan=equal_nan, check_device=check_device,
                 check_dtype=check_dtype)
    except _Failure as failure:
        raise failure.to_error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True,
                    msg: str = "") -> None:
    """Deprecated since PyTorch 1.12: assert_close without the dtype check, with looser
    default tolerances (float16 1e-3/1e-3, float32 1e-4/1e-5, float64 1e-5/1e-8)."""
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning, stacklevel=2)
    from ._factories import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        loose = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)}
        pairs = [loose.get(t.dtype.name, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)


def _bounds(low, high, dtype, lowest, highest, default_low, default_high, integral):
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and not integral:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. "
                      "Use `torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, "
                         f"{high}), but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    return (math.ceil(low), math.ceil(high)) if integral else (low, high)


def make_tensor(*shape, dtype, device=None, low=None, high=None,
                requires_grad: bool = False, noncontiguous: bool = False,
                exclude_zero: bool = False, memory_format=None) -> Tensor:
    """A tensor of `shape` with values drawn uniformly from [low, high) with the global
    generator. Defaults: bool [0, 2), uint8 [0, 10), other integers [-9, 10), floating and
    complex [-9, 9) (both parts of a complex value). `exclude_zero` replaces zeros by 1
    (integers) or the dtype's smallest normal number.

    PyTorch parity: the same distribution, not the same numbers (JAX's generator);
    `noncontiguous`/`memory_format` have no effect, as every array here is contiguous.
    """
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    integral = not (dtype.is_floating_point or dtype.is_complex)
    if requires_grad and integral:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype}")
    if dtype == _dtypes.bool:
        low, high = _bounds(low, high, dtype, 0, 2, 0, 2, True)
        out = _random.randint(low, high, shape, dtype=dtype, device=device)
    elif integral:
        info = iinfo(dtype)
        low, high = _bounds(low, high, dtype, info.min, info.max + (dtype != _dtypes.int64),
                            -9, 10, True)
        out = _random.randint(low, high, shape, dtype=dtype, device=device)
    else:
        info = finfo(dtype)
        low, high = _bounds(low, high, dtype, info.min, info.max, -9, 9, False)
        real = _dtypes.float64 if dtype == _dtypes.complex128 else _dtypes.float32 \
            if dtype.is_complex else dtype
        out = empty(*shape, *((2,) if dtype.is_complex else ()), dtype=real, device=device)
        if high - low >= info.max:      # the width itself would overflow: draw half of it
            out = _random.uniform_(out, low / 2, high / 2).mul_(2)
        else:
            out = _random.uniform_(out, low, high)
        if dtype.is_complex:
            from ._ops_complex import view_as_complex
            out = view_as_complex(out)
    if exclude_zero:
        one = 1 if integral else finfo(dtype).tiny
        out = out.masked_fill(out == 0, one)
    if not integral:
        out.requires_grad_(requires_grad)
    return out
