"""functorch_like.nn.utils gradient clipping and parameter/vector conversion against
torch.nn.utils: clipped gradients, returned norms and dtypes, warnings and error texts; the
pure transform under jax.jit; clipping inside a compiled training step."""

import warnings

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch

import functorch_like as fl
from functorch_like.pure import optim as pure_optim

_rng = np.random.default_rng(0)
SHAPES = [(2, 3), (3,), (), (4,)]
GRADS = [_rng.normal(size=s) * 3 for s in SHAPES]


def params_with_grads(lib, dtype=np.float64, without=(3,)):
    """Parameters of SHAPES with the fixed gradients, except those in `without` (no grad)."""
    params = [lib.nn.Parameter(lib.tensor(np.ones(s, dtype))) for s in SHAPES]
    for i, (p, g) in enumerate(zip(params, GRADS)):
        if i not in without:
            p.grad = lib.tensor(g.astype(dtype))
    return params


def grads_of(params):
    return [None if p.grad is None else p.grad.numpy() for p in params]


def assert_grads_equal(ours, theirs, rtol=1e-12):
    for a, b in zip(grads_of(ours), grads_of(theirs)):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-15)


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 3.5, 0.5, 0, float("-inf")])
@pytest.mark.parametrize("max_norm", [0.7, 1e3])
def test_clip_grad_norm_matches_torch(x64, norm_type, max_norm):
    sides = {lib: params_with_grads(lib) for lib in (torch, fl)}
    totals = {lib: lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
              for lib, ps in sides.items()}
    assert isinstance(totals[fl], fl.Tensor) and totals[fl].shape == ()
    assert str(totals[fl].dtype) == str(totals[torch].dtype)
    np.testing.assert_allclose(totals[fl].item(), totals[torch].item(), rtol=1e-12)
    assert_grads_equal(sides[fl], sides[torch])
    clipped = max_norm < totals[torch].item()
    assert clipped == (not np.allclose(sides[fl][0].grad.numpy(), GRADS[0]))


@pytest.mark.parametrize("form", ["tensor", "generator", "float32"])
def test_clip_grad_norm_input_forms_match_torch(form):
    """A single Tensor, a generator (read once, used twice), float32 gradients."""
    results = []
    for lib in (torch, fl):
        params = params_with_grads(lib, np.float32, without=())
        if form == "tensor":
            total = lib.nn.utils.clip_grad_norm_(params[0], 1.0)
        elif form == "generator":
            total = lib.nn.utils.clip_grad_norm_((p for p in params), 1.0, norm_type=1)
        else:
            total = lib.nn.utils.clip_grad_norm_(params, 2.0, foreach=True)
        results.append((total.item(), str(total.dtype), grads_of(params)))
    (t_total, t_dtype, t_grads), (total, dtype, grads) = results
    assert dtype == t_dtype
    np.testing.assert_allclose(total, t_total, rtol=1e-6)
    for a, b in zip(grads, t_grads):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_nonfinite_norm_raises_like_torch_or_propagates():
    messages, grads = [], []
    for lib in (torch, fl):
        params = params_with_grads(lib)
        params[1].grad[0] = float("nan")
        with pytest.raises(RuntimeError) as err:
            lib.nn.utils.clip_grad_norm_(params, 1.0, norm_type=2, error_if_nonfinite=True)
        messages.append(str(err.value))
        assert np.isfinite(params[0].grad.numpy()).all()       # nothing was scaled
        total = lib.nn.utils.clip_grad_norm_(params, 1.0)      # the default: scales by nan
        grads.append((np.isnan(total.item()), np.isnan(params[0].grad.numpy()).all()))
    assert messages[1] == messages[0]
    assert grads[1] == grads[0] == (True, True)


def test_the_nonfinite_check_in_a_compiled_step_names_itself():
    """The check reads the norm's value, which a compiled step does not have: the error
    names the argument (the default, scaling by the norm, runs there)."""
    from functorch_like._trace_state import UntraceableError
    params = params_with_grads(fl)
    strict = fl.compile(lambda: fl.nn.utils.clip_grad_norm_(params, 1.0,
                                                            error_if_nonfinite=True))
    with pytest.raises(UntraceableError, match=r"error_if_nonfinite=True \(the check reads "
                                               r"the norm\) needs a concrete value"):
        strict()
    assert np.isfinite(fl.compile(lambda: fl.nn.utils.clip_grad_norm_(params, 1.0))().item())


def test_empty_inputs_like_torch():
    results = []
    for lib in (torch, fl):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            total = lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
            total_list = lib.nn.utils.clip_grad_norm_([lib.nn.Parameter(lib.ones(2))], 1.0)
        results.append((total.item(), str(total.dtype), total_list.item(),
                        [(w.category, str(w.message)) for w in caught]))
    assert results[1] == results[0]
    assert len(results[0][3]) == 1


