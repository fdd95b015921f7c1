"""nn.EmbeddingBag and F.embedding_bag against PyTorch: modes, offsets, 2-D bags,
per_sample_weights, include_last_offset, padding_idx, max_norm, gradients, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import _embedding_bag
from _tensor_ops_ref import error_of as _error

RNG = np.random.default_rng(0)
W = RNG.standard_normal((10, 3)).astype(np.float32)
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9, 2])
OFFSETS = np.array([0, 4, 4, 7])                       # bag 1 is empty
PSW = np.linspace(0.1, 1, 9).astype(np.float32)


@pytest.mark.parametrize("kw, bags_2d, psw", [
    (dict(mode="sum"), False, True),
    (dict(mode="mean", padding_idx=2), False, False),
    (dict(mode="max"), False, False),
    # (PyTorch 2.13 with include_last_offset and a padding_idx extends the last bag to
    # the end of the input, unlike without one; that combination is not compared.)
    (dict(mode="sum", include_last_offset=True), False, False),
    (dict(mode="mean", padding_idx=-1), True, False),
    (dict(mode="max", max_norm=1.0), True, False),
])
def test_embedding_bag_matches_torch(kw, bags_2d, psw):
    results = []
    for lib in (torch, fl):
        torch.manual_seed(0)
        bag = lib.nn.EmbeddingBag(10, 3, **kw)
        bag.load_state_dict({"weight": lib.tensor(W)})
        weights = lib.tensor(PSW, requires_grad=True) if psw else None
        if bags_2d:
            out = bag(lib.tensor(IDX).reshape(3, 3))
        else:
            # include_last_offset wants offsets[-1] == len(input); see the test below.
            offsets = (np.append(OFFSETS, len(IDX)) if kw.get("include_last_offset")
                       else OFFSETS)
            out = bag(lib.tensor(IDX), lib.tensor(offsets), per_sample_weights=weights)
        (out * lib.tensor(np.arange(out.numel(), dtype=np.float32)).reshape(out.shape)
         ).sum().backward()
        results.append([repr(bag), out.detach().numpy(), bag.weight.grad.numpy(),
                        bag.weight.detach().numpy()]
                       + ([weights.grad.numpy()] if psw else []))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1:], results[1][1:]):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_include_last_offset_short_of_the_input_drops_the_tail():
    """A last offset short of len(input) (outside PyTorch's documented contract, which asks
    for offsets[-1] == len(input)) ends the last bag there, as PyTorch's forward does for
    mode="sum". Only the forward is compared: PyTorch 2.13's backward for the dropped
    indices reads uninitialised memory (values like 8.6e9 that change run to run), and its
    mode="mean" divides that bag by a count running to the end of the input; ours gives
    the dropped indices a zero gradient."""
    ref = torch.nn.functional.embedding_bag(torch.tensor(IDX), torch.tensor(W),
                                            torch.tensor(OFFSETS), mode="sum",
                                            include_last_offset=True)
    w = fl.tensor(W, requires_grad=True)
    out = fl.nn.functional.embedding_bag(fl.tensor(IDX), w, fl.tensor(OFFSETS), mode="sum",
                                         include_last_offset=True)
    np.testing.assert_allclose(out.detach().numpy(), ref.numpy(), rtol=1e-6)
    out.sum().backward()
    counts = np.bincount(IDX[:OFFSETS[-1]], minlength=10).astype(np.float32)
    np.testing.assert_array_equal(w.grad.numpy(), np.repeat(counts[:, None], 3, axis=1))


def test_functional_and_from_pretrained():
    out = fl.nn.functional.embedding_bag(fl.tensor(IDX), fl.tensor(W), fl.tensor(OFFSETS),
                                         mode="sum")
    ref = torch.nn.functional.embedding_bag(torch.tensor(IDX), torch.tensor(W),
                                            torch.tensor(OFFSETS), mode="sum")
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    bag = fl.nn.EmbeddingBag.from_pretrained(fl.tensor(W), mode="max")
    assert not bag.weight.requires_grad and bag.mode == "max"
    fl.manual_seed(0)
    fresh = fl.nn.EmbeddingBag(6, 4, padding_idx=1)
    assert np.all(fresh.weight.detach().numpy()[1] == 0) and fresh.weight.std().item() > 0.3


@pytest.mark.parametrize("call", [
    lambda F, lib, w: F.embedding_bag(lib.ones(2, 3, dtype=lib.int64), w, lib.tensor([0, 1])),
    lambda F, lib, w: F.embedding_bag(lib.ones(3, dtype=lib.int64), w),
    lambda F, lib, w: F.embedding_bag(lib.ones(3, dtype=lib.int64), w, lib.zeros(1, 1)),
    lambda F, lib, w: F.embedding_bag(lib.ones(1, 1, 1, dtype=lib.int64), w),
    lambda F, lib, w: F.embedding_bag(lib.ones(2, 3, dtype=lib.int64), w, mode="min"),
    lambda F, lib, w: F.embedding_bag(lib.ones(2, 3, dtype=lib.int64), w, mode="max",
                                      scale_grad_by_freq=True),
    lambda F, lib, w: F.embedding_bag(lib.ones(2, 3, dtype=lib.int64), w, mode="mean",
                                      per_sample_weights=lib.ones(2, 3)),
    lambda F, lib, w: F.embedding_bag(lib.ones(2, 3, dtype=lib.int64), w,
                                      per_sample_weights=lib.ones(3)),
    lambda F, lib, w: F.embedding_bag(lib.ones(2, 3, dtype=lib.int64), w[0]),
    lambda F, lib, w: lib.nn.EmbeddingBag(4, 2, padding_idx=4),
])
def test_errors_match_torch(call):
    expected = _error(lambda: call(torch.nn.functional, torch, torch.tensor(W)))
    assert expected is not None
    ours = _error(lambda: call(fl.nn.functional, fl, fl.tensor(W)))
    assert ours == (expected[0], expected[1].replace("torch.Tensor",
                                                     "functorch_like._tensor.Tensor"))


def test_pure_embedding_bag_under_jit_and_grad():
    """Offsets may be traced: they only place the bag boundaries."""
    def loss(w, offsets):
        return (_embedding_bag.embedding_bag(jnp.asarray(IDX), w, offsets, "mean") ** 2).sum()
    value, grad = jax.jit(jax.value_and_grad(loss))(jnp.asarray(W), jnp.asarray(OFFSETS))
    tw = torch.tensor(W, requires_grad=True)
    ref = (torch.nn.functional.embedding_bag(torch.tensor(IDX), tw, torch.tensor(OFFSETS))
           ** 2).sum()
    ref.backward()
    np.testing.assert_allclose(value, ref.item(), rtol=1e-5)
    np.testing.assert_allclose(grad, tw.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_offsets_not_starting_at_zero_raise_as_torch():
    # They were accepted, and the first indices silently left out of every bag.
    def call(lib):
        bag = lib.nn.EmbeddingBag(5, 2, mode="sum")
        return bag(lib.tensor([1, 2, 3]), lib.tensor([1, 2]))
    errors = []
    for lib in (torch, fl):
        with pytest.raises(RuntimeError) as info:
            call(lib)
        errors.append(str(info.value).split("\n")[0])
    assert errors[0] == errors[1]


# (not [0, 3, 1, 0] with include_last_offset: torch's parallel kernel gives either error)
@pytest.mark.parametrize("offsets", [[0, 3, 1], [0, 3, 1, 4], [0, 3, 2], [0, 2, 2]])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_decreasing_offsets_raise_as_torch(offsets, include_last_offset):
    # A bag of negative length was read as an empty one.
    def run(lib):
        return lib.nn.functional.embedding_bag(
            lib.tensor([0, 1, 2, 1]), lib.ones(3, 2), lib.tensor(offsets), mode="sum",
            include_last_offset=include_last_offset).tolist()
    assert _error(lambda: run(fl)) == _error(lambda: run(torch))
    if _error(lambda: run(torch)) is None:
        assert run(fl) == run(torch)
