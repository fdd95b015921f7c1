"""torch.random: the default generator's seeding and state, and fork_rng."""

from __future__ import annotations

import contextlib

from ._random import Generator, default_generator, get_rng_state, initial_seed, \
    manual_seed, seed, set_rng_state

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type=None):
    """Within the block the default generator may be reseeded or drawn from freely: its
    state is put back on leaving (also on an exception). enabled=False does nothing.

    PyTorch parity: there is one generator here for every device, so `devices` and
    `device_type` select nothing."""
    if not enabled:
        yield
        return
    state, initial = get_rng_state(), default_generator._seed
    try:
        yield
    finally:
        set_rng_state(state)
        default_generator._seed = initial       # (initial_seed() as before, as torch's)
