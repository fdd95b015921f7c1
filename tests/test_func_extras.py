"""torch.func's smaller functions against torch: linearize, functionalize,
replace_all_batch_norm_modules_, debug_unwrap, and vjp_fn's keyword flags (before:
AttributeError / TypeError)."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of
from test_func_vmap_writes import batchnorm_ensemble

X = np.array([0.5, -1.0, 2.0], np.float32)


def test_linearize():
    def run(T):
        def f(x):
            return (x.sin() * x).exp()
        out, jvp_fn = T.func.linearize(f, T.tensor(X))
        return out.numpy(), jvp_fn(T.ones(3)).numpy(), jvp_fn(T.tensor(X)).numpy()
    for f, t in zip(run(fl), run(torch)):
        np.testing.assert_allclose(f, t, rtol=1e-5)


def test_functionalize():
    def run(T):
        def f(x):
            y = x.clone()
            y.mul_(2)
            y[0] = 7.0
            return y + x
        return T.func.functionalize(f)(T.tensor(X)).numpy(), T.func.functionalize(
            f, remove="mutations_and_views")(T.tensor(X)).numpy()
    for f, t in zip(run(fl), run(torch)):
        np.testing.assert_allclose(f, t)
    assert error_of(lambda: fl.func.functionalize(abs, remove="x")) == error_of(
        lambda: torch.func.functionalize(abs, remove="x"))


def test_replace_all_batch_norm_modules_then_vmap_over_an_ensemble():
    def run(T):
        models = batchnorm_ensemble(T)
        for m in models:
            assert T.func.replace_all_batch_norm_modules_(m) is m
        params, buffers = T.func.stack_module_state(models)
        x = T.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
        out = T.func.vmap(lambda p, b: T.func.functional_call(models[0], (p, b), (x,)))(
            params, buffers)
        bn = models[0][1]
        return out.detach().numpy(), (bn.running_mean, bn.track_running_stats, dict(buffers))
    (fo, fs), (to, ts) = run(fl), run(torch)
    np.testing.assert_allclose(fo, to, rtol=1e-5, atol=1e-6)
    assert fs == ts == (None, False, {})


def test_debug_unwrap_and_vjp_fn_flags():
    def run(T):
        x = T.tensor(X, requires_grad=True)
        assert T.func.debug_unwrap(x) is x
        out, vjp_fn = T.func.vjp(lambda v: (v ** 3).sum(), x)
        (g,) = vjp_fn(T.tensor(1.0), retain_graph=True)
        (h,) = vjp_fn(T.tensor(2.0), create_graph=False)
        return g.detach().numpy(), h.detach().numpy()
    for f, t in zip(run(fl), run(torch)):
        np.testing.assert_allclose(f, t, rtol=1e-6)


@pytest.mark.parametrize("name", ["linearize", "functionalize", "debug_unwrap",
                                  "replace_all_batch_norm_modules_"])
def test_exported(name):
    assert name in fl.func.__all__ and callable(getattr(fl.func, name))
