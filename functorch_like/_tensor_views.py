"""How tensors share values, as PyTorch's shared storage makes them: `.data`/`detach()`
aliases (`_AliasGroup`) and views (`mark_view`), kept in step when any of them changes in
place (`publish`, `refresh_views`, `_write_through`). JAX arrays are immutable, so the
sharing is emulated by writing each new value into the others."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from ._writes import WRITES
from .autograd._grad_mode import is_grad_enabled

if TYPE_CHECKING:
    from ._tensor import Tensor


class _AliasGroup:
    """Tensors that share one value, as `.data`/`detach()` share storage in PyTorch.

    JAX arrays are immutable, so sharing is emulated: an in-place op on any member
    (`Tensor._set`) writes the new value into every live member. Members are held weakly,
    so `losses.append(loss.detach())` does not keep `loss` (and its graph) alive.
    """

    __slots__ = ("_members",)

    def __init__(self, first: "Tensor"):
        self._members = [weakref.ref(first)]

    def add(self, t: "Tensor") -> None:
        self._members = [r for r in self._members if r() is not None]
        self._members.append(weakref.ref(t))

    def alone(self, t: "Tensor") -> bool:
        """Whether no member but `t` is alive (the `.data`/`detach()` aliases are gone)."""
        return all(ref() is None or ref() is t for ref in self._members)

    def discard(self, t: "Tensor") -> None:
        self._members = [r for r in self._members if r() is not None and r() is not t]

    def write(self, source: "Tensor") -> None:
        for ref in self._members:
            t = ref()
            if t is not None and t is not source:
                t._value = source._value
                t._version += 1
                if t._node is not None:     # (a tensor of the graph, changed through .data)
                    from ._tensor import changed_outside_graph
                    changed_outside_graph(t)
                refresh_views(t)


def mark_view(out: "Tensor", base: "Tensor", kind: str, info=None, multi=None) -> "Tensor":
    """Records that `out` is a view of `base`, as PyTorch's shared storage makes it: an
    in-place op on `out` writes through to `base` (`_write_through`), and one on `base`
    refreshes `out` (`refresh_views`). kind: "index" (basic indexing; info = the index),
    "reshape", "select" (info = the selection, see _ops_shape._as_selection), "expand",
    "dtype" (info = the JAX dtype the bytes are read as, see _ops_view_dtype) or
    "complex" (info = the name in _ops_complex.COMPLEX_VIEWS);
    multi = (function, output) for the pieces of split/unbind."""
    out.__dict__["_view_of"] = (base, kind, info, multi)
    if not is_grad_enabled() and (base._requires_grad or base._node is not None):
        # (an in-place change of it with grad mode on is refused, as torch's: _set)
        out.__dict__["_view_no_grad"] = True
    _same_inference(out, base)
    views = base.__dict__.setdefault("_views", [])
    WRITES.aliased += 1
    if len(views) >= 8 and len(views) % 8 == 0:
        # A long-lived base viewed in every step (x.view(...) in a loop) would otherwise
        # collect dead references until its next in-place op.
        views[:] = [ref for ref in views if ref() is not None]
    views.append(weakref.ref(out))
    return out


_INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details.")


def _same_inference(view: "Tensor", base: "Tensor") -> None:
    # A view (or detach/.data alias) is an inference tensor exactly when its base is, in or
    # out of inference_mode (torch: `normal[0]` made inside the mode is a normal tensor).
    if base.__dict__.get("_inference"):
        view.__dict__["_inference"] = True
    else:
        view.__dict__.pop("_inference", None)


def publish(t: "Tensor") -> None:
    """After `t._value` was replaced directly (an optimizer step, a compiled step's write
    back): its `.data`/`detach()` aliases and the views taken of it see the new value."""
    if t._aliases is not None:
        t._aliases.write(t)
    if t.__dict__.get("_views"):
        refresh_views(t)


def refresh_views(t: "Tensor") -> None:
    """After an in-place change of `t`: the live views taken of it see the new values (and
    a graph position derived from `t`'s), recursively, as views of shared storage would."""
    views = t.__dict__.get("_views")
    if not views:
        return
    alive = []
    for ref in list(views):       # (recomputing registers temporaries: iterate a copy)
        v = ref()
        spec = None if v is None else v.__dict__.get("_view_of")
        if spec is None or spec[0] is not t:
            continue
        fresh = _view_value(t, spec, v)
        if fresh._value.shape != v._value.shape:
            continue              # the base was resized in place: no longer a view of it
        alive.append(ref)
        v._value = fresh._value
        if is_grad_enabled() and "_detached_view" not in v.__dict__:
            v._node, v._out = fresh._node, fresh._out
            if fresh._node is not None:
                fresh._node.rename("AsStridedBackward0")    # torch regenerates it so
        v._version += 1
        if v._aliases is not None:
            v._aliases.write(v)
        refresh_views(v)
    t.__dict__["_views"] = alive


def _view_value(base: "Tensor", spec: tuple, view: "Tensor") -> "Tensor":
    _, kind, info, _ = spec
    if kind == "index":
        from ._ops_index import getitem
        return getitem(base, info)
    from . import _ops_shape
    if kind == "select":
        return _ops_shape.selection(base, info)
    if kind == "expand":
        return _ops_shape.expand(base, tuple(view.shape))
    if kind == "dtype":
        from ._ops_view_dtype import reinterpret
        from ._tensor import Tensor
        return Tensor._make(reinterpret(base._value, info))
    if kind == "complex":
        from ._ops_complex import COMPLEX_VIEWS
        return COMPLEX_VIEWS[info][0](base)
    return _ops_shape.reshape(base, tuple(view.shape))


def _write_through(view, value: "Tensor") -> None:
    """Writes an in-place change of a view back into its base, as PyTorch's shared storage
    would (the base records a CopySlices/reshape node when grad is on)."""
    base, kind, index, _ = view
    if kind == "index":
        from ._ops_index import setitem
        setitem(base, index, value)
    elif kind == "select":
        from ._ops_shape import write_back
        base._set(write_back(base, value, index))
    elif kind == "complex":         # (real/imag/conj/view_as_real/view_as_complex)
        from ._ops_complex import COMPLEX_VIEWS
        base._set(COMPLEX_VIEWS[index][1](base, value))
    elif kind == "dtype":
        # New bytes for the base, outside autograd as in torch: its graph is left as it is.
        from ._ops_view_dtype import reinterpret
        base._value = reinterpret(value._value, base._value.dtype)
        base._version += 1
        publish(base)
        outer = base.__dict__.get("_view_of")
        if outer is not None:
            _write_through(outer, base)
    else:
        base._set(value.reshape(tuple(base.shape)))
        if base._node is not None and "_view_of" not in base.__dict__:
            base._node.rename("CopySlices")     # (torch's node for a write through a view)
