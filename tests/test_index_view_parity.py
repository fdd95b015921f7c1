"""Differential tests against torch 2.13: bool scalars and nested lists as indices,
masked_select broadcasting, tensor_split/chunk edge cases, view(dtype), inference tensors
and floor division with infinities."""

import math
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

# torch's deprecation warning for a list read as a tuple of indices (see the nested-list
# tests, which check it explicitly).
pytestmark = pytest.mark.filterwarnings("ignore:Using a non-tuple sequence:UserWarning")


# ---- bool scalars as indices ----------------------------------------------------------

BOOL_INDICES = [True, False, (True, 0), (0, True), (True, 0, 0), (0, 0, True),
                (Ellipsis, True), (None, True),
                (True, True), (True, slice(None), False), (True, [0, 1]),
                (slice(None), True, [0, 2]), ([0, 1], True, [0, 2]),
                (True, [[0], [1]], slice(None))]


@pytest.mark.parametrize("index", BOOL_INDICES, ids=repr)
def test_bool_scalar_index_adds_a_dim_as_torch(index):
    # It raised a jax ValueError (nonzero of a 0-d array). torch: True unsqueezes and
    # indexes the new dim with [0], False with [] (shape (0, ...)).
    check(lambda t, x: x[index], rand(2, 3))


def test_bool_scalar_index_of_a_0d_tensor_and_a_0d_bool_tensor_index():
    check(lambda t, s: (s[True], s[False], s[None, True]), rand())
    check(lambda t, x: (x[t.tensor(True)], x[t.tensor(False)], x[t.tensor(True), 1]),
          rand(2, 3))


def _written(index):
    """fn(t, x, v): a copy of x with `copy[index] = v` (for check)."""
    def fn(t, x, v):
        y = x * 1
        y[index] = v
        return y
    return fn


@pytest.mark.parametrize("index,value_shape", [
    (True, ()), (False, ()), ((True, 0), (3,)), ((Ellipsis, True), (2, 1, 1)),
    ((True, [1, 0]), (2, 3))], ids=repr)
def test_bool_scalar_index_assignment_as_torch(index, value_shape):
    check(_written(index), rand(2, 3), rand(*value_shape))


@pytest.mark.parametrize("fn", [
    lambda t, x: x[False, [0, 1]],
    lambda t, x: x[[0, 1], [0, 1, 2]]], ids=["false_vs_list", "no_broadcast"])
def test_index_tensors_that_do_not_broadcast_raise_as_torch(fn):
    check_raises(fn, rand(2, 3))


def test_bool_scalar_index_errors_as_torch():
    def fn(t, x, v):
        x[..., True] = v
    check_raises(fn, rand(2, 3), rand(2, 1))
    check_raises(lambda t, x: x[True, 0, 0, 0], rand(2, 3))     # (bools take no dim)


# ---- nested lists as indices ----------------------------------------------------------

NESTED = [[[1, 0]], [[0, 1], [1, 0]], [[1, 0], [0, 1]], [0, [1]], [[0, 1], [1]],
          [[[1, 0]]], [[True, False]], [[1, 0], slice(None)]]


@pytest.mark.parametrize("index", NESTED, ids=repr)
def test_a_list_holding_sequences_is_a_tuple_of_indices_as_torch(index):
    # torch 2.13 still reads such a list as a tuple (NumPy's legacy rule): x[[[1, 0]]] is
    # x[[1, 0]] (shape (2, 3)), not a (1, 2) index tensor (shape (1, 2, 3)).
    check(lambda t, x: x[index], rand(2, 3))


@pytest.mark.parametrize("index,value_shape", [
    ([[1, 0], slice(1, None)], (2, 2)), ([[0, 1], [1, 0]], (2,)), ([[1, 0], 2], (2,))],
    ids=repr)
def test_nested_list_index_assignment_as_torch(index, value_shape):
    check(_written(index), rand(2, 3), rand(*value_shape))


def test_a_list_read_as_a_tuple_warns_as_torch():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        torch.arange(6).reshape(2, 3)[[[0, 1], [1, 0]]]
    (want,) = [str(w.message) for w in seen]
    with pytest.warns(UserWarning) as got:
        fl.arange(6).reshape(2, 3)[[[0, 1], [1, 0]]]
    (message,) = [str(w.message) for w in got]
    # (torch's text ends with the C++ location it was raised at)
    assert message and want.startswith(message)
    assert got[0].filename == __file__
    # A flat list of ints is one index tensor, with no warning (as torch).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fl.arange(6).reshape(2, 3)[[1, 0]].tolist() == [[3, 4, 5], [0, 1, 2]]


