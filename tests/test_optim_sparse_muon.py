"""SparseAdam and Muon (facade and pure core) against torch.optim: trajectories over several
steps, state_dict format and loading, and constructor errors."""

import copy

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import optim as pure_optim


# ---- SparseAdam: torch's sparse Embedding gradients vs our dense ones ----------------------

def _embedding_run(lib, kw, steps=6, opt_state=None):
    """A (10, 3) embedding trained on random lookups that leave some rows untouched each
    step; torch's embedding makes sparse gradients, ours dense ones."""
    emb = lib.nn.Embedding(10, 3, sparse=lib is torch).double()
    with lib.no_grad():
        emb.weight.copy_(lib.tensor(np.random.RandomState(0).randn(10, 3)))
    opt = lib.optim.SparseAdam(emb.parameters(), **kw)
    if opt_state is not None:        # a copy: torch's loaded state shares (and updates) it
        opt.load_state_dict(copy.deepcopy(opt_state))
    rs = np.random.RandomState(1)
    weights = []
    for _ in range(steps):
        idx = lib.tensor(rs.randint(0, 10, size=(4,)))
        opt.zero_grad()
        out = emb(idx)
        ((out ** 2).sum() * 0.5 + out.sum()).backward()
        opt.step()
        weights.append(emb.weight.detach().numpy().copy())
    return np.array(weights), opt


@pytest.mark.parametrize("kw", [dict(lr=0.05, betas=(0.8, 0.9), eps=1e-4, maximize=True)])
def test_sparse_adam_matches_torch_sparse_embedding(x64, kw):
    theirs, topt = _embedding_run(torch, kw)
    ours, oopt = _embedding_run(fl, kw)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    # rows never looked up keep their initial value in both
    assert np.all(ours[-1][3] == ours[0][3]) and np.all(theirs[-1][3] == theirs[0][3])
    ts, os_ = topt.state_dict(), oopt.state_dict()
    assert os_["param_groups"] == ts["param_groups"]
    assert list(os_["state"][0]) == list(ts["state"][0]) == ["step", "exp_avg", "exp_avg_sq"]
    assert type(os_["state"][0]["step"]) is int and os_["state"][0]["step"] == 6
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(os_["state"][0][key].numpy(), ts["state"][0][key].numpy(),
                                   rtol=1e-12, atol=1e-14)


def test_sparse_adam_resumes_from_torch_state_dict(x64):
    """Loading torch's state after 6 steps and taking 3 more gives torch's 3 further steps
    (the lookups differ from the first run, the state carries over)."""
    _, topt = _embedding_run(torch, dict(lr=0.1))
    state = topt.state_dict()
    theirs, _ = _embedding_run(torch, dict(lr=0.1), steps=3, opt_state=state)
    ours, _ = _embedding_run(fl, dict(lr=0.1), steps=3, opt_state=state)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_pure_sparse_adam_skips_zero_rows():
    tx = pure_optim.sparse_adam(0.1)
    params = jnp.ones((3, 2))
    grads = jnp.array([[1.0, 0.0], [0.0, 0.0], [-2.0, 3.0]])
    state = tx.init(params)
    updates, state = jax.jit(tx.update)(grads, state, params)
    assert np.all(np.asarray(updates[1]) == 0) and np.all(np.asarray(state.exp_avg[1]) == 0)
    # a present row updates all its entries, zeros included (torch stores whole rows)
    assert float(state.exp_avg_sq[0, 1]) == 0.0 and float(updates[0, 0]) < 0
    np.testing.assert_allclose(np.asarray(updates[2]), [0.1, -0.1], rtol=1e-5)


@pytest.mark.parametrize("kw", [dict(lr=0.0), dict(lr=-1), dict(eps=0.0),
                                dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1))])
def test_sparse_adam_errors_match_torch(kw):
    with pytest.raises(ValueError) as theirs:
        torch.optim.SparseAdam([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match=str(theirs.value).replace("(", r"\(")
                       .replace(")", r"\)")):
        fl.optim.SparseAdam([fl.zeros(2, requires_grad=True)], **kw)


# ---- Muon ----------------------------------------------------------------------------------

def _linear_run(lib, kw, dtype, steps=5, opt_state=None):
    m = lib.nn.Linear(6, 4).to(getattr(lib, dtype))
    with lib.no_grad():
        m.weight.copy_(lib.tensor(np.random.RandomState(0).randn(4, 6)))
        m.bias.zero_()
    opt = lib.optim.Muon([m.weight], **kw)
    if opt_state is not None:        # a copy: torch's loaded state shares (and updates) it
        opt.load_state_dict(copy.deepcopy(opt_state))
    x = lib.tensor(np.random.RandomState(1).randn(5, 6), dtype=getattr(lib, dtype))
    y = lib.tensor(np.random.RandomState(2).randn(5, 4), dtype=getattr(lib, dtype))
    weights = []
    for _ in range(steps):
        opt.zero_grad()
        ((m(x) - y) ** 2).mean().backward()
        opt.step()
        weights.append(m.weight.detach().numpy().copy())
    return np.array(weights), opt


MUON_CASES = [dict(lr=0.05, nesterov=False, weight_decay=0.01, adjust_lr_fn="match_rms_adamw"),
              dict(lr=0.03, momentum=0.8, ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5),
                   adjust_lr_fn="original")]


