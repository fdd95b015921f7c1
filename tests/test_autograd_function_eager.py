"""A custom autograd.Function called eagerly runs as torch's: its forward once per call,
reading Python state as it is then (globals, attributes, closures, numpy's and torch's
RNG), and its backward on that call's ctx, when backward comes. Before, both were traced
once per input signature and replayed: a changed global or a random mask was silently
frozen at its first value."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def run_both(fn):
    """fn(T) in torch and here; the results compared (numbers as lists)."""
    t, f = fn(torch), fn(fl)
    np.testing.assert_allclose(np.asarray(f, np.float64), np.asarray(t, np.float64),
                               rtol=1e-6)
    return f


def test_globals_read_in_forward_and_backward():
    def run(T):
        state = {"s": 1.0}

        class Scale(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * state["s"]

            @staticmethod
            def backward(ctx, g):
                return g * state["s"] * 10

        out = []
        for s in (1.0, 2.0, 3.0):
            state["s"] = s
            x = T.ones(2, requires_grad=True)
            y = Scale.apply(x)
            y.sum().backward()
            out.append([y[0].item(), x.grad[0].item()])
        return out
    run_both(run)


def test_gradient_reversal_with_a_coefficient_read_in_backward():
    """The domain-adaptation layer whose coefficient a schedule changes every step."""
    def run(T):
        coef = {"lam": 0.0}

        class Reverse(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.view_as(x)

            @staticmethod
            def backward(ctx, g):
                return -coef["lam"] * g

        w = T.ones(3, requires_grad=True)
        grads = []
        for step in range(4):
            coef["lam"] = step * 0.5
            w.grad = None
            (Reverse.apply(w * 2) ** 2).sum().backward()
            grads.append(w.grad.tolist())
        return grads
    run_both(run)


def test_attribute_of_an_argument_and_a_closure_tensor_changed_in_place():
    def run(T):
        weight = T.ones(2)

        class Config:
            scale = 1.0

        class Mul(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, cfg):
                ctx.cfg = cfg
                return x * weight * cfg.scale

            @staticmethod
            def backward(ctx, g):
                return g * weight * ctx.cfg.scale, None

        cfg, out = Config(), []
        for _ in range(3):
            x = T.ones(2, requires_grad=True)
            Mul.apply(x, cfg).sum().backward()
            out.append(x.grad.tolist())
            weight.add_(1)
            cfg.scale *= 2
        return out
    run_both(run)


def test_random_mask_drawn_in_forward_is_the_one_backward_uses():
    """A hand-written dropout with numpy's RNG: one draw per call, kept in ctx."""
    def run(T):
        rng = np.random.default_rng(0)

        class Drop(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                mask = T.tensor((rng.random(x.shape) > 0.5).astype(np.float32))
                ctx.save_for_backward(mask)
                return x * mask

            @staticmethod
            def backward(ctx, g):
                (mask,) = ctx.saved_tensors
                return g * mask

        out = []
        for _ in range(3):
            x = T.ones(6, requires_grad=True)
            y = Drop.apply(x)
            y.sum().backward()
            out.append(y.tolist() + x.grad.tolist())
        return out
    values = np.asarray(run_both(run))
    assert not (values[0] == values[1]).all()       # a new mask each call


def test_forward_runs_once_per_call_and_not_during_backward():
    def run(T):
        calls = {"forward": 0, "backward": 0}

        class Count(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                calls["forward"] += 1
                return x * 2

            @staticmethod
            def backward(ctx, g):
                calls["backward"] += 1
                return g * 2

        x = T.ones(2, requires_grad=True)
        for _ in range(2):
            Count.apply(x).sum().backward()
        return [calls["forward"], calls["backward"]]
    assert run_both(run) == [2, 2]


def test_buffer_updated_in_forward_and_tensors_kept_from_backward():
    """Before: the buffer held a JAX tracer after the call, and a gradient kept from
    backward raised UnexpectedTracerError when used."""
    def run(T):
        running, kept = T.zeros(2), []

        class Track(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                running.mul_(0.9).add_(x.detach() * 0.1)
                ctx.scale = x.sum()
                return x * 3

            @staticmethod
            def backward(ctx, g):
                kept.append(g.clone())
                return g * 3

        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = Track.apply(x)
        y.sum().backward()
        Track.apply(x * 2).sum().backward()
        return running.tolist() + kept[0].tolist() + (kept[1] * 2).tolist() + x.grad.tolist()
    run_both(run)


def test_random_tensor_op_in_forward_leaves_the_rng_usable():
    def run(T):
        class Noisy(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x + T.randn(x.shape) * 0

            @staticmethod
            def backward(ctx, g):
                return g

        x = T.ones(3, requires_grad=True)
        Noisy.apply(x).sum().backward()
        return x.grad.tolist() + [T.rand(2).shape[0]]
    run_both(run)


def test_second_backward_needs_retain_graph():
    def run(T, retain):
        class Square(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        x = T.tensor([1.0, 3.0], requires_grad=True)
        y = Square.apply(x).sum()
        y.backward(retain_graph=retain)
        try:
            y.backward()
        except RuntimeError as e:
            return str(e)[:60]
        return x.grad.tolist()
    for retain in (True, False):
        assert run(fl, retain) == run(torch, retain)


def test_double_backward_through_an_eager_call():
    """create_graph differentiates the user's backward (its forward is traced again)."""
    def run(T):
        class Cube(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * g

        x = T.tensor([1.0, 2.0], requires_grad=True)
        (g,) = T.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        (h,) = T.autograd.grad(g.sum(), x)
        return g.tolist() + h.tolist()
    run_both(run)


@pytest.mark.parametrize("use_grad", [True, False])
def test_model_with_a_custom_function_trains_as_torch(use_grad):
    """A straight-through estimator inside a small network, three SGD steps."""
    def run(T):
        T.manual_seed(0)

        class RoundST(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.round()

            @staticmethod
            def backward(ctx, g):
                return g

        w = T.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3),
                     requires_grad=True)
        opt = T.optim.SGD([w], lr=0.1)
        x = T.tensor(np.arange(8, dtype=np.float32).reshape(2, 4) / 4)
        for _ in range(3):
            opt.zero_grad()
            loss = (RoundST.apply(x @ w * 3) ** 2).mean()
            if use_grad:
                (g,) = T.autograd.grad(loss, w)
                w.grad = g
            else:
                loss.backward()
            opt.step()
        return w.detach().numpy().ravel().tolist()
    run_both(run)


def test_custom_calls_chained_and_shared_in_one_graph():
    """Two custom calls, one feeding the other and both feeding the loss, an intermediate
    used above and below them, a non-float output, a custom output as a root: the graph
    is cut at the custom nodes and their backwards run latest first."""
    def run(T):
        class Sq(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x, (x > 0).long()

            @staticmethod
            def backward(ctx, g, g_sign):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        class Scale(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, y, k):
                ctx.k = k
                ctx.save_for_backward(y)
                return x * y * k

            @staticmethod
            def backward(ctx, g):
                (y,) = ctx.saved_tensors
                return g * y * ctx.k, g * ctx.k, None

        w = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        v = T.tensor([1.5, 0.25, -0.5], requires_grad=True)
        h = w.exp() + v
        s, sign = Sq.apply(h)
        z = Scale.apply(s + h, v, 3.0)
        loss = (z.sin() * sign).sum() + s.mean() + h.sum()
        gw, gv = T.autograd.grad(loss, (w, v), retain_graph=True)
        loss.backward()
        s2, _ = Sq.apply(w)
        s2.backward(T.ones(3))
        return gw.tolist() + gv.tolist() + w.grad.tolist() + v.grad.tolist()
    run_both(run)


def test_custom_call_with_hooks_and_retained_grads():
    """Hooks and retain_grad take the unjitted route through the same saved ctx."""
    def run(T):
        class Twice(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = Twice.apply(x * 3)
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        (y ** 2).sum().backward()
        return x.grad.tolist() + y.grad.tolist()
    run_both(run)
