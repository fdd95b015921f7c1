"""save/load: round trips, resuming training, real PyTorch checkpoints, safety, damaged
files, atomic writes, map_location and the opt-in pickle path.

PyTorch files here are written by real `torch.save` and read by functorch_like with every
`torch` module hidden from `sys.modules`, so PyTorch's loader cannot be involved.
"""

import io
import json
import math
import os
import pickle
import select
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter, OrderedDict

import jax
import ml_dtypes
import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like import nn
from functorch_like.nn import functional as F
from functorch_like.serialization import CheckpointError, UnsafeCheckpointError
from _tensor_ops_ref import check_raises

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64", "complex64", "complex128"]


# ---- helpers ----------------------------------------------------------------------------

def save_native(obj, f) -> None:
    """Writes `obj` in the native format (manifest.json and .npy entries), which save()
    keeps for checkpoints holding NumPy arrays and load() reads."""
    from functorch_like._serialization import _native
    enc = _native.Encoder()
    root = enc.node(obj)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _native.write(fh, enc, root)
    else:
        _native.write(f, enc, root)


def bits(t) -> bytes:
    return np.asarray(t._value).tobytes()


def assert_same(a, b, where="obj"):
    """Equal values *and* equal types all the way down (dict vs OrderedDict, list vs
    tuple, int vs str keys, Tensor vs Parameter, dtype, shape, requires_grad, bits)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, fl.Tensor):
        assert a.dtype.name == b.dtype.name, where
        assert a._value.dtype == b._value.dtype, where
        assert a.shape == b.shape, where
        assert a.requires_grad == b.requires_grad, where
        assert bits(a) == bits(b), where
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b], where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                     math.copysign(1, b)), where
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), where
    else:
        assert a == b, where


def small_net():
    # No conv bias before BatchNorm: its gradient is zero up to rounding, which Adam would
    # blow up to full-size steps in arbitrary directions, here and in torch differently.
    return nn.Sequential(nn.Conv2d(1, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 5))


def trained_net_and_adam(steps=2):
    fl.manual_seed(0)
    model = small_net()
    opt = fl.optim.Adam(model.parameters(), lr=1e-2)
    x = fl.tensor(np.random.default_rng(0).normal(size=(4, 1, 8, 8)).astype(np.float32))
    for _ in range(steps):
        opt.zero_grad()
        model(x).square().mean().backward()
        opt.step()
    return model, opt


def hide_torch(mp):
    """Makes `import torch` (and torch.*) fail for the rest of the monkeypatch context."""
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        mp.setitem(sys.modules, name, None)


def torch_np(t: torch.Tensor) -> np.ndarray:
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def tmp_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---- native round trips -----------------------------------------------------------------

def test_model_and_optimizer_state_dicts_round_trip(tmp_path):
    model, opt = trained_net_and_adam()
    ckpt = {"epoch": 2, "model_state": model.state_dict(), "optim_state": opt.state_dict()}
    fl.save(ckpt, tmp_path / "ckpt.pt")
    loaded = fl.load(tmp_path / "ckpt.pt")
    assert_same(ckpt, loaded)
    state = loaded["model_state"]
    assert list(state) == ["0.weight", "1.weight", "1.bias", "1.running_mean",
                           "1.running_var", "1.num_batches_tracked", "5.weight", "5.bias"]
    assert state["1.num_batches_tracked"].dtype == fl.int64
    assert state["1.num_batches_tracked"].item() == 2
    optim_state = loaded["optim_state"]
    assert sorted(optim_state["state"]) == [0, 1, 2, 3, 4]     # int keys stay ints
    assert optim_state["state"][0]["step"].shape == () and \
        optim_state["state"][0]["step"].dtype == fl.float32
    group = optim_state["param_groups"][0]
    assert group["betas"] == (0.9, 0.999) and type(group["betas"]) is tuple
    assert group["params"] == [0, 1, 2, 3, 4] and group["foreach"] is None
    # The loaded dicts drive fresh objects to the same state.
    fl.manual_seed(1)
    model2 = small_net()
    opt2 = fl.optim.Adam(model2.parameters(), lr=1e-3)
    model2.load_state_dict(state)
    opt2.load_state_dict(optim_state)
    assert opt2.param_groups[0]["lr"] == 1e-2
    model.eval(), model2.eval()
    x = fl.ones(4, 1, 8, 8)
    assert bits(model(x)) == bits(model2(x))


def test_checkpoint_dict_keeps_every_container_and_scalar_type(tmp_path):
    inner = OrderedDict([(3, "three"), ("3", 3.0), ((1, "a"), None)])
    inner._metadata = OrderedDict([("", {"version": 1})])    # as torch's state_dicts have
    ckpt = {
        "epoch": 7, "best": 0.25, "neg_zero": -0.0, "nan": float("nan"),
        "inf": float("inf"), "ninf": -float("inf"), "z": complex(1.5, -float("inf")),
        "flag": True, "none": None, "name": "résumé ✓", "raw": b"\x00\xffbytes",
        "big": 2 ** 80, 1: "int key", "1": "str key", 2.5: "float key", (1, 2): "tuple key",
        "list": [1, [2, (3,)], []], "tuple": (1, (2, [3]), ()), "empty": {},
        "odict": inner, "size": fl.Size([2, 3]), "dtype": fl.bfloat16,
        "device": fl.device("cpu"), "array": np.arange(6, dtype=np.float64).reshape(2, 3),
        "np_scalar": np.float32(0.5), "text_array": np.array(["ab", "c"]),
    }
    fl.save(ckpt, tmp_path / "c.pt")
    loaded = fl.load(tmp_path / "c.pt")
    assert_same(ckpt, loaded)
    assert loaded["odict"]._metadata == {"": {"version": 1}}
    assert type(loaded["size"]) is fl.Size and loaded["dtype"] is fl.bfloat16
    with zipfile.ZipFile(tmp_path / "c.pt") as zf:     # (NumPy arrays: the native format)
        assert "manifest.json" in zf.namelist()
    # Without NumPy arrays the file is PyTorch's format: the same, and torch reads it
    for key in ("array", "np_scalar", "text_array"):
        del ckpt[key]
    ckpt.update({"set": {1, 2}, "counter": Counter({4: 2}), "bytearray": bytearray(b"ab"),
                 "t": fl.arange(3.0), "p": nn.Parameter(fl.ones(2))})
    fl.save(ckpt, tmp_path / "t.pt")
    with zipfile.ZipFile(tmp_path / "t.pt") as zf:
        assert "archive/data.pkl" in zf.namelist()
    loaded = fl.load(tmp_path / "t.pt")
    assert_same(ckpt, loaded)
    assert loaded["odict"]._metadata == {"": {"version": 1}}
    theirs = torch.load(tmp_path / "t.pt")            # weights_only=True
    assert theirs["odict"]._metadata == {"": {"version": 1}}
    assert theirs["size"] == torch.Size([2, 3]) and theirs["dtype"] is torch.bfloat16
    assert theirs["device"] == torch.device("cpu") and theirs["big"] == 2 ** 80
    assert theirs["t"].tolist() == [0.0, 1.0, 2.0] and type(theirs["p"]) is torch.nn.Parameter
    assert {k: v for k, v in theirs.items() if k not in ("nan", "z", "size", "dtype", "device",
                                                          "t", "p", "odict")} == \
        {k: v for k, v in ckpt.items() if k not in ("nan", "z", "size", "dtype", "device", "t",
                                                    "p", "odict")}


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_round_trips_exactly(tmp_path, x64, name):
    rng = np.random.default_rng(DTYPES.index(name))
    np_dtype = np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)
    if np_dtype.kind == "b":
        data = rng.integers(0, 2, size=(3, 4)).astype(bool)
    elif np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        data = rng.integers(info.min, info.max, size=(3, 4), dtype=np_dtype, endpoint=True)
    else:
        data = rng.normal(size=(3, 4)) * 100
        data[0, :3] = [np.nan, np.inf, -0.0]
        if np_dtype.kind == "c":
            data = data + 1j * rng.normal(size=(3, 4))
        data = data.astype(np_dtype)
    d = getattr(fl, name)
    tensors = {"full": fl.tensor(data, dtype=d), "scalar": fl.tensor(data[1, 1], dtype=d),
               "empty": fl.zeros(0, dtype=d), "empty2d": fl.zeros(0, 5, dtype=d)}
    if np_dtype.kind in "fcV":
        tensors["grad"] = fl.tensor(data, dtype=d, requires_grad=True)
        tensors["param"] = nn.Parameter(fl.tensor(data, dtype=d), requires_grad=False)
    fl.save(tensors, tmp_path / "t.pt")
    loaded = fl.load(tmp_path / "t.pt")
    assert_same(tensors, loaded)
    assert loaded["full"].dtype.name == name
    assert type(loaded.get("param")) in (nn.Parameter, type(None))
    # the file is PyTorch's own format, in the logical dtype: torch loads it as saved
    theirs = torch.load(tmp_path / "t.pt")
    assert str(theirs["full"].dtype) == f"torch.{name}"
    assert type(theirs.get("param")) in (torch.nn.Parameter, type(None))
    for key, t in tensors.items():
        want = np.asarray(t.detach().float() if name == "bfloat16" else t.detach())
        got = theirs[key].detach()
        got = (got.float() if name == "bfloat16" else got).numpy()
        assert got.shape == want.shape and got.tobytes() == want.astype(got.dtype).tobytes()
        assert theirs[key].requires_grad == t.requires_grad


def test_64bit_dtypes_are_64bit_in_the_file_while_x64_is_off(tmp_path):
    assert not jax.config.jax_enable_x64
    t = fl.tensor([1, -2, 3])                          # int64, stored as int32 by JAX
    assert t._value.dtype == np.int32
    fl.save({"t": t}, tmp_path / "a.pt")
    assert torch.load(tmp_path / "a.pt")["t"].dtype == torch.int64
    save_native({"t": t}, tmp_path / "n.pt")           # the native format too
    with zipfile.ZipFile(tmp_path / "n.pt") as zf:
        assert np.load(io.BytesIO(zf.read("data/0.npy"))).dtype == np.int64
    assert fl.load(tmp_path / "n.pt")["t"].dtype == fl.int64
    loaded = fl.load(tmp_path / "a.pt")["t"]
    assert loaded.dtype == fl.int64 and loaded.tolist() == [1, -2, 3]
    # A real int64 that does not fit int32 storage raises (before: a warning, and the
    # value wrapped to 0), as the factories do; torch's own file too.
    with jax.enable_x64(True):
        fl.save({"big": fl.tensor([2 ** 40], dtype=fl.int64)}, tmp_path / "b.pt")
    torch.save({"big": torch.tensor([2 ** 40, 7])}, tmp_path / "c.pt")
    for name in ("b.pt", "c.pt"):
        with pytest.raises(RuntimeError, match="int64 values outside the int32 range"):
            fl.load(tmp_path / name)


def test_tensor_identity_parameters_and_requires_grad(tmp_path):
    shared = fl.randn(3)
    p = nn.Parameter(fl.randn(2, 2))
    frozen = nn.Parameter(fl.randn(2), requires_grad=False)
    leaf = fl.randn(2, requires_grad=True)
    nonleaf = leaf * 2
    fl.save({"a": shared, "b": [shared], "p": p, "frozen": frozen, "nonleaf": nonleaf,
             "plain": fl.randn(2)}, tmp_path / "x.pt")
    out = fl.load(tmp_path / "x.pt")
    assert out["a"] is out["b"][0]                     # shared once, shared again
    assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
    assert type(out["frozen"]) is nn.Parameter and not out["frozen"].requires_grad
    assert type(out["nonleaf"]) is fl.Tensor and out["nonleaf"].requires_grad
    assert out["nonleaf"].is_leaf and bits(out["nonleaf"]) == bits(nonleaf)
    assert type(out["plain"]) is fl.Tensor and not out["plain"].requires_grad


def test_same_content_gives_the_same_bytes_and_file_objects_work(tmp_path):
    model, opt = trained_net_and_adam(steps=1)
    ckpt = {"m": model.state_dict(), "o": opt.state_dict()}
    fl.save(ckpt, tmp_path / "1.pt")
    fl.save(ckpt, tmp_path / "2.pt")
    assert (tmp_path / "1.pt").read_bytes() == (tmp_path / "2.pt").read_bytes()
    buf = io.BytesIO()
    fl.save(ckpt, buf)
    assert buf.getvalue() == (tmp_path / "1.pt").read_bytes()
    buf.seek(0)
    assert_same(ckpt, fl.load(buf))

    class Stream(io.RawIOBase):                        # a non-seekable reader (a pipe)
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self._data.readinto(b)

    assert_same(ckpt, fl.load(io.BufferedReader(Stream(buf.getvalue()))))


def test_save_refuses_objects_it_cannot_store_safely(tmp_path):
    path = tmp_path / "model.pt"
    fl.save({"epoch": 1}, path)
    before = path.read_bytes()
    model = nn.Linear(2, 3)
    with pytest.raises(TypeError, match=r"Linear.*obj\['model'\].*state_dict\(\).*"
                                        r"allow_pickle=True"):
        fl.save({"epoch": 2, "model": model}, path)
    with pytest.raises(TypeError, match="allow_pickle=True"):
        fl.save(lambda: 0, tmp_path / "f.pt")
    assert path.read_bytes() == before and not (tmp_path / "f.pt").exists()
    assert tmp_files(tmp_path) == []
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        fl.save(loop, tmp_path / "loop.pt")


# ---- resuming training --------------------------------------------------------------------

def _resumable_setup(seed):
    fl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3),
                          nn.Linear(8, 1))
    return model, fl.optim.Adam(model.parameters(), lr=1e-2)


_RNG = np.random.default_rng(3)
_BATCHES = [(fl.tensor(_RNG.normal(size=(16, 4)).astype(np.float32)),
             fl.tensor(_RNG.normal(size=(16, 1)).astype(np.float32))) for _ in range(6)]


def _train(model, opt, batches):
    losses = []
    for x, y in batches:
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_resuming_from_a_checkpoint_matches_an_uninterrupted_run(tmp_path):
    model, opt = _resumable_setup(0)
    straight = _train(model, opt, _BATCHES)

    model, opt = _resumable_setup(0)
    first = _train(model, opt, _BATCHES[:3])
    fl.save({"epoch": 3, "model_state": model.state_dict(), "optim_state": opt.state_dict(),
             "rng_state": fl.get_rng_state()}, tmp_path / "resume.pt")
    del model, opt
    resumed_model, resumed_opt = _resumable_setup(123)     # other weights, other RNG
    ckpt = fl.load(tmp_path / "resume.pt")
    resumed_model.load_state_dict(ckpt["model_state"])
    resumed_opt.load_state_dict(ckpt["optim_state"])
    fl.set_rng_state(ckpt["rng_state"])
    rest = _train(resumed_model, resumed_opt, _BATCHES[ckpt["epoch"]:])
    assert first + rest == straight
    assert len(set(straight)) == len(straight)           # the run really trains


# ---- real PyTorch checkpoints ---------------------------------------------------------------

class TorchNet(torch.nn.Sequential):
    def __init__(self):
        super().__init__(torch.nn.Conv2d(1, 4, 3, bias=False), torch.nn.BatchNorm2d(4),
                         torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                         torch.nn.Linear(36, 5))


@pytest.fixture(scope="module")
def torch_cnn():
    torch.manual_seed(0)
    net = TorchNet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    x = torch.randn(4, 1, 8, 8)
    for _ in range(3):
        opt.zero_grad()
        net(x).square().mean().backward()
        opt.step()
    return net, opt


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_torch_checkpoint_loads_without_torch(tmp_path, monkeypatch, torch_cnn, zip_format):
    net, opt = torch_cnn
    path = tmp_path / "torch_ckpt.pth"
    torch.save({"epoch": 3, "model_state": net.state_dict(), "optim_state": opt.state_dict()},
               path, _use_new_zipfile_serialization=zip_format)
    with monkeypatch.context() as mp:
        hide_torch(mp)
        with pytest.raises(ImportError):
            import torch as _  # noqa: F401
        ckpt = fl.load(path)
    assert ckpt["epoch"] == 3
    state = ckpt["model_state"]
    assert type(state) is OrderedDict and list(state) == list(net.state_dict())
    for k, v in net.state_dict().items():
        assert state[k].dtype.name == str(v.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(np.asarray(state[k]), torch_np(v))
    # The weights drive a functorch_like model to PyTorch's outputs.
    model = small_net()
    model.load_state_dict(state)
    net.eval(), model.eval()
    x = np.random.default_rng(1).normal(size=(4, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(fl.tensor(x)).detach()),
                               net(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # Adam's state loads too, and one more step agrees with torch.optim's.
    osd = ckpt["optim_state"]
    assert sorted(osd["state"]) == list(range(5))
    ref = opt.state_dict()
    for i, entry in ref["state"].items():
        for key, value in entry.items():
            np.testing.assert_array_equal(np.asarray(osd["state"][i][key]), torch_np(value))
    assert osd["param_groups"] == ref["param_groups"]
    ours = fl.optim.Adam(model.parameters())
    ours.load_state_dict(osd)
    net.train(), model.train()
    y = np.random.default_rng(2).normal(size=(4, 1, 8, 8)).astype(np.float32)
    ours.zero_grad()
    model(fl.tensor(y)).square().mean().backward()
    ours.step()
    net_copy = TorchNet()
    net_copy.load_state_dict(net.state_dict())
    opt_copy = torch.optim.Adam(net_copy.parameters())
    opt_copy.load_state_dict(opt.state_dict())
    net_copy(torch.tensor(y)).square().mean().backward()
    opt_copy.step()
    for k, v in net_copy.state_dict().items():
        np.testing.assert_allclose(np.asarray(model.state_dict()[k]), torch_np(v), rtol=1e-4,
                                   atol=1e-6)


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_torch_file_every_dtype_views_and_extras(tmp_path, monkeypatch, x64, zip_format):
    torch.manual_seed(0)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    tensors = {name: (torch.randn(3, 4) * 50).to(getattr(torch, name)) for name in DTYPES
               if name != "bool"}
    tensors["bool"] = torch.randn(3, 4) > 0
    tensors["complex64"] = torch.randn(3, 4, dtype=torch.complex64)
    tensors["complex128"] = torch.randn(3, 4, dtype=torch.complex128)
    obj = {
        "dtypes": tensors,
        "transposed": base.t(), "offset_slice": base[1:, 2::2], "expanded":
        torch.ones(3).expand(2, 3), "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
        "param": torch.nn.Parameter(torch.randn(2)), "frozen":
        torch.nn.Parameter(torch.randn(2), requires_grad=False),
        "grad": torch.randn(2, requires_grad=True), "size": torch.Size([2, 3]),
        "dtype": torch.float16, "device": torch.device("cpu"),
        "odict": OrderedDict([(1, "a"), ("1", (1.5, None))]), "bytes": b"\x00\x01",
        "complex": 1 - 2j, "set": {1, 2}, "list": [True, None, "s"],
    }
    path = tmp_path / "mixed.pt"
    torch.save(obj, path, _use_new_zipfile_serialization=zip_format)
    with monkeypatch.context() as mp:
        hide_torch(mp)
        out = fl.load(path)
    for name, t in tensors.items():
        got = out["dtypes"][name]
        assert got.dtype == getattr(fl, name) and got.dtype.name == name
        assert np.asarray(got).tobytes() == torch_np(t).tobytes(), name
    for key in ("transposed", "offset_slice", "expanded", "scalar", "empty"):
        assert out[key].shape == obj[key].shape, key
        np.testing.assert_array_equal(np.asarray(out[key]), obj[key].numpy())
    assert type(out["param"]) is nn.Parameter and out["param"].requires_grad
    assert type(out["frozen"]) is nn.Parameter and not out["frozen"].requires_grad
    assert type(out["grad"]) is fl.Tensor and out["grad"].requires_grad
    assert out["size"] == fl.Size([2, 3]) and type(out["size"]) is fl.Size
    assert out["dtype"] is fl.float16 and out["device"] == fl.device("cpu")
    assert type(out["odict"]) is OrderedDict and list(out["odict"]) == [1, "1"]
    assert out["odict"]["1"] == (1.5, None)
    assert out["bytes"] == b"\x00\x01" and out["complex"] == 1 - 2j and out["set"] == {1, 2}
    assert out["list"] == [True, None, "s"]


def _rewrite_zip(data: bytes, change) -> bytes:
    """A copy of a zip whose entries pass through `change(name, bytes) -> bytes`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return out.getvalue()


