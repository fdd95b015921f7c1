"""Differential tests against PyTorch: order statistics (median, nanmedian, mode, kthvalue,
quantile, nanquantile, aminmax), cov/corrcoef, and search/counting ops (unique,
unique_consecutive, bincount, histc, histogram, searchsorted, bucketize, argwhere, isin),
with gradients, tie/NaN conventions, error texts and the traced-code error."""

import jax
import numpy as np
import pytest

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

NAN = np.nan


def _ties(*shape):
    """Small integers as floats: many ties (PyTorch's tie conventions are under test)."""
    return rand(*shape, dtype=np.int64, low=0, high=4).astype(np.float32)


def test_median_lower_middle_ties_and_grads():
    x = _ties(3, 6)
    ref, got = check(lambda t, a: (a.median(), t.median(a, 1), t.median(a, 0, keepdim=True),
                                   a.median(dim=-1).values, t.nanmedian(a),
                                   a.nanmedian(1)), x)
    assert type(got[1]).__name__ == "median" and type(got[5]).__name__ == "nanmedian"
    check(lambda t, a: (t.median(a), a.median(0)), rand(4, dtype=np.int64, low=0, high=9))
    check(lambda t, a: (a.median(), t.median(a, 0)), np.array(1.5, np.float32), grad=False)


def test_median_nan_conventions():
    x = np.array([[1, NAN, 3, 2], [NAN, NAN, 4, 0], [1, 2, 3, 4]], np.float32)
    check(lambda t, a: (t.median(a, 1), t.nanmedian(a, 1), t.median(a), t.nanmedian(a)), x,
          grad=False)
    check_raises(lambda t, a: t.median(a, 1), np.zeros((2, 0), np.float32))


def test_mode_and_kthvalue():
    x = _ties(3, 7)
    ref, got = check(lambda t, a: (t.mode(a), a.mode(0), t.mode(a, 1, keepdim=True)), x)
    assert type(got[0]).__name__ == "mode"
    # kthvalue: distinct values (tied indices follow PyTorch's selection algorithm).
    y = np.random.default_rng(1).permutation(12).reshape(3, 4).astype(np.float32)
    check(lambda t, a: (t.kthvalue(a, 2), a.kthvalue(1, 0), t.kthvalue(a, 3, -1, True)), y)
    check_raises(lambda t, a: t.kthvalue(a, 5, 1), y)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile(interpolation):
    x = rand(3, 5)
    q = np.array([0.0, 0.125, 0.5, 0.9, 1.0], np.float32)
    check(lambda t, a, qq: (t.quantile(a, 0.3, interpolation=interpolation),
                            a.quantile(qq, dim=1, keepdim=True, interpolation=interpolation),
                            t.quantile(a, qq, interpolation=interpolation, keepdim=True)),
          x, q, atol=1e-5)


def test_quantile_nan_and_errors():
    x = np.array([[1, NAN, 3, 2], [NAN, NAN, NAN, NAN], [0, 1, 2, 3]], np.float32)
    check(lambda t, a: (t.quantile(a, 0.5, dim=1), t.nanquantile(a, 0.4, dim=1),
                        a.nanquantile(0.3), t.nanquantile(a[2], 0.375, interpolation="nearest")),
          x, grad=False)
    v = rand(4)
    for fn in (lambda t, a: t.quantile(a, 1.5),
               lambda t, a: t.quantile(a, t.tensor([0.3, 1.5])),
               lambda t, a: t.quantile(a, 0.3, interpolation="bad"),
               lambda t, a: t.quantile(a.long(), 0.3),
               lambda t, a: t.quantile(a[:0], 0.3),
               lambda t, a: t.quantile(a, t.tensor([[0.3]]))):
        check_raises(fn, v)


def test_aminmax_cov_corrcoef():
    x = rand(3, 5)
    ref, got = check(lambda t, a: (t.aminmax(a), a.aminmax(dim=1, keepdim=True),
                                   t.aminmax(a, dim=0)), x)
    assert got[0]._fields == ("min", "max")
    fw = np.array([1, 2, 1, 3, 1], np.int64)
    aw = rand(5, low=0.5, high=2)
    check(lambda t, a, f, w: (t.cov(a), a.cov(correction=0), t.cov(a, fweights=f),
                              t.cov(a, aweights=w), t.cov(a, fweights=f, aweights=w,
                                                          correction=2),
                              t.cov(a[0]), t.corrcoef(a), a[:2].corrcoef(), t.corrcoef(a[0])),
          x, fw, aw)
    check(lambda t, a: (t.cov(a), t.corrcoef(a)), rand(2, 4, dtype=np.int64, low=0, high=5))
    check_raises(lambda t, a: t.cov(a), rand(2, 2, 2))


