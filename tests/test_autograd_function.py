"""Custom autograd.Function against PyTorch: forward values, gradients from the user's
backward (eagerly, with autograd.grad, double backward and inside functorch_like.compile),
ctx features and PyTorch's error texts."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _functions(lib):
    """The same custom Functions, defined over `lib`'s autograd.Function."""
    Function = lib.autograd.Function

    class Exp(Function):
        @staticmethod
        def forward(ctx, x, scale):
            y = x.exp() * scale
            ctx.save_for_backward(y)
            ctx.scale = scale                 # a non-tensor attribute travels too
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y, None

    class Split(Function):                    # two outputs, one non-differentiable
        @staticmethod
        def forward(ctx, x):
            ctx.seen_needs = ctx.needs_input_grad
            mask = (x > 0.5).float()
            ctx.mark_non_differentiable(mask)
            ctx.save_for_backward(x)
            return x * 2, mask

        @staticmethod
        def backward(ctx, g, g_mask):
            (x,) = ctx.saved_tensors
            # g_mask arrives as zeros: the output is non-differentiable
            return g * 2 + g_mask * 100 + x * 0

    class Lazy(Function):                     # set_materialize_grads(False): None for unused
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            assert ga is None                 # only the second output is used
            return gb * 3

    class Scale(Function):                    # the split form: forward + setup_context
        @staticmethod
        def forward(x, k=4.0):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    return Exp, Split, Lazy, Scale, Square


def _run(lib):
    Exp, Split, Lazy, Scale, Square = _functions(lib)
    x = lib.tensor(np.linspace(0.1, 0.9, 4), requires_grad=True)
    out = {}
    y = Exp.apply(x, 2.0)
    out["name"] = y.grad_fn.name()
    out["y"] = y
    y.sum().backward()
    out["exp_grad"] = x.grad.clone()
    (g,) = lib.autograd.grad(Exp.apply(x, 2.0).sum(), x, create_graph=True)
    out["first"] = g
    x.grad = None
    g.sum().backward()                  # through the user's backward: d(g*y)/dx
    out["second"] = x.grad.clone()
    a, mask = Split.apply(x)
    out["mask_requires_grad"] = mask.requires_grad
    x.grad = None
    (a * mask).sum().backward()
    out["split_grad"] = x.grad.clone()
    _, b = Lazy.apply(x)
    x.grad = None
    b.sum().backward()
    out["lazy_grad"] = x.grad.clone()
    x.grad = None
    Scale.apply(x).sum().backward()     # default k bound by apply
    Scale.apply(x, k=0.5).sum().backward()
    out["scale_grad"] = x.grad.clone()
    (g,) = lib.autograd.grad((Square.apply(x) * x).sum(), x, create_graph=True)
    out["once"] = g
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that "
                                           "was marked with @once_differentiable"):
        g.sum().backward()
    return out


def test_custom_functions_match_torch(x64):
    ref, got = _run(torch), _run(fl)
    assert got.keys() == ref.keys()
    for k, r in ref.items():
        if isinstance(r, torch.Tensor):
            np.testing.assert_allclose(got[k].detach().numpy(), r.detach().numpy(),
                                       rtol=1e-12, err_msg=k)
        else:
            assert got[k] == r, k
    assert got["name"] == "ExpBackward"


def test_needs_input_grad_and_non_tensor_outputs_of_forward():
    _, Split, *_ = _functions(fl)
    x = fl.tensor([0.2, 0.8], requires_grad=True)
    _, mask = Split.apply(x)
    assert mask.grad_fn is None and mask.dtype == fl.float32
    with fl.no_grad():
        a, _ = Split.apply(x)
    assert a.grad_fn is None

    class Seen(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, k):
            seen.append(ctx.needs_input_grad)
            return x * w * k

        @staticmethod
        def backward(ctx, g):
            return g, g, None
    seen = []
    Seen.apply(x, fl.ones(2), 3)
    assert seen[0] == (True, False, False)   # torch: the same


