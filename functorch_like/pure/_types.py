"""Type aliases that read as documentation (optax `_src/base.py` style)."""

from __future__ import annotations

from typing import Any, Mapping

import jax

Array = jax.Array
PRNGKey = jax.Array
# A parameter pytree: a flat dict keyed by PyTorch state_dict names ("0.weight",
# "bn.running_mean"), arrays in PyTorch's layouts.
Params = Mapping[str, Any]
Shape = tuple[int, ...]
