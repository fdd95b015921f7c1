"""Tensor creation and numpy interop as torch 2.13: numpy integer scalars make int64
arange/full (float32 before); torch.tensor promotes the dtypes of numpy scalars and 0-d
tensors in a list (int8, float16, bfloat16 lists came back int64/float32 or raised), takes
numpy arrays nested in lists and refuses a complex number for a real dtype; asarray takes
copy= and requires_grad=; copy.copy shares storage; numpy ufuncs on tensors give tensors;
torch.Size converts its items and stays a Size under + and *; return_types pickle."""

import copy
import pickle

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl

MADE = {
    "arange np.int64": lambda L: L.arange(np.int64(3)),
    "arange np bounds and step": lambda L: L.arange(0, np.int64(6), np.int32(2)),
    "arange np.float32": lambda L: L.arange(np.float32(2.5)),
    "full np.int64": lambda L: L.full((2,), np.int64(3)),
    "full np.float64": lambda L: L.full((2,), np.float64(3)),
    "full np.bool_": lambda L: L.full((2,), np.bool_(True)),     # (float in torch)
    "np.int8 list": lambda L: L.tensor([np.int8(1), np.int8(2)]),
    "np.float16 list": lambda L: L.tensor([np.float16(1), np.float16(2)]),
    "np.uint8 and np.int8": lambda L: L.tensor([np.uint8(1), np.int8(2)]),
    "np.int8 and a Python int": lambda L: L.tensor([np.int8(1), 2]),
    "np.int8 and a Python float": lambda L: L.tensor([np.int8(1), 2.5]),
    "0-d int8 tensors": lambda L: L.tensor([L.tensor(1, dtype=L.int8)] * 2),
    "0-d float16 tensors": lambda L: L.tensor([L.tensor(1.0, dtype=L.float16)] * 2),
    "0-d bfloat16 tensor": lambda L: L.tensor([L.tensor(1.5, dtype=L.bfloat16)]),
    "array nested in a list": lambda L: L.tensor([[1, 2], np.array([3, 4])]),
    "int8 arrays nested": lambda L: L.tensor([np.array([1, 2], dtype=np.int8),
                                              np.array([3, 4], dtype=np.int8)]),
    "asarray requires_grad": lambda L: L.asarray([1.0, 2.0], requires_grad=True),
    "asarray copy": lambda L: L.asarray(L.ones(2), copy=True),
}


@pytest.mark.parametrize("name", MADE)
def test_made_as_torch(name):
    want, got = MADE[name](torch), MADE[name](fl)
    assert str(got.dtype) == str(want.dtype)
    assert got.tolist() == want.tolist() and got.requires_grad == want.requires_grad


def test_complex_number_for_a_real_dtype_raises():
    for lib in (torch, fl):
        with pytest.raises(TypeError, match="must be real number, not complex"):
            lib.tensor([1 + 2j], dtype=lib.float32)


def test_asarray_copy_true_is_a_new_tensor():
    t = fl.ones(2)
    assert fl.asarray(t) is t and fl.asarray(t, copy=True) is not t


def test_copy_copy_shares_storage():
    for lib in (torch, fl):
        x = lib.tensor([1.0, 2.0])
        y = copy.copy(x)
        y[0] = 5
        assert x.tolist() == [5.0, 2.0]
        p = lib.nn.Parameter(lib.ones(2))
        q = copy.copy(p)
        assert type(q).__name__ == "Parameter" and q.requires_grad
        q.data.mul_(3)
        assert p.tolist() == [3.0, 3.0]
        z = copy.copy(lib.ones(2, requires_grad=True) * 2)
        assert z.requires_grad and z.is_leaf and z.grad_fn is None


@pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")   # (torch's own)
def test_numpy_ufuncs_on_tensors_give_tensors():
    for lib in (torch, fl):
        t = lib.tensor([0.1, 0.9])
        out = np.sin(t)
        assert isinstance(out, lib.Tensor)
        np.testing.assert_allclose(out.numpy(), np.sin([0.1, 0.9]), rtol=1e-6)
        assert isinstance(np.maximum(t, 0.5), lib.Tensor)
        assert np.maximum(t, 0.5).tolist() == [0.5, pytest.approx(0.9)]


