"""What a compiled step reaches besides parameters, buffers and optimizer state: tensors
held as plain module attributes, tensors and state objects inside dicts, lists and plain
objects, what a functools.partial binds and what hooks reach, and tensor attributes that a
forward rebinds. Each is compared with the same code run eagerly."""

import functools
import types

import numpy as np

import functorch_like as torch
from functorch_like import nn
from functorch_like._compile import compile_count

from _compile_helpers import assert_same_state, squared_step


def _close(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


class _Scaled(nn.Module):
    """A linear layer times a tensor held as a plain attribute (neither parameter nor
    buffer)."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.scale = torch.tensor(2.0)

    def forward(self, x):
        return self.lin(x) * self.scale


def test_a_module_tensor_attribute_replaced_or_changed_in_place_reaches_the_next_call():
    torch.manual_seed(0)
    model = _Scaled()
    compiled = torch.compile(model)
    x = torch.randn(4, 3)
    with torch.no_grad():
        _close(compiled(x), model(x))
        before = compile_count()
        model.scale = torch.tensor(3.0)        # a new tensor: traced again, once
        _close(compiled(x), model(x))
        model.scale.fill_(5.0)                 # the same tensor, a new value: no trace
        _close(compiled(x), model(x))
        compiled(x)
    assert compile_count() - before == 1


_CONFIG_STEP = """
def forward(x):
    return x * CONFIG["scale"] + SHIFTS[0]
"""


def test_tensors_in_a_dict_or_a_list_reached_by_name_are_read_on_every_call():
    namespace = {"CONFIG": {"scale": torch.tensor(2.0)}, "SHIFTS": [torch.tensor(1.0)]}
    exec(_CONFIG_STEP, namespace)                   # a step whose names are globals
    forward = torch.compile(namespace["forward"])
    x = torch.ones(3)

    def expected():
        return namespace["forward"](x)
    _close(forward(x), expected())
    namespace["CONFIG"]["scale"] = torch.tensor(3.0)    # an entry rebound
    _close(forward(x), expected())
    namespace["SHIFTS"][0].fill_(-1.0)                  # an entry changed in place
    _close(forward(x), expected())
    namespace["CONFIG"] = {"scale": torch.tensor(7.0)}  # the container rebound
    _close(forward(x), expected())
    assert forward(x).tolist() == [6.0, 6.0, 6.0]


_PLAIN_STEP = """
def forward(x):
    ns.step()
    return x * BETA
"""


def test_plain_values_read_as_globals_or_closure_variables_select_the_program():
    # A trace bakes them in, so they are guarded (as torch.compile's guards do); a global
    # that shares only its name with an attribute the step uses (`step`, the loop counter of
    # many scripts, next to `ns.step()`) is not.
    namespace = {"BETA": 0.5, "step": 0, "ns": types.SimpleNamespace(step=lambda: None)}
    exec(_PLAIN_STEP, namespace)
    forward = torch.compile(namespace["forward"])
    x = torch.ones(2)
    before = compile_count()
    assert forward(x).tolist() == [0.5, 0.5]
    namespace["BETA"] = 2.0
    assert forward(x).tolist() == [2.0, 2.0]
    namespace["BETA"] = 0.5                 # back: the first program again
    for i in range(5):
        namespace["step"] = i
        assert forward(x).tolist() == [0.5, 0.5]
    assert compile_count() - before == 2

    def make():
        shift = 1.0

        def add(x):
            return x + shift

        def set_shift(value):
            nonlocal shift
            shift = value
        return torch.compile(add), set_shift
    add, set_shift = make()
    assert add(x).tolist() == [2.0, 2.0]
    set_shift(3.0)
    assert add(x).tolist() == [4.0, 4.0]


def test_plain_values_in_dicts_and_objects_the_step_mentions_select_the_program():
    """`cfg["kl_weight"]`, `ns.scale` and `self.warmup` in a compiled method are baked in
    by a trace, so they are guarded where the step's code names their key; an entry the
    code never names as a key (counters the loop keeps in the same dict, one of them named
    like the `step()` the code calls) is not."""
    cfg = {"kl_weight": 0.0, "epoch": 0, "step": 0}
    ns = types.SimpleNamespace(scale=1.0)

    class Trainer:
        def __init__(self):
            torch.manual_seed(0)
            self.model = nn.Linear(3, 1)
            self.opt = torch.optim.SGD(self.model.parameters(), lr=0.1)
            self.warmup = 1.0

        def step(self, x):
            self.opt.zero_grad()
            loss = self.model(x).pow(2).mean() * (1 + cfg["kl_weight"]) * ns.scale
            (loss * self.warmup).backward()
            self.opt.step()
            return loss

    def run(compiled):
        cfg["kl_weight"], ns.scale = 0.0, 1.0
        trainer = Trainer()
        step = torch.compile(trainer.step) if compiled else trainer.step
        before, losses = compile_count(), []
        for i in range(6):
            cfg["epoch"] = cfg["step"] = i      # never named by the step as keys
            if i in (1, 2):
                cfg["kl_weight"] = i * 0.5
            if i == 3:
                ns.scale = 2.0
            if i == 4:
                trainer.warmup = 0.5
            losses.append(step(torch.ones(2, 3)).item())
        return losses, compile_count() - before, trainer.model
    (eager, _, m1), (compiled, traces, m2) = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    assert_same_state(m1, m2)
    assert traces == 5          # the first, then one per change the step reads


class _Configured(nn.Module):
    """A module that reads plain values from a config object, an options dict and a list
    it holds."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self.config = types.SimpleNamespace(scale=1.0, unused=0)
        self.options = {"shift": 0.0}
        self.weights = [1.0, 0.0]

    def forward(self, x):
        y = self.lin(x) * self.config.scale + self.options["shift"]
        return y * self.weights[0] + self.weights[1]


def test_plain_values_in_a_modules_config_object_or_dict_select_the_program():
    def run(compiled):
        torch.manual_seed(0)
        model = _Configured()
        fn = torch.compile(model) if compiled else model
        before, outs = compile_count(), []
        for i in range(5):
            model.config.unused = i             # never named by the module's code
            if i == 1:
                model.config.scale = 3.0
            if i == 2:
                model.options["shift"] = 1.0
            if i == 3:
                model.weights[1] = 2.0
            outs.append(fn(torch.ones(1, 3)).item())
        return outs, compile_count() - before
    (eager, _), (compiled, traces) = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-6)
    assert traces == 4


