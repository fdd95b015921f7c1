"""Property tests: each pure optimizer against the optax reference configured to its rule.

Random pytrees (dicts of 1-3 small arrays), random gradient sequences (1-8 steps) and random
hyperparameters, compared in float64 after every step. Where optax has no flag for a
PyTorch option, the reference is an optax chain that states the rule:
  maximize       -> `optax.scale(-1.0)` first (PyTorch negates the gradient first),
  L2 weight decay -> `optax.add_decayed_weights(wd)` next (PyTorch adds wd * p to the
                    gradient before any moment), then the optax optimizer itself.

What optax does NOT define identically (so the properties stay off it):
  - SGD dampening: optax's `trace` has no dampening (`t = g + m t`), only dampening=0.
  - Adagrad eps: optax adds eps inside the root (`g / sqrt(sum + eps)`), PyTorch outside
    (`g / (sqrt(sum) + eps)`); and with a zero accumulator optax returns 0 where PyTorch
    divides by eps. So only eps=0 with initial_accumulator_value > 0.
  - Adagrad lr_decay: optax's adagrad has none (a schedule would be indexed by optax's
    global count, PyTorch's by the per-parameter step; equal here, but not its `adagrad`).
  - AMSGrad: `optax.amsgrad` keeps the running max of the *bias-corrected* second moment
    (`max(nu_max, nu / (1 - b2^t))`); PyTorch keeps the max of the raw `v` and divides it
    by the *current* `sqrt(1 - b2^t)`. The two differ whenever the max is attained at an
    earlier step, so amsgrad is checked against torch only (test_pure_optim_torch.py).
  - RMSprop momentum: optax applies `trace` *after* scaling by the learning rate
    (`buf = m buf + lr g/denom`, update `-buf`), PyTorch before (`buf = m buf + g/denom`,
    update `-lr buf`). With a constant lr (as here) the two are the same numbers up to
    rounding; once lr changes mid-run they differ (PyTorch's buffer is lr-free).
  - RMSprop centered: optax's `scale_by_stddev(eps_in_sqrt=False)` is PyTorch's rule
    exactly (`g / (sqrt(v - m^2) + eps)`, both averages starting at zero, no bias
    correction), so centered is covered, with and without momentum.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
from hypothesis import given, settings
from hypothesis import strategies as st

from functorch_like.pure import optim

SETTINGS = settings(max_examples=25, deadline=None)
RTOL, ATOL = 1e-9, 1e-13

# A fixed menu of small shapes (0-d included): every new shape costs each eager op a
# compilation, and these already mix ranks and sizes.
shapes = st.sampled_from([(), (1,), (3,), (2, 3), (3, 1)])
trees = st.dictionaries(st.sampled_from(["a", "b", "c"]), shapes, min_size=1, max_size=3)
n_steps = st.integers(1, 8)
seeds = st.integers(0, 2**32 - 1)
lrs = st.floats(1e-4, 1.0)
decays = st.floats(0.0, 0.1) | st.just(0.0)
unit = st.floats(0.0, 0.99)          # betas, momentum
signs = st.booleans()                # maximize


def draw_problem(tree_shapes, steps, seed):
    """Initial float64 params and a sequence of gradients, as numpy (built outside x64)."""
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(size=s) for k, s in tree_shapes.items()}
    grads = [{k: rng.normal(size=s) * rng.choice([1e-3, 1.0, 10.0]) for k, s in
              tree_shapes.items()} for _ in range(steps)]
    return params, grads


def reference(rule, weight_decay=0.0, maximize=False):
    """optax's `rule` preceded by PyTorch's gradient negation and L2 term (see above)."""
    parts = ([optax.scale(-1.0)] if maximize else []) + \
            ([optax.add_decayed_weights(weight_decay)] if weight_decay else [])
    return optax.chain(*parts, rule) if parts else rule


def assert_same_trajectory(ours, theirs, params, grads):
    """Runs both transformations on the same gradients from the same params, comparing
    the updates after every step (and therefore the params as well)."""
    with jax.enable_x64(True):
        p_ours = p_theirs = jax.tree.map(jnp.asarray, params)
        assert all(x.dtype == jnp.float64 for x in jax.tree.leaves(p_ours))
        s_ours, s_theirs = ours.init(p_ours), theirs.init(p_theirs)
        for g in grads:
            g = jax.tree.map(jnp.asarray, g)
            u_ours, s_ours = ours.update(g, s_ours, p_ours)
            u_theirs, s_theirs = theirs.update(g, s_theirs, p_theirs)
            chex.assert_trees_all_close(u_ours, u_theirs, rtol=RTOL, atol=ATOL)
            p_ours = optax.apply_updates(p_ours, u_ours)
            p_theirs = optax.apply_updates(p_theirs, u_theirs)
        chex.assert_trees_all_close(p_ours, p_theirs, rtol=RTOL, atol=ATOL)
        # The steps were not all zero: the comparison had something to compare.
        assert any(float(jnp.abs(u).max()) > 0 for u in jax.tree.leaves(u_ours))


@SETTINGS
@given(trees, n_steps, seeds, lrs, unit | st.just(0.0), st.booleans(), decays, signs)
def test_sgd_matches_optax_sgd(tree_shapes, steps, seed, lr, momentum, nesterov, wd, maximize):
    # optax.sgd is PyTorch's SGD with dampening=0: its trace starts at zero, so the first
    # trace is the first gradient, as PyTorch's buffer; nesterov adds m * trace to g.
    nesterov = nesterov and momentum > 0
    params, grads = draw_problem(tree_shapes, steps, seed)
    ours = optim.sgd(lr, momentum=momentum, weight_decay=wd, nesterov=nesterov,
                     maximize=maximize)
    theirs = reference(optax.sgd(lr, momentum or None, nesterov), wd, maximize)
    assert_same_trajectory(ours, theirs, params, grads)


@SETTINGS
@given(trees, n_steps, seeds, st.floats(1e-4, 0.1), st.floats(0.5, 0.999),
       st.floats(1e-8, 1e-2), unit | st.just(0.0), st.booleans(), decays, signs)
def test_rmsprop_matches_optax_rmsprop(tree_shapes, steps, seed, lr, alpha, eps, momentum,
                                       centered, wd, maximize):
    # alpha >= 0.5 and eps > 0 keep the centered denominator away from sqrt(0) + 0 (with
    # alpha=0 the first centered step is 0/0 on both sides).
    params, grads = draw_problem(tree_shapes, steps, seed)
    ours = optim.rmsprop(lr, alpha=alpha, eps=eps, weight_decay=wd, momentum=momentum,
                         centered=centered, maximize=maximize)
    theirs = reference(optax.rmsprop(lr, decay=alpha, eps=eps, eps_in_sqrt=False,
                                     centered=centered, momentum=momentum or None),
                       wd, maximize)
    assert_same_trajectory(ours, theirs, params, grads)


@SETTINGS
@given(trees, n_steps, seeds, st.floats(1e-4, 0.1), unit, st.floats(0.0, 0.999),
       st.floats(1e-10, 1e-3), decays, signs)
def test_adam_matches_optax_adam(tree_shapes, steps, seed, lr, b1, b2, eps, wd, maximize):
    # optax's eps_root=0 form, m_hat / (sqrt(v_hat) + eps), is PyTorch's
    # (m / (1 - b1^t)) / (sqrt(v) / sqrt(1 - b2^t) + eps) rearranged.
    params, grads = draw_problem(tree_shapes, steps, seed)
    ours = optim.adam(lr, betas=(b1, b2), eps=eps, weight_decay=wd, maximize=maximize)
    theirs = reference(optax.adam(lr, b1=b1, b2=b2, eps=eps, eps_root=0.0), wd, maximize)
    assert_same_trajectory(ours, theirs, params, grads)


@SETTINGS
@given(trees, n_steps, seeds, st.floats(1e-4, 0.1), unit, st.floats(0.0, 0.999),
       st.floats(1e-10, 1e-3), st.floats(0.0, 1.0), signs)
def test_adamw_matches_optax_adamw(tree_shapes, steps, seed, lr, b1, b2, eps, wd, maximize):
    # optax.adamw adds wd * p to Adam's direction and then scales by -lr: the update is
    # -lr * wd * p - lr * adam, PyTorch's `p *= 1 - lr * wd` followed by Adam's step.
    # Decoupled decay is not part of the gradient, so maximize negates only the gradient.
    params, grads = draw_problem(tree_shapes, steps, seed)
    ours = optim.adamw(lr, betas=(b1, b2), eps=eps, weight_decay=wd, maximize=maximize)
    theirs = reference(optax.adamw(lr, b1=b1, b2=b2, eps=eps, weight_decay=wd),
                       maximize=maximize)
    assert_same_trajectory(ours, theirs, params, grads)


@SETTINGS
@given(trees, n_steps, seeds, lrs, st.floats(1e-3, 1.0), decays, signs)
def test_adagrad_matches_optax_adagrad(tree_shapes, steps, seed, lr, init_acc, wd, maximize):
    # Only eps=0 with a positive initial accumulator: see the module docstring.
    params, grads = draw_problem(tree_shapes, steps, seed)
    ours = optim.adagrad(lr, weight_decay=wd, initial_accumulator_value=init_acc, eps=0.0,
                         maximize=maximize)
    theirs = reference(optax.adagrad(lr, initial_accumulator_value=init_acc, eps=0.0),
                       wd, maximize)
    assert_same_trajectory(ours, theirs, params, grads)


@SETTINGS
@given(trees, st.integers(2, 8), seeds, st.floats(0.1, 0.99), st.floats(0.1, 0.9))
def test_sgd_dampening_is_an_ema_after_the_first_step(tree_shapes, steps, seed, momentum,
                                                      dampening):
    """The dampened buffer has no optax alias, so its rule is checked directly: the first
    buffer is g_1 itself, later buf = m * buf + (1 - dampening) * g, update -lr * buf."""
    params, grads = draw_problem(tree_shapes, steps, seed)
    lr = 0.1
    with jax.enable_x64(True):
        opt = optim.sgd(lr, momentum=momentum, dampening=dampening)
        p = jax.tree.map(jnp.asarray, params)
        state = opt.init(p)
        buf = None
        for g in grads:
            buf = g if buf is None else jax.tree.map(
                lambda b, x: momentum * b + (1 - dampening) * x, buf, g)
            updates, state = opt.update(jax.tree.map(jnp.asarray, g), state, p)
            chex.assert_trees_all_close(updates, jax.tree.map(lambda b: -lr * b, buf),
                                        rtol=RTOL, atol=ATOL)
            chex.assert_trees_all_close(state.momentum_buffer, buf, rtol=RTOL, atol=ATOL)


# The documented divergences, pinned: if optax (or this package) changes its rule, the
# restrictions above need revisiting.
def run(opt, grads, params, switch_lr=None, set_lr=None):
    state = opt.init(params)
    out = []
    for i, g in enumerate(grads):
        if switch_lr is not None and i == len(grads) // 2:
            state = set_lr(state, switch_lr)
        u, state = opt.update(g, state, params)
        params = optax.apply_updates(params, u)
        out.append(params)
    return out


def test_rmsprop_momentum_differs_from_optax_once_lr_changes(x64):
    params = {"w": jnp.array([1.0, -2.0, 0.5])}
    grads = [{"w": jnp.array([0.3, -1.0, 2.0]) * (i + 1)} for i in range(6)]
    ours = optim.rmsprop(0.1, momentum=0.9)
    theirs = optax.inject_hyperparams(optax.rmsprop)(
        learning_rate=0.1, decay=0.99, eps=1e-8, eps_in_sqrt=False, momentum=0.9)

    def set_theirs(state, lr):
        state.hyperparams["learning_rate"] = jnp.asarray(lr)
        return state

    same = run(ours, grads, params)
    chex.assert_trees_all_close(same, run(theirs, grads, params), rtol=RTOL, atol=ATOL)
    a = run(ours, grads, params, 0.01, lambda s, lr: optim.set_hyperparams(s, lr=lr))
    b = run(theirs, grads, params, 0.01, set_theirs)
    chex.assert_trees_all_close(a[:3], b[:3], rtol=RTOL, atol=ATOL)
    # PyTorch's buffer is lr-free: the new lr rescales the whole buffer at once, while
    # optax's trace still carries the old lr's steps.
    assert not np.allclose(np.asarray(a[3]["w"]), np.asarray(b[3]["w"]), rtol=1e-3)


def test_amsgrad_differs_from_optax_amsgrad(x64):
    # A large first gradient, then small ones: PyTorch's max of the raw v is v_2's
    # neighbour, optax's max of the bias-corrected nu is still step 1's (100 vs ~50).
    params = {"w": jnp.array([1.0])}
    grads = [{"w": jnp.array([10.0])}] + [{"w": jnp.array([0.1])}] * 3
    ours = run(optim.adam(0.1, amsgrad=True), grads, params)
    theirs = run(optax.amsgrad(0.1, b1=0.9, b2=0.999, eps=1e-8), grads, params)
    chex.assert_trees_all_close(ours[0], theirs[0], rtol=RTOL)      # step 1 agrees
    assert not np.allclose(np.asarray(ours[1]["w"]), np.asarray(theirs[1]["w"]), rtol=1e-3)


def test_adagrad_eps_differs_from_optax(x64):
    # eps outside the root (PyTorch) vs inside (optax): visible once eps ~ g^2.
    params = {"w": jnp.array([1.0, 1.0])}
    grads = [{"w": jnp.array([0.1, 1e-3])}]
    ours = run(optim.adagrad(0.1, eps=1e-4), grads, params)[0]["w"]
    theirs = run(optax.adagrad(0.1, initial_accumulator_value=0.0, eps=1e-4), grads,
                 params)[0]["w"]
    # By hand: 1 - 0.1 * g / (|g| + 1e-4) here, 1 - 0.1 * g / sqrt(g^2 + 1e-4) in optax.
    np.testing.assert_allclose(ours, 1 - 0.1 * np.array([0.1 / 0.1001, 1e-3 / 1.1e-3]),
                               rtol=1e-12)
    assert abs(float(ours[1]) - float(theirs[1])) > 1e-2
