"""torch.linspace's values bit for bit as torch's CPU kernel makes them (a fused
multiply-add from the nearer end; every operation rounded for float16/bfloat16; the step
in double and truncation for integers), complex ends (the imaginary part was dropped and
the dtype was float32), and torch's overflow error for integer dtypes."""

import numpy as np
import pytest
import torch

import functorch_like as ft

RANGES = [(0, 1, 7), (0, 1000, 7), (-3.3, 7.1, 101), (0.1, 0.9, 33), (1, 1e4, 57),
          (-1, 1, 1000), (3, -40, 77), (5, 5, 4), (2, 3, 1), (0, 1, 0), (0, 1, 2)]


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int32", "int64", "int8"])
@pytest.mark.parametrize("start, end, steps", RANGES)
def test_linspace_values_as_torch(start, end, steps, dtype):
    def run(lib):
        try:
            out = lib.linspace(start, end, steps, dtype=getattr(lib, dtype))
        except RuntimeError as e:
            return str(e)
        return out.float().tolist()
    assert run(ft) == run(torch)


@pytest.mark.parametrize("ends", [(0, 1j, 3), (1j, 2 + 1j, 3), (1 + 2j, -3 - 1j, 11)])
def test_complex_ends(ends):
    t, f = torch.linspace(*ends), ft.linspace(*ends)
    assert str(f.dtype) == str(t.dtype) == "torch.complex64"
    assert np.array_equal(np.asarray(f.numpy()), t.numpy())


def test_default_dtype_and_requires_grad():
    for lib in (torch, ft):
        x = lib.linspace(0, 1, 5, requires_grad=True)
        assert x.requires_grad and x.dtype == lib.float32
        assert x.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
