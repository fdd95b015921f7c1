"""PyTorch's checks of nll_loss and cross_entropy arguments, in PyTorch's order.

Which error a bad call gets depends on the order of the checks, and PyTorch's order comes
from the ATen functions it chains: cross_entropy picks a branch by shapes (equal shapes
mean class probabilities), runs log_softmax, then nll_loss_nd, which sends inputs of 1 or 2
dims to nll_loss and the others to nll_loss2d (reshaping 3-d and 5+-d inputs to 4 dims
first). Each of those checks shapes and dtypes before its kernel runs, and the kernels
refuse dtypes they were not built for. Only dtypes and shapes are read here: the checks
cost nothing on the hot path and work on traced arrays.
"""

from __future__ import annotations

import jax.numpy as jnp

from ._errors import DTypeError, KernelDTypeError, ShapeError, shape_str
from ._loss_base import DomainError, torch_dtype_name
from ._types import Array

# The input dtypes of PyTorch's CPU kernels for log_softmax and nll_loss.
_KERNEL_FLOATS = ("float16", "bfloat16", "float32", "float64")


class ClassDimError(IndexError, ValueError):
    """PyTorch's IndexError for the class dim of a 0-d input."""


def class_dim(input: Array) -> int:
    """The class dim: 0 for an unbatched (C,) input, else 1."""
    return 0 if input.ndim == 1 else 1


def _check_kernel(kernel: str, input: Array) -> None:
    if str(input.dtype) not in _KERNEL_FLOATS:
        raise KernelDTypeError(f'"{kernel}" not implemented for '
                               f"'{torch_dtype_name(input.dtype)}'")


def check_log_softmax(input: Array) -> None:
    """log_softmax over the class dim: PyTorch's dim error for a 0-d input, then its
    kernel's dtype error (the kernel for the last dim has its own name)."""
    if input.ndim == 0:
        raise ClassDimError("Dimension out of range (expected to be in range of [-1, 0], "
                            "but got 1)")
    last = class_dim(input) == input.ndim - 1
    _check_kernel("log_softmax_lastdim_kernel_impl" if last else "log_softmax_kernel_impl",
                  input)


def check_label_smoothing(label_smoothing: float) -> None:
    """PyTorch checks only a positive value (a negative one means no smoothing); its text
    prints the double as C++ streams do (2.0 as '2')."""
    if label_smoothing > 1.0:
        raise DomainError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                          f"{label_smoothing:g}")


def check_probability_args(input: Array, target: Array, weight: Array | None,
                           ignore_index: int) -> None:
    """cross_entropy's checks when the target has the input's shape (class probabilities),
    up to its log_softmax."""
    if not jnp.issubdtype(target.dtype, jnp.floating):
        raise DTypeError(f"Expected floating point type for target with class "
                         f"probabilities, got {torch_dtype_name(target.dtype)}")
    if ignore_index >= 0:
        # (a plain RuntimeError, as the functional form has always raised it)
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.ndim == 0:
        raise ClassDimError("Dimension specified as 1 but tensor has no dimensions")
    classes = input.shape[class_dim(input)]
    if weight is not None and weight.shape != (classes,):
        raise ShapeError(f"cross_entropy: weight tensor should be defined either for all "
                         f"{classes} classes or no classes but got weight tensor of shape: "
                         f"{shape_str(weight.shape)}")
    check_log_softmax(input)


def _check_long_or_byte(target: Array) -> None:
    # (with JAX's x64 mode off int32 stands for int64, and is named Long)
    name = torch_dtype_name(target.dtype)
    if name not in ("Long", "Byte"):
        raise DTypeError(f"expected target dtype to be Long or Byte, but got {name}")


def _check_nll_1d_2d(input: Array, target: Array, weight: Array | None) -> None:
    """nll_loss_forward's checks and kernel, for (C,) and (N, C) inputs."""
    if target.ndim > 1:
        raise ShapeError("0D or 1D target tensor expected, multi-target not supported")
    _check_long_or_byte(target)
    if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
        raise ShapeError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.shape[0]}")
    classes = input.shape[-1]
    if weight is not None and weight.shape != (classes,):
        raise ShapeError(f"weight tensor should be defined either for all {classes} classes "
                         f"or no classes but got weight tensor of shape: "
                         f"{shape_str(weight.shape)}")
    _check_kernel("nll_loss_out_frame", input)


def _check_nll_2d(input: Array, target: Array, weight: Array | None) -> None:
    """nll_loss2d_forward's checks and kernel, for (N, C, H, W) inputs (others of 3 or more
    dims arrive reshaped to 4, so only their dtypes can fail here)."""
    if target.ndim != 3 and input.ndim == 4:
        raise ShapeError(f"only batches of spatial targets supported (3D tensors) but got "
                         f"targets of dimension: {target.ndim}")
    _check_long_or_byte(target)
    if input.ndim == 4 and (input.shape[0], *input.shape[2:]) != target.shape:
        # (PyTorch's text: a space before the comma and no closing parenthesis)
        raise ShapeError(f"size mismatch (got input: {shape_str(input.shape)} , target: "
                         f"{shape_str(target.shape)}")
    if weight is not None and weight.shape != (input.shape[1],):
        raise ShapeError("weight tensor should be defined either for all or no classes")
    _check_kernel("nll_loss2d_forward_out_frame", input)
    if torch_dtype_name(target.dtype) == "Byte":   # (the kernel reads int64 targets)
        raise DTypeError("expected scalar type Long but found Byte")


def check_nll_nd(input: Array, target: Array) -> None:
    """nll_loss_nd's own checks (it is composite: they come before nll_loss's autograd
    refuses a class weight that requires grad)."""
    if input.ndim < 1:
        raise ShapeError(f"Expected 1 or more dimensions (got {input.ndim})")
    # (PyTorch reads a 0-d target's batch size as 0)
    target_batch = target.shape[0] if target.ndim else 0
    if input.ndim >= 2 and target_batch != input.shape[0]:
        raise ShapeError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target_batch}).")
    if input.ndim not in (1, 2, 4) and target.shape[1:] != input.shape[2:]:
        expected = (input.shape[0], *input.shape[2:])
        raise ShapeError(f"Expected target size {shape_str(expected)}, got "
                         f"{shape_str(target.shape)}")


def check_nll_args(input: Array, target: Array, weight: Array | None) -> None:
    """nll_loss_nd's checks, then those of the ATen function it calls for this ndim."""
    check_nll_nd(input, target)
    if input.ndim <= 2:
        _check_nll_1d_2d(input, target, weight)
    else:
        _check_nll_2d(input, target, weight)
