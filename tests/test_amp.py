"""functorch_like.autocast / amp.GradScaler against torch's (CPU): which ops run in the
lower precision dtype, gradients back to float32 parameters, the scaler's scale
growth/backoff rules, skipped steps, state_dict and errors."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

RNG = np.random.default_rng(2)
X = RNG.standard_normal((4, 3)).astype(np.float32)
W = RNG.standard_normal((2, 3)).astype(np.float32)
IMG = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
K = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)


def _ops(L, x, w, img, k):
    F = L.nn.functional
    y = F.linear(x, w)
    return {"linear": y, "matmul": x @ w.t(), "mm": L.mm(x, w.t()),
            "bmm": L.bmm(x[None], w.t()[None]), "addmm": L.addmm(y[:1], x, w.t()),
            "conv2d": F.conv2d(img, k), "mixed": y @ w,      # bfloat16 @ float32
            "relu": L.relu(y), "softmax": y.softmax(-1), "sum": y.sum(),
            "mse": F.mse_loss(y, L.zeros(4, 2)), "l1": F.l1_loss(y, L.zeros(4, 2)),
            "cross_entropy": F.cross_entropy(y, L.tensor([0, 1, 0, 1])),
            "float64": x.double() @ w.double().t()}


def test_autocast_dtypes_and_gradients_match_torch():
    results = []
    for lib in (fl, torch):
        x, w = lib.tensor(X), lib.tensor(W, requires_grad=True)
        img, k = lib.tensor(IMG), lib.tensor(K)
        with lib.autocast("cpu"):
            assert lib.is_autocast_enabled("cpu") and not lib.is_autocast_enabled()
            outs = _ops(lib, x, w, img, k)
            loss = outs["mse"] + outs["linear"].float().sum()
        assert not lib.is_autocast_enabled("cpu")
        loss.backward()
        outs = {n: (str(o.dtype), o.detach().float().numpy()) for n, o in outs.items()}
        results.append((outs, w.grad.dtype, w.grad.numpy(), lib.get_autocast_dtype("cpu")))
    (oa, ga_dtype, ga, da), (ob, gb_dtype, gb, db) = results
    for name in oa:
        if name == "float64":       # (stored as float32 while JAX's x64 mode is off)
            continue
        assert oa[name][0] == ob[name][0], name
        np.testing.assert_allclose(oa[name][1], ob[name][1], rtol=2e-2, atol=2e-2)
    assert str(ga_dtype) == str(gb_dtype) == "torch.float32" and str(da) == str(db)
    np.testing.assert_allclose(ga, gb, rtol=2e-2, atol=2e-2)


def test_autocast_modes_decorator_and_warnings():
    @fl.autocast("cpu", dtype=fl.float16)
    def f(x, w):
        return fl.nn.functional.linear(x, w)
    assert f(fl.tensor(X), fl.tensor(W)).dtype == fl.float16
    with fl.autocast("cpu"):
        with fl.autocast("cpu", enabled=False):
            assert fl.mm(fl.tensor(X), fl.tensor(W).t()).dtype == fl.float32
        assert fl.mm(fl.tensor(X), fl.tensor(W).t()).dtype == fl.bfloat16
    for lib in (fl, torch):
        with pytest.warns(UserWarning, match="target dtype is not supported"):
            with lib.autocast("cpu", dtype=lib.float32):
                assert not lib.is_autocast_enabled("cpu")
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
            lib.autocast(1)
        with pytest.warns(FutureWarning, match=r"torch.amp.autocast\('cpu', args...\)"):
            with lib.cpu.amp.autocast():
                assert lib.get_autocast_dtype("cpu") == lib.bfloat16


def _train(lib, grads_scale, **kwargs):
    """SGD steps through a GradScaler; `grads_scale[i]` multiplies step i's loss (inf
    makes that step's gradients non-finite). Returns scales, trackers, params, skips."""
    p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    opt = lib.optim.SGD([p], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", **kwargs)
    trace = []
    for factor in grads_scale:
        opt.zero_grad()
        loss = (p * p).sum() * factor
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        ret = scaler.step(opt)
        scaler.update()
        trace.append((scaler.get_scale(), scaler.state_dict()["_growth_tracker"],
                      p.detach().numpy().copy(), ret))
    return trace, scaler


def test_grad_scaler_trajectory_matches_torch():
    steps = [1.0, 1.0, float("inf"), 1.0, 1.0, 1.0, float("nan"), 1.0]
    kwargs = dict(init_scale=2.0 ** 10, growth_factor=4.0, backoff_factor=0.25,
                  growth_interval=2)
    (ta, sa), (tb, sb) = _train(fl, steps, **kwargs), _train(torch, steps, **kwargs)
    for (scale_a, tr_a, p_a, r_a), (scale_b, tr_b, p_b, r_b) in zip(ta, tb):
        assert (scale_a, tr_a, r_a) == (scale_b, tr_b, r_b)
        np.testing.assert_allclose(p_a, p_b, rtol=1e-6)
    assert sa.state_dict() == sb.state_dict()
    fresh = fl.amp.GradScaler("cpu")
    fresh.load_state_dict(sa.state_dict())
    assert fresh.get_scale() == sa.get_scale() and fresh.state_dict() == sa.state_dict()


def test_grad_scaler_errors_and_disabled():
    for lib in (fl, torch):
        p = lib.nn.Parameter(lib.tensor([1.0]))
        opt = lib.optim.SGD([p], lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale(p.sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            scaler.step(opt)
        with pytest.raises(AssertionError, match="The growth factor must be > 1.0."):
            lib.amp.GradScaler("cpu", growth_factor=1.0)
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            lib.amp.GradScaler("cpu").load_state_dict({})
        off = lib.amp.GradScaler("cpu", enabled=False)
        assert (off.state_dict(), off.get_scale(), off.is_enabled()) == ({}, 1.0, False)
        loss = p.sum()
        assert off.scale(loss) is loss
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert not lib.cuda.amp.GradScaler().is_enabled() or lib.cuda.is_available()


def test_grad_scaler_with_a_compiled_model_matches_eager():
    def run(compile_model):
        fl.manual_seed(0)
        model = fl.nn.Linear(3, 1)
        opt = fl.optim.SGD(model.parameters(), lr=0.1)
        net = fl.compile(model) if compile_model else model
        scaler = fl.amp.GradScaler("cpu", init_scale=2.0 ** 8)
        x = fl.ones(4, 3)
        for factor in (1.0, float("inf"), 1.0):
            opt.zero_grad()
            scaler.scale(net(x).sum() * factor).backward()
            scaler.step(opt)
            scaler.update()
        return model.weight.detach().numpy(), scaler.get_scale()
    (w_eager, s_eager), (w_compiled, s_compiled) = run(False), run(True)
    np.testing.assert_allclose(w_compiled, w_eager, rtol=1e-6)
    assert s_compiled == s_eager == 2.0 ** 7          # the inf step backed off once


def _scaled_steps(lib, factors, compiled):
    """Adam steps with a GradScaler's full recipe (scale, backward, unscale_, clipping,
    step, update), each loss times factors[i] (inf/nan: non-finite gradients, a skipped
    step); torch's eagerly, or ours eagerly or compiled. Returns per step (scale, growth
    tracker, parameters, Adam's step count)."""
    lib.manual_seed(0)
    p = lib.nn.Parameter(lib.tensor([1.0, -2.0, 0.5]))
    opt = lib.optim.Adam([p], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_factor=4.0,
                                backoff_factor=0.25, growth_interval=2)

    def step(factor):
        opt.zero_grad()
        scaler.scale((p * p).sum() * factor).backward()
        scaler.unscale_(opt)
        lib.nn.utils.clip_grad_norm_([p], 1.0)
        scaler.step(opt)
        scaler.update()
    step = lib.compile(step) if compiled else step
    out = []
    for f in factors:
        step(lib.tensor(f))
        count = opt.state[p]["step"] if p in opt.state else 0
        out.append((scaler.get_scale(), scaler.state_dict()["_growth_tracker"],
                    p.detach().numpy().copy(), float(count)))
    return out


def test_grad_scaler_inside_a_compiled_step_skips_and_scales_as_torch():
    """The compiled program keeps the old parameters and Adam state on an inf/nan step and
    computes the new scale itself: the trajectory is torch's eager one, from one program."""
    from functorch_like._compile import compile_count
    factors = [1.0, 1.0, float("inf"), 1.0, 1.0, 1.0, float("nan"), 1.0]
    expected = _scaled_steps(torch, factors, compiled=False)
    before = compile_count()
    got = _scaled_steps(fl, factors, compiled=True)
    # (the first call makes the scale and tracker tensors, the second runs with them)
    assert compile_count() - before == 2
    assert [g[0] for g in got] == [e[0] for e in expected]
    assert [g[1] for g in got] == [e[1] for e in expected]
    eager = _scaled_steps(fl, factors, compiled=False)
    for (_, _, p_got, n_got), (_, _, p_exp, n_exp), (_, _, p_ours, _) in zip(got, expected,
                                                                         eager):
        np.testing.assert_allclose(p_got, p_ours, rtol=1e-6)
        # (Adam and clipping here round a few float32 ulps away from torch's kernels)
        np.testing.assert_allclose(p_got, p_exp, rtol=1e-5, atol=2e-6)
        assert n_got == n_exp


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("exponent", [127, 100])
def test_grad_scaler_at_a_scale_whose_reciprocal_is_subnormal(compiled, exponent):
    """At a scale of 2**127 (reached by growth in a long bf16 run) 1/scale is a float32
    subnormal, which XLA on CPU flushed to zero: every gradient became 0 and the step did
    nothing. The gradients and the step are torch's."""
    def run(lib, compiled):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** exponent)

        def step(x):
            opt.zero_grad()
            scaler.scale((p * x).sum()).backward()
            scaler.unscale_(opt)
            g = p.grad.clone()
            scaler.step(opt)
            scaler.update()
            return g
        if compiled:
            step = lib.compile(step)
        grads = [step(lib.tensor([0.01, 0.5])).tolist() for _ in range(2)]
        return grads, p.tolist(), scaler.get_scale()
    got, want = run(fl, compiled), run(torch, False)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    assert got[2] == want[2]


def _fp32_list_cases(t):
    F = t.nn.functional
    g = np.random.default_rng(0)
    x = t.tensor(g.random((2, 3, 4, 4, 4), dtype=np.float32)).bfloat16()
    m = t.tensor(g.random((2, 3), dtype=np.float32)).bfloat16()
    y = t.tensor(g.random((2, 3), dtype=np.float32)).bfloat16()
    sq = (t.eye(3) * 2 + 0.1).bfloat16()
    return {
        "huber_loss": lambda: F.huber_loss(m, y),
        "soft_margin_loss": lambda: F.soft_margin_loss(m, y),
        "quantile": lambda: t.quantile(m, 0.37),
        "nanquantile": lambda: t.nanquantile(m, 0.37),
        "trace": lambda: t.trace(sq),
        "max_pool3d": lambda: F.max_pool3d(x, 2),
        "adaptive_avg_pool3d": lambda: F.adaptive_avg_pool3d(x, 2),
        "adaptive_max_pool3d": lambda: F.adaptive_max_pool3d(x, 2),
        "reflection_pad2d": lambda: F.pad(x[:, :, 0], (1, 1, 1, 1), mode="reflect"),
        "replication_pad3d": lambda: F.pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"),
        "grid_sample": lambda: F.grid_sample(x[:, :, 0], t.zeros(2, 2, 2, 2).bfloat16(),
                                             align_corners=False),
        "max_unpool2d": lambda: F.max_unpool2d(*F.max_pool2d(x[:, :, 0], 2,
                                                             return_indices=True), 2),
        "polar": lambda: t.polar(m, y),
        "view_as_complex": lambda: t.view_as_complex(m[:, :2]),
    }


@pytest.mark.parametrize("name", sorted(_fp32_list_cases(torch)))
def test_cpu_autocast_runs_the_fp32_list_ops_in_float32_as_torch(name):
    # (they stayed in bfloat16, or refused it: polar, view_as_complex)
    results = []
    for t in (torch, fl):
        with t.autocast("cpu", dtype=t.bfloat16):
            results.append(_fp32_list_cases(t)[name]())
    want, got = results
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_inner_runs_in_the_autocast_dtype_as_torch():
    # (it stayed in float32; a 0-d operand scales, outside the lists, as torch's mul)
    for t_call in (lambda t: t.inner(t.ones(2, 3), t.ones(4, 3)),
                   lambda t: t.inner(t.tensor(2.0), t.ones(3))):
        dtypes = []
        for t in (torch, fl):
            with t.autocast("cpu", dtype=t.bfloat16):
                dtypes.append(str(t_call(t).dtype))
        assert dtypes[0] == dtypes[1]


@pytest.mark.parametrize("kw", [dict(enabled=1), dict(cache_enabled=1), dict(dtype="bfloat16")])
def test_autocast_arguments_are_checked_on_entry_as_torch(kw):
    def enter(t):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with t.autocast("cpu", **kw):
                pass
    check_raises(enter)


def test_autocast_sets_the_cache_flag_for_its_region_as_torch():
    flags = []
    for t in (torch, fl):
        with t.autocast("cpu", cache_enabled=False):
            inside = t.is_autocast_cache_enabled()
        flags.append((inside, t.is_autocast_cache_enabled()))
    assert flags[0] == flags[1] == (False, True)


def test_grad_scaler_step_without_gradients_raises_as_torch():
    # (it returned None, silently not stepping)
    def run(t):
        p, q = t.nn.Parameter(t.ones(2)), t.nn.Parameter(t.ones(2))
        opt = t.optim.SGD([p], lr=0.1)
        scaler = t.amp.GradScaler("cpu")
        scaler.scale((q * 2).sum()).backward()
        scaler.step(opt)
    check_raises(run)