def _errors(lib):
    Function = lib.autograd.Function

    class TooFew(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g

    class NotNone(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    class BadShape(Function):
        @staticmethod
        def forward(ctx, k, x):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return None, g[:2]

    class Broadcast(Function):              # a broadcast gradient is summed back
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return g.expand(2, 3)

    x = lib.ones(3, requires_grad=True)
    msgs = []
    for fn, args in ((TooFew, (x, 2.0)), (NotNone, (x, 2.0)), (BadShape, (2.0, x))):
        with pytest.raises(RuntimeError) as err:
            fn.apply(*args).sum().backward()
        msgs.append(str(err.value))
    with pytest.raises(RuntimeError) as err:
        TooFew()(x, 1.0)
    msgs.append(str(err.value))
    Broadcast.apply(x).backward()
    return msgs, x.grad.numpy()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_errors_match_torch():
    (ref, ref_grad), (got, got_grad) = _errors(torch), _errors(fl)
    assert got == ref
    np.testing.assert_array_equal(got_grad, ref_grad)


def test_python_values_in_forward_and_backward_run_eagerly():
    """`.item()` in forward and a branch on a value in backward work, as in PyTorch (the
    backward program falls back to running unjitted)."""
    class Thresh(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x.sum().item()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 10 if float(x.sum()) > 0 else g
    x = fl.tensor([1.0, 2.0], requires_grad=True)
    y = Thresh.apply(x)
    np.testing.assert_allclose(y.detach().numpy(), [3.0, 6.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [10.0, 10.0])


def test_custom_function_in_a_compiled_step_matches_eager():
    Exp, *_ = _functions(fl)
    runs = []
    for compiled in (False, True):
        w = fl.tensor([0.1, -0.2, 0.3], requires_grad=True)
        opt = fl.optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = (Exp.apply(w * x, 0.5) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        run = fl.compile(step) if compiled else step
        x = fl.tensor([1.0, 2.0, 3.0])
        runs.append(([run(x).item() for _ in range(3)], w.detach().numpy()))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-6)
    np.testing.assert_allclose(runs[1][1], runs[0][1], rtol=1e-6)
    # and the user's backward is the one that ran: a wrong backward changes the result
    x = fl.tensor([1.0, 2.0], requires_grad=True)

    class Wrong(fl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.exp()

        @staticmethod
        def backward(ctx, g):
            return g * 7
    Wrong.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [7.0, 7.0])


def _doubling(lib, new_style: bool, with_jvp: bool = False):
    """A Function computing 2x, in the old style (forward takes ctx) or the new one
    (setup_context), optionally with a jvp staticmethod."""
    Function = lib.autograd.Function
    if not new_style:
        class Double(Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        return Double

    class Double(Function):
        generate_vmap_rule = True       # (torch's jacfwd vmaps; without it, it says that)

        @staticmethod
        def forward(x):
            return x * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, g):
            return g * 2

    if with_jvp:
        Double.jvp = staticmethod(lambda ctx, t: t * 2)
    return Double


def _raised(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("new_style", [False, True])
@pytest.mark.parametrize("transform", [
    lambda lib, f: lib.func.jvp(f.apply, (lib.ones(2),), (lib.ones(2),)),
    lambda lib, f: lib.func.jacfwd(lambda x: f.apply(x).sum())(lib.ones(2)),
    lambda lib, f: lib.func.hessian(lambda x: f.apply(x).sum())(lib.ones(2)),
], ids=["jvp", "jacfwd", "hessian"])
def test_forward_mode_through_a_function_raises_torchs_error(transform, new_style):
    want = _raised(lambda: transform(torch, _doubling(torch, new_style)))
    assert _raised(lambda: transform(fl, _doubling(fl, new_style))) == want


def test_forward_mode_with_a_jvp_staticmethod_says_it_is_not_run():
    Double = _doubling(fl, True, with_jvp=True)
    with pytest.raises(NotImplementedError, match="does not run the jvp staticmethod of "
                                                  "Double"):
        fl.func.jvp(Double.apply, (fl.ones(2),), (fl.ones(2),))
    # reverse mode is unaffected
    np.testing.assert_allclose(fl.func.grad(lambda x: Double.apply(x).sum())(
        fl.ones(2)).numpy(), [2.0, 2.0])
