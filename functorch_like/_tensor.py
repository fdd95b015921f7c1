"""Tensor: a jax.Array (or tracer) plus autograd metadata, and the one dispatch point.

Every operation on Tensors goes through `apply(fn, name, *args, **static)`: it runs the
pure function `fn` on the arrays (which checks shapes and dtypes, so a mistake raises at the
line that made it) and, when grad mode is on and an input requires grad, records a graph
node holding `fn`, its static arguments and where each input comes from. `backward()`
replays the recorded graph under `jax.vjp` (autograd/_engine.py).
"""

from __future__ import annotations

import builtins
import copy
import operator
import warnings
import weakref

import jax
import jax.numpy as jnp
import numpy as np

from . import _autocast_state, _device, _dtypes, _trace_state
from ._writes import WRITES
from ._scalar_conversion import check_python_scalar
from ._tensor_str import format_tensor
from ._tensor_views import (_INFERENCE_INPLACE, _AliasGroup, _same_inference,
                            _write_through, refresh_views)
from ._tensor_views import mark_view as mark_view
from ._tensor_views import publish as publish
from .autograd import _errors as _ag_errors
from .autograd import forward_ad as _forward_ad
from .autograd import _grad_mode
from .autograd._grad_mode import _state as _grad_state
from .autograd._grad_mode import is_grad_enabled
from .autograd._node import node_class
from ._func_frames import differentiated as _differentiated
from .pure._errors import ConcreteValuesNeeded, speculative_trace
from .pure import _edge_grads
from .pure._types import convert


class Size(tuple):
    """`torch.Size([2, 3])`: a tuple of ints (a bool or a one-element integer tensor is
    taken as its int; anything else raises torch's TypeError)."""

    def __new__(cls, sizes=()):
        items = []
        for i, v in enumerate(sizes):
            if type(v) is not int:
                if isinstance(v, (float, str)) or v is None or not hasattr(v, "__index__"):
                    raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                                    f"'{type(v).__name__}')")
                try:
                    v = operator.index(v)
                except TypeError:
                    raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                                    f"'{type(v).__name__}')") from None
            items.append(v)
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, index):
        out = tuple.__getitem__(self, index)
        return _size(out) if isinstance(index, slice) else out   # x.shape[2:] is a Size

    # (concatenation and repetition stay Sizes, as torch's; a list is refused there too)
    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _size(tuple.__add__(other, self))

    def __mul__(self, n):
        return _size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n


def _size(ints: tuple) -> Size:
    """A Size of ints known to be ints (an array's shape): no checks."""
    return tuple.__new__(Size, ints)


def apply(fn, name: str, *args, **static):
    """Runs `fn(*arrays, **static)` and records it when gradients are needed.

    Args:
      fn: a pure function of jax arrays (stable identity: module-level, not a fresh closure,
        so that the backward program cache recognizes repeated graphs).
      name: PyTorch's grad_fn name, e.g. "AddBackward0".
      args: Tensors, jax arrays, Python scalars or None.
      static: hashable non-array arguments.
    Returns:
      A Tensor, or a tuple of Tensors when `fn` returns a tuple.
    """
    if _autocast_state.cast is not None:      # inside torch.autocast (amp/autocast_mode.py)
        args = _autocast_state.cast(fn, name, args)
    if _grad_state.capture is not None:    # a torch.func transform's run (_func_graph.py)
        _grad_state.capture.see(fn, args, static)
    vals = []
    needs_grad = False
    for a in args:
        if isinstance(a, Tensor):
            vals.append(a._value)
            needs_grad = needs_grad or a._requires_grad or a._node is not None
        elif type(a) is int and not -2147483648 <= a <= 2147483647:
            vals.append(_big_int(a, args, static))
        else:
            vals.append(a)
    record = needs_grad and is_grad_enabled()
    if _trace_state.state.discover is not None:
        for a in args:
            if isinstance(a, Tensor) and "_serial" in getattr(a, "__dict__", ()) and \
                    not isinstance(a._value, jax.core.Tracer):
                _trace_state.state.discover(a)      # a Parameter compile did not find
    tape = None
    if record and _trace_state.state.compiling:
        # Inside functorch_like.compile the op is linearized as it is traced, so backward
        # chains these vjps instead of replaying the forward: one forward in the program.
        out, tape = _linearize(fn, args, vals, static)
    else:
        out = _run_op(fn, vals, static)
    multi = isinstance(out, tuple)
    if not record:
        if _grad_state.func_no_grad and any(isinstance(v, jax.core.Tracer) for v in vals):
            out = jax.tree.map(jax.lax.stop_gradient, out)     # (see _grad_mode.func_body)
        result = tuple(Tensor._make(o) for o in out) if multi else Tensor._make(out)
    else:
        result = record_op(fn, name, args, out, static, tape)
    if _forward_ad.active is not None:     # inside forward_ad.dual_level: jvp the op too
        _forward_ad.push_tangents(fn, args, vals, static, result)
    return result


