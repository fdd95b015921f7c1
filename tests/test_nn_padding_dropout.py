"""Padding modules and the dropout variants (Dropout1d/3d, AlphaDropout,
FeatureAlphaDropout) against real PyTorch: values, gradients, repr, errors and warnings;
for the random layers the mask structure, the survivors' values and reproducibility,
eagerly and under functorch_like.compile."""

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
from functorch_like.pure import _dropout


@pytest.mark.parametrize("make, shape", [
    (lambda nn: nn.ZeroPad1d((1, 2)), (2, 3, 4)),
    (lambda nn: nn.ZeroPad2d(1), (3, 4, 4)),
    (lambda nn: nn.ZeroPad3d((1, 0, 0, 2, 1, 1)), (1, 2, 2, 3, 3)),
    (lambda nn: nn.ConstantPad1d(2, 3.5), (3, 4)),
    (lambda nn: nn.ConstantPad2d((0, 1, 2, 0), -1.0), (2, 3, 4, 4)),
    (lambda nn: nn.ConstantPad3d(1, 2), (2, 2, 3, 3)),
    (lambda nn: nn.ReflectionPad1d((2, 1)), (2, 3, 4)),
    (lambda nn: nn.ReflectionPad2d((1, 2, 0, 1)), (3, 4, 4)),
    (lambda nn: nn.ReflectionPad3d(1), (1, 2, 2, 3, 3)),
    (lambda nn: nn.ReplicationPad1d(3), (3, 4)),
    (lambda nn: nn.ReplicationPad2d((2, 0, 1, 3)), (2, 3, 4, 4)),
    (lambda nn: nn.ReplicationPad3d((0, 1, 1, 0, 2, 1)), (2, 2, 3, 3)),
    (lambda nn: nn.CircularPad1d(2), (2, 3, 4)),
    (lambda nn: nn.CircularPad2d((1, 0, 2, 1)), (3, 4, 4)),
    (lambda nn: nn.CircularPad3d(1), (1, 2, 2, 3, 3)),
])
def test_padding_modules_match_torch(make, shape):
    assert repr(make(nn)) == repr(make(torch.nn))
    ref, got = check(lambda t, a: make(t.nn)(a), rand(*shape), atol=0)
    assert type(got.grad_fn).__name__ == type(ref.grad_fn).__name__   # CopySlices: circular


@pytest.mark.parametrize("make, shape", [(lambda nn: nn.CircularPad1d(1), (2, 3, 4, 5)),
                                         (lambda nn: nn.CircularPad2d(1), (4, 5)),
                                         (lambda nn: nn.CircularPad3d(1), (2, 3, 4))])
def test_circular_padding_rank_errors_match_torch(make, shape):
    check_raises(lambda t, a: make(t.nn)(a), rand(*shape))


@pytest.mark.parametrize("pad", [(-1, 1), (-1, -1, 2, 0), (0, -3), (1, 2, -1, 0)])
def test_negative_constant_padding_crops_like_torch(pad):
    ref, got = check(lambda t, a: t.nn.functional.pad(a, pad, value=0.5), rand(2, 3))
    assert type(got.grad_fn).__name__ == type(ref.grad_fn).__name__


def test_cropping_past_the_size_raises_like_torch():
    check_raises(lambda t, a: t.nn.functional.pad(a, (-2, -2)), rand(2, 3))
    check_raises(lambda t, a: t.nn.functional.pad(a, (-4, 2)), rand(2, 3))


X = rand(3, 8, 2, 2, 2) + 3.0      # away from 0, so a zeroed channel is unambiguous


def _channels_kept(out, x, scale):
    """Per (sample, channel): True if kept (x * scale), False if zeroed; asserts that each
    channel is wholly one or the other."""
    out, x = out.reshape(out.shape[:2] + (-1,)), x.reshape(x.shape[:2] + (-1,))
    kept = np.all(np.isclose(out, x * scale), axis=-1)
    dropped = np.all(out == 0, axis=-1)
    assert np.all(kept | dropped)
    return kept


@pytest.mark.parametrize("cls, shape", [("Dropout1d", (3, 8, 4)), ("Dropout1d", (8, 4)),
                                        ("Dropout3d", (3, 8, 2, 2, 2)),
                                        ("Dropout3d", (8, 2, 2, 2))])
def test_feature_dropout_zeroes_whole_channels(cls, shape):
    x = X.reshape(-1)[:int(np.prod(shape))].reshape(shape)
    layer = getattr(nn, cls)(p=0.4)
    assert repr(layer) == repr(getattr(torch.nn, cls)(p=0.4))
    fl.manual_seed(0)
    f_x = fl.tensor(x, requires_grad=True)
    out = layer(f_x)
    batched = x if len(shape) in (3, 5) else x[None]
    kept = _channels_kept(out.detach().numpy().reshape(batched.shape), batched, 1 / 0.6)
    assert 0 < kept.sum() < kept.size
    out.sum().backward()               # the gradient is the same mask, scaled
    expected = np.broadcast_to(kept.reshape(kept.shape + (1,) * (batched.ndim - 2)) / 0.6,
                               batched.shape).reshape(shape)
    np.testing.assert_allclose(f_x.grad.numpy(), expected, rtol=1e-6)
    fl.manual_seed(0)
    np.testing.assert_array_equal(layer(fl.tensor(x)).numpy(), out.detach().numpy())
    layer.eval()
    np.testing.assert_array_equal(layer(fl.tensor(x)).numpy(), x)


