"""F.affine_grid and F.grid_sample against real PyTorch: values and gradients with respect
to the input, the grid and theta, for each mode and padding mode (sampled economically),
4-D and 5-D, PyTorch's errors and warning, and the pure functions under jax.jit/jax.grad."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import _grid_sample

from _tensor_ops_ref import check, check_raises

_rng = np.random.default_rng(5)
IMAGE = _rng.standard_normal((2, 2, 4, 5))
GRID = _rng.uniform(-1.3, 1.3, (2, 3, 4, 2))          # some points outside the input
VOLUME = _rng.standard_normal((1, 2, 3, 4, 3))
GRID3 = _rng.uniform(-1.2, 1.2, (1, 2, 3, 2, 3))
# No sample point lands exactly on a pixel centre (a kink of the bilinear weights).
THETA = np.array([[[0.91, -0.23, 0.07], [0.29, 1.12, -0.17]],
                  [[1.03, 0.41, 0.02], [-0.13, 0.79, 0.31]]])
THETA3 = _rng.uniform(-1, 1, (1, 3, 4))


@pytest.mark.parametrize("mode,padding_mode,align_corners", [
    ("bilinear", "zeros", False), ("bilinear", "border", True),
    ("bilinear", "reflection", False), ("nearest", "reflection", True),
    ("bicubic", "reflection", False),
])
def test_grid_sample_2d_matches_torch(mode, padding_mode, align_corners):
    check(lambda t, x, g: t.nn.functional.grid_sample(
        x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners),
        IMAGE, GRID, x64=True, atol=1e-10, rtol=1e-8)


@pytest.mark.parametrize("mode,padding_mode,align_corners", [
    ("bilinear", "reflection", True), ("nearest", "border", False),
])
def test_grid_sample_3d_matches_torch(mode, padding_mode, align_corners):
    check(lambda t, x, g: t.nn.functional.grid_sample(
        x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners),
        VOLUME, GRID3, x64=True, atol=1e-10, rtol=1e-8)


def test_affine_grid_then_sample_matches_torch():
    align_corners = True
    check(lambda t, th, x: t.nn.functional.grid_sample(
        x, t.nn.functional.affine_grid(th, (2, 2, 3, 4), align_corners=align_corners),
        align_corners=align_corners), THETA, IMAGE, x64=True, atol=1e-10, rtol=1e-8)
    check(lambda t, th: t.nn.functional.affine_grid(th, (1, 1, 2, 3, 2), align_corners=False),
          THETA3, x64=True, atol=1e-12, rtol=1e-10)


def test_errors_warning_and_grad_fn_names():
    x = np.zeros((1, 1, 3, 3), np.float32)
    grid = np.zeros((1, 2, 2, 2), np.float32)
    for kwargs in ({"mode": "foo"}, {"padding_mode": "foo"}):
        check_raises(lambda t, a, g: t.nn.functional.grid_sample(a, g, align_corners=False,
                                                                  **kwargs), x, grid)
    check_raises(lambda t, a, g: t.nn.functional.grid_sample(a, g[..., :1],
                                                              align_corners=False), x, grid)
    check_raises(lambda t, th: t.nn.functional.affine_grid(th, (1, 1, 3, 3), align_corners=False),
                 np.zeros((1, 2, 2), np.float32))
    check_raises(lambda t, th: t.nn.functional.affine_grid(th, (1, 1, 3), align_corners=False),
                 np.zeros((1, 2, 3), np.float32))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        out = fl.nn.functional.grid_sample(fl.tensor(x, requires_grad=True), fl.tensor(grid))
    assert out.grad_fn.name() == "GridSampler2DBackward0"
    theta = fl.zeros(1, 2, 3, requires_grad=True)
    assert fl.nn.functional.affine_grid(theta, (1, 1, 3, 3), align_corners=False
                                        ).grad_fn.name() == "AffineGridGeneratorBackward0"


def test_pure_under_jit_and_grad():
    def loss(theta, image):
        grid = _grid_sample.affine_grid(theta, image.shape, align_corners=False)
        return jnp.sum(_grid_sample.grid_sample(image, grid, padding_mode="border") ** 2)
    theta, image = jnp.asarray(THETA, jnp.float32), jnp.asarray(IMAGE, jnp.float32)
    grads = jax.jit(jax.grad(loss, argnums=(0, 1)))(theta, image)
    t_theta = torch.tensor(THETA, dtype=torch.float32, requires_grad=True)
    t_image = torch.tensor(IMAGE, dtype=torch.float32, requires_grad=True)
    grid = torch.nn.functional.affine_grid(t_theta, t_image.shape, align_corners=False)
    torch.nn.functional.grid_sample(t_image, grid, padding_mode="border",
                                    align_corners=False).pow(2).sum().backward()
    np.testing.assert_allclose(np.asarray(grads[0]), t_theta.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(grads[1]), t_image.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_max_unpool3d_and_pure_exports():
    # (MaxUnpool3d came with this change too.)
    volume = _rng.standard_normal((1, 2, 4, 4, 4)).astype(np.float32)
    ref, got = check(lambda t, x: t.nn.MaxUnpool3d(2)(
        *t.nn.functional.max_pool3d(x, 2, return_indices=True)), volume)
    assert repr(fl.nn.MaxUnpool3d(2)) == repr(torch.nn.MaxUnpool3d(2))
    from functorch_like.pure import nn as pure_nn
    for name in ("grid_sample", "affine_grid", "ctc_loss", "max_unpool3d", "interpolate",
                 "adaptive_max_pool2d", "lp_pool1d", "rms_norm", "conv3d", "unfold"):
        assert name in pure_nn.__all__ and callable(getattr(pure_nn, name))


@pytest.mark.parametrize("size, align", [((1, 1, 1, 4), True), ((1, 1, 3, 4), True),
                                         ((1, 1, 1, 4), False), ((1, 1, 1, 2, 3), True)])
def test_affine_grid_unit_size_warning_as_torch(size, align):
    """torch's warning for a unit-size grid with align_corners=True (none before)."""
    import warnings

    def run(lib):
        theta = lib.eye(2, 3)[None] if len(size) == 4 else lib.eye(3, 4)[None]
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            lib.nn.functional.affine_grid(theta, size, align_corners=align)
        return [str(w.message) for w in seen]
    assert run(fl) == run(torch)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_nan_and_inf_grid_points_sample_as_torch(mode, padding_mode, align_corners):
    # torch's CPU kernel clips with SIMD max/min (max(NaN, 0) is 0) and finds a NaN point
    # outside the input for nearest; a plain clip kept the NaN, and nearest sampled a
    # real pixel wherever the cast of NaN landed.
    x = np.arange(20, dtype=np.float32).reshape(1, 1, 4, 5)
    grid = np.array([[np.nan, 0.0], [0.0, np.nan], [np.inf, 0.3], [-np.inf, 0.2],
                     [np.nan, np.nan], [0.3, -0.2]], np.float32).reshape(1, 2, 3, 2)
    got, want = (lib.nn.functional.grid_sample(
        lib.tensor(x), lib.tensor(grid), mode=mode, padding_mode=padding_mode,
        align_corners=align_corners).numpy() for lib in (fl, torch))
    np.testing.assert_allclose(got, want, atol=1e-5, equal_nan=True)


