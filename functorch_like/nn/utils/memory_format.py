"""torch.nn.utils.memory_format: convert the weights of convolutions to a memory format.

PyTorch-parity note: memory formats are not modelled here (each tensor holds its own JAX
array, and XLA picks layouts itself; `is_contiguous(memory_format=torch.channels_last)`
is True), so converting changes nothing: the module is returned as it is, as torch
returns it after converting its weights in place.
"""

from __future__ import annotations


def _convert(module, memory_format, kinds: tuple, rank: int):
    """`module` after torch's checks: a Module, and weights of the rank `memory_format`
    asks for in the convolutions of `kinds` (their weights are (out, in, *kernel))."""
    from ... import _toplevel_constants as C
    from ..modules.module import Module
    if not isinstance(module, Module):      # (torch walks module.children())
        raise AttributeError(f"'{type(module).__name__}' object has no attribute 'children'")
    wants = {C.channels_last: 4, C.channels_last_3d: 5}.get(memory_format)
    for m in module.modules():
        if type(m).__name__ in kinds and wants is not None and wants != rank:
            name = "channels_last" if wants == 4 else "channels_last_3d"
            raise RuntimeError(f"required rank {wants} tensor to use {name} format")
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Converts the weights of the Conv2d/ConvTranspose2d modules in `module` to
    `memory_format` (nothing to do here, see the module docstring); returns `module`."""
    return _convert(module, memory_format, ("Conv2d", "ConvTranspose2d"), 4)


def convert_conv3d_weight_memory_format(module, memory_format):
    """Converts the weights of the Conv3d/ConvTranspose3d modules in `module` to
    `memory_format` (nothing to do here, see the module docstring); returns `module`."""
    return _convert(module, memory_format, ("Conv3d", "ConvTranspose3d"), 5)
