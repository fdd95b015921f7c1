"""Differential tests against PyTorch: indexed writes (index_add/copy/fill/put/reduce,
scatter_reduce, masked_scatter, put, select and the *_scatter family, fill_diagonal_),
out of place and in place, with gradients, errors and traced use."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

I64 = np.int64
# torch warns that index_reduce is in beta.
pytestmark = pytest.mark.filterwarnings("ignore:index_reduce:UserWarning")


def _ties(*shape):
    """Small integer-valued floats: ties for amax/amin and zeros for prod."""
    return rand(*shape, dtype=I64, low=-2, high=3).astype(np.float32)


def test_index_add_copy_fill_put():
    i = np.array([2, 0, 2])                   # a repeated index accumulates in index_add
    j = np.array([3, 1])
    check(lambda t, x, s, s2, v, i, j: (
        x.index_add(0, i, s, alpha=2), t.index_add(x, 1, j, s2),
        x.index_copy(1, j, s2), t.index_copy(x, 0, i[1:], s[1:]),
        x.index_fill(1, j, -1.5), t.index_fill(x, 0, i, v), x.index_fill(1, -j, 2.0),
        x.put(i, s[0, :3], accumulate=True), t.put(x, -j, s2[0]),
        x.index_put((i, i), s[:, 0], accumulate=True), t.index_put(x, (i[1:2],), s[0]),
        x.index_put((x > 0,), v)),
        rand(3, 4), rand(3, 4), rand(3, 2), rand(), i, j)


def test_scatter_reduce_all_reductions():
    idx = np.array([[0, 1, 0], [0, 0, 2], [2, 1, 0], [1, 2, 2]])
    check(lambda t, x, s, i: tuple(
        x.scatter_reduce(1, i, s, r, include_self=inc)
        for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)),
        _ties(4, 4), _ties(4, 3), idx)


def test_index_reduce_all_reductions():
    i = np.array([1, 0, 1, 1])
    check(lambda t, x, s, i: tuple(
        t.index_reduce(x, 0, i, s, r, include_self=inc)
        for r in ("prod", "mean", "amax", "amin") for inc in (True, False)),
        _ties(3, 2), _ties(4, 2), i)


def test_integer_reductions_round_down():
    x = rand(5, dtype=I64, low=-9, high=9)
    s = rand(6, dtype=I64, low=-9, high=9)
    i = np.array([0, 0, 1, 3, 3, 3])
    check(lambda t, x, s, i: (x.scatter_reduce(0, i, s, "mean"),
                              x.index_reduce(0, i, s, "mean", include_self=False),
                              x.scatter_reduce(0, i, s, "amin", include_self=False),
                              x.index_reduce(0, i, s, "prod")), x, s, i)


def test_masked_scatter_select_and_scatters():
    check(lambda t, x, m, s, r, d: (
        x.masked_scatter(m, s), t.masked_scatter(x[0], m, s),     # the mask broadcasts
        x.select(1, -1), t.select(x, 0, 1),
        x.select_scatter(r, 1, 2), t.select_scatter(x, d[0], 0, 0),
        x.slice_scatter(s[:6].reshape(3, 2), 1, 1, None, 2), t.slice_scatter(x, d, 0, 1),
        x.diagonal_scatter(r[:2], 2), t.diagonal_scatter(x, r, -1, 1, 0)),
        rand(3, 4), rand(3, 4, dtype=np.bool_), rand(14), rand(3), rand(2, 4))


def _inplace_chain(t, a, s, v, i):
    y = a * 2                                      # a non-leaf, written in place
    y.index_add_(0, i, s)
    y.index_copy_(1, i[:1], s[:, :1])
    y.index_fill_(1, i[1:], v)
    y.index_put_((i, i), s[0, :3], accumulate=True)
    y.masked_scatter_(y > 0, s.flatten())
    y.put_(i, s[1])
    y.fill_diagonal_(0.5)
    y[1].index_fill_(0, i[:1], 7.0)                # a view writes through to y
    y.select(1, 0).mul_(3)
    # torch saves the results of these two for backward: nothing may modify them after.
    z = y * 1
    z.index_reduce_(0, i, s, "amax", include_self=False)
    w = z * 1
    # (src no larger than index: torch's prod backward gives unused src elements gradient)
    w.scatter_reduce_(0, i[None, :], s[:1], "prod")
    return w


def test_inplace_variants_on_a_graph():
    check(_inplace_chain, rand(3, 3), rand(3, 3), rand(), np.array([2, 0, 1]))


def test_fill_diagonal_shapes():
    check(lambda t, a, b, c: (a.clone().fill_diagonal_(2.0),
                              b.clone().fill_diagonal_(-1.0, wrap=True),
                              b.clone().fill_diagonal_(-1.0),
                              c.clone().fill_diagonal_(3.0), a.T.clone().fill_diagonal_(1.0)),
          rand(3, 5), rand(8, 3), rand(3, 3, 3))


def test_inplace_on_a_leaf_raises():
    leaf = fl.ones(3, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.index_add_(0, fl.tensor([0]), fl.ones(1, 2))
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.fill_diagonal_(0.0)


def test_traced_writes_match_eager():
    """The writes (masked_scatter included: its positions come from a cumsum) run under
    jax.jit and functorch_like.compile and give the eager values."""
    x, s = fl.tensor(rand(3, 4)), fl.tensor(rand(12))
    i = fl.tensor([2, 0, 2])

    def f(x, s, i):
        return (x.masked_scatter(x > 0, s) + x.index_add(0, i, s[:12].view(3, 4))
                + x.scatter_reduce(0, i[:2].view(2, 1).expand(2, 4), s.view(3, 4)[:2], "amax"))
    eager = f(x, s, i)
    jitted = jax.jit(lambda a, b, c: f(fl.Tensor._make(a), fl.Tensor._make(b),
                                       fl.Tensor._make(c))._value)(x._value, s._value,
                                                                   i._value)
    np.testing.assert_allclose(np.asarray(jitted), eager.numpy(), rtol=1e-6)
    np.testing.assert_allclose(fl.compile(f)(x, s, i).numpy(), eager.numpy(), rtol=1e-6)


ERRORS = {
    "index_add_bound": lambda t, x: x.index_add(0, t.tensor([0, 3]), t.ones(2, 4)),
    "index_add_negative": lambda t, x: x.index_add(0, t.tensor([0, -1]), t.ones(2, 4)),
    "index_add_float_index": lambda t, x: x.index_add(0, t.tensor([0., 1]), t.ones(2, 4)),
    "index_add_2d_index": lambda t, x: x.index_add(0, t.tensor([[0, 1]]), t.ones(2, 4)),
    "index_add_shape": lambda t, x: x.index_add(0, t.tensor([0, 2]), t.ones(2, 3)),
    "index_add_count": lambda t, x: x.index_add(0, t.tensor([0, 2]), t.ones(3, 4)),
    "index_add_dtype": lambda t, x: x.index_add(0, t.tensor([0]), t.ones(1, 4).half()),
    "index_copy_bound": lambda t, x: x.index_copy(0, t.tensor([0, 3]), t.ones(2, 4)),
    "index_copy_float_index": lambda t, x: x.index_copy(0, t.tensor([0.]), t.ones(1, 4)),
    "index_copy_2d_index": lambda t, x: x.index_copy(0, t.tensor([[0, 1]]), t.ones(2, 4)),
    "index_copy_count": lambda t, x: x.index_copy(0, t.tensor([0, 2]), t.ones(3, 4)),
    "index_copy_slice": lambda t, x: x.index_copy(0, t.tensor([0, 2]), t.ones(2, 3)),
    "index_copy_dtype": lambda t, x: x.index_copy(0, t.tensor([0]), t.ones(1, 4).half()),
    "index_fill_bound": lambda t, x: x.index_fill(0, t.tensor([0, 3]), 1.0),
    "index_fill_float_index": lambda t, x: x.index_fill(0, t.tensor([0.]), 1.0),
    "index_fill_2d_index": lambda t, x: x.index_fill(0, t.tensor([[0]]), 1.0),
    "index_fill_value": lambda t, x: x.index_fill(0, t.tensor([0]), t.ones(2)),
    "index_put_dtype": lambda t, x: x.index_put((t.tensor([0]),), t.ones(4).half()),
    "index_put_bound": lambda t, x: x.index_put((t.tensor([5]),), t.ones(4)),
    "index_put_broadcast": lambda t, x: x.index_put((t.tensor([0, 1]), t.tensor([0, 1, 2])),
                                                    t.ones(1)),
    "index_put_values": lambda t, x: x.index_put((t.tensor([0, 1]),), t.ones(3)),
    "index_put_not_tuple": lambda t, x: x.index_put(t.tensor([1]), t.tensor(1.)),
    "index_put_none": lambda t, x: x.index_put((None,), t.tensor(1.)),
    "index_reduce_sum": lambda t, x: x.index_reduce(0, t.tensor([0]), t.ones(1, 4), "sum"),
    "index_reduce_bound": lambda t, x: x.index_reduce(0, t.tensor([5]), t.ones(1, 4), "prod"),
    "index_reduce_dtype": lambda t, x: x.index_reduce(0, t.tensor([0]), t.ones(1, 4).half(),
                                                      "amax"),
    "index_reduce_index": lambda t, x: x.index_reduce(0, t.tensor([0.]), t.ones(1, 4), "prod"),
    "scatter_reduce_name": lambda t, x: x.scatter_reduce(0, t.tensor([[0]]), t.ones(1, 1),
                                                         "foo"),
    "scatter_reduce_bound": lambda t, x: x.scatter_reduce(0, t.tensor([[3]]), t.ones(1, 1),
                                                          "sum"),
    "scatter_reduce_ndim": lambda t, x: x.scatter_reduce(0, t.tensor([1]), t.ones(1, 1),
                                                         "sum"),
    "scatter_reduce_size": lambda t, x: x.scatter_reduce(0, t.tensor([[0, 0, 0, 0, 0]]),
                                                         t.ones(2, 5), "sum"),
    "scatter_reduce_dtype": lambda t, x: x.scatter_reduce(0, t.tensor([[1]]),
                                                          t.ones(1, 1).half(), "sum"),
    "masked_scatter_mask": lambda t, x: x.masked_scatter(x, t.ones(12)),
    "masked_scatter_short": lambda t, x: x.masked_scatter(x == x, t.ones(11)),
    "masked_scatter_dtype": lambda t, x: x.masked_scatter(x > 0, t.ones(12).half()),
    "put_bound": lambda t, x: x.put(t.tensor([0, 12]), t.ones(2)),
    "put_count": lambda t, x: x.put(t.tensor([0, 1]), t.ones(3)),
    "put_dtype": lambda t, x: x.put(t.tensor([0]), t.ones(1).half()),
    "put_index": lambda t, x: x.put(t.tensor([0.]), t.ones(1)),
    "select_bound": lambda t, x: x.select(0, 3),
    "select_dim": lambda t, x: x.select(2, 0),
    "select_0d": lambda t, x: x.sum().select(0, 0),
    "select_scatter_src": lambda t, x: x.select_scatter(t.ones(3), 0, 0),
    "slice_scatter_src": lambda t, x: x.slice_scatter(t.ones(3, 3), 1, 0, None, 2),
    "slice_scatter_step": lambda t, x: x.slice_scatter(t.ones(3, 4), 0, step=0),
    "diagonal_scatter_src": lambda t, x: x.diagonal_scatter(t.ones(2), 1),
    "diagonal_scatter_dims": lambda t, x: x.diagonal_scatter(t.ones(3), 0, 1, 1),
    "fill_diagonal_1d": lambda t, x: x[0].clone().fill_diagonal_(1.0),
    "fill_diagonal_unequal": lambda t, x: t.zeros(2, 3, 2).fill_diagonal_(1.0),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    """torch's exception type and message."""
    check_raises(ERRORS[name], rand(3, 4))


