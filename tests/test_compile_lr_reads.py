"""Learning rates read inside a compiled step give eager code's numbers on every call, or
a clear UntraceableError where the trace cannot hold them.

A param group's numbers are inputs of the program: read before the step's
scheduler.step() they are this call's, in tensor math, returned or appended to a list.
The recorded scheduler.step() only takes effect when it is replayed after the call, so a
group's lr read after it, and any get_last_lr() number, is read on the host when returned
or appended (before: as the call began; after: as the call left it) and refused in a
computation, where the trace would have kept one number for every call."""

import math

import numpy as np
import pytest

import functorch_like as ft
from functorch_like._trace_state import UntraceableError


def _setup(opt_cls=ft.optim.SGD, sched=lambda o: ft.optim.lr_scheduler.ExponentialLR(o, 0.5),
           **opt_kwargs):
    ft.manual_seed(0)
    model = ft.nn.Linear(3, 2)
    opt = opt_cls(model.parameters(), **({"lr": 0.1} | opt_kwargs))
    return model, opt, sched(opt)


def _run_both(make_step, calls=4, **setup):
    """[(results, log, parameters) eager, the same compiled] for the step
    make_step(model, opt, sched, log) builds, each run from the same seed."""
    out = []
    for compiled in (False, True):
        model, opt, sched = _setup(**setup)
        log = []
        step = make_step(model, opt, sched, log)
        f = ft.compile(step) if compiled else step
        results = [f(ft.ones(4, 3)) for _ in range(calls)]
        out.append((results, log, [p.detach().numpy().copy() for p in model.parameters()]))
    return out


def _update(model, opt, x):
    """One plain update of the step bodies below: its loss."""
    opt.zero_grad()
    loss = model(x).pow(2).mean()
    loss.backward()
    opt.step()
    return loss


def _numbers(results):
    return [[float(v.detach()) if isinstance(v, ft.Tensor) else float(v)
             for v in (r if isinstance(r, tuple) else (r,))] for r in results]


def test_group_lr_returned_before_and_after_the_scheduler_step():
    def make(model, opt, sched, log):
        def step(x):
            opt.zero_grad()
            before = opt.param_groups[0]["lr"]
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
            sched.step()
            return before, opt.param_groups[0]["lr"]
        return step
    (eager, _, _), (compiled, _, _) = _run_both(make)
    assert _numbers(compiled) == _numbers(eager)
    assert _numbers(eager)[0] == [0.1, 0.05]
    assert all(type(v) is float for r in compiled for v in r)


def test_get_last_lr_returned_before_and_after_the_scheduler_step():
    def make(model, opt, sched, log):
        def step(x):
            opt.zero_grad()
            before = sched.get_last_lr()[0]
            model(x).sum().backward()
            opt.step()
            sched.step()
            return before, sched.get_last_lr()[0]
        return step
    (eager, _, _), (compiled, _, _) = _run_both(make)
    assert _numbers(compiled) == _numbers(eager)
    assert _numbers(eager)[2] == [0.025, 0.0125]


def test_group_lr_in_tensor_math_before_the_scheduler_step():
    """(the program's input on every call: one trace for all calls)"""
    def make(model, opt, sched, log):
        def step(x):
            opt.zero_grad()
            lr = opt.param_groups[0]["lr"]
            loss = model(x).pow(2).mean()
            loss.backward()
            with ft.no_grad():
                model.bias -= lr * model.bias.grad      # a hand-written extra update
            opt.step()
            sched.step()
            return loss * lr
        return step
    before = ft._compile.compile_count()
    (eager, _, eager_params), (compiled, _, params) = _run_both(make)
    assert ft._compile.compile_count() - before == 1
    np.testing.assert_allclose(_numbers(compiled), _numbers(eager), rtol=1e-6)
    for a, b in zip(params, eager_params):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_group_lr_read_after_the_scheduler_step_refused_in_math():
    def make(model, opt, sched, log):
        def step(x):
            loss = _update(model, opt, x)
            sched.step()
            return loss * opt.param_groups[0]["lr"]
        return step
    with pytest.raises(UntraceableError, match=r"SGD.param_groups\[0\]\['lr'\] read after "
                                               r"scheduler.step\(\)"):
        _run_both(make)


