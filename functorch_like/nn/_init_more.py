"""nn.init.dirac_ / sparse_ and the deprecated non-underscore names (`nn.init.uniform`).

Kept out of init.py so that file stays the list of the everyday initializers; init.py
re-exports these names.
"""

from __future__ import annotations

import functools
import warnings
from typing import Callable

from .. import _random
from .._tensor import Tensor
from ..autograd._grad_mode import no_grad
from ..pure import _init_structured


def _fill(tensor: Tensor, value) -> Tensor:
    with no_grad():
        tensor._set(Tensor._make(value.astype(tensor._value.dtype)))
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fills a 3/4/5-D conv weight (out, in, *kernel) with the Dirac delta, so the conv
    preserves as many input channels as it can (per group with `groups` > 1)."""
    if tensor.dim() not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    return _fill(tensor, _init_structured.dirac(tuple(tensor.shape), groups,
                                                dtype=tensor._value.dtype))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fills a 2-D (rows, cols) tensor with N(0, std^2) entries, zeroing
    ceil(sparsity * rows) random rows of each column.

    PyTorch parity: the same law and zero count per column; the draws come from JAX's
    stream (and PyTorch draws its per-column permutations from the default generator
    even when `generator` is given; here everything comes from `generator`)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, _init_structured.sparse(tuple(tensor.shape), sparsity, std,
                                                 key=_random.next_key(generator),
                                                 dtype=tensor._value.dtype))


def make_deprecated(method: Callable) -> Callable:
    """`nn.init.<name>` for `nn.init.<name>_`: warns (FutureWarning, PyTorch's text) and
    calls the in-place initializer."""
    new_name = method.__name__
    old_name = new_name[:-1]

    @functools.wraps(method)
    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                      f"`nn.init.{new_name}`.", FutureWarning, stacklevel=2)
        return method(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = (f"{old_name}(...): deprecated, use "
                               f"torch.nn.init.{new_name}.")
    return deprecated_init
