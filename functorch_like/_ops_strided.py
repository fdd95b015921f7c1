"""data_ptr(), storage_offset() and as_strided over PyTorch's storage model.

Each tensor here holds its own JAX array; PyTorch's storage is modelled from the view
records (`_tensor.mark_view`): a tensor that is no view owns a storage, a view shares its
base's, and `.data`/`detach()` aliases share their group's. Where each element of a view
lives is found by applying the view chain to the byte positions of the root's elements
(the iota trick of `_ops_shape.write_back`), in numpy.

PyTorch parity: `data_ptr()` is a synthetic address, unique per storage, stable across
in-place ops, equal for aliases, and offset by `storage_offset() * element_size()` for a
view (`x[1].data_ptr() - x.data_ptr() == 3 * 4` for a float (2, 3) x, as torch's). Dtype
views of another element size are laid out contiguously from their first element. `as_strided` reads the root storage with
the given size/stride/offset, differentiably (a gather); its result is not a view:
in-place ops on it do not write back.
"""

from __future__ import annotations

import builtins

import numpy as np

from ._layout import aliased_view
from ._tensor import Tensor

_next_address = [0x7F1000000000]   # fake addresses, 64-byte aligned, never reused


def _chain(t: Tensor) -> list:
    """[(t, byte positions of its elements), (its base, ...), ..., (the storage's owner,
    ...)]: positions are bytes from the start of the owner's storage."""
    spec = t.__dict__.get("_view_of")
    if spec is None:
        source = aliased_view(t)            # x.detach() of a view x: x's storage
        if source is not None:
            above = _chain(source)
            return [(t, above[0][1])] + above[1:]
    else:
        base, kind, info, _ = spec
        above = _chain(base)
        try:
            p = _apply_view(above[0][1], kind, info, t)
        except (IndexError, TypeError, ValueError):
            p = None
        if p is not None and p.shape == tuple(t.shape):
            return [(t, p)] + above
    return [(t, np.arange(t.numel(), dtype=np.int64).reshape(tuple(t.shape)) * t.itemsize)]


def _root_and_positions(t: Tensor) -> tuple:
    """(the tensor owning t's storage, the byte position of each element of t in it)."""
    chain = _chain(t)
    return chain[-1][0], chain[0][1]


def _apply_view(p: np.ndarray, kind: str, info, view: Tensor):
    if kind == "index":
        return p[info]
    if kind == "select":
        from ._ops_shape import _f_selection
        return _f_selection(p, view=info)
    if kind == "expand":
        return np.broadcast_to(p, tuple(view.shape))
    if kind == "dtype":
        first = p.reshape(-1)[0] if p.size else 0
        n = view.numel()
        return (first + np.arange(n, dtype=np.int64) * view.itemsize).reshape(
            tuple(view.shape))
    return p.reshape(tuple(view.shape))


def _storage_address(root: Tensor) -> int:
    """The root's storage address; shared with its .data/detach() aliases."""
    members = [root]
    if root._aliases is not None:
        members += [r() for r in root._aliases._members if r() is not None]
    for m in members:
        address = m.__dict__.get("_storage_address")
        if address is not None:
            root.__dict__["_storage_address"] = address
            return address
    address = _next_address[0]
    _next_address[0] += (builtins.max(root.nbytes, 1) + 63) // 64 * 64 + 64
    root.__dict__["_storage_address"] = address
    return address


def _first_byte(t: Tensor) -> tuple:
    root, p = _root_and_positions(t)
    return root, int(p.reshape(-1)[0]) if p.size else 0


def _lookup(positions: np.ndarray, wanted: np.ndarray) -> tuple:
    """(whether each wanted byte position is among `positions`, its flat index there)."""
    flat = positions.reshape(-1)
    if not flat.size:
        return np.zeros(wanted.shape, bool), np.zeros(wanted.shape, np.int64)
    order = np.argsort(flat, kind="stable")
    at = np.minimum(np.searchsorted(flat[order], wanted), flat.size - 1)
    return flat[order][at] == wanted, order[at]


def data_ptr(self) -> int:
    """The (synthetic) address of the first element; 0 for an empty tensor, as torch."""
    if self.numel() == 0:
        return 0
    root, first = _first_byte(self)
    return _storage_address(root) + first


def storage_offset(self) -> int:
    """The index of the first element in the storage, in elements of this dtype."""
    _, first = _first_byte(self)
    return first // self.itemsize


def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """The elements at `storage_offset + sum(i_k * stride_k)` of the storage `input`
    views, shaped `size` (torch.as_strided; gradients flow to the storage's tensor)."""
    from . import _ops_index
    from ._factories import tensor as _tensor
    size, stride = tuple(builtins.int(s) for s in size), tuple(builtins.int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, "
                           f"got strides: {list(stride)}")
    chain = _chain(input)
    if any(owner.dtype != input.dtype for owner, _ in chain):   # through a dtype view:
        chain = [(input, np.arange(input.numel()).reshape(tuple(input.shape))   # its own
                  * input.itemsize)]                                           # values
    p, root = chain[0][1], chain[-1][0]
    offset = (int(p.reshape(-1)[0]) // input.itemsize if p.size else 0) \
        if storage_offset is None else builtins.int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    needed = 0 if 0 in size else (offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1)
    if needed * input.itemsize > root.nbytes:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
            f"{offset}, and itemsize {input.itemsize} requiring a storage size of "
            f"{needed * input.itemsize} are out of bounds for storage of size {root.nbytes}")
    wanted = np.full(size, offset, dtype=np.int64)
    for axis, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[axis] = n
        wanted = wanted + (np.arange(n) * s).reshape(shape)
    wanted = wanted * input.itemsize
    # Gradients reach `input` for the elements it holds (as torch's AsStridedBackward0);
    # elements outside it are read from the nearest base holding them, without gradient.
    found, at = _lookup(chain[0][1], wanted)
    out = _ops_index.take(input, _tensor(at))     # (take keeps the index's shape)
    if not found.all():
        owner = next(o for o, pos in chain if _lookup(pos, wanted)[0].all())
        outside = _ops_index.take(owner.detach(), _tensor(_lookup(_chain(owner)[0][1],
                                                                   wanted)[1]))
        from ._ops_math import where
        out = where(_tensor(found), out, outside)
    if out._node is not None:
        out._node.rename("AsStridedBackward0")
    return out


Tensor.data_ptr = data_ptr
Tensor.storage_offset = storage_offset
Tensor.as_strided = as_strided
