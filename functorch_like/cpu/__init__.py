"""torch.cpu: the CPU device module (always available) and its deprecated `amp`."""

from ..amp._deprecated import cpu_amp as amp


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device=None) -> None:
    """Waits for pending CPU work: JAX dispatches asynchronously; nothing is held here."""


__all__ = ["amp", "current_device", "device_count", "is_available", "synchronize"]
