"""torch.utils.checkpoint: checkpoint and checkpoint_sequential.

Activation checkpointing trades compute for memory by recomputing a segment's forward
during backward. The engine here already works that way: a node keeps its inputs, not its
intermediate results, and backward replays the recorded forward inside one compiled
program (autograd/_engine.py), where XLA chooses what to keep. So `checkpoint(f, x)`
records `f` as usual and returns exactly `f(x)`: the same values, the same gradients (to
the arguments and to the parameters `f` uses), the same RNG draws.

PyTorch parity: the output's grad_fn is the last op of `function` (PyTorch's reentrant
variant shows `CheckpointFunctionBackward`); `preserve_rng_state`, `context_fn`,
`determinism_check`, `debug` and `early_stop` are accepted and have nothing to change,
since the forward runs once. Inside functorch_like.compile, where each op is linearized as
it is traced, the per-op residuals are kept (use `jax.checkpoint` in the pure core to
rematerialize there).
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

__all__ = ["checkpoint", "checkpoint_sequential"]


def _uses_reentrant(use_reentrant, where: str, text: str) -> bool:
    if use_reentrant is None:
        warnings.warn(f"{where}: the use_reentrant parameter should be passed explicitly. "
                      f"{text} use_reentrant=False is recommended, but if you need to preserve "
                      "the current default behavior, you can pass use_reentrant=True. Refer to "
                      "docs for more details on the differences between the two variants.",
                      stacklevel=3)
        return True
    return bool(use_reentrant)


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None,
               context_fn: Callable | None = None, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, preserve_rng_state: bool = True,
               **kwargs) -> Any:
    """Returns `function(*args, **kwargs)`, recorded for backward (see the module note).

    Args:
      function: the segment to run (a Module or any callable of Tensors).
      args: its positional arguments.
      use_reentrant: as PyTorch; leaving it out warns, as PyTorch 2.13 does.
      kwargs: keyword arguments for `function` (PyTorch's reentrant variant refuses them).
    """
    reentrant = _uses_reentrant(
        use_reentrant, "torch.utils.checkpoint",
        "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
        "exception.")
    if reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        from .._tensor import Tensor
        from ..autograd import is_grad_enabled, no_grad
        if is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad
                                         for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          stacklevel=2)
            # (torch's reentrant checkpoint then records nothing: its output does not
            # require grad, and the parameters inside get no gradient)
            with no_grad():
                return checkpoint(function, *args, use_reentrant=False,
                                  context_fn=context_fn)
    if context_fn is not None:
        forward_ctx, _ = context_fn()
        with forward_ctx:
            return function(*args, **kwargs)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Runs a Sequential (or a list of modules/functions) in `segments` checkpointed chunks;
    the result is that of running them in order."""
    reentrant = _uses_reentrant(
        use_reentrant, "torch.utils.checkpoint.checkpoint_sequential",
        "In version 2.9 we will raise an exception if use_reentrant is not passed.")
    if not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        chunk = functions[start:end + 1]
        input = checkpoint(_run_chunk(chunk), input, use_reentrant=reentrant, **kwargs)
    return _run_chunk(functions[end + 1:])(input)


def _run_chunk(chunk):
    def forward(x):
        for fn in chunk:
            x = fn(x)
        return x
    return forward
