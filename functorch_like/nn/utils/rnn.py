"""torch.nn.utils.rnn: padded and packed variable-length sequences.

A PackedSequence stores the time steps of a batch of sequences, sorted by decreasing
length, one after another: `data` (sum of lengths, *) holds step 0 of every sequence,
then step 1 of those still running, ...; `batch_sizes[t]` counts the sequences with more
than t steps. nn.RNN / LSTM / GRU accept and return them.

Lengths decide the shapes here, so they must be concrete values (a Python list, or a
Tensor that is not being traced): under functorch_like.compile / jax.jit, pass them as
Python ints, as PyTorch's tracer also requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ... import _dtypes
from ..._tensor import Tensor, apply
from ...pure._errors import is_concrete

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


def _index_tensor(values) -> Tensor:
    # Concrete even inside a trace (functorch_like.compile, jax.jit): batch sizes and sort
    # orders decide shapes, and an RNN reads them back as numbers.
    with jax.ensure_compile_time_eval():
        return Tensor._make(jnp.asarray(np.asarray(values), _dtypes.int64.jax))


def concrete_ints(values, what: str) -> np.ndarray:
    """Host integers from a list or Tensor; a traced Tensor cannot give them."""
    if isinstance(values, Tensor):
        if not is_concrete(values._value):
            raise TypeError(f"{what} must be concrete values (they decide the packed "
                            "shapes), and a tensor argument of a compiled or traced "
                            "function is not: pass them as a Python list of ints (e.g. "
                            "`lengths.tolist()` outside the compiled step); pack inside "
                            "the compiled function, since a PackedSequence passed to it "
                            "has traced batch sizes too")
        values = np.asarray(values._value)
    return np.asarray(values).astype(np.int64).reshape(-1)


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """(data, batch_sizes, sorted_indices, unsorted_indices), as PyTorch's namedtuple.

    data: (sum of lengths, *); batch_sizes: (max length,) int64; sorted_indices: the
    batch order used (None when the input was already sorted); unsorted_indices: its
    inverse. Build one with pack_padded_sequence or pack_sequence.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = (lambda t: None if t is None else t.to(data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self):
        return self.to(dtype=_dtypes.float64)

    def float(self):
        return self.to(dtype=_dtypes.float32)

    def half(self):
        return self.to(dtype=_dtypes.float16)

    def long(self):
        return self.to(dtype=_dtypes.int64)

    def int(self):
        return self.to(dtype=_dtypes.int32)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation q with q[p[i]] = i (None for None)."""
    if permutation is None:
        return None
    if is_concrete(permutation._value):     # (kept concrete inside a trace: _index_tensor)
        with jax.ensure_compile_time_eval():
            return Tensor._make(jnp.argsort(permutation._value).astype(
                permutation._value.dtype))
    return Tensor._make(jnp.argsort(permutation._value).astype(permutation._value.dtype))


# ---- the data movement: one gather each way, so gradients flow as through indexing ----

def _f_gather_rows(x, idx):
    return jnp.take(x, idx, axis=0)


def _f_pad_rows(data, idx, *, padding_value):
    """Rows of `data` at idx, where idx == len(data) picks a padding row."""
    pad = jnp.full((1,) + data.shape[1:], padding_value, data.dtype)
    return jnp.take(jnp.concatenate([data, pad]), idx, axis=0)


def _batch_sizes(lengths: np.ndarray) -> np.ndarray:
    """batch_sizes[t] = #sequences longer than t, for lengths sorted decreasingly."""
    return (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(1)


def _packed_rows(batch_sizes: np.ndarray, batch: int) -> np.ndarray:
    """For each packed row, its row in the time-major (T, batch) flattened layout."""
    return np.concatenate([t * batch + np.arange(b) for t, b in enumerate(batch_sizes)])


def pack_time_major(padded: Tensor, batch_sizes: np.ndarray) -> Tensor:
    """(T, B, *) padded, sequences sorted by length -> packed data (sum of lengths, *)."""
    t, b = padded.shape[:2]
    flat = padded.reshape((t * b,) + tuple(padded.shape[2:]))
    return apply(_f_gather_rows, "PackPaddedSequenceBackward0", flat,
                 jnp.asarray(_packed_rows(batch_sizes, b)))


def unpack_time_major(data: Tensor, batch_sizes: np.ndarray, total_length: int,
                      padding_value: float = 0.0) -> Tensor:
    """Packed data -> (total_length, B, *), sorted order, padding_value after each end."""
    batch = int(batch_sizes[0])
    idx = np.full((total_length, batch), data.shape[0])
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    for t, (off, b) in enumerate(zip(offsets, batch_sizes)):
        idx[t, :b] = off + np.arange(b)
    return apply(_f_pad_rows, "PadPackedSequenceBackward0", data, jnp.asarray(idx),
                 padding_value=float(padding_value))


def lengths_of(batch_sizes: np.ndarray) -> np.ndarray:
    """Each (sorted) sequence's length from batch_sizes."""
    return (batch_sizes[:, None] > np.arange(int(batch_sizes[0]))[None, :]).sum(0)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Packs a padded batch (T, B, *) ((B, T, *) with batch_first) of sequences with the
    given lengths (a list or 1-D Tensor, B entries). With enforce_sorted (the default)
    the lengths must be in decreasing order; else the batch is sorted first (stably) and
    sorted_indices records the order.

    PyTorch parity: a length longer than T raises here (PyTorch reads past the input).
    """
    if isinstance(lengths, Tensor) and lengths.dim() != 1:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{lengths.dim()}D cpu {_dtypes.scalar_type_name(lengths.dtype)} "
                           "tensor")
    lengths = concrete_ints(lengths, "lengths")
    batch_dim = 0 if batch_first else 1
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _index_tensor(order)
        input = input.index_select(batch_dim, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    batch = input.shape[1]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if np.any(lengths[:-1] < lengths[1:]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                           "to pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if lengths[0] > input.shape[0]:
        raise RuntimeError(f"a length of {lengths[0]} exceeds the padded length "
                           f"{input.shape[0]} of the input")
    batch_sizes = _batch_sizes(lengths)
    return PackedSequence(pack_time_major(input, batch_sizes), _index_tensor(batch_sizes),
                          sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (T, B, *) ((B, T, *) with batch_first) in
    the original batch order, T = the longest length or total_length, and the lengths
    (int64, original order)."""
    batch_sizes = concrete_ints(sequence.batch_sizes, "batch_sizes")
    max_len = len(batch_sizes)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and "
                             f"max sequence length being {max_len}")
        max_len = total_length
    padded = unpack_time_major(sequence.data, batch_sizes, max_len, padding_value)
    lengths = lengths_of(batch_sizes)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices._value)]
    return padded, _index_tensor(lengths)


def _f_pad_sequence(*seqs, length, batch_first, padding_value, left, dtype):
    padded = []
    for s in seqs:
        extra = length - s.shape[0]
        width = [(extra, 0) if left else (0, extra)] + [(0, 0)] * (s.ndim - 1)
        padded.append(jnp.pad(s.astype(dtype), width,
                              constant_values=jnp.asarray(padding_value).astype(dtype)))
    return jnp.stack(padded, axis=0 if batch_first else 1)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stacks sequences of shape (L_i, *) into (max L, B, *) ((B, max L, *) with
    batch_first), padding each at the end ("right") or the start ("left"). The result
    has the first sequence's dtype."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = tuple(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    for i, seq in enumerate(sequences):     # (torch's argument parser's TypeError)
        if not isinstance(seq, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(seq).__name__}")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        for k, (a, b) in enumerate(zip(trailing, s.shape[1:])):
            if a != b:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of "
                                   f"tensor b ({b}) at non-singleton dimension {k + 1}")
    length = max(s.shape[0] for s in sequences)
    return apply(_f_pad_sequence, "CopySlices", *sequences, length=length,
                 batch_first=bool(batch_first), padding_value=padding_value,
                 left=padding_side == "left", dtype=sequences[0]._value.dtype)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The list of sequences (L_i, *) inside a padded batch.

    PyTorch parity: PyTorch transposes a time-major input in place; it is left as is here.
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lengths = concrete_ints(lengths, "lengths")
    return [seq[:int(n)] for seq, n in zip(padded_sequences, lengths)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Packs a list of sequences (L_i, *) (decreasing lengths unless enforce_sorted=False)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences (L_i, *) inside a PackedSequence, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
