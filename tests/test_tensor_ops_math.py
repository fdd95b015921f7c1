"""Differential tests against PyTorch: arithmetic, type promotion, comparisons, logic,
elementwise math, clamp, where, matmul (values, dtypes, gradients and errors)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from _tensor_ops_ref import check, check_raises, rand

F32, F64, I32, I64 = np.float32, np.float64, np.int32, np.int64

# ---- binary arithmetic with broadcasting ----------------------------------------------

BINARY = {
    "add": lambda t, x, y: t.add(x, y),
    "add_alpha": lambda t, x, y: t.add(x, y, alpha=2.5),
    "sub": lambda t, x, y: x.sub(y),
    "sub_alpha": lambda t, x, y: t.sub(x, y, alpha=-3),
    "mul": lambda t, x, y: x * y,
    "div": lambda t, x, y: x / y,
    "div_trunc": lambda t, x, y: t.div(x, y, rounding_mode="trunc"),
    "div_floor": lambda t, x, y: t.div(x, y, rounding_mode="floor"),
    "pow": lambda t, x, y: x.abs() ** y,
    "maximum": lambda t, x, y: t.maximum(x, y),
    "minimum": lambda t, x, y: t.minimum(x, y),
    "atan2": lambda t, x, y: t.atan2(x, y),
    "rsub": lambda t, x, y: t.rsub(x, y),
    "lerp": lambda t, x, y: t.lerp(x, y, 0.3),
}
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((1,), (2, 3))]


@pytest.mark.parametrize("name", BINARY)
def test_binary_broadcast(name):
    # Every op broadcasts (3, 4) with (4,); add and div also get the harder shape pairs
    # (test_broadcasting_property draws more).
    for sx, sy in SHAPES[1:2] if name not in ("add", "div") else SHAPES:
        x = rand(*sx, low=0.5, high=2) if name == "pow" else rand(*sx)
        y = rand(*sy, low=0.5, high=2) * np.sign(rand(*sy)).astype(F32)
        check(BINARY[name], x, y)


def test_remainder_fmod_floats_and_ints():
    x, y = rand(3, 4, low=-5, high=5), rand(3, 4, low=0.5, high=2)
    check(lambda t, a, b: (t.remainder(a, b), t.fmod(a, -b), a % -b), x, y)
    xi, yi = rand(3, 4, dtype=I64, low=-9, high=9), rand(4, dtype=I64, low=1, high=4)
    check(lambda t, a, b: (a % b, t.fmod(a, b), a // b, t.remainder(-a, b), a // -b), xi, yi)


def test_integer_division_and_rounding_modes():
    a, b = rand(2, 3, dtype=I64, low=-7, high=7), rand(2, 3, dtype=I64, low=1, high=3)
    check(lambda t, x, y: (x / y, t.div(x, -y, rounding_mode="trunc"),
                           t.div(x, -y, rounding_mode="floor"), t.true_divide(x, 2)), a, b)


def test_pow_variants():
    x = rand(3, 4, low=0.5, high=2)
    check(lambda t, a: (a ** 2, a ** -1, a ** 0.5, 2 ** a, t.pow(a, 3), a.pow(0)), x)
    xi = rand(5, dtype=I64, low=-3, high=4)
    check(lambda t, a: (a ** 2, a ** 0, 2 ** a.abs(), a ** 1.5, a.pow(a.abs())), xi)
    check(lambda t, a: (t.tensor(-2.0) ** a.abs().float(), (-a.float()) ** 3), xi)
    check_raises(lambda t, a: a ** -1, xi)


def test_scalar_and_reflected_operators():
    x = rand(3, 4)
    check(lambda t, a: (a + 1, 1 + a, a - 2, 2 - a, a * 3, 3 * a, a / 4, 4 / a, -a, +a,
                        a + True, abs(a)), x)
    xi = rand(3, dtype=I64, low=1, high=5)
    check(lambda t, a: (a + 1, 10 - a, 3 * a, 7 // a, 7 % a, a / 2, a * 2.5, -a, a + True), xi)


# ---- type promotion --------------------------------------------------------------------

PROMOTION = [
    # (x, y) numpy inputs or Python scalars; the lambda adds/multiplies them.
    ("int tensor + float scalar", rand(3, dtype=I64, low=0, high=5), 2.5),
    ("int tensor + int scalar", rand(3, dtype=I32, low=0, high=5), 7),
    ("int32 + int64", rand(3, dtype=I32, low=0, high=5), rand(3, dtype=I64, low=0, high=5)),
    ("bool + int", rand(3, dtype=np.bool_), rand(3, dtype=I64, low=0, high=5)),
    ("bool + bool scalar", rand(3, dtype=np.bool_), True),
    ("bool + float scalar", rand(3, dtype=np.bool_), 1.5),
    ("bool + int scalar", rand(3, dtype=np.bool_), 3),
    ("float32 + 0-d float64", rand(3), rand(dtype=F64)),
    ("0-d float32 + float64", rand(dtype=F32), rand(3, dtype=F64)),
    ("int tensor + 0-d float64", rand(3, dtype=I64, low=0, high=5), rand(dtype=F64)),
    ("int64 + 0-d int32", rand(3, dtype=I64, low=0, high=5), np.array(3, dtype=I32)),
    ("0-d int64 + 0-d float32", np.array(2, dtype=I64), rand(dtype=F32)),
    ("uint8 + int8", rand(3, dtype=np.uint8, low=0, high=9), rand(3, dtype=np.int8, low=0,
                                                                   high=9)),
    ("float16 + float32 0-d", rand(3, dtype=np.float16), rand(dtype=F32)),
    ("float16 + int64", rand(3, dtype=np.float16), rand(3, dtype=I64, low=0, high=5)),
    ("int8 + float scalar", rand(3, dtype=np.int8, low=0, high=5), 0.5),
    ("0-d bool + int", np.array(True), rand(3, dtype=I32, low=0, high=5)),
    ("float64 + float32", rand(3, dtype=F64), rand(3, dtype=F32)),
]


@pytest.mark.parametrize("x,y", [p[1:] for p in PROMOTION], ids=[p[0] for p in PROMOTION])
def test_type_promotion(x, y):
    """Result dtypes follow PyTorch's category/rank rules (arithmetic and comparison).

    Run with JAX's x64 mode on, so that int32/int64 and float32/float64 are told apart
    (the x64-off default is covered by test_promotion_property)."""
    check(lambda t, a, b: (a + b, a < b), x, y, grad=False, x64=True)


def test_promotion_grads_flow_to_both_dtypes():
    check(lambda t, a, b: a * b + a, rand(3, dtype=F32), rand(dtype=F64))
    check(lambda t, a, b: (a.float() * b).sum(), rand(3, dtype=I64), rand(3))


def test_result_type_of_division_and_unary_float_ops_on_ints():
    xi = rand(2, 3, dtype=I64, low=1, high=5)
    check(lambda t, a: (a / a, a.sqrt(), a.exp(), t.sigmoid(a), a.log(), t.sin(a),
                        a.abs(), a.neg(), a.sign(), a.square()), xi)
    xb = rand(4, dtype=np.bool_)
    check(lambda t, a: (a.float().sqrt(), a + a, a * 2, a.sum(), ~a), xb)


@settings(max_examples=15, deadline=None, database=None)
@given(st.sampled_from([np.bool_, np.uint8, np.int8, np.int32, np.int64, np.float16,
                        np.float32, np.float64]),
       st.sampled_from([np.bool_, np.int32, np.int64, np.float32, np.float64]),
       st.sampled_from([(), (1,), (3,), (2, 3)]),
       st.sampled_from([(), (3,), (2, 1), (1, 3)]),
       st.sampled_from([None, True, 2, -1.5]))
def test_promotion_property(dx, dy, sx, sy, scalar):
    """Random dtype/shape pairs (and a scalar): same broadcast shape, dtype and values."""
    x = rand(*sx, dtype=dx, low=0, high=4)
    y = rand(*sy, dtype=dy, low=1, high=4)
    np_x, np_y = np.array(x), np.array(y)
    if scalar is None:
        fn = lambda t, a, b: a * b
    else:
        fn = lambda t, a, b: t.add(a, b) * scalar if not isinstance(scalar, bool) \
            else t.logical_or(a, b) & scalar
    check(fn, np_x, np_y, grad=False, atol=1e-2, rtol=1e-3)


@settings(max_examples=12, deadline=None, database=None)
@given(st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3),
       st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3))
def test_broadcasting_property(sx, sy):
    """Broadcastable shapes give torch's result and gradients; others raise like torch."""
    x, y = rand(*sx), rand(*sy)
    fn = lambda t, a, b: t.sub(a, b) * b
    try:
        torch.broadcast_shapes(tuple(sx), tuple(sy))
    except RuntimeError:
        check_raises(fn, x, y)
        return
    check(fn, x, y)


