"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against PyTorch: values,
output nesting, create_graph and error texts."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _flat(o):
    """Nested tuples of Tensors as a flat list of (shape, values) and other items."""
    if isinstance(o, (tuple, list)):
        return [("nest", len(o))] + [x for v in o for x in _flat(v)]
    if hasattr(o, "detach"):
        return [(tuple(o.shape), o.detach().numpy())]
    return [o]


def _products(lib):
    F = lib.autograd.functional
    x = lib.tensor(np.array([[0.3, -0.5], [1.2, 0.7]]))
    y = lib.tensor(np.array([0.2, -0.1]))
    v = lib.tensor(np.array([1.0, -2.0]))

    def f1(a):
        return (a.exp() * 2).sum(dim=1)

    def f2(a, b):
        return a @ b, (a * a).sum()

    def s(a, b):
        return (a.sin() @ b).sum() * b.pow(3).sum()

    return {
        "jac1": F.jacobian(f1, x),
        "jac2": F.jacobian(f2, (x, y)),
        "jac_vectorized": F.jacobian(f1, x, vectorize=True, strategy="forward-mode"),
        "hessian": F.hessian(s, (x, y)),
        "hessian1": F.hessian(lambda a: a.pow(3).sum(), y),
        "vjp": F.vjp(f1, x, v),
        "vjp2": F.vjp(f2, (x, y), (v, lib.tensor(3.0))),
        "jvp": F.jvp(f1, x, lib.ones(2, 2)),
        "hvp": F.hvp(s, (x, y), (lib.ones(2, 2), v)),
        "vhp": F.vhp(s, (x, y), (lib.ones(2, 2), v)),
    }


def test_products_match_torch(x64):
    ref, got = _products(torch), _products(fl)
    for k, r in ref.items():
        fr, fg = _flat(r), _flat(got[k])
        assert len(fg) == len(fr), k
        for a, b in zip(fr, fg):
            if isinstance(a[1], np.ndarray):
                assert b[0] == a[0], k
                np.testing.assert_allclose(b[1], a[1], rtol=1e-10, err_msg=k)
            else:
                assert b == a, k


def _create_graph(lib):
    F = lib.autograd.functional
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    h = F.hessian(lambda a: (a.pow(3) * a.sin()).sum(), x, create_graph=True)
    plain = F.jacobian(lambda a: a.pow(2), x)
    (h * h).sum().backward()
    return h.requires_grad, plain.requires_grad, x.grad.numpy()


def test_create_graph_results_are_differentiable(x64):
    ref, got = _create_graph(torch), _create_graph(fl)
    assert got[:2] == ref[:2] == (True, False)
    np.testing.assert_allclose(got[2], ref[2], rtol=1e-5)


def _errors(lib):
    F = lib.autograd.functional
    x = lib.ones(2, 2)
    y = lib.ones(2)

    def f1(a):
        return a.sum(dim=1)
    calls = (lambda: F.vjp(f1, x), lambda: F.jvp(f1, x), lambda: F.vjp(f1, x, lib.ones(3)),
             lambda: F.hvp(f1, x, x), lambda: F.jacobian(lambda a: y, x, strict=True),
             lambda: F.vjp(lambda a, b: a.sum(), (x, y), strict=True),
             lambda: F.jacobian(f1, [x]), lambda: F.jacobian(f1, x, strategy="x"),
             lambda: F.jacobian(f1, x, strategy="forward-mode"))
    out = []
    for call in calls:
        with pytest.raises(Exception) as err:
            call()
        out.append((type(err.value).__name__, str(err.value)))
    return out


def test_errors_match_torch():
    assert _errors(fl) == _errors(torch)


def _gradchecks(lib):
    from importlib import import_module
    gc = import_module(f"{lib.__name__}.autograd.gradcheck")

    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3
    x = lib.tensor(np.array([0.1, 0.5, 0.9]), requires_grad=True)
    w = lib.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    with pytest.raises(gc.GradcheckError) as err:
        lib.autograd.gradcheck(Bad.apply, (x,))
    return [str(err.value),
            lib.autograd.gradcheck(Bad.apply, (x,), raise_exception=False),
            lib.autograd.gradcheck(lambda a, b: (a.exp() * b, a.sum()), (x, w)),
            lib.autograd.gradgradcheck(lambda a: a.exp() * a, (x,))]


def test_gradcheck_matches_torch(x64):
    assert _gradchecks(fl) == _gradchecks(torch)
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor"):
        fl.autograd.gradcheck(lambda a: a.exp(), (fl.ones(2),))


def _anomaly(lib):
    a = lib.tensor([0.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = lib.autograd.detect_anomaly()
    with mode:
        enabled = lib.is_anomaly_enabled()
        with pytest.raises(RuntimeError) as err:
            (a / a).sum().backward()
        b = lib.tensor([1.0, 2.0], requires_grad=True)
        (b * b).sum().backward()
    lib.autograd.set_detect_anomaly(True)
    on = lib.is_anomaly_enabled()
    lib.autograd.set_detect_anomaly(False)
    return [enabled, str(err.value), b.grad.tolist(), on, lib.is_anomaly_enabled()]


def test_anomaly_mode_matches_torch():
    got = _anomaly(fl)
    assert got == _anomaly(torch)
    assert got[1] == "Function 'DivBackward0' returned nan values in its 1th output."
