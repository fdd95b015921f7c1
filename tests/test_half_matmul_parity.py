"""bfloat16/float16 matrix products as PyTorch rounds them: every op's result rounded to
the tensor's dtype inside backward passes and compiled programs too (XLA's excess
precision is switched off, _xla_flags), and a linear map's bias added before its one
rounding; plus linear's error for a bias that does not fit."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

_RNG = np.random.RandomState(7)
X, W, B = (_RNG.randn(5, 7).astype("f4"), _RNG.randn(3, 7).astype("f4"),
           _RNG.randn(3).astype("f4"))
G = _RNG.randn(5, 3).astype("f4")


def _bits(t) -> np.ndarray:
    return t.detach().float().numpy()


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_the_gradient_through_a_half_precision_matmul_is_rounded_as_torchs(dtype):
    def run(lib):
        x = lib.tensor(X, requires_grad=True)
        w = lib.tensor(W, requires_grad=True)
        half = getattr(lib, dtype)
        (x.to(half) @ w.to(half).t()).backward(lib.tensor(G).to(half))
        return x.grad, w.grad
    for want, got in zip(run(torch), run(fl)):
        np.testing.assert_array_equal(_bits(got), _bits(want))


def test_a_compiled_half_precision_matmul_rounds_its_result_as_torchs():
    want = (torch.tensor(X).bfloat16() @ torch.tensor(W).bfloat16().t()).float()
    step = fl.compile(lambda a, b: (a.bfloat16() @ b.bfloat16().t()).float())
    np.testing.assert_array_equal(_bits(step(fl.tensor(X), fl.tensor(W))), _bits(want))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("shape", [(7,), (5, 7), (2, 5, 7)])
def test_a_half_precision_linear_rounds_once_with_its_bias_values_and_gradients(dtype, shape):
    x_np = _RNG.randn(*shape).astype("f4")
    g_np = _RNG.randn(*shape[:-1], 3).astype("f4")

    def run(lib):
        half = getattr(lib, dtype)
        x, w, b = (lib.tensor(a).to(half).requires_grad_() for a in (x_np, W, B))
        out = lib.nn.functional.linear(x, w, b)
        (out.float() * lib.tensor(g_np)).sum().backward()
        return out, x.grad, w.grad, b.grad
    for want, got in zip(run(torch), run(fl)):
        assert got.dtype == getattr(fl, dtype)
        np.testing.assert_array_equal(_bits(got), _bits(want))


def test_an_autocast_linear_and_its_float32_gradients_are_torchs():
    def run(lib):
        x, w, b = (lib.tensor(a).requires_grad_() for a in (X, W, B))
        with lib.autocast("cpu", dtype=lib.bfloat16):
            out = lib.nn.functional.linear(x, w, b)
        (out.float() * lib.tensor(G)).sum().backward()
        return out, x.grad, w.grad, b.grad
    for want, got in zip(run(torch), run(fl)):
        np.testing.assert_allclose(_bits(got), _bits(want), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("x_shape, b_shape", [((4, 3), (3,)), ((2, 4, 3), (3,)),
                                              ((3,), (3,)), ((4, 3), (2, 2)),
                                              ((4, 3), (1, 2, 2))])
def test_linear_with_a_bias_that_does_not_fit_raises_torchs_error(x_shape, b_shape):
    check_raises(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
                 np.ones(x_shape, "f4"), np.ones((2, 3), "f4"), np.ones(b_shape, "f4"))


_AC = np.random.RandomState(3)
_OPS = {
    "baddbmm": lambda lib, t: lib.baddbmm(t(2, 3, 3), t(2, 3, 4), t(2, 4, 3)),
    "addbmm": lambda lib, t: lib.addbmm(t(3, 3), t(2, 3, 4), t(2, 4, 3)),
    "sdpa": lambda lib, t: lib.nn.functional.scaled_dot_product_attention(
        t(1, 2, 3, 4), t(1, 2, 3, 4), t(1, 2, 3, 4), attn_mask=t(3, 3)),
    "tensordot": lambda lib, t: lib.tensordot(t(3, 4), t(4, 5), dims=1),
    "vecdot": lambda lib, t: lib.linalg.vecdot(t(3, 4), t(3, 4)),
    "multi_dot": lambda lib, t: lib.linalg.multi_dot([t(3, 4), t(4, 2), t(2, 2)]),
    "matrix_power": lambda lib, t: lib.matrix_power(t(3, 3), 2),
    "dot": lambda lib, t: lib.dot(t(4), t(4)),
    "mv": lambda lib, t: lib.mv(t(3, 4), t(4)),
    "matmul 1-d": lambda lib, t: lib.matmul(t(4), t(4)),
}


@pytest.mark.parametrize("name", list(_OPS))
def test_cpu_autocast_casts_the_ops_of_torchs_cpu_list_and_no_others(name):
    arrays = []

    def run(lib):
        it = iter(arrays)

        def t(*shape):
            if len(arrays) < 64 and lib is torch:
                arrays.append(_AC.randn(*shape).astype("f4"))
                return torch.tensor(arrays[-1])
            return fl.tensor(next(it))
        with lib.autocast("cpu", dtype=lib.bfloat16):
            return _OPS[name](lib, t)
    want = run(torch)
    got = run(fl)
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(_bits(got), _bits(want), rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32"])
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1), (1, 0)])
def test_addmm_rounds_once_and_gives_torchs_gradients(dtype, beta, alpha):
    # (half: the sum rounded twice, product then bias; beta=0/alpha=0 left the ignored
    # operand's .grad None where torch's is zeros)
    rng = np.random.RandomState(1)
    arrays = rng.randn(4, 5).astype("f4"), rng.randn(4, 6).astype("f4"), rng.randn(6, 5)
    g = rng.randn(4, 5).astype("f4")

    def run(lib):
        c, a, b = (lib.tensor(np.asarray(x, "f4")).to(getattr(lib, dtype)).requires_grad_()
                   for x in arrays)
        out = lib.addmm(c, a, b, beta=beta, alpha=alpha)
        (out.float() * lib.tensor(g)).sum().backward()
        return out, c.grad, a.grad, b.grad
    for want, got in zip(run(torch), run(fl)):
        assert got.dtype == getattr(fl, dtype)
        np.testing.assert_allclose(_bits(got), _bits(want), rtol=1e-6 if dtype == "float32"
                                   else 0, atol=1e-6 if dtype == "float32" else 0)


def test_an_autocast_addmm_rounds_once_as_torchs():
    def run(lib):
        c, a, b = (lib.tensor(x).requires_grad_() for x in (B, X, W.T.copy()))
        with lib.autocast("cpu", dtype=lib.bfloat16):
            out = lib.addmm(c, a, b)
        (out.float() * lib.tensor(G)).sum().backward()
        return out, c.grad, a.grad, b.grad
    for want, got in zip(run(torch), run(fl)):
        assert str(got.dtype) == str(want.dtype)
        np.testing.assert_allclose(_bits(got), _bits(want), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("layer", ["LSTM", "RNN", "GRU", "LSTM2bi", "mha"])
def test_cpu_autocast_recurrent_and_attention_layers_take_torchs_dtypes(layer):
    make = {"LSTM": lambda lib: lib.nn.LSTM(4, 3), "RNN": lambda lib: lib.nn.RNN(4, 3),
            "GRU": lambda lib: lib.nn.GRU(4, 3),
            "LSTM2bi": lambda lib: lib.nn.LSTM(4, 3, num_layers=2, bidirectional=True),
            "mha": lambda lib: lib.nn.MultiheadAttention(4, 2)}[layer]
    x = np.random.RandomState(0).randn(5, 2, 4).astype("f4")
    torch.manual_seed(0)
    t_layer = make(torch)
    f_layer = make(fl)
    f_layer.load_state_dict({k: v.detach().numpy() for k, v in t_layer.state_dict().items()})
    outs = []
    for lib, m in ((torch, t_layer), (fl, f_layer)):
        with lib.autocast("cpu", dtype=lib.bfloat16):
            y = m(lib.tensor(x), lib.tensor(x), lib.tensor(x)) if layer == "mha" else \
                m(lib.tensor(x))
        outs.append([y[0]] + (list(y[1]) if isinstance(y[1], tuple) else [y[1]]))
    for want, got in zip(*outs):
        assert str(got.dtype) == str(want.dtype)
        np.testing.assert_allclose(_bits(got), _bits(want), atol=3e-2)
