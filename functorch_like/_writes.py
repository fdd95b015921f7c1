"""How many writes into existing tensors and modules there have been: a compiled step's
cheap test that nothing it depends on changed between two calls.

Counted: every write of a Tensor's value (`Tensor._value`'s setter: in-place ops, `.data =`,
optimizer and load_state_dict writes, ...), every change of a tensor's requires_grad, and
every attribute set or deleted through `Module.__setattr__`/`__delattr__` (`model.eval()`,
`model.scale = 2.0`). Not counted: a new tensor's first value (`Tensor._init`), and a
compiled call's own write-back, which happens before it records the count.

`_compile_state.Snapshot` records the count after a call; when the next call finds it
unchanged, the tensors' values, their requires_grad and the modules' attributes are as
that call left them, and it compares only what lives in plain containers (dict entries,
optimizer groups, closure cells), where a write cannot be counted.
"""


class _Writes:
    __slots__ = ("count", "aliased")


WRITES = _Writes()
WRITES.count = 0
# How many times a tensor got a `.data`/`detach()` alias or a view: a compiled call's
# write-back skips looking for aliases and views of its state to update while this is what
# it was when it last found none (`StepState._publish`).
WRITES.aliased = 0
