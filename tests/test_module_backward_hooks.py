"""Module.register_full_backward_hook and register_full_backward_pre_hook against torch
2.13: what the hooks see, what their return values change, their order, errors and
warning, and the same hooks inside functorch_like.compile."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl


class Two:
    """A module of two positional tensors and a keyword, with two outputs (built per
    library)."""

    @staticmethod
    def make(L):
        class Two(L.nn.Module):
            def forward(self, a, b, k=3):
                return a * b, a + k
        return Two()


def _lists(grads):
    return [None if g is None else np.round(np.asarray(g.tolist(), dtype=float), 5).tolist()
            for g in grads]


def _linear(L, n_in=3, n_out=2):
    """A Linear layer with the same weights in both libraries."""
    layer = L.nn.Linear(n_in, n_out)
    w = np.arange(n_in * n_out, dtype=np.float32).reshape(n_out, n_in) / 10 - 0.2
    with L.no_grad():
        layer.weight.copy_(L.tensor(w))
        layer.bias.copy_(L.tensor(np.linspace(-1, 1, n_out, dtype=np.float32)))
    return layer


def _two_inputs_run(L, use_second_output):
    m = Two.make(L)
    log = []
    m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _lists(go))))
    m.register_full_backward_hook(
        lambda mod, gi, go: log.append(("full", _lists(gi), _lists(go))))
    a = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.tensor([3.0, 4.0])
    p, q = m(a, b, k=2)
    loss = p.sum() + (2 * q.sum() if use_second_output else 0)
    loss.backward()
    return log, a.grad.tolist()


@pytest.mark.parametrize("use_second_output", [False, True])
def test_hooks_see_torchs_gradients(use_second_output):
    # grad_input: one entry per positional argument (zeros for a tensor that needs no
    # grad); grad_output: None for an output no gradient reached.
    assert _two_inputs_run(fl, use_second_output) == _two_inputs_run(torch, use_second_output)


def _replacing_run(L):
    layer = _linear(L)
    layer.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
    layer.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
    x = L.tensor([[1.0, -2.0, 0.5]], requires_grad=True)
    layer(x).sum().backward()
    return _lists([x.grad, layer.weight.grad, layer.bias.grad])


def test_returned_gradients_replace_the_module_input_and_output_gradients():
    out = _replacing_run(fl)
    assert out == _replacing_run(torch)
    assert out[2] == [3.0, 3.0]         # the pre-hook's tripled grad_output


def _order_run(L):
    order = []
    s = L.nn.Sequential(L.nn.Linear(2, 2), L.nn.ReLU(), L.nn.Linear(2, 1))
    for i, mod in enumerate(s):
        mod.register_full_backward_hook(lambda m, gi, go, i=i: order.append(("full", i)))
        mod.register_full_backward_pre_hook(lambda m, go, i=i: order.append(("pre", i)))
    s.register_full_backward_hook(lambda m, gi, go: order.append(("full", "seq")))
    first = s[0].register_full_backward_hook(lambda m, gi, go: order.append("prepended"),
                                             prepend=True)
    s(L.ones(1, 2, requires_grad=True)).sum().backward()
    first.remove()
    s(L.ones(1, 2, requires_grad=True)).sum().backward()
    return order


def test_hooks_fire_in_torchs_order_and_a_removed_one_no_longer_fires():
    assert _order_run(fl) == _order_run(torch)


def _no_input_grad_run(L):
    layer = _linear(L, 2, 1)
    seen = []
    layer.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, _lists(go))))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer(L.ones(1, 2)).sum().backward()
    return seen, [str(w.message) for w in caught]


def test_with_no_input_requiring_grad_the_hook_fires_on_the_output_with_torchs_warning():
    seen, messages = _no_input_grad_run(fl)
    assert (seen, messages) == _no_input_grad_run(torch)
    assert seen[0][0] == (None,) and messages


@pytest.mark.parametrize("hook, kind", [
    (lambda mod, gi, go: (gi[0], gi[0]), "full"),
    (lambda mod, gi, go: 5, "full"),
    (lambda mod, gi, go: (gi[0][:, :1],), "full"),
    (lambda mod, go: (go[0], go[0]), "pre")])
def test_a_hook_returning_wrong_gradients_raises_torchs_error(hook, kind):
    def outcome(L):
        layer = _linear(L)
        if kind == "full":
            layer.register_full_backward_hook(hook)
        else:
            layer.register_full_backward_pre_hook(hook)
        try:
            layer(L.ones(1, 3, requires_grad=True)).sum().backward()
        except Exception as err:     # noqa: BLE001 - the error is the outcome compared
            return type(err).__name__, str(err)
        return None
    assert outcome(fl) == outcome(torch) is not None


def test_module_output_is_named_as_torchs_and_no_grad_calls_are_not_wrapped():
    def names(L):
        layer = _linear(L)
        layer.register_full_backward_hook(lambda mod, gi, go: None)
        x = L.ones(1, 3, requires_grad=True)
        with L.no_grad():
            plain = layer(x)
        return layer(x).grad_fn.name(), plain.grad_fn, plain.requires_grad
    ours, theirs = names(fl), names(torch)
    assert ours[1:] == theirs[1:] == (None, False)
    assert ours[0] == "BackwardHookFunctionBackward" == theirs[0]


def _double_backward_run(L):
    layer = _linear(L)
    layer.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
    x = L.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    (g,) = L.autograd.grad((layer(x) ** 2).sum(), x, create_graph=True)
    g.sum().backward()
    return _lists([g, layer.weight.grad])


def test_hooks_apply_in_a_create_graph_backward():
    assert _double_backward_run(fl) == _double_backward_run(torch)


def test_a_compiled_step_runs_the_hooks_as_the_eager_step():
    def make():
        fl.manual_seed(0)
        model = fl.nn.Sequential(fl.nn.Linear(3, 4), fl.nn.ReLU(), fl.nn.Linear(4, 2))
        model[2].register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0.5,))
        model[0].register_full_backward_pre_hook(lambda mod, go: (go[0] * -1,))
        return model, fl.optim.SGD(model.parameters(), lr=0.1)

    fl.manual_seed(1)
    x, y = fl.randn(5, 3), fl.randn(5, 2)

    def step(model, opt):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    eager_model, eager_opt = make()
    model, opt = make()
    compiled = fl.compile(lambda: step(model, opt))
    for _ in range(3):
        want, got = step(eager_model, eager_opt), compiled()
        assert float(got) == pytest.approx(float(want), rel=1e-6)
    np.testing.assert_allclose(model[0].weight.tolist(), eager_model[0].weight.tolist(),
                               rtol=1e-6)
    # The hooks matter: without them the same steps end elsewhere.
    plain, plain_opt = make()
    plain[2]._backward_hooks.clear()
    plain[0]._backward_pre_hooks.clear()
    for _ in range(3):
        step(plain, plain_opt)
    assert not np.allclose(plain[0].weight.tolist(), model[0].weight.tolist())


def test_registering_a_backward_hook_between_compiled_calls_traces_again():
    fl.manual_seed(0)
    model = fl.nn.Linear(3, 1)
    x = fl.randn(4, 3)

    @fl.compile
    def grads():
        model.zero_grad()
        model(x).sum().backward()
        return model.weight.grad.clone()

    before = grads().tolist()
    model.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
    after = grads().tolist()
    np.testing.assert_allclose(after, np.asarray(before) * 2, rtol=1e-6)


@pytest.mark.parametrize("kind", ["dict", "list"])
@pytest.mark.parametrize("pre", [False, True])
def test_module_returning_neither_tensor_nor_tuple_calls_no_backward_hook(kind, pre):
    """torch warns and calls none of the module's backward hooks (before: the hook ran
    with grad_output None)."""
    def run(T):
        class M(T.nn.Module):
            def forward(self, x):
                return {"a": x * 2} if kind == "dict" else [x * 2, x]
        m, seen = M(), []
        if pre:
            m.register_full_backward_pre_hook(lambda mod, go: seen.append("pre"))
        else:
            m.register_full_backward_hook(lambda mod, gi, go: seen.append("hook"))
        x = T.ones(2, requires_grad=True)
        with pytest.warns(UserWarning) as caught:
            out = m(x)
        (out["a"] if kind == "dict" else out[0]).sum().backward()
        return seen, x.grad.tolist(), str(caught[0].message)
    assert run(fl) == run(torch)
