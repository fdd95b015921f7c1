"""How a compiled function's calls behave as the same function run eagerly: input
shapes, argument types, steps that only use the gradients, values the step rebinds."""

import re
from typing import NamedTuple

import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn

FILL = 1


def _twice(fn, calls):
    """[(eager result, compiled result)] of fn over the argument lists in `calls`; each
    call gets fresh copies of its tensor arguments."""
    compiled = torch.compile(fn)
    out = []
    for args in calls:
        e_args = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
        c_args = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
        out.append(((fn(*e_args), e_args), (compiled(*c_args), c_args)))
    return out


def _same(a, b):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6)
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert type(a) is type(b) and a == b


def test_what_a_step_returns_and_changes_follows_each_calls_input_shape():
    # The Python of a trace may depend on the shapes: one program per input signature.
    # (Once the metadata of the newest shape's trace answered for every shape.)
    def step(x):
        if x.shape[0] > 2:
            x.mul_(10)
            return x.sum(), x.size(0)
        return x.sum()
    for (eager, e_args), (compiled, c_args) in _twice(
            step, [[torch.ones(n)] for n in (3, 2, 3, 2)]):
        _same(eager, compiled)
        _same(e_args, c_args)


def test_a_new_batch_shape_compiles_once_more_and_old_shapes_reuse_their_programs():
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    @torch.compile
    def step(x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.detach(), x.size(0)
    step(torch.randn(4, 3), torch.randn(4, 1))
    start = torch._compile.compile_count()
    sizes = [step(torch.randn(n, 3), torch.randn(n, 1))[1] for n in (2, 4, 2, 4)]
    assert sizes == [2, 4, 2, 4]
    assert torch._compile.compile_count() == start + 1


@pytest.mark.parametrize("values", [(1, 1.0, True), (0, 0.0, False)])
def test_arguments_and_globals_equal_in_value_but_not_type_trace_apart(values):
    def fill(x, n):
        a = torch.full((3,), n)
        a[0] = 2.7
        return a + x

    def fill_global(x):
        a = torch.full((3,), FILL)
        a[0] = 2.5
        return a + x
    compiled, compiled_global = torch.compile(fill), torch.compile(fill_global)
    x = torch.zeros(3, dtype=torch.bool)
    for n in values:
        _same(fill(x, n), compiled(x, n))
        globals()["FILL"] = n
        _same(fill_global(x), compiled_global(x))
    globals()["FILL"] = 1


def test_a_compiled_optimizer_step_alone_uses_the_gradients_backward_left():
    # It once saw no .grad at all (the step changes none) and moved nothing.
    def run(compiled):
        torch.manual_seed(0)
        m = nn.Linear(2, 1, bias=False)
        opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        do_step = torch.compile(lambda: opt.step()) if compiled else opt.step
        for i in range(3):
            opt.zero_grad()
            m(torch.ones(1, 2)).sum().mul(i + 1).backward()
            do_step()
        return m.weight.detach().numpy(), m.weight.grad.numpy()
    eager, compiled = run(False), run(True)
    np.testing.assert_allclose(compiled[0], eager[0], rtol=1e-6)
    np.testing.assert_allclose(compiled[1], eager[1], rtol=1e-6)


def test_a_scheduler_rebound_between_calls_is_the_one_stepped():
    # A program replays the step() of the schedulers it was traced with: a new scheduler
    # under the old name (a fine-tuning schedule, a notebook cell run again) retraces.
    def run(compiled):
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        holder = {"sched": torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)}

        def step(x, y):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            holder["sched"].step()
            return loss
        f = torch.compile(step) if compiled else step
        x, y = torch.ones(4, 3), torch.zeros(4, 2)
        f(x, y), f(x, y)
        holder["sched"] = torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)
        lrs = [(f(x, y), opt.param_groups[0]["lr"])[1] for _ in range(3)]
        return lrs, holder["sched"].last_epoch, model.bias.detach().numpy()
    eager, compiled = run(False), run(True)
    assert compiled[:2] == eager[:2] == ([0.025] * 3, 3)
    np.testing.assert_allclose(compiled[2], eager[2], rtol=1e-6)


COUNTER = 0
TOTAL = torch.zeros(2)


