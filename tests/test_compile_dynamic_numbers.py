"""Float arguments of a compiled step: compiled in, one program per value, by default
(as before); inputs of one program with `compile(dynamic=True)`, unless the step needs
them as Python values (then they are compiled in, traced again)."""

import math
import warnings

import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn
from functorch_like._compile import compile_count

from _compile_helpers import assert_same_state

WEIGHTS = [0.5, 0.25, 0.125, 1.0, 2.0, 0.75, 3.0, 0.1, 0.2, 0.3, 4.0]


def _weighted_run(compiled: bool, kwargs: bool = False, **compile_kw):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)

    def step(x, w, *, temperature=1.0):
        opt.zero_grad()
        loss = (model(x) / temperature).pow(2).mean() * w
        loss.backward()
        opt.step()
        return loss
    step = torch.compile(step, **compile_kw) if compiled else step
    x = torch.linspace(-1, 1, 12).reshape(4, 3)
    losses = [step(x, w, temperature=1 + w / 4).item() if kwargs else step(x, w).item()
              for w in WEIGHTS]
    return model, losses


@pytest.mark.parametrize("kwargs", [False, True])
def test_with_dynamic_true_a_float_argument_changed_on_every_call_compiles_once(kwargs):
    # (without it: one program per value, eager past the recompile limit, with a warning)
    eager_model, eager_losses = _weighted_run(False, kwargs)
    before = compile_count()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # (no recompile-limit warning)
        model, losses = _weighted_run(True, kwargs, dynamic=True)
    assert compile_count() - before == 1
    np.testing.assert_allclose(losses, eager_losses, rtol=1e-5)
    assert_same_state(eager_model, model)


def test_by_default_each_float_value_is_compiled_in_and_the_numbers_stay_eagers():
    eager_model, eager_losses = _weighted_run(False)
    before = compile_count()
    with pytest.warns(UserWarning, match="hit the recompile limit"):
        model, losses = _weighted_run(True)
    assert compile_count() - before == 8      # (then eager: torch's recompile_limit)
    np.testing.assert_allclose(losses, eager_losses, rtol=1e-5)
    assert_same_state(eager_model, model)


def test_a_float_the_step_branches_on_stays_a_constant_with_eager_results():
    @torch.compile(dynamic=True)
    def scaled(x, w):
        if w > 0.3:                 # needs the number: one program per value
            return x * 2
        return x * w
    x = torch.ones(2)
    before = compile_count()
    for w in [0.5, 0.25, 0.125, 0.4]:
        np.testing.assert_allclose(scaled(x, w).numpy(), (x * 2 if w > 0.3 else x * w).numpy())
    assert compile_count() - before == 4


def test_a_float_returned_or_computed_from_floats_alone_stays_a_python_float():
    @torch.compile(dynamic=True)
    def step(x, w):
        return x.sum() * w, w, w * 2
    x = torch.ones(3)
    for w in [0.5, 0.25, 0.125]:
        total, same, double = step(x, w)
        assert type(same) is float and same == w
        assert type(double) is float and double == w * 2
        assert total.item() == 3 * w


def test_a_float_used_by_python_math_stays_a_constant():
    @torch.compile(dynamic=True)
    def step(x, w):
        return x * math.exp(w)
    x = torch.ones(2)
    for w in [0.5, 0.25, 0.125]:
        np.testing.assert_allclose(step(x, w).numpy(), np.full(2, math.exp(w)), rtol=1e-6)


def test_a_float_an_op_refuses_as_a_tensor_stays_a_constant():
    # (scatter_ of a scalar value, batch_norm's momentum: errors on the tensor stand-in
    # made every later call fail; any error in the trace now pins the number)
    def step(x, s, m):
        target = torch.zeros(2, 3).scatter_(1, torch.tensor([[0], [2]]), 1 - s)
        out = torch.nn.functional.batch_norm(x, torch.zeros(3), torch.ones(3),
                                             training=True, momentum=m)
        return target, out
    compiled = torch.compile(step, dynamic=True)
    x = torch.linspace(-1, 1, 6).reshape(2, 3)
    for s, m in [(0.1, 0.1), (0.2, 0.3), (0.3, 0.5)]:
        for got, want in zip(compiled(x, s, m), step(x, s, m)):
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_an_lr_set_from_a_float_argument_is_a_python_float_in_the_group():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    twin = nn.Linear(3, 1)
    twin.load_state_dict(model.state_dict())
    twin_opt = torch.optim.SGD(twin.parameters(), lr=0.1)

    def make(model, opt):
        def step(x, lr):
            for group in opt.param_groups:
                group["lr"] = lr
            opt.zero_grad()
            loss = model(x).pow(2).sum()
            loss.backward()
            opt.step()
            return loss
        return step
    compiled, eager = torch.compile(make(model, opt), dynamic=True), make(twin, twin_opt)
    x = torch.ones(2, 3)
    for lr in [0.1, 0.05, 0.025, 0.01]:
        compiled(x, lr)
        eager(x, lr)
        assert type(opt.param_groups[0]["lr"]) is float and opt.param_groups[0]["lr"] == lr
    assert_same_state(twin, model)


def test_an_int_argument_stays_specialized_one_program_per_value():
    # (PyTorch-parity note: torch makes a changing int dynamic too; here an int may be
    # an index or a shape, which a traced number cannot be)
    @torch.compile(dynamic=True)
    def step(x, n):
        return x[:n].sum() * n
    x = torch.arange(6.0)
    before = compile_count()
    for n in [2, 3, 4]:
        assert step(x, n).item() == sum(range(n)) * n
    assert compile_count() - before == 3


@pytest.mark.parametrize("dynamic, programs", [(True, 1), (False, 3), (None, 3)])
def test_dynamic_true_takes_floats_as_inputs_and_the_default_compiles_each_value(
        dynamic, programs):
    @torch.compile(dynamic=dynamic)
    def step(x, w):
        return (x * w).sum()
    x = torch.ones(3)
    before = compile_count()
    for w in [0.5, 0.25, 0.125]:
        assert step(x, w).item() == 3 * w
    assert compile_count() - before == programs


def test_a_float_is_guarded_by_its_bits_negative_zero_and_nan_included():
    # (-0.0 == 0.0 reused 0.0's program: 1 / (x * -0.0) gave +inf; each new NaN object
    # was a new program, nan != nan)
    f = torch.compile(lambda x, w: 1 / (x * w))
    x = torch.ones(2)
    assert f(x, 0.0).tolist() == [math.inf, math.inf]
    assert f(x, -0.0).tolist() == [-math.inf, -math.inf]
    g = torch.compile(lambda x, w: x * w)
    before = compile_count()
    for _ in range(3):
        assert np.isnan(g(x, float("nan")).numpy()).all()
    assert compile_count() - before == 1
