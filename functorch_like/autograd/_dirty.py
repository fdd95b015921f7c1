"""`ctx.mark_dirty`: an autograd.Function that modifies its inputs in place.

The user's forward runs on fresh Tensors wrapping the input arrays (inside the traced op),
so an in-place change there reaches only the wrapper; its new value comes out as the output
forward returns for it. `dirty_outputs` (at trace time) finds which outputs are dirty
inputs; `rebind_dirty` (in `Function.apply`, on the caller's tensors) makes each such input
take its output's value and graph node through `Tensor._set`, the step every in-place op
ends with, and hands back the input object itself, as PyTorch's `c is b`.
"""

from __future__ import annotations

import warnings

from ._grad_mode import is_grad_enabled, no_grad

__all__ = ["dirty_outputs", "rebind_dirty"]

# torch 2.13's texts (custom_function.cpp); the leaf one says "has been used", where a
# plain in-place op on a leaf says "is being used".
LEAF_DIRTY = "a leaf Variable that requires grad has been used in an in-place operation."
NOT_RETURNED = ("Some elements marked as dirty during the forward method were not returned "
                "as output. The inputs that are modified inplace must all be outputs of the "
                "Function.")
NOT_INPUT = ("ctx.mark_dirty() received a tensor that was not an input. Only input Tensors "
             "that have been mutated should be passed to ctx.mark_dirty().")


def dirty_outputs(ctx, inputs, outs, name: str) -> tuple:
    """((output index, tensor-input index, in-place ops count), ...) for the inputs marked
    dirty.

    Args:
      ctx: the FunctionCtx after forward (and setup_context) ran.
      inputs: the Tensors wrapping the input arrays that forward got, in order.
      outs: the Tensors forward returned.
      name: the node's name, for the error texts.
    """
    position = {id(t): k for k, t in enumerate(inputs)}
    dirty = {}
    for t in getattr(ctx, "dirty_tensors", ()):
        if id(t) in position:
            dirty[id(t)] = position[id(t)]
        else:
            warnings.warn(NOT_INPUT, UserWarning, stacklevel=4)     # torch: a warning only
    returned = {id(o): i for i, o in enumerate(outs)}
    if any(key not in returned for key in dirty):
        raise RuntimeError(NOT_RETURNED)
    for k, t in enumerate(inputs):
        # torch changes the caller's tensor even when it is not marked; here the change
        # would stay in the wrapper, so it is an error rather than a silently stale input.
        if t._version and id(t) not in dirty:
            raise RuntimeError(
                f"functorch_like: the forward of {name} modified its tensor input {k} in "
                "place without ctx.mark_dirty: mark it with ctx.mark_dirty and return it "
                "(or work on a clone) so that the change reaches the caller's tensor")
    return tuple((returned[key], k, inputs[k]._version) for key, k in dirty.items())


def rebind_dirty(outs: tuple, inputs: list, dirty: tuple) -> tuple:
    """`outs` with each dirty output replaced by its input, which now holds the output's
    value and (when grad is recorded) its grad_fn, as PyTorch's."""
    from .._tensor import Tensor
    outs = list(outs)
    for i, k, count in dirty:
        inp, new = inputs[k], outs[i]
        # torch's version counter: forward's in-place ops on the input and one for
        # mark_dirty; `_set` below counts one.
        inp._version += count
        if not is_grad_enabled():
            # torch: the value changes and the graph does not; an input that requires grad
            # comes back as a detached alias, any other as itself.
            inp._set(Tensor._make(new._value))
            # (the eager flag: a torch.func transform's input requires grad at its level
            # only, where this detach would cut the transform's own derivative)
            outs[i] = inp.detach() if inp._requires_grad or inp._node is not None else inp
            continue
        if inp._node is None and inp._requires_grad:
            with no_grad():             # torch's forward has already changed the leaf
                inp._set(Tensor._make(new._value))
            raise RuntimeError(LEAF_DIRTY)
        inp._set(new)
        outs[i] = inp
    return tuple(outs)
