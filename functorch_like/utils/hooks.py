"""torch.utils.hooks: the handle that register_*_hook returns."""

from __future__ import annotations

import itertools

from .._writes import WRITES


class _Changes:
    """How many hooks were registered or removed so far: a compiled step, whose program
    ran the hooks there were when it was traced, checks it before reusing one."""

    count = 0


changes = _Changes()


class RemovableHandle:
    """Returned by register_*_hook; `remove()` unregisters the hook (also on leaving a
    `with` block). Its id, the hook's key in its dict, is never reused."""

    _ids = itertools.count()

    def __init__(self, hooks: dict, *, extra_dict=None):
        """extra_dict: dicts (or one) keyed by the same id that also lose the entry on
        remove() (a hook's options: with_kwargs, always_call), as torch's."""
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)
        self.extra_dicts = [] if extra_dict is None else (
            list(extra_dict) if isinstance(extra_dict, (list, tuple)) else [extra_dict])
        changes.count += 1
        WRITES.count += 1

    def remove(self) -> None:
        for extra in self.extra_dicts:
            extra.pop(self.id, None)
        if self.hooks.pop(self.id, None) is not None:
            changes.count += 1
            WRITES.count += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(hooks: dict, hook, prepend: bool = False, extra_dict=None) -> RemovableHandle:
    """Puts `hook` into a hook table (an OrderedDict) under a new handle's id, last, or
    first with `prepend`; returns the handle."""
    handle = RemovableHandle(hooks, extra_dict=extra_dict)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle
