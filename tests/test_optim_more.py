"""NAdam, RAdam, Adamax, Adadelta, Rprop and ASGD (facade and pure core) against
torch.optim: trajectories, parameter groups, state_dict format and loading, LR schedulers,
errors, repr, and a compiled training step. The optax property tests are in
test_optim_more_optax.py; the shared runners come from test_optim.py and
test_pure_optim_torch.py."""

import jax
import numpy as np
import optax
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import optim as pure_optim
# The generic checks of test_optim.py (any optimizer name, options and groups), imported
# under private names so that pytest does not collect them twice.
from test_optim import (_run_against_torch, assert_weights_close, make_model, make_opt, train,
                        weights_of)
from test_optim import test_bad_input_raises_like_torch as check_raises_like_torch
from test_optim import test_own_state_dict_resumes_identically as check_own_round_trip
from test_optim import test_state_dict_format_matches_torch as check_state_dict_format
from test_optim import test_torch_state_dict_loads_and_training_continues as check_torch_load
from test_pure_optim_torch import run_both

RTOL, ATOL = 1e-10, 1e-12

CASES = [
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.02, betas=(0.8, 0.9), eps=1e-4, weight_decay=0.05)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    # (lr=0.02 here reaches a regime where the max's ties amplify rounding to 2e-10.)
    ("Adamax", dict(lr=0.01, betas=(0.7, 0.9), eps=1e-3, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.005, etas=(0.3, 1.5), step_sizes=(1e-3, 0.02), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=5, weight_decay=0.1, maximize=True)),
]

# Two groups (first Linear, second Linear) with their own values.
GROUP_CASES = [
    ("NAdam", dict(lr=0.01), [dict(momentum_decay=0.1), dict(lr=0.02, weight_decay=0.1,
                                                             decoupled_weight_decay=True)]),
    ("RAdam", dict(lr=0.01), [dict(betas=(0.5, 0.9)), dict(weight_decay=0.2)]),
    ("Adamax", dict(lr=0.01), [dict(eps=1e-3), dict(lr=0.03, maximize=True)]),
    ("Adadelta", dict(lr=0.5), [dict(rho=0.5), dict(lr=1.0, weight_decay=0.05)]),
    ("Rprop", dict(lr=0.01), [dict(etas=(0.4, 1.1)), dict(lr=0.002, step_sizes=(1e-4, 1))]),
    ("ASGD", dict(lr=0.05, t0=3), [dict(lambd=0.1), dict(lr=0.02, alpha=0.9, t0=8)]),
]


def _id(case):
    text = case[0] + "-" + ",".join(f"{k}={v}" for k, v in case[1].items())
    return text + ("-groups" if len(case) > 2 else "")


@pytest.mark.parametrize("case", CASES + GROUP_CASES, ids=[_id(c) for c in CASES + GROUP_CASES])
def test_matches_torch(x64, case):
    """100 steps here and in torch from the same weights: losses, weights and state agree
    to 1e-10, and steps after the first reuse the first step's compiled program."""
    _run_against_torch(*case)


def test_asgd_average_and_scalar_state_match_torch(x64):
    """ASGD's `ax` averages once step > t0; eta and mu are float32 0-d tensors in both,
    with the same float32 values."""
    opts = {}
    for lib in (torch, fl):
        model = make_model(lib)
        opts[lib] = make_opt(lib, model, "ASGD", dict(lr=0.05, lambd=1e-2, t0=5))
        train(lib, model, opts[lib], 12)
    opt = opts[fl]
    ours, theirs = opt.state_dict()["state"][0], opts[torch].state_dict()["state"][0]
    for key in ("eta", "mu"):
        assert ours[key].dtype == fl.float32 and ours[key].shape == ()
        assert float(ours[key]) == float(theirs[key])
    assert float(theirs["mu"]) < 1                  # the averaging really started
    first = opt.param_groups[0]["params"][0].detach().numpy()
    assert not np.allclose(ours["ax"].numpy(), first)


