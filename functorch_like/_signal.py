"""torch.stft and torch.istft: argument resolution and PyTorch's checks around the pure
transforms in functorch_like/pure/_stft.py."""

from __future__ import annotations

import warnings

import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._ops_complex import view_as_real
from ._tensor import Tensor, apply
from .pure import _stft

__all__ = ["stft", "istft"]

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor",
               "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}


def _describe(t: Tensor, braces: bool = False) -> str:
    name = "torch." + _TYPE_NAMES.get(str(np.dtype(_dtypes.to_jax(t.dtype))), "Tensor")
    dims = ", ".join(str(s) for s in t.shape)
    return f"{name}{{[{dims}]}}" if braces else f"{name}[{dims}]"


def _flag(v) -> str:
    return "None" if v is None else str(int(bool(v)))


def _f_stft(x, window, **static):
    return _stft.stft(x, window, **static)


def _f_istft(spec, window, **static):
    return _stft.istft(spec, window, **static)


def _padded_window(window, win_length, n_fft, dtype):
    if window is None:
        window = Tensor._make(jnp.ones((win_length,), _dtypes.to_jax(dtype)))
    if win_length < n_fft:
        from .nn.functional import pad
        left = (n_fft - win_length) // 2
        window = pad(window, (left, n_fft - win_length - left))
    return window


def stft(input: Tensor, n_fft: int, hop_length: int | None = None,
         win_length: int | None = None, window: Tensor | None = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """The short-time Fourier transform of `input`, (L,) or (B, L).

    Args:
      n_fft: the FFT size; frames are n_fft samples long.
      hop_length: samples between frames (default n_fft // 4).
      win_length: the window's length (default n_fft), zero-padded on both sides to n_fft.
      window: a 1-D tensor of win_length samples (default all ones).
      center: pad n_fft // 2 samples on both sides with `pad_mode` first (frame t is
        centred on sample t * hop_length).
      pad_mode: "reflect" (default), "constant", "replicate" or "circular".
      normalized: multiply by n_fft ** -0.5.
      onesided: keep only the n_fft // 2 + 1 non-negative frequencies (default for real
        input and window).
      return_complex: required for real input; False returns view_as_real's (..., 2).
    Returns:
      (B?, n_freq, n_frames) complex, n_frames = 1 + (L' - n_fft) // hop_length.

    PyTorch parity: `align_to_window` (centring of frames when center=False) is not
    supported; it must be None.
    """
    if align_to_window is not None:
        raise NotImplementedError("stft: align_to_window is not supported")
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None and not complex_in:
        raise RuntimeError("stft requires the return_complex parameter be given for real "
                           "inputs, and will further require that return_complex=True in a "
                           "future PyTorch release.")
    if return_complex is False:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch "
                      "release, stft will return complex tensors for all inputs, and "
                      "return_complex=False will raise an error.", UserWarning)
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.ndim}D tensor")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    x = input if input.ndim == 2 else input.unsqueeze(0)
    if not x.is_floating_point() and not x.is_complex():
        x = x.to(_dtypes.get_default_dtype())
    length = x.shape[-1] + (2 * (n_fft // 2) if center else 0)
    shown = (length,) if input.ndim == 1 else (x.shape[0], length)
    head = (f"stft(torch.{_TYPE_NAMES.get(str(np.dtype(_dtypes.to_jax(x.dtype))), 'Tensor')}"
            f"[{', '.join(map(str, shown))}], n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={'None' if window is None else _describe(window, True)}"
            f", normalized={_flag(normalized)}, onesided={_flag(onesided)}, return_complex="
            f"{_flag(return_complex)}, align_to_window=None) : ")
    if not 0 < n_fft <= length:
        raise RuntimeError(head + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(head + f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(head + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(head + f"expected a 1D window tensor of size equal to win_length="
                           f"{win}, but got window with size {list(window.shape)}")
    one = not complex_in if onesided is None else bool(onesided)
    if one and complex_in:
        raise RuntimeError(head + "expected onesided=False for complex input or window")
    w = _padded_window(window, win, n_fft, x.dtype)
    out = apply(_f_stft, "FftR2CBackward0" if one else "FftC2CBackward0", x, w, n_fft=n_fft,
                hop=hop, center=bool(center), pad_mode=pad_mode, normalized=bool(normalized),
                onesided=one)
    if input.ndim == 1:
        out = out.squeeze(0)
    return out if return_complex or complex_in and return_complex is None else \
        view_as_real(out)


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """The inverse of stft by windowed overlap-add: (B?, n_freq, n_frames) complex ->
    (B?, L) signals.

    Args are stft's; `onesided` defaults to n_freq != n_fft, `length` trims or zero-pads the
    result, `return_complex` keeps a complex signal (for two-sided spectra).
    Returns:
      (B?, L) with L = length, or n_fft + hop * (n_frames - 1) less n_fft (when center).

    PyTorch parity: like torch, a window whose overlap-added square falls below 1e-11
    anywhere in the output raises RuntimeError ("window overlap add min").
    """
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    spec = input if input.ndim == 3 else input.unsqueeze(0)
    n_freq, n_frames = spec.shape[-2:]
    one = n_freq != n_fft if onesided is None else bool(onesided)
    if one and n_freq != n_fft // 2 + 1:
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                           f"{n_freq}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"istft: expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(f"istft: expected a 1D window tensor of size equal to win_length="
                           f"{win}, but got window with size {list(window.shape)}")
    double = np.dtype(_dtypes.to_jax(spec.dtype)) == np.complex128
    w = _padded_window(window, win, n_fft, np.float64 if double else np.float32)
    start = n_fft // 2 if center else 0
    total = n_fft + hop * (n_frames - 1)
    end = start + length if length is not None else (total - n_fft // 2 if center else total)
    # The envelope check needs values: the overlap-added squared window over the output.
    wv = np.asarray(w.detach().numpy())
    env = np.zeros(total)
    for t in range(n_frames):
        env[t * hop:t * hop + n_fft] += np.abs(wv) ** 2
    if env[start:min(end, total)].size and env[start:min(end, total)].min() < 1e-11:
        raise RuntimeError("istft: window overlap add min: "
                           f"{env[start:min(end, total)].min():g}")
    out = apply(_f_istft, "IstftBackward0", spec, w, n_fft=n_fft, hop=hop, onesided=one,
                normalized=bool(normalized), return_complex=bool(return_complex),
                start=start, end=end)
    return out.squeeze(0) if input.ndim == 2 else out
