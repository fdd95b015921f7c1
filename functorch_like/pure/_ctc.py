"""Connectionist temporal classification loss (Graves et al., 2006) in PyTorch's layout.

The forward (alpha) recursion runs in log space with `lax.scan` over time; JAX
differentiates it. PyTorch's gradient with respect to `log_probs` is not the plain
derivative: it is `exp(log_probs) - posterior`, the gradient with respect to the logits of
a log_softmax that produced `log_probs` (its backward assumes normalised inputs). The
difference, `exp(log_probs)` at frames inside each input length, sums to zero through a
log_softmax, so both agree on the logits; we add it to match `log_probs.grad` too.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from ._errors import ShapeError, check_values
from ._types import Array

__all__ = ["ctc_loss"]

_ALLOC = "(while checking arguments for ctc_loss_allocate_outputs)"


@jax.custom_jvp
def _logaddexp(a, b):
    return jnp.logaddexp(a, b)


@_logaddexp.defjvp
def _logaddexp_jvp(primals, tangents):
    # jnp.logaddexp's derivative is NaN where both inputs are -inf (unreachable states);
    # their true weight is 0.
    a, b = primals
    out = jnp.logaddexp(a, b)
    safe = jnp.where(jnp.isneginf(out), 0, out)
    return out, jnp.exp(a - safe) * tangents[0] + jnp.exp(b - safe) * tangents[1]


def _alpha_nll(lp, ext, input_lengths, ext_lengths, blank):
    """-log p(target | input) per sample: lp (T, N, C), ext (N, 2S+1) the targets with
    blanks between and around them, ext_lengths = 2 * target_length + 1."""
    lp_ext = jnp.take_along_axis(lp, jnp.broadcast_to(ext[None], (lp.shape[0],) + ext.shape),
                                 axis=2)                                   # (T, N, 2S+1)
    pos = jnp.arange(ext.shape[1])
    before2 = jnp.pad(ext, ((0, 0), (2, 0)), constant_values=blank)[:, :-2]
    # A label may be reached from two states back, skipping the blank between two labels,
    # unless both labels are equal (then the blank is required).
    skip = (ext != blank) & (ext != before2) & (pos >= 2)
    neg_inf = jnp.array(-jnp.inf, lp.dtype)
    alpha0 = jnp.where(pos < 2, lp_ext[0], neg_inf)
    # A sample of no frames has aligned nothing: the empty target with probability 1 (a
    # loss of 0), any other impossible (inf), and frame 0 is not its own.
    alpha0 = jnp.where((input_lengths > 0)[:, None], alpha0,
                       jnp.where(pos == 0, jnp.zeros((), lp.dtype), neg_inf))

    def step(alpha, frame):
        t, lpt = frame
        one = jnp.pad(alpha, ((0, 0), (1, 0)), constant_values=-jnp.inf)[:, :-1]
        two = jnp.pad(alpha, ((0, 0), (2, 0)), constant_values=-jnp.inf)[:, :-2]
        new = _logaddexp(alpha, one)
        new = jnp.where(skip, _logaddexp(new, two), new) + lpt
        # Frames past a sample's input length leave its alphas unchanged (and get no grad).
        return jnp.where((t < input_lengths)[:, None], new, alpha), None

    times = jnp.arange(1, lp.shape[0])
    alpha, _ = jax.lax.scan(step, alpha0, (times, lp_ext[1:]))
    last = jnp.take_along_axis(alpha, (ext_lengths - 1)[:, None], axis=1)[:, 0]
    prev = jnp.take_along_axis(alpha, jnp.maximum(ext_lengths - 2, 0)[:, None], axis=1)[:, 0]
    prev = jnp.where(ext_lengths >= 2, prev, neg_inf)
    return -_logaddexp(last, prev)


@functools.partial(jax.custom_vjp, nondiff_argnums=(4, 5))
def _nll(lp, ext, input_lengths, ext_lengths, blank, zero_infinity):
    return _alpha_nll(lp, ext, input_lengths, ext_lengths, blank)


def _nll_fwd(lp, ext, input_lengths, ext_lengths, blank, zero_infinity):
    out = _alpha_nll(lp, ext, input_lengths, ext_lengths, blank)
    return out, (lp, ext, input_lengths, ext_lengths, out)


def _nll_bwd(blank, zero_infinity, res, g):
    lp, ext, input_lengths, ext_lengths, out = res
    _, vjp = jax.vjp(lambda x: _alpha_nll(x, ext, input_lengths, ext_lengths, blank), lp)
    (grad,) = vjp(g)
    inside = (jnp.arange(lp.shape[0])[:, None] < input_lengths[None, :])[..., None]
    grad = grad + jnp.where(inside, jnp.exp(lp) * g[None, :, None], 0)     # PyTorch's term
    if zero_infinity:
        grad = jnp.where(jnp.isinf(out)[None, :, None], 0, grad)
    else:       # an impossible alignment's gradient is NaN within its length, as PyTorch's
        grad = jnp.where(jnp.isinf(out)[None, :, None] & inside, jnp.nan, grad)
    return grad, None, None, None


_nll.defvjp(_nll_fwd, _nll_bwd)


def _padded_targets(targets, target_lengths, max_target_length):
    """(N, S) targets from PyTorch's padded (N, S) or concatenated (sum(lengths),) form."""
    if targets.ndim == 2:
        return targets
    size = targets.shape[0] if max_target_length is None else max_target_length
    if not targets.shape[0]:
        return jnp.zeros((target_lengths.shape[0], size), targets.dtype)
    starts = jnp.cumsum(target_lengths) - target_lengths
    index = starts[:, None] + jnp.arange(size)[None, :]
    return targets[jnp.minimum(index, targets.shape[0] - 1)]   # past a length: unused


