"""The small surface scripts touch first: numpy-style keyword aliases, torch.cuda and the
namespaces imported at the top of scripts, torch.__version__, and the memory/storage
Tensor methods, each compared with real torch."""

import importlib
import warnings

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl

X = np.arange(6.0, dtype=np.float32).reshape(2, 3)


def _both(fn):
    """fn(lib, x) in torch and here, as numpy (tuples: each element)."""
    out = []
    for lib in (torch, fl):
        r = fn(lib, lib.tensor(X))
        out.append([np.asarray(v.detach().numpy() if hasattr(v, "detach") else v)
                    for v in (r if isinstance(r, tuple) else (r,))])
    return out


# ---- axis= / keepdims= ---------------------------------------------------------------

ALIASED_CALLS = {
    "x.sum(axis=0)": lambda t, x: x.sum(axis=0),
    "t.sum(x, axis=0)": lambda t, x: t.sum(x, axis=0),
    "x.mean(axis=1, keepdims=True)": lambda t, x: x.mean(axis=1, keepdims=True),
    "t.cat(axis=0)": lambda t, x: t.cat([x, x], axis=0),
    "t.concatenate(axis=1)": lambda t, x: t.concatenate([x, x], axis=1),
    "t.stack(axis=1)": lambda t, x: t.stack([x, x], axis=1),
    "x.argmax(axis=1)": lambda t, x: x.argmax(axis=1),
    "x.max(axis=1, keepdims=True)": lambda t, x: tuple(x.max(axis=1, keepdims=True)),
    "x.std(axis=0)": lambda t, x: x.std(axis=0),
    "x.any(axis=0)": lambda t, x: (x > 2).any(axis=0),
    "t.softmax(axis=1)": lambda t, x: t.softmax(x, axis=1),
    "x.softmax(axis=1)": lambda t, x: x.softmax(axis=1),
    "x.amax(axis=1)": lambda t, x: x.amax(axis=1),
    "x.squeeze(axis=0)": lambda t, x: x.unsqueeze(0).squeeze(axis=0),
    "x.cumsum(axis=0)": lambda t, x: x.cumsum(axis=0),
    "x.clone().cumsum_(axis=0)": lambda t, x: x.clone().cumsum_(axis=0),
    "t.sum(x=x) / t.sum(a=x)": lambda t, x: (t.sum(x=x), t.sum(a=x, axis=1)),
    "x.size(axis=0)": lambda t, x: x.size(axis=0),
}


@pytest.mark.parametrize("call", ALIASED_CALLS.values(), ids=ALIASED_CALLS.keys())
def test_numpy_keyword_aliases_match_torch(call, x64):
    ref, got = _both(call)
    assert len(ref) == len(got)
    for r, g in zip(ref, got):
        assert r.shape == g.shape and r.dtype == g.dtype
        np.testing.assert_allclose(g, r, rtol=1e-6)


REJECTED = {
    "dim and axis": (lambda t, x: x.sum(dim=0, axis=0), "sum() got an unexpected keyword "
                     "argument 'axis'"),
    "positional dim and axis": (lambda t, x: t.sum(x, 0, axis=0), "sum() got an unexpected "
                                "keyword argument 'axis'"),
    "keepdim and keepdims": (lambda t, x: x.mean(0, keepdim=True, keepdims=True),
                             "mean() got an unexpected keyword argument 'keepdims'"),
    "cat dim and axis": (lambda t, x: t.cat([x], dim=0, axis=0),
                         "cat() got an unexpected keyword argument 'axis'"),
}


@pytest.mark.parametrize("call,message", REJECTED.values(), ids=REJECTED.keys())
def test_alias_given_with_its_name_raises_torchs_type_error(call, message):
    for lib in (torch, fl):
        with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
            call(lib, lib.tensor(X))


def test_python_functions_take_no_alias_as_in_torch():
    # torch.nn.functional and torch's Python-level functions keep their own names
    for lib in (torch, fl):
        x = lib.tensor(X)
        for call in (lambda: lib.nn.functional.softmax(x, axis=1), lambda: x.norm(axis=0),
                     lambda: x.split(1, axis=0), lambda: lib.unique(x, axis=0)):
            with pytest.raises(TypeError, match="unexpected keyword argument 'axis'"):
                call()


def test_aliased_functions_keep_name_doc_and_signature():
    import inspect
    from functorch_like import _ops_reduce
    assert fl.sum.__name__ == "sum" and fl.sum.__doc__ == _ops_reduce.sum.__doc__
    assert inspect.signature(fl.Tensor.mean) == inspect.signature(_ops_reduce.mean)
    assert fl.nn.functional.softmax.__name__ == "softmax"


