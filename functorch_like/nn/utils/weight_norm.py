"""The older hook-based weight norm: `weight_g`/`weight_v` parameters and a forward
pre-hook that recomputes `weight` (torch.nn.utils.weight_norm / remove_weight_norm)."""

from __future__ import annotations

import warnings

from ...autograd._grad_mode import no_grad
from ..parameter import Parameter, UninitializedParameter

__all__ = ["WeightNorm", "norm_except_dim", "remove_weight_norm", "weight_norm"]


def norm_except_dim(v, pow: float = 2, dim: int = 0):
    """The `pow`-norm of `v` over every dim but `dim`, kept as size-1 dims (a 0-d whole
    norm for dim=-1), as torch.norm_except_dim."""
    if dim == -1:
        return v.norm(pow)
    dims = [d for d in range(v.ndim) if d != dim % v.ndim]
    if not dims:            # (a 1-d v along its only dim: each entry's own norm)
        return v.abs()
    return v.abs().pow(pow).sum(dims, keepdim=True).pow(1.0 / pow)


def _weight_norm(v, g, dim: int):
    """v * (g / ||v||), the norm taken over every dim but `dim` (torch._weight_norm)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes `<name>` from `<name>_g` and `<name>_v`."""

    def __init__(self, name: str, dim: int):
        self.name, self.dim = name, -1 if dim is None else dim

    def compute_weight(self, module):
        return _weight_norm(getattr(module, self.name + "_v"),
                            getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name: str, dim: int) -> "WeightNorm":
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError("Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "weight normalization")
        del module._parameters[name]
        with no_grad():
            module.register_parameter(name + "_g",
                                      Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
            module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Replaces `module.<name>` by `<name>_g * <name>_v / ||<name>_v||` (norm over every dim
    but `dim`; dim=None: the whole tensor), recomputed before each forward."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                  stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Turns `<name>` back into one Parameter holding its current value."""
    return remove_norm_hook(module, WeightNorm, name, "weight_norm")


def remove_norm_hook(module, hook_type: type, name: str, label: str):
    """Removes the `hook_type` pre-hook (WeightNorm, SpectralNorm) that computes `<name>`,
    letting it turn `<name>` back into a Parameter; PyTorch's ValueError if none does."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, hook_type) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{label} of '{name}' not found in {module}")
