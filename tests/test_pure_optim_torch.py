"""Pure optimizers against torch.optim: 50-step trajectories in float64, per option.

Both sides start from the same numpy parameters and take gradients of the same small
non-quadratic loss (a 2-layer tanh MLP regression on fixed data) at their own current
parameters, each framework with its own autodiff. Parameters are compared after every step,
and the optimizer state buffers (which share torch's state key names) at the end.
"""

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch

from functorch_like.pure import optim

STEPS = 50
RTOL, ATOL = 1e-9, 1e-12

_rng = np.random.default_rng(0)
X = _rng.normal(size=(8, 3))
Y = np.sin(X @ np.array([1.0, -2.0, 0.5]))
# Leaves of different ranks, a 0-d one included.
PARAMS0 = {"w1": _rng.normal(size=(3, 4)) * 0.5, "b1": _rng.normal(size=(4,)) * 0.1,
           "w2": _rng.normal(size=(4,)) * 0.5, "b2": np.array(0.1)}
NAMES = sorted(PARAMS0)      # torch parameter order = jax's dict-key order


def mlp_loss(p, x, y, lib):
    pred = lib.tanh(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
    return ((pred - y) ** 2).mean()


@jax.jit
def jax_grad(params, sign):
    return jax.grad(lambda p: sign * mlp_loss(p, jnp.asarray(X), jnp.asarray(Y), jnp))(params)


def torch_params():
    return {k: torch.tensor(PARAMS0[k], dtype=torch.float64, requires_grad=True)
            for k in NAMES}


def torch_step(opt, tparams, sign):
    opt.zero_grad()
    (sign * mlp_loss(tparams, torch.tensor(X), torch.tensor(Y), torch)).backward()
    opt.step()


def as_numpy(tparams):
    return {k: v.detach().numpy() for k, v in tparams.items()}


def assert_close(actual, expected, msg=""):
    for k in NAMES:
        np.testing.assert_allclose(np.asarray(actual[k]), expected[k], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{msg} leaf {k}")


def assert_state_matches(state, topt, tparams, steps):
    """Every buffer of the pure state equals torch's state entry of the same name.

    torch's SGD keeps no step count; there the count must simply equal the steps taken.
    """
    compared = 0
    for field in state._fields:
        tree = getattr(state, field)
        if field == "hyperparams" or tree is None:
            continue
        for k in NAMES:
            expected = topt.state[tparams[k]].get(field, steps if field == "step" else None)
            assert expected is not None, f"torch keeps no {field!r}"
            if field == "step":
                assert tree[k].dtype == jnp.int32
                assert int(tree[k]) == int(expected) == steps
            else:
                np.testing.assert_allclose(np.asarray(tree[k]), expected.numpy(), rtol=RTOL,
                                           atol=ATOL, err_msg=f"state {field} leaf {k}")
            compared += 1
    assert compared > 0


def run_both(ours, theirs, steps=STEPS, switch=None, maximize=False):
    """Runs both optimizers side by side, comparing parameters after every step.

    With `maximize` the objective is the negated loss, so that ascent keeps the run bounded
    (plain ascent on a squared error blows up); an optimizer ignoring `maximize` would
    walk the other way.

    `switch=(at_step, (ours, torchs))` changes hyperparameters before step `at_step` on both
    sides: `set_hyperparams(state, **ours)` here, `param_groups[0].update(torchs)` there.
    """
    sign = -1.0 if maximize else 1.0
    params = jax.tree.map(jnp.asarray, PARAMS0)
    state = ours.init(params)
    tparams = torch_params()
    topt = theirs([tparams[k] for k in NAMES])
    for i in range(steps):
        if switch is not None and i == switch[0]:
            ours_values, torch_values = switch[1]
            state = optim.set_hyperparams(state, **ours_values)
            topt.param_groups[0].update(torch_values)
        updates, state = ours.update(jax_grad(params, sign), state, params)
        params = optax.apply_updates(params, updates)
        torch_step(topt, tparams, sign)
        assert_close(params, as_numpy(tparams), f"step {i + 1}:")
    # The run must have moved: a no-op optimizer would trivially "match" a no-op torch.
    assert not np.allclose(np.asarray(params["w1"]), PARAMS0["w1"])
    assert_state_matches(state, topt, tparams, steps)
    return params


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.05),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    dict(lr=0.05, maximize=True),
    dict(lr=0.02, momentum=0.5, weight_decay=0.1, maximize=True),
]

