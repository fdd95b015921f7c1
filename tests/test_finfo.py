"""torch.finfo / torch.iinfo against PyTorch: every attribute, repr, the default dtype,
complex types and the errors for the wrong kind of dtype."""

import jax
import pytest
import torch

import functorch_like as fl

FLOATS = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("name", FLOATS)
def test_finfo_matches_torch(name):
    ref, got = torch.finfo(getattr(torch, name)), fl.finfo(getattr(fl, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                 "dtype"):
        assert getattr(got, attr) == getattr(ref, attr), attr
        assert type(getattr(got, attr)) is type(getattr(ref, attr)), attr
    assert repr(got) == repr(ref) and str(got) == str(ref)


@pytest.mark.parametrize("name", INTS)
def test_iinfo_matches_torch(name):
    ref, got = torch.iinfo(getattr(torch, name)), fl.iinfo(getattr(fl, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(got, attr) == getattr(ref, attr), attr
        assert type(getattr(got, attr)) is type(getattr(ref, attr)), attr
    assert repr(got) == repr(ref)


def test_finfo_default_dtype_and_usage():
    assert repr(fl.finfo()) == repr(torch.finfo())
    x = fl.tensor([1.0, 2.0])
    assert fl.finfo(x.dtype).eps == torch.finfo(torch.float32).eps
    x64 = jax.config.jax_enable_x64        # set_default_dtype(float64) switches it on
    try:
        fl.set_default_dtype(fl.float64)
        torch.set_default_dtype(torch.float64)
        assert repr(fl.finfo()) == repr(torch.finfo())
    finally:
        fl.set_default_dtype(fl.float32)
        torch.set_default_dtype(torch.float32)
        jax.config.update("jax_enable_x64", x64)


@pytest.mark.parametrize("call", [
    lambda t: t.finfo(t.int32), lambda t: t.finfo(t.bool), lambda t: t.iinfo(t.float32),
    lambda t: t.iinfo(t.bool), lambda t: t.finfo("float32")])
def test_errors(call):
    with pytest.raises(TypeError) as t_err:
        call(torch)
    with pytest.raises(TypeError) as f_err:
        call(fl)
    assert str(f_err.value) == str(t_err.value)
