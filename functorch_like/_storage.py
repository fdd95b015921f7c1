"""Tensor.untyped_storage() and Tensor.storage(): the storage a tensor shares with its
views and aliases (see _ops_strided's storage model), as torch's storage objects show it:
its address, size and bytes.

PyTorch parity: the storages here are read-only. Writing through one (`storage[i] = v`,
`fill_`, `copy_`, `resize_`) raises; write through a tensor of it instead. While JAX's
x64 mode is off, an int64 tensor's storage holds its int32 values (4 bytes each, as its
element_size() says).
"""

from __future__ import annotations

import warnings

import jax
import numpy as np

from ._ops_strided import _root_and_positions, _storage_address
from ._tensor import Tensor

_TYPED_DEPRECATED = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will "
    "be the only storage class. This should only matter to you if you are using storages "
    "directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead "
    "of tensor.storage()")


class UntypedStorage:
    """The bytes of a tensor's storage (torch.UntypedStorage): `data_ptr()` its address,
    shared by the views and `.data`/`detach()` aliases of one storage; `nbytes()`; item
    i is byte i as an int."""

    def __init__(self, root: Tensor):
        self._root = root           # (the tensor owning the storage, see _ops_strided)

    def data_ptr(self) -> int:
        return _storage_address(self._root) if self._root.numel() else 0

    def nbytes(self) -> int:
        return self._root.nbytes

    def size(self) -> int:
        return self.nbytes()

    def __len__(self) -> int:
        return self.nbytes()

    def element_size(self) -> int:
        return 1

    @property
    def device(self):
        return self._root.device

    @property
    def is_cuda(self) -> bool:
        return self._root.is_cuda

    def is_shared(self) -> bool:
        return False

    def cpu(self) -> "UntypedStorage":
        return self

    def _bytes(self) -> np.ndarray:
        # (the stored array's bytes: an int64 tensor's are int32's while JAX's x64 mode is
        # off, as its element_size() and nbytes say)
        value = self._root._value
        if isinstance(value, jax.core.Tracer):
            raise RuntimeError("functorch_like: the bytes of a traced tensor's storage (inside "
                               "compile, jax.jit or a transform) are not known until it runs")
        return np.ascontiguousarray(np.asarray(value)).reshape(-1).view(np.uint8)

    def tolist(self) -> list:
        return self._bytes().tolist()

    def __getitem__(self, i):
        return self.tolist()[i]

    def __iter__(self):
        return iter(self.tolist())

    def __setitem__(self, i, value):
        _refuse_write()

    def fill_(self, value):
        _refuse_write()

    def copy_(self, source, non_blocking=None):
        _refuse_write()

    def resize_(self, size):
        _refuse_write()

    def _title(self) -> str:
        return f"torch.storage.UntypedStorage(device={self.device})"

    def __repr__(self) -> str:
        # torch's: one item per line, then the type and size
        lines = "".join(f" {v}\n" for v in self.tolist()) or " \n"     # (empty: torch's)
        return f"{lines}[{self._title()} of size {len(self)}]"

    __str__ = __repr__


class TypedStorage(UntypedStorage):
    """A tensor's storage as elements of its dtype (torch.TypedStorage, deprecated in
    torch, which warns on `tensor.storage()`)."""

    def __init__(self, root: Tensor, dtype):
        super().__init__(root)
        self.dtype = dtype
        self._untyped_storage = UntypedStorage(root)

    def untyped(self) -> UntypedStorage:
        return self._untyped_storage

    def element_size(self) -> int:
        return self.dtype.itemsize

    def size(self) -> int:
        return self.nbytes() // self.element_size()

    def __len__(self) -> int:
        return self.size()

    def tolist(self) -> list:
        return self._bytes().view(np.dtype(self.dtype.jax)).tolist()

    def _title(self) -> str:
        return f"torch.storage.TypedStorage(dtype={self.dtype}, device={self.device})"


_warned: list = []


def _refuse_write():
    raise RuntimeError("functorch_like: a storage is read-only here (tensors hold immutable "
                       "JAX arrays); write through a tensor of it instead, e.g. "
                       "t.view(-1)[i] = v")


def untyped_storage(self) -> UntypedStorage:
    """The storage this tensor shares with its views and aliases, as bytes."""
    return UntypedStorage(_root_and_positions(self)[0])


def storage(self) -> TypedStorage:
    """The storage as elements of this tensor's dtype (torch.TypedStorage; warns as
    torch's that TypedStorage is deprecated)."""
    if not _warned:     # (once per process, as torch's)
        _warned.append(True)
        warnings.warn(_TYPED_DEPRECATED, UserWarning, stacklevel=2)
    return TypedStorage(_root_and_positions(self)[0], self.dtype)


Tensor.untyped_storage = untyped_storage
Tensor.storage = storage