RMSPROP_CASES = [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9, eps=1e-3),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.005, momentum=0.9),
    dict(lr=0.01, centered=True),
    dict(lr=0.005, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.01),
    dict(lr=0.01, maximize=True),
    dict(lr=0.005, momentum=0.9, centered=True, maximize=True),
]

ADAM_CASES = [
    dict(lr=0.01),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, betas=(0.0, 0.5)),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.02, amsgrad=True),
    dict(lr=0.02, betas=(0.5, 0.9), weight_decay=0.05, amsgrad=True),
    dict(lr=0.01, maximize=True),
    dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True),
]

ADAGRAD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, lr_decay=0.05),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, initial_accumulator_value=0.5),
    dict(lr=0.1, initial_accumulator_value=0.2, eps=0.0),
    dict(lr=0.1, eps=1e-2, lr_decay=0.01, weight_decay=0.01),
    dict(lr=0.05, maximize=True),
    dict(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.1, maximize=True),
]


def _ids(cases):
    return [",".join(f"{k}={v}" for k, v in c.items()) for c in cases]


@pytest.mark.parametrize("kw", SGD_CASES, ids=_ids(SGD_CASES))
def test_sgd_matches_torch(x64, kw):
    run_both(optim.sgd(**kw), lambda p: torch.optim.SGD(p, **kw),
             maximize=kw.get("maximize", False))


@pytest.mark.parametrize("kw", RMSPROP_CASES, ids=_ids(RMSPROP_CASES))
def test_rmsprop_matches_torch(x64, kw):
    run_both(optim.rmsprop(**kw), lambda p: torch.optim.RMSprop(p, **kw),
             maximize=kw.get("maximize", False))


@pytest.mark.parametrize("kw", ADAM_CASES, ids=_ids(ADAM_CASES))
def test_adam_matches_torch(x64, kw):
    run_both(optim.adam(**kw), lambda p: torch.optim.Adam(p, **kw),
             maximize=kw.get("maximize", False))


# AdamW's default weight_decay is 1e-2 on both sides: the bare case checks the default too.
ADAMW_CASES = ADAM_CASES + [dict(lr=0.05, weight_decay=0.5)]


@pytest.mark.parametrize("kw", ADAMW_CASES, ids=_ids(ADAMW_CASES))
def test_adamw_matches_torch(x64, kw):
    run_both(optim.adamw(**kw), lambda p: torch.optim.AdamW(p, **kw),
             maximize=kw.get("maximize", False))


def test_adamw_differs_from_adam_with_l2(x64):
    """Decoupled decay is not Adam's L2: the two trajectories must separate."""
    kw = dict(lr=0.05, weight_decay=0.5)
    w = run_both(optim.adamw(**kw), lambda p: torch.optim.AdamW(p, **kw),
             maximize=kw.get("maximize", False))
    a = run_both(optim.adam(**kw), lambda p: torch.optim.Adam(p, **kw),
             maximize=kw.get("maximize", False))
    assert not np.allclose(np.asarray(w["w1"]), np.asarray(a["w1"]), rtol=1e-3)


@pytest.mark.parametrize("kw", ADAGRAD_CASES, ids=_ids(ADAGRAD_CASES))
def test_adagrad_matches_torch(x64, kw):
    run_both(optim.adagrad(**kw), lambda p: torch.optim.Adagrad(p, **kw),
             maximize=kw.get("maximize", False))


# Changing hyperparameters mid-run: set_hyperparams here, param_groups[0][...] in torch.
# (ours factory, torch class, kwargs, our new values, torch's new values)
SWITCH_CASES = {
    "sgd-lr": (optim.sgd, torch.optim.SGD, dict(lr=0.1, momentum=0.9),
               dict(lr=0.02), dict(lr=0.02)),
    "sgd-momentum": (optim.sgd, torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.5),
                     dict(momentum=0.5, dampening=0.1), dict(momentum=0.5, dampening=0.1)),
    "rmsprop-lr": (optim.rmsprop, torch.optim.RMSprop, dict(lr=0.01, momentum=0.9,
                                                            centered=True),
                   dict(lr=0.002), dict(lr=0.002)),
    "rmsprop-alpha-eps": (optim.rmsprop, torch.optim.RMSprop, dict(lr=0.01),
                          dict(alpha=0.9, eps=1e-3), dict(alpha=0.9, eps=1e-3)),
    "adam-lr": (optim.adam, torch.optim.Adam, dict(lr=0.01), dict(lr=0.05), dict(lr=0.05)),
    "adam-betas-wd": (optim.adam, torch.optim.Adam, dict(lr=0.01, weight_decay=0.1),
                      dict(beta1=0.5, beta2=0.9, weight_decay=0.01),
                      dict(betas=(0.5, 0.9), weight_decay=0.01)),
    "adamw-lr": (optim.adamw, torch.optim.AdamW, dict(lr=0.01, weight_decay=0.5),
                 dict(lr=0.05), dict(lr=0.05)),
    "adagrad-lr": (optim.adagrad, torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.05),
                   dict(lr=0.3), dict(lr=0.3)),
    "adagrad-lr_decay": (optim.adagrad, torch.optim.Adagrad, dict(lr=0.1),
                         dict(lr_decay=0.2), dict(lr_decay=0.2)),
}


