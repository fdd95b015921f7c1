"""Differential tests against torch 2.13 for op parity gaps a fuzzing run found: the
indexing ops on 0-d tensors, scatter/index adds on bool, median of an empty integer tensor,
writes of a grad-requiring value into int/bool tensors, bool shifts and complex
comparisons, nanmean of integers, take/put_ on an empty tensor."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

# ---- indexing ops on 0-d tensors (torch reads them as of size 1) -------------------------

ZERO_D_OPS = {
    "gather": lambda t, x, i, s, d: t.gather(x, d, i),
    "scatter": lambda t, x, i, s, d: t.scatter(x, d, i, s),
    "scatter_value": lambda t, x, i, s, d: t.scatter(x, d, i, value=3.0),
    "scatter_add": lambda t, x, i, s, d: t.scatter_add(x, d, i, s),
    "scatter_reduce": lambda t, x, i, s, d: t.scatter_reduce(x, d, i, s, "sum"),
    "index_add": lambda t, x, i, s, d: t.index_add(x, d, i, s),
    "index_copy": lambda t, x, i, s, d: t.index_copy(x, d, i, s),
    "index_select": lambda t, x, i, s, d: t.index_select(x, d, i),
    "index_fill": lambda t, x, i, s, d: t.index_fill(x, d, i, 3.0),
}


@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("op", list(ZERO_D_OPS))
def test_indexing_ops_on_0d_tensors_match_torch(op, dim):
    # They raised IndexError("tuple index out of range" / "Too many indices").
    fn = ZERO_D_OPS[op]
    check(lambda t, x, s: fn(t, x, t.tensor(0), s, dim), rand(), rand())


@pytest.mark.parametrize("op", list(ZERO_D_OPS))
@pytest.mark.parametrize("shapes", [((), (1,), ()), ((), (), (1,)), ((2,), (), ()),
                                    ((2,), (), (1,)), ((2,), (1,), ())], ids=repr)
def test_indexing_ops_mixing_0d_and_1d_match_torch(op, shapes):
    xs, index_shape, ss = shapes
    fn = ZERO_D_OPS[op]

    def run(t, x, s):
        return fn(t, x, t.zeros(index_shape, dtype=t.int64), s, 0)
    try:
        torch_error = None
        run(torch, torch.zeros(xs), torch.zeros(ss))
    except RuntimeError as e:
        torch_error = e
    if torch_error is None:     # (values only: torch's own backward fails for some mixes)
        check(run, rand(*xs), rand(*ss), grad=False)
    else:
        check_raises(run, rand(*xs), rand(*ss))


@pytest.mark.parametrize("op", ["gather", "scatter", "index_fill", "index_copy"])
def test_indexing_ops_on_0d_tensors_check_bounds_as_torch(op):
    check_raises(lambda t, x, s: ZERO_D_OPS[op](t, x, t.tensor(2), s, 0), rand(), rand())


# ---- adds on bool tensors ---------------------------------------------------------------

BOOL_ADDS = {
    "scatter_add": lambda t, x, i, s: t.scatter_add(x, 0, i, s),
    "scatter_reduce_sum": lambda t, x, i, s: t.scatter_reduce(x, 0, i, s, "sum"),
    "index_add": lambda t, x, i, s: t.index_add(x, 0, i, s),
}


@pytest.mark.parametrize("op", list(BOOL_ADDS))
def test_adds_on_bool_tensors_are_an_or_as_torch(op):
    # They raised a JAX TypeError (its add refuses bool).
    fn = BOOL_ADDS[op]
    check(lambda t, x, s: fn(t, x, t.tensor([0, 1, 1, 3]), s),
          np.array([True, False, False, False]), np.array([False, True, True, False]))


def test_scatter_reduce_add_and_multiply_on_bool_match_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (torch's deprecation of reduce= with a src)
        for reduce in ("add", "multiply"):
            check(lambda t, x, s: t.scatter(x, 0, t.tensor([0, 1, 1]), s, reduce=reduce),
                  np.array([True, False, True]), np.array([False, True, True]))


# ---- median / nanmedian of no elements --------------------------------------------------

@pytest.mark.parametrize("op", ["median", "nanmedian"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_,
                                   np.float32])
def test_median_of_an_empty_tensor_matches_torch(op, dtype):
    # Integer ones raised ValueError("cannot convert float NaN to integer"); torch casts
    # its NaN (int64/int32 minimum, 0 for narrower ints, True for bool). (x64: int64 kept.)
    check(lambda t, x: getattr(t, op)(x), np.zeros(0, dtype), x64=True)


@pytest.mark.parametrize("op", ["median", "nanmedian"])
@pytest.mark.parametrize("shape,dim", [((0,), 0), ((2, 0), 1), ((0, 2), -2)])
def test_median_along_an_empty_dim_raises_torch_text(op, shape, dim):
    # nanmedian said "nanmedian(): ..."; torch says "median(): ..." for both.
    check_raises(lambda t, x: getattr(t, op)(x, dim), np.zeros(shape, np.float32))


# ---- shifts of bools, order comparisons of complex ----------------------------------------

B, C = np.array([True, False]), np.array([1 + 2j, 3j], np.complex64)
F, I = np.array([1.0, 2.0], np.float32), np.array([1, 2])

UNSUPPORTED = {
    "b<<b": (lambda t, b: b << b, B),
    "b>>b": (lambda t, b: b >> b, B),
    "b>>True": (lambda t, b: b >> True, B),
    "True<<b": (lambda t, b: True << b, B),
    "bitwise_left_shift": (lambda t, b: t.bitwise_left_shift(b, b), B),
    "bitwise_right_shift": (lambda t, b: t.bitwise_right_shift(b, b), B),
    "<<=": (lambda t, b: b.clone().__ilshift__(b), B),
    "gcd": (lambda t, b: t.gcd(b, b), B),
    "lcm": (lambda t, b: t.lcm(b, b), B),
    "f>=1+2j": (lambda t, f: f >= 1 + 2j, F),
    "f<1+2j": (lambda t, f: f < 1 + 2j, F),
    "f<=1+2j": (lambda t, f: f <= 1 + 2j, F),
    "f>1+2j": (lambda t, f: f > 1 + 2j, F),
    "1j<f": (lambda t, f: 1j < f, F),
    "i>=1j": (lambda t, i: i >= 1j, I),
    "c<c": (lambda t, c: c < c, C),
    "ge(c, 1)": (lambda t, c: t.ge(c, 1), C),
    "gt_": (lambda t, f: f.clone().gt_(1j), F),
    "maximum": (lambda t, c: t.maximum(c, c), C),
    "minimum": (lambda t, c: t.minimum(c, c), C),
    "fmax": (lambda t, c: t.fmax(c, c), C),
    "fmin": (lambda t, c: t.fmin(c, c), C),
}


@pytest.mark.parametrize("case", list(UNSUPPORTED))
def test_ops_torch_lacks_for_bool_or_complex_raise_its_error(case):
    # They returned values (bool shifts gave ints; complex compared by real part).
    fn, x = UNSUPPORTED[case]
    check_raises(fn, x)


def test_shifts_and_comparisons_that_torch_has_still_work():
    check(lambda t, b, i: (b << 1, i << b, b << i, i >> 1), B, I)
    check(lambda t, f, c: (f == 1 + 2j, c != c, f >= 1, f < f), F, C)


# ---- nanmean of integers ------------------------------------------------------------------

@pytest.mark.parametrize("x", [np.array([1, 2]), np.array([True]), np.array([1, 2], np.uint8)],
                         ids=["int64", "bool", "uint8"])
@pytest.mark.parametrize("kwargs", [{}, {"dtype": "float32"}, {"dim": 0}], ids=repr)
def test_nanmean_of_an_integer_input_raises_torch_error(x, kwargs):
    # It computed (after casting to dtype=); torch refuses the input's own dtype.
    def run(t, x):
        kw = {k: getattr(t, v) if k == "dtype" else v for k, v in kwargs.items()}
        return t.nanmean(x, **kw)
    check_raises(run, x)


def test_nanmean_with_an_integer_dtype_raises_torch_error():
    check_raises(lambda t, x: t.nanmean(x, dtype=t.int64), F)
    check(lambda t, x: t.nanmean(x, dtype=t.float32), np.array([1.0, np.nan], np.float32))


# ---- take / put_ on an empty tensor -------------------------------------------------------

EMPTY_WRITES = {
    "take": lambda t, e: t.take(e, t.tensor([0])),
    "put_": lambda t, e: e.clone().put_(t.tensor([0]), t.tensor([1.0])),
    "put": lambda t, e: t.put(e, t.tensor([0]), t.tensor([1.0])),
    "put_accumulate": lambda t, e: e.clone().put_(t.tensor([0]), t.tensor([1.0]), True),
}


@pytest.mark.parametrize("shape", [(0,), (2, 0)], ids=repr)
@pytest.mark.parametrize("op", list(EMPTY_WRITES))
def test_take_and_put_on_an_empty_tensor_raise_torch_text(op, shape):
    # They said "out of range: tried to access index 0 on a tensor of 0 elements.".
    check_raises(EMPTY_WRITES[op], np.zeros(shape, np.float32))


def test_take_and_put_with_no_indices_on_an_empty_tensor_work():
    check(lambda t, e: (t.take(e, t.tensor([], dtype=t.int64)),
                        e.clone().put_(t.tensor([], dtype=t.int64), t.tensor([]))),
          np.zeros(0, np.float32), grad=False)


# ---- warnings of scatter's reduce= with a tensor src, and of index_reduce ------------------

def _warning_texts(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    # (torch appends where in its C++ source the warning was raised)
    return [str(w.message).split(" (Triggered internally")[0] for w in caught
            if issubclass(w.category, UserWarning)]


WARNING_OPS = {
    "scatter_reduce_src": lambda t: t.scatter(t.ones(2), 0, t.tensor([0]), t.ones(1),
                                              reduce="add"),
    "scatter_reduce_value": lambda t: t.scatter(t.ones(2), 0, t.tensor([0]), 2.0,
                                                reduce="add"),
    "scatter_": lambda t: t.ones(2).scatter_(0, t.tensor([0]), t.ones(1), reduce="multiply"),
    "index_reduce": lambda t: t.index_reduce(t.ones(2), 0, t.tensor([0]), t.ones(1), "prod"),
    "index_reduce_": lambda t: t.ones(2).index_reduce_(0, t.tensor([0]), t.ones(1), "amax"),
}


@pytest.mark.parametrize("op", list(WARNING_OPS))
def test_scatter_reduce_and_index_reduce_warn_as_torch(op):
    # They did not warn.
    torch.set_warn_always(True)     # (torch warns once per process otherwise)
    try:
        want = _warning_texts(lambda: WARNING_OPS[op](torch))
    finally:
        torch.set_warn_always(False)
    assert want or op == "scatter_reduce_value"
    assert _warning_texts(lambda: WARNING_OPS[op](fl)) == want


# ---- ordering ops on complex tensors ---------------------------------------------------------

COMPLEX_ORDERING = {
    "clamp_min(c, 0)": lambda t, c, f: t.clamp_min(c, 0),
    "clamp_min(c, c)": lambda t, c, f: t.clamp_min(c, c),
    "clamp_max(c, c)": lambda t, c, f: t.clamp_max(c, c),
    "clamp(c, c)": lambda t, c, f: t.clamp(c, c),
    "clamp(c, None, c)": lambda t, c, f: t.clamp(c, None, c),
    "clamp(c, 0, 1)": lambda t, c, f: t.clamp(c, 0, 1),
    "f.clamp(max=c)": lambda t, c, f: f.clamp(max=c),
    "f.clamp(min=c)": lambda t, c, f: f.clamp(min=c),
    "f.clamp(c, c)": lambda t, c, f: f.clamp(c, c),
    "f.clamp(max=1j)": lambda t, c, f: f.clamp(max=1j),
    "max": lambda t, c, f: t.max(c),
    "min": lambda t, c, f: c.min(),
    "amax": lambda t, c, f: t.amax(c),
    "amin": lambda t, c, f: t.amin(c, 0),
    "max(dim)": lambda t, c, f: t.max(c, 0),
    "min(dim)": lambda t, c, f: t.min(c, 0),
    "cummax": lambda t, c, f: t.cummax(c, 0),
    "cummin": lambda t, c, f: t.cummin(c, 0),
    "topk": lambda t, c, f: t.topk(c, 1),
    "sort": lambda t, c, f: t.sort(c, descending=True),
    "argsort": lambda t, c, f: t.argsort(c),
    "msort": lambda t, c, f: t.msort(c),
    "aminmax": lambda t, c, f: t.aminmax(c),
    "kthvalue": lambda t, c, f: t.kthvalue(c, 1),
    "median": lambda t, c, f: t.median(c),
    "nanmedian": lambda t, c, f: t.nanmedian(c),
    "median(dim)": lambda t, c, f: t.median(c, 0),
    "argmax": lambda t, c, f: t.argmax(c),
    "argmin(dim)": lambda t, c, f: t.argmin(c, 0),
    "mode": lambda t, c, f: t.mode(c),
}


@pytest.mark.parametrize("case", list(COMPLEX_ORDERING))
def test_ordering_ops_on_complex_raise_torch_error(case):
    # They ordered complex numbers lexicographically (JAX's order) and returned values.
    check_raises(COMPLEX_ORDERING[case], C, F)


# ---- take_along_dim's checks ---------------------------------------------------------------

@pytest.mark.parametrize("shapes,dim", [(((), ()), 0), (((), ()), -1), (((), ()), 1),
                                        (((2,), ()), 0), (((), (1,)), 0),
                                        (((2, 3), (2,)), 0)], ids=repr)
def test_take_along_dim_refuses_0d_and_rank_mismatch_as_torch(shapes, dim):
    # They raised JAX ValueErrors.
    x_shape, i_shape = shapes
    check_raises(lambda t, x: t.take_along_dim(x, t.zeros(i_shape, dtype=t.int64), dim),
                 rand(*x_shape))


def test_take_along_dim_still_works():
    check(lambda t, x: (t.take_along_dim(x, t.tensor([[0], [2]]), 1),
                        t.take_along_dim(x, t.tensor([5, 0])),
                        t.take_along_dim(x[0, 0], t.tensor(0))), rand(2, 3))


# ---- dtype errors: isclose/allclose of two dtypes, median of bools, norm of small ints ---

DTYPE_ERRORS = {
    "isclose long float": (lambda t, a, b: t.isclose(a, b), np.array([1, 2]), F),
    "isclose float long": (lambda t, a, b: t.isclose(a, b), F, np.array([1, 2])),
    "allclose long float": (lambda t, a, b: t.allclose(a, b), np.array([1, 2]), F),
    "isclose float half": (lambda t, a, b: t.isclose(a, b.half()), F, F),
    "median bool": (lambda t, b: t.median(b), B),
    "median bool dim": (lambda t, b: t.median(b, 0), B),
    "nanmedian bool": (lambda t, b: b.nanmedian(), B),
    "norm uint8": (lambda t, i: t.norm(i.to(t.uint8)), I),
    "norm int8": (lambda t, i: t.norm(i.to(t.int8)), I),
    "norm int16": (lambda t, i: t.norm(i.to(t.int16)), I),
}


@pytest.mark.parametrize("name", list(DTYPE_ERRORS))
def test_dtype_errors_match_torch(name):
    """(isclose/allclose compared across dtypes, median took bools; norm said 'Uint8'.)"""
    fn, *inputs = DTYPE_ERRORS[name]
    check_raises(fn, *inputs)


def test_median_of_no_bools_and_isclose_of_one_dtype_still_work():
    check(lambda t, b: t.median(b), np.zeros(0, np.bool_))
    check(lambda t, a, b: t.isclose(a, b), F, F + 1e-6)