# ---- pure core: the same rules under jax.jit ----------------------------------------------
PURE_CASES = [
    ("nadam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("nadam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("radam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1)),
    ("radam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("adamax", dict(lr=0.02, weight_decay=0.1, maximize=True)),
    ("adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("rprop", dict(lr=0.01, etas=(0.3, 1.5), maximize=True)),
    ("asgd", dict(lr=0.05, lambd=1e-2, t0=5, weight_decay=0.1)),
]
TORCH_NAMES = {"nadam": "NAdam", "radam": "RAdam", "adamax": "Adamax", "adadelta": "Adadelta",
               "rprop": "Rprop", "asgd": "ASGD"}


@pytest.mark.parametrize("case", PURE_CASES, ids=[_id(c) for c in PURE_CASES])
def test_pure_jitted_matches_torch(x64, case):
    """The pure transform, its update jitted, step for step against torch (state too)."""
    name, kw = case
    tx = getattr(pure_optim, name)(**kw)
    jitted = optax.GradientTransformation(tx.init, jax.jit(tx.update))
    torch_cls = getattr(torch.optim, TORCH_NAMES[name])
    run_both(jitted, lambda p: torch_cls(p, **kw), steps=25, maximize=kw.get("maximize", False))


def test_pure_hyperparams_change_without_recompiling(x64):
    """set_hyperparams on a jitted update: one trace, and the new lr takes effect as a
    change of torch's param_groups[0]["lr"] does."""
    tx = pure_optim.nadam(lr=0.01)
    traces = []

    def update(g, s, p):
        traces.append(1)
        return tx.update(g, s, p)
    jitted = optax.GradientTransformation(tx.init, jax.jit(update))
    run_both(jitted, lambda p: torch.optim.NAdam(p, lr=0.01), steps=20,
             switch=(10, (dict(lr=0.03, momentum_decay=0.1),
                          dict(lr=0.03, momentum_decay=0.1))))
    assert len(traces) == 1


# ---- state_dict (test_optim.py's checks, on these optimizers) --------------------------
FORMAT_CASES = [CASES[3], CASES[6], CASES[8], CASES[10], CASES[12], CASES[14], GROUP_CASES[0]]
LOAD_CASES = [(CASES[3], True), (CASES[5], False), (CASES[8], True), (CASES[10], False),
              (CASES[12], True), (CASES[14], False), (GROUP_CASES[0], False),
              (GROUP_CASES[5], True)]
RESUME_CASES = [CASES[1], CASES[14], GROUP_CASES[4]]


@pytest.mark.parametrize("case", FORMAT_CASES, ids=[_id(c) for c in FORMAT_CASES])
def test_state_dict_format_matches_torch(x64, case):
    """Same param_groups (every default key, in torch's order), same per-parameter state
    keys and values, before any step and after three; `step` a float32 0-d tensor."""
    check_state_dict_format(None, case)


@pytest.mark.parametrize("case,as_torch", LOAD_CASES,
                         ids=[_id(c) + ("-torch" if t else "-numpy") for c, t in LOAD_CASES])
def test_torch_state_dict_loads_and_training_continues(x64, case, as_torch):
    """A torch state_dict (torch tensors, or numpy arrays) loads, hyperparameters
    included, and the following steps equal torch's."""
    check_torch_load(None, case, as_torch)


@pytest.mark.parametrize("case", RESUME_CASES, ids=[_id(c) for c in RESUME_CASES])
def test_own_state_dict_round_trip_resumes_identically(x64, case):
    """Saved mid-run (deep copy and pickle), loaded into a fresh optimizer built with
    another lr: the run continues exactly as the uninterrupted one."""
    check_own_round_trip(None, case)


# ---- LR schedulers and functorch_like.compile ---------------------------------------------
@pytest.mark.parametrize("name,kw", [("NAdam", dict(lr=0.02)), ("RAdam", dict(lr=0.02)),
                                     ("Adamax", dict(lr=0.02)), ("Adadelta", dict(lr=1.0)),
                                     ("Rprop", dict(lr=0.01)), ("ASGD", dict(lr=0.05, t0=4))])
def test_lr_scheduler_matches_torch_without_recompiling(x64, name, kw):
    """StepLR drives group["lr"]: same run as torch, and no step after the first compiles
    (Rprop's lr only seeds new state, so the schedule changes nothing there, as in torch)."""
    runs = {}
    for lib in (torch, fl):
        model = make_model(lib)
        opt = make_opt(lib, model, name, kw)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        counts = []
        losses = train(lib, model, opt, 12, hook=lambda i: (
            i > 0 and sched.step(), counts.append(fl.optim.compile_count())))
        runs[lib] = (losses, weights_of(model), opt.param_groups[0]["lr"], counts)
    np.testing.assert_allclose(runs[fl][0], runs[torch][0], rtol=RTOL, atol=ATOL)
    assert_weights_close(runs[fl][1], runs[torch][1])
    assert runs[fl][2] == runs[torch][2] == kw["lr"] * 0.5**3
    assert runs[fl][3][1] == runs[fl][3][-1]


@pytest.mark.parametrize("name,kw", [("NAdam", dict(lr=0.01, weight_decay=0.01)),
                                     ("RAdam", dict(lr=0.01)), ("Rprop", dict(lr=0.01)),
                                     ("ASGD", dict(lr=0.05, t0=2)),
                                     ("Adafactor", dict(lr=0.05, weight_decay=0.01))])
def test_compiled_training_step_equals_eager(eager_and_compiled_losses, name, kw):
    """A whole step (forward, backward, this optimizer's step) under functorch_like.compile
    gives the eager losses, and its state is written back (PyTorch's format; for Adafactor
    the slots also hold the None entries of the buffers a parameter does not use)."""
    rng = np.random.default_rng(0)
    x = fl.tensor(rng.normal(size=(8, 4)).astype(np.float32))
    y = fl.tensor(rng.normal(size=(8, 1)).astype(np.float32))
    opts = []

    def build():
        model = fl.nn.Sequential(fl.nn.Linear(4, 5), fl.nn.Tanh(), fl.nn.Linear(5, 1))
        opts.append(getattr(fl.optim, name)(model.parameters(), **kw))
        return (lambda a, b: ((model(a) - b) ** 2).mean()), opts[-1], (x, y)

    eager, compiled = eager_and_compiled_losses(build, 6)
    np.testing.assert_allclose(compiled, eager, rtol=2e-5, atol=1e-7)
    assert eager[-1] < eager[0]
    ours, theirs = opts[1].state_dict()["state"], opts[0].state_dict()["state"]
    assert [list(s) for s in ours.values()] == [list(s) for s in theirs.values()]
    assert float(ours[0]["step"]) == 6
    for key in set(ours[0]) - {"step"}:
        if ours[0][key] is not None:
            np.testing.assert_allclose(ours[0][key].numpy(), theirs[0][key].numpy(),
                                       rtol=1e-5, atol=1e-7)


# ---- errors and text ----------------------------------------------------------------------
BAD_INPUTS = {
    "nadam-lr": lambda lib, p, q: lib.optim.NAdam([p], lr=-1e-3),
    "nadam-eps": lambda lib, p, q: lib.optim.NAdam([p], eps=-1.0),
    "nadam-beta0": lambda lib, p, q: lib.optim.NAdam([p], betas=(1.0, 0.9)),
    "nadam-beta1": lambda lib, p, q: lib.optim.NAdam([p], betas=(0.9, -0.1)),
    "nadam-wd": lambda lib, p, q: lib.optim.NAdam([p], weight_decay=-1),
    "nadam-momentum-decay": lambda lib, p, q: lib.optim.NAdam([p], momentum_decay=-0.1),
    "radam-lr": lambda lib, p, q: lib.optim.RAdam([p], lr=-1),
    "radam-beta1": lambda lib, p, q: lib.optim.RAdam([p], betas=(0.9, 1.0)),
    "radam-wd": lambda lib, p, q: lib.optim.RAdam([p], weight_decay=-0.5),
    "adamax-eps": lambda lib, p, q: lib.optim.Adamax([p], eps=-1e-8),
    "adamax-beta0": lambda lib, p, q: lib.optim.Adamax([p], betas=(-0.5, 0.9)),
    "adamax-wd": lambda lib, p, q: lib.optim.Adamax([p], weight_decay=-1e-2),
    "adadelta-lr": lambda lib, p, q: lib.optim.Adadelta([p], lr=-1.0),
    "adadelta-rho": lambda lib, p, q: lib.optim.Adadelta([p], rho=1.5),
    "adadelta-eps": lambda lib, p, q: lib.optim.Adadelta([p], eps=-1e-6),
    "adadelta-wd": lambda lib, p, q: lib.optim.Adadelta([p], weight_decay=-1),
    "rprop-lr": lambda lib, p, q: lib.optim.Rprop([p], lr=-0.1),
    "rprop-etaminus": lambda lib, p, q: lib.optim.Rprop([p], etas=(1.0, 1.2)),
    "rprop-etaplus": lambda lib, p, q: lib.optim.Rprop([p], etas=(0.5, 1.0)),
    "asgd-lr": lambda lib, p, q: lib.optim.ASGD([p], lr=-0.01),
    "asgd-wd": lambda lib, p, q: lib.optim.ASGD([p], weight_decay=-0.01),
    "several-bad": lambda lib, p, q: lib.optim.NAdam([p], lr=-1, eps=-1, momentum_decay=-1),
}


@pytest.mark.parametrize("make", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_hyperparameters_raise_like_torch(make):
    """torch's exception type and text (the first bad value in torch's order)."""
    check_raises_like_torch(make)


def test_accepted_like_torch():
    """Boundary values and torch's implementation switches are accepted on both sides."""
    makers = [lambda lib, p: lib.optim.Adadelta([p], rho=1.0, eps=0.0, foreach=False,
                                               capturable=False, differentiable=False),
              lambda lib, p: lib.optim.NAdam([p], betas=(0.0, 0.0), momentum_decay=0.0,
                                             foreach=None, capturable=False),
              lambda lib, p: lib.optim.Rprop([p], lr=0.0, step_sizes=(0, 0), foreach=True),
              lambda lib, p: lib.optim.ASGD([p], lr=0.0, lambd=-1.0, alpha=-1.0, t0=-5)]
    for make in makers:
        groups = [make(lib, lib.nn.Parameter(lib.ones(2))).param_groups[0] for lib in
                  (torch, fl)]
        assert {k: v for k, v in groups[1].items() if k != "params"} == \
            {k: v for k, v in groups[0].items() if k != "params"}


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "ASGD"])
def test_repr_matches_torch(name):
    texts = []
    for lib in (torch, fl):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        texts.append(repr(getattr(lib.optim, name)([{"params": [a]},
                                                    {"params": [b], "lr": 0.5}])))
    assert texts[1] == texts[0]


@pytest.mark.parametrize("name", ["Adam", "AdamW", "SGD", "Adagrad", "RMSprop", "NAdam"])
@pytest.mark.parametrize("flags", [dict(fused=True, foreach=True),
                                   dict(fused=True, differentiable=True),
                                   dict(fused=True, foreach=True, differentiable=True),
                                   dict(fused=True), dict(foreach=True, differentiable=True),
                                   dict(capturable=True)], ids=str)
def test_implementation_flag_combinations_are_accepted_or_refused_like_torch(name, flags):
    outcomes = []
    for lib in (torch, fl):
        try:
            getattr(lib.optim, name)([lib.nn.Parameter(lib.zeros(2))], lr=0.1, **flags)
            outcomes.append(None)
        except Exception as e:          # noqa: BLE001 (the type is what we compare)
            outcomes.append((type(e), str(e).replace(lib.__name__, "torch")))
    assert outcomes[0] == outcomes[1]