def test_torch_big_endian_files_and_unsupported_dtypes(tmp_path, x64):
    torch.manual_seed(0)
    for name in ("float32", "float64", "int64", "int16", "complex64", "bfloat16", "bool"):
        t = (torch.randn(2, 3, dtype=torch.complex64) if name == "complex64"
             else (torch.randn(2, 3) * 100).to(getattr(torch, name)))
        buf = io.BytesIO()
        torch.save({"t": t}, buf)
        little = torch_np(t)

        def to_big(entry, data, little=little):     # as a big-endian machine writes it
            if entry.endswith("/byteorder"):
                return b"big"
            if entry.endswith("/data/0"):
                raw = little.view(np.uint16) if little.dtype == ml_dtypes.bfloat16 else little
                return raw.byteswap().tobytes()
            return data

        path = tmp_path / f"big_{name}.pt"
        path.write_bytes(_rewrite_zip(buf.getvalue(), to_big))
        got = fl.load(path)["t"]
        assert got.dtype.name == name and np.asarray(got).tobytes() == little.tobytes(), name
    torch.save({"t": torch.zeros(3, dtype=torch.uint16)}, tmp_path / "u16.pt")
    with pytest.raises(CheckpointError, match="u16.pt.*torch.uint16"):
        fl.load(tmp_path / "u16.pt")


