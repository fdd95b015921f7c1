"""A linear op whose PyTorch backward is a different linear op.

Some of PyTorch's backward kernels do not transpose their forward kernel exactly (the
nearest-neighbour backward copies a dim whose size is unchanged, or halves the index when
the size doubles, whatever scale factor the forward used). `mismatched_linear` states
such a pair: the forward, and the backward kernel whose vjp is again the forward kernel
(torch's double backward differentiates `upsample_*_backward` with the forward kernel).
"""

from __future__ import annotations

from typing import Callable

import jax

from ._types import Array

__all__ = ["mismatched_linear"]


def mismatched_linear(forward: Callable[[Array], Array], backward_of: Callable[[Array], Array],
                      x: Array) -> Array:
    """forward(x), with the gradient computed by the vjp of the linear `backward_of`.

    Args:
      forward: the linear forward kernel, x -> y.
      backward_of: the linear map, of the same shapes, whose transpose is PyTorch's backward
        kernel (for a gather: the gather that PyTorch's backward scatters with).
      x: the input.
    PyTorch parity: forward-mode AD (jvp) is not supported through this op (custom_vjp).
    """
    backward = jax.linear_transpose(backward_of, jax.ShapeDtypeStruct(x.shape, x.dtype))

    @jax.custom_vjp
    def fwd_op(a):
        return forward(a)

    @jax.custom_vjp
    def bwd_op(g):
        return backward(g)[0]

    fwd_op.defvjp(lambda a: (forward(a), None), lambda _, g: (bwd_op(g),))
    bwd_op.defvjp(lambda g: (backward(g)[0], None), lambda _, gg: (fwd_op(gg),))
    return fwd_op(x)
