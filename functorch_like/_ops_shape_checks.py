"""PyTorch's argument checks for shape ops whose JAX counterparts accept the call silently
or fail with another message (found by parity fuzzing against torch)."""

from __future__ import annotations

from ._tensor import Tensor, _wrap_dim, typename


def check_no_dims(input, dims) -> None:
    """roll on a 0-d tensor with explicit dims: PyTorch's IndexError (JAX: ValueError)."""
    if input.ndim == 0 and dims:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")


def check_roll(input, shifts: tuple, dims: tuple) -> None:
    """roll's shifts and dims pair up one to one."""
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    check_no_dims(input, dims)


def check_narrow(input, dim: int, start: int, length: int) -> None:
    """narrow's checks, in PyTorch's order (before the dim is wrapped)."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    size = input.shape[_wrap_dim(dim, input.ndim)]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")


def check_movedim_counts(src: list, dst: list) -> None:
    """movedim: as many sources as destinations (checked before the dims are wrapped)."""
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} "
                           "dims)")


def check_movedim_repeats(src: list, dst: list, wrapped_src: list, wrapped_dst: list) -> None:
    """movedim: no dim repeated (PyTorch names the dims as the caller gave them)."""
    for name, dims, wrapped in (("source", src, wrapped_src), ("destination", dst, wrapped_dst)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")


def check_unique_flip(axes: tuple) -> None:
    """flip names each dim once (JAX raises a TypeError)."""
    for i, a in enumerate(axes):
        if a in axes[:i]:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")


def check_diagonal_dims(a1: int, a2: int, dim1, dim2) -> None:
    """diagonal's two dims differ (PyTorch names them as given)."""
    if a1 == a2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")


def tensor_list(tensors) -> list:
    """The `tensors` argument of cat/stack as a list, with PyTorch's error for an entry that
    is not a Tensor (a numpy array is not converted, as in PyTorch)."""
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{typename(t)}")
    return tensors


def check_cat_not_0d(tensors) -> None:
    """cat refuses 0-d tensors before any other check."""
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
