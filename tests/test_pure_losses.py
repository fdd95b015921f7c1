"""Reference tests of functorch_like.pure.losses against torch.nn.functional.

Every loss runs here and in PyTorch 2.13 on the same numpy float64 inputs; the values and the
vector-Jacobian products (a random cotangent for 'none') must agree to ~1e-10. Bad inputs
must raise PyTorch's exception type with PyTorch's message.
"""

import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from functorch_like.pure import losses

RTOL, ATOL = 1e-10, 1e-12
REDUCTIONS = ["none", "mean", "sum"]
C = 4  # classes
# Class scores: unbatched (C,), (N, C), (N, C, d1), (N, C, d1, d2).
CLASS_SHAPES = [(C,), (3, C), (3, C, 2), (2, C, 2, 3)]


def _j(a):
    return None if a is None else jnp.asarray(a)


def _t(a):
    return None if a is None else torch.tensor(a)


def _assert_matches_torch(ours, theirs, args, rng, rtol=RTOL, atol=ATOL):
    """Same value, and the same vector-Jacobian product w.r.t. each of `args` (numpy)."""
    targs = [torch.tensor(a, requires_grad=True) for a in args]
    expected = theirs(*targs)
    got, vjp = jax.vjp(ours, *[jnp.asarray(a) for a in args])
    assert got.dtype == jnp.float64
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(np.asarray(got), expected.detach().numpy(), rtol=rtol, atol=atol)
    cotangent = np.asarray(rng.standard_normal(got.shape))
    expected_grads = torch.autograd.grad(expected, targs, torch.tensor(cotangent))
    got_grads = vjp(jnp.asarray(cotangent))
    for g, e in zip(got_grads, expected_grads, strict=True):
        assert g.shape == tuple(e.shape)
        np.testing.assert_allclose(np.asarray(g), e.numpy(), rtol=rtol, atol=atol)


# --------------------------------------------------------------------------- regression

REGRESSION = [
    ("mse_loss", {}), ("l1_loss", {}),
    ("smooth_l1_loss", {"beta": 0.0}), ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 1.0}), ("smooth_l1_loss", {"beta": 2.0}),
    ("huber_loss", {"delta": 0.5}), ("huber_loss", {"delta": 1.0}),
    ("huber_loss", {"delta": 2.0}),
]


def _regression_data(rng):
    x, y = rng.standard_normal((3, C)) * 2, rng.standard_normal((3, C)) * 2
    # Rows of exact quarter-steps: differences 0, ±0.5, ±1, ±2 sit on every beta/delta
    # boundary (and on |d| = 0), where the two branches and their derivatives meet.
    x[1], y[1] = [1.5, 2.0, -1.0, 0.25], [1.0, 1.0, 1.0, 0.25]
    x[2], y[2] = [-0.5, 0.0, 3.0, 0.0], [0.0, 1.0, 1.0, 0.5]
    return x, y


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", REGRESSION)
def test_regression_matches_torch(x64, name, kw, reduction):
    rng = np.random.default_rng(0)
    x, y = _regression_data(rng)
    ours = lambda a, b: getattr(losses, name)(a, b, reduction=reduction, **kw)
    theirs = lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw)
    _assert_matches_torch(ours, theirs, [x, y], rng)


