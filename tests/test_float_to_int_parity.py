"""Floats converted to integer types give torch's CPU values, also out of range.

C leaves an out-of-range float-to-integer conversion undefined; torch's CPU kernels (x86)
truncate through a 32-bit integer (the smallest int32 where out of its range, NaN or
inf) and keep the low bits for the narrower types, so `(x * 255).byte()` of an image
slightly outside [0, 1] wraps (-0.2 -> 205). XLA's conversion saturates instead (-> 0).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch as real

import functorch_like as torch

VALUES = [-1.0, -3.25, 200.0, 300.0, 40000.0, 3e9, -3e9, float("nan"), float("inf"),
          -float("inf"), -51.0, 0.7, -0.7, 255.9]


def _cases(lib):
    f = lambda dtype=lib.float32: lib.tensor(VALUES, dtype=dtype)  # noqa: E731

    def copied(dtype):
        z = lib.zeros(len(VALUES), dtype=dtype)
        z.copy_(f())
        return z

    def written(dtype):
        z = lib.zeros(len(VALUES), dtype=dtype)
        z[:] = f()
        return z

    return {
        "to uint8": lambda: f().to(lib.uint8),
        "byte": lambda: f().byte(),
        "char": lambda: f().char(),
        "short": lambda: f().short(),
        "int": lambda: f().int(),
        "type uint8": lambda: f().type(lib.uint8),
        "to int8 copy": lambda: f().to(dtype=lib.int8, copy=True),
        "half byte": lambda: f(lib.float16).byte(),
        "bfloat16 char": lambda: f(lib.bfloat16).char(),
        "scaled image": lambda: (lib.tensor([-0.2, 0.5, 1.2]) * 255).byte(),
        "copy_ uint8": lambda: copied(lib.uint8),
        "copy_ int16": lambda: copied(lib.int16),
        "setitem uint8": lambda: written(lib.uint8),
        "setitem int32": lambda: written(lib.int32),
        "complex real part": lambda: lib.tensor([-1 + 2j, 300 - 1j]).to(lib.uint8),
    }


@pytest.mark.parametrize("name", list(_cases(real)))
def test_float_to_integer_conversion_as_torch(name):
    expected = _cases(real)[name]()
    got = _cases(torch)[name]()
    if expected.dtype != real.int32:        # (int32 is reported as int64 with x64 off)
        assert str(got.dtype) == str(expected.dtype)
    assert got.tolist() == expected.tolist()


def test_conversion_inside_a_compiled_step_as_eagerly():
    @torch.compile
    def to_bytes(x):
        return (x * 255).byte()
    x = np.asarray([-0.2, 0.5, 1.2, float("nan")], np.float32)
    assert to_bytes(torch.tensor(x)).tolist() == (real.tensor(x) * 255).byte().tolist()
