"""Differential tests against PyTorch: elementwise ops on dtypes torch's CPU kernels lack
(bool, integer, complex inputs), their in-place and method forms, nn.functional's
activations, scalar arguments where torch's parser wants a Tensor, add/sub's alpha, and
cumprod's gradient where a slice holds a zero and an inf."""

import numpy as np
import pytest
import torch

import functorch_like as ft

DATA = {"b": [True, False], "i": [1, -2], "f": [1.5, -2.5], "c": [1 + 1j, 2 - 1j]}


def outcome(lib, fn):
    """('ok', numpy value, dtype name) or ('error', type name, message) of fn(lib)."""
    try:
        out = fn(lib)
    except Exception as e:  # noqa: BLE001  (the exception is what is compared)
        return ("error", type(e).__name__, str(e))
    return ("ok", np.asarray(out.detach().numpy()), str(out.dtype))


def assert_same(fn, atol=1e-6):
    ours, ref = outcome(ft, fn), outcome(torch, fn)
    if ref[0] == "error" or ours[0] == "error":
        assert ours == ref
        return
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-5, atol=atol)
    assert ours[2] == ref[2]


def tensor(lib, kind):
    return lib.tensor(DATA[kind])


UNARY = """abs absolute ceil floor trunc fix round frac relu sign sgn neg sqrt exp
    bitwise_not erf erfc erfinv i0 lgamma digamma logit deg2rad rad2deg signbit isposinf
    isneginf""".split()
INPLACE = """abs absolute ceil floor trunc fix round frac relu sign neg bitwise_not erf
    erfinv i0 lgamma digamma logit deg2rad rad2deg""".split()


@pytest.mark.parametrize("kind", "bicf")
@pytest.mark.parametrize("name", UNARY)
def test_unary_function_and_method(name, kind):
    assert_same(lambda lib: getattr(lib, name)(tensor(lib, kind)))
    assert_same(lambda lib: getattr(tensor(lib, kind), name)())


@pytest.mark.parametrize("kind", "bicf")
@pytest.mark.parametrize("name", INPLACE)
def test_unary_inplace(name, kind):
    assert_same(lambda lib: getattr(tensor(lib, kind), name + "_")())


@pytest.mark.parametrize("name", ["abs_", "ceil_", "frac_", "round_", "relu_", "trunc_"])
def test_torch_inplace_functions(name):
    for kind in "bic":
        assert_same(lambda lib: getattr(lib, name)(tensor(lib, kind)))


@pytest.mark.parametrize("kind", "bicf")
@pytest.mark.parametrize("decimals", [0, 1])
def test_round_decimals(kind, decimals):
    # passing decimals, even 0, is torch's other overload (kernels and grad_fn)
    assert_same(lambda lib: lib.round(tensor(lib, kind), decimals=decimals))
    assert_same(lambda lib: tensor(lib, kind).round_(decimals=decimals))
    x = ft.tensor([1.25], requires_grad=True)
    assert type(ft.round(x, decimals=decimals).grad_fn).__name__ == type(
        torch.round(torch.tensor([1.25], requires_grad=True), decimals=decimals)
        .grad_fn).__name__


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16"])
def test_frac_on_narrow_ints(dtype):
    assert_same(lambda lib: lib.frac(lib.tensor([1, 2], dtype=getattr(lib, dtype))))


CLAMPS = {
    "clamp_scalar": lambda lib, x: x.clamp(False, True),
    "clamp_": lambda lib, x: x.clamp_(False, True),
    "clamp_max_kw": lambda lib, x: lib.clamp(x, max=True),
    "clamp_min": lambda lib, x: x.clamp_min(True),
    "clamp_min_": lambda lib, x: x.clamp_min_(True),
    "clamp_max_": lambda lib, x: x.clamp_max_(True),
    "torch.clamp_min_": lambda lib, x: lib.clamp_min_(x, True),
    "clamp_tensors": lambda lib, x: x.clamp(x, x),
    "clamp_one_tensor": lambda lib, x: x.clamp(x),
    "clamp_int_bounds": lambda lib, x: x.clamp(0, 1),
    "clamp_float_bound": lambda lib, x: x.clamp(0.5),
    "clamp_min_float_": lambda lib, x: x.clamp_min_(0.5),
}


