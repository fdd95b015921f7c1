"""Differential tests against PyTorch: indexing, item assignment, gather/scatter,
index_select, masked ops, nonzero, and in-place ops (on leaves and inside graphs)."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

I64 = np.int64


def idx(t, values):
    """An int64 index tensor of `t`."""
    return t.tensor(values, dtype=t.int64)


INDEXES = {
    "int": lambda t, a: (a[1], a[-1], a[0, 2], a[1, -1, 3], a[0][1]),
    "slice": lambda t, a: (a[1:], a[:, ::2], a[..., 1:3], a[:, -2:, ::3], a[::2, 1], a[5:],
                           a[:, 1:1]),
    "none_ellipsis": lambda t, a: (a[None], a[:, None], a[..., None], a[..., 0], a[1, ...],
                                   a[None, ..., None, 1], a[...]),
    "int_tensor": lambda t, a: (a[idx(t, [1, 0, 1])], a[:, idx(t, [2, 0])],
                                a[..., idx(t, [[0, 3], [1, 1]])], a[idx(t, -1)],
                                a[idx(t, [0, 1]), :, idx(t, [3, 2])],
                                a[idx(t, [0, 1]), idx(t, [2, 0])], a[[1, 0]], a[:, [0, -1]]),
    "bool_mask": lambda t, a: (a[a > 0], a[(a > 0)[..., 0]], a[t.tensor([True, False])],
                               a[:, t.tensor([False, True, True])],
                               a[a[..., 0] > 0, 1]),
    "numpy_and_lists": lambda t, a: (a[np.int64(1)], a[np.array([0, 1])], a[[0, 1], [2, 2]],
                                     a[..., [True, False, True, False]], a[1:2, [2]],
                                     a[idx(t, [[0, 1], [1, 1]])], a[idx(t, [-1, -2])]),
    "combination": lambda t, a: (a[1:, None, ..., idx(t, [0, 2])], a[0, None, idx(t, [1, 2])],
                                 a[idx(t, [1]), 1:, None], a[:, idx(t, [0, 2]), 1::2],
                                 a[..., idx(t, [1]), None]),
}


@pytest.mark.parametrize("name", INDEXES)
def test_getitem(name):
    check(INDEXES[name], rand(2, 3, 4))


def test_getitem_of_int_and_bool_tensors():
    xi = rand(3, 4, dtype=I64, low=-5, high=5)
    check(lambda t, a: (a[1], a[a > 0], a[:, idx(t, [3, 0])], a[None, 1:, -1]), xi)
    xb = rand(3, 4, dtype=np.bool_)
    check(lambda t, m: (m[0], m[m], m[..., 1:]), xb)


INDEX_ERRORS = {
    "int_out_of_range": lambda t, a: a[2],
    "negative_out_of_range": lambda t, a: a[0, -5],
    "tensor_out_of_range": lambda t, a: a[idx(t, [0, 2])],
    "tensor_out_of_range_dim1": lambda t, a: a[:, idx(t, [4])],
    "second_tensor_out_of_range": lambda t, a: a[idx(t, [0]), :, idx(t, [5])],
    "tensor_after_int": lambda t, a: a[1, idx(t, [3])],
    "too_many": lambda t, a: a[0, 0, 0, 0],
    "mask_shape": lambda t, a: a[t.tensor([True, False, True])],
    "mask_shape_2d": lambda t, a: a[t.tensor([[True, False, True, True]])],
    "float_index": lambda t, a: a[t.tensor([0.5])],
    "negative_step": lambda t, a: a[::-1],
    "setitem_out_of_range": lambda t, a: a.__setitem__(2, 1.0),
    "setitem_tensor_out_of_range": lambda t, a: a.__setitem__(idx(t, [3]), 1.0),
}


@pytest.mark.parametrize("name", INDEX_ERRORS)
def test_index_errors(name):
    """IndexError (ValueError for a negative step) with torch's message."""
    check_raises(INDEX_ERRORS[name], rand(2, 3, 4))


# ---- item assignment -----------------------------------------------------------------

def _assign(t, a, v):
    y = a * 1                        # a non-leaf: its gradient must flow around the writes
    y[y > 1] = 0
    y[:, 1] = v[1]
    y[0, idx(t, [0, 2]), -1] = v[:2, 0] * 2
    y[..., 0] += 1
    y[1] = 3
    return y


