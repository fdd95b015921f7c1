"""torch.func transforms inside the eager autograd graph, against real PyTorch.

`vmap(model)(x).sum().backward()` must fill the model's `.grad`, a gradient from
`func.grad` must be usable in a loss that is `.backward()`ed, and so on: the same
computation in torch and here, on the same numpy inputs and weights.
"""

import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like import _func_graph
from functorch_like.autograd import _engine

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3)).astype(np.float32)
Y = RNG.standard_normal((4, 2)).astype(np.float32)


def _pair(make_torch, make_ours):
    """The same module in torch and here, with torch's weights."""
    torch.manual_seed(0)
    theirs = make_torch(torch.nn)
    ours = make_ours(fl.nn)
    ours.load_state_dict({k: fl.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    return theirs, ours


def _mlp(nn):
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))


def _close(ours, theirs, tol=1e-5):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()),
                               theirs.detach().numpy(), rtol=tol, atol=tol)


def _grads_match(ours, theirs):
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert p.grad is not None, n
        _close(p.grad, q.grad)


def test_vmap_module_forward_backward_reaches_parameters():
    theirs, ours = _pair(_mlp, _mlp)
    t = torch.func.vmap(theirs)(torch.tensor(X))
    o = fl.func.vmap(ours)(fl.tensor(X))
    assert o.requires_grad and o.grad_fn is not None
    _close(o, t)
    (t ** 2).sum().backward()
    (o ** 2).sum().backward()
    _grads_match(ours, theirs)


def test_vmap_input_that_requires_grad():
    xt = torch.tensor(X, requires_grad=True)
    xo = fl.tensor(X, requires_grad=True)
    torch.func.vmap(lambda r: (r.sin() * 2).sum())(xt).pow(2).sum().backward()
    fl.func.vmap(lambda r: (r.sin() * 2).sum())(xo).pow(2).sum().backward()
    _close(xo.grad, xt.grad)


def test_ensemble_stack_module_state_functional_call_backward():
    models_t, models_o = zip(*[_pair(_mlp, _mlp) for _ in range(3)])
    for k, m in enumerate(models_t):      # three different ensemble members
        with torch.no_grad():
            for p in m.parameters():
                p.mul_(1 + k)
    for mt, mo in zip(models_t, models_o):
        mo.load_state_dict({k: fl.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    x = RNG.standard_normal((3, 4, 3)).astype(np.float32)
    results = []
    for lib, models in ((torch, models_t), (fl, models_o)):
        params, buffers = lib.func.stack_module_state(list(models))
        base = _mlp(lib.nn)

        def run(p, b, xb, base=base, lib=lib):
            return lib.func.functional_call(base, (p, b), (xb,))
        out = lib.func.vmap(run)(params, buffers, lib.tensor(x))
        (out ** 2).mean().backward()
        results.append((out, params))
    (out_t, params_t), (out_o, params_o) = results
    _close(out_o, out_t)
    assert list(params_o) == list(params_t)
    for n in params_t:
        _close(params_o[n].grad, params_t[n].grad)


def test_training_loop_through_vmap_matches_torch():
    theirs, ours = _pair(_mlp, _mlp)
    losses = []
    for lib, model in ((torch, theirs), (fl, ours)):
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        run = []
        for _ in range(3):
            opt.zero_grad()
            pred = lib.func.vmap(model)(lib.tensor(X))
            loss = ((pred - lib.tensor(Y)) ** 2).mean()
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        _close(p, q)


@pytest.mark.parametrize("randomness", ["different", "same"])
def test_random_mask_replays_in_backward(randomness):
    # r * w through dropout: d loss / d w = sum over the batch of mask/(1-p) * r * c, with
    # the mask read off the output (a zero where dropped). A backward that drew a new mask
    # would give another gradient.
    fl.manual_seed(1)
    x = RNG.standard_normal((4, 16)).astype(np.float32)
    w = fl.tensor(np.full(16, 2.0, np.float32), requires_grad=True)
    c = RNG.standard_normal((4, 16)).astype(np.float32)
    out = fl.func.vmap(lambda r: fl.nn.functional.dropout(r * w, 0.5, training=True),
                       randomness=randomness)(fl.tensor(x))
    (out * fl.tensor(c)).sum().backward()
    kept = out.detach().numpy() != 0
    assert 0 < kept.sum() < kept.size
    assert (kept == kept[:1]).all() == (randomness == "same")
    np.testing.assert_allclose(w.grad.numpy(), (kept * 2.0 * x * c).sum(0), rtol=1e-5)


def test_random_error_mode_still_raises():
    w = fl.tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        fl.func.vmap(lambda r: fl.nn.functional.dropout(r * w, 0.5))(fl.tensor(X))


def _critic(nn):
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))


