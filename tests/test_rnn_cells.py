"""nn.RNNCell / LSTMCell / GRUCell against PyTorch: parameters, repr, values, gradients,
unbatched input, errors; the pure step under jax.jit / jax.grad."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import _rnn
from _tensor_ops_ref import error_of as _error

CONFIGS = [
    ("RNNCell", dict(), True, True),
    ("RNNCell", dict(nonlinearity="relu", bias=False), False, True),     # unbatched
    ("LSTMCell", dict(), True, True),
    ("LSTMCell", dict(bias=False), False, False),
    ("GRUCell", dict(), True, False),
    ("GRUCell", dict(), False, True),
]


def _pair(cls, kw):
    torch.manual_seed(0)
    theirs, ours = getattr(torch.nn, cls)(3, 4, **kw), getattr(fl.nn, cls)(3, 4, **kw)
    ours.load_state_dict({k: fl.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    return theirs, ours


@pytest.mark.parametrize("cls, kw, batched, with_state", CONFIGS)
def test_cells_match_torch(cls, kw, batched, with_state):
    theirs, ours = _pair(cls, kw)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    results = []
    for lib, m in ((torch, theirs), (fl, ours)):
        rng = np.random.default_rng(1)
        batch = (2,) if batched else ()
        x = lib.tensor(rng.standard_normal(batch + (3,)).astype(np.float32),
                       requires_grad=True)
        states = [lib.tensor(rng.standard_normal(batch + (4,)).astype(np.float32),
                             requires_grad=True) for _ in range(2 if cls == "LSTMCell" else 1)]
        hx = (tuple(states) if cls == "LSTMCell" else states[0]) if with_state else None
        out = m(x, hx)
        outs = list(out) if cls == "LSTMCell" else [out]
        sum(((o * o).sum() + o.sum()) for o in outs).backward()
        leaves = [x] + (states if with_state else [])
        results.append([o.detach().numpy() for o in outs] + [t.grad.numpy() for t in leaves]
                       + [p.grad.numpy() for p in m.parameters()])
        results[-1].append(str(outs[-1].dtype))
    assert results[0][-1] == results[1][-1]
    for a, b in zip(results[0][:-1], results[1][:-1]):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-6)


def test_default_init_bound_and_reset():
    fl.manual_seed(0)
    m = fl.nn.GRUCell(3, 16)
    w = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.2         # U(-1/sqrt(16), ..)
    first = m.weight_ih
    m.reset_parameters()
    assert m.weight_ih is first and not np.array_equal(first.detach().numpy(), w[:144])


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.RNNCell(3, 5)(lib.ones(2, 4)),
    lambda lib: lib.nn.RNNCell(3, 5)(lib.ones(2, 3), lib.zeros(3, 5)),
    lambda lib: lib.nn.RNNCell(3, 5)(lib.ones(2, 3), lib.zeros(2, 4)),
    lambda lib: lib.nn.RNNCell(3, 5)(lib.ones(3), lib.zeros(2, 5)),
    lambda lib: lib.nn.RNNCell(3, 5)(lib.ones(2, 3, 1)),
    lambda lib: lib.nn.RNNCell(3, 5)(lib.ones(3), lib.zeros(1, 1, 5)),
    lambda lib: lib.nn.RNNCell(3, 5, nonlinearity="sigmoid")(lib.ones(3)),
    lambda lib: lib.nn.LSTMCell(3, 5)(lib.ones(2, 3), (lib.zeros(2, 5), lib.zeros(2, 4))),
    lambda lib: lib.nn.LSTMCell(3, 5)(lib.ones(2, 3), (lib.zeros(3, 5), lib.zeros(2, 5))),
    lambda lib: lib.nn.LSTMCell(3, 5)(lib.ones(2, 3), (lib.zeros(2, 5), lib.zeros(1, 2, 5))),
    lambda lib: lib.nn.GRUCell(3, 5)(lib.ones(2, 3), lib.zeros(2, 4)),
    lambda lib: lib.nn.GRUCell(3, 5)(lib.ones(1, 2, 3)),
])
def test_errors_match_torch(call):
    expected = _error(lambda: call(torch))
    assert expected is not None and _error(lambda: call(fl)) == expected


@pytest.mark.parametrize("mode, cls", [("LSTM", "LSTMCell"), ("GRU", "GRUCell")])
def test_pure_cell_under_jit_and_grad(mode, cls):
    theirs, _ = _pair(cls, {})
    params = {k: jnp.asarray(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    h = rng.standard_normal((2, 4)).astype(np.float32)
    c = h[::-1].copy() if mode == "LSTM" else None

    def loss(p, x):
        out = _rnn.rnn_cell(x, h, c, p["weight_ih"], p["weight_hh"], p["bias_ih"],
                            p["bias_hh"], mode=mode)
        return sum((o ** 2).sum() for o in (out if mode == "LSTM" else (out,)))
    value, (g_p, g_x) = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))(params, x)
    tx = torch.tensor(x, requires_grad=True)
    out = theirs(tx, (torch.tensor(h), torch.tensor(c)) if mode == "LSTM" else torch.tensor(h))
    t_loss = sum((o ** 2).sum() for o in (out if mode == "LSTM" else (out,)))
    t_loss.backward()
    np.testing.assert_allclose(value, t_loss.item(), rtol=1e-5)
    np.testing.assert_allclose(g_x, tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(g_p[name], p.grad.numpy(), rtol=1e-5, atol=1e-6)
