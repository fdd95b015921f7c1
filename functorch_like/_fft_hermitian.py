"""torch.fft's multi-dimensional Hermitian transforms: hfft2, hfftn, ihfft2, ihfftn.

A Hermitian-symmetric signal has a real spectrum, so these are the real-FFT transforms run
on the conjugate with the normalisation swapped (forward <-> backward):

    hfftn(x, s, dim, norm)  = irfftn(conj(x), s, dim, dual(norm))     (a real result)
    ihfftn(x, s, dim, norm) = conj(rfftn(x, s, dim, dual(norm)))      (one-sided, complex)

as PyTorch's own `fft_hfftn`/`fft_ihfftn` decompose them; `s` and `dim` resolve exactly as
for irfftn/rfftn (the last transformed dim of hfftn defaults to 2 * (size - 1)).
"""

from __future__ import annotations

from typing import Sequence

from . import _dtypes
from . import _ops_complex as CX
from . import fft as F
from ._tensor import Tensor

__all__ = ["hfft2", "hfftn", "ihfft2", "ihfftn"]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _dims(dim):
    return (dim,) if isinstance(dim, int) else (None if dim is None else tuple(dim))


def hfftn(input: Tensor, s: Sequence[int] | None = None,
          dim: int | Sequence[int] | None = None, norm: str | None = None) -> Tensor:
    """The N-D FFT of a one-sided Hermitian signal: a real tensor.

    Args:
      input: the half signal (complex or real), shape (..., n_last // 2 + 1) on the last
        transformed dim.
      s: output size per transformed dim (default: input sizes, the last 2 * (size - 1)).
      dim: the transformed dims (default all, or the last len(s)).
      norm: "backward" (default, no scaling), "ortho" or "forward" (1/n).
    Returns:
      A real tensor with sizes `s` on `dim`.
    """
    norm = F._check_norm(norm)
    return F.irfftn(CX.conj_physical(input) if input.is_complex() else input, s, _dims(dim),
                    _DUAL[norm])


def hfft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
          norm: str | None = None) -> Tensor:
    """hfftn over two dims (default the last two)."""
    return hfftn(input, s, dim, norm)


def ihfftn(input: Tensor, s: Sequence[int] | None = None,
           dim: int | Sequence[int] | None = None, norm: str | None = None) -> Tensor:
    """The inverse of hfftn: the one-sided N-D inverse FFT of a real signal.

    Args:
      input: a real tensor (integers are promoted to the default float type).
      s, dim: as in hfftn; the last transformed dim comes back with size n // 2 + 1.
      norm: "backward" (default, 1/n), "ortho" or "forward" (no scaling).
    Returns:
      A complex tensor.
    """
    norm = F._check_norm(norm)
    if input.is_complex():
        raise RuntimeError("Only supports floating-point dtypes, but found: "
                           f"{_dtypes.scalar_type_name(input.dtype)}")
    return CX.conj_physical(F.rfftn(input, s, _dims(dim), _DUAL[norm]))


def ihfft2(input: Tensor, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
           norm: str | None = None) -> Tensor:
    """ihfftn over two dims (default the last two)."""
    return ihfftn(input, s, dim, norm)
