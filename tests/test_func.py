"""functorch_like.func: functional_call, per-sample gradients, ensembles, to_pure, and the
torch.func-style transforms, against jax and torch.func on the same weights."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
import torch.func as tfunc

import functorch_like as ft
import functorch_like.nn as nn
import functorch_like.nn.functional as F
from functorch_like import func as ffunc

TOL = dict(rtol=1e-10, atol=1e-12)


def _np(x):
    return np.asarray(x.detach().numpy() if hasattr(x, "detach") else x)


def make_mlp(n):
    return n.Sequential(n.Linear(3, 4), n.Tanh(), n.Linear(4, 2))


def _mlp_pair(seed=0):
    """A float64 MLP in torch and here with the same weights."""
    torch.manual_seed(seed)
    tm, m = make_mlp(torch.nn).double(), make_mlp(nn).double()
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return tm, m


def _params(m):
    return {k: v.detach()._value for k, v in m.named_parameters()}


def _snapshot(m):
    return {k: (v, np.array(v.detach()._value)) for k, v in
            list(m.named_parameters()) + list(m.named_buffers())}


def _assert_unchanged(m, snap):
    now = dict(list(m.named_parameters()) + list(m.named_buffers()))
    assert list(now) == list(snap)
    for k, (obj, value) in snap.items():
        assert now[k] is obj, k                                 # same objects
        assert not isinstance(obj._value, jax.core.Tracer), k   # no leaked tracer
        np.testing.assert_array_equal(np.asarray(obj._value), value, err_msg=k)
        assert obj.grad is None
    assert all(isinstance(p, nn.Parameter) for p in m.parameters())


# ------------------------------------------------------------------ functional_call

def test_functional_call_on_jax_arrays_is_pure_under_jit_grad_vmap(x64):
    tm, m = _mlp_pair()
    snap = _snapshot(m)
    params = _params(m)
    x = jnp.asarray(np.random.default_rng(0).standard_normal((5, 3)))
    out = ffunc.functional_call(m, params, (x,))
    assert isinstance(out, jax.Array) and out.shape == (5, 2)
    np.testing.assert_allclose(out, _np(m(ft.tensor(np.asarray(x)))), **TOL)
    np.testing.assert_allclose(out, _np(tm(torch.tensor(np.asarray(x)))), **TOL)

    jitted = jax.jit(lambda p, x: ffunc.functional_call(m, p, (x,)))
    np.testing.assert_allclose(jitted(params, x), out, **TOL)
    shifted = jax.tree.map(lambda a: a + 1.0, params)
    np.testing.assert_allclose(jitted(shifted, x), ffunc.functional_call(m, shifted, (x,)),
                               **TOL)          # new values, not the ones traced first

    grads = jax.grad(lambda p: ffunc.functional_call(m, p, (x,)).sum())(params)
    t_params = {k: v.detach().requires_grad_() for k, v in tm.named_parameters()}
    tfunc.functional_call(tm, t_params, (torch.tensor(np.asarray(x)),)).sum().backward()
    for k, v in t_params.items():
        np.testing.assert_allclose(grads[k], v.grad.numpy(), **TOL, err_msg=k)

    per_row = jax.vmap(lambda xi: ffunc.functional_call(m, params, (xi,)))(x)
    np.testing.assert_allclose(per_row, out, **TOL)
    _assert_unchanged(m, snap)


def test_functional_call_partial_dict_kwargs_and_tuple_of_dicts(x64):
    _, m = _mlp_pair()
    params = _params(m)
    x = jnp.ones((2, 3))
    zero_last = {"2.weight": jnp.zeros((2, 4)), "2.bias": jnp.full((2,), 0.5)}
    out = ffunc.functional_call(m, zero_last, x)        # others keep the module's values
    np.testing.assert_allclose(out, np.full((2, 2), 0.5))
    both = ffunc.functional_call(m, ({k: params[k] for k in ("0.weight", "0.bias")},
                                     {k: params[k] for k in ("2.weight", "2.bias")}),
                                 args=(), kwargs={"input": x})
    np.testing.assert_allclose(both, _np(m(ft.tensor(np.asarray(x)))), **TOL)


def test_functional_call_with_tensors_sends_grads_to_the_given_tensors(x64):
    """torch.func semantics: autograd reaches the tensors passed in, not the module's."""
    tm, m = _mlp_pair()
    x = np.random.default_rng(1).standard_normal((4, 3))
    t_params = {k: v.detach().clone().requires_grad_() for k, v in tm.named_parameters()}
    f_params = {k: v.detach().clone().requires_grad_() for k, v in m.named_parameters()}
    t_out = tfunc.functional_call(tm, t_params, (torch.tensor(x),))
    f_out = ffunc.functional_call(m, f_params, (ft.tensor(x),))
    assert isinstance(f_out, ft.Tensor) and f_out.grad_fn is not None
    np.testing.assert_allclose(_np(f_out), _np(t_out), **TOL)
    (t_out ** 2).sum().backward()
    (f_out ** 2).sum().backward()
    for k in t_params:
        np.testing.assert_allclose(_np(f_params[k].grad), t_params[k].grad.numpy(), **TOL)
    assert all(p.grad is None for p in m.parameters())
    assert all(p.grad is None for p in tm.parameters())


