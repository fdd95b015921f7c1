"""Differential tests against torch for the window functions, torch.stft/istft and the
multi-dimensional Hermitian FFTs (hfft2, hfftn, ihfft2, ihfftn)."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

WINDOWS = ["hann_window", "hamming_window", "bartlett_window", "blackman_window",
           "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
def test_windows(name):
    for length in (0, 1, 2, 7):
        for periodic in (True, False):
            check(lambda t: getattr(t, name)(length, periodic), grad=False, atol=1e-6)
    check(lambda t: getattr(t, name)(6, dtype=t.float64, requires_grad=True), grad=False)
    check_raises(lambda t: getattr(t, name)(-1))
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        getattr(fl, name)(4, dtype=fl.int64)
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        getattr(torch, name)(4, dtype=torch.int64)


def test_window_parameters():
    check(lambda t: (t.hamming_window(5, False, alpha=0.5, beta=0.4),
                     t.kaiser_window(6, True, 5.0), t.kaiser_window(6, False, 3.0)), grad=False)


def test_hermitian_fftn():
    z = rand(3, 4, 5) + 1j * rand(3, 4, 5)
    x = rand(3, 4, 6)
    check(lambda t, a: (t.fft.hfft2(a), t.fft.hfftn(a, s=(3, 5), dim=(0, 2), norm="ortho"),
                        t.fft.hfft2(a, s=(3, 5), dim=(0, 1), norm="forward")),
          z.astype(np.complex64), grad=False, atol=1e-4)
    # (torch returns lazily conjugated tensors: resolve them to compare)
    check(lambda t, a: [y.resolve_conj() for y in (
        t.fft.ihfft2(a), t.fft.ihfftn(a, s=(4, 8), dim=(0, 2), norm="forward"))], x)
    check_raises(lambda t, a: t.fft.ihfftn(a), z.astype(np.complex64))
    check_raises(lambda t, a: t.fft.hfftn(a, norm="bad"), z.astype(np.complex64))


def test_hermitian_fftn_grad():
    # hfftn of a real tensor (treated as a Hermitian half-spectrum) and its gradient.
    check(lambda t, a: t.fft.hfftn(a, s=(3, 6)), rand(3, 4), atol=1e-4)


_CONFIGS = [dict(n_fft=8), dict(n_fft=8, hop_length=3, win_length=6, center=False),
            dict(n_fft=16, pad_mode="constant", normalized=True, onesided=False),
            dict(n_fft=10, hop_length=5, pad_mode="circular")]


@pytest.mark.parametrize("cfg", range(len(_CONFIGS)))
def test_stft_matches_torch(cfg):
    kw = _CONFIGS[cfg]
    win = kw.get("win_length", kw["n_fft"])
    x = rand(2, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # torch's "no window" warning
        check(lambda t, a: (t.stft(a, window=t.hann_window(win), return_complex=True, **kw),
                            a[0].stft(return_complex=True, **kw)), x, atol=1e-4)


def test_stft_real_view_and_errors():
    x = rand(40)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        out = fl.stft(fl.tensor(x), 8, window=fl.hann_window(8), return_complex=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, a: t.stft(a, 8, window=t.hann_window(8), return_complex=False), x,
              grad=False, atol=1e-4)
    assert tuple(out.shape) == (5, 21, 2)
    check_raises(lambda t, a: t.stft(a, 8), x)                    # return_complex missing
    for kw in (dict(n_fft=60, center=False), dict(n_fft=8, hop_length=0),
               dict(n_fft=8, win_length=9), dict(n_fft=8, window=np.ones(5, np.float32))):
        check_raises(lambda t, a: t.stft(a, return_complex=True, **{
            k: (t.from_numpy(v) if t is torch else fl.tensor(v)) if isinstance(v, np.ndarray)
            else v for k, v in kw.items()}), x)


def test_istft_round_trip_and_grad():
    x = rand(2, 40)
    spec = torch.stft(torch.from_numpy(x), 8, hop_length=2, window=torch.hann_window(8),
                      return_complex=True).numpy()
    check(lambda t, s: t.istft(s, 8, hop_length=2, window=t.hann_window(8), length=40), spec,
          atol=1e-5)
    check(lambda t, s: t.istft(s, 8, hop_length=2, window=t.hann_window(8)), spec[0],
          grad=False)
    back = fl.istft(fl.stft(fl.tensor(x), 8, hop_length=2, window=fl.hann_window(8),
                            return_complex=True), 8, hop_length=2, window=fl.hann_window(8),
                    length=40)
    np.testing.assert_allclose(back.numpy(), x, atol=1e-5)
    # A zero window cannot be inverted: both raise.
    with pytest.raises(RuntimeError, match="window overlap add min"):
        fl.istft(fl.tensor(spec), 8, window=fl.zeros(8))
    with pytest.raises(RuntimeError, match="window overlap add min"):
        torch.istft(torch.from_numpy(spec), 8, window=torch.zeros(8))
