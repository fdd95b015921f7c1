"""Tests of `functorch_like.pure.init` (PyTorch's `nn.init` family as pure functions).

The random streams are JAX's, so values are checked by law, not draw by draw: bounds,
means and standard deviations of large samples against the formulas PyTorch uses (taken
from torch's own helpers where it has them). Gains, fans and error texts are compared with
torch exactly.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from functorch_like.pure import init

# Large samples of two shapes (test_pure_layers.py draws Linear(400, 64) and Conv2d(32, 64, 3)
# weights of the same shapes, so each sampler compiles once per session).
MATRIX = (64, 400)         # 25.6k draws: the sample std is within ~0.5% of the true one
CONV = (64, 32, 3, 3)      # fan_in 288, fan_out 576; 18k draws


def _key(i: int = 0):
    return jax.random.key(i)


def _torch_fans(shape):
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def _fast_jit(fn, *args):
    """`jax.jit(fn)(*args)` with LLVM's optimizations off: the same XLA program, compiled
    several times faster (QR's is the slowest to compile here)."""
    compiled = jax.jit(fn).lower(*args).compile(
        compiler_options={"xla_backend_optimization_level": 0})
    return compiled(*args)


def _torch_error(fn) -> str:
    with pytest.raises(Exception) as info:
        fn()
    return str(info.value)


# ------------------------------------------------------------------- gains and fans


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
    ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
    ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("leaky_relu", 0), ("leaky_relu", 3),
    ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    ours, ref = init.calculate_gain(nonlinearity, param), \
        torch.nn.init.calculate_gain(nonlinearity, param)
    assert ours == pytest.approx(ref, rel=1e-15)
    assert type(ours) is type(ref)      # (1, not 1.0, for the linear ones: it prints so)


@pytest.mark.parametrize("args", [("foo",), ("leaky_relu", True), ("leaky_relu", "0.1")])
def test_calculate_gain_errors_match_torch(args):
    expected = _torch_error(lambda: torch.nn.init.calculate_gain(*args))
    with pytest.raises(ValueError) as info:
        init.calculate_gain(*args)
    assert str(info.value) == expected


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (6, 3, 2, 5), (2, 3, 1, 1, 4),
                                   (1, 0), (0, 3, 2)])
def test_fan_in_and_fan_out_matches_torch(shape):
    assert init.fan_in_and_fan_out(shape) == _torch_fans(shape)


@pytest.mark.parametrize("shape", [(), (7,)])
@pytest.mark.parametrize("name", ["fan_in_and_fan_out", "xavier_uniform", "xavier_normal",
                                  "kaiming_uniform", "kaiming_normal"])
def test_fans_of_fewer_than_two_dims_raise_torch_error(shape, name):
    expected = _torch_error(lambda: torch.nn.init._calculate_fan_in_and_fan_out(
        torch.empty(shape)))
    assert expected == ("Fan in and fan out can not be computed for tensor with fewer than "
                        "2 dimensions")
    fn = getattr(init, name)
    with pytest.raises(ValueError) as info:
        fn(shape) if name == "fan_in_and_fan_out" else fn(shape, key=_key())
    assert str(info.value) == expected


def test_other_shape_errors_match_torch():
    cases = [
        (lambda: torch.nn.init.orthogonal_(torch.empty(4)),
         lambda: init.orthogonal((4,), key=_key())),
        (lambda: torch.nn.init.eye_(torch.empty(2, 2, 2)), lambda: init.eye((2, 2, 2))),
        (lambda: torch.nn.init.kaiming_uniform_(torch.empty(3, 4), mode="fan_avg"),
         lambda: init.kaiming_uniform((3, 4), mode="fan_avg", key=_key())),
        (lambda: torch.nn.init.kaiming_normal_(torch.empty(3, 4), nonlinearity="swish"),
         lambda: init.kaiming_normal((3, 4), nonlinearity="swish", key=_key())),
    ]
    for torch_call, call in cases:
        expected = _torch_error(torch_call)
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value) == expected


# ---------------------------------------------------------------- distributions


def _stats(a):
    a = np.asarray(a, np.float64)
    return a.mean(), a.std(), a.min(), a.max()


def _assert_within_and_near(lo, hi, bound):
    """All draws in [-bound, bound] (up to float32 rounding of the bound) and the extremes
    within 1% of it."""
    slack = bound * (1 + 1e-6)
    assert -slack <= lo < -0.99 * bound
    assert 0.99 * bound < hi <= slack