def test_functional_call_batch_norm_buffers_like_torch(x64):
    """Train-mode BatchNorm updates the *given* buffer tensors in place (as torch.func);
    the module's own buffers stay untouched."""
    def make(n):
        return n.Sequential(n.Linear(3, 2), n.BatchNorm1d(2))
    torch.manual_seed(0)
    tm, m = make(torch.nn).double(), make(nn).double()
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    snap = _snapshot(m)
    x = np.random.default_rng(2).standard_normal((5, 3))
    t_state = {k: v.clone() for k, v in tm.state_dict().items()}
    f_state = {k: v.clone() for k, v in m.state_dict().items()}
    t_out = tfunc.functional_call(tm, t_state, (torch.tensor(x),))
    f_out = ffunc.functional_call(m, f_state, (ft.tensor(x),))
    np.testing.assert_allclose(_np(f_out), _np(t_out), **TOL)
    for k in t_state:
        np.testing.assert_allclose(_np(f_state[k]), t_state[k].numpy(), **TOL, err_msg=k)
    assert int(f_state["1.num_batches_tracked"]) == 1
    _assert_unchanged(m, snap)


def test_functional_call_params_only_updates_module_buffers_like_torch(x64):
    """Tensor inputs, buffers not given: torch.func updates the module's own statistics."""
    def make(n):
        return n.Sequential(n.Linear(3, 2), n.BatchNorm1d(2))
    torch.manual_seed(1)
    tm, m = make(torch.nn).double(), make(nn).double()
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((5, 3))
    t_out = tfunc.functional_call(tm, {k: v.detach() for k, v in tm.named_parameters()},
                                  (torch.tensor(x),))
    f_out = ffunc.functional_call(m, {k: v.detach() for k, v in m.named_parameters()},
                                  (ft.tensor(x),))
    np.testing.assert_allclose(_np(f_out), _np(t_out), **TOL)
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(_np(m.state_dict()[k]), v.numpy(), **TOL, err_msg=k)
    assert int(m[1].num_batches_tracked) == 1


def test_functional_call_under_jit_leaks_no_tracer():
    """BatchNorm statistics not given and a dropout mask, traced by jax.jit: the module
    and the global generator come out untouched and usable."""
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    snap = _snapshot(model)
    params = _params(model)
    x = jnp.arange(12.0).reshape(4, 3)
    rng_state = ft.get_rng_state()
    out = jax.jit(lambda p: ffunc.functional_call(model, p, (x,)))(params)
    assert out.shape == (4, 4)
    _assert_unchanged(model, snap)
    np.testing.assert_array_equal(_np(ft.get_rng_state()), _np(rng_state))
    assert tuple(ft.randn(2).shape) == (2,)                  # the generator still works
    grads = jax.jit(jax.grad(lambda p: ffunc.functional_call(model, p, (x,)).sum()))(params)
    assert set(grads) == set(params)
    _assert_unchanged(model, snap)
    assert tuple(model(ft.tensor(np.asarray(x))).shape) == (4, 4)   # eager use still fine


