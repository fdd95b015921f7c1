"""torch.nn.utils.prune: masks that zero a module's tensor entries, applied by a forward
pre-hook.

Pruning `module.weight` leaves the Parameter `weight_orig` (trained as before), the
buffer `weight_mask` (in the state_dict: keys `weight_orig`, `weight_mask`), and a plain
tensor attribute `weight = weight_orig * weight_mask` recomputed before each forward, so
the gradient reaching `weight_orig` is masked. `remove` makes it a Parameter again.

Example:
    >>> m = nn.Linear(3, 2)
    >>> prune.l1_unstructured(m, "weight", amount=0.5)      # the 3 smallest |w| zeroed
    >>> prune.ln_structured(m, "weight", amount=1, n=2, dim=0)  # then one output row
    >>> prune.remove(m, "weight")                           # weight is a Parameter again
"""

from __future__ import annotations

from collections.abc import Iterable

from ..._factories import ones_like
from ._prune_base import BasePruningMethod as BasePruningMethod
from ._prune_base import PruningContainer as PruningContainer
from ._prune_methods import CustomFromMask as CustomFromMask
from ._prune_methods import Identity as Identity
from ._prune_methods import L1Unstructured as L1Unstructured
from ._prune_methods import LnStructured as LnStructured
from ._prune_methods import RandomStructured as RandomStructured
from ._prune_methods import RandomUnstructured as RandomUnstructured
from .convert_parameters import parameters_to_vector

__all__ = [
    "BasePruningMethod",
    "CustomFromMask",
    "Identity",
    "L1Unstructured",
    "LnStructured",
    "PruningContainer",
    "RandomStructured",
    "RandomUnstructured",
    "custom_from_mask",
    "global_unstructured",
    "identity",
    "is_pruned",
    "l1_unstructured",
    "ln_structured",
    "random_structured",
    "random_unstructured",
    "remove",
]


def identity(module, name: str):
    """Reparametrizes `module.<name>` with an all-ones mask (prunes nothing).

    Returns:
        `module`, modified in place.
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module, name: str, amount):
    """Prunes `amount` random entries of `module.<name>` (int: a count; float in [0, 1]:
    a fraction). Repeated pruning draws only among the entries still unpruned.

    PyTorch parity: draws from functorch_like's generator; the entries differ from
    torch's for the same seed, their number does not.

    Returns:
        `module`, modified in place.
    """
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name: str, amount, importance_scores=None):
    """Prunes the `amount` entries of `module.<name>` of smallest absolute value (of
    `importance_scores`, a tensor of the same shape, when given).

    PyTorch parity: among entries of equal magnitude the pruned ones may differ from
    torch's (topk's choice among ties).

    Returns:
        `module`, modified in place.
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name: str, amount, dim: int):
    """Prunes `amount` random channels of `module.<name>` along `dim` (the tensor needs
    at least 2 dims).

    PyTorch parity: the channels differ from torch's for the same seed.

    Returns:
        `module`, modified in place.
    """
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name: str, amount, n, dim: int, importance_scores=None):
    """Prunes the `amount` channels of `module.<name>` along `dim` of smallest `n`-norm
    (e.g. dim=0 of a Linear weight (out, in): whole output rows).

    Returns:
        `module`, modified in place.
    """
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None,
                        **kwargs) -> None:
    """Prunes several tensors at once, ranking all their entries together.

    Args:
        parameters: (module, name) pairs.
        pruning_method: an "unstructured" method class (L1Unstructured,
            RandomUnstructured), built with `**kwargs` (e.g. amount=0.2, a fraction of
            the entries of all the tensors).
        importance_scores: optional dict {(module, name): tensor of that shape}.

    Each tensor then carries a CustomFromMask pruning with its share of the global mask.
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    relevant_importance_scores = parameters_to_vector(
        [importance_scores.get((module, name), getattr(module, name))
         for module, name in parameters])
    # Entries already pruned stay pruned: the existing masks are the default mask.
    default_mask = parameters_to_vector(
        [getattr(module, name + "_mask", ones_like(getattr(module, name)))
         for module, name in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the '
                        f"`pruning_method`. Found method {pruning_method} of type "
                        f"{method.PRUNING_TYPE}")
    container.add_pruning_method(method)
    final_mask = container.compute_mask(relevant_importance_scores, default_mask)
    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        num_param = param.numel()
        custom_from_mask(module, name,
                         mask=final_mask[pointer:pointer + num_param].view_as(param))
        pointer += num_param


def custom_from_mask(module, name: str, mask):
    """Prunes `module.<name>` where `mask` (a tensor of its shape) is 0.

    Returns:
        `module`, modified in place.
    """
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name: str):
    """Makes the pruning of `module.<name>` permanent: `<name>` becomes a Parameter again
    holding orig * mask, and `<name>_orig`, `<name>_mask` and the hook are removed.

    Raises:
        ValueError: `module.<name>` is not pruned.
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before "
                     "pruning can be removed")


def is_pruned(module) -> bool:
    """Whether `module` or any of its submodules carries a pruning hook."""
    for _, submodule in module.named_modules():
        for hook in submodule._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False


# The classes live in private modules; show them under this public one, as torch shows
# `torch.nn.utils.prune.L1Unstructured` (in reprs and in global_unstructured's error).
for _cls in (BasePruningMethod, PruningContainer, Identity, RandomUnstructured,
             L1Unstructured, RandomStructured, LnStructured, CustomFromMask):
    _cls.__module__ = __name__
del _cls