@pytest.mark.parametrize("case", SWITCH_CASES.values(), ids=SWITCH_CASES.keys())
def test_hyperparameter_change_mid_run_matches_torch(x64, case):
    factory, torch_cls, kw, ours_new, torch_new = case
    run_both(factory(**kw), lambda p: torch_cls(p, **kw), steps=30,
             switch=(15, (ours_new, torch_new)))


def test_set_hyperparams_changes_the_step(x64):
    """Guards the test above: a switched lr must give a different trajectory."""
    kw = dict(lr=0.01)
    a = run_both(optim.adam(**kw), lambda p: torch.optim.Adam(p, **kw), steps=30)
    b = run_both(optim.adam(**kw), lambda p: torch.optim.Adam(p, **kw), steps=30,
                 switch=(15, (dict(lr=0.05), dict(lr=0.05))))
    assert not np.allclose(np.asarray(a["w1"]), np.asarray(b["w1"]))


def test_set_hyperparams_unknown_name_is_an_error():
    state = optim.sgd(lr=0.1).init({"w": jnp.zeros(2)})
    with pytest.raises(KeyError, match="betas"):
        optim.set_hyperparams(state, betas=(0.9, 0.99))


# Constructor checks: the message must be the one real torch raises for the same arguments.
BAD_INPUTS = [
    (optim.sgd, torch.optim.SGD, dict(lr=-0.1)),
    (optim.sgd, torch.optim.SGD, dict(lr=0.1, momentum=-0.5)),
    (optim.sgd, torch.optim.SGD, dict(lr=0.1, weight_decay=-1e-2)),
    (optim.sgd, torch.optim.SGD, dict(lr=0.1, nesterov=True)),
    (optim.sgd, torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    (optim.rmsprop, torch.optim.RMSprop, dict(lr=-0.1)),
    (optim.rmsprop, torch.optim.RMSprop, dict(eps=-1e-8)),
    (optim.rmsprop, torch.optim.RMSprop, dict(momentum=-0.9)),
    (optim.rmsprop, torch.optim.RMSprop, dict(weight_decay=-0.1)),
    (optim.rmsprop, torch.optim.RMSprop, dict(alpha=-0.5)),
    (optim.adam, torch.optim.Adam, dict(lr=-0.1)),
    (optim.adam, torch.optim.Adam, dict(eps=-1.0)),
    (optim.adam, torch.optim.Adam, dict(betas=(1.0, 0.999))),
    (optim.adam, torch.optim.Adam, dict(betas=(-0.1, 0.999))),
    (optim.adam, torch.optim.Adam, dict(betas=(0.9, 1.0))),
    (optim.adam, torch.optim.Adam, dict(weight_decay=-0.1)),
    (optim.adamw, torch.optim.AdamW, dict(lr=-0.1)),
    (optim.adamw, torch.optim.AdamW, dict(betas=(1.0, 0.999))),
    (optim.adamw, torch.optim.AdamW, dict(betas=(0.9, 1.5))),
    (optim.adamw, torch.optim.AdamW, dict(weight_decay=-0.01)),
    (optim.adagrad, torch.optim.Adagrad, dict(lr=-0.1)),
    (optim.adagrad, torch.optim.Adagrad, dict(lr_decay=-0.1)),
    (optim.adagrad, torch.optim.Adagrad, dict(weight_decay=-0.1)),
    (optim.adagrad, torch.optim.Adagrad, dict(initial_accumulator_value=-0.1)),
    (optim.adagrad, torch.optim.Adagrad, dict(eps=-1e-10)),
    # Several bad values: both must report the first one torch checks.
    (optim.sgd, torch.optim.SGD, dict(lr=-1.0, momentum=-1.0, nesterov=True)),
    (optim.sgd, torch.optim.SGD, dict(momentum=-1.0, weight_decay=-1.0, nesterov=True)),
    (optim.adam, torch.optim.Adam, dict(lr=-1.0, eps=-1.0, betas=(2.0, 2.0))),
    (optim.adam, torch.optim.Adam, dict(betas=(0.9, 2.0), weight_decay=-1.0)),
    (optim.rmsprop, torch.optim.RMSprop, dict(momentum=-1.0, alpha=-1.0)),
    (optim.adagrad, torch.optim.Adagrad, dict(initial_accumulator_value=-1.0, eps=-1.0)),
]


def _bad_id(case):
    return f"{case[0].__name__}-" + ",".join(f"{k}={v}" for k, v in case[2].items())


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[_bad_id(c) for c in BAD_INPUTS])
def test_bad_arguments_raise_torchs_error(case):
    factory, torch_cls, kw = case
    with pytest.raises(ValueError) as theirs:
        torch_cls([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError) as ours:
        factory(**kw)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("factory,kw,text", [
    (optim.sgd, dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (optim.adam, dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (optim.sgd, dict(lr=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
])
def test_bad_argument_texts(factory, kw, text):
    # The literal texts of torch 2.13, pinned so that a torch upgrade that rewords them shows.
    with pytest.raises(ValueError) as ours:
        factory(**kw)
    assert str(ours.value) == text


@pytest.mark.parametrize("factory,torch_cls,kw", [
    (optim.sgd, torch.optim.SGD, dict(lr=0.0, momentum=0.0, weight_decay=0.0)),
    (optim.adam, torch.optim.Adam, dict(lr=0.0, betas=(0.0, 0.0), eps=0.0)),
    (optim.adamw, torch.optim.AdamW, dict(betas=(0.0, 0.999999))),
    (optim.rmsprop, torch.optim.RMSprop, dict(lr=0.0, alpha=0.0, eps=0.0)),
    (optim.adagrad, torch.optim.Adagrad, dict(lr=0.0, lr_decay=0.0, eps=0.0)),
])
def test_boundary_arguments_accepted_like_torch(factory, torch_cls, kw):
    torch_cls([torch.zeros(2, requires_grad=True)], **kw)     # torch accepts them ...
    opt = factory(**kw)                                         # ... and so must we
    assert isinstance(opt, optax.GradientTransformation)


def test_weight_decay_without_params_is_an_error():
    opt = optim.sgd(lr=0.1, weight_decay=0.1)
    params = {"w": jnp.ones(2)}
    with pytest.raises(ValueError, match="params"):
        opt.update(params, opt.init(params))


@pytest.mark.parametrize("factory,torch_cls", [
    (optim.sgd, torch.optim.SGD), (optim.rmsprop, torch.optim.RMSprop),
    (optim.adam, torch.optim.Adam), (optim.adamw, torch.optim.AdamW),
    (optim.adagrad, torch.optim.Adagrad),
])
def test_signature_matches_torch(factory, torch_cls):
    """Same argument names, positional order and defaults as torch's constructor (less
    `params` and torch's device/implementation switches: foreach, fused, capturable, ...)."""
    ours = inspect.signature(factory).parameters
    theirs = dict(list(inspect.signature(torch_cls.__init__).parameters.items())[2:])
    positional = [n for n, p in ours.items() if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == list(theirs)[:len(positional)]
    for name, p in ours.items():
        assert name in theirs
        assert p.default == theirs[name].default, name


@pytest.mark.parametrize("make", [lambda: optim.sgd(lr=0.1), lambda: optim.rmsprop(lr=0.1)])
def test_setting_a_momentum_on_an_optimizer_built_without_one_raises(make):
    # Its update has no momentum term: the value was kept in the state and never used
    # (plain SGD where torch's momentum 0 -> 0.9 gives -0.39 after three steps, not -0.3).
    state = make().init({"w": jnp.zeros(1)})
    with pytest.raises(ValueError, match="built with momentum=0"):
        optim.set_hyperparams(state, momentum=0.9)
    assert optim.set_hyperparams(state, momentum=0.0, lr=0.2).hyperparams["lr"] == \
        jnp.float32(0.2)