def _big_int(a: int, args: tuple, static: dict):
    """A Python int beyond int32 among an op's arguments: a float where the op's result
    dtype (its `dtype` argument) is floating or a floating tensor is among the arguments
    (JAX cannot pass it to a program as an int without x64; torch computes with it in the
    floating dtype), else itself (JAX's OverflowError)."""
    dtype = getattr(static.get("dtype"), "jax", static.get("dtype"))
    if (dtype is not None and jnp.issubdtype(dtype, jnp.inexact)) or any(
            isinstance(t, Tensor) and jnp.issubdtype(t._value.dtype, jnp.inexact)
            for t in args):
        return float(a)
    return a


def changed_outside_graph(t: "Tensor") -> None:
    """A tensor of the graph whose value changed outside autograd (in place under no_grad,
    or through its `.data`/`detach()` alias): later ops see the new value while its
    gradient still flows through the op that made it, as in torch, whose backward uses
    the values saved then. Backward replays the graph, so the tensor's node becomes one
    whose value is the new one (`_edge_grads.value_of`), named as the old one."""
    node, out = t._node, t._out
    was = _grad_state.enabled
    _grad_state.enabled = True
    try:
        made = apply(_edge_grads.value_of, node._name, Tensor._make(t._value, node=node,
                                                                    out=out),
                     Tensor._make(t._value))
    finally:
        _grad_state.enabled = was
    t._node, t._out = made._node, made._out
    if node.retained:
        _move_retained(t, node, out)


def share_storage(source: "Tensor", t: "Tensor") -> None:
    """Makes `t` (new, holding `source`'s value) share `source`'s storage, outside
    autograd: one alias group (an in-place change of either writes into the other), and
    where `source` is a view, a view of its base too (`w[0].detach().zero_()` zeroes w's
    row even when the view `w[0]` is gone; `a.diagonal().data` follows a)."""
    view = source.__dict__.get("_view_of")
    if view is not None:
        mark_view(t, view[0], view[1], view[2])
        t.__dict__["_detached_view"] = True
        t.__dict__.pop("_view_no_grad", None)
    if source._aliases is None:
        source._aliases = _AliasGroup(source)
    source._aliases.add(t)
    t._aliases = source._aliases
    WRITES.aliased += 1


def _view_root(base: "Tensor") -> "Tensor":
    """The tensor whose storage a view's in-place change writes into (torch's `._base`):
    up the chain of views, not past a dtype view or a detached one. A leaf there makes the
    change torch's "view of a leaf" error, raised before anything is written (for a view
    of a view of a leaf too)."""
    while True:
        outer = base.__dict__.get("_view_of")
        if outer is None or outer[1] == "dtype" or "_detached_view" in base.__dict__:
            return base
        base = outer[0]


def _move_retained(t, old_node, old_out) -> None:
    """retain_grad follows the tensor through an in-place op, as torch's: `.grad` is the
    gradient of its new value."""
    ref = old_node.retained.get(old_out)
    if ref is not None and ref() is t and t._node is not None:
        t._node.retain(t._out, t)


def record_op(fn, name: str, args, out, static: dict, tape=None):
    """The recording half of `apply`: a Node for `fn(*args, **static)`, whose result `out`
    (an array or a tuple of arrays) was computed already, and the output Tensors."""
    multi = isinstance(out, tuple)
    inputs, leaf_values = [], []
    for a in args:
        leaf_value = None
        if isinstance(a, Tensor):
            if a._node is not None:
                inputs.append((a._node, a._out))
            elif a._requires_grad:
                inputs.append(a)
                # The value this op saw: an in-place update of the leaf before backward
                # (under no_grad) must not change what backward replays.
                leaf_value = a._value
            else:
                inputs.append(a._value)
        else:
            inputs.append(a)
        leaf_values.append(leaf_value)
    node = node_class(name)(fn, tuple(sorted(static.items())), tuple(inputs), name, multi,
                            tuple(leaf_values))
    node.tape = tape
    if multi:
        return tuple(_output(o, node, i) for i, o in enumerate(out))
    return _output(out, node, 0)


