"""In-place writes inside torch.func's grad-type transforms, against torch 2.13: writes
into an argument that is not differentiated reach the caller's tensor (the primal value),
writes into a differentiated argument raise autograd's leaf errors, and writes into a
tensor the function neither got nor made (a closed-over buffer, a Module's BatchNorm
statistics) raise torch's captured-tensor error, leaving that tensor as it was. Before,
the first were dropped, the second computed a gradient, and the third left a JAX tracer
in the tensor or updated it once per trace."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _outcome(fn):
    """('ok', value) or (exception type name, message)."""
    try:
        return "ok", fn()
    except Exception as e:     # (compared with torch's, type and text)
        return type(e).__name__, str(e)


def _lists(tree):
    if isinstance(tree, (tuple, list)):
        return [_lists(t) for t in tree]
    return np.asarray(tree.detach()).round(6).tolist()


def _both(case):
    """case(lib) on torch and on functorch_like: their outcomes, values as lists."""
    out = []
    for lib in (torch, fl):
        kind, value = _outcome(lambda: case(lib))
        out.append((kind, _lists(value) if kind == "ok" else value))
    return out


# ---- writes into arguments ----------------------------------------------------------------

def _grad_other_arg(lib):
    y = lib.tensor([1., 2., 3.])
    g = lib.func.grad(lambda x, y: y.mul_(x).pow(2).sum())(lib.tensor([1., 2., 3.]), y)
    return g, y


def _jacrev_other_arg(lib):
    y = lib.ones(3)
    j = lib.func.jacrev(lambda x, y: y.mul_(2) * x)(lib.tensor([1., 2., 3.]), y)
    return j, y


def _grad_and_value_other_arg(lib):
    y = lib.zeros(2)
    (g, v) = lib.func.grad_and_value(lambda x, y: (y.add_(x) * x).sum())(
        lib.tensor([1., 2.]), y)
    return g, v, y


def _jvp_primal(lib):
    x = lib.tensor([1., 2., 3.])
    out, tangent = lib.func.jvp(lambda x: x.mul_(2), (x,), (lib.ones(3),))
    return out, tangent, x


def _jacfwd_primal(lib):
    x = lib.tensor([1., 2.])
    return lib.func.jacfwd(lambda x: x.mul_(3))(x), x


def _grad_argnums_1(lib):
    x, y = lib.tensor([1., 2.]), lib.tensor([3., 4.])
    g = lib.func.grad(lambda x, y: (x.add_(1) * y).sum(), argnums=1)(x, y)
    return g, x, y


@pytest.mark.parametrize("case", [_grad_other_arg, _jacrev_other_arg,
                                  _grad_and_value_other_arg, _jvp_primal, _jacfwd_primal,
                                  _grad_argnums_1])
def test_writes_into_arguments_reach_the_caller(case):
    want, got = _both(case)
    assert want[0] == "ok"
    assert got == want


def test_a_recorded_transform_writes_back_once():
    """A transform that is part of the eager graph (the model's parameters need grad) is
    replayed by backward; its write into the argument happens once."""
    def case(lib):
        model = lib.nn.Linear(3, 1)
        with lib.no_grad():
            model.weight.copy_(lib.tensor([[0.5, -1.0, 2.0]]))
            model.bias.fill_(0.25)
        y = lib.zeros(3)

        def f(x, y):
            y.add_(1)
            return (model(x) ** 2).sum()
        g = lib.func.grad(f)(lib.tensor([1., 2., 3.]), y)
        g.sum().backward()
        return g, y, model.weight.grad
    want, got = _both(case)
    assert want[0] == "ok"
    np.testing.assert_allclose(np.array(got[1][0]), np.array(want[1][0]), rtol=1e-5)
    assert got[1][1] == want[1][1] == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(np.array(got[1][2]), np.array(want[1][2]), rtol=1e-5)


@pytest.mark.parametrize("transform", ["grad", "jacrev", "vjp", "hessian",
                                       "grad_and_value"])
@pytest.mark.parametrize("write", ["add_", "setitem", "view", "unsqueeze_"])
def test_writes_into_a_differentiated_argument_raise(transform, write):
    def case(lib):
        def f(x):
            if write == "add_":
                x.add_(1)
            elif write == "setitem":
                x[0] = 5.0
            elif write == "view":
                x[:2].mul_(2)
            else:
                x.unsqueeze_(0)
            return (x * x).sum()
        x = lib.tensor([1., 2., 3.])
        if transform == "vjp":
            return lib.func.vjp(f, x)[0]
        return getattr(lib.func, transform)(f)(x)
    want, got = _both(case)
    assert want[0] == "RuntimeError"
    assert got == want


# ---- writes into captured tensors ---------------------------------------------------------

_CAPTURED_WRITES = {
    "add_ traced": lambda lib, buf, x: buf.add_(x),
    "add_ number": lambda lib, buf, x: buf.add_(1),
    "mul_ number": lambda lib, buf, x: buf.mul_(2),
    "iadd": lambda lib, buf, x: buf.__iadd__(x),
    "exp_": lambda lib, buf, x: buf.exp_(),
    "fill_": lambda lib, buf, x: buf.fill_(1),
    "zero_": lambda lib, buf, x: buf.zero_(),
    "copy_": lambda lib, buf, x: buf.copy_(x.detach()),
    "setitem": lambda lib, buf, x: buf.__setitem__(0, x[1]),
    "view add_": lambda lib, buf, x: buf[:2].add_(1),
    "relu_": lambda lib, buf, x: buf.relu_(),
    "F.relu inplace": lambda lib, buf, x: lib.nn.functional.relu(buf, inplace=True),
    "clamp_": lambda lib, buf, x: buf.clamp_(0, 1),
    "normal_": lambda lib, buf, x: buf.normal_(),
    "masked_fill_": lambda lib, buf, x: buf.masked_fill_(buf > 0, 1.0),
    "lerp_ number": lambda lib, buf, x: buf.lerp_(x, 0.5),
    "index_add_": lambda lib, buf, x: buf.index_add_(0, lib.tensor([0]), x[:1]),
    "unsqueeze_": lambda lib, buf, x: buf.unsqueeze_(0),
}


@pytest.mark.parametrize("transform", ["grad", "vjp", "jvp", "jacrev", "jacfwd"])
@pytest.mark.parametrize("write", sorted(_CAPTURED_WRITES))
def test_writes_into_a_captured_tensor_raise_and_leave_it(transform, write):
    def case(lib):
        buf = lib.tensor([0.5, 1.0, 2.0])

        def f(x):
            _CAPTURED_WRITES[write](lib, buf, x)
            return (x * x).sum() if transform == "grad" else x * 2
        x = lib.tensor([1., 2., 3.])
        try:
            if transform == "vjp":
                lib.func.vjp(f, x)
            elif transform == "jvp":
                lib.func.jvp(f, (x,), (lib.ones(3),))
            else:
                getattr(lib.func, transform)(f)(x)
        finally:
            case.buf = buf.tolist()     # (a tracer left in it would fail here)
        return buf
    want = _outcome(lambda: case(torch)), case.buf
    got = _outcome(lambda: case(fl)), case.buf
    assert want[0][0] == "RuntimeError"
    assert got[0] == want[0]
    assert got[1] == want[1] == [0.5, 1.0, 2.0]


def test_tensors_made_inside_may_be_written():
    def case(lib):
        def f(x):
            z = lib.zeros(3)
            z.add_(x)
            w = x.clone()
            w.mul_(2)
            w[0] = 1.0
            return (z * w).sum()
        return lib.func.grad(f)(lib.tensor([1., 2., 3.]))
    want, got = _both(case)
    assert want[0] == "ok" and got == want


def test_nested_grad_refuses_writes_into_the_outer_input():
    def case(lib):
        def outer(x):
            def inner(y):
                x.add_(1)
                return (y * x).sum()
            return lib.func.grad(inner)(x).sum()
        return lib.func.grad(outer)(lib.ones(3))
    want, got = _both(case)
    assert want[0] == "RuntimeError"
    assert got == want


def test_functional_call_batchnorm_statistics_not_given_raise():
    """BatchNorm in train mode under grad(functional_call) with only the parameters given
    updates the module's own statistics: torch refuses (replace_all_batch_norm_modules_
    or eval mode are its ways out); the statistics stay as they were."""
    def case(lib):
        lib.manual_seed(0)
        bn = lib.nn.BatchNorm1d(3)
        params = dict(bn.named_parameters())
        x = lib.tensor([[1., 2., 3.], [2., 4., 5.]])

        def loss(p, x):
            return lib.func.functional_call(bn, p, (x,)).pow(2).sum()
        try:
            lib.func.grad(loss)(params, x)
        finally:
            case.stats = (bn.running_mean.tolist(), int(bn.num_batches_tracked))
        return bn.running_mean
    want = _outcome(lambda: case(torch)), case.stats
    got = _outcome(lambda: case(fl)), case.stats
    assert want[0][0] == "RuntimeError"
    assert got == want


def test_functional_call_batchnorm_eval_mode_is_allowed():
    def case(lib):
        bn = lib.nn.BatchNorm1d(3).eval()
        params = dict(bn.named_parameters())
        x = lib.tensor([[1., 2., 3.], [2., 4., 5.]])
        g = lib.func.grad(lambda p, x: lib.func.functional_call(bn, p, (x,)).pow(2).sum())(
            params, x)
        return g["weight"], g["bias"], bn.running_mean
    want, got = _both(case)
    assert want[0] == "ok"
    np.testing.assert_allclose(np.array(got[1]), np.array(want[1]), rtol=1e-5)
