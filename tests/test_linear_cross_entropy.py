"""F.linear_cross_entropy, nn.LinearCrossEntropyLoss and nn.LinearCrossEntropyOptions
against torch 2.13: values, gradients, errors, the chunk-size resolution, and the chunked
path's memory and compilation."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as ft
from functorch_like.nn import functional as F
from functorch_like.pure import losses as L
from functorch_like.pure._linear_cross_entropy import linear_cross_entropy_chunked

from _compile_helpers import assert_same_state, training_step


def _ours(a, requires_grad=False):
    return ft.tensor(a.detach().numpy()).requires_grad_(requires_grad)


def _case(n=10, d=4, c=7, k=(), seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    w = torch.randn(c, *k, d, generator=g)
    b = torch.randn(c, *k, generator=g)
    t = torch.randint(0, c, (n, *k), generator=g)
    t.view(-1)[2] = -100              # one ignored target
    cw = torch.rand(c, generator=g) + 0.5
    return x, w, b, t, cw


def _both(x, w, t, b=None, cw=None, torch_options=None, our_options=None, **kw):
    """The loss and the input/weight/bias grads of torch's and ours (grads of loss.sum())."""
    out = []
    for lib, f, conv, opts in ((torch, torch.nn.functional.linear_cross_entropy,
                                lambda a, r=False: a.detach().clone().requires_grad_(r),
                                torch_options),
                               (ft, F.linear_cross_entropy, _ours, our_options)):
        xs, ws = conv(x, True), conv(w, True)
        bs = None if b is None else conv(b, True)
        loss = f(xs, ws, conv(t), linear_bias=bs, weight=None if cw is None else conv(cw),
                 options=opts, **kw)
        loss.sum().backward()
        out.append((loss.detach().numpy(), [v.grad.numpy() for v in (xs, ws, bs)
                                            if v is not None], loss))
    return out


def _assert_close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(b[0], a[0], rtol=rtol, atol=atol)
    for ga, gb in zip(a[1], b[1]):
        np.testing.assert_allclose(gb, ga, rtol=rtol, atol=atol)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("chunk", [None, 3, 10, 64])
def test_values_and_gradients_match_torch_reference_and_chunked(reduction, chunk):
    x, w, b, t, cw = _case()
    opts = {} if chunk is None else {"batch_chunk_size": chunk}
    torch_opts = None if chunk is None else torch.nn.LinearCrossEntropyOptions(**opts)
    our_opts = None if chunk is None else ft.nn.LinearCrossEntropyOptions(**opts)
    theirs, ours = _both(x, w, t, b, cw, torch_opts, our_opts, reduction=reduction)
    _assert_close(theirs, ours)
    assert ours[2].grad_fn.name() == theirs[2].grad_fn.name()


def test_unbatched_input_k_dimensional_loss_probabilities_and_smoothing_match_torch():
    x, w, b, t, cw = _case()
    for opts in (None, torch.nn.LinearCrossEntropyOptions(batch_chunk_size=4)):
        ours_opts = None if opts is None else ft.nn.LinearCrossEntropyOptions(
            batch_chunk_size=4)
        _assert_close(*_both(x[0], w, t[0], b, torch_options=opts, our_options=ours_opts))
    xk, wk, bk, tk, cwk = _case(n=5, k=(2, 3))
    _assert_close(*_both(xk, wk, tk, bk, cwk, reduction="mean"))
    probs = torch.softmax(torch.randn(10, 7), 1)
    _assert_close(*_both(x, w, probs, b, label_smoothing=0.2))
    _assert_close(*_both(x, w, t.clamp(min=1), b, cw, label_smoothing=0.1, ignore_index=1))


