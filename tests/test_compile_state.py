"""functorch_like.compile's state slots: shared step counters, parameters that do not
step, guards checked on every call, and the RNG key threaded as raw data."""

import contextlib
import copy
import re

import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn
from functorch_like._compile import compile_count

from _compile_helpers import assert_same_state, summed_step, training_step


class _TwoHeads(nn.Module):
    """A trunk and two heads; `use_b` picks whether head b takes part in the loss."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(5, 8)
        self.a = nn.Linear(8, 3)
        self.b = nn.Linear(8, 3)

    def forward(self, x, use_b: bool = False):
        h = torch.relu(self.trunk(x))
        return self.a(h) + self.b(h) if use_b else self.a(h)


def _data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((n, 5)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 3, n).astype(np.int64))
    return x, y


def _pair(opt_cls=torch.optim.Adam, **kw):
    torch.manual_seed(0)
    m1 = _TwoHeads()
    torch.manual_seed(0)
    m2 = _TwoHeads()
    return (m1, opt_cls(m1.parameters(), **kw)), (m2, opt_cls(m2.parameters(), **kw))


def _step(model, opt, use_b=False):
    crit = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x, True) if use_b else model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def _steps(opt, model):
    """Step counts by parameter name; a compiled step creates state for every parameter
    up front, so a count of 0 is state torch would not have yet."""
    counts = {name: int(opt.state[p]["step"]) for name, p in model.named_parameters()
              if "step" in opt.state[p]}
    return {name: c for name, c in counts.items() if c}


def test_a_group_that_steps_together_carries_one_step_counter():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    step = torch.compile(_step(model, opt))
    x = torch.randn(6, 4)
    y = torch.tensor([0, 1, 0, 1, 1, 0])
    for _ in range(3):
        step(x, y)
    counts = [opt.state[p]["step"] for p in model.parameters()]
    # One array, in a tensor per parameter (as torch's state["step"]).
    assert all(c._value is counts[0]._value for c in counts) and int(counts[0]) == 3
    assert len(set(map(id, counts))) == 4
    # The program updates one int32 step count in place (PyTorch keeps one per parameter,
    # all equal); the other int32 inputs are labels and hyperparameters, not donated.
    entry = step.lower(x, y).as_text().split("func.func public @main(")[1].split(") ->")[0]
    assert len(re.findall(r"tensor<i32> \{tf.aliasing_output", entry)) == 1
    assert [v["step"].item() for v in opt.state_dict()["state"].values()] == [3.0] * 4


def test_parameters_without_gradients_do_not_step_compiled_as_eager():
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    for _ in range(3):          # head b takes no part: its parameters get no gradient
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    both_e, both_c = _step(m1, o1, use_b=True), torch.compile(_step(m2, o2, use_b=True))
    for _ in range(2):
        np.testing.assert_allclose(both_c(x, y).item(), both_e(x, y).item(), rtol=1e-5)
    for (k, p1), p2 in zip(m1.named_parameters(), m2.parameters()):
        np.testing.assert_allclose(p2.detach().numpy(), p1.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=k)
    assert _steps(o2, m2) == _steps(o1, m1) == {
        "trunk.weight": 5, "trunk.bias": 5, "a.weight": 5, "a.bias": 5, "b.weight": 2,
        "b.bias": 2}
    # and the split counts keep counting apart on the next calls
    compiled(x, y)
    eager(x, y)
    assert _steps(o2, m2) == _steps(o1, m1)


def test_state_made_ahead_of_a_first_step_is_not_in_the_state_dict():
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    for _ in range(2):
        eager(x, y)
        compiled(x, y)
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    assert sorted(s2) == sorted(s1) == [0, 1, 2, 3]       # head b never stepped


def test_loading_a_state_dict_shares_equal_step_counts():
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    for _ in range(2):
        _step(m1, o1, use_b=True)(x, y)
    o2.load_state_dict(o1.state_dict())
    counts = [o2.state[p]["step"] for p in m2.parameters()]
    assert all(c._value is counts[0]._value for c in counts) and int(counts[0]) == 2
    # unequal counts stay apart
    _step(m1, o1)(x, y)
    o2.load_state_dict(o1.state_dict())
    assert _steps(o2, m2) == _steps(o1, m1)
    assert o2.state[m2.a.weight]["step"]._value is not o2.state[m2.b.weight]["step"]._value


def test_requires_grad_toggled_between_calls_is_guarded():
    (m1, o1), (m2, o2) = _pair(torch.optim.SGD, lr=0.1, momentum=0.9)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    compiled(x, y)
    eager(x, y)
    before = compile_count()
    for m in (m1, m2):
        m.trunk.weight.requires_grad_(False)
    frozen = m2.trunk.weight.detach().numpy().copy()
    for _ in range(2):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    assert compile_count() - before == 1
    np.testing.assert_array_equal(m2.trunk.weight.detach().numpy(), frozen)
    for m in (m1, m2):
        m.trunk.weight.requires_grad_(True)
    np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    # one more trace: trunk.weight's step count now lags the others', so it is its own slot
    assert compile_count() - before == 2
    np.testing.assert_allclose(m2.trunk.weight.detach().numpy(),
                               m1.trunk.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_rng_state_round_trips_around_compiled_calls():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(5, 8), nn.Dropout(0.5))

    @torch.compile
    def forward(x):
        return model(x)

    x = torch.ones(4, 5)
    forward(x)
    state = torch.get_rng_state()
    a = forward(x).detach().numpy()
    after_a = torch.rand(3).numpy()
    torch.set_rng_state(state)
    np.testing.assert_array_equal(forward(x).detach().numpy(), a)
    np.testing.assert_array_equal(torch.rand(3).numpy(), after_a)


def test_state_loaded_or_replaced_between_calls_is_used():
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    for _ in range(3):
        eager(x, y)
    compiled(x, y)
    # load the eager run's model and optimizer state into the compiled run's objects
    m2.load_state_dict(m1.state_dict())
    o2.load_state_dict(o1.state_dict())       # replaces the optimizer's state dicts
    for _ in range(2):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    assert _steps(o2, m2) == _steps(o1, m1)
    # a parameter replaced on its module is the one the next call reads and updates
    new = nn.Parameter(torch.zeros(3, 8))
    m2.a.weight = new
    o2.param_groups[0]["params"][2] = new
    compiled(x, y)
    assert m2.a.weight is new and not np.all(new.detach().numpy() == 0)


def test_one_array_assigned_to_two_tensors_between_calls_is_donated_once():
    # After a call the inputs are usually the last outputs (distinct buffers); an array
    # assigned to two tensors in between must still be copied once before donation. (The
    # assignment ties them, as torch's .data shares storage: both updates add up there.)
    (m1, o1), (m2, o2) = _pair()
    compiled = torch.compile(_step(m1, o1, use_b=True))
    eager = _step(m2, o2, use_b=True)
    x, y = _data()
    for i in range(4):
        if i == 2:
            for m in (m1, m2):
                m.b.bias.data = m.a.bias.data
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-6)
    np.testing.assert_array_equal(m1.a.bias.detach().numpy(), m1.b.bias.detach().numpy())
    assert_same_state(m1, m2, rtol=1e-5, atol=1e-7)


def test_optimizer_state_reloaded_from_a_checkpoint_between_calls_is_used():
    # Resuming mid-run: load_state_dict makes a new `optimizer.state` dict, which the next
    # compiled call must read and update (it once kept stepping the replaced state).
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    checkpoints = []
    for model, opt, step in ((m1, o1, eager), (m2, o2, compiled)):
        step(x, y)
        checkpoints.append((copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())))
        for _ in range(3):
            step(x, y)
    for (model, opt, step), (msd, osd) in zip(((m1, o1, eager), (m2, o2, compiled)),
                                              checkpoints):
        model.load_state_dict(msd)
        opt.load_state_dict(osd)
    for _ in range(2):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    assert _steps(o2, m2) == _steps(o1, m1) == {name: 3 for name in _steps(o1, m1)}
    assert_same_state(m1, m2, rtol=1e-5, atol=1e-6)


def test_a_group_replaced_by_an_equal_copy_is_the_one_read():
    # The optimizer's list is compared by identity: a copy with the same values is another
    # group, and a later change of its lr must reach the compiled step as it does eager.
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    for _ in range(2):
        eager(x, y), compiled(x, y)
    for o in (o1, o2):
        o.param_groups[0] = dict(o.param_groups[0])
    for _ in range(2):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    for o in (o1, o2):
        o.param_groups[0]["lr"] = 0.5
    for _ in range(2):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    assert_same_state(m1, m2, rtol=1e-5, atol=1e-6)


def test_a_parameter_replaced_by_an_equal_one_in_a_group_is_the_one_stepped():
    # Groups' parameter lists are compared by identity: two one-element parameters of
    # equal value are different parameters (a Tensor's == compares values).
    def run(compiled):
        a, b = nn.Parameter(torch.ones(1)), nn.Parameter(torch.ones(1))
        opt = torch.optim.SGD([a], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = (opt.param_groups[0]["params"][0] * x).sum()
            loss.backward()
            opt.step()
            return loss
        step = torch.compile(step) if compiled else step
        x = torch.full((3,), 2.0)
        step(x), step(x)
        b.data.copy_(a.data)            # (equal values)
        opt.param_groups[0]["params"][0] = b
        step(x), step(x)
        return a.detach().numpy(), b.detach().numpy()
    eager, compiled = run(False), run(True)
    np.testing.assert_allclose(compiled[0], eager[0], rtol=1e-6)
    np.testing.assert_allclose(compiled[1], eager[1], rtol=1e-6)


def test_changes_between_calls_reach_the_next_call():
    # The plain loop reuses the last call's state as it is (a snapshot of identities);
    # each change below must take the next call down the full path, as eager sees it.
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    changes = [
        lambda m, o: o.param_groups[0].__setitem__("lr", 0.01),
        lambda m, o: o.param_groups[0].__setitem__("betas", (0.5, 0.9)),
        lambda m, o: torch.manual_seed(7),
        lambda m, o: (setattr(m, "a", nn.Linear(8, 3)),
                      o.add_param_group({"params": list(m.a.parameters()), "lr": 0.2})),
        lambda m, o: (setattr(m.trunk, "bias", nn.Parameter(torch.ones(8))),
                      o.param_groups[0]["params"].__setitem__(1, m.trunk.bias)),
        lambda m, o: m.trunk.bias.data.fill_(0.5),
        # (a group replaced in the optimizer's list: before, its new lr went unused)
        lambda m, o: o.param_groups.__setitem__(0, {**o.param_groups[0], "lr": 0.3}),
    ]
    for i, change in enumerate(changes):
        for _ in range(2):
            np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5,
                                       err_msg=f"before change {i}")
        assert compiled._snapshot is not None and compiled._snapshot.holds(), i
        torch.manual_seed(i)
        change(m1, o1)
        torch.manual_seed(i)
        change(m2, o2)
        assert not compiled._snapshot.holds(), f"change {i} went unnoticed"
    np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    assert_same_state(m1, m2, rtol=1e-5, atol=1e-6)


def _under_no_grad(fn, *args):
    with torch.no_grad():
        fn(*args)


# Writes `_writes` counts, each made alone between two compiled calls: the call after one
# must not take the tensors and modules as the last call left them.
_COUNTED_WRITES = {
    "data": lambda m, o: setattr(m.a.weight, "data", torch.full((3, 8), 0.1)),
    "in-place": lambda m, o: _under_no_grad(m.a.bias.mul_, 0.5),
    "optimizer state": lambda m, o: o.state[m.a.weight]["exp_avg"].zero_(),
    "requires_grad_": lambda m, o: m.a.weight.requires_grad_(False),
    "requires_grad": lambda m, o: setattr(m.a.bias, "requires_grad", False),
    "detach_": lambda m, o: m.trunk.weight.detach_(),
    "eval": lambda m, o: m.eval(),
    "attribute": lambda m, o: setattr(m, "note", 1),
    "del attribute": lambda m, o: delattr(m, "note"),
    # (writes into the dicts that hold the state: _writes.CountedDict)
    "state entry set": lambda m, o: o.state[m.a.weight].__setitem__(
        "exp_avg", torch.full((3, 8), 0.01)),
    "state entries replaced": lambda m, o: o.state.__setitem__(m.a.weight, {
        k: v.clone() if k == "step" else torch.zeros_like(v)
        for k, v in o.state[m.a.weight].items()}),
    "state entries dropped": lambda m, o: o.state.pop(m.a.bias),
    "state cleared": lambda m, o: o.state.clear(),
    # (objects that exist already: making one would count writes of its own)
    "parameter dict entry": lambda m, o: m.a._parameters.__setitem__("bias", m.b.bias),
    "module dict entry": lambda m, o: m._modules.__setitem__("a", m.b),
    # (attributes of objects a snapshot no longer looks at while the count stands)
    "optimizer attribute": lambda m, o: setattr(o, "param_groups", [
        {**g, "lr": 0.2} for g in o.param_groups]),
    "reseed": lambda m, o: torch.manual_seed(7),
    "hook": lambda m, o: m.a.register_forward_hook(lambda mod, args, out: out * 2),
}


@pytest.mark.parametrize("name", list(_COUNTED_WRITES))
def test_a_counted_write_alone_between_calls_reaches_the_next_call(name):
    from functorch_like._writes import WRITES
    change = _COUNTED_WRITES[name]
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    m1.note = m2.note = 0
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    losses = [eager(x, y).item() for _ in range(2)]
    change(m1, o1)
    losses.append(eager(x, y).item())
    got = [compiled(x, y).item() for _ in range(2)]
    assert compiled._snapshot.writes == WRITES.count     # (nothing else wrote since)
    change(m2, o2)
    assert not compiled._snapshot.holds()
    got.append(compiled(x, y).item())
    np.testing.assert_allclose(got, losses, rtol=1e-5)
    assert_same_state(m1, m2, rtol=1e-5, atol=1e-6)


def test_a_loop_that_changes_nothing_keeps_the_count_of_writes():
    # What lets a call skip looking at every tensor (`_writes`): between two calls of a
    # plain loop over a DataLoader, with a scheduler stepping and .item() read, nothing
    # writes into a tensor or a module. The one counted write is the shuffling sampler's
    # draw from the global generator as an epoch starts (torch's draws there too), which
    # the step must see: it reads that generator's key.
    from functorch_like._writes import WRITES
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(8, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, 1)
    step = torch.compile(training_step(model, opt, nn.CrossEntropyLoss()))
    x, y = _data(24)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                         batch_size=8, shuffle=True)
    unchanged = []
    for _ in range(2):
        for xb, yb in loader:
            if step._snapshot is not None:
                unchanged.append(step._snapshot.writes == WRITES.count)
            step(xb, yb).item()
        sched.step()
    assert unchanged == [True, True, False, True, True]


def test_reseeding_between_calls_repeats_the_dropout_masks():
    model = nn.Dropout(0.5)

    @torch.compile
    def forward(x):
        return model(x)

    x = torch.ones(64)
    torch.manual_seed(5)
    first = [forward(x).numpy() for _ in range(2)]
    torch.manual_seed(5)
    again = [forward(x).numpy() for _ in range(2)]
    assert not np.array_equal(first[0], first[1])
    for u, v in zip(first, again):
        np.testing.assert_array_equal(u, v)


@contextlib.contextmanager
def _default_dtype(dtype):
    before = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


@pytest.mark.parametrize("mode", ["autocast", "default dtype"])
def test_a_global_mode_set_alone_between_calls_reaches_the_next_call(mode):
    # Setting these is a counted write (`_writes`): the snapshot of the call before must
    # not hold under them, and the call computes as eager code does there.
    (m1, o1), (m2, o2) = _pair(lr=0.05)
    x, y = _data()
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    for _ in range(2):
        eager(x, y), compiled(x, y)
    assert compiled._snapshot.holds()
    with (torch.autocast("cpu", dtype=torch.bfloat16) if mode == "autocast"
          else _default_dtype(torch.float16)):
        assert not compiled._snapshot.holds()
        got, expected = compiled(x, y), eager(x, y)
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got.float().item(), expected.float().item(), rtol=1e-4)
    np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    assert_same_state(m1, m2, rtol=1e-5, atol=1e-6)


def test_global_modes_select_their_own_program():
    # autocast, grad mode and the default dtype change what a traced step computes: a call
    # under other modes than the first trace's computes as eager code does there.
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    step = summed_step(model, opt)
    forward, compiled = torch.compile(lambda x: model(x)), torch.compile(step)
    x = torch.randn(2, 4)
    assert forward(x).dtype == torch.float32
    compiled(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out, expected = forward(x), model(x)
    assert out.dtype == expected.dtype == torch.bfloat16
    np.testing.assert_allclose(out.detach().float().numpy(),
                               expected.detach().float().numpy())
    assert forward(x).dtype == torch.float32
    for fn in (step, compiled):
        with torch.no_grad():
            try:
                fn(x)
            except RuntimeError as err:
                assert "does not require grad" in str(err)
            else:
                raise AssertionError(f"{fn} ran backward under no_grad")
    compiled(x)                     # and back under grad mode, with the first program


def test_module_attributes_changed_between_calls_select_a_new_program():
    # A trace bakes plain attributes in (Dropout's p, LeakyReLU's slope); torch.compile
    # guards on them, and so does functorch_like.compile.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.LeakyReLU(0.5), nn.Dropout(0.5))

    @torch.compile
    def forward(x):
        return model(x)

    x = torch.randn(3, 4)
    forward(x)
    before = compile_count()
    model[2].p = 0.0
    h = model[0](x).detach().numpy()
    np.testing.assert_allclose(forward(x).detach().numpy(), np.where(h > 0, h, 0.5 * h),
                               rtol=1e-6)
    model[1].negative_slope = 0.1
    np.testing.assert_allclose(forward(x).detach().numpy(), np.where(h > 0, h, 0.1 * h),
                               rtol=1e-6)
    forward(x)
    assert compile_count() - before == 2


_GLOBAL_STEP = """
def step(x, y):
    opt.zero_grad()
    loss = crit(model(x), y)
    loss.backward()
    opt.step()
    return loss
