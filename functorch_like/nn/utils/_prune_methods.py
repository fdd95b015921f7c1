"""torch.nn.utils.prune's pruning methods: which entries (unstructured) or which channels
along a dim (structured) a mask zeroes, chosen at random, by magnitude or given.

Each `compute_mask(t, default_mask)` returns a mask of `t`'s shape that keeps 0 wherever
`default_mask` is 0. `amount` is a count (int >= 0) or a fraction (float in [0, 1],
rounded half to even: round(0.5 * 5) == 2).
"""

from __future__ import annotations

from ..._factories import zeros_like
from ..._ops_reduce import norm, topk
from ..._ops_stats import kthvalue
from ..._random import rand, rand_like
from ._prune_base import (BasePruningMethod, _compute_nparams_toprune,
                          _validate_pruning_amount, _validate_pruning_amount_init,
                          _validate_pruning_dim, _validate_structured_pruning)

__all__ = ["CustomFromMask", "Identity", "L1Unstructured", "LnStructured",
           "RandomStructured", "RandomUnstructured"]


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (a module gets `<name>_orig`/`<name>_mask`)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


def _zero_flat(default_mask, indices):
    """A copy of `default_mask` with the entries at flat `indices` set to 0."""
    mask = default_mask.clone()
    mask.view(-1)[indices] = 0
    return mask


class _Unstructured(BasePruningMethod):
    """Prunes `amount` entries of the flattened tensor: those `_chosen(flat, k)` gives."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        tensor_size = t.nelement()
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        if nparams_toprune == 0:
            return default_mask.clone()
        return _zero_flat(default_mask, self._chosen(t.view(-1), nparams_toprune))


class RandomUnstructured(_Unstructured):
    """Prunes `amount` entries chosen uniformly at random (those with the largest of
    `rand_like(t)` draws).

    PyTorch parity: the draws come from functorch_like's global generator (JAX keys), so
    for the same seed the pruned entries differ from torch's; how many are pruned does not.
    """

    @staticmethod
    def _chosen(flat, k):
        return topk(rand_like(flat), k=k).indices

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(_Unstructured):
    """Prunes the `amount` entries of smallest absolute value (of `importance_scores` when
    given to `apply`).

    PyTorch parity: the entries are those of `topk(abs(t).view(-1), k, largest=False)`;
    among equal magnitudes torch's and XLA's topk may pick different indices, so with ties
    the mask can differ from torch's (never the number pruned).
    """

    @staticmethod
    def _chosen(flat, k):
        return topk(flat.abs(), k=k, largest=False).indices

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount,
                             importance_scores=importance_scores)


def _channel_mask(t, dim: int, index):
    """Zeros of `t`'s shape with ones in the channels `index` (a bool mask or indices)
    along `dim`."""
    mask = zeros_like(t)
    slc = [slice(None)] * len(t.shape)
    slc[dim] = index
    mask[tuple(slc)] = 1
    return mask


class _Structured(BasePruningMethod):
    """Prunes `amount` whole channels along `dim`: all but those `_kept(t, size, k)`
    gives (None when nothing is pruned)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim: int = -1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        kept = self._kept(t, tensor_size, nparams_toprune)
        if nparams_toprune == 0:
            return default_mask
        mask = _channel_mask(t, self.dim, kept)
        return mask * default_mask.to(dtype=mask.dtype)


class RandomStructured(_Structured):
    """Prunes `amount` whole channels along `dim` (default -1), chosen at random: those
    whose `rand(nchannels)` draw is at or below the `amount`-th smallest.

    PyTorch parity: drawn from functorch_like's global generator, so the pruned channels
    differ from torch's for the same seed; their number does not.
    """

    def _kept(self, t, tensor_size, nparams_toprune):
        if nparams_toprune == 0:
            return None                 # (nothing drawn, as torch)
        prob = rand(tensor_size)
        return prob > kthvalue(prob, k=nparams_toprune).values

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(_Structured):
    """Prunes the `amount` channels along `dim` of smallest `n`-norm (the norm over every
    other dim; `n` as torch.norm's `p`: an int, a float, inf, -inf or 'fro').

    PyTorch parity: channels of equal norm may be chosen differently from torch's topk.
    """

    def __init__(self, amount, n, dim: int = -1) -> None:
        super().__init__(amount, dim)
        self.n = n

    def _kept(self, t, tensor_size, nparams_toprune):
        return topk(_compute_norm(t, self.n, self.dim), k=tensor_size - nparams_toprune,
                    largest=True).indices

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim,
                             importance_scores=importance_scores)


def _compute_norm(t, n, dim: int):
    """The `n`-norm of each channel of `t` along `dim` (a 1-D tensor of t.shape[dim])."""
    dims = list(range(t.dim()))
    if dim < 0:
        dim = dims[dim]
    dims.remove(dim)
    return norm(t, p=n, dim=dims)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given `mask` (the tensor's shape) is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask) -> None:
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise AssertionError(f"default_mask shape {default_mask.shape} must match "
                                 f"self.mask shape {self.mask.shape}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)
