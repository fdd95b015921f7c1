"""The smaller parts of torch.func: linearize, functionalize, debug_unwrap and
replace_all_batch_norm_modules_."""

from __future__ import annotations

import functools
from typing import Any, Callable


def linearize(func: Callable, *primals) -> tuple[Any, Callable]:
    """(func(*primals), jvp_fn) where jvp_fn(*tangents) is the forward-mode derivative at
    `primals` along `tangents` (torch.func.linearize).

    PyTorch parity: torch traces func once into a graph of its jvp; here jvp_fn runs
    `torch.func.jvp` at the saved primals on each call (the same values)."""
    from .func import jvp
    primals = tuple(primals)
    output = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    return output, jvp_fn


_REMOVE_OPTIONS = (
    "Valid options are:\n"
    "     remove='mutations': all inplace and out= operators will be removed from the "
    "program, and replaced with their out-of-place equivalents.\n"
    "     remove='mutations_and_views': In addition to the above, all aliasing operators "
    "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n")


def functionalize(func: Callable, *, remove: str = "mutations") -> Callable:
    """func itself, wrapped (torch.func.functionalize): the programs here are functional
    already (JAX has no in-place ops; an in-place op makes a new array), so there is
    nothing to remove."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument "
                           f"for remove={remove}. {_REMOVE_OPTIONS}")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapped


def debug_unwrap(tensor, *, recurse: bool = True):
    """The tensor under a transform's wrappers: here the tensor itself (a transform's
    values are JAX tracers inside it, not wrapper tensors)."""
    del recurse
    return tensor


def replace_all_batch_norm_modules_(root):
    """Makes every BatchNorm module under `root` (root included) use batch statistics only
    (no running stats), as vmap over a batch of models needs; returns root."""
    from .nn.modules.batchnorm import _BatchNorm
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
