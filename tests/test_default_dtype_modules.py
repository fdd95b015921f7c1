"""Modules are made in torch's default dtype: after set_default_dtype(torch.float64) their
parameters and buffers are float64, as torch's (before: float32, so a float64 input
raised "mat1 and mat2 must have the same dtype")."""

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl


@pytest.fixture
def float64_default():
    x64 = jax.config.jax_enable_x64        # set_default_dtype(float64) switches it on
    try:
        fl.set_default_dtype(fl.float64)
        torch.set_default_dtype(torch.float64)
        yield
    finally:
        fl.set_default_dtype(fl.float32)
        torch.set_default_dtype(torch.float32)
        jax.config.update("jax_enable_x64", x64)


def _modules(T):
    return [T.nn.Linear(3, 2), T.nn.Conv2d(1, 2, 3), T.nn.LSTM(3, 4), T.nn.BatchNorm1d(3),
            T.nn.Embedding(3, 2), T.nn.LayerNorm(3), T.nn.MultiheadAttention(4, 2),
            T.nn.GRUCell(3, 2), T.nn.PReLU(), T.nn.Bilinear(2, 3, 4)]


def test_parameters_and_buffers_in_the_default_dtype(float64_default):
    def dtypes(T):
        return [[str(t.dtype) for t in (*m.parameters(), *m.buffers())]
                for m in _modules(T)]
    assert dtypes(fl) == dtypes(torch)


def test_a_float64_model_trains_on_float64_inputs(float64_default):
    def run(T):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.ReLU(), T.nn.Linear(4, 1))
        m.load_state_dict({k: T.tensor(np.asarray(v)) for k, v in _WEIGHTS.items()})
        opt = T.optim.SGD(m.parameters(), lr=0.1)
        x = T.tensor(np.linspace(-1, 1, 6).reshape(2, 3))
        for _ in range(2):
            opt.zero_grad()
            loss = (m(x) ** 2).mean()
            loss.backward()
            opt.step()
        return str(loss.dtype), loss.item()
    (td, tl), (fd, fpl) = run(torch), run(fl)
    assert fd == td == "torch.float64"
    np.testing.assert_allclose(fpl, tl, rtol=1e-12)


_WEIGHTS = {"0.weight": np.linspace(-1, 1, 12).reshape(4, 3),
            "0.bias": np.linspace(-0.2, 0.3, 4),
            "2.weight": np.linspace(0.5, -0.5, 4).reshape(1, 4), "2.bias": np.array([0.1])}


def test_float32_default_unchanged():
    floating = {str(t.dtype) for m in _modules(fl) for t in (*m.parameters(), *m.buffers())
                if t.is_floating_point()}
    assert floating == {"torch.float32"}


_INT_TO_FLOAT = ["sqrt", "exp", "sigmoid", "tanh", "erfc", "erfinv", "lgamma", "reciprocal",
                 "rsqrt", "log2", "sin", "cosh", "atan", "digamma", "expm1", "log1p", "sinc",
                 "i0", "deg2rad", "logit"]


def _int_to_float_results(lib, first, second):
    lib.set_default_dtype(getattr(lib, first))
    try:
        for name in _INT_TO_FLOAT:
            getattr(lib, name)(lib.tensor([1, 2, 3]))
        lib.set_default_dtype(getattr(lib, second))
        return [getattr(lib, name)(lib.tensor([1, 2, 3])) for name in _INT_TO_FLOAT]
    finally:
        lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("first,second", [("bfloat16", "float32"), ("float32", "bfloat16"),
                                          ("float16", "float32")])
def test_integer_inputs_of_float_ops_follow_the_default_dtype_as_it_is_now(first, second):
    # (the program of an op's first call kept that call's default dtype: after a
    # bfloat16 default, float32 sqrt of ints came out in bfloat16)
    got = _int_to_float_results(fl, first, second)
    want = _int_to_float_results(torch, first, second)
    for name, g, w in zip(_INT_TO_FLOAT, got, want):
        assert str(g.dtype) == str(w.dtype), name
        np.testing.assert_allclose(g.float().numpy(), w.float().numpy(), rtol=1e-6,
                                   err_msg=name)
