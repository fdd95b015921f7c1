"""Optimizer hooks (step pre/post, global step hooks, state_dict and load_state_dict
pre/post) against torch.optim's: call order, arguments, replaced arguments and results,
errors, and their effect on training, eagerly and under functorch_like.compile."""

import copy
import importlib
import pickle
import re

import numpy as np
import pytest
import torch

import functorch_like as fl
from test_optim import X, Y, make_model, make_opt


def _backward(lib, model):
    model.zero_grad()
    loss = ((model(lib.tensor(X)) - lib.tensor(Y)) ** 2).mean()
    loss.backward()
    return loss


def _record(lib, with_closure):
    """The calls the hooks see, around one step, in each library."""
    model = make_model(lib)
    opt = make_opt(lib, model, "SGD", dict(lr=0.1))
    calls = []

    def hook(name):
        def record(o, args, kwargs):
            assert o is opt and args[0] is opt
            calls.append((name, len(args), sorted(kwargs)))
        return record
    # (torch.optim.optimizer is a module to import: `from torch.optim.optimizer import ...`)
    module = importlib.import_module(lib.__name__ + ".optim.optimizer")
    handles = [module.register_optimizer_step_pre_hook(hook("global pre")),
               module.register_optimizer_step_post_hook(hook("global post"))]
    try:
        opt.register_step_post_hook(hook("post"))
        opt.register_step_pre_hook(hook("pre"))
        _backward(lib, model)
        loss = (opt.step(closure=lambda: _backward(lib, model)) if with_closure
                else opt.step())
    finally:
        for h in handles:
            h.remove()
    opt.step()                  # (the global hooks are gone)
    return calls, loss


@pytest.mark.parametrize("with_closure", [False, True])
def test_step_hooks_run_in_torchs_order_with_its_arguments(x64, with_closure):
    (calls, loss), (tcalls, tloss) = _record(fl, with_closure), _record(torch, with_closure)
    assert calls == tcalls
    assert [c[0] for c in calls[:4]] == ["global pre", "pre", "post", "global post"]
    assert (loss is None) == (tloss is None)
    if with_closure:
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)


def _trained(lib, compiled, steps=6):
    """SGD with a pre hook that halves every gradient (and adds a closure returning the
    loss through its returned arguments) and a post hook that clamps the weights."""
    model = make_model(lib)
    opt = make_opt(lib, model, "SGD", dict(lr=0.2, momentum=0.5))

    def pre(o, args, kwargs):
        for group in o.param_groups:
            for p in group["params"]:
                p.grad.mul_(0.5)
        return args, {**kwargs}

    def post(o, args, kwargs):
        with lib.no_grad():
            for p in model.parameters():
                p.clamp_(-0.6, 0.6)
    opt.register_step_pre_hook(pre)
    opt.register_step_post_hook(post)

    def step():
        loss = _backward(lib, model)
        opt.step()
        return loss
    if compiled:
        step = fl.compile(step)
    losses = [step().item() for _ in range(steps)]
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_hooks_that_change_gradients_and_weights_train_like_torch(x64, compiled):
    losses, weights = _trained(fl, compiled)
    tlosses, tweights = _trained(torch, False)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    for w, tw in zip(weights, tweights):
        np.testing.assert_allclose(w, tw, rtol=1e-10, atol=1e-12)
    # (the post hook did clamp: without it a weight leaves [-0.6, 0.6])
    assert max(abs(w).max() for w in weights) == pytest.approx(0.6)


def test_a_hook_added_or_removed_between_compiled_steps_takes_effect():
    model = make_model(fl)
    opt = make_opt(fl, model, "SGD", dict(lr=0.1))

    @fl.compile
    def step():
        loss = _backward(fl, model)
        opt.step()
        return loss

    def zero_grads(o, args, kwargs):
        for p in model.parameters():
            p.grad.zero_()
    step()
    before = [p.detach().clone() for p in model.parameters()]
    handle = opt.register_step_pre_hook(zero_grads)
    step()                          # the gradients are zeroed: SGD does not move
    assert all(fl.equal(p, b) for p, b in zip(model.parameters(), before))
    handle.remove()
    step()
    assert not all(fl.equal(p, b) for p, b in zip(model.parameters(), before))