def test_functional_call_tied_weights():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False)
            self.b = nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied()
    w = jnp.eye(2) * 2
    x = jnp.ones((1, 2))
    # tie_weights=True: a value for one name of a tied tensor is used for all its names.
    np.testing.assert_allclose(ffunc.functional_call(m, {"a.weight": w}, (x,)), [[4.0, 4.0]])
    ffunc.functional_call(m, {"a.weight": w}, (x,), strict=True)       # covers b.weight
    # tie_weights=False: only the named one changes.
    expected = x @ (2 * np.eye(2)).T @ _np(m.b.weight).T
    np.testing.assert_allclose(ffunc.functional_call(m, {"a.weight": w}, (x,),
                                                     tie_weights=False), expected, rtol=1e-6)


def test_functional_call_strict_error_matches_torch():
    tl, fl = torch.nn.Linear(3, 4), nn.Linear(3, 4)
    with pytest.raises(RuntimeError) as t_err:
        tfunc.functional_call(tl, {"weight": torch.zeros(4, 3), "zz": torch.zeros(1),
                                   "extra": torch.zeros(1)}, (torch.ones(1, 3),), strict=True)
    with pytest.raises(RuntimeError) as f_err:
        ffunc.functional_call(fl, {"weight": jnp.zeros((4, 3)), "zz": jnp.zeros(1),
                                   "extra": jnp.zeros(1)}, (jnp.ones((1, 3)),), strict=True)
    assert str(f_err.value) == str(t_err.value)
    # Not strict: unknown names are ignored, missing ones keep the module's values.
    out = ffunc.functional_call(fl, {"extra": jnp.zeros(1)}, (jnp.ones((1, 3)),))
    np.testing.assert_allclose(out, _np(fl(ft.ones(1, 3))), rtol=1e-6)


# ------------------------------------------------------------------ per-sample gradients

def _loss_fn(functional_call, F_, model):
    def loss(params, x, y):
        out = functional_call(model, params, (x.unsqueeze(0),))
        return F_.cross_entropy(out, y.unsqueeze(0))
    return loss


def test_per_sample_grads_match_loop_and_torch_func(x64):
    tm, m = _mlp_pair(3)
    rng = np.random.default_rng(3)
    xs, ys = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    f_params = {k: v.detach() for k, v in m.named_parameters()}
    loss = _loss_fn(ffunc.functional_call, F, m)
    got = ffunc.vmap(ffunc.grad(loss), in_dims=(None, 0, 0))(f_params, ft.tensor(xs),
                                                             ft.tensor(ys))
    assert list(got) == list(f_params)
    for k, g in got.items():
        assert isinstance(g, ft.Tensor) and tuple(g.shape) == (6,) + tuple(f_params[k].shape)
    # The same gradients one example at a time with the facade's autograd.
    for i in (0, 3, 5):
        m.zero_grad()
        out = m(ft.tensor(xs[i:i + 1]))
        F.cross_entropy(out, ft.tensor(ys[i:i + 1])).backward()
        for k, p in m.named_parameters():
            np.testing.assert_allclose(_np(got[k][i]), _np(p.grad), **TOL, err_msg=k)
    # And torch.func's per-sample gradients on the same weights.
    t_params = {k: v.detach() for k, v in tm.named_parameters()}
    t_loss = _loss_fn(tfunc.functional_call, torch.nn.functional, tm)
    expected = tfunc.vmap(tfunc.grad(t_loss), in_dims=(None, 0, 0))(
        t_params, torch.tensor(xs), torch.tensor(ys))
    for k in expected:
        np.testing.assert_allclose(_np(got[k]), expected[k].numpy(), **TOL, err_msg=k)


