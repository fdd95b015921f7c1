"""Properties every pure optimizer must have, over a registry of optimizers and configs
(in the manner of optax's alias_test.py and jax's optimizers_test.py): it solves a parabola
and a 2-D Rosenbrock; update keeps the state's tree structure and every leaf's dtype; a
jitted update compiles once, also across hyperparameter changes; eager and jitted updates
agree; and update is pure."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from functorch_like.pure import optim

# name -> (factory, kwargs without lr, lr for the parabola, lr for Rosenbrock). The lrs
# were chosen by a sweep: each converges within STEPS to well inside TOL.
REGISTRY = {
    "sgd": (optim.sgd, {}, 0.1, 1.9e-3),     # Rosenbrock's Hessian at (1, 1) has largest
                                             # eigenvalue ~1002: plain GD needs lr < 2e-3
    "sgd-momentum": (optim.sgd, dict(momentum=0.9), 3e-3, 1e-3),
    "sgd-nesterov": (optim.sgd, dict(momentum=0.9, nesterov=True), 1e-2, 1e-3),
    "sgd-dampening": (optim.sgd, dict(momentum=0.9, dampening=0.5), 1e-2, 3e-3),
    "rmsprop": (optim.rmsprop, {}, 3e-3, 1e-3),
    "rmsprop-momentum": (optim.rmsprop, dict(alpha=0.9, momentum=0.5), 5e-3, 1e-3),
    "rmsprop-centered": (optim.rmsprop, dict(momentum=0.9, centered=True), 3e-3, 1e-3),
    "adam": (optim.adam, {}, 0.1, 3e-3),
    "adam-amsgrad": (optim.adam, dict(betas=(0.9, 0.99), amsgrad=True), 0.1, 1e-2),
    "adamw": (optim.adamw, dict(weight_decay=1e-4), 0.1, 2e-3),
    "adagrad": (optim.adagrad, {}, 1.0, 3e-2),
    "adagrad-acc": (optim.adagrad, dict(initial_accumulator_value=0.1, eps=1e-8), 1.0, 3e-2),
}
STEPS = 8000       # plain SGD on Rosenbrock is the slowest: its valley's curvature is ~0.4
TOL = 1e-2         # optax's alias_test tolerance


def make(name, problem=None):
    """The registry's optimizer with the lr for `problem`, or a small lr for the tiny
    problem below (big steps saturate its tanh, and gradients of ~1e-6 are mostly rounding,
    which the adaptive optimizers then scale up to full steps)."""
    factory, kw, lr_parabola, lr_rosenbrock = REGISTRY[name]
    return factory({"parabola": lr_parabola, "rosenbrock": lr_rosenbrock, None: 1e-2}[problem],
                   **kw)


def parabola(dtype):
    """optax alias_test's quadratic: sum((x - x*)^2) from (-1, 10, 1) to (1, -1, 1)."""
    target = jnp.array([1.0, -1.0, 1.0], dtype)
    return jnp.array([-1.0, 10.0, 1.0], dtype), target, lambda x: jnp.sum((x - target) ** 2)


def rosenbrock(dtype):
    """(1 - x)^2 + 100 (y - x^2)^2 from (0, 0); its minimum is at (1, 1)."""
    return (jnp.zeros(2, dtype), jnp.ones(2, dtype),
            lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2)


@pytest.mark.parametrize("problem", ["parabola", "rosenbrock"])
@pytest.mark.parametrize("name", REGISTRY)
def test_solves(name, problem):
    opt = make(name, problem)
    x0, solution, objective = {"parabola": parabola, "rosenbrock": rosenbrock}[problem](
        jnp.float32)

    @jax.jit
    def run(x):
        def step(_, carry):
            x, state = carry
            updates, state = opt.update(jax.grad(objective)(x), state, x)
            return optax.apply_updates(x, updates), state
        return jax.lax.fori_loop(0, STEPS, step, (x, opt.init(x)))

    x, state = run(x0)
    chex.assert_trees_all_close(x, solution, atol=TOL, rtol=TOL)
    assert int(state.step) == STEPS
    assert float(objective(x)) < float(objective(x0)) * 1e-3


