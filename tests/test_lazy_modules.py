"""Lazy modules and the Uninitialized placeholders against real PyTorch: reprs before and
after the first forward, the class swap, state_dict keys/shapes/placeholders,
load_state_dict materializing, error types and texts; and, after `manual_seed`, the same
weights as the eager class built with the inferred shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import functorch_like as fl
import functorch_like.nn as nn
from functorch_like.nn.parameter import UninitializedBuffer, UninitializedParameter

# name: (lazy args, kwargs, eager args, input shape)
CASES = {
    "LazyLinear": ((4,), {}, (3, 4), (2, 3)),
    "LazyConv1d": ((4, 3), {"padding": 1}, (2, 4, 3), (1, 2, 5)),
    "LazyConv2d": ((4, 3), {"bias": False}, (2, 4, 3), (2, 5, 5)),        # unbatched
    "LazyConv3d": ((2, 2), {"groups": 2}, (2, 2, 2), (1, 2, 3, 3, 3)),
    "LazyConvTranspose1d": ((4, 3), {"stride": 2}, (2, 4, 3), (1, 2, 5)),
    "LazyConvTranspose2d": ((4, 2), {}, (2, 4, 2), (1, 2, 3, 3)),
    "LazyConvTranspose3d": ((2, 2), {}, (2, 2, 2), (1, 2, 2, 2, 2)),
    "LazyBatchNorm1d": ((), {"momentum": 0.2}, (3,), (4, 3)),
    "LazyBatchNorm2d": ((), {"affine": False}, (3,), (2, 3, 2, 2)),
    "LazyBatchNorm3d": ((), {}, (3,), (2, 3, 2, 2, 2)),
    # PyTorch's lazy instance norms default to affine and running statistics.
    "LazyInstanceNorm1d": ((), {}, (3, 1e-5, 0.1, True, True), (2, 3, 4)),
    "LazyInstanceNorm2d": ((), {"track_running_stats": False}, (3, 1e-5, 0.1, True),
                           (2, 3, 2, 2)),
    "LazyInstanceNorm3d": ((), {}, (3, 1e-5, 0.1, True, True), (1, 3, 2, 2, 2)),
}


def _state(module):
    return {k: ("lazy" if type(v).__name__.startswith("Uninit") else tuple(v.shape))
            for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name", list(CASES))
def test_lazy_module_matches_torch_and_eager_class(name):
    args, kwargs, eager_args, shape = CASES[name]
    ref = getattr(torch.nn, name)(*args, **kwargs)
    fl.manual_seed(3)
    got = getattr(nn, name)(*args, **kwargs)
    becomes = type(got).cls_to_become
    assert repr(got) == repr(ref)
    assert _state(got) == _state(ref)
    assert got.has_uninitialized_params()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ref(torch.tensor(x))
    out = got(fl.tensor(x))
    assert type(got) is becomes and type(got).__name__ == type(ref).__name__
    assert repr(got) == repr(ref)
    assert _state(got) == _state(ref)
    assert [n for n, _ in got.named_parameters()] == [n for n, _ in ref.named_parameters()]
    fl.manual_seed(3)
    eager = becomes(*eager_args, **kwargs)
    for (key, value), (_, mine) in zip(eager.named_parameters(), got.named_parameters()):
        np.testing.assert_array_equal(mine.detach().numpy(), value.detach().numpy(), key)
    np.testing.assert_allclose(out.detach().numpy(), eager(fl.tensor(x)).detach().numpy(),
                               rtol=1e-6)


def test_placeholder_errors_match_torch():
    for lib in (torch, fl):
        p = lib.nn.parameter.UninitializedParameter()
        assert repr(p) == "<UninitializedParameter>" and p.requires_grad
        assert repr(lib.nn.parameter.UninitializedBuffer()) == "<UninitializedBuffer>"
    texts = []
    for lib in (torch, fl):
        p = lib.nn.parameter.UninitializedParameter()
        with pytest.raises(RuntimeError) as shape_err:
            p.shape
        with pytest.raises(ValueError) as use_err:
            p.sum()
        texts.append((str(shape_err.value), str(use_err.value).split(">. ", 1)[1]))
    assert texts[0] == texts[1]
    assert str(use_err.value).startswith("Attempted to use an uninitialized parameter in")


def test_load_state_dict_materializes_and_refuses_placeholders():
    source = nn.Linear(3, 4)
    lazy = nn.LazyLinear(4)
    lazy.load_state_dict(source.state_dict())
    assert type(lazy) is nn.LazyLinear and not lazy.has_uninitialized_params()
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), source.weight.detach().numpy())
    errors = []
    for lib in (torch, fl):
        with pytest.raises(RuntimeError) as err:
            lib.nn.Linear(3, 4).load_state_dict(lib.nn.LazyLinear(4).state_dict())
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def test_materialize_keeps_identity_and_dtype(x64):
    lazy = nn.LazyLinear(2, dtype=fl.float64)
    weight = lazy.weight
    assert isinstance(weight, UninitializedParameter) and weight.dtype == fl.float64
    optimizer = fl.optim.SGD(lazy.parameters(), lr=0.1)
    lazy(fl.ones(1, 3, dtype=fl.float64)).sum().backward()
    optimizer.step()
    assert lazy.weight is weight and type(weight) is nn.Parameter
    assert weight.dtype == fl.float64 and weight.shape == (2, 3)
    buf = UninitializedBuffer()
    buf.materialize((2,))
    assert type(buf) is fl.Tensor and buf.shape == (2,)