def test_per_sample_grads_with_jax_transforms_directly(x64):
    """The same per-sample gradients with jax.vmap(jax.grad(...)) over jax arrays."""
    _, m = _mlp_pair(3)
    rng = np.random.default_rng(3)
    xs, ys = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    params = _params(m)

    def loss(p, x, y):
        logits = ffunc.functional_call(m, p, (x[None],))
        return optax.softmax_cross_entropy_with_integer_labels(logits, y[None]).mean()
    got = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0)))(params, jnp.asarray(xs),
                                                                   jnp.asarray(ys))
    f_params = {k: v.detach() for k, v in m.named_parameters()}
    expected = ffunc.vmap(ffunc.grad(_loss_fn(ffunc.functional_call, F, m)),
                          in_dims=(None, 0, 0))(f_params, ft.tensor(xs), ft.tensor(ys))
    for k in params:
        np.testing.assert_allclose(got[k], _np(expected[k]), **TOL)


# ------------------------------------------------------------------ ensembles

def make_ensemble_member(n):
    return n.Sequential(n.Linear(3, 4), n.BatchNorm1d(4), n.ReLU(), n.Linear(4, 2))


def test_stack_module_state_ensemble_equals_one_by_one_and_torch(x64):
    torch.manual_seed(4)
    t_models = [make_ensemble_member(torch.nn).double() for _ in range(3)]
    models = [make_ensemble_member(nn).double() for _ in range(3)]
    x = np.random.default_rng(4).standard_normal((5, 3))
    for tm, m in zip(t_models, models):
        tm(torch.tensor(x) * 2 + 1)                # distinct running statistics per model
        tm.eval()
        m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
        m.eval()
    params, buffers = ffunc.stack_module_state(models)
    t_params, t_buffers = tfunc.stack_module_state(t_models)
    assert list(params) == list(t_params) and list(buffers) == list(t_buffers)
    for k in t_params:
        assert params[k].requires_grad == t_params[k].requires_grad
        np.testing.assert_array_equal(_np(params[k]), t_params[k].detach().numpy())
    for k in t_buffers:
        assert str(buffers[k].dtype) == str(t_buffers[k].dtype)
        np.testing.assert_array_equal(_np(buffers[k]), t_buffers[k].numpy())

    base = models[0]

    def fmodel(p, b, x):
        return ffunc.functional_call(base, (p, b), (x,))
    got = ffunc.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, ft.tensor(x))
    assert tuple(got.shape) == (3, 5, 2)
    for i, m in enumerate(models):
        np.testing.assert_allclose(_np(got[i]), _np(m(ft.tensor(x))), **TOL)
    t_base = t_models[0]
    expected = tfunc.vmap(lambda p, b, x: tfunc.functional_call(t_base, (p, b), (x,)),
                          in_dims=(0, 0, None))(t_params, t_buffers, torch.tensor(x))
    np.testing.assert_allclose(_np(got), expected.detach().numpy(), **TOL)
    # Each member sees a different minibatch.
    xs = np.random.default_rng(5).standard_normal((3, 5, 3))
    got = ffunc.vmap(fmodel)(params, buffers, ft.tensor(xs))
    for i, m in enumerate(models):
        np.testing.assert_allclose(_np(got[i]), _np(m(ft.tensor(xs[i]))), **TOL)


def test_stack_module_state_rejects_empty():
    with pytest.raises(RuntimeError):
        ffunc.stack_module_state([])


# ------------------------------------------------------------------ to_pure

def test_to_pure_with_jax_grad_and_optax_reduces_loss():
    ft.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    snap = _snapshot(model)
    apply_fn, params, buffers = ffunc.to_pure(model)
    assert list(params) == [n for n, _ in model.named_parameters()]
    assert buffers == {}
    assert all(isinstance(v, jax.Array) for v in params.values())
    rng = np.random.default_rng(6)
    x = jnp.asarray(rng.standard_normal((16, 3)), jnp.float32)
    y = jnp.asarray(rng.standard_normal((16, 1)), jnp.float32)

    def loss(p):
        out, _ = apply_fn(p, buffers, x)
        return jnp.mean((out - y) ** 2)

    # The pure gradient equals the facade's backward on the same weights.
    grads = jax.grad(loss)(params)
    F.mse_loss(model(ft.tensor(np.asarray(x))), ft.tensor(np.asarray(y))).backward()
    for k, p in model.named_parameters():
        np.testing.assert_allclose(grads[k], _np(p.grad), rtol=1e-5, atol=1e-6)
    model.zero_grad()

    opt = optax.adam(0.05)
    state = opt.init(params)

    @jax.jit
    def step(p, s):
        value, g = jax.value_and_grad(loss)(p)
        updates, s = opt.update(g, s, p)
        return optax.apply_updates(p, updates), s, value
    losses = []
    for _ in range(5):
        params, state, value = step(params, state)
        losses.append(float(value))
    assert losses[-1] < losses[0] * 0.9 and all(np.isfinite(losses))
    _assert_unchanged(model, snap)


