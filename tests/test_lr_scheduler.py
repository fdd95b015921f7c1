"""functorch_like.optim.lr_scheduler against torch.optim.lr_scheduler.

Each scheduler is built with the same arguments on both sides over an optimizer with one or
two param groups (different base lrs) and stepped 100 times in the documented order
(`optimizer.step()` then `scheduler.step()`); after every step the groups' lr (and the
cycled momentum/betas where relevant) and `get_last_lr()` must equal torch's. The formulas
are the same chainable ones evaluated in Python floats, so the tolerance is a few ulps.
"""

import copy
import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl

STEPS = 100
RTOL = 1e-13
BASE_LRS = (0.1, 0.03)


def make_optimizer(lib, n_groups=2, name="SGD", **kw):
    params = [lib.nn.Parameter(lib.ones(2)) for _ in range(n_groups)]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, BASE_LRS)]
    return getattr(lib.optim, name)(groups, **kw)


def record(opt, sched, keys):
    groups = opt.param_groups
    return ([g["lr"] for g in groups], list(sched.get_last_lr()),
            [[g[k] for k in keys] for g in groups])


def run(lib, make, n_groups=2, steps=STEPS, opt_name="SGD", opt_kw=None, keys=(),
        metrics=None):
    """The lr (and `keys`) of every group, and get_last_lr(), after construction and after
    each of `steps` optimizer.step(); scheduler.step() pairs."""
    opt = make_optimizer(lib, n_groups, opt_name, **(opt_kw or {}))
    sched = make(lib.optim.lr_scheduler, opt)
    rows = [record(opt, sched, keys)]
    for i in range(steps):
        opt.step()
        sched.step(*([] if metrics is None else [metrics[i]]))
        rows.append(record(opt, sched, keys))
    return rows


def assert_rows_equal(ours, theirs):
    assert len(ours) == len(theirs)
    for i, (mine, their) in enumerate(zip(ours, theirs)):
        for a, b in zip(mine, their):
            np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float),
                                       rtol=RTOL, atol=0, err_msg=f"step {i}")


def n_lambdas(fn_a, fn_b):
    """One lr_lambda per group (LambdaLR/MultiplicativeLR accept a list)."""
    return lambda n: [fn_a, fn_b][:n]


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[10, 30, 30, 60], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.97),
    # 100 steps cover three half-periods: the formula's restart branch is taken.
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda e: 1.0 / (1.0 + 0.1 * e)),
    "LambdaLR-per-group": lambda S, o: S.LambdaLR(o, n_lambdas(
        lambda e: 0.95**e, lambda e: (e // 10 + 1) ** -0.5)(len(o.param_groups))),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda e: 0.97),
    "MultiplicativeLR-per-group": lambda S, o: S.MultiplicativeLR(o, n_lambdas(
        lambda e: 0.99, lambda e: 1.0 if e % 5 else 0.5)(len(o.param_groups))),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=20),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=10),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=10, T_mult=2, eta_min=0.01),
    "CosineAnnealingWarmRestarts-Tmult1": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=7),
    "SequentialLR-Linear-Exponential": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=10), S.ExponentialLR(o, gamma=0.95)],
        milestones=[10]),
    "SequentialLR-three": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.2, total_iters=5), S.CosineAnnealingLR(o, T_max=20),
            S.StepLR(o, step_size=10, gamma=0.7)], milestones=[5, 40]),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=30, power=2.0),
    "CyclicLR-triangular": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                   step_size_up=7, step_size_down=4),
    "CyclicLR-triangular2": lambda S, o: S.CyclicLR(
        o, base_lr=[0.01, 0.02][:len(o.param_groups)], max_lr=0.2, step_size_up=5,
        mode="triangular2"),
    "CyclicLR-exp_range": lambda S, o: S.CyclicLR(o, base_lr=0.001, max_lr=0.05,
                                                  step_size_up=9, mode="exp_range",
                                                  gamma=0.98),
    "CyclicLR-scale_fn": lambda S, o: S.CyclicLR(o, base_lr=0.001, max_lr=0.05,
                                                 step_size_up=6, scale_fn=lambda x: 0.9 ** x,
                                                 scale_mode="iterations"),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=8), S.ExponentialLR(o, gamma=0.97),
         S.StepLR(o, step_size=12, gamma=0.6)]),
    "OneCycleLR-cos": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "OneCycleLR-linear-three-phase": lambda S, o: S.OneCycleLR(
        o, max_lr=[0.5, 2.0][:len(o.param_groups)], epochs=10, steps_per_epoch=10,
        pct_start=0.25, anneal_strategy="linear", three_phase=True, div_factor=10.0,
        final_div_factor=100.0),
}