# ---- safety ----------------------------------------------------------------------------------

class _System:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Open:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


class _Eval:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').close()",))


def _torch_zip(pickled: bytes, storages=()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickled)
        zf.writestr("archive/byteorder", "little")
        for key, data in storages:
            zf.writestr(f"archive/data/{key}", data)
        zf.writestr("archive/version", "3\n")
    return buf.getvalue()


# The names pickle records (posix.system on Linux; io.open or _io.open by Python version).
@pytest.mark.parametrize("payload, global_name", [
    (_System, f"{os.system.__module__}.system"), (_Open, f"{open.__module__}.open"),
    (_Eval, "builtins.eval")], ids=["os.system", "builtins.open", "builtins.eval"])
@pytest.mark.parametrize("container", ["bare_pickle", "torch_zip", "inside_real_torch_file"])
def test_malicious_pickle_is_refused_and_never_runs(tmp_path, payload, global_name,
                                                    container):
    control, marker = tmp_path / "control", tmp_path / "marker"
    # The payload is live: plain pickle runs it.
    pickle.loads(pickle.dumps(payload(control), protocol=2))
    assert control.exists()
    evil = {"ok": [1, 2.0], "evil": payload(marker)}
    if container == "bare_pickle":
        data = pickle.dumps(evil, protocol=2)
    elif container == "torch_zip":
        data = _torch_zip(pickle.dumps(evil, protocol=2))
    else:     # a genuine torch.save file whose data.pkl also carries the payload
        buf = io.BytesIO()
        torch.save({"w": torch.ones(3)}, buf)
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src:
            storage = src.read(next(n for n in src.namelist() if n.endswith("data/0")))

        class P(pickle.Pickler):
            def persistent_id(self, obj):
                return ("storage", torch.FloatStorage, "0", "cpu", 3) if obj == "S" else None

        out = io.BytesIO()
        P(out, protocol=2).dump({"w": "S", **evil})
        data = _torch_zip(out.getvalue(), [("0", storage)])
    path = tmp_path / "evil.pt"
    path.write_bytes(data)
    with pytest.raises(UnsafeCheckpointError) as info:
        fl.load(path)
    assert isinstance(info.value, pickle.UnpicklingError)
    assert global_name in str(info.value) and str(path) in str(info.value)
    assert info.value.global_name == global_name
    assert not marker.exists()