# ---- masked_select --------------------------------------------------------------------

@pytest.mark.parametrize("x_shape,mask_shape", [
    ((3,), (2, 3)), ((2, 1), (3,)), ((2, 3), (4, 2, 3)), ((), (3,)), ((1, 3), (2, 1))],
    ids=str)
def test_masked_select_broadcasts_input_and_mask_as_torch(x_shape, mask_shape):
    # The mask used to be expanded to the input's shape only (an error for a bigger mask);
    # the gradient sums over the positions an element was picked at.
    check(lambda t, x, m: t.masked_select(x, m), rand(*x_shape), rand(*mask_shape,
                                                                       dtype=np.bool_))
    check(lambda t, x, m: x.masked_select(m), rand(*x_shape), np.ones(mask_shape, bool))


@pytest.mark.parametrize("fn", [
    lambda t, x: t.masked_select(x, t.ones(3, 2, dtype=t.bool)),
    lambda t, x: t.masked_select(x, t.ones(2, 3)),
    lambda t, x: t.masked_select(x, t.ones(2, 3, dtype=t.uint8))],
    ids=["no_broadcast", "float_mask", "byte_mask"])
def test_masked_select_errors_as_torch(fn):
    check_raises(fn, rand(2, 3))


def test_masked_select_grad_fn_name():
    x = fl.ones(3, requires_grad=True)
    assert fl.masked_select(x, fl.tensor([[True], [False]])).grad_fn.name() == \
        "MaskedSelectBackward0"


# ---- tensor_split / chunk / split -----------------------------------------------------

@pytest.mark.parametrize("indices", [
    [3, 1], [4, 2, 5], [-1, 2], [10, 2], [-10, 3], [5, 1, 3], [-2, -5], (8, -1)], ids=str)
def test_tensor_split_cuts_as_python_slices_as_torch(indices):
    # Unsorted, negative or out-of-range indices gave wrong pieces or a ValueError.
    check(lambda t, x: t.tensor_split(x, indices), rand(6))
    check(lambda t, x: x.tensor_split(indices, dim=1), rand(2, 6))


def test_tensor_split_with_a_tensor_argument_as_torch():
    check(lambda t, x: (t.tensor_split(x, t.tensor([3, 1])), t.tensor_split(x, t.tensor(2)),
                        t.tensor_split(x, 7)), rand(6))


@pytest.mark.parametrize("fn", [
    lambda t, x: t.tensor_split(x, 0), lambda t, x: t.tensor_split(x, -1),
    lambda t, x: t.tensor_split(x, t.tensor([[1]])),
    lambda t, x: t.tensor_split(x, t.tensor([1.0])),
    lambda t, x: t.tensor_split(x, t.tensor(True)),
    lambda t, x: t.tensor_split(x[0], 2), lambda t, x: x[0].chunk(2),
    lambda t, x: x.split(-1)],
    ids=["sections_0", "sections_neg", "2d_tensor", "float_tensor", "bool_tensor",
         "split_0d", "chunk_0d", "split_size_neg"])
def test_split_family_errors_as_torch(fn):
    check_raises(fn, rand(6))


def test_chunk_and_split_of_an_empty_dim_as_torch():
    # torch.zeros(0).chunk(2) is two empty pieces (it was one); split(2) one (it was none).
    check(lambda t, e, f: (e.chunk(2), e.chunk(1), f.chunk(3, dim=1), e.split(2),
                           t.tensor_split(e, 3), t.tensor_split(e, [1, 2])),
          np.zeros(0, np.float32), np.zeros((2, 0), np.float32))


def test_tensor_split_pieces_are_views_and_grad_fn_names_as_torch():
    for lib in (torch, fl):
        z = lib.arange(6.0)
        a, _, c = lib.tensor_split(z, [4, 2])        # overlapping pieces [0:4] and [2:6]
        c.mul_(10)
        assert z.tolist() == [0, 1, 20, 30, 40, 50] and a.tolist() == [0, 1, 20, 30]
    y = fl.ones(4, requires_grad=True)
    assert fl.tensor_split(y * 1, [1])[0].grad_fn.name() == "SliceBackward0"
    assert (y * 1).split([1, 3])[0].grad_fn.name() == "SplitWithSizesBackward0"


