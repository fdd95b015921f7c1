"""optim.LBFGS against torch.optim.LBFGS: iterations, closure calls, state (torch's keys
and types), state_dict loading, stopping tests, errors, and its refusal inside
functorch_like.compile."""

import copy

import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like._trace_state import UntraceableError
from test_optim import X, Y, assert_weights_close, make_model, weights_of
from test_optim import test_bad_input_raises_like_torch as check_raises_like_torch

CASES = [
    dict(max_iter=5),
    dict(lr=0.5, max_iter=6, history_size=2),
    dict(max_iter=4, max_eval=6, line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", max_iter=5, history_size=3, tolerance_change=1e-5),
]


def closure_for(lib, model, opt):
    x, y = lib.tensor(X), lib.tensor(Y)

    def closure():
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        return loss
    return closure


def run(lib, kw, steps, model=None, opt=None):
    model = model or make_model(lib)
    opt = opt or lib.optim.LBFGS(model.parameters(), **kw)
    closure = closure_for(lib, model, opt)
    losses = [opt.step(closure).item() for _ in range(steps)]
    return model, opt, losses


def summary(opt):
    """torch's state entries: names in order, Python types, list lengths, counters."""
    state = opt.state_dict()["state"][0]
    return [(k, type(v).__name__, len(v) if isinstance(v, list) else None,
             v if isinstance(v, int) else None) for k, v in state.items()]


@pytest.mark.parametrize("kw", CASES, ids=[",".join(f"{k}={v}" for k, v in c.items())
                                           for c in CASES])
def test_matches_torch(x64, kw):
    tmodel, topt, tlosses = run(torch, kw, 3)
    model, opt, losses = run(fl, kw, 3)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    assert_weights_close(weights_of(model), weights_of(tmodel), rtol=1e-8, atol=1e-11)
    assert summary(opt) == summary(topt)
    ours, theirs = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    for key in ("d", "prev_flat_grad"):
        np.testing.assert_allclose(ours[key].numpy(), theirs[key].numpy(), rtol=1e-7,
                                   atol=1e-10)
    assert losses[-1] < 0.5 * losses[0]
    assert opt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


def test_torch_state_dict_loads_and_continues(x64):
    kw = dict(max_iter=4, history_size=3)
    tmodel, topt, _ = run(torch, kw, 2)
    model = make_model(fl, weights_of(tmodel))
    opt = fl.optim.LBFGS(model.parameters(), lr=0.1)
    opt.load_state_dict(copy.deepcopy(topt.state_dict()))
    assert opt.param_groups[0]["lr"] == 1 and opt.param_groups[0]["history_size"] == 3
    _, _, tlosses = run(torch, kw, 2, tmodel, topt)
    _, _, losses = run(fl, kw, 2, model, opt)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    assert_weights_close(weights_of(model), weights_of(tmodel), rtol=1e-8, atol=1e-11)
    assert summary(opt) == summary(topt)


def test_stops_at_once_when_the_gradient_is_small_like_torch():
    for lib in (torch, fl):
        _, opt, _ = run(lib, dict(tolerance_grad=1e3), 2)
        assert summary(opt) == [("func_evals", "int", None, 2), ("n_iter", "int", None, 0)]


def _unknown_line_search(lib, p, q):
    def closure():
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    lib.optim.LBFGS([p], line_search_fn="backtracking").step(closure)


@pytest.mark.parametrize("make", [
    lambda lib, p, q: lib.optim.LBFGS([p], lr=-1),
    lambda lib, p, q: lib.optim.LBFGS([{"params": [p]}, {"params": [q]}]),
    _unknown_line_search,
], ids=["negative-lr", "two-groups", "unknown-line-search"])
def test_errors_match_torch(make):
    check_raises_like_torch(make)


def test_repr_matches_torch():
    texts = [repr(lib.optim.LBFGS([lib.nn.Parameter(lib.ones(2))], lr=0.5,
                                  line_search_fn="strong_wolfe")) for lib in (torch, fl)]
    assert texts[1] == texts[0]


def test_inside_compile_is_a_clear_error():
    model = fl.nn.Linear(2, 1)
    opt = fl.optim.LBFGS(model.parameters())
    x = fl.ones(3, 2)

    @fl.compile
    def step():
        def closure():
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            return loss
        return opt.step(closure)

    with pytest.raises(UntraceableError, match="LBFGS.step"):
        step()
    loss = opt.step(lambda: (opt.zero_grad(), model(x).pow(2).mean().backward())[0]
                    or model(x).pow(2).mean())
    assert np.isfinite(loss.item())        # eagerly it still works


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_complex_parameters_step_as_torch(line_search_fn, x64):
    # A plain complex dot product made the descent test fail at once: the parameters
    # stayed where they were, after one closure call.
    results = []
    for lib in (torch, fl):
        p = lib.nn.Parameter(lib.tensor([1 + 2j, -0.5 + 0.3j], dtype=lib.complex128))
        q = lib.nn.Parameter(lib.tensor([0.5, -1.0], dtype=lib.float64))
        opt = lib.optim.LBFGS([p, q], line_search_fn=line_search_fn, max_iter=6)

        def closure():
            opt.zero_grad()
            loss = ((p * p.conj()).real.sum() + (q ** 2).sum() + (p.real ** 4).sum()
                    + (p.imag * q).sum())
            loss.backward()
            return loss
        for _ in range(2):
            opt.step(closure)
        results.append((p.detach().numpy(), q.detach().numpy(), opt.state[p]["func_evals"]))
    (tp, tq, t_evals), (fp, fq, f_evals) = results
    assert f_evals == t_evals
    np.testing.assert_allclose(fp, tp, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fq, tq, rtol=1e-7, atol=1e-9)
