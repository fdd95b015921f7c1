"""Reference tests of the pure layers (`functorch_like.pure.nn`) against real PyTorch.

Each reference test runs the same computation in torch and here on the same float64 numpy
inputs and compares the forward values and the vector-Jacobian products with one random
cotangent (`torch.autograd.grad(..., grad_outputs=ct)` against `jax.vjp`).
"""

from __future__ import annotations

import math

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from functorch_like.pure import OutOfBoundsError, ShapeError
from functorch_like.pure import nn

RTOL, ATOL = 1e-10, 1e-12


def _compare(torch_fn, jax_fn, arrays, rng, rtol=RTOL, atol=ATOL):
    """Forward values and gradients w.r.t. every array in `arrays` (float64 numpy).

    `torch_fn(*tensors)` and `jax_fn(*jax_arrays)` must compute the same function; the
    gradients are the VJPs with one shared random cotangent.
    """
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    expected = torch_fn(*tensors)
    ct = rng.standard_normal(tuple(expected.shape))

    def value_and_vjp(arrays, ct):
        out, vjp = jax.vjp(jax_fn, *arrays)
        return out, vjp(ct)

    # One compiled program per case, far cheaper than compiling each primitive of the
    # forward and backward pass eagerly (eager equals jit: see the jit/vmap tests below).
    # LLVM's optimizations are off: the XLA program (the math under test) is the one a
    # default jit builds, and it compiles ~4x faster, which is most of this file's time.
    args = ([jnp.asarray(a, jnp.float64) for a in arrays], jnp.asarray(ct))
    compiled = jax.jit(value_and_vjp).lower(*args).compile(
        compiler_options={"xla_backend_optimization_level": 0})
    got, grads = compiled(*args)
    assert got.dtype == jnp.float64
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(np.asarray(got), expected.detach().numpy(), rtol=rtol, atol=atol)
    expected_grads = torch.autograd.grad(expected, tensors, grad_outputs=torch.tensor(ct),
                                         allow_unused=True)
    for g, e in zip(grads, expected_grads):
        e = np.zeros(g.shape) if e is None else e.numpy()
        np.testing.assert_allclose(np.asarray(g), e, rtol=rtol, atol=atol)
    return got


def _torch_error(fn) -> str:
    with pytest.raises(Exception) as info:
        fn()
    return str(info.value)


# --------------------------------------------------------------------------- dense layers


@pytest.mark.parametrize("x_shape,use_bias", [((5,), True), ((4, 5), True), ((2, 3, 5), True),
                                              ((4, 5), False)])
def test_linear_matches_torch(x64, x_shape, use_bias):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((3, 5))]
    if use_bias:
        arrays.append(rng.standard_normal(3))
    _compare(F.linear, nn.linear, arrays, rng)


@pytest.mark.parametrize("lead,use_bias", [((4,), True), ((2, 3), False)])
def test_bilinear_matches_torch(x64, lead, use_bias):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(lead + (3,)), rng.standard_normal(lead + (2,)),
              rng.standard_normal((4, 3, 2))]
    if use_bias:
        arrays.append(rng.standard_normal(4))
    _compare(F.bilinear, nn.bilinear, arrays, rng)


@pytest.mark.parametrize("padding_idx,idx_shape", [(None, (5,)), (2, (2, 3)), (-1, (2, 3))])
def test_embedding_matches_torch(x64, padding_idx, idx_shape):
    rng = np.random.default_rng(2)
    indices = rng.integers(0, 6, idx_shape)
    indices.flat[0], indices.flat[-1] = 2, 5  # both padding rows appear at least once
    weight = rng.standard_normal((6, 4))
    got = _compare(lambda w: F.embedding(torch.tensor(indices), w, padding_idx=padding_idx),
                   lambda w: nn.embedding(jnp.asarray(indices), w, padding_idx=padding_idx),
                   [weight], rng)
    np.testing.assert_array_equal(np.asarray(got), weight[indices])


def test_embedding_padding_row_gets_zero_gradient(x64):
    weight = jnp.asarray(np.random.default_rng(3).standard_normal((4, 3)))
    indices = jnp.asarray([[0, 1], [1, 3]])
    grad = jax.jit(jax.grad(lambda w: nn.embedding(indices, w, padding_idx=1).sum()))(weight)
    np.testing.assert_array_equal(np.asarray(grad),
                                  [[1.0] * 3, [0.0] * 3, [0.0] * 3, [1.0] * 3])


@pytest.mark.parametrize("shape,start,end", [((2, 3, 4), 1, -1), ((2, 3, 4, 5), 0, 2),
                                             ((2, 3, 4), -2, -1), ((), 0, -1)])
