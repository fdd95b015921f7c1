"""torch.autocast: ops run in a lower precision dtype where PyTorch's autocast lists say.

While an autocast region is active, the dispatch point (`_tensor.apply`) hands each op's
inputs to `cast_inputs`, which looks the op up in the active device's lists:

- lower precision ("fp16/bf16" lists): matmul/mm/bmm, addmm, baddbmm, addbmm, linear,
  conv1d/2d/3d and their transposes, prelu, linalg.vecdot, linalg.multi_dot,
  scaled_dot_product_attention, and the ops torch runs as one of those (einsum as bmm,
  tensordot and matrix_power as mm); mv on cuda only (dot on neither list): floating
  inputs (not float64) are cast to the autocast dtype, so the output is in it;
- float32 lists: the losses (mse, l1, smooth_l1, huber, nll/cross_entropy, bce,
  bce_with_logits, soft/multi/multilabel margin, cosine/hinge embedding, margin ranking,
  triplet margin, poisson_nll), plus on cpu prod, cdist, ctc_loss, the fft functions,
  trace, triangular_solve, quantile/nanquantile, polar, view_as_complex, 3-d pools, the
  2-d reflection and 3-d replication pads, grid_sample, max_unpool2d and the fractional
  max pools, and on cuda softmax, log_softmax, layer/group norm, sum, prod, cumsum, cumprod,
  logsumexp, exp, log, pow, norms, ...: float16/bfloat16 inputs are cast up to float32.

Other ops run in their inputs' dtype (PyTorch's type promotion). The casts are recorded
(ToCopyBackward0), so gradients flow back to float32 parameters in float32, as in PyTorch.

PyTorch parity: these are the ops of PyTorch 2.13's CPU and CUDA lists that this library
has; ops not listed here (addmv, addr, GRU, a projecting LSTM, the recurrent cells, ...)
run in their inputs' dtype. MultiheadAttention is cast as a whole (torch casts its linear
maps and attention one by one: the same dtypes, values within the autocast dtype's
rounding), and so are CPU LSTM and RNN layers (torch's oneDNN kernels). No cast cache:
`cache_enabled` is accepted and ignored. Under functorch_like.compile the region's casts
are traced into the program like other ops.
"""

from __future__ import annotations

import functools
import warnings

from .. import _autocast_state, _device, _dtypes
from .._writes import WRITES

__all__ = ["autocast", "is_autocast_enabled", "get_autocast_dtype", "set_autocast_enabled",
           "set_autocast_dtype", "is_autocast_available"]

_enabled = {"cpu": False, "cuda": False}
# torch.is_autocast_cache_enabled()'s flag: there is no weight-cast cache here (a compiled
# step's casts are fused by XLA), but an autocast region sets the flag as torch's does.
CACHE = {"enabled": True}
_dtype = {"cpu": _dtypes.bfloat16, "cuda": _dtypes.float16}

# PyTorch's fp32 lists, by the ops' grad_fn names (unique to these ops here; l1_loss and
# kl_div, whose names are shared, are found by their functions: _fp32_functions).
_LOSSES = ("MseLossBackward0", "SmoothL1LossBackward0",
           "HuberLossBackward0", "NllLossBackward0", "BinaryCrossEntropyBackward0",
           "BinaryCrossEntropyWithLogitsBackward0", "SoftMarginLossBackward0",
           "MultiMarginLossBackward0", "MultilabelMarginLossBackward0")
_FP32 = {
    "cpu": frozenset(_LOSSES + (
        "AvgPool3DBackward0", "ProdBackward0", "ProdBackward1", "CdistBackward0",
        "TriangularSolveBackward0", "MaxPool3DWithIndicesBackward0",
        "AdaptiveAvgPool3DBackward0", "AdaptiveMaxPool3DBackward0",
        "ReflectionPad2DBackward0", "ReplicationPad3DBackward0", "GridSampler2DBackward0",
        "MaxUnpool2DBackward0", "FractionalMaxPool2DBackward0",
        "FractionalMaxPool3DBackward0")),
    "cuda": frozenset(_LOSSES + (
        "AcosBackward0", "AsinBackward0", "CoshBackward0", "ErfinvBackward0", "ExpBackward0",
        "Expm1Backward0", "LogBackward0", "Log10Backward0", "Log2Backward0", "Log1PBackward0",
        "ReciprocalBackward0", "RsqrtBackward0", "SinhBackward0", "TanBackward0",
        "PowBackward0", "PowBackward1", "PowBackward2", "SoftmaxBackward0",
        "LogSoftmaxBackward0", "NativeLayerNormBackward0", "NativeGroupNormBackward0",
        "NormBackward1", "LinalgVectorNormBackward0", "CumprodBackward0", "CumsumBackward0",
        "PdistBackward0", "CdistBackward0", "ProdBackward0", "ProdBackward1", "SumBackward0",
        "SumBackward1", "LogsumexpBackward0", "SoftplusBackward0")),
}


