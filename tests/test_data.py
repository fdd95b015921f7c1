"""functorch_like.utils.data against torch.utils.data.

Loaders here and in torch run over the same numpy data; batches are compared by structure,
shape, dtype and value, and errors by type and text. Shuffled orders cannot match torch's
(JAX's PRNG, not torch's), so those tests check the epoch's properties instead: every
sample once, reproducible with a seed, different across seeds and epochs.
"""

import collections
import gc
import threading
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import functorch_like as fl
from functorch_like.utils import data as fdata

N = 10
Point = collections.namedtuple("Point", ["x", "y"])


def datasets(n=N):
    """The same TensorDataset here and in torch: features (n, 2) float, labels (n,) int."""
    x = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    y = np.arange(n, dtype=np.int64)
    return (fdata.TensorDataset(fl.tensor(x), fl.tensor(y)),
            tdata.TensorDataset(torch.tensor(x), torch.tensor(y)))


def labels(loader):
    """The label batches of one epoch, as lists of ints."""
    return [batch[1].tolist() for batch in loader]


def error_of(fn):
    """(type, text) of the exception `fn()` raises."""
    with pytest.raises(Exception) as info:
        fn()
    return info.type, str(info.value)


def assert_same_batch(ours, theirs):
    """Same structure, container types, shapes, dtypes and values as torch's batch."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, fl.Tensor)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(np.asarray(ours), theirs.numpy())
    elif isinstance(theirs, (dict, list, tuple)):
        assert type(ours) is type(theirs)
        assert len(ours) == len(theirs)
        if isinstance(theirs, dict):
            assert list(ours) == list(theirs)
            for key in theirs:
                assert_same_batch(ours[key], theirs[key])
        else:
            for a, b in zip(ours, theirs):
                assert_same_batch(a, b)
    else:
        assert ours == theirs


# ---- DataLoader: epochs, batches, len ------------------------------------------------

@pytest.mark.parametrize("batch_size", [1, 3, 5, 10, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_loader_matches_torch_in_order(batch_size, drop_last):
    ours, theirs = datasets()
    ours_loader = fdata.DataLoader(ours, batch_size=batch_size, drop_last=drop_last)
    theirs_loader = tdata.DataLoader(theirs, batch_size=batch_size, drop_last=drop_last)
    ours_batches, theirs_batches = list(ours_loader), list(theirs_loader)
    assert len(ours_loader) == len(theirs_loader) == len(ours_batches) == len(theirs_batches)
    for a, b in zip(ours_batches, theirs_batches):
        assert_same_batch(a, b)


@pytest.mark.parametrize("batch_size", [3, 5, 10, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffled_epoch_has_every_sample_once(batch_size, drop_last):
    ours, _ = datasets()
    fl.manual_seed(0)
    loader = fdata.DataLoader(ours, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    batches = labels(loader)
    full, rest = divmod(N, batch_size)
    expected_sizes = [batch_size] * full + ([rest] if rest and not drop_last else [])
    assert [len(b) for b in batches] == expected_sizes
    assert len(loader) == len(expected_sizes)
    seen = [i for b in batches for i in b]
    assert len(set(seen)) == len(seen)
    if drop_last:
        assert len(seen) == full * batch_size and set(seen) <= set(range(N))
    else:
        assert sorted(seen) == list(range(N))


def test_features_travel_with_their_labels_when_shuffled():
    ours, _ = datasets()
    for x, y in fdata.DataLoader(ours, batch_size=4, shuffle=True):
        np.testing.assert_array_equal(np.asarray(x), np.stack([2 * np.asarray(y),
                                                               2 * np.asarray(y) + 1], 1))


def test_shuffle_reproducible_with_global_seed():
    ours, _ = datasets()
    loader = fdata.DataLoader(ours, batch_size=4, shuffle=True)
    fl.manual_seed(1)
    first, second = labels(loader), labels(loader)
    fl.manual_seed(1)
    assert labels(loader) == first and labels(loader) == second
    assert first != second                   # a new order every epoch
    fl.manual_seed(2)
    assert labels(loader) != first


def test_shuffle_reproducible_with_generator():
    ours, _ = datasets()
    orders = []
    for seed in (3, 3, 4):
        g = fl.Generator().manual_seed(seed)
        loader = fdata.DataLoader(ours, batch_size=4, shuffle=True, generator=g)
        fl.rand(3)                           # the global stream does not matter
        orders.append(labels(loader) + labels(loader))
    assert orders[0] == orders[1] and orders[0] != orders[2]


def test_drop_last_drops_only_the_partial_batch():
    ours, _ = datasets()
    assert labels(fdata.DataLoader(ours, batch_size=4, drop_last=True)) == [[0, 1, 2, 3],
                                                                          [4, 5, 6, 7]]
    assert labels(fdata.DataLoader(ours, batch_size=4))[-1] == [8, 9]
    assert len(fdata.DataLoader(ours, batch_size=4, drop_last=True)) == 2
    assert len(fdata.DataLoader(ours, batch_size=4)) == 3


def test_fast_tensor_gather_equals_per_sample_stacking():
    class PerSample(fdata.TensorDataset):     # overriding __getitem__ turns the fast path off
        def __getitem__(self, index):
            return tuple(t[index] for t in self.tensors)

    x = fl.tensor(np.random.default_rng(0).normal(size=(N, 3, 2)).astype(np.float32))
    y = fl.arange(N)
    order = [7, -1, 0, 3, 3, 9]
    fast = fdata.TensorDataset(x, y)
    slow = PerSample(x, y)
    for ds_fast, ds_slow in [(fast, slow),
                             (fdata.Subset(fast, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
                              fdata.Subset(slow, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]))]:
        a = next(iter(fdata.DataLoader(ds_fast, batch_sampler=[order])))
        b = next(iter(fdata.DataLoader(ds_slow, batch_sampler=[order])))
        assert isinstance(a, list) and len(a) == 2
        for u, v in zip(a, b):
            assert u.shape == v.shape and u.dtype == v.dtype
            np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


def test_fast_gather_out_of_range_index_raises_like_per_sample():
    ours, theirs = datasets()
    ours_err = error_of(lambda: list(fdata.DataLoader(ours, batch_sampler=[[1, N]])))
    theirs_err = error_of(lambda: list(tdata.DataLoader(theirs, batch_sampler=[[1, N]])))
    assert ours_err == theirs_err


def test_fast_gather_keeps_autograd():
    x = fl.ones(N, 2, requires_grad=True)
    batch = next(iter(fdata.DataLoader(fdata.TensorDataset(x), batch_sampler=[[1, 1, 4]])))
    batch[0].sum().backward()
    expected = np.zeros((N, 2), np.float32)
    expected[1], expected[4] = 2, 1
    np.testing.assert_array_equal(np.asarray(x.grad), expected)


def test_batch_size_none_converts_samples_without_batching():
    class Arrays(fdata.Dataset):
        def __getitem__(self, i):
            return {"a": np.full(2, i, np.float32), "i": i}

        def __len__(self):
            return 3

    items = list(fdata.DataLoader(Arrays(), batch_size=None))
    assert len(items) == 3 and items[2]["i"] == 2
    assert isinstance(items[2]["a"], fl.Tensor) and items[2]["a"].tolist() == [2.0, 2.0]


def test_iterable_dataset():
    class Stream(fdata.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    for drop_last, expected in [(False, [[0, 1, 2], [3, 4, 5], [6]]),
                                (True, [[0, 1, 2], [3, 4, 5]])]:
        for workers in (0, 2):
            loader = fdata.DataLoader(Stream(), batch_size=3, drop_last=drop_last,
                                      num_workers=workers)
            # (as torch: each worker iterates the whole unsharded stream, interleaved)
            assert [b.tolist() for b in loader] == [b for b in expected
                                                    for _ in range(max(workers, 1))]
            assert len(loader) == len(expected)
    chained = fdata.DataLoader(Stream() + Stream(), batch_size=None)
    assert [t for t in chained] == list(range(7)) * 2


# ---- background loading --------------------------------------------------------------

@pytest.mark.parametrize("shuffle", [False, True])
def test_num_workers_gives_identical_batches_in_order(shuffle):
    ours, _ = datasets()
    runs = []
    for workers in (0, 2):
        fl.manual_seed(5)
        loader = fdata.DataLoader(ours, batch_size=3, shuffle=shuffle, num_workers=workers)
        runs.append([[np.asarray(t).tolist() for t in batch] for _ in range(2)
                     for batch in loader])
    assert runs[0] == runs[1] and len(runs[0]) == 8


def test_num_workers_collates_in_the_background_thread():
    main = threading.get_ident()
    threads, infos = [], []

    def collate(samples):
        threads.append(threading.get_ident())
        infos.append(fdata.get_worker_info())
        return [s[1].item() for s in samples]

    ours, _ = datasets()
    loader = fdata.DataLoader(ours, batch_size=4, num_workers=2, collate_fn=collate)
    assert list(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert threads and main not in threads
    assert infos[0] is not None and infos[0].id == 0 and fdata.get_worker_info() is None


class Faulty(fdata.Dataset):
    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad sample 5")
        return i

    def __len__(self):
        return N


def test_worker_exception_propagates_as_in_torch():
    ours_type, ours_text = error_of(lambda: list(fdata.DataLoader(Faulty(), batch_size=2,
                                                                  num_workers=2)))
    assert ours_type is ValueError
    assert ours_text.startswith("Caught ValueError in DataLoader worker process 0.\n"
                                "Original Traceback (most recent call last):")
    assert ours_text.rstrip().endswith("ValueError: bad sample 5")
    assert error_of(lambda: list(fdata.DataLoader(Faulty(), batch_size=2))) == (
        ValueError, "bad sample 5")


def test_iteration_goes_on_after_a_worker_exception():
    it = iter(fdata.DataLoader(Faulty(), batch_size=2, num_workers=1))
    got = [next(it).tolist(), next(it).tolist()]
    with pytest.raises(ValueError):
        next(it)
    got += [b.tolist() for b in it]
    assert got == [[0, 1], [2, 3], [6, 7], [8, 9]]


def test_worker_timeout():
    class Slow(fdata.Dataset):
        def __getitem__(self, i):
            time.sleep(0.3)
            return i

        def __len__(self):
            return 2

    loader = fdata.DataLoader(Slow(), num_workers=1, timeout=0.01)
    assert error_of(lambda: next(iter(loader))) == (
        RuntimeError, "DataLoader timed out after 0.01 seconds")


def test_worker_init_fn_runs_in_the_worker():
    calls = []
    loader = fdata.DataLoader(list(range(4)), batch_size=2, num_workers=2,
                              worker_init_fn=lambda wid: calls.append(
                                  (wid, fdata.get_worker_info() is not None)))
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3]]
    assert calls == [(0, True), (1, True)]     # once per worker, inside it (as torch)


# ---- argument conflicts ----------------------------------------------------------------

class _Stream(fdata.IterableDataset):
    def __iter__(self):
        return iter(range(3))


class _TStream(tdata.IterableDataset):
    def __iter__(self):
        return iter(range(3))


CONFLICTS = [
    dict(shuffle=True, sampler="seq"),
    dict(batch_sampler="batches", batch_size=2),
    dict(batch_sampler="batches", shuffle=True),
    dict(batch_sampler="batches", sampler="seq"),
    dict(batch_sampler="batches", drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True),
    dict(batch_size=0),
    dict(batch_size=2, drop_last=1),
]


@pytest.mark.parametrize("kwargs", CONFLICTS, ids=lambda kw: ",".join(kw))
def test_argument_conflicts_raise_torch_errors(kwargs):
    ours, theirs = datasets()

    def build(lib, ds):
        kw = dict(kwargs)
        if kw.get("sampler") == "seq":
            kw["sampler"] = lib.SequentialSampler(ds)
        if kw.get("batch_sampler") == "batches":
            kw["batch_sampler"] = [[0, 1]]
        return lambda: lib.DataLoader(ds, **kw)

    assert error_of(build(fdata, ours)) == error_of(build(tdata, theirs))


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0, 1]),
                                    dict(batch_sampler=[[0]])], ids=lambda kw: ",".join(kw))
def test_iterable_dataset_conflicts_raise_torch_errors(kwargs):
    ours = error_of(lambda: fdata.DataLoader(_Stream(), **kwargs))
    theirs = error_of(lambda: tdata.DataLoader(_TStream(), **kwargs))
    assert ours == theirs


def test_setting_batch_size_after_init_raises_torch_error():
    ours, theirs = datasets()
    f, t = fdata.DataLoader(ours), tdata.DataLoader(theirs)
    assert error_of(lambda: setattr(f, "batch_size", 3)) == error_of(
        lambda: setattr(t, "batch_size", 3))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_zero_prefetch_factor_fails_at_iteration_like_torch():
    ours, theirs = datasets()
    loader = fdata.DataLoader(ours, num_workers=1, prefetch_factor=0)
    assert error_of(lambda: iter(loader)) == error_of(
        lambda: iter(tdata.DataLoader(theirs, num_workers=1, prefetch_factor=0)))
    gc.collect()    # torch's half-built iterator complains in __del__: let it do so here


# ---- datasets ------------------------------------------------------------------------

def test_tensor_dataset_size_mismatch():
    assert error_of(lambda: fdata.TensorDataset(fl.zeros(3), fl.zeros(4))) == error_of(
        lambda: tdata.TensorDataset(torch.zeros(3), torch.zeros(4)))


def test_subset_and_concat_indexing_match_torch():
    a, b = list(range(10, 14)), list(range(20, 23))
    ours = fdata.ConcatDataset([a, fdata.Subset(b, [2, 0])])
    theirs = tdata.ConcatDataset([a, tdata.Subset(b, [2, 0])])
    assert len(ours) == len(theirs) == 6
    assert [ours[i] for i in range(-6, 6)] == [theirs[i] for i in range(-6, 6)]
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [4, 6]
    assert error_of(lambda: ours[-7]) == error_of(lambda: theirs[-7])
    assert error_of(lambda: fdata.ConcatDataset([])) == error_of(
        lambda: tdata.ConcatDataset([]))
    added = fdata.Subset(a, [3, 1]) + fdata.Subset(b, [1])
    assert isinstance(added, fdata.ConcatDataset) and [added[i] for i in range(3)] == [13, 11, 21]


def test_loader_over_concat_and_subset():
    ours, _ = datasets()
    both = fdata.ConcatDataset([fdata.Subset(ours, [9, 8]), ours])
    got = [b[1].tolist() for b in fdata.DataLoader(both, batch_size=5)]
    assert got == [[9, 8, 0, 1, 2], [3, 4, 5, 6, 7], [8, 9]]


def test_random_split_lengths_match_torch():
    for lengths in ([3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.25, 0.25, 0.25, 0.25], [1.0]):
        ours = [len(s) for s in fdata.random_split(list(range(N)), lengths)]
        theirs = [len(s) for s in tdata.random_split(list(range(N)), lengths)]
        assert ours == theirs


def test_random_split_disjoint_covering_reproducible():
    splits = fdata.random_split(list(range(N)), [2, 3, 5],
                                generator=fl.Generator().manual_seed(7))
    seen = [x for s in splits for x in s]
    assert sorted(seen) == list(range(N)) and seen != list(range(N))
    again = fdata.random_split(list(range(N)), [2, 3, 5],
                               generator=fl.Generator().manual_seed(7))
    other = fdata.random_split(list(range(N)), [2, 3, 5],
                               generator=fl.Generator().manual_seed(8))
    assert [s.indices for s in again] == [s.indices for s in splits]
    assert [s.indices for s in other] != [s.indices for s in splits]
    fl.manual_seed(9)
    first = fdata.random_split(list(range(N)), [0.5, 0.5])[0].indices
    fl.manual_seed(9)
    assert fdata.random_split(list(range(N)), [0.5, 0.5])[0].indices == first


def test_random_split_errors_match_torch():
    for lengths in ([3, 3], [1.5, -0.5]):
        assert error_of(lambda: fdata.random_split(list(range(N)), lengths)) == error_of(
            lambda: tdata.random_split(list(range(N)), lengths))
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        fdata.random_split(list(range(N)), [1.0, 0.0])


# ---- samplers ------------------------------------------------------------------------

def test_sequential_and_batch_samplers_match_torch():
    assert list(fdata.SequentialSampler(range(4))) == [0, 1, 2, 3]
    for bs in (1, 3, 4, 5):
        for drop_last in (False, True):
            ours = fdata.BatchSampler(fdata.SequentialSampler(range(N)), bs, drop_last)
            theirs = tdata.BatchSampler(tdata.SequentialSampler(range(N)), bs, drop_last)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("args", [(0, False), (2, "no"), (True, False)])
def test_batch_sampler_errors_match_torch(args):
    assert error_of(lambda: fdata.BatchSampler(range(3), *args)) == error_of(
        lambda: tdata.BatchSampler(range(3), *args))


def test_random_sampler():
    perm = list(fdata.RandomSampler(range(N)))
    assert sorted(perm) == list(range(N))
    g = fl.Generator().manual_seed(0)
    many = list(fdata.RandomSampler(range(N), num_samples=25, generator=g))
    assert len(many) == 25 and sorted(many[:10]) == sorted(many[10:20]) == list(range(N))
    assert len(set(many[20:])) == 5
    drawn = list(fdata.RandomSampler(range(N), replacement=True, num_samples=40,
                                     generator=g))
    assert len(drawn) == 40 and set(drawn) <= set(range(N))
    # N draws with replacement repeat some index (all distinct: probability 10!/10**10).
    assert len(set(fdata.RandomSampler(range(N), replacement=True, generator=g))) < N
    assert len(fdata.RandomSampler(range(3), replacement=True, num_samples=40)) == 40
    a = list(fdata.RandomSampler(range(N), generator=fl.Generator().manual_seed(1)))
    b = list(fdata.RandomSampler(range(N), generator=fl.Generator().manual_seed(1)))
    assert a == b


@pytest.mark.parametrize("kwargs", [dict(replacement=1), dict(num_samples=0),
                                    dict(num_samples=2.0)], ids=str)
def test_random_sampler_errors_match_torch(kwargs):
    assert error_of(lambda: fdata.RandomSampler(range(3), **kwargs)) == error_of(
        lambda: tdata.RandomSampler(range(3), **kwargs))


def test_subset_random_sampler():
    indices = [4, 8, 15, 16, 23, 42, 1, 2, 3, 5]   # N of them: randperm(N) is compiled already
    g1, g2 = fl.Generator().manual_seed(2), fl.Generator().manual_seed(2)
    first = list(fdata.SubsetRandomSampler(indices, generator=g1))
    assert sorted(first) == sorted(indices) and first != indices
    assert len(fdata.SubsetRandomSampler(indices)) == N
    assert list(fdata.SubsetRandomSampler(indices, generator=g2)) == first
    loader = fdata.DataLoader(list(range(50)), batch_size=4,
                              sampler=fdata.SubsetRandomSampler(indices))
    assert sorted(x for b in loader for x in b.tolist()) == sorted(indices)


# ---- default_collate -----------------------------------------------------------------

def _samples(lib):
    """Samples of several kinds, built for torch or for us from the same numpy data."""
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(2, 3)) for _ in range(3)]
    return {
        "tensors": [lib.tensor(a.astype(np.float32)) for a in arrays],
        "tuples": [(lib.tensor(a[0]), i, "s%d" % i) for i, a in enumerate(arrays)],
        "dicts": [{"x": lib.tensor(a, dtype=lib.float64), "y": float(i) + 0.5,
                   "z": [i, i + 1]} for i, a in enumerate(arrays)],
        "namedtuples": [Point(lib.tensor([i, i]), a) for i, a in enumerate(arrays)],
        "floats": [0.5, 1.5, -2.0],
        "ints": [1, -2, 3],
        "bools": [True, False, True],
        "int_then_float": [1, 2.5],
        "numpy_float64": arrays,
        "numpy_float32": [a.astype(np.float32) for a in arrays],
        "numpy_int32": [a.astype(np.int32) for a in arrays],
        "numpy_scalars": [np.float32(1.5), np.float32(2.0)],
        "numpy_int_scalars": [np.int32(1), np.int32(2)],
        "strings": ["a", "b"],
        "bytes": [b"a", b"b"],
        "lists": [[1, 2.5], [3, 4.5]],
    }


@pytest.mark.parametrize("kind", [
    "tensors", "tuples", "dicts", "namedtuples", "floats", "ints", "bools", "int_then_float",
    "numpy_float64", "numpy_float32", "numpy_int32", "numpy_scalars", "numpy_int_scalars",
    "strings", "bytes", "lists"])
def test_default_collate_matches_torch(kind, x64):
    ours = fdata.default_collate(_samples(fl)[kind])
    theirs = tdata.default_collate(_samples(torch)[kind])
    assert_same_batch(ours, theirs)


def test_default_collate_dtypes_without_x64():
    """With JAX's x64 off, float64 is stored as float32 and int64 as int32."""
    out = fdata.default_collate([(1.5, 2, True)])
    assert [t.dtype for t in out] == [fl.float64, fl.int64, fl.bool]
    assert str(out[0]._value.dtype) == "float32" and str(out[1]._value.dtype) == "int32"


def test_loader_collates_dicts_and_namedtuples():
    class Records(fdata.Dataset):
        def __getitem__(self, i):
            return {"p": Point(fl.tensor([i, 2 * i]), i), "name": f"r{i}"}

        def __len__(self):
            return 3

    batch = next(iter(fdata.DataLoader(Records(), batch_size=3)))
    assert isinstance(batch["p"], Point) and batch["name"] == ["r0", "r1", "r2"]
    assert batch["p"].x.tolist() == [[0, 0], [1, 2], [2, 4]] and batch["p"].y.tolist() == [0,
                                                                                           1, 2]


@pytest.mark.parametrize("kind", ["tensor_shapes", "numpy_shapes", "lengths", "object",
                                  "numpy_str"])
def test_collate_errors_match_torch(kind):
    def batch(lib):
        return {"tensor_shapes": [lib.zeros(3), lib.zeros(4)],
                "numpy_shapes": [np.zeros(3), np.zeros((2, 2))],
                "lengths": [[1, 2], [3]],
                "object": [object(), object()],
                "numpy_str": [np.array(["a"]), np.array(["b"])]}[kind]

    ours = error_of(lambda: fdata.default_collate(batch(fl)))
    theirs = error_of(lambda: tdata.default_collate(batch(torch)))
    assert ours == theirs
