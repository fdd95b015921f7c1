"""Tensor._base and _is_view() as torch's: which results are views, and of what."""

import pytest
import torch as real

import functorch_like as torch

_OPS = {
    "index": lambda x: x[0],
    "slice of a slice": lambda x: x[1:][0],
    "step slice": lambda x: x[:, ::2],
    "none index": lambda x: x[:, None],
    "0-d element": lambda x: x[1, 2],
    "tensor index (a copy)": lambda x: x[real.tensor([0]) if isinstance(x, real.Tensor)
                                         else torch.tensor([0])],
    "bool mask (a copy)": lambda x: x[x > 2],
    "view": lambda x: x.view(12),
    "reshape of contiguous": lambda x: x.reshape(4, 3),
    "reshape of transposed (a copy)": lambda x: x.t().reshape(12),
    "t": lambda x: x.t(),
    "permute": lambda x: x.permute(1, 0),
    "transpose": lambda x: x.transpose(0, 1),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "flatten": lambda x: x.flatten(),
    "expand": lambda x: x.unsqueeze(0).expand(2, 3, 4),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2),
    "diagonal": lambda x: x.diagonal(),
    "unbind": lambda x: x.unbind(0)[1],
    "split": lambda x: x.split(2, dim=1)[1],
    "chunk": lambda x: x.chunk(2)[0],
    "movedim": lambda x: x.movedim(0, 1),
    "unfold, windows apart": lambda x: x.unfold(1, 2, 2),
    "view_as": lambda x: x.view_as(x),
    "contiguous (itself)": lambda x: x.contiguous(),
    "contiguous of t (a copy)": lambda x: x.t().contiguous(),
    "clone": lambda x: x.clone(),
    "detach": lambda x: x.detach(),
    "detached view": lambda x: x[0].detach(),
    "view of a detached view": lambda x: x[0].detach()[1:],
    "data": lambda x: x.data,
    "dtype view": lambda x: x.view(real.int32 if isinstance(x, real.Tensor) else torch.int32),
    "view of a dtype view": lambda x: x.view(real.int32 if isinstance(x, real.Tensor)
                                             else torch.int32)[0],
}


def _structure(lib, op):
    x = lib.arange(12.0).reshape(3, 4).clone()
    out = op(x)
    if out._base is None:
        where = None
    elif out._base is x:
        where = "x"
    else:
        where = "other"
    return where, out._is_view()


@pytest.mark.parametrize("name", list(_OPS))
def test_base_and_is_view_match_torch(name):
    assert _structure(torch, _OPS[name]) == _structure(real, _OPS[name])


def test_a_no_grad_view_of_a_leaf_and_a_view_of_a_parameter():
    for lib in (torch, real):
        w = lib.nn.Parameter(lib.ones(2, 3))
        with lib.no_grad():
            v = w[0]
        assert v._base is w and v._is_view() and w._base is None


def test_complex_views():
    results = []
    for lib in (torch, real):
        z = lib.complex(lib.ones(3), lib.zeros(3))
        vr = lib.view_as_real(z)
        results.append((z.real._base is z, z.imag._base is z, vr._base is z,
                        lib.view_as_complex(vr)._base is z, vr._is_view()))
    assert results[0] == results[1]