def _assign_more(t, a):
    y = a * 1
    y[::2, 1:] = 0.5                               # strided slice
    y[-1, [0, 2]] = a[0, :2] * 3                    # int + list
    y[[True, False, True]] = y[[True, False, True]] * 2      # a list of bools is a mask
    y[idx(t, [[0], [1]]), idx(t, [1, 2])] = 9.0     # broadcast index tensors
    return y


def test_setitem_in_graph():
    check(_assign, rand(2, 3, 4), rand(3, 4))
    check(_assign_more, rand(3, 3))


def test_setitem_values_and_broadcasting():
    def fn(t, a, v):
        y = a.clone()
        y[0] = v                                  # broadcast (4,) -> (3, 4)
        y[1, :, 2] = t.tensor(7.0)
        y[y < -1] = y[y < -1] * 0.5               # mask assignment with a tensor of values
        y[None, 1, ..., idx(t, [1, 3])] = -1.0
        y[idx(t, [1, 0]), idx(t, [0, 0])] = v[:2].view(2, 1) * 1
        return y
    check(fn, rand(2, 3, 4), rand(4))
    xi = rand(2, 3, dtype=I64, low=0, high=9)

    def ints(t, a):
        a = a.clone()
        a[0] = 2.7                                # float into an int tensor: truncated
        a[a > 4] = -1
        a[:, 0] = t.tensor([True, False])
        return a
    check(ints, xi)


