"""Differential tests against PyTorch: reductions (sum, mean, prod, max/min, argmax/argmin,
std/var, norm, cumsum, logsumexp, all/any, sort/topk) with dim/keepdim conventions."""

import numpy as np
import pytest

from _tensor_ops_ref import check, check_raises, rand

I64 = np.int64

DIMS = [None, 0, -1, (0, 2), (-1, 1), ()]


@pytest.mark.parametrize("dim", DIMS, ids=str)
def test_sum_mean(dim):
    x = rand(2, 3, 4)
    if dim is None:
        check(lambda t, a: (a.sum(), t.mean(a), a.nansum()), x)
        return
    check(lambda t, a: (a.sum(dim), t.sum(a, dim, keepdim=True), a.mean(dim),
                        t.mean(a, dim=dim, keepdim=True)), x)


def test_sum_mean_prod_dtypes():
    xi = rand(2, 3, dtype=I64, low=-3, high=4)
    xb = rand(2, 3, dtype=np.bool_)
    check(lambda t, a, b: (a.sum(), a.sum(0), b.sum(), b.sum(1, keepdim=True), a.prod(),
                           a.prod(1), b.prod(), a.sum(dtype=t.float32), a.mean(dtype=t.float32),
                           a.cumsum(0), b.cumsum(1), a.cumprod(1)), xi, xb)
    check(lambda t, a: (a.sum(dtype=t.float64), a.float().mean(1)), xi)
    # float16 sums and means accumulate in float32, as torch (one rounding at the end).
    check(lambda t, a: (a.half().mean(), a.half().sum(1), a.mean(dtype=t.float16),
                        a.half().cumsum(0)), rand(3, 40, low=0, high=1), grad=False,
          atol=1e-4, rtol=1e-4)
    check_raises(lambda t, a: a.mean(), xi)


def test_nansum_and_prod():
    x = rand(3, 4)
    x[1, 2] = np.nan
    check(lambda t, a: (t.nansum(a), a.nansum(1)), x, grad=False)
    check(lambda t, a: (a.prod(), t.prod(a, 1), a.prod(-1, keepdim=True)), rand(3, 4))
    check(lambda t, a: a.prod(0), np.array([[0.0, 2.0], [3.0, 0.0], [1.5, 2.0]], np.float32))


@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_return_values_and_indices(keepdim):
    x = rand(3, 4)
    ref, got = check(lambda t, a: (a.max(1, keepdim), t.min(a, dim=-2, keepdim=keepdim),
                                   t.max(a, 0, keepdim=keepdim).values,
                                   a.min(1, keepdim=keepdim).indices), x)
    assert type(got[0]).__name__ == "max" and type(got[1]).__name__ == "min"
    values, indices = got[0]                      # unpacks like a tuple
    assert values.shape == indices.shape


def test_max_min_full_and_elementwise():
    x, y = rand(3, 4), rand(4)
    check(lambda t, a, b: (a.max(), t.min(a), t.max(a, b), a.min(b), t.amax(a, (0, 1)),
                           a.amin(-1, keepdim=True), t.amax(a)), x, y)
    xi = rand(3, 4, dtype=I64, low=-5, high=5)
    check(lambda t, a: (a.max(), a.min(0), t.argmax(a), a.argmin(1)), xi)


def test_max_ties_gradient_and_index():
    """Ties: indices are the first occurrence; max(dim)'s gradient goes to that index,
    full max() splits it evenly between the tied elements (as torch)."""
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32)
    check(lambda t, a: a.max(1), x)
    check(lambda t, a: a.min(0), x)
    check(lambda t, a: a.max(), x)
    check(lambda t, a: t.amax(a, 1), x)


def test_argmax_argmin():
    x = rand(2, 3, 4)
    check(lambda t, a: (a.argmax(), t.argmin(a), a.argmax(1), t.argmin(a, -1, keepdim=True),
                        a.argmax(dim=0, keepdim=True), t.argmax(a, keepdim=True)), x)


def test_reduction_errors():
    x = rand(3, 4)
    check_raises(lambda t, a: a.sum(2), x)
    check_raises(lambda t, a: a.max(-3), x)
    check_raises(lambda t, a: a.argmax(5), x)
    check_raises(lambda t, a: t.zeros(0).max(), x)
    check_raises(lambda t, a: a.topk(5), x)
    for op in ("argmax", "argmin", "topk"):         # bool inputs
        check_raises(lambda t, a: getattr(a > 0, op)(*(1,) * (op == "topk")), x)
    check_raises(lambda t, a: (a > 0).mean(), x)
    check_raises(lambda t, a: a.long().mean(), x)


# ---- std / var ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"correction": 0}, {"correction": 1},
                                    {"correction": 2}, {"unbiased": False},
                                    {"unbiased": True}], ids=str)
def test_std_var(kwargs):
    x = rand(3, 4)
    check(lambda t, a: (a.std(**kwargs), t.var(a, **kwargs), a.var(1, **kwargs),
                        t.std(a, dim=0, keepdim=True, **kwargs), a.var((0, 1), **kwargs),
                        a.std(-1, **kwargs)), x)


def test_std_of_constant_has_zero_gradient():
    x = np.array([[1.5, 1.5, 1.5], [0.0, 1.0, 2.0]], np.float32)
    check(lambda t, a: (a.std(1), a.std(1, correction=0), a.var(1), t.std_mean(a, 1)), x)


