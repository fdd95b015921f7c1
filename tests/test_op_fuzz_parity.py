"""Cases found by randomized parity fuzzing of tensor ops (type promotion, reductions, shape
ops) against real PyTorch, each reduced to a minimal case, plus small seeded sweeps of the
family: the same call in torch and here on the same inputs, comparing dtype, shape, values,
gradients of float inputs, and, where torch raises, the exception type and message."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _tensor_ops_ref import assert_same

import functorch_like as fl


def _outcome(lib, fn, arrays, grad):
    ins = []
    for a in arrays:
        t = torch.from_numpy(np.array(a)) if lib is torch else fl.tensor(np.array(a))
        ins.append(t.requires_grad_(True) if grad and a.dtype.kind == "f" else t)
    try:
        return ins, fn(lib, *ins), None
    except Exception as e:                   # noqa: BLE001 (the type is what we compare)
        return ins, None, e


def same(fn, *arrays, grad=True):
    """`fn(lib, *tensors)` gives torch's result (values, dtype, shape and the gradient of a
    weighted sum) or raises torch's exception type and message."""
    t_in, t_out, t_err = _outcome(torch, fn, arrays, grad)
    f_in, f_out, f_err = _outcome(fl, fn, arrays, grad)
    if t_err is not None or f_err is not None:
        assert t_err is not None, f"torch did not raise; ours: {f_err!r}"
        assert isinstance(f_err, type(t_err)), f"{f_err!r} is not a {type(t_err).__name__}"
        assert str(f_err) == str(t_err), f"{f_err}\n!=\n{t_err}"
        return
    assert_same(t_out, f_out)
    outs = [(a, b) for a, b in zip(_flat(t_out), _flat(f_out)) if a.requires_grad]
    if not outs:
        return
    w = [np.random.default_rng(0).standard_normal(tuple(a.shape)).astype(np.float32)
         for a, _ in outs]
    t_leaves = [t for t in t_in if t.requires_grad]
    f_leaves = [t for t in f_in if t.requires_grad]
    t_g = torch.autograd.grad(sum((a * torch.from_numpy(c)).sum() for (a, _), c in
                                  zip(outs, w)), t_leaves, allow_unused=True)
    f_g = fl.autograd.grad(sum((b * fl.tensor(c)).sum() for (_, b), c in zip(outs, w)),
                           f_leaves, allow_unused=True)
    for a, b, leaf in zip(t_g, f_g, t_leaves):
        want = np.zeros(leaf.shape) if a is None else a.numpy()
        have = np.zeros(leaf.shape) if b is None else b.numpy()
        np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-6)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out] if isinstance(out, torch.Tensor | fl.Tensor) else []


# ---- type promotion -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int8, np.int32])
def test_int_pow_negative_tensor_exponent(dtype):
    # torch: 1 ** -n == 1, (-1) ** -n == +-1, else 0 (JAX gave garbage such as 57).
    base = np.array([-4, -3, -1, 0, 1, 2, 5], dtype)
    same(lambda t, x, p: t.pow(x, p), base, np.array(-2, np.int64))
    same(lambda t, x, p: x ** p, base, np.array([-1, -3, 0, 2, -5, -2, 1], np.int64))
    same(lambda t, p: 2 ** p, np.array([-1, 0, 3], np.int64))
    same(lambda t, p: (-1) ** p, np.array([-1, -2, -3], np.int64))


def test_int_pow_sweep():
    rng = np.random.default_rng(1)
    for _ in range(40):
        base = rng.integers(-3, 4, (3,)).astype([np.int8, np.int32, np.int64][rng.integers(3)])
        exp = rng.integers(-3, 4, [(), (3,)][rng.integers(2)]).astype(np.int64)
        same(lambda t, x, p: x ** p, base, exp)


# ---- reductions -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize("dim", [(-2,), (0, 1), (1, 0), (0, -2), 1, (), (0,), -1])
def test_amax_amin_over_empty_dims(name, dim):
    same(lambda t, x: getattr(t, name)(x, dim), np.zeros((2, 0, 3), np.float32))


@pytest.mark.parametrize("shape, dim", [((2, 0, 3), 1), ((2, 0, 3), 0), ((0,), None),
                                        ((0, 3), -2), ((2, 0), None)])
def test_aminmax_and_mode_over_empty_dims(shape, dim):
    x = np.zeros(shape, np.float32)
    same(lambda t, x: t.aminmax(x) if dim is None else t.aminmax(x, dim=dim), x)
    if dim is not None:
        same(lambda t, x: t.mode(x, dim), x)


def test_all_any_keep_uint8():
    x = np.array([[2, 3, 0], [1, 1, 1]], np.uint8)
    for name in ("all", "any"):
        same(lambda t, x: getattr(x, name)(), x)
        same(lambda t, x: getattr(t, name)(x, 1, keepdim=True), x)
        same(lambda t, x: getattr(t, name)(x, (0,)), x)