def test_deprecated_clip_grad_norm_warns_like_torch(x64):
    results = []
    for lib in (torch, fl):
        params = params_with_grads(lib)
        with pytest.warns(FutureWarning) as caught:
            total = lib.nn.utils.clip_grad_norm(params, 0.5)
        results.append((str(caught[0].message), total.item(), grads_of(params)[0]))
    assert results[1][0] == results[0][0]
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12)
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-12)


def test_get_total_norm_and_clip_grads_with_norm_match_torch(x64):
    sides = {}
    for lib in (torch, fl):
        params = params_with_grads(lib)
        grads = [p.grad for p in params if p.grad is not None]
        total = lib.nn.utils.get_total_norm(grads, norm_type=3.0)
        single = lib.nn.utils.get_total_norm(grads[0])
        result = lib.nn.utils.clip_grads_with_norm_(params, 0.5, total)
        sides[lib] = (params, total.item(), single.item(), result)
    np.testing.assert_allclose(sides[fl][1:3], sides[torch][1:3], rtol=1e-12)
    assert sides[fl][3] is None and sides[torch][3] is None
    assert_grads_equal(sides[fl][0], sides[torch][0])


@pytest.mark.parametrize("clip_value", [0.5, 4])
def test_clip_grad_value_matches_torch(x64, clip_value):
    sides = {lib: params_with_grads(lib) for lib in (torch, fl)}
    for lib, params in sides.items():
        assert lib.nn.utils.clip_grad_value_(params, clip_value) is None
    assert_grads_equal(sides[fl], sides[torch])
    assert np.abs(sides[fl][0].grad.numpy()).max() <= clip_value
    single = {lib: params_with_grads(lib, without=()) for lib in (torch, fl)}
    for lib, params in single.items():
        lib.nn.utils.clip_grad_value_(params[3], 0.1, foreach=False)
    assert_grads_equal(single[fl], single[torch])


def test_clipping_records_no_graph():
    """Clipping runs under no_grad (torch's @_no_grad): gradients computed with
    create_graph stay outside the graph after clipping."""
    p = fl.nn.Parameter(fl.tensor([1.0, -2.0]))
    (p ** 3).sum().backward(create_graph=True)
    assert p.grad.grad_fn is not None
    total = fl.nn.utils.clip_grad_norm_([p], 1.0)
    assert total.grad_fn is None and not total.requires_grad


# ---- parameters_to_vector / vector_to_parameters ------------------------------------------
def test_parameters_to_vector_matches_torch_with_gradients(x64):
    results = []
    for lib in (torch, fl):
        params = [lib.nn.Parameter(lib.tensor(g)) for g in GRADS]
        vec = lib.nn.utils.parameters_to_vector(params)
        (vec * lib.arange(vec.shape[0], dtype=vec.dtype)).sum().backward()
        results.append((vec.detach().numpy(), [p.grad.numpy() for p in params]))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    assert results[1][0].shape == (14,)
    for a, b in zip(results[1][1], results[0][1]):
        np.testing.assert_array_equal(a, b)          # d(vec . arange)/dp = the indices


def test_vector_to_parameters_matches_torch():
    values = []
    for lib in (torch, fl):
        params = [lib.nn.Parameter(lib.zeros(s)) for s in SHAPES]
        vec = lib.arange(14, dtype=lib.float32)
        assert lib.nn.utils.vector_to_parameters(vec, params) is None
        values.append([(p.detach().numpy(), p.requires_grad, type(p).__name__)
                       for p in params])
        vec2 = lib.nn.utils.parameters_to_vector(params)
        np.testing.assert_array_equal(vec2.detach().numpy(), np.arange(14))
    for (a, ra, ta), (b, rb, tb) in zip(values[1], values[0]):
        np.testing.assert_array_equal(a, b)
        assert (ra, ta) == (rb, tb)


@pytest.mark.parametrize("vec", [[1.0, 2.0], np.ones(3), 3.0])
def test_vector_to_parameters_type_error_like_torch(vec):
    messages = []
    for lib in (torch, fl):
        with pytest.raises(TypeError) as err:
            lib.nn.utils.vector_to_parameters(vec, [lib.nn.Parameter(lib.ones(2))])
        messages.append(str(err.value))
    assert messages[1] == messages[0]


# ---- pure core and compiled step --------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, float("inf"), 1.5])
def test_pure_clip_grad_norm_jitted_matches_torch(x64, norm_type):
    tx = pure_optim.clip_grad_norm(0.8, norm_type)
    tree = {str(i): jnp.asarray(g) for i, g in enumerate(GRADS)}
    clipped, _ = jax.jit(tx.update)(tree, tx.init(tree))
    params = [torch.nn.Parameter(torch.ones(s, dtype=torch.float64)) for s in SHAPES]
    for p, g in zip(params, GRADS):
        p.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(params, 0.8, norm_type)
    np.testing.assert_allclose(float(pure_optim.global_norm(tree, norm_type)), total.item(),
                               rtol=1e-12)
    for i, p in enumerate(params):
        np.testing.assert_allclose(np.asarray(clipped[str(i)]), p.grad.numpy(), rtol=1e-12)