@functools.lru_cache(maxsize=None)
def _lower_ops(device_type: str) -> frozenset:
    """The lower-precision ops, by their pure functions (grad_fn names are shared: linear
    records AddmmBackward0, matmul of 3-D operands UnsafeViewBackward0)."""
    from .. import _methods, _ops_contract, _ops_linalg_svd, _ops_math, _ops_math_more, linalg
    from ..nn import _functional_layers, _functional_mha, functional
    from ..nn.modules import rnn
    from ..pure import _activations, _linear
    # (einsum runs as bmm, tensordot and matrix_power as mm, which both lists hold)
    ops = {_ops_math._f_matmul, _methods.addmm, _linear.linear, functional._f_conv,
           functional._f_conv_t, _functional_layers._f_conv, _functional_layers._f_conv_t,
           _activations.prelu, _ops_contract._f_einsum, _ops_contract._f_tensordot,
           _ops_contract.baddbmm, _ops_math_more.addbmm, _ops_math_more._f_inner,
           linalg.vecdot, linalg.multi_dot,
           _ops_linalg_svd._f_matrix_power, _functional_mha._f_sdpa,
           # (torch's MultiheadAttention runs as linear maps and sdpa, all on the lists)
           _functional_mha._f_mha}
    if device_type == "cuda":       # (mv is on CUDA's list only; dot on neither)
        ops.add(_ops_contract._f_mv)
    else:
        ops.add(rnn._f_rnn_lower)
    return frozenset(ops)


@functools.lru_cache(maxsize=None)
def _fp32_functions(device_type: str) -> frozenset:
    """The fp32-list ops named after a shared grad_fn (or after one that depends on their
    arguments), by their functions."""
    from .. import fft
    from ..nn import _functional_ctc, _functional_losses_common
    from ..pure import losses
    ops = {losses.l1_loss, losses.kl_div, losses.cosine_embedding_loss,
           losses.margin_ranking_loss, losses.hinge_embedding_loss, losses.poisson_nll_loss,
           losses.triplet_margin_loss, _functional_losses_common._f_cross_entropy}
    if device_type == "cpu":
        ops |= {_functional_ctc._f_ctc, fft._f_fft}
    return frozenset(ops)


def _tensor_device(value) -> str:
    if not _device.cuda_is_available():
        return "cpu"
    import jax
    if isinstance(value, jax.core.Tracer):      # a traced step runs on the default device
        return "cuda" if jax.default_backend() == "gpu" else "cpu"
    return _device.of_array(value).type


def cast_inputs(fn, name: str, args: tuple) -> tuple:
    """`args` with the floating Tensors cast as the active autocast policy says for the op
    (`fn`, recorded as `name`)."""
    for device_type, on in _enabled.items():
        if not on:
            continue
        if fn in _lower_ops(device_type):
            target, eligible = _dtype[device_type], (_dtypes.float32, _dtypes.float16,
                                                     _dtypes.bfloat16)
        elif name in _FP32[device_type] or fn in _fp32_functions(device_type):
            target, eligible = _dtypes.float32, (_dtypes.float16, _dtypes.bfloat16)
        else:
            continue
        return _cast(args, device_type, target, eligible)
    return args


def _cast(args: tuple, device_type: str, target, eligible: tuple) -> tuple:
    """`args` with the Tensors on `device_type` of an `eligible` dtype cast to `target`
    (recorded casts, ToCopyBackward0)."""
    from .._tensor import Tensor, _astype, apply
    return tuple(apply(_astype, "ToCopyBackward0", a, dtype=target.jax)
                 if isinstance(a, Tensor) and a.dtype in eligible and a.dtype != target
                 and _tensor_device(a._value) == device_type else a for a in args)