# ---- view(dtype) ----------------------------------------------------------------------

def _bytes(t):
    """A tensor's bytes (NaN payloads included), as numpy uint8."""
    if isinstance(t, torch.Tensor):
        return t.detach().reshape(-1).view(torch.uint8).numpy()
    return np.asarray(t._value).reshape(-1).view(np.uint8)


_BITS = {
    "float32": lambda: np.array([[1.0, -2.0, 0.5, 3.0], [np.inf, -0.0, 1e-38, 7.25]],
                                np.float32),
    "int16": lambda: np.array([[1, -1, 300, -32768], [5, 0, 2, 32767]], np.int16),
    "uint8": lambda: np.array([[0, 1, 2, 255], [128, 63, 0, 64]], np.uint8),
    "int8": lambda: np.arange(-4, 4, dtype=np.int8).reshape(2, 4),
    "bool": lambda: np.array([[True, False, True, True], [False, False, True, False]]),
    "complex64": lambda: np.array([[1 + 2j, 3 - 4j], [-0.5j, 2.0]], np.complex64),
    "float16": lambda: np.array([[-1.0, 2.5, 0.1, 65504], [0, 1, 2, 3]], np.float16),
}


def _source(lib, name):
    x = _BITS[name]()
    return torch.from_numpy(x) if lib is torch else fl.tensor(x)


@pytest.mark.parametrize("src,dst", [
    ("float32", "int32"), ("float32", "uint8"), ("float32", "int16"), ("float32", "float16"),
    ("float32", "bfloat16"), ("float32", "complex64"), ("int16", "float32"),
    ("int16", "bfloat16"), ("uint8", "bool"), ("uint8", "float32"), ("int8", "int16"),
    ("bool", "uint8"), ("bool", "int16"), ("complex64", "float32"), ("complex64", "uint8"),
    ("float16", "int16"), ("float16", "uint8"), ("float32", "float32")], ids=str)
def test_view_dtype_reinterprets_the_bytes_as_torch(src, dst):
    # It raised NotImplementedError.
    want = _source(torch, src).view(getattr(torch, dst))
    got = _source(fl, src).view(getattr(fl, dst))
    assert tuple(got.shape) == tuple(want.shape)
    assert got.dtype == getattr(fl, dst)
    row = _source(fl, src)[1].view(dtype=getattr(fl, dst))
    want_row = _source(torch, src)[1].view(getattr(torch, dst))
    if dst == "bool":
        # torch keeps a byte such as 2 in its bool storage; a JAX bool is 0 or 1: the
        # values (all nonzero bytes are True) agree.
        assert got.tolist() == want.tolist() and row.tolist() == want_row.tolist()
        return
    np.testing.assert_array_equal(_bytes(got), _bytes(want))
    np.testing.assert_array_equal(_bytes(row), _bytes(want_row))


@pytest.mark.parametrize("src,dst", [
    ("float32", "float64"), ("float32", "int64"), ("complex64", "float64"),
    ("float16", "int64")], ids=str)
def test_view_dtype_to_64_bit_types_as_torch(x64, src, dst):
    want = _source(torch, src).view(getattr(torch, dst))
    got = _source(fl, src).view(getattr(fl, dst))
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(_bytes(got), _bytes(want))


@pytest.mark.parametrize("fn", [
    lambda t, x: x[0, 0].view(t.int16), lambda t, x: x[0, 0].view(t.uint8),
    lambda t, x: x.to(t.int8)[:, :3].view(t.float32),
    lambda t, x: t.zeros(3, 0, dtype=t.int16).view(t.float32),
    lambda t, x: t.zeros(1, 3, dtype=t.int8).view(t.int16)],
    ids=["0d_smaller", "0d_bytes", "size_not_divisible", "empty_dim_stride", "odd_last_dim"])
def test_view_dtype_errors_as_torch(fn):
    check_raises(fn, rand(2, 4))


def test_view_dtype_errors_for_64_bit_types_as_torch(x64):
    check_raises(lambda t, x: x[:, :3].view(t.float64), rand(2, 4))
    check_raises(lambda t, x: x[0, 0].view(t.float64), rand(2, 4))


