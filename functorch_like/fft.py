"""torch.fft: discrete Fourier transforms over `jnp.fft`, differentiable through JAX.

Every transform is one pure function, `_f_fft`, dispatched through `apply`; `kind` names
the jnp transform and `s`/`axes` are resolved here first, so PyTorch's argument checks
and error texts come before any array work. Real inputs come back complex64 (complex128
for float64, as PyTorch); integer inputs are promoted to the default float type first.

Gradients are JAX's vjps, which equal PyTorch's for every transform here, the one-sided
ones included (irfft's adjoint doubles the non-self-conjugate bins, as PyTorch's
`fft_c2r_backward`).
"""

from __future__ import annotations

from typing import Sequence

import jax.numpy as jnp

from . import _autocast_state, _dtypes
from ._ops_shape import roll as _roll
from ._tensor import Tensor, _wrap_dim, apply

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
           "ifftn", "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift",
           "ifftshift"]

_NORMS = ("backward", "ortho", "forward")
_JNP = {"fft": jnp.fft.fftn, "ifft": jnp.fft.ifftn, "rfft": jnp.fft.rfftn,
        "irfft": jnp.fft.irfftn}


def _f_fft(x, *, kind, s, axes, norm):
    if kind == "hfft":
        return jnp.fft.hfft(x, s[0], axes[0], norm)
    if kind == "ihfft":
        return jnp.fft.ihfft(x, s[0], axes[0], norm)
    return _JNP[kind](x, s, axes, norm)


def _input(x: Tensor, kind: str) -> Tensor:
    d = x.dtype
    if d.is_complex:
        if kind in ("rfft", "ihfft"):
            raise RuntimeError(f"{kind} expects a real input tensor, but got "
                               f"{_dtypes.scalar_type_name(d)}")
        return x
    if d in (_dtypes.float16, _dtypes.bfloat16):
        raise RuntimeError(f"Unsupported dtype {_dtypes.scalar_type_name(d)}")
    return x if d.is_floating_point else x.to(_dtypes.get_default_dtype())


def _check_norm(norm):
    if norm is not None and norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm or "backward"


def _grad_name(kind: str, x: Tensor, one_dim: bool) -> str:
    # PyTorch's grad_fn for each path: real input of a 1-D fft is an r2c transform, a real
    # 1-D ifft/ihfft a conjugated one; multi-dim transforms of real input go c2c.
    if kind in ("irfft", "hfft"):
        return "FftC2RBackward0"
    if kind == "rfft":
        return "FftR2CBackward0"
    if not x.dtype.is_complex and one_dim:
        return {"fft": "FftR2CBackward0", "ifft": "ConjBackward0",
                "ihfft": "ConjBackward0"}[kind]
    return "FftC2CBackward0"