def test_gradient_penalty_through_func_grad():
    theirs, ours = _pair(_critic, _critic)
    for lib, model in ((torch, theirs), (fl, ours)):
        x = lib.tensor(X)
        g = lib.func.vmap(lib.func.grad(lambda r, model=model: model(r).squeeze()))(x)
        penalty = ((g.norm(dim=1) - 1) ** 2).mean() + model(x).mean()
        penalty.backward()
    _grads_match(ours, theirs)


def test_func_grad_of_input_is_differentiable():
    # torch: func.grad's result has a graph back to an input that requires grad.
    xt = torch.tensor(X, requires_grad=True)
    xo = fl.tensor(X, requires_grad=True)
    for lib, x in ((torch, xt), (fl, xo)):
        g = lib.func.grad(lambda r: (r ** 3).sum())(x)
        assert g.requires_grad
        (g * x).sum().backward()
    _close(xo.grad, xt.grad)


def test_jacrev_hessian_jacfwd_jvp_vjp_reach_parameters():
    theirs, ours = _pair(_critic, _critic)
    x = X[0]
    for lib, model in ((torch, theirs), (fl, ours)):
        def f(r, model=model):
            return model(r).squeeze()
        xi = lib.tensor(x)
        out, vjp_fn = lib.func.vjp(f, xi)
        total = (lib.func.jacrev(f)(xi).sum() + lib.func.jacfwd(f)(xi).pow(2).sum()
                 + lib.func.hessian(f)(xi).sum() + lib.func.jvp(f, (xi,), (xi,))[1]
                 + vjp_fn(lib.ones(()))[0].sum() + out)
        total.backward()
    _grads_match(ours, theirs)


def test_double_backward_through_vmap():
    w0 = np.arange(6, dtype=np.float32).reshape(2, 3) / 5
    grads = []
    for lib in (torch, fl):
        w = lib.tensor(w0, requires_grad=True)
        out = lib.func.vmap(lambda r, w=w: (w @ r).tanh())(lib.tensor(X))
        g, = lib.autograd.grad(out.pow(2).sum(), w, create_graph=True)
        g.pow(2).sum().backward()
        grads.append(w.grad)
    _close(grads[1], grads[0])


def test_nested_vmap_of_grad_per_sample_gradients_unchanged():
    theirs, ours = _pair(_mlp, _mlp)
    per = []
    for lib, model in ((torch, theirs), (fl, ours)):
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, xb, yb, model=model, lib=lib):
            pred = lib.func.functional_call(model, p, (xb.unsqueeze(0),))
            return ((pred - yb.unsqueeze(0)) ** 2).sum()
        per.append(lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(X), lib.tensor(Y)))
    for n in per[0]:
        assert not per[1][n].requires_grad
        _close(per[1][n], per[0][n])


def test_outputs_that_need_no_grad_do_not_require_grad():
    _, ours = _pair(_mlp, _mlp)
    x = fl.tensor(X)
    with fl.no_grad():
        assert not fl.func.vmap(ours)(x).requires_grad
    for p in ours.parameters():
        p.requires_grad_(False)
    assert not fl.func.vmap(ours)(x).requires_grad
    assert not fl.func.grad(lambda r: ours(r).sum())(x).requires_grad
    w = fl.tensor(np.ones(3, np.float32), requires_grad=True)
    a, b = fl.func.vmap(lambda r: ((r * w).sum(), r.sum() * 3))(x)
    assert a.requires_grad and not b.requires_grad


def test_repeated_calls_reuse_one_spec_and_backward_program():
    _, ours = _pair(_mlp, _mlp)
    x = fl.tensor(X)
    _func_graph.clear_cache()
    for i in range(20):
        # A fresh vmap and a fresh lambda each step: still one spec.
        out = fl.func.vmap(lambda r: ours(r) * 2)(x)
        out.sum().backward()
        if i == 1:
            programs, traces = len(_engine._programs), _engine.compile_count()
    assert _func_graph.cache_size() == 1
    assert len(_engine._programs) == programs
    assert _engine.compile_count() == traces
    for k in range(_func_graph._MAX_SPECS + 3):     # distinct computations: bounded
        fl.func.vmap(lambda r, k=k: ours(r) * float(k))(x).sum().backward()
    assert _func_graph.cache_size() == _func_graph._MAX_SPECS
    # (and the backward programs of evicted specs are dropped with them)
    replays = [key for key in _engine._programs
               if any(step[0] is _func_graph._transform_op for step in key[0])]
    assert len(replays) <= _func_graph._MAX_SPECS