@pytest.mark.parametrize("n_groups", [1, 2])
@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name, n_groups):
    ours = run(fl, SCHEDULERS[name], n_groups)
    theirs = run(torch, SCHEDULERS[name], n_groups)
    assert_rows_equal(ours, theirs)
    assert len({tuple(r[0]) for r in ours}) > 1      # the schedule really moved


@pytest.mark.parametrize("opt_name,opt_kw,key", [
    ("SGD", dict(momentum=0.9), "momentum"),
    ("Adam", dict(betas=(0.9, 0.99)), "betas"),
    ("AdamW", dict(betas=(0.8, 0.999)), "betas"),
    ("RMSprop", dict(momentum=0.5), "momentum"),
], ids=["SGD-momentum", "Adam-betas", "AdamW-betas", "RMSprop-momentum"])
@pytest.mark.parametrize("sched", ["OneCycleLR-cos", "OneCycleLR-linear-three-phase",
                                   "CyclicLR-triangular2", "CyclicLR-exp_range"])
def test_one_cycle_cycles_momentum_like_torch(sched, opt_name, opt_kw, key):
    ours = run(fl, SCHEDULERS[sched], 2, opt_name=opt_name, opt_kw=opt_kw, keys=(key,))
    theirs = run(torch, SCHEDULERS[sched], 2, opt_name=opt_name, opt_kw=opt_kw, keys=(key,))
    assert_rows_equal([(r[0], r[1], [np.ravel(v) for v in r[2]]) for r in ours],
                      [(r[0], r[1], [np.ravel(v) for v in r[2]]) for r in theirs])
    assert len({str(r[2]) for r in ours}) > 3      # the momentum really cycled


def test_one_cycle_past_total_steps_raises_like_torch():
    errors = []
    for lib in (torch, fl):
        opt = make_optimizer(lib, momentum=0.9)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)
        for _ in range(5):
            opt.step()
            sched.step()
        with pytest.raises(ValueError) as err:
            sched.step()
        errors.append(str(err.value))
    assert errors[0] == errors[1] and "Tried to step 6 times" in errors[1]


