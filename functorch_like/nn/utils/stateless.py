"""torch.nn.utils.stateless: functional_call, torch's older home of
functorch_like.func.functional_call (the same function)."""

from __future__ import annotations

from ...func import functional_call as functional_call

__all__ = ["functional_call"]