def test_std_var_positional_forms_and_mean_pairs():
    x = rand(3, 4)
    check(lambda t, a: (a.var(0, False), a.std(False), t.std(a, 1, True, True),
                        t.var_mean(a, 1), t.std_mean(a, correction=0),
                        t.var_mean(a, (0, 1), keepdim=True)), x)


# ---- norm --------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [1, 2, float("inf"), "fro"], ids=str)
def test_norm(p):
    x = rand(3, 4)
    check(lambda t, a: (a.norm(p), t.norm(a, p, dim=1), a.norm(p=p, dim=(0, 1))), x)


def test_norm_other_orders():
    check(lambda t, a: (a.norm(3), a.norm(float("-inf"), dim=0, keepdim=True), a.norm(0.5, 1),
                        a.norm(), t.norm(a, dim=-1, keepdim=True)), rand(3, 4))


def test_norm_of_zero_vector_and_ints():
    z = np.zeros((2, 3), np.float32)
    check(lambda t, a: (a.norm(), a.norm(dim=1), a.norm(1)), z)
    check_raises(lambda t, a: a.norm(), rand(3, dtype=I64), match=False)


# ---- scans, logsumexp, all/any -----------------------------------------------------------

def test_cumsum_cumprod_logsumexp():
    x = rand(3, 4)
    x[0] = [1000.0, 1000.0, -1000.0, 3.0]        # logsumexp must not overflow
    check(lambda t, a: (a.cumsum(0), t.cumsum(a, -1), t.logsumexp(a, 1),
                        t.logsumexp(a, (-1, 0), keepdim=True)), x)
    check(lambda t, a: a.cumprod(1), rand(3, 4))


def test_all_any_count_nonzero():
    b = rand(3, 4, dtype=np.bool_)
    check(lambda t, m: (m.all(), t.any(m), m.all(1), m.any(0, keepdim=True), m.all(-1),
                        t.count_nonzero(m), m.count_nonzero(1)), b)
    xi = rand(3, 4, dtype=I64, low=0, high=2)
    check(lambda t, a: (a.all(), a.any(1), t.count_nonzero(a, 0)), xi)
    check(lambda t, a: (a.all(), a.any(0)), rand(3, 4), grad=False)


# ---- sort / topk -------------------------------------------------------------------------

def test_sort_argsort():
    x = rand(3, 5)
    check(lambda t, a: (a.sort(), t.sort(a, 0), a.sort(dim=-1, descending=True),
                        t.argsort(a, 1), a.argsort(dim=0, descending=True)), x)
    ties = np.array([[2.0, 1.0, 2.0, 1.0, 0.0]], np.float32)
    check(lambda t, a: (a.sort(stable=True), a.sort(descending=True, stable=True)), ties)
    xi = rand(6, dtype=I64, low=-5, high=5)
    check(lambda t, a: (a.sort(), a.sort(descending=True, stable=True)), xi)


def test_nan_handling_in_max_sort_topk():
    """NaN is the largest value: max/argmax pick it, ascending sort puts it last,
    descending sort first; ties keep their order in a stable sort."""
    x = np.array([[1.0, np.nan, 3.0, -1.0, 3.0], [2.0, 0.5, np.nan, np.nan, 2.0]], np.float32)
    check(lambda t, a: (a.max(), a.max(1), a.argmax(1), a.min(1), a.amax(1),
                        t.maximum(a, a[0]), a.sort(dim=1, stable=True),
                        a.sort(dim=1, descending=True, stable=True)), x, grad=False)
    # topk's order among ties is unspecified: no ties here.
    y = np.array([[1.0, np.nan, 3.0, -1.0, 2.5], [2.0, 0.5, np.nan, -3.0, 1.0]], np.float32)
    check(lambda t, a: (a.topk(2, 1), a.topk(2, 1, largest=False), a.topk(1, 0)), y,
          grad=False)
    b = np.array([3, 250, 0, 7, 250], np.uint8)
    check(lambda t, a: (a.sort(descending=True, stable=True), (a > 5).sort(descending=True,
                                                                          stable=True)), b)


def test_topk():
    x = rand(3, 5)
    ref, got = check(lambda t, a: (a.topk(2), t.topk(a, 3, dim=0), a.topk(1, largest=False),
                                   a.topk(2, -1, False, True)), x)
    assert type(got[0]).__name__ == "topk"
    v, i = got[0]
    assert v.shape == i.shape == (3, 2)


def test_reductions_of_0d_tensor():
    """A 0-d tensor accepts dim 0 / -1 (and keepdim) in reductions, as torch."""
    x = rand()
    check(lambda t, a: (a.sum(0), a.mean(-1, keepdim=True), a.max(0), a.min(-1, True),
                        a.argmax(0), a.prod(0), a.amax(0), a.cumsum(0), a.sort(0),
                        a.topk(1), a.logsumexp(0), a.norm(dim=0), a.all(0), a.std(0, correction=0),
                        a.var(0, unbiased=False)), x)


def test_tight_float64_gradients():
    """With JAX's x64 mode on, float64 results and gradients agree to ~1e-10."""
    x = rand(3, 4, dtype=np.float64)
    ref, got = check(lambda t, a: (a.sum(), a.std(1), a.var(0, correction=2), a.norm(3, dim=1),
                                   a.logsumexp(1), a.prod(1), (a.abs() + 1) ** a,
                                   t.tensor([1, 2])), x, x64=True, atol=1e-10, rtol=1e-10)
    # Made under x64, the arrays stay 64-bit and say so afterwards.
    assert str(got[0].dtype) == "torch.float64" and str(got[-1].dtype) == "torch.int64"
    assert abs(got[0].item() - ref[0].item()) < 1e-12
