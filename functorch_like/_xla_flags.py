"""XLA options this library sets for PyTorch's numbers, before JAX starts its backends.

`--xla_allow_excess_precision=false`: XLA may otherwise skip a rounding to bfloat16 or
float16 inside one program (an f32 -> bf16 -> f32 round trip is removed). PyTorch rounds
every op's result to the tensor's dtype, and here backward passes and compiled steps are
whole programs: with the excess precision, gradients through `x.bfloat16() @ w` or an
autocast region, and compiled mixed-precision steps, kept float32 values where torch has
bfloat16 ones (a GAN under autocast drifted by 0.8 in a weight after 5 steps). Programs
without half-precision types are unaffected.

It is set only when XLA_FLAGS does not name the option (set
`XLA_FLAGS=--xla_allow_excess_precision=true` for XLA's default) and only before JAX's
backends start: XLA reads its flags once, when the first backend is made, so a process
that ran JAX computations before importing functorch_like keeps XLA's default.
"""

from __future__ import annotations

import os

_FLAG = "--xla_allow_excess_precision=false"


def set_flags() -> bool:
    """Adds the options to XLA_FLAGS if JAX has not started yet; whether they apply."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_allow_excess_precision" in flags:
        return "xla_allow_excess_precision=false" in flags
    try:
        from jax._src import xla_bridge
        started = xla_bridge.backends_are_initialized()
    except (ImportError, AttributeError):   # (a JAX without it: set it, as before start)
        started = False
    if started:
        return False
    os.environ["XLA_FLAGS"] = f"{flags} {_FLAG}".strip()
    return True


excess_precision_off = set_flags()
