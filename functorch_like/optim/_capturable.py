"""torch's refusal of `capturable=True` for parameters off an accelerator.

torch's capturable step keeps its step counts on the parameters' device for CUDA-graph
capture; on the CPU its step raises an AssertionError that names the devices allowed. The
text differs by optimizer and by implementation (single-tensor, or foreach=True), as below
(torch 2.13). With no accelerator torch's foreach=None means the single-tensor one.
"""

from __future__ import annotations

import jax

_DEVICES = ["cuda", "xpu", "hpu", "privateuseone"]
_PLAIN = "params and state_steps"
# torch class name -> ((subject, lists "xla") single-tensor, (subject, lists "xla") foreach)
_MESSAGES = {
    "Adam": ((_PLAIN, True), (_PLAIN, False)),
    "AdamW": ((_PLAIN, True), (_PLAIN, False)),
    "Adamax": ((_PLAIN, True), (_PLAIN, False)),
    "RAdam": ((_PLAIN, True), (_PLAIN, False)),
    "Adadelta": ((_PLAIN, False), (_PLAIN, False)),
    "RMSprop": ((_PLAIN, True), (_PLAIN, True)),
    "Rprop": ((_PLAIN, True), (_PLAIN, True)),
    "NAdam": (("params, mu_products and state_steps", True),
              ("params, mu_products, and state_steps", False)),
    "ASGD": (("params, mus, etas, and state_steps", True),
             ("params, mus, etas, and state_steps", False)),
}


def check_capturable(cls: type, group: dict, params: list) -> None:
    """Raises torch's AssertionError when `group` asks for capturable=True and one of
    `params` (those about to step) is on a device torch cannot capture on."""
    if not group.get("capturable") or not params:
        return
    if any(isinstance(p._value, jax.core.Tracer) for p in params):
        return      # (traced by compile: a tracer has no device to check, so none is made)
    known = next((c.__name__ for c in cls.__mro__ if c.__name__ in _MESSAGES), None)
    if known is None:
        return
    devices = _DEVICES + ["xla"]
    if all(p.device.type in devices[:-1] for p in params):
        return
    subject, with_xla = _MESSAGES[known][1 if group.get("foreach") else 0]
    allowed = devices if with_xla else _DEVICES
    raise AssertionError(f"If capturable=True, {subject} must be on supported devices: "
                         f"{allowed}.")
