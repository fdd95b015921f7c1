"""nn.RNN / LSTM / GRU against PyTorch: outputs, final states, gradients, errors."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises, same_error

CONFIGS = [
    ("LSTM", dict(num_layers=2, batch_first=True, bidirectional=True), (2, 4, 3), True),
    ("LSTM", dict(), (5, 2, 3), True),
    ("LSTM", dict(), (5, 3), False),                       # unbatched
    ("GRU", dict(num_layers=2), (4, 2, 3), True),
    ("GRU", dict(bidirectional=True, batch_first=True), (2, 6, 3), False),
    ("RNN", dict(nonlinearity="relu", bias=False, num_layers=2), (4, 2, 3), True),
    ("RNN", dict(bidirectional=True), (3, 3), True),       # unbatched
    ("LSTM", dict(proj_size=2, num_layers=2, bidirectional=True), (4, 2, 3), True),
    ("LSTM", dict(proj_size=3, batch_first=True, bias=False), (2, 4, 3), False),
    ("LSTM", dict(proj_size=2), (5, 3), True),             # unbatched
]


def _pair(cls, kw):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(3, 5, **kw)
    ours = getattr(fl.nn, cls)(3, 5, **kw)
    ours.load_state_dict({k: fl.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    return theirs, ours


def _states(cls, m, shape, lib, rng):
    batch = () if len(shape) == 2 else (shape[0] if m.batch_first else shape[1],)
    size = ((2 if m.bidirectional else 1) * m.num_layers,) + batch
    h = lib.tensor(rng.standard_normal(size + (m.proj_size or 5,)).astype(np.float32),
                   requires_grad=True)
    if cls == "LSTM":
        c = lib.tensor(rng.standard_normal(size + (5,)).astype(np.float32),
                       requires_grad=True)
        return (h, c), [h, c]
    return h, [h]


@pytest.mark.parametrize("cls, kw, shape, with_state", CONFIGS)
def test_outputs_states_and_gradients_match_torch(cls, kw, shape, with_state):
    theirs, ours = _pair(cls, kw)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    results = []
    for lib, m in ((torch, theirs), (fl, ours)):
        rng = np.random.default_rng(1)
        x = lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
        hx, leaves = _states(cls, m, shape, lib, rng) if with_state else (None, [])
        out, h_n = m(x, hx)
        finals = list(h_n) if cls == "LSTM" else [h_n]
        weights = lib.tensor(np.linspace(-1, 1, out.numel(), dtype=np.float32)).reshape(
            out.shape)
        ((out * weights).sum() + sum((f * f).sum() for f in finals)).backward()
        grads = [t.grad.numpy() for t in [x] + leaves]
        grads += [p.grad.numpy() for p in m.parameters()]
        results.append([out.detach().numpy()] + [f.detach().numpy() for f in finals] + grads)
    assert len(results[0]) == len(results[1])
    for a, b in zip(*results):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("call", [
    lambda lib, m, g: m(lib.ones(2, 4, 4)),
    lambda lib, m, g: g(lib.ones(4, 2, 3), lib.zeros(1, 3, 5)),
    lambda lib, m, g: m(lib.ones(2, 4, 3), (lib.zeros(4, 3, 5), lib.zeros(4, 2, 5))),
    lambda lib, m, g: g(lib.ones(4, 3), lib.zeros(1, 2, 5)),
    lambda lib, m, g: g(lib.ones(4)),
    lambda lib, m, g: lib.nn.RNN(3, 5, nonlinearity="sigmoid"),
    lambda lib, m, g: lib.nn.LSTM(3, 5, proj_size=5),
    lambda lib, m, g: lib.nn.LSTM(3, 5, proj_size=-1),
    lambda lib, m, g: lib.nn.LSTM(3, 5, proj_size=2)(
        lib.ones(4, 2, 3), (lib.zeros(1, 2, 5), lib.zeros(1, 2, 5))),
    lambda lib, m, g: lib.nn.LSTM(3, 5, proj_size=2)(
        lib.ones(4, 2, 3), (lib.zeros(1, 2, 2), lib.zeros(1, 2, 2))),
])
def test_errors_match_torch(call):
    errors = []
    for lib in (torch, fl):
        m = lib.nn.LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True)
        g = lib.nn.GRU(3, 5)
        with pytest.raises(Exception) as info:
            call(lib, m, g)
        errors.append(info.value)
    assert isinstance(errors[1], type(errors[0]))
    assert str(errors[1]) == str(errors[0])


def test_reprs_parameter_names_and_dropout_warning_match_torch():
    for lib in (torch, fl):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.GRU(3, 5, dropout=0.5)
        assert "non-zero dropout expects num_layers greater than 1" in str(caught[0].message)
    for cls, kw in (("LSTM", dict(num_layers=2, dropout=0.1, batch_first=True)),
                    ("RNN", dict(bias=False, bidirectional=True))):
        t, f = getattr(torch.nn, cls)(3, 5, **kw), getattr(fl.nn, cls)(3, 5, **kw)
        assert repr(f) == repr(t)
        assert [(n, tuple(p.shape)) for n, p in f.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t.named_parameters()]


def test_dropout_between_layers_in_training_only():
    fl.manual_seed(0)
    m = fl.nn.LSTM(3, 8, num_layers=3, dropout=0.5)
    x = fl.randn(6, 2, 3)
    a, b = m(x)[0], m(x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    c, d = m(x)[0], m(x)[0]
    np.testing.assert_array_equal(c.detach().numpy(), d.detach().numpy())
    m.dropout = 0.0
    np.testing.assert_array_equal(m(x)[0].detach().numpy(), c.detach().numpy())


def test_compiled_lstm_classifier_step_equals_eager(eager_and_compiled_losses):
    def build():
        lstm, head = fl.nn.LSTM(4, 8, batch_first=True), fl.nn.Linear(8, 3)
        opt = fl.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.01)
        x, y = fl.randn(5, 7, 4), fl.tensor([0, 1, 2, 1, 0])

        def loss(x, y):
            out, (h, c) = lstm(x)
            return fl.nn.functional.cross_entropy(head(h[-1]), y)
        return loss, opt, (x, y)
    runs = eager_and_compiled_losses(build, 6)
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-5)
    assert runs[1][-1] < runs[1][0]


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_flatten_parameters_and_all_weights_as_torch(kind):
    # flatten_parameters() is called by much user code (a no-op without cuDNN, as here).
    kwargs = dict(num_layers=2, bidirectional=True)
    if kind == "LSTM":
        kwargs["proj_size"] = 2
    theirs = getattr(torch.nn, kind)(4, 3, **kwargs)
    ours = getattr(fl.nn, kind)(4, 3, **kwargs)
    ours.flatten_parameters()
    assert ours._all_weights == theirs._all_weights
    assert [[tuple(p.shape) for p in layer] for layer in ours.all_weights] == \
        [[tuple(p.shape) for p in layer] for layer in theirs.all_weights]
    assert ours.all_weights[1][0] is ours.weight_ih_l0_reverse


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.GRU(2, 3)(lib.ones(0, 1, 2)),
    lambda lib: lib.nn.LSTM(2, 3, batch_first=True)(lib.ones(1, 0, 2)),
    lambda lib: lib.nn.RNN(2, 3)(lib.ones(0, 2)),
], ids=["GRU", "LSTM batch_first", "RNN unbatched"])
def test_an_empty_sequence_raises_as_torch(make):
    # (before: an empty output and the initial state)
    check_raises(make)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LSTM(2, 3, 2, bidirectional=True, proj_size=2),
    lambda lib: lib.nn.GRU(2, 3, 2, bias=False),
    lambda lib: lib.nn.RNN(2, 3),
], ids=["LSTM proj bidirectional", "GRU no bias", "RNN"])
def test_flat_weight_names_as_torch(make):
    want, got = make(torch), make(fl)
    assert got._flat_weights_names == want._flat_weights_names
    assert got._all_weights == want._all_weights
    assert [tuple(w.shape) for w in got._flat_weights] == \
        [tuple(w.shape) for w in want._flat_weights]


def _lstm_state_cases(lib):
    z = lib.zeros
    return {
        "a bare tensor of two rows": (z(5, 2, 4), z(2, 2, 3)),
        "a bare tensor of one row": (z(5, 2, 4), z(1, 2, 3)),
        "a list of one state": (z(5, 2, 4), [z(1, 2, 3)]),
        "three states": (z(5, 2, 4), (z(1, 2, 3),) * 3),
        "3-D states for unbatched input": (z(5, 4), (z(1, 1, 3), z(1, 1, 3))),
        "2-D states for a batch": (z(5, 2, 4), (z(2, 3), z(2, 3))),
    }


@pytest.mark.parametrize("name", list(_lstm_state_cases(torch)))
def test_lstm_state_errors_match_torch(name):
    """(A bare tensor as hx raised ValueError from unpacking; a pair of the wrong dims named
    only hx.)"""
    def call(lib):
        x, hx = _lstm_state_cases(lib)[name]
        lib.nn.LSTM(4, 3)(x, hx)
    same_error(call)
