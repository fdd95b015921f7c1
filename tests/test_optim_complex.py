"""Complex parameters: torch's optimizers update them as pairs of real numbers
(view_as_real of the parameter, its gradient and its state), and torch's samplers draw
complex tensors part by part. Both against torch 2.13."""

import numpy as np
import pytest
import torch

import functorch_like as fl

_rng = np.random.default_rng(0)
W0 = _rng.normal(size=(3,)) + 1j * _rng.normal(size=(3,))
X = _rng.normal(size=(5, 3)) + 1j * _rng.normal(size=(5, 3))
B0 = _rng.normal(size=(5,))         # a real parameter in the same group

CASES = [
    ("Adam", {}), ("Adam", dict(amsgrad=True, weight_decay=0.1)), ("AdamW", {}),
    ("RMSprop", dict(centered=True, momentum=0.5)), ("Adagrad", dict(lr_decay=0.01)),
    ("Adadelta", {}), ("Adamax", {}), ("NAdam", {}), ("RAdam", {}), ("ASGD", {}),
    ("Rprop", {}), ("SGD", dict(momentum=0.9, nesterov=True)),
]


def _train(lib, name, kw, compiled=False, steps=5):
    w = lib.nn.Parameter(lib.tensor(W0.copy()))
    b = lib.nn.Parameter(lib.tensor(B0.copy()))
    opt = getattr(lib.optim, name)([w, b], lr=0.01, **kw)
    x = lib.tensor(X)

    def step():
        opt.zero_grad()
        loss = ((x @ w).abs() - b).pow(2).sum()
        loss.backward()
        opt.step()
        return loss
    if compiled:
        step = fl.compile(step)
    losses = [step().item() for _ in range(steps)]
    return losses, w, b, opt


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{kw}" for n, kw in CASES])
def test_complex_parameters_train_like_torch(x64, name, kw):
    losses, w, b, opt = _train(fl, name, kw)
    tlosses, tw, tb, topt = _train(torch, name, kw)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-10,
                               atol=1e-13)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy(), rtol=1e-10,
                               atol=1e-13)
    # The state of the complex parameter stays complex, with torch's values.
    for key, theirs in topt.state[tw].items():
        if theirs.dim() == 1:
            mine = opt.state[w][key]
            assert mine.dtype == fl.complex128, key
            np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-10,
                                       atol=1e-13, err_msg=key)


def test_a_compiled_step_updates_complex_parameters_like_torch(x64):
    losses, w, _, _ = _train(fl, "Adam", {}, compiled=True)
    tlosses, tw, _, _ = _train(torch, "Adam", {})
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", ["Adafactor", "Muon", "SparseAdam"])
def test_optimizers_that_refuse_complex_parameters_raise_torchs_error(name):
    errors = []
    for lib in (torch, fl):
        real = lib.nn.Parameter(lib.zeros(2, 2))
        cplx = lib.nn.Parameter(lib.zeros(2, 2, dtype=lib.complex64))
        try:
            opt = getattr(lib.optim, name)([{"params": [real]}, {"params": [cplx]}], lr=0.1)
            opt.zero_grad()
            (real.sum() + cplx.abs().sum()).backward()
            opt.step()
        except Exception as e:          # noqa: BLE001 (the type is what we compare)
            errors.append((type(e), str(e)))
    assert len(errors) == 2 and errors[0] == errors[1]


@pytest.mark.parametrize("draw", [
    lambda lib: lib.randn(40000, dtype=lib.complex64),
    lambda lib: lib.rand(40000, dtype=lib.complex64),
    lambda lib: lib.empty(40000, dtype=lib.complex64).normal_(2.0, 3.0),
    lambda lib: lib.empty(40000, dtype=lib.complex64).uniform_(-1.0, 3.0),
    lambda lib: lib.normal(lib.zeros(40000, dtype=lib.complex64), 2.0),
    lambda lib: lib.randn_like(lib.zeros(40000, dtype=lib.complex64)),
], ids=["randn", "rand", "normal_", "uniform_", "normal", "randn_like"])
def test_complex_samples_have_torchs_distribution(draw):
    fl.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = draw(fl), draw(torch)
    assert ours.dtype == fl.complex64 and theirs.dtype == torch.complex64
    for part in ("real", "imag"):
        a = getattr(ours, part).numpy()
        t = getattr(theirs, part).numpy()
        # moments within sampling error (40000 draws), and the same range
        assert abs(a.mean() - t.mean()) < 0.06 * max(1.0, t.std())
        assert abs(a.std() / t.std() - 1) < 0.03
        assert a.min() >= t.min() - 0.5 * t.std() and a.max() <= t.max() + 0.5 * t.std()
    assert not np.allclose(ours.real.numpy(), ours.imag.numpy())    # two draws
