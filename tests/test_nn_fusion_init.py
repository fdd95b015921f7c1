"""Conv/Linear + BatchNorm fusion, skip_init, the hook-based spectral_norm, and nn.init's
dirac_/sparse_ and deprecated aliases, against real PyTorch: values, gradients,
state_dict keys, power-iteration results from the same u/v, warnings and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check_raises, rand

import functorch_like as fl
import functorch_like.nn as nn

TOL = dict(atol=1e-12, rtol=1e-10)


def _pair(make):
    """The same float64 modules in torch and here, ours holding torch's state."""
    torch.manual_seed(0)
    tm, m = make(torch.nn).double(), make(nn).double()
    with torch.no_grad():                 # move BN's statistics and affine off 0/1
        for t in list(tm.parameters()) + list(tm.buffers()):
            if t.is_floating_point():
                t.add_(torch.rand(t.shape, dtype=t.dtype))
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return tm.eval(), m.eval()


# ---- fusion ------------------------------------------------------------------------------

def test_fuse_conv_bn_eval_matches_torch(x64):
    tc, c = _pair(lambda lib: lib.Conv2d(2, 3, 3, bias=False))
    tb, b = _pair(lambda lib: lib.BatchNorm2d(3))
    shape = (1, 2, 4, 4)
    tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb)
    f = nn.utils.fuse_conv_bn_eval(c, b)
    assert type(f) is type(c) and f is not c and f.weight is not c.weight
    assert repr(f) == repr(tf)
    for k, v in tf.state_dict().items():
        np.testing.assert_allclose(f.state_dict()[k].numpy(), v.numpy(), err_msg=k, **TOL)
    # a conv without bias gets a fused bias that does not require grad, as in torch
    assert isinstance(f.bias, nn.Parameter) and f.bias.requires_grad == tf.bias.requires_grad
    x = rand(*shape, dtype=np.float64)
    np.testing.assert_allclose(f(fl.tensor(x)).detach().numpy(),
                               b(c(fl.tensor(x))).detach().numpy(), atol=1e-12)
    assert c.bias is None or isinstance(c.bias, nn.Parameter)      # original untouched


def test_fuse_linear_bn_and_weights_functions(x64):
    tl, lin = _pair(lambda lib: lib.Linear(3, 4))
    tb, b = _pair(lambda lib: lib.BatchNorm1d(4))
    tf, f = torch.nn.utils.fuse_linear_bn_eval(tl, tb), nn.utils.fuse_linear_bn_eval(lin, b)
    for k, v in tf.state_dict().items():
        np.testing.assert_allclose(f.state_dict()[k].numpy(), v.numpy(), err_msg=k, **TOL)
    args_t = (tl.weight, None, tb.running_mean, tb.running_var, 1e-3, tb.weight, tb.bias)
    args_f = (lin.weight, None, b.running_mean, b.running_var, 1e-3, b.weight, b.bias)
    for tw, w in zip(torch.nn.utils.fuse_linear_bn_weights(*args_t),
                     nn.utils.fuse_linear_bn_weights(*args_f)):
        assert isinstance(w, nn.Parameter) and w.dtype == fl.float64
        assert w.requires_grad == tw.requires_grad
        np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), **TOL)
    # A transposed conv's (in, out, k) weight scales along dim 1; affine None = 1 / 0.
    w3 = rand(2, 4, 2, dtype=np.float64)
    tcw = torch.nn.utils.fuse_conv_bn_weights(torch.tensor(w3), tl.bias, tb.running_mean,
                                              tb.running_var, 1e-5, None, None, True)
    cw = nn.utils.fuse_conv_bn_weights(fl.tensor(w3), lin.bias, b.running_mean,
                                       b.running_var, 1e-5, None, None, True)
    for tw, w in zip(tcw, cw):
        assert w.requires_grad == tw.requires_grad
        np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), **TOL)


def test_fusion_errors_match_torch():
    for lib in (torch, fl):
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4))
        with pytest.raises(AssertionError, match="linear.out_features=4 and bn.num_features=3"):
            lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(3, 4).eval(),
                                             lib.nn.BatchNorm1d(3).eval())
        with pytest.raises(AssertionError, match="must not be None"):
            lib.nn.utils.fuse_conv_bn_eval(
                lib.nn.Linear(3, 4).eval(),
                lib.nn.BatchNorm1d(4, track_running_stats=False).eval())


# ---- skip_init ---------------------------------------------------------------------------

def test_skip_init_shapes_and_errors():
    m, tm = nn.utils.skip_init(nn.Linear, 3, out_features=4), \
        torch.nn.utils.skip_init(torch.nn.Linear, 3, out_features=4)
    assert type(m) is nn.Linear and repr(m) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    for lib in (torch, fl):
        with pytest.raises(RuntimeError, match="Expected a Module; got <class 'int'>"):
            lib.nn.utils.skip_init(int)
        with pytest.raises(RuntimeError, match="must support a 'device' arg"):
            lib.nn.utils.skip_init(lib.nn.ReLU)


# ---- spectral_norm (hook-based) ----------------------------------------------------------