TASK_WEIGHTS = [1.0, 1.0]
CFG = {"aux": 1.0, "extra": 0.5, "count": 0}
KEY = "aux"
NAMES = ["extra"]


def test_plain_values_read_by_list_index_or_computed_key_select_the_program():
    """A list entry (`TASK_WEIGHTS[1]`) and a dict entry whose key is a global string or
    one of a list of names (`CFG[KEY]`, `CFG[name]`) are baked in by a trace: changing
    them selects another program, as eagerly (they were ignored); an entry no reachable
    string names (`count`, kept by the loop) is not guarded."""
    w = nn.Parameter(torch.ones(3))

    def f(x):
        loss = (w * x).sum() * TASK_WEIGHTS[0] + (w * w).sum() * TASK_WEIGHTS[1]
        for name in NAMES:
            loss = loss + CFG[name] * w.sum()
        return loss + CFG[KEY] * w.sum()

    def run(fn):
        TASK_WEIGHTS[:] = [1.0, 1.0]
        CFG.update(aux=1.0, extra=0.5)
        before, outs = compile_count(), []
        for i in range(5):
            CFG["count"] = i
            if i == 1:
                TASK_WEIGHTS[1] = 0.0
            if i == 2:
                CFG["aux"] = 10.0
            if i == 3:
                CFG["extra"] = -2.0
            outs.append(fn(torch.ones(3)).item())
        return outs, compile_count() - before
    (eager, _), (compiled, traces) = run(f), run(torch.compile(f))
    assert compiled == eager
    assert traces == 4


def test_a_list_entry_read_from_the_end_follows_the_list_as_it_grows():
    """`weights[-1]` of a list the loop appends to: the list's length is guarded too (the
    entry the trace read stayed in use)."""
    weights = [1.0]
    w = nn.Parameter(torch.ones(2))

    def f(x):
        return (w * x).sum() * weights[-1]

    def run(fn):
        weights[:] = [1.0]
        outs = []
        for i in range(4):
            outs.append(fn(torch.ones(2)).item())
            weights.append(2.0 + i)
        return outs
    assert run(torch.compile(f)) == run(f) == [2.0, 4.0, 6.0, 8.0]


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))

    def forward(self, x):
        return self.body(x)


def _make():
    torch.manual_seed(0)
    net = _Net()
    return net, torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)


def test_models_and_optimizers_in_a_dict_or_a_plain_object_train_as_eager():
    # A GAN-style dict of models, a list of optimizers, and a trainer object: the step
    # reaches the state through them (BatchNorm's running statistics included).
    x = torch.randn(8, 3)
    net, opt = _make()
    nets, opts = {"net": net}, [opt]

    def by_dict(x):
        opts[0].zero_grad()
        loss = nets["net"](x).pow(2).mean()
        loss.backward()
        opts[0].step()
        return loss

    trainer = types.SimpleNamespace()
    trainer.net, trainer.opt = _make()

    def by_object(x):
        trainer.opt.zero_grad()
        loss = trainer.net(x).pow(2).mean()
        loss.backward()
        trainer.opt.step()
        return loss

    eager_net, eager_opt = _make()
    eager = squared_step(eager_net, eager_opt)
    compiled = [torch.compile(by_dict), torch.compile(by_object)]
    for _ in range(3):
        expected = eager(x)
        for step in compiled:
            _close(step(x), expected)
    for model in (net, trainer.net):
        assert_same_state(eager_net, model)
    assert eager_net.body[1].num_batches_tracked.item() == 3


