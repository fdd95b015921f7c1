"""torch.autograd: backward, grad, grad mode, and the graph's nodes.

Gradients come from `jax.vjp` of the recorded graph (see _engine.py); there are no
hand-written backward formulas.
"""

from __future__ import annotations

from typing import Sequence

from . import _errors
from ._engine import compile_count as compile_count
from ._engine import run_backward
from ._grad_mode import enable_grad as enable_grad
from ._grad_mode import inference_mode as inference_mode
from ._grad_mode import no_grad as no_grad
from ._grad_mode import _state as _grad_state
from ._grad_mode import set_grad_enabled as set_grad_enabled
from ._node import AccumulateGrad as AccumulateGrad
from ._node import Node as Node
from . import forward_ad as forward_ad
from . import function as function
from . import graph as graph
from . import profiler as profiler
from .anomaly_mode import detect_anomaly as detect_anomaly
from .anomaly_mode import is_anomaly_enabled as is_anomaly_enabled
from .anomaly_mode import set_detect_anomaly as set_detect_anomaly
from .function import Function as Function
from .function import once_differentiable as once_differentiable

__all__ = ["AccumulateGrad", "Function", "Node", "Variable", "backward",
           "compile_count", "detect_anomaly", "enable_grad", "forward_ad", "function",
           "functional", "grad", "gradcheck", "gradgradcheck", "graph", "inference_mode",
           "is_anomaly_enabled", "is_grad_enabled", "no_grad", "once_differentiable",
           "profiler", "set_detect_anomaly", "set_grad_enabled"]




def is_grad_enabled() -> bool:
    """Whether grad mode is on (torch.is_grad_enabled). PyTorch-parity note: inside a
    torch.func transform's function, where JAX differentiates and no tape is recorded, it
    is on unless an inner no_grad() turned it off, as torch's (the library's own ops read
    the tape's switch, _grad_mode.is_grad_enabled)."""
    if _grad_state.in_func:
        return not _grad_state.func_no_grad
    return _grad_state.enabled

def _as_list(x):
    from .._tensor import Tensor
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _root_grads(outputs, grad_outputs):
    from .._factories import ones_like
    from .._tensor import Tensor
    grads = []
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(_errors.no_grad_fn(i))
        g = grad_outputs[i] if grad_outputs is not None else None
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(_errors.SCALAR_ONLY)
            if not out.is_floating_point():
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            g = ones_like(out)
        elif not isinstance(g, Tensor):
            from .._factories import tensor
            g = tensor(g, dtype=out.dtype)
        if g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} "
                               f"and output[{i}] has a shape of {out.shape}.")
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs=None) -> None:
    """Accumulates the gradients of `tensors` into `.grad` of the leaves they depend on.

    Args:
      tensors: a Tensor or a sequence of Tensors to differentiate.
      grad_tensors: their cotangents (required for non-scalar tensors).
      retain_graph: keep the graph for another backward (defaults to create_graph).
      create_graph: record the gradient computation, for higher-order gradients.
      inputs: only accumulate into these tensors.
    """
    outputs = _as_list(tensors)
    if inputs is not None and not _as_list(inputs):
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _root_grads(outputs, _as_list(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(outputs, grads, inputs=_as_list(inputs), retain_graph=retain_graph,
                 create_graph=create_graph, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """The gradients of `outputs` with respect to `inputs`, without touching `.grad`.

    Returns:
      A tuple with one gradient per input (None for unused inputs when allow_unused).
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    given = _as_list(grad_outputs)
    if given is not None and len(given) < len(outs):
        # (torch pairs them with zip, so extra grad_outputs go unread)
        raise RuntimeError(f"got {len(outs)} tensors and {len(given)} gradients")
    # (the outputs first, as torch's engine checks them)
    for i, t in enumerate(outs):
        if not t.requires_grad and t.grad_fn is None:
            raise RuntimeError(_errors.no_grad_fn(i))
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        result = _batched_grad(outs, ins, _as_list(grad_outputs), retain_graph,
                               create_graph, allow_unused)
    else:
        grads = _root_grads(outs, _as_list(grad_outputs))
        result = run_backward(outs, grads, inputs=ins, retain_graph=retain_graph,
                              create_graph=create_graph, accumulate=False,
                              allow_unused=allow_unused)
    if materialize_grads:
        # (as torch's: the input's shape, batched or not, requiring grad with create_graph)
        from .._factories import zeros_like
        result = tuple(zeros_like(t, requires_grad=create_graph) if g is None else g
                       for t, g in zip(ins, result))
    return result


def _batched_grad(outs, ins, grad_outputs, retain_graph, create_graph, allow_unused
                  ) -> tuple:
    """`is_grads_batched=True`: each grad_output has a leading batch dimension; one
    vector-Jacobian product per batch element (the same graph, so one compilation),
    stacked."""
    from .._ops_shape import stack
    if grad_outputs is None:
        raise RuntimeError("is_grads_batched=True requires grad_outputs")
    rows = []
    n = grad_outputs[0].shape[0]
    for b in range(n):
        rows.append(grad(outs, ins, [g[b] for g in grad_outputs],
                         retain_graph=retain_graph or b < n - 1, create_graph=create_graph,
                         allow_unused=allow_unused))
    return tuple(None if col[0] is None else stack(list(col)) for col in zip(*rows))


# (after `grad`, which they use)
from . import functional as functional  # noqa: E402
from .gradcheck import gradcheck as gradcheck  # noqa: E402
from .gradcheck import gradgradcheck as gradgradcheck  # noqa: E402


def Variable(data, requires_grad: bool = False):
    """The legacy wrapper: returns the tensor itself, with requires_grad set."""
    if requires_grad:
        data.requires_grad_(True)
    return data