def _check(log_probs, targets, input_lengths, target_lengths):
    # PyTorch's order (ctc_loss_allocate_outputs): the lengths' sizes, the targets' size,
    # then input_lengths' values.
    batch = log_probs.shape[1]
    for name, lengths in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if lengths.shape[0] != batch:
            raise ShapeError(f"{name} must be of size batch_size")
    check_values((target_lengths,), lambda: (target_lengths < 0, jnp.min(target_lengths)),
                 lambda v: ShapeError("Expected target_lengths to have value at least 0, but "
                                      f"got value {int(v)} {_ALLOC}"))
    if targets.ndim == 2:
        if targets.shape[0] != batch:       # (a padded row is no batch of its own)
            raise ShapeError(f"Expected tensor to have size {batch} at dimension 0, but got "
                             f"size {targets.shape[0]} for argument #2 'targets' {_ALLOC}")
        size = targets.shape[1]
        check_values((target_lengths,),
                     lambda: (target_lengths > size, jnp.max(target_lengths)),
                     lambda v: ShapeError(f"Expected tensor to have size at least {int(v)} at "
                                          f"dimension 1, but got size {size} for argument #2 "
                                          f"'targets' {_ALLOC}"))
    else:           # concatenated: exactly sum(target_lengths) entries
        size = targets.shape[0]
        total = jnp.sum(target_lengths)
        check_values((target_lengths,), lambda: (total != size, total),
                     lambda v: ShapeError(f"Expected tensor to have size {int(v)} at "
                                          f"dimension 0, but got size {size} for argument #2 "
                                          f"'targets' {_ALLOC}"))
    time = log_probs.shape[0]
    # (torch checks each sample's length in turn, at least 0 then at most T: the first
    # length out of [0, T] names the bound it breaks)
    check_values((input_lengths,), lambda: (
        (input_lengths < 0) | (input_lengths > time),
        input_lengths[jnp.argmax((input_lengths < 0) | (input_lengths > time))]),
        lambda v: ShapeError(
            f"Expected input_lengths to have value at least 0, but got value {int(v)} "
            f"{_ALLOC}" if v < 0 else f"Expected input_lengths to have value at most {time}, "
            f"but got value {int(v)} {_ALLOC}"))


def ctc_loss(log_probs: Array, targets: Array, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False, *,
             max_target_length: int | None = None) -> Array:
    """The CTC loss, PyTorch's `F.ctc_loss`.

    Args:
      log_probs: (T, N, C) log-probabilities (log_softmax over C), or (T, C) unbatched.
      targets: (N, S) padded class indices (never `blank`), or (sum(target_lengths),) all
        targets concatenated; (S,) unbatched.
      input_lengths: (N,) frames used per sample (each <= T); a scalar when unbatched.
      target_lengths: (N,) target length per sample.
      blank: the blank class index.
      reduction: 'none' -> (N,) (or () unbatched); 'sum'; 'mean' divides each loss by its
        target length (at least 1), then averages over the batch.
      zero_infinity: impossible alignments (infinite loss) give 0 and zero gradient.
      max_target_length: for concatenated targets, a static bound on target_lengths (the
        facade passes the true maximum); None uses len(targets), always enough.

    Returns:
      The loss, in log_probs' dtype.

    PyTorch parity: the gradient with respect to log_probs is PyTorch's
    `exp(log_probs) - posterior` (see the module docstring), not the plain derivative.
    """
    unbatched = log_probs.ndim == 2
    if unbatched:       # (S,) targets stay a concatenated batch of one, as in PyTorch
        log_probs = log_probs[:, None]
    input_lengths = jnp.asarray(input_lengths).reshape(-1).astype(jnp.int32)
    target_lengths = jnp.asarray(target_lengths).reshape(-1).astype(jnp.int32)
    _check(log_probs, targets, input_lengths, target_lengths)
    padded = _padded_targets(targets, target_lengths, max_target_length).astype(jnp.int32)
    ext = jnp.full((padded.shape[0], 2 * padded.shape[1] + 1), blank, jnp.int32)
    ext = ext.at[:, 1::2].set(padded)
    loss = _nll(log_probs, ext, input_lengths, 2 * target_lengths + 1, blank,
                bool(zero_infinity))
    if zero_infinity:
        loss = jnp.where(jnp.isinf(loss), jnp.zeros((), loss.dtype), loss)
    if reduction == "mean":
        return jnp.mean(loss / jnp.maximum(target_lengths, 1).astype(loss.dtype))
    if reduction == "sum":
        return jnp.sum(loss)
    if reduction != "none":
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return loss[0] if unbatched else loss
