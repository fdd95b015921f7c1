"""Graph nodes: one per recorded operation, holding a pure function and its inputs.

A node's inputs are kept as what the replay needs, not as the tensors themselves: an
`(node, index)` edge for an input computed by another node, the leaf Tensor for a leaf that
requires grad, or the raw array for a constant. Intermediate tensors are therefore not kept
alive by the graph; backward recomputes them inside one compiled program. For a leaf the
node also keeps the array the op saw (`leaf_values`): a leaf may be updated in place
between forward and backward, and the replay must use the forward's value.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from ._errors import SECOND_BACKWARD


class Node:
    """What `tensor.grad_fn` returns: names the op (`<AddBackward0>`), walks the graph."""

    __slots__ = ("fn", "static", "inputs", "leaf_values", "_name", "multi", "freed",
                 "retained", "__weakref__", "tape", "hooks", "group_hook", "traced")

    def __init__(self, fn: Callable, static: tuple, inputs: tuple, name: str, multi: bool,
                 leaf_values: tuple | None = None):
        self.fn = fn
        self.static = static          # sorted (key, value) pairs, hashable
        self.inputs = inputs
        # Per input: the leaf's array at record time, None for edges and constants.
        self.leaf_values = leaf_values if leaf_values is not None else (None,) * len(inputs)
        self._name = name
        self.multi = multi
        self.freed = False
        self.retained: dict[int, weakref.ref] | None = None
        # Under functorch_like.compile: (vjp_fn, differentiated input positions, output
        # avals) from linearizing the op as it was traced; backward then chains vjps.
        self.tape = None
        # Tensor.register_hook on an output: {output index: {handle id: hook}}.
        self.hooks: dict[int, dict] | None = None
        # A Module's backward hooks (nn/modules/_backward_hooks.py): called once with the
        # gradients of all outputs (None where none flows), after their Tensor hooks;
        # returns the gradients that flow on.
        self.group_hook: Callable | None = None
        # A custom autograd.Function's node, whose backward runs the user's Python on the
        # ctx of its one forward: (fn, static) that re-runs that forward in a trace, for a
        # double backward (create_graph), which differentiates the user's backward.
        self.traced: tuple | None = None

    def name(self) -> str:
        # (torch's nodes implemented in autograd itself, not by an op, carry its namespace)
        return "torch::autograd::CopySlices" if self._name == "CopySlices" else self._name

    @property
    def next_functions(self) -> tuple:
        """((node or AccumulateGrad or None, output index), ...) per input, as PyTorch."""
        out = []
        for inp in self.inputs:
            if isinstance(inp, tuple):
                out.append((inp[0], inp[1]))
            elif _is_tensor(inp):
                out.append((accumulate_grad(inp), 0))
            else:
                out.append((None, 0))
        if self._name in ("AddmmBackward0", "MmBackward0") and \
                getattr(self.fn, "__qualname__", "") == "linear" and \
                getattr(self.fn, "__module__", "").endswith("pure._linear"):
            return _as_addmm(self, tuple(out))
        return tuple(out)

    def unlink(self, read, flat) -> None:
        """Makes each input that `read` marks False a constant (its value at record time,
        or as `flat`, the op's arguments, holds it): no gradient flows to it, so a
        backward leaves that tensor's `.grad` None, as torch's graph does for an input
        the op's outputs do not read."""
        inputs, values = list(self.inputs), list(self.leaf_values)
        for k, (inp, r) in enumerate(zip(inputs, read)):
            if not r and (isinstance(inp, tuple) or _is_tensor(inp)):
                inputs[k] = values[k] if values[k] is not None else flat[k]._value
                values[k] = None
        self.inputs, self.leaf_values = tuple(inputs), tuple(values)

    def rename(self, name: str) -> None:
        """Names the node after another op (the last of torch's composite whose value it
        gives): `name()` and the class name, which graph printers read, both change."""
        self._name = name
        self.__class__ = node_class(name)

    def retain(self, index: int, tensor: Any) -> None:
        if self.retained is None:
            self.retained = {}
        self.retained[index] = weakref.ref(tensor)

    def hooks_of(self, index: int) -> dict:
        """The (mutable) hook table of output `index`."""
        if self.hooks is None:
            self.hooks = {}
        return self.hooks.setdefault(index, {})

    def free(self) -> None:
        """Drops the saved constants after a backward without retain_graph; a node whose
        torch counterpart saves no tensor keeps them, as torch can backward through it
        again."""
        if self._name in SAVES_NO_TENSORS and self.fn.__name__ in _PLAIN_FUNCTIONS:
            return
        if self.traced is not None and _release_saved(self.static):
            return      # (an eager custom Function: torch frees only its saved tensors)
        self.freed = True
        if self.traced is not None:
            self.static = ()            # (the custom Function's saved ctx)
        self.inputs = tuple(inp if isinstance(inp, tuple) or _is_tensor(inp) else None
                            for inp in self.inputs)
        self.leaf_values = (None,) * len(self.inputs)

    def check_not_freed(self) -> None:
        if self.freed:
            raise RuntimeError(SECOND_BACKWARD)

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"


def _release_saved(static) -> bool:
    """For an eager custom Function's node (its static pairs hold the `_SavedCall`): marks
    its ctx's saved tensors freed, as torch's backward frees them (reading
    ctx.saved_tensors in a second backward then raises), and returns True; the node stays
    usable, as torch's (a backward that reads none of them runs again). False for other
    nodes."""
    saved = dict(static).get("saved") if static else None
    if saved is None:
        return False
    saved.ctx._fl_freed = True
    saved.ctx.to_save = ()          # (their memory goes, as torch's)
    return True


# The grad_fn names whose torch nodes save no tensor, only sizes, dims or scalars (no
# `_raw_saved_*` attribute). Backward through them needs no freed value, so torch allows
# a second backward through a graph made of them only (`(x + 1).sum()`); ours replays
# them from their inputs, which these nodes keep. A name missing here errs on torch's
# side for ops that save tensors: a second backward raises. Some of our nodes stand for
# a composite of torch's (a loss's MeanBackward0, matmul's UnsafeViewBackward0) whose
# inner nodes save tensors: only nodes of the plain functions below keep their inputs.
SAVES_NO_TENSORS = frozenset({
    "AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1", "RsubBackward0",
    "RsubBackward1", "NegBackward0", "SumBackward0", "SumBackward1", "MeanBackward0",
    "MeanBackward1", "ViewBackward0", "UnsafeViewBackward0", "ExpandBackward0",
    "PermuteBackward0", "TBackward0", "TransposeBackward0", "SqueezeBackward0",
    "SqueezeBackward1", "SqueezeBackward2", "UnsqueezeBackward0", "SliceBackward0",
    "SelectBackward0", "CatBackward0", "StackBackward0", "CloneBackward0",
    "ToCopyBackward0", "SplitBackward0", "SplitWithSizesBackward0", "UnbindBackward0",
    "RepeatBackward0", "FlipBackward0", "RollBackward0", "DiagonalBackward0",
    "ConstantPadNdBackward0", "TrilBackward0", "TriuBackward0", "CumsumBackward0",
    "TraceBackward0", "AsStridedBackward0", "UnfoldBackward0", "DiagEmbedBackward0",
    "AliasBackward0",
})
_PLAIN_FUNCTIONS = frozenset({
    "_f_add", "_f_sub", "_f_NegBackward0", "_f_sum", "_f_mean", "_f_reshape", "_f_permute",
    "_f_broadcast_to", "_f_tile", "_f_cat", "_f_stack", "_f_narrow", "_f_slices",
    "_f_getitem", "_f_take", "_f_flip", "_f_roll", "_f_tril", "_f_triu", "_f_diagonal",
    "_f_cumsum", "_identity", "_astype", "_device_put", "_f_unbind", "_f_unfold",
    "_f_diag_embed", "_f_pad", "_f_trace",
})

_NODE_CLASSES: dict = {}


def node_class(name: str) -> type:
    """The Node subclass named after an op's grad_fn (`type(t.grad_fn).__name__ ==
    "AddBackward0"`, as torch's grad_fn classes, which graph walkers such as torchviz
    print); made once per name."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = _NODE_CLASSES[name] = type(name, (Node,), {"__slots__": ()})
    return cls


class _Presented:
    """A node of torch's graph that this library records inside another (the weight's
    transpose in linear's addmm): what `next_functions` shows for it."""

    __slots__ = ("edges", "__weakref__")

    def __init__(self, edges: tuple):
        self.edges = edges

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        return self.edges

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


_TBackward0 = type("TBackward0", (_Presented,), {"__slots__": ()})

# linear's node -> the TBackward0 its next_functions show (the same object every time).
_transposes: "weakref.WeakKeyDictionary[Node, _Presented]" = weakref.WeakKeyDictionary()


def _as_addmm(node: Node, edges: tuple) -> tuple:
    """linear's (input, weight, bias) edges as torch's addmm(bias, input, weight.t())
    shows them (mm(input, weight.t()) without a bias): the 2-d input's graph, as the
    60-minute blitz prints it."""
    x, w, b = edges
    t = _transposes.get(node)
    if t is None:
        t = _transposes[node] = _TBackward0((w,))
    return ((b, x, (t, 0)) if node._name == "AddmmBackward0" else (x, (t, 0)))


class AccumulateGrad:
    """The node that stands for a leaf in `next_functions`; `.variable` is the leaf."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


# id(leaf) -> weak reference to its AccumulateGrad. Keyed by id, not by the tensor:
# Tensor.__eq__ is elementwise, so a WeakKeyDictionary lookup (which compares keys) would
# raise. The accumulator is held weakly and holds its leaf, as in PyTorch: it lives as long
# as someone holds it, so the same leaf gives the same object while anyone can compare.
_accumulators: dict[int, weakref.ref] = {}


def accumulate_grad(leaf) -> AccumulateGrad:
    ref = _accumulators.get(id(leaf))
    acc = ref() if ref is not None else None
    if acc is None or acc.variable is not leaf:
        acc = AccumulateGrad(leaf)
        key = id(leaf)

        def forget(dead, key=key):
            if _accumulators.get(key) is dead:
                del _accumulators[key]

        _accumulators[key] = weakref.ref(acc, forget)
    return acc


def _is_tensor(x) -> bool:
    from .._tensor import Tensor
    return isinstance(x, Tensor)
