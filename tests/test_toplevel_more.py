"""Reference tests of the added top-level names against real PyTorch: constants, memory
formats and layout, type promotion helpers, scalar_tensor/range/fill/frombuffer, DLPack
exchange, default device, warn-always and inference-mode queries, and the top-level
in-place functions."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl

_rng = np.random.default_rng(0)
POS = (_rng.random((2, 3)) * 0.8 + 0.1).astype(np.float32)      # in (0, 1): every op's domain


def _dt(d: torch.dtype):
    return getattr(fl, str(d).removeprefix("torch."))


def test_constants():
    for name in ("pi", "e", "inf"):
        assert getattr(fl, name) == getattr(torch, name)
    assert math.isnan(fl.nan)
    assert fl.newaxis is None is torch.newaxis
    assert fl.ones(3)[:, fl.newaxis].shape == torch.ones(3)[:, torch.newaxis].shape


def test_memory_formats_and_layout():
    for name in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        ours = getattr(fl, name)
        assert repr(ours) == repr(getattr(torch, name))
        assert isinstance(ours, fl.memory_format)
        assert pickle.loads(pickle.dumps(ours)) is ours
    assert repr(fl.strided) == repr(torch.strided)
    assert isinstance(fl.strided, fl.layout)
    assert repr(fl.memory_format) == repr(torch.memory_format)
    x = fl.tensor(POS).reshape(1, 2, 3, 1)
    assert fl.ones(2).layout is fl.strided
    # Values unchanged by every API that takes a memory format (JAX keeps no strides).
    for out in (x.contiguous(memory_format=fl.channels_last),
                x.to(memory_format=fl.channels_last), x.clone(memory_format=fl.channels_last)):
        np.testing.assert_array_equal(out.numpy(), POS.reshape(1, 2, 3, 1))
    assert fl.empty_like(x, memory_format=fl.channels_last).shape == x.shape
    assert x.is_contiguous(memory_format=fl.contiguous_format)
    m = fl.nn.Linear(2, 1)
    before = m.weight.detach().numpy().copy()
    assert m.to(memory_format=fl.channels_last) is m
    np.testing.assert_array_equal(m.weight.detach().numpy(), before)


DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
          torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64,
          torch.complex128]


def test_promote_types_and_can_cast_all_pairs():
    for a in DTYPES:
        for b in DTYPES:
            assert repr(fl.promote_types(_dt(a), _dt(b))) == repr(torch.promote_types(a, b))
            assert fl.can_cast(_dt(a), _dt(b)) == torch.can_cast(a, b), (a, b)
    with pytest.raises(TypeError, match="must be torch.dtype"):
        fl.promote_types(fl.float32, 3)


@pytest.mark.parametrize("make", [
    lambda m: (m.tensor([1, 2]), 2.5),                                   # int tensor, float
    lambda m: (m.tensor([1, 2], dtype=m.uint8), 300),                    # scalar: no promote
    lambda m: (m.tensor([1, 2], dtype=m.int16), m.tensor(5)),            # 0-dim: same cat
    lambda m: (m.tensor([1, 2], dtype=m.int16), m.tensor(5.0)),          # 0-dim: higher cat
    lambda m: (m.tensor([1.0], dtype=m.float16), m.tensor([1], dtype=m.int8)),
    lambda m: (m.tensor([True]), 1),
    lambda m: (1, 2.0),
    lambda m: (m.tensor([1.0]), 1j),
])
def test_result_type(make):
    assert repr(fl.result_type(*make(fl))) == repr(torch.result_type(*make(torch)))


def test_scalar_tensor():
    for s, kw in ((3, {}), (True, {}), (2.5, {}), (2, {"dtype": "int16"})):
        t_kw = {k: getattr(torch, v) for k, v in kw.items()}
        f_kw = {k: getattr(fl, v) for k, v in kw.items()}
        ref, out = torch.scalar_tensor(s, **t_kw), fl.scalar_tensor(s, **f_kw)
        assert out.shape == ref.shape and repr(out.dtype) == repr(ref.dtype)
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
    assert fl.scalar_tensor(1.0, requires_grad=True).requires_grad


@pytest.mark.parametrize("args,kw", [((1, 4), {}), ((0, 1, 0.25), {}), ((1.5, 3), {}),
                                     ((5, 1, -2), {}), ((1, 4), {"dtype": "int64"})])
def test_range_inclusive_and_deprecated(args, kw):
    with pytest.warns(UserWarning) as ours:
        out = fl.range(*args, **{k: getattr(fl, v) for k, v in kw.items()})
    with pytest.warns(UserWarning) as theirs:
        ref = torch.range(*args, **{k: getattr(torch, v) for k, v in kw.items()})
    assert str(ours[0].message) == str(theirs[0].message)
    assert repr(out.dtype) == repr(ref.dtype)
    np.testing.assert_allclose(out.numpy(), ref.numpy())


def test_range_errors():
    for args in ((3, 1), (0, 1, 0)):
        with pytest.raises(RuntimeError) as theirs, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.range(*args)
        with pytest.raises(RuntimeError, match=str(theirs.value)), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fl.range(*args)


def test_fill_values_and_grads():
    ref = torch.fill(torch.tensor([1, 2]), 2.7)
    out = fl.fill(fl.tensor([1, 2]), 2.7)
    assert repr(out.dtype) == repr(ref.dtype)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    tx, tv = torch.tensor(POS, requires_grad=True), torch.tensor(3.0, requires_grad=True)
    fx, fv = fl.tensor(POS, requires_grad=True), fl.tensor(3.0, requires_grad=True)
    (torch.fill(tx, tv) * torch.tensor(POS)).sum().backward()
    (fl.fill(fx, fv) * fl.tensor(POS)).sum().backward()
    np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(fv.grad.numpy(), tv.grad.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="only supports 0-dimension value tensor"):
        fl.fill(fl.ones(2), fl.ones(1))


def test_frombuffer():
    data = bytearray(np.arange(6, dtype=np.float32).tobytes())
    for kw in ({}, {"count": 2, "offset": 4}):
        ref = torch.frombuffer(data, dtype=torch.float32, **kw)
        np.testing.assert_array_equal(fl.frombuffer(data, dtype=fl.float32, **kw).numpy(),
                                      ref.numpy())
    ref = torch.frombuffer(data, dtype=torch.int16)
    out = fl.frombuffer(data, dtype=fl.int16)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    for kw in ({"count": 7}, {"offset": 24}, {"offset": 3}):
        with pytest.raises(ValueError) as theirs:
            torch.frombuffer(data, dtype=torch.float32, **kw)
        with pytest.raises(ValueError) as ours:
            fl.frombuffer(data, dtype=fl.float32, **kw)
        assert str(ours.value) == str(theirs.value)


def test_dlpack_round_trips_with_torch():
    src = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    ours = fl.from_dlpack(src)
    assert ours.shape == (2, 3) and ours.dtype == fl.float32
    np.testing.assert_array_equal(ours.numpy(), src.numpy())
    back = torch.from_dlpack(ours)                              # via Tensor.__dlpack__
    np.testing.assert_array_equal(back.numpy(), src.numpy())
    back = torch.from_dlpack(fl.to_dlpack(fl.tensor(POS)))     # via a capsule
    np.testing.assert_array_equal(back.numpy(), POS)
    caps = torch.utils.dlpack.to_dlpack(torch.tensor(POS))
    np.testing.assert_array_equal(fl.from_dlpack(caps).numpy(), POS)
    np.testing.assert_array_equal(fl.from_dlpack(np.arange(3)).numpy(), np.arange(3))
    with pytest.raises(RuntimeError, match="require gradient"):
        torch.from_dlpack(fl.ones(2, requires_grad=True))


def test_default_device():
    assert fl.get_default_device() == fl.device("cpu")
    assert repr(fl.get_default_device()) == repr(torch.get_default_device())
    fl.set_default_device("cpu")
    try:
        assert fl.zeros(2).device == fl.device("cpu")
    finally:
        fl.set_default_device(None)
    with pytest.raises(RuntimeError, match="Expected one of"):
        fl.set_default_device("nope")


def test_warn_always_flag():
    assert fl.is_warn_always_enabled() == torch.is_warn_always_enabled() is False
    fl.set_warn_always(True)
    try:
        assert fl.is_warn_always_enabled()
    finally:
        fl.set_warn_always(False)
    assert not fl.is_warn_always_enabled()


def test_inference_mode_queries():
    states = []
    for m in (torch, fl):
        seen = [m.is_inference_mode_enabled()]
        with m.inference_mode():
            seen.append(m.is_inference_mode_enabled())
            with m.inference_mode(False):
                seen += [m.is_inference_mode_enabled(), m.is_grad_enabled()]
            seen.append(m.is_inference_mode_enabled())
        seen.append(m.is_inference_mode_enabled())
        states.append(seen)
    assert states[0] == states[1]
    # Tensors made outside inference mode are normal ones in both libraries.
    assert fl.is_inference(fl.ones(2)) is torch.is_inference(torch.ones(2)) is False
    assert fl.ones(2).is_inference() is False


def test_vmap_alias():
    assert fl.vmap is fl.func.vmap
    out = fl.vmap(lambda r: r.sum())(fl.tensor(POS))
    np.testing.assert_allclose(out.numpy(), POS.sum(1), rtol=1e-6)


# name -> extra positional args; each runs on POS (values in (0, 1)) in both libraries. A
# sample: the method-backed ones share one wrapper, so each kind of call is covered once.
INPLACE = {
    "abs_": (), "arccos_": (), "atanh_": (), "floor_": (), "fix_": (), "exp2_": (),
    "log1p_": (), "negative_": (), "rsqrt_": (), "sigmoid_": (), "relu_": (), "selu_": (),
    "celu_": (0.5,), "clamp_": (0.3, 0.6), "clip_": (0.3, 0.6), "clamp_min_": (0.4,),
    "zero_": (), "fill_": (2.0,), "i0_": (), "nan_to_num_": (), "logit_": (),
    "threshold_": (0.5, -1.0), "xlogy_": (2.0,), "rrelu_": (), "detach_": (),
}


def test_inplace_names_match_torch():
    from functorch_like import _toplevel_inplace as inplace
    names = set(inplace._METHOD_NAMES) | {"selu_", "celu_", "threshold_", "rrelu_",
                                          "dropout_", "alpha_dropout_", "feature_dropout_",
                                          "feature_alpha_dropout_"}
    torch_names = {n for n in dir(torch) if n.endswith("_") and not n.startswith("_")}
    assert names <= torch_names
    for name in names:
        assert getattr(fl, name).__name__ == name


def test_inplace_functions():
    for name, args in INPLACE.items():
        ref, out = torch.tensor(POS), fl.tensor(POS)
        assert getattr(torch, name)(ref, *args) is ref
        assert getattr(fl, name)(out, *args) is out
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def test_inplace_integer_and_grad_paths():
    for name, arg in (("gcd_", 6), ("lcm_", 4), ("ldexp_", 2)):
        data = [4.0, 9, 12] if name == "ldexp_" else [4, 9, 12]     # ldexp_ needs floats
        ref, out = torch.tensor(data), fl.tensor(data)
        getattr(torch, name)(ref, torch.tensor(arg))
        getattr(fl, name)(out, fl.tensor(arg))
        np.testing.assert_allclose(out.numpy(), ref.numpy())
    # An in-place op on a non-leaf records its gradient, as in PyTorch.
    tx, fx = torch.tensor(POS, requires_grad=True), fl.tensor(POS, requires_grad=True)
    torch.sin_(tx * 2).sum().backward()
    fl.sin_(fx * 2).sum().backward()
    np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), rtol=1e-5)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        fl.exp_(fl.ones(2, requires_grad=True))


def test_inplace_dropouts():
    for name in ("dropout_", "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_"):
        out = fl.tensor(POS)
        assert getattr(fl, name)(out, 0.5, False) is out          # not training: identity
        np.testing.assert_array_equal(out.numpy(), POS)
    fl.manual_seed(0)
    x = fl.ones(100, 40)
    assert fl.dropout_(x, 0.5, True) is x
    kept = x.numpy() != 0
    assert 0.4 < kept.mean() < 0.6                           # p zeroes, survivors scaled
    np.testing.assert_allclose(x.numpy()[kept], 2.0)
    x = fl.ones(100, 4, 3)
    fl.feature_dropout_(x, 0.5, True)
    per_channel = x.numpy().reshape(100, 4, 3)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))   # whole channels dropped
