"""Torch's argument parser on `int[]` ("tuple of ints") dim parameters.

PyTorch parity (torch 2.13): `torch.flip(x, 0.5)` raises `TypeError: flip(): argument
'dims' (position 2) must be tuple of ints, not float`; `torch.amax(x, [0.5])` "...must be
tuple of ints, but found element of type float at pos 0"; `x.sum((0, 0.5))` "sum():
argument 'dim' failed to unpack the object at pos 2 with error "type must be tuple of
ints,but got float"". Here such dims reached Python (`'float' object is not iterable`).

torch's parser (python_arg_parser.cpp, is_int_or_symint_list) looks only at a sequence's
first element when choosing an overload; the others are read afterwards, each int-like
one (a bool included) taken, anything else refused with the "failed to unpack" text (its
position 1-based). A single int is taken only for a sized list (`int[1] dim`, as in
`amax`), not for `flip`'s or `permute`'s `int[] dims`.
"""

from __future__ import annotations

import numpy as np

from ._argparse_names import argparse_typename


def _int_like(value, tensor_cls) -> bool:
    """An int for torch's parser: an int (not a bool), a numpy integer, a 0-d integer
    tensor."""
    if isinstance(value, tensor_cls):
        return value.ndim == 0 and value.dtype._np.kind in "iu"
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def head_ok(value, tensor_cls) -> bool:
    """Whether torch's overload check takes `value` as a list of ints: a tuple or list,
    empty or with an int-like first element."""
    return isinstance(value, (tuple, list)) and (
        not value or _int_like(value[0], tensor_cls))


def unpack(fname: str, param: str, value, tensor_cls) -> tuple:
    """The ints of an accepted list, or torch's "failed to unpack" TypeError."""
    out = []
    for pos, item in enumerate(value, 1):
        if isinstance(item, (int, np.integer)):        # (bools pass here, as in torch)
            out.append(int(item))
        elif isinstance(item, tensor_cls) and item.numel() == 1:
            out.append(int(item.item()))
        else:
            raise TypeError(f"{fname}(): argument '{param}' failed to unpack the object at "
                            f"pos {pos} with error \"type must be tuple of ints,but got "
                            f"{argparse_typename(item)}\"")
    return tuple(out)


def check_int_list_arg(fname: str, param: str, value, position, tensor_cls,
                       sized: bool = True, nullable: bool = False):
    """`value` as a tuple of ints (an int for a sized list), or torch's TypeError for
    `fname`'s `int[] param` (`position`: 1-based, None when given by keyword)."""
    if value is None and nullable:
        return None
    if sized and _int_like(value, tensor_cls):
        return int(value.item()) if isinstance(value, tensor_cls) else int(value)
    if head_ok(value, tensor_cls):
        return unpack(fname, param, value, tensor_cls)
    where = "" if position is None else f" (position {position})"
    # (torch names the bad element only for a positional list, from the overload check)
    if isinstance(value, (tuple, list)) and position is not None:
        raise TypeError(f"{fname}(): argument '{param}'{where} must be tuple of ints, but "
                        f"found element of type {argparse_typename(value[0])} at pos 0")
    raise TypeError(f"{fname}(): argument '{param}'{where} must be tuple of ints, not "
                    f"{argparse_typename(value)}")


def check_norm_dim(p, dim, tensor_cls) -> None:
    """torch.norm's dim as torch's Python `norm` meets it: with p='fro' it takes
    `len(dim)` (a Python TypeError for a number), then passes the dim to
    linalg_vector_norm as its third positional argument."""
    if dim is None or _int_like(dim, tensor_cls):
        return
    if p == "fro" and not hasattr(dim, "__len__"):
        raise TypeError(f"object of type '{type(dim).__name__}' has no len()")
    if isinstance(p, str) and not (p == "fro" and len(dim) <= 2):
        return                      # (matrix_norm: its own checks)
    check_int_list_arg("linalg_vector_norm", "dim", dim, 3, tensor_cls)