def test_view_dtype_is_a_view_outside_autograd_as_torch():
    for lib in (torch, fl):
        x = lib.tensor([[1.0, -2.0], [0.5, 3.0]])
        v = x.view(lib.int32)
        v[0, 0] = 0                                  # a write through the view
        assert x.tolist() == [[0.0, -2.0], [0.5, 3.0]]
        x.mul_(2)                                    # a write to the base
        assert v.tolist() == [[0, -1065353216], [1065353216, 1086324736]]
        b = lib.zeros(2, 2)
        b[1].view(lib.int32).fill_(1065353216)       # through a view of a view
        assert b.tolist() == [[0.0, 0.0], [1.0, 1.0]]
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        assert not a.view(lib.float32).requires_grad and a.view(lib.float16).grad_fn is None
        y = a * 2
        y.view(lib.int32)[0] = 0     # torch: allowed, and y keeps its graph and gradient
        assert y.tolist() == [0.0, 4.0] and y.grad_fn is not None
        y.sum().backward()
        assert a.grad.tolist() == [2.0, 2.0]


# ---- inference tensors ----------------------------------------------------------------

def _inference_flags(lib):
    a = lib.ones(2)
    with lib.inference_mode():
        made = lib.ones(2)
        inside = [made.is_inference(), (a * 2).is_inference(), (made * 2).is_inference(),
                  a.view(2).is_inference(), a[0].is_inference(), a.is_inference()]
        with lib.inference_mode(False):
            inside.append(lib.ones(2).is_inference())
    outside = [made.is_inference(), (made * 2).is_inference(), (made + a).is_inference(),
               made.clone().is_inference(), made.view(2).is_inference(),
               made[0].is_inference(), made.detach().is_inference(),
               lib.is_inference(made), lib.zeros_like(made).is_inference()]
    with lib.no_grad():
        outside.append(lib.ones(1).is_inference())
    return inside, outside, made


def test_tensors_made_in_inference_mode_are_inference_tensors_as_torch():
    # is_inference() was always False.
    assert _inference_flags(fl)[:2] == _inference_flags(torch)[:2]
    assert _inference_flags(fl)[0][0] is True


@pytest.mark.parametrize("fn", [
    lambda lib, made: made.add_(1), lambda lib, made: made.__setitem__(0, 3.0),
    lambda lib, made: made[0].fill_(2.0), lambda lib, made: made.requires_grad_(),
    lambda lib, made: setattr(made, "requires_grad", True)],
    ids=["add_", "setitem", "view_fill_", "requires_grad_", "requires_grad_setter"])
def test_inference_tensor_errors_outside_the_mode_as_torch(fn):
    with pytest.raises(RuntimeError) as want:
        fn(torch, _inference_flags(torch)[2])
    made = _inference_flags(fl)[2]
    with pytest.raises(RuntimeError) as got:
        fn(fl, made)
    assert str(got.value) == str(want.value)
    assert made.tolist() == [1.0, 1.0]
    with fl.inference_mode():                   # inside the mode it is allowed
        made.add_(1)
    assert made.tolist() == [2.0, 2.0]


# ---- floor division -------------------------------------------------------------------

_INF, _NAN = math.inf, math.nan
_A = [1.0, -1.0, _INF, -_INF, _INF, 0.0, -0.0, 5.0, -5.0, _NAN, 1.0, 0.0, -1.0, 3.0, -3.0,
      7.5, -7.5, 1e-30, 2.0, 1.0, -1.0, 0.7]
_B = [_INF, _INF, 2.0, 2.0, _INF, _INF, _INF, -_INF, -_INF, 1.0, _NAN, 0.0, 0.0, -0.0, -0.0,
      2.0, 2.0, 1e30, -1e-30, 0.1, 0.1, -0.1]


