"""Reference tests of F.ctc_loss / nn.CTCLoss against real PyTorch: values and
log_probs gradients (PyTorch's `exp(log_probs) - posterior`) for padded and concatenated
targets, each reduction, zero_infinity, unbatched input, grad_fn names, errors, and the
pure function under jax.jit / jax.grad."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like.pure._ctc import ctc_loss as pure_ctc_loss

from _tensor_ops_ref import check, check_raises

T, N, C, S = 6, 3, 4, 3
_rng = np.random.default_rng(11)
LOG_PROBS = torch.randn(T, N, C, generator=torch.Generator().manual_seed(0)).log_softmax(
    2).numpy()
TARGETS = np.array([[1, 1, 2], [3, 2, 1], [2, 3, 3]])       # a repeated label needs a blank
IN_LEN = np.array([6, 5, 4])
TGT_LEN = np.array([3, 2, 0])
CONCAT = np.concatenate([TARGETS[0, :3], TARGETS[1, :2]])
IMPOSSIBLE = np.array([6, 1, 4])                           # 1 frame for 2 labels: inf loss


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_padded_targets_match_torch(reduction):
    check(lambda t, lp: t.nn.functional.ctc_loss(
        lp, t.tensor(TARGETS), t.tensor(IN_LEN), t.tensor(TGT_LEN), reduction=reduction), LOG_PROBS)


def test_concatenated_targets_tuple_lengths_and_blank():
    # blank=3: the labels are then 0..2.
    targets = np.where(CONCAT == 3, 0, CONCAT)
    check(lambda t, lp: t.nn.functional.ctc_loss(
        lp, t.tensor(targets), tuple(IN_LEN.tolist()), tuple(TGT_LEN.tolist()), blank=3,
        reduction="none"), LOG_PROBS)


def test_zero_infinity_and_module():
    lengths = (IMPOSSIBLE, np.array([3, 2, 0]))
    ref, got = check(lambda t, lp: t.nn.CTCLoss(reduction="none", zero_infinity=True)(
        lp, t.tensor(TARGETS), t.tensor(lengths[0]), t.tensor(lengths[1])), LOG_PROBS)
    assert got.grad_fn.name() == ref.grad_fn.name() == "WhereBackward0"
    loss = fl.nn.functional.ctc_loss(fl.tensor(LOG_PROBS), fl.tensor(TARGETS),
                                     fl.tensor(IMPOSSIBLE), fl.tensor(TGT_LEN),
                                     reduction="none")
    assert np.isinf(loss.numpy()[1]) and np.isfinite(loss.numpy()[[0, 2]]).all()
    assert repr(fl.nn.CTCLoss()) == repr(torch.nn.CTCLoss()) == "CTCLoss()"


def test_unbatched_and_grad_fn_names():
    ref, got = check(lambda t, lp: t.nn.functional.ctc_loss(
        lp[:, 0], t.tensor(TARGETS[0]), (6,), (3,)), LOG_PROBS)
    assert got.shape == ref.shape == ()
    lp = fl.tensor(LOG_PROBS, requires_grad=True)
    args = (fl.tensor(TARGETS), fl.tensor(IN_LEN), fl.tensor(TGT_LEN))
    names = {r: fl.nn.functional.ctc_loss(lp, *args, reduction=r).grad_fn.name()
             for r in ("none", "mean", "sum")}
    assert names == {"none": "CtcLossBackward0", "mean": "MeanBackward0",
                     "sum": "SumBackward0"}


def test_float64_dtype(x64):
    got = fl.nn.functional.ctc_loss(fl.tensor(LOG_PROBS.astype(np.float64)),
                                    fl.tensor(TARGETS), fl.tensor(IN_LEN), fl.tensor(TGT_LEN))
    ref = torch.nn.functional.ctc_loss(torch.tensor(LOG_PROBS, dtype=torch.float64),
                                       torch.tensor(TARGETS), torch.tensor(IN_LEN),
                                       torch.tensor(TGT_LEN))
    assert got.dtype == fl.float64
    np.testing.assert_allclose(got.item(), ref.item(), rtol=1e-12)


@pytest.mark.parametrize("case", ["short_targets", "long_input", "few_input_lengths",
                                  "few_target_lengths"])
def test_errors_match_torch(case):
    targets = TARGETS[:, :2] if case == "short_targets" else TARGETS
    in_len = {"long_input": np.array([7, 5, 4]), "few_input_lengths": IN_LEN[:2]}.get(
        case, IN_LEN)
    tgt_len = TGT_LEN[:2] if case == "few_target_lengths" else TGT_LEN
    check_raises(lambda t, lp, tg, il, tl: t.nn.functional.ctc_loss(lp, tg, il, tl),
                 LOG_PROBS, targets, in_len, tgt_len)


def test_pure_under_jit_and_grad():
    def loss(logits):
        lp = jax.nn.log_softmax(logits, axis=2)
        return pure_ctc_loss(lp, jnp.asarray(CONCAT), jnp.asarray(IN_LEN),
                             jnp.asarray(TGT_LEN))
    logits = jnp.asarray(LOG_PROBS) * 2.0
    value, grad = jax.jit(jax.value_and_grad(loss))(logits)
    t_logits = torch.tensor(np.asarray(logits), requires_grad=True)
    ref = torch.nn.functional.ctc_loss(t_logits.log_softmax(2), torch.tensor(CONCAT),
                                       torch.tensor(IN_LEN), torch.tensor(TGT_LEN))
    ref.backward()
    np.testing.assert_allclose(float(value), ref.item(), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(grad), t_logits.grad.numpy(), atol=1e-5)


def test_pure_losses_exports_ctc_loss():
    from functorch_like.pure import losses, nn as pure_nn
    assert losses.ctc_loss is pure_nn.ctc_loss and "ctc_loss" in losses.__all__


def test_an_impossible_alignment_has_nan_gradients_within_its_length_as_torch():
    # Its gradient was finite (near 0), which hid the infinite loss from an optimizer.
    lp = np.random.RandomState(0).randn(6, 3, 4).astype(np.float32)
    targets = [[1, 2, 2], [3, 1, 0], [2, 0, 0]]
    input_lengths, target_lengths = [3, 5, 4], [3, 2, 1]
    grads = []
    for lib in (torch, fl):
        x = lib.tensor(lp, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(x.log_softmax(2), lib.tensor(targets),
                                          lib.tensor(input_lengths),
                                          lib.tensor(target_lengths), reduction="sum")
        assert np.isinf(loss.item())
        loss.backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(np.isnan(grads[1]), np.isnan(grads[0]))
    assert np.isnan(grads[1][:3, 0]).all() and not np.isnan(grads[1][:, 1]).any()
    np.testing.assert_allclose(grads[1][:, 1:], grads[0][:, 1:], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_a_sample_of_no_frames_aligns_only_the_empty_target(reduction, zero_infinity):
    """input_length 0: loss 0 for an empty target, inf (or 0 with zero_infinity) for any
    other, and no gradient at frame 0 (it read frame 0 anyway: finite losses and a
    gradient there)."""
    check(lambda t, lp: t.nn.functional.ctc_loss(
        lp, t.tensor(TARGETS), t.tensor([6, 0, 0]), t.tensor([3, 2, 0]),
        reduction=reduction, zero_infinity=zero_infinity), LOG_PROBS)
