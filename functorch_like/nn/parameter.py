"""nn.Parameter: a leaf Tensor that Modules register as a parameter."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .. import _trace_state
from .._factories import require_grad
from .._tensor import Tensor, _flatten, _unflatten, share_storage
from .._writes import WRITES


class Parameter(Tensor):
    """A Tensor that is a module parameter; requires grad by default.

    `Parameter(data)` shares the data's storage, as PyTorch's: an in-place change of
    either shows in the other.
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            value = jnp.zeros((0,))
        elif isinstance(data, Tensor):
            value = data._value
        else:
            value = jnp.asarray(data)
        self._init(value)
        if isinstance(data, Tensor):
            # Shares the tensor's storage, as torch's: in-place changes of either (an
            # init of the tensor after wrapping, an optimizer step) show in the other.
            share_storage(data, self)
        if requires_grad:
            require_grad(self)
        else:
            self.requires_grad = False
        self._serial = next(_trace_state.serials)   # (see _trace_state: made when)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    # Tensor binds __str__ to its own __repr__; print(param) must show the prefix too.
    __str__ = __repr__

    def __reduce__(self):
        import numpy as np
        return (_rebuild_parameter, (np.asarray(self._value), self._requires_grad))


def _rebuild_parameter(array, requires_grad):
    return Parameter(jnp.asarray(array), requires_grad)


class Buffer(Tensor):
    """`nn.Buffer(data, persistent=True)`: marks a tensor to register as a buffer."""

    def __init__(self, data: Tensor, *, persistent: bool = True):
        self._init(data._value if isinstance(data, Tensor) else jnp.asarray(data))
        self.persistent = persistent


jax.tree_util.register_pytree_node(Parameter, _flatten, _unflatten)


# ---- lazy modules' placeholders ------------------------------------------------------

_VALUE_SLOT = Tensor.__dict__["_v"]        # Tensor's own storage for the array


def _internal(frame) -> bool:
    return frame.f_globals.get("__name__", "").startswith("functorch_like.")


def _use_error(cls_name: str, frame) -> Exception:
    """PyTorch's error for touching a placeholder from `frame`: the operation named is the
    outermost library function on the stack; load_state_dict gets the shape error."""
    name = "<unknown>"
    while frame is not None and _internal(frame):
        if frame.f_code.co_name == "_load_from_state_dict":
            return RuntimeError(_SHAPE_ERROR)
        if not frame.f_code.co_name.startswith("<"):
            name = frame.f_code.co_name
        frame = frame.f_back
    return ValueError(
        f"Attempted to use an uninitialized parameter in <function {name}>. This error "
        "happens when you are using a `LazyModule` or explicitly manipulating "
        f"`torch.nn.parameter.{cls_name}` objects. When using LazyModules Call `forward` "
        "with a dummy batch to initialize the parameters before calling torch functions")


_SHAPE_ERROR = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually "
    "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
    "initialized one. Call `forward` to initialize the parameters before accessing their "
    "attributes.")


class UninitializedTensorMixin:
    """A parameter or buffer whose shape is not known yet (lazy modules).

    It holds an empty placeholder that carries the dtype and device to materialize with;
    any operation on it raises ValueError and `.shape` raises RuntimeError, as PyTorch.
    `materialize(shape)` turns it, in place, into its `cls_to_become`.

    PyTorch parity: `detach()` (which Module.float()/double() use here) returns an empty
    tensor of the placeholder's dtype instead of raising.
    """

    __slots__ = ()
    cls_to_become: type = Tensor

    @property
    def _value(self):
        import sys
        raise _use_error(type(self).__name__, sys._getframe(1))

    @_value.setter
    def _value(self, value) -> None:
        _VALUE_SLOT.__set__(self, value)
        WRITES.count += 1

    def _placeholder(self):
        return _VALUE_SLOT.__get__(self)

    @property
    def shape(self):
        # From user code PyTorch raises the shape error; inside an operation, the use error.
        import sys
        caller = sys._getframe(1)
        if _internal(caller):
            raise _use_error(type(self).__name__, caller)
        raise RuntimeError(_SHAPE_ERROR)

    @property
    def dtype(self):
        from .. import _dtypes
        return _dtypes.from_jax(self._placeholder().dtype)

    @property
    def device(self):
        from .. import _device
        return _device.of_array(self._placeholder())

    def to(self, *args, **kwargs) -> Tensor:
        """An empty Tensor converted like `Tensor.to` (the placeholder's dtype/device)."""
        return Tensor._make(self._placeholder()).to(*args, **kwargs)

    def detach(self) -> Tensor:
        return Tensor._make(self._placeholder())

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Becomes a `cls_to_become` of `shape` (zeros here; the module then initializes
        it), keeping the placeholder's dtype/device unless given."""
        from .. import _device, _dtypes
        placeholder = self._placeholder()
        value = jnp.zeros(tuple(shape),
                          placeholder.dtype if dtype is None else _dtypes.to_jax(dtype))
        if device is not None:
            value = jax.device_put(value, _device.device(device).jax_device())
        _VALUE_SLOT.__set__(self, value)
        WRITES.count += 1
        self.__class__ = self.cls_to_become

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, None, self.dtype)
        return memo[id(self)]


def _placeholder(device, dtype):
    from .. import _device, _dtypes
    value = jnp.zeros((0,), jnp.float32 if dtype is None else _dtypes.to_jax(dtype))
    if device is not None:
        value = jax.device_put(value, _device.device(device).jax_device())
    return value


def is_lazy(param) -> bool:
    """Whether `param` is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter of a lazy module, before its shape is known (see the mixin)."""

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        self._init(_placeholder(device, dtype))
        self._requires_grad = bool(requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer of a lazy module, before its shape is known (see the mixin)."""

    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device=None, dtype=None,
                 persistent: bool = True):
        self._init(_placeholder(device, dtype))
        self._requires_grad = bool(requires_grad)
        self.persistent = persistent