def test_a_step_that_rebinds_a_global_or_nonlocal_raises_and_leaves_it_as_it_was():
    # It once ran the Python twice per call (counting 2, 4, 6) or left a tracer behind.
    def count(x):
        global COUNTER
        COUNTER += 1
        return x * COUNTER

    def accumulate(x):
        global TOTAL
        TOTAL = TOTAL + x
        return TOTAL.sum()

    def make_counter():
        n = 0

        def step(x):
            nonlocal n
            n += 1
            return x * n
        return step, lambda: n
    closure, read_n = make_counter()
    before = TOTAL
    for fn, name, kind in ((count, "COUNTER", "global"), (accumulate, "TOTAL", "global"),
                           (closure, "n", "closure (nonlocal)")):
        with pytest.raises(torch._trace_state.UntraceableError,
                           match=re.escape(f"rebinds the {kind} variable `{name}`")):
            torch.compile(fn)(torch.ones(2))
    assert COUNTER == 0 and TOTAL is before and read_n() == 0
    np.testing.assert_array_equal(TOTAL.numpy(), [0.0, 0.0])       # no tracer left there


@pytest.mark.parametrize("set_lr", ["constant", "warmup_from_last_epoch"])
def test_a_step_that_sets_the_lr_itself_trains_as_eager(set_lr):
    # A constant lr set inside crashed the second call (its device array was made an
    # argument of the executable); a warm-up reading sched.last_epoch kept its first value.
    def run(compiled):
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, 0.5)

        def step(x, y):
            for g in opt.param_groups:
                g["lr"] = 0.05 if set_lr == "constant" else 0.1 * min(
                    1.0, (sched.last_epoch + 1) / 3)
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            sched.step()
            return loss
        f = torch.compile(step) if compiled else step
        x, y = torch.randn(4, 3), torch.randn(4, 2)
        out = [(f(x, y).item(), opt.param_groups[0]["lr"]) for _ in range(4)]
        return out, model.weight.detach().numpy()
    eager, compiled = run(False), run(True)
    np.testing.assert_allclose(np.array(compiled[0]), np.array(eager[0]), rtol=1e-6)
    np.testing.assert_allclose(compiled[1], eager[1], rtol=1e-6)


def test_a_scheduler_stepped_before_its_optimizer_inside_a_step_raises():
    # Its step is replayed after the call: the update would silently use the old lr.
    model = nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, 0.5)

    @torch.compile
    def step(x):
        opt.zero_grad()
        model(x).sum().backward()
        sched.step()
        opt.step()
    weight = model.weight.detach().clone()
    with pytest.raises(torch._trace_state.UntraceableError,
                       match=r"scheduler.step\(\) before optimizer.step\(\)"):
        step(torch.ones(1, 3))
    np.testing.assert_array_equal(model.weight.detach().numpy(), weight.numpy())
    assert sched.last_epoch == 0 and opt.param_groups[0]["lr"] == 0.1


def _linear_ones():
    m = nn.Linear(2, 1)
    with torch.no_grad():
        m.weight.fill_(1.0)
        m.bias.fill_(0.0)
    return m


def _follows_changes(compiled, eager, model, rebind=lambda: None):
    """compiled() == eager() before and after the model's weights change in place (and
    after `rebind()` changes the plain values they read)."""
    for _ in range(3):
        np.testing.assert_allclose(compiled().detach().numpy(), eager().detach().numpy(),
                                   rtol=1e-6)
        with torch.no_grad():
            model.weight.add_(1.0)
        rebind()


def test_a_compiled_function_calling_another_follows_the_inner_ones_model():
    # The inner compiled function's closure was not looked into: its model was baked in.
    model, x = _linear_ones(), torch.ones(1, 2)
    inner = torch.compile(lambda x: model(x))
    outer = torch.compile(lambda x: inner(x) * 2)
    _follows_changes(lambda: outer(x), lambda: model(x) * 2, model)


def test_models_and_numbers_held_by_a_users_module_class_or_dict_of_functions_are_state():
    import types
    model, x = _linear_ones(), torch.ones(1, 2)
    helpers = types.ModuleType("user_helpers")        # (a module of the user's)
    helpers.model, helpers.SCALE = model, 1.0
    helpers.forward = lambda x: helpers.model(x) * helpers.SCALE

    class Cfg:
        scale = 1.0

        @staticmethod
        def forward(x):
            return model(x) * Cfg.scale
    table = {"f": lambda x: model(x) * Cfg.scale}
    globals().update(_helpers=helpers, _Cfg=Cfg, _table=table)
    cases = [(lambda x: _helpers.forward(x), lambda: helpers.SCALE),
             (lambda x: _Cfg.forward(x), lambda: Cfg.scale),
             (lambda x: _table["f"](x), lambda: Cfg.scale)]
    for fn, scale in cases:
        def rebind():
            helpers.SCALE += 1.0
            Cfg.scale += 1.0
        compiled = torch.compile(fn)
        _follows_changes(lambda: compiled(x), lambda: model(x) * scale(), model, rebind)


def test_a_model_the_search_cannot_reach_is_found_when_the_trace_calls_it():
    # Deeper than the containers looked into: the trace meets it and traces again with it
    # as state (it was a constant of the program).
    model, x = _linear_ones(), torch.ones(1, 2)
    nest = {"a": {"b": {"c": {"d": {"model": model}}}}}
    compiled = torch.compile(lambda x: nest["a"]["b"]["c"]["d"]["model"](x))
    _follows_changes(lambda: compiled(x), lambda: model(x), model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    nest["a"]["b"]["c"]["d"]["opt"] = opt

    def train(x):
        inner = nest["a"]["b"]["c"]["d"]
        inner["opt"].zero_grad()
        loss = inner["model"](x).sum()
        loss.backward()
        inner["opt"].step()
        return loss
    eager_model = _linear_ones()
    eager_opt = torch.optim.SGD(eager_model.parameters(), lr=0.1)
    with torch.no_grad():
        eager_model.weight.copy_(model.weight)
    compiled_train = torch.compile(train)
    for _ in range(3):
        got = compiled_train(x)
        eager_opt.zero_grad()
        want = eager_model(x).sum()
        want.backward()
        eager_opt.step()
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(model.weight.detach().numpy(),
                               eager_model.weight.detach().numpy(), rtol=1e-6)


def _train_twins(make, steps=3, between=lambda model: None):
    """(eager, compiled) losses and final state of a model trained by SGD on the squared
    output, `between(model)` called after the first step."""
    from _compile_helpers import squared_step
    out = []
    for compiled in (False, True):
        torch.manual_seed(0)
        model = make()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        step = squared_step(model, opt)
        step = torch.compile(step) if compiled else step
        x = torch.ones(4, 3)
        losses = []
        for i in range(steps):
            losses.append(step(x).item())
            if i == 0:
                between(model)
        out.append((losses, model))
    return out


def test_a_parameter_set_to_none_between_calls_retraces():
    # The optimizer still holds the old bias: the layout of tensors stayed the same and the
    # program kept adding it.
    def drop_bias(model):
        model.bias = None
    (eager, e_model), (compiled, c_model) = _train_twins(lambda: nn.Linear(3, 1),
                                                         between=drop_bias)
    np.testing.assert_allclose(compiled, eager, rtol=1e-6)
    assert c_model.bias is None
    np.testing.assert_allclose(c_model.weight.detach().numpy(),
                               e_model.weight.detach().numpy(), rtol=1e-6)


class _Snapshotting(nn.Module):
    """Keeps `weight.detach()` (sharing its value) as a plain attribute it rebinds in
    forward, as the hook-style spectral_norm does."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self.snapshot = self.lin.weight.detach()

    def forward(self, x):
        self.snapshot = self.lin.weight.detach() * 2
        return self.lin(x)


@pytest.mark.parametrize("make", [_Snapshotting,
                                  lambda: nn.utils.spectral_norm(nn.Linear(3, 2))])
def test_rebinding_an_attribute_that_shares_a_parameters_value_leaves_the_parameter(make):
    # The new value was written into the attribute's old tensor, and so into the
    # parameter it shared its value with.
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        (eager, e_model), (compiled, c_model) = _train_twins(make, steps=4)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    from _compile_helpers import assert_same_state
    assert_same_state(e_model, c_model)


def test_a_tensor_passed_twice_or_also_state_is_one_tensor_in_the_step_as_eagerly():
    # Each argument was an independent input: in-place changes through one name were lost
    # to the other, and a parameter passed in was donated twice.
    def add_then_read(a, b):
        a.add_(1)
        return b * 2
    x = torch.zeros(2)
    compiled = torch.compile(add_then_read)
    for _ in range(2):
        got = compiled(x, x)
    np.testing.assert_array_equal(got.numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(x.numpy(), [2.0, 2.0])

    def run(compiled):
        torch.manual_seed(0)
        model = nn.Linear(2, 1, bias=False)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)

        def step(x, w):             # w is model.weight
            opt.zero_grad()
            loss = model(x).sum() + (w ** 2).sum()
            loss.backward()
            opt.step()
            return loss
        f = torch.compile(step) if compiled else step
        return [f(torch.ones(1, 2), model.weight).item() for _ in range(3)], \
            model.weight.detach().numpy()
    (eager, e_w), (compiled_, c_w) = run(False), run(True)
    np.testing.assert_allclose(compiled_, eager, rtol=1e-6)
    np.testing.assert_allclose(c_w, e_w, rtol=1e-6)


def test_a_tensor_arguments_grad_enters_the_step_as_eagerly():
    # The step saw a fresh .grad: accumulation without zeroing, and a zero_() at its
    # start, went wrong.
    def run(compiled, zero_first):
        torch.manual_seed(0)
        w = torch.randn(3, requires_grad=True)

        def step(w, x):
            if zero_first and w.grad is not None:
                w.grad.zero_()
            loss = ((x * w).sum() - 1) ** 2
            loss.backward()
            with torch.no_grad():
                w.sub_(0.1 * w.grad)
            return loss, w.grad.clone()
        f = torch.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        out = [f(w, torch.tensor(rng.standard_normal(3).astype(np.float32)))
               for _ in range(3)]
        return [(a.item(), b.numpy()) for a, b in out], w.detach().numpy(), w.grad.numpy()
    for zero_first in (False, True):
        eager, compiled = run(False, zero_first), run(True, zero_first)
        for (le, ge), (lc, gc) in zip(eager[0], compiled[0]):
            np.testing.assert_allclose(lc, le, rtol=1e-6)
            np.testing.assert_allclose(gc, ge, rtol=1e-6)
        np.testing.assert_allclose(compiled[1], eager[1], rtol=1e-6)
        np.testing.assert_allclose(compiled[2], eager[2], rtol=1e-6)


def test_a_step_that_changes_a_list_or_dict_it_was_passed_raises():
    # The trace saw copies rebuilt from the leaves: the changes were silently lost.
    def store(batch, history):
        batch["out"] = batch["x"] * 2
        history.append(batch["x"].sum())
        return batch["x"].sum()
    batch, history = {"x": torch.ones(2)}, []
    with pytest.raises(torch._trace_state.UntraceableError, match="changed a list, tuple or "
                                                                  "dict it was passed"):
        torch.compile(store)(batch, history)
    assert list(batch) == ["x"] and history == []
    reads = torch.compile(lambda batch: batch["x"].sum() * 2)      # reading them is fine
    assert reads({"x": torch.ones(2)}).item() == 4.0


def test_a_draw_from_a_generator_passed_in_raises_and_leaves_it_usable():
    # A tracer was left in the generator: even eager draws from it failed afterwards.
    gen = torch.Generator().manual_seed(5)
    with pytest.raises(torch._trace_state.UntraceableError, match="torch.Generator"):
        torch.compile(lambda x, g: x + torch.rand(3, generator=g))(torch.zeros(3), gen)
    expected = torch.rand(3, generator=torch.Generator().manual_seed(5))
    np.testing.assert_array_equal(torch.rand(3, generator=gen).numpy(), expected.numpy())


def test_a_returned_argument_or_parameter_is_that_tensor_as_eagerly():
    def bump(a):
        a.add_(1)
        return a
    x = torch.zeros(2)
    out = torch.compile(bump)(x)
    assert out is x
    out.add_(100)
    np.testing.assert_array_equal(x.numpy(), [101.0, 101.0])
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    @torch.compile
    def step(x):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
        return model.weight, model.bias.detach()
    for _ in range(2):
        weight, bias = step(torch.ones(1, 2))
    assert weight is model.weight and weight.requires_grad
    assert bias is not model.bias
    np.testing.assert_array_equal(bias.numpy(), model.bias.detach().numpy())


@pytest.mark.parametrize("name", ["Adam", "SGD"])
def test_a_tensor_lr_under_a_scheduler_compiles_once_and_trains_as_eager(name):
    # A tensor lr raised inside the compiled step (its checks read it as a bool).
    def run(compiled):
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        lr = torch.tensor(0.05)
        opt = getattr(torch.optim, name)(model.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

        def step(x):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
            sched.step()
            return loss
        f = torch.compile(step) if compiled else step
        x = torch.randn(4, 3)
        f(x)
        start = torch._compile.compile_count()
        losses = [f(x).item() for _ in range(3)]
        return (losses, torch._compile.compile_count() - start,
                opt.param_groups[0]["lr"] is lr, lr.item(), model.weight.detach().numpy())
    eager, compiled = run(False), run(True)
    np.testing.assert_allclose(compiled[0], eager[0], rtol=1e-6)
    assert compiled[1] == 0                     # lr changes did not retrace
    assert compiled[2] and eager[2]             # the same tensor, changed in place (torch's)
    assert compiled[3] == eager[3] == pytest.approx(0.05 * 0.5 ** 4)
    np.testing.assert_allclose(compiled[4], eager[4], rtol=1e-6)


def test_a_parameter_without_a_gradient_is_skipped_as_eagerly():
    # Its None .grad entered the trace as zeros: AdamW decayed an unused head, and its
    # .grad came back as zeros.
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.head = nn.Linear(3, 1), nn.Linear(3, 2)

        def forward(self, x):
            return self.body(x)

    def run(compiled):
        torch.manual_seed(0)
        model = Net()
        opt = torch.optim.AdamW(model.parameters(), lr=0.1, weight_decay=0.5)

        def step(x, y):                 # (zero_grad outside, as in accumulation loops)
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss
        f = torch.compile(step) if compiled else step
        x, y = torch.randn(4, 3), torch.randn(4, 1)
        for _ in range(3):
            f(x, y)
            opt.zero_grad()
        return model.head.weight.grad, {k: v.numpy() for k, v in model.state_dict().items()}
    (e_grad, eager), (c_grad, compiled) = run(False), run(True)
    assert e_grad is None and c_grad is None
    for k in eager:
        np.testing.assert_allclose(compiled[k], eager[k], rtol=1e-6, err_msg=k)


def test_parameters_buffers_and_submodules_added_between_calls_retrace():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 1)
            self.register_buffer("shift", None)

        def forward(self, x):
            out = self.lin(x)
            if self.shift is not None:
                out = out + self.shift
            if hasattr(self, "extra"):
                out = out + self.extra(x)
            return out
    torch.manual_seed(0)
    model = Net()
    compiled = torch.compile(lambda x: model(x).sum())
    x = torch.ones(3, 2)
    changes = [lambda: None, lambda: setattr(model, "shift", torch.tensor(10.0)),
               lambda: model.add_module("extra", nn.Linear(2, 1)),
               lambda: model.register_buffer("shift", torch.tensor(-5.0))]
    for change in changes:
        change()
        np.testing.assert_allclose(compiled(x).item(), model(x).sum().item(), rtol=1e-6)


def test_dicts_passed_in_and_returned_keep_their_order():
    # JAX sorts a dict's keys: `batch.values()` and returned metrics came back reordered.
    concat = torch.compile(lambda batch: torch.cat(list(batch.values())))
    batch = {"z": torch.tensor([1.0]), "a": torch.tensor([2.0])}
    assert concat(batch).tolist() == [1.0, 2.0]
    metrics = torch.compile(lambda x: {"loss": x.sum(), "acc": x.mean(), "n": 2})
    out = metrics(torch.ones(2))
    assert list(out) == ["loss", "acc", "n"] and type(out) is dict


class _Batch(NamedTuple):
    inputs: torch.Tensor


def test_a_global_named_like_an_attribute_the_step_reads_is_not_state():
    # `batch.inputs` made a module-level `inputs` tensor state: rebinding it each loop
    # iteration retraced every call.
    model = nn.Linear(2, 1)
    step = torch.compile(lambda batch: model(batch.inputs).sum())
    globals()["inputs"] = torch.ones(3, 2)
    step(_Batch(globals()["inputs"]))
    start = torch._compile.compile_count()
    for i in range(4):
        globals()["inputs"] = torch.full((3, 2), float(i))
        step(_Batch(globals()["inputs"]))
    assert torch._compile.compile_count() == start


def test_freezing_a_layer_whose_grad_was_zeroed_in_place_leaves_no_tracer():
    # zero_grad(set_to_none=False) in the step wrote a traced value into the frozen
    # layer's .grad, which stayed there.
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    @torch.compile
    def step(x, y):
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=False)
        return loss
    x, y = torch.randn(4, 3), torch.randn(4, 1)
    step(x, y)
    step(x, y)
    model[0].requires_grad_(False)
    frozen = model[0].weight.detach().numpy().copy()
    step(x, y)
    np.testing.assert_array_equal(model[0].weight.grad.numpy(), np.zeros((4, 3)))
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), frozen)


HELPER_SCALE = 1.0


def _scaled(x):
    return x * HELPER_SCALE


class _Config:
    aux_weight = 0.0            # a class-level default the instance does not override


def test_numbers_read_by_a_modules_forward_helpers_or_as_class_defaults_are_guarded():
    # Neither was guarded: changing them between calls was silently ignored.
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 1)

        def forward(self, x):
            return _scaled(self.lin(x))
    torch.manual_seed(0)
    model, cfg = Net(), _Config()
    step = torch.compile(lambda x: model(x).sum() + cfg.aux_weight)
    x = torch.ones(3, 2)

    def check():
        np.testing.assert_allclose(step(x).item(), model(x).sum().item() + cfg.aux_weight,
                                   rtol=1e-6)
    check()
    globals()["HELPER_SCALE"] = 3.0
    check()
    _Config.aux_weight = 5.0
    check()
    cfg.aux_weight = 1.0
    check()
    globals()["HELPER_SCALE"] = 1.0
    _Config.aux_weight = 0.0
