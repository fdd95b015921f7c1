"""Numpy arrays passed in: copied before jax sees them, and treated as PyTorch treats them.

On the CPU jax may alias a numpy buffer, or copy it asynchronously after returning, so a
caller writing to its array afterwards could change a tensor (or a value saved for
backward). The spy below sees every numpy buffer jax transfers and fails if one is the
caller's; the end-to-end test is the case that failed in CI: a model loaded from a torch
model's `state_dict()` numpy arrays, whose buffers torch then updates in place.
"""

import numpy as np
import pytest
import torch
from jax._src.interpreters import pxla

import functorch_like as ft
from functorch_like import nn


@pytest.fixture
def caller_array(monkeypatch):
    """A numpy array, and a list that collects every transfer of its memory to jax."""
    array = np.arange(1, 13, dtype=np.float32).reshape(3, 4)
    seen = []
    transfer = pxla.batched_device_put

    def spy(aval, sharding, shards, devices, *args, **kwargs):
        seen.extend(s for s in shards if isinstance(s, np.ndarray)
                    and np.shares_memory(s, array))
        return transfer(aval, sharding, shards, devices, *args, **kwargs)

    monkeypatch.setattr(pxla, "batched_device_put", spy)
    return array, seen


def test_the_spy_sees_a_direct_transfer(caller_array):
    import jax
    array, seen = caller_array
    jax.device_put(array)
    assert seen, "the spy must see jax.device_put of the caller's array"


def _sgd_load(u):
    p = nn.Parameter(ft.zeros(3, 4))
    opt = ft.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ft.ones(3, 4)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"] = u
    opt.load_state_dict(sd)
    return opt.state[p]["momentum_buffer"]


def _setitem(u):
    x = ft.zeros(3, 4)
    x[0] = u[0]
    return x


@pytest.mark.parametrize("use", [
    ft.tensor, ft.as_tensor, ft.from_numpy, ft.asarray,
    lambda u: ft.zeros(3, 4) + u,
    lambda u: ft.zeros(3, 4).mul_(u),
    lambda u: ft.where(ft.ones(3, 4) > 0, ft.zeros(3, 4), u),
    _setitem,
    lambda u: ft.arange(20.0)[u.astype(np.int64)],
    lambda u: nn.Linear(4, 3).load_state_dict({"weight": u, "bias": u[:, 0]}),
    _sgd_load,
    lambda u: ft.zeros(2, 3) @ u,
    lambda u: ft.func.functional_call(nn.Linear(4, 3), {"weight": u, "bias": u[:, 0]},
                                      (ft.ones(2, 4),)),
], ids=["tensor", "as_tensor", "from_numpy", "asarray", "add", "mul_", "where", "setitem",
        "index", "module_load_state_dict", "optimizer_load_state_dict", "matmul_operator",
        "functional_call"])
def test_caller_arrays_are_copied_before_jax_sees_them(caller_array, use):
    array, seen = caller_array
    use(array)
    assert not seen


def test_loaded_model_does_not_see_the_source_models_later_updates():
    torch.manual_seed(0)
    tm = torch.nn.BatchNorm1d(4)
    m = nn.BatchNorm1d(4)
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
    tm(torch.tensor(x))          # writes into the arrays the state_dict handed us
    m(ft.tensor(x))
    np.testing.assert_allclose(m.running_var.numpy(), tm.running_var.numpy(), rtol=1e-6)
    np.testing.assert_allclose(m.running_mean.numpy(), tm.running_mean.numpy(), rtol=1e-6)


def test_int64_operand_that_int32_cannot_hold_raises_instead_of_wrapping():
    # Without x64 an int64 numpy operand is stored as int32; 2**40 used to wrap to 0.
    x = ft.zeros(1, dtype=ft.int64)
    with pytest.raises(RuntimeError, match="cannot be converted to type int32"):
        x + np.array([2 ** 40])


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("call", [
    lambda T, u: T.cat([T.zeros(3, 4), u]),
    lambda T, u: T.stack([T.zeros(3, 4), u]),
    lambda T, u: T.hstack([T.zeros(3, 4), u]),
    lambda T, u: T.cat((T.zeros(1), [1.0])),
    lambda T, u: T.matmul(T.zeros(2, 3), u),
    lambda T, u: T.matmul(u.T, T.zeros(3, 2)),
    lambda T, u: T.zeros(2, 3) @ [[1.0] * 4] * 3,
], ids=["cat", "stack", "hstack", "cat_list", "matmul_other", "matmul_input",
        "operator_list"])
def test_non_tensor_arguments_raise_torchs_type_error(call):
    u = np.ones((3, 4), np.float32)
    assert _error(lambda: call(ft, u)) == _error(lambda: call(torch, u))


def test_matmul_operator_with_a_numpy_operand_is_a_graph_op():
    # torch computes `t @ ndarray` through numpy, which refuses a tensor that requires
    # grad; here it is an mm whose gradient reaches the tensor.
    u = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = ft.ones(2, 3, requires_grad=True)
    out = x @ u
    np.testing.assert_allclose(out.detach().numpy(), np.ones((2, 3), np.float32) @ u)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((2, 4), np.float32) @ u.T)
    reflected = u.T @ ft.ones(3, 2)
    assert isinstance(reflected, ft.Tensor)
    np.testing.assert_allclose(reflected.numpy(), u.T @ np.ones((3, 2), np.float32))


def test_matmul_operator_with_a_jax_operand_is_a_graph_op_as_the_other_operators():
    # `t @ jax_array` returned a JAX array outside autograd, where `t * jax_array` is a
    # graph op; the gradient must reach t as it does for the other operators.
    import jax.numpy as jnp
    u = jnp.arange(12.0).reshape(3, 4)
    x = ft.ones(2, 3, requires_grad=True)
    out = x @ u
    assert isinstance(out, ft.Tensor) and out.grad_fn is not None
    np.testing.assert_allclose(out.detach().numpy(), np.ones((2, 3)) @ np.asarray(u))
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((2, 4)) @ np.asarray(u).T)
    y = ft.ones(4, 2, requires_grad=True)
    y.__rmatmul__(u).sum().backward()       # (the reflected operator, when Python calls it)
    np.testing.assert_allclose(y.grad.numpy(), np.asarray(u).T @ np.ones((3, 2)))