def test_unknown_classes_and_our_own_pickles_are_refused(tmp_path):
    for obj, name in [(nn.Linear(2, 2), "functorch_like.nn.modules.linear.Linear"),
                      (OrderedDict(a=subprocess.Popen), "subprocess.Popen"),
                      (np.ones(2), "numpy")]:
        path = tmp_path / "x.pt"
        path.write_bytes(_torch_zip(pickle.dumps(obj, protocol=2)))
        with pytest.raises(UnsafeCheckpointError, match=name.replace(".", r"\.")):
            fl.load(path)
    # A whole torch.nn.Module pickled by torch.save is refused in the same way.
    torch.save(TorchNet(), tmp_path / "module.pt")
    with pytest.raises(UnsafeCheckpointError, match="TorchNet"):
        fl.load(tmp_path / "module.pt")


def test_crafted_tensor_cannot_read_outside_its_storage(tmp_path):
    buf = io.BytesIO()
    torch.save({"w": torch.arange(4.0)[1:]}, buf)     # offset 1, size 3, storage of 4
    short = _rewrite_zip(buf.getvalue(),               # 2 floats instead of 4
                         lambda name, data: data[:8] if name.endswith("data/0") else data)
    (tmp_path / "short.pt").write_bytes(short)
    with pytest.raises(CheckpointError, match="short.pt"):
        fl.load(tmp_path / "short.pt")


