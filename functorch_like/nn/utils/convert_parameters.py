"""torch.nn.utils.parameters_to_vector and vector_to_parameters."""

from __future__ import annotations

from typing import Iterable

from ..._ops_shape import cat
from ..._tensor import Tensor, typename


def _check_param_device(param: Tensor, old_device):
    """torch's check that all parameters live on one device (the first one's)."""
    if old_device is not None and param.device != old_device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return param.device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one 1-D Tensor (in the given order),
    differentiable with respect to them, as torch's `cat` of views."""
    device, vec = None, []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.reshape(-1))
    return cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Writes consecutive slices of the 1-D `vec` into the parameters' `.data` (in order,
    each reshaped to its parameter's shape), as torch does; outside autograd."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    device, pointer = None, 0
    for param in parameters:
        device = _check_param_device(param, device)
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