"""


def test_names_rebound_between_calls_reach_the_next_call():
    # A notebook cell run again makes a new model and optimizer under the old names:
    # the next call must train the new ones (torch.compile guards on them too), whether
    # the step names them as globals or through its closure.
    x, y = _data()

    def make():
        torch.manual_seed(1)
        model = _TwoHeads()
        return model, torch.optim.SGD(model.parameters(), lr=0.1)

    crit = nn.CrossEntropyLoss()
    namespace = {"crit": crit}
    exec(_GLOBAL_STEP, namespace)                  # a step whose names are globals
    namespace["model"], namespace["opt"] = make()
    closure_step = training_step(*make(), crit)    # and one whose names are free variables
    by_global, by_closure = torch.compile(namespace["step"]), torch.compile(closure_step)
    for step in (by_global, by_closure):
        step(x, y)
        step(x, y)
    first = namespace["model"].a.weight.detach().numpy().copy()
    # Rebind the globals, and the closure's cells (what `nonlocal` rebinding does).
    namespace["model"], namespace["opt"] = make()
    cells = dict(zip(closure_step.__code__.co_freevars, closure_step.__closure__))
    cells["model"].cell_contents, cells["opt"].cell_contents = make()
    eager_model, eager_opt = make()
    expected = _step(eager_model, eager_opt)(x, y).item()
    for step, m in ((by_global, namespace["model"]),
                    (by_closure, cells["model"].cell_contents)):
        np.testing.assert_allclose(step(x, y).item(), expected, rtol=1e-6)
        np.testing.assert_allclose(m.a.weight.detach().numpy(),
                                   eager_model.a.weight.detach().numpy(), rtol=1e-6)
    assert not np.array_equal(first, eager_model.a.weight.detach().numpy())


def test_state_a_step_only_reads_is_not_donated():
    # A frozen trunk's weights stay the arrays they were (only what the step writes is
    # donated), so another holder of those arrays keeps them; the training equals eager.
    (m1, o1), (m2, o2) = _pair(torch.optim.SGD, lr=0.1)
    for m in (m1, m2):
        m.trunk.requires_grad_(False)
    frozen = m2.trunk.weight._value
    eager, compiled = _step(m1, o1), torch.compile(_step(m2, o2))
    x, y = _data()
    for _ in range(3):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-6)
    assert m2.trunk.weight._value is frozen and not frozen.is_deleted()
    assert_same_state(m1, m2)


_ALIASES = {
    "detach": lambda m, o: m.a.weight.detach(),
    "data": lambda m, o: m.a.weight.data,
    "view": lambda m, o: m.a.weight.view(-1),
    "index": lambda m, o: m.a.weight[1],
    "optimizer state": lambda m, o: o.state[m.a.weight]["exp_avg"].detach(),
}


@pytest.mark.parametrize("name", list(_ALIASES))
def test_an_alias_or_view_taken_between_calls_sees_the_next_calls_values(name):
    # A call's write-back looks for aliases and views to update only when one was taken
    # since it last found none (`StepState._publish`): one taken between plain calls
    # must still see the state the next call writes, as it would in torch.
    (m, o), _ = _pair(lr=0.05)
    x, y = _data()
    step = torch.compile(_step(m, o))
    for _ in range(3):
        step(x, y)
    alias = _ALIASES[name](m, o)
    before = alias.detach().numpy().copy()
    step(x, y)
    after = _ALIASES[name](m, o).detach().numpy()
    assert not np.array_equal(after, before)
    np.testing.assert_array_equal(alias.detach().numpy(), after)


@pytest.mark.parametrize("donate", [True, False], ids=["donated", "not donated"])
def test_two_compiled_steps_over_one_model_see_each_others_writes(donate):
    # A call's write-back is a counted write: the other function's snapshot must not take
    # the state as its own last call left it. Before, the second round read the buffers
    # the other step had donated ("Buffer has been deleted or donated"), or without
    # donation its old values (a step lost).
    (m1, o1), (m2, o2) = _pair(torch.optim.SGD, lr=0.1, momentum=0.9)
    x, y = _data()
    mse = nn.MSELoss()

    def steps(model, opt):
        def by_class(x, y):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        def towards_zero(x):
            opt.zero_grad()
            loss = mse(model(x), torch.zeros(len(x), 3))
            loss.backward()
            opt.step()
            return loss
        return by_class, towards_zero
    # (each loop alone: the eager twin's writes between compiled calls would be counted)
    eager = steps(m1, o1)
    expected = [f(*a).item() for _ in range(3) for f, a in zip(eager, [(x, y), (x,)])]
    compiled = [torch.compile(f, donate=donate) for f in steps(m2, o2)]
    got = [f(*a).item() for _ in range(3) for f, a in zip(compiled, [(x, y), (x,)])]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert_same_state(m1, m2, rtol=1e-5, atol=1e-6)
