"""torch.jit pass-throughs, DataParallel / DistributedDataParallel and SyncBatchNorm
against real PyTorch: outputs and gradients of scripted/traced code, state_dict keys and
round trips, reprs, training equivalence, conversion of BatchNorms, and error texts."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import torch
from _tensor_ops_ref import rand

import functorch_like as fl
import functorch_like.nn as nn

TOL = dict(atol=1e-12, rtol=1e-10)


def _pair(make):
    """The same float64 model in torch and here, ours holding torch's weights."""
    torch.manual_seed(0)
    tm, m = make(torch.nn).double(), make(nn).double()
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return tm, m


def _mlp(lib):
    return lib.Sequential(lib.Linear(3, 2), lib.BatchNorm1d(2), lib.Tanh())


def _f(lib):
    def f(x, y):
        """x * y + sin(x)"""
        return x * y + lib.sin(x)
    return f


# ---- jit -------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["script", "trace"])
def test_jit_module_same_outputs_and_grads_as_torch(x64, how):
    tm, m = _pair(_mlp)
    # eval first: torch's trace freezes the training-mode BatchNorm path into its graph.
    tm.eval()
    m.eval()
    x = rand(4, 3, dtype=np.float64)
    tj = torch.jit.script(tm) if how == "script" else torch.jit.trace(
        tm, torch.tensor(x), check_trace=False)
    with pytest.warns(DeprecationWarning, match=f"`torch.jit.{how}` is deprecated"):
        j = fl.jit.trace(m, fl.tensor(x)) if how == "trace" else fl.jit.script(m)
    assert j is m                                      # the module itself runs
    xt, xf = torch.tensor(x, requires_grad=True), fl.tensor(x, requires_grad=True)
    yt, yf = tj(xt), j(xf)
    np.testing.assert_allclose(yf.detach().numpy(), yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(yf.detach().numpy(), m(fl.tensor(x)).detach().numpy(), **TOL)
    (yt ** 2).sum().backward()
    (yf ** 2).sum().backward()
    np.testing.assert_allclose(xf.grad.numpy(), xt.grad.numpy(), **TOL)
    for (name, tp), (_, p) in zip(tm.named_parameters(), m.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), err_msg=name, **TOL)


def test_jit_trace_runs_recording_call_once(x64):
    # trace records by running the function: a training BatchNorm counts that batch
    # (torch with check_trace=False runs exactly one recording call too).
    tm, m = _pair(lambda lib: lib.BatchNorm1d(3))
    x = rand(4, 3, dtype=np.float64)
    torch.jit.trace(tm, torch.tensor(x), check_trace=False)
    fl.jit.trace(m, fl.tensor(x))
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[k].numpy(), v.numpy(), err_msg=k, **TOL)


@pytest.mark.parametrize("how", ["script", "trace"])
def test_jit_function_keeps_name_doc_values_grads(x64, how):
    x, y = rand(3, dtype=np.float64), rand(3, dtype=np.float64)
    tf, ff = _f(torch), _f(fl)
    tj = torch.jit.script(tf) if how == "script" else torch.jit.trace(
        tf, (torch.tensor(x), torch.tensor(y)))
    fj = fl.jit.script(ff) if how == "script" else fl.jit.trace(
        ff, (fl.tensor(x), fl.tensor(y)))
    assert isinstance(fj, fl.jit.ScriptFunction)
    assert fj.__name__ == "f" and fj.__doc__ == ff.__doc__ and fj.name == tj.name == "f"
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    xf, yf = fl.tensor(x, requires_grad=True), fl.tensor(y, requires_grad=True)
    out_t, out_f = tj(xt, yt), fj(xf, yf)
    np.testing.assert_allclose(out_f.detach().numpy(), out_t.detach().numpy(), **TOL)
    out_t.sum().backward()
    out_f.sum().backward()
    np.testing.assert_allclose(xf.grad.numpy(), xt.grad.numpy(), **TOL)
    np.testing.assert_allclose(yf.grad.numpy(), yt.grad.numpy(), **TOL)


def test_jit_helpers_match_torch():
    def g(a):
        return a + 1
    for name in ("ignore", "unused", "export"):
        assert getattr(fl.jit, name)(g) is g and getattr(torch.jit, name)(g) is g
    assert fl.jit.ignore(drop=False)(g) is g
    assert fl.jit.is_scripting() is torch.jit.is_scripting() is False
    assert fl.jit.is_tracing() is torch.jit.is_tracing() is False
    assert fl.jit.annotate(list, [1]) == torch.jit.annotate(list, [1]) == [1]
    assert fl.jit.Final is torch.jit.Final
    fut_t = torch.jit.fork(g, torch.ones(2))
    with pytest.warns(DeprecationWarning, match="`torch.jit.fork` is deprecated"):
        fut_f = fl.jit.fork(g, fl.ones(2))
    with pytest.warns(DeprecationWarning, match="`torch.jit.wait` is deprecated"):
        np.testing.assert_array_equal(fl.jit.wait(fut_f).numpy(),
                                      torch.jit.wait(fut_t).numpy())
    assert fl.jit.Attribute(3, int) == torch.jit.Attribute(3, int) == (3, int)
    with pytest.raises(TypeError, match="is a built-in class"):
        torch.jit.script(3)
    with pytest.raises(TypeError, match="is a built-in class"):
        fl.jit.script(3)