@pytest.mark.parametrize("shapes", [((3, C), (C,)), ((C,), (3, C)), ((3, 1), (1, C))])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_broadcast_warns_like_torch(x64, name, shapes):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        expected = getattr(F, name)(torch.tensor(x), torch.tensor(y))
    (theirs,) = [w for w in caught if issubclass(w.category, UserWarning)]
    with pytest.warns(UserWarning) as record:
        got = getattr(losses, name)(jnp.asarray(x), jnp.asarray(y))
    assert [str(w.message) for w in record] == [str(theirs.message)]
    np.testing.assert_allclose(np.asarray(got), expected.numpy(), rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ class-index targets


def _class_dim(shape):
    return 0 if len(shape) == 1 else 1


def _class_target(rng, shape, ignore_index):
    """Integer targets for scores of `shape`, with `ignore_index` present (when batched)."""
    batch = shape[:_class_dim(shape)] + shape[_class_dim(shape) + 1:]
    if not batch:  # unbatched: one target, which must count (an ignored one makes 'mean' 0/0)
        return np.array(2, dtype=np.int64)
    t = rng.integers(0, C, batch)
    t.flat[0] = ignore_index
    t.flat[-1] = 2  # never ignored, so 'mean' has a nonzero denominator
    return t


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("ignore_index", [-100, 1])  # the default, and a real class
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_cross_entropy_class_indices_matches_torch(x64, shape, weighted, ignore_index,
                                                   label_smoothing, reduction):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    t = _class_target(rng, shape, ignore_index)
    w = rng.uniform(0.5, 2.0, C) if weighted else None
    kw = {"reduction": reduction, "label_smoothing": label_smoothing}
    if ignore_index != -100:  # otherwise leave it out, so the default is what is tested
        kw["ignore_index"] = ignore_index
    ours = lambda a: losses.cross_entropy(a, jnp.asarray(t), _j(w), **kw)
    theirs = lambda a: F.cross_entropy(a, torch.tensor(t), _t(w), **kw)
    _assert_matches_torch(ours, theirs, [x], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_masked_classes_match_torch(x64, reduction):
    # -inf scores (masked classes, as attention-style code writes them) outside the targets:
    # cross_entropy picks from the max-shifted scores, so exp(-inf) must give 0 and no NaN.
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, C))
    x[0, 1] = x[2, 3] = x[3, 0] = -np.inf
    t = np.array([0, 2, 1, 2])
    kw = {"reduction": reduction}
    ours = lambda a: losses.cross_entropy(a, jnp.asarray(t), **kw)
    theirs = lambda a: F.cross_entropy(a, torch.tensor(t), **kw)
    _assert_matches_torch(ours, theirs, [x], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_nll_loss_matches_torch(x64, shape, weighted, ignore_index, reduction):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)  # nll_loss does not need normalized log-probabilities
    t = _class_target(rng, shape, ignore_index)
    w = rng.uniform(0.5, 2.0, C) if weighted else None
    kw = {"reduction": reduction}
    if ignore_index != -100:
        kw["ignore_index"] = ignore_index
    ours = lambda a: losses.nll_loss(a, jnp.asarray(t), _j(w), **kw)
    theirs = lambda a: F.nll_loss(a, torch.tensor(t), _t(w), **kw)
    _assert_matches_torch(ours, theirs, [x], rng)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("shape", [(C,), (3, C)])
def test_all_targets_ignored_like_torch(x64, name, shape):
    """'mean' over no counted targets is 0/0 = NaN in PyTorch; 'sum' and 'none' are 0."""
    x = np.random.default_rng(4).standard_normal(shape)
    t = np.full(shape[:-1], -100, dtype=np.int64)
    for reduction in REDUCTIONS:
        expected = getattr(F, name)(torch.tensor(x), torch.tensor(t), reduction=reduction)
        got = getattr(losses, name)(jnp.asarray(x), jnp.asarray(t), reduction=reduction)
        np.testing.assert_array_equal(np.asarray(got), expected.numpy())
    assert np.isnan(np.asarray(getattr(losses, name)(jnp.asarray(x), jnp.asarray(t))))


def test_uint8_targets_accepted_like_torch(x64):
    x = np.random.default_rng(5).standard_normal((3, C))
    t = np.array([0, 3, 1], dtype=np.uint8)  # PyTorch takes Long or Byte targets
    expected = F.cross_entropy(torch.tensor(x), torch.tensor(t))
    got = losses.cross_entropy(jnp.asarray(x), jnp.asarray(t))
    np.testing.assert_allclose(np.asarray(got), expected.numpy(), rtol=RTOL)


def test_uint8_targets_past_class_255_like_torch(x64):
    # (a uint8 target compared in its own dtype wraps: 300 and -100 become 44 and 156)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 300))
    t = np.array([0, 255, 156], dtype=np.uint8)  # (156 is -100 wrapped to uint8)
    for reduction in REDUCTIONS:
        expected = F.cross_entropy(torch.tensor(x), torch.tensor(t), reduction=reduction)
        got = losses.cross_entropy(jnp.asarray(x), jnp.asarray(t), reduction=reduction)
        np.testing.assert_allclose(np.asarray(got), expected.numpy(), rtol=RTOL)


