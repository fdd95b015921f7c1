"""torch.backends.openmp: XLA's CPU backend runs on its own thread pool, not OpenMP."""


def is_available() -> bool:
    return False