def test_jit_freeze_and_optimize_for_inference():
    m = nn.Linear(2, 2)
    tm = torch.jit.script(torch.nn.Linear(2, 2))
    msg = "Freezing is currently only implemented for modules in eval mode"
    with pytest.raises(RuntimeError, match=msg):
        torch.jit.freeze(tm)
    with pytest.raises(RuntimeError, match=msg), pytest.warns(DeprecationWarning):
        fl.jit.freeze(m)
    assert fl.jit.freeze(m.eval()) is m
    m.train()
    with pytest.warns(DeprecationWarning, match="optimize_for_inference` is deprecated"), \
            pytest.warns(DeprecationWarning, match="`torch.jit.freeze` is deprecated"):
        assert fl.jit.optimize_for_inference(m) is m
    assert not m.training


def test_jit_save_load_raise_and_write_nothing(tmp_path):
    path = tmp_path / "m.pt"
    with pytest.raises(RuntimeError, match=r"torch\.save\(model\.state_dict\(\)"):
        fl.jit.save(fl.jit.script(nn.Linear(2, 2)), str(path))
    assert not path.exists()
    buf = io.BytesIO()
    with pytest.raises(RuntimeError, match="TorchScript serialization is not available"):
        fl.jit.save(nn.Linear(2, 2), buf)
    assert buf.getvalue() == b""
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), str(path))
    with pytest.raises(RuntimeError, match="TorchScript serialization is not available"):
        fl.jit.load(str(path))


# ---- DataParallel / DistributedDataParallel ----------------------------------------------

def _ddp(lib_nn, module):
    if lib_nn is torch.nn:     # torch's DDP needs a process group; its keys come from DP's
        return torch.nn.DataParallel(module)
    return nn.parallel.DistributedDataParallel(module, device_ids=[0], output_device=0)


@pytest.mark.parametrize("wrap", ["dp", "ddp"])
def test_parallel_state_dict_keys_repr_and_round_trip(x64, wrap):
    tm, m = _pair(_mlp)
    tw = torch.nn.DataParallel(tm)
    w = nn.DataParallel(m, device_ids=[0]) if wrap == "dp" else _ddp(nn, m)
    assert list(w.state_dict()) == list(tw.state_dict())
    assert all(k.startswith("module.") for k in w.state_dict())
    name = "DataParallel" if wrap == "dp" else "DistributedDataParallel"
    assert repr(w) == repr(tw).replace("DataParallel", name, 1)
    assert [id(p) for p in w.parameters()] == [id(p) for p in m.parameters()]
    # torch -> ours, after changing torch's values
    with torch.no_grad():
        for p in tw.parameters():
            p.mul_(2.0)
    w.load_state_dict({k: v.numpy() for k, v in tw.state_dict().items()})
    np.testing.assert_allclose(m[0].weight.detach().numpy(), tm[0].weight.detach().numpy(),
                               **TOL)
    # ours -> torch
    with fl.no_grad():
        for p in w.parameters():
            p.add_(1.0)
    tw.load_state_dict({k: torch.tensor(v.numpy()) for k, v in w.state_dict().items()})
    for k, v in w.state_dict().items():
        np.testing.assert_allclose(tw.state_dict()[k].numpy(), v.numpy(), err_msg=k, **TOL)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "module.0.weight"'):
        w.load_state_dict({k[len("module."):]: v for k, v in w.state_dict().items()})


@pytest.mark.parametrize("wrap", ["dp", "ddp"])
def test_training_through_wrapper_equals_bare_and_torch(x64, wrap):
    tm, m = _pair(_mlp)
    _, bare = _pair(_mlp)
    w = nn.DataParallel(m) if wrap == "dp" else _ddp(nn, m)
    tw = torch.nn.DataParallel(tm)
    opts = [fl.optim.SGD(w.parameters(), lr=0.1), fl.optim.SGD(bare.parameters(), lr=0.1)]
    topt = torch.optim.SGD(tw.parameters(), lr=0.1)
    for _ in range(2):
        x, y = rand(4, 3, dtype=np.float64), rand(4, 2, dtype=np.float64)
        for model, opt in zip((w, bare), opts):
            opt.zero_grad()
            ((model(fl.tensor(x)) - fl.tensor(y)) ** 2).mean().backward()
            opt.step()
        topt.zero_grad()
        ((tw(torch.tensor(x)) - torch.tensor(y)) ** 2).mean().backward()
        topt.step()
    for (k, v), (kb, vb), (kt, vt) in zip(m.state_dict().items(), bare.state_dict().items(),
                                          tm.state_dict().items()):
        assert k == kb == kt
        np.testing.assert_allclose(v.numpy(), vb.numpy(), err_msg=k, **TOL)
        np.testing.assert_allclose(v.numpy(), vt.numpy(), err_msg=k, **TOL)


