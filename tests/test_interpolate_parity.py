"""F.interpolate corner cases against real PyTorch: anti-aliased bilinear/bicubic (forward
and gradient), the nearest kernels' index shortcuts (2-d forward, every backward), the
bicubic backward's copy, PyTorch's one-column anti-aliased forward, empty area outputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check, check_raises, rand

import functorch_like as fl


def _interp(**kwargs):
    return lambda t, a: t.nn.functional.interpolate(a, **kwargs)


def _aa_configs(count=24, seed=0):
    """A seeded sweep of anti-aliased configurations: mode, align_corners, size or scale
    factor, downsampling and upsampling, per dim."""
    rng = np.random.default_rng(seed)
    configs = []
    for k in range(count):
        h, w = (int(n) for n in rng.integers(2, 12, size=2))
        kwargs = dict(mode=("bilinear", "bicubic")[k % 2], antialias=True,
                      align_corners=bool(rng.integers(2)))
        if rng.integers(2):
            kwargs["size"] = tuple(int(n) for n in rng.integers(1, 14, size=2))
        else:
            # At least one output pixel per dim (PyTorch refuses empty outputs here).
            kwargs["scale_factor"] = tuple(max(float(s), round(1 / n + 0.01, 2)) for s, n in
                                           zip(np.round(rng.uniform(0.2, 2.5, size=2), 2),
                                               (h, w)))
        configs.append(((1, 2, h, w), kwargs))
    return configs


@pytest.mark.parametrize("shape, kwargs", _aa_configs())
def test_antialias_sweep_matches_torch(shape, kwargs):
    check(_interp(**kwargs), rand(*shape), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    dict(size=(3, 4), mode="bilinear"),
    dict(scale_factor=0.37, mode="bicubic"),
    dict(scale_factor=(2.5, 1.5), mode="bicubic", align_corners=True),
    # An unchanged dim with a scale: the forward skips it, the backward weighs it.
    dict(scale_factor=(0.5, 1.3), mode="bilinear"),
    dict(scale_factor=(1.3, 0.5), mode="bicubic"),
    # A one-column output: PyTorch's forward repeats the first row.
    dict(size=(3, 1), mode="bicubic", align_corners=True),
    dict(size=(12, 1), mode="bilinear"),
])
def test_antialias_matches_torch_float64(x64, kwargs):
    check(_interp(antialias=True, **kwargs), rand(2, 2, 8, 7).astype(np.float64), x64=True,
          rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_antialias_grad_fn_name_matches_torch(mode):
    x = rand(1, 1, 6, 6)
    names = [_interp(size=3, mode=mode, antialias=True)(t, t.tensor(x, requires_grad=True))
             .grad_fn.name() for t in (torch, fl)]
    assert names[0] == names[1]


@pytest.mark.parametrize("x, kwargs", [
    (rand(1, 1, 4, 4), dict(size=(2, 2), mode="nearest", antialias=True)),
    (rand(1, 1, 4, 4, 4), dict(size=2, mode="trilinear", antialias=True)),
    (rand(1, 1, 4), dict(size=2, mode="linear", antialias=True)),
    (rand(1, 1, 4, 4), dict(size=(0, 2), mode="bilinear", antialias=True)),
    (rand(1, 1, 4, 4).astype(np.float16), dict(size=2, mode="bicubic", antialias=True)),
])
def test_antialias_errors_match_torch(x, kwargs):
    check_raises(_interp(**kwargs), x)


@pytest.mark.parametrize("shape, kwargs", [
    ((1, 1, 5, 3), dict(scale_factor=(3, 1.3))),      # unchanged width: a copy
    ((1, 2, 5, 3), dict(scale_factor=(2.1, 0.7))),    # doubled height: dst >> 1
    ((2, 1, 4, 3), dict(scale_factor=(1.1, 2.1))),
])
def test_nearest_2d_index_shortcuts_match_torch(shape, kwargs):
    check(_interp(mode="nearest", **kwargs), rand(*shape))


@pytest.mark.parametrize("shape, kwargs", [
    ((1, 1, 3), dict(scale_factor=2.1)),               # forward scales, backward halves
    ((1, 2, 4), dict(scale_factor=1.2)),               # forward scales, backward copies
    ((1, 1, 2, 3, 3), dict(scale_factor=(1.2, 2.1, 1.1))),
    ((1, 1, 3), dict(scale_factor=1.7)),               # no shortcut: a plain scatter
])
def test_nearest_1d_3d_backward_matches_torch(shape, kwargs):
    check(_interp(mode="nearest", **kwargs), rand(*shape))


def test_nearest_double_backward_is_the_forward_kernel_like_torch():
    grads = []
    x, up, upup = rand(1, 1, 3), rand(1, 1, 6), rand(1, 1, 3)
    for t in (torch, fl):
        a = t.tensor(x, requires_grad=True)
        out = t.nn.functional.interpolate(a, scale_factor=2.1, mode="nearest")
        g = t.tensor(up, requires_grad=True)
        (ga,) = t.autograd.grad(out, a, g, create_graph=True)
        (gg,) = t.autograd.grad(ga, g, t.tensor(upup))
        grads.append((ga.detach().numpy(), gg.numpy()))
    for ours, ref in zip(grads[1], grads[0]):
        np.testing.assert_allclose(ours, ref, rtol=1e-6)


@pytest.mark.parametrize("shape, kwargs", [
    ((1, 1, 1, 3), dict(scale_factor=1.3, recompute_scale_factor=False)),
    ((1, 2, 3, 2), dict(scale_factor=(1.2, 1.4))),
])
def test_bicubic_backward_copies_when_no_size_changes_like_torch(shape, kwargs):
    check(_interp(mode="bicubic", **kwargs), rand(*shape))


@pytest.mark.parametrize("x, kwargs", [
    (rand(1, 1, 4, 4), dict(size=(0, 2))),
    (rand(1, 1, 4), dict(size=0)),
    (rand(1, 1, 4, 4, 4), dict(scale_factor=0.1)),
])
def test_area_empty_output_matches_torch(x, kwargs):
    check(_interp(mode="area", **kwargs), x, grad=False)


# ---- uint8 images: torch's integer kernels (torchvision's resize of uint8 tensors) --------

# (down both ways, up and down at once, a one-column output; 280 configurations of these
# modes were checked against torch when written)
_UINT8_SIZES = [dict(size=(5, 9)), dict(scale_factor=(2.5, 0.5)), dict(size=(11, 1))]


@pytest.mark.parametrize("channels", [3, 5])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("align_corners", [False, True])
def test_uint8_images_resize_bit_for_bit_as_torch(channels, mode, antialias, align_corners):
    # (refused before; a float resize rounded differs: torch rounds each separable pass
    # to uint8 through int16 weights, and drops or folds the taps past an edge)
    x = np.random.default_rng(channels).integers(0, 256, (2, channels, 11, 13), np.uint8)
    for kw in _UINT8_SIZES:
        want = torch.nn.functional.interpolate(
            torch.from_numpy(x), mode=mode, antialias=antialias, align_corners=align_corners,
            **kw)
        got = fl.nn.functional.interpolate(
            fl.tensor(x), mode=mode, antialias=antialias, align_corners=align_corners, **kw)
        assert got.dtype == fl.uint8
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=str(kw))


_INTEGER_REFUSALS = [(dtype, shape, mode) for dtype in ("uint8", "int8", "bool")
                     for shape, mode in [((1, 2, 9), "linear"), ((1, 1, 4, 5, 6), "trilinear"),
                                         ((1, 1, 6, 7), "area"), ((1, 1, 4, 6, 6), "area"),
                                         ((1, 1, 6, 7), "bilinear"), ((1, 1, 6, 7), "bicubic")]
                     # (torch resizes uint8 images bilinear and bicubic: the test above)
                     if not (dtype == "uint8" and mode in ("bilinear", "bicubic"))]


@pytest.mark.parametrize("dtype,shape,mode", _INTEGER_REFUSALS)
def test_integer_inputs_of_the_interpolating_modes_raise_as_torch(dtype, shape, mode):
    check_raises(lambda t: t.nn.functional.interpolate(
        t.zeros(shape, dtype=getattr(t, dtype)), scale_factor=0.5, mode=mode))


# ---- lanczos: Pillow's Lanczos-3 filter, anti-aliased only ----------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
@pytest.mark.parametrize("kw", [dict(size=(5, 9)), dict(scale_factor=(2.5, 0.5))])
def test_lanczos_resizes_as_torch(dtype, kw, x64):
    # (a missing mode: it was refused with a message that listed it as allowed)
    x = (np.random.default_rng(0).random((2, 3, 11, 13)) * 255).astype(dtype)
    grad = dtype != "uint8"
    tx, fx = torch.tensor(x, requires_grad=grad), fl.tensor(x, requires_grad=grad)
    want = torch.nn.functional.interpolate(tx, mode="lanczos", antialias=True, **kw)
    got = fl.nn.functional.interpolate(fx, mode="lanczos", antialias=True, **kw)
    assert str(got.dtype) == str(want.dtype)
    if not grad:
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        return
    assert got.grad_fn.name() == want.grad_fn.name()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                               atol=1e-4)
    g = np.random.default_rng(1).random(tuple(want.shape)).astype(dtype)
    want.backward(torch.from_numpy(g))
    got.backward(fl.tensor(g))
    np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("call", [
    lambda t, x: t.nn.functional.interpolate(x, size=(4, 5), mode="lanczos"),
    lambda t, x: t.nn.functional.interpolate(x[0], size=(4,), mode="lanczos", antialias=True),
    lambda t, x: t.nn.functional.interpolate(x[0], size=(4,), mode="lanczos"),
    lambda t, x: t.nn.functional.interpolate(x, size=(4, 5), mode="lanczos", antialias=True,
                                             align_corners=True),
    lambda t, x: t.nn.Upsample(size=(4, 5), mode="lanczos")(x),
    lambda t, x: t.nn.functional.interpolate(x.half(), size=(4, 5), mode="lanczos",
                                             antialias=True),
    lambda t, x: t.nn.functional.interpolate(x.to(t.int8), size=(4, 5), mode="bilinear",
                                             antialias=True)])
def test_lanczos_and_antialias_refusals_as_torch(call):
    check_raises(lambda t: call(t, t.ones(1, 2, 8, 9)))