def test_backward_uses_current_frozen_weights():
    # A frozen tensor the function reads (not requiring grad) is an input of the op, not a
    # constant of the cached backward program: changing it changes the gradient.
    w = fl.tensor(np.full(3, 2.0, np.float32), requires_grad=True)
    frozen = fl.tensor(np.ones(3, np.float32))
    x = fl.tensor(X)
    for scale in (1.0, 3.0, -1.0):
        with fl.no_grad():
            frozen.fill_(scale)
        w.grad = None
        fl.func.vmap(lambda r: (r * w * w * frozen).sum())(x).sum().backward()
        np.testing.assert_allclose(w.grad.numpy(), (2 * 2.0 * scale * X).sum(0), rtol=1e-5)


def test_backward_uses_each_calls_constants_made_from_python_values():
    # A tensor the function makes from a Python value that changes between calls (here
    # self.c) is not part of the fingerprint: it enters the op as its forward value, so
    # the cached backward program never keeps the first call's.
    class Scaled(fl.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = fl.nn.Linear(3, 1)
            self.c = 1.0

        def forward(self, r):
            return self.lin(r) * fl.full((1,), self.c) + fl.tensor(self.c) * 0

    model = Scaled()
    x = fl.tensor(X[:, :3])
    _func_graph.clear_cache()
    for c in (1.0, 2.0, -3.0):
        model.c = c
        model.zero_grad()
        fl.func.vmap(model)(x).sum().backward()
        assert model.lin.bias.grad.item() == pytest.approx(len(X) * c)
        np.testing.assert_allclose(model.lin.weight.grad.numpy()[0], c * X[:, :3].sum(0),
                                   rtol=1e-5)
    assert _func_graph.cache_size() == 1        # (one spec: the constants are inputs)


def test_constants_made_and_freed_in_the_function_keep_their_own_values():
    # Each tensor the function makes from a Python value is a constant of the recorded
    # op, found by its id. One freed mid-run (`a` here) once lent its id to the next one
    # made (`b`), which then read the first one's value in the replay: wrong gradients.
    def f(r):
        a = fl.full((1,), 2.0)
        y = r * a
        del a
        b = fl.tensor(3.0)
        z = y + b
        del b
        c = fl.full((), 5.0)
        return (z * c).sum()

    w = fl.tensor(X, requires_grad=True)
    _func_graph.clear_cache()
    for _ in range(3):
        w.grad = None
        out = fl.func.vmap(f)(w)
        out.sum().backward()
        np.testing.assert_allclose(out.detach().numpy(), ((X * 2 + 3) * 5).sum(1),
                                   rtol=1e-5)
        np.testing.assert_allclose(w.grad.numpy(), np.full(X.shape, 10.0))
    assert _func_graph.cache_size() == 1


def test_compiled_training_step_through_vmap_matches_eager():
    theirs, ours = _pair(_mlp, _mlp)
    opt = fl.optim.SGD(ours.parameters(), lr=0.1)

    @fl.compile
    def step(x, y):
        opt.zero_grad()
        loss = ((fl.func.vmap(ours)(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    topt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):
        topt.zero_grad()
        tl = ((torch.func.vmap(theirs)(torch.tensor(X)) - torch.tensor(Y)) ** 2).mean()
        tl.backward()
        topt.step()
        ol = step(fl.tensor(X), fl.tensor(Y))
        np.testing.assert_allclose(ol.item(), tl.item(), rtol=1e-5)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        _close(p, q)


def test_vmap_of_batchnorm_training_with_running_stats_raises_torchs_error():
    messages = []
    for lib in (torch, fl):
        bn = lib.nn.BatchNorm1d(3)
        x = lib.tensor(np.arange(24, dtype=np.float32).reshape(4, 2, 3))
        with pytest.raises(RuntimeError) as err:
            lib.func.vmap(bn)(x)
        messages.append(str(err.value).split("\n")[0])
        assert not isinstance(bn.running_mean, type(None))
        np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(3))  # untouched
        bn.eval()                                   # eval mode and no running stats: fine
        assert tuple(lib.func.vmap(bn)(x).shape) == (4, 2, 3)
    assert messages[0] == messages[1]
