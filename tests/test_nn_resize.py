"""Resizing against real PyTorch: F.interpolate in every mode (values and gradients, the
index formulas at awkward scales), the Upsample modules, pixel/channel shuffles."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from _tensor_ops_ref import check, check_raises, rand

import functorch_like as fl
import functorch_like.nn as nn
from functorch_like.pure import _resize

X1, X2, X3 = rand(2, 3, 5), rand(2, 3, 4, 5), rand(1, 2, 3, 4, 3)
X1D, X2D, X3D = (a.astype(np.float64) for a in (X1, X2, X3))


@pytest.mark.parametrize("x, kwargs", [
    (X1D, dict(scale_factor=1.7)),
    (X2D, dict(size=(7, 3))),
    (X2D, dict(scale_factor=(0.6, 2.5))),
    (X3D, dict(scale_factor=2)),
    (X2D, dict(scale_factor=1.7, mode="nearest-exact")),
    (X1D, dict(size=12, mode="nearest-exact")),
    (X1D, dict(scale_factor=2.3, mode="linear")),
    (X1D, dict(size=3, mode="linear", align_corners=True)),
    (X2D, dict(scale_factor=1.5, mode="bilinear")),
    (X2D, dict(size=(3, 8), mode="bilinear", align_corners=True)),
    (X2D, dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    (X2D, dict(scale_factor=(2.2, 0.7), mode="bicubic")),
    (X2D, dict(size=(6, 6), mode="bicubic", align_corners=True)),
    (X3D, dict(size=(4, 2, 5), mode="trilinear")),
    (X3D, dict(scale_factor=1.5, mode="trilinear", align_corners=True)),
    (X2D, dict(size=(3, 2), mode="area")),
    (X3D, dict(scale_factor=0.5, mode="area")),
])
def test_interpolate_matches_torch(x64, x, kwargs):
    check(lambda t, a: t.nn.functional.interpolate(a, **kwargs), x, x64=True, atol=1e-12,
          rtol=1e-10)


@pytest.mark.parametrize("kwargs", [dict(scale_factor=1.3), dict(size=(11, 9)),
                                    dict(scale_factor=0.35, mode="nearest-exact")])
def test_interpolate_nearest_indices_in_float32_match_torch(kwargs):
    # Indices are computed in float32 for float32 inputs, as PyTorch's floorf(dst * scale).
    x = np.arange(2 * 31 * 29, dtype=np.float32).reshape(1, 2, 31, 29)
    check(lambda t, a: t.nn.functional.interpolate(a, **kwargs), x, grad=False, atol=0)


def test_interpolate_grad_fn_names_match_torch():
    cases = [(X1, dict(scale_factor=2)), (X2, dict(scale_factor=2, mode="bilinear")),
             (X2, dict(scale_factor=2, mode="bicubic")), (X3, dict(size=2, mode="area")),
             (X2, dict(size=3, mode="nearest-exact"))]
    for x, kwargs in cases:
        want = torch.nn.functional.interpolate(torch.tensor(x, requires_grad=True), **kwargs)
        got = fl.nn.functional.interpolate(fl.tensor(x, requires_grad=True), **kwargs)
        assert got.grad_fn.name() == want.grad_fn.name()


@pytest.mark.parametrize("x, kwargs", [
    (X2, dict(size=3, scale_factor=2)),
    (X2, dict()),
    (X2, dict(size=(1, 2, 3))),
    (X2, dict(scale_factor=(1, 2, 3))),
    (X2, dict(size=3, recompute_scale_factor=True)),
    (X2, dict(scale_factor=2, align_corners=True)),
    (X2, dict(scale_factor=2, mode="area", align_corners=False)),
    (X2, dict(scale_factor=2, mode="linear")),
    (X1, dict(scale_factor=2, mode="bilinear")),
    (X3, dict(scale_factor=2, mode="bicubic")),
    (X2, dict(scale_factor=2, mode="lanczoz")),
    (rand(2, 3), dict(scale_factor=2)),
    (X2, dict(scale_factor=0.1)),
    (X1, dict(size=0, mode="linear")),
    (X1, dict(scale_factor=2, antialias=True)),
])
def test_interpolate_errors_match_torch(x, kwargs):
    check_raises(lambda t, a: t.nn.functional.interpolate(a, **kwargs), x)


def test_interpolate_integer_input_in_interpolating_mode_raises_like_torch():
    check_raises(lambda t, a: t.nn.functional.interpolate(a, scale_factor=2, mode="bilinear"),
                 np.ones((1, 1, 2, 2), np.int32), match=False)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Upsample(scale_factor=2),
    lambda nn: nn.Upsample(size=(3, 7), mode="bilinear", align_corners=True),
    lambda nn: nn.Upsample(scale_factor=(1.5, 2.0), mode="bicubic"),
    lambda nn: nn.UpsamplingNearest2d(size=6),
    lambda nn: nn.UpsamplingBilinear2d(scale_factor=2),
])
def test_upsample_modules_match_torch(x64, make):
    assert repr(make(nn)) == repr(make(torch.nn))
    check(lambda t, a: make(t.nn)(a), X2D, x64=True, atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("name, extra", [("upsample", dict(mode="bilinear")),
                                         ("upsample_nearest", {}),
                                         ("upsample_bilinear", {})])
def test_deprecated_upsample_functions_warn_and_match_torch(name, extra):
    def run(t, a):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = getattr(t.nn.functional, name)(a, scale_factor=2, **extra)
        return out, [str(w.message) for w in caught]
    (_, t_msgs), (_, f_msgs) = check(run, X2)
    assert f_msgs == t_msgs and len(f_msgs) == 1


@pytest.mark.parametrize("fn, x, arg", [
    ("pixel_shuffle", rand(2, 8, 2, 3), 2),
    ("pixel_shuffle", rand(2, 3, 9, 2, 2), 3),
    ("pixel_unshuffle", rand(2, 2, 4, 6), 2),
    ("pixel_unshuffle", rand(3, 3, 3), 3),
    ("channel_shuffle", rand(2, 6, 3), 3),
    ("channel_shuffle", rand(1, 4, 2, 2), 2),
])
def test_shuffles_match_torch(fn, x, arg):
    ref, got = check(lambda t, a: getattr(t.nn.functional, fn)(a, arg), x, atol=0)
    assert got.grad_fn.name() == ref.grad_fn.name()


@pytest.mark.parametrize("fn, shape, arg", [
    ("pixel_shuffle", (3, 4), 2), ("pixel_shuffle", (2, 8, 4, 4), 3),
    ("pixel_shuffle", (2, 8, 4, 4), 0), ("pixel_unshuffle", (2, 8, 4, 4), 3),
    ("pixel_unshuffle", (2, 8, 4, 3), 2), ("pixel_unshuffle", (2, 8, 4, 4), -1),
    ("channel_shuffle", (3, 4), 2), ("channel_shuffle", (2, 8, 4), 3),
    ("channel_shuffle", (2, 8, 4), 0),
])
def test_shuffle_errors_match_torch(fn, shape, arg):
    check_raises(lambda t, a: getattr(t.nn.functional, fn)(a, arg), rand(*shape))


@pytest.mark.parametrize("make", [lambda nn: nn.PixelShuffle(2), lambda nn: nn.PixelUnshuffle(2),
                                  lambda nn: nn.ChannelShuffle(4)])
def test_shuffle_modules_match_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))
    check(lambda t, a: make(t.nn)(a), rand(1, 4, 4, 2), atol=0)


def test_pure_interpolate_under_jit_and_grad():
    x = jnp.asarray(X2)
    for mode in ("nearest", "bilinear", "bicubic", "area"):
        def f(a):
            return _resize.interpolate(a, scale_factor=1.5, mode=mode)
        np.testing.assert_allclose(jax.jit(f)(x), f(x), rtol=1e-6, atol=1e-6)
        ct = jnp.asarray(rand(*f(x).shape))
        g = jax.grad(lambda a: jnp.sum(f(a) * ct))(x)
        t_x = torch.tensor(X2, requires_grad=True)
        (torch.nn.functional.interpolate(t_x, scale_factor=1.5, mode=mode)
         * torch.tensor(np.asarray(ct))).sum().backward()
        np.testing.assert_allclose(g, t_x.grad.numpy(), rtol=1e-5, atol=1e-5)
    shuffled = jax.jit(lambda a: _resize.pixel_shuffle(a, 2))(jnp.asarray(rand(1, 4, 2, 2)))
    assert shuffled.shape == (1, 1, 4, 4)
