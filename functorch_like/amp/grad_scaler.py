"""torch.amp.GradScaler: loss scaling for float16 training, with PyTorch's rules.

`scale(loss)` multiplies by the scale (init 2**16); `unscale_(optimizer)` multiplies every
gradient by 1/scale in one jitted program and notes whether any was inf/NaN; `step`
runs `optimizer.step()` only if none was; `update()` then multiplies the scale by
`backoff_factor` after an inf/NaN step (and restarts the count), or by `growth_factor`
after `growth_interval` consecutive clean steps (unless that overflows float32), as
PyTorch's `_amp_update_scale_`.

Eagerly, `step` reads the inf/NaN flag on the host (as PyTorch's `.item()`). Inside a
step compiled with functorch_like.compile, where that value is not known, the optimizer
step runs and the program keeps the old parameters and optimizer state where a gradient
was inf/NaN, and `update` computes the new scale in the program: the same numbers.

PyTorch parity: inside a compiled step the scale's reciprocal is taken in float32 unless
x64 is on (PyTorch takes it in float64), exact for the powers of two that the default
factors keep. Sparse gradients and optimizers with their own scaling
(`_step_supports_amp_scaling`) are not supported.
"""

from __future__ import annotations

import enum
import warnings
from collections import defaultdict
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _device, _dtypes
from .._tensor import Tensor, publish

__all__ = ["GradScaler", "OptState"]


