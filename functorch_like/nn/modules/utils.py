"""torch.nn.modules.utils: the argument helpers custom layers import (`_pair(3) ->
(3, 3)`), and consume_prefix_in_state_dict_if_present for DataParallel checkpoints."""

from __future__ import annotations

import collections.abc

__all__ = ["consume_prefix_in_state_dict_if_present"]


def _ntuple(n: int, name: str = "parse"):
    """A function making an n-tuple of its argument: an iterable as a tuple of its items
    (of any length, as torch's), anything else repeated n times."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return (x,) * n
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n: int) -> tuple:
    """The items of `t` last to first, each repeated n times: a conv's (padH, padW) as
    F.pad's (padW, padW, padH, padH)."""
    return tuple(x for x in reversed(t) for _ in range(n))


def _list_with_default(out_size, defaults: list) -> list:
    """An adaptive pool's output size with its None entries taken from the trailing
    `defaults` (the input's sizes); an int passes as it is."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    tail = defaults[-len(out_size):]
    return [d if v is None else v for v, d in zip(out_size, tail)]


def consume_prefix_in_state_dict_if_present(state_dict: dict, prefix: str) -> None:
    """Strips `prefix` ("module." for a DataParallel/DDP checkpoint) from the keys of
    `state_dict` that start with it, in place, and from its `_metadata` keys (the
    metadata of the wrapper itself, key "", stays; "module" becomes "")."""
    for key in list(state_dict):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is None:
        return
    for key in list(metadata):
        if key and (key == prefix.replace(".", "") or key.startswith(prefix)):
            metadata[key[len(prefix):]] = metadata.pop(key)
