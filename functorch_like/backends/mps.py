"""torch.backends.mps: Apple's Metal backend, which this JAX runtime does not use."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