def test_unique_and_unique_consecutive():
    x = rand(3, 4, dtype=np.int64, low=0, high=4)
    x[2] = x[0]
    check(lambda t, a: (t.unique(a), a.unique(sorted=False),
                        t.unique(a, return_inverse=True, return_counts=True),
                        a.unique(return_counts=True),
                        t.unique(a, dim=0, return_inverse=True, return_counts=True),
                        t.unique(a, dim=1, return_inverse=True)), x)
    check(lambda t, a: t.unique(a), np.array([1, NAN, NAN, 1, 0.5], np.float32), grad=False)
    runs = np.array([1, 1, 2, 2, 3, 1, 1, 2], np.int64)
    check(lambda t, a, b: (t.unique_consecutive(a, return_inverse=True, return_counts=True),
                           a.unique_consecutive(),
                           t.unique_consecutive(b, dim=0, return_counts=True),
                           t.unique_consecutive(b, return_inverse=True)),
          runs, np.repeat(x, 2, axis=0))


def test_bincount_argwhere_isin():
    idx = np.array([1, 1, 3, 0, 3, 3], np.int64)
    w = rand(6)
    check(lambda t, a, b: (t.bincount(a), a.bincount(minlength=7), t.bincount(a, b),
                           t.bincount(a, weights=a), t.bincount(a[:0])), idx, w, grad=False)
    for fn in (lambda t, a: t.bincount(a - 2), lambda t, a: t.bincount(a[None]),
               lambda t, a: t.bincount(a.float()), lambda t, a: t.bincount(a, minlength=-1),
               lambda t, a: t.bincount(a, a[:2])):
        check_raises(fn, idx)
    m = rand(3, 4, dtype=np.int64, low=-1, high=2)
    check(lambda t, a: (t.argwhere(a), a.argwhere(), t.argwhere(a[0, 0] * 0 + 1),
                        t.isin(a, t.tensor([0, 1])), t.isin(a, 1, invert=True),
                        t.isin(1, a), t.isin(a.float(), t.tensor([1, 5]))), m)


def test_searchsorted_and_bucketize():
    seq = np.array([1, 3, 5, 7], np.int64)
    vals = np.array([[3, 6, 9], [3, 0, 7]], np.int64)
    seq2 = np.array([[1, 3, 5, 7], [2, 4, 6, 8]], np.int64)
    check(lambda t, s, v, s2: (t.searchsorted(s, v), t.searchsorted(s, v, right=True),
                               t.searchsorted(s, v, side="right", out_int32=True),
                               t.searchsorted(s2, v[:, :2]), t.searchsorted(s, 4),
                               t.searchsorted(s.flip(0), v, sorter=t.tensor([3, 2, 1, 0])),
                               t.searchsorted(s, v.float() + 0.5),
                               t.bucketize(v, s), t.bucketize(v, s, right=True, out_int32=True),
                               t.bucketize(3, s)), seq, vals, seq2)
    check_raises(lambda t, s, v: t.searchsorted(s[None], v[0]), seq, vals)
    check_raises(lambda t, s, v: t.bucketize(v, s[None]), seq, vals)
    check_raises(lambda t, s, v: t.searchsorted(s, v, right=True, side="left"), seq, vals)


def test_histc_and_histogram():
    x = rand(20)
    edges = np.array([-2.0, -0.5, 0.0, 1.0, 2.0], np.float32)
    check(lambda t, a: (t.histc(a, 5), a.histc(bins=4, min=-1, max=1),
                        t.histc(a[:3] * 0 + 1, 4), t.histogram(a, 4),
                        t.histogram(a, 3, range=(-1.0, 1.0), density=True)), x, grad=False)
    check(lambda t, a, e, w: (t.histogram(a, e), a.histogram(e, weight=w, density=True)),
          x, edges, rand(20, low=0, high=1), grad=False)
    for fn in (lambda t, a: t.histc(a.long()), lambda t, a: t.histc(a, bins=0),
               lambda t, a: t.histc(a, min=3, max=1)):
        check_raises(fn, x)


def test_value_shaped_ops_refuse_traced_inputs():
    """unique/bincount/argwhere/nonzero (and torch.where(condition)) need concrete values:
    under jax.jit they raise a TypeError that says so, never a wrong result (like
    boolean-mask indexing)."""
    for fn in (fl.unique, fl.bincount, fl.argwhere, fl.unique_consecutive, fl.nonzero,
               lambda a: fl.where(a)[0]):
        with pytest.raises(TypeError, match="depends on the input's values"):
            jax.jit(lambda a, fn=fn: fn(fl.Tensor._make(a))._value)(np.array([1, 2, 2]))
    # Fixed-shape ops trace: searchsorted/isin/histc/median/quantile under jax.jit.
    seq, v = np.array([1.0, 3.0, 5.0], np.float32), np.array([2.0, 5.0, 0.0], np.float32)

    def f(s, a):
        s, a = fl.Tensor._make(s), fl.Tensor._make(a)
        return (fl.searchsorted(s, a)._value, fl.isin(a, s)._value, fl.histc(a, 3)._value,
                fl.median(a)._value, fl.quantile(a, 0.25)._value)
    for eager, jitted in zip(f(seq, v), jax.jit(f)(seq, v)):
        np.testing.assert_allclose(np.asarray(jitted), np.asarray(eager))