def test_to_pure_batch_norm_buffers_updated_in_train_mode(x64):
    torch.manual_seed(7)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)).double()
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).double()
    model.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    snap = _snapshot(model)
    apply_fn, params, buffers = ffunc.to_pure(model)
    assert list(buffers) == ["1.running_mean", "1.running_var", "1.num_batches_tracked"]
    x = np.random.default_rng(7).standard_normal((6, 3))
    out, new_buffers = jax.jit(apply_fn)(params, buffers, jnp.asarray(x))
    expected = tm(torch.tensor(x))
    np.testing.assert_allclose(out, _np(expected), **TOL)
    for k, v in tm.state_dict().items():
        if k in new_buffers:
            np.testing.assert_allclose(new_buffers[k], v.numpy(), **TOL, err_msg=k)
    assert int(new_buffers["1.num_batches_tracked"]) == 1
    assert not np.allclose(new_buffers["1.running_mean"], buffers["1.running_mean"])
    _assert_unchanged(model, snap)
    # Eval mode: running statistics used, buffers returned unchanged.
    model.eval()
    tm.eval()
    out, same = apply_fn(params, new_buffers, jnp.asarray(x))
    np.testing.assert_allclose(out, _np(tm(torch.tensor(x))), **TOL)
    for k in same:
        np.testing.assert_array_equal(same[k], new_buffers[k])


def test_to_pure_dropout_keys():
    model = nn.Sequential(nn.Linear(3, 64), nn.Dropout(0.5))
    apply_fn, params, buffers = ffunc.to_pure(model)
    x = jnp.ones((4, 3))
    k1, k2 = jax.random.key(1), jax.random.key(2)
    jitted = jax.jit(apply_fn)
    a, _ = jitted(params, buffers, x, key=k1)
    b, _ = jitted(params, buffers, x, key=k1)
    c, _ = jitted(params, buffers, x, key=k2)
    np.testing.assert_array_equal(a, b)                       # same key, same mask
    assert not np.array_equal(a == 0, c == 0)                 # another key, another mask
    assert 0.3 < float(jnp.mean(a == 0)) < 0.7
    np.testing.assert_array_equal(apply_fn(params, buffers, x, key=k1)[0], a)  # eager == jit
    key_before = ft.get_rng_state()
    apply_fn(params, buffers, x, key=k2)
    np.testing.assert_array_equal(_np(ft.get_rng_state()), _np(key_before))   # global RNG intact
    model.eval()
    out, _ = apply_fn(params, buffers, x, key=k1)
    np.testing.assert_array_equal(out, _np(model[0](ft.ones(4, 3))))   # eval: no dropout


# ------------------------------------------------------------------ transforms

def f_scalar(x):
    return (x.sin() * x).sum() + (x ** 2).mean()


def f_vector(x):
    return (x.unsqueeze(0) * x.unsqueeze(1)).sum(0).tanh()


def f_two(x, y):
    return (x * y.exp()).sum()


def _pair(a):
    return torch.tensor(a), ft.tensor(a)


