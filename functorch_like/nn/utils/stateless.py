"""torch.nn.utils.stateless: functional_call, torch's older home of
functorch_like.func.functional_call (the same computation, with torch's deprecation
warning)."""

from __future__ import annotations

import functools
import warnings

from ... import func as _func

__all__ = ["functional_call"]


@functools.wraps(_func.functional_call)
def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch "
                  "2.0 and will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _func.functional_call(module, parameters_and_buffers,
                                 () if args is None else args, kwargs,
                                 tie_weights=tie_weights, strict=strict)
