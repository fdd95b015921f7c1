"""Conv3d, ConvTranspose1d/3d, 3-D/adaptive-max/power pooling and Fold/Unfold against real
PyTorch: values, gradients (input, weight, bias), indices, module repr and errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from _tensor_ops_ref import check, check_raises, rand

import functorch_like as fl
import functorch_like.nn as nn
from functorch_like.pure import _conv, _fold, _pool

TOL = dict(atol=1e-11, rtol=1e-9)


def f64(*shape):
    return rand(*shape, dtype=np.float64)


X3 = f64(2, 4, 4, 5, 3)


@pytest.mark.parametrize("x, w, b, kwargs", [
    (X3, f64(6, 2, 2, 3, 1), f64(6), dict(stride=(1, 2, 1), padding=1, groups=2)),
    (X3[0], f64(3, 4, 2, 2, 2), None, dict(dilation=(1, 2, 1), padding="same")),
])
def test_conv3d_matches_torch(x64, x, w, b, kwargs):
    check(lambda t, *a: t.nn.functional.conv3d(*a, **kwargs), x, w, b, x64=True, **TOL)


@pytest.mark.parametrize("fn, x, w, b, kwargs", [
    ("conv_transpose1d", f64(2, 4, 5), f64(4, 3, 3), f64(3),
     dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose1d", f64(4, 5), f64(4, 1, 2), None, dict(groups=2, dilation=2)),
    ("conv_transpose3d", f64(1, 2, 2, 3, 2), f64(2, 3, 2, 1, 2), f64(3),
     dict(stride=(2, 1, 2), padding=(0, 0, 1), output_padding=(1, 0, 0))),
])
def test_conv_transpose_matches_torch(x64, fn, x, w, b, kwargs):
    check(lambda t, *a: getattr(t.nn.functional, fn)(*a, **kwargs), x, w, b, x64=True,
          **TOL)


def _module_pair(make):
    tm, m = make(torch.nn).double(), make(nn).double()
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    assert repr(m) == repr(tm)
    return tm, m


@pytest.mark.parametrize("make, x, call", [
    (lambda nn: nn.Conv3d(4, 2, 2, padding=1, padding_mode="circular", bias=False), X3, {}),
    (lambda nn: nn.Conv3d(4, 2, (1, 2, 2), padding="same", padding_mode="reflect"), X3, {}),
    (lambda nn: nn.ConvTranspose1d(4, 2, 3, stride=3), f64(1, 4, 3), dict(output_size=[10])),
    (lambda nn: nn.ConvTranspose3d(4, 2, 2, stride=2, groups=2), X3[:1],
     dict(output_size=(1, 2, 9, 11, 7))),
])
def test_conv_modules_match_torch(x64, make, x, call):
    tm, m = _module_pair(make)
    t_x, f_x = torch.tensor(x, requires_grad=True), fl.tensor(x, requires_grad=True)
    want, got = tm(t_x, **call), m(f_x, **call)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), **TOL)
    ct = f64(*want.shape)
    (want * torch.tensor(ct)).sum().backward()
    (got * fl.tensor(ct)).sum().backward()
    np.testing.assert_allclose(f_x.grad.numpy(), t_x.grad.numpy(), **TOL)
    for (name, tp), (_, p) in zip(tm.named_parameters(), m.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), err_msg=name, **TOL)


def test_conv_errors_match_torch():
    check_raises(lambda t, x, w: t.nn.functional.conv3d(x, w), rand(1, 2, 3, 3, 3),
                 rand(4, 3, 1, 1, 1))
    check_raises(lambda t, x, w: t.nn.functional.conv3d(x, w), rand(2, 3, 3), rand(4, 3, 1, 1, 1))
    check_raises(lambda t, x, w: t.nn.functional.conv_transpose1d(x, w), rand(1, 2, 3),
                 rand(3, 2, 1))
    check_raises(lambda t: t.nn.ConvTranspose1d(2, 3, 2, padding_mode="reflect"))
    check_raises(lambda t, x: t.nn.ConvTranspose3d(2, 3, 2, stride=2)(x, output_size=(9, 9, 9)),
                 rand(1, 2, 2, 2, 2))


# Small integers as floats: ties inside windows check the first-maximum rule and its grad.
TIES = np.random.default_rng(3).integers(0, 3, (2, 3, 5, 6, 7)).astype(np.float64)


@pytest.mark.parametrize("fn, x, kwargs", [
    ("max_pool3d", TIES, dict(kernel_size=2, return_indices=True)),
    ("max_pool3d", TIES[0], dict(kernel_size=(3, 2, 2), stride=2, padding=1, ceil_mode=True,
                                 dilation=(1, 2, 1), return_indices=True)),
    ("max_pool3d_with_indices", X3, dict(kernel_size=2, stride=1)),
    ("max_pool1d_with_indices", TIES[0, 0, 0], dict(kernel_size=3, stride=2)),
    ("max_pool2d_with_indices", TIES[0, 0], dict(kernel_size=2, padding=1)),
    ("avg_pool3d", X3, dict(kernel_size=2, stride=(1, 2, 2), padding=1, ceil_mode=True)),
    ("avg_pool3d", X3, dict(kernel_size=3, padding=1, count_include_pad=False)),
    ("avg_pool3d", X3[0], dict(kernel_size=2, divisor_override=3)),
    ("adaptive_max_pool1d", TIES[0, 0], dict(output_size=4, return_indices=True)),
    ("adaptive_max_pool2d", TIES[0], dict(output_size=(2, 4), return_indices=True)),
    ("adaptive_max_pool2d", X3[0], dict(output_size=(None, 3))),
    ("adaptive_max_pool3d", TIES, dict(output_size=(3, 4, 2), return_indices=True)),
    ("adaptive_avg_pool3d", X3, dict(output_size=(3, None, 2))),
    ("lp_pool1d", X3[0, 0], dict(norm_type=2, kernel_size=2)),
    ("lp_pool2d", np.abs(X3[0]) + 0.1, dict(norm_type=1.5, kernel_size=(2, 3), stride=1,
                                              ceil_mode=True)),
    ("lp_pool3d", X3, dict(norm_type=3, kernel_size=2)),
    ("unfold", X3[0], dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2))),
    ("unfold", X3[0, 0], dict(kernel_size=2)),
    ("fold", f64(2, 12, 10), dict(output_size=(4, 5), kernel_size=(2, 3), padding=(1, 0),
                                  stride=(1, 2))),
    ("fold", f64(8, 9), dict(output_size=5, kernel_size=2, dilation=2, stride=1)),
])
def test_pooling_and_folding_match_torch(x64, fn, x, kwargs):
    ref, got = check(lambda t, a: getattr(t.nn.functional, fn)(a, **kwargs), x, x64=True,
                     **TOL)
    first_ref, first_got = (ref[0], got[0]) if isinstance(ref, tuple) else (ref, got)
    if fn != "max_pool1d_with_indices":     # F.max_pool1d's name is not this file's concern
        assert first_got.grad_fn.name() == first_ref.grad_fn.name()


@pytest.mark.parametrize("make, x", [
    (lambda nn: nn.MaxPool3d(2, stride=1, return_indices=True), X3),
    (lambda nn: nn.AvgPool3d((2, 1, 2), ceil_mode=True), X3),
    (lambda nn: nn.AdaptiveMaxPool1d(3, return_indices=True), X3[0, 0]),
    (lambda nn: nn.AdaptiveMaxPool2d((2, None)), X3[0]),
    (lambda nn: nn.AdaptiveMaxPool3d(2), X3),
    (lambda nn: nn.AdaptiveAvgPool3d(2), X3),
    (lambda nn: nn.LPPool1d(2, 3), X3[0, 0]),
    (lambda nn: nn.LPPool2d(2, 2, stride=1), X3[0]),
    (lambda nn: nn.LPPool3d(2, 2), X3),
    (lambda nn: nn.Unfold(2, padding=1), X3[0]),
    (lambda nn: nn.Fold((3, 4), 2), f64(2, 8, 6)),
])
def test_pool_and_fold_modules_match_torch(x64, make, x):
    assert repr(make(nn)) == repr(make(torch.nn))
    check(lambda t, a: make(t.nn)(a), x, x64=True, **TOL)


@pytest.mark.parametrize("fn, shape, kwargs", [
    ("adaptive_avg_pool3d", (2, 3), dict(output_size=2)),
    ("adaptive_max_pool2d", (2, 3), dict(output_size=2)),
    ("adaptive_max_pool3d", (2, 3), dict(output_size=2)),
    ("max_pool3d", (1, 1, 2, 2, 2), dict(kernel_size=2, padding=2)),
    ("max_pool3d", (1, 1, 2, 2, 2), dict(kernel_size=3)),
    ("max_pool3d", (2, 3), dict(kernel_size=2)),
    ("avg_pool3d", (2, 3, 4), dict(kernel_size=2)),
    ("unfold", (1, 2, 3, 3), dict(kernel_size=4)),
    ("unfold", (1, 2, 3, 3, 3), dict(kernel_size=2)),
    ("unfold", (1, 2, 3, 3), dict(kernel_size=2, stride=0)),
    ("fold", (1, 7, 4), dict(output_size=(3, 3), kernel_size=2)),
    ("fold", (1, 8, 5), dict(output_size=(3, 3), kernel_size=2)),
    ("fold", (2, 1, 8, 4), dict(output_size=(3, 3), kernel_size=2)),
])
def test_pool_and_fold_errors_match_torch(fn, shape, kwargs):
    check_raises(lambda t, a: getattr(t.nn.functional, fn)(a, **kwargs), rand(*shape))


def test_adaptive_max_pool_indices_feed_max_unpool():
    x = rand(1, 2, 6, 6)
    for lib in (torch, fl):
        values, indices = lib.nn.functional.adaptive_max_pool2d(lib.tensor(x), 3, True)
        back = lib.nn.functional.max_unpool2d(values, indices, 2)
        if lib is torch:
            want = back.numpy()
    np.testing.assert_array_equal(back.numpy(), want)


def test_pure_conv_pool_fold_under_jit_and_grad():
    x, w = rand(1, 2, 3, 3, 3), rand(2, 2, 2, 2, 2)

    def f(lib, a, w):
        if lib is torch:
            F = torch.nn.functional
            conv, conv_t, amax = F.conv3d, F.conv_transpose3d, F.adaptive_max_pool3d
            lp, unfold, fold = F.lp_pool2d, F.unfold, F.fold
        else:
            conv, conv_t = _conv.conv3d, _conv.conv_transpose3d
            amax = lambda y, o: _pool.adaptive_max_pool(y, 3, o)[0]  # noqa: E731
            lp = lambda y, p, k: _pool.lp_pool(y, 2, p, k)  # noqa: E731
            unfold, fold = _fold.unfold, _fold.fold
        y = conv_t(conv(a, w), w, stride=2)                 # (1, 2, 4, 4, 4)
        y = amax(y, 2)[0] * y[0, :, 0, :2, :2]              # (2, 2, 2)
        return (fold(unfold(y, 2, padding=1), (2, 2), 2, padding=1) ** 2).sum() + lp(
            y * y + 1, 2.0, 2).sum()
    value, grads = jax.jit(jax.value_and_grad(lambda a, w: f(jnp, a, w), argnums=(0, 1)))(
        jnp.asarray(x), jnp.asarray(w))
    t_x, t_w = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    want = f(torch, t_x, t_w)
    want.backward()
    np.testing.assert_allclose(value, want.item(), rtol=1e-5)
    # (float32 sums in another order: an element's error scales with the largest terms,
    # here up to 1e6, not with the element; the inputs depend on the tests run before)
    for got, theirs in zip(grads, (t_x.grad.numpy(), t_w.grad.numpy())):
        np.testing.assert_allclose(got, theirs, rtol=1e-4,
                                   atol=max(1e-4, 1e-6 * np.abs(theirs).max()))


@pytest.mark.parametrize("nd, kernel, stride, padding", [
    (2, 3, 2, 1), (2, 2, 1, 1), (2, 3, 1, 1), (3, 3, 2, 1), (1, 2, 2, 1)])
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_divisor_with_ceil_mode_and_padding_matches_torch(nd, kernel, stride, padding,
                                                                   count_include_pad):
    # The ceil-mode overhang of one dim was counted where a later dim touched padding.
    x = np.arange(4 ** nd, dtype=np.float32).reshape((1, 1) + (4,) * nd) + 1

    def run(L):
        t = L.tensor(x, requires_grad=True)
        pool = getattr(L.nn.functional, f"avg_pool{nd}d")
        out = pool(t, kernel, stride, padding, ceil_mode=True,
                   count_include_pad=count_include_pad)
        out.sum().backward()
        return out.detach().numpy(), t.grad.numpy()

    for ours, theirs in zip(run(fl), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)


@pytest.mark.parametrize("stride,padding,dilation,kernel", [
    ((2, 2), (1, 0), (1, 1), (2, 3)),
    ((2, 1), (1, 0), (1, 2), (2, 3)),
    ((1, 2), (0, 1), (2, 1), (3, 2)),
])
def test_strided_conv2d_input_gradients_are_torchs(stride, padding, dilation, kernel):
    # (XLA's algebraic simplifier aborted the whole process on these input gradients,
    # with the padding inside the convolution)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
    w = rng.standard_normal((3, 2) + kernel).astype(np.float32)
    results = []
    for lib in (fl, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(xt, wt, stride=stride, padding=padding,
                                     dilation=dilation)
        (y * y).sum().backward()
        results.append([y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