def tiny_loss(p):
    return jnp.sum(jnp.tanh(p["w"] @ (p["b"] + p["s"])) ** 2) + p["s"] ** 2


# One jitted gradient for every test below: eager and jitted *updates* are what differ.
tiny_grad = jax.jit(jax.grad(tiny_loss))


def tiny_problem(dtype):
    params = {"w": jnp.array([[0.5, -1.0], [2.0, 0.25], [-0.5, 1.5]], dtype),
              "b": jnp.array([0.1, -0.2], dtype), "s": jnp.array(0.3, dtype)}
    return params, tiny_grad


def run_steps(opt, params, grad_fn, n, update=None):
    update = update or opt.update
    state = opt.init(params)
    trace = []
    for _ in range(n):
        updates, state = update(grad_fn(params), state, params)
        params = optax.apply_updates(params, updates)
        trace.append((updates, params))
    return trace, state


def avals(tree):
    """(shape, dtype, weak_type) per leaf: what jit keys its cache on."""
    return jax.tree.map(lambda x: (x.shape, x.dtype, getattr(x, "weak_type", False)),
                        jax.eval_shape(lambda t: t, tree))


# bfloat16 only under x64, the widest gap between hyperparameters and parameters.
@pytest.mark.parametrize("dtype,use_x64", [(jnp.float32, False), (jnp.float32, True),
                                           (jnp.bfloat16, True)],
                         ids=["float32-x32", "float32-x64", "bfloat16-x64"])
@pytest.mark.parametrize("name", REGISTRY)
def test_update_keeps_structure_and_dtypes(name, dtype, use_x64):
    with jax.enable_x64(use_x64):
        params, _ = tiny_problem(dtype)
        grads = jax.tree.map(lambda p: jnp.full_like(p, 0.5), params)
        opt = make(name)
        state0 = opt.init(params)
        # Hyperparameters take the widest float; everything per-parameter the param dtype.
        wide = jnp.float64 if use_x64 else jnp.float32
        assert all(v.dtype == wide for v in state0.hyperparams.values())
        assert all(s.dtype == jnp.int32 for s in jax.tree.leaves(state0.step))
        buffers = [getattr(state0, f) for f in state0._fields if f not in ("step",
                                                                          "hyperparams")]
        assert all(leaf.dtype == dtype for leaf in jax.tree.leaves(buffers))

        # Abstract evaluation runs the same Python code as an eager update and gives the
        # same dtypes, without compiling each eager op for each dtype combination.
        state = state0
        for _ in range(3):
            updates, state = jax.eval_shape(opt.update, grads, state, params)
            chex.assert_trees_all_equal_structs(state, state0)
            assert avals(state) == avals(state0)
            assert avals(updates) == avals(params)
            params = jax.eval_shape(optax.apply_updates, params, updates)
        assert all(p.dtype == dtype for p in jax.tree.leaves(params))


@pytest.mark.parametrize("name", REGISTRY)
def test_jitted_update_compiles_once(name):
    opt = make(name)
    params, grad_fn = tiny_problem(jnp.float32)
    traces = []

    def counted_update(grads, state, params):
        traces.append(1)            # runs only while tracing
        return opt.update(grads, state, params)

    update = jax.jit(counted_update)
    state = opt.init(params)
    for i in range(4):
        updates, state = update(grad_fn(params), state, params)
        params = optax.apply_updates(params, updates)
        if i == 1:
            state = optim.set_hyperparams(state, lr=0.5 * float(state.hyperparams["lr"]))
        if i == 2:                  # every hyperparameter at once
            state = optim.set_hyperparams(
                state, **{k: 0.5 * float(v) for k, v in state.hyperparams.items()})
    assert len(traces) == 1
    # (at most one executable; jax's jit cache is one LRU shared by every jitted function
    # in the process, which a long test session can have evicted this one from by now)
    assert update._cache_size() <= 1


