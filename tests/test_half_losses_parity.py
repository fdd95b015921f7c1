"""Reduced precision and losses against torch: BatchNorm's half running statistics stay
half, CPU autocast casts the ops of torch's lists (binary_cross_entropy and fft ran into
dtype errors, prod/cdist/embedding losses stayed bf16, einsum stayed float32), and the
losses' value checks torch makes (soft_margin's broadcast, bce's target range, nll's class
weight dtype)."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

LIBS = (torch, fl)


def _both(fn):
    """fn(lib) for torch and functorch_like."""
    return [fn(lib) for lib in LIBS]


def _dt(t):
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_batchnorm_running_stats_keep_half_dtype(dtype):
    def run(lib):
        lib.manual_seed(0)
        bn = lib.nn.BatchNorm1d(3).to(getattr(lib, dtype))
        x = lib.arange(12.0).reshape(4, 3).to(getattr(lib, dtype))
        for _ in range(3):
            bn(x * 0.7)
        rm = lib.zeros(3, dtype=getattr(lib, dtype))
        rv = lib.ones(3, dtype=getattr(lib, dtype))
        lib.nn.functional.batch_norm(x, rm, rv, training=True)
        return [(_dt(t), t.float().tolist()) for t in
                (bn.running_mean, bn.running_var, rm, rv, bn.state_dict()["running_var"])]
    ref, ours = _both(run)
    assert [d for d, _ in ours] == [d for d, _ in ref] == [dtype] * 5
    # (the values: within an ulp or two of the half type; torch rounds its batch
    # statistics to half before the update, its variance in its own order)
    np.testing.assert_allclose([v for _, v in ours], [v for _, v in ref], rtol=1e-2)


def _autocast_results(lib, dtype):
    F = lib.nn.functional
    x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    w = lib.tensor([[1.0, 0.5, -0.5], [0.2, 0.1, 0.3]])
    with lib.autocast("cpu", dtype=getattr(lib, dtype)):
        h = x @ w.t()
        p = lib.sigmoid(h)
        return {
            "bce": F.binary_cross_entropy(p, lib.tensor([[1.0, 0.0], [0.0, 1.0]])),
            "rfft": lib.fft.rfft(h),
            "prod": h.prod(),
            "prod_dim": h.prod(1),
            "cdist": lib.cdist(h, h),
            "triplet": F.triplet_margin_loss(h, h * 0.5, h * 2),
            "cosine_embedding": F.cosine_embedding_loss(h, h * 0.5, lib.tensor([1.0, -1.0])),
            "hinge_embedding": F.hinge_embedding_loss(h, lib.tensor([[1.0, -1.0], [-1.0, 1.0]])),
            "margin_ranking": F.margin_ranking_loss(h[0], h[1], lib.tensor([1.0, -1.0])),
            "einsum": lib.einsum("ij,kj->ik", x, w),
        }


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_cpu_autocast_casts_as_torch(dtype):
    ref, ours = _both(lambda lib: _autocast_results(lib, dtype))
    assert list(ours) == list(ref)
    for name in ref:
        assert _dt(ours[name]) == _dt(ref[name]), name
        a, b = (t.detach() if t.is_complex() else t.detach().float()
                for t in (ours[name], ref[name]))
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-2, atol=1e-3, err_msg=name)


def _same_runtime_error(call):
    """torch raises a RuntimeError, functorch_like one of its kind with the same message."""
    torch_error, _ = check_raises(call)
    assert isinstance(torch_error, RuntimeError)


@pytest.mark.parametrize("shapes", [((3,), (3, 1)), ((3, 1), (3,))])
def test_soft_margin_loss_refuses_a_target_that_grows_the_input(shapes):
    _same_runtime_error(lambda lib: lib.nn.functional.soft_margin_loss(
        lib.ones(shapes[0]), lib.ones(shapes[1])))


@pytest.mark.parametrize("target", [[2.0, -1.0], [0.5, float("nan")], [1.0, 1.5]])
def test_bce_refuses_targets_outside_0_1(target):
    _same_runtime_error(lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor([0.5, 0.5]), lib.tensor(target)))


def test_bce_reports_the_first_bad_element():
    # element 0's target is bad, element 1's input: torch names the target
    _same_runtime_error(lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor([0.5, 1.5]), lib.tensor([2.0, 0.5])))


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("dtypes", [("float16", "float32"), ("bfloat16", "float32"),
                                    ("float32", "float16")])
def test_class_weight_of_another_dtype_refused(fn, dtypes):
    def call(lib):
        x = lib.tensor([[0.1, 0.2], [0.3, -0.1]]).to(getattr(lib, dtypes[0]))
        w = lib.tensor([1.0, 2.0]).to(getattr(lib, dtypes[1]))
        return getattr(lib.nn.functional, fn)(x, lib.tensor([0, 1]), weight=w)
    _same_runtime_error(call)


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_weight_of_another_dtype_under_autocast_is_cast(fn):
    def call(lib):
        x = lib.tensor([[0.1, 0.2], [0.3, -0.1]]).to(lib.bfloat16)
        with lib.autocast("cpu"):
            out = getattr(lib.nn.functional, fn)(x, lib.tensor([0, 1]),
                                                 weight=lib.tensor([1.0, 2.0]))
        return _dt(out), out.item()
    ref, ours = _both(call)
    assert ours[0] == ref[0] == "float32"
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-6)


_COPIES = {
    "expand": lambda lib, p, idx: p.expand(4096, 4),
    "repeat": lambda lib, p, idx: p.repeat(4096, 1),
    "repeat_interleave": lambda lib, p, idx: p.repeat_interleave(4096, 0),
    "index_select": lambda lib, p, idx: p.index_select(0, idx),
    "gather": lambda lib, p, idx: p.expand(4096, 4).gather(0, idx[:, None].expand(4096, 4)),
    "take_along_dim": lambda lib, p, idx: lib.take_along_dim(p, idx[:, None], 0),
    # (torch adds these in bfloat16 itself: the sum stalls at 8)
    "getitem": lambda lib, p, idx: p[idx],
    "embedding": lambda lib, p, idx: lib.nn.functional.embedding(idx, p),
}


@pytest.mark.parametrize("op", list(_COPIES))
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_gradients_of_copies_add_up_as_torch(op, dtype):
    """4096 copies' gradients: torch adds those of expand, repeat, index_select, gather,
    ... in float32 (102.0, not the 101.0 or 8.0 of a bfloat16 sum)."""
    a = np.random.RandomState(0).rand(4096, 4).astype(np.float32) * 0.01 + 0.02

    def run(lib):
        dt = getattr(lib, dtype)
        p = lib.tensor(a[:1]).to(dt).requires_grad_()
        idx = lib.zeros(4096, dtype=lib.long)
        (_COPIES[op](lib, p, idx) * lib.tensor(a).to(dt)).sum().backward()
        return _dt(p.grad), p.grad.float().tolist()
    assert run(fl) == run(torch)
