"""adaptive_avg_pool in float16/bfloat16 averages in float32 and rounds once, as torch's
CPU kernel: its bins' weights in half precision (1/7 -> 0.1426 in bf16) biased every
mean downwards (a ResNet-style global pool under CPU autocast)."""

import numpy as np
import pytest
import torch

import functorch_like as fl

CASES = [("adaptive_avg_pool2d", (2, 16, 7, 7), 1),
         ("adaptive_avg_pool2d", (2, 4, 7, 9), (3, 4)),
         ("adaptive_avg_pool1d", (2, 4, 10), 3)]
# (torch's 3-d kernel sums in the half type element by element: not compared here; see
# pure/_pool.py's adaptive_avg_pool)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("fn,shape,out", CASES)
def test_half_adaptive_average_matches_torch(dtype, fn, shape, out):
    x = (np.random.default_rng(0).random(shape) + 1).astype(np.float32)
    want = getattr(torch.nn.functional, fn)(torch.tensor(x).to(getattr(torch, dtype)), out)
    got = getattr(fl.nn.functional, fn)(fl.tensor(x).to(getattr(fl, dtype)), out)
    assert got.dtype == getattr(fl, dtype)
    np.testing.assert_array_equal(np.asarray(got.float().tolist()), want.float().numpy())


def test_module_under_cpu_autocast_matches_torch():
    x = (np.random.default_rng(1).random((2, 8, 7, 7)) + 1).astype(np.float32)

    def run(lib):
        pool = lib.nn.AdaptiveAvgPool2d(1)
        with lib.autocast("cpu", dtype=lib.bfloat16):
            return pool(lib.tensor(x).to(lib.bfloat16)).float().tolist()
    assert run(fl) == run(torch)