def test_grad_and_value_match_torch_func_and_jax(x64):
    a = np.array([0.3, -1.2, 2.0])
    t, f = _pair(a)
    g, v = ffunc.grad_and_value(f_scalar)(f)
    tg, tv = tfunc.grad_and_value(f_scalar)(t)
    assert isinstance(g, ft.Tensor)
    np.testing.assert_allclose(_np(g), tg.numpy(), **TOL)
    np.testing.assert_allclose(_np(v), tv.numpy(), **TOL)
    jg = jax.grad(lambda x: jnp.sum(jnp.sin(x) * x) + jnp.mean(x ** 2))(jnp.asarray(a))
    np.testing.assert_allclose(_np(ffunc.grad(f_scalar)(f)), jg, **TOL)
    # argnums and has_aux
    b = np.array([0.5, 0.1, -0.4])
    gx, gy = ffunc.grad(f_two, argnums=(0, 1))(f, ft.tensor(b))
    tgx, tgy = tfunc.grad(f_two, argnums=(0, 1))(t, torch.tensor(b))
    np.testing.assert_allclose(_np(gx), tgx.numpy(), **TOL)
    np.testing.assert_allclose(_np(gy), tgy.numpy(), **TOL)
    g, aux = ffunc.grad(lambda x: (f_scalar(x), x * 2), has_aux=True)(f)
    np.testing.assert_allclose(_np(g), tg.numpy(), **TOL)
    np.testing.assert_allclose(_np(aux), a * 2, **TOL)
    g, (v, aux) = ffunc.grad_and_value(lambda x: (f_scalar(x), x.sum()), has_aux=True)(f)
    np.testing.assert_allclose(_np(v), tv.numpy(), **TOL)
    np.testing.assert_allclose(_np(aux), a.sum(), **TOL)


def test_vjp_jvp_match_torch_func(x64):
    a, ct, tangent = np.array([0.3, -1.2, 2.0]), np.array([1.0, -2.0, 0.5]), \
        np.array([0.2, 0.4, -1.0])
    t, f = _pair(a)
    out, vjp_fn = ffunc.vjp(f_vector, f)
    t_out, t_vjp_fn = tfunc.vjp(f_vector, t)
    np.testing.assert_allclose(_np(out), t_out.numpy(), **TOL)
    (got,), (expected,) = vjp_fn(ft.tensor(ct)), t_vjp_fn(torch.tensor(ct))
    np.testing.assert_allclose(_np(got), expected.numpy(), **TOL)
    out, jvp_out = ffunc.jvp(f_vector, (f,), (ft.tensor(tangent),))
    t_out, t_jvp_out = tfunc.jvp(f_vector, (t,), (torch.tensor(tangent),))
    np.testing.assert_allclose(_np(out), t_out.numpy(), **TOL)
    np.testing.assert_allclose(_np(jvp_out), t_jvp_out.numpy(), **TOL)
    # Two primals.
    b = np.array([0.5, 0.1, -0.4])
    _, vjp_fn = ffunc.vjp(f_two, f, ft.tensor(b))
    _, t_vjp_fn = tfunc.vjp(f_two, t, torch.tensor(b))
    for g, e in zip(vjp_fn(ft.tensor(1.0, dtype=ft.float64)),
                    t_vjp_fn(torch.tensor(1.0, dtype=torch.float64))):
        np.testing.assert_allclose(_np(g), e.numpy(), **TOL)


def test_jacobians_and_hessian_match_torch_func_and_jax(x64):
    a = np.array([0.3, -1.2, 2.0])
    t, f = _pair(a)
    expected = tfunc.jacrev(f_vector)(t).numpy()
    np.testing.assert_allclose(_np(ffunc.jacrev(f_vector)(f)), expected, **TOL)
    np.testing.assert_allclose(_np(ffunc.jacfwd(f_vector)(f)), expected, **TOL)
    np.testing.assert_allclose(
        _np(ffunc.jacrev(f_vector)(f)),
        jax.jacrev(lambda x: jnp.tanh(jnp.sum(x[None] * x[:, None], 0)))(jnp.asarray(a)), **TOL)
    np.testing.assert_allclose(_np(ffunc.hessian(f_scalar)(f)),
                               tfunc.hessian(f_scalar)(t).numpy(), **TOL)
    b = np.array([0.5, 0.1, -0.4])
    jx, jy = ffunc.jacrev(f_two, argnums=(0, 1))(f, ft.tensor(b))
    tjx, tjy = tfunc.jacrev(f_two, argnums=(0, 1))(t, torch.tensor(b))
    np.testing.assert_allclose(_np(jx), tjx.numpy(), **TOL)
    np.testing.assert_allclose(_np(jy), tjy.numpy(), **TOL)


