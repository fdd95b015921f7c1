"""WeightedRandomSampler, StackDataset and DistributedSampler against torch.utils.data:
partitions and padding, distributions, batching through DataLoader, and torch's errors."""

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import functorch_like as fl
import functorch_like.utils.data as fdata


def _raises_like_torch(make):
    with pytest.raises(Exception) as theirs:
        make(tdata)
    with pytest.raises(type(theirs.value)) as ours:
        make(fdata)
    assert str(ours.value) == str(theirs.value)


# ---- DistributedSampler -----------------------------------------------------------------
@pytest.mark.parametrize("n,replicas", [(10, 3), (12, 4), (2, 5), (7, 7)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_unshuffled_partition_matches_torch(n, replicas, drop_last):
    for rank in range(replicas):
        kw = dict(num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
        ours, theirs = fdata.DistributedSampler(range(n), **kw), \
            tdata.DistributedSampler(range(n), **kw)
        assert list(ours) == list(theirs)
        assert (len(ours), ours.num_samples, ours.total_size) == (
            len(theirs), theirs.num_samples, theirs.total_size)


def test_distributed_shuffle_is_shared_by_replicas_and_changes_with_epoch():
    """All replicas draw the same permutation (seed + epoch), so together they cover the
    dataset, the padding repeating its head as torch's does; set_epoch changes it."""
    n, replicas = 10, 4

    def epoch(e, seed=0):
        parts = []
        for rank in range(replicas):
            s = fdata.DistributedSampler(range(n), replicas, rank, seed=seed)
            s.set_epoch(e)
            parts.append(list(s))
        return [parts[r][i] for i in range(len(parts[0])) for r in range(replicas)]

    full = epoch(0)
    assert sorted(full[:n]) == list(range(n)) and full[n:] == full[:len(full) - n]
    assert full[:n] != list(range(n))
    assert epoch(0) == full and epoch(1) != full and epoch(0, seed=5) != full


def test_distributed_errors_like_torch():
    _raises_like_torch(lambda d: d.DistributedSampler(range(4), num_replicas=2, rank=2))
    _raises_like_torch(lambda d: d.DistributedSampler(range(4), num_replicas=2, rank=-1))


# ---- WeightedRandomSampler --------------------------------------------------------------
WEIGHTS = [0.1, 0.9, 0.4, 0.0, 3.0, 0.6]


def test_weighted_with_replacement_follows_weights():
    fl.manual_seed(0)
    sampler = fdata.WeightedRandomSampler(WEIGHTS, 6000)
    draws = list(sampler)
    assert len(sampler) == len(draws) == 6000 and all(isinstance(i, int) for i in draws)
    freq = np.bincount(draws, minlength=6) / len(draws)
    np.testing.assert_allclose(freq, np.array(WEIGHTS) / sum(WEIGHTS), atol=0.02)
    assert freq[3] == 0
    # float64 as torch's (stored as float32 while JAX's x64 mode is off)
    assert tdata.WeightedRandomSampler(WEIGHTS, 2).weights.dtype == torch.float64
    assert sampler.weights.dtype == fl.float64
    fl.manual_seed(0)
    assert list(fdata.WeightedRandomSampler(WEIGHTS, 6000)) == draws


def test_weighted_without_replacement_and_generator():
    """Without replacement the draw is a set of distinct indices of non-zero weight (all
    of them when num_samples counts them); a Generator makes the draws reproducible."""
    g = fl.Generator().manual_seed(3)
    first = list(fdata.WeightedRandomSampler(WEIGHTS, 5, replacement=False, generator=g))
    assert sorted(first) == [0, 1, 2, 4, 5]
    g.manual_seed(3)
    again = list(fdata.WeightedRandomSampler(WEIGHTS, 5, replacement=False, generator=g))
    assert again == first
    with pytest.raises(RuntimeError) as theirs:
        list(tdata.WeightedRandomSampler(WEIGHTS, 7, replacement=False))
    with pytest.raises(RuntimeError) as ours:
        list(fdata.WeightedRandomSampler(WEIGHTS, 7, replacement=False))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kw", [dict(num_samples=0), dict(num_samples=True),
                                dict(num_samples=2, replacement=1),
                                dict(weights=[[0.5, 0.5]], num_samples=2)],
                         ids=["zero", "bool", "replacement", "2d"])
def test_weighted_errors_like_torch(kw):
    kw = dict(dict(weights=WEIGHTS), **kw)
    _raises_like_torch(lambda d: d.WeightedRandomSampler(**kw))


def test_weighted_sampler_drives_a_dataloader():
    fl.manual_seed(0)
    data = fdata.TensorDataset(fl.arange(6) * 10)
    loader = fdata.DataLoader(data, batch_size=4,
                              sampler=fdata.WeightedRandomSampler([0, 0, 1, 0, 0, 1], 8))
    batches = [b[0].tolist() for b in loader]
    assert len(batches) == 2 and set(sum(batches, [])) <= {20, 50}


# ---- StackDataset -----------------------------------------------------------------------
class _Batched(tdata.Dataset):
    """A dataset with its own __getitems__ (which StackDataset must use), optionally
    returning a wrong number of samples."""

    def __init__(self, short=False):
        self.short, self.calls = short, 0

    def __getitem__(self, i):
        return i * 100

    def __getitems__(self, indices):
        self.calls += 1
        return [i * 100 for i in indices][:len(indices) - self.short]

    def __len__(self):
        return 4


def _parts(lib):
    x = lib.arange(8.0).reshape(4, 2)
    return lib.utils.data.TensorDataset(x), list("abcd")


def test_stack_dataset_items_and_batches_match_torch():
    results = []
    for lib in (torch, fl):
        d = lib.utils.data
        tensors, letters = _parts(lib)
        as_tuple = d.StackDataset(tensors, letters, _Batched())
        as_dict = d.StackDataset(x=tensors, y=letters)
        batched = as_tuple.__getitems__([3, 1])
        assert as_tuple.datasets[2].calls == 1
        loader = d.DataLoader(as_dict, batch_size=3)
        first = next(iter(loader))
        results.append((len(as_tuple), repr(as_tuple[2]), repr(batched), repr(as_dict[1]),
                        first["x"][0].tolist(), first["y"]))
    assert results[1] == results[0]


@pytest.mark.parametrize("make", [
    lambda d: d.StackDataset(range(3), x=range(3)),
    lambda d: d.StackDataset(),
    lambda d: d.StackDataset(range(3), range(4)),
    lambda d: d.StackDataset(x=range(3), y=range(4)),
    lambda d: d.StackDataset(range(4), _Batched(short=True)).__getitems__([0, 1]),
    lambda d: d.StackDataset(x=_Batched(short=True)).__getitems__([0, 1]),
], ids=["both", "none", "tuple-sizes", "dict-sizes", "nested-tuple", "nested-dict"])
def test_stack_dataset_errors_like_torch(make):
    _raises_like_torch(make)