# ---------------------------------------------------------- class-probability targets


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", CLASS_SHAPES[:3])
def test_cross_entropy_probabilities_matches_torch(x64, shape, weighted, label_smoothing,
                                                   reduction):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape)
    p = rng.uniform(0.0, 1.0, shape)
    p = p / p.sum(axis=_class_dim(shape), keepdims=True)
    w = rng.uniform(0.5, 2.0, C) if weighted else None
    kw = {"reduction": reduction, "label_smoothing": label_smoothing}
    ours = lambda a, b: losses.cross_entropy(a, b, _j(w), **kw)
    theirs = lambda a, b: F.cross_entropy(a, b, _t(w), **kw)
    _assert_matches_torch(ours, theirs, [x, p], rng)  # gradients w.r.t. scores and target


# ------------------------------------------------------------------------------ binary


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (3, C), (C,)])
def test_binary_cross_entropy_matches_torch_at_0_and_1(x64, weight_shape, reduction):
    rng = np.random.default_rng(7)
    x, t = rng.uniform(0.05, 0.95, (3, C)), rng.uniform(0.0, 1.0, (3, C))
    # Exact 0 and 1 probabilities: PyTorch clamps each log at -100 (loss 100, not inf) and its
    # gradient (x - t) / max(x (1 - x), 1e-12) is 0 or +-1e12 there, never NaN.
    x[0], t[0] = [0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]
    x[1, :2], t[1, :2] = [0.0, 1.0], [0.3, 0.6]
    t[2, :2] = [0.0, 1.0]
    w = None if weight_shape is None else rng.uniform(0.5, 2.0, weight_shape)
    ours = lambda a: losses.binary_cross_entropy(a, jnp.asarray(t), _j(w), reduction=reduction)
    theirs = lambda a: F.binary_cross_entropy(a, torch.tensor(t), _t(w), reduction=reduction)
    _assert_matches_torch(ours, theirs, [x], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_target_gradient_matches_torch(x64, reduction):
    rng = np.random.default_rng(8)
    x, t = rng.uniform(0.05, 0.95, (3, C)), rng.uniform(0.0, 1.0, (3, C))
    ours = lambda a, b: losses.binary_cross_entropy(a, b, reduction=reduction)
    theirs = lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction)
    _assert_matches_torch(ours, theirs, [x, t], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weighted", [False, True])
@pytest.mark.parametrize("weight_shape", [None, (3, C), (C,)])
def test_binary_cross_entropy_with_logits_matches_torch(x64, weight_shape, pos_weighted,
                                                        reduction):
    rng = np.random.default_rng(9)
    x, t = rng.standard_normal((3, C)) * 3, rng.uniform(0.0, 1.0, (3, C))
    # Large-magnitude logits (exp(50) overflows a naive float32 formula) and a logit of 0,
    # where the |x| and max(-x, 0) in the stable formula have kinks.
    x[0], t[0] = [50.0, -50.0, 50.0, -50.0], [1.0, 0.0, 0.0, 1.0]
    x[1, :2], t[1, :2] = [0.0, 50.0], [0.5, 0.3]
    w = None if weight_shape is None else rng.uniform(0.5, 2.0, weight_shape)
    pw = rng.uniform(0.5, 3.0, C) if pos_weighted else None
    ours = lambda a, b: losses.binary_cross_entropy_with_logits(
        a, b, _j(w), reduction=reduction, pos_weight=_j(pw))
    theirs = lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, _t(w), reduction=reduction, pos_weight=_t(pw))
    _assert_matches_torch(ours, theirs, [x, t], rng)


# ------------------------------------------------------------------------------ kl_div


@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(x64, log_target, reduction):
    rng = np.random.default_rng(10)
    logq = np.log(rng.dirichlet(np.ones(C), 3))
    p = rng.dirichlet(np.ones(C), 3)
    p[0, 1] = 0.0  # 0 log 0 = 0 (xlogy), as in PyTorch
    target = np.log(rng.dirichlet(np.ones(C), 3)) if log_target else p
    kw = {"reduction": reduction, "log_target": log_target}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.kl_div(torch.tensor(logq), torch.tensor(target), **kw)
    if reduction == "mean":  # both warn that 'mean' is not the KL divergence
        with pytest.warns(UserWarning) as record:
            losses.kl_div(jnp.asarray(logq), jnp.asarray(target), **kw)
        assert [str(w.message) for w in record] == [str(w.message) for w in caught]
    else:
        assert caught == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if log_target:  # differentiable in the target everywhere: check both gradients
            _assert_matches_torch(lambda a, b: losses.kl_div(a, b, **kw),
                                  lambda a, b: F.kl_div(a, b, **kw), [logq, target], rng)
        else:  # d/dt of t log t is -inf at the exact 0 above: gradient w.r.t. input only
            _assert_matches_torch(lambda a: losses.kl_div(a, jnp.asarray(target), **kw),
                                  lambda a: F.kl_div(a, torch.tensor(target), **kw),
                                  [logq], rng)