def test_flatten_matches_torch(x64, shape, start, end):
    rng = np.random.default_rng(4)
    _compare(lambda x: torch.flatten(x, start, end), lambda x: nn.flatten(x, start, end),
             [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("shape,dim,sizes", [((2, 12), 1, (3, 4)), ((6, 5), 0, (2, -1)),
                                             ((2, 3, 8), -1, (2, 2, 2))])
def test_unflatten_matches_torch(x64, shape, dim, sizes):
    rng = np.random.default_rng(5)
    _compare(lambda x: torch.unflatten(x, dim, sizes), lambda x: nn.unflatten(x, dim, sizes),
             [rng.standard_normal(shape)], rng)


# ---------------------------------------------------------------------------- convolutions
# Each case combines several options: a float64 convolution's VJP is the costliest program
# here to compile, so the cases are few and dense.


@pytest.mark.parametrize("x_shape,w_shape,kwargs,use_bias", [
    ((2, 3, 9), (4, 3, 3), dict(stride=2, padding=1), True),
    ((2, 4, 10), (6, 2, 2), dict(padding="same", dilation=2, groups=2), False),  # even k
    ((3, 9), (4, 3, 3), dict(padding="valid", dilation=3), True),             # unbatched
])
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's
def test_conv1d_matches_torch(x64, x_shape, w_shape, kwargs, use_bias):
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if use_bias:
        arrays.append(rng.standard_normal(w_shape[0]))
    _compare(lambda *a: F.conv1d(*a, **kwargs), lambda *a: nn.conv1d(*a, **kwargs), arrays, rng)


@pytest.mark.parametrize("x_shape,w_shape,kwargs,use_bias", [
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(stride=2, padding=1), True),
    ((2, 3, 8, 7), (4, 3, 3, 3), dict(stride=(2, 1), padding=(0, 2), dilation=(2, 1)), False),
    ((2, 4, 7, 6), (6, 2, 3, 3), dict(padding="same", groups=2), True),         # odd kernel
    ((3, 7, 6), (4, 3, 4, 2), dict(padding="same", dilation=(1, 2)), False),    # even kernels
    ((1, 4, 6, 5), (4, 1, 2, 2), dict(padding="valid", groups=4, stride=2), True),  # depthwise
])
def test_conv2d_matches_torch(x64, x_shape, w_shape, kwargs, use_bias):
    # 'same' with an even total padding puts the extra element on the right/bottom.
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if use_bias:
        arrays.append(rng.standard_normal(w_shape[0]))
    _compare(lambda *a: F.conv2d(*a, **kwargs), lambda *a: nn.conv2d(*a, **kwargs), arrays, rng)


@pytest.mark.parametrize("x_shape,w_shape,kwargs,use_bias", [
    ((2, 3, 4, 5), (3, 2, 3, 2), {}, True),
    ((2, 3, 4, 5), (3, 2, 3, 3), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2)),
     False),
    ((2, 4, 4, 4), (4, 3, 3, 3), dict(groups=2, stride=2, padding=1), True),
    ((3, 4, 4), (3, 2, 3, 3), dict(stride=2, dilation=(2, 1), padding=1, output_padding=1),
     True),                                                                    # unbatched
])
def test_conv_transpose2d_matches_torch(x64, x_shape, w_shape, kwargs, use_bias):
    rng = np.random.default_rng(8)
    groups = kwargs.get("groups", 1)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if use_bias:
        arrays.append(rng.standard_normal(w_shape[1] * groups))
    _compare(lambda *a: F.conv_transpose2d(*a, **kwargs),
             lambda *a: nn.conv_transpose2d(*a, **kwargs), arrays, rng)


