"""PyTorch's (CPU) argument errors for convolutions, in the order it checks them.

conv1d/2d/3d first compare the bias's dtype with the input's (not the transposed ones, nor
the overload for string paddings); at::_convolution then checks the weight's rank against
the stride, padding and dilation lists, then the shapes; the dtypes of input and weight
are compared last, by the kernel it dispatches to: the MKLDNN one for a bfloat16 input,
the "slow" ones otherwise, which have no version for bool (nor, transposed, for integers
other than int64) and read the weight in the input's dtype. Only dtypes and shapes are
read: nothing here costs anything on the hot path.
"""

from __future__ import annotations

from ._errors import DTypeError, KernelDTypeError, ShapeError, shape_str
from ._loss_base import torch_dtype_name
from ._types import Array

# c10 ScalarType names -> the C++ type names of TypeMeta, which some texts print.
_CPP_NAMES = {"Float": "float", "Double": "double", "Half": "c10::Half",
              "BFloat16": "c10::BFloat16", "Long": "long int", "Int": "int",
              "Short": "short int", "Char": "signed char", "Byte": "unsigned char",
              "Bool": "bool", "ComplexFloat": "c10::complex<float>",
              "ComplexDouble": "c10::complex<double>"}

# Input dtypes the transposed CPU kernels have no version for.
_NO_TRANSPOSED_KERNEL = ("Bool", "Byte", "Char", "Short", "Int")


def _cpp_name(x: Array) -> str:
    return _CPP_NAMES.get(torch_dtype_name(x.dtype), str(x.dtype))


def check_bias_dtype(x: Array, bias: Array | None) -> None:
    """A direct convolution's first check: the bias has the input's dtype."""
    if bias is not None and bias.dtype != x.dtype:
        raise DTypeError(f"Input type ({_cpp_name(x)}) and bias type ({_cpp_name(bias)}) "
                         "should be the same")


def _expand(value, name: str, dims: int, nd: int) -> tuple:
    """torch's expand_param_if_needed: one value stretches to `dims`, a list must have
    `dims` (an int comes in as `nd` values: torch's argument parser makes it a list of
    the op's rank)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd
    if len(values) == 1:
        return values * dims
    if len(values) != dims:
        raise ShapeError(f"expected {name} to be a single integer value or a list of {dims} "
                         f"values to match the convolution dimensions, but got "
                         f"{name}={list(values)}")
    return values


def conv_params(x: Array, weight: Array, stride, padding, dilation, nd: int) -> tuple:
    """The weight's rank against the stride, padding and dilation lists and the input's
    rank, with PyTorch's errors; returns (stride, padding, dilation), `nd` values each
    (a string padding is returned as it is)."""
    dims = weight.ndim - 2
    if dims <= 0:
        raise ShapeError("weight should have at least three dimensions")
    # (the overload for string paddings compares the ranks first, in its own words)
    if isinstance(padding, str):
        _check_ranks(x, weight, nd, "weight")
    stride = _expand(stride, "stride", dims, nd)
    if not isinstance(padding, str):
        padding = _expand(padding, "padding", dims, nd)
    dilation = _expand(dilation, "dilation", dims, nd)
    _check_ranks(x, weight, nd, "weight ")
    if not isinstance(padding, str) and any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    return stride, padding, dilation


def _check_ranks(x: Array, weight: Array, nd: int, weight_word: str) -> None:
    batched = x.shape if x.ndim == nd + 2 else (1,) + x.shape
    if len(batched) != weight.ndim:
        raise ShapeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-"
                         f"dimensional {weight_word}{shape_str(weight.shape)}, but got "
                         f"{len(batched)}-dimensional input of size {shape_str(batched)} "
                         "instead")


def check_kernel_dtypes(x: Array, weight: Array, bias: Array | None, nd: int,
                        transposed: bool) -> None:
    """The dtype errors of the kernel a convolution dispatches to (after the shape checks).
    """
    name = torch_dtype_name(x.dtype)
    if transposed and name in _NO_TRANSPOSED_KERNEL:
        kernel = f"slow_conv_transpose{3 if nd == 3 else 2}d_out_cpu"   # (1-d runs as 2-d)
        raise KernelDTypeError(f'"{kernel}" not implemented for \'{name}\'')
    if not transposed and name == "Bool":
        kernel = "compute_columns3d" if nd == 3 else "slow_conv2d_cpu"
        raise KernelDTypeError(f'"{kernel}" not implemented for \'{name}\'')
    if x.dtype != weight.dtype:
        if name == "BFloat16":        # (the MKLDNN kernel's text, with the legacy names)
            raise DTypeError(f"Input type (CPUBFloat16Type) and weight type (torch."
                             f"{torch_dtype_name(weight.dtype)}Tensor) should be the same or "
                             "input should be a MKLDNN tensor and weight is a dense tensor")
        raise DTypeError(f"expected scalar type {name} but found "
                         f"{torch_dtype_name(weight.dtype)}")
    # (the 1-d/2-d transposed kernels add a bias of another dtype in place; the 3-d one
    # reads it in the input's)
    if transposed and nd == 3 and bias is not None and bias.dtype != x.dtype:
        raise DTypeError(f"expected scalar type {name} but found "
                         f"{torch_dtype_name(bias.dtype)}")
