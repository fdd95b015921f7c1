"""torch.Generator's API beside its draws, against torch 2.13: `device` is a
torch.device (was the string given), `clone_state()` gives an independent generator in
the same state (was missing), and set_state/set_rng_state refuse what is no ByteTensor
state with torch's errors (a list was accepted; a float tensor raised JAX's error)."""

import pytest
import torch

import functorch_like as fl


@pytest.mark.parametrize("lib", [fl, torch], ids=["fl", "torch"])
def test_generator_device_is_a_device(lib):
    g = lib.Generator()
    assert g.device == lib.device("cpu")
    assert type(g.device) is lib.device
    assert repr(g.device) == "device(type='cpu')"


@pytest.mark.parametrize("lib", [fl, torch], ids=["fl", "torch"])
def test_clone_state_continues_the_same_stream_independently(lib):
    g = lib.Generator().manual_seed(7)
    lib.rand(2, generator=g)
    c = g.clone_state()
    assert c is not g and type(c) is type(g)
    assert c.initial_seed() == g.initial_seed() == 7
    first = lib.rand(3, generator=c)
    assert lib.equal(first, lib.rand(3, generator=g))
    lib.rand(5, generator=c)                      # (advancing one leaves the other)
    assert lib.equal(lib.rand(2, generator=g.clone_state()), lib.rand(2, generator=g))


def _error(fn):
    try:
        fn()
    except Exception as e:      # (compared with torch's)
        return type(e).__name__, str(e).split(" of size")[0]
    return None


@pytest.mark.parametrize("bad", ["list", "float tensor", "int64 tensor", "short bytes"])
def test_set_rng_state_refuses_what_torch_refuses(bad):
    def run(lib):
        value = {"list": [1, 2], "float tensor": lib.zeros(3),
                 "int64 tensor": lib.zeros(8, dtype=lib.int64),
                 "short bytes": lib.zeros(3, dtype=lib.uint8)}[bad]
        return _error(lambda: lib.set_rng_state(value))
    assert run(fl) == run(torch) is not None


def test_a_saved_state_restores_the_stream():
    state = fl.get_rng_state()
    a = fl.rand(4)
    fl.set_rng_state(state)
    assert fl.equal(fl.rand(4), a)
