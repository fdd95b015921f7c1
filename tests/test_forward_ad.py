"""torch.autograd.forward_ad against real PyTorch.

The same user code runs with `functorch_like` and with `torch` on the same numpy inputs
(the helpers take the module as `torch`), and the tangents (Jacobian-vector products) are
compared. Error cases run under both, so the expected texts are torch's own.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch as real_torch

import functorch_like as ft

RTOL, ATOL = 1e-5, 1e-6


def _np(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def _jvp(torch, fn, primals, tangents):
    """fn's output primal and tangent at `primals` along `tangents` (numpy in, numpy out),
    as the forward-AD tutorial computes them."""
    fwAD = torch.autograd.forward_ad
    with fwAD.dual_level():
        duals = [fwAD.make_dual(torch.tensor(p), torch.tensor(t))
                 for p, t in zip(primals, tangents)]
        p, t = fwAD.unpack_dual(fn(torch, *duals))
        return _np(p), _np(t)


def _check(fn, primals, tangents, rtol=RTOL, atol=ATOL):
    ours = _jvp(ft, fn, primals, tangents)
    ref = _jvp(real_torch, fn, primals, tangents)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# ---- jvp values of ops -------------------------------------------------------------------

OPS = {
    "sin_mul_add": (lambda torch, x: x.sin() * x + 2.0, [(2, 3)]),
    "exp_div": (lambda torch, x: torch.exp(x) / (1.0 + x * x), [(2, 3)]),
    "tanh_pow": (lambda torch, x: torch.tanh(x) ** 3 - x.abs(), [(4,)]),
    "sum_dim": (lambda torch, x: x.sum(1), [(2, 3)]),
    "mean": (lambda torch, x: (x * x).mean(), [(2, 3)]),
    "max_dim": (lambda torch, x: x.max(dim=1).values, [(3, 4)]),
    "norm": (lambda torch, x: torch.linalg.norm(x), [(3, 4)]),
    "softmax": (lambda torch, x: torch.softmax(x, dim=-1), [(2, 5)]),
    "log_softmax": (lambda torch, x: torch.nn.functional.log_softmax(x, dim=0), [(3, 2)]),
    "reshape_index": (lambda torch, x: x.reshape(3, 2)[1:, 0] * x.t()[0, :2], [(2, 3)]),
    "matmul": (lambda torch, a, b: a @ b, [(2, 3), (3, 4)]),
    "bmm_relu": (lambda torch, a, b: torch.relu(torch.bmm(a, b)), [(2, 2, 3), (2, 3, 2)]),
    "where_cat": (lambda torch, a, b: torch.cat([torch.where(a > 0, a, b), b]), [(3,), (3,)]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_tangents_match_torch(name):
    fn, shapes = OPS[name]
    primals = _arrays(*shapes, seed=1)
    tangents = _arrays(*shapes, seed=2)
    _check(fn, primals, tangents)


def test_only_one_input_dual():
    # The other input is held fixed: its tangent is zero.
    x, w, v = _arrays((2, 3), (3, 4), (2, 3))

    def run(torch):
        fwAD = torch.autograd.forward_ad
        with fwAD.dual_level():
            d = fwAD.make_dual(torch.tensor(x), torch.tensor(v))
            return _np(fwAD.unpack_dual(d @ torch.tensor(w)).tangent)

    np.testing.assert_allclose(run(ft), run(real_torch), rtol=RTOL, atol=ATOL)


def test_conv2d_functional():
    x, w, b, vx, vw = _arrays((1, 2, 5, 5), (3, 2, 3, 3), (3,), (1, 2, 5, 5), (3, 2, 3, 3))

    def fn(torch, x, w):
        return torch.nn.functional.conv2d(x, w, torch.tensor(b), padding=1).tanh()

    _check(fn, [x, w], [vx, vw], rtol=1e-4, atol=1e-5)


def test_multi_output_and_integer_outputs():
    x, v = _arrays((3, 4), (3, 4))

    def run(torch):
        fwAD = torch.autograd.forward_ad
        with fwAD.dual_level():
            d = fwAD.make_dual(torch.tensor(x), torch.tensor(v))
            values, indices = d.max(dim=0)
            parts = d.split(2, dim=1)
            return (_np(fwAD.unpack_dual(values).tangent),
                    fwAD.unpack_dual(indices).tangent,
                    fwAD.unpack_dual(d > 0).tangent,
                    _np(fwAD.unpack_dual(parts[1]).tangent))

    ours, ref = run(ft), run(real_torch)
    np.testing.assert_allclose(ours[0], ref[0], rtol=RTOL, atol=ATOL)
    assert ours[1] is None and ref[1] is None        # integer / bool outputs: no tangent
    assert ours[2] is None and ref[2] is None
    np.testing.assert_allclose(ours[3], ref[3], rtol=RTOL, atol=ATOL)


# ---- modules with dual parameters (the tutorial's "Usage with Modules") ----------------

def _mlp_params(torch):
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    arrays = _arrays((4, 3), (4,), (2, 4), (2,), seed=3)
    with torch.no_grad():
        for p, a in zip(model.parameters(), arrays):
            p.copy_(torch.tensor(a))
    tangents = {name: torch.tensor(a) for (name, _), a in
                zip(model.named_parameters(), _arrays((4, 3), (4,), (2, 4), (2,), seed=4))}
    return model, tangents


def _mlp_functional_call(torch):
    fwAD = torch.autograd.forward_ad
    model, tangents = _mlp_params(torch)
    x = torch.tensor(_arrays((5, 3), seed=5)[0])
    with fwAD.dual_level():
        duals = {name: fwAD.make_dual(p, tangents[name])
                 for name, p in model.named_parameters()}
        out = torch.func.functional_call(model, duals, (x,))
        p, t = fwAD.unpack_dual(out)
        return _np(p), _np(t)


def _linear_setattr(torch):
    fwAD = torch.autograd.forward_ad
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(_arrays((2, 3), seed=6)[0]))
        model.bias.copy_(torch.tensor(_arrays((2,), seed=7)[0]))
    params = dict(model.named_parameters())
    tangents = {name: torch.tensor(a) for name, a in
                zip(params, _arrays((2, 3), (2,), seed=8))}
    x = torch.tensor(_arrays((4, 3), seed=9)[0])
    with fwAD.dual_level():
        for name, p in params.items():
            delattr(model, name)
            setattr(model, name, fwAD.make_dual(p, tangents[name]))
        out = model(x)
        return _np(out), _np(fwAD.unpack_dual(out).tangent)


@pytest.mark.parametrize("run", [_mlp_functional_call, _linear_setattr])
def test_module_with_dual_parameters(run):
    for a, b in zip(run(ft), run(real_torch)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


# ---- in-place ops, reverse mode on the primal ------------------------------------------

def test_inplace_ops_carry_tangents():
    x, v = _arrays((2, 3), (2, 3))

    def run(torch):
        fwAD = torch.autograd.forward_ad
        with fwAD.dual_level():
            d = fwAD.make_dual(torch.tensor(x), torch.tensor(v))
            y = torch.zeros(2, 3)
            y.add_(d).mul_(d)                       # tangent flows into a plain tensor
            z = d.clone()
            z.copy_(torch.ones(2, 3))               # overwritten by a constant: zero tangent
            w = torch.zeros(3, 3)
            w[0] = d[1]                             # setitem
            return [_np(fwAD.unpack_dual(t).tangent) for t in (y, z, w)]

    for a, b in zip(run(ft), run(real_torch)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def test_inplace_on_view_of_dual_raises():
    fwAD = ft.autograd.forward_ad
    with fwAD.dual_level():
        d = fwAD.make_dual(ft.ones(2, 3), ft.ones(2, 3))
        with pytest.raises(NotImplementedError, match="in-place op"):
            d[0].mul_(2.0)


def test_reverse_mode_through_dual_ops():
    x, v = _arrays((2, 3), (2, 3))

    def run(torch):
        fwAD = torch.autograd.forward_ad
        leaf = torch.tensor(x, requires_grad=True)
        with fwAD.dual_level():
            d = fwAD.make_dual(leaf, torch.tensor(v))
            out = (d.sin() * d).softmax(-1).sum()
            p, t = fwAD.unpack_dual(out)
        p.backward()
        return _np(p), _np(t), _np(leaf.grad)

    for a, b in zip(run(ft), run(real_torch)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


# ---- levels, unpacking and errors --------------------------------------------------------

def _levels_and_unpacking(torch):
    fwAD = torch.autograd.forward_ad
    x = torch.ones(2)
    with fwAD.dual_level() as level:
        assert level == 0
        unpacked = fwAD.unpack_dual(x)
        assert isinstance(unpacked, fwAD.UnpackedDualTensor)
        assert unpacked.tangent is None and unpacked.primal.shape == x.shape
        d = fwAD.make_dual(x, torch.full((2,), 3.0))
        assert fwAD.unpack_dual(d).tangent.tolist() == [3.0, 3.0]
        assert fwAD.unpack_dual(d.detach()).tangent is None
    # Outside the level: no tangent, and ops do not compute one.
    assert fwAD.unpack_dual(d).tangent is None
    assert fwAD.unpack_dual(d).primal is d
    with fwAD.dual_level():                 # a new level: the old tangents are gone
        assert fwAD.unpack_dual(d).tangent is None


def _enter_exit(torch):
    fwAD = torch.autograd.forward_ad
    assert fwAD.enter_dual_level() == 0
    d = fwAD.make_dual(torch.ones(2), torch.ones(2))
    assert fwAD.unpack_dual(d * 2).tangent.tolist() == [2.0, 2.0]
    fwAD.exit_dual_level()
    assert fwAD.unpack_dual(d).tangent is None


@pytest.mark.parametrize("check", [_levels_and_unpacking, _enter_exit])
def test_levels(check):
    check(real_torch)              # (keeps the expectations honest)
    check(ft)


def _raises(torch, exc, fn):
    with pytest.raises(exc) as info:
        fn()
    return str(info.value)


def _error_texts(torch):
    fwAD = torch.autograd.forward_ad
    x = torch.ones(3)
    texts = [_raises(torch, RuntimeError, lambda: fwAD.make_dual(x, torch.ones(3))),
             _raises(torch, RuntimeError, lambda: fwAD.make_dual(x, torch.ones(3), level=0))]
    assert fwAD.unpack_dual(x, level=0).tangent is None
    with fwAD.dual_level():
        texts.append(_raises(torch, RuntimeError, lambda: fwAD.make_dual(x, torch.ones(4))))
        texts.append(_raises(torch, RuntimeError, lambda: fwAD.make_dual(x, torch.ones(1))))
        texts.append(_raises(torch, ValueError,
                             lambda: fwAD.make_dual(torch.arange(3), torch.ones(3))))
        texts.append(_raises(torch, ValueError,
                             lambda: fwAD.make_dual(x, torch.arange(3))))
        texts.append(_raises(torch, RuntimeError, fwAD.enter_dual_level))

        def nested():
            with fwAD.dual_level():
                pass
        texts.append(_raises(torch, RuntimeError, nested))
        d = fwAD.make_dual(x, torch.ones(3))
        texts.append(_raises(torch, RuntimeError, lambda: fwAD.make_dual(d, torch.ones(3))))
        texts.append(_raises(torch, RuntimeError,
                             lambda: fwAD.make_dual(x, torch.ones(3), level=1)))
        texts.append(_raises(torch, RuntimeError, lambda: fwAD.unpack_dual(d, level=1)))
        texts.append(_raises(torch, RuntimeError,
                             lambda: fwAD.make_dual(x, torch.ones(3), level=-1)))
        texts.append(_raises(torch, RuntimeError, lambda: fwAD.exit_dual_level(level=3)))
    texts.append(_raises(torch, RuntimeError, fwAD.exit_dual_level))
    return texts


def test_error_messages_match_torch():
    assert _error_texts(ft) == _error_texts(real_torch)


def test_tangent_dtype_cast_to_primal():
    # PyTorch parity: torch keeps a float64 tangent on a float32 primal; here it is cast.
    fwAD = ft.autograd.forward_ad
    with fwAD.dual_level():
        d = fwAD.make_dual(ft.ones(2), ft.ones(2, dtype=ft.float64))
        assert fwAD.unpack_dual(d * 2).tangent.dtype == ft.float32


def test_custom_function_on_a_dual_tensor_without_jvp_raises_torchs_error():
    """(it returned tangent None, silently); on a plain tensor inside a level it runs"""
    def run(lib, fw):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        with fw.dual_level():
            plain = fw.unpack_dual(Double.apply(lib.ones(2)))
            assert plain.tangent is None and plain.primal.tolist() == [2.0, 2.0]
            with pytest.raises(NotImplementedError, match="You must implement the jvp "
                                                          "function for custom autograd"):
                Double.apply(fw.make_dual(lib.ones(2), lib.ones(2)))
    run(real_torch, real_torch.autograd.forward_ad)
    run(ft, ft.autograd.forward_ad)
