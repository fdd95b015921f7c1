"""Forward-mode AD (torch.func.jvp, jacfwd, hessian) meeting a custom autograd.Function.

A Function is a `jax.custom_vjp`, through which JAX cannot push tangents: it raises a
TypeError naming custom_vjp. This raises torch's errors instead, at the Function's call.
"""

from __future__ import annotations

import jax

SETUP_CONTEXT_NEEDED = (
    "In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, "
    "jacrev, ...), it must override the setup_context staticmethod. For more details, "
    "please see https://pytorch.org/docs/main/notes/extending.func.html")
JVP_NEEDED = ("You must implement the jvp function for custom autograd.Function to use it "
              "with forward mode AD.")


def _forward_mode(x) -> bool:
    """Whether the array `x` carries a forward-mode tangent, at any depth of nesting (a
    JVPTracer, or one under the linearize or batch tracers wrapping it)."""
    while isinstance(x, jax.core.Tracer):
        if type(x).__name__ == "JVPTracer":
            return True
        x = getattr(x, "primal", getattr(x, "val", None))
    return False


def refuse_forward_mode(cls, arrays, has_setup_context: bool, has_jvp: bool) -> None:
    """Raises torch's error when the inputs of `cls.apply` are under forward-mode AD.

    PyTorch parity: torch runs a Function's `jvp` staticmethod in forward mode; here one
    it defines is not supported, and says so.
    """
    if not any(map(_forward_mode, arrays)):
        return
    if not has_setup_context:
        raise RuntimeError(SETUP_CONTEXT_NEEDED)
    if has_jvp:
        raise NotImplementedError(
            f"functorch_like: forward-mode AD (torch.func.jvp, jacfwd, hessian) does not "
            f"run the jvp staticmethod of {cls.__name__}; use reverse mode (torch.func.grad, "
            f"jacrev, vjp)")
    raise NotImplementedError(JVP_NEEDED)
