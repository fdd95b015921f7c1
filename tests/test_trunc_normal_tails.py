"""nn.init.trunc_normal_ samples as torch 2.13 does (an exact truncated normal by
rejection), far in a tail too, where jax.random.truncated_normal put every value on one
bound; and warns as torch when the mean is more than 2 std outside [a, b]."""

import warnings

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import init


def _stats(lib, n, mean, std, a, b):
    lib.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = lib.nn.init.trunc_normal_(lib.empty(n), mean, std, a, b)
    v = np.asarray(t.tolist())
    return v, [str(w.message) for w in caught]


@pytest.mark.parametrize("mean,std,a,b", [(10.0, 1.0, -2.0, 2.0), (0.0, 1.0, -9.0, -8.0),
                                          (0.0, 1.0, -6.0, -5.0), (0.0, 1.0, -2.0, 2.0),
                                          (0.0, 1.0, 0.5, 3.0)])
def test_distribution_and_warning_match_torch(mean, std, a, b):
    n = 20000
    got, got_warnings = _stats(fl, n, mean, std, a, b)
    want, want_warnings = _stats(torch, n, mean, std, a, b)
    assert got_warnings == want_warnings
    assert a <= got.min() and got.max() <= b
    # (independent draws: the mean and spread agree to a few standard errors)
    assert abs(got.mean() - want.mean()) < 6 * want.std() / np.sqrt(n) + 1e-3
    assert abs(got.std() - want.std()) < 0.05 * want.std() + 1e-3
    # the values spread over the interval (not collapsed onto a bound)
    assert len(np.unique(got)) > n // 2


def test_half_dtypes_and_jit():
    for dtype in (fl.float16, fl.bfloat16):
        t = fl.nn.init.trunc_normal_(fl.empty(1000, dtype=dtype), 0.0, 1.0, -1.0, 1.0)
        assert t.dtype == dtype and -1.0 <= t.min().item() and t.max().item() <= 1.0
    out = jax.jit(lambda k: init.trunc_normal((5,), 0.0, 1.0, 3.0, 4.0, key=k))(
        jax.random.key(0))
    assert out.shape == (5,) and bool(((out >= 3.0) & (out <= 4.0)).all())
