"""Loss edges found by a probe of the losses, against torch: gradients at infinite and NaN
differences, integer inputs, shapes that do not broadcast, the loss dtype of
binary_cross_entropy_with_logits, and torch 2.13's `weight=` of mse/l1/huber."""

import warnings

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_as_torch

_INF, _NAN = float("inf"), float("nan")

_POINTWISE = {
    "smooth_l1 beta=1": lambda F, x, y: F.smooth_l1_loss(x, y, reduction="sum", beta=1.0),
    "smooth_l1 beta=0": lambda F, x, y: F.smooth_l1_loss(x, y, reduction="sum", beta=0.0),
    "huber": lambda F, x, y: F.huber_loss(x, y, reduction="sum"),
    "huber delta=0.3": lambda F, x, y: F.huber_loss(x, y, reduction="sum", delta=0.3),
    "l1": lambda F, x, y: F.l1_loss(x, y, reduction="sum"),
    "mse": lambda F, x, y: F.mse_loss(x, y, reduction="sum"),
}


@pytest.mark.parametrize("name", list(_POINTWISE))
def test_gradients_at_infinite_and_nan_differences_are_torchs(name):
    def call(lib):
        x = lib.tensor([_INF, -_INF, 2.0, _NAN, 1.0, 0.5, _INF], requires_grad=True)
        y = lib.tensor([0.0, 0.0, 1.0, 0.0, 1.0, 0.2, _INF])
        _POINTWISE[name](lib.nn.functional, x, y).backward()
        return x.grad
    same_as_torch(call)


_REFUSED = {
    "soft_margin of integers": lambda L: L.nn.functional.soft_margin_loss(
        L.tensor([[1, 0]]), L.tensor([[1, 1]])),
    "soft_margin, integer input": lambda L: L.nn.functional.soft_margin_loss(
        L.tensor([[1, 0]]), L.tensor([[1.0, 1.0]])),
    "bce of integers": lambda L: L.nn.functional.binary_cross_entropy(
        L.tensor([1, 0]), L.tensor([1, 1])),
    "bce with logits of integers": lambda L: L.nn.functional.binary_cross_entropy_with_logits(
        L.tensor([1, 0]), L.tensor([1, 1])),
    "bce with logits, integer input": lambda L: L.nn.functional
    .binary_cross_entropy_with_logits(L.tensor([1, 0]), L.tensor([1.0, 1.0])),
    "kl_div shapes": lambda L: L.nn.functional.kl_div(L.zeros(4, 3), L.ones(4, 5)),
    "gaussian_nll shapes": lambda L: L.nn.functional.gaussian_nll_loss(
        L.zeros(4, 5), L.ones(4, 3), L.ones(4, 5)),
}


@pytest.mark.parametrize("name", list(_REFUSED))
def test_refused_as_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_as_torch(_REFUSED[name])


def test_bce_with_logits_takes_a_half_targets_dtype_as_torchs():
    for target_dtype in ("float16", "bfloat16"):
        dtypes = []
        for lib in (fl, torch):
            x = lib.tensor([0.3, -1.2], requires_grad=True)
            out = lib.nn.functional.binary_cross_entropy_with_logits(
                x, lib.tensor([1.0, 0.0]).to(getattr(lib, target_dtype)))
            out.backward()
            dtypes.append((str(out.dtype), str(x.grad.dtype), round(out.item(), 2)))
        assert dtypes[0] == dtypes[1]


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "bogus"])
def test_weight_argument_of_torch_2_13(name, reduction):
    def call(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        w = lib.tensor([[1, 0.5], [2, 0]])
        out = getattr(lib.nn.functional, name)(x, lib.zeros(2, 2), weight=w,
                                               reduction=reduction)
        out.sum().backward()
        return out, x.grad, type(out.grad_fn).__name__
    same_as_torch(call)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weight_of_another_shape_raises_as_torchs(name):
    same_as_torch(lambda lib: getattr(lib.nn.functional, name)(
        lib.ones(2, 2), lib.zeros(2, 2), weight=lib.ones(2)))


def _ctc_call(case):
    def call(L):
        F = L.nn.functional
        lp = L.tensor([[[-1.0, -1.2, -1.1]] * 3] * 5).log_softmax(2)     # (T=5, N=3, C=3)
        tg = L.tensor([[1, 2, 1], [2, 1, 1], [1, 1, 2]])
        return {
            "negative input length": lambda: F.ctc_loss(lp, tg, [-1, 5, 4], [3, 2, 2]),
            "negative target length": lambda: F.ctc_loss(lp, tg, [5, 5, 4], [3, -1, 2]),
            "padded targets of another batch": lambda: F.ctc_loss(
                lp[:, :2], L.tensor([[1, 2]]), [5, 5], [2, 2]),
            "float input lengths": lambda: F.ctc_loss(lp, tg, L.tensor([5.0, 5.0, 4.0]),
                                                      L.tensor([3, 2, 2])),
            "float target lengths": lambda: F.ctc_loss(lp, tg, L.tensor([5, 5, 4]),
                                                       L.tensor([3.0, 2.0, 2.0])),
            "too long, then negative": lambda: F.ctc_loss(lp, tg, [6, -1, 4], [3, 2, 2]),
            "negative, then too long": lambda: F.ctc_loss(lp, tg, [-1, 6, 4], [3, 2, 2]),
        }[case]()
    return call


@pytest.mark.parametrize("case", ["negative input length", "negative target length",
                                  "padded targets of another batch", "float input lengths",
                                  "float target lengths", "too long, then negative",
                                  "negative, then too long"])
def test_ctc_refuses_bad_lengths_and_targets_as_torch(case):
    # (they computed inf, or broadcast a padded row over the batch)
    from _tensor_ops_ref import error_of
    ours, theirs = error_of(lambda: _ctc_call(case)(fl)), error_of(lambda: _ctc_call(case)(torch))
    assert theirs is not None and ours is not None and ours[1] == theirs[1]
    with pytest.raises(RuntimeError):       # (ShapeError is a RuntimeError)
        _ctc_call(case)(fl)
