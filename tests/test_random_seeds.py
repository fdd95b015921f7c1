"""Seeds, RNG states and factory size keywords as torch 2.13 takes them."""

import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl


@pytest.mark.parametrize("seed", [-1, 2**63, 2**64 - 1, -2**63])
def test_every_seed_torch_takes_is_taken_and_reported_as_torch(seed):
    # OverflowError for negative seeds and seeds >= 2**63.
    fl.manual_seed(seed)
    torch.manual_seed(seed)
    assert fl.initial_seed() == torch.initial_seed()


def test_seeds_differing_above_32_bits_give_different_streams():
    # Without x64, jax.random.key kept the low 32 bits: 2**32 seeded as 0.
    fl.manual_seed(0)
    zero = fl.rand(4).tolist()
    fl.manual_seed(2**32)
    assert fl.rand(4).tolist() != zero
    fl.manual_seed(-1)
    minus_one = fl.rand(4).tolist()
    fl.manual_seed(2**64 - 1)
    assert fl.rand(4).tolist() == minus_one


def test_an_out_of_range_seed_raises_torchs_error_and_keeps_the_old_seed():
    fl.manual_seed(7)
    for L in (fl, torch):
        with pytest.raises(ValueError, match="Overflow when unpacking long long"):
            L.manual_seed(2**64)
    assert fl.initial_seed() == 7


def test_rng_state_is_a_byte_tensor_that_restores_the_stream():
    # Its dtype was uint32, which .dtype and printing could not show.
    fl.manual_seed(3)
    state = fl.get_rng_state()
    assert str(state.dtype) == str(torch.get_rng_state().dtype) == "torch.uint8"
    assert "uint8" in repr(state)
    first = fl.rand(3).tolist()
    fl.set_rng_state(state)
    assert fl.rand(3).tolist() == first
    g = fl.Generator().manual_seed(1)
    saved = g.get_state()
    draw = fl.randn(2, generator=g).tolist()
    assert fl.randn(2, generator=g.set_state(saved)).tolist() == draw


@pytest.mark.parametrize("make", [
    lambda L: L.zeros(size=(2, 3)), lambda L: L.ones(size=[2]), lambda L: L.empty(size=(1,)),
    lambda L: L.rand(size=(2,)), lambda L: L.randn(size=(2, 2)),
    lambda L: L.randint(3, size=(2,)), lambda L: L.randint(high=3, size=(2,)),
    lambda L: L.randint(low=1, high=3, size=(4,))])
def test_factories_take_size_and_bounds_by_keyword(make):
    ours, theirs = make(fl), make(torch)
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype)


def test_sizes_given_twice_raise_torchs_type_error():
    for L in (fl, torch):
        with pytest.raises(TypeError, match="got multiple values for argument 'size'"):
            L.zeros(2, size=(3,))


@pytest.mark.parametrize("draw", [
    lambda L: L.empty(2).uniform_(2, 1), lambda L: L.empty(2).normal_(0, -1.0),
    lambda L: L.bernoulli(L.full((2,), 1.5)), lambda L: L.bernoulli(L.full((2,), -0.5)),
    lambda L: L.empty(2).bernoulli_(1.5), lambda L: L.bernoulli(L.full((2,), 0.5), p=2.0),
    lambda L: L.normal(L.zeros(2), L.tensor([-1.0, 1.0])),
    lambda L: L.empty(2).exponential_(-1.0)])
def test_random_draws_refuse_invalid_parameters_as_torch(draw):
    # They drew anyway (uniform_(2, 1) gave all 2s, bernoulli of 1.5 gave ones).
    torch_error, _ = check_raises(draw)
    assert isinstance(torch_error, RuntimeError)