@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("size", [(1, 1, 8, 8), (2, 1, 5, 7), (2, 1, 3, 4, 6)])
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_affine_grid_is_torchs_bit_for_bit(size, align_corners, dtype):
    # (jnp.linspace's steps and an einsum's rounding were an ulp off torch's linspace and
    # bmm: enough to move a grid point off a pixel centre, see the next test)
    nd = len(size) - 2
    theta = np.random.default_rng(0).standard_normal((size[0], nd, nd + 1)).astype(np.float32)
    got, want = (lib.nn.functional.affine_grid(lib.tensor(theta).to(getattr(lib, dtype)), size,
                                               align_corners=align_corners).float().numpy()
                 for lib in (fl, torch))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("align_corners", [True, False])
def test_spatial_transformer_gradient_at_the_identity_is_torchs(align_corners):
    # The Spatial Transformer tutorial starts at the identity transform: every grid point
    # on a pixel centre, where bilinear's gradient depends on the side an ulp puts it.
    image = np.random.RandomState(0).rand(1, 1, 8, 8).astype(np.float32)
    grads = []
    for lib in (fl, torch):
        theta = lib.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], requires_grad=True)
        grid = lib.nn.functional.affine_grid(theta, (1, 1, 8, 8), align_corners=align_corners)
        out = lib.nn.functional.grid_sample(lib.tensor(image), grid,
                                            align_corners=align_corners)
        out.pow(2).sum().backward()
        grads.append(theta.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-5)
