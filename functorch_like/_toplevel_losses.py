"""The losses PyTorch also exposes at top level (torch.kl_div, torch.ctc_loss, ...) and
torch.constant_pad_nd. At top level `reduction` is aten's integer enum (0 none, 1 mean,
2 sum), not nn.functional's string; each function forwards to nn.functional.

The default reduction is 0 (none): aten's schemas say Mean, but PyTorch's Python bindings
cannot read that default and pass 0, so `torch.kl_div(x, y)` is unreduced in PyTorch 2.13.
These functions match what PyTorch does, not what its schema says.
"""

from __future__ import annotations

from .nn import functional as F

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(fn: str, reduction) -> str:
    if isinstance(reduction, bool) or not isinstance(reduction, int):
        raise TypeError(f"{fn}(): argument 'reduction' must be int, not "
                        f"{type(reduction).__name__}")
    if not 0 <= reduction <= 2:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _REDUCTIONS[reduction]


def kl_div(input, target, reduction: int = 0, *, log_target: bool = False):
    """KL divergence of `target` from log-probabilities `input` (mean: over elements)."""
    return F.kl_div(input, target, reduction=_reduction("kl_div", reduction),
                    log_target=log_target)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction: int = 0):
    """1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) for target -1."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction("cosine_embedding_loss", reduction))


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction: int = 0):
    """x for target 1, max(0, margin - x) for target -1."""
    return F.hinge_embedding_loss(input, target, margin,
                                  reduction=_reduction("hinge_embedding_loss", reduction))


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, reduction: int = 0):
    """max(0, -target * (x1 - x2) + margin)."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction("margin_ranking_loss", reduction))


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2.0,
                        eps: float = 1e-6, swap: bool = False, reduction: int = 0):
    """max(d(a, p) - d(a, n) + margin, 0) with the p-norm pairwise distance d."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction("triplet_margin_loss", reduction))


def poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float,
                     reduction: int):
    """Poisson negative log likelihood; all six arguments required, as aten's."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction("poisson_nll_loss", reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction: int = 0):
    """Sigmoid + binary cross entropy, stable in the logits; aten's argument order
    (weight, pos_weight, reduction)."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction("binary_cross_entropy_with_logits",
                                                    reduction), pos_weight=pos_weight)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: int = 0, zero_infinity: bool = False):
    """Connectionist temporal classification loss of (T, N, C) log-probabilities."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      _reduction("ctc_loss", reduction), zero_infinity)


def constant_pad_nd(input, pad, value=0):
    """Pads (or, with negative amounts, crops) the last len(pad) // 2 dims with `value`;
    `pad` lists (left, right) pairs starting from the last dim."""
    return F.pad(input, [int(p) for p in pad], "constant", value)