@pytest.mark.parametrize("a,b", [(0.0, 1.0), (-3.0, -1.0), (-0.5, 2.0)])
def test_uniform(a, b):
    w = init.uniform(MATRIX, a, b, key=_key(1))
    assert w.shape == MATRIX and w.dtype == jnp.float32
    mean, std, lo, hi = _stats(w)
    width = b - a
    eps = 1e-6 * max(abs(a), abs(b))  # the bounds themselves are rounded to float32
    assert a - eps <= lo < a + 1e-3 * width and b - 1e-3 * width < hi <= b + eps
    assert mean == pytest.approx((a + b) / 2, abs=0.005 * width)
    assert std == pytest.approx(width / math.sqrt(12), rel=0.02)


@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (2.0, 0.1), (-1.0, 3.0)])
def test_normal(mean, std):
    m, s, _, _ = _stats(init.normal(MATRIX, mean, std, key=_key(2)))
    assert m == pytest.approx(mean, abs=0.02 * std)
    assert s == pytest.approx(std, rel=0.02)


def _truncated_normal_moments(mean, std, a, b):
    """Mean and std of N(mean, std^2) truncated to [a, b] (the textbook formulas)."""
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = cdf(beta) - cdf(alpha)
    shift = (pdf(alpha) - pdf(beta)) / z
    var = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - shift**2
    return mean + std * shift, std * math.sqrt(var)


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 3.0),
                                          (0.0, 0.02, -0.04, 0.04), (1.0, 1.0, 1.5, 4.0)])
def test_trunc_normal(mean, std, a, b):
    w = init.trunc_normal(MATRIX, mean, std, a, b, key=_key(3))
    m, s, lo, hi = _stats(w)
    # a and b are absolute bounds (as PyTorch), not multiples of std around the mean.
    assert a <= lo and hi <= b
    assert lo < a + 0.01 * (b - a) and hi > b - 0.01 * (b - a)
    expected_mean, expected_std = _truncated_normal_moments(mean, std, a, b)
    assert m == pytest.approx(expected_mean, abs=0.02 * expected_std)
    assert s == pytest.approx(expected_std, rel=0.02)


def test_trunc_normal_default_matches_torch_law():
    torch.manual_seed(0)
    t = torch.nn.init.trunc_normal_(torch.empty(MATRIX)).numpy()
    m, s, lo, hi = _stats(init.trunc_normal(MATRIX, key=_key(4)))
    assert (-2.0 <= lo) and (hi <= 2.0)
    assert m == pytest.approx(t.mean(), abs=0.02)
    assert s == pytest.approx(t.std(), rel=0.02)


@pytest.mark.parametrize("shape", [MATRIX, CONV])
@pytest.mark.parametrize("gain", [1.0, init.calculate_gain("relu")])
def test_xavier(shape, gain):
    fan_in, fan_out = _torch_fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))  # PyTorch's xavier std
    tol = 0.025
    w = init.xavier_uniform(shape, gain, key=_key(5))
    assert w.shape == shape
    m, s, lo, hi = _stats(w)
    _assert_within_and_near(lo, hi, math.sqrt(3.0) * std)
    assert s == pytest.approx(std, rel=tol)
    m, s, _, _ = _stats(init.xavier_normal(shape, gain, key=_key(6)))
    assert m == pytest.approx(0.0, abs=tol * std)
    assert s == pytest.approx(std, rel=tol)