def test_kl_div_batchmean_of_unbatched_input_like_torch(x64):
    """PyTorch divides by input.size(0) whatever the rank: the element count for 1-D."""
    rng = np.random.default_rng(11)
    logq, p = np.log(rng.dirichlet(np.ones(C))), rng.dirichlet(np.ones(C))
    _assert_matches_torch(lambda a: losses.kl_div(a, jnp.asarray(p), reduction="batchmean"),
                          lambda a: F.kl_div(a, torch.tensor(p), reduction="batchmean"),
                          [logq], rng)


# ------------------------------------------------------------------------- jit and grad


def _all_losses(rng):
    """(name, function of the first argument, that argument) for every loss."""
    x = rng.standard_normal((3, C))
    y = jnp.asarray(rng.standard_normal((3, C)))
    t = jnp.asarray(np.array([0, -100, 3]))
    w = jnp.asarray(rng.uniform(0.5, 2.0, C))
    p = jnp.asarray(rng.uniform(0.0, 1.0, (3, C)))
    return [
        ("mse", lambda a: losses.mse_loss(a, y), x),
        ("l1", lambda a: losses.l1_loss(a, y, reduction="sum"), x),
        ("smooth_l1", lambda a: losses.smooth_l1_loss(a, y, beta=0.5), x),
        ("huber", lambda a: losses.huber_loss(a, y, delta=2.0), x),
        ("ce", lambda a: losses.cross_entropy(a, t, w, label_smoothing=0.1), x),
        ("ce_probs", lambda a: losses.cross_entropy(a, p / p.sum(1, keepdims=True), w), x),
        ("nll", lambda a: losses.nll_loss(a, t, w), x),
        ("bce", lambda a: losses.binary_cross_entropy(a, p, reduction="sum"),
         np.clip(x, 0.0, 1.0)),  # includes exact 0s and 1s
        ("bce_logits", lambda a: losses.binary_cross_entropy_with_logits(a, p, pos_weight=w), x),
        ("kl_div", lambda a: losses.kl_div(a, p, reduction="batchmean"), x),
    ]