def test_pure_clip_grad_norm_is_optax_clip_by_global_norm_up_to_its_1e_6(x64):
    """optax scales by max_norm / norm, torch by max_norm / (norm + 1e-6): equal to ~1e-6."""
    tree = {str(i): jnp.asarray(g) for i, g in enumerate(GRADS)}
    ours, _ = pure_optim.clip_grad_norm(1.0).update(tree, optax.EmptyState())
    theirs, _ = optax.clip_by_global_norm(1.0).update(tree, optax.EmptyState())
    chex.assert_trees_all_close(ours, theirs, rtol=1e-6)
    assert not np.allclose(np.asarray(ours["0"]), np.asarray(theirs["0"]), rtol=1e-9, atol=0)


def test_clip_grad_norm_in_compiled_step_equals_eager():
    """zero_grad, backward, clip_grad_norm_, clip_grad_value_, step: one compiled program
    that gives the eager losses and returned norms."""
    rng = np.random.default_rng(1)
    x = fl.tensor(rng.normal(size=(8, 4)).astype(np.float32))
    y = fl.tensor(rng.normal(size=(8, 2)).astype(np.float32) * 5)
    runs = []
    for compiled in (False, True):
        fl.manual_seed(0)
        model = fl.nn.Sequential(fl.nn.Linear(4, 6), fl.nn.Tanh(), fl.nn.Linear(6, 2))
        opt = fl.optim.SGD(model.parameters(), lr=0.1)

        def step(a, b):
            opt.zero_grad()
            loss = ((model(a) - b) ** 2).mean()
            loss.backward()
            norm = fl.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            fl.nn.utils.clip_grad_value_(model.parameters(), 0.05)
            opt.step()
            return loss, norm
        step = fl.compile(step) if compiled else step
        runs.append(np.array([[t.item() for t in step(x, y)] for _ in range(5)]))
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-5, atol=1e-6)
    assert runs[0][-1, 0] < runs[0][0, 0]
    assert runs[0][0, 1] > 0.5                       # the clipping was active


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_half_gradients_norm_in_float32_as_torch(dtype, norm_type):
    """A float16 gradient's squares overflow from 256 on: torch sums them in float32 (its
    kernels' opmath), so [300, 400] has norm 500, not inf (which zeroed every gradient)."""
    values = [[300.0, 400.0], [-250.0, 12.5]]
    out = []
    for lib in (torch, fl):
        dt = getattr(lib, dtype)
        params = [lib.nn.Parameter(lib.zeros(2, dtype=dt)) for _ in values]
        for p, v in zip(params, values):
            p.grad = lib.tensor(v, dtype=dt)
        total = lib.nn.utils.clip_grad_norm_(params, 1.0, norm_type=norm_type)
        norm = lib.linalg.vector_norm(lib.tensor(values[0], dtype=dt), norm_type)
        out.append([(t.dtype, t.float().tolist()) for t in
                    (total, norm, lib.tensor(values[1], dtype=dt).norm(norm_type),
                     *(p.grad for p in params))])
    (ref, ours) = out
    assert [d for d, _ in ours] == [getattr(fl, dtype)] * 5
    for (_, a), (_, b) in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-2)
    assert np.isfinite(ours[0][1])


def test_half_gradients_are_scaled_in_float32_and_rounded_once_as_torch():
    # (the coefficient was rounded to the gradient's half type first: 1 ulp off)
    rng = np.random.default_rng(0)
    for _ in range(10):
        g16 = (rng.standard_normal(7) * 300).astype(np.float16)
        g32 = (rng.standard_normal(5) * 100).astype(np.float32)
        results = []
        for lib in (torch, fl):
            a, b = lib.nn.Parameter(lib.zeros(7, dtype=lib.float16)), lib.nn.Parameter(
                lib.zeros(5))
            a.grad, b.grad = lib.tensor(g16), lib.tensor(g32)
            lib.nn.utils.clip_grad_norm_([a, b], 1.0)
            c = lib.nn.Parameter(lib.zeros(7, dtype=lib.bfloat16))
            c.grad = lib.tensor(g16.astype(np.float32)).to(lib.bfloat16)
            lib.nn.utils.clip_grads_with_norm_([c], 1.0, lib.tensor(500.02))
            results.append([a.grad.float().numpy(), b.grad.numpy(), c.grad.float().numpy()])
        for got, want in zip(results[1], results[0]):
            np.testing.assert_array_equal(got, want)