@pytest.mark.parametrize("kw", MUON_CASES)
def test_muon_matches_torch_float64(x64, kw):
    """5 steps on a (4, 6) weight: the bfloat16 Newton-Schulz iteration rounds as torch's."""
    theirs, topt = _linear_run(torch, kw, "float64")
    ours, oopt = _linear_run(fl, kw, "float64")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    ts, os_ = topt.state_dict(), oopt.state_dict()
    assert os_["param_groups"] == ts["param_groups"]
    assert list(os_["state"][0]) == ["momentum_buffer"]
    np.testing.assert_allclose(os_["state"][0]["momentum_buffer"].numpy(),
                               ts["state"][0]["momentum_buffer"].numpy(), rtol=1e-12)


def test_muon_float32_and_tall_matrix(x64):
    """float32 parameters (default dtype) and a tall (6, 4) weight, transposed inside NS.
    float32 sums may flip a bfloat16 rounding: tolerance of one bfloat16 ulp of lr * O."""
    def run(lib):
        m = lib.nn.Linear(4, 6, bias=False)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.random.RandomState(3).randn(6, 4).astype("f4")))
        opt = lib.optim.Muon(m.parameters(), lr=0.02)
        x = lib.tensor(np.random.RandomState(4).randn(3, 4).astype("f4"))
        ws = []
        for _ in range(5):
            opt.zero_grad()
            (m(x) ** 2).sum().backward()
            opt.step()
            ws.append(m.weight.detach().numpy().copy())
        return np.array(ws), m.weight.dtype
    (theirs, _), (ours, dtype) = run(torch), run(fl)
    assert dtype == fl.float32
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=0.02 * 1.5 * 2 ** -8 * 5)


def test_muon_resumes_from_torch_state_dict(x64):
    _, topt = _linear_run(torch, dict(lr=0.02), "float64", steps=3)
    state = topt.state_dict()
    theirs, _ = _linear_run(torch, dict(lr=0.02), "float64", steps=2, opt_state=state)
    ours, _ = _linear_run(fl, dict(lr=0.02), "float64", steps=2, opt_state=state)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_pure_muon_equals_torch_step(x64):
    """The optax transform alone, one step from a zero buffer, equals torch's step."""
    w = np.random.RandomState(5).randn(3, 5)
    g = np.random.RandomState(6).randn(3, 5)
    tw = torch.tensor(w, requires_grad=True)
    tw.grad = torch.tensor(g)
    topt = torch.optim.Muon([tw], lr=0.1, weight_decay=0.2)
    topt.step()
    tx = pure_optim.muon(lr=0.1, weight_decay=0.2)
    params = {"w": jnp.asarray(w)}
    updates, _ = jax.jit(tx.update)({"w": jnp.asarray(g)}, tx.init(params), params)
    new = optax.apply_updates(params, updates)["w"]
    np.testing.assert_allclose(np.asarray(new), tw.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_muon_errors_match_torch():
    cases = [([torch.zeros(3, requires_grad=True)], {}, [fl.zeros(3, requires_grad=True)]),
             ([torch.zeros(2, 2, requires_grad=True)], dict(lr=-1.0),
              [fl.zeros(2, 2, requires_grad=True)]),
             ([torch.zeros(2, 2, requires_grad=True)], dict(momentum=-0.1),
              [fl.zeros(2, 2, requires_grad=True)]),
             ([torch.zeros(2, 2, requires_grad=True)], dict(weight_decay=-0.1),
              [fl.zeros(2, 2, requires_grad=True)]),
             ([torch.zeros(2, 2, requires_grad=True)], dict(adjust_lr_fn="nope"),
              [fl.zeros(2, 2, requires_grad=True)])]
    for tparams, kw, oparams in cases:
        with pytest.raises(ValueError) as theirs:
            torch.optim.Muon(tparams, **kw)
        with pytest.raises(ValueError) as ours:
            fl.optim.Muon(oparams, **kw)
        assert str(ours.value) == str(theirs.value)