def test_elementwise_shape_mismatch_error():
    err_t, err_f = check_raises(lambda t, a, b: a + b, rand(3, 4), rand(5))
    assert "must match the size of tensor b" in str(err_f)
    check_raises(lambda t, a, b: a * b, rand(2, 3), rand(3, 2))
    check_raises(lambda t, a, b: t.maximum(a, b), rand(2), rand(3))
    check_raises(lambda t, a, b: a == b, rand(2), rand(3))
    check_raises(lambda t, a, b: a * b, rand(2, 3, 4), rand(2, 5, 1))
    check_raises(lambda t, a, b: t.logical_and(a, b), rand(3), rand(2))
    check_raises(lambda t, a, b: a & b, rand(3, dtype=I64), rand(2, dtype=I64))
    check_raises(lambda t, a, b: t.clamp(a, b), rand(3), rand(2))
    check_raises(lambda t, a, b: t.lerp(a, b, 0.5), rand(3), rand(2))
    check_raises(lambda t, m, a, b: t.where(m, a, b), rand(3, 2, dtype=np.bool_), rand(3, 1),
                 rand(4))
    check_raises(lambda t, a, b: a.add_(b), rand(3), rand(2, 3))


# ---- comparisons and logic -------------------------------------------------------------

def test_comparisons():
    x = rand(3, 4).round()
    y = rand(4).round()
    check(lambda t, a, b: (a == b, a != b, a < b, a <= b, a > b, a >= b, t.eq(a, 0.),
                           t.gt(a, 1), a.lt(b), t.ge(b, a), t.ne(a, a)), x, y)
    xi = rand(4, dtype=I64, low=0, high=3)
    check(lambda t, a, b: (a == 1, a < 1.5, a >= b, t.equal(a, a), t.equal(a, a + 1),
                           t.isclose(b, b + 1e-9), t.allclose(b, b)), xi, rand(4))