# A metric with plateaus, small noise and a late improvement.
METRIC = [1.0 / (1 + i // 15) + 0.003 * ((7 * i) % 5) for i in range(STEPS)]
PLATEAU_CASES = {
    "defaults": (dict(), METRIC),
    "min-abs-cooldown-min_lr": (dict(mode="min", factor=0.5, patience=3, threshold=0.01,
                                     threshold_mode="abs", cooldown=2, min_lr=0.01), METRIC),
    "max-rel-cooldown-min_lrs": (dict(mode="max", factor=0.3, patience=2, threshold=0.05,
                                      cooldown=3, min_lr=[0.02, 0.001]),
                                 [2.0 - m for m in METRIC]),
    "max-abs-eps": (dict(mode="max", factor=0.9, patience=1, threshold=0.02,
                         threshold_mode="abs", eps=2e-3), [-m for m in METRIC]),
    "min-rel-patience0": (dict(factor=0.7, patience=0, threshold=0.0, min_lr=0.001), METRIC),
}


@pytest.mark.parametrize("n_groups", [1, 2])
@pytest.mark.parametrize("case", list(PLATEAU_CASES))
def test_reduce_lr_on_plateau_matches_torch(case, n_groups):
    kw, metric = PLATEAU_CASES[case]
    if isinstance(kw.get("min_lr"), list):
        kw = dict(kw, min_lr=kw["min_lr"][:n_groups])

    def make(S, o):
        return S.ReduceLROnPlateau(o, **kw)
    keys = ()
    ours = run(fl, make, n_groups, metrics=metric, keys=keys)
    theirs = run(torch, make, n_groups, metrics=metric, keys=keys)
    assert_rows_equal(ours, theirs)
    assert len({tuple(r[0]) for r in ours}) > 2      # the lr was reduced at least twice


def test_reduce_lr_on_plateau_counters_match_torch():
    """best, num_bad_epochs, cooldown_counter and in_cooldown after every step."""
    kw, metric = PLATEAU_CASES["min-abs-cooldown-min_lr"]
    rows = []
    for lib in (torch, fl):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        rows.append([(sched.step(m), sched.best, sched.num_bad_epochs, sched.cooldown_counter,
                      sched.in_cooldown, sched.last_epoch)[1:] for m in metric])
    assert rows[0] == rows[1]


# ---- state_dict ------------------------------------------------------------------------
ROUND_TRIP = ["StepLR", "MultiStepLR", "CosineAnnealingLR", "LambdaLR-per-group",
              "LinearLR", "CosineAnnealingWarmRestarts", "SequentialLR-three",
              "OneCycleLR-linear-three-phase", "PolynomialLR", "CyclicLR-triangular2",
              "ChainedScheduler"]


def _resumed(lib, make, sched_sd, opt_sd, steps):
    """A fresh optimizer and scheduler (constructed first, as torch's docs say), then the
    saved optimizer and scheduler states loaded; `steps` more steps recorded."""
    opt = make_optimizer(lib, 2, momentum=0.9)
    sched = make(lib.optim.lr_scheduler, opt)
    opt.load_state_dict(opt_sd)
    sched.load_state_dict(sched_sd)
    rows = []
    for _ in range(steps):
        opt.step()
        sched.step()
        rows.append(record(opt, sched, ("momentum",)))
    return rows


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_state_dict_round_trip_resumes_the_sequence(name):
    """Saved after 40 steps (deep-copied and pickled), loaded into fresh objects: the next
    60 values equal the uninterrupted run's, which equal torch's; the same with torch's
    own scheduler and optimizer state_dicts loaded here."""
    make = SCHEDULERS[name]
    runs = {}
    for lib in (torch, fl):
        opt = make_optimizer(lib, 2, momentum=0.9)
        sched = make(lib.optim.lr_scheduler, opt)
        for _ in range(40):
            opt.step()
            sched.step()
        saved = copy.deepcopy((sched.state_dict(), opt.state_dict()))
        rest = []
        for _ in range(60):
            opt.step()
            sched.step()
            rest.append(record(opt, sched, ("momentum",)))
        runs[lib] = (saved, rest)
    (torch_saved, torch_rest), (saved, rest) = runs[torch], runs[fl]
    assert_rows_equal(rest, torch_rest)
    assert list(saved[0]) == list(torch_saved[0])       # torch's attribute names and order
    assert _resumed(fl, make, *copy.deepcopy(saved), 60) == rest
    assert _resumed(fl, make, *pickle.loads(pickle.dumps(saved)), 60) == rest
    assert_rows_equal(_resumed(fl, make, *copy.deepcopy(torch_saved), 60), torch_rest)


def test_reduce_lr_on_plateau_state_dict_round_trip():
    kw, metric = PLATEAU_CASES["max-rel-cooldown-min_lrs"]
    opt = make_optimizer(fl)
    sched = fl.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    for m in metric[:8]:
        sched.step(m)
    saved = copy.deepcopy((sched.state_dict(), opt.state_dict()))
    expected = []
    for m in metric[8:]:
        sched.step(m)
        expected.append(sched.get_last_lr())
    opt2 = make_optimizer(fl)
    sched2 = fl.optim.lr_scheduler.ReduceLROnPlateau(opt2, mode="min")
    opt2.load_state_dict(saved[1])
    sched2.load_state_dict(saved[0])
    got = []
    for m in metric[8:]:
        sched2.step(m)
        got.append(sched2.get_last_lr())
    assert got == expected and len({tuple(x) for x in got}) > 1
    torch_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(torch), **kw)
    assert list(saved[0]) == list(torch_sched.state_dict())


def test_lambda_state_dict_keeps_callable_objects_state():
    """As torch: a callable object's __dict__ is saved and restored, a function is not."""
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate**epoch

    sds = []
    for lib in (torch, fl):
        sched = lib.optim.lr_scheduler.LambdaLR(make_optimizer(lib),
                                                [Decay(0.9), lambda e: 1.0])
        sds.append(sched.state_dict()["lr_lambdas"])
        target = lib.optim.lr_scheduler.LambdaLR(make_optimizer(lib),
                                                 [Decay(0.5), lambda e: 1.0])
        target.load_state_dict(sched.state_dict())
        assert target.lr_lambdas[0].rate == 0.9
    assert sds[0] == sds[1] == [{"rate": 0.9}, None]


# ---- warnings ---------------------------------------------------------------------------
def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message)) for w in caught]


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    def wrong_order(lib):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        sched.step()
        opt.step()
    ours, theirs = _warnings_of(lambda: wrong_order(fl)), _warnings_of(lambda: wrong_order(torch))
    assert ours == theirs
    assert len(ours) == 1 and ours[0][0] is UserWarning
    assert "Detected call of `lr_scheduler.step()` before `optimizer.step()`" in ours[0][1]
    # (pointing at the caller's line, through the wrapper that records steps for compile)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wrong_order(fl)
    assert caught[0].filename == __file__