@pytest.mark.parametrize("use", [
    lambda loss, lr: loss * lr,
    lambda loss, lr: ft.tensor(lr),
    lambda loss, lr: loss + (1.0 if lr > 0.05 else 0.0),
    lambda loss, lr: loss * float(lr),
    lambda loss, lr: loss * f"{lr:.3f}".count("0"),
])
def test_get_last_lr_refused_in_a_computation(use):
    """The number of the trace would be every call's (it was: 0.1 on every call)."""
    def make(model, opt, sched, log):
        def step(x):
            loss = _update(model, opt, x)
            out = use(loss, sched.get_last_lr()[0])
            sched.step()
            return out
        return step
    with pytest.raises(UntraceableError, match=r"ExponentialLR.get_last_lr\(\)\[0\]"):
        _run_both(make)


def test_numbers_appended_to_a_list_are_each_calls():
    def make(model, opt, sched, log):
        def step(x):
            loss = _update(model, opt, x)
            log.append((sched.get_last_lr()[0], opt.param_groups[0]["lr"]))
            sched.step()
            return loss
        return step
    (_, eager_log, _), (_, log, _) = _run_both(make)
    assert log == eager_log
    assert eager_log[:3] == [(0.1, 0.1), (0.05, 0.05), (0.025, 0.025)]
    assert all(type(v) is float for pair in log for v in pair)


def test_appending_a_number_read_after_the_scheduler_step_is_refused():
    def make(model, opt, sched, log):
        def step(x):
            loss = _update(model, opt, x)
            sched.step()
            log.append(sched.get_last_lr()[0])
            return loss
        return step
    with pytest.raises(UntraceableError, match="appended to the list `log` a number read "
                                               r"after scheduler.step\(\)"):
        _run_both(make)


def test_adam_betas_returned_as_the_call_began():
    """A pair (betas) is two inputs; returned, it is this call's pair of floats."""
    def make(model, opt, sched, log):
        def step(x):
            opt.zero_grad()
            betas = opt.param_groups[0]["betas"]
            model(x).sum().backward()
            opt.step()
            return betas
        return step
    (eager, _, _), (compiled, _, _) = _run_both(
        make, opt_cls=ft.optim.Adam, sched=lambda o: None, betas=(0.8, 0.95))
    assert [tuple(r) for r in compiled] == [tuple(r) for r in eager] == [(0.8, 0.95)] * 4


def test_cycling_scheduler_momentum_after_its_step_is_refused():
    """OneCycleLR cycles momentum too: read after its recorded step, it is refused."""
    def sched(o):
        return ft.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=10)

    def make(model, opt, sched, log):
        def step(x):
            loss = _update(model, opt, x)
            sched.step()
            return loss * opt.param_groups[0]["momentum"]
        return step
    with pytest.raises(UntraceableError, match=r"\['momentum'\] read after"):
        _run_both(make, sched=sched, momentum=0.9)


@pytest.mark.parametrize("python", [
    lambda x, lr: x * (2.0 if lr > 0.05 else 1.0),
    lambda x, lr: x * math.sqrt(lr),
    lambda x, lr: x + float(np.asarray(x.detach()).sum()),
    lambda x, lr: x * float(ft.allclose(x, x + 1)),
    lambda x, lr: x * float(x.equal(x + 1)),
])
def test_python_asking_a_traced_value_raises_untraceable_error(python):
    """(JAX's ConcretizationTypeError, TracerBoolConversionError and
    TracerArrayConversionError, as torch.compile users read them: which Python to move)"""
    model, opt, _ = _setup(sched=lambda o: None)

    @ft.compile
    def step(x):
        opt.zero_grad()
        loss = python(model(x).pow(2).mean(), opt.param_groups[0]["lr"])
        loss.backward()
        opt.step()
        return loss

    with pytest.raises(UntraceableError, match="Move this Python outside the compiled "
                                               "function") as info:
        step(ft.ones(4, 3))
    assert "traced array" in str(info.value)


def test_setting_a_group_lr_to_a_tensor_inside_the_step_says_what_to_do_instead():
    """(the message said "keep the value in a tensor", which is what the step did)"""
    model, opt, _ = _setup(sched=lambda o: None)

    @ft.compile
    def step(x):
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        opt.param_groups[0]["lr"] = ft.tensor(0.05)
        return loss

    with pytest.raises(UntraceableError, match=r"set `SGD.param_groups\[0\]\['lr'\]` to "
                                               r"Tensor.*group\['lr'\] \* 0.5") as info:
        step(ft.ones(4, 3))
    assert "keep the value in a tensor" not in str(info.value)


