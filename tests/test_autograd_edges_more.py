"""Values and gradients at NaN, +-inf and the kinks of activations and abs, the RNN's relu at
0, the ord-0 norm's missing gradient, and autograd.Function's `ctx.mark_dirty`, each against
torch on the same float32 inputs (NaN where torch gives NaN).

The activation inputs have at most 7 elements: torch's CPU kernels take their scalar path
there (the formula of derivatives.yaml); on the leading SIMD chunks of longer tensors some
give another NaN gradient (see the parity note in pure/_activations.py).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import functorch_like as fl
import functorch_like.nn.functional as FF

NAN, INF = float("nan"), float("inf")
# NaN, the infinities and every kink: 0, +-lambd (0.5 default, 1), +-3, softplus's
# beta * x == threshold (x = 5 for beta=2, threshold=10).
EDGES = ([NAN, INF, -INF, 0.0, 3.0, -3.0, 0.5], [-0.5, 1.0, -1.0, 5.0, 20.0, -20.0, 2.5])


def _F(lib):
    return TF if lib is torch else FF


def _run(lib, fn, x, upstream=None):
    """fn(lib, t) and t.grad after backward with `upstream` (weights 1, 2, ... if None)."""
    t = lib.tensor(np.asarray(x, np.float32), requires_grad=True)
    out = fn(lib, t)
    n = out.numel()
    w = np.arange(1, n + 1, dtype=np.float32) if upstream is None else np.full(n, upstream,
                                                                              np.float32)
    out.backward(lib.tensor(w.reshape(tuple(out.shape))))
    return out.detach().numpy(), t.grad.numpy()


def _check(fn, x, upstream=None, values=True):
    (want, want_grad), (have, have_grad) = _run(torch, fn, x, upstream), _run(fl, fn, x,
                                                                              upstream)
    if values:
        np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-7, equal_nan=True)
    np.testing.assert_allclose(have_grad, want_grad, rtol=1e-5, atol=1e-7, equal_nan=True)


# Each differed from torch 2.13 before: NaN or the wrong value at the marked inputs.
CHANGED = {
    "elu": lambda t, a: _F(t).elu(a),                      # grad at NaN: 1 (was NaN)
    "elu_alpha": lambda t, a: _F(t).elu(a, alpha=2.0),
    "celu": lambda t, a: _F(t).celu(a, alpha=0.5),
    "selu": lambda t, a: _F(t).selu(a),                    # grad at NaN: scale
    "hardswish": lambda t, a: _F(t).hardswish(a),          # grad at NaN: 1
    "hardsigmoid": lambda t, a: _F(t).hardsigmoid(a),      # value at +-inf: 1, 0 (was NaN)
    "softshrink": lambda t, a: _F(t).softshrink(a),        # NaN passes, grad 1 (was 0, 0)
    "softshrink_1": lambda t, a: _F(t).softshrink(a, 1.0),
    "hardshrink": lambda t, a: _F(t).hardshrink(a),
    "hardshrink_1": lambda t, a: _F(t).hardshrink(a, 1.0),
    "abs": lambda t, a: t.abs(a),                          # grad at NaN: 0 (was -1)
    "abs_method": lambda t, a: a.abs(),
    "hardswish_module": lambda t, a: t.nn.Hardswish()(a),
    "elu_inplace": lambda t, a: _F(t).elu(a * 1, inplace=True),
}


@pytest.mark.parametrize("name", CHANGED)
def test_activation_values_and_gradients_at_edges(name):
    for x in EDGES:
        _check(CHANGED[name], x)


# Incoming gradients that are NaN: torch's select-style backward kernels (threshold-like)
# give 0 where the derivative is a constant 0, its product-style ones (abs: grad * sgn)
# NaN. All activations, the unchanged ones included.
ALL = {**CHANGED,
       "silu": lambda t, a: _F(t).silu(a), "mish": lambda t, a: _F(t).mish(a),
       "gelu": lambda t, a: _F(t).gelu(a),
       "gelu_tanh": lambda t, a: _F(t).gelu(a, approximate="tanh"),
       "softplus": lambda t, a: _F(t).softplus(a, beta=2.0, threshold=10.0),
       "tanhshrink": lambda t, a: _F(t).tanhshrink(a),
       "logsigmoid": lambda t, a: _F(t).logsigmoid(a)}


def test_nan_incoming_gradient_through_every_activation():
    for name, fn in ALL.items():
        for x in EDGES:
            if name.startswith("gelu"):
                # (torch's vectorized float32 gelu gives NaN at +inf: see gelu's note)
                x = [v for v in x if v != INF]
            try:
                _check(fn, x, upstream=NAN, values=False)   # (the values: above)
            except AssertionError as err:
                raise AssertionError(f"{name} at {x}") from err


def test_abs_gradient_keeps_a_nan_gradient_at_zero():
    # torch: grad * sgn(x), a product: NaN * 0 is NaN at x == 0 (and 0 * sgn(NaN) is 0).
    _check(lambda t, a: t.abs(a) * t.tensor([NAN, 1.0, 1.0]), [0.0, NAN, -2.0])


def test_hardswish_double_backward_at_edges():
    x = [NAN, -3.0, 3.0, 0.0, -INF, 1.5]

    def second(lib):
        t = lib.tensor(np.asarray(x, np.float32), requires_grad=True)
        (g,) = lib.autograd.grad(_F(lib).hardswish(t).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        return g.detach().numpy(), gg.numpy()

    for have, want in zip(second(fl), second(torch)):
        np.testing.assert_allclose(have, want, rtol=1e-6, equal_nan=True)


def test_rnn_relu_gradient_at_zero():
    """All parameters 0: every pre-activation is exactly 0, where relu's gradient is 0 in
    torch (jnp.maximum's is 1/2), so every parameter's gradient is 0."""
    x = np.random.default_rng(0).standard_normal((3, 2, 4)).astype(np.float32)
    grads = []
    for lib in (torch, fl):
        lib.manual_seed(0)
        rnn = lib.nn.RNN(4, 3, nonlinearity="relu")
        with lib.no_grad():
            for p in rnn.parameters():
                p.zero_()
        out, h = rnn(lib.tensor(x))
        (out.sum() + h.sum()).backward()
        grads.append([p.grad.numpy() for p in rnn.parameters()])
    for have, want in zip(*grads[::-1]):
        np.testing.assert_array_equal(have, want)
    cell_grads = []
    for lib in (torch, fl):
        cell = lib.nn.RNNCell(4, 3, nonlinearity="relu")
        with lib.no_grad():
            for p in cell.parameters():
                p.zero_()
        cell(lib.tensor(x[0])).sum().backward()
        cell_grads.append([p.grad.numpy() for p in cell.parameters()])
    for have, want in zip(*cell_grads[::-1]):
        np.testing.assert_array_equal(have, want)


# ---- the ord-0 norm ---------------------------------------------------------------------

NORM0 = {
    "vector_norm": lambda t, a: t.linalg.vector_norm(a, ord=0),
    "vector_norm_dim": lambda t, a: t.linalg.vector_norm(a, 0, dim=1, keepdim=True).sum(),
    "linalg_norm": lambda t, a: t.linalg.norm(a.flatten(), ord=0),
    "norm": lambda t, a: t.norm(a, p=0),
    "norm_method_dim": lambda t, a: a.norm(0, dim=0).sum(),
}


@pytest.mark.parametrize("name", NORM0)
def test_ord_zero_norm_leaves_no_gradient(name):
    """torch: the output has a grad_fn, but its backward gives `x` no gradient (None),
    and autograd.grad finds `x` unused."""
    x = np.array([[1.0, 0.0], [NAN, -2.0]], np.float32)
    seen = []
    for lib in (torch, fl):
        a = lib.tensor(x, requires_grad=True)
        out = NORM0[name](lib, a)
        out.backward()
        b = lib.tensor(x, requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            lib.autograd.grad(NORM0[name](lib, b), b)
        (unused,) = lib.autograd.grad(NORM0[name](lib, b), b, allow_unused=True)
        c = lib.tensor(x, requires_grad=True)
        (NORM0[name](lib, c) + (c * 2).nan_to_num().sum()).backward()
        seen.append((out.item(), out.requires_grad, a.grad, str(err.value), unused,
                     c.grad.numpy()))
    want, have = seen
    assert have[:5] == want[:5]
    np.testing.assert_array_equal(have[5], want[5])


# ---- autograd.Function with ctx.mark_dirty ----------------------------------------------

def _dirty_functions(lib):
    Function = lib.autograd.Function

    class MulTwo(Function):
        """x *= 2 in place; the backward is g * 3 on purpose (not the derivative), so a
        gradient of 3 shows that this backward ran."""
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class MulTwoSetup(Function):               # the same, marked in setup_context
        @staticmethod
        def forward(x):
            x.mul_(2)
            return x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_dirty(inputs[0])

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class AddInto(Function):                   # x += y; returns (x, y + 1)
        @staticmethod
        def forward(ctx, x, y):
            x.add_(y)
            ctx.mark_dirty(x)
            return x, y + 1

        @staticmethod
        def backward(ctx, gx, gy):
            return gx * 2, gx + gy

    class NotReturned(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    return MulTwo, MulTwoSetup, AddInto, NotReturned


@pytest.mark.parametrize("which", [0, 1])
def test_mark_dirty_returns_the_input_with_the_functions_grad_fn(which):
    seen = []
    for lib in (torch, fl):
        fn = _dirty_functions(lib)[which]
        a = lib.tensor([1.0, -2.0], requires_grad=True)
        b = a.clone()
        version = b._version
        c = fn.apply(b)
        name = type(b.grad_fn).__name__ if lib is torch else b.grad_fn.name()
        (b * b).sum().backward()
        seen.append((c is b, name, b.detach().numpy().tolist(), b._version - version,
                     a.grad.numpy().tolist()))
    assert seen[1] == seen[0]
    assert seen[0][4] == [12.0, -24.0]      # 3 * d(b*b)/db = 3 * 2 * (2a): the user's rule


def test_mark_dirty_two_outputs_and_a_plain_input():
    seen = []
    for lib in (torch, fl):
        AddInto = _dirty_functions(lib)[2]
        p = lib.tensor([1.0, 2.0])                       # needs no grad until written
        y = lib.tensor([5.0, 7.0], requires_grad=True)
        o1, o2 = AddInto.apply(p, y)
        (o1 * 2 + o2).sum().backward()
        seen.append((o1 is p, p.requires_grad, p.detach().numpy().tolist(),
                     o2.detach().numpy().tolist(), y.grad.numpy().tolist()))
    assert seen[1] == seen[0]


def test_mark_dirty_errors():
    """A leaf that requires grad: torch's error (and its value already changed); a dirty
    input forward does not return: torch's error; a dirty tensor that is not an input: a
    warning."""
    for lib in (torch, fl):
        MulTwo, _, _, NotReturned = _dirty_functions(lib)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError) as leaf:
            MulTwo.apply(x)
        assert str(leaf.value) == ("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
        assert x.detach().numpy().tolist() == [2.0, 4.0] and x.grad_fn is None
        with pytest.raises(RuntimeError) as lost:
            NotReturned.apply(lib.tensor([1.0, 2.0], requires_grad=True).clone())
        # (str, not match=: pytest matches JAX's traceback note too)
        assert str(lost.value) == (
            "Some elements marked as dirty during the forward method were not returned as "
            "output. The inputs that are modified inplace must all be outputs of the "
            "Function.")

        class NotInput(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * 2
                ctx.mark_dirty(y)
                return y

            @staticmethod
            def backward(ctx, g):
                return g

        with pytest.warns(UserWarning, match="received a tensor that was not an input"):
            out = NotInput.apply(lib.tensor([1.0], requires_grad=True))
        assert out.item() == 2.0 and out.requires_grad


def test_mark_dirty_under_no_grad():
    """torch: the value changes, the graph does not; an input that requires grad comes
    back as a detached alias, any other as itself."""
    seen = []
    for lib in (torch, fl):
        MulTwo = _dirty_functions(lib)[0]
        leaf = lib.tensor([1.0, 2.0], requires_grad=True)
        node = leaf.clone()
        plain = lib.tensor([1.0, 2.0])
        with lib.no_grad():
            outs = [MulTwo.apply(t) for t in (leaf, node, plain)]
            outs[2].add_(1)                                # the same tensor as `plain`
        seen.append([(o is t, o.requires_grad, t.requires_grad, t.grad_fn is None,
                      t.detach().numpy().tolist())
                     for o, t in zip(outs, (leaf, node, plain))])
    assert seen[1] == seen[0]


def test_mark_dirty_in_a_compiled_function_and_under_func_grad():
    def step(lib, MulTwo, a):
        b = a * 1
        c = MulTwo.apply(b)
        return (b * c).sum()

    grads = []
    for lib, compiled in ((torch, False), (fl, False), (fl, True)):
        MulTwo = _dirty_functions(lib)[0]
        run = (lambda a: step(lib, MulTwo, a))
        if compiled:
            run = fl.compile(run)
        a = lib.tensor([1.0, -2.0], requires_grad=True)
        run(a).backward()                               # backward outside the program
        inside = lib.tensor([1.0, -2.0], requires_grad=True)

        def with_backward(a):
            loss = step(lib, MulTwo, a)
            loss.backward()
            return loss
        (fl.compile(with_backward) if compiled else with_backward)(inside)
        g = lib.func.grad(lambda a: step(lib, _dirty_functions(lib)[1], a))(
            lib.tensor([1.0, -2.0]))
        grads.append((a.grad.numpy().tolist(), inside.grad.numpy().tolist(),
                       g.numpy().tolist()))
    assert grads[1] == grads[0] and grads[2] == grads[0]
    assert grads[0][0] == [12.0, -24.0]


def test_custom_function_backward_outside_a_compiled_program_is_the_users():
    """(Not only mark_dirty) a compiled function returning a custom Function's output: a
    backward outside the program runs the Function's backward, not the forward's
    derivative."""
    class Twice(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    a = fl.tensor([1.0, -2.0], requires_grad=True)
    fl.compile(lambda a: Twice.apply(a).sum())(a).backward()
    assert a.grad.numpy().tolist() == [3.0, 3.0]


def test_unmarked_in_place_change_of_an_input_raises():
    """torch writes an unmarked change through to the caller's tensor; here the forward
    sees a copy, so it raises instead of leaving the caller's tensor silently stale."""
    class Sneaky(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="mark_dirty"):
        Sneaky.apply(fl.tensor([1.0, 2.0]))