def test_reduction_sweep():
    rng = np.random.default_rng(2)
    shapes = [(4,), (2, 3), (0,), (2, 0), (0, 3), (3, 1, 2)]
    names = ["amax", "amin", "all", "any", "sum", "mean", "logsumexp", "count_nonzero"]
    for _ in range(80):
        shape = shapes[rng.integers(len(shapes))]
        x = (rng.integers(-2, 3, shape) * 0.5).astype(
            [np.float32, np.int32, np.uint8, np.bool_][rng.integers(4)])
        name = names[rng.integers(len(names))]
        nd = len(shape)
        dim = tuple(int(d) for d in rng.permutation(nd)[:rng.integers(1, nd + 1)])
        if rng.random() < 0.5:
            dim = dim[0] - nd * int(rng.integers(2))
        keep = bool(rng.random() < 0.5)
        if name == "count_nonzero":
            same(lambda t, x: t.count_nonzero(x, dim), x)
        else:
            same(lambda t, x: getattr(t, name)(x, dim, keepdim=keep), x)
        if name in ("amax", "amin") or rng.random() < 0.3:
            same(lambda t, x: t.aminmax(x, dim=dim if isinstance(dim, int) else dim[0]), x)
            same(lambda t, x: t.mode(x, dim if isinstance(dim, int) else dim[0]), x)


# ---- shape ops ------------------------------------------------------------------------

_SHAPE_CASES = [
    ("narrow length < 0", lambda t, x: x.narrow(-1, -3, -1), (3,)),
    ("narrow 0-d", lambda t, x: x.narrow(0, 0, 1), ()),
    ("narrow start out of range", lambda t, x: x.narrow(0, 4, 0), (3,)),
    ("narrow start below range", lambda t, x: x.narrow(0, -4, 0), (3,)),
    ("roll shifts/dims", lambda t, x: t.roll(x, (1,), (0, 1)), (2, 3)),
    ("roll 0-d dim", lambda t, x: t.roll(x, 3, -1), ()),
    ("movedim counts", lambda t, x: t.movedim(x, (), (0,)), (3,)),
    ("movedim repeated source", lambda t, x: t.movedim(x, (0, 0), (0, 1)), (3, 2)),
    ("movedim repeated destination", lambda t, x: t.movedim(x, (0, 1), (1, 1)), (3, 2)),
    ("movedim repeated as given", lambda t, x: t.movedim(x, (0, -2), (0, 1)), (3, 2)),
    ("movedim range before repeats", lambda t, x: t.movedim(x, (0, 5), (0, 1)), (3, 2)),
    ("movedim 0-d", lambda t, x: t.movedim(x, 0, -1), ()),
    ("transpose 0-d", lambda t, x: x.transpose(0, 1), ()),
    ("swapaxes 0-d", lambda t, x: t.swapaxes(x, -2, 0), ()),
    ("transpose 0-d ok", lambda t, x: x.transpose(0, -1), ()),
    ("flatten 0-d", lambda t, x: t.flatten(x, 1, 1), ()),
    ("flip repeated", lambda t, x: t.flip(x, (0, -2)), (2, 3)),
    ("diagonal identical", lambda t, x: t.diagonal(x, 2, 1, -2), (2, 2, 3)),
    ("diag 3-D", lambda t, x: t.diag(x), (2, 2, 3)),
    ("diag 0-d", lambda t, x: t.diag(x), ()),
    ("expand names last dim", lambda t, x: x.expand(2, 3, 2), (2, 3)),
    ("cat 0-d", lambda t, x: t.cat([x, x.sum()], 1), (2, 3)),
    ("cat 0-d first", lambda t, x: t.cat([x.sum(), x]), (1,)),
    ("cat 0-d bad dim", lambda t, x: t.cat([x, x.sum()], -4), (2, 0, 3)),
    ("hstack 0-d", lambda t, x: t.hstack([x.sum(), x]), (2,)),
    ("hstack 0-d last", lambda t, x: t.hstack([x, x.sum()]), (2,)),
    ("vstack 0-d", lambda t, x: t.vstack([x, x.sum()]), (3,)),
    ("vstack 0-d ok", lambda t, x: t.vstack([x, x.sum()]), (1,)),
]


@pytest.mark.parametrize("fn, shape", [c[1:] for c in _SHAPE_CASES],
                         ids=[c[0] for c in _SHAPE_CASES])
def test_shape_op_case(fn, shape):
    same(fn, np.arange(np.prod(shape), dtype=np.float32).reshape(shape))


def test_shape_op_sweep():
    rng = np.random.default_rng(3)
    shapes = [(3,), (2, 3), (3, 1, 2), (0, 2), ()]
    for _ in range(80):
        shape = shapes[rng.integers(len(shapes))]
        nd = len(shape)
        d = lambda: int(rng.integers(-nd - 1, nd + 1))       # noqa: E731
        a, b, c = d(), d(), int(rng.integers(-3, 4))
        n = int(rng.integers(-1, 3))
        ops = [lambda t, x: x.narrow(a, c, n), lambda t, x: t.roll(x, (c, n), (a, b)),
               lambda t, x: t.roll(x, c, a), lambda t, x: t.movedim(x, a, b),
               lambda t, x: t.movedim(x, (a, b), (b,)), lambda t, x: x.transpose(a, b),
               lambda t, x: t.flip(x, (a, b)), lambda t, x: t.diagonal(x, c, a, b),
               lambda t, x: t.flatten(x, a, b), lambda t, x: t.cat([x, x], a),
               lambda t, x: t.hstack([x, x.sum()]), lambda t, x: t.vstack([x.sum(), x]),
               lambda t, x: x.expand(2, *shape)]
        x = rng.integers(-5, 5, shape).astype(np.float32)
        same(ops[rng.integers(len(ops))], x)