# ---- torch.cuda and the namespaces scripts import ---------------------------------------

CPU_BUILD_ANSWERS = ["is_available", "device_count", "empty_cache", "memory_allocated",
                     "max_memory_allocated", "memory_reserved", "max_memory_reserved",
                     "is_bf16_supported", "manual_seed", "manual_seed_all", "seed",
                     "seed_all", "get_rng_state_all", "is_initialized", "memory_stats",
                     "get_arch_list"]
CPU_BUILD_ASSERTS = ["current_device", "get_device_name", "get_device_properties",
                     "synchronize", "get_rng_state", "initial_seed", "init",
                     "current_stream", "mem_get_info", "get_device_capability"]


def _cuda_call(mod, name):
    return getattr(mod, name)(1) if name.startswith("manual_seed") else getattr(mod, name)()


def _check_cuda_on_gpu(mod):
    assert mod.device_count() == len(jax.devices("gpu")) and mod.current_device() == 0
    assert isinstance(mod.get_device_name(), str) and mod.get_device_capability()[0] > 0
    x = fl.ones(256, device="cuda")
    mod.synchronize()
    assert mod.memory_allocated() >= x.nbytes and mod.max_memory_allocated() >= x.nbytes
    start, end = mod.Event(enable_timing=True), mod.Event(enable_timing=True)
    start.record()
    end.record()
    assert start.elapsed_time(end) >= 0 and x.get_device() == 0


def test_cuda_answers_as_torchs_cpu_build_or_reports_the_gpu():
    mod = importlib.import_module("functorch_like.cuda")
    assert mod is fl.cuda
    if mod.is_available():     # (torch here is a CPU build: no reference to compare)
        _check_cuda_on_gpu(mod)
        return
    for name in CPU_BUILD_ANSWERS:
        assert _cuda_call(mod, name) == _cuda_call(torch.cuda, name), name
    for name in CPU_BUILD_ASSERTS:
        for lib in (torch.cuda, mod):
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                getattr(lib, name)()
    for cls, message in ((mod.Stream, "torch.cuda.Stream requires CUDA support"),
                         (mod.Event, "Tried to instantiate dummy base class Event")):
        with pytest.raises(RuntimeError, match=message):
            cls()
    with mod.device(0):                      # a no-op without a GPU, as torch's
        pass


def test_cuda_manual_seed_seeds_only_where_cuda_draws_from():
    fl.manual_seed(3)
    expected = fl.rand(3)
    fl.manual_seed(3)
    fl.cuda.manual_seed(123)
    fl.cuda.manual_seed_all(123)
    got = fl.rand(3)
    if fl.cuda.is_available():     # one generator serves the GPU: reseeded
        fl.manual_seed(123)
        np.testing.assert_array_equal(got.numpy(), fl.rand(3).numpy())
    else:                          # no CUDA generator: the CPU one is left alone, as torch's
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_cuda_amp_is_an_importable_module_with_deprecated_aliases():
    amp = importlib.import_module("functorch_like.cuda.amp")
    from functorch_like.cuda.amp import GradScaler, autocast
    assert amp is fl.cuda.amp and autocast is fl.cuda.amp.autocast
    with pytest.warns(FutureWarning, match=r"torch.cuda.amp.GradScaler\(args...\)` is "
                      "deprecated"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)   # (CUDA is not available)
            GradScaler()
    for sub in ("memory", "random", "streams"):
        assert importlib.import_module(f"functorch_like.cuda.{sub}")


def test_top_level_namespaces_import_as_in_scripts():
    for name in ("version", "torch_version", "distributed", "multiprocessing", "profiler",
                 "autograd.profiler", "backends.cudnn"):
        mod = importlib.import_module(f"functorch_like.{name}")
        assert importlib.import_module(f"torch.{name}").__name__ == f"torch.{name}"
        assert mod.__name__ == f"functorch_like.{name}"
    assert fl.version.cuda is torch.version.cuda is None
    assert isinstance(fl.version.git_version, str)
    assert fl.distributed.is_available() is False and fl.distributed.is_initialized() is False
    for lib in (torch.distributed, fl.distributed):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            lib.get_rank()
    mp = fl.multiprocessing
    for name in ("set_start_method", "get_context", "Process", "Queue", "cpu_count", "spawn"):
        assert hasattr(torch.multiprocessing, name) and hasattr(mp, name), name
    assert mp.get_all_sharing_strategies() == torch.multiprocessing.get_all_sharing_strategies()
    assert mp.get_context("spawn").get_start_method() == "spawn"


