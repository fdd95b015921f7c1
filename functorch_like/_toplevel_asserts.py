"""torch._assert, torch._assert_async and the torch._check family: the checks library code
(torchvision's models among it) calls inside forward.

Under `functorch_like.compile` a condition that depends on a traced value cannot be
decided while tracing: `bool()` of it raises the compile's untraceable-Python error,
naming the operation (PyTorch's compiler turns such a check into a runtime assert).
"""

from __future__ import annotations

import builtins

from . import _dtypes
from ._tensor import Tensor

_DEFAULT_MESSAGE = ("Expected cond to be True, but got False. (Could this error message "
                    "be improved? If so, please report an enhancement request to PyTorch.)")


def _assert(condition, message):
    """Python's `assert condition, message`, as a function (torch's symbolically
    traceable assert): raises AssertionError(message) where `condition` is false."""
    if not condition:
        raise AssertionError(message)


def _assert_async(input: Tensor, assert_msg: str | None = None) -> None:
    """Raises RuntimeError when the one-element tensor `input` is zero (False). torch runs
    it asynchronously on accelerators; here it is checked at once."""
    if not isinstance(input, Tensor):
        raise TypeError(f"_assert_async(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(input).__name__}")
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous"
                           if input.numel() == 0 else
                           "Boolean value of Tensor with more than one value is ambiguous")
    if not builtins.bool(input):
        raise RuntimeError(assert_msg if assert_msg is not None else
                           "Expected Tensor with single nonzero value, but got zero")


def _check_with(error_type, cond, message=None) -> None:
    """Raises `error_type(message())` where the Python bool `cond` is False (the default
    message where `message` is None)."""
    if not isinstance(cond, builtins.bool):
        if isinstance(cond, Tensor):
            raise TypeError("cond must be a bool, but got a Tensor. For tensor conditions, "
                            "use torch._check_tensor_all() to assert that all elements "
                            "are true.")
        raise TypeError(f"cond must be a bool, but got {type(cond)}")
    if cond:
        return
    if not (isinstance(error_type, type) and issubclass(error_type, Exception)
            and not issubclass(error_type, Warning)):
        raise AssertionError("error_type must be a subclass of Exception but not Warning, "
                             f"got {error_type}")
    if message is None:
        raise error_type(_DEFAULT_MESSAGE)
    if not callable(message):
        raise TypeError("message must be a callable")
    raise error_type(str(message()))


def _check(cond, message=None) -> None:
    """RuntimeError(message()) where the bool `cond` is False (torch's TORCH_CHECK)."""
    _check_with(RuntimeError, cond, message)


def _check_index(cond, message=None) -> None:
    """IndexError(message()) where the bool `cond` is False."""
    _check_with(IndexError, cond, message)


def _check_value(cond, message=None) -> None:
    """ValueError(message()) where the bool `cond` is False."""
    _check_with(ValueError, cond, message)


def _check_type(cond, message=None) -> None:
    """TypeError(message()) where the bool `cond` is False."""
    _check_with(TypeError, cond, message)


def _check_not_implemented(cond, message=None) -> None:
    """NotImplementedError(message()) where the bool `cond` is False."""
    _check_with(NotImplementedError, cond, message)


def _check_tensor_all(cond, message=None) -> None:
    """RuntimeError(message()) where any element of the bool tensor `cond` is False."""
    if not isinstance(cond, Tensor):
        raise TypeError(f"cond must be a tensor, but got {type(cond)}")
    if cond.dtype != _dtypes.bool:
        raise TypeError(f"cond tensor must have dtype torch.bool, but got {cond.dtype}")
    _check(builtins.bool(cond.all()), message)
