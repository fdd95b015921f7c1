"""InstanceNorm, RMSNorm, LocalResponseNorm and BatchNorm3d against real PyTorch: values,
gradients (input and parameters), running statistics, repr, warnings and errors."""

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
from functorch_like.pure import _norm

TOL = dict(atol=1e-12, rtol=1e-10)


def _pair(make):
    """The same module from torch.nn and ours, float64, ours holding torch's state (with the
    affine parameters moved off their 1/0 start)."""
    tm, m = make(torch.nn).double(), make(nn).double()
    with torch.no_grad():
        for p in tm.parameters():
            p.add_(torch.tensor(rand(*p.shape, dtype=np.float64)))
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return tm, m


def _compare(make, x, modes=(True, False), steps=1):
    """Outputs, input and parameter grads and buffers after `steps` calls, in each mode."""
    tm, m = _pair(make)
    assert repr(m) == repr(tm)
    for training in modes:
        tm.train(training)
        m.train(training)
        for _ in range(steps):
            check(lambda t, a: (tm if t is torch else m)(a), x, x64=True, **TOL)
        for (name, tp), (fname, p) in zip(tm.named_parameters(), m.named_parameters()):
            assert fname == name
            tp.grad = None
            p.grad = None
        for name, tb in tm.state_dict().items():
            np.testing.assert_allclose(m.state_dict()[name].numpy(), tb.numpy(), err_msg=name,
                                       **TOL)


def _param_grads_match(make, x):
    tm, m = _pair(make)
    if not list(tm.parameters()):
        return
    ct = rand(*x.shape, dtype=np.float64)
    (tm(torch.tensor(x)) * torch.tensor(ct)).sum().backward()
    (m(fl.tensor(x)) * fl.tensor(ct)).sum().backward()
    for (name, tp), (_, p) in zip(tm.named_parameters(), m.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), err_msg=name, **TOL)


X3, X4, X5 = (rand(*s, dtype=np.float64) for s in ((2, 3, 5), (2, 3, 4, 3), (2, 3, 2, 3, 2)))


@pytest.mark.parametrize("make, x", [
    (lambda nn: nn.InstanceNorm1d(3), X3),
    (lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True), X3),
    (lambda nn: nn.InstanceNorm2d(3, momentum=None, track_running_stats=True), X4),
    (lambda nn: nn.InstanceNorm2d(3, affine=True, eps=1e-3), X4[0]),
    (lambda nn: nn.InstanceNorm3d(3, affine=True, track_running_stats=True, momentum=0.3), X5),
    (lambda nn: nn.BatchNorm3d(3), X5),
    (lambda nn: nn.BatchNorm3d(3, momentum=None, affine=False), X5),
])
def test_instance_and_batch_norm3d_modules_match_torch(x64, make, x):
    _compare(make, x)
    _param_grads_match(make, x)


def test_instance_norm_functional_matches_torch(x64):
    w, b = rand(3, dtype=np.float64), rand(3, dtype=np.float64)
    check(lambda t, a, w, b: t.nn.functional.instance_norm(a, weight=w, bias=b, eps=1e-3), X4,
          w, b, x64=True, **TOL)
    for use_input_stats in (True, False):
        mean, var = rand(3, dtype=np.float64), rand(3, dtype=np.float64) ** 2 + 0.5
        stats = {lib: (lib.tensor(mean), lib.tensor(var)) for lib in (torch, fl)}
        check(lambda t, a: t.nn.functional.instance_norm(
            a, *stats[t], use_input_stats=use_input_stats, momentum=0.2), X3, x64=True, **TOL)
        for t_buf, f_buf in zip(stats[torch], stats[fl]):
            np.testing.assert_allclose(f_buf.numpy(), t_buf.numpy(), **TOL)


def test_instance_norm_feature_mismatch_warns_or_raises_like_torch():
    for lib in (torch, fl):
        with pytest.warns(UserWarning, match="input's size at dim=1 does not match "
                                             "num_features"):
            lib.nn.InstanceNorm1d(4)(lib.zeros(2, 3, 5))
    check_raises(lambda t, a: t.nn.InstanceNorm2d(4, affine=True)(a), rand(2, 3, 4, 4))
    check_raises(lambda t, a: t.nn.InstanceNorm1d(3)(a), rand(2, 3, 4, 4))
    check_raises(lambda t, a: t.nn.InstanceNorm3d(3)(a), rand(3, 4))
    check_raises(lambda t, a: t.nn.functional.instance_norm(a), rand(2, 3, 1))
    check_raises(lambda t, a: t.nn.BatchNorm3d(3)(a), rand(2, 3, 4, 4))


@pytest.mark.parametrize("shape, normalized, eps, dtype", [
    ((2, 3, 4), (4,), None, np.float64),
    ((2, 3, 4), (3, 4), 1e-2, np.float64),
    ((5, 6), [6], None, np.float32),
])
def test_rms_norm_functional_matches_torch(shape, normalized, eps, dtype):
    w = rand(*normalized, dtype=dtype)
    tol = TOL if dtype == np.float64 else dict(atol=1e-6, rtol=1e-5)
    x = rand(*shape, dtype=dtype)
    check(lambda t, a, w: t.nn.functional.rms_norm(a, normalized, w, eps), x, w,
          x64=dtype == np.float64, **tol)
    # eps=None is finfo(dtype).eps: tiny inputs show it.
    check(lambda t, a: t.nn.functional.rms_norm(a, normalized), x * 1e-5,
          x64=dtype == np.float64, **tol)


def test_rms_norm_module_matches_torch(x64):
    _compare(lambda nn: nn.RMSNorm((3, 4), eps=1e-4), rand(2, 3, 4, dtype=np.float64),
             modes=(True,), steps=1)
    _param_grads_match(lambda nn: nn.RMSNorm(4), rand(2, 3, 4, dtype=np.float64))
    assert repr(nn.RMSNorm(4, elementwise_affine=False)) == repr(
        torch.nn.RMSNorm(4, elementwise_affine=False))
    assert list(nn.RMSNorm(4, elementwise_affine=False).state_dict()) == []
    check_raises(lambda t, a: t.nn.functional.rms_norm(a, (3,)), rand(2, 4))


@pytest.mark.parametrize("x, size, kwargs", [
    (X3, 2, {}), (X4, 3, dict(alpha=0.5, beta=0.6, k=2.0)), (X5, 4, dict(alpha=1.0)),
    (rand(2, 5, 3, dtype=np.float64), 7, dict(alpha=0.3, beta=1.2)),
])
def test_local_response_norm_matches_torch(x64, x, size, kwargs):
    check(lambda t, a: t.nn.functional.local_response_norm(a, size, **kwargs), x, x64=True,
          **TOL)
    check(lambda t, a: t.nn.LocalResponseNorm(size, **kwargs)(a), x, x64=True, **TOL)
    assert repr(nn.LocalResponseNorm(size, **kwargs)) == repr(
        torch.nn.LocalResponseNorm(size, **kwargs))


def test_local_response_norm_rejects_2d_like_torch():
    check_raises(lambda t, a: t.nn.functional.local_response_norm(a, 2), rand(2, 3))


def test_grad_fn_names_match_torch():
    x = rand(2, 3, 4)
    for fn in (lambda F, a: F.instance_norm(a), lambda F, a: F.rms_norm(a, (4,)),
               lambda F, a: F.local_response_norm(a, 2)):
        want = fn(torch.nn.functional, torch.tensor(x, requires_grad=True))
        got = fn(fl.nn.functional, fl.tensor(x, requires_grad=True))
        assert got.grad_fn.name() == want.grad_fn.name()


def test_pure_norms_under_jit_and_grad():
    x = jnp.asarray(X4)
    rm, rv = jnp.zeros(3), jnp.ones(3)

    def f(a):
        y, state = _norm.instance_norm(a, rm, rv, momentum=0.1)
        return jnp.sum(y ** 3) + jnp.sum(_norm.rms_norm(a, 3) ** 3) + jnp.sum(
            _norm.local_response_norm(a, 2) ** 3), state
    (value, state), grad = jax.jit(jax.value_and_grad(f, has_aux=True))(x)
    (ref_value, ref_state) = f(x)
    np.testing.assert_allclose(value, ref_value, rtol=1e-5)
    np.testing.assert_allclose(state["running_var"], ref_state["running_var"], rtol=1e-6)
    t_x = torch.tensor(X4, requires_grad=True)
    F = torch.nn.functional
    (F.instance_norm(t_x).pow(3).sum() + F.rms_norm(t_x, (3,)).pow(3).sum()
     + F.local_response_norm(t_x, 2).pow(3).sum()).backward()
    np.testing.assert_allclose(grad, t_x.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_instance_norm_module_unbatched_eval_uses_running_stats(x64):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _compare(lambda nn: nn.InstanceNorm1d(3, track_running_stats=True), X3[0],
                 modes=(True, False), steps=1)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.GroupNorm(2, 4)(lib.ones(2, 6, 3)),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 6, 3), 4),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 6, 3), 3, weight=lib.ones(4))])
def test_group_norm_shape_errors_are_torchs(call):
    # They were a JAX reshape TypeError.
    torch_error, _ = check_raises(call)
    assert isinstance(torch_error, RuntimeError)