@pytest.mark.parametrize("items", [[2, 3], [True, 2], [np.int64(4)], [], "tensor"])
def test_size_converts_its_items(items):
    sizes = [(lib.Size([lib.tensor(2), 3]) if items == "tensor" else lib.Size(items))
             for lib in (torch, fl)]
    assert list(sizes[1]) == list(sizes[0])
    assert all(type(v) is int for v in sizes[1])


@pytest.mark.parametrize("bad", [[2.5], ["a"], [None], "float tensor", "long vector"])
def test_size_refuses_other_items(bad):
    messages = []
    for lib in (torch, fl):
        items = {"float tensor": [lib.tensor(2.0)], "long vector": [lib.tensor([1, 2])]}.get(
            bad, bad) if isinstance(bad, str) else bad
        with pytest.raises(TypeError) as info:
            lib.Size(items)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


def test_size_arithmetic_stays_a_size():
    for lib in (torch, fl):
        s = lib.Size([2, 3])
        for out in (s + (1,), (1,) + s, s * 2, 2 * s, s + s, s[1:]):
            assert isinstance(out, lib.Size)
        assert list((4,) + s) == [4, 2, 3] and list(s * 2) == [2, 3, 2, 3]
        with pytest.raises(TypeError):
            s + [1]


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_return_types_pickle_and_build_from_a_tuple(protocol):
    r = fl.tensor([1.0, 3.0, 2.0]).max(0)
    back = pickle.loads(pickle.dumps(r, protocol=protocol))
    assert type(back) is type(r) and back.values.item() == 3.0 and back.indices.item() == 1
    built = type(r)((fl.tensor(1.0), fl.tensor(0)))
    assert built.values.item() == 1.0 and isinstance(built, fl.return_types.max)
    assert type(r).__module__ == "functorch_like.return_types"
    assert type(torch.tensor([1.0]).max(0)).__module__ == "torch.return_types"


def test_new_tensor_of_a_tensor_warns_with_torchs_text():
    for lib in (torch, fl):
        with pytest.warns(UserWarning, match=r"rather than tensor\.new_tensor\(sourceTensor\)"):
            out = lib.ones(2).new_tensor(lib.tensor([1, 2]))
        assert str(out.dtype) == "torch.float32" and out.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("kwargs", [{}, {"stable": True}, {"stable": False}])
def test_sort_grad_fn_names_its_overload(kwargs):
    names = [type(lib.sort(lib.tensor([3.0, 1.0], requires_grad=True), **kwargs)
                  .values.grad_fn).__name__ for lib in (torch, fl)]
    assert names[1] == names[0]


def test_set_default_dtype_message():
    for lib in (torch, fl):
        with pytest.raises(TypeError) as info:
            lib.set_default_dtype(lib.int32)
        assert str(info.value) == "only floating-point types are supported as the default type"


REFUSED = {
    "scalar after a list": lambda L: L.tensor([[1, 2], 3]),
    "None in a list": lambda L: L.tensor([1, None]),
    "int beyond int64": lambda L: L.tensor([2**70]),
    "int just beyond int64": lambda L: L.tensor([2**63]),
    "lone int beyond int64": lambda L: L.tensor(2**70),
    "object array": lambda L: L.tensor(np.array([1, "a"], dtype=object)),
    "object array as_tensor": lambda L: L.as_tensor(np.array([1, "a"], dtype=object)),
    "bytes": lambda L: L.tensor(b"ab"),
    "Decimal": lambda L: L.tensor([__import__("decimal").Decimal(1)]),
}


@pytest.mark.parametrize("name", REFUSED)
def test_tensor_refuses_as_torch(name):
    check_raises(REFUSED[name])


def test_a_big_int_among_floats_is_a_float():
    for lib in (torch, fl):
        assert str(lib.tensor([1, 2.5, 2**64]).dtype) == "torch.float32"
        assert lib.tensor([[1, 2**70], [2.5, 1]])[0, 1].item() == pytest.approx(2.0**70)
