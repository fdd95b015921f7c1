"""Autograd of the facade against real PyTorch.

Where a value can be compared, the same code runs twice: once with `functorch_like` and
once with `torch`, on the same numpy inputs (the helpers take the module as `torch`, so the
user-facing code is written verbatim, with only the import changed). Behaviour tests that
need no reference value (errors, grad mode) also run under real torch where that is cheap,
which keeps the expectations honest.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch as real_torch

import functorch_like as ft
from functorch_like import autograd as ag

BOTH = pytest.mark.parametrize("torch", [ft, real_torch], ids=["ft", "torch"])


def _np(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol)


# ---- the classic manual loop -----------------------------------------------------------

def _manual_loop(torch, X, Y, W1, W2, steps=50, lr=0.05):
    """A two-layer regression trained by hand, written as a PyTorch user writes it."""
    x = torch.tensor(X)
    y = torch.tensor(Y)
    w1 = torch.tensor(W1, requires_grad=True)
    w2 = torch.tensor(W2, requires_grad=True)
    losses = []
    for _ in range(steps):
        h = (x @ w1).clamp(min=0)
        pred = h @ w2
        loss = (pred - y).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
        losses.append(loss.item())
    return losses, w1.detach().numpy()


def test_manual_training_loop_matches_torch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 3)).astype(np.float32)
    Y = rng.standard_normal((8, 1)).astype(np.float32)
    W1 = (rng.standard_normal((3, 5)) * 0.5).astype(np.float32)
    W2 = (rng.standard_normal((5, 1)) * 0.5).astype(np.float32)
    ours, w_ours = _manual_loop(ft, X, Y, W1, W2)
    ref, w_ref = _manual_loop(real_torch, X, Y, W1, W2)
    assert len(ours) == 50
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(w_ours, w_ref, rtol=1e-5, atol=1e-6)
    assert ours[-1] < 0.5 * ours[0]     # it actually trains


# ---- a dynamic network -----------------------------------------------------------------

def _dynamic_loop(torch, seed, X, Y, Ws, steps=12, lr=0.05):
    """Depth drawn at random each step and a branch on a data value: the graph changes."""
    rng = np.random.default_rng(seed)
    x = torch.tensor(X)
    y = torch.tensor(Y)
    ws = [torch.tensor(w, requires_grad=True) for w in Ws]
    losses, branches = [], []
    for _ in range(steps):
        depth = int(rng.integers(1, 4))
        h = x
        for i in range(depth):
            h = torch.tanh(h @ ws[i])
            if h.mean() > 0:            # data-dependent Python control flow
                h = h * 1.5
                branches.append(1)
            else:
                h = torch.relu(h) + 0.1
                branches.append(0)
        loss = ((h.sum(dim=1) - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for w in ws:
                if w.grad is not None:
                    w -= lr * w.grad
                    w.grad.zero_()
        losses.append(loss.item())
    return losses, branches


def test_dynamic_network_matches_torch():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 4)).astype(np.float32)
    Y = rng.standard_normal(6).astype(np.float32)
    Ws = [(rng.standard_normal((4, 4)) * 0.6).astype(np.float32) for _ in range(3)]
    ours, b_ours = _dynamic_loop(ft, 7, X, Y, Ws)
    ref, b_ref = _dynamic_loop(real_torch, 7, X, Y, Ws)
    assert b_ours == b_ref
    assert 0 < sum(b_ref) < len(b_ref)          # both branches were taken
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


# ---- backward programs are compiled once per graph structure ---------------------------

def _step(w, x, c=2.0):
    loss = ((x @ w).tanh() * c).sum()
    loss.backward()
    return loss


def test_repeated_graph_compiles_once():
    # A shape used nowhere else in this file, so the first iteration is a cold compile.
    x = ft.ones(2, 7)
    w = ft.zeros(7, 3, requires_grad=True)
    deltas = []
    for _ in range(5):
        before = ag.compile_count()
        _step(w, x)
        deltas.append(ag.compile_count() - before)
    assert deltas == [1, 0, 0, 0, 0]


def test_new_structure_compiles_exactly_once_more():
    x = ft.ones(2, 9)
    w = ft.zeros(9, 2, requires_grad=True)
    _step(w, x)
    before = ag.compile_count()
    for _ in range(3):
        (x @ w).sigmoid().mean().backward()     # a different op: a new graph structure
    assert ag.compile_count() - before == 1
    before = ag.compile_count()
    _step(w, x)                                 # the first structure is still cached
    assert ag.compile_count() == before


def test_changing_python_scalar_does_not_recompile():
    x = ft.ones(3, 11)
    w = ft.zeros(11, 2, requires_grad=True)
    _step(w, x, c=0.5)
    before = ag.compile_count()
    for c in (1.5, -2.0, 3.25, 10.0):
        w.grad = None
        _step(w, x, c)
        # d/dw sum(c * tanh(x @ w)) at w = 0 is c * x^T 1.
        np.testing.assert_allclose(_np(w.grad), c * 3 * np.ones((11, 2)), rtol=1e-6)
    assert ag.compile_count() == before


def test_training_loop_does_not_recompile():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((5, 13)).astype(np.float32)
    x = ft.tensor(X)
    w = ft.tensor(rng.standard_normal((13, 1)).astype(np.float32), requires_grad=True)
    counts = []
    for _ in range(4):
        counts.append(ag.compile_count())
        loss = (x @ w).pow(2).mean()
        loss.backward()
        with ft.no_grad():
            w -= 0.01 * w.grad
            w.grad.zero_()
    assert counts[1] == counts[2] == counts[3]
    assert ag.compile_count() == counts[3]


# ---- PyTorch's rules -------------------------------------------------------------------

@BOTH
def test_gradients_accumulate_until_zeroed(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    (x * x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [4.0, 8.0, 12.0])
    assert g is x.grad                  # accumulated in place
    np.testing.assert_allclose(_np(g), [4.0, 8.0, 12.0])
    x.grad.zero_()
    (3 * x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [3.0, 3.0, 3.0])
    x.grad = None
    (x ** 3).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [3.0, 12.0, 27.0])


@BOTH
def test_backward_of_non_scalar_needs_gradient(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                           "outputs"):
        y.backward()
    y.backward(torch.tensor([1.0, 10.0]))
    np.testing.assert_allclose(_np(x.grad), [3.0, 30.0])
    z = x.exp()
    z.backward(gradient=torch.ones_like(z))
    np.testing.assert_allclose(_np(x.grad), [3.0 + np.e, 30.0 + np.exp(2.0)], rtol=1e-6)


@BOTH
def test_second_backward_through_freed_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.sin() * x).sum()
    y.backward(retain_graph=True)
    y.backward()                        # allowed: the first call kept the graph
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second "
                                           "time"):
        y.backward()
    expected = 2 * (np.cos([1.0, 2.0]) * [1.0, 2.0] + np.sin([1.0, 2.0]))
    np.testing.assert_allclose(_np(x.grad), expected, rtol=1e-6)


@BOTH
def test_freed_graph_shared_by_a_later_output(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    h.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second "
                                           "time"):
        (h * 2).sum().backward()


@BOTH
def test_non_leaf_grad_is_none_with_warning(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    (h * 3).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert h.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is not None       # a leaf: no warning


def test_retain_grad_matches_torch():
    a = np.array([[0.5, -1.0], [2.0, 0.3]], np.float32)
    out = {}
    for torch in (ft, real_torch):
        x = torch.tensor(a, requires_grad=True)
        h = x @ x
        h.retain_grad()
        assert h.retains_grad
        y = h.tanh()
        y.retain_grad()
        (y * y).sum().backward()
        out[torch] = (h.grad, y.grad, x.grad)
        assert not x.retains_grad
    for ours, ref in zip(out[ft], out[real_torch]):
        _close(ours, ref)


@BOTH
def test_retain_grad_accumulates(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    y = (h * h).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(_np(h.grad), 2 * 2 * np.array([2.0, 4.0]))


@BOTH
def test_inplace_on_leaf_requiring_grad(torch):
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation."):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w *= 2
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 5.0
    np.testing.assert_allclose(_np(w), [1.0, 2.0])
    with torch.no_grad():
        w.add_(1.0)
        w *= 2
        w[0] = 5.0
    np.testing.assert_allclose(_np(w), [5.0, 6.0])
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    (w * w).sum().backward()
    np.testing.assert_allclose(_np(w.grad), [10.0, 12.0])


@BOTH
def test_inplace_on_non_leaf_keeps_the_graph(torch):
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * 2
    h.add_(x)
    h.mul_(3.0)
    h.relu_()
    assert not h.is_leaf
    h.sum().backward()
    # h = 3 * relu(3x): d/dx = 9 * 1[x > 0]
    np.testing.assert_allclose(_np(x.grad), [9.0, 0.0, 9.0])


@BOTH
def test_inplace_into_a_plain_tensor_joins_the_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    buf = torch.zeros(2)
    buf.add_(x * 3)
    assert buf.requires_grad and not buf.is_leaf
    buf.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [3.0, 3.0])


# ---- grad mode -------------------------------------------------------------------------

@BOTH
def test_grad_mode_context_managers_nest(torch):
    x = torch.ones(2, requires_grad=True)
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = x * 2
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            z = x * 2
            with torch.set_grad_enabled(False):
                assert not torch.is_grad_enabled()
                u = x * 2
            assert torch.is_grad_enabled()
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert z.requires_grad and z.grad_fn is not None
    assert not u.requires_grad


@BOTH
def test_grad_mode_restored_after_exception(torch):
    with pytest.raises(ValueError):
        with torch.no_grad():
            raise ValueError
    assert torch.is_grad_enabled()


@BOTH
def test_set_grad_enabled_as_function(torch):
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
        assert not (torch.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled()


@BOTH
def test_grad_mode_decorators(torch):
    x = torch.ones(2, requires_grad=True)

    @torch.no_grad()
    def called():
        return x * 2, torch.is_grad_enabled()

    @torch.no_grad
    def bare():
        return x * 2

    @torch.enable_grad()
    def inner():
        return x * 2

    @torch.enable_grad
    def inner_bare():
        return x * 2

    @torch.set_grad_enabled(False)
    def disabled():
        return x * 2

    assert torch.is_grad_enabled()      # decorating changes nothing
    y, mode = called()
    assert not mode and not y.requires_grad
    assert not bare().requires_grad
    assert not disabled().requires_grad
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert inner().requires_grad
        assert inner_bare().requires_grad
        assert not torch.is_grad_enabled()
    assert called.__name__ == "called"   # functools.wraps
    # A decorated function may be called again and recursively.
    assert not called()[0].requires_grad


@BOTH
def test_tensors_made_under_no_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        for t in (x * 2, x.sum(), torch.zeros(2), x.clone(), x.exp(), x.detach()):
            assert not t.requires_grad
            assert t.grad_fn is None and t.is_leaf
        made = torch.ones(2, requires_grad=True)
    assert made.requires_grad      # an explicit request still holds


def test_views_made_under_no_grad_do_not_require_grad():
    # Deliberately not PyTorch: torch's views of a leaf made under no_grad (x[0], x.view)
    # report requires_grad=True (with no grad_fn); here every no_grad result is a constant.
    x = ft.tensor([1.0, 2.0], requires_grad=True)
    with ft.no_grad():
        for t in (x[0], x.view(2, 1), x.unsqueeze(0)):
            assert not t.requires_grad and t.grad_fn is None and t.is_leaf


@BOTH
def test_inference_mode(torch):
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        assert not (x * 2).requires_grad
        assert not torch.is_grad_enabled()
    with torch.inference_mode(False):
        assert (x * 2).requires_grad


# ---- detach and .data -------------------------------------------------------------------

@BOTH
def test_detach_cuts_the_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    d = h.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    y = (h + d * x).sum()               # d = x^2 is a constant here: dy/dx = 2x + x^2
    y.backward()
    np.testing.assert_allclose(_np(x.grad), [2 + 1, 4 + 4])
    np.testing.assert_allclose(_np(d), [1.0, 4.0])


@BOTH
def test_data_and_detach_share_the_value(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data.add_(1.0)                    # allowed: .data is outside the graph
    np.testing.assert_allclose(_np(x), [2.0, 3.0])
    assert x.requires_grad and x.is_leaf
    d = x.detach()
    d.mul_(2.0)
    np.testing.assert_allclose(_np(x), [4.0, 6.0])
    x.data.data.sub_(1.0)
    np.testing.assert_allclose(_np(x), [3.0, 5.0])
    x.detach().detach().zero_()
    np.testing.assert_allclose(_np(x), [0.0, 0.0])
    x.data = torch.tensor([7.0, 8.0])
    np.testing.assert_allclose(_np(x), [7.0, 8.0])
    assert x.requires_grad
    (x * x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [14.0, 16.0])


@BOTH
def test_detached_alias_sees_later_inplace_change(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    with torch.no_grad():
        x.add_(1.0)
    np.testing.assert_allclose(_np(d), [2.0, 3.0])


@BOTH
def test_detach_inplace(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.detach_()
    assert not h.requires_grad and h.is_leaf
    np.testing.assert_allclose(_np(h), [2.0, 4.0])


# ---- grad_fn and the graph ---------------------------------------------------------------

_GRAD_FN_CASES = {
    "add": lambda torch, a, b: a + b,
    "add_scalar": lambda torch, a, b: a + 1.0,
    "sub": lambda torch, a, b: a - b,
    "rsub": lambda torch, a, b: 1.0 - a,
    "mul": lambda torch, a, b: a * b,
    "div": lambda torch, a, b: a / b,
    "neg": lambda torch, a, b: -a,
    "sum": lambda torch, a, b: a.sum(),
    "sum_dim": lambda torch, a, b: a.sum(dim=0),
    "mean": lambda torch, a, b: a.mean(),
    "mean_dim": lambda torch, a, b: a.mean(1),
    "mm": lambda torch, a, b: a @ b,
    "matmul_vec": lambda torch, a, b: a @ b[0],
    "pow": lambda torch, a, b: a ** 2,
    "pow_tensor": lambda torch, a, b: a ** b,
    "exp": lambda torch, a, b: a.exp(),
    "log": lambda torch, a, b: a.log(),
    "sin": lambda torch, a, b: torch.sin(a),
    "tanh": lambda torch, a, b: a.tanh(),
    "sigmoid": lambda torch, a, b: torch.sigmoid(a),
    "relu": lambda torch, a, b: torch.relu(a),
    "sqrt": lambda torch, a, b: a.sqrt(),
    "abs": lambda torch, a, b: a.abs(),
    "view": lambda torch, a, b: a.view(4),
    "reshape": lambda torch, a, b: a.reshape(4),
    "t": lambda torch, a, b: a.t(),
    "transpose": lambda torch, a, b: a.transpose(0, 1),
    "permute": lambda torch, a, b: a.permute(1, 0),
    "unsqueeze": lambda torch, a, b: a.unsqueeze(0),
    "squeeze": lambda torch, a, b: a[:1].squeeze(0),
    "select": lambda torch, a, b: a[0],
    "slice": lambda torch, a, b: a[:, 1:],
    "expand": lambda torch, a, b: a[:1].expand(3, 2),
    "cat": lambda torch, a, b: torch.cat([a, b]),
    "stack": lambda torch, a, b: torch.stack([a, b]),
    "clone": lambda torch, a, b: a.clone(),
    "max": lambda torch, a, b: a.max(),
    "max_dim": lambda torch, a, b: a.max(dim=1)[0],
    "clamp": lambda torch, a, b: a.clamp(min=0.5),
    "softmax": lambda torch, a, b: torch.softmax(a, dim=1),
    "log_softmax": lambda torch, a, b: torch.log_softmax(a, dim=1),
    "where": lambda torch, a, b: torch.where(a > 1, a, b),
    "to_half": lambda torch, a, b: a.half(),
    "index": lambda torch, a, b: a[torch.tensor([1, 0])],
    "var": lambda torch, a, b: a.var(),
}


def _node_name(torch, node):
    """'MulBackward0', 'AccumulateGrad' or None, under either library."""
    if node is None:
        return None
    return type(node).__name__ if torch is real_torch else node.name().split("::")[-1]


@pytest.mark.parametrize("case", sorted(_GRAD_FN_CASES))
def test_grad_fn_names_match_torch(case):
    a = np.array([[1.0, 2.0], [3.0, 0.5]], np.float32)
    b = np.array([[0.5, 1.5], [2.0, 1.0]], np.float32)
    names = []
    for torch in (ft, real_torch):
        x = torch.tensor(a, requires_grad=True)
        y = torch.tensor(b, requires_grad=True)
        names.append(_node_name(torch, _GRAD_FN_CASES[case](torch, x, y).grad_fn))
    assert names[0] == names[1]


def test_grad_fn_repr_and_tensor_repr():
    x = ft.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).sum()
    assert repr(y.grad_fn).startswith("<SumBackward0 object at 0x")
    assert repr(y) == "tensor(6., grad_fn=<SumBackward0>)"
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"


@BOTH
def test_next_functions_walk_the_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    y = (x * 2 + c).sum()

    def name(node):
        return _node_name(torch, node)

    sum_fn = y.grad_fn
    assert name(sum_fn) == "SumBackward0"
    (add_fn, idx), = sum_fn.next_functions
    assert name(add_fn) == "AddBackward0" and idx == 0
    (mul_fn, _), (const, _) = add_fn.next_functions
    assert name(mul_fn) == "MulBackward0"
    assert const is None                # a constant has no node
    (acc, _), (scalar, _) = mul_fn.next_functions
    assert name(acc) == "AccumulateGrad"
    assert acc.variable is x
    assert scalar is None
    assert acc.next_functions == ()
    # The same leaf used twice has one accumulator.
    z = x * x
    (a1, _), (a2, _) = z.grad_fn.next_functions
    assert a1 is a2 is acc


@BOTH
def test_multi_output_next_functions_index(torch):
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a, b = x.split(2)
    y = b * 2
    (node, index), _ = y.grad_fn.next_functions
    assert index == 1 and node is a.grad_fn is b.grad_fn


@BOTH
def test_is_leaf_and_requires_grad_flags(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([1.0, 2.0])
    y = x * c
    assert x.is_leaf and c.is_leaf and not y.is_leaf
    assert x.requires_grad and not c.requires_grad and y.requires_grad
    assert (c * 2).grad_fn is None and (c * 2).is_leaf


# ---- errors ------------------------------------------------------------------------------

@BOTH
def test_backward_without_grad_raises(torch):
    c = torch.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and "
                                           "does not have a grad_fn"):
        c.sum().backward()
    x = torch.tensor([1.0], requires_grad=True)
    with torch.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        y.backward()
    with pytest.raises(RuntimeError, match="element 1 of tensors does not require grad"):
        torch.autograd.backward([(x * 2).sum(), c.sum()])


@BOTH
def test_requires_grad_setter(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables."):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="^you can only change requires_grad flags of "
                                           "leaf variables.$"):
        y.requires_grad = True
    with pytest.raises(RuntimeError, match="var_no_grad = var.detach()"):
        y.requires_grad_(False)
    assert y.requires_grad_() is y      # a no-op on a non-leaf
    assert y.requires_grad and not y.is_leaf
    i = torch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype "
                                           "can require gradients"):
        i.requires_grad = True
    # torch words these two slightly differently ("only Tensors of floating point dtype
    # ...", "Only Tensors of ..."); here they share the setter's text.
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        i.requires_grad_()
    with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
        torch.tensor([1, 2], requires_grad=True)
    i.requires_grad = False             # allowed
    c = torch.tensor([1.0])
    c.requires_grad_()
    assert c.requires_grad and c.is_leaf
    c.requires_grad_(False)
    assert not c.requires_grad


@BOTH
def test_numpy_of_tensor_requiring_grad(torch):
    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires "
                                           "grad"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]
    assert (x * 2).item() == 2.0


# ---- torch.autograd.grad ----------------------------------------------------------------

def _mlp_case(torch, X, W1, W2):
    x = torch.tensor(X)
    w1 = torch.tensor(W1, requires_grad=True)
    w2 = torch.tensor(W2, requires_grad=True)
    h = torch.tanh(x @ w1)
    out = (h @ w2).sum(dim=1)
    return x, w1, w2, h, out


_RNG = np.random.default_rng(3)
_X = _RNG.standard_normal((4, 3)).astype(np.float32)
_W1 = _RNG.standard_normal((3, 5)).astype(np.float32)
_W2 = _RNG.standard_normal((5, 2)).astype(np.float32)
_G = _RNG.standard_normal(4).astype(np.float32)


def test_autograd_grad_matches_torch_and_leaves_grad_alone():
    res = {}
    for torch in (ft, real_torch):
        x, w1, w2, h, out = _mlp_case(torch, _X, _W1, _W2)
        g1, g2 = torch.autograd.grad(out, [w1, w2], grad_outputs=torch.tensor(_G),
                                     retain_graph=True)
        assert w1.grad is None and w2.grad is None
        gh, = torch.autograd.grad(out.sum(), h)          # w.r.t. a non-leaf
        assert not g1.requires_grad and g1.is_leaf
        res[torch] = (g1, g2, gh)
    for ours, ref in zip(res[ft], res[real_torch]):
        _close(ours, ref)


def test_autograd_grad_of_several_outputs():
    res = {}
    for torch in (ft, real_torch):
        x, w1, w2, h, out = _mlp_case(torch, _X, _W1, _W2)
        a = out.sum()
        b = (h ** 2).mean()
        res[torch] = torch.autograd.grad([a, b], [w1, w2])
    for ours, ref in zip(res[ft], res[real_torch]):
        _close(ours, ref)


@BOTH
def test_autograd_grad_unused_input(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to "
                                           "not have been used in the graph. Set "
                                           "allow_unused=True"):
        torch.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = torch.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gz is None
    np.testing.assert_allclose(_np(gx), [2.0, 4.0])
    gx, gz = torch.autograd.grad(y, [x, z], materialize_grads=True)
    np.testing.assert_allclose(_np(gz), [0.0])


@BOTH
def test_autograd_grad_input_without_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([1.0, 2.0])
    y = (x * c).sum()
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not "
                                           "require grad"):
        torch.autograd.grad(y, [c])


@BOTH
def test_autograd_grad_frees_the_graph(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    torch.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second "
                                           "time"):
        torch.autograd.grad(y, x)


@BOTH
def test_grad_of_a_leaf_itself(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g, = torch.autograd.grad(x, x, grad_outputs=torch.tensor([3.0, 4.0]))
    np.testing.assert_allclose(_np(g), [3.0, 4.0])


@BOTH
def test_backward_inputs_restricts_accumulation(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    h.retain_grad()
    y = (h * h).sum()
    y.backward(inputs=[w], retain_graph=True)
    assert x.grad is None
    np.testing.assert_allclose(_np(w.grad), 2 * np.array([3.0, 8.0]) * [1.0, 2.0])
    # The gradient reached w through h, so h's retain_grad hook ran too.
    np.testing.assert_allclose(_np(h.grad), 2 * np.array([3.0, 8.0]))
    y.backward(inputs=[x, h])
    np.testing.assert_allclose(_np(x.grad), 2 * np.array([3.0, 8.0]) * [3.0, 4.0])
    np.testing.assert_allclose(_np(h.grad), 2 * 2 * np.array([3.0, 8.0]))
    np.testing.assert_allclose(_np(w.grad), 2 * np.array([3.0, 8.0]) * [1.0, 2.0])


@BOTH
def test_retained_grads_only_on_the_path_to_inputs(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    a = x * 2
    b = w * 3
    h = a * b
    for t in (a, b, h):
        t.retain_grad()
    y = (h * h).sum()
    y.backward(inputs=[w], retain_graph=True)
    assert a.grad is None
    np.testing.assert_allclose(_np(b.grad), [72.0, 384.0])
    np.testing.assert_allclose(_np(h.grad), [36.0, 96.0])
    h.grad = b.grad = None
    y.backward(inputs=[h], retain_graph=True)
    assert a.grad is None and b.grad is None and x.grad is None
    np.testing.assert_allclose(_np(h.grad), [36.0, 96.0])
    h.grad = None
    y.backward(inputs=[b])
    assert a.grad is None and x.grad is None
    np.testing.assert_allclose(_np(b.grad), [72.0, 384.0])
    np.testing.assert_allclose(_np(h.grad), [36.0, 96.0])


@BOTH
def test_autograd_grad_fills_retained_grads_only(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    gx, = torch.autograd.grad((h * h).sum(), x)
    np.testing.assert_allclose(_np(gx), [8.0, 16.0])
    assert x.grad is None
    np.testing.assert_allclose(_np(h.grad), [4.0, 8.0])


@BOTH
def test_backward_of_several_roots(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.backward([(x * 2).sum(), x.exp()], [None, torch.tensor([1.0, 0.0])])
    np.testing.assert_allclose(_np(x.grad), [2.0 + np.e, 2.0], rtol=1e-6)


# ---- higher-order gradients ---------------------------------------------------------------

@BOTH
def test_third_derivative_of_cube(torch):
    x = torch.tensor([0.5, -2.0, 3.0], requires_grad=True)
    y = (x ** 3).sum()
    g, = torch.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad
    np.testing.assert_allclose(_np(g), 3 * _np(x) ** 2, rtol=1e-6)
    g2, = torch.autograd.grad(g.sum(), x, create_graph=True)
    np.testing.assert_allclose(_np(g2), 6 * _np(x), rtol=1e-6)
    g3, = torch.autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(_np(g3), [6.0, 6.0, 6.0], rtol=1e-6)


def test_higher_derivatives_of_sin_match_torch():
    xs = np.array([0.3, 1.2, -2.0], np.float32)
    res = {}
    for torch in (ft, real_torch):
        x = torch.tensor(xs, requires_grad=True)
        y = torch.sin(x * x).sum()
        g1, = torch.autograd.grad(y, x, create_graph=True)
        g2, = torch.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = torch.autograd.grad(g2.sum(), x)
        res[torch] = (g1, g2, g3)
    for ours, ref in zip(res[ft], res[real_torch]):
        _close(ours, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_create_graph_backward_accumulates_differentiable_grad():
    res = {}
    for torch in (ft, real_torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        assert x.grad.requires_grad
        gsum = x.grad.sum()
        x.grad = None
        gsum.backward()
        res[torch] = x.grad
    _close(res[ft], res[real_torch])


def test_mlp_hessian_vector_product_matches_torch():
    v1 = _RNG.standard_normal((3, 5)).astype(np.float32)
    v2 = _RNG.standard_normal((5, 2)).astype(np.float32)
    res = {}
    for torch in (ft, real_torch):
        x, w1, w2, h, out = _mlp_case(torch, _X, _W1, _W2)
        loss = (out ** 2).mean()
        g1, g2 = torch.autograd.grad(loss, [w1, w2], create_graph=True)
        dot = (g1 * torch.tensor(v1)).sum() + (g2 * torch.tensor(v2)).sum()
        hv1, hv2 = torch.autograd.grad(dot, [w1, w2])
        res[torch] = (g1, g2, hv1, hv2)
    for ours, ref in zip(res[ft], res[real_torch]):
        _close(ours, ref, rtol=1e-4, atol=1e-5)


def test_gradient_penalty_style_double_backward():
    # WGAN-GP: the norm of d(out)/d(input) enters the loss, then backward to the weights.
    res = {}
    for torch in (ft, real_torch):
        xi = torch.tensor(_X, requires_grad=True)
        w1 = torch.tensor(_W1, requires_grad=True)
        out = torch.tanh(xi @ w1).sum()
        gx, = torch.autograd.grad(out, xi, create_graph=True)
        penalty = ((gx.pow(2).sum(dim=1).sqrt() - 1) ** 2).mean()
        (penalty + out).backward()
        res[torch] = (w1.grad, xi.grad)
    for ours, ref in zip(res[ft], res[real_torch]):
        _close(ours, ref, rtol=1e-4, atol=1e-5)


# ---- multi-output ops and integer intermediates ------------------------------------------

def _multi_output_case(torch, a):
    x = torch.tensor(a, requires_grad=True)
    values, idx = x.max(dim=1)
    first, second = x.split([1, 2], dim=1)
    rows = x.unbind(0)
    best = x.reshape(-1).argmax()
    picked = x.reshape(-1)[best]                    # integer intermediate used to index
    col = x[torch.arange(3), x.argmin(dim=1)]       # advanced indexing by argmin
    loss = (values * torch.tensor([1.0, 2.0, 3.0])).sum() + (second ** 2).sum() \
        + rows[1].exp().sum() + 5 * picked + 7 * col.sum() + first.sum() * 0.5
    loss.backward()
    assert not idx.requires_grad and idx.grad_fn is None
    return x.grad, idx, best


def test_multi_output_ops_and_integer_indices_match_torch():
    a = np.array([[0.1, 0.9, -0.3], [2.0, -1.0, 0.5], [0.7, 0.2, 1.5]], np.float32)
    g, idx, best = _multi_output_case(ft, a)
    g_ref, idx_ref, best_ref = _multi_output_case(real_torch, a)
    _close(g, g_ref)
    assert idx.tolist() == idx_ref.tolist() and best.item() == best_ref.item()


@BOTH
def test_only_some_outputs_of_a_multi_output_op_used(torch):
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a, b, c, d = x.unbind()
    (c * 3).backward()
    np.testing.assert_allclose(_np(x.grad), [0.0, 0.0, 3.0, 0.0])
    x.grad = None
    _, top = x.split(2)
    top.retain_grad()
    (top * top).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [0.0, 0.0, 6.0, 8.0])
    np.testing.assert_allclose(_np(top.grad), [6.0, 8.0])


@BOTH
def test_integer_tensor_from_a_graph_does_not_require_grad(torch):
    x = torch.tensor([1.5, 2.5], requires_grad=True)
    i = (x * 2).long()
    assert not i.requires_grad and i.grad_fn is None
    b = x > 2
    assert not b.requires_grad
    y = (x * b).sum()                   # the mask is a constant for the gradient
    y.backward()
    np.testing.assert_allclose(_np(x.grad), [0.0, 1.0])


# ---- leaves modified between forward and backward -----------------------------------------

@BOTH
def test_leaf_modified_after_forward_gradient_unaffected(torch):
    # torch saves no value of w for `w * 3` or `w + b`, so a later in-place update of w
    # (e.g. an optimizer step between forward and backward) does not change the gradient.
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([0.5, 0.5], requires_grad=True)
    y = (w * 3 + b).sum()
    with torch.no_grad():
        w.add_(10.0)
    y.backward()
    np.testing.assert_allclose(_np(w.grad), [3.0, 3.0])


def test_leaf_modified_after_forward_uses_forward_value():
    # torch raises here ("modified by an inplace operation": w was saved by w * w); the
    # replay computes the gradient at the values the forward pass saw, never a mix.
    w = ft.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    with ft.no_grad():
        w.mul_(10.0)
    y.backward()
    np.testing.assert_allclose(_np(w.grad), [2.0, 4.0])


def test_leaf_used_before_and_after_modification():
    w = ft.tensor([1.0, 2.0], requires_grad=True)
    a = (w * w).sum()
    with ft.no_grad():
        w.add_(1.0)
    b = (w * w).sum()
    (a + b).backward()
    np.testing.assert_allclose(_np(w.grad), 2 * np.array([1.0, 2.0]) + 2 * np.array([2.0, 3.0]))


# ---- many ops, one compilation -----------------------------------------------------------

def _many_ops_loss(torch, x, w, idx):
    h = torch.cat([x @ w, x], dim=1)
    h = h.view(3, -1).permute(1, 0).reshape(-1, 3)
    h = torch.softmax(h, dim=1) * h[:, :1] + h[idx].sum()
    h = torch.where(h > 0, h, h * 0.1).unsqueeze(0).expand(2, -1, -1)
    v, _ = h.max(dim=-1)
    return v.mean() + h.split(1, dim=1)[-1].pow(2).sum()


def test_many_ops_backward_compiles_once_and_matches_torch():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 5)).astype(np.float32)
    W = rng.standard_normal((5, 4)).astype(np.float32)
    idx = np.array([2, 0, 1])
    grads = {}
    for torch in (ft, real_torch):
        w = torch.tensor(W, requires_grad=True)
        counts = []
        for step in range(3):
            counts.append(ag.compile_count())
            x = torch.tensor(X * (step + 1))       # new data each step, same structure
            _many_ops_loss(torch, x, w, torch.tensor(idx)).backward()
        grads[torch] = w.grad
        if torch is ft:
            assert counts[1] == counts[2] == ag.compile_count()
    _close(grads[ft], grads[real_torch], rtol=1e-4, atol=1e-5)


# ---- under jax transformations ------------------------------------------------------------

def test_tensor_is_a_pytree_with_jax_array():
    t = ft.tensor([1.0, 2.0], requires_grad=True)
    leaves, treedef = jax.tree_util.tree_flatten({"w": t})
    assert len(leaves) == 1 and isinstance(leaves[0], jax.Array)
    back = jax.tree_util.tree_unflatten(treedef, leaves)["w"]
    assert isinstance(back, ft.Tensor) and back.requires_grad
    np.testing.assert_allclose(np.asarray(jnp.asarray(t)), [1.0, 2.0])
    np.testing.assert_allclose(np.asarray(jnp.sin(t)), np.sin([1.0, 2.0]), rtol=1e-6)


def _facade_fn(w, x):
    """A function written with facade ops only."""
    h = ft.tanh(x @ w)
    return (h * h).sum(dim=1).mean() + ft.relu(w).sum() * 0.1


def test_facade_function_under_jit_matches_eager():
    rng = np.random.default_rng(5)
    w = ft.tensor(rng.standard_normal((3, 2)).astype(np.float32))
    x = ft.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    eager = _facade_fn(w, x)
    jitted = jax.jit(_facade_fn)(w, x)
    assert isinstance(jitted, ft.Tensor)
    np.testing.assert_allclose(_np(jitted), _np(eager), rtol=1e-6)


def test_jax_grad_of_facade_function_matches_torch_backward():
    rng = np.random.default_rng(6)
    W = rng.standard_normal((3, 2)).astype(np.float32)
    X = rng.standard_normal((4, 3)).astype(np.float32)

    def as_array(w, x):
        return _facade_fn(ft.Tensor._make(w), ft.Tensor._make(x))._value

    g = jax.jit(jax.grad(as_array))(jnp.asarray(W), jnp.asarray(X))
    gt = jax.grad(lambda w, x: _facade_fn(w, x)._value)(ft.tensor(W), ft.tensor(X))
    wt = real_torch.tensor(W, requires_grad=True)
    h = real_torch.tanh(real_torch.tensor(X) @ wt)
    ((h * h).sum(dim=1).mean() + real_torch.relu(wt).sum() * 0.1).backward()
    np.testing.assert_allclose(np.asarray(g), wt.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert isinstance(gt, ft.Tensor)    # gradient w.r.t. a Tensor is a Tensor (a pytree)
    np.testing.assert_allclose(_np(gt), wt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_vmap_over_facade_function():
    rng = np.random.default_rng(7)
    w = ft.tensor(rng.standard_normal((3, 2)).astype(np.float32))
    xs = rng.standard_normal((5, 4, 3)).astype(np.float32)
    batched = jax.vmap(_facade_fn, in_axes=(None, 0))(w, ft.tensor(xs))
    assert batched.shape == (5,)
    for i in range(5):
        np.testing.assert_allclose(_np(batched)[i], _np(_facade_fn(w, ft.tensor(xs[i]))),
                                   rtol=1e-5)


def test_backward_inside_jit_matches_eager():
    # A whole PyTorch-style step, traced: backward runs on tracers.
    rng = np.random.default_rng(8)
    W = rng.standard_normal((3, 2)).astype(np.float32)
    X = rng.standard_normal((4, 3)).astype(np.float32)

    def step(w_arr, x_arr):
        w = ft.Tensor._make(w_arr, requires_grad=True)
        loss = _facade_fn(w, ft.Tensor._make(x_arr))
        loss.backward()
        return loss._value, w.grad._value

    loss_j, grad_j = jax.jit(step)(jnp.asarray(W), jnp.asarray(X))
    loss_e, grad_e = step(jnp.asarray(W), jnp.asarray(X))
    # One program vs op by op: float32 rounding may differ (fusion, FMA contraction).
    np.testing.assert_allclose(np.asarray(loss_j), np.asarray(loss_e), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.asarray(grad_j), np.asarray(grad_e), rtol=1e-5, atol=1e-7)


def test_grad_mode_inside_jit():
    def f(x_arr):
        x = ft.Tensor._make(x_arr, requires_grad=True)
        with ft.no_grad():
            y = x * 2
        return (y * 1.0)._value, y.requires_grad

    out = jax.jit(lambda a: f(a)[0])(jnp.ones(2))
    np.testing.assert_allclose(np.asarray(out), [2.0, 2.0])
    assert not f(jnp.ones(2))[1]


# ---- smaller rules -----------------------------------------------------------------------

@BOTH
def test_shape_and_type_errors(torch):
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape "
                                           r"of torch.Size\(\[3\]\) and output\[0\] has a "
                                           r"shape of torch.Size\(\[2\]\)."):
        (x * 2).backward(torch.ones(3))
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has "
                                           "requires_grad=False"):
        torch.ones(2).retain_grad()
    with pytest.raises(RuntimeError, match="attempting to assign a gradient of size '\\[3\\]' "
                                           "to a tensor of size '\\[2\\]'"):
        x.grad = torch.ones(3)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but "
                                        "got grad of type list"):
        x.grad = [1.0, 2.0]


@BOTH
def test_backward_of_a_leaf(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.backward(torch.tensor([3.0, 4.0]))
    np.testing.assert_allclose(_np(x.grad), [3.0, 4.0])
    s = torch.tensor(2.0, requires_grad=True)
    s.backward()
    assert s.grad.item() == 1.0


@BOTH
def test_grad_alias_sees_accumulation(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    view = x.grad.detach()
    (x * 3).sum().backward()
    np.testing.assert_allclose(_np(view), [5.0, 5.0])


def test_float64_gradients_match_torch(x64):
    a = np.array([[0.3, -1.2], [2.5, 0.7]])
    res = {}
    for torch in (ft, real_torch):
        x = torch.tensor(a, requires_grad=True)
        y = (torch.tanh(x @ x) ** 2).sum() + x.exp().mean()
        y.backward()
        assert x.grad.dtype == torch.float64
        res[torch] = x.grad
    _close(res[ft], res[real_torch], rtol=1e-12, atol=1e-12)


@BOTH
def test_grad_of_parameters_generator(torch):
    ws = [torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor(3.0, requires_grad=True)]
    y = (ws[0] * ws[1]).sum()
    g0, g1 = torch.autograd.grad(y, (w for w in ws))
    np.testing.assert_allclose(_np(g0), [3.0, 3.0])
    assert g1.item() == 3.0


@BOTH
def test_no_grad_decorated_generator(torch):
    x = torch.ones(2, requires_grad=True)

    @torch.no_grad()
    def gen():
        for _ in range(2):
            yield (x * 2).requires_grad, torch.is_grad_enabled()
        return "done"

    it = gen()
    assert next(it) == (False, False)
    assert torch.is_grad_enabled()          # the caller's mode between steps
    assert (x * 2).requires_grad
    assert next(it) == (False, False)
    with pytest.raises(StopIteration):
        next(it)


@BOTH
def test_backward_inputs_edge_cases(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward(inputs=[z])      # unused: nothing happens, no error
    assert z.grad is None and x.grad is None
    h = x * 3
    (h * h).sum().backward(inputs=[h, h])   # listed twice, accumulated once
    np.testing.assert_allclose(_np(h.grad), [6.0, 12.0])


def test_batched_grad_outputs_match_torch():
    # The rows of a Jacobian, one vector-Jacobian product per batch element.
    a = np.array([0.5, -1.0, 2.0], np.float32)
    res = {}
    for torch in (ft, real_torch):
        x = torch.tensor(a, requires_grad=True)
        y = torch.sin(x) * x.sum()
        jac, = torch.autograd.grad(y, x, grad_outputs=torch.eye(3), is_grads_batched=True)
        res[torch] = jac
    assert tuple(res[ft].shape) == (3, 3)
    _close(res[ft], res[real_torch])


def test_copy_slices_node_name_as_torch():
    # An indexed write's node is torch's autograd-internal CopySlices: name() carries the
    # torch::autograd namespace, the class name and the tensor's repr do not.
    def names(torch):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x.clone()
        y[0] = 3.0
        return y.grad_fn.name(), type(y.grad_fn).__name__, repr(y), \
            repr(y.grad_fn).split(" object")[0]
    assert names(ft) == names(real_torch)