@pytest.mark.parametrize("name", ["sgd-momentum", "rmsprop-centered", "adam", "adagrad"])
def test_set_hyperparams_inside_jit_compiles_once(name):
    """A train step taking lr as an argument (a schedule's output) traces once."""
    opt = make(name)
    params, grad_fn = tiny_problem(jnp.float32)
    traces = []

    @jax.jit
    def train_step(params, state, lr):
        traces.append(1)
        state = optim.set_hyperparams(state, lr=lr)
        updates, state = opt.update(grad_fn(params), state, params)
        return optax.apply_updates(params, updates), state

    state = opt.init(params)
    moved = []
    for lr in [1e-2, 3e-2, 0.0, 1e-3]:
        new_params, state = train_step(params, state, lr)
        moved.append(float(jnp.max(jnp.abs(new_params["w"] - params["w"]))))
        params = new_params
        assert float(state.hyperparams["lr"]) == pytest.approx(lr)
    assert len(traces) == 1
    assert moved[2] == 0.0 and moved[0] > 0.0      # lr=0 really took effect


@pytest.mark.parametrize("name", REGISTRY)
def test_eager_and_jit_agree(name):
    opt = make(name)
    params, grad_fn = tiny_problem(jnp.float32)
    eager, eager_state = run_steps(opt, params, grad_fn, 3)
    jitted, jit_state = run_steps(opt, params, grad_fn, 3, jax.jit(opt.update))
    # XLA fuses the jitted arithmetic (and may contract a*b+c into one rounding), so the
    # two agree to a few float32 ulps, not bitwise (measured: <= 3e-7 relative, 1.2e-6 for
    # centered RMSprop's sqrt(v - m^2)).
    chex.assert_trees_all_close(jitted, eager, rtol=2e-5, atol=1e-8)
    chex.assert_trees_all_close(jit_state, eager_state, rtol=2e-5, atol=1e-8)
    assert float(jnp.max(jnp.abs(eager[-1][0]["w"]))) > 0


@pytest.mark.parametrize("name", REGISTRY)
def test_update_is_pure(name):
    opt = make(name)
    params, grad_fn = tiny_problem(jnp.float32)
    _, state = run_steps(opt, params, grad_fn, 2)          # a state past the first step
    grads = grad_fn(params)
    before = jax.tree.map(np.array, (grads, state, params))
    first = opt.update(grads, state, params)
    second = opt.update(grads, state, params)
    chex.assert_trees_all_equal(first, second)
    # The inputs are left as they were, and the new state is a new value.
    chex.assert_trees_all_equal(jax.tree.map(np.array, (grads, state, params)), before)
    assert int(jax.tree.leaves(first[1].step)[0]) == int(jax.tree.leaves(state.step)[0]) + 1


@pytest.mark.parametrize("name", ["sgd-momentum", "rmsprop", "adam", "adagrad"])
def test_weight_decay_set_later_without_params_is_never_silent(name):
    """update() without params cannot apply weight decay: an error eagerly, NaN under jit
    (where the value is unknown until run), whether decay came from the constructor or
    from set_hyperparams; with weight_decay 0 it runs as before."""
    opt = make(name)
    params, grad_fn = tiny_problem(jnp.float32)
    state = opt.init(params)
    grads = grad_fn(params)
    fine, _ = jax.jit(opt.update)(grads, state)
    assert all(bool(jnp.all(jnp.isfinite(u))) for u in jax.tree.leaves(fine))
    decayed = optim.set_hyperparams(state, weight_decay=0.1)
    with pytest.raises(ValueError, match="with weight_decay needs `params`"):
        opt.update(grads, decayed)
    poisoned, _ = jax.jit(opt.update)(grads, decayed)
    assert all(bool(jnp.all(jnp.isnan(u))) for u in jax.tree.leaves(poisoned))
    with_params, _ = jax.jit(opt.update)(grads, decayed, params)
    assert all(bool(jnp.all(jnp.isfinite(u))) for u in jax.tree.leaves(with_params))