class _Keeps(nn.Module):
    """A forward that keeps tensors as attributes: a running state it reads and rebinds,
    its input, and its last activation (bound on the first call)."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)
        self.state = torch.zeros(3)

    def forward(self, x):
        self.seen = x
        h = self.lin(x)
        self.state = 0.5 * self.state + h.detach().mean(0)
        self.last = h
        return h + self.state


def _compiled_and_eager(make_model, opt_cls):
    """(compiled step, its model, eager step, its model) over two equal models."""
    pair = []
    for _ in range(2):
        torch.manual_seed(0)
        model = make_model()
        pair.append((squared_step(model, opt_cls(model.parameters(), lr=0.1)), model))
    (step, model), (eager, eager_model) = pair
    return torch.compile(step), model, eager, eager_model


def test_a_partial_binding_the_model_and_optimizer_trains_as_eager():
    """compile(functools.partial(step, model, opt, scale=...)): what the partial binds is
    state, and a keyword changed between calls selects the program, as eagerly."""
    def step(model, opt, x, scale=1.0):
        opt.zero_grad()
        loss = scale * model(x).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    def run(compiled):
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        bound = functools.partial(step, model, torch.optim.Adam(model.parameters(), lr=0.1),
                                  scale=1.0)
        fn = torch.compile(bound) if compiled else bound
        losses = []
        for i in range(4):
            if i == 2:
                bound.keywords["scale"] = 3.0
            losses.append(fn(torch.ones(4, 3)).item())
        return losses, model
    (eager, m1), (compiled, m2) = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    assert_same_state(m1, m2)


def test_tensor_attributes_a_forward_rebinds_hold_their_values_after_each_call():
    compiled, model, eager, eager_model = _compiled_and_eager(_Keeps, torch.optim.Adam)
    before = compile_count()
    xs = [torch.randn(5, 3) for _ in range(4)]
    copies = [x.numpy().copy() for x in xs]
    for x in xs:
        _close(compiled(x), eager(x))
        for name in ("state", "last", "seen"):
            _close(getattr(model, name), getattr(eager_model, name))
    assert_same_state(eager_model, model)
    # The arguments kept as an attribute are still the caller's: not donated by a later
    # call.
    for x, c in zip(xs, copies):
        np.testing.assert_array_equal(x.numpy(), c)
    # The attributes bound by the first call are state from the second call on.
    assert compile_count() - before == 2


def test_weight_norm_under_compile_trains_as_eager_and_leaves_no_tracer():
    compiled, model, eager, eager_model = _compiled_and_eager(
        lambda: nn.Sequential(nn.utils.weight_norm(nn.Linear(3, 4)), nn.ReLU(),
                              nn.Linear(4, 1)), torch.optim.SGD)
    x = torch.randn(6, 3)
    for _ in range(3):
        _close(compiled(x), eager(x))
        # The hook's recomputed weight, as the last forward left it: a value, no tracer.
        _close(model[0].weight, eager_model[0].weight)
    assert_same_state(eager_model, model)


def test_a_forward_hook_that_keeps_activations_in_a_dict_works_as_eager():
    """What a module's hook reaches (a dict it stores activations in, found through its
    closure) is handled as what the step reaches: the entry is bound after each call."""
    def run(compiled):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        acts = {}
        model[0].register_forward_hook(lambda m, i, o: acts.__setitem__("h", o.detach()))
        step = squared_step(model, torch.optim.SGD(model.parameters(), lr=0.1))
        step = torch.compile(step) if compiled else step
        seen = []
        for i in range(3):
            step(torch.ones(2, 3) * i)
            seen.append(acts["h"].detach().numpy().copy())
        return seen, model
    (eager, m1), (compiled, m2) = run(False), run(True)
    np.testing.assert_allclose(np.array(compiled), np.array(eager), rtol=1e-5)
    assert_same_state(m1, m2)


def test_hooks_registered_or_removed_between_calls_select_the_program():
    """A trace runs the hooks there are: one added or removed later (on a module or a
    parameter) is part of the guard, as in torch.compile."""
    def run(compiled):
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        step = squared_step(model, torch.optim.SGD(model.parameters(), lr=0.1))
        step = torch.compile(step) if compiled else step
        x, losses = torch.ones(4, 3), []
        losses.append(step(x).item())
        scale = model.register_forward_hook(lambda m, i, o: o * 3)
        losses.append(step(x).item())
        freeze = model.weight.register_hook(lambda g: g * 0)
        losses.append(step(x).item())
        scale.remove()
        losses.append(step(x).item())
        freeze.remove()
        losses.append(step(x).item())
        return losses, model
    before = compile_count()
    (eager, m1), (compiled, m2) = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    assert_same_state(m1, m2)
    assert compile_count() - before == 4     # (the last call is the first call's program)
