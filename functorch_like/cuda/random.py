"""torch.cuda.random: seeding the CUDA generators.

PyTorch parity: torch keeps one generator per GPU next to the CPU one. Here one global
generator serves every device (functorch_like/_random.py), so:
  * without a GPU, these touch nothing (torch's seeding calls are queued for a CUDA
    init that never comes; `torch.cuda.manual_seed(0)` does not change `torch.rand`);
  * with a GPU, seeding reseeds the shared generator, so GPU draws are reproducible as
    in torch, at the cost that CPU draws are reseeded too.
"""

from __future__ import annotations

from .. import _random
from .._device import cuda_is_available
from . import _state


def manual_seed(seed: int) -> None:
    if cuda_is_available():
        _random.manual_seed(int(seed))


manual_seed_all = manual_seed


def seed() -> None:
    if cuda_is_available():
        _random.seed()


seed_all = seed


def initial_seed() -> int:
    _state.require()
    return _random.initial_seed()


def get_rng_state(device="cuda"):
    _state.require()
    return _random.get_rng_state()


def set_rng_state(new_state, device="cuda") -> None:
    if cuda_is_available():
        _random.set_rng_state(new_state)


def get_rng_state_all() -> list:
    return [get_rng_state() for _ in range(_state_count())]


def set_rng_state_all(new_states) -> None:
    for state in new_states:
        set_rng_state(state)


def _state_count() -> int:
    import jax
    return len(jax.devices("gpu")) if cuda_is_available() else 0
