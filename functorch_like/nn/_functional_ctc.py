"""torch.nn.functional.ctc_loss over the pure core's CTC loss; nn.functional re-exports it."""

from __future__ import annotations

import jax.numpy as jnp

from .._tensor import Tensor, apply
from ..pure import _ctc
from ..pure._errors import is_concrete


def _f_ctc(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
           zero_infinity, max_target_length):
    return _ctc.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                         zero_infinity, max_target_length=max_target_length)


def _lengths(lengths, name: str):
    if isinstance(lengths, Tensor):
        if not jnp.issubdtype(lengths._value.dtype, jnp.integer):
            raise RuntimeError(f"{name} must be integral")
        return lengths
    return jnp.asarray(lengths, jnp.int32)


def _bound(targets, target_lengths):
    """A static bound on concatenated targets' lengths: the maximum rounded up to a power of
    two (few distinct programs), or None (len(targets)) when the lengths are traced."""
    value = target_lengths._value if isinstance(target_lengths, Tensor) else target_lengths
    if targets.ndim != 1 or not is_concrete(value) or not value.size:
        return None
    longest = int(jnp.max(value))
    return min(targets.shape[0], 1 << max(longest - 1, 0).bit_length())


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False):
    """The connectionist temporal classification loss.

    Args:
      log_probs: (T, N, C) log-probabilities, or (T, C) unbatched.
      targets: (N, S) padded, or (sum(target_lengths),) concatenated; (S,) unbatched.
      input_lengths, target_lengths: (N,) Tensors, tuples or lists (scalars unbatched).
      blank, reduction, zero_infinity: as PyTorch's ('mean' divides each sample's loss by
        its target length before averaging).

    PyTorch parity: the gradient with respect to log_probs is PyTorch's (that of the logits
    of a log_softmax), see `functorch_like.pure._ctc`.
    """
    il, tl = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths,
                                                                 "target_lengths")
    if not 0 <= blank < log_probs.shape[-1]:     # (JAX's gather gave NaN)
        raise RuntimeError("blank must be in label range")
    batched = log_probs.ndim == 3
    bound = _bound(targets, tl) if batched else None
    name = {"mean": "MeanBackward0", "sum": "SumBackward0"}.get(
        reduction, "WhereBackward0" if zero_infinity else "CtcLossBackward0")
    return apply(_f_ctc, name, log_probs, targets, il, tl, blank=int(blank),
                 reduction=reduction, zero_infinity=bool(zero_infinity),
                 max_target_length=bound)
