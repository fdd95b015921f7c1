"""Reference tests of the margin, embedding and likelihood losses (F functions and
modules) against real PyTorch, in float64: values, gradients of every float input, each
reduction, the legacy size_average/reduce flags, reprs and error texts. Inputs put some
hinges exactly at their corner, where PyTorch's kernels pick the gradient."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
import functorch_like.nn as nn
from functorch_like.pure import losses as L

from _tensor_ops_ref import check, check_raises

TIGHT = dict(x64=True, atol=1e-12, rtol=1e-10)
_rng = np.random.default_rng(7)
A, B, C = (_rng.standard_normal((3, 4)) for _ in range(3))
SIGNS = np.array([[1.0, -1, -1, 1], [-1, 1, 1, -1], [1, 1, -1, -1]])
SIGNS3 = np.array([1.0, -1, -1])
LABELS01 = (SIGNS > 0).astype(np.float64)
COUNTS = np.array([[0.0, 1, 2, 5], [3, 0, 1, 1], [2, 7, 0, 4]])
# Row 0 has the corner 1 - (x[3] - x[2]) == 0 (a non-target next to target 3).
ML_INPUT = A.copy()
ML_INPUT[0, 3], ML_INPUT[0, 2] = 1.5, 0.5
ML_TARGET = np.array([[3, 0, -1, 1], [1, 1, -1, 0], [0, 1, 2, 3]])
# hinge_embedding: x == margin with target -1 is its corner.
HINGE_INPUT = A.copy()
HINGE_INPUT[0, 1] = 1.0
# margin_ranking with margin 0: x1 == x2 is its corner.
X1, X2 = A[0].copy(), B[0].copy()
X2[2] = X1[2]
VAR = np.abs(C) + 0.1
VAR[1, 2] = 1e-8                    # below eps: clamped, with the gradient passed through

CASES = {
    "cosine_embedding": (lambda t, a, b, r: t.nn.functional.cosine_embedding_loss(
        a, b, t.tensor(SIGNS3), margin=0.2, reduction=r), (A, B)),
    "cosine_embedding_1d": (lambda t, a, b, r: t.nn.functional.cosine_embedding_loss(
        a[0], b[0], t.tensor(-1.0), margin=-0.5, reduction=r), (A, B)),
    "margin_ranking": (lambda t, a, b, r: t.nn.functional.margin_ranking_loss(
        a, b, t.tensor(SIGNS[0]), reduction=r), (X1, X2)),
    "hinge_embedding": (lambda t, a, r: t.nn.functional.hinge_embedding_loss(
        a, t.tensor(SIGNS), reduction=r), (HINGE_INPUT,)),
    "soft_margin": (lambda t, a, r: t.nn.functional.soft_margin_loss(
        a, t.tensor(SIGNS), reduction=r), (A,)),
    "multilabel_soft_margin": (lambda t, a, w, r: t.nn.functional.multilabel_soft_margin_loss(
        a, t.tensor(LABELS01), weight=w, reduction=r), (A, np.array([0.5, 1, 2, 0.1]))),
    "multilabel_margin": (lambda t, a, r: t.nn.functional.multilabel_margin_loss(
        a, t.tensor(ML_TARGET), reduction=r), (ML_INPUT,)),
    "multilabel_margin_1d": (lambda t, a, r: t.nn.functional.multilabel_margin_loss(
        a[1], t.tensor([2, -1, 0, 3]), reduction=r), (A,)),
    "multi_margin_p1": (lambda t, a, r: t.nn.functional.multi_margin_loss(
        a, t.tensor([0, 3, 1]), reduction=r), (A,)),
    # (PyTorch refuses a weight that requires grad here.)
    "multi_margin_p2_weight": (lambda t, a, r: t.nn.functional.multi_margin_loss(
        a, t.tensor([2, 0, 2]), p=2, margin=0.7, weight=t.tensor([0.5, 1, 2, 0.1], dtype=a.dtype),
        reduction=r), (A,)),
    "poisson_log_full": (lambda t, a, r: t.nn.functional.poisson_nll_loss(
        a, t.tensor(COUNTS), full=True, reduction=r), (A,)),
    "poisson_rate": (lambda t, a, r: t.nn.functional.poisson_nll_loss(
        a.abs() + 0.1, t.tensor(COUNTS), log_input=False, reduction=r), (A,)),
    "gaussian_full": (lambda t, a, b, v, r: t.nn.functional.gaussian_nll_loss(
        a, b, v, full=True, reduction=r), (A, B, VAR)),
    "gaussian_var_per_sample": (lambda t, a, b, v, r: t.nn.functional.gaussian_nll_loss(
        a, b, v[:, 0], reduction=r), (A, B, VAR)),
    "gaussian_var_broadcast": (lambda t, a, b, v, r: t.nn.functional.gaussian_nll_loss(
        a, b, v[:1], reduction=r), (A, B, VAR)),
    "gaussian_float_var": (lambda t, a, b, r: t.nn.functional.gaussian_nll_loss(
        a, b, 0.3, reduction=r), (A, B)),
    "triplet": (lambda t, a, b, c, r: t.nn.functional.triplet_margin_loss(
        a, b, c, margin=2.0, reduction=r), (A, B, C)),
    "triplet_p1_swap": (lambda t, a, b, c, r: t.nn.functional.triplet_margin_loss(
        a, b, c, margin=2.0, p=1, swap=True, reduction=r), (A, B, C)),
    "triplet_distance": (lambda t, a, b, c, r: t.nn.functional.triplet_margin_with_distance_loss(
        a, b, c, margin=2.0, reduction=r), (A, B, C)),
    "triplet_custom_distance": (lambda t, a, b, c, r:
                                t.nn.functional.triplet_margin_with_distance_loss(
        a, b, c, distance_function=lambda x, y: 1 - t.nn.functional.cosine_similarity(x, y),
        margin=0.5, swap=True, reduction=r), (A, B, C)),
}


# Each case runs with one reduction, in turn (every program compiles: keep the count low);
# test_reductions runs all three on a few.
_REDUCTIONS = ("none", "mean", "sum")


@pytest.mark.parametrize("name", CASES)
def test_functional_matches_torch(name):
    fn, inputs = CASES[name]
    reduction = _REDUCTIONS[list(CASES).index(name) % 3]
    check(lambda t, *xs: fn(t, *xs, reduction), *inputs, **TIGHT)


@pytest.mark.parametrize("name", ["multilabel_margin", "multi_margin_p2_weight"])
def test_reductions(name):
    fn, inputs = CASES[name]
    check(lambda t, *xs: tuple(fn(t, *xs, r) for r in _REDUCTIONS), *inputs, **TIGHT)


def test_grad_fn_names(x64):
    for name in ("cosine_embedding", "margin_ranking", "soft_margin", "multilabel_margin",
                 "multi_margin_p1", "poisson_log_full", "gaussian_full", "triplet"):
        fn, inputs = CASES[name]
        for reduction in ("none", "mean"):
            got = fn(fl, *[fl.tensor(x, requires_grad=True) for x in inputs], reduction)
            want = fn(torch, *[torch.tensor(x, requires_grad=True) for x in inputs],
                      reduction)
            assert got.grad_fn.name() == want.grad_fn.name(), (name, reduction)


LEGACY = [dict(size_average=False), dict(reduce=False), dict(size_average=True, reduce=True)]


@pytest.mark.parametrize("flags", LEGACY)
def test_legacy_size_average_and_reduce(flags):
    check(lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0, 3, 1]), **flags), A,
          **TIGHT)
    check(lambda t, a: t.nn.functional.hinge_embedding_loss(a, t.tensor(SIGNS), **flags), A,
          **TIGHT)


MODULES = {
    "CosineEmbeddingLoss": (lambda n: n.CosineEmbeddingLoss(0.1), lambda t, a, b: (
        a, b, t.tensor(SIGNS3))),
    "MarginRankingLoss": (lambda n: n.MarginRankingLoss(0.3, reduction="sum"),
                          lambda t, a, b: (a, b, t.tensor(SIGNS))),
    "HingeEmbeddingLoss": (lambda n: n.HingeEmbeddingLoss(0.5), lambda t, a, b: (
        a, t.tensor(SIGNS))),
    "SoftMarginLoss": (lambda n: n.SoftMarginLoss(), lambda t, a, b: (a, t.tensor(SIGNS))),
    "MultiLabelSoftMarginLoss": (lambda n: n.MultiLabelSoftMarginLoss(reduction="sum"),
                                 lambda t, a, b: (a, t.tensor(LABELS01))),
    "MultiLabelMarginLoss": (lambda n: n.MultiLabelMarginLoss(reduction="none"),
                             lambda t, a, b: (a, t.tensor(ML_TARGET))),
    "MultiMarginLoss": (lambda n: n.MultiMarginLoss(2, 0.5), lambda t, a, b: (
        a, t.tensor([1, 1, 3]))),
    "PoissonNLLLoss": (lambda n: n.PoissonNLLLoss(full=True), lambda t, a, b: (
        a, t.tensor(COUNTS))),
    "GaussianNLLLoss": (lambda n: n.GaussianNLLLoss(full=True), lambda t, a, b: (
        a, b, t.tensor(VAR))),
    "TripletMarginLoss": (lambda n: n.TripletMarginLoss(1.5, swap=True), lambda t, a, b: (
        a, b, t.tensor(C))),
    "TripletMarginWithDistanceLoss": (lambda n: n.TripletMarginWithDistanceLoss(margin=1.5),
                                      lambda t, a, b: (a, b, t.tensor(C))),
}


@pytest.mark.parametrize("name", MODULES)
def test_modules_match_torch(name, x64):
    make, args = MODULES[name]
    tm, m = make(torch.nn), make(nn)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    ta, tb = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    fa, fb = fl.tensor(A, requires_grad=True), fl.tensor(B, requires_grad=True)
    want, got = tm(*args(torch, ta, tb)), m(*args(fl, fa, fb))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10)
    want.sum().backward()
    got.sum().backward()
    np.testing.assert_allclose(fa.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_weighted_modules_register_the_weight_buffer(x64):
    w = np.array([0.5, 1.0, 2.0, 0.1])
    for cls in ("MultiMarginLoss", "MultiLabelSoftMarginLoss"):
        tm = getattr(torch.nn, cls)(weight=torch.tensor(w))
        m = getattr(nn, cls)(weight=fl.tensor(w))
        assert list(m.state_dict()) == list(tm.state_dict()) == ["weight"]
        target = ML_TARGET[:, 0] if cls == "MultiMarginLoss" else LABELS01
        want = tm(torch.tensor(A), torch.tensor(target)).item()
        assert m(fl.tensor(A), fl.tensor(target)).item() == pytest.approx(want, rel=1e-10)


F32 = A.astype(np.float32)
ERRORS = [
    lambda t, a: t.nn.functional.cosine_embedding_loss(a, a, t.ones(3, 1)),
    lambda t, a: t.nn.functional.cosine_embedding_loss(a, a, t.tensor(1.0)),
    lambda t, a: t.nn.functional.cosine_embedding_loss(a[0], a[0], t.ones(3)),
    lambda t, a: t.nn.functional.cosine_embedding_loss(a, a[:, :2], t.ones(3)),
    lambda t, a: t.nn.functional.cosine_embedding_loss(a, a, t.ones(4)),
    lambda t, a: t.nn.functional.margin_ranking_loss(a, a, t.ones(4)),
    lambda t, a: t.nn.functional.hinge_embedding_loss(a, t.ones(3)),
    lambda t, a: t.nn.functional.hinge_embedding_loss(a, a, reduction="x"),
    lambda t, a: t.nn.functional.soft_margin_loss(a, t.ones(3)),
    lambda t, a: t.nn.functional.multilabel_soft_margin_loss(a, a, reduction="x"),
    lambda t, a: t.nn.functional.multilabel_margin_loss(a, t.ones(3, 4)),
    lambda t, a: t.nn.functional.multilabel_margin_loss(a, t.ones(3, 5, dtype=t.long)),
    lambda t, a: t.nn.functional.multilabel_margin_loss(a, t.full((3, 4), 4)),
    lambda t, a: t.nn.functional.multilabel_margin_loss(a, t.full((3, 4), -2)),
    lambda t, a: t.nn.functional.multilabel_margin_loss(a[None], t.zeros(3, dtype=t.long)),
    lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0, 4, 1])),
    lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0, 1])),
    lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0.0, 1, 2])),
    lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0, 1, 2]), p=3),
    lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0, 1, 2]), weight=t.ones(3)),
    lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0, 1, 2]),
                                                   weight=t.ones(1, 4)),
    lambda t, a: t.nn.functional.multi_margin_loss(a, t.tensor([0, 1, 2]),
                                                   weight=t.ones(4, dtype=t.float64)),
    lambda t, a: t.nn.functional.poisson_nll_loss(a, t.ones(3)),
    lambda t, a: t.nn.functional.poisson_nll_loss(a, a, reduction="x"),
    lambda t, a: t.nn.functional.triplet_margin_loss(a, a, a[0]),
    lambda t, a: t.nn.functional.triplet_margin_loss(a, a, a, margin=0),
    lambda t, a: t.nn.functional.triplet_margin_loss(a, a, a[:, :2]),
    lambda t, a: t.nn.functional.triplet_margin_with_distance_loss(a, a, a, reduction="x"),
    lambda t, a: t.nn.functional.gaussian_nll_loss(a, a, t.ones(3, 2)),
    lambda t, a: t.nn.functional.gaussian_nll_loss(a, a, -1.0),
    lambda t, a: t.nn.functional.gaussian_nll_loss(a, a, -t.ones(3, 4)),
    lambda t, a: t.nn.functional.gaussian_nll_loss(a, a, t.ones(3, 4), reduction="x"),
    lambda t, a: t.nn.MultiMarginLoss(p=3),
    lambda t, a: t.nn.MultiMarginLoss(weight=t.ones(2, 2)),
    lambda t, a: t.nn.TripletMarginLoss(margin=0),
    lambda t, a: t.nn.TripletMarginWithDistanceLoss(margin=-1),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors_match_torch(fn, x64):
    check_raises(fn, F32)


def test_pure_losses_under_jit_and_grad(x64):
    target = np.array([0, 3, 1])

    def total(lib, x):
        f = lib.nn.functional if lib is torch else L
        return (f.multi_margin_loss(x, lib.tensor(target) if lib is torch else target, 2)
                + f.multilabel_margin_loss(x, lib.tensor(ML_TARGET) if lib is torch
                                           else ML_TARGET)
                + f.gaussian_nll_loss(x, lib.tensor(B) if lib is torch else B,
                                      lib.tensor(VAR) if lib is torch else VAR))
    got = jax.jit(jax.grad(lambda x: total(jnp, x)))(jnp.asarray(A))
    tx = torch.tensor(A, requires_grad=True)
    total(torch, tx).backward()
    np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-10)
    # Inside a traced program an out-of-range label cannot raise: its sample's loss is NaN.
    bad = jnp.array([0, 4, 1])
    out = jax.jit(L.multi_margin_loss, static_argnames="reduction")(A, bad, reduction="none")
    assert np.isnan(out[1]) and np.isfinite(out[0])
    bad = ML_TARGET.copy()
    bad[2, 3] = 9
    out = jax.jit(L.multilabel_margin_loss, static_argnames="reduction")(A, bad,
                                                                          reduction="none")
    assert np.isnan(out[2]) and np.isfinite(out[0])


@pytest.mark.parametrize("loss, kwargs", [
    ("cross_entropy", {}), ("cross_entropy", {"label_smoothing": 0.1}),
    ("cross_entropy", {"weight": "ones"}), ("nll_loss", {}), ("nll_loss", {"weight": "ones"})])
def test_a_batch_whose_targets_are_all_ignored_is_nan_with_zero_gradient_as_torch(loss,
                                                                                  kwargs):
    # The gradient was NaN: one all-padding batch turned every weight into NaN.
    x0 = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    out = []
    for lib in (torch, fl):
        x = lib.tensor(x0, requires_grad=True)
        kw = {k: (lib.ones(4) if v == "ones" else v) for k, v in kwargs.items()}
        scores = x if loss == "cross_entropy" else x.log_softmax(1)
        value = getattr(lib.nn.functional, loss)(scores, lib.tensor([1, 1, 1]),
                                                 ignore_index=1, **kw)
        value.backward()
        out.append((value.item(), x.grad.numpy()))
    assert np.isnan(out[0][0]) and np.isnan(out[1][0])
    np.testing.assert_array_equal(out[1][1], out[0][1])


@pytest.mark.parametrize("loss", ["mse_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("operands", [
    lambda lib: (lib.tensor([1, 2]), lib.tensor([0, 0])),
    lambda lib: (lib.tensor([True]), lib.tensor([False])),
    lambda lib: (lib.tensor([1], dtype=lib.uint8), lib.tensor([0], dtype=lib.uint8)),
    lambda lib: (lib.tensor([1j]), lib.tensor([0j])),
], ids=["long", "bool", "uint8", "complex"])
def test_losses_with_a_kernel_refuse_non_float_operands_as_torch(loss, operands):
    # (before: mse_loss of two long tensors gave 2.5)
    check_raises(lambda lib: getattr(lib.nn.functional, loss)(*operands(lib)))


def test_losses_with_a_kernel_take_a_long_target_beside_a_float_input():
    for loss in ("mse_loss", "smooth_l1_loss", "huber_loss"):
        got = getattr(fl.nn.functional, loss)(fl.tensor([1., 2.]), fl.tensor([0, 0]))
        want = getattr(torch.nn.functional, loss)(torch.tensor([1., 2.]), torch.tensor([0, 0]))
        assert got.item() == pytest.approx(want.item())


def test_legacy_reduction_arguments_warn_as_torch():
    """size_average/reduce give torch's deprecation warning, naming the reduction they
    stand for (they were taken silently)."""
    import warnings

    def run(lib):
        F = lib.nn.functional
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            F.mse_loss(lib.ones(2), lib.zeros(2), size_average=False)
            lib.nn.L1Loss(reduce=False)
            lib.nn.CrossEntropyLoss(size_average=True)
            F.nll_loss(lib.zeros(2, 3), lib.tensor([0, 1]), reduce=False)
            F.mse_loss(lib.ones(2), lib.zeros(2))             # (no legacy argument)
        return [(w.category.__name__, str(w.message)) for w in seen]
    ours = run(fl)
    assert ours == run(torch)
    assert len(ours) == 4


@pytest.mark.parametrize("target_shape", [(2, 4), (3, 3)])
def test_multilabel_soft_margin_shape_mismatch_raises_as_torch(target_shape):
    """A RuntimeError with torch's broadcast message (JAX's TypeError before)."""
    check_raises(lambda t, x, y: t.nn.functional.multilabel_soft_margin_loss(x, y),
                 np.zeros((2, 3), np.float32), np.zeros(target_shape, np.float32))


@pytest.mark.parametrize("fn, kw", [("nll_loss", {}), ("cross_entropy", {}),
                                    ("cross_entropy", {"label_smoothing": 0.1})])
@pytest.mark.parametrize("target, weight", [([0, 1], [0.0, 0.0, 1.0]),
                                            ([0, -100], [0.0, 1.0, 1.0]),
                                            ([-100, -100], [1.0, 1.0, 1.0]),
                                            ([0, 2], [0.0, 0.0, 1.0])])
def test_mean_over_class_weights_summing_to_zero_as_torch(fn, kw, target, weight):
    """Counted targets whose weights sum to 0: the loss is 0/0 and so is torch's gradient
    (NaN for their scores; it was 0); ignored targets' scores get no gradient (NaN once
    the divisor was 0)."""
    def run(lib):
        x = lib.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], requires_grad=True)
        out = getattr(lib.nn.functional, fn)(x, lib.tensor(target),
                                             weight=lib.tensor(weight), **kw)
        out.backward()
        return out.item(), x.grad.numpy()
    (ref_loss, ref_grad), (loss, grad) = run(torch), run(fl)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-5)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-4, atol=1e-6)