def test_profiler_records_named_blocks():
    p = fl.profiler
    assert p.record_function is fl.autograd.profiler.record_function
    assert str(p.ProfilerActivity.CPU) == str(torch.profiler.ProfilerActivity.CPU)
    with p.profile(activities=[p.ProfilerActivity.CPU]) as prof:
        for _ in range(3):
            with p.record_function("block"):
                fl.ones(2) + 1
    (avg,) = prof.key_averages()
    assert avg.key == "block" and avg.count == 3 and avg.cpu_time_total > 0
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=5)
    assert "block" in table and "# of Calls" in table
    with fl.autograd.profiler.profile(enabled=False) as off:
        with p.record_function("skipped"):
            pass
    assert len(off.key_averages()) == 0


def test_profiler_schedule_matches_torch():
    kw = dict(wait=1, warmup=1, active=2, repeat=2, skip_first=1)
    ref, got = torch.profiler.schedule(**kw), fl.profiler.schedule(**kw)
    assert [ref(i).name for i in range(12)] == [got(i).name for i in range(12)]


def test_set_default_tensor_type_warns_and_sets_the_dtype():
    x64 = jax.config.jax_enable_x64          # float64 switches JAX's x64 mode on
    try:
        for lib in (torch, fl):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                lib.set_default_tensor_type(lib.DoubleTensor)
                assert lib.get_default_dtype() == lib.float64
                assert lib.ones(1).dtype == lib.float64
                lib.set_default_tensor_type("torch.FloatTensor")
                assert lib.get_default_dtype() == lib.float32
                with pytest.raises(TypeError, match="^invalid type object: only floating"):
                    lib.set_default_tensor_type(lib.float64)
                with pytest.raises(TypeError, match="^only floating-point types"):
                    lib.set_default_tensor_type("torch.IntTensor")
            # (torch warns once per process, from C++; here once per call site)
            assert lib is torch or len(caught) == 4
            assert all(r"set_default_tensor_type() is deprecated as of PyTorch 2.1" in
                       str(w.message) and w.category is UserWarning for w in caught)
    finally:
        torch.set_default_dtype(torch.float32)
        fl.set_default_dtype(fl.float32)
        jax.config.update("jax_enable_x64", x64)


# ---- __version__ ---------------------------------------------------------------------

def test_version_is_a_torch_version_of_the_emulated_api():
    v = fl.__version__
    assert isinstance(v, str) and type(v).__name__ == "TorchVersion"
    assert v == "2.13.0" and v >= "1.10" and v >= (2, 0) and v < (2, 14) and v > "2.13.0rc1"
    assert fl.version.__version__ is v and fl.version.package_version == "0.1.0"
    assert {v: 1}["2.13.0"] == 1                            # hashes as the str


VERSIONS = ["2.13.0", "2.13.0+cpu", "1.10.0a", "2.1.0.dev20230101", "2.13.0.post2"]
OTHERS = ["1.0", "2.13", "2.13.1", "2.14.0a0", "2.13.0rc1", "2.13.0.dev20250101",
          "2.13.0.post1", "10.0", "2.2", "parrot", "2.13.0+cu121", (2, 0), (2, 13),
          (2, 13, 0), [3], (2, 13, 1)]


@pytest.mark.parametrize("base", VERSIONS)
def test_torch_version_compares_as_torchs(base):
    ours, ref = fl.torch_version.TorchVersion(base), torch.torch_version.TorchVersion(base)
    for other in OTHERS:
        for op in ("__gt__", "__lt__", "__ge__", "__le__", "__eq__", "__ne__"):
            assert getattr(ours, op)(other) == getattr(ref, op)(other), (base, op, other)


# ---- memory and storage methods ------------------------------------------------------

def test_memory_methods_and_flags_match_torch():
    for lib in (torch, fl):
        x = lib.tensor(X)
        assert x.is_pinned() is False and x.get_device() == -1 == lib.get_device(x)
        assert x.is_mps is False and x.is_meta is False and x.is_sparse is False
        assert x.is_shared() is False and x.share_memory_() is x and x.is_shared() is True
        assert x.char().dtype == lib.int8 and x.cfloat().dtype == lib.complex64
        if not lib.cuda.is_available():
            with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
                x.pin_memory()


def test_cdouble(x64):
    assert fl.tensor(X).cdouble().dtype == fl.complex128
    np.testing.assert_array_equal(fl.tensor(X).cdouble().numpy(), X.astype(np.complex128))