def test_options_that_the_chunked_path_cannot_take_warn_and_use_the_reference():
    x, w, b, t, _ = _case()
    opts = ft.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
    with pytest.warns(UserWarning, match="``options`` ignored; chunked path needs"):
        loss = F.linear_cross_entropy(_ours(x), _ours(w), _ours(t), label_smoothing=0.1,
                                      options=opts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.nn.functional.linear_cross_entropy(x, w, t, label_smoothing=0.1)
    np.testing.assert_allclose(loss.numpy(), expected.numpy(), rtol=1e-6)


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("bad", ["3d_input", "1d_weight", "in_features", "bias_shape",
                                 "unbatched_k_dim", "ignore_with_probs",
                                 "target_out_of_range_chunked"])
def test_bad_arguments_raise_torchs_errors(bad):
    x, w, b, t, _ = _case()
    t_bad = t.clone()
    t_bad[0] = 9
    args = {
        "3d_input": (torch.randn(2, 3, 4), w, t, {}),
        "1d_weight": (x, torch.randn(4), t, {}),
        "in_features": (x, torch.randn(7, 5), t, {}),
        "bias_shape": (x, w, t, {"linear_bias": torch.randn(6)}),
        "unbatched_k_dim": (x[0], torch.randn(7, 2, 4), t[0], {}),
        "ignore_with_probs": (x, w, torch.softmax(torch.randn(10, 7), 1),
                              {"ignore_index": 3}),
        "target_out_of_range_chunked": (x, w, t_bad, {"options": "chunk"}),
    }[bad]
    xs, ws, ts, kw = args

    def call(lib, f, conv, options_cls):
        kw2 = {k: (conv(v) if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}
        if kw2.get("options") == "chunk":
            kw2["options"] = options_cls(batch_chunk_size=3)
        return lambda: f(conv(xs), conv(ws), conv(ts), **kw2)

    theirs = _error(call(torch, torch.nn.functional.linear_cross_entropy, lambda a: a,
                         torch.nn.LinearCrossEntropyOptions))
    ours = _error(call(ft, F.linear_cross_entropy, _ours, ft.nn.LinearCrossEntropyOptions))
    assert issubclass(ours[0], theirs[0]) and ours[1] == theirs[1]


@pytest.mark.parametrize("kwargs", [{"acc_policy": "fast"}, {"chunking_method": "rows"},
                                    {"chunking_method": "aspect_ratio:0"},
                                    {"batch_chunk_size": 0}, {"batch_chunk_size": 2.0}])
def test_invalid_options_raise_torchs_value_errors(kwargs):
    with pytest.raises(ValueError) as theirs:
        torch.nn.LinearCrossEntropyOptions(**kwargs)
    with pytest.raises(ValueError) as ours:
        ft.nn.LinearCrossEntropyOptions(**kwargs)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="acc_dtype must be one of"):
        ft.nn.LinearCrossEntropyOptions(acc_dtype=ft.int32)


@pytest.mark.parametrize("kwargs", [{}, {"batch_chunk_size": 5}, {"chunking_method": None},
                                    {"chunking_method": "aspect_ratio"},
                                    {"chunking_method": "aspect_ratio:4"},
                                    {"acc_policy": "balanced", "acc_dtype": "float64"},
                                    {"batch_chunk_size": 3, "chunking_method": None}])
@pytest.mark.parametrize("shape", [(10, 4, 7), (100, 8, 1000), (33, 64, 32)])
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_options_resolve_chunk_size_policy_and_dtype_as_torch(kwargs, shape, dtype):
    def resolve(lib):
        kw = {k: getattr(lib, v) if k == "acc_dtype" else v for k, v in kwargs.items()}
        return lib.nn.LinearCrossEntropyOptions(**kw)._adjust(
            *shape, getattr(lib, dtype), lib.device("cpu"))
    theirs, ours = resolve(torch), resolve(ft)
    assert (ours.batch_chunk_size, ours.chunking_method, ours.acc_policy) == (
        theirs.batch_chunk_size, theirs.chunking_method, theirs.acc_policy)
    assert str(ours.acc_dtype) == str(theirs.acc_dtype)


def test_a_chunk_size_that_contradicts_the_chunking_method_raises_as_torch():
    x, w, _, t, _ = _case()
    msg = ("batch_chunk_size (=3) and chunking_method ('aspect_ratio') give different "
           "chunk sizes (3 vs 8); pass only one.")
    opts = ft.nn.LinearCrossEntropyOptions(batch_chunk_size=3, chunking_method="aspect_ratio")
    with pytest.raises(ValueError) as info:
        F.linear_cross_entropy(_ours(x), _ours(w), _ours(t), options=opts)
    assert str(info.value) == msg


def test_module_matches_torch_in_repr_state_dict_loss_and_gradients():
    torch.manual_seed(0)
    cw = torch.rand(7) + 0.5
    kw = dict(bias=True, ignore_index=0, reduction="sum")
    theirs = torch.nn.LinearCrossEntropyLoss(4, 7, weight=cw, **kw)
    ours = ft.nn.LinearCrossEntropyLoss(4, 7, weight=_ours(cw), **kw)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: _ours(v) for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "weight", "linear.weight", "linear.bias"]
    x, _, _, t, _ = _case()
    t = t.clamp(min=0)
    lt, lo = theirs(x, t), ours(_ours(x), _ours(t))
    lt.backward()
    lo.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.linear.weight.grad.numpy(),
                               theirs.linear.weight.grad.numpy(), rtol=1e-5, atol=1e-6)
    k_dim = ft.nn.LinearCrossEntropyLoss(4, 7, out_features=(2, 3), bias=True)
    assert tuple(k_dim.linear.weight.shape) == (42, 4)
    assert tuple(k_dim(ft.randn(5, 4), ft.randint(0, 7, (5, 2, 3))).shape) == ()