def test_spectral_norm_matches_torch_from_same_u_v(x64):
    # dim=1 exercises the permutation (the default for transposed convolutions).
    def make(lib):
        return lib.utils.spectral_norm(lib.Linear(3, 4), n_power_iterations=2, dim=1)
    shape = (4, 3)
    torch.manual_seed(0)
    tm, m = make(torch.nn).double(), make(nn).double()
    assert list(m.state_dict()) == list(tm.state_dict())
    assert m.weight_u.shape == tm.weight_u.shape and m.weight_v.shape == tm.weight_v.shape
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    for training in (True, False):
        tm.train(training)
        m.train(training)
        x = rand(*shape, dtype=np.float64)
        yt, y = tm(torch.tensor(x)), m(fl.tensor(x))
        np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), **TOL)
        np.testing.assert_allclose(m.weight.detach().numpy(), tm.weight.detach().numpy(),
                                   **TOL)
        (yt ** 2).sum().backward()
        (y ** 2).sum().backward()
        np.testing.assert_allclose(m.weight_orig.grad.numpy(), tm.weight_orig.grad.numpy(),
                                   **TOL)
        for k, v in tm.state_dict().items():
            np.testing.assert_allclose(m.state_dict()[k].numpy(), v.numpy(), err_msg=k, **TOL)
    torch.nn.utils.remove_spectral_norm(tm)
    nn.utils.remove_spectral_norm(m)
    assert list(m.state_dict()) == list(tm.state_dict())
    assert isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), tm.weight.detach().numpy(), **TOL)


def test_spectral_norm_initial_u_v_and_errors():
    fl.manual_seed(0)
    m = nn.utils.spectral_norm(nn.Linear(3, 4))
    # Not torch's draws, but the same law: unit vectors, and a weight attribute at once.
    np.testing.assert_allclose(np.linalg.norm(m.weight_u.numpy()), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(m.weight_v.numpy()), 1.0, rtol=1e-6)
    assert not isinstance(m.weight, nn.Parameter) and "weight" not in dict(m.named_parameters())
    for lib in (torch, fl):
        sm = lib.nn.utils.spectral_norm(lib.nn.Linear(3, 4))
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
            lib.nn.utils.spectral_norm(sm)
        with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in Linear"):
            lib.nn.utils.remove_spectral_norm(lib.nn.Linear(3, 4))
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
            lib.nn.utils.spectral_norm(lib.nn.Linear(3, 4), n_power_iterations=0)


# ---- nn.init -----------------------------------------------------------------------------

@pytest.mark.parametrize("shape, groups", [((4, 2, 3), 2), ((2, 3, 1, 3, 2), 1)])
def test_dirac_matches_torch(shape, groups):
    t = torch.nn.init.dirac_(torch.empty(shape), groups)
    f = nn.init.dirac_(fl.empty(shape), groups)
    assert f.dtype == fl.float32
    np.testing.assert_array_equal(f.numpy(), t.numpy())


def test_dirac_sparse_errors_match_torch():
    for lib in (torch, fl):
        with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
            lib.nn.init.dirac_(lib.empty(2, 2))
        with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
            lib.nn.init.dirac_(lib.empty(3, 2, 2), 2)
        with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
            lib.nn.init.sparse_(lib.empty(2, 2, 2), 0.5)


def test_sparse_structure_and_law():
    # PyTorch's draws differ; compare the zero count per column and the nonzeros' spread.
    rows, cols, sparsity, std = 40, 30, 0.3, 0.5
    torch.manual_seed(0)
    fl.manual_seed(0)
    t = torch.nn.init.sparse_(torch.empty(rows, cols), sparsity, std)
    f = nn.init.sparse_(fl.empty(rows, cols), sparsity, std)
    np.testing.assert_array_equal((f.numpy() == 0).sum(0), (t.numpy() == 0).sum(0))
    nonzero = f.numpy()[f.numpy() != 0]
    assert nonzero.size == rows * cols - cols * int(np.ceil(sparsity * rows))
    # 840 N(0, 0.25) draws: sample std within ~5 standard errors of 0.5.
    assert abs(nonzero.std() - std) < 5 * std / np.sqrt(2 * nonzero.size)
    assert abs(nonzero.mean()) < 5 * std / np.sqrt(nonzero.size)
    # the zero rows differ between columns (a random choice per column)
    assert len({tuple(np.flatnonzero(col == 0)) for col in f.numpy().T}) > 1
    fl.manual_seed(3)
    a = nn.init.sparse_(fl.empty(rows, cols), 0.5).numpy()
    fl.manual_seed(3)
    np.testing.assert_array_equal(nn.init.sparse_(fl.empty(rows, cols), 0.5).numpy(), a)


@pytest.mark.parametrize("name, args", [
    ("uniform", (-1.0, 1.0)), ("normal", ()), ("constant", (0.3,)), ("eye", ()),
    ("dirac", ()), ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()),
    ("kaiming_normal", ()), ("orthogonal", ()), ("sparse", (0.5,)),
])
def test_deprecated_aliases_warn_like_torch(name, args):
    shape = {"dirac": (3, 4, 3), "sparse": (40, 30)}.get(name, (3, 4))
    results = []
    for lib in (torch, fl):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = getattr(lib.nn.init, name)(lib.empty(shape), *args)
        assert [(w.category, str(w.message)) for w in caught] == [
            (FutureWarning, f"`nn.init.{name}` is now deprecated in favor of "
                            f"`nn.init.{name}_`.")]
        assert caught[0].filename == __file__           # stacklevel points at the caller
        results.append(out)
    assert tuple(results[1].shape) == tuple(results[0].shape)
    assert getattr(nn.init, name).__name__ == name
    if name in ("constant", "eye", "dirac"):               # deterministic: same values
        np.testing.assert_array_equal(results[1].numpy(), results[0].numpy())


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.init.uniform_(lib.empty(3), 2, 1),
    lambda lib: lib.nn.init.trunc_normal_(lib.empty(6), a=2, b=1),
    lambda lib: lib.nn.init.normal_(lib.empty(3), 0, -1),
], ids=["uniform_ b < a", "trunc_normal_ b < a", "normal_ std < 0"])
def test_init_refuses_an_empty_range_or_a_negative_std_as_torch(call):
    # (before: uniform_ filled with a, trunc_normal_ with b, normal_ drew with |std|)
    check_raises(call)
