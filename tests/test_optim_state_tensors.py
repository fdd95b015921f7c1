"""`optimizer.state[p]` holds Tensors, updated in place by every step, as torch.optim's.

The same tiny float64 MLP trains here and in torch from the same weights; the state
entries are compared by key, type, shape and value, and a state tensor taken before a step
(or changed in place by the user between steps) behaves as torch's: eagerly and under
functorch_like.compile.
"""

import numpy as np
import pytest
import torch

import functorch_like as fl
from test_optim import X, Y, make_model, make_opt

OPTIMIZERS = [
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.003, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adadelta", dict(lr=0.5)),
    ("Adamax", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01)),
    ("ASGD", dict(lr=0.01)),
    ("Rprop", dict(lr=0.01)),
]


def _loss(lib, model):
    return ((model(lib.tensor(X)) - lib.tensor(Y)) ** 2).mean()


def _step(lib, model, opt):
    opt.zero_grad()
    _loss(lib, model).backward()
    opt.step()


def _our_step(model, opt, compiled):
    """One training step here, as a function: compiled or eager."""
    def step():
        _step(fl, model, opt)
    return fl.compile(step) if compiled else step


def _pair(name, kw):
    tmodel, model = make_model(torch), make_model(fl)
    return (tmodel, make_opt(torch, tmodel, name, kw)), (model, make_opt(fl, model, name, kw))


def _assert_entry_close(mine, theirs, key):
    np.testing.assert_allclose(np.asarray(mine.detach().numpy(), np.float64),
                               np.asarray(theirs.detach().numpy(), np.float64),
                               rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name,kw", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
def test_state_entries_are_tensors_like_torch(x64, name, kw):
    (tmodel, topt), (model, opt) = _pair(name, kw)
    for _ in range(3):
        _step(torch, tmodel, topt)
        _step(fl, model, opt)
    for tp, p in zip(tmodel.parameters(), model.parameters()):
        theirs, mine = topt.state[tp], opt.state[p]
        # (SGD here also counts steps: the pure rule's first-step test; torch keeps none)
        assert sorted(mine) == sorted([*theirs, "step"] if name == "SGD" else theirs)
        for key, value in theirs.items():
            assert isinstance(mine[key], fl.Tensor), key
            assert tuple(mine[key].shape) == tuple(value.shape), key
            assert not mine[key].requires_grad
            _assert_entry_close(mine[key], value, key)


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_a_state_tensor_taken_before_a_step_sees_the_step(x64, compiled):
    (tmodel, topt), (model, opt) = _pair("Adam", dict(lr=0.01))
    step = _our_step(model, opt, compiled)
    _step(torch, tmodel, topt)
    step()
    tp, p = next(iter(tmodel.parameters())), next(iter(model.parameters()))
    theirs, mine = topt.state[tp]["exp_avg"], opt.state[p]["exp_avg"]
    before = mine.clone()
    for _ in range(2):
        _step(torch, tmodel, topt)
        step()
    assert opt.state[p]["exp_avg"] is mine         # the same tensor, updated in place
    assert not np.allclose(mine.numpy(), before.numpy())
    _assert_entry_close(mine, theirs, "exp_avg")
    assert int(opt.state[p]["step"]) == int(topt.state[tp]["step"]) == 3


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_state_changed_in_place_between_steps_is_used_like_torch(x64, compiled):
    # A momentum reset (as after a learning-rate restart) through the state tensors.
    (tmodel, topt), (model, opt) = _pair("SGD", dict(lr=0.05, momentum=0.9))
    step = _our_step(model, opt, compiled)
    for i in range(5):
        _step(torch, tmodel, topt)
        step()
        if i == 2:
            for tp in tmodel.parameters():
                topt.state[tp]["momentum_buffer"].zero_()
            for p in model.parameters():
                opt.state[p]["momentum_buffer"].zero_()
    for tp, p in zip(tmodel.parameters(), model.parameters()):
        _assert_entry_close(p, tp, "weight")
        _assert_entry_close(opt.state[p]["momentum_buffer"],
                            topt.state[tp]["momentum_buffer"], "momentum_buffer")


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_a_state_entry_rebound_between_steps_is_used_like_torch(x64, compiled):
    (tmodel, topt), (model, opt) = _pair("Adam", dict(lr=0.01))
    step = _our_step(model, opt, compiled)
    for i in range(4):
        _step(torch, tmodel, topt)
        step()
        if i == 1:
            for tp in tmodel.parameters():
                topt.state[tp]["exp_avg_sq"] = torch.full_like(tp, 0.5)
            for p in model.parameters():
                opt.state[p]["exp_avg_sq"] = fl.full_like(p.detach(), 0.5)
    for tp, p in zip(tmodel.parameters(), model.parameters()):
        _assert_entry_close(p, tp, "weight")
        _assert_entry_close(opt.state[p]["exp_avg_sq"], topt.state[tp]["exp_avg_sq"],
                            "exp_avg_sq")


def test_loaded_state_is_tensors_of_its_own(x64):
    (tmodel, topt), (model, opt) = _pair("Adam", dict(lr=0.01))
    _step(torch, tmodel, topt)
    resumed = make_opt(fl, model, "Adam", dict(lr=0.01))
    resumed.load_state_dict(topt.state_dict())
    for tp, p in zip(tmodel.parameters(), model.parameters()):
        for key in ("exp_avg", "exp_avg_sq"):
            mine = resumed.state[p][key]
            assert isinstance(mine, fl.Tensor) and mine.dtype == fl.float64
            _assert_entry_close(mine, topt.state[tp][key], key)
        assert isinstance(resumed.state[p]["step"], fl.Tensor)
        assert int(resumed.state[p]["step"]) == 1
    # The loaded tensors are copies: a step here leaves torch's state dict alone.
    saved = topt.state_dict()
    before = saved["state"][0]["exp_avg"].clone()
    resumed.load_state_dict(saved)
    _step(fl, model, resumed)
    assert torch.equal(saved["state"][0]["exp_avg"], before)


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                         ("Adam", {"lr": 0.1}), ("RMSprop", {"lr": 0.1}),
                                         ("Adagrad", {"lr": 0.1})])
@pytest.mark.parametrize("shape", [(2, 3), (4, 2), (1, 2)])
def test_loaded_state_of_another_shape_fails_at_the_step(name, kwargs, shape):
    """State keeps its saved shape, as torch's, and the next step raises torch's error
    (before: a buffer with as many elements was reshaped to the parameter and trained on,
    a (2, 3) momentum read as the (3, 2) one scrambled)."""
    def run(T):
        a = T.ones(3, 2, requires_grad=True)
        b = T.ones(*shape, requires_grad=True)
        first = getattr(T.optim, name)([a], **kwargs)
        a.grad = T.arange(6.0).reshape(3, 2)
        first.step()
        second = getattr(T.optim, name)([b], **kwargs)
        second.load_state_dict(first.state_dict())
        b.grad = T.ones(*shape)
        with pytest.raises(RuntimeError) as err:
            second.step()
        return str(err.value)
    assert run(fl) == run(torch)


# ---- LBFGS: its state holds Tensors too -------------------------------------------------

def _lbfgs_state(lib, reload: bool):
    model = lib.nn.Linear(2, 1)
    with lib.no_grad():
        model.weight.copy_(lib.tensor([[0.5, -0.25]]))
        model.bias.fill_(0.1)
    opt = lib.optim.LBFGS(model.parameters(), history_size=3, max_iter=4)
    x, y = lib.tensor([[1., 2.], [3., -1.], [0.5, 0.5]]), lib.tensor([[1.], [0.], [2.]])

    def closure():
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        return loss
    opt.step(closure)
    if reload:
        again = lib.optim.LBFGS(model.parameters(), history_size=3, max_iter=4)
        again.load_state_dict(opt.state_dict())
        opt = again
    state = opt.state[model.weight]
    out = {k: (type(v).__name__, float(v.norm())) for k, v in state.items()
           if k in ("d", "prev_flat_grad")}
    out["old_dirs"] = [type(v).__name__ for v in state["old_dirs"]]
    opt.step(closure)           # (and the next step still runs from it)
    out["weight"] = model.weight.detach().numpy().round(5).tolist()
    return out


@pytest.mark.parametrize("reload", [False, True])
def test_lbfgs_state_entries_are_tensors(reload):
    got, want = _lbfgs_state(fl, reload), _lbfgs_state(torch, reload)
    assert got.keys() == want.keys()
    for key in ("d", "prev_flat_grad"):
        assert got[key][0] == want[key][0] == "Tensor"
        np.testing.assert_allclose(got[key][1], want[key][1], rtol=1e-4)
    assert got["old_dirs"] == want["old_dirs"]
    np.testing.assert_allclose(got["weight"], want["weight"], rtol=1e-4, atol=1e-5)