def test_right_order_does_not_warn():
    def right_order(lib):
        opt = make_optimizer(lib)
        scheds = [lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
                  lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)]
        for _ in range(5):
            opt.step()
            for s in scheds:
                s.step()
    assert _warnings_of(lambda: right_order(fl)) == _warnings_of(lambda: right_order(torch)) == []


def test_overridden_optimizer_step_warns_like_torch():
    def overridden(lib):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        opt.step = lambda closure=None: None
        opt.step()
        sched.step()
    ours, theirs = _warnings_of(lambda: overridden(fl)), _warnings_of(lambda: overridden(torch))
    assert ours == theirs and len(ours) == 1


def test_epoch_argument_and_get_lr_outside_step_warn_like_torch():
    """step(epoch) is deprecated (closed form, with torch's warning); get_lr() outside
    step() asks for get_last_lr()."""
    def use(lib):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        opt.step()
        sched.step(7)
        sched.get_lr()
        return sched.get_last_lr()
    results = {}
    found = {lib: _warnings_of(lambda lib=lib: results.setdefault(lib, use(lib)))
             for lib in (torch, fl)}
    assert found[fl] == found[torch] and len(found[fl]) == 2
    assert results[fl] == results[torch] == [0.1 * 0.25, 0.03 * 0.25]


def test_sequential_lr_milestone_does_not_warn():
    """SequentialLR restarts the next scheduler at its epoch 0 without the deprecated
    step(epoch) path (torch calls _update_lr(0)), so no warning appears."""
    def use(lib):
        opt = make_optimizer(lib)
        S = lib.optim.lr_scheduler
        sched = S.SequentialLR(opt, [S.ConstantLR(opt, total_iters=2),
                                     S.ExponentialLR(opt, gamma=0.9)], milestones=[3])
        for _ in range(6):
            opt.step()
            sched.step()
    assert _warnings_of(lambda: use(fl)) == _warnings_of(lambda: use(torch)) == []


# ---- bad arguments -----------------------------------------------------------------------
BAD = {
    "not-an-optimizer": lambda S, o: S.StepLR(object(), step_size=2),
    "resume-without-initial_lr": lambda S, o: S.ExponentialLR(o, gamma=0.9, last_epoch=3),
    "lambda-count": lambda S, o: S.LambdaLR(o, [lambda e: 1.0] * 3),
    "multiplicative-not-callable": lambda S, o: S.MultiplicativeLR(o, 0.9),
    "constant-factor": lambda S, o: S.ConstantLR(o, factor=1.5),
    "linear-start": lambda S, o: S.LinearLR(o, start_factor=0.0),
    "linear-end": lambda S, o: S.LinearLR(o, end_factor=1.5),
    "warm-restarts-T0": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0),
    "warm-restarts-Tmult": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=0),
    "warm-restarts-eta": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, eta_min="0"),
    "sequential-empty": lambda S, o: S.SequentialLR(o, [], milestones=[]),
    "sequential-milestones": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o), S.ExponentialLR(o, 0.9)], milestones=[2, 4]),
    "sequential-other-optimizer": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(type(o)(o.param_groups[0]["params"]))], milestones=[]),
    "sequential-plateau": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o), S.ReduceLROnPlateau(o)], milestones=[2]),
    "chained-empty": lambda S, o: S.ChainedScheduler([]),
    "chained-other-optimizer": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o), S.ConstantLR(type(o)(o.param_groups[0]["params"]))]),
    "chained-plateau": lambda S, o: S.ChainedScheduler([S.ConstantLR(o),
                                                        S.ReduceLROnPlateau(o)]),
    "cyclic-mode": lambda S, o: S.CyclicLR(o, 0.01, 0.1, mode="sine"),
    "cyclic-max-lr-count": lambda S, o: S.CyclicLR(o, 0.01, [0.1] * 3),
    "cyclic-no-momentum": lambda S, o: S.CyclicLR(_adagrad(S, o), 0.01, 0.1),
    "one-cycle-no-steps": lambda S, o: S.OneCycleLR(o, max_lr=1.0),
    "one-cycle-total": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=0),
    "one-cycle-epochs": lambda S, o: S.OneCycleLR(o, max_lr=1.0, epochs=-1, steps_per_epoch=3),
    "one-cycle-pct": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=9, pct_start=1.5),
    "one-cycle-anneal": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=9,
                                                  anneal_strategy="exp"),
    "one-cycle-max-lr-count": lambda S, o: S.OneCycleLR(o, max_lr=[1.0], total_steps=9),
    "one-cycle-no-momentum": lambda S, o: S.OneCycleLR(_adagrad(S, o), max_lr=1.0,
                                                       total_steps=9),
    "plateau-factor": lambda S, o: S.ReduceLROnPlateau(o, factor=1.0),
    "plateau-mode": lambda S, o: S.ReduceLROnPlateau(o, mode="up"),
    "plateau-threshold-mode": lambda S, o: S.ReduceLROnPlateau(o, threshold_mode="pct"),
    "plateau-min-lrs": lambda S, o: S.ReduceLROnPlateau(o, min_lr=[0.1]),
}


