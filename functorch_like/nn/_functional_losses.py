"""More of torch.nn.functional: margin, embedding and likelihood losses, and the distances
(cosine_similarity, pairwise_distance, pdist). Each dispatches one pure-core function with
PyTorch's legacy size_average/reduce handling; nn.functional re-exports them.
"""

from __future__ import annotations

from .. import _autocast_state, _dtypes
from .._ops_math import broadcast_shape
from .._tensor import Tensor
from ..autograd._grad_mode import is_grad_enabled
from ..pure import _distance as D
from ..pure import _losses_margin
from ..pure import losses as L
from . import _loss_weights as _lw
from . import functional as _F

# PyTorch's grad_fn of a loss written as ops ends in the reduction's node.
_REDUCED = {"mean": "MeanBackward0", "sum": "SumBackward0"}


def _reduction(size_average, reduce, reduction):
    return _F._legacy_reduction(size_average, reduce, reduction)


def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean"):
    """1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) for target -1; inputs
    (N, D) with target (N,), or (D,) with a 0-d target."""
    r = _reduction(size_average, reduce, reduction)
    return _F._loss(L.cosine_embedding_loss, _REDUCED.get(r, "AddBackward0"), input1, input2,
                    _no_grad_target(target), margin=margin, reduction=r)


def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean"):
    """max(0, -target (x1 - x2) + margin), inputs of the same ndim (broadcast)."""
    r = _reduction(size_average, reduce, reduction)
    return _F._loss(L.margin_ranking_loss, _REDUCED.get(r, "ClampMinBackward0"), input1,
                    input2, target, margin=margin, reduction=r)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """x for target 1, max(0, margin - x) for target -1."""
    r = _reduction(size_average, reduce, reduction)
    return _F._loss(L.hinge_embedding_loss, _REDUCED.get(r, "AddBackward0"), input,
                    _no_grad_target(target), margin=margin, reduction=r)


def _no_grad_target(target):
    """A ±1 target that torch's composite only compares (where(target == 1, ...)): no
    gradient reaches it, and its .grad stays None."""
    return target.detach() if isinstance(target, Tensor) else target


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """log(1 + exp(-target x)), target +-1."""
    if isinstance(target, Tensor) and target.requires_grad and is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with "
                           "respect to argument 'target'. This input cannot have "
                           "requires_grad True.")
    input, target = _autocast_state.cpu_fp32(input, target)     # (the result is in input's dtype)
    if isinstance(input, Tensor) and not (input.is_floating_point() or input.is_complex()):
        # (torch's kernel writes the float loss into a tensor like the integer input)
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{_dtypes.scalar_type_name(input.dtype)}")
    out = _F._loss(L.soft_margin_loss, "SoftMarginLossBackward0", input, target,
                   reduction=_reduction(size_average, reduce, reduction))
    return out if out.dtype == input.dtype else out.to(input.dtype)     # (as huber_loss)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """The binary logistic loss of each of C labels, averaged over C; input (N, C)."""
    r = _reduction(size_average, reduce, reduction)
    return _F._loss(L.multilabel_soft_margin_loss, _REDUCED.get(r, "DivBackward0"), input,
                    target, weight, reduction=r)


def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction: str = "mean"):
    """Hinge between each listed target class and each other class; target (N, C) class
    indices ended by -1."""
    return _F._loss(L.multilabel_margin_loss, "MultilabelMarginLossBackward0", input, target,
                    reduction=_reduction(size_average, reduce, reduction))


def _f_multi_margin(x, t, w, *, p, margin, reduction):
    return L.multi_margin_loss(x, t, p, margin, w, reduction)


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean"):
    """Multi-class hinge loss (p 1 or 2) of input (N, C) and class indices (N,)."""
    r = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):          # before `p` becomes a static argument of the program
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _lw.check_not_differentiable("multi_margin_loss", weight=weight)
    return _F._loss(_f_multi_margin, "MultiMarginLossBackward0", input, target, weight,
                    p=int(p), margin=margin, reduction=r)


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean"):
    """exp(x) - t x (log_input) or x - t log(x + eps), plus Stirling's term if `full`."""
    r = _reduction(size_average, reduce, reduction)
    none_name = "AddBackward0" if full else "SubBackward0"
    return _F._loss(L.poisson_nll_loss, _REDUCED.get(r, none_name), input, target,
                    log_input=bool(log_input), full=bool(full), eps=float(eps), reduction=r)


def _f_gaussian_nll(x, t, v, *, scalar_var, full, eps, reduction):
    return L.gaussian_nll_loss(x, t, scalar_var if v is None else v, full, eps, reduction)


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean"):
    """(log max(var, eps) + (x - t)^2 / max(var, eps)) / 2; var a Tensor (the input's shape,
    without its last dim, or with one dim of size 1) or a float."""
    scalar = isinstance(var, (int, float))
    broadcast_shape(input, target)      # (torch's RuntimeError for shapes that do not fit)
    none_name = "AddBackward0" if full else "MulBackward0"
    return _F._loss(_f_gaussian_nll, _REDUCED.get(reduction, none_name), input, target,
                    None if scalar else var, scalar_var=float(var) if scalar else None,
                    full=bool(full), eps=float(eps), reduction=reduction)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """max(0, margin + d(a, pos) - d(a, neg)) with the pairwise p-norm distance."""
    r = _reduction(size_average, reduce, reduction)
    return _F._loss(L.triplet_margin_loss, _REDUCED.get(r, "ClampMinBackward0"), anchor,
                    positive, negative, margin=margin, p=float(p), eps=float(eps),
                    swap=bool(swap), reduction=r)


def _f_triplet(dist_pos, dist_neg, dist_swap, *, margin, reduction):
    return _losses_margin.triplet_loss_from_distances(dist_pos, dist_neg, dist_swap, margin,
                                                      reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean"):
    """triplet_margin_loss with distance_function(x1, x2) -> Tensor (N,) of Tensors (default
    pairwise_distance); its ops are recorded like any others, so gradients flow through."""
    _losses_margin.check_triplet_args(anchor, positive, negative, margin, reduction)
    dist = pairwise_distance if distance_function is None else distance_function
    dist_swap = dist(positive, negative) if swap else None
    return _F._loss(_f_triplet, _REDUCED.get(reduction, "ClampMinBackward0"),
                    dist(anchor, positive), dist(anchor, negative), dist_swap,
                    margin=margin, reduction=reduction)


# ---- distances ------------------------------------------------------------------------

def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """Cosine of the angle between x1 and x2 along `dim` (broadcast); each norm is clamped
    at eps."""
    return _F._loss(D.cosine_similarity, "SumBackward1", x1, x2, dim=int(dim),
                    eps=float(eps))


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """||x1 - x2 + eps||_p over the last dim: (N, D), (N, D) -> (N,)."""
    return _F._loss(D.pairwise_distance, "NormBackward1", x1, x2, p=float(p), eps=float(eps),
                    keepdim=bool(keepdim))


def pdist(input, p: float = 2):
    """p-norm distances between the rows of (N, M), pairs i < j: (N (N - 1) / 2,)."""
    return _F._loss(D.pdist, "PdistBackward0", input, p=float(p))
