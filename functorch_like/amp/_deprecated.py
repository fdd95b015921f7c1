"""The device-specific spellings `torch.cuda.amp.*` / `torch.cpu.amp.*`, which PyTorch
deprecates in favour of `torch.amp.autocast(device_type, ...)` and
`torch.amp.GradScaler(device, ...)`: same behaviour, plus PyTorch's FutureWarning."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

from .. import _dtypes
from .autocast_mode import autocast
from .custom_functions import custom_bwd, custom_fwd
from .grad_scaler import GradScaler


def _warn(what: str, device: str) -> None:
    warnings.warn(f"`torch.{device}.amp.{what}(args...)` is deprecated. Please use "
                  f"`torch.amp.{what}('{device}', args...)` instead.", FutureWarning,
                  stacklevel=3)


def _namespace(device: str, default_dtype) -> SimpleNamespace:
    class _Autocast(autocast):
        __doc__ = f"Deprecated: `torch.amp.autocast('{device}', ...)`."

        def __init__(self, enabled: bool = True, dtype=default_dtype,
                     cache_enabled: bool = True):
            _warn("autocast", device)
            super().__init__(device, dtype=dtype, enabled=enabled,
                             cache_enabled=cache_enabled)

    class _GradScaler(GradScaler):
        __doc__ = f"Deprecated: `torch.amp.GradScaler('{device}', ...)`."

        def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                     backoff_factor: float = 0.5, growth_interval: int = 2000,
                     enabled: bool = True):
            _warn("GradScaler", device)
            super().__init__(device, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval,
                             enabled=enabled)

    _Autocast.__name__ = _Autocast.__qualname__ = "autocast"
    _GradScaler.__name__ = _GradScaler.__qualname__ = "GradScaler"
    return SimpleNamespace(autocast=_Autocast, GradScaler=_GradScaler)


def _deprecated_custom(device: str):
    """torch.{device}.amp.custom_fwd / custom_bwd: torch.amp's with device_type=device."""
    def fwd(fwd=None, *, cast_inputs=None):
        warnings.warn(f"`torch.{device}.amp.custom_fwd(args...)` is deprecated. Please use "
                      f"`torch.amp.custom_fwd(args..., device_type='{device}')` instead.",
                      FutureWarning, stacklevel=2)
        return custom_fwd(fwd, device_type=device, cast_inputs=cast_inputs)

    def bwd(bwd):
        warnings.warn(f"`torch.{device}.amp.custom_bwd(args...)` is deprecated. Please use "
                      f"`torch.amp.custom_bwd(args..., device_type='{device}')` instead.",
                      FutureWarning, stacklevel=2)
        return custom_bwd(bwd, device_type=device)
    fwd.__name__, bwd.__name__ = "custom_fwd", "custom_bwd"
    return fwd, bwd


cuda_amp = _namespace("cuda", _dtypes.float16)
cuda_amp.custom_fwd, cuda_amp.custom_bwd = _deprecated_custom("cuda")
cpu_amp = _namespace("cpu", _dtypes.bfloat16)