@pytest.mark.parametrize("name", CLAMPS)
def test_clamp_on_bool(name):
    assert_same(lambda lib: CLAMPS[name](lib, tensor(lib, "b")))


ACTIVATIONS = """relu relu6 hardtanh leaky_relu elu selu celu silu gelu mish softplus
    sigmoid tanh logsigmoid hardsigmoid hardswish softsign tanhshrink softshrink
    hardshrink""".split()


@pytest.mark.parametrize("kind", "bic")
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_functional_activations(name, kind):
    assert_same(lambda lib: getattr(lib.nn.functional, name)(tensor(lib, kind)))


@pytest.mark.parametrize("kind", "bi")
def test_relu_forms(kind):
    assert_same(lambda lib: lib.nn.functional.relu(tensor(lib, kind), inplace=True))
    assert_same(lambda lib: lib.nn.functional.relu_(tensor(lib, kind)))
    assert_same(lambda lib: lib.nn.ReLU()(tensor(lib, kind)))
    assert_same(lambda lib: lib.nn.functional.threshold(tensor(lib, kind), 0.5, 2))
    assert_same(lambda lib: lib.nn.functional.hardtanh(tensor(lib, kind), -0.5, 0.5))


def test_invert_operator_and_bitwise_not():
    for kind in "fc":
        assert_same(lambda lib: ~tensor(lib, kind))
        assert_same(lambda lib: lib.bitwise_not(tensor(lib, kind)))


LDEXP = {
    "f_b": lambda lib: lib.ldexp(tensor(lib, "f"), tensor(lib, "b")),
    "f_b_": lambda lib: tensor(lib, "f").ldexp_(tensor(lib, "b")),
    "f16_b": lambda lib: lib.ldexp(tensor(lib, "f").half(), tensor(lib, "b")),
    "b_b": lambda lib: lib.ldexp(tensor(lib, "b"), tensor(lib, "b")),
    "i_b": lambda lib: lib.ldexp(tensor(lib, "i"), tensor(lib, "b")),
    "c_b": lambda lib: lib.ldexp(tensor(lib, "c"), tensor(lib, "b")),
    "f_i": lambda lib: lib.ldexp(tensor(lib, "f"), tensor(lib, "i")),
    "f_b3": lambda lib: lib.ldexp(tensor(lib, "f"), lib.tensor([True, False, True])),
}


@pytest.mark.parametrize("name", LDEXP)
def test_ldexp_bool_exponent(name):
    assert_same(LDEXP[name])


LERP = {
    "i_scalar": lambda lib: lib.lerp(tensor(lib, "i"), tensor(lib, "i"), 0.5),
    "i_scalar_": lambda lib: tensor(lib, "i").lerp_(tensor(lib, "i"), 0.5),
    "i_tensor": lambda lib: lib.lerp(tensor(lib, "i"), tensor(lib, "i"), tensor(lib, "i")),
    "i_tensor_": lambda lib: tensor(lib, "i").lerp_(tensor(lib, "i"), tensor(lib, "i")),
    "b": lambda lib: lib.lerp(tensor(lib, "b"), tensor(lib, "b"), 0.5),
    "f_end_i": lambda lib: lib.lerp(tensor(lib, "f"), tensor(lib, "i"), 0.5),
    "i_end_f": lambda lib: lib.lerp(tensor(lib, "i"), tensor(lib, "f"), 0.5),
    "f_end_c": lambda lib: lib.lerp(tensor(lib, "f"), tensor(lib, "c"), 0.5),
    "f_weight_i": lambda lib: lib.lerp(tensor(lib, "f"), tensor(lib, "f"), tensor(lib, "i")),
    "f_complex_weight": lambda lib: lib.lerp(tensor(lib, "f"), tensor(lib, "f"), 0.5j),
    "i_broadcast": lambda lib: lib.lerp(tensor(lib, "i"), lib.tensor([1, 2, 3]), 0.5),
    "f": lambda lib: lib.lerp(tensor(lib, "f"), tensor(lib, "f") * 2, 0.3),
    "c": lambda lib: lib.lerp(tensor(lib, "c"), tensor(lib, "c"), 0.5),
}


