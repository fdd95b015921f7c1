"""PyTorch's refusals of arguments that are not Tensors, for nn.functional.

Most of torch.nn.functional hands its input straight to a native function, whose argument
parser refuses a numpy array or a list with `TypeError: linear(): argument 'input'
(position 1) must be Tensor, not numpy.ndarray`; the few written in Python call a Tensor
method first and fail with that method's AttributeError. JAX would take the array (and a
list would fail somewhere inside), so each function checks its tensor arguments first:
one isinstance per argument, nothing on the hot path beyond that.

The position is the one torch's parser reports for a positional argument (its native
signature's, which is not always the Python function's: embedding's indices are its
position 2).
"""

from __future__ import annotations

from .._argparse_invalid import _describe
from .._argparse_names import argparse_typename
from .._tensor import Tensor


def require_tensor(fname: str, value, name: str = "input", position: int = 1) -> None:
    """Raises torch's argument-parser TypeError when `value` is not a Tensor.

    Args:
      fname: the native function torch's message names (`linear`, `log_sigmoid`).
      value: the argument.
      name, position: the parameter's name and 1-based position in that function.
    """
    if not isinstance(value, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be Tensor, "
                        f"not {argparse_typename(value)}")


def require_optional_tensor(fname: str, value, name: str, position: int) -> None:
    """`require_tensor` for a parameter that also takes None (`Tensor? bias`)."""
    if value is not None:
        require_tensor(fname, value, name, position)


def require_method(value, method: str) -> None:
    """The AttributeError of torch's Python-level functions, which call `input.<method>()`
    first (F.softmax, F.tanh): the value has no such method unless it is a Tensor."""
    if not isinstance(value, Tensor) and not hasattr(value, method):
        raise AttributeError(f"'{argparse_typename(value)}' object has no attribute "
                             f"'{method}'")


def require_input(fname: str, input, inplace: bool = False) -> None:
    """`require_tensor` for an op's `input` (position 1); torch names the in-place form of
    an activation `fname_` (`relu_()`)."""
    if not isinstance(input, Tensor):
        require_tensor(fname + "_" if inplace else fname, input)


def require_conv_tensors(fname: str, input, weight, bias) -> None:
    """`require_tensor` for a convolution's (input, weight, bias=None)."""
    require_tensor(fname, input, "input", 1)
    require_tensor(fname, weight, "weight", 2)
    require_optional_tensor(fname, bias, "bias", 3)


def require_loss_tensors(fname: str, input, target, weight) -> None:
    """`require_tensor` for a class-index loss's (input, target, weight=None)."""
    require_tensor(fname, input, "input", 1)
    require_tensor(fname, target, "target", 2)
    require_optional_tensor(fname, weight, "weight", 3)


# The overloads of torch.conv1d/2d/3d, as its argument parser prints them.
_CONV_SIGNATURES = (
    "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, tuple of "
    "ints padding = 0, tuple of ints dilation = 1, int groups = 1)",
    "(Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, str "
    "padding = \"valid\", tuple of ints dilation = 1, int groups = 1)")
_CONV_DEFAULTS = (None, 1, 0, 1, 1)     # bias, stride, padding, dilation, groups


def require_conv_overload(fname: str, args: tuple, all_given: bool = False) -> None:
    """torch's "invalid combination of arguments" TypeError of conv1d/2d/3d (which have
    two overloads) when input, weight or bias is not a Tensor.

    Args:
      fname: `conv2d`.
      args: (input, weight, bias, stride, padding, dilation, groups).
      all_given: the caller passed all seven (the modules do). Otherwise the trailing
        arguments equal to their defaults count as not given: right for positional calls,
        while a keyword one is listed as if positional (torch lists it as `stride=int`).
    """
    input, weight, bias = args[:3]
    if isinstance(input, Tensor) and isinstance(weight, Tensor) and (
            bias is None or isinstance(bias, Tensor)):
        return
    if not all_given:
        while len(args) > 2 and args[-1] == _CONV_DEFAULTS[len(args) - 3]:
            args = args[:-1]
    got = ", ".join(argparse_typename(a) for a in args)
    lines = [f"{fname}() received an invalid combination of arguments - got ({got}), but "
             "expected one of:\n"]
    for signature in _CONV_SIGNATURES:
        lines.append(f" * {signature}\n")
        if len(args) == 7:      # (torch explains the signatures of the call's length only)
            lines.append("      didn't match because some of the arguments have invalid "
                         f"types: ({', '.join(_marked(i, a) for i, a in enumerate(args))})\n")
    raise TypeError("".join(lines))


def _marked(position: int, value) -> str:
    """An argument as torch's "didn't match" line shows it: between "!"s unless it fits.
    Only a plain Tensor as input or weight fits: torch compares type names, so a Parameter
    does not, and a parameter with a default has a type ("int groups =") nothing has."""
    if position < 2 and argparse_typename(value) == "Tensor":
        return "Tensor"
    return f"!{_describe(value)}!"