@pytest.mark.parametrize("sched,read", [
    (lambda o: ft.optim.lr_scheduler.StepLR(o, 2, 0.5), lambda s: s.last_epoch),
    (lambda o: ft.optim.lr_scheduler.StepLR(o, 2, 0.5), lambda s: s._step_count),
    (lambda o: ft.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 2), lambda s: s.T_cur),
])
def test_scheduler_numbers_returned_after_its_step_are_each_calls(sched, read):
    """A scheduler's own number read after its recorded step was the one from before it
    (last_epoch 0, 1, 2, ... where eager code returns 1, 2, 3, ...)."""
    def make(model, opt, s, log):
        def step(x):
            loss = _update(model, opt, x)
            s.step()
            return loss, read(s)
        return step
    (eager, _, _), (compiled, _, _) = _run_both(make, calls=5, sched=sched)
    assert [r[1] for r in compiled] == [r[1] for r in eager]
    assert [type(r[1]) for r in compiled] == [type(r[1]) for r in eager]
    assert len({r[1] for r in eager}) > 1


def test_plateau_counters_returned_after_its_step_are_each_calls():
    def make(model, opt, sched, log):
        def step(x):
            loss = _update(model, opt, x)
            sched.step(loss)
            return sched.num_bad_epochs, sched.last_epoch, sched.best
        return step
    plateau = lambda o: ft.optim.lr_scheduler.ReduceLROnPlateau(o, mode="max", patience=1)
    (eager, _, _), (compiled, _, _) = _run_both(make, calls=5, sched=plateau)
    assert _numbers(compiled) == _numbers(eager)
    # (a falling loss in "max" mode: the count reaches 2 and restarts)
    assert _numbers(eager)[-1][:2] == [0.0, 5.0]


def test_scheduler_number_after_its_step_refused_in_math():
    def make(model, opt, sched, log):
        def step(x):
            loss = _update(model, opt, x)
            sched.step()
            return loss * sched.last_epoch
        return step
    with pytest.raises(UntraceableError, match=r"ExponentialLR.last_epoch read after "
                                               r"scheduler.step\(\) in a computation.*Read "
                                               r"last_epoch before scheduler.step\(\)"):
        _run_both(make)


@pytest.mark.parametrize("option, values", [("momentum", [0.5, 0.0, 0.9, 0.9, 0.0, 0.5]),
                                            ("nesterov", [False, True, False])])
def test_a_structural_option_the_step_sets_in_a_group_is_used_by_its_update(option, values):
    # (the update's structure read the group as the call began: momentum set to 0.9 in
    # the step after a call with 0 stepped without momentum, 0.12 off after six calls)
    def run(compiled):
        ft.manual_seed(0)
        m = ft.nn.Linear(3, 2)
        opt = ft.optim.SGD(m.parameters(), lr=0.1, momentum=0.5)
        x, y = ft.linspace(-1, 1, 12).reshape(4, 3), ft.ones(4, 2)

        def step(x, y, value):
            opt.param_groups[0][option] = value
            opt.zero_grad()
            loss = ((m(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        f = ft.compile(step) if compiled else step
        for v in values:
            f(x, y, v)
        return m.weight.detach().numpy()
    np.testing.assert_allclose(run(True), run(False), rtol=1e-6, atol=1e-7)


def test_a_number_computed_from_a_groups_lr_is_returned_as_a_python_number():
    # (it came back as a 0-d Tensor where eager code returns a float)
    m = ft.nn.Linear(2, 1)
    opt = ft.optim.SGD(m.parameters(), lr=0.1)
    sched = ft.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    @ft.compile
    def step(x):
        opt.zero_grad()
        loss = m(x).sum()
        loss.backward()
        opt.step()
        return loss, opt.param_groups[0]["lr"] * 2
    for expected in [0.2, 0.1, 0.05]:
        loss, doubled = step(ft.ones(3, 2))
        assert type(doubled) is float and doubled == pytest.approx(expected, rel=1e-6)
        sched.step()


def test_appending_a_number_computed_from_a_groups_lr_is_refused():
    # (the trace's value, a JAX tracer, was appended to the caller's list on every call)
    m = ft.nn.Linear(2, 1)
    opt = ft.optim.SGD(m.parameters(), lr=0.1)
    history = []

    @ft.compile
    def step(x):
        opt.zero_grad()
        m(x).sum().backward()
        opt.step()
        history.append(opt.param_groups[0]["lr"] * 2)
    with pytest.raises(UntraceableError, match="computed from an optimizer's traced"):
        step(ft.ones(3, 2))
    assert history == []
