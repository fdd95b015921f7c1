"""torch.jit.save / load: TorchScript archives cannot be produced or read here.

Both raise instead of writing a file that `torch.jit.load` could not read (or reading
one whose graph could not be run without the TorchScript interpreter).
"""

from __future__ import annotations

import warnings

_MESSAGE = (
    "TorchScript serialization is not available in functorch_like: `script`/`trace` do "
    "not build a TorchScript graph, so there is nothing `torch.jit.load` could run. Save "
    "the weights instead with torch.save(model.state_dict(), path) and rebuild the model "
    "in Python, then model.load_state_dict(torch.load(path)).")


def save(m, f, _extra_files=None) -> None:
    """Raises RuntimeError: there is no TorchScript archive format here.

    PyTorch parity: PyTorch writes a TorchScript zip archive; use
    `torch.save(model.state_dict(), f)`, which PyTorch can read.
    """
    del m, f, _extra_files
    warnings.warn("`torch.jit.save` is deprecated. Please switch to `torch.export`.",
                  DeprecationWarning, stacklevel=2)
    raise RuntimeError(_MESSAGE)


def load(f, map_location=None, _extra_files=None, _restore_shapes: bool = False):
    """Raises RuntimeError: TorchScript archives cannot be executed here.

    PyTorch parity: PyTorch loads a ScriptModule; load a state_dict with `torch.load`.
    """
    del f, map_location, _extra_files, _restore_shapes
    warnings.warn("`torch.jit.load` is deprecated. Please switch to `torch.export`.",
                  DeprecationWarning, stacklevel=2)
    raise RuntimeError(_MESSAGE)
