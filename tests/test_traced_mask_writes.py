"""Boolean-mask writes in traced code (a custom Function's backward traced inside
functorch_like.compile, a compiled step) against PyTorch, the eager fallback of a backward that
needs concrete values (nonzero, a mask read), and the errors for mask reads that cannot be
traced."""

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl

RNG = np.random.default_rng(0)
X3 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
W3 = RNG.standard_normal((2, 3, 4)).astype(np.float32)


def _relu(lib, seen=None):
    """PyTorch's custom-Function tutorial (MyReLU); `seen` collects whether each backward
    ran on traced values."""
    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            if seen is not None:
                seen.append(isinstance(grad_output._value, jax.core.Tracer))
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input
    return MyReLU


def _backward_of(lib, fn, compiled: bool):
    """x's gradient of (fn(x) * W3).sum(); with `compiled`, the forward and backward run
    inside functorch_like.compile (traced)."""
    x = lib.tensor(X3, requires_grad=True)
    w = lib.tensor(W3)

    def step(x):
        (fn.apply(x) * w).sum().backward()
    (fl.compile(step) if compiled else step)(x)
    return x.grad.numpy()


@pytest.mark.parametrize("compiled", [False, True])
def test_my_relu_tutorial_backward_matches_torch(compiled):
    """Eagerly the backward runs on values, as torch's; compiled, it is traced."""
    seen = []
    grads = [_backward_of(torch, _relu(torch), False),
             _backward_of(fl, _relu(fl, seen), compiled)]
    np.testing.assert_allclose(grads[1], grads[0])
    assert (grads[1] == 0).any()
    assert seen == [compiled]


def _iadd(lib, x, g):
    g[x < 0] += 1
    return g


def _same_mask(lib, x, g):
    m = x > 0
    g[m] = x[m] * 3 + g[m] / 2
    return g


def _set(index_of, value_of):
    def body(lib, x, g):
        g[index_of(x)] = value_of(lib)
        return g
    return body


# (name, backward body(lib, x, g) -> gradient); x, g: (2, 3, 4)
VARIANTS = [
    ("scalar", _set(lambda x: x < 0, lambda lib: 0)),
    ("0d_tensor", _set(lambda x: x < 0, lambda lib: lib.tensor(5.0))),
    ("1_element", _set(lambda x: x > 0.5, lambda lib: lib.tensor([-2.0]))),
    ("leading_dims", _set(lambda x: x.sum(-1) < 0, lambda lib: 0.0)),
    ("leading_dims_row", _set(lambda x: x.sum(-1) < 0, lambda lib: lib.arange(4.0))),
    ("middle_dim", _set(lambda x: (slice(None), x[0, :, 0] > 0), lambda lib: 7.0)),
    ("int_then_mask", _set(lambda x: (1, x[1] > 0), lambda lib: -1.0)),
    ("ellipsis", _set(lambda x: (Ellipsis, x[0, 0] > 0), lambda lib: 3.0)),
    ("iadd", _iadd),
    ("same_mask_read", _same_mask),
    ("masked_fill_", lambda lib, x, g: g.masked_fill_(x > 0, 3.0)),
]


def _custom(lib, body, seen=None):
    """A Function whose backward is `body`; `seen` collects whether each backward ran on
    traced values (all True: the write lowered, no eager rerun was needed)."""
    class Fn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            if seen is not None:
                seen.append(isinstance(g._value, jax.core.Tracer))
            return body(lib, x, g.clone())
    return Fn


def _grads_vs_torch(body):
    """The mask writes of `body` in a custom backward traced inside compile."""
    seen = []
    grads = [_backward_of(torch, _custom(torch, body), False),
             _backward_of(fl, _custom(fl, body, seen), True)]
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
    assert seen == [True]


@pytest.mark.parametrize("name,body", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_mask_writes_in_custom_backward_match_torch(name, body):
    _grads_vs_torch(body)


def _step_parts(lib):
    """A tiny model whose forward writes through traced masks (values and a learnable
    0-d fill), with MyReLU between, and its SGD optimizer."""
    w = lib.nn.Parameter(lib.tensor([[1.0, -2.0, 3.0], [-0.5, 0.2, -1.0]]))
    fill = lib.nn.Parameter(lib.tensor(0.7))
    opt = lib.optim.SGD([w, fill], lr=0.05)
    relu = _relu(lib)

    def step(x):
        opt.zero_grad()
        h = x @ w
        h[h < -1] = fill                    # the value's gradient: summed over the writes
        m = h > 1
        h[m] += 1
        h[m] = h[m] * 2
        h[:, h.sum(0) > 2] *= 0.5
        loss = (relu.apply(h) ** 2).mean() + h.masked_fill(h < 0, 0.0).sum() * 0.1
        loss.backward()
        opt.step()
        return loss
    return step, (w, fill)


def test_compiled_step_with_mask_writes_matches_torch():
    x = RNG.standard_normal((4, 2)).astype(np.float32)
    (t_step, t_params), (e_step, e_params), (c_step, c_params) = (
        _step_parts(torch), _step_parts(fl), _step_parts(fl))
    c_step = fl.compile(c_step)
    for _ in range(3):
        lt, le, lc = (t_step(torch.tensor(x)).item(), e_step(fl.tensor(x)).item(),
                      c_step(fl.tensor(x)).item())
        np.testing.assert_allclose(le, lt, rtol=1e-5)
        np.testing.assert_allclose(lc, lt, rtol=1e-5)
    for pt, pe, pc in zip(t_params, e_params, c_params):
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-5)
        np.testing.assert_allclose(pc.detach().numpy(), pt.detach().numpy(), rtol=1e-5)
    assert t_params[1].item() != 0.7        # the fill value learned (its gradient flowed)