def test_transforms_of_a_module_loss_match_torch_func(x64):
    """grad w.r.t. a parameter dict through functional_call (keys in torch's order)."""
    tm, m = _mlp_pair(8)
    x = np.random.default_rng(8).standard_normal((4, 3))

    def make_loss(fc, model, X):
        return lambda p: (fc(model, p, (X,)) ** 2).mean()
    f_params = {k: v.detach() for k, v in m.named_parameters()}
    t_params = {k: v.detach() for k, v in tm.named_parameters()}
    got = ffunc.grad(make_loss(ffunc.functional_call, m, ft.tensor(x)))(f_params)
    expected = tfunc.grad(make_loss(tfunc.functional_call, tm, torch.tensor(x)))(t_params)
    assert list(got) == list(expected)
    for k in expected:
        np.testing.assert_allclose(_np(got[k]), expected[k].numpy(), **TOL)


def test_vmap_matches_torch_func_with_in_and_out_dims(x64):
    a = np.random.default_rng(9).standard_normal((3, 4))
    b = np.random.default_rng(10).standard_normal(3)
    fn = lambda x, y: (x * y).sum(-1, keepdim=True) + x    # noqa: E731
    got = ffunc.vmap(fn, in_dims=(1, None), out_dims=1)(ft.tensor(a), ft.tensor(b))
    expected = tfunc.vmap(fn, in_dims=(1, None), out_dims=1)(torch.tensor(a), torch.tensor(b))
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_allclose(_np(got), expected.numpy(), **TOL)


# ------------------------------------------------------------------ vmap randomness

def _drop(x):
    return F.dropout(x, 0.5, training=True)


def test_vmap_randomness_error_raises_like_torch():
    with pytest.raises(RuntimeError) as t_err:
        tfunc.vmap(lambda x: torch.nn.functional.dropout(x, 0.5))(torch.ones(3, 4))
    with pytest.raises(RuntimeError) as f_err:
        ffunc.vmap(_drop)(ft.ones(3, 4))
    assert str(f_err.value) == str(t_err.value)
    # The refusal is scoped to the vmap call: randomness works again afterwards.
    assert tuple(_drop(ft.ones(3, 4)).shape) == (3, 4)
    # Deterministic functions are fine under the default mode.
    np.testing.assert_array_equal(_np(ffunc.vmap(lambda x: x * 2)(ft.ones(3, 4))),
                                  np.full((3, 4), 2.0))


def test_vmap_randomness_same_and_different():
    x = ft.ones(6, 200)
    ft.manual_seed(0)
    same = _np(ffunc.vmap(_drop, randomness="same")(x))
    assert all(np.array_equal(same[0], row) for row in same)     # one mask for the batch
    assert 0.35 < (same == 0).mean() < 0.65
    ft.manual_seed(0)
    np.testing.assert_array_equal(_np(ffunc.vmap(_drop, randomness="same")(x)), same)
    diff = _np(ffunc.vmap(_drop, randomness="different")(x))
    assert len({row.tobytes() for row in diff}) == 6              # a mask per element
    assert 0.35 < (diff == 0).mean() < 0.65
    ft.manual_seed(0)
    again = _np(ffunc.vmap(_drop, randomness="different")(x))
    ft.manual_seed(0)
    np.testing.assert_array_equal(_np(ffunc.vmap(_drop, randomness="different")(x)), again)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        ffunc.vmap(_drop, randomness="sometimes")


def _stopped_gradients(L):
    def inner_no_grad(x):
        with L.no_grad():
            c = (x * 5).sum()
        return (x * 2).sum() + c

    def switched_off(x):
        L.set_grad_enabled(False)
        y = (x * 3).sum()
        L.set_grad_enabled(True)
        return y + x.sum()

    x = L.tensor([1.0, 2.0])
    with L.no_grad():               # an outer no_grad does not reach into the transform
        outer = L.func.grad(lambda v: (v * v).sum())(x)
    return [t.tolist() for t in (
        L.func.grad(lambda v: (v.detach() * v).sum())(x),
        L.func.grad(lambda v: (v.data * v).sum())(x),
        L.func.grad(inner_no_grad)(x),
        L.func.grad(switched_off)(x),
        L.func.jacrev(lambda v: v.detach() * v)(x),
        L.func.hessian(lambda v: (v.detach() * v ** 2).sum())(x),
        outer)]


