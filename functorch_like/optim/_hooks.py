"""Optimizer hooks, as torch.optim's: step pre/post hooks (per optimizer and global),
state_dict and load_state_dict pre/post hooks.

Every optimizer class's `step` is wrapped once (`hooked_step`, applied to each class that
defines one) so that the hooks run around it, also for a user's PyTorch-style subclass.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Callable

from ..utils.hooks import RemovableHandle, add_hook

# torch.optim.optimizer._global_optimizer_pre_hooks / _post_hooks: run for every optimizer.
_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()

# The per-optimizer hook dicts, made empty by Optimizer.__init__ and after unpickling
# (torch does not pickle or deep-copy hooks).
HOOK_DICTS = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
              "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
              "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks")


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Registers `hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)`, run
    before every optimizer's step, before its own pre hooks. `args` holds the optimizer
    itself first, as torch's."""
    return add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Registers `hook(optimizer, args, kwargs) -> None`, run after every optimizer's step,
    after its own post hooks."""
    return add_hook(_global_optimizer_post_hooks, hook)


def hooked_step(step: Callable) -> Callable:
    """`step` with the step hooks around it (torch's Optimizer.profile_hook_step).

    PyTorch-parity note: a subclass's step that calls `super().step()` runs the hooks once,
    around the outer call; torch wraps each class's step when a first instance is made and
    can run them twice there."""
    if getattr(step, "hooked", False):
        return step

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        own = self.__dict__
        pre, post = own.get("_optimizer_step_pre_hooks"), own.get("_optimizer_step_post_hooks")
        if not (pre or post or _global_optimizer_pre_hooks or _global_optimizer_post_hooks) \
                or own.get("_in_hooked_step"):
            return step(*args, **kwargs)
        own["_in_hooked_step"] = True
        try:
            for hook in [*_global_optimizer_pre_hooks.values(), *(pre or {}).values()]:
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        # (torch names the class's own wrapped step: SGD.step)
                        named = (f"<function {type(self).__name__}.step at "
                                 f"{hex(id(step))}>")
                        raise RuntimeError(f"{named} must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
            out = step(*args, **kwargs)
            for hook in [*(post or {}).values(), *_global_optimizer_post_hooks.values()]:
                hook(self, args, kwargs)
            return out
        finally:
            own["_in_hooked_step"] = False
    wrapper.hooked = True
    return wrapper


class OptimizerHooks:
    """The registration methods of torch.optim.Optimizer's hooks (a base of Optimizer)."""

    def _init_hooks(self) -> None:
        for name in HOOK_DICTS:
            self.__dict__[name] = OrderedDict()

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Registers `hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)`,
        run before each step(); a returned pair replaces the step's arguments (`args`
        holds the optimizer first). Returns a handle whose remove() unregisters it."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Registers `hook(optimizer, args, kwargs) -> None`, run after each step()."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable,
                                     prepend: bool = False) -> RemovableHandle:
        """Registers `hook(optimizer) -> None`, run before state_dict() builds its dict."""
        return add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable,
                                      prepend: bool = False) -> RemovableHandle:
        """Registers `hook(optimizer, state_dict) -> state_dict or None`, run on the dict
        state_dict() returns; a returned dict replaces it."""
        return add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable,
                                          prepend: bool = False) -> RemovableHandle:
        """Registers `hook(optimizer, state_dict) -> state_dict or None`, run on (a
        shallow copy of) the dict given to load_state_dict() before it loads; a returned
        dict is loaded instead."""
        return add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable,
                                           prepend: bool = False) -> RemovableHandle:
        """Registers `hook(optimizer) -> None`, run after load_state_dict() loaded."""
        return add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def _state_dict_hooked(self, build: Callable) -> dict:
        """state_dict() with its pre and post hooks around `build()`."""
        for hook in self.__dict__.get("_optimizer_state_dict_pre_hooks", {}).values():
            hook(self)
        state_dict = build()
        for hook in self.__dict__.get("_optimizer_state_dict_post_hooks", {}).values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _load_state_dict_hooked(self, state_dict: dict, load: Callable) -> None:
        """load_state_dict() with its pre and post hooks around `load(state_dict)`."""
        state_dict = state_dict.copy()      # (shallow, as torch: a hook may change it)
        for hook in self.__dict__.get("_optimizer_load_state_dict_pre_hooks", {}).values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        load(state_dict)
        for hook in self.__dict__.get("_optimizer_load_state_dict_post_hooks", {}).values():
            hook(self)
