"""nn.Parameter: a leaf Tensor that Modules register as a parameter."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._tensor import Tensor, _flatten, _unflatten


class Parameter(Tensor):
    """A Tensor that is a module parameter; requires grad by default.

    `Parameter(data)` wraps the data's value (shared, as PyTorch shares storage).
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            value = jnp.zeros((0,))
        elif isinstance(data, Tensor):
            value = data._value
        else:
            value = jnp.asarray(data)
        self._init(value)
        self.requires_grad = requires_grad

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