def test_methods_and_functions_exist():
    names = ("index_add index_copy index_fill index_put index_reduce scatter_reduce "
             "masked_scatter put select select_scatter slice_scatter diagonal_scatter").split()
    for n in names:
        assert callable(getattr(fl.Tensor, n)) and callable(getattr(fl, n)), n
        if n not in ("select", "select_scatter", "slice_scatter", "diagonal_scatter"):
            assert callable(getattr(fl.Tensor, n + "_")), n
    assert callable(fl.index_put_) and callable(fl.Tensor.fill_diagonal_)


def test_masked_scatter_short_source_under_jit_is_nan_not_a_repeat():
    from functorch_like._ops_index_write import _f_masked_scatter
    out = jax.jit(_f_masked_scatter)(jnp.zeros(4), jnp.array([True, False, True, True]),
                                     jnp.array([1.0, 2.0]))
    np.testing.assert_array_equal(np.asarray(out)[:3], [1.0, 0.0, 2.0])
    assert np.isnan(np.asarray(out)[3])


def test_out_of_range_writes_under_compile_poison_the_tensor():
    # JAX drops a traced out-of-range write silently; under compile the result is all NaN
    # instead (eagerly these raise PyTorch's errors, tested above), and in range unchanged.
    x = fl.arange(6.0).reshape(2, 3)
    src = fl.ones(2, 2)
    writes = [
        lambda x, i: x.index_add(1, i, src),
        lambda x, i: x.index_copy(1, i, src),
        lambda x, i: x.index_fill(1, i, -1.0),
        lambda x, i: x.index_put((i,), fl.ones(2, 3), accumulate=True),
        lambda x, i: x.index_put((i,), fl.ones(2, 3)),
        lambda x, i: x.put(i, fl.ones(2)),
        lambda x, i: x.scatter_reduce(1, i.reshape(1, -1).expand(2, -1), src, "amax"),
        lambda x, i: x.index_reduce(1, i, src, "prod"),
    ]
    for k, write in enumerate(writes):
        compiled = fl.compile(write)
        good = fl.tensor([0, 1])
        np.testing.assert_array_equal(compiled(x, good).numpy(), write(x, good).numpy(),
                                      err_msg=str(k))
        assert np.isnan(compiled(x, fl.tensor([0, 7])).numpy()).all(), k
