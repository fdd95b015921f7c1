"""Forward hooks around a Module call, with torch's options and global hooks.

A module's pre-hooks run before forward, its hooks after, each in registration order
(`prepend=True` puts one first). The options are kept as torch keeps them, in dicts keyed
by the hook's handle id beside the hook tables: `with_kwargs=True` hooks also see (and a
pre-hook may replace) the keyword arguments, and an `always_call=True` hook also runs when
forward raises (with output None; an error it raises then is a warning). The global hooks
(`register_module_forward_pre_hook`, `register_module_forward_hook`) run before every
module's own.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

# The global tables and their options, as torch.nn.modules.module keeps them.
_global_forward_pre_hooks: OrderedDict = OrderedDict()
_global_forward_hooks: OrderedDict = OrderedDict()
_global_forward_pre_hooks_with_kwargs: dict = {}
_global_forward_hooks_with_kwargs: dict = {}
_global_forward_hooks_always_called: dict = {}


def register_module_forward_pre_hook(hook, *, prepend: bool = False,
                                     with_kwargs: bool = False):
    """A forward pre-hook for every module (torch.nn.modules.module's): run before each
    module's own."""
    from ...utils.hooks import add_hook
    handle = add_hook(_global_forward_pre_hooks, hook, prepend,
                      extra_dict=_global_forward_pre_hooks_with_kwargs)
    if with_kwargs:
        _global_forward_pre_hooks_with_kwargs[handle.id] = True
    return handle


def register_module_forward_hook(hook, *, prepend: bool = False, with_kwargs: bool = False,
                                 always_call: bool = False):
    """A forward hook for every module (torch.nn.modules.module's): run before each
    module's own."""
    from ...utils.hooks import add_hook
    handle = add_hook(_global_forward_hooks, hook, prepend,
                      extra_dict=[_global_forward_hooks_with_kwargs,
                                  _global_forward_hooks_always_called])
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def has_global_hooks() -> bool:
    return bool(_global_forward_pre_hooks or _global_forward_hooks)


def _tables(module, pre: bool) -> list:
    """(hooks, with_kwargs) of the global tables, then the module's."""
    if pre:
        return [(_global_forward_pre_hooks, _global_forward_pre_hooks_with_kwargs),
                (module._forward_pre_hooks,
                 module.__dict__.get("_forward_pre_hooks_with_kwargs") or {})]
    return [(_global_forward_hooks, _global_forward_hooks_with_kwargs),
            (module._forward_hooks, module.__dict__.get("_forward_hooks_with_kwargs") or {})]


def run_pre_hooks(module, args: tuple, kwargs: dict) -> tuple:
    """(args, kwargs) after the pre-hooks."""
    for hooks, with_kwargs in _tables(module, True):
        for hook_id, hook in list(hooks.items()):
            if hook_id in with_kwargs:
                result = hook(module, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
                    args, kwargs = result
            else:
                result = hook(module, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def run_hooks(module, args: tuple, kwargs: dict, out, called: set | None = None):
    """The output after the forward hooks; `called` collects the ids of those that ran."""
    for hooks, with_kwargs in _tables(module, False):
        for hook_id, hook in list(hooks.items()):
            if called is not None:
                called.add(hook_id)
            result = (hook(module, args, kwargs, out) if hook_id in with_kwargs
                      else hook(module, args, out))
            if result is not None:
                out = result
    return out


def run_always_called(module, args: tuple, kwargs: dict, called: set) -> None:
    """After forward (or a hook) raised: the `always_call` hooks that did not run yet, with
    output None; what they raise is a warning, as the first error goes on."""
    always = [(_global_forward_hooks, _global_forward_hooks_with_kwargs,
               _global_forward_hooks_always_called, "global module forward hook"),
              (module._forward_hooks, module.__dict__.get("_forward_hooks_with_kwargs") or {},
               module.__dict__.get("_forward_hooks_always_called") or {},
               "module forward hook")]
    for hooks, with_kwargs, flagged, what in always:
        for hook_id, hook in list(hooks.items()):
            if hook_id not in flagged or hook_id in called:
                continue
            try:
                if hook_id in with_kwargs:
                    hook(module, args, kwargs, None)
                else:
                    hook(module, args, None)
            except Exception as err:            # noqa: BLE001 (torch silences it too)
                warnings.warn(f"{what} with ``always_call=True`` raised an exception that "
                              f"was silenced as another error was raised in forward: "
                              f"{err}", stacklevel=3)
