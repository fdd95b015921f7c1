"""Adafactor (facade and pure core) against torch.optim.Adafactor: trajectories with every
option, parameter groups, state_dict format (factored row_var/col_var for matrices,
variance for vectors) and loading both ways, the jitted pure transform on parameters of
rank 0 to 3 in float64 and float32, errors and repr. The shared runners come from
test_optim.py."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import optim as pure_optim
from test_optim import _run_against_torch
from test_optim import test_bad_input_raises_like_torch as check_raises_like_torch
from test_optim import test_own_state_dict_resumes_identically as check_own_round_trip
from test_optim import test_state_dict_format_matches_torch as check_state_dict_format
from test_optim import test_torch_state_dict_loads_and_training_continues as check_torch_load

FULL = dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0, weight_decay=0.1)
CASES = [
    ("Adafactor", dict()),
    ("Adafactor", FULL),
    ("Adafactor", dict(lr=0.01, maximize=True)),
    ("Adafactor", dict(lr=0.01), [dict(eps=(1e-10, 1e-3)), dict(lr=0.03, weight_decay=0.2)]),
]


@pytest.mark.parametrize("case", CASES, ids=["default", "options", "maximize", "groups"])
def test_matches_torch(x64, case):
    """100 steps here and in torch from the same weights (a Linear 4->3, tanh, Linear 3->1
    MLP: matrices take the factored branch, biases the vector one): losses, weights and
    state agree to 1e-10, with one compiled program."""
    _run_against_torch(*case)


def test_state_dict_format_and_loading_match_torch(x64):
    """Same state keys in torch's order (step, row_var, col_var | step, variance) and
    shapes; a torch state_dict loads here (as tensors and as numpy arrays) and the next
    steps equal torch's; our own state_dict resumes the run exactly."""
    check_state_dict_format(None, CASES[1])
    check_torch_load(None, CASES[1], True)
    check_torch_load(None, CASES[3], False)
    check_own_round_trip(None, CASES[2])
    model = fl.nn.Linear(4, 3)
    opt = fl.optim.Adafactor(model.parameters())
    model(fl.ones(2, 4)).sum().backward()
    opt.step()
    state = opt.state_dict()["state"]
    assert list(state[0]) == ["step", "row_var", "col_var"] and list(state[1]) == [
        "step", "variance"]
    assert state[0]["row_var"].shape == (3, 1) and state[0]["col_var"].shape == (1, 4)


# Parameters of rank 3, 2, 1 and 0 (a batch of matrices factors over its last two dims).
_rng = np.random.default_rng(1)
PARAMS0 = {"a": _rng.normal(size=(2, 3, 4)), "b": _rng.normal(size=(3, 2)),
           "c": _rng.normal(size=(4,)), "d": np.array(0.7)}
NAMES = sorted(PARAMS0)


def _loss(p, lib):
    return ((lib.tanh(p["a"]) ** 2).sum() * p["d"] + (p["b"] ** 3).sum()
            + (p["c"] * lib.sin(p["c"])).sum() + p["d"] ** 4)


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
def test_pure_jitted_matches_torch(x64, dtype, rtol):
    """The pure transform with its update jitted, 20 steps against torch on every rank:
    parameters after every step, then torch's state buffers by name."""
    kw = dict(lr=0.03, beta2_decay=-0.7, weight_decay=0.05, d=1.5)
    tx = pure_optim.adafactor(**kw)
    update = jax.jit(tx.update)
    params = {k: jnp.asarray(v, dtype) for k, v in PARAMS0.items()}
    state = tx.init(params)
    tparams = {k: torch.tensor(PARAMS0[k].astype(dtype), requires_grad=True) for k in NAMES}
    topt = torch.optim.Adafactor([tparams[k] for k in NAMES], **kw)
    grad = jax.jit(jax.grad(lambda p: _loss(p, jnp)))
    for i in range(20):
        updates, state = update(grad(params), state, params)
        params = optax.apply_updates(params, updates)
        topt.zero_grad()
        _loss(tparams, torch).backward()
        topt.step()
        for k in NAMES:
            assert params[k].dtype == dtype
            np.testing.assert_allclose(np.asarray(params[k]), tparams[k].detach().numpy(),
                                       rtol=rtol, atol=rtol, err_msg=f"step {i + 1} {k}")
    for k in NAMES:
        theirs = topt.state[tparams[k]]
        assert int(state.step[k]) == int(theirs["step"]) == 20
        for name in ("row_var", "col_var", "variance"):
            mine = getattr(state, name)[k]
            assert (mine is None) == (name not in theirs), (k, name)
            if mine is not None:
                np.testing.assert_allclose(np.asarray(mine), theirs[name].numpy(), rtol=rtol,
                                           atol=rtol, err_msg=f"{k} {name}")


def test_pure_needs_params_and_rejects_complex():
    tx = pure_optim.adafactor()
    params = {"w": jnp.ones((2, 2))}
    with pytest.raises(ValueError, match="needs `params`"):
        tx.update(params, tx.init(params))
    z = {"w": jnp.ones(2, jnp.complex64)}
    with pytest.raises(RuntimeError, match="^Adafactor does not support complex parameters$"):
        tx.update(z, tx.init(z), z)


BAD = {
    "lr": dict(lr=-0.1), "beta2_decay": dict(beta2_decay=0.5), "eps1": dict(eps=(-1.0, 1e-3)),
    "eps2": dict(eps=(None, -1e-3)), "d": dict(d=0.5), "weight_decay": dict(weight_decay=-1),
}


@pytest.mark.parametrize("kw", list(BAD.values()), ids=list(BAD))
def test_bad_arguments_raise_like_torch(kw):
    check_raises_like_torch(lambda lib, p, q: lib.optim.Adafactor([p], **kw))


def test_repr_matches_torch():
    texts = []
    for lib in (torch, fl):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        texts.append(repr(lib.optim.Adafactor([{"params": [a]}, {"params": [b], "lr": 0.5}],
                                              d=2.0)))
    assert texts[1] == texts[0]
