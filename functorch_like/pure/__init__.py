"""The pure functional core: jax arrays and pytrees in, out; no mutation, no facade imports.

Everything here works under `jax.jit`, `jax.grad` and `jax.vmap`.
"""

from . import init as init
from . import losses as losses
from . import nn as nn
from . import optim as optim
from ._errors import DTypeError as DTypeError
from ._errors import OutOfBoundsError as OutOfBoundsError
from ._errors import ShapeError as ShapeError

__all__ = ["DTypeError", "OutOfBoundsError", "ShapeError", "init", "losses", "nn", "optim"]
