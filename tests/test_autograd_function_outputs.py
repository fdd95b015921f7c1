"""A custom autograd.Function may return outputs that are not Tensors, as torch's: they
pass through as they are and backward gets None for them (a TypeError before)."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _functions(lib):
    class Scaled(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, n):
            ctx.save_for_backward(x)
            return x * 2, n + 1, "tag"

        @staticmethod
        def backward(ctx, g, g_n, g_tag):
            assert g_n is None and g_tag is None
            (x,) = ctx.saved_tensors
            return g * 3 + x, None

    class Counted(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x * x
            flag = x.clone()
            ctx.mark_non_differentiable(flag)
            ctx.save_for_backward(x)
            return 7, out, flag

        @staticmethod
        def backward(ctx, g_count, g_out, g_flag):
            assert g_count is None
            (x,) = ctx.saved_tensors
            return g_out * 2 * x
    return Scaled, Counted


def _run(lib, compiled=False):
    Scaled, Counted = _functions(lib)
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def step(x):
        y, n, tag = Scaled.apply(x, 3)
        count, z, flag = Counted.apply(x)
        return y, n, tag, count, z, flag
    fn = fl.compile(step) if compiled else step
    y, n, tag, count, z, flag = fn(x)
    (y.sum() + z.sum()).backward()
    return ((n, tag, count, flag.requires_grad, y.requires_grad),
            y.detach().numpy(), z.detach().numpy(), x.grad.numpy())


@pytest.mark.parametrize("compiled", [False, True])
def test_non_tensor_outputs_pass_through_and_get_none_gradients(compiled):
    want = _run(torch)
    got = _run(fl, compiled)
    assert got[0] == want[0]
    for g, w in zip(got[1:], want[1:]):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_a_forward_without_any_tensor_output_returns_it_as_it_is():
    def make(lib):
        class NoTensor(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return 1, "a"

            @staticmethod
            def backward(ctx, *grads):
                return None
        return NoTensor
    for lib in (torch, fl):
        assert make(lib).apply(lib.ones(2, requires_grad=True)) == (1, "a")


def test_save_for_backward_of_a_non_tensor_raises_torchs_type_error():
    errors = []
    for lib in (torch, fl):
        class Saves(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g
        with pytest.raises(TypeError) as err:
            Saves.apply(lib.ones(2, requires_grad=True))
        errors.append(str(err.value))
    assert errors[1] == errors[0]


def test_autograd_graph_module():
    # torch.autograd.graph: Node for isinstance checks; save_on_cpu and
    # disable_saved_tensors_hooks change nothing here; saved_tensors_hooks, whose hooks
    # would never run, is refused (an AttributeError before: no such module)
    import functorch_like.autograd.graph as graph
    x = fl.tensor([1.0, 2.0], requires_grad=True)
    assert isinstance((x * 2).grad_fn, graph.Node)
    with fl.autograd.graph.save_on_cpu(pin_memory=True):
        y = (x * x).sum()
    with graph.disable_saved_tensors_hooks("no hooks"):
        y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    with pytest.raises(NotImplementedError, match="saved_tensors_hooks"):
        with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass


def _view_returning(lib, kind):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return {"view": lambda: x.view(2), "same": lambda: x, "select": lambda: x[0]}[kind]()

        @staticmethod
        def backward(ctx, g):
            return g * 2 if kind != "select" else None
    return F


def _write_through(lib, kind, grad, which):
    a = lib.tensor([1.0, 2.0], requires_grad=True) * 1 if grad else lib.tensor([1.0, 2.0])
    y = _view_returning(lib, kind).apply(a)
    try:
        if which == "input":
            a.mul_(3)
            return y.tolist()
        y.mul_(3)
        return a.tolist()
    except RuntimeError as e:
        return str(e)


@pytest.mark.parametrize("kind", ["view", "same", "select"])
@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("which", ["input", "output"])
def test_an_output_that_is_an_input_or_its_view_shares_it_as_torch(kind, grad, which):
    # (it was a copy: a write to the input or to the output did not reach the other; with
    # grad, torch refuses a write to the output, which would bypass the custom backward)
    assert _write_through(fl, kind, grad, which) == _write_through(torch, kind, grad, which)


def test_an_input_returned_as_is_still_takes_the_custom_backward():
    grads = []
    for lib in (torch, fl):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        _view_returning(lib, "same").apply(x * 1).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [2.0, 2.0]


def _second_backward(lib, save, read):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            if save:
                ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            if read:
                ctx.saved_tensors
            return g * 2
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = F.apply(x)
    y.sum().backward()
    try:
        y.sum().backward()
    except RuntimeError as e:
        return str(e)
    return x.grad.tolist()


@pytest.mark.parametrize("save", [False, True])
@pytest.mark.parametrize("read", [False, True])
def test_a_second_backward_through_a_function_raises_only_reading_freed_tensors(save, read):
    # (it always raised: torch frees the tensors save_for_backward kept, and raises when
    # a second backward reads them)
    assert _second_backward(fl, save, read) == _second_backward(torch, save, read)