# Eager ops run as one jitted program per (function, static arguments): one dispatch instead
# of one per primitive. A function that needs concrete values (a value check, a
# data-dependent shape, Python control flow on values) is found out at its first trace
# and runs unjitted from then on.
_op_programs: dict = {}
_UNJITTABLE = object()
# Static arguments that vary call to call (an index, a start offset) would compile a program
# per value: past this many variants of one function, new variants run unjitted.
_MAX_VARIANTS = 16
# An op of more array operands than this (cat of a list of many batches) runs unjitted: a
# program's compile time grows faster than its parameter count (4096: 15 s), and the op
# (_ops_shape._concatenate) groups them into programs that repeat.
_MAX_JIT_OPERANDS = 64
_variants: dict = {}
_NEEDS_VALUES = (ConcreteValuesNeeded, jax.errors.ConcretizationTypeError,
                 jax.errors.TracerIntegerConversionError,
                 jax.errors.TracerArrayConversionError)


def _run_op(fn, vals, static):
    try:
        key = (fn, tuple(sorted(static.items())))
        program = _op_programs.get(key)
    except TypeError:                      # unhashable static arguments
        return fn(*vals, **static)
    if program is _UNJITTABLE or len(vals) > _MAX_JIT_OPERANDS \
            or any(isinstance(v, jax.core.Tracer) for v in vals):
        return fn(*vals, **static)         # (under an outer transform: inline as before)
    if program is None:
        if fn is _device_put:
            # A transfer is not jitted: jit runs on one platform and drops a device_put to
            # another (`.to("cpu")` of a GPU tensor stayed on the GPU).
            _op_programs[key] = _UNJITTABLE
            return fn(*vals, **static)
        if _variants.get(fn, 0) >= _MAX_VARIANTS:
            return fn(*vals, **static)     # (and nothing stored per value)
        _variants[fn] = _variants.get(fn, 0) + 1
        program = _op_programs[key] = _OpProgram(fn, static)
    try:
        return program(vals)
    except (*_NEEDS_VALUES, TypeError):
        # Needs values, or takes an argument jit cannot (a string...): run it as it is. A
        # TypeError that is the caller's mistake raises again here, and leaves the op
        # jitted for later calls.
        out = fn(*vals, **static)
        _op_programs[key] = _UNJITTABLE
        return out


class _OpProgram:
    """One op as a jitted function. Value checks in it (pure `check_values`) come out as
    flags, tested after the call: the same checks as unjitted, one transfer of flags."""

    def __init__(self, fn, static):
        self.fn, self.static = fn, static
        self.errors: list[list] = []       # per trace: the checks' make_error functions
        self.jitted = jax.jit(self._traced)

    def _traced(self, *vals):
        with speculative_trace() as checks:
            out = self.fn(*vals, **self.static)
        trace = len(self.errors)
        self.errors.append([make_error for _, _, make_error in checks])
        if not checks:
            return out, None
        return out, (trace, [flag for flag, _, _ in checks], [d for _, d, _ in checks])

    def __call__(self, vals):
        out, checks = self.jitted(*vals)
        if checks is not None:
            trace, flags, details = jax.device_get(checks)
            for flag, detail, make_error in zip(flags, details, self.errors[int(trace)]):
                if flag:
                    raise make_error(detail)
        return out


def _linearize(fn, args, vals, static):
    """(output, (vjp_fn, positions of the differentiated inputs, output avals))."""
    diff = [i for i, a in enumerate(args) if isinstance(a, Tensor) and (
        a._node is not None or a._requires_grad)]

    def partial(*diff_vals):
        full = list(vals)
        for i, v in zip(diff, diff_vals):
            full[i] = v
        return fn(*full, **static)

    out, vjp_fn = jax.vjp(partial, *[vals[i] for i in diff])
    outs = out if isinstance(out, tuple) else (out,)
    avals = tuple((o.shape, o.dtype) for o in outs)
    return out, (vjp_fn, tuple(diff), avals)


def _differentiable(value) -> bool:
    return jnp.issubdtype(value.dtype, jnp.inexact)


def _output(value, node, index):
    if _differentiable(value):
        return Tensor._make(value, node=node, out=index)
    return Tensor._make(value)


def _identity(x):
    return x


def _astype(x, *, dtype):
    if jnp.iscomplexobj(x) and np.dtype(dtype).kind not in "cb":
        from ._warn_once import warn_once       # (torch's, once per process)
        warn_once("Casting complex values to real discards the imaginary part")
    return convert(x, dtype)      # (a float into an integer type: torch's x86 values)