def _alpha_values(lib, p):
    """(value of a dropped unit, value of a kept unit at x=0, at x=1) from `lib`'s alpha
    dropout: the affine correction's constants."""
    lib.manual_seed(0)
    zeros = lib.nn.functional.alpha_dropout(lib.zeros(4000), p, True).numpy()
    lib.manual_seed(0)
    ones = lib.nn.functional.alpha_dropout(lib.ones(4000), p, True).numpy()
    kept = zeros != zeros.min()
    return zeros.min(), zeros.max(), ones[kept].max(), kept.mean()


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_constants_match_torch(p):
    t_dropped, t_kept0, t_kept1, _ = _alpha_values(torch, p)
    f_dropped, f_kept0, f_kept1, keep_rate = _alpha_values(fl, p)
    np.testing.assert_allclose([f_dropped, f_kept0, f_kept1], [t_dropped, t_kept0, t_kept1],
                               rtol=1e-6)
    assert abs(keep_rate - (1 - p)) < 0.05


def test_alpha_dropouts_modes_and_grads():
    x = rand(2, 6, 3, 3)
    for cls in ("AlphaDropout", "FeatureAlphaDropout"):
        layer = getattr(nn, cls)(0.5)
        assert repr(layer) == repr(getattr(torch.nn, cls)(0.5))
        fl.manual_seed(1)
        f_x = fl.tensor(x, requires_grad=True)
        out = layer(f_x)
        assert out.grad_fn.name() == "AddBackward0"
        out.sum().backward()
        grad = f_x.grad.numpy()      # a * mask: 0 where dropped, one value elsewhere
        values = np.unique(grad)
        assert values[0] == 0 and len(values) > 1 and np.allclose(values[1:], values[-1])
        if cls == "FeatureAlphaDropout":     # one draw per (sample, channel)
            assert np.all(grad.reshape(2, 6, -1).std(axis=-1) == 0)
        layer.eval()
        np.testing.assert_array_equal(layer(fl.tensor(x)).numpy(), x)
    # The functional forms default to training=False, as PyTorch's.
    np.testing.assert_array_equal(fl.nn.functional.alpha_dropout(fl.tensor(x)).numpy(), x)
    np.testing.assert_array_equal(fl.nn.functional.feature_alpha_dropout(fl.tensor(x)).numpy(),
                                  x)


@pytest.mark.parametrize("p", [0.0, 1.0])
@pytest.mark.parametrize("fn", ["dropout1d", "dropout3d", "alpha_dropout",
                                "feature_alpha_dropout"])
def test_dropout_variants_at_p0_and_p1_match_torch(fn, p):
    shape = {"dropout1d": (2, 3, 4)}.get(fn, (2, 3, 2, 2, 2))
    check(lambda t, a: getattr(t.nn.functional, fn)(a, p, True), rand(*shape), atol=0)


@pytest.mark.parametrize("fn, shape, p", [
    ("dropout1d", (2, 3, 4, 5), 0.5), ("dropout1d", (2, 3), 1.5),
    ("dropout3d", (2, 3, 2, 2, 2), -0.1), ("alpha_dropout", (2, 3), 1.5),
    ("feature_alpha_dropout", (3,), 0.5),
])
def test_dropout_variant_errors_match_torch(fn, shape, p):
    check_raises(lambda t, a: getattr(t.nn.functional, fn)(a, p, True), rand(*shape))


def test_dropout3d_on_other_ranks_warns_like_torch():
    messages = []
    for lib in (torch, fl):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.functional.dropout3d(lib.ones(2, 3, 4), 0.5)
        messages.append([str(w.message) for w in caught])
        assert tuple(out.shape) == (2, 3, 4)
    assert messages[0] == messages[1] and len(messages[0]) == 1


def test_dropout_variants_under_compile_match_eager():
    model = nn.Sequential(nn.Linear(4, 6), nn.AlphaDropout(0.5))

    def step(x):
        return (model(x).sum(dim=1) + fl.nn.functional.dropout1d(x, 0.5).sum()
                + fl.nn.functional.feature_alpha_dropout(x[None], 0.3, True).sum())
    compiled = fl.compile(step)
    x = fl.ones(3, 4)
    runs = []
    for fn in (step, compiled):
        fl.manual_seed(0)
        runs.append([fn(x).detach().numpy() for _ in range(2)])
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-6)
    assert not np.allclose(runs[0][0], runs[0][1])       # a fresh mask per call


def test_pure_dropouts_under_jit_and_grad():
    x = jnp.asarray(rand(2, 3, 4))
    key = jax.random.key(0)
    for fn in (_dropout.feature_dropout, _dropout.alpha_dropout,
               _dropout.feature_alpha_dropout):
        def f(a, k):
            return fn(a, 0.5, True, key=k)
        # jit may fuse alpha dropout's affine map differently: float32 rounding only.
        np.testing.assert_allclose(jax.jit(f)(x, key), f(x, key), rtol=1e-5, atol=1e-7)
        grad = jax.grad(lambda a: jnp.sum(f(a, key)))(x)
        # The gradient is the scale of each unit: zero exactly where the unit was dropped.
        dropped = np.isclose(f(x, key), f(x + 1.0, key))
        np.testing.assert_array_equal(np.asarray(grad) == 0, dropped)


@pytest.mark.parametrize("mode, pad, shape", [
    ("reflect", (3, 3), (1, 1, 3)), ("reflect", (4, 0), (1, 1, 3)),
    ("reflect", (2, 2, 2, 2), (1, 1, 2, 3)), ("circular", (4, 0), (1, 1, 3))])
def test_padding_that_would_mirror_or_wrap_more_than_once_raises_as_torch(mode, pad, shape):
    # It returned values mirrored or wrapped several times.
    check_raises(lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode), rand(*shape))


@pytest.mark.parametrize("mode, pad", [("reflect", (2, 2)), ("circular", (3, 3)),
                                       ("replicate", (4, 0))])
def test_padding_up_to_the_limit_still_matches_torch(mode, pad):
    check(lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode), rand(1, 2, 3))