def test_logical_and_bitwise():
    a, b = rand(5, dtype=np.bool_), rand(5, dtype=np.bool_)
    check(lambda t, x, y: (t.logical_and(x, y), t.logical_or(x, y), t.logical_xor(x, y),
                           t.logical_not(x), x & y, x | y, x ^ y, ~x, x & True), a, b)
    i, j = rand(5, dtype=I64, low=-4, high=4), rand(5, dtype=I64, low=0, high=8)
    check(lambda t, x, y: (x & y, x | y, x ^ y, ~x, t.bitwise_and(x, 3), t.logical_and(x, y),
                           t.logical_not(x)), i, j)
    f = rand(5)
    check(lambda t, x, y: (t.logical_and(x, y), t.logical_not(x), t.logical_or(x, y > 0)),
          f, i, grad=False)
    check_raises(lambda t, x: ~x, f)
    check_raises(lambda t, x: x & x, f)


# ---- elementwise math ------------------------------------------------------------------

# Elementwise ops by input domain; each group is one graph (one backward compile), its
# results named so that a failure says which op differs.
UNARY = {
    "any": ((-2.0, 2.0), {
        "exp": lambda t, x: t.exp(x), "exp2": lambda t, x: t.exp2(x),
        "expm1": lambda t, x: x.expm1(), "sin": lambda t, x: x.sin(),
        "cos": lambda t, x: t.cos(x), "atan": lambda t, x: t.atan(x),
        "sinh": lambda t, x: x.sinh(), "cosh": lambda t, x: t.cosh(x),
        "tanh": lambda t, x: x.tanh(), "sigmoid": lambda t, x: x.sigmoid(),
        "erf": lambda t, x: t.erf(x), "neg": lambda t, x: -x, "abs": lambda t, x: t.abs(x),
        "sign": lambda t, x: x.sign(), "floor": lambda t, x: x.floor(),
        "ceil": lambda t, x: t.ceil(x), "trunc": lambda t, x: x.trunc(),
        "frac": lambda t, x: t.frac(x), "square": lambda t, x: x.square(),
        "relu": lambda t, x: t.relu(x), "round": lambda t, x: x.round(),
        "round_decimals": lambda t, x: t.round(x * 10, decimals=1),
        "isnan": lambda t, x: (t.isnan(x), x.isinf(), x.isfinite()),
        "softmax": lambda t, x: x.softmax(-1), "log_softmax": lambda t, x: t.log_softmax(x, 0),
    }),
    "positive": ((0.2, 3.0), {
        "log": lambda t, x: t.log(x), "log2": lambda t, x: x.log2(),
        "log10": lambda t, x: t.log10(x), "log1p": lambda t, x: x.log1p(),
        "sqrt": lambda t, x: x.sqrt(), "rsqrt": lambda t, x: t.rsqrt(x),
        "reciprocal": lambda t, x: x.reciprocal(),
    }),
    "unit": ((-0.9, 0.9), {
        "tan": lambda t, x: x.tan(), "asin": lambda t, x: t.asin(x),
        "acos": lambda t, x: x.acos(),
    }),
}


