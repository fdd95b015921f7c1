"""The reparametrization under torch.func.functional_call: the given tensors put in place
of a module's parameters, buffers and tensor attributes for one call, as
torch.nn.utils.stateless does (its NamedMemberAccessor's swaps, its tied-weight and strict
checks, its errors)."""

from __future__ import annotations

import contextlib

from ._host import owned
from ._tensor import Tensor

_MISSING = object()     # (no such attribute: a swap in adds it, the swap back removes it)


def slots(module) -> dict:
    """Every parameter and buffer by state_dict name, tied and shared names included:
    name -> (the dict that holds it, its key there, the tensor)."""
    out = {}
    for prefix, mod in module.named_modules(remove_duplicate=False):
        for store in (mod._parameters, mod._buffers):
            for name, t in store.items():
                if t is not None:
                    out[prefix + ("." if prefix else "") + name] = (store, name, t)
    return out


def _untied(slots_: dict, values: dict) -> dict:
    """The values with each tied tensor's other names added (a value given under one name
    stands for all of them); torch's ValueError where a tied tensor got two values."""
    by_id: dict[int, list] = {}
    for name, (_, _, t) in slots_.items():
        by_id.setdefault(id(t), []).append(name)
    out = dict(values)
    for names in by_id.values():
        given = [n for n in names if n in values]
        if len(names) < 2 or not given:
            continue
        if len({id(values[n]) for n in given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
        for n in names:
            out[n] = values[given[0]]
    return out


def _check_keys(module, slots_: dict, values: dict) -> None:
    """strict=True: PyTorch's reparametrizing error, key lists sorted."""
    missing, unexpected = sorted(set(slots_) - set(values)), sorted(set(values) - set(slots_))
    msgs = []
    if unexpected:
        msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if msgs:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
            module._get_name(), "\n\t".join(msgs)))


def _owner(module, name: str):
    """(the submodule holding a dotted name's last part, that part), with torch's errors
    for a path through something that is not a submodule."""
    *path, attr = name.split(".")
    mod = module
    for part in path:
        try:
            sub = getattr(mod, part)
        except AttributeError:
            raise AttributeError(f"{mod._get_name()} has no attribute `{part}`") from None
        if not hasattr(sub, "_parameters"):
            raise TypeError(f"{sub!r} is not an instance of torch.nn.Module")
        mod = sub
    return mod, attr


def _swap(mod, attr: str, value):
    """Puts `value` (a Tensor, None, or _MISSING to remove it) in `mod.<attr>`, a
    parameter's or buffer's slot or a plain attribute; returns what was there."""
    if value is not _MISSING and value is not None and not isinstance(value, Tensor):
        raise TypeError(f"{value} is not an instance of torch.Tensor")
    for store in (mod._parameters, mod._buffers):
        if attr in store:
            old = store[attr]
            if value is _MISSING:
                del store[attr]
            else:
                store[attr] = value
            return old
    old = getattr(mod, attr, _MISSING)
    if old is not _MISSING and old is not None and not isinstance(old, Tensor):
        raise TypeError(f"attribute `{attr}`: {old} is not an instance of torch.Tensor")
    if value is not _MISSING:
        setattr(mod, attr, value)
    elif hasattr(mod, attr):
        delattr(mod, attr)
    return old


@contextlib.contextmanager
def swapped(module, values: dict, strict: bool, tie_weights: bool = True):
    """Temporarily puts the given tensors in place of the module's parameters, buffers
    (None ones too) and tensor attributes (or as new attributes), by dotted names.

    The given objects themselves go into the module (raw arrays wrapped in fresh Tensors),
    as torch.func does: autograd then reaches the given tensors, not the module's
    Parameters, and in-place buffer updates (BatchNorm) land in them. Yields
    name -> the tensor in use for every parameter and buffer name.
    """
    slots_ = slots(module)
    values = {n: v if v is None or isinstance(v, Tensor) or not hasattr(v, "shape")
              else Tensor._make(owned(v)) for n, v in values.items()}
    if tie_weights:
        values = _untied(slots_, values)
    if strict:
        _check_keys(module, slots_, values)
    live = {name: t for name, (_, _, t) in slots_.items()}
    saved = []
    try:
        for name, v in values.items():
            mod, attr = _owner(module, name)
            saved.append((mod, attr, _swap(mod, attr, v)))
            live[name] = v
        yield live
    finally:
        # Reversed: a shared module's slot may have been swapped twice.
        for mod, attr, old in reversed(saved):
            _swap(mod, attr, old)
