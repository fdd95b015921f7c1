"""LinearCrossEntropyOptions: how F.linear_cross_entropy chunks its rows."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

from ... import _dtypes

__all__ = ["LinearCrossEntropyOptions"]


class _AutoDefault(NamedTuple):
    acc_policy: str
    chunking_method: str


# PyTorch's picks for acc_policy="auto" / chunking_method="auto" per (device type, input
# dtype); every other pair takes _AUTO_FALLBACK.
_AUTO_DEFAULTS = {
    ("cuda", _dtypes.bfloat16): _AutoDefault("compact", "aspect_ratio:2"),
    ("cuda", _dtypes.float16): _AutoDefault("compact", "aspect_ratio:2"),
    ("cpu", _dtypes.bfloat16): _AutoDefault("accurate", "aspect_ratio"),
    ("cpu", _dtypes.float16): _AutoDefault("accurate", "aspect_ratio"),
}
_AUTO_FALLBACK = _AutoDefault("compact", "aspect_ratio:2")
_ACC_DTYPES = (_dtypes.float16, _dtypes.bfloat16, _dtypes.float32, _dtypes.float64)


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """Opts F.linear_cross_entropy into its chunked path: the (N, C) logits are computed
    `batch_chunk_size` rows at a time, in the forward and again in the backward, so that
    they never exist whole (for heads with far more classes than input features).

    Fields, PyTorch's:
      allow_retain_graph: accepted; see the parity note.
      batch_chunk_size: rows per chunk (None: all rows, or what chunking_method picks).
      chunking_method: "auto", "aspect_ratio" or "aspect_ratio:N" (chunks sized so their
        logits match the input's size, divided by N), or None (use batch_chunk_size).
      acc_policy: "auto", "accurate", "balanced" or "compact".
      acc_dtype: the dtype of the logits and their softmax (None: float32 for float16 or
        bfloat16 input under "auto", else the input's dtype).

    PyTorch parity: the chunked loss's backward is JAX's autodiff of the chunk loop (the
    logits recomputed per chunk), not gradients precomputed in the forward: backward may
    run twice, double backward and functorch_like.compile work, and allow_retain_graph
    changes nothing. acc_policy is validated and resolved as PyTorch does but selects no
    kernel: the logits are always computed in acc_dtype, with XLA's accumulation.
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self):
        if self.acc_policy not in {"auto", "accurate", "balanced", "compact"}:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            if not sep:
                factor = "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        size = self.batch_chunk_size
        if not (size is None or (isinstance(size, int) and size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {size!r}")
        if self.acc_dtype is not None and self.acc_dtype not in _ACC_DTYPES:
            raise ValueError(
                f"acc_dtype must be one of {{None, torch.float16, torch.bfloat16, "
                f"torch.float32, torch.float64}}, got {self.acc_dtype!r}. Pass "
                "acc_dtype=None to let the op pick automatically.")

    @staticmethod
    def _chunk_size(method: str, num_batches: int, in_features: int,
                    num_classes: int) -> int:
        """The rows per chunk "aspect_ratio[:N]" gives: the next power of two at or above
        ceil(N_rows / ceil(C / D)), divided by N, at most N_rows."""
        factor = int(method.split(":", 1)[1]) if ":" in method else 1
        growth = -(-num_classes // in_features)
        rows = -(-num_batches // growth)
        return min((1 << (rows - 1).bit_length()) // factor, num_batches)

    def _adjust(self, num_batches: int, in_features: int, num_classes: int, dtype,
                device=None) -> "LinearCrossEntropyOptions":
        """These options with "auto" and None resolved for one call: a concrete chunk
        size, policy and accumulation dtype (PyTorch's resolution)."""
        acc_policy, method = self.acc_policy, self.chunking_method
        if method == "auto" and self.batch_chunk_size is not None:
            method = None            # an explicit size switches the heuristic off
        if "auto" in (acc_policy, method):
            picks = _AUTO_FALLBACK if device is None else _AUTO_DEFAULTS.get(
                (device.type, dtype), _AUTO_FALLBACK)
            acc_policy = picks.acc_policy if acc_policy == "auto" else acc_policy
            method = picks.chunking_method if method == "auto" else method
        size = num_batches if self.batch_chunk_size is None else min(self.batch_chunk_size,
                                                                     num_batches)
        if method is not None:
            size = self._chunk_size(method, num_batches, in_features, num_classes)
            if self.batch_chunk_size is not None and self.batch_chunk_size != size:
                raise ValueError(
                    f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method "
                    f"('{method}') give different chunk sizes ({self.batch_chunk_size} vs "
                    f"{size}); pass only one.")
        acc_dtype = self.acc_dtype
        if acc_dtype is None:
            low = dtype in (_dtypes.float16, _dtypes.bfloat16)
            acc_dtype = (_dtypes.float32 if low and self.acc_policy == "auto"
                         and device is not None else dtype)
        return dataclasses.replace(self, acc_policy=acc_policy, chunking_method=method,
                                   batch_chunk_size=max(1, size), acc_dtype=acc_dtype)
