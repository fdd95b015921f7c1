"""`differentiable=True`: the optimizer step recorded in the autograd graph, as torch's.

torch's differentiable step runs its in-place update with grad enabled, so the new
parameter (and every state buffer) is a function of the old parameter, of its `.grad`
(which may carry a graph, made with `create_graph=True`) and of the old state: unrolled
optimization and meta-learning differentiate through it. Here each parameter's update is
one recorded op, the same pure update as the ordinary step's program, whose outputs are
written into the parameter in place (`copy_`, a non-leaf as torch requires) and into the
state entry as tensors that keep their graph for the next step.

PyTorch-parity note: a hyperparameter given as a Tensor that requires grad (a learned lr)
enters as a constant: no gradient flows to it.
"""

from __future__ import annotations

import jax

from .._tensor import Tensor, apply
from ..autograd._grad_mode import enable_grad


def _f_update(p, g, *leaves, transform, treedef, update):
    new_p, new_state = update(transform, [p], [g], jax.tree.unflatten(treedef, leaves))
    return (new_p[0], *jax.tree.leaves(new_state))


def differentiable_update(params: list, state, transform, entries: list, update) -> None:
    """Updates each of `params` (with `.grad`) by `transform` through a recorded op
    (`update`: the ordinary step's group update, optimizer.update_group).

    state: the group's pure state NamedTuple (fields: one array per parameter, and the
    hyperparameters); entries: each parameter's state dict, whose Tensors (with the graph
    of earlier differentiable steps) stand in for the arrays and receive the new ones.
    """
    for i, (p, entry) in enumerate(zip(params, entries)):
        fields = {}
        for name in state._fields:
            value = getattr(state, name)
            if name == "hyperparams" or value is None:
                fields[name] = value
            else:
                held = entry.get(name)
                fields[name] = [held if isinstance(held, Tensor) else value[i]]
        leaves, treedef = jax.tree.flatten(type(state)(**fields),
                                           is_leaf=lambda x: isinstance(x, Tensor))
        grad = p.grad if p.grad.dtype == p.dtype else p.grad.to(p.dtype)
        with enable_grad():
            new_p, *new_leaves = apply(_f_update, "OptimizerStepBackward", p, grad, *leaves,
                                       transform=transform, treedef=treedef,
                                       update=update)
            p.copy_(new_p)
        new_state = jax.tree.unflatten(treedef, new_leaves)
        for name in state._fields:
            if name != "hyperparams" and getattr(new_state, name) is not None:
                entry[name] = getattr(new_state, name)[0]