# -------------------------------------------------------------------------------- pooling


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3, 10), dict(kernel_size=2)),
    ((3, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 10), dict(kernel_size=3, stride=2, ceil_mode=True)),
    ((3, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 3, 10), dict(kernel_size=3, stride=3, padding=1, dilation=2, ceil_mode=True)),
])
def test_max_pool1d_matches_torch(x64, shape, kwargs):
    rng = np.random.default_rng(9)
    _compare(lambda x: F.max_pool1d(x, **kwargs), lambda x: nn.max_pool1d(x, **kwargs),
             [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 7, 7), dict(kernel_size=(3, 2), stride=None)),
    ((2, 2, 7, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0))),
    ((2, 7, 7), dict(kernel_size=3, stride=2, ceil_mode=True)),
    ((2, 2, 7, 8), dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),
    ((2, 2, 7, 8), dict(kernel_size=3, stride=(2, 1), padding=1, dilation=(2, 3),
                        ceil_mode=True)),
])
def test_max_pool2d_matches_torch(x64, shape, kwargs):
    rng = np.random.default_rng(10)
    _compare(lambda x: F.max_pool2d(x, **kwargs), lambda x: nn.max_pool2d(x, **kwargs),
             [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("dilation", [1, 2])
def test_max_pool_gradient_goes_to_first_maximum_like_torch(x64, dilation):
    # Ties (here whole windows of equal values) send the gradient to the first element in
    # window order in PyTorch; the dilated path takes a different route than reduce_window.
    rng = np.random.default_rng(11)
    x = np.round(rng.standard_normal((1, 2, 7, 7))).clip(0, 1)
    _compare(lambda t: F.max_pool2d(t, 2, 1, 0, dilation), lambda v: nn.max_pool2d(v, 2, 1, 0,
                                                                                   dilation),
             [x], rng)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3, 10), dict(kernel_size=2)),
    ((3, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 10), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((3, 9), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)),
    ((2, 3, 10), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True,
                      count_include_pad=False)),
])
def test_avg_pool1d_matches_torch(x64, shape, kwargs):
    rng = np.random.default_rng(11)
    _compare(lambda x: F.avg_pool1d(x, **kwargs), lambda x: nn.avg_pool1d(x, **kwargs),
             [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 7, 7), dict(kernel_size=(3, 2), stride=None)),
    ((2, 2, 7, 8), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 2, 7, 8), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((2, 7, 7), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), ceil_mode=True)),
    ((2, 2, 7, 8), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)),
    ((2, 2, 7, 8), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True,
                        count_include_pad=False)),
    ((2, 7, 7), dict(kernel_size=3, stride=2, padding=1, divisor_override=5)),
    ((2, 2, 7, 8), dict(kernel_size=2, stride=2, ceil_mode=True, divisor_override=3)),
])
def test_avg_pool2d_matches_torch(x64, shape, kwargs):
    rng = np.random.default_rng(12)
    _compare(lambda x: F.avg_pool2d(x, **kwargs), lambda x: nn.avg_pool2d(x, **kwargs),
             [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("shape,out", [((2, 3, 8), 4), ((2, 3, 7), 3), ((2, 3, 5), 7),
                                       ((3, 10), 1)])
def test_adaptive_avg_pool1d_matches_torch(x64, shape, out):
    rng = np.random.default_rng(13)
    _compare(lambda x: F.adaptive_avg_pool1d(x, out), lambda x: nn.adaptive_avg_pool1d(x, out),
             [rng.standard_normal(shape)], rng)


@pytest.mark.parametrize("shape,out", [((2, 3, 8, 6), (4, 3)), ((2, 3, 7, 5), 3),
                                       ((2, 3, 7, 5), (None, 2)), ((3, 5, 9), (4, None)),
                                       ((1, 2, 3, 4), (5, 6))])
def test_adaptive_avg_pool2d_matches_torch(x64, shape, out):
    rng = np.random.default_rng(14)
    _compare(lambda x: F.adaptive_avg_pool2d(x, out), lambda x: nn.adaptive_avg_pool2d(x, out),
             [rng.standard_normal(shape)], rng)


# -------------------------------------------------------------------------- normalization


@pytest.mark.parametrize("shape,training,momentum", [
    ((6, 3), True, 0.1), ((4, 3, 5), True, 0.3), ((2, 3, 4, 3), True, 0.1),
    ((6, 3), False, 0.1), ((2, 3, 4, 3), False, 0.1)])
def test_batch_norm_functional_matches_torch(x64, shape, training, momentum):
    """Values, gradients (x, weight, bias) and the returned running statistics."""
    rng = np.random.default_rng(15)
    c = shape[1]
    x, w, b = rng.standard_normal(shape), rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2.0, c)
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)  # torch updates these in place
    _compare(lambda *a: F.batch_norm(a[0], t_rm, t_rv, a[1], a[2], training=training,
                                     momentum=momentum, eps=1e-3),
             lambda *a: nn.batch_norm(a[0], jnp.asarray(rm), jnp.asarray(rv), a[1], a[2],
                                      training=training, momentum=momentum, eps=1e-3)[0],
             [x, w, b], rng)
    _, state = nn.batch_norm(jnp.asarray(x), jnp.asarray(rm), jnp.asarray(rv),
                             training=training, momentum=momentum, eps=1e-3)
    assert sorted(state) == ["running_mean", "running_var"]
    np.testing.assert_allclose(np.asarray(state["running_mean"]), t_rm.numpy(), rtol=RTOL,
                               atol=ATOL)
    np.testing.assert_allclose(np.asarray(state["running_var"]), t_rv.numpy(), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("shape,module,momentum,affine", [
    ((6, 3), torch.nn.BatchNorm1d, 0.1, True),
    ((4, 3, 5), torch.nn.BatchNorm1d, None, False),
    ((2, 3, 4, 3), torch.nn.BatchNorm2d, 0.1, False),
    ((2, 3, 4, 3), torch.nn.BatchNorm2d, None, True)])
def test_batch_norm_training_trajectory_matches_torch_module(x64, shape, module, momentum,
                                                             affine):
    """Several train steps then eval: outputs and every state_dict entry agree."""
    rng = np.random.default_rng(16)
    c = shape[1]
    bn = module(c, momentum=momentum, affine=affine).double()
    if affine:
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(rng.standard_normal(c)))
            bn.bias.copy_(torch.tensor(rng.standard_normal(c)))
    state = {k: jnp.asarray(v.numpy()) for k, v in bn.state_dict().items()}
    assert state["num_batches_tracked"].dtype == jnp.int64
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        bn.train()
        expected = bn(torch.tensor(x)).detach().numpy()
        y, new = nn.batch_norm(jnp.asarray(x), **state, training=True, momentum=momentum)
        state.update(new)
        np.testing.assert_allclose(np.asarray(y), expected, rtol=RTOL, atol=ATOL)
        for k, v in bn.state_dict().items():
            np.testing.assert_allclose(np.asarray(state[k]), v.numpy(), rtol=RTOL, atol=ATOL)
        assert int(state["num_batches_tracked"]) == step + 1
    bn.eval()
    x = rng.standard_normal(shape)
    y, new = nn.batch_norm(jnp.asarray(x), **state, training=False, momentum=momentum)
    np.testing.assert_allclose(np.asarray(y), bn(torch.tensor(x)).detach().numpy(), rtol=RTOL,
                               atol=ATOL)
    assert int(new["num_batches_tracked"]) == 4  # eval does not count batches


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_without_running_stats_matches_torch_module(x64, training):
    rng = np.random.default_rng(17)
    bn = torch.nn.BatchNorm2d(3, track_running_stats=False).double()
    bn.train(training)
    params = {k: jnp.asarray(v.detach().numpy()) for k, v in bn.state_dict().items()}
    assert sorted(params) == ["bias", "weight"]
    x = rng.standard_normal((2, 3, 4, 4))
    y, state = nn.batch_norm(jnp.asarray(x), **params, training=training)
    assert state == {}
    np.testing.assert_allclose(np.asarray(y), bn(torch.tensor(x)).detach().numpy(), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("shape,normalized,affine", [
    ((4, 5), (5,), "both"), ((2, 3, 4), (3, 4), "both"), ((2, 3, 4), 4, "weight"),
    ((3, 2, 2, 3), (2, 2, 3), "none")])
def test_layer_norm_matches_torch(x64, shape, normalized, affine):
    rng = np.random.default_rng(18)
    norm = (normalized,) if isinstance(normalized, int) else normalized
    arrays = [rng.standard_normal(shape)]
    if affine != "none":
        arrays.append(rng.standard_normal(norm))
    if affine == "both":
        arrays.append(rng.standard_normal(norm))
    _compare(lambda *a: F.layer_norm(a[0], norm, *a[1:], eps=1e-4),
             lambda *a: nn.layer_norm(a[0], normalized, *a[1:], eps=1e-4), arrays, rng)


@pytest.mark.parametrize("shape,groups,affine", [
    ((2, 6, 4), 3, True), ((2, 6, 3, 2), 2, True), ((3, 4), 2, False), ((2, 4, 3, 3), 1, True),
    ((2, 4, 3), 4, False)])
def test_group_norm_matches_torch(x64, shape, groups, affine):
    rng = np.random.default_rng(19)
    arrays = [rng.standard_normal(shape)]
    if affine:
        arrays += [rng.standard_normal(shape[1]), rng.standard_normal(shape[1])]
    _compare(lambda *a: F.group_norm(a[0], groups, *a[1:], eps=1e-4),
             lambda *a: nn.group_norm(a[0], groups, *a[1:], eps=1e-4), arrays, rng)


# -------------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("fn", [nn.dropout, nn.dropout2d])
def test_dropout_identity_cases(fn):
    x = jnp.asarray(np.random.default_rng(20).standard_normal((2, 3, 4, 4)), jnp.float32)
    assert fn(x, 0.5, training=False) is x  # eval: identity, no key needed
    assert fn(x, 0.0, training=True) is x
    np.testing.assert_array_equal(np.asarray(fn(x, 1.0, training=True)), 0.0)
    grad = jax.grad(lambda v: fn(v, 1.0, training=True).sum())(x)
    np.testing.assert_array_equal(np.asarray(grad), 0.0)


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_dropout_statistics(p):
    x = jnp.full((200, 500), 3.0)
    y = np.asarray(nn.dropout(x, p, key=jax.random.key(0)))
    zeroed = np.mean(y == 0.0)
    assert abs(zeroed - p) < 0.01  # 100k Bernoulli draws: std of the fraction < 0.0016
    np.testing.assert_allclose(y[y != 0.0], 3.0 / (1.0 - p), rtol=1e-6)
    # The gradient carries the same mask and scale.
    grad = np.asarray(jax.grad(lambda v: nn.dropout(v, p, key=jax.random.key(0)).sum())(x))
    np.testing.assert_allclose(grad, np.where(y != 0.0, 1.0 / (1.0 - p), 0.0), rtol=1e-6)


def test_dropout_keys_give_different_masks_and_same_key_same_mask():
    x = jnp.ones((50, 50))
    a = nn.dropout(x, 0.5, key=jax.random.key(1))
    chex.assert_trees_all_equal(a, nn.dropout(x, 0.5, key=jax.random.key(1)))
    assert not np.array_equal(np.asarray(a), np.asarray(nn.dropout(x, 0.5,
                                                                   key=jax.random.key(2))))


@pytest.mark.parametrize("shape", [(8, 40, 3, 3), (40, 3, 9)])
def test_dropout2d_zeroes_whole_channels(shape):
    # One draw per (N, C), as torch 2.13: a 3-D input is (N, C, L) (torch warns that this
    # will change to an unbatched (C, H, W)).
    x = jnp.ones(shape)
    y = np.asarray(nn.dropout2d(x, 0.5, key=jax.random.key(3)))
    per_channel = y.reshape(-1, 9)
    # Every channel is all zeros or all 1/(1-p) = 2, and both kinds occur.
    kinds = {tuple(row) for row in per_channel}
    assert kinds == {(0.0,) * 9, (2.0,) * 9}
    assert 0.3 < np.mean(per_channel[:, 0] == 0.0) < 0.7


# ---------------------------------------------------------------------------- activations

ACTIVATIONS = [
    ("relu", F.relu, nn.relu, {}),
    ("relu6", F.relu6, nn.relu6, {}),
    ("leaky_relu", F.leaky_relu, nn.leaky_relu, dict(negative_slope=0.2)),
    ("elu", F.elu, nn.elu, {}),
    ("elu", F.elu, nn.elu, dict(alpha=0.5)),
    ("selu", F.selu, nn.selu, {}),
    ("gelu", F.gelu, nn.gelu, {}),
    ("gelu", F.gelu, nn.gelu, dict(approximate="tanh")),
    ("sigmoid", torch.sigmoid, nn.sigmoid, {}),
    ("tanh", torch.tanh, nn.tanh, {}),
    ("softmax", F.softmax, nn.softmax, dict(dim=0)),
    ("log_softmax", F.log_softmax, nn.log_softmax, dict(dim=1)),
    ("silu", F.silu, nn.silu, {}),
    ("softplus", F.softplus, nn.softplus, {}),
    ("softplus", F.softplus, nn.softplus, dict(beta=2.0, threshold=5.0)),
    ("hardtanh", F.hardtanh, nn.hardtanh, {}),
    ("hardtanh", F.hardtanh, nn.hardtanh, dict(min_val=-2.0, max_val=0.5)),
    ("mish", F.mish, nn.mish, {}),
    ("logsigmoid", F.logsigmoid, nn.logsigmoid, {}),
]

# Kinks and branch points hit exactly: 0 (relu, elu, leaky_relu), +-1 and -2, 0.5
# (hardtanh), 6 (relu6), 20 and 2.5 (softplus's threshold / beta), and large values.
SPECIAL = [0.0, -0.0, 1.0, -1.0, -2.0, 0.5, 6.0, 20.0, 2.5, 30.0, -30.0, 3.0]


@pytest.mark.parametrize("name,torch_fn,fn,kwargs", ACTIVATIONS,
                         ids=[f"{a[0]}-{a[3]}" for a in ACTIVATIONS])
def test_activation_matches_torch(x64, name, torch_fn, fn, kwargs):
    rng = np.random.default_rng(21)
    x = np.concatenate([rng.standard_normal(12) * 3, SPECIAL]).reshape(4, 6)
    _compare(lambda v: torch_fn(v, **kwargs), lambda v: fn(v, **kwargs), [x], rng)


def test_relu_gradient_at_zero_is_zero(x64):
    grad = jax.grad(lambda v: nn.relu(v).sum())(jnp.asarray([-1.0, 0.0, 1.0]))
    np.testing.assert_array_equal(np.asarray(grad), [0.0, 0.0, 1.0])


def test_relu_and_hardtanh_are_a_max_and_a_clip(x64):
    # XLA's GPU matmul fusions take a max as their epilogue but not a select, so a relu
    # written as a select cost a kernel after each matmul and kept the pre-activation alive
    # for the backward (the benchmark MLP's compiled step: 1.25 times the hand-written
    # step's memory on an H200, 23 kernels against 21). The CPU shows neither.
    x = jnp.asarray([[-1.0, 0.0, 2.0]])
    forward = jax.jit(nn.relu).lower(x).as_text()
    assert "maximum" in forward and "select" not in forward
    for clipping in (nn.relu6, lambda v: nn.hardtanh(v, -0.5, 0.5)):     # (the same)
        forward = jax.jit(clipping).lower(x).as_text()
        assert "minimum" in forward and "select" not in forward


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        nn.gelu(jnp.ones(3), approximate="erf")


# ------------------------------------------------------------------------ default inits


def _torch_state(module) -> dict[str, torch.Tensor]:
    return {k: v.detach() for k, v in module.state_dict().items()}


def _assert_like_torch(params, module):
    """Same keys in the same order, same shapes and dtypes as the module's state_dict."""
    expected = _torch_state(module)
    assert list(params) == list(expected)
    for k, v in expected.items():
        assert params[k].shape == tuple(v.shape), k
        assert np.dtype(params[k].dtype) == np.dtype(str(v.dtype).removeprefix("torch.")), k


def _assert_uniform_bound(a, bound, close=0.95):
    a = np.abs(np.asarray(a, np.float64))
    assert a.max() <= bound * (1 + 1e-6)  # float32 rounding of the bound itself
    assert a.max() >= close * bound


def _structure(init_fn, *args, **kwargs):
    """The init's shapes and dtypes in its key order, without drawing (nothing compiled).

    eval_shape hands dicts back in sorted key order, so the order the init built is
    recorded while tracing and restored."""
    order = []

    def build():
        params = init_fn(*args, key=jax.random.key(0), **kwargs)
        order.extend(params)
        return params

    shapes = jax.eval_shape(build)
    return {k: shapes[k] for k in order}


# The random inits below draw weights of the shapes test_pure_init.py samples too
# ((64, 400), (64, 32, 3, 3), (64,)), so JAX compiles each sampler once per session.


def test_linear_init_like_torch():
    params = nn.linear_init(400, 64, key=jax.random.key(0))
    _assert_like_torch(params, torch.nn.Linear(400, 64))
    _assert_like_torch(_structure(nn.linear_init, 400, 64, False),
                       torch.nn.Linear(400, 64, False))
    _assert_uniform_bound(params["weight"], 1 / math.sqrt(400))
    _assert_uniform_bound(params["bias"], 1 / math.sqrt(400), close=0.8)


@pytest.mark.parametrize("in_channels,groups", [(32, 1), (128, 4)])
def test_conv_init_like_torch(in_channels, groups):
    params = nn.conv_init(in_channels, 64, 3, groups, key=jax.random.key(groups))
    _assert_like_torch(params, torch.nn.Conv2d(in_channels, 64, 3, groups=groups))
    fan_in = in_channels // groups * 9
    _assert_uniform_bound(params["weight"], 1 / math.sqrt(fan_in))
    _assert_uniform_bound(params["bias"], 1 / math.sqrt(fan_in), close=0.5)


@pytest.mark.parametrize("groups,bias", [(1, False), (2, True)])
def test_conv1d_init_structure_like_torch(groups, bias):
    _assert_like_torch(_structure(nn.conv_init, 4, 6, 5, groups, bias, nd=1),
                       torch.nn.Conv1d(4, 6, 5, groups=groups, bias=bias))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.conv_init(4, 6, 5, groups=4, key=jax.random.key(0), nd=1)


def test_conv_transpose_init_like_torch():
    params = nn.conv_transpose_init(64, 64, 3, groups=2, key=jax.random.key(2))
    _assert_like_torch(params, torch.nn.ConvTranspose2d(64, 64, 3, groups=2))
    _assert_like_torch(_structure(nn.conv_transpose_init, 8, 12, (3, 2), bias=False),
                       torch.nn.ConvTranspose2d(8, 12, (3, 2), bias=False))
    fan_in = 64 // 2 * 9  # PyTorch takes it from weight dim 1: out/groups * prod(k)
    _assert_uniform_bound(params["weight"], 1 / math.sqrt(fan_in))
    _assert_uniform_bound(params["bias"], 1 / math.sqrt(fan_in), close=0.5)


def test_bilinear_init_like_torch():
    params = nn.bilinear_init(25, 7, 64, key=jax.random.key(3))
    _assert_like_torch(params, torch.nn.Bilinear(25, 7, 64))
    _assert_like_torch(_structure(nn.bilinear_init, 2, 3, 4, False),
                       torch.nn.Bilinear(2, 3, 4, False))
    _assert_uniform_bound(params["weight"], 1 / math.sqrt(25))  # in1_features, as PyTorch
    _assert_uniform_bound(params["bias"], 1 / math.sqrt(25), close=0.8)


def test_embedding_init_like_torch():
    params = nn.embedding_init(64, 400, padding_idx=-2, key=jax.random.key(4))
    _assert_like_torch(params, torch.nn.Embedding(64, 400, padding_idx=-2))
    _assert_like_torch(_structure(nn.embedding_init, 10, 3), torch.nn.Embedding(10, 3))
    w = np.asarray(params["weight"])
    np.testing.assert_array_equal(w[62], 0.0)  # the padding row, -2 counted from the end
    w = np.delete(w, 62, axis=0)
    assert (w != 0.0).all()
    assert abs(w.mean()) < 0.03 and abs(w.std() - 1.0) < 0.03  # N(0, 1), 25k draws


@pytest.mark.parametrize("affine,track", [(True, True), (False, True), (True, False),
                                          (False, False)])
def test_batch_norm_init_like_torch(x64, affine, track):
    params = nn.batch_norm_init(5, affine, track)
    module = torch.nn.BatchNorm2d(5, affine=affine, track_running_stats=track)
    _assert_like_torch(params, module)
    for k, v in _torch_state(module).items():
        np.testing.assert_array_equal(np.asarray(params[k]), v.numpy())


def test_batch_norm_init_counter_is_int32_without_x64():
    # Without x64, JAX has no int64: the counter uses the default integer type instead.
    assert nn.batch_norm_init(3)["num_batches_tracked"].dtype == jnp.int32
    assert nn.batch_norm_init(3)["running_var"].dtype == jnp.float32


@pytest.mark.parametrize("shape,affine,bias", [((4,), True, True), ((2, 3), True, False),
                                               (6, False, True)])
def test_layer_norm_init_like_torch(x64, shape, affine, bias):
    params = nn.layer_norm_init(shape, affine, bias)
    module = torch.nn.LayerNorm(shape, elementwise_affine=affine, bias=bias)
    _assert_like_torch(params, module)
    for k, v in _torch_state(module).items():
        np.testing.assert_array_equal(np.asarray(params[k]), v.numpy())


@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_init_like_torch(x64, affine):
    params = nn.group_norm_init(2, 6, affine)
    module = torch.nn.GroupNorm(2, 6, affine=affine)
    _assert_like_torch(params, module)
    for k, v in _torch_state(module).items():
        np.testing.assert_array_equal(np.asarray(params[k]), v.numpy())


def test_init_dtype_argument():
    for params in [_structure(nn.linear_init, 3, 2, dtype=jnp.bfloat16),
                   _structure(nn.conv_init, 3, 2, 3, dtype=jnp.float16),
                   nn.batch_norm_init(3, dtype=jnp.bfloat16),
                   nn.layer_norm_init(3, dtype=jnp.float16)]:
        assert {str(v.dtype) for v in params.values()} <= {"bfloat16", "float16", "int32"}
    assert _structure(nn.embedding_init, 4, 2)["weight"].dtype == jnp.float32


def test_init_then_apply_round_trip_under_jit():
    # The default (float32) path, inits and layers traced together.
    @jax.jit
    def net(key, x):
        y, state = nn.batch_norm(x, **nn.batch_norm_init(3), training=True)
        return nn.linear(y, **nn.linear_init(3, 2, key=key)), state

    x = jnp.arange(12.0).reshape(4, 3)
    out, state = net(jax.random.key(0), x)
    assert out.dtype == jnp.float32
    chex.assert_shape(out, (4, 2))
    assert int(state["num_batches_tracked"]) == 1
    np.testing.assert_allclose(np.asarray(state["running_mean"]), 0.1 * np.array([4.5, 5.5, 6.5]),
                               rtol=1e-6)


# --------------------------------------------------------------- jit, grad and vmap


def test_jit_and_vmap_linear(x64):
    rng = np.random.default_rng(30)
    x, w, b = (jnp.asarray(rng.standard_normal(s)) for s in [(4, 2, 5), (3, 5), (3,)])
    eager = nn.linear(x, w, b)
    chex.assert_trees_all_close(jax.jit(nn.linear)(x, w, b), eager, rtol=1e-12)
    chex.assert_trees_all_close(jax.vmap(nn.linear, in_axes=(0, None, None))(x, w, b), eager,
                                rtol=1e-12)
    grad = jax.grad(lambda w: jnp.sum(nn.linear(x, w, b) ** 2))
    chex.assert_trees_all_close(jax.jit(grad)(w), grad(w), rtol=1e-12)


def test_jit_and_vmap_conv2d(x64):
    rng = np.random.default_rng(31)
    x, w, b = (jnp.asarray(rng.standard_normal(s)) for s in [(3, 2, 6, 6), (4, 2, 3, 3), (4,)])
    eager = nn.conv2d(x, w, b, 2, 1)
    jitted = jax.jit(nn.conv2d, static_argnames=("stride", "padding"))
    chex.assert_trees_all_close(jitted(x, w, b, stride=2, padding=1), eager, rtol=1e-12)
    # vmap over the batch of unbatched (C, H, W) inputs equals the batched call.
    vmapped = jax.vmap(lambda xi: nn.conv2d(xi, w, b, 2, 1))(x)
    chex.assert_trees_all_close(vmapped, eager, rtol=1e-12)
    # vmap over weights: one convolution per weight set.
    per_w = jax.vmap(lambda wi: nn.conv2d(x, wi, b, 2, 1))(jnp.stack([w, w]))
    chex.assert_trees_all_close(per_w[1], eager, rtol=1e-12)


def test_jit_and_vmap_batch_norm(x64):
    rng = np.random.default_rng(32)
    state = nn.batch_norm_init(3, dtype=jnp.float64)
    x = jnp.asarray(rng.standard_normal((2, 4, 3, 5)))  # two independent batches
    eager = [nn.batch_norm(xi, **state, training=True) for xi in x]
    step = jax.jit(lambda x, s: nn.batch_norm(x, **s, training=True))
    chex.assert_trees_all_close(step(x[1], state), eager[1], rtol=1e-12)
    ys, states = jax.vmap(lambda xi: nn.batch_norm(xi, **state, training=True))(x)
    for i in range(2):
        chex.assert_trees_all_close((ys[i], jax.tree.map(lambda a: a[i], states)), eager[i],
                                    rtol=1e-12)
    assert not np.allclose(np.asarray(states["running_mean"][0]),
                           np.asarray(states["running_mean"][1]))


def test_jit_and_vmap_max_pool2d(x64):
    rng = np.random.default_rng(33)
    x = jnp.asarray(rng.standard_normal((3, 2, 7, 7)))
    eager = nn.max_pool2d(x, 3, 2, 1, ceil_mode=True)
    jitted = jax.jit(lambda x: nn.max_pool2d(x, 3, 2, 1, ceil_mode=True))
    chex.assert_trees_all_close(jitted(x), eager, rtol=1e-12)
    chex.assert_trees_all_close(jax.vmap(lambda xi: nn.max_pool2d(xi, 3, 2, 1,
                                                                  ceil_mode=True))(x), eager)
    # Differentiable under jit too (reduce_window needs a concrete init value for that).
    for pool in (nn.max_pool2d, nn.avg_pool2d):
        grad = jax.grad(lambda x: jnp.sum(pool(x, 2, padding=1) ** 2))
        chex.assert_trees_all_close(jax.jit(grad)(x), grad(x), rtol=1e-12)


def test_jit_embedding_out_of_range_is_nan_not_a_wrong_row():
    weight = jnp.arange(12.0).reshape(4, 3)
    out = jax.jit(nn.embedding)(jnp.asarray([1, 4, -1]), weight)
    np.testing.assert_array_equal(np.asarray(out[0]), [3.0, 4.0, 5.0])
    assert np.isnan(np.asarray(out[1:])).all()


# ------------------------------------------------------------------------------ errors


def test_linear_shape_mismatch_error():
    with pytest.raises(ValueError) as info:
        nn.linear(jnp.zeros((64, 10)), jnp.zeros((1, 5)))
    assert isinstance(info.value, RuntimeError)
    assert str(info.value) == "mat1 and mat2 shapes cannot be multiplied (64x10 and 5x1)"


@pytest.mark.parametrize("x_shape", [(64, 10), (2, 3, 10), (10,)])
def test_linear_error_text_matches_torch(x_shape):
    expected = _torch_error(lambda: F.linear(torch.zeros(x_shape), torch.zeros(1, 5)))
    with pytest.raises(ShapeError) as info:
        nn.linear(jnp.zeros(x_shape), jnp.zeros((1, 5)))
    assert str(info.value) == expected


@pytest.mark.parametrize("x_shape", [(1, 3, 28, 28), (3, 28, 28)])
def test_conv2d_channel_mismatch_error_matches_torch(x_shape):
    expected = _torch_error(lambda: F.conv2d(torch.zeros(x_shape), torch.zeros(6, 1, 5, 5)))
    with pytest.raises(RuntimeError) as info:
        nn.conv2d(jnp.zeros(x_shape), jnp.zeros((6, 1, 5, 5)))
    assert isinstance(info.value, ValueError)
    assert str(info.value) == expected
    assert str(info.value) == ("Given groups=1, weight of size [6, 1, 5, 5], expected "
                               "input[1, 3, 28, 28] to have 1 channels, but got 3 channels "
                               "instead")


@pytest.mark.parametrize("call", [
    lambda m, t: m.conv2d(t((1, 4, 6, 6)), t((6, 3, 3, 3)), groups=2),
    lambda m, t: m.conv1d(t((2, 2)), t((1, 1, 3))),
    lambda m, t: m.conv2d(t((2, 2)), t((1, 1, 3, 3))),
    lambda m, t: m.conv2d(t((1, 1, 2, 2)), t((1, 1, 3, 3))),
    lambda m, t: m.conv_transpose2d(t((1, 4, 5, 5)), t((3, 2, 3, 3))),
    lambda m, t: m.conv_transpose2d(t((4, 5, 5)), t((6, 2, 3, 3)), groups=2),
], ids=["groups", "conv1d-unbatched", "conv2d-rank", "kernel-too-big", "transposed",
        "transposed-unbatched"])
def test_conv_errors_match_torch(call):
    expected = _torch_error(lambda: call(F, lambda s: torch.zeros(s)))
    with pytest.raises(ShapeError) as info:
        call(nn, jnp.zeros)
    assert str(info.value) == expected


def test_conv_same_padding_with_stride_raises():
    expected = _torch_error(lambda: F.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3),
                                             stride=2, padding="same"))
    with pytest.raises(ValueError) as info:
        nn.conv2d(jnp.zeros((1, 1, 5, 5)), jnp.zeros((1, 1, 3, 3)), stride=2, padding="same")
    assert str(info.value) == expected
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.conv1d(jnp.zeros((1, 1, 5)), jnp.zeros((1, 1, 3)), padding="full")