class OptState(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _traced(x) -> bool:
    return isinstance(x, jax.core.Tracer)


def _array(v):
    return v._value if isinstance(v, Tensor) else v


def _step_unless(optimizer, skip, args: tuple, kwargs: dict):
    """Inside a compiled step, the traced form of skipping an optimizer step: runs it,
    then keeps the old values of the parameters and of the state entries it had where
    `skip` (a traced flag: a gradient was inf/NaN). Returns what step returned."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    old_params = [p._value for p in params]
    old_state = [(entry, {k: _array(v) for k, v in entry.items()})
                 for entry in optimizer.state.values() if isinstance(entry, dict)]
    retval = optimizer.step(*args, **kwargs)
    merged = {}         # (an array several entries share, as a step count, stays shared)

    def keep(old, new):
        if new is old or getattr(new, "shape", None) != getattr(old, "shape", ()):
            return new
        key = (id(old), id(new))
        if key not in merged:
            merged[key] = jnp.where(skip, old, new)
        return merged[key]
    for p, old in zip(params, old_params):
        p._value = keep(old, p._value)
    for entry, olds in old_state:
        for k, old in olds.items():
            new = entry.get(k)
            if isinstance(new, Tensor):
                new._value = keep(old, new._value)
            elif new is not None:
                entry[k] = keep(old, new)
    return retval


def _fresh_state() -> dict:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


@jax.jit
def _unscale(grads, inv_scale, post):
    """(grads * inv_scale * post, 1.0 if any grad had an inf/NaN else 0.0), as PyTorch's
    `_amp_foreach_non_finite_check_and_unscale_` (grads are scaled either way). `post` is
    1, or 2**-64 where the reciprocal of the scale is below float32's normal range and
    `inv_scale` holds it times 2**64 (see _reciprocal)."""
    found = jnp.zeros((), jnp.float32)
    for g in grads:
        found = jnp.maximum(found, jnp.any(~jnp.isfinite(g)).astype(jnp.float32))
    return [(g * inv_scale * post).astype(g.dtype) for g in grads], found


_SHIFT = 2.0 ** 64
_SMALLEST_NORMAL = float(np.finfo(np.float32).tiny)


def _reciprocal(scale) -> tuple:
    """(1/scale, 1.0), or (2**64/scale, 2**-64) where 1/scale is a float32 subnormal (a
    scale of 2**127 or more): XLA on CPU flushes subnormals to zero, which would zero every
    gradient, where torch's CPU multiply keeps them. Splitting the factor in two keeps the
    product torch's for the power-of-two scales GradScaler's default factors keep
    (PyTorch-parity note: for another scale that large, torch's subnormal reciprocal has
    fewer digits than this one)."""
    if _traced(scale):      # (float32 unless x64 is on: see the module's parity note)
        wide = jax.dtypes.canonicalize_dtype(jnp.float64)
        tiny = scale.astype(wide) > 1 / _SMALLEST_NORMAL
        inv = jnp.where(tiny, _SHIFT / scale.astype(wide), 1 / scale.astype(wide))
        return inv.astype(jnp.float32), jnp.where(tiny, np.float32(1 / _SHIFT),
                                                  np.float32(1.0))
    inv = 1.0 / np.float64(float(scale))        # in float64, then float32, as PyTorch
    if inv < _SMALLEST_NORMAL:
        return jnp.asarray(np.float32(inv * _SHIFT)), jnp.asarray(np.float32(1 / _SHIFT))
    return jnp.asarray(np.float32(inv)), jnp.asarray(np.float32(1.0))


class GradScaler:
    """Scales the loss so that float16 gradients do not underflow, and unscales them.

    Args:
      device: "cuda" (default) or "cpu"; a "cuda" scaler without a JAX GPU warns and is
        disabled, as PyTorch.
      init_scale: the first scale (2**16).
      growth_factor: multiplies the scale after `growth_interval` clean steps (2.0).
      backoff_factor: multiplies the scale after a step with inf/NaN gradients (0.5).
      growth_interval: clean steps between growths (2000).
      enabled: False makes `scale`/`unscale_`/`update` no-ops and `step` a plain
        `optimizer.step()`.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled and not _device.cuda_is_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available."
                          "  Disabling.", UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: Tensor | None = None     # int32, as torch's
            self._per_optimizer_states: dict = defaultdict(_fresh_state)

    def _check_scale(self, funcname: str) -> None:
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  This may "
                                 "indicate your script did not use scaler.scale(loss or "
                                 "outputs) earlier in the iteration.")

    def _lazy_init(self) -> None:
        self._scale = Tensor._make(jnp.asarray(self._init_scale, jnp.float32))
        self._growth_tracker = Tensor._make(jnp.asarray(self._init_growth_tracker, jnp.int32))

    def scale(self, outputs):
        """`outputs` (a Tensor, or a nested list/tuple/iterable of them) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init()
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(v) for v in outputs)
        if hasattr(outputs, "__iter__"):
            return map(self.scale, outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        """Divides `optimizer`'s gradients by the scale in place (once per step), e.g.
        before gradient clipping, and records whether any is inf/NaN."""
        if not self._enabled:
            return
        self._check_scale("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale, post = _reciprocal(self._scale._value)
        grads = []
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.dtype == _dtypes.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                grads.append(p.grad)
        found = jnp.zeros((), jnp.float32)
        if grads:
            new, found = _unscale([g._value for g in grads], inv_scale, post)
            for g, value in zip(grads, new):
                g._value = value
                g._version += 1
                publish(g)
        # (no gradient, no check: torch's step then refuses, as it records none)
        state["found_inf_per_device"] = {"cpu": found} if grads else {}
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args: Any, **kwargs: Any):
        """Unscales (if not done yet) and runs `optimizer.step(*args, **kwargs)` unless a
        gradient is inf/NaN; returns what step returned, or None when skipped."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._check_scale("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        found = list(state["found_inf_per_device"].values())
        retval = None
        if any(map(_traced, found)):
            retval = _step_unless(optimizer, sum(found) > 0, args, kwargs)
        elif not sum(float(v) for v in found):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Backs off or grows the scale from this iteration's inf/NaN checks (or sets
        `new_scale`), and clears the per-optimizer records for the next iteration."""
        if not self._enabled:
            return
        self._check_scale("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                value = new_scale
            else:
                if (new_scale.device.type != self._device or new_scale.numel() != 1
                        or new_scale.requires_grad):
                    raise AssertionError(
                        "new_scale should be a float or a 1-element torch.cuda.FloatTensor "
                        "or torch.FloatTensor with requires_grad=False.")
                value = new_scale._value
            self._scale = Tensor._make(jnp.asarray(value, jnp.float32).reshape(()))
        else:
            found = [v for s in self._per_optimizer_states.values()
                     for v in s["found_inf_per_device"].values()]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(map(_traced, found)):
                self._update_traced(sum(found) > 0)
            else:
                self._update_eager(bool(sum(float(v) for v in found)))
        # (emptied, not replaced: inside a compiled step, what the iteration recorded there
        # is then gone, and nothing is left to repeat after each call)
        self._per_optimizer_states.clear()

    def _update_eager(self, found_inf: bool) -> None:
        scale = np.float32(self.get_scale())
        tracker = int(self._growth_tracker.item())
        if found_inf:
            scale, tracker = scale * np.float32(self._backoff_factor), 0
        else:
            tracker += 1
            if tracker == self._growth_interval:
                grown = scale * np.float32(self._growth_factor)
                if np.isfinite(grown):
                    scale = grown
                tracker = 0
        self._set(scale, tracker)

    def _update_traced(self, found_inf) -> None:
        """_update_eager's rule as a program (PyTorch's `_amp_update_scale_` kernel)."""
        scale = self._scale._value.astype(jnp.float32)
        successful = self._growth_tracker._value + 1
        grow = successful == self._growth_interval
        grown = scale * np.float32(self._growth_factor)
        self._set(jnp.where(found_inf, scale * np.float32(self._backoff_factor),
                            jnp.where(grow & jnp.isfinite(grown), grown, scale)),
                  jnp.where(found_inf | grow, 0, successful))

    def _set(self, scale, tracker) -> None:
        self._scale = Tensor._make(jnp.asarray(scale, jnp.float32))
        self._growth_tracker = Tensor._make(jnp.asarray(tracker, jnp.int32))

    def get_scale(self) -> float:
        """The current scale as a Python float (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        return (self._init_growth_tracker if self._growth_tracker is None
                else int(self._growth_tracker.item()))

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """{"scale", "growth_factor", "backoff_factor", "growth_interval",
        "_growth_tracker"} as Python numbers; {} when disabled."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was "
                               "saved from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = Tensor._make(jnp.asarray(state_dict["scale"], jnp.float32))
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = Tensor._make(jnp.asarray(state_dict["_growth_tracker"],
                                                            jnp.int32))
