"""torch.serialization's allowlist for weights-only loads, against torch 2.13: a PyTorch
checkpoint holding an object of a class marked safe (`add_safe_globals`, `safe_globals`)
loads with the default weights_only=True; unmarked (or after `clear_safe_globals`, or
outside the context manager) it is refused; and an explicit `pickle_module` without
weights_only asks for the full load, as in torch."""

import argparse
import collections
import io
import pickle

import pytest
import torch

import functorch_like as fl
from functorch_like.serialization import UnsafeCheckpointError


@pytest.fixture
def checkpoint():
    buf = io.BytesIO()
    torch.save({"args": argparse.Namespace(lr=0.1, name="run"), "w": torch.ones(2)}, buf)
    yield buf.getvalue()
    fl.serialization.clear_safe_globals()


def test_unmarked_global_is_refused(checkpoint):
    with pytest.raises(UnsafeCheckpointError, match="argparse.Namespace"):
        fl.load(io.BytesIO(checkpoint))
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(checkpoint))


def test_safe_globals_context_manager(checkpoint):
    with fl.serialization.safe_globals([argparse.Namespace]):
        out = fl.load(io.BytesIO(checkpoint))
    assert out["args"] == argparse.Namespace(lr=0.1, name="run")
    assert out["w"].tolist() == [1.0, 1.0]
    with pytest.raises(UnsafeCheckpointError):
        fl.load(io.BytesIO(checkpoint))


def test_add_get_clear_safe_globals(checkpoint):
    fl.serialization.add_safe_globals([(argparse.Namespace, "argparse.Namespace")])
    assert fl.serialization.get_safe_globals() == [(argparse.Namespace, "argparse.Namespace")]
    assert fl.load(io.BytesIO(checkpoint))["args"].lr == 0.1
    fl.serialization.clear_safe_globals()
    assert fl.serialization.get_safe_globals() == []
    with pytest.raises(UnsafeCheckpointError):
        fl.load(io.BytesIO(checkpoint))


def test_a_global_marked_under_another_name_does_not_match(checkpoint):
    fl.serialization.add_safe_globals([(argparse.Namespace, "other.Namespace")])
    with pytest.raises(UnsafeCheckpointError):
        fl.load(io.BytesIO(checkpoint))


def test_explicit_pickle_module_loads_fully(checkpoint):
    for lib in (fl, torch):
        assert lib.load(io.BytesIO(checkpoint), pickle_module=pickle)["args"].name == "run"


class _Mine:
    """A user class a checkpoint may name (module-level, so pickle can find it)."""


def test_get_unsafe_globals_in_checkpoint_matches_torch(tmp_path):
    obj = {"w": torch.ones(2), "p": torch.nn.Parameter(torch.ones(1)),
           "args": argparse.Namespace(lr=0.1), "counts": collections.defaultdict(int),
           "mine": _Mine(), "od": collections.OrderedDict(a=1), "s": {1, 2}}
    path = tmp_path / "ckpt.pt"
    torch.save(obj, path)
    want = sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    assert "argparse.Namespace" in want and "builtins.int" in want
    assert fl.serialization.get_unsafe_globals_in_checkpoint(str(path)) == want
    with fl.serialization.safe_globals([argparse.Namespace]), \
            torch.serialization.safe_globals([argparse.Namespace]):
        want = sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
        assert fl.serialization.get_unsafe_globals_in_checkpoint(path) == want
    fl.save({"w": fl.ones(2), "n": [1, 2.5]}, tmp_path / "plain.pt")
    assert fl.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "plain.pt") == []
    (tmp_path / "junk").write_bytes(b"not a zip")
    for lib in (torch, fl):
        with pytest.raises(ValueError, match="Expected input to be a checkpoint returned by "
                                             "torch.save"):
            lib.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "junk")
