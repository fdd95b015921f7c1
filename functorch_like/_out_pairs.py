"""`out=(values, indices)` of torch's value-and-index functions (`torch.max(t, 1, out=...)`).

PyTorch parity: torch's parser wants a tuple (or list) of exactly two Tensors ("expected
tuple of 2 elements but got 1", "expected Tensor as element 0 in argument 3, but got int",
the argument number being out's position in the matched signature); the values must have
the input's dtype and the indices must be int64 (kthvalue words both checks its own way);
each is resized like any other out, and the result is a structseq holding the two given
tensors (torch returns a new `max_out` tuple, not the list or tuple passed).
"""

from __future__ import annotations

from . import _dtypes
from ._argparse_names import argparse_typename

# name -> out's 1-based position in torch's matched signature (for the element error)
POSITION = {"max": 3, "min": 3, "sort": 3, "topk": 5, "kthvalue": 4, "cummax": 2,
            "cummin": 2, "mode": 3}


def is_pair(out) -> bool:
    """Whether `out` is given as a (values, indices) sequence."""
    return isinstance(out, (tuple, list))


def check_pair(name: str, out, tensor_cls) -> None:
    """torch's parser checks of a tuple `out`, made before anything is computed."""
    if len(out) != 2:
        raise TypeError(f"expected tuple of 2 elements but got {len(out)}")
    for i, t in enumerate(out):
        if not isinstance(t, tensor_cls):
            raise TypeError(f"expected Tensor as element {i} in argument {POSITION[name]}, "
                            f"but got {argparse_typename(t)}")


def _check_dtypes(name: str, result, out) -> None:
    values, indices = out
    if name == "kthvalue":
        if values.dtype != result[0].dtype:
            raise RuntimeError("output values must be of same type as input")
        if indices.dtype != _dtypes.int64:
            raise RuntimeError("output indices must be of scalar type Long")
        return
    for what, got, want in (("values", values.dtype, result[0].dtype),
                            ("indices", indices.dtype, _dtypes.int64)):
        if got == want:
            continue
        if name in ("cummax", "cummin"):
            raise RuntimeError(f"expected scalar_type {_dtypes.scalar_type_name(want)} but "
                               f"found {_dtypes.scalar_type_name(got)}")
        if name == "mode":
            raise RuntimeError(f"expected scalar type '{_dtypes.scalar_type_name(want)}' but "
                               f"got '{_dtypes.scalar_type_name(got)}' for {what} output")
        raise RuntimeError(
                f"Expected out tensor to have dtype {_dtypes.cpp_type_name(want)}, but "
                f"got {_dtypes.cpp_type_name(got)} instead")


def write_pair(name: str, result, out, resize_write):
    """Writes the (values, indices) `result` into `out`; returns them as `result`'s
    structseq type."""
    if not isinstance(result, tuple):
        # (torch.max(t, out=(a, b)): no signature takes a tuple out without a dim)
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not "
                        f"{argparse_typename(out)}")
    _check_dtypes(name, result, out)
    for r, o in zip(result, out):
        resize_write(r, o)
    return type(result)(*out)
