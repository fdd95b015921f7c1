"""The training workflow around a model (datasets, loaders, checkpoints, conversions to
Python numbers, device selection) as a user script writes it, run with torch and with
functorch_like: same values, same errors, same warnings. Each test here covers a
difference found by such a comparison; the optimizers' part is in
test_workflow_parity_optim.py.
"""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _workflow_helpers import assert_same_outcome, linear_and_loss


# ---- datasets ----------------------------------------------------------------------------
def test_iterable_dataset_without_iter_is_abstract_like_torch():
    """torch's IterableDataset leaves `__iter__` abstract: instantiating it is a TypeError."""
    assert_same_outcome(lambda lib: lib.utils.data.IterableDataset())

    def subclass_without_iter(lib):
        class Stream(lib.utils.data.IterableDataset):
            pass
        return Stream()
    assert_same_outcome(subclass_without_iter)


def test_concat_dataset_old_cummulative_sizes_name_warns_like_torch():
    assert_same_outcome(lambda lib: lib.utils.data.ConcatDataset([[1, 2], [3]])
                        .cummulative_sizes)


def _stream(lib, n, reported):
    class Stream(lib.utils.data.IterableDataset):
        """Yields `n` numbers but reports `reported` as its length."""
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return reported

        def __repr__(self):
            return "Stream"
    return Stream()


# (num_workers > 0 is left out: torch would fork this JAX-threaded process.)
@pytest.mark.parametrize("kwargs", [{"batch_size": None}, {"batch_size": 2}])
def test_iterable_dataset_longer_than_its_len_warns_like_torch(kwargs):
    """After len(loader), each item yielded past the reported length warns (torch counts
    items, batches included, against the length in samples)."""
    def epochs(lib):
        loader = lib.utils.data.DataLoader(_stream(lib, 7, 4), **kwargs)
        first = [np.asarray(b).tolist() for b in loader]       # len() not read yet: quiet
        return first, len(loader), [np.asarray(b).tolist() for b in loader]
    assert_same_outcome(epochs)


@pytest.mark.parametrize("kwargs", [{"pin_memory": True}, {"pin_memory": True,
                                                           "pin_memory_device": "cpu"},
                                    {"pin_memory_device": "cpu"}])
def test_pin_memory_warnings_like_torch(kwargs, monkeypatch):
    """Each iterator warns as torch's when pinning is asked for without an accelerator (our
    accelerator check is made to answer as torch's on this machine)."""
    from functorch_like.utils.data import dataloader
    monkeypatch.setattr(dataloader, "cuda_is_available", torch.accelerator.is_available)

    def epochs(lib):
        loader = lib.utils.data.DataLoader([1, 2, 3], batch_size=2, **kwargs)
        return [[np.asarray(b).tolist() for b in loader] for _ in range(2)]
    assert_same_outcome(epochs)


def test_single_process_iterator_is_named_as_torchs():
    def iterator(lib):
        it = iter(lib.utils.data.DataLoader(list(range(5)), batch_size=2))
        return type(it).__name__, len(it), np.asarray(next(it)).tolist()
    assert_same_outcome(iterator)


class _Point:
    def __init__(self, x):
        self.x = x


def test_collate_extended_through_torchs_module_path():
    """torch documents extending default_collate via torch.utils.data._utils.collate."""
    def batch_of_points(lib):
        c = lib.utils.data._utils.collate
        fn_map = {**c.default_collate_fn_map,
                  _Point: lambda batch, *, collate_fn_map=None: [p.x for p in batch]}
        out = c.collate([(_Point(1), 2.0), (_Point(3), 4.0)], collate_fn_map=fn_map)
        return out[0], np.asarray(out[1]).tolist(), sorted(
            k.__name__ if isinstance(k, type) else "tuple" for k in c.default_collate_fn_map
            if k is not lib.Tensor), lib.utils.data.dataloader.get_worker_info()
    assert_same_outcome(batch_of_points)


# ---- tensors to Python numbers (a training loop's `total += float(loss)`) ---------------
@pytest.mark.parametrize("convert", [float, int, complex, lambda t: "%f" % t],
                         ids=["float", "int", "complex", "percent-f"])
def test_python_number_of_a_many_element_tensor_raises_like_torch(convert):
    """float()/int()/complex() raise torch's ValueError (item() its RuntimeError)."""
    assert_same_outcome(lambda lib: convert(lib.tensor([1.0, 2.0])))
    assert_same_outcome(lambda lib: lib.tensor([1.0, 2.0]).item())


_FIRST_CONVERSIONS = """
import warnings, sys
import {lib} as torch
warnings.simplefilter("always")
t = torch.tensor(1.5, requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    results = [t.item(), int(t), float(t), float(t), complex(t), float(t * 2)]
print(repr(results))
for w in caught:
    print(w.category.__name__, w.lineno,
          repr(str(w.message).split(" (Triggered internally")[0]))
"""


def test_float_of_a_tensor_requiring_grad_warns_once_like_torch():
    """float(loss) warns the first time in a process (torch's TORCH_WARN_ONCE); item() and
    int() do not warn. Fresh interpreters: the warning is once per process. (torch's text
    also names the C++ file that raised it; that part is left out.)"""
    assert _in_fresh_process(_FIRST_CONVERSIONS, "functorch_like") == \
        _in_fresh_process(_FIRST_CONVERSIONS, "torch")


def _in_fresh_process(script: str, lib: str) -> str:
    """The output of `script` (with `{lib}` filled in) in a new interpreter."""
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-c", script.format(lib=lib)],
                          capture_output=True, text=True, check=True).stdout


_CREATE_GRAPH_BACKWARDS = """
import warnings
import {lib} as torch
x = torch.tensor([1.0], requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.autograd.grad((x ** 2).sum(), x, create_graph=True)
    print(len(caught))
    (x ** 3).sum().backward(create_graph=True)
    (x ** 3).sum().backward(create_graph=True)
print(x.grad.detach().tolist())
for w in caught:
    # (no line: torch's points into its own torch/_tensor.py, where backward() calls C++)
    print(w.category.__name__, repr(str(w.message).split(" (Triggered internally")[0]))
"""


def test_backward_with_create_graph_warns_once_like_torch():
    """backward(create_graph=True) warns about the .grad reference cycle once per process;
    autograd.grad does not."""
    assert _in_fresh_process(_CREATE_GRAPH_BACKWARDS, "functorch_like") == \
        _in_fresh_process(_CREATE_GRAPH_BACKWARDS, "torch")


# ---- checkpoints -------------------------------------------------------------------------
def _multistep_checkpoint(lib):
    """A checkpoint dict as a training script saves it after 3 steps."""
    m, loss = linear_and_loss(lib)
    opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    sched = lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4, 4], gamma=0.5)
    for _ in range(3):
        opt.zero_grad()
        loss().backward()
        opt.step()
        sched.step()
    return {"model": m.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}


def _resume(lib, checkpoint):
    """Builds everything afresh from `checkpoint` and trains 3 more steps."""
    m, loss = linear_and_loss(lib)
    m.load_state_dict(checkpoint["model"])
    opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    opt.load_state_dict(checkpoint["opt"])
    sched = lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4, 4], gamma=0.5)
    sched.load_state_dict(checkpoint["sched"])
    lrs = []
    for _ in range(3):
        opt.zero_grad()
        loss().backward()
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    return lrs, [p.detach().numpy() for p in m.parameters()], dict(sched.milestones)


@pytest.mark.parametrize("weights_only", [True, False])
def test_a_checkpoint_with_a_multistep_scheduler_saves_and_resumes_like_torch(
        weights_only, tmp_path):
    """MultiStepLR keeps its milestones in a collections.Counter: torch saves it and its
    weights-only load allows it."""
    results = []
    for lib in (torch, fl):
        path = tmp_path / f"{lib.__name__}.pt"
        lib.save(_multistep_checkpoint(lib), path)
        results.append(_resume(lib, lib.load(path, weights_only=weights_only)))
    (lrs_t, params_t, ms_t), (lrs, params, ms) = results
    assert lrs == lrs_t and ms == ms_t
    for a, b in zip(params, params_t):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_a_torch_checkpoint_with_a_counter_loads_weights_only(tmp_path):
    path = tmp_path / "torch.pt"
    torch.save(_multistep_checkpoint(torch), path)
    loaded = fl.load(path, weights_only=True)
    assert type(loaded["sched"]["milestones"]) is type(
        torch.load(path, weights_only=True)["sched"]["milestones"])
    assert loaded["sched"] == {k: v for k, v in torch.load(path)["sched"].items()}
    lrs, params, _ = _resume(fl, loaded)
    lrs_t, params_t, _ = _resume(torch, torch.load(path, weights_only=True))
    assert lrs == lrs_t
    for a, b in zip(params, params_t):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_sets_and_bytearrays_in_a_checkpoint_save_and_load_weights_only_like_torch(tmp_path):
    """torch's weights-only format allows sets and bytearrays (e.g. a vocabulary kept beside
    the weights)."""
    def round_trip(lib):
        path = tmp_path / f"{lib.__name__}.pt"
        lib.save({"vocab": {"a", "b", (1, "c")}, "raw": bytearray(b"\x00\x01"),
                  "w": lib.ones(2)}, path)
        out = lib.load(path, weights_only=True)
        return out["vocab"], type(out["raw"]).__name__, bytes(out["raw"]), out["w"].tolist()
    assert_same_outcome(round_trip)


_PEEK_ONE_BATCH = """
import {lib} as torch
loader = torch.utils.data.DataLoader(list(range(400)), batch_size=4, num_workers=2)
print(next(iter(loader)))
"""


def test_peeking_one_batch_with_workers_exits_cleanly_like_torch():
    """`next(iter(loader))` with num_workers > 0 leaves the prefetching worker busy; the
    interpreter then exits normally (a loading thread killed inside XLA used to abort it,
    most runs). Several runs, as the abort depended on timing."""
    expected = _in_fresh_process(_PEEK_ONE_BATCH, "torch")
    for _ in range(3):
        assert _in_fresh_process(_PEEK_ONE_BATCH, "functorch_like") == expected


# ---- device selection ------------------------------------------------------------------
_ACCELERATOR_CALLS = ["is_available", "current_accelerator", "device_count",
                      "current_device_index", "current_device_idx", "synchronize",
                      "current_stream", "empty_cache", "memory_allocated", "memory_reserved",
                      "max_memory_allocated", "memory_stats", "reset_peak_memory_stats"]


@pytest.mark.parametrize("call", _ACCELERATOR_CALLS)
def test_torch_accelerator_answers_like_torch_on_this_machine(call):
    """torch.accelerator (the tutorials' device selection). Compared where both libraries
    see the same accelerators (this machine has none, or both see one)."""
    if fl.accelerator.is_available() != torch.accelerator.is_available():
        assert fl.accelerator.current_accelerator() == fl.device("cuda")
        return
    if fl.accelerator.is_available() and call in _ALLOCATOR_CALLS:
        # Two allocators on one GPU: the amounts and the stream handle are each library's
        # own; what is compared is that both answer, with the same kind of value.
        assert_same_outcome(lambda lib: _kind(getattr(lib.accelerator, call)()))
        return
    assert_same_outcome(lambda lib: str(getattr(lib.accelerator, call)()))


_ALLOCATOR_CALLS = ("memory_allocated", "memory_reserved", "max_memory_allocated",
                    "memory_stats", "current_stream")


def _kind(value) -> str:
    """int, dict (an OrderedDict too) or "stream"."""
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__ if isinstance(value, int) else "stream"


def test_device_selection_idiom_runs_like_torch():
    def idiom(lib):
        acc = lib.accelerator
        device = acc.current_accelerator().type if acc.is_available() else "cpu"
        with acc.device_index(None):
            return str(lib.ones(2, device=device).device)
    if fl.accelerator.is_available() == torch.accelerator.is_available():
        assert_same_outcome(idiom)
    else:
        assert idiom(fl) == "cuda:0"