def test_setitem_errors():
    check_raises(lambda t, a: a.__setitem__((slice(None), 1), t.ones(3)), rand(2, 3, 4))
    check_raises(lambda t, a: a.__setitem__(0, t.ones(2, 3, 4)), rand(2, 3, 4))
    check_raises(lambda t, a: a.__setitem__(0, t.ones(1, 1, 2)), rand(2, 3, 4))
    check_raises(lambda t, a: a.__setitem__(a > 0, t.ones(1, 2)), rand(2, 3, 4))
    check_raises(lambda t, a: a.__setitem__((0, idx(t, [1])), t.ones(3)), rand(2, 3, 4))
    x = fl.tensor(rand(2, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 1.0


# ---- gather / scatter / index_select / masked ops ------------------------------------

def test_gather():
    x = rand(3, 4)
    check(lambda t, a: (a.gather(1, idx(t, [[0, 3], [1, 1], [2, 0]])),
                        t.gather(a, 0, idx(t, [[2, 0, 1, 0]])),
                        a.gather(-1, idx(t, [[1], [2]]))), x)


def test_scatter_family():
    x, src = rand(3, 4), rand(3, 4)
    i = np.array([[0, 3], [1, 1], [2, 0]], dtype=I64)
    check(lambda t, a, s, j: (a.scatter(1, j, s), t.scatter(a, 1, j, 2.5),
                              a.scatter(1, j, s, reduce="add"),
                              a.scatter(1, j, 3.0, reduce="multiply"),
                              a.scatter_add(1, j, s), t.scatter_add(a, 0, j[1:2], s),
                              a.scatter(0, j[:2].clamp(max=2), s)), x, src, i, grad=False)
    # Gradients: scatter with unique indices, scatter_add with repeated ones.
    uniq = np.array([[0, 3], [1, 2], [2, 0]], dtype=I64)
    # (torch's scatter_add backward breaks for a src larger than the index: use (3, 2).)
    check(lambda t, a, s, j: (a.scatter(1, j, s), a.scatter_add(1, j, s)), x, src[:, :2], uniq)
    check(lambda t, a, s, j: a.scatter_add(1, j, s), x, src[:, :2], i)


def test_index_select_masked_nonzero_take():
    x = rand(3, 4)
    check(lambda t, a: (a.index_select(0, idx(t, [2, 0, 2])), t.index_select(a, -1, idx(t, [1])),
                        a.masked_fill(a > 0, 0.5), t.masked_fill(a, (a > 0)[0], t.tensor(-1.0)),
                        a.masked_select(a > 0), t.masked_select(a, (a < 0)[:, :1]),
                        a.take(idx(t, [0, 11, -5])),
                        t.take_along_dim(a, idx(t, [[0], [3], [1]]), 1),
                        t.take_along_dim(a, idx(t, [1, 7]))), x)
    check(lambda t, a: (a.nonzero(), t.nonzero(a, as_tuple=True), t.where(a > 0)),
          (x > 0).astype(I64) * 3)
    check(lambda t, a, v: a.masked_fill(a > 0, v), x, rand())      # grad flows to v


def test_gather_scatter_index_select_errors():
    x = rand(3, 4)
    check_raises(lambda t, a: a.gather(1, idx(t, [[4]])), x)
    check_raises(lambda t, a: a.gather(1, idx(t, [0])), x)
    check_raises(lambda t, a: a.gather(1, t.tensor([[0.0]])), x)
    check_raises(lambda t, a: a.index_select(0, idx(t, [3])), x)
    check_raises(lambda t, a: a.index_select(0, idx(t, [[0]])), x)
    check_raises(lambda t, a: a.scatter(1, idx(t, [[5]]), 1.0), x)
    check_raises(lambda t, a: a.masked_fill(idx(t, [1, 0, 1, 0]), 0.0), x)
    check_raises(lambda t, a: a.take(idx(t, [12])), x)
    check_raises(lambda t, a: a.take(idx(t, [-13])), x)
    check_raises(lambda t, a: a.take(t.tensor([0.0])), x)
    check_raises(lambda t, a: a.index_select(0, idx(t, [-1])), x)
    check_raises(lambda t, a: a.index_select(0, t.tensor([0.0])), x)
    check_raises(lambda t, a: a.gather(1, idx(t, [[-1]])), x)
    check_raises(lambda t, a: a.scatter(1, t.tensor([[0.0]]), 1.0), x)


# ---- in-place ops --------------------------------------------------------------------

def _inplace_chain(t, a, b):
    # Every op here keeps torch's autograd happy (nothing it saved is overwritten later).
    y = a * 2                                       # non-leaf
    y.add_(b)
    y.sub_(b, alpha=0.5)
    y.mul_(3.0)
    y.div_(2.0)
    y += 1
    y -= a
    y *= b
    y /= b.abs() + 1
    y.clamp_(-1.0, 1.5)
    y.masked_fill_(a > 1, 0.25)
    y.add_(a, alpha=-2)
    y.neg_()
    z = b * 1
    z.copy_(y[0])                                   # gradient flows to y, not to old z
    w = a * 1
    w.zero_()
    w.add_(z)
    u = a * 1
    u.fill_(b[0])                                   # a 0-d tensor value: its gradient flows
    return y, z, w, u


def test_inplace_on_non_leaf_grads_match():
    check(_inplace_chain, rand(3, 4), rand(4))


def test_inplace_misc_and_version():
    def fn(t, a):
        y = a.clone()
        y.exp_()
        s = a * 2
        s.sigmoid_()
        z = a * 1
        z.tanh_()
        w = a + 0
        w.pow_(2)
        w.clamp_min_(0.1)
        w.clamp_max_(0.4)
        w.addcmul_(a, a, value=0.5)
        w.tril_()
        v = a - 0
        v.t_()
        v.unsqueeze_(0)
        v.lerp_(a, 0.25)
        u = a / 1
        u.relu_()
        return y, s, z, w, v, u
    check(fn, rand(3, 3))
    x = fl.tensor(rand(3))
    v0 = x._version
    x.add_(1).mul_(2)
    assert x._version == v0 + 2


def test_inplace_returns_self_and_rebinds_value():
    x = fl.tensor([1.0, 2.0])
    assert x.add_(1) is x and x.mul_(2) is x and x.zero_() is x and x.fill_(3) is x
    assert x.tolist() == [3.0, 3.0]
    alias = x.detach()                                # shares storage, as torch
    alias.add_(1)
    assert x.tolist() == [4.0, 4.0]
    d = x.data
    d.mul_(2)
    assert x.tolist() == [8.0, 8.0]


def test_inplace_int_tensor_dtype_rules():
    xi = rand(3, dtype=I64, low=0, high=9)
    check(lambda t, a: (a.clone().add_(2), a.clone().mul_(3), a.clone().floor_divide_(2),
                        a.clone().clamp_(1, 5), a.clone().fill_(2.9)), xi)
    check_raises(lambda t, a: a.clone().add_(1.5), xi)
    check_raises(lambda t, a: a.clone().div_(2), xi)
    check_raises(lambda t, a: a.add_(t.ones(2, 3)), rand(3))


def test_inplace_on_leaf_errors():
    def fn(t, a):
        a.requires_grad_(True)
        a.add_(1)
    check_raises(fn, rand(3))
    x = fl.tensor(rand(3), requires_grad=True)
    with fl.no_grad():                              # allowed under no_grad, as torch
        x.mul_(2).add_(1).zero_()
        x.uniform_(-1, 1)
        x.normal_()
    assert x.requires_grad and x.is_leaf


def test_random_inplace_ops():
    fl.manual_seed(3)
    x = fl.zeros(1000)
    x.uniform_(2.0, 3.0)
    assert x.dtype == fl.float32 and 2.0 <= x.min().item() and x.max().item() < 3.0
    x.normal_(5.0, 0.5)
    assert abs(x.mean().item() - 5.0) < 0.1 and abs(x.std().item() - 0.5) < 0.1


def test_random_inplace_on_non_leaf_stays_in_graph():
    """Overwriting a non-leaf with samples keeps it in the graph with a zero gradient."""
    def fn(t, a):
        y = a * 2
        y.normal_()
        z = a * 3
        z.uniform_()
        return (y * 0, z * 0, (y * 0 + z * 0 + a).sum())
    check(fn, rand(3))


def test_out_of_range_tensor_index_under_compile_gives_nan_not_the_edge():
    """PyTorch raises IndexError; eagerly so do we. Under compile the index values are not
    known while tracing, so nothing can raise: the out-of-range entries come out as NaN
    (not JAX's default clamp to the last row, a plausible but wrong value)."""
    x = fl.arange(6.0).reshape(2, 3)
    rows = fl.compile(lambda i: x[i])(fl.tensor([1, -1, 2]))
    np.testing.assert_array_equal(rows.numpy()[:2], x.numpy()[[1, -1]])
    assert np.isnan(rows.numpy()[2]).all()
    cols = fl.compile(lambda i: x[1, None, i])(fl.tensor([0, 5]))
    assert cols.numpy()[0, 0] == 3.0 and np.isnan(cols.numpy()[0, 1])
    with pytest.raises(IndexError):
        x[fl.tensor([2])]


def test_out_of_range_writes_under_compile_poison_the_tensor_not_vanish():
    """Writes likewise: JAX drops a traced out-of-range write silently, which leaves a
    plausible tensor; under compile the written tensor comes out all NaN (the smallest
    integer for integer dtypes) instead, and an in-range write is unchanged."""
    def setitem(x, i):
        y = x.clone()
        y[i] = 7
        return y

    def setitem_mixed(x, i):
        y = x.clone()
        y[1, None, i] = 7
        return y
    x = fl.arange(6.0).reshape(2, 3)
    for write in (setitem, setitem_mixed, lambda x, i: x.scatter(1, i.reshape(1, -1)
                                                                 .expand(2, -1), 7.0),
                  lambda x, i: x.scatter_add(1, i.reshape(1, -1).expand(2, -1),
                                             fl.ones(2, 2))):
        good, bad = fl.tensor([0, 1]), fl.tensor([0, 3])
        compiled = fl.compile(write)
        np.testing.assert_array_equal(compiled(x, good).numpy(), write(x, good).numpy())
        assert np.isnan(compiled(x, bad).numpy()).all()
    ints = fl.compile(setitem)(fl.arange(4), fl.tensor([9]))
    assert (ints.numpy() == np.iinfo(ints.numpy().dtype).min).all()
    with pytest.raises(IndexError):
        setitem(x, fl.tensor([0, 3]))


@pytest.mark.parametrize("reduce,include_self", [("max", True), ("max", False),
                                                 ("min", True), ("min", False)])
def test_scatter_reduce_takes_max_and_min_as_torch(reduce, include_self):
    """(torch 2.13 takes "max"/"min" as "amax"/"amin"; they raised here.)"""
    out = []
    for lib in (torch, fl):
        x = lib.tensor([[0.0, 5.0, -5.0], [1.0, 2.0, 3.0]])
        src = lib.tensor([[-1.0, -2.0, 7.0], [4.0, -4.0, 0.5]])
        index = lib.tensor([[1, 1, 2], [0, 0, 0]])
        y = x.scatter_reduce(1, index, src, reduce=reduce, include_self=include_self)
        x.scatter_reduce_(1, index, src, reduce, include_self=include_self)
        out.append((y.tolist(), x.tolist()))
    assert out[1] == out[0]
