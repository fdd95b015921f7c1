"""Process-wide switches of the top-level namespace: the default device, warn-always, and
the inference-mode queries (torch.is_inference_mode_enabled, torch.is_inference), and the
deprecated torch.set_default_tensor_type."""

from __future__ import annotations

import builtins
import warnings

import jax

from . import _device
from ._tensor import Tensor
from .autograd import _grad_mode


def get_default_device() -> _device.device:
    """The device new tensors are created on: `device(type='cpu')` unless changed (or, as
    JAX places arrays, the first accelerator when one is present)."""
    target = jax.config.jax_default_device
    if target is None:
        target = jax.devices()[0]
    elif isinstance(target, str):      # JAX also accepts a platform name
        target = jax.devices(target)[0]
    return _device.device("cpu") if target.platform == "cpu" else _device.device(
        "cuda", target.id)


def set_default_device(device) -> None:
    """Makes `device` ("cpu", "cuda", "cuda:1", a torch.device, or None to reset) the one
    new tensors are created on, through JAX's `jax_default_device`.

    PyTorch parity: naming a device JAX has no backend for raises RuntimeError here at once;
    PyTorch accepts it and fails at the first tensor created.
    """
    if device is None:
        jax.config.update("jax_default_device", None)
        return
    jax.config.update("jax_default_device", _device.device(device).jax_device())


_warn_always = False


def set_warn_always(b: bool) -> None:
    """When True, warnings PyTorch emits once per process are to be emitted every time.

    PyTorch parity: only the flag is kept; this library's own once-only warnings go through
    Python's `warnings` filters, which already decide repetition.
    """
    global _warn_always
    _warn_always = bool(b)


def is_warn_always_enabled() -> bool:
    """The flag set by `set_warn_always` (False by default)."""
    return _warn_always


def is_inference_mode_enabled() -> bool:
    """Whether code runs inside `torch.inference_mode()` (and not inside a nested
    `inference_mode(False)`)."""
    return _grad_mode._state.inference


def is_inference(input: Tensor) -> bool:
    """Whether `input` is an inference tensor: made inside `torch.inference_mode()`, or a
    view (`x[0]`, `x.view(...)`, `detach()`) of one. Outside the mode such a tensor may not
    be changed in place nor set to require grad (torch's RuntimeErrors).

    PyTorch parity: torch also refuses an inference tensor that an op recorded for
    backward would save ("Inference tensors cannot be saved for backward"); here it may
    take part in autograd (JAX arrays need no version counter to be saved).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return builtins.bool(input.__dict__.get("_inference", False))


Tensor.is_inference = lambda self: is_inference(self)

if not hasattr(Tensor, "layout"):
    # Every tensor here is dense: x.layout is torch.strided, as for PyTorch's dense ones.
    from ._toplevel_constants import strided as _strided
    Tensor.layout = property(lambda self: _strided)


def set_default_tensor_type(t) -> None:
    """Deprecated since torch 2.1: `set_default_dtype` (and `set_default_device` for a
    "torch.cuda.*" type) by a legacy type or its name. Warns as torch's does.

    Args:
      t: a floating legacy type (`torch.DoubleTensor`) or its name ("torch.FloatTensor").
    """
    from . import _dtypes, _legacy_types
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please "
                  "use torch.set_default_dtype() and torch.set_default_device() as "
                  "alternatives.", UserWarning, stacklevel=2)
    if not isinstance(t, (str, _legacy_types.tensortype)):
        raise TypeError("invalid type object: only floating-point types are supported as "
                        "the default type")
    d = _legacy_types.dtype_of(t)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtypes.set_default_dtype(d)
    if isinstance(t, str) and t.startswith("torch.cuda."):
        set_default_device("cuda")
