"""functorch_like: PyTorch's core on JAX.

`functorch_like.pure` is the functional core (layers, losses, initializers, optimizers as
pure functions of jax arrays and pytrees).
"""

from . import pure as pure

__version__ = "0.1.0"

__all__ = ["pure"]