# ---- damaged files ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good_bytes():
    """A checkpoint as save() writes it (PyTorch's format) and in the native format."""
    model, opt = trained_net_and_adam(steps=1)
    ckpt = {"epoch": 1, "model": model.state_dict(), "optim": opt.state_dict()}
    buf, native = io.BytesIO(), io.BytesIO()
    fl.save(ckpt, buf)
    save_native(ckpt, native)
    return buf.getvalue(), native.getvalue()


def test_truncated_files_raise_a_clear_error(tmp_path, good_bytes):
    torch_buf = io.BytesIO()
    torch.save({"w": torch.randn(50)}, torch_buf)
    legacy_buf = io.BytesIO()
    torch.save({"w": torch.randn(50)}, legacy_buf, _use_new_zipfile_serialization=False)
    for kind, data in [("saved", good_bytes[0]), ("native", good_bytes[1]),
                       ("torch", torch_buf.getvalue()), ("legacy", legacy_buf.getvalue())]:
        for cut in (0, 1, 10, len(data) // 3, len(data) // 2, len(data) - 30, len(data) - 1):
            path = tmp_path / f"{kind}_{cut}.pt"
            path.write_bytes(data[:cut])
            with pytest.raises(CheckpointError, match=path.name) as info:
                fl.load(path)
            assert isinstance(info.value, RuntimeError), (kind, cut)


def test_corrupted_bytes_and_random_files_raise_a_clear_error(tmp_path, good_bytes):
    # A flipped byte anywhere in a tensor's data or in the structure fails the CRC check.
    flips = []
    for data, names in ((good_bytes[0], ("archive/data/0", "archive/data.pkl")),
                        (good_bytes[1], ("data/0.npy", "manifest.json"))):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for n in names:
                info = zf.getinfo(n)
                flips.append((data, info.header_offset + 30 + len(n) + len(info.extra)
                              + min(100, info.file_size // 2)))
    for i, (good, offset) in enumerate(flips):
        data = bytearray(good)
        data[offset] ^= 0x01
        path = tmp_path / f"flipped{i}.pt"
        path.write_bytes(bytes(data))
        with pytest.raises(CheckpointError, match=f"flipped{i}.pt"):
            fl.load(path)
    rng = np.random.default_rng(0)
    for i, head in enumerate([b"", b"PK\x03\x04", b"\x80\x02", b"\x80\x05", b"{"]):
        path = tmp_path / f"random{i}.pt"
        path.write_bytes(head + rng.bytes(4096))
        with pytest.raises(CheckpointError, match=f"random{i}.pt"):
            fl.load(path)
    with pytest.raises(CheckpointError, match="<BytesIO>"):
        fl.load(io.BytesIO(good_bytes[0][:500]))
    bare = tmp_path / "trailing.pt"            # a valid pickle followed by junk
    bare.write_bytes(pickle.dumps({"a": 1}, protocol=2) + b"junk")
    with pytest.raises(CheckpointError, match="trailing.pt"):
        fl.load(bare)


def test_a_failed_save_leaves_the_previous_file_and_no_temporary_file(tmp_path):
    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("cannot pickle this")

    path = tmp_path / "ckpt.pt"
    fl.save({"v": fl.arange(1000.0)}, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="cannot pickle this"):
        fl.save({"big": fl.zeros(100_000), "x": Unpicklable()}, path, allow_pickle=True)
    assert path.read_bytes() == before and tmp_files(tmp_path) == []


def test_atomic_save_keeps_permissions_and_writes_through_symlinks(tmp_path):
    path = tmp_path / "ckpt.pt"
    fl.save({"a": 1}, path)
    os.chmod(path, 0o640)
    fl.save({"a": 2}, path)
    assert os.stat(path).st_mode & 0o777 == 0o640 and fl.load(path) == {"a": 2}
    link = tmp_path / "latest.pt"
    link.symlink_to(path)
    fl.save({"a": 3}, link)
    assert link.is_symlink() and fl.load(path) == {"a": 3}
    assert tmp_files(tmp_path) == []


_WRITER = r"""
import sys
import numpy as np
import functorch_like as torch
big = {f"w{i}": torch.from_numpy(np.full((1600, 4096), i + 1, np.float32)) for i in range(8)}
print("ready", flush=True)
while True:                      # 8 x 26 MB = 210 MB per save, over and over
    torch.save(big, sys.argv[1])
"""


def _kill_mid_save(tmp_path, path):
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], env=env,
                            stdout=subprocess.PIPE)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready and proc.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for tmp in tmp_path.glob(f".{path.name}.*.tmp"):
                try:
                    size = tmp.stat().st_size
                except FileNotFoundError:
                    continue
                if 16 << 20 <= size <= 120 << 20:        # well inside a 210 MB write
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return tmp
            time.sleep(0.001)
        raise AssertionError("never saw a save in progress")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kill_during_save_leaves_the_previous_checkpoint(tmp_path):
    path = tmp_path / "ckpt.pt"
    previous = {"step": 41, "w": fl.arange(10.0)}
    for _ in range(3):                  # a kill can (rarely) land just after a rename
        fl.save(previous, path)
        inode = os.stat(path).st_ino
        partial = _kill_mid_save(tmp_path, path)
        if partial.exists():
            break
    assert partial.exists()             # the kill hit a save that was writing
    loaded = fl.load(path)
    if os.stat(path).st_ino == inode:   # no save completed before the kill
        assert_same(previous, loaded)
    else:                               # one did: it is whole
        assert sorted(loaded) == [f"w{i}" for i in range(8)]
        assert all(np.all(np.asarray(v) == i + 1) for i, v in enumerate(loaded.values()))
    with pytest.raises(CheckpointError):
        fl.load(partial)                # the torn temporary file is detectably incomplete


# ---- map_location --------------------------------------------------------------------------

def _rewrite_devices(src, dst, location):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                for entry in manifest["tensors"]:
                    entry["device"] = location
                data = json.dumps(manifest).encode()
            zout.writestr(info.filename, data)


@pytest.mark.parametrize("fmt", ["native", "torch"])
def test_map_location_variants(tmp_path, fmt):
    gpu = fl.cuda.is_available()
    cuda = fl.device("cuda", 0) if gpu else fl.device("cpu")
    cpu = fl.device("cpu")
    path = tmp_path / "cuda_saved.pt"
    if fmt == "native":       # as if saved on a GPU: every tensor's location is cuda:0
        save_native({"w": fl.arange(4.0), "n": fl.tensor(3)}, tmp_path / "cpu.pt")
        _rewrite_devices(tmp_path / "cpu.pt", path, "cuda:0")
    else:
        buf = io.BytesIO()
        torch.save({"w": torch.arange(4.0), "n": torch.tensor(3)}, buf)
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src:
            pkl_name = next(n for n in src.namelist() if n.endswith("data.pkl"))
            pkl = src.read(pkl_name).replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            assert b"cuda:0" in pkl
            with zipfile.ZipFile(path, "w") as dst:
                for info in src.infolist():
                    dst.writestr(info.filename, pkl if info.filename == pkl_name
                                 else src.read(info))
    seen = []

    def keep_on_cpu(storage, location):
        seen.append(location)
        return storage

    cases = [(None, cuda), ("cpu", cpu), (fl.device("cpu"), cpu), ("cuda", cuda),
             ({"cuda:0": "cpu"}, cpu), ({"cuda:1": "cpu"}, cuda), (keep_on_cpu, cpu),
             (lambda s, loc: s.cuda(0), cuda), (lambda s, loc: None, cuda),
             (lambda s, loc: "cpu", cpu)]
    for map_location, expected in cases:
        out = fl.load(path, map_location=map_location)
        assert out["w"].device == expected, map_location
        assert out["w"].tolist() == [0.0, 1.0, 2.0, 3.0] and out["n"].item() == 3
    assert seen == ["cuda:0", "cuda:0"]

    def broken(storage, location):
        raise KeyError("user bug")

    with pytest.raises(KeyError, match="user bug"):    # the user's error, not "corrupt"
        fl.load(path, map_location=broken)
    with pytest.raises(TypeError, match="map_location"):
        fl.load(path, map_location=3)
    with pytest.raises(RuntimeError, match="device type"):
        fl.load(path, map_location="cdua")


# ---- the opt-in pickle path -------------------------------------------------------------------

def test_whole_module_pickling_is_opt_in_on_both_ends(tmp_path):
    model, opt = trained_net_and_adam(steps=1)
    path = tmp_path / "whole.pt"
    fl.save({"model": model, "epoch": 1}, path, pickle_protocol=4, allow_pickle=True)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["kind"] == "pickle" and manifest["pickle_protocol"] == 4
    assert len(manifest["tensors"]) == len(model.state_dict())   # tensors stay .npy
    with pytest.raises(UnsafeCheckpointError, match="allow_pickle=True.*weights_only=False"):
        fl.load(path)
    with pytest.raises(RuntimeError, match="pickle_module"):
        fl.load(path, pickle_module=pickle, weights_only=True)
    # as torch's: a pickle_module given without weights_only asks for the full load
    assert fl.load(path, pickle_module=pickle)["epoch"] == 1
    loaded = fl.load(path, weights_only=False)
    assert loaded["epoch"] == 1 and type(loaded["model"]) is nn.Sequential
    assert all(type(p) is nn.Parameter and p.requires_grad
               for p in loaded["model"].parameters())
    model.eval(), loaded["model"].eval()
    x = fl.ones(4, 1, 8, 8)
    assert bits(model(x)) == bits(loaded["model"](x))
    on_cpu = fl.load(path, weights_only=False, map_location="cpu")["model"]
    assert all(p.device == fl.device("cpu") for p in on_cpu.parameters())
    # allow_pickle only permits pickling: plain data still gets the safe format.
    fl.save({"a": fl.ones(2)}, tmp_path / "plain.pt", allow_pickle=True)
    assert fl.load(tmp_path / "plain.pt")["a"].tolist() == [1.0, 1.0]


def test_save_accepts_torchs_format_switches(tmp_path):
    """torch.save's `_use_new_zipfile_serialization` and `_disable_byteorder_record` are
    accepted (this format is written either way), as scripts pass them."""
    for kwargs in ({"_use_new_zipfile_serialization": False},
                   {"_disable_byteorder_record": True}):
        fl.save({"w": fl.ones(2)}, tmp_path / "w.pt", **kwargs)
        assert fl.load(tmp_path / "w.pt")["w"].tolist() == [1.0, 1.0]


def test_torch_loads_a_trained_model_and_optimizer_saved_here(tmp_path):
    """The point of writing PyTorch's format: a checkpoint saved here resumes in PyTorch
    (weights_only=True), model and Adam state alike."""
    model, opt = trained_net_and_adam(steps=2)
    fl.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 2},
            tmp_path / "ckpt.pt")
    ckpt = torch.load(tmp_path / "ckpt.pt")
    assert ckpt["epoch"] == 2
    ours = model.state_dict()
    assert list(ckpt["model"]) == list(ours)
    for k, v in ckpt["model"].items():
        assert str(v.dtype) == str(ours[k].dtype) and v.numpy().tobytes() == \
            np.asarray(ours[k]).astype(v.numpy().dtype).tobytes()
    assert ckpt["optim"]["param_groups"][0]["lr"] == opt.state_dict()["param_groups"][0]["lr"]
    state = opt.state_dict()["state"]
    for i, entry in ckpt["optim"]["state"].items():
        for k, v in entry.items():
            np.testing.assert_array_equal(v.numpy(), np.asarray(state[i][k]))