@pytest.mark.parametrize("name", LERP)
def test_lerp_dtypes(name):
    assert_same(LERP[name])


def test_heaviside_complex():
    for a, b in ("cc", "fc", "cf"):
        assert_same(lambda lib: lib.heaviside(tensor(lib, a), tensor(lib, b)))


def test_abs_inplace_complex():
    assert_same(lambda lib: tensor(lib, "c").abs_())
    assert_same(lambda lib: lib.abs_(tensor(lib, "c")))
    assert_same(lambda lib: tensor(lib, "c").absolute_())


@pytest.mark.parametrize("n", [0, 1, 2])
def test_polygamma_complex(n):
    assert_same(lambda lib: lib.polygamma(n, tensor(lib, "c")))


def test_lgamma_exact_at_one_and_two():
    # (torch's values there are exactly 0: no absolute tolerance)
    assert_same(lambda lib: lib.lgamma(lib.tensor([1.0, 2.0, 3.0, 0.5])), atol=0)
    for kind in "bi":
        assert_same(lambda lib: lib.lgamma(tensor(lib, kind)), atol=0)


# ---- scalar arguments where torch's parser wants a Tensor --------------------------------

SCALAR_ARGS = {
    "lerp(t, 2)": lambda lib, t: lib.lerp(t, 2),
    "lerp(t, 2, 0.5)": lambda lib, t: lib.lerp(t, 2, 0.5),
    "lerp(2, t, 0.5)": lambda lib, t: lib.lerp(2, t, 0.5),
    "lerp(t, t, None)": lambda lib, t: lib.lerp(t, t, None),
    "lerp kw": lambda lib, t: lib.lerp(t, end=2, weight=0.5),
    "lerp all kw": lambda lib, t: lib.lerp(input=t, end=2, weight=0.5),
    "t.lerp(2)": lambda lib, t: t.lerp(2),
    "t.lerp(2, 0.5)": lambda lib, t: t.lerp(2, 0.5),
    "t.lerp_(2, 0.5)": lambda lib, t: t.lerp_(2, 0.5),
    "t.lerp(t, None)": lambda lib, t: t.lerp(t, None),
    "t.lerp(2j, t)": lambda lib, t: t.lerp(2j, t),
    "t.lerp(t, w=1)": lambda lib, t: t.lerp(t, w=1),
    "t.lerp(end=2, weight=0.5)": lambda lib, t: t.lerp(end=2, weight=0.5),
    "t.lerp(t, True)": lambda lib, t: t.lerp(t, True),
    "bucketize(t, 2)": lambda lib, t: lib.bucketize(t, 2),
    "bucketize(t, boundaries=2)": lambda lib, t: lib.bucketize(t, boundaries=2),
    "bucketize(t, 2, right=True)": lambda lib, t: lib.bucketize(t, 2, right=True),
    "bucketize(t, [1, 2])": lambda lib, t: lib.bucketize(t, [1, 2]),
    "bucketize(2, t)": lambda lib, t: lib.bucketize(2, t),
    "searchsorted(2, t)": lambda lib, t: lib.searchsorted(2, t),
    "searchsorted(t, 'a')": lambda lib, t: lib.searchsorted(t, "a"),
    "searchsorted kw": lambda lib, t: lib.searchsorted(sorted_sequence=2, input=t),
    "searchsorted(t, 2)": lambda lib, t: lib.searchsorted(t, 2),
    "rsub(2, t)": lambda lib, t: lib.rsub(2, t),
    "rsub(2, t, alpha=2)": lambda lib, t: lib.rsub(2, t, alpha=2),
    "rsub(2, t, 3)": lambda lib, t: lib.rsub(2, t, 3),
    "rsub(t, t, 2)": lambda lib, t: lib.rsub(t, t, 2),
    "rsub(t, 2, 3)": lambda lib, t: lib.rsub(t, 2, 3),
    "rsub(t, 2)": lambda lib, t: lib.rsub(t, 2),
    "heaviside(2, t)": lambda lib, t: lib.heaviside(2, t),
    "t.heaviside_(2)": lambda lib, t: t.heaviside_(2),
    "eq kw": lambda lib, t: lib.eq(input=2, other=t),
}