def test_ddp_no_sync_accumulates_like_torch_single_process(x64):
    tm, m = _pair(lambda lib: lib.Linear(3, 2))
    ddp = _ddp(nn, m)
    x1, x2 = rand(4, 3, dtype=np.float64), rand(4, 3, dtype=np.float64)
    assert ddp.require_backward_grad_sync
    with ddp.no_sync():
        assert not ddp.require_backward_grad_sync
        ddp(fl.tensor(x1)).sum().backward()
    assert ddp.require_backward_grad_sync
    ddp(fl.tensor(x2)).sum().backward()
    tm(torch.tensor(x1)).sum().backward()
    tm(torch.tensor(x2)).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), **TOL)
    assert ddp.device_ids == [0] and ddp.output_device == 0


def test_data_parallel_attributes_and_functional(x64):
    tm, m = _pair(lambda lib: lib.Linear(3, 2))
    dp = nn.DataParallel(m)
    assert dp.module is m and dp.device_ids == torch.nn.DataParallel(tm).device_ids == []
    x = rand(4, 3, dtype=np.float64)
    out = nn.parallel.data_parallel(m, fl.tensor(x))
    ref = tm(torch.tensor(x))       # torch's functional form needs an accelerator
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), **TOL)
    assert nn.parallel.DataParallel is nn.DataParallel


# ---- SyncBatchNorm -----------------------------------------------------------------------

def test_sync_batchnorm_matches_torch(x64):
    shape = (2, 3, 2, 1)           # (N, C, +): any rank from 2 up takes this path
    tm, m = _pair(lambda lib: lib.SyncBatchNorm(3, momentum=None))
    assert repr(m) == repr(tm)
    for training in (True, False):
        tm.train(training)
        m.train(training)
        x = rand(*shape, dtype=np.float64)
        xt, xf = torch.tensor(x, requires_grad=True), fl.tensor(x, requires_grad=True)
        yt, yf = tm(xt), m(xf)
        np.testing.assert_allclose(yf.detach().numpy(), yt.detach().numpy(), **TOL)
        (yt * torch.tensor(x)).sum().backward()
        (yf * fl.tensor(x)).sum().backward()
        np.testing.assert_allclose(xf.grad.numpy(), xt.grad.numpy(), **TOL)
        np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), **TOL)
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[k].numpy(), v.numpy(), err_msg=k, **TOL)


def test_sync_batchnorm_errors():
    for lib in (torch, fl):
        with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
            lib.nn.SyncBatchNorm(3)(lib.ones(3))
        with pytest.raises(ValueError, match="number of input channels should be non-zero"):
            lib.nn.SyncBatchNorm(0)(lib.ones(2, 0))


def test_convert_sync_batchnorm_like_torch():
    def make(lib):
        return lib.Sequential(lib.Conv2d(2, 3, 1), lib.BatchNorm2d(3),
                              lib.Sequential(lib.BatchNorm1d(3, affine=False),
                                             lib.InstanceNorm1d(3)))
    tm, m = make(torch.nn), make(nn)
    m[2].eval()
    tm[2].eval()
    old_w, old_rm = m[1].weight, m[1].running_mean
    tc = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tm)
    c = nn.SyncBatchNorm.convert_sync_batchnorm(m)
    assert c is m and repr(c) == repr(tc)
    assert type(c[1]) is nn.SyncBatchNorm and type(c[2][1]) is nn.InstanceNorm1d
    assert c[1].weight is old_w and c[1].running_mean is old_rm
    assert [x.training for x in c.modules()] == [x.training for x in tc.modules()]
    assert list(c.state_dict()) == list(tc.state_dict())
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm3d(2, momentum=0.3))
    assert type(single) is nn.SyncBatchNorm and single.momentum == 0.3


def test_uninitialized_parameter_exports_like_torch():
    p, b = nn.UninitializedParameter(), nn.UninitializedBuffer()
    tp, tb = torch.nn.UninitializedParameter(), torch.nn.UninitializedBuffer()
    assert isinstance(p, nn.Parameter) == isinstance(tp, torch.nn.Parameter) is True
    assert isinstance(b, fl.Tensor) and isinstance(tb, torch.Tensor)
    assert nn.parameter.is_lazy(p) and nn.parameter.is_lazy(b)
    assert torch.nn.parameter.is_lazy(tp) and torch.nn.parameter.is_lazy(tb)
    lazy = nn.LazyLinear(2)
    assert isinstance(lazy.weight, nn.UninitializedParameter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # torch warns that lazy modules are experimental
        assert isinstance(torch.nn.LazyLinear(2).weight, torch.nn.UninitializedParameter)
