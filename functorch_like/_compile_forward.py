"""Compiled forwards whose result needs grad: one recorded op per call.

A compiled function that runs no backward itself but returns tensors that need grad (a
compiled model's forward, `torch.compile(model)`) must leave a graph for a later eager
`loss.backward()`. Its program then runs as one op of the autograd graph
(`CompiledFunctionBackward`): the op's inputs are the parameters and tensor arguments that
need grad, its outputs are all of the program's outputs, and backward replays the program
under jax.vjp with the values and the RNG key of this call (the same dropout mask).
Nothing is donated: the graph keeps the values it saw, as eager autograd does.
"""

from __future__ import annotations

import jax

from ._compile_args import split_args
from ._compile_reach import in_order, is_argument_leaf
from ._compile_state import StepState
from ._tensor import Tensor, apply


def call_differentiable(program, state: StepState, inputs: tuple, args, kwargs) -> tuple:
    """Runs one call of a differentiable program as a recorded op.

    Returns (outputs, tensors, traced): the program's outputs as arrays, in its output
    structure; the result's leaves as Tensors (recorded where the program says they need
    grad, plain otherwise, None for non-array leaves); whether these input shapes are new.
    """
    leaves, in_treedef = jax.tree.flatten(inputs)
    if program.pure is None:
        program.pure = jax.jit(program.run, keep_unused=True)
    shapes = (in_treedef, tuple((v.shape, v.dtype) for v in leaves))
    traced = shapes not in program.shapes
    program.shapes.add(shapes)
    # The leaves to differentiate: the state's tensors' values come first in the inputs,
    # the tensor arguments last.
    mixed = list(leaves)
    for i, t in enumerate(state.tensors):
        if t._requires_grad:
            mixed[i] = t
    _, _, sources = split_args(
        jax.tree.leaves(in_order((args, kwargs)), is_leaf=is_argument_leaf),
        state.tensor_index, program.numbers)
    start = len(leaves) - len(sources)
    for i, t in enumerate(sources):
        if t is not None and (t._requires_grad or t._node is not None):
            mixed[start + i] = t
    program.io = (in_treedef,) + (program.io[1:] if program.io else (None, None))
    outs = apply(_run_pure, "CompiledFunctionBackward", *mixed, program=program)
    outs = outs if isinstance(outs, tuple) else (outs,)
    _, out_treedef, n_state = program.io
    outputs = jax.tree.unflatten(out_treedef, [o._value for o in outs])
    # What the step appended to a list (`losses.append(loss)`) keeps its graph, as eagerly.
    outputs = (*outputs[:4], jax.tree.unflatten(out_treedef, list(outs))[4], *outputs[5:])
    result_outs = iter(outs[n_state:])
    tensors = []
    for j, a in enumerate(outputs[1]):
        if a is None:
            tensors.append(None)
            continue
        out = next(result_outs)
        tensors.append(out if j in program.differentiable else Tensor._make(out._value))
    return outputs, tensors, traced


def _run_pure(*leaves, program):
    """The recorded op: the step's program as a pure function of its flat inputs,
    returning its flat outputs (what backward replays under jax.vjp)."""
    outputs = program.pure(*jax.tree.unflatten(program.io[0], leaves))
    flat, out_treedef = jax.tree.flatten(outputs)
    if program.io[1] is None:
        program.io = (program.io[0], out_treedef, len(jax.tree.leaves(outputs[0])))
    return tuple(flat)