@pytest.mark.parametrize("name", SCALAR_ARGS)
def test_scalar_where_tensor_is_due(name):
    assert_same(lambda lib: SCALAR_ARGS[name](lib, lib.tensor([1.5, 2.5])))


ALPHA = {
    "f_f_complex": lambda lib, f, i, b: lib.add(f, f, alpha=2j),
    "i_i_float": lambda lib, f, i, b: lib.add(i, i, alpha=0.5),
    "i_scalar_float": lambda lib, f, i, b: lib.add(i, 2, alpha=0.5),
    "i_f_float": lambda lib, f, i, b: lib.add(i, f, alpha=0.5),
    "b_b_int": lambda lib, f, i, b: lib.add(b, b, alpha=2),
    "b_b_bool": lambda lib, f, i, b: lib.add(b, b, alpha=True),
    "i_i_bool": lambda lib, f, i, b: lib.add(i, i, alpha=True),
    "sub_i_float": lambda lib, f, i, b: lib.sub(i, i, alpha=0.5),
    "rsub_f_complex": lambda lib, f, i, b: lib.rsub(f, f, alpha=2j),
    "rsub_i_float": lambda lib, f, i, b: lib.rsub(i, 2, 0.5),
    "add__complex": lambda lib, f, i, b: f.add_(f, alpha=2j),
    "sub__float": lambda lib, f, i, b: i.sub_(i, alpha=0.5),
    "f_f_float": lambda lib, f, i, b: lib.add(f, f, alpha=1.5),
}


@pytest.mark.parametrize("name", ALPHA)
def test_alpha_check(name):
    assert_same(lambda lib: ALPHA[name](lib, tensor(lib, "f"), tensor(lib, "i"),
                                        tensor(lib, "b")))


# ---- cumprod's gradient ----------------------------------------------------------------

INF, NAN = float("inf"), float("nan")
CUMPROD = [[0.0, INF, 3.0], [2.0, 0.0, 3.0, 4.0], [INF, 0.0, 2.0], [1.0, 2.0, 3.0],
           [1.0, INF, 3.0], [0.0, 0.0, 2.0], [2.0, 0.0, 3.0, 0.0, 5.0],
           [3.0, 0.0, INF, 2.0], [0.0, 2.0, NAN], [-1.0, 0.0, 2.0, INF]]


def _cumprod_grad(lib, values, dim=0):
    x = lib.tensor(values, requires_grad=True)
    y = lib.cumprod(x, dim)
    y.backward(lib.arange(1.0, y.numel() + 1).reshape(y.shape))
    return x.grad.numpy()


@pytest.mark.parametrize("values", CUMPROD, ids=str)
def test_cumprod_grad_zero_and_inf(values):
    np.testing.assert_allclose(_cumprod_grad(ft, values), _cumprod_grad(torch, values))


@pytest.mark.parametrize("dim", [0, 1])
def test_cumprod_grad_batched(dim):
    values = [[0.0, INF, 3.0], [1.0, 2.0, 3.0], [4.0, 0.0, 0.5]]
    np.testing.assert_allclose(_cumprod_grad(ft, values, dim),
                               _cumprod_grad(torch, values, dim))