@pytest.mark.parametrize("content,kinds", [(b"garbage", (pickle.UnpicklingError,)),
                                           (b"", (EOFError,))])
def test_a_non_checkpoint_raises_what_torch_raises_too(content, kinds):
    # `except (pickle.UnpicklingError, EOFError)` written for torch.load catches ours,
    # which stays a CheckpointError naming the file.
    for load in (torch.load, fl.load):
        with pytest.raises(kinds):
            load(io.BytesIO(content))
    with pytest.raises(fl.serialization.CheckpointError, match="<BytesIO>"):
        fl.load(io.BytesIO(content))


def test_mmap_needs_a_zip_checkpoint_at_a_path_as_torch(tmp_path):
    for lib in (torch, fl):
        buffer = io.BytesIO()
        lib.save(lib.ones(2), buffer)
        buffer.seek(0)
        with pytest.raises(ValueError, match="f must be a file path in order to use the "
                                             "mmap argument"):
            lib.load(buffer, mmap=True)
    torch.save(torch.ones(2), tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    check_raises(lambda lib: lib.load(tmp_path / "legacy.pt", mmap=True))
    fl.save(fl.ones(2), tmp_path / "t.pt")
    assert fl.load(tmp_path / "t.pt", mmap=True).tolist() == [1.0, 1.0]


def test_save_onto_a_directory_raises_runtime_error_as_torch(tmp_path):
    for lib in (torch, fl):
        with pytest.raises(RuntimeError, match="Is a directory"):
            lib.save(lib.ones(2), tmp_path)
    assert os.listdir(tmp_path) == []           # (no temporary file left)


def test_a_generator_argument_that_is_not_one_raises_type_error():
    # (an AttributeError before; torch's parser refuses it as a TypeError)
    for lib in (torch, fl):
        with pytest.raises(TypeError):
            lib.utils.data.random_split(range(4), [2, 2], generator=3)
        with pytest.raises(TypeError):
            lib.randn(2, generator=3)