def _storage_facts(lib):
    x = lib.tensor(X)
    v, t = x[1], x.t()
    return [x.data_ptr() == x.data_ptr(), v.data_ptr() - x.data_ptr(),
            t.data_ptr() == x.data_ptr(), x.detach().data_ptr() == x.data_ptr(),
            x.clone().data_ptr() == x.data_ptr(), v.storage_offset(), x.storage_offset(),
            x[:, 1].storage_offset(), t[1].storage_offset(), x[1:, 1:].storage_offset(),
            x.view(3, 2)[2].storage_offset(), lib.empty(0).data_ptr()]


def test_data_ptr_and_storage_offset_follow_views_as_torchs():
    assert _storage_facts(fl) == _storage_facts(torch)
    x = fl.tensor(X)
    before = x.data_ptr()
    x.mul_(2)                                # in place: same storage
    assert x.data_ptr() == before


AS_STRIDED = {
    "transposed read": lambda x: x.as_strided((2, 2), (1, 2)),
    "with offset": lambda x: x.as_strided((2, 2), (1, 2), 1),
    "torch.as_strided": lambda x: None,
    "of a transpose": lambda x: x.t().as_strided((2, 2), (1, 2), 1),
    "of a row, outside it": lambda x: x[1].as_strided((2, 2), (1, 1), 0),
    "of a row, its offset": lambda x: x[1].as_strided((2,), (1,)),
    "of a result": lambda x: (x * 2).as_strided((3,), (2,)),
    "0-d": lambda x: x.as_strided((), (), 4),
}


@pytest.mark.parametrize("fn", AS_STRIDED.values(), ids=AS_STRIDED.keys())
def test_as_strided_values_and_gradients_match_torch(fn):
    results = []
    for lib in (torch, fl):
        x = lib.tensor(X).requires_grad_()
        y = fn(x)
        if y is None:
            y = lib.as_strided(x, (3,), (2,))
        w = lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape)
        (y * w).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    (ry, rg), (gy, gg) = results
    assert ry.shape == gy.shape
    np.testing.assert_array_equal(gy, ry)
    np.testing.assert_array_equal(gg, rg)


AS_STRIDED_ERRORS = {
    "out of bounds": (lambda x: x.as_strided((2,), (1,), 10), "setStorage: sizes [2], "
                      "strides [1], storage offset 10, and itemsize 4 requiring a storage "
                      "size of 48 are out of bounds for storage of size 24"),
    "length mismatch": (lambda x: x.as_strided((2, 2), (1,)),
                        "mismatch in length of strides and shape"),
    "negative stride": (lambda x: x.as_strided((2,), (-1,)), "as_strided: Negative strides "
                        "are not supported at the moment, got strides: [-1]"),
    "negative offset": (lambda x: x.as_strided((2,), (1,), -1),
                        "Tensor: invalid storage offset -1"),
}


@pytest.mark.parametrize("call,message", AS_STRIDED_ERRORS.values(),
                         ids=AS_STRIDED_ERRORS.keys())
def test_as_strided_errors_match_torch(call, message):
    for lib in (torch, fl):
        with pytest.raises(RuntimeError) as info:
            call(lib.tensor(X))
        assert str(info.value).splitlines()[0] == message


def _outcome(fn):
    try:
        return "ok", repr(fn())
    except Exception as e:
        return type(e).__name__, str(e)


@pytest.mark.parametrize("call", [
    lambda T: T.device("mps"), lambda T: T.device("mps:0"), lambda T: T.device("xla"),
    lambda T: T.device("meta"), lambda T: T.device("foo"), lambda T: T.device("cuda:x"),
    lambda T: T.device("cuda:-1"), lambda T: T.ones(2).to("mps"),
    lambda T: T.nn.Linear(2, 2).to(T.device("mps")), lambda T: T.ones(2).to("xla"),
    lambda T: T.ones(2).to("xpu"), lambda T: T.device("cpu") == "cpu",
    lambda T: T.ones(1).device == "cpu", lambda T: T.device("cuda", 1) == T.device("cuda:1"),
], ids=["mps", "mps0", "xla", "meta", "unknown", "bad_index", "negative_index", "to_mps",
        "module_to_mps", "to_xla", "to_xpu", "str_equality", "tensor_device_str",
        "device_equality"])
def test_device_types_and_errors_as_torchs_cpu_build(call):
    # torch names every device type it knows; putting a tensor on one this build cannot
    # run fails then, with the build's error. A string never equals a device.
    assert _outcome(lambda: call(fl)) == _outcome(lambda: call(torch))