@pytest.mark.parametrize("index", [4, 7, -1])
def test_embedding_index_out_of_range(index):
    weight = np.zeros((4, 3), np.float32)
    expected = _torch_error(lambda: F.embedding(torch.tensor([0, index]), torch.tensor(weight)))
    with pytest.raises(IndexError) as info:
        nn.embedding(jnp.asarray([0, index]), jnp.asarray(weight))
    assert isinstance(info.value, OutOfBoundsError)
    assert str(info.value) == expected
    # Indices closed over by a jitted function are still concrete: checked, not traced.
    indices = jnp.asarray([0, index])
    with pytest.raises(IndexError, match="index out of range in self"):
        jax.jit(lambda w: nn.embedding(indices, w))(jnp.asarray(weight))


def test_embedding_rejects_float_indices():
    with pytest.raises(TypeError, match="'indices'"):
        nn.embedding(jnp.asarray([0.0, 1.0]), jnp.zeros((4, 3)))


@pytest.mark.parametrize("p", [-0.1, 1.5])
@pytest.mark.parametrize("fn,torch_fn", [(nn.dropout, F.dropout), (nn.dropout2d, F.dropout2d)])
@pytest.mark.parametrize("training", [True, False])
def test_dropout_p_out_of_range(p, fn, torch_fn, training):
    expected = _torch_error(lambda: torch_fn(torch.ones(2, 3, 4, 4), p, training))
    with pytest.raises(ValueError) as info:
        fn(jnp.ones((2, 3, 4, 4)), p, training, key=jax.random.key(0))
    assert str(info.value) == expected


