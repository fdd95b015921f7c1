"""In-place writes into vmap's arguments reach the caller's tensors, as torch's vmap
makes them (before: dropped silently): the batched input changed in place, and an
ensemble's stacked BatchNorm running stats under functional_call."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _lists(T, body):
    out = body(T)
    return [np.asarray(x, np.float64) for x in out]


@pytest.mark.parametrize("name", ["mul_", "setitem", "in_dims_1", "unbatched_constant"])
def test_writes_into_arguments(name):
    def body(T):
        a = T.ones(3, 2)
        if name == "mul_":
            r = T.func.vmap(lambda x: x.mul_(2))(a)
            return a.tolist(), r.tolist()
        if name == "setitem":
            def f(x):
                x[0] = 5.0
                return x * 1
            r = T.func.vmap(f)(a)
            return a.tolist(), r.tolist()
        if name == "in_dims_1":
            b = T.ones(2, 3)
            r = T.func.vmap(lambda x: x.add_(1), in_dims=1)(b)
            return b.tolist(), r.tolist()
        y = T.zeros(2)
        r = T.func.vmap(lambda x, y: (y.add_(1), x * 2)[1], in_dims=(0, None))(a, y)
        return y.tolist(), r.tolist()
    for f, t in zip(_lists(fl, body), _lists(torch, body)):
        np.testing.assert_array_equal(f, t)


def test_batched_write_into_an_unbatched_argument_raises():
    for T in (torch, fl):
        y = T.zeros(2)
        with pytest.raises(RuntimeError):
            T.func.vmap(lambda x, y: y.add_(x), in_dims=(0, None))(T.ones(3, 2), y)
        assert y.tolist() == [0.0, 0.0]


def batchnorm_ensemble(T) -> list:
    """Two Linear-BatchNorm1d models with fixed weights (and fresh running stats)."""
    models = [T.nn.Sequential(T.nn.Linear(3, 2), T.nn.BatchNorm1d(2)) for _ in range(2)]
    for k, m in enumerate(models):
        m.load_state_dict({"0.weight": T.tensor(np.full((2, 3), 0.5 + k, np.float32)),
                           "0.bias": T.tensor([0.1, -0.1]),
                           "1.weight": T.tensor([1.0, 2.0]),
                           "1.bias": T.tensor([0.0, 0.5])}, strict=False)
    return models


def test_ensemble_batchnorm_running_stats():
    def body(T):
        models = batchnorm_ensemble(T)
        params, buffers = T.func.stack_module_state(models)
        x = T.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
        out = T.func.vmap(lambda p, b, v: T.func.functional_call(models[0], (p, b), (v,)),
                          in_dims=(0, 0, None))(params, buffers, x)
        after_forward = [buffers[k].tolist() for k in sorted(buffers)]
        out.sum().backward()          # (its replay must not update them again)
        after_backward = [buffers[k].tolist() for k in sorted(buffers)]
        return (out.detach().numpy(), *after_forward, *after_backward,
                params["0.weight"].grad.numpy())
    for f, t in zip(_lists(fl, body), _lists(torch, body)):
        np.testing.assert_allclose(f, t, rtol=1e-5, atol=1e-7)
