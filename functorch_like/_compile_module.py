"""What `functorch_like.compile(module)` returns: PyTorch's OptimizedModule.

`model = torch.compile(model)` is the common PyTorch 2 idiom. The wrapper is a Module whose
only child is the original (`_orig_mod`, so state_dict keys read "_orig_mod.weight" as in
PyTorch) and whose forward is the module's call under functorch_like.compile: one XLA
program per call. Its result keeps a graph to the parameters, so the usual eager
`loss.backward(); optimizer.step()` differentiates through it (see
`CompiledFunction._differentiable`). Attributes it does not have are the original's.
"""

from __future__ import annotations

from .nn.modules.module import Module


class OptimizedModule(Module):
    """A module called through functorch_like.compile (`torch.compile(module)`).

    PyTorch parity: as torch.compile, the first call traces and compiles; calls with new
    input shapes, another train()/eval() mode or changed attributes compile again. Each
    training call records one op, whose backward replays the compiled forward under
    jax.vjp (the forward runs twice, once in the call and once in backward); compiling the
    whole training step (`@torch.compile def step(x, y): ...`) avoids that and donates
    the old buffers.
    """

    # The wrapper's own attributes; any other set or deleted on it is the original's (a
    # `cm.temperature = 4.0` its forward reads), as in PyTorch.
    _own = frozenset({"_orig_mod", "_compiled", "forward", "__dict__", "_initialized"})

    def __init__(self, mod: Module, compiled) -> None:
        object.__setattr__(self, "_initialized", False)
        super().__init__()
        self._orig_mod = mod
        self._compiled = compiled
        self._initialized = True

    def forward(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)

    @property
    def training(self) -> bool:
        return self._orig_mod.training

    @training.setter
    def training(self, value: bool) -> None:
        # (Module.__init__'s default is ignored: the mode is the original's)
        if self.__dict__.get("_initialized"):
            self._orig_mod.training = value

    def __len__(self) -> int:
        if hasattr(type(self._orig_mod), "__len__"):
            return len(self._orig_mod)
        raise TypeError(f"{type(self._orig_mod).__name__} does not support len()")

    def __getattr__(self, name: str):
        # (through __dict__: while copying or unpickling, _modules may not exist yet)
        original = self.__dict__.get("_modules", {}).get("_orig_mod")
        if original is None:
            raise AttributeError(f"'OptimizedModule' object has no attribute '{name}'")
        return original if name == "_orig_mod" else getattr(original, name)

    def __setattr__(self, name: str, value) -> None:
        if name in self._own or hasattr(type(self), name) \
                or not self.__dict__.get("_initialized"):
            super().__setattr__(name, value)
        else:
            setattr(self._orig_mod, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._own or hasattr(type(self), name):
            super().__delattr__(name)
        else:
            delattr(self._orig_mod, name)