class Tensor:
    """A PyTorch-style tensor over a jax.Array.

    Registered as a pytree and exposing `__jax_array__`, so it passes through `jax.jit`,
    `jax.grad`, `jax.vmap` and `jnp` functions.
    """

    # `_v` holds the array; `_value` (below) reads it and counts each write into an
    # existing tensor (`_writes.WRITES`). Only a new tensor's first value (`_init`) and a
    # compiled call's write-back store into `_v` directly.
    __slots__ = ("_v", "_requires_grad", "_node", "_out", "_grad", "_aliases",
                 "_version", "__weakref__", "__dict__")
    __array_priority__ = 1000     # numpy defers to our reflected operators

    def _set_value(self, value) -> None:
        self._v = value
        WRITES.count += 1

    _value = property(operator.attrgetter("_v"), _set_value,
                      doc="The tensor's jax.Array (or tracer while compile traces).")

    # ---- construction -----------------------------------------------------------------
    def __init__(self, *args, **kwargs):
        """`torch.Tensor(data)` (a float tensor of the default dtype) or
        `torch.Tensor(*sizes)` (an uninitialized tensor: zeros here)."""
        from ._factories import _legacy_tensor
        src = _legacy_tensor(*args, **kwargs)
        self._init(src._value)

    def _init(self, value, requires_grad=False, node=None, out=0):
        self._v = value                 # (a new tensor: not a counted write)
        self._requires_grad = requires_grad
        self._node = node
        self._out = out
        self._grad = None
        self._aliases = None          # an _AliasGroup once .data/detach() shared the value
        self._version = 0
        if _grad_state.inference:     # made inside torch.inference_mode(): see is_inference
            self.__dict__["_inference"] = True
        if _grad_state.capture is not None:   # made inside a transform's run: not captured
            # (kept, by id: a tensor freed in the run must not lend its id to another)
            _grad_state.capture.created[id(self)] = self
        if _grad_state.frame is not None:     # made inside a transform's function
            self.__dict__["_born"] = _grad_state.frame.serial

    @classmethod
    def _make(cls, value, requires_grad: bool = False, node=None, out: int = 0) -> "Tensor":
        t = object.__new__(cls)
        t._init(value, requires_grad, node, out)
        return t

    # ---- jax / numpy interop ----------------------------------------------------------
    def __jax_array__(self):
        return self._value

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        arr = np.asarray(self._value)
        return arr.astype(dtype) if dtype is not None else arr

    def __array_wrap__(self, array, context=None, return_scalar=False):
        """A numpy ufunc's result on tensors comes back as a Tensor (`np.sin(t)`), as
        torch's."""
        from ._host import from_host
        return Tensor._make(from_host(np.asarray(array)))

    # ---- basic attributes -------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return _size(self._value.shape)

    def size(self, dim: int | None = None):
        """The shape, or the size of one dim (negative dims count from the end)."""
        if dim is None:
            return Size(self._value.shape)
        return self._value.shape[_wrap_dim(dim, self.ndim)]

    @property
    def dtype(self) -> _dtypes.dtype:
        return _dtypes.from_jax(self._value.dtype)

    @property
    def device(self) -> _device.device:
        return _device.of_array(self._value)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def dim(self) -> int:
        return self._value.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._value.size)

    nelement = numel

    def element_size(self) -> int:
        return self._value.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._value.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._value.nbytes

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return self.dtype.is_complex

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether torch's strides of this tensor are row-major (a transposed, sliced or
        expanded view's are not: see _layout).

        PyTorch-parity note: any memory_format other than contiguous_format answers True
        (tensors here have no channels-last layout)."""
        if memory_format is not None and str(memory_format) != "torch.contiguous_format":
            return True
        from ._layout import is_contiguous
        return is_contiguous(self)

    @property
    def _base(self) -> "Tensor | None":
        """The tensor whose storage this view shares, up its chain of views (torch's
        `._base`: `x[0][1:]._base is x`); None for a tensor that is no view, and, as in
        torch, for a detached view (`x[0].detach()`) and a view as another dtype
        (`x.view(torch.int32)`), which are views of nothing in autograd's sense."""
        view = self.__dict__.get("_view_of")
        if view is None or view[1] == "dtype" or "_detached_view" in self.__dict__:
            return None
        return _view_root(view[0])

    def _is_view(self) -> bool:
        """Whether this tensor is a view of another (see `_base`)."""
        return self._base is not None

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._value.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    # Identity hashing (tensors key optimizer state), in C: `==` is elementwise.
    __hash__ = object.__hash__

    # ---- autograd attributes ----------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether autograd records ops on this tensor. Inside a torch.func grad-type
        transform (grad, vjp, jacrev) its differentiated inputs, and what is computed from
        them at that level, require grad, as torch's wrappers do there
        (`_func_frames.differentiated`); an autograd.Function's `needs_input_grad` reads
        this."""
        if self._requires_grad or self._node is not None:
            return True
        return _grad_state.frame is not None and _differentiated(self._v)

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._node is not None:
            # PyTorch's setter refuses either value on a non-leaf (requires_grad_(True) is
            # the no-op, see below); only the text differs.
            raise RuntimeError(_ag_errors.requires_grad_non_leaf(value))
        if value and not _differentiable(self._value):
            raise RuntimeError(_ag_errors.CANNOT_REQUIRE_GRAD)
        if value and self.__dict__.get("_inference") and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = builtins.bool(value)
        WRITES.count += 1

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self._node is not None and requires_grad:
            return self         # already requires grad: PyTorch allows this on a non-leaf
        if requires_grad and self._node is None and not _differentiable(self._value):
            # (torch's wording differs between this method, the setter and the factories)
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        return self._node

    @property
    def grad(self):
        if self._node is not None and self._grad is None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information.", UserWarning,
                stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                            f"type {type(value).__name__}")
        if value is not None and value.shape != self.shape:
            raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' "
                               f"to a tensor of size '{list(self.shape)}'. Please ensure that "
                               "the gradient and the tensor are the same size")
        if value is not None and value.dtype != self.dtype:
            raise RuntimeError(_ag_errors.grad_dtype_mismatch(
                _dtypes.cpp_type_name(value.dtype), _dtypes.scalar_type_name(self.dtype)))
        if value is None and _trace_state.state.cleared is not None:
            _trace_state.state.cleared.add(id(self))
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        node = self._node
        if node is None or node.retained is None:
            return False
        ref = node.retained.get(self._out)
        return ref is not None and ref() is self

    def retain_grad(self) -> None:
        """Makes backward() fill `.grad` of this non-leaf tensor too."""
        if self._node is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._node.retain(self._out, self)

    def register_hook(self, hook):
        """Calls `hook(grad)` whenever the gradient with respect to this tensor is computed;
        a Tensor it returns replaces the gradient (same size and type). Returns a handle
        whose `remove()` unregisters it.

        PyTorch parity: inside functorch_like.compile a hook runs once, while the step is
        traced, on a traced gradient (it may transform it, not inspect its values); in
        eager mode a backward through hooked intermediates runs without jit."""
        from .utils.hooks import RemovableHandle
        if self._node is None and not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        hooks = (self.__dict__.setdefault("_grad_hooks", {}) if self._node is None
                 else self._node.hooks_of(self._out))
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """Calls `hook(tensor)` after backward has accumulated into this leaf's `.grad`."""
        from .utils.hooks import RemovableHandle
        if self._node is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        hooks = self.__dict__.setdefault("_post_accumulate_hooks", {})
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Accumulates d(self)/d(leaf) into `.grad` of the leaves (see autograd.backward)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    @property
    def data(self) -> "Tensor":
        """A tensor sharing this one's value, outside the graph; in-place ops on it change
        this tensor (PyTorch's `.data`)."""
        return self._alias()

    @data.setter
    def data(self, value: "Tensor") -> None:
        # PyTorch swaps in new storage: earlier `.data`/`detach()` aliases keep the old one,
        # and the tensor shares the given one's (`dec.weight.data = enc.weight.data` ties
        # them; vector_to_parameters makes parameters views of the vector).
        self._leave_storage()
        self._value = value._value if isinstance(value, Tensor) else jnp.asarray(value)
        self._version += 1
        if isinstance(value, Tensor):
            share_storage(value, self)

    def _leave_storage(self) -> None:
        """Before this tensor takes new storage (`t.data = other`, a Module's dtype
        conversion): its `.data`/`detach()` aliases and the views taken of it keep the old
        value, linked to one another through a stand-in for the old storage, as torch's
        (a later write to the tensor no longer shows in them, nor theirs in it)."""
        for key in ("_view_of", "_detached_view"):
            self.__dict__.pop(key, None)
        self._hand_over()

    def _restride(self, result: "Tensor") -> "Tensor":
        """An in-place shape op (t_, transpose_, squeeze_, unsqueeze_): this tensor takes
        `result`'s value, a view of it, and keeps its storage. Its aliases, the views taken
        of it and its own base move to a stand-in of its old shape, of which it becomes
        that view: writes through any of them reach the others, as torch's."""
        spec = result.__dict__.get("_view_of")
        if spec is None or spec[0] is not self or self._node is not None or \
                self._requires_grad:
            return self._set(result, reshape=True)
        outer = {k: self.__dict__.pop(k) for k in ("_view_of", "_detached_view",
                                                    "_view_no_grad") if k in self.__dict__}
        old = self._hand_over(outer)
        self._set(result, reshape=True)
        if old is not None:
            mark_view(self, old, spec[1], spec[2])
        return self

    def _hand_over(self, outer: dict | None = None) -> "Tensor | None":
        """Moves this tensor's alias group, its live views and (`outer`: its view entries,
        already taken off it) its place among its base's views to a new stand-in holding
        its value; returns it, or None where there was nothing to move."""
        group = self._aliases
        views = [ref for ref in self.__dict__.pop("_views", ()) if (v := ref()) is not None
                 and v.__dict__.get("_view_of", (None,))[0] is self]
        if group is None and not views and not outer:
            return None
        old = Tensor._make(self._v)
        if outer:
            old.__dict__.update(outer)
            siblings = outer["_view_of"][0].__dict__.get("_views", [])
            siblings[:] = [weakref.ref(old) if ref() is self else ref for ref in siblings]
        if group is not None:
            group.discard(self)
            self._aliases = None
            group.add(old)
            old._aliases = group
        for ref in views:
            view = ref()
            view.__dict__["_view_of"] = (old, *view.__dict__["_view_of"][1:])
        if views:
            old.__dict__["_views"] = views
        return old

    def _alias(self) -> "Tensor":
        value = self._value
        if isinstance(value, jax.core.Tracer) and not _trace_state.state.compiling:
            # Under a JAX transform (torch.func, a user's jax.grad): no gradient flows
            # through .data or detach(), as through torch's. (functorch_like.compile's
            # trace differentiates with the tape, and keeps the value as the same tracer.)
            value = jax.lax.stop_gradient(value)
        t = Tensor._make(value)
        _same_inference(t, self)
        share_storage(self, t)
        return t

    def detach(self) -> "Tensor":
        """A tensor with the same value and no graph (shares the value, as PyTorch)."""
        return self._alias()

    def detach_(self) -> "Tensor":
        view = self.__dict__.get("_view_of")
        if view is not None and view[1] != "dtype" and "_detached_view" not in self.__dict__:
            raise RuntimeError(_ag_errors.DETACH_VIEW_INPLACE)
        self._node = None
        self._requires_grad = False
        WRITES.count += 1
        return self

    def _zero_grad_in_place(self) -> None:
        """`zero_grad(set_to_none=False)` of this parameter: its `.grad` object is kept,
        detached and zeroed, as torch's (code holding `g = p.grad` sees the same one)."""
        grad = self.grad
        if grad is not None:
            if grad._node is not None:      # (torch's test: a view .grad has none)
                grad.detach_()
            else:
                grad._requires_grad = False
            grad.zero_()

    def _require_concrete(self, what: str) -> None:
        if _trace_state.state.compiling and isinstance(self._value, jax.core.Tracer):
            raise _trace_state.untraceable(what)

    # ---- conversion -------------------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        self._require_concrete('item()')
        if self._value.size != 1:
            raise RuntimeError(f"a Tensor with {self._value.size} elements cannot be "
                               "converted to Scalar")
        return self._value.reshape(()).item()

    def tolist(self):
        self._require_concrete('tolist()')
        value = self._value
        if isinstance(value, jax.core.Tracer):
            # (inside a torch.func transform run eagerly the primal is concrete, as
            # item() finds it; None under a trace: then np.asarray raises JAX's error)
            concrete = value.to_concrete_value()
            value = value if concrete is None else concrete
        return np.asarray(value).tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A writable numpy copy (JAX arrays are immutable, so the memory is not shared)."""
        self._require_concrete('numpy()')
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return np.array(self._value)

    def __bool__(self) -> bool:
        self._require_concrete('bool(tensor) (an `if`/`while` on a tensor, or `and`/`or`)')
        if self._value.size != 1:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous"
                               if self._value.size == 0 else
                               "Boolean value of Tensor with more than one value is "
                               "ambiguous")
        return builtins.bool(self._value.reshape(()))

    def __float__(self) -> float:
        self._require_concrete('float(tensor)')
        check_python_scalar(self, warn_requires_grad=True)
        return builtins.float(_real_item(self, "double"))

    def __int__(self) -> int:
        self._require_concrete('int(tensor)')
        check_python_scalar(self, warn_requires_grad=False)
        return builtins.int(_real_item(self, "int64_t"))

    def __complex__(self) -> complex:
        check_python_scalar(self, warn_requires_grad=True)
        return builtins.complex(self.item())

    def __index__(self) -> int:
        self._require_concrete('using a tensor as an index')
        # (a bool is an integer here, as torch's: `[10, 20][tensor(True)]` is 20)
        if not (jnp.issubdtype(self._value.dtype, jnp.integer)
                or self._value.dtype == jnp.bool_) or self._value.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return builtins.int(self.item())

    def __format__(self, spec: str) -> str:
        self._require_concrete('format(tensor) (an f-string)')
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def to(self, *args, **kwargs) -> "Tensor":
        """to(dtype), to(device), to(device, dtype), to(other); returns self when nothing
        changes, as PyTorch."""
        dtype, dev = kwargs.get("dtype"), kwargs.get("device")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif isinstance(a, (_dtypes.dtype, np.dtype, type)):
                dtype = a
            elif isinstance(a, (str, _device.device, builtins.int)):
                dev = a
        out = self
        if dtype is not None and (
                _dtypes.to_jax(dtype) != self._value.dtype
                # (x64 off: float64 asked of a float32 tensor, int32 of an int64 one, which
                # are stored alike: still a copy, as torch's, never the tensor itself)
                or isinstance(dtype, _dtypes.dtype) and dtype.name != self.dtype.name):
            out = apply(_astype, "ToCopyBackward0", out, dtype=_dtypes.to_jax(dtype))
        if dev is not None and _device.device(dev) != self.device:
            target = _device.device(dev).jax_device()
            out = apply(_device_put, "ToCopyBackward0", out, device=target)
        if copy and out is self:
            out = self.clone()
        return out

    def type(self, dtype=None):
        """The legacy type name ("torch.FloatTensor"), or a copy converted to `dtype`: a
        dtype, a legacy type (`torch.FloatTensor`) or its name."""
        if dtype is None:
            return f"torch.{_dtypes.scalar_type_name(self.dtype)}Tensor"
        from ._legacy_types import dtype_of
        return self.to(dtype_of(dtype))

    def _cast(self, d) -> "Tensor":
        return self.to(d)

    def float(self):
        return self.to(_dtypes.float32)

    def double(self):
        return self.to(_dtypes.float64)

    def half(self):
        return self.to(_dtypes.float16)

    def bfloat16(self):
        return self.to(_dtypes.bfloat16)

    def long(self):
        return self.to(_dtypes.int64)

    def int(self):
        return self.to(_dtypes.int32)

    def short(self):
        return self.to(_dtypes.int16)

    def bool(self):
        return self.to(_dtypes.bool)

    def byte(self):
        return self.to(_dtypes.uint8)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else _device.device("cuda", device))

    def clone(self, *, memory_format=None) -> "Tensor":
        return apply(_identity, "CloneBackward0", self)

    def contiguous(self, memory_format=None) -> "Tensor":
        """self where contiguous; else a contiguous copy (as torch's: writing to it leaves
        self alone)."""
        if self.is_contiguous():
            return self
        return self.clone()

    # ---- in-place machinery -----------------------------------------------------------
    def _set(self, result: "Tensor", *, reshape: bool = False,
             op: str = "copy_") -> "Tensor":
        """Makes `self` take `result`'s value and graph position (an in-place op); a view
        (basic indexing, view/reshape/squeeze/flatten, permute/transpose, narrow/split/
        unbind, diagonal) writes the new value through to its base. `op`: the in-place
        method's name, for the error inside a torch.func transform (_func_frames)."""
        if self.__dict__.get("_inference") and not _grad_state.inference:
            raise RuntimeError(_INFERENCE_INPLACE)
        if self._node is None and self._requires_grad and is_grad_enabled():
            raise RuntimeError(_ag_errors.LEAF_INPLACE)
        if _grad_state.frame is not None:     # inside a torch.func transform's function
            _grad_state.frame.check(self, op)
        view = self.__dict__.get("_view_of")
        if view is not None and view[1] == "expand":     # (a detached one's too)
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor "
                "refers to a single memory location. Please clone() the tensor before "
                "performing the operation.")
        if view is not None and "_detached_view" not in self.__dict__:
            base = view[0]
            if is_grad_enabled() and "_view_no_grad" in self.__dict__:
                raise RuntimeError(_ag_errors.NO_GRAD_VIEW_INPLACE)
            # (a dtype view is outside autograd: torch lets it change a leaf's values)
            if view[1] != "dtype" and is_grad_enabled():
                root = _view_root(base)
                if root._node is None and root._requires_grad:
                    raise RuntimeError(_ag_errors.VIEW_OF_LEAF_INPLACE)
            made = self.__dict__.get("_custom_function_view")
            if made is not None and is_grad_enabled() and self._node is not None:
                raise RuntimeError(
                    f"Output {made[0]} of {made[1]} is a view and is being modified inplace. "
                    "This view was created inside a custom Function (or because an input "
                    "was returned as-is) and the autograd logic to handle view+inplace would "
                    "override the custom backward associated with the custom Function, "
                    "leading to incorrect gradients. This behavior is forbidden. You can fix "
                    "this by cloning the output of the custom Function.")
            if view[3] is not None and is_grad_enabled() and (
                    base._node is not None or base._requires_grad):
                raise RuntimeError(
                    f"Output {view[3][1]} of {view[3][0]} is a view and is being modified "
                    "inplace. This view is the output of a function that returns multiple "
                    "views. Such functions do not allow the output views to be modified "
                    "inplace. You should replace the inplace operation by an out-of-place one.")
        if result._value.dtype != self._value.dtype:
            if not _can_cast(result._value.dtype, self._value.dtype):
                raise RuntimeError(
                    f"result type {_dtypes.scalar_type_name(result.dtype)} can't be cast to "
                    f"the desired output type {_dtypes.scalar_type_name(self.dtype)}")
            result = apply(_astype, "ToCopyBackward0", result, dtype=self._value.dtype)
        if result._value.shape != self._value.shape and not reshape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(result.shape)}")
        if _forward_ad.active is not None:     # a dual tensor's in-place op: its tangent
            _forward_ad.set_tangent(self, result)
        self._value = result._value
        old_node, old_out = self._node, self._out
        if result._node is not None:
            self._node, self._out = result._node, result._out
        elif is_grad_enabled() and self._node is not None:
            # Overwritten by a value that depends on nothing requiring grad.
            self._node, self._out = None, 0
        elif self._node is not None:
            changed_outside_graph(self)     # (under no_grad)
        if old_node is not None and old_node.retained and self._node is not old_node:
            _move_retained(self, old_node, old_out)
        self._version += 1
        if self._aliases is not None:
            self._aliases.write(self)
        if view is not None:
            if "_detached_view" in self.__dict__:
                with _grad_mode.no_grad():          # (outside autograd, as .data)
                    _write_through(view, self)
            else:
                _write_through(view, self)
        if not reshape:
            refresh_views(self)
        return self

    # ---- printing ---------------------------------------------------------------------
    def __repr__(self, *, tensor_contents=None) -> str:
        self._require_concrete("printing a tensor (print/repr/str)")
        if isinstance(self._value, jax.core.Tracer):
            return f"tensor(<traced {self._value.aval.str_short()}>)"
        suffixes = []
        # An empty tensor shows every non-default-float dtype: no element hints at it.
        shown = (self.dtype != _dtypes.get_default_dtype() if self._value.size == 0
                 else not _dtypes.is_default(self.dtype))
        if shown:
            suffixes.append(f"dtype={self.dtype!r}")
        if self._node is not None:
            suffixes.append(f"grad_fn=<{self._node._name}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        return format_tensor(np.asarray(self._value), suffixes=suffixes)

    __str__ = __repr__

    # ---- pickling (values only, like torch.save of a tensor) --------------------------
    def __reduce__(self):
        return (_rebuild, (np.asarray(self._value), self._requires_grad))

    def __copy__(self):
        """copy.copy: a new leaf on this tensor's storage (a write through either shows in
        both), with its requires_grad and Python attributes, as torch's."""
        from .nn.parameter import Parameter
        if type(self) not in (Tensor, Parameter):      # (a subclass rebuilds as before)
            return copy._reconstruct(self, None, *self.__reduce_ex__(4))
        new = self._alias()
        if type(self) is Parameter:
            new = Parameter(new, self._requires_grad)
        elif self.requires_grad:
            new.requires_grad_(True)
        for k, v in self.__dict__.items():
            if not k.startswith("_"):
                setattr(new, k, v)
        return new

    def __deepcopy__(self, memo):
        """A copy of a leaf with its own value, requires_grad, a copy of its .grad and of
        its Python attributes, as torch's Tensor.__deepcopy__ (a Parameter's drops .grad,
        as torch's). A tensor with a grad_fn cannot be copied, as in torch."""
        if self._node is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        reduced = self.__reduce__()
        new = memo[id(self)] = reduced[0](*copy.deepcopy(reduced[1], memo))
        if type(new) is Tensor and self._grad is not None:
            new._grad = copy.deepcopy(self._grad, memo)
        for k, v in self.__dict__.items():
            if not k.startswith("_"):           # (the library's own entries stay behind)
                setattr(new, k, copy.deepcopy(v, memo))
        return new


def _real_item(t: "Tensor", c_type: str):
    """t.item(), a complex one as its real part where its imaginary part is 0 (torch's
    conversion for float()/int(), which refuses the others)."""
    v = t.item()
    if isinstance(v, builtins.complex):
        if v.imag != 0:
            raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")
        return v.real
    return v


def _rebuild(array, requires_grad):
    return Tensor._make(jnp.asarray(array), requires_grad)


def _device_put(x, *, device):
    return jax.device_put(x, device)


def _can_cast(src, dst) -> bool:
    # PyTorch forbids in-place results of a higher category (float into an int tensor).
    return _dtypes._category(np.dtype(src)) <= _dtypes._category(np.dtype(dst))


def typename(obj) -> str:
    """torch.typename: `torch.FloatTensor` for a Tensor, `numpy.ndarray`, `float`, ...
    (PyTorch's error messages name types this way)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = type(obj).__module__ or ""
        qualname = type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _wrap_dim(dim: int, ndim: int) -> int:
    """A possibly negative dim as an index, with PyTorch's IndexError when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def _flatten(t: Tensor):
    return (t._value,), (type(t), t._requires_grad)


def _unflatten(aux, children):
    cls, requires_grad = aux
    return cls._make(children[0], requires_grad)


jax.tree_util.register_pytree_node(Tensor, _flatten, _unflatten)