def test_every_loss_under_jit_and_grad_matches_eager(x64):
    rng = np.random.default_rng(12)
    cases = _all_losses(rng)
    xs = [jnp.asarray(x) for _, _, x in cases]
    # One jit of all of them: a single compilation keeps the test fast.
    jitted = jax.jit(lambda xs: [jax.value_and_grad(fn)(x) for (_, fn, _), x in zip(cases, xs)])
    for (name, fn, _), x, (value, grad) in zip(cases, xs, jitted(xs), strict=True):
        eager_value, eager_grad = jax.value_and_grad(fn)(x)
        assert np.all(np.isfinite(np.asarray(eager_grad))), name
        np.testing.assert_allclose(value, eager_value, rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(grad, eager_grad, rtol=1e-12, atol=1e-15, err_msg=name)


def test_jitted_grad_matches_torch(x64):
    """jax.jit(jax.grad(...)) of the full-option cross_entropy against torch's backward."""
    rng = np.random.default_rng(13)
    x, t, w = rng.standard_normal((3, C, 2)), np.array([[0, 1], [3, 2], [1, 1]]), np.ones(C)
    w[2] = 3.0
    kw = {"ignore_index": 1, "label_smoothing": 0.2}
    grad = jax.jit(jax.grad(lambda a: losses.cross_entropy(a, jnp.asarray(t), _j(w), **kw)))
    xt = torch.tensor(x, requires_grad=True)
    (expected,) = torch.autograd.grad(F.cross_entropy(xt, torch.tensor(t), _t(w), **kw), xt)
    np.testing.assert_allclose(np.asarray(grad(jnp.asarray(x))), expected.numpy(),
                               rtol=RTOL, atol=ATOL)


def test_vmap_over_unbatched_equals_batched(x64):
    rng = np.random.default_rng(14)
    x, t = jnp.asarray(rng.standard_normal((3, C))), jnp.asarray(rng.integers(0, C, 3))
    per_sample = jax.jit(jax.vmap(
        lambda a, b: losses.cross_entropy(a, b, label_smoothing=0.1)))(x, t)
    batched = losses.cross_entropy(x, t, reduction="none", label_smoothing=0.1)
    np.testing.assert_allclose(per_sample, batched, rtol=1e-12)


def test_concrete_arrays_closed_over_by_jit(x64):
    """Labels (or BCE probabilities) captured as constants by a jitted function are concrete:
    they are checked (not a TracerBoolConversionError), and good ones give eager's value."""
    rng = np.random.default_rng(16)
    x, p = jnp.asarray(rng.standard_normal((3, C))), jnp.asarray(rng.uniform(0, 1, (3, C)))
    t = jnp.asarray(np.array([0, 3, 1]))
    ce = lambda a: losses.cross_entropy(a, t, label_smoothing=0.1)
    np.testing.assert_allclose(jax.jit(ce)(x), ce(x), rtol=1e-12)
    bce_t = lambda b: losses.binary_cross_entropy(p, b)
    np.testing.assert_allclose(jax.jit(jax.grad(bce_t))(p), jax.grad(bce_t)(p), rtol=1e-12)
    bad = jnp.asarray(np.array([0, C, 1]))
    with pytest.raises(IndexError, match=f"Target {C} is out of bounds."):
        jax.jit(lambda a: losses.nll_loss(a, bad))(x)
    too_big = p + 1.0
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        jax.jit(lambda b: losses.binary_cross_entropy(too_big, b))(p)


def test_default_float32_keeps_dtype_and_finite_gradients():
    """Without x64 (the library default) the losses stay float32, endpoints included."""
    x = jnp.array([[0.0, 0.3, 1.0], [0.5, 1.0, 0.0]])
    t = jnp.array([[1.0, 0.5, 1.0], [0.0, 0.0, 0.0]])
    for fn in [lambda a: losses.binary_cross_entropy(a, t),
               lambda a: losses.binary_cross_entropy_with_logits(a * 100 - 50, t),
               lambda a: losses.cross_entropy(a, jnp.array([2, 0]), label_smoothing=0.1),
               lambda a: losses.l1_loss(a, t)]:
        value, grad = jax.value_and_grad(fn)(x)
        assert value.dtype == grad.dtype == jnp.float32
        assert np.all(np.isfinite(np.asarray(grad)))


@pytest.mark.parametrize("bad", [C, -2])
@pytest.mark.parametrize("call", [
    lambda a, t, r: losses.cross_entropy(a, t, reduction=r),
    lambda a, t, r: losses.cross_entropy(a, t, jnp.arange(1.0, C + 1), reduction=r,
                                         label_smoothing=0.3),
    lambda a, t, r: losses.nll_loss(a, t, reduction=r, ignore_index=0),
], ids=["ce", "ce_weight_smoothing", "nll"])
def test_out_of_range_class_under_jit_is_nan(x64, call, bad):
    """Under jit the labels cannot be read to raise; the loss must be NaN, never a number."""
    rng = np.random.default_rng(15)
    x = jnp.asarray(rng.standard_normal((3, C)))
    t = jnp.asarray(np.array([1, bad, 2]))
    per_sample, mean, total = jax.jit(lambda a, b: [call(a, b, r) for r in REDUCTIONS])(x, t)
    assert np.isnan(mean) and np.isnan(total)
    per_sample = np.asarray(per_sample)
    assert np.isnan(per_sample[1])
    # The valid samples keep their values: equal to the eager loss of the in-range labels.
    eager = np.asarray(call(x, jnp.asarray(np.array([1, 0, 2])), "none"))
    np.testing.assert_allclose(per_sample[[0, 2]], eager[[0, 2]], rtol=1e-12)


def test_out_of_range_class_raises_under_grad(x64):
    """A concrete bad label is caught even while the scores are traced by jax.grad."""
    x = jnp.zeros((3, C))
    with pytest.raises(IndexError, match=f"Target {C} is out of bounds."):
        jax.grad(lambda a: losses.cross_entropy(a, jnp.asarray(np.array([1, C, 2]))))(x)


# ------------------------------------------------------------------------------- errors

_X34 = np.arange(12.0).reshape(3, C) / 7
_P34 = np.full((3, C), 0.25)
_ERROR_CASES = {
    # class index out of range, incl. negative ones other than ignore_index
    "ce_target_too_big": lambda L, a: L.cross_entropy(a(_X34), a(np.array([0, 4, 1]))),
    "nll_target_too_big": lambda L, a: L.nll_loss(a(_X34), a(np.array([0, 4, 1]))),
    "ce_target_negative": lambda L, a: L.cross_entropy(a(_X34), a(np.array([0, -2, 1]))),
    "nll_target_negative": lambda L, a: L.nll_loss(a(_X34), a(np.array([0, -2, 1]))),
    "ce_target_minus_one": lambda L, a: L.cross_entropy(a(_X34), a(np.array([-1, 0, 1]))),
    "ce_negative_not_ignore_index": lambda L, a: L.cross_entropy(
        a(_X34), a(np.array([2, -1, 1])), ignore_index=2),
    "ce_unbatched_too_big": lambda L, a: L.cross_entropy(a(_X34[0]), a(np.array(4))),
    "ce_3d_too_big": lambda L, a: L.cross_entropy(
        a(np.zeros((2, C, 3))), a(np.array([[0, 4, 1], [0, 0, 0]]))),
    "nll_4d_too_big": lambda L, a: L.nll_loss(
        a(np.zeros((1, C, 2, 2))), a(np.array([[[0, 1], [5, 1]]]))),
    "ce_too_big_smoothing_weight": lambda L, a: L.cross_entropy(
        a(_X34), a(np.array([0, 4, 1])), a(np.ones(C)), label_smoothing=0.1),
    # mismatched batch sizes
    "ce_batch": lambda L, a: L.cross_entropy(a(_X34), a(np.array([0, 1]))),
    "nll_batch": lambda L, a: L.nll_loss(a(_X34), a(np.array([0, 1]))),
    "ce_3d_batch": lambda L, a: L.cross_entropy(a(np.zeros((2, C, 3))), a(np.zeros((1, 3), int))),
    "nll_4d_batch": lambda L, a: L.nll_loss(a(np.zeros((2, C, 3, 2))),
                                            a(np.zeros((1, 3, 2), int))),
    "ce_float_target_batch": lambda L, a: L.cross_entropy(a(_X34), a(np.array([0.0, 1.0]))),
    "nll_3d_target_size": lambda L, a: L.nll_loss(a(np.zeros((2, C, 3))),
                                                  a(np.zeros((2, 2), int))),
    # a weight of the wrong length
    "ce_weight": lambda L, a: L.cross_entropy(a(_X34), a(np.array([0, 1, 2])), a(np.ones(3))),
    "nll_weight": lambda L, a: L.nll_loss(a(_X34), a(np.array([0, 1, 2])), a(np.ones(5))),
    "nll_unbatched_weight": lambda L, a: L.nll_loss(a(_X34[0]), a(np.array(1)), a(np.ones(3))),
    "ce_probs_weight": lambda L, a: L.cross_entropy(a(_X34), a(_P34), a(np.ones(3))),
    "ce_2d_weight": lambda L, a: L.cross_entropy(a(_X34), a(np.array([0, 1, 2])),
                                                 a(np.ones((2, C)))),
    # binary cross entropy: probabilities outside [0, 1] (NaN is not inside), shapes
    "bce_above_one": lambda L, a: L.binary_cross_entropy(a(np.array([0.5, 1.5])),
                                                         a(np.array([0.0, 1.0]))),
    "bce_negative": lambda L, a: L.binary_cross_entropy(a(np.array([0.5, -0.5])),
                                                        a(np.array([0.0, 1.0]))),
    "bce_nan": lambda L, a: L.binary_cross_entropy(a(np.array([0.5, np.nan])),
                                                   a(np.array([0.0, 1.0]))),
    "bce_shape": lambda L, a: L.binary_cross_entropy(a(np.array([0.5, 0.5])),
                                                     a(np.array([0.0, 1.0, 1.0]))),
    "bce_broadcastable_shape": lambda L, a: L.binary_cross_entropy(a(_P34), a(np.ones(C))),
    "bce_logits_shape": lambda L, a: L.binary_cross_entropy_with_logits(
        a(np.array([0.5, 0.5])), a(np.array([0.0, 1.0, 1.0]))),
    "bce_logits_broadcastable_shape": lambda L, a: L.binary_cross_entropy_with_logits(
        a(_X34), a(np.ones(C))),
    # regression losses: shapes that do not broadcast, and bad hyperparameters
    "mse_not_broadcastable": lambda L, a: L.mse_loss(a(_X34), a(np.ones(3))),
    "l1_not_broadcastable": lambda L, a: L.l1_loss(a(np.ones((2, 5, 3))), a(np.ones((4, 3)))),
    "huber_not_broadcastable": lambda L, a: L.huber_loss(a(np.ones((2, 3, 4))),
                                                         a(np.ones((5, 3, 1)))),
    "smooth_l1_negative_beta": lambda L, a: L.smooth_l1_loss(a(_X34), a(_X34), beta=-1.0),
    "huber_zero_delta": lambda L, a: L.huber_loss(a(_X34), a(_X34), delta=0.0),
    "ce_label_smoothing_above_one": lambda L, a: L.cross_entropy(
        a(_X34), a(np.array([0, 1, 2])), label_smoothing=1.5),
    # an invalid reduction string, for every loss
    **{f"{name}_reduction": functools.partial(
        lambda name, args, L, a: getattr(L, name)(*[a(v) for v in args], reduction="xyz"),
        name, args) for name, args in [
        ("mse_loss", (_X34, _X34)), ("l1_loss", (_X34, _X34)),
        ("smooth_l1_loss", (_X34, _X34)), ("huber_loss", (_X34, _X34)),
        ("cross_entropy", (_X34, np.array([0, 1, 2]))),
        ("cross_entropy", (_X34, _P34)),
        ("nll_loss", (_X34, np.array([0, 1, 2]))),
        ("binary_cross_entropy", (_P34, _P34)),
        ("binary_cross_entropy_with_logits", (_X34, _P34)),
        ("kl_div", (_X34, _P34))]},
}


# PyTorch warns about broadcasting before it raises for shapes that do not broadcast.
@pytest.mark.filterwarnings("ignore:Using a target size:UserWarning")
@pytest.mark.parametrize("case", list(_ERROR_CASES.values()), ids=list(_ERROR_CASES))
def test_error_matches_torch(x64, case):
    with pytest.raises(Exception) as theirs:
        case(F, torch.tensor)
    with pytest.raises(type(theirs.value)) as ours:
        case(losses, jnp.asarray)
    assert str(ours.value) == str(theirs.value)
    # ... and it is also what a JAX user catches (pure._errors: both builtins).
    assert isinstance(ours.value, (ValueError, TypeError))


@pytest.mark.parametrize("dtype,torch_name", [(np.float64, "Double"), (np.float32, "Float")])
@pytest.mark.parametrize("case", [
    lambda L, a, d: L.cross_entropy(a(_X34), a(np.array([0, 1, 2], dtype=d))),
    lambda L, a, d: L.nll_loss(a(_X34), a(np.array([0, 1, 2], dtype=d))),
    lambda L, a, d: L.cross_entropy(a(_X34[0]), a(np.array(1, dtype=d))),
    lambda L, a, d: L.nll_loss(a(np.zeros((2, C, 3))), a(np.zeros((2, 3), dtype=d))),
], ids=["ce", "nll", "ce_unbatched", "nll_3d"])
def test_float_class_index_target_is_type_and_runtime_error(x64, case, dtype, torch_name):
    """PyTorch's RuntimeError; here also a TypeError, with PyTorch's text."""
    with pytest.raises(RuntimeError) as theirs:
        case(F, torch.tensor, dtype)
    assert str(theirs.value) == f"expected target dtype to be Long or Byte, but got {torch_name}"
    with pytest.raises(TypeError) as ours:
        case(losses, jnp.asarray, dtype)
    assert isinstance(ours.value, RuntimeError)
    assert str(ours.value) == str(theirs.value)