def upcast_on_cpu(*tensors) -> tuple:
    """The tensors, float16/bfloat16 ones cast to float32 (a recorded cast) while CPU
    autocast is on: for the ops of torch's CPU fp32 list that are composites here
    (quantile, polar, ...) or that give their result the input's dtype (huber_loss), where
    the cast of `cast_inputs` inside them comes too late."""
    return _cast(tensors, "cpu", _dtypes.float32, (_dtypes.float16, _dtypes.bfloat16))


def _refresh() -> None:
    on = any(_enabled.values())
    _autocast_state.cast = cast_inputs if on else None
    _autocast_state.upcast = upcast_on_cpu if _enabled["cpu"] else None
    _autocast_state.policy = tuple((d, _enabled[d], _dtype[d].name) for d in _enabled) \
        if on else None
    WRITES.count += 1       # (a compiled step's program depends on the policy)


def _check_device_type(device_type) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in _enabled:
        raise RuntimeError(f"User specified an unsupported autocast device_type "
                           f"'{device_type}'")
    return device_type


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast supports `device_type` ("cpu" or "cuda")."""
    return device_type in _enabled


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for `device_type` (no argument: "cuda", as PyTorch)."""
    return _enabled[_check_device_type(device_type or "cuda")]


def set_autocast_enabled(device_type: str, enabled: bool) -> None:
    _enabled[_check_device_type(device_type)] = bool(enabled)
    _refresh()


def get_autocast_dtype(device_type: str) -> _dtypes.dtype:
    """The dtype autocast uses on `device_type` (bfloat16 on cpu, float16 on cuda unless
    changed)."""
    return _dtype[_check_device_type(device_type)]


def set_autocast_dtype(device_type: str, dtype: _dtypes.dtype) -> None:
    _dtype[_check_device_type(device_type)] = dtype
    _refresh()


class autocast:
    """`with torch.autocast("cpu"):` / `@torch.autocast("cuda", dtype=torch.bfloat16)`:
    the region's matmuls, linears and convolutions run in `dtype` (default bfloat16 on
    cpu, float16 on cuda), its losses (and on cuda its reductions/softmax) in float32; see
    the module docstring for the op lists.

    Args:
      device_type: "cpu" or "cuda" (autocast on cuda without a JAX GPU warns and is off).
      dtype: torch.bfloat16 or torch.float16.
      enabled: False makes the region a no-op (and turns off an enclosing one).
      cache_enabled: accepted; there is no weight-cast cache here.
    """

    def __init__(self, device_type: str, dtype: _dtypes.dtype | None = None,
                 enabled: bool = True, cache_enabled: bool | None = None):
        self.device = _check_device_type(device_type)
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = cache_enabled
        self._given_enabled = enabled
        if enabled and device_type == "cuda" and not _device.cuda_is_available():
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                          "autocast.", UserWarning, stacklevel=2)
            enabled = False
        if enabled and self.fast_dtype not in (_dtypes.bfloat16, _dtypes.float16):
            where = "CPU" if device_type == "cpu" else "CUDA"
            warnings.warn(f"In {where} autocast, but the target dtype is not supported. "
                          f"Disabling autocast.\n{where} Autocast only supports dtypes of "
                          "torch.bfloat16, torch.float16 currently.", UserWarning,
                          stacklevel=2)
            enabled = False
        self._enabled = bool(enabled)
        self._saved: list[tuple] = []

    def __enter__(self):
        # (torch's entry sets the flags through its setters, whose parsers check them)
        if not isinstance(self._given_enabled, bool):
            raise TypeError("set_autocast_enabled(): argument 'enabled' (position 2) must be "
                            f"bool, not {type(self._given_enabled).__name__}")
        if not isinstance(self.fast_dtype, _dtypes.dtype):
            raise TypeError("set_autocast_dtype(): argument 'dtype' (position 2) must be "
                            f"torch.dtype, not {type(self.fast_dtype).__name__}")
        cache = CACHE["enabled"] if self._cache_enabled is None else self._cache_enabled
        if not isinstance(cache, bool):
            raise TypeError(f"enabled must be a bool (got {type(cache).__name__})")
        self._saved.append((_enabled[self.device], _dtype[self.device], CACHE["enabled"]))
        _enabled[self.device] = self._enabled
        _dtype[self.device] = self.fast_dtype
        CACHE["enabled"] = cache
        _refresh()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        _enabled[self.device], _dtype[self.device], CACHE["enabled"] = self._saved.pop()
        _refresh()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorated
