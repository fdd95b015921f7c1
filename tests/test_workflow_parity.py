"""The training workflow around a model (datasets, loaders, optimizers, schedulers, gradient
clipping) as a user script writes it, run with torch and with functorch_like: same values,
same errors, same warnings. Each test here covers a difference found by such a comparison.
"""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl


def outcome(fn):
    """(result, None) or (None, (exception type name, message)); warnings recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = fn(), None
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            result, error = None, (type(e).__name__, str(e))
    return result, error, [(w.category.__name__, str(w.message)) for w in caught]


def assert_same_outcome(use):
    """`use(lib)` gives the same result, error and warnings with torch and functorch_like."""
    assert outcome(lambda: use(fl)) == outcome(lambda: use(torch))


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


# ---- optimizers --------------------------------------------------------------------------
def _linear(lib):
    """A Linear(3, 2) with fixed weights, and a loss on fixed data."""
    m = lib.nn.Linear(3, 2)
    m.load_state_dict({"weight": lib.tensor([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]),
                       "bias": lib.tensor([0.05, -0.1])})
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    y = lib.tensor(np.arange(8, dtype=np.float32).reshape(4, 2) / 8)
    return m, lambda: ((m(x) - y) ** 2).mean()


@pytest.mark.parametrize("name,kw", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                     ("Adam", {"lr": 0.01}), ("RMSprop", {"lr": 0.01})])
def test_loaded_param_groups_keep_the_saved_key_order_like_torch(name, kw):
    """torch's load_state_dict rebuilds each group from the saved one ("params" where the
    saved group has it, last): the group's keys then print in that order."""
    def keys_after_loading(lib):
        m, loss = _linear(lib)
        opt = getattr(lib.optim, name)([{"params": [m.weight]}, {"params": [m.bias],
                                                                  "lr": 0.5}], **kw)
        loss().backward()
        opt.step()
        fresh = getattr(lib.optim, name)([{"params": [m.weight]}, {"params": [m.bias]}], **kw)
        fresh.load_state_dict(opt.state_dict())
        return [list(g) for g in fresh.param_groups], [g["lr"] for g in fresh.param_groups]
    assert_same_outcome(keys_after_loading)


def test_loaded_group_takes_the_saved_order_and_keys_like_torch():
    """A hand-made state_dict: its key order, "params" where it stands."""
    def keys_after_loading(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        opt.load_state_dict({"state": {}, "param_groups": [
            {"lr": 0.5, "params": [0], "momentum": 0.0, "dampening": 0, "weight_decay": 0.0,
             "nesterov": False, "maximize": False, "foreach": None, "differentiable": False,
             "fused": None}]})
        return list(opt.param_groups[0]), opt.param_groups[0]["params"][0] is p
    assert_same_outcome(keys_after_loading)


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


def _param_with_grad(lib):
    p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    p.grad = lib.tensor([0.5, 0.25])
    return p


_TENSOR_ARGUMENTS = {
    "lr-two-elements": dict(lr=lambda lib: lib.tensor([0.1, 0.2])),
    "lr-with-foreach": dict(lr=lambda lib: lib.tensor(0.1), foreach=True),
    "lr-with-foreach-capturable": dict(lr=lambda lib: lib.tensor(0.1), foreach=True,
                                       capturable=True),
    "betas-ints": dict(betas=lambda lib: (0, 0.999)),
    "betas-mixed": dict(betas=lambda lib: (lib.tensor(0.9), 0.999)),
    "betas-tensors": dict(betas=lambda lib: (lib.tensor(0.9), lib.tensor(0.999))),
    "betas-tensors-foreach": dict(betas=lambda lib: (lib.tensor(0.9), lib.tensor(0.999)),
                                  foreach=True),
    "betas-two-elements": dict(betas=lambda lib: (lib.tensor(0.9), lib.tensor([0.9, 0.9]))),
}


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("case", list(_TENSOR_ARGUMENTS))
def test_adam_tensor_and_beta_arguments_are_checked_like_torch(name, case):
    def build(lib):
        kw = {k: v(lib) if callable(v) else v for k, v in _TENSOR_ARGUMENTS[case].items()}
        opt = getattr(lib.optim, name)([_param_with_grad(lib)], **kw)
        return sorted(k for k in opt.param_groups[0] if k != "params")
    assert_same_outcome(build)


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "ASGD", "Rprop"])
def test_a_tensor_lr_of_two_elements_is_refused_like_torch(name):
    assert_same_outcome(lambda lib: getattr(lib.optim, name)([_param_with_grad(lib)],
                                                             lr=lib.tensor([0.1, 0.2])))


def test_adam_foreach_step_refuses_a_tensor_lr_set_later_like_torch():
    def step(lib):
        opt = lib.optim.Adam([_param_with_grad(lib)], lr=0.1, foreach=True)
        opt.param_groups[0]["lr"] = lib.tensor(0.1)
        opt.step()
    assert_same_outcome(step)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"])
def test_differentiable_step_on_a_leaf_parameter_fails_like_torch(name):
    """differentiable=True runs torch's step with grad enabled (even under no_grad): the
    in-place update of a leaf parameter that requires grad raises."""
    def step(lib):
        p = _param_with_grad(lib)
        opt = getattr(lib.optim, name)([p], differentiable=True)
        with lib.no_grad():
            opt.step()
    assert_same_outcome(step)


# ---- checkpoints -------------------------------------------------------------------------
def _multistep_checkpoint(lib):
    """A checkpoint dict as a training script saves it after 3 steps."""
    m, loss = _linear(lib)
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
    m, loss = _linear(lib)
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


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "ASGD", "Rprop"])
@pytest.mark.parametrize("flags", [{}, {"foreach": True}, {"differentiable": True}], ids=str)
def test_capturable_step_of_cpu_parameters_fails_like_torch(name, flags):
    """capturable=True is for accelerator parameters: torch's step refuses CPU ones (with
    a text per optimizer and implementation); a step with no gradients passes."""
    def step(lib):
        p = _param_with_grad(lib)
        opt = getattr(lib.optim, name)([p], capturable=True, **flags)
        if p.device.type != "cpu":
            return "on an accelerator"
        p.grad = None
        opt.step()
        p.grad = lib.ones(2)
        opt.step()
    assert_same_outcome(step)


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32"),
                                    ("float32", "float16"), ("float32", "int64"),
                                    ("float16", "bfloat16"), ("float32", "float32")], ids=str)
def test_assigning_a_grad_of_another_dtype_raises_like_torch(dtypes, x64):
    """A hand-assigned `.grad` must have the tensor's dtype (torch's grad_dtype check)."""
    def assign(lib):
        p = lib.nn.Parameter(lib.ones(2, dtype=getattr(lib, dtypes[0])))
        p.grad = lib.ones(2, dtype=getattr(lib, dtypes[1]))
        return str(p.grad.dtype)
    assert_same_outcome(assign)


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
    assert_same_outcome(lambda lib: str(getattr(lib.accelerator, call)()))


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


def test_adamw_loading_an_adam_state_dict_stays_decoupled_like_torch():
    """torch's AdamW forces decoupled_weight_decay=True after load_state_dict: an Adam
    checkpoint loaded into AdamW then trains with AdamW's decay."""
    def load_and_step(lib):
        m, loss = _linear(lib)
        adam = lib.optim.Adam(m.parameters(), lr=0.1, weight_decay=0.1)
        loss().backward()
        adam.step()
        adamw = lib.optim.AdamW(m.parameters(), lr=0.1, weight_decay=0.1)
        adamw.load_state_dict(adam.state_dict())
        adamw.step()
        return (adamw.param_groups[0]["decoupled_weight_decay"],
                [np.round(p.detach().numpy(), 5).tolist() for p in m.parameters()])
    assert_same_outcome(load_and_step)