@pytest.mark.parametrize("shape", [MATRIX, CONV])
@pytest.mark.parametrize("a,mode,nonlinearity", [
    (0.0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in", "leaky_relu"),
    (0.0, "fan_out", "relu"), (0.2, "fan_out", "leaky_relu"), (0.0, "Fan_In", "tanh"),
    (0.0, "fan_in", "linear"), (0.0, "fan_out", "selu")])
def test_kaiming(shape, a, mode, nonlinearity):
    torch_fan = torch.nn.init._calculate_correct_fan(torch.empty(shape), mode)
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(torch_fan)
    tol = 0.025
    w = init.kaiming_uniform(shape, a, mode, nonlinearity, key=_key(7))
    m, s, lo, hi = _stats(w)
    _assert_within_and_near(lo, hi, math.sqrt(3.0) * std)
    assert s == pytest.approx(std, rel=tol)
    m, s, _, _ = _stats(init.kaiming_normal(shape, a, mode, nonlinearity, key=_key(8)))
    assert m == pytest.approx(0.0, abs=tol * std)
    assert s == pytest.approx(std, rel=tol)


def test_kaiming_uniform_sqrt5_is_pytorch_layer_default():
    # Linear/Conv's default: kaiming_uniform(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    _, _, lo, hi = _stats(init.kaiming_uniform(CONV, a=math.sqrt(5), key=_key(9)))
    _assert_within_and_near(lo, hi, 1 / math.sqrt(32 * 9))


# ------------------------------------------------------------------------ orthogonal


@pytest.mark.parametrize("shape,gain", [((12, 5), 1.0), ((16, 2, 3, 3), 2.5),
                                        ((40, 2, 2, 2), 1.5)])
def test_orthogonal(x64, shape, gain):
    w = _fast_jit(lambda k: init.orthogonal(shape, gain, key=k, dtype=jnp.float64), _key(10))
    assert w.shape == shape and w.dtype == jnp.float64
    q = np.asarray(w).reshape(shape[0], -1)
    rows, cols = q.shape
    # Tall ((12, 5), (40, 8)): orthonormal columns (Q^T Q); wide ((16, 18)): orthonormal
    # rows (Q Q^T); both scaled by gain^2.
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_float32_and_randomness():
    # The signs of R's diagonal are folded into Q (PyTorch): across many draws the first
    # column's leading entry is positive about half the time, not always. (Also: vmap.)
    qs = _fast_jit(jax.vmap(lambda k: init.orthogonal((3, 3), key=k)),
                   jax.random.split(_key(13), 64))
    assert qs.dtype == jnp.float32
    assert not np.allclose(np.asarray(qs[0]), np.asarray(qs[1]))
    for q in np.asarray(qs, np.float64):
        np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-5)
    assert 16 < int(np.sum(np.asarray(qs)[:, 0, 0] > 0)) < 48


def test_zero_element_shapes_are_a_no_op_like_torch():
    for shape in [(0, 3), (4, 0), (0, 2, 3, 3)]:
        t = torch.empty(shape)
        torch.nn.init.orthogonal_(t)  # PyTorch returns the empty tensor unchanged
        for fn in (init.orthogonal, init.kaiming_uniform, init.kaiming_normal):
            w = jax.eval_shape(lambda: fn(shape, key=_key()))
            assert w.shape == shape and w.dtype == jnp.float32


# --------------------------------------------------------------------- deterministic


def test_constant_zeros_ones_eye_match_torch():
    np.testing.assert_array_equal(np.asarray(init.constant((2, 3), 0.25)),
                                  torch.nn.init.constant_(torch.empty(2, 3), 0.25).numpy())
    np.testing.assert_array_equal(np.asarray(init.zeros((4,))), np.zeros(4, np.float32))
    np.testing.assert_array_equal(np.asarray(init.ones((2, 2))), np.ones((2, 2), np.float32))
    for shape in [(3, 3), (2, 4), (4, 2)]:
        np.testing.assert_array_equal(np.asarray(init.eye(shape)),
                                      torch.nn.init.eye_(torch.empty(shape)).numpy())
    assert init.ones((2,)).dtype == jnp.float32


def test_dtype_argument_and_default(x64):
    def dtype_of(fn, *args, **kwargs):  # traced only: nothing is drawn or compiled
        return jax.eval_shape(lambda: fn(*args, key=_key(), **kwargs)).dtype

    assert dtype_of(init.uniform, (3,)) == jnp.float32  # PyTorch's default dtype, even in x64
    assert dtype_of(init.normal, (3,), dtype=jnp.float64) == jnp.float64
    assert dtype_of(init.trunc_normal, (3,), dtype=jnp.float16) == jnp.float16
    assert dtype_of(init.xavier_uniform, (3, 4), dtype=jnp.bfloat16) == jnp.bfloat16
    assert dtype_of(init.kaiming_normal, (3, 4), dtype=jnp.float64) == jnp.float64
    assert dtype_of(init.orthogonal, (3, 4), dtype=jnp.float64) == jnp.float64
    assert init.zeros((2,), dtype=jnp.float64).dtype == jnp.float64


def test_same_key_same_draw_and_jit_equals_eager():
    a = init.kaiming_uniform(MATRIX, key=_key(20))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(init.kaiming_uniform(MATRIX,
                                                                                 key=_key(20))))
    assert not np.array_equal(np.asarray(a), np.asarray(init.kaiming_uniform(MATRIX,
                                                                             key=_key(21))))
    jitted = jax.jit(lambda k: init.kaiming_uniform(MATRIX, key=k))
    np.testing.assert_allclose(np.asarray(jitted(_key(20))), np.asarray(a), rtol=1e-6)
