"""What a compiled step does to Python objects besides its tensors' values: a buffer or
attribute rebound in forward, a dict entry set, a module's plain attribute changed, which
are redone after every call as eager code would do them; and the changes a compiled step
cannot repeat (a list appended to), which raise a clear error and leave the objects as
they were."""

import functools

import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn
from functorch_like._trace_state import UntraceableError

from _compile_helpers import assert_same_state, squared_step


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a.detach().numpy()), np.asarray(b.detach().numpy()),
                               rtol=1e-5, atol=1e-6)


class _Stateful(nn.Module):
    """A forward that rebinds a buffer (an EMA written the usual PyTorch way), keeps a
    tuple of tensors (an RNN's hidden state) and counts its calls in a plain attribute."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)
        self.register_buffer("ema", torch.zeros(3))
        self.hidden = (torch.zeros(3), torch.ones(3))
        self.calls = 0

    def forward(self, x):
        h = self.lin(x)
        self.ema = 0.9 * self.ema + 0.1 * h.detach().mean(0)
        a, b = self.hidden
        self.hidden = (0.5 * a + h.detach().mean(0), b * 0.9)
        self.calls += 1
        return h + self.hidden[0]


def _pair():
    models = []
    for _ in range(2):
        torch.manual_seed(0)
        model = _Stateful()
        models.append((model, torch.optim.SGD(model.parameters(), lr=0.1)))
    return models


def _step(model, opt, stats):
    train = squared_step(model, opt)

    def step(x):
        loss = train(x)
        stats["loss"] = loss.detach()       # a dict entry set to a tensor
        return loss
    return step


def test_buffers_attributes_and_dict_entries_a_step_rebinds_are_rebound_after_each_call():
    (model, opt), (eager_model, eager_opt) = _pair()
    stats, eager_stats = {}, {}
    compiled = torch.compile(_step(model, opt, stats))
    eager = _step(eager_model, eager_opt, eager_stats)
    for _ in range(4):
        x = torch.randn(5, 3)
        _close(compiled(x), eager(x))
        _close(model.ema, eager_model.ema)
        for a, b in zip(model.hidden, eager_model.hidden):
            _close(a, b)
        _close(stats["loss"], eager_stats["loss"])
        assert model.calls == eager_model.calls
    assert_same_state(eager_model, model)
    assert "ema" in dict(model.named_buffers())


def test_train_inside_a_step_leaves_the_model_in_train_mode_as_eager():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    @torch.compile
    def step(x):
        model.train()
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    model.eval()
    x = torch.randn(4, 3)
    step(x)
    assert model.training and model[1].training
    step(x)
    model.eval()
    step(x)
    assert model.training


def test_a_warmup_that_sets_lr_inside_the_step_leaves_that_lr_in_the_group():
    (model, opt), (eager_model, eager_opt) = _pair()

    def make(model, opt):
        train = squared_step(model, opt)

        def step(x, i):
            for group in opt.param_groups:
                group["lr"] = 0.1 * min(1.0, (i + 1) / 3)
            return train(x)
        return step
    compiled, eager = torch.compile(make(model, opt)), make(eager_model, eager_opt)
    for i in range(4):
        x = torch.randn(5, 3)
        _close(compiled(x, i), eager(x, i))
        assert opt.param_groups[0]["lr"] == eager_opt.param_groups[0]["lr"]
    assert_same_state(eager_model, model)


def test_an_lr_decayed_in_place_inside_the_step_keeps_decaying_as_eager():
    # `group["lr"] *= 0.5` computes from the traced lr: the program outputs the number.
    (model, opt), (eager_model, eager_opt) = _pair()

    def make(model, opt):
        train = squared_step(model, opt)

        def step(x):
            loss = train(x)
            for group in opt.param_groups:
                group["lr"] *= 0.5
            return loss
        return step
    compiled, eager = torch.compile(make(model, opt)), make(eager_model, eager_opt)
    for _ in range(4):
        x = torch.randn(5, 3)
        _close(compiled(x), eager(x))
        lr = opt.param_groups[0]["lr"]
        assert type(lr) is float            # (to float32 precision: the program's number)
        np.testing.assert_allclose(lr, eager_opt.param_groups[0]["lr"], rtol=1e-6)
    assert_same_state(eager_model, model)


def test_what_a_step_appends_to_a_list_is_appended_after_each_call():
    (model, opt), (eager_model, eager_opt) = _pair()

    def make(model, opt, history):
        train = squared_step(model, opt)

        def step(x):
            loss = train(x)
            history.append((loss.detach(), "loss"))
            return loss
        return step
    history, eager_history = [], []
    compiled = torch.compile(make(model, opt, history))
    eager = make(eager_model, eager_opt, eager_history)
    for _ in range(70):         # (past the 64 entries a container is looked into up to)
        x = torch.randn(5, 3)
        _close(compiled(x), eager(x))
    assert len(history) == 70 and [n for _, n in history] == ["loss"] * 70
    np.testing.assert_allclose([t.item() for t, _ in history],
                               [t.item() for t, _ in eager_history], rtol=1e-5)


def test_changes_a_compiled_step_cannot_repeat_raise_and_leave_the_objects_as_they_were():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    first = torch.tensor(0.0)
    history, config = [first], {"seen": 0}

    @torch.compile
    def prepends(x):
        loss = model(x).sum()
        history.insert(0, loss)
        return loss

    @torch.compile
    def counts(x):
        config["seen"] += 1
        return model(x).sum()

    x = torch.randn(2, 3)
    with pytest.raises(UntraceableError, match=r"changed the list `history` \(other than by "
                       r"appending to it\).*return the values and change the list after the "
                       r"call"):
        prepends(x)
    assert len(history) == 1 and history[0] is first
    with pytest.raises(UntraceableError, match=r"set `config\['seen'\]`"):
        counts(x)
    assert config == {"seen": 0}


def test_draws_from_python_or_numpy_random_raise_and_leave_their_state_as_it_was():
    """A trace would bake one draw into the program (every call would reuse it): Python's
    `random`, numpy's global generator and a numpy Generator the step reaches are refused
    by name, and their state is put back."""
    import random
    rng = np.random.default_rng(0)
    steps = {
        "Python's `random` module": lambda x: x * random.random(),
        "`numpy.random`": lambda x: x * float(np.random.rand()),
        "`rng`": lambda x: x * float(rng.random()),
    }
    random.seed(1)
    np.random.seed(1)
    before = (random.getstate(), np.random.get_state()[1].copy(), rng.bit_generator.state)
    for name, fn in steps.items():
        with pytest.raises(UntraceableError, match=f"drew random numbers from {name}.*draw "
                                                   "with torch"):
            torch.compile(fn)(torch.ones(2))
    assert random.getstate() == before[0]
    np.testing.assert_array_equal(np.random.get_state()[1], before[1])
    assert rng.bit_generator.state == before[2]


def test_tensor_arguments_changed_in_place_are_changed_for_the_caller():
    @torch.compile
    def normalize(x, scale):
        x.sub_(x.mean()).mul_(scale)
        return x.sum()

    eager_x, base = torch.arange(4.0), torch.arange(8.0)
    x, view = eager_x.clone(), base[2:6]            # (a view: its base changes too)
    eager_base = base.clone()
    normalize.fn(eager_x, 2.0)
    normalize.fn(eager_base[2:6], 2.0)
    normalize(x, 2.0)
    normalize(view, 2.0)
    assert x.tolist() == eager_x.tolist()
    assert base.tolist() == eager_base.tolist()
    # A leaf that requires grad: PyTorch's error, as eagerly; under no_grad (a hand-written
    # SGD update) the caller's leaf changes.
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                       "in an in-place operation"):
        normalize(torch.ones(3, requires_grad=True), 2.0)

    @torch.compile
    def sgd(w, g):
        with torch.no_grad():
            w.sub_(0.5 * g)

    w = torch.ones(3, requires_grad=True)
    sgd(w, torch.arange(3.0))
    assert w.tolist() == [1.0, 0.5, 0.0] and w.requires_grad and w.grad_fn is None


def test_a_draw_from_another_generator_raises_and_leaves_it_as_it_was():
    g = torch.Generator().manual_seed(3)

    @torch.compile
    def noisy(x):
        return x + torch.randn(3, generator=g)

    with pytest.raises(UntraceableError, match="drew random numbers from the "
                       "torch.Generator `g`"):
        noisy(torch.zeros(3))
    fresh = torch.Generator().manual_seed(3)
    assert torch.randn(3, generator=g).tolist() == torch.randn(3, generator=fresh).tolist()


class _Config:
    scale = 2.0

    @functools.cached_property
    def double(self):
        return self.scale * 2


def test_an_entry_the_step_adds_to_an_object_or_a_dict_is_there_after_the_call():
    # A cache filled while tracing (cached_property, dict.setdefault) is set again after
    # the call, not refused like a counter.
    config, cache = _Config(), {}

    @torch.compile
    def scaled(x):
        return x * config.double * cache.setdefault("three", 3)

    assert scaled(torch.ones(2)).tolist() == [12.0, 12.0]
    assert vars(config) == {"double": 4.0} and cache == {"three": 3}
