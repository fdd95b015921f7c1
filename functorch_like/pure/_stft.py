"""The short-time Fourier transform and its inverse (overlap-add), as pure jnp functions.

Both take a batch: signals `(B, L)` and spectrograms `(B, n_freq, n_frames)`; the window is
already padded to n_fft. Argument checks live in the facade (functorch_like/_signal.py).
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["stft", "istft", "overlap_add"]

# torch's pad_mode names -> jnp.pad's
_PAD_MODES = {"reflect": "reflect", "constant": "constant", "replicate": "edge",
              "circular": "wrap"}


def _frame_index(n_frames: int, n_fft: int, hop: int):
    return hop * jnp.arange(n_frames)[:, None] + jnp.arange(n_fft)[None, :]


def stft(x, window, *, n_fft: int, hop: int, center: bool, pad_mode: str,
         normalized: bool, onesided: bool):
    """(B, L) signals -> (B, n_freq, n_frames) complex spectrogram.

    n_freq is n_fft // 2 + 1 when `onesided`, else n_fft; frames start every `hop` samples
    (after padding n_fft // 2 on both sides when `center`); `normalized` scales by
    1 / sqrt(n_fft).
    """
    if center:
        half = n_fft // 2
        x = jnp.pad(x, ((0, 0), (half, half)), mode=_PAD_MODES[pad_mode])
    n_frames = 1 + (x.shape[-1] - n_fft) // hop
    frames = x[:, _frame_index(n_frames, n_fft, hop)] * window     # (B, F, n_fft)
    norm = "ortho" if normalized else "backward"
    spec = jnp.fft.rfft(frames, axis=-1, norm=norm) if onesided else \
        jnp.fft.fft(frames, axis=-1, norm=norm)
    return jnp.swapaxes(spec, -1, -2)


def overlap_add(frames, hop: int):
    """Sums (B, F, n_fft) frames placed every `hop` samples: (B, n_fft + hop * (F - 1))."""
    n_frames, n_fft = frames.shape[-2:]
    out = jnp.zeros(frames.shape[:-2] + (n_fft + hop * (n_frames - 1),), frames.dtype)
    return out.at[..., _frame_index(n_frames, n_fft, hop)].add(frames)


def istft(spec, window, *, n_fft: int, hop: int, onesided: bool, normalized: bool,
          return_complex: bool, start: int, end: int | None):
    """(B, n_freq, n_frames) -> (B, end - start) signals by windowed overlap-add, divided by
    the overlap-added squared window (the least-squares inverse of `stft`). Samples past
    the last frame (when end is beyond it) are zeros."""
    spec = jnp.swapaxes(spec, -1, -2)                               # (B, F, n_freq)
    norm = "ortho" if normalized else "backward"
    if onesided:
        frames = jnp.fft.irfft(spec, n=n_fft, axis=-1, norm=norm)
    else:
        frames = jnp.fft.ifft(spec, n=n_fft, axis=-1, norm=norm)
        if not return_complex:
            frames = jnp.real(frames)
    n_frames = frames.shape[-2]
    y = overlap_add(frames * window, hop)
    envelope = overlap_add(jnp.broadcast_to(window * window, (1, n_frames, n_fft)), hop)
    total = y.shape[-1]
    stop = total if end is None else min(end, total)
    y = y[..., start:stop] / envelope[..., start:stop]
    if end is not None and end > total:
        y = jnp.pad(y, ((0, 0), (0, end - total)))
    return y
