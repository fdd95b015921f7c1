"""torch.utils.checkpoint against PyTorch: values and gradients (arguments and the
parameters the segment uses), and the use_reentrant warning."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _run(lib, reentrant):
    from importlib import import_module
    cp = import_module(f"{lib.__name__}.utils.checkpoint")
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 4),
                              lib.nn.Tanh(), lib.nn.Linear(4, 1))
    w = [lib.tensor(np.asarray(p), dtype=lib.float32) for p in _weights()]
    with lib.no_grad():
        for p, v in zip(model.parameters(), w):
            p.copy_(v)
    x = lib.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    h = cp.checkpoint(lambda a: model[1](model[0](a)) * 2, x, use_reentrant=reentrant)
    y = cp.checkpoint_sequential(model[2:], 2, h, use_reentrant=reentrant)
    y.sum().backward()
    return [y, x.grad] + [p.grad for p in model.parameters()]


def _weights():
    rng = np.random.default_rng(0)
    return [rng.normal(size=s).astype(np.float32)
            for s in ((4, 3), (4,), (4, 4), (4,), (1, 4), (1,))]


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_matches_torch(reentrant):
    for a, b in zip(_run(torch, reentrant), _run(fl, reentrant)):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_use_reentrant_warning_matches_torch():
    texts = []
    for lib in (torch, fl):
        from importlib import import_module
        cp = import_module(f"{lib.__name__}.utils.checkpoint")
        x = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning) as record:
            cp.checkpoint(lambda a: a * 2, x)
        texts.append([str(r.message) for r in record])
    assert texts[1] == texts[0]


def test_reentrant_checkpoint_of_inputs_without_grad_records_nothing_as_torch():
    """(Its output required grad and the parameters inside were trained.)"""
    out = []
    for lib in (torch, fl):
        lib.manual_seed(0)
        lin = lib.nn.Linear(2, 2)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            y = lib.utils.checkpoint.checkpoint(lin, lib.ones(1, 2), use_reentrant=True)
        out.append((y.requires_grad, y.grad_fn is None, lin.weight.grad))
    assert out[1] == out[0] == (False, True, None)
