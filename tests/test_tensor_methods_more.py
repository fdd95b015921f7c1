"""Differential tests against PyTorch: the Tensor methods and torch functions added to
close the gap with `dir(torch.Tensor)`: shape helpers (unfold, ravel, hsplit, sum_to_size,
diag_embed, ...), predicates, more math (asinh, gcd, shifts, ldexp/frexp, nanmean, inner,
dist, renorm, addr, addbmm, msort, ...) and the in-place variants of existing ops."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

I64 = np.int64


def test_shape_helpers():
    check(lambda t, x, v: (
        x.unfold(1, 2, 1), x.unfold(0, 2, 2), x.unfold(2, 3, 2), v.unfold(0, 1, 1),
        x.ravel(), t.ravel(x[:, 1]), x.split_with_sizes([1, 2], 1),
        t.split_with_sizes(x, [2], 0), x.hsplit(3), t.hsplit(x, [1, 2]), x.vsplit([1]),
        t.vsplit(x, 2), x.dsplit(2), t.dsplit(x, [1, 3]), t.hsplit(x[0, 0], 2),
        x.sum_to_size(1, 3, 1), x.sum_to_size((3, 4)), x.sum_to_size(2, 3, 4),
        x[0].diag_embed(), t.diag_embed(x, 1, 0, 2), x.diag_embed(-2, -1, 1),
        x.diagflat(), t.diagflat(x[0, 0], -1)),
        rand(2, 3, 4), rand())


def test_unfold_writes_reach_the_input_unless_the_windows_overlap():
    """Windows that do not overlap are a view, as in torch; parity note: overlapping ones
    are a copy here (torch's share the input's memory, each element several times)."""
    for lib in (torch, fl):
        x = lib.zeros(4)
        x.unfold(0, 2, 2).fill_(1.0)
        assert x.sum().item() == 4.0
    x = fl.zeros(4)
    x.unfold(0, 2, 1).fill_(1.0)
    assert x.sum().item() == 0.0


def test_ravel_is_a_view():
    check(lambda t, x: (lambda y: (y.ravel().mul_(2), y)[1])(x * 1), rand(2, 3))


def test_predicates():
    x = fl.ones(2, 3)
    t = torch.ones(2, 3)
    assert x.is_same_size(fl.zeros(2, 3)) is t.is_same_size(torch.zeros(2, 3)) is True
    assert x.is_same_size(fl.zeros(3, 2)) is t.is_same_size(torch.zeros(3, 2)) is False
    for name in ("bool", "uint8", "int8", "int32", "int64", "float16", "float32",
                 "complex64"):
        assert fl.ones(1, dtype=getattr(fl, name)).is_signed() is \
            torch.ones(1, dtype=getattr(torch, name)).is_signed(), name
        assert fl.is_floating_point(fl.ones(1, dtype=getattr(fl, name))) is \
            torch.is_floating_point(torch.ones(1, dtype=getattr(torch, name))), name
        assert fl.is_complex(fl.ones(1, dtype=getattr(fl, name))) is \
            torch.is_complex(torch.ones(1, dtype=getattr(torch, name))), name
    for v in ([0.0], [2], [[True]], 0.5):
        assert fl.tensor(v).is_nonzero() is torch.tensor(v).is_nonzero()
        assert fl.is_nonzero(fl.tensor(v)) is torch.is_nonzero(torch.tensor(v))
    assert fl.numel(x) == torch.numel(t) == 6


def test_float_math_and_grads():
    check(lambda t, x, y, m, b1, b2, v: (
        x.asinh(), t.arcsinh(x), (x.abs() + 1).acosh(), t.arccosh(x.abs() + 1),
        (x / 3).atanh(), t.arctanh(x / 3), (x / 3).arcsin(), (x / 3).arccos(),
        x.arctan(), x.arctan2(y), x.ldexp(t.tensor([1, 2, 3, 0])), t.ldexp(x, y),
        x.frexp(), t.frexp(y), t.nanmean(t.where(x > 1, float("nan"), x)),
        x.nanmean(1, keepdim=True), t.nanmean(x, (0,)), x.inner(y), t.inner(x[0], y[0]),
        t.inner(x, v), x.dist(y), t.dist(x, y[0], 1), x.dist(y, float("inf")),
        # (dist's p=0 backward fails in torch when both inputs require grad)
        t.dist(x.detach(), y.detach(), 0), x.dist(x.detach()), x.renorm(2, 0, 1.0),
        t.renorm(x, 1, 1, 2.0),
        m.addr(x[0, :3], y[1], beta=0.5, alpha=2), t.addr(m[0], x[0, :3], y[1]),
        y.addbmm(b1, b2, alpha=0.5), t.addbmm(y[0], b1, b2, beta=0),
        x.msort(), t.msort(y), x.greater(y), x.less(y), x.greater_equal(y),
        x.less_equal(y), x.not_equal(x), x.fix()),
        rand(3, 4), rand(3, 4), rand(3, 4), rand(2, 3, 5), rand(2, 5, 4), rand())


def test_integer_math():
    a = rand(6, dtype=I64, low=-12, high=12)
    b = rand(6, dtype=I64, low=-12, high=12)
    s = rand(6, dtype=I64, low=0, high=5)
    check(lambda t, a, b, s: (
        a.gcd(b), t.gcd(a, b), a.lcm(b), t.lcm(a, b), a.bitwise_left_shift(s),
        t.bitwise_right_shift(a, s), a << s, a >> 1, 3 << s, 64 >> s,
        t.bitwise_left_shift(a, 2), a.isposinf(), t.isneginf(a), t.isreal(a),
        t.ldexp(a, s), a.msort()),
        a, b, s)


def test_special_values():
    x = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.5], np.float32)
    check(lambda t, x: (x.isposinf(), t.isneginf(x), x.isreal(), t.frexp(x),
                        x.nextafter(t.ones(6)), t.nextafter(x, -x)), x, grad=False)
    check(lambda t, z: (z.isreal(), t.isreal(z * 1j)), np.array([1 + 0j, 1j], np.complex64),
          grad=False)


# ---- generated in-place variants --------------------------------------------------------

UNARY_INPLACE = ("absolute_ negative_ fix_ frac_ acos_ arccos_ asin_ arcsin_ atan_ arctan_ "
                 "asinh_ arcsinh_ acosh_ arccosh_ atanh_ arctanh_ cosh_ sinh_ tan_ erf_ exp2_ "
                 "expm1_ log2_ log10_").split()
BINARY_INPLACE = ("atan2_ arctan2_ eq_ ne_ lt_ le_ gt_ ge_ greater_ less_ greater_equal_ "
                  "less_equal_ not_equal_ ldexp_").split()
# torch leaves these out of the graph (self keeps its old grad_fn): compared without grads.
LOGICAL_INPLACE = "logical_and_ logical_or_ logical_xor_".split()


def _apply_inplace(t, x, y):
    outs = []
    for name in UNARY_INPLACE:         # inputs inside each function's domain
        z = x.abs() + 1 if "cosh" in name else x.abs() + 0.1 if "log" in name else x / 3
        # torch has no derivative for the in-place inverse hyperbolics (asinh_, ...)
        z = z.detach() if name.startswith("a") and name.endswith("h_") else z
        outs.append(getattr(z, name)())
    for name in BINARY_INPLACE:
        z = x * 1
        outs.append(getattr(z, name)(y))
    z = x * 1
    outs += [z.cumsum_(1), (x * 1).cumprod_(0), (x * 1).renorm_(2, 1, 0.5),
             x[0, :3].outer(y[1]).addr_(x[1, :3], y[2]),
             (x[:2, :2] * 1).addbmm_(x[None, :2], y.T[None, :, :2]),
             (x * 1).swapaxes_(0, 1), (x * 1).swapdims_(1, 0)]
    return outs


def test_inplace_variants_values_dtypes_and_grads():
    """Computed out of place and written back: values, self's dtype (1/0 for the
    comparisons), and gradients through the float ones."""
    check(_apply_inplace, rand(3, 4), rand(3, 4))


def test_logical_inplace_on_floats():
    check(lambda t, x, y: [getattr(x.clone(), n)(y > 0) for n in LOGICAL_INPLACE],
          rand(3, 4), rand(3, 4), grad=False)


def test_integer_inplace_variants_keep_dtype():
    a = rand(5, dtype=I64, low=-9, high=9)
    b = rand(5, dtype=I64, low=0, high=4)

    def fn(t, a, b):
        outs = [getattr(a.clone(), n)(b) for n in (
            "eq_", "lt_", "ge_", "logical_and_", "logical_xor_", "bitwise_and_", "bitwise_or_",
            "bitwise_xor_", "gcd_", "lcm_", "bitwise_left_shift_", "bitwise_right_shift_",
            "__ilshift__", "__irshift__")]
        return outs + [a.clone().bitwise_not_(), a.clone().cumsum_(0),
                       a.clone().negative_(), a.clone().absolute_()]
    check(fn, a, b)


def test_float_power_inplace(x64):
    check(lambda t, x: x.clone().float_power_(2), rand(3).astype(np.float64), x64=True)
    check_raises(lambda t, x: x.clone().float_power_(2), rand(3))


ERRORS = {
    "unfold_size": lambda t, x: x.unfold(1, 5, 1),
    "unfold_step": lambda t, x: x.unfold(1, 2, 0),
    "unfold_negative": lambda t, x: x.unfold(1, -1, 1),
    "unfold_0d": lambda t, x: x.sum().unfold(0, 2, 1),
    "sum_to_size": lambda t, x: x.sum_to_size(2, 4),
    "hsplit_divisible": lambda t, x: t.hsplit(x, 3),
    "vsplit_divisible": lambda t, x: x.vsplit(2),
    "dsplit_dims": lambda t, x: t.dsplit(x, 2),
    "hsplit_0d": lambda t, x: t.hsplit(x.sum(), 2),
    "split_with_sizes": lambda t, x: x.split_with_sizes([1, 2], 1),
    "diag_embed_dims": lambda t, x: x.diag_embed(0, 0, 0),
    "is_nonzero_empty": lambda t, x: x[:0].is_nonzero(),
    "is_nonzero_many": lambda t, x: x.is_nonzero(),
    "gcd_float": lambda t, x: t.gcd(x, x),
    "lshift_float": lambda t, x: x << 1,
    "rshift_float": lambda t, x: x.bitwise_right_shift(1),
    "frexp_int": lambda t, x: t.frexp(x.long()),
    "nextafter_int": lambda t, x: t.nextafter(x.long(), x.long()),
    "nanmean_int": lambda t, x: t.nanmean(x.long()),
    "inner_shapes": lambda t, x: t.inner(x, t.ones(3)),
    "dist_int": lambda t, x: t.dist(x.long(), x.long()),
    "dist_shapes": lambda t, x: x.dist(t.ones(2)),
    "renorm_1d": lambda t, x: x[0].renorm(2, 0, 1.0),
    "renorm_maxnorm": lambda t, x: x.renorm(2, 0, -1.0),
    "renorm_p": lambda t, x: x.renorm(-1, 0, 1.0),
    "addr_vec": lambda t, x: t.addr(x, t.ones(3, 1), t.ones(4)),
    "addr_input": lambda t, x: t.addr(x, t.ones(3), t.ones(5)),
    "select_0d": lambda t, x: x.sum().select(0, 0),
    "inplace_cast": lambda t, x: x.long().sinh_(),
    "bitwise_inplace_float": lambda t, x: x.bitwise_and_(x.long()),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    check_raises(ERRORS[name], rand(3, 4))


def test_missing_names_are_now_there():
    wanted = ("unfold ravel split_with_sizes hsplit vsplit dsplit sum_to_size diag_embed "
              "diagflat is_same_size is_signed is_nonzero asinh acosh atanh arcsinh arccosh "
              "arctanh arcsin arccos arctan arctan2 gcd lcm bitwise_left_shift "
              "bitwise_right_shift ldexp frexp nextafter isposinf isneginf isreal nanmean "
              "inner dist renorm addr addbmm msort greater less greater_equal less_equal "
              "not_equal fix fill_diagonal_ float_power_ __lshift__ __rshift__ __rlshift__ "
              "__rrshift__ __ilshift__ __irshift__").split()
    wanted += UNARY_INPLACE + BINARY_INPLACE + LOGICAL_INPLACE
    assert [n for n in wanted if not hasattr(fl.Tensor, n)] == []
    functions = [n for n in wanted if hasattr(torch, n) and n[0] != "_" and n[-1] != "_"]
    functions += ["is_floating_point", "is_complex", "numel"]
    assert [n for n in functions if not callable(getattr(fl, n, None))] == []


def test_broadcast_to_method_takes_sizes_as_arguments():
    """`x.broadcast_to(2, 3)`, as torch's method (the function takes one size)."""
    check(lambda t, x: (x.broadcast_to(2, 3), x.broadcast_to((2, 3)),
                        x.broadcast_to(size=(2, 3)), x.broadcast_to(t.Size([4, 2, 3])),
                        t.broadcast_to(x, [2, 3])), rand(2, 1))
    check_raises(lambda t, x: t.broadcast_to(x, 2, 3), rand(2, 1))


def test_trace_as_torch():
    """One TraceBackward0 node; a matrix only (before: a 1-d input raised IndexError and
    a 3-d one summed a diagonal); integers sum as int64; bool refused."""
    check(lambda t, x, i, u: (t.trace(x), x[:, :2].trace(), t.trace(i), t.trace(u),
                              t.trace(x[:0])), rand(3, 4), rand(2, 3, dtype=I64),
          np.ones((2, 2), np.uint8))
    for shape in [(3,), (2, 3, 4)]:
        check_raises(lambda t, x: t.trace(x), rand(*shape))
    check_raises(lambda t, x: x.trace(), np.ones((2, 2), bool))
    x = fl.ones(2, 2, requires_grad=True)
    assert type(x.trace().grad_fn).__name__ == "TraceBackward0"
