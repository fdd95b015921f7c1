"""How many writes into existing tensors and modules there have been: a compiled step's
cheap test that nothing it depends on changed between two calls.

Counted: every write of a Tensor's value (`Tensor._value`'s setter: in-place ops, `.data =`,
optimizer and load_state_dict writes, ...), every change of a tensor's requires_grad,
every attribute set or deleted through `Module.__setattr__`/`__delattr__` (`model.eval()`,
`model.scale = 2.0`) or set through `Optimizer.__setattr__`, every new key of a
Generator (a draw, a reseed), every hook registered or removed, and every change of the
autocast policy or the default dtype. A compiled call's write-back counts as one write,
for the snapshots of other compiled functions over the same state; the call's own
snapshot records the count after it. Not counted: a new tensor's first value
(`Tensor._init`).

`_compile_state.Snapshot` records the count after a call; when the next call finds it
unchanged, what those writes change is as that call left them, and it compares only what
lives in plain containers (dict entries, optimizer groups, closure cells) and the global
switches of other owners (the thread's grad mode, JAX's x64), where a write cannot be
counted. Also counted: every
change of the dicts that hold the state tensors (`CountedDict`: a module's parameters,
buffers and submodules, an optimizer's state and per-parameter entries).
"""

from collections import defaultdict
from copy import deepcopy


class _Writes:
    __slots__ = ("count", "aliased")


WRITES = _Writes()
WRITES.count = 0
# How many times a tensor got a `.data`/`detach()` alias or a view: a compiled call's
# write-back skips looking for aliases and views of its state to update while this is what
# it was when it last found none (`StepState._publish`).
WRITES.aliased = 0


class Counted:
    """Every change of the container counts as a write. Mixed into dict and defaultdict
    for the containers a compiled step finds its state tensors in (a module's parameters,
    buffers and submodules; an optimizer's state and its per-parameter entries): while
    the count stands, a snapshot need not look inside them (`Snapshot.holds`)."""

    __slots__ = ()

    def __setitem__(self, key, value):
        WRITES.count += 1
        super().__setitem__(key, value)

    def __delitem__(self, key):
        WRITES.count += 1
        super().__delitem__(key)

    def __ior__(self, other):
        WRITES.count += 1
        return super().__ior__(other)

    def pop(self, *args):
        WRITES.count += 1
        return super().pop(*args)

    def popitem(self):
        WRITES.count += 1
        return super().popitem()

    def clear(self):
        WRITES.count += 1
        super().clear()

    def update(self, *args, **kwargs):
        WRITES.count += 1
        super().update(*args, **kwargs)

    def setdefault(self, key, default=None):
        WRITES.count += 1
        return super().setdefault(key, default)

    def __deepcopy__(self, memo):
        """A copy of the same counted type (its entries copied without counting: a new
        container's first contents are not writes)."""
        new = memo[id(self)] = type(self)()
        for key, value in self.items():
            dict.__setitem__(new, deepcopy(key, memo), deepcopy(value, memo))
        return new


class CountedDict(Counted, dict):
    """A dict whose changes are counted writes (see Counted). Pickles as a plain dict (a
    pickled module or optimizer names no class of this module; Module and Optimizer make
    their dicts counted again when unpickled); deep-copies as itself."""

    __slots__ = ()

    def __reduce_ex__(self, protocol):
        return dict, (dict(self),)


class CountedDefaultDict(Counted, defaultdict):
    """An optimizer's `state`: a defaultdict of CountedDict entries whose changes are
    counted writes. Pickles as torch's `defaultdict(dict)` (the entries as plain dicts);
    deep-copies as itself."""

    __slots__ = ()

    def __init__(self, *args):
        super().__init__(CountedDict, *args)

    def __reduce_ex__(self, protocol):
        return defaultdict, (dict,), None, None, iter(dict(self).items())

    def __repr__(self) -> str:
        return f"defaultdict({dict!r}, {dict.__repr__(self)})"     # torch's state's


def counted(d: dict) -> dict:
    """`d` as a CountedDict (itself where it already is counted), for dicts that come from
    outside: unpickled or loaded."""
    return d if isinstance(d, Counted) else CountedDict(d)