def test_a_global_hook_reaches_a_compiled_step():
    model = make_model(fl)
    opt = make_opt(fl, model, "SGD", dict(lr=0.1))

    @fl.compile
    def step():
        _backward(fl, model)
        opt.step()
    step()
    before = [p.detach().clone() for p in model.parameters()]
    from functorch_like.optim.optimizer import register_optimizer_step_pre_hook
    handle = register_optimizer_step_pre_hook(
        lambda o, args, kwargs: [p.grad.zero_() for p in model.parameters()] and None)
    try:
        step()
    finally:
        handle.remove()
    assert all(fl.equal(p, b) for p, b in zip(model.parameters(), before))


def test_a_bad_pre_hook_result_raises_torchs_error():
    errors = []
    for lib in (torch, fl):
        model = make_model(lib)
        opt = make_opt(lib, model, "SGD", dict(lr=0.1))
        opt.register_step_pre_hook(lambda o, args, kwargs: 5)
        _backward(lib, model)
        with pytest.raises(RuntimeError) as err:
            opt.step()
        # (the message names the class's step function: SGD.step)
        errors.append(re.sub(r" at 0x[0-9a-f]+>", ">", str(err.value)))
    assert errors[0] == errors[1]
    assert errors[1] == ("<function SGD.step> must return None or a tuple of (new_args, "
                         "new_kwargs), but got 5.")


def test_a_user_optimizers_own_step_runs_the_hooks():
    class Halving(fl.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, dict(lr=0.5))

        @fl.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.mul_(group["lr"])
            return "stepped"
    p = fl.nn.Parameter(fl.ones(2))
    opt = Halving([p])
    calls = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    assert opt.step() == "stepped"
    assert calls == ["pre", "post"] and p.tolist() == [0.5, 0.5]


def _state_dict_hooks(lib):
    model = make_model(lib)
    opt = make_opt(lib, model, "Adam", dict(lr=0.01))
    _backward(lib, model)
    opt.step()
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append("pre"))
    opt.register_state_dict_pre_hook(lambda o: calls.append("pre first"), prepend=True)

    def post(o, sd):
        calls.append("post")
        return {**sd, "extra": 1}
    opt.register_state_dict_post_hook(post)
    sd = opt.state_dict()
    resumed = make_opt(lib, model, "Adam", dict(lr=0.01))

    def load_pre(o, sd):
        calls.append(("load pre", sorted(sd)))
        sd["param_groups"] = [{**g, "lr": 0.5} for g in sd["param_groups"]]
    resumed.register_load_state_dict_pre_hook(load_pre)
    resumed.register_load_state_dict_post_hook(lambda o: calls.append("load post"))
    resumed.load_state_dict(sd)
    return calls, sd, resumed


def test_state_dict_hooks_like_torch():
    (calls, sd, resumed), (tcalls, tsd, tresumed) = (_state_dict_hooks(fl),
                                                     _state_dict_hooks(torch))
    assert calls == tcalls == ["pre first", "pre", "post", ("load pre", [
        "extra", "param_groups", "state"]), "load post"]
    assert sd["extra"] == tsd["extra"] == 1
    # The load pre hook changed a shallow copy: the given dict keeps its lr.
    assert sd["param_groups"][0]["lr"] == tsd["param_groups"][0]["lr"] == 0.01
    assert resumed.param_groups[0]["lr"] == tresumed.param_groups[0]["lr"] == 0.5


def test_hooks_are_not_copied_or_pickled_like_torch():
    for lib in (torch, fl):
        model = make_model(lib)
        opt = make_opt(lib, model, "SGD", dict(lr=0.1))
        opt.register_step_pre_hook(print)
        opt.register_state_dict_post_hook(print)
        for other in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
            assert not other._optimizer_step_pre_hooks
            assert not other._optimizer_state_dict_post_hooks
            other.register_step_post_hook(print)    # and the copy takes new ones
        assert len(opt._optimizer_step_pre_hooks) == 1