def test_mask_write_gradients_match_torch():
    """Value gradient (summed over the written positions) and base gradient (zero there),
    under jax.jit of the facade (a traced mask)."""
    def run(lib, base, value, mask):
        y = base * 1
        y[mask] = value
        return (y * lib.tensor(W3)).sum()

    t_base, t_val = torch.tensor(X3, requires_grad=True), torch.tensor(1.5, requires_grad=True)
    run(torch, t_base, t_val, torch.tensor(X3 > 0)).backward()

    def f(base, value, mask):
        b, v = fl.tensor(base, requires_grad=True), fl.tensor(value, requires_grad=True)
        run(fl, b, v, fl.Tensor._make(mask)).backward()
        return b.grad._value, v.grad._value
    gb, gv = jax.jit(f)(X3, np.float32(1.5), X3 > 0)
    np.testing.assert_allclose(np.asarray(gb), t_base.grad.numpy())
    np.testing.assert_allclose(np.asarray(gv), t_val.grad.numpy(), rtol=1e-6)


def _nonzero_fn(lib):
    class Scale(lib.autograd.Function):
        """Scales by the number of non-zero entries: a value-dependent shape in forward
        and in backward."""
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x.nonzero().shape[0]

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            picked = g[x != 0]              # a mask read with a value-dependent shape
            return g * x.nonzero().shape[0] + picked.sum()
    return Scale


def test_custom_function_with_nonzero_backward_falls_back_to_eager():
    x_np = np.array([0.0, 2.0, -3.0, 0.0, 1.0], np.float32)
    grads = []
    for lib in (torch, fl):
        x = lib.tensor(x_np, requires_grad=True)
        for _ in range(2):          # the second backward reuses the (now eager) program
            (_nonzero_fn(lib).apply(x) * lib.arange(5.0)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0])


def test_user_type_error_in_backward_still_raises():
    class Bad(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g + "oops"
    x = fl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError):
        Bad.apply(x).sum().backward()


def test_eager_mask_read_and_write_unchanged():
    for lib in (torch, fl):
        x = lib.tensor(X3)
        got = x[x > 0]
        y = x.clone()
        y[x > 0] = x[x > 0] * 2
        if lib is torch:
            ref = (got.numpy(), y.numpy())
        else:
            np.testing.assert_allclose(got.numpy(), ref[0])
            np.testing.assert_allclose(y.numpy(), ref[1])
            assert tuple(got.shape) == ref[0].shape


@pytest.mark.parametrize("body,names", [
    (lambda x: x[x > 0].sum(), ("x[mask]", ".sum", "torch.where")),
    (lambda x: x[x > 0], ("x[mask]", "torch.where")),
    (lambda x: x.nonzero().sum(), ("nonzero()",)),
    (lambda x: x.masked_select(x > 0).sum(), ("masked_select()",)),
    (lambda x: _write(x, x > 0, fl.ones(2)), ("y[mask] = value", "torch.where")),
    (lambda x: _write(x, x > 0, (x * 2)[x > 0]), ("same mask tensor", "torch.where")),
    (lambda x: _write(x, (x[:, 0] > 0, fl.tensor([0, 1])), 0.0), ("traced boolean mask",)),
    (lambda x: fl.where(x > 0, x[x > 0], x).sum(), ("x[mask]", "passing it to a torch "
                                                    "function", "torch.where")),
])
def test_unsupported_mask_reads_in_compile_raise_clear_errors(body, names):
    with pytest.raises(TypeError) as info:
        fl.compile(body)(fl.tensor(X3[0]))
    for name in names:
        assert name in str(info.value)


def _write(y, index, value):
    y = y.clone()
    y[index] = value
    return y.sum()


def test_mask_write_shape_mismatch_is_torchs_error():
    def body(y):
        y = y.clone()
        y[y > 0] = fl.ones(3, 5)
        return y
    with pytest.raises(RuntimeError, match="shape mismatch: value tensor of shape"):
        fl.compile(body)(fl.tensor(X3[0]))


def test_custom_forward_returning_a_mask_read_works_through_backward():
    grads = []
    for lib in (torch, fl):
        class Pick(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x[x > 0] * 2

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                out = lib.zeros_like(x)
                out[x > 0] = g * 2
                return out
        x = lib.tensor(X3[0], requires_grad=True)
        y = Pick.apply(x)
        (y * lib.arange(float(y.shape[0]))).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0])


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_with_traced_mask_matches_torch(accumulate):
    def body(lib, x, g):
        return g.index_put((x > 0,), lib.tensor(0.5), accumulate=accumulate)
    _grads_vs_torch(body)


def test_compiled_mask_writes_with_none_slices_ellipsis_match_torch():
    x = np.array([[1.0, -1.0, 2.0], [3.0, -4.0, 5.0]], np.float32)

    def body(y):
        y = y.clone()
        y[None, :, y[0] > 0] = 9.0
        y[1:, y[1] < 0] += 1
        y[y[:, 0] > 2, 1:] = -7.0
        y[..., y[0] < 0] *= 3
        return y
    np.testing.assert_allclose(fl.compile(body)(fl.tensor(x)).numpy(),
                               body(torch.tensor(x)).numpy())
