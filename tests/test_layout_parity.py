"""Strides, contiguity and the copies they decide, against torch.

A view's layout is visible in PyTorch: `x.t().contiguous()` and `x.t().reshape(-1)` are
copies (writes to them leave x alone) while `x[1:].reshape(-1)` is a view, and
`x.t().view(-1)` raises. Before, every tensor here was contiguous, so those copies were
views of x and writes leaked both ways.
"""

import numpy as np
import pytest
import torch as real

import functorch_like as torch

# (name, function of the library and a fresh (3, 4) float tensor x = arange(12))
_VIEWS = {
    "t": lambda lib, x: x.t(),
    "transpose": lambda lib, x: x.transpose(0, 1),
    "permute 3-d": lambda lib, x: x.reshape(2, 2, 3).permute(2, 0, 1),
    "columns": lambda lib, x: x[:, 1:3],
    "rows": lambda lib, x: x[1:3],
    "one row": lambda lib, x: x[1],
    "one column": lambda lib, x: x[:, 1],
    "step": lambda lib, x: x[::2],
    "column step": lambda lib, x: x[:, ::2],
    "new axis": lambda lib, x: x[None, :, None],
    "unsqueeze": lambda lib, x: x.unsqueeze(1),
    "narrow": lambda lib, x: x.narrow(1, 1, 2),
    "diagonal": lambda lib, x: x.diagonal(),
    "expand": lambda lib, x: x[:, :1].expand(3, 5),
    "expand new dims": lambda lib, x: x.expand(2, 3, 4),
    "split piece": lambda lib, x: x.split(2, dim=1)[1],
    "unbind piece": lambda lib, x: x.unbind(1)[2],
    "transposed slice": lambda lib, x: x.t()[1:3],
    "sliced transpose": lambda lib, x: x[:, 1:].t(),
    "unflatten of a transpose": lambda lib, x: x.t().unflatten(0, (2, 2)),
    "squeeze of a column": lambda lib, x: x[:, 1:2].squeeze(1),
}


def _pair(name):
    make = _VIEWS[name]
    return (make(real, real.arange(12.).reshape(3, 4)),
            make(torch, torch.arange(12.).reshape(3, 4)))


def _size_gt1_strides(t):
    """The strides of the dims torch's layout rules look at (size > 1)."""
    return [s for n, s in zip(t.shape, t.stride()) if n > 1]


@pytest.mark.parametrize("name", list(_VIEWS))
def test_strides_and_contiguity_of_views(name):
    want, got = _pair(name)
    assert got.is_contiguous() == want.is_contiguous()
    assert _size_gt1_strides(got) == _size_gt1_strides(want)
    assert got.contiguous().is_contiguous()


def test_strides_of_size_one_dims_follow_torch_where_they_come_from_an_op():
    for name in ("t", "columns", "new axis", "unsqueeze", "expand new dims",
                 "unflatten of a transpose"):
        want, got = _pair(name)
        assert got.stride() == want.stride(), name


@pytest.mark.parametrize("name", list(_VIEWS))
@pytest.mark.parametrize("op", ["contiguous", "reshape", "flatten"])
def test_writes_to_a_copy_stay_there_and_to_a_view_reach_the_base(name, op):
    if name.startswith("expand"):
        return      # (writing to an expanded view raises: test_expanded_views_raise...)
    results = []
    for lib in (real, torch):
        x = lib.arange(12.).reshape(3, 4)
        v = _VIEWS[name](lib, x)
        out = {"contiguous": lambda t: t.contiguous(), "reshape": lambda t: t.reshape(-1),
               "flatten": lambda t: t.flatten()}[op](v)
        out.fill_(-1)
        results.append((x.numpy().copy(), v.numpy().copy()))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])


def test_contiguous_copies_of_expanded_views_can_be_written():
    for lib in (real, torch):
        y = lib.zeros(3, 1).expand(3, 4).contiguous()
        y[0, 0] = 1
        assert y.sum().item() == 1


def test_detach_of_a_view_has_its_layout():
    for lib in (real, torch):
        x = lib.arange(12.).reshape(3, 4)
        v = x.t()
        d = v.detach()
        assert not d.is_contiguous() and d.stride() == (1, 4)
        d.contiguous().fill_(-1)
        assert x.sum().item() == 66


@pytest.mark.parametrize("name", ["t", "columns", "step", "sliced transpose", "expand",
                                  "transposed slice"])
def test_view_of_a_view_torch_cannot_show_raises(name):
    want, got = _pair(name)
    with pytest.raises(RuntimeError) as expected:
        want.view(-1)
    with pytest.raises(RuntimeError) as err:
        got.view(-1)
    assert str(err.value) == str(expected.value)


@pytest.mark.parametrize("name", ["rows", "one row", "one column", "new axis",
                                  "column step", "diagonal", "unsqueeze"])
def test_view_where_torch_can_show_it(name):
    # (a column step is strided but one chunk; a 1-d view is its own flat view)
    want, got = _pair(name)
    viewed = got.view(-1)
    np.testing.assert_array_equal(viewed.numpy(), want.view(-1).numpy())
    viewed.fill_(-1)                        # a view: the write reaches the base
    assert (got.numpy() == -1).all()


def test_gradients_and_graph_names_through_copies():
    out = {}
    for lib in (real, torch):
        w = lib.arange(6.).reshape(2, 3).requires_grad_()
        r = w.t().reshape(6)
        c = w.t().contiguous()
        v = w[:1].reshape(3)
        out[lib] = (type(r.grad_fn).__name__, type(c.grad_fn).__name__,
                    type(v.grad_fn).__name__)
        # a copy of a leaf's view may be changed in place (it is no view of the leaf)
        c.mul_(2)
        (r * lib.arange(6.)).sum().backward()
        out[lib] += (w.grad.numpy().tolist(),)
    assert out[torch] == out[real]
