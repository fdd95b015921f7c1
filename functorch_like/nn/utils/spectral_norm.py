"""The older hook-based spectral norm (torch.nn.utils.spectral_norm / remove_spectral_norm):
parameter `<name>_orig`, buffers `<name>_u`, `<name>_v`, and a forward pre-hook that sets
`<name> = <name>_orig / sigma`, sigma estimated by power iteration."""

from __future__ import annotations

from typing import Any

from ... import _random
from ..._tensor import Tensor
from ...autograd._grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..parameter import Parameter, UninitializedParameter
from .weight_norm import remove_norm_hook

__all__ = ["SpectralNorm", "remove_spectral_norm", "spectral_norm"]


class SpectralNorm:
    """The forward pre-hook: recomputes `<name>` from `<name>_orig`, `_u` and `_v`.

    In training mode each forward first runs `n_power_iterations` steps
    v = normalize(W^T u), u = normalize(W v), writing u and v back into the buffers (in
    place, as PyTorch's `out=`); sigma = u . (W v) with u, v held constant for autograd.

    PyTorch parity: PyTorch's state_dict hooks that migrate checkpoints saved before its
    version 1 (holding `<name>` but no `<name>_v`) are not implemented; checkpoints of
    the current format load as in PyTorch.
    """

    _version: int = 1

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.name, self.dim = name, dim
        self.n_power_iterations, self.eps = n_power_iterations, eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """(size of dim `dim`, everything else) view of the weight."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim())
                                                if d != self.dim))
        return weight.reshape(weight.size(0), -1)

    def compute_weight(self, module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(weight_mat.t().mv(u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(weight_mat.mv(v), dim=0, eps=self.eps))
                # Snapshots: later in-place updates must not change this forward's sigma.
                u, v = u.clone(), v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs: Any) -> None:
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name: str, n_power_iterations: int, dim: int,
              eps: float) -> "SpectralNorm":
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError("Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `SpectralNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "spectral normalization")
        with no_grad():
            h, w = fn.reshape_weight_to_matrix(weight).shape
            # PyTorch parity: same law (normalised N(0, 1)), this library's random stream.
            u = F.normalize(_random.randn(h, dtype=weight.dtype), dim=0, eps=fn.eps)
            v = F.normalize(_random.randn(w, dtype=weight.dtype), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        # A plain attribute until the first forward recomputes it, as PyTorch.
        setattr(module, fn.name, weight.detach())
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None):
    """Rescales `module.<name>` by its spectral norm before every forward.

    Args:
        module: the module holding the Parameter `name` (e.g. Linear, Conv2d).
        n_power_iterations: power-iteration steps per training forward.
        eps: the normalisation epsilon.
        dim: the output dim of the weight; default 1 for ConvTranspose{1,2,3}d, else 0.

    Returns:
        `module`, now with `<name>_orig` (Parameter) and `<name>_u` (size of dim `dim`),
        `<name>_v` (the rest, flattened) buffers: PyTorch's state_dict keys.

    PyTorch parity: `_u` and `_v` start from this library's generator, so their initial
    values differ from PyTorch's for the same seed; given the same u, v (e.g. loaded from
    PyTorch's state_dict) the iterations and outputs match.
    """
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) \
            else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name: str = "weight"):
    """Turns `<name>` back into one Parameter holding weight / sigma (current u, v)."""
    return remove_norm_hook(module, SpectralNorm, name, "spectral_norm")