@pytest.mark.parametrize("domain", UNARY)
def test_unary(domain):
    (low, high), ops = UNARY[domain]
    check(lambda t, x: {name: op(t, x) for name, op in ops.items()}, rand(3, 4, low=low,
                                                                         high=high))


def test_unary_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 2.5, -2.5, 0.5, 1.5], dtype=F32)
    check(lambda t, a: (a.sign(), a.isnan(), a.isinf(), a.isfinite(), a.round(), a.floor(),
                        a.relu(), a.abs(), a.sigmoid(), a.exp(), a.frac()), x, grad=False)


# ---- clamp and where -------------------------------------------------------------------

def test_clamp_values_and_grads_at_bounds():
    x = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0], dtype=F32)
    check(lambda t, a: (a.clamp(-1, 1), t.clamp(a, min=0.0), a.clamp(max=0.5), t.clip(a, -1, 1),
                        a.clamp_min(0.0), a.clamp_max(0.0)), x)
    lo, hi = rand(7, low=-1.5, high=0), rand(7, low=0, high=1.5)
    check(lambda t, a, l, h: (t.clamp(a, l, h), a.clamp(min=l), a.clamp(max=h)), x, lo, hi)
    check(lambda t, a: a.clamp(1, -1), x)          # min > max: everything is max
    xi = np.array([-3, 0, 4], dtype=I64)
    check(lambda t, a: (a.clamp(-1, 2), a.clamp(min=0.5)), xi)
    check_raises(lambda t, a: t.clamp(a), x)


def test_where():
    c = rand(3, 4, dtype=np.bool_)
    check(lambda t, m, a, b: (t.where(m, a, b), t.where(m, a, 0.0), t.where(m, 1.0, b),
                              a.where(m, b)), c, rand(3, 4), rand(4))
    check(lambda t, m, a, b: t.where(m, a, b), c, rand(3, 4, dtype=I64, low=0, high=5),
          rand(1, 4))
    check(lambda t, m, a: t.where(m, a, 2), c, rand(3, 4, dtype=I32, low=0, high=5))
    check(lambda t, m: t.where(m), c)
    check_raises(lambda t, a: t.where(a, a, a), rand(3), match=False)


# ---- matmul ----------------------------------------------------------------------------

MATMUL_SHAPES = [((3, 4), (4, 2)), ((4,), (4,)), ((4,), (4, 2)), ((3, 4), (4,)),
                 ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((4,), (2, 4, 3)),
                 ((2, 1, 3, 4), (5, 4, 2))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb):
    check(lambda t, a, b: a @ b, rand(*sa), rand(*sb))


def test_mm_bmm_dot_outer_addmm():
    a, b, v = rand(3, 4), rand(4, 2), rand(4)
    check(lambda t, x, y, z: (t.mm(x, y), x.matmul(y), t.dot(z, z), t.outer(z, z[:3]),
                              t.addmm(t.ones(3, 2), x, y, beta=0.5, alpha=2)), a, b, v)
    check(lambda t, x, y: t.bmm(x, y), rand(2, 3, 4), rand(2, 4, 5))
    check(lambda t, x, y: x @ y, rand(2, 3, dtype=I64, low=0, high=4),
          rand(3, 2, dtype=I64, low=0, high=4))


MATMUL_ERRORS = [((64, 10), (5, 1)), ((2, 3), (2, 3)), ((3,), (4,)), ((3,), (4, 2)),
                 ((2, 3), (4,)), ((2, 2, 3), (2, 4, 5)), ((2, 3), ())]


@pytest.mark.parametrize("sa,sb", MATMUL_ERRORS)
def test_matmul_errors(sa, sb):
    """Exactly torch's text, e.g. 'mat1 and mat2 shapes cannot be multiplied (64x10 and 5x1)'."""
    check_raises(lambda t, a, b: a @ b, rand(*sa), np.array(rand(*sb)))


def test_mm_bmm_dot_errors():
    check_raises(lambda t, a, b: t.mm(a, b), rand(3), rand(3, 2))
    check_raises(lambda t, a, b: t.bmm(a, b), rand(2, 3), rand(2, 3, 2))
    check_raises(lambda t, a, b: t.bmm(a, b), rand(2, 3, 4), rand(3, 4, 2))
    check_raises(lambda t, a, b: t.dot(a, b), rand(2, 3), rand(3))
    # float @ long: "expected m1 and m2 to have the same dtype, but got: float != long int"
    check_raises(lambda t, a, b: a @ b, rand(2, 3), rand(3, 2, dtype=I64))
    check_raises(lambda t, a, b: a @ b, rand(2, 3, dtype=np.bool_), rand(3, 2))