@pytest.mark.parametrize("kwargs, message", [
    ({"weight": "six"}, "expected weight shape to be (7,), got (6,)"),
    ({"label_smoothing": 2}, "expected label_smoothing to be in range [0, 1], got 2")])
def test_module_argument_errors_are_torchs(kwargs, message):
    kwargs = {k: (ft.ones(6) if v == "six" else v) for k, v in kwargs.items()}
    with pytest.raises(RuntimeError) as info:
        ft.nn.LinearCrossEntropyLoss(4, 7, **kwargs)
    assert str(info.value) == message


def test_bfloat16_chunked_loss_is_bfloat16_and_near_torch():
    x, w, _, t, _ = _case()
    xb, wb = x.bfloat16(), w.bfloat16()
    expected = torch.nn.functional.linear_cross_entropy(
        xb, wb, t, options=torch.nn.LinearCrossEntropyOptions())
    ours = F.linear_cross_entropy(_ours(x).bfloat16(), _ours(w).bfloat16(), _ours(t),
                                  options=ft.nn.LinearCrossEntropyOptions())
    assert ours.dtype == ft.bfloat16
    np.testing.assert_allclose(ours.float().item(), expected.float().item(), rtol=1e-2)


def test_chunking_cuts_the_programs_temporary_memory():
    # The point of the chunked path: a jitted gradient holds (chunk, C) logits, not (N, C).
    n, c, d = 1024, 4096, 32
    x, w = jnp.ones((n, d)), jnp.full((c, d), 0.01)
    t = jnp.zeros((n,), jnp.int32)

    def temp_bytes(loss):
        compiled = jax.jit(jax.grad(loss, (0, 1))).lower(x, w).compile()
        return compiled.memory_analysis().temp_size_in_bytes

    whole = temp_bytes(lambda x, w: L.cross_entropy(x @ w.T, t))
    chunked = temp_bytes(lambda x, w: linear_cross_entropy_chunked(x, w, t, chunk=64))
    logits_bytes = n * c * 4
    assert whole >= logits_bytes
    assert chunked < logits_bytes / 4


def test_a_compiled_step_with_the_chunked_loss_trains_as_eager():
    def run(compiled):
        ft.manual_seed(0)
        body = ft.nn.Sequential(ft.nn.Linear(4, 8), ft.nn.Tanh())
        head = ft.nn.LinearCrossEntropyLoss(
            8, 11, bias=True, options=ft.nn.LinearCrossEntropyOptions(batch_chunk_size=4))
        model = ft.nn.ModuleDict({"body": body, "head": head})
        opt = ft.optim.Adam(model.parameters(), lr=0.01)
        step = training_step(body, opt, head)
        step = ft.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        losses = []
        for _ in range(3):
            x = ft.tensor(rng.standard_normal((10, 4)).astype(np.float32))
            y = ft.tensor(rng.integers(0, 11, 10))
            losses.append(step(x, y).item())
        return losses, model
    eager, eager_model = run(False)
    compiled, compiled_model = run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    assert_same_state(eager_model, compiled_model)