def _same_floats(got, want):
    """Equal values, NaN where NaN, and the same sign of zeros and infinities."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = ~np.isnan(want)
    np.testing.assert_array_equal(got[finite], want[finite])
    np.testing.assert_array_equal(np.signbit(got[finite]), np.signbit(want[finite]))


@pytest.mark.parametrize("op", [
    lambda t, a, b: a // b, lambda t, a, b: t.floor_divide(a, b),
    lambda t, a, b: t.div(a, b, rounding_mode="floor")],
    ids=["floordiv", "floor_divide", "div_floor"])
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_floor_division_with_infinities_and_zeros_as_torch(op, dtype):
    # -1 // inf was -0.0 (torch: -1), inf // 2 was inf (torch: nan), 1 // 0.1 was 10
    # (torch: 9, as Python).
    want = op(torch, torch.tensor(_A).to(getattr(torch, dtype)),
              torch.tensor(_B).to(getattr(torch, dtype)))
    got = op(fl, fl.tensor(_A).to(getattr(fl, dtype)), fl.tensor(_B).to(getattr(fl, dtype)))
    assert got.dtype == getattr(fl, dtype)
    _same_floats(got.float().tolist(), want.float().tolist())


def test_floor_division_with_python_scalars_and_float64_as_torch(x64):
    for a, b in [(5.0, [_INF, -_INF]), ([1.0, -1.0], _INF), ([1.0, -7.0], 0.1)]:
        for dtype in ("float32", "float64"):
            ta = torch.tensor(a, dtype=getattr(torch, dtype)) if isinstance(a, list) else a
            tb = torch.tensor(b, dtype=getattr(torch, dtype)) if isinstance(b, list) else b
            fa = fl.tensor(a, dtype=getattr(fl, dtype)) if isinstance(a, list) else a
            fb = fl.tensor(b, dtype=getattr(fl, dtype)) if isinstance(b, list) else b
            _same_floats((fa // fb).tolist(), (ta // tb).tolist())
    # The gradient stays zero, as torch's (values include the new code's cases).
    # (torch has no derivative for floor_divide itself, only for div(rounding_mode=))
    check(lambda t, a, b: t.div(a, b, rounding_mode="floor"),
          np.array([1.0, -1.0, 7.5, 3.0], np.float32), np.array([0.1, 0.1, 2.0, -0.7],
                                                                np.float32))


_TRIGGERED = " (Triggered internally at"        # torch's C++ warnings add where


@pytest.mark.parametrize("value", [None, "scalar", "row"])
@pytest.mark.parametrize("index", [
    lambda T: T.tensor([1, 0], dtype=T.uint8),
    lambda T: [[0, 1]],
], ids=["uint8_mask", "nested_list"])
def test_index_warnings_and_byte_mask_fill_as_torch(index, value):
    """The deprecation warnings point at the user's line; a uint8 mask with one value to
    write raises masked_fill_'s error (value None: a read)."""
    def run(T):
        x = T.arange(6.0).reshape(2, 3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if value is None:
                    x[index(T)]
                else:
                    x[index(T)] = 0.0 if value == "scalar" else T.zeros(3)
            except RuntimeError as e:
                return str(e)
        return [(w.category, w.filename, w.lineno, str(w.message).split(_TRIGGERED)[0])
                for w in caught]
    got, want = run(fl), run(torch)
    assert got == want
    if isinstance(want, list):
        assert want and want[0][1] == __file__


# ---- 0-d integer tensors as indices ---------------------------------------------------

ZERO_D_INDICES = [lambda lib: (lib.tensor(1), slice(None), [0, 1]),
                  lambda lib: (lib.tensor(1),),
                  lambda lib: ([0, 1], lib.tensor(2)),
                  lambda lib: (slice(None), lib.tensor(-1), [[0], [3]]),
                  lambda lib: (lib.tensor(1, dtype=lib.int8), [2, 0])]


@pytest.mark.parametrize("make", ZERO_D_INDICES, ids=range(len(ZERO_D_INDICES)))
def test_a_0d_integer_tensor_indexes_as_the_int_it_holds(make):
    # torch reads it as an int (a select) beside index tensors too: x[t(1), :, [0, 1]] is
    # (3, 2), where numpy's rule for two index arrays gives (2, 3). Before: (2, 3).
    a = np.arange(24).reshape(2, 3, 4)
    want, got = torch.tensor(a)[make(torch)], fl.tensor(a)[make(fl)]
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    t, f = torch.tensor(a), fl.tensor(a)
    t[make(torch)] = -torch.ones_like(want)
    f[make(fl)] = -fl.ones_like(got)
    np.testing.assert_array_equal(f.numpy(), t.numpy())


def test_a_0d_integer_tensor_index_alone_is_a_view():
    for lib in (torch, fl):
        x = lib.arange(6).reshape(2, 3)
        x[lib.tensor(1)].fill_(0)
        assert x.sum().item() == 3