def _transform(kind, input, s, dim, norm, one_dim):
    """Resolves `s` and `dim` as PyTorch's fftn family does and runs the transform."""
    norm = _check_norm(norm)
    if _autocast_state.cast is not None:    # (cpu autocast: half inputs go up to float32)
        (input,) = _autocast_state.cast(_f_fft, "", (input,))
    x = _input(input, kind)
    if s is not None and dim is not None and len(s) != len(dim):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if s is not None and len(s) > x.ndim:
        raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                           f"{x.ndim} dimensions.")
    if dim is None:
        n_axes = len(s) if s is not None else x.ndim
        axes = tuple(range(x.ndim - n_axes, x.ndim))
    else:
        axes = tuple(_wrap_dim(d, x.ndim) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError("FFT dims must be unique")
    sizes = []
    for i, ax in enumerate(axes):
        n = -1 if s is None else s[i]
        if n == -1:
            n = x.shape[ax]
            if kind in ("irfft", "hfft") and i == len(axes) - 1:
                n = 2 * (n - 1)     # the full length of a one-sided spectrum
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
        sizes.append(n)
    return apply(_f_fft, _grad_name(kind, x, one_dim), x, kind=kind, s=tuple(sizes),
                 axes=axes, norm=norm)


_DOC_1 = """{what} of `input` along `dim` (shape (..., n, ...)).

Args:
  input: a real or complex tensor (integers are promoted to the default float type).
  n: the signal length: the input is zero-padded or trimmed to it{n_default}.
  dim: the dimension transformed.
  norm: "backward" (default: no scaling forward, 1/n backward), "ortho" (1/sqrt(n) both
    ways) or "forward" (1/n forward).
Returns:
  {out}
"""


def _one(kind, doc):
    def transform(input: Tensor, n: int | None = None, dim: int = -1,
                  norm: str | None = None) -> Tensor:
        if n is not None and n < 1:     # (-1 means "the input's length" in fftn's s only)
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
        return _transform(kind, input, None if n is None else (n,), (dim,), norm, True)
    transform.__name__ = transform.__qualname__ = kind
    transform.__doc__ = doc
    return transform


def _two(kind):
    def transform(input: Tensor, s: Sequence[int] | None = None,
                  dim: Sequence[int] = (-2, -1), norm: str | None = None) -> Tensor:
        return _transform(kind, input, None if s is None else tuple(s),
                          None if dim is None else tuple(dim), norm, False)
    transform.__name__ = transform.__qualname__ = kind + "2"
    return transform


def _many(kind):
    def transform(input: Tensor, s: Sequence[int] | None = None,
                  dim: int | Sequence[int] | None = None, norm: str | None = None) -> Tensor:
        if isinstance(dim, int):
            dim = (dim,)
        return _transform(kind, input, None if s is None else tuple(s),
                          None if dim is None else tuple(dim), norm, False)
    transform.__name__ = transform.__qualname__ = kind + "n"
    return transform


def _doc(what: str, out: str, full_length: bool = False) -> str:
    default = " (default 2 * (size - 1))" if full_length else ""
    return _DOC_1.format(what=what, n_default=default, out=out)


_SIZE_N, _HALF = "size n along `dim`.", "size n // 2 + 1 along `dim`."
fft = _one("fft", _doc("The 1-D discrete Fourier transform", "A complex tensor, " + _SIZE_N))
ifft = _one("ifft", _doc("The 1-D inverse discrete Fourier transform",
                         "A complex tensor, " + _SIZE_N))
rfft = _one("rfft", _doc("The 1-D Fourier transform of a real signal (the non-negative "
                         "frequencies)", "A complex tensor, " + _HALF))
irfft = _one("irfft", _doc("The inverse of rfft: a one-sided Hermitian spectrum back to a "
                           "real signal", "A real tensor, " + _SIZE_N, True))
hfft = _one("hfft", _doc("The 1-D transform of a one-sided Hermitian signal (real in "
                         "frequency)", "A real tensor, " + _SIZE_N, True))
ihfft = _one("ihfft", _doc("The inverse of hfft, of a real signal",
                           "A complex tensor, " + _HALF))

_DOC_N = """The {what} over the dims `dim` ({dims}).

Args:
  input: a real or complex tensor.
  s: the signal size per transformed dim (-1 keeps a dim's size); given without `dim`,
    the last len(s) dims are transformed.{s_default}
  dim: the dims transformed.
  norm: "backward" (default), "ortho" or "forward", as in `fft`.
"""


def _documented(fn, what: str, dims: str, real: bool):
    extra = " The last one defaults to 2 * (size - 1)." if real else ""
    fn.__doc__ = _DOC_N.format(what=what, dims=dims, s_default=extra)
    return fn


_TWO, _ALL = "default the last two", "default all of them"
fft2 = _documented(_two("fft"), "2-D discrete Fourier transform", _TWO, False)
ifft2 = _documented(_two("ifft"), "2-D inverse discrete Fourier transform", _TWO, False)
rfft2 = _documented(_two("rfft"), "2-D Fourier transform of a real signal", _TWO, False)
irfft2 = _documented(_two("irfft"), "2-D inverse of rfft2 (a real result)", _TWO, True)
fftn = _documented(_many("fft"), "N-D discrete Fourier transform", _ALL, False)
ifftn = _documented(_many("ifft"), "N-D inverse discrete Fourier transform", _ALL, False)
rfftn = _documented(_many("rfft"), "N-D Fourier transform of a real signal", _ALL, False)
irfftn = _documented(_many("irfft"), "N-D inverse of rfftn (a real result)", _ALL, True)


def _freq(name, n, values, dtype, device, requires_grad):
    d = _dtypes.get_default_dtype() if dtype is None else dtype
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError(f"{name} requires a floating point or complex dtype")
    if d.is_complex:        # (torch's arange has no complex kernel)
        raise NotImplementedError(f"\"arange_cpu\" not implemented for "
                                  f"'{_dtypes.scalar_type_name(d)}'")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    t = Tensor._make(jnp.asarray(values, _dtypes.to_jax(d)), requires_grad=requires_grad)
    return t if device is None else t.to(device)


def fftfreq(n: int, d: float = 1.0, *, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an n-point fft with sample spacing d: [0, 1, ...,
    n//2 - 1 (or (n-1)//2), -n//2, ..., -1] / (d * n), shape (n,)."""
    return _freq("fftfreq", n, jnp.fft.fftfreq(max(n, 0), d), dtype, device, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The non-negative sample frequencies of an n-point rfft: [0, ..., n//2] / (d * n),
    shape (n // 2 + 1,)."""
    # (torch's length is n / 2 + 1 in C's integer division, read as given for n < 0)
    values = (jnp.fft.rfftfreq(n, d) if n > 0 else
              jnp.arange(int(n / 2) + 1) / (d * n) if n < 0 else jnp.zeros(1) * jnp.nan)
    return _freq("rfftfreq", 0, values, dtype, device, requires_grad)


def _shift(input: Tensor, dim, sign: int) -> Tensor:
    if dim is None:
        dim = tuple(range(input.ndim))
    elif isinstance(dim, int):
        dim = (dim,)
    dims = tuple(_wrap_dim(d, input.ndim) for d in dim)
    shifts = tuple(sign * (input.shape[d] // 2) for d in dims)
    return _roll(input, shifts, dims)


def fftshift(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Moves the zero frequency to the centre: rolls each dim of `dim` (default all) by
    size // 2."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """The inverse of fftshift: rolls each dim by -(size // 2)."""
    return _shift(input, dim, -1)


# The multi-dimensional Hermitian transforms (real FFTs of the conjugate).
from ._fft_hermitian import hfft2, hfftn, ihfft2, ihfftn  # noqa: E402

__all__ += ["hfft2", "hfftn", "ihfft2", "ihfftn"]