def _adagrad(S, o):
    """An Adagrad over the same parameters (it has neither momentum nor betas)."""
    lib = torch if S is torch.optim.lr_scheduler else fl
    return lib.optim.Adagrad(o.param_groups[0]["params"])


@pytest.mark.parametrize("name", list(BAD))
def test_bad_arguments_raise_like_torch(name):
    with pytest.raises(Exception) as theirs:
        BAD[name](torch.optim.lr_scheduler, make_optimizer(torch))
    with pytest.raises(type(theirs.value)) as ours:
        BAD[name](fl.optim.lr_scheduler, make_optimizer(fl))
    assert str(ours.value) == str(theirs.value)


def test_reduce_lr_on_plateau_group_added_later():
    """A scalar min_lr extends to a group added after construction (torch's rule)."""
    lrs = []
    for lib in (torch, fl):
        opt = make_optimizer(lib, 1)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=0.05)
        opt.add_param_group({"params": [lib.nn.Parameter(lib.ones(1))], "lr": 0.2})
        for m in (1.0, 1.0, 1.0, 1.0):
            sched.step(m)
        lrs.append(sched.get_last_lr())
    assert lrs[0] == lrs[1] and math.isclose(lrs[1][1], 0.05)


RESUMABLE = {
    "StepLR": lambda S, o, e: S.StepLR(o, step_size=7, gamma=0.5, last_epoch=e),
    "ExponentialLR": lambda S, o, e: S.ExponentialLR(o, gamma=0.97, last_epoch=e),
    "CosineAnnealingLR": lambda S, o, e: S.CosineAnnealingLR(o, T_max=30, eta_min=0.001,
                                                             last_epoch=e),
    "LinearLR": lambda S, o, e: S.LinearLR(o, start_factor=0.25, end_factor=0.9,
                                           total_iters=20, last_epoch=e),
    "MultiplicativeLR": lambda S, o, e: S.MultiplicativeLR(o, lambda i: 0.97, last_epoch=e),
}


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_resume_with_last_epoch_matches_torch(name):
    """The old way to resume: load the optimizer's state_dict (it carries initial_lr),
    then build the scheduler with last_epoch=9. The constructor's step keeps the loaded
    lrs (torch's `_is_initial`), and the sequence goes on as torch's."""
    rows = []
    for lib in (torch, fl):
        opt = make_optimizer(lib)
        sched = RESUMABLE[name](lib.optim.lr_scheduler, opt, -1)
        for _ in range(10):
            opt.step()
            sched.step()
        opt2 = make_optimizer(lib)
        opt2.load_state_dict(opt.state_dict())
        sched2 = RESUMABLE[name](lib.optim.lr_scheduler, opt2, 9)
        seq = [record(opt2, sched2, ())]
        for _ in range(20):
            opt2.step()
            sched2.step()
            seq.append(record(opt2, sched2, ()))
        rows.append(seq)
    assert_rows_equal(rows[1], rows[0])


@pytest.mark.parametrize("make", [
    lambda opt, lib: lib.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
    lambda opt, lib: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4),
    lambda opt, lib: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)])
def test_a_tensor_lr_is_changed_in_place_as_torch(make):
    def run(lib):
        lr = lib.tensor(0.1)
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=lr)
        sched = make(opt, lib)
        values = []
        for _ in range(3):
            opt.step()
            sched.step(*((1.0,) if "Plateau" in type(sched).__name__ else ()))
            values.append(float(opt.param_groups[0]["lr"]))
        return values, opt.param_groups[0]["lr"] is lr, float(
            opt.param_groups[0].get("initial_lr", 0.1))
    ours, theirs = run(fl), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    assert ours[1:] == theirs[1:]