def test_dropout_training_needs_key():
    with pytest.raises(ValueError, match="key"):
        nn.dropout(jnp.ones(3), 0.5)


@pytest.mark.parametrize("call", [
    lambda m, t: m.max_pool2d(t((1, 1, 10, 10)), (2, 4), 1, padding=(0, 3)),
    lambda m, t: m.max_pool2d(t((1, 1, 10, 10)), (4, 2), 1, padding=(3, 0)),
    lambda m, t: m.avg_pool2d(t((1, 1, 10, 10)), 2, 1, padding=2),
    lambda m, t: m.max_pool1d(t((1, 1, 10)), 3, 1, padding=2, dilation=2),
    lambda m, t: m.max_pool2d(t((1, 1, 2, 2)), 3),
    lambda m, t: m.layer_norm(t((2, 3)), (4,)),
    lambda m, t: m.group_norm(t((2, 3, 4)), 2),
    lambda m, t: m.batch_norm(t((1, 3)), None, None, training=True),
], ids=["max_pool-pad-w", "max_pool-pad-h", "avg_pool-pad", "max_pool1d-pad", "pool-too-small",
        "layer_norm", "group_norm", "batch_norm-one-value"])
def test_norm_and_pool_error_texts_match_torch(call):
    expected = _torch_error(lambda: call(F, lambda s: torch.zeros(s)))
    with pytest.raises(ValueError) as info:
        call(nn, jnp.zeros)
    assert str(info.value) == expected


def test_batch_norm_parameter_size_mismatch():
    with pytest.raises(ShapeError, match="running_mean should contain 3 elements not 4"):
        nn.batch_norm(jnp.ones((2, 3)), jnp.zeros(4), jnp.ones(4), training=True)