def test_detach_data_and_an_inner_no_grad_stop_torch_func_gradients_as_torch():
    # They were ignored: grad of detach(x) * x gave 2x.
    assert _stopped_gradients(ft) == _stopped_gradients(torch)


def _stacked_flags(L):
    models = [L.nn.Linear(2, 1) for _ in range(2)]
    for m in models:
        m.weight.requires_grad_(False)
    params, _ = L.func.stack_module_state(models)
    flags = {k: v.requires_grad for k, v in params.items()}
    models[0].bias.requires_grad_(False)
    try:
        L.func.stack_module_state(models)
    except RuntimeError as err:
        return flags, str(err)
    return flags, None


def test_stack_module_state_keeps_frozen_parameters_frozen_as_torch():
    # Every stacked parameter required grad; mixed flags passed silently.
    assert _stacked_flags(ft) == _stacked_flags(torch)


def test_jacrev_takes_chunk_size_as_torch():
    for lib in (ft, torch):
        jac = lib.func.jacrev(lambda x: x * 2, chunk_size=1)(lib.ones(2))
        assert jac.tolist() == [[2.0, 0.0], [0.0, 2.0]]
        with pytest.raises(ValueError, match="chunk_size"):
            lib.func.jacrev(lambda x: x, chunk_size=0)


def test_jacobians_keep_the_callers_dict_order():
    """jax gives dicts back with sorted keys; torch.func keeps the caller's order: a
    Jacobian over named_parameters flattened by .values() lines up with
    parameters_to_vector (before: bias before weight, J @ theta != m(x))."""
    def run(T):
        m = T.nn.Linear(3, 2)
        m.load_state_dict({"weight": T.tensor([[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]]),
                           "bias": T.tensor([0.3, -0.1])})
        x = T.tensor([[1.0, 2.0, -1.0]])
        p = {k: v.detach() for k, v in m.named_parameters()}

        def f(p):
            return T.func.functional_call(m, p, (x,))
        jac = T.func.jacrev(f)(p)
        flat = T.cat([j.flatten(2) for j in jac.values()], -1)
        g = lambda x: {"b": x * 2, "a": x.sin()}          # noqa: E731
        xx = T.tensor([0.5, 1.0])
        out, _ = T.func.vjp(g, xx)
        primal, tangent = T.func.jvp(g, (xx,), (T.ones(2),))
        jac_aux, aux = T.func.jacrev(lambda x: (g(x), {"z": x, "y": x}), has_aux=True)(xx)
        hess = T.func.hessian(lambda p: f(p).sum())(p)
        keys = [list(jac), list(T.func.jacfwd(f)(p)), list(T.func.jacrev(g)(xx)),
                list(T.func.jacfwd(g)(xx)), list(out), list(primal), list(tangent),
                list(jac_aux), list(aux), [(k, list(v)) for k, v in hess.items()]]
        theta = T.nn.utils.parameters_to_vector(m.parameters())
        return keys, (flat @ theta).detach().numpy(), m(x).detach().numpy()
    (tk, tv, _), (fk, fv, fm) = run(torch), run(ft)
    assert fk == tk
    np.testing.assert_allclose(fv, tv, rtol=1e-6)
    np.testing.assert_allclose(fv, fm, rtol=1e-6)


def test_tensors_pass_through_jax_jit_vmap_and_grad_as_the_readme_says():
    t = ft.tensor([1.0, 2.0, 3.0])
    assert float(jax.jit(lambda a: (a ** 2).sum())(t)) == 14.0
    np.testing.assert_allclose(jax.vmap(lambda a: a * 2)(t).numpy(), [2.0, 4.0, 6.0])
    grad = jax.grad(lambda a: jnp.asarray((a ** 2).sum()))(t)
    assert isinstance(grad, ft.Tensor)
    np.testing.assert_allclose(grad.numpy(), [2.0, 4.0, 6.0])
