"""Tensor.untyped_storage() and storage() against torch's: addresses shared by views and
aliases, sizes, bytes, values and printing; read-only here."""

import warnings

import pytest
import torch as real

import functorch_like as torch
from functorch_like import _storage


def _facts(lib, make):
    x = make(lib)
    s = x.untyped_storage()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = x.storage()
    return {
        "nbytes": (s.nbytes(), s.size(), len(s), s.element_size()),
        "bytes": s.tolist(),
        "byte items": [s[0], s[len(s) - 1]] if len(s) else [],
        "typed": (t.size(), len(t), str(t.dtype), t.element_size(), t.nbytes(), t.tolist()),
        "untyped of typed": t.untyped().nbytes(),
        "address": s.data_ptr() == (x.data_ptr() if x.numel() else 0) == t.data_ptr(),
        "views share": x.reshape(-1)[1:].untyped_storage().data_ptr() == s.data_ptr(),
        "aliases share": x.detach().untyped_storage().data_ptr() == s.data_ptr(),
        "clone does not": x.numel() == 0
        or x.clone().untyped_storage().data_ptr() != s.data_ptr(),
        "repr": (repr(s), repr(t)),
        "device": str(s.device),
    }


_MAKERS = {
    "float32": lambda lib: lib.arange(6.0).reshape(2, 3).clone(),
    "float32 view": lambda lib: lib.arange(6.0).reshape(2, 3).clone()[1],
    "transposed": lambda lib: lib.arange(6.0).reshape(2, 3).clone().t(),
    "bool": lambda lib: lib.tensor([True, False, True]),
    "bfloat16": lambda lib: lib.tensor([1.5, -2.0], dtype=lib.bfloat16),
    "int32": lambda lib: lib.tensor([1, -2], dtype=lib.int32),
    "empty": lambda lib: lib.empty(0),
}


@pytest.mark.parametrize("name", list(_MAKERS))
def test_storages_match_torch(name):
    if name == "int32":
        # (int32 reports int64 while x64 is off: see the x64 test below)
        ours = _facts(torch, _MAKERS[name])
        assert ours["bytes"] == list(real.tensor([1, -2], dtype=real.int32)
                                     .untyped_storage().tolist())
        return
    assert _facts(torch, _MAKERS[name]) == _facts(real, _MAKERS[name])


def test_int64_storage_matches_torch_under_x64(x64):
    make = _MAKERS["int32"]
    assert _facts(torch, lambda lib: make(lib).long()) == _facts(real,
                                                                 lambda lib: make(lib).long())


def test_storage_warns_once_as_torchs():
    _storage._warned.clear()
    x = torch.ones(2)
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        x.storage()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.storage()


def test_writing_through_a_storage_raises():
    s = torch.ones(3).untyped_storage()
    for write in (lambda: s.__setitem__(0, 1), lambda: s.fill_(0), lambda: s.resize_(0),
                  lambda: s.copy_(s)):
        with pytest.raises(RuntimeError, match="read-only"):
            write()
