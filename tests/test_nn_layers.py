"""Reference tests of the nn layer and loss modules against real PyTorch.

Each test builds the same module with `torch.nn` and with `functorch_like.nn` (one factory
called with either namespace), copies torch's state_dict into ours through numpy, runs
the same float64 numpy input through both in train and eval mode, and compares the
output, the gradient of every parameter (`.grad` after `backward()`) and the input's.
"""

from __future__ import annotations

import math
import warnings

import jax
import numpy as np
import pytest
import torch

import functorch_like as ft
import functorch_like.nn as nn
import functorch_like.nn.functional as F

RTOL, ATOL = 1e-10, 1e-12
INIT_SHAPE = (100, 120)         # nn.init tests: fan_out 100, fan_in 120


def _np(t) -> np.ndarray:
    return t.detach().numpy()


def _load_from_torch(m, tm) -> None:
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})


def _compare_module(make, inputs, *, modes=(True, False), rtol=RTOL, atol=ATOL, seed=0):
    """Builds `make(torch.nn)` and `make(nn)` in float64 with torch's weights in both, and
    compares outputs, parameter grads and input grads in each training mode of `modes`.

    Returns the (torch, ours) module pair for further checks.
    """
    rng = np.random.default_rng(seed)
    tm, m = make(torch.nn).double(), make(nn).double()
    with torch.no_grad():      # norm layers start at weight 1, bias 0: move them off that
        for p in tm.parameters():
            p.add_(torch.tensor(rng.standard_normal(tuple(p.shape))) * 0.5)
    _load_from_torch(m, tm)
    for training in modes:
        tm.train(training)
        m.train(training)
        t_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
        f_in = [ft.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
        expected, got = tm(*t_in), m(*f_in)
        assert tuple(got.shape) == tuple(expected.shape)
        assert str(got.dtype) == str(expected.dtype)
        np.testing.assert_allclose(_np(got), _np(expected), rtol=rtol, atol=atol)
        ct = rng.standard_normal(tuple(expected.shape))
        (expected * torch.tensor(ct)).sum().backward()
        (got * ft.tensor(ct)).sum().backward()
        t_params = dict(tm.named_parameters())
        f_params = dict(m.named_parameters())
        assert list(f_params) == list(t_params)
        for name, p in t_params.items():
            assert f_params[name].grad is not None, name
            np.testing.assert_allclose(_np(f_params[name].grad), _np(p.grad), rtol=rtol,
                                       atol=atol, err_msg=name)
        for ti, fi in zip(t_in, f_in):
            if ti.requires_grad:
                np.testing.assert_allclose(_np(fi.grad), _np(ti.grad), rtol=rtol, atol=atol)
        tm.zero_grad()
        m.zero_grad()
    return tm, m


def _randn(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------ layers with parameters

# Weight and input shapes repeat across cases on purpose: every new shape costs an XLA
# compile of the initializer and of each op, and the shared ones keep the file fast.
X2D = (1, 2, 5, 5)

LAYER_CASES = [
    ("linear", lambda n: n.Linear(3, 4), [(2, 3)]),
    ("linear_nobias_3d", lambda n: n.Linear(3, 4, bias=False), [(2, 5, 3)]),
    ("bilinear", lambda n: n.Bilinear(3, 2, 4), [(5, 3), (5, 2)]),
    ("conv1d_args_circular", lambda n: n.Conv1d(2, 4, 3, stride=2, padding=2, dilation=2,
                                                groups=2, bias=False, padding_mode="circular"),
     [(2, 2, 9)]),
    ("conv2d_args", lambda n: n.Conv2d(2, 4, 3, stride=(2, 1), padding=(1, 2),
                                       dilation=(1, 2), groups=2), [X2D]),
    ("conv2d_same_even_kernel", lambda n: n.Conv2d(2, 4, (2, 3), padding="same",
                                                   dilation=(1, 2)), [X2D]),
    ("conv2d_reflect", lambda n: n.Conv2d(2, 4, 3, padding=(1, 2), padding_mode="reflect"),
     [X2D]),
    ("conv2d_replicate", lambda n: n.Conv2d(2, 4, 3, padding=1, padding_mode="replicate",
                                            stride=2), [X2D]),
    ("conv_transpose2d_args", lambda n: n.ConvTranspose2d(2, 4, 3, stride=2, padding=1,
                                                          output_padding=1, groups=2,
                                                          dilation=(1, 2)), [X2D]),
    ("layer_norm_2d_shape", lambda n: n.LayerNorm((3, 4), eps=1e-3), [(2, 3, 4)]),
    ("layer_norm_no_bias", lambda n: n.LayerNorm(4, bias=False), [(2, 3, 4)]),
    ("group_norm_4d", lambda n: n.GroupNorm(2, 4, eps=1e-3), [(2, 4, 2, 2)]),
    ("group_norm_no_affine", lambda n: n.GroupNorm(1, 4, affine=False), [(2, 4, 3)]),
]


@pytest.mark.parametrize("make,shapes", [c[1:] for c in LAYER_CASES],
                         ids=[c[0] for c in LAYER_CASES])
def test_layer_matches_torch(x64, make, shapes):
    torch.manual_seed(0)
    _compare_module(make, [_randn(*s, seed=i) for i, s in enumerate(shapes)])


# ------------------------------------------------------------------ parameter-free layers

FREE_CASES = [
    ("max_pool1d_args", lambda n: n.MaxPool1d(3, stride=2, padding=1, ceil_mode=True),
     (2, 2, 9)),
    ("max_pool2d_args", lambda n: n.MaxPool2d((3, 2), stride=(2, 1), padding=1,
                                              ceil_mode=True), X2D),
    ("max_pool2d_dilation_unbatched", lambda n: n.MaxPool2d(2, stride=1, dilation=2),
     X2D[1:]),
    ("avg_pool1d_args", lambda n: n.AvgPool1d(3, stride=2, padding=1, ceil_mode=True,
                                              count_include_pad=False), (2, 2, 9)),
    ("avg_pool2d", lambda n: n.AvgPool2d(2), X2D),
    ("avg_pool2d_args", lambda n: n.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                              count_include_pad=False), X2D),
    ("avg_pool2d_include_pad", lambda n: n.AvgPool2d((2, 3), stride=1, padding=(1, 1)), X2D),
    ("avg_pool2d_divisor_unbatched", lambda n: n.AvgPool2d(2, padding=1, divisor_override=3),
     X2D[1:]),
    ("adaptive_avg_pool2d", lambda n: n.AdaptiveAvgPool2d((2, 3)), (1, 2, 5, 7)),
    ("adaptive_avg_pool2d_none", lambda n: n.AdaptiveAvgPool2d((None, 2)), X2D),
    ("identity", lambda n: n.Identity(54, unused="x"), (3, 4)),
    ("flatten", lambda n: n.Flatten(), X2D),
    ("unflatten_infer", lambda n: n.Unflatten(-1, (-1, 2)), (3, 4)),
    ("relu", lambda n: n.ReLU(), (3, 4)),
    ("leaky_relu", lambda n: n.LeakyReLU(0.2), (3, 4)),
    ("elu", lambda n: n.ELU(alpha=0.5), (3, 4)),
    ("gelu", lambda n: n.GELU(), (3, 4)),
    ("gelu_tanh", lambda n: n.GELU(approximate="tanh"), (3, 4)),
    ("silu", lambda n: n.SiLU(), (3, 4)),
    ("sigmoid", lambda n: n.Sigmoid(), (3, 4)),
    ("tanh", lambda n: n.Tanh(), (3, 4)),
    ("softmax", lambda n: n.Softmax(dim=1), X2D),
    ("log_softmax", lambda n: n.LogSoftmax(dim=1), X2D),
    ("softplus_beta_threshold", lambda n: n.Softplus(beta=2.0, threshold=1.0), (3, 4)),
]


@pytest.mark.parametrize("make,shape", [c[1:] for c in FREE_CASES],
                         ids=[c[0] for c in FREE_CASES])
def test_parameter_free_layer_matches_torch(x64, make, shape):
    x = _randn(*shape) * 3        # wide enough to reach every activation regime
    _compare_module(make, [x])


def test_inplace_activations_match_torch(x64):
    for make in (lambda n: n.ReLU(inplace=True), lambda n: n.LeakyReLU(0.1, inplace=True),
                 lambda n: n.ELU(inplace=True), lambda n: n.SiLU(inplace=True)):
        x = _randn(3, 4)
        tx, fx = torch.tensor(x), ft.tensor(x)
        t_out, f_out = make(torch.nn)(tx), make(nn)(fx)
        np.testing.assert_allclose(_np(fx), _np(tx), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(_np(f_out), _np(t_out), rtol=RTOL, atol=ATOL)
        assert not np.allclose(_np(fx), x)      # the input itself was overwritten


# ------------------------------------------------------------------ embedding

@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(x64, padding_idx):
    torch.manual_seed(0)
    idx = np.array([[0, 2, 4], [2, 9, 1]], dtype=np.int64)
    tm, m = _compare_module(lambda n: n.Embedding(10, 3, padding_idx=padding_idx), [idx])
    if padding_idx is not None:
        row = padding_idx % 10
        assert m.padding_idx == tm.padding_idx == row
        # A freshly built embedding has a zero padding row, and it gets no gradient.
        fresh = nn.Embedding(10, 3, padding_idx=padding_idx)
        np.testing.assert_array_equal(_np(fresh.weight[row]), np.zeros(3))
        out = fresh(ft.tensor(np.array([row, row, 0])))
        out.sum().backward()
        np.testing.assert_array_equal(_np(fresh.weight.grad[row]), np.zeros(3))
        assert _np(fresh.weight.grad[0]).tolist() == [1.0, 1.0, 1.0]


def test_embedding_default_init_is_standard_normal():
    ft.manual_seed(0)
    w = _np(nn.Embedding(*INIT_SHAPE).weight)
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1.0) < 0.02


def test_embedding_from_pretrained_freezes():
    table = ft.tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2))
    emb = nn.Embedding.from_pretrained(table)
    assert emb.weight.requires_grad is False
    np.testing.assert_array_equal(_np(emb(ft.tensor(np.array([2, 0])))), [[4, 5], [0, 1]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad is True


# ------------------------------------------------------------------ default initialization

@pytest.mark.parametrize("make,fan_in", [
    (lambda n: n.Linear(3, 4), 3),
    (lambda n: n.Conv2d(2, 4, 3, groups=2), 1 * 9),
    (lambda n: n.ConvTranspose2d(2, 4, 3, groups=2), 2 * 9),
    (lambda n: n.Bilinear(3, 2, 4), 3),
], ids=["linear", "conv2d", "conv_transpose2d", "bilinear"])
def test_default_init_bounds_and_shapes(x64, make, fan_in):
    """kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias the same (the
    distribution itself is checked in test_init_distributions). Under x64 only to share
    the initializers' compiled programs with the reference tests: the dtype stays float32."""
    ft.manual_seed(0)
    tm, m = make(torch.nn), make(nn)
    bound = 1 / math.sqrt(fan_in)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    for (_, tp), (n, p) in zip(tm.named_parameters(), m.named_parameters()):
        assert tuple(p.shape) == tuple(tp.shape), n
        assert isinstance(p, nn.Parameter) and p.requires_grad and p.dtype == ft.float32
        values = _np(p)
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.5 * bound      # not a narrower distribution
        assert len(np.unique(values)) == values.size


def test_same_seed_same_init_different_seed_different_init():
    ft.manual_seed(5)
    a = nn.Linear(3, 4)
    ft.manual_seed(5)
    b = nn.Linear(3, 4)
    c = nn.Linear(3, 4)
    np.testing.assert_array_equal(_np(a.weight), _np(b.weight))
    assert not np.allclose(_np(b.weight), _np(c.weight))


def test_factory_kwargs_dtype():
    with jax.enable_x64(True):
        lin = nn.Linear(2, 3, dtype=ft.float64)
        bn = nn.BatchNorm1d(3, dtype=ft.float64)
        assert lin.weight.dtype == ft.float64 and lin.bias.dtype == ft.float64
        assert bn.weight.dtype == ft.float64 and bn.running_mean.dtype == ft.float64
        assert bn.num_batches_tracked.dtype == ft.int64


# ------------------------------------------------------------------ batch norm

BN_CASES = [
    ("bn1d_2d", lambda n: n.BatchNorm1d(3), (4, 3)),
    ("bn1d_3d", lambda n: n.BatchNorm1d(3, eps=1e-3, momentum=0.3), (4, 3, 2)),
    ("bn2d", lambda n: n.BatchNorm2d(3), (4, 3, 2, 2)),
    ("bn2d_momentum_none", lambda n: n.BatchNorm2d(3, momentum=None), (2, 3, 2, 3)),
    ("bn2d_no_affine", lambda n: n.BatchNorm2d(2, affine=False), (3, 2, 2, 2)),
    ("bn2d_no_tracking", lambda n: n.BatchNorm2d(2, track_running_stats=False), (3, 2, 2, 2)),
]


@pytest.mark.parametrize("make,shape", [c[1:] for c in BN_CASES], ids=[c[0] for c in BN_CASES])
def test_batch_norm_matches_torch(x64, make, shape):
    """Output and grads in train and eval, and the running statistics after several
    training steps (unbiased variance, momentum or cumulative average, the counter)."""
    tm, m = make(torch.nn).double(), make(nn).double()
    if tm.affine:
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5)
            tm.bias.normal_()
    _load_from_torch(m, tm)
    rng = np.random.default_rng(3)
    for step in range(3):
        x = rng.standard_normal(shape) * (step + 1) + step
        tx = torch.tensor(x, requires_grad=True)
        fx = ft.tensor(x, requires_grad=True)
        t_out, f_out = tm(tx), m(fx)
        np.testing.assert_allclose(_np(f_out), _np(t_out), rtol=1e-9, atol=1e-11)
        ct = rng.standard_normal(shape)
        (t_out * torch.tensor(ct)).sum().backward()
        (f_out * ft.tensor(ct)).sum().backward()
        np.testing.assert_allclose(_np(fx.grad), _np(tx.grad), rtol=1e-9, atol=1e-11)
        for name, p in tm.named_parameters():
            np.testing.assert_allclose(_np(m.get_parameter(name).grad), _np(p.grad),
                                       rtol=1e-9, atol=1e-11)
    t_state, f_state = tm.state_dict(), m.state_dict()
    assert list(f_state) == list(t_state)
    for k, v in t_state.items():
        assert str(f_state[k].dtype) == str(v.dtype), k
        np.testing.assert_allclose(_np(f_state[k]), v.numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=k)
    if tm.track_running_stats:
        assert int(m.num_batches_tracked) == 3
        assert m.running_mean.grad_fn is None and not m.running_mean.requires_grad
    # eval: running statistics (or batch statistics when they are not tracked).
    tm.eval()
    m.eval()
    x = rng.standard_normal(shape)
    tx, fx = torch.tensor(x, requires_grad=True), ft.tensor(x, requires_grad=True)
    t_out, f_out = tm(tx), m(fx)
    np.testing.assert_allclose(_np(f_out), _np(t_out), rtol=1e-9, atol=1e-11)
    t_out.sum().backward()
    f_out.sum().backward()
    np.testing.assert_allclose(_np(fx.grad), _np(tx.grad), rtol=1e-9, atol=1e-11)
    for k, v in tm.state_dict().items():      # eval never moves the statistics
        np.testing.assert_allclose(_np(m.state_dict()[k]), v.numpy(), rtol=1e-12, atol=1e-14)


def test_batch_norm_momentum_none_is_cumulative_average(x64):
    bn = nn.BatchNorm1d(1, momentum=None).double()
    means = []
    for i in range(4):
        x = _randn(6, 1, seed=i) + i
        means.append(x.mean())
        bn(ft.tensor(x))
    assert float(bn.running_mean[0]) == pytest.approx(np.mean(means), rel=1e-12)


def test_batch_norm_rejects_wrong_rank_like_torch():
    for make, x in ((lambda n: n.BatchNorm2d(3), np.zeros((2, 3), np.float32)),
                    (lambda n: n.BatchNorm1d(3), np.zeros((2, 3, 2, 2), np.float32))):
        with pytest.raises(ValueError) as t_err:
            make(torch.nn)(torch.tensor(x))
        with pytest.raises(ValueError) as f_err:
            make(nn)(ft.tensor(x))
        assert str(f_err.value) == str(t_err.value)


def test_batch_norm_single_value_per_channel_in_training_raises():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(ft.zeros(1, 3))
    nn.BatchNorm1d(3).eval()(ft.zeros(1, 3))       # eval is fine


def test_batch_norm_reset_running_stats():
    bn = nn.BatchNorm1d(2)
    bn(ft.randn(4, 2) + 3)
    bn.reset_running_stats()
    assert _np(bn.running_mean).tolist() == [0, 0] and _np(bn.running_var).tolist() == [1, 1]
    assert int(bn.num_batches_tracked) == 0


# ------------------------------------------------------------------ dropout

DROP_SHAPE = (16, 32, 3, 3)     # 512 channels, 4608 elements: enough for the fractions

@pytest.mark.parametrize("cls", [nn.Dropout, nn.Dropout2d])
def test_dropout_p0_train_and_eval_are_identity(cls):
    x = ft.randn(*DROP_SHAPE)
    np.testing.assert_array_equal(_np(cls(p=0.0).train()(x)), _np(x))
    np.testing.assert_array_equal(_np(cls(p=0.7).eval()(x)), _np(x))


@pytest.mark.parametrize("cls", [nn.Dropout, nn.Dropout2d])
def test_dropout_p1_zeroes_everything(cls):
    x = ft.randn(*DROP_SHAPE)
    assert np.all(_np(cls(p=1.0)(x)) == 0)


def test_dropout_same_seed_same_mask_and_scaling():
    x = ft.ones(*DROP_SHAPE)
    drop = nn.Dropout(p=0.25)
    ft.manual_seed(123)
    a = _np(drop(x))
    ft.manual_seed(123)
    b = _np(drop(x))
    c = _np(drop(x))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)                 # the generator moved on
    np.testing.assert_allclose(np.unique(a), [0.0, 1 / 0.75], rtol=1e-6)
    assert abs((a == 0).mean() - 0.25) < 0.03     # p is the probability of zeroing


def test_dropout_gradient_uses_the_same_mask():
    x = ft.randn(*DROP_SHAPE, requires_grad=True)
    y = nn.Dropout(p=0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(_np(x.grad), (_np(y) != 0) * 2.0)


def test_dropout2d_zeroes_whole_channels():
    ft.manual_seed(0)
    x = ft.ones(*DROP_SHAPE)
    out = _np(nn.Dropout2d(p=0.4)(x))
    per_channel = out.reshape(16, 32, 9)
    # Each channel is either entirely dropped or entirely kept (and scaled).
    assert np.all((per_channel == 0).all(-1) | (per_channel == 1 / 0.6).all(-1))
    assert abs((per_channel[..., 0] == 0).mean() - 0.4) < 0.06
    ft.manual_seed(0)
    np.testing.assert_array_equal(_np(nn.Dropout2d(p=0.4)(x)), out)


# ------------------------------------------------------------------ losses

def _targets(kind, shape, rng, classes=None):
    if kind == "class":
        return rng.integers(0, classes, shape).astype(np.int64)
    if kind == "prob":
        return rng.uniform(0.05, 0.95, shape)
    if kind == "binary":
        return rng.integers(0, 2, shape).astype(np.float64)
    if kind == "dist":
        p = rng.uniform(0.1, 1.0, shape)
        return p / p.sum(-1, keepdims=True)
    return rng.standard_normal(shape)


def _ce_target_with_ignored(rng):
    t = rng.integers(0, 4, (6,)).astype(np.int64)
    t[[1, 4]] = -100
    return t


def _ce_target_ignore_1(rng):
    t = rng.integers(0, 4, (6,)).astype(np.int64)
    t[[0, 3]] = 1
    return t


W4 = np.array([0.5, 2.0, 1.0, 3.0])

LOSS_CASES = [
    # id, factory(nn namespace, tensor constructor), input shape, input transform, target
    ("mse", lambda n, T: n.MSELoss(), (3, 4), None, lambda r: _targets("real", (3, 4), r)),
    ("mse_none", lambda n, T: n.MSELoss(reduction="none"), (3, 4), None,
     lambda r: _targets("real", (3, 4), r)),
    ("l1", lambda n, T: n.L1Loss(), (3, 4), None, lambda r: _targets("real", (3, 4), r)),
    ("smooth_l1_beta", lambda n, T: n.SmoothL1Loss(beta=0.5, reduction="sum"), (3, 4), None,
     lambda r: _targets("real", (3, 4), r)),
    ("huber_delta", lambda n, T: n.HuberLoss(delta=0.3, reduction="none"), (3, 4), None,
     lambda r: _targets("real", (3, 4), r)),
    ("ce", lambda n, T: n.CrossEntropyLoss(), (6, 4), None,
     lambda r: _targets("class", (6,), r, 4)),
    ("ce_weight", lambda n, T: n.CrossEntropyLoss(weight=T(W4)), (6, 4), None,
     lambda r: _targets("class", (6,), r, 4)),
    ("ce_ignore_index", lambda n, T: n.CrossEntropyLoss(weight=T(W4), ignore_index=1),
     (6, 4), None, _ce_target_ignore_1),
    ("ce_smoothing_weight_ignore", lambda n, T: n.CrossEntropyLoss(
        weight=T(W4), label_smoothing=0.1), (6, 4), None, _ce_target_with_ignored),
    ("ce_smoothing_none", lambda n, T: n.CrossEntropyLoss(
        label_smoothing=0.3, reduction="none", ignore_index=2), (6, 4), None,
     lambda r: _targets("class", (6,), r, 4)),
    ("ce_spatial", lambda n, T: n.CrossEntropyLoss(weight=T(W4[:3])), (2, 3, 2, 2), None,
     lambda r: _targets("class", (2, 2, 2), r, 3)),
    ("ce_probs_weight_smoothing", lambda n, T: n.CrossEntropyLoss(
        weight=T(W4), label_smoothing=0.2), (3, 4), None, lambda r: _targets("dist", (3, 4), r)),
    ("nll_weight_ignore", lambda n, T: n.NLLLoss(weight=T(W4)), (6, 4), "log_softmax",
     _ce_target_with_ignored),
    ("bce_weight_sum", lambda n, T: n.BCELoss(weight=T(np.array([1.0, 2.0, 0.5, 1.5])),
                                              reduction="sum"), (3, 4), "sigmoid",
     lambda r: _targets("binary", (3, 4), r)),
    ("bce_logits_pos_weight", lambda n, T: n.BCEWithLogitsLoss(
        pos_weight=T(np.array([1.0, 3.0, 0.5, 2.0]))), (3, 4), None,
     lambda r: _targets("prob", (3, 4), r)),
    ("bce_logits_weight_none", lambda n, T: n.BCEWithLogitsLoss(
        weight=T(np.array([2.0, 1.0, 0.5, 1.0])), pos_weight=T(np.array([2.0])),
        reduction="none"), (3, 4), None, lambda r: _targets("binary", (3, 4), r)),
    ("kl_div_batchmean", lambda n, T: n.KLDivLoss(reduction="batchmean"), (3, 4),
     "log_softmax", lambda r: _targets("dist", (3, 4), r)),
    ("kl_div_log_target", lambda n, T: n.KLDivLoss(reduction="sum", log_target=True), (3, 4),
     "log_softmax", lambda r: np.log(_targets("dist", (3, 4), r))),
]


def _transform(x, how):
    """Applied to the leaf input in each library, so the grad flows through it too."""
    if how == "log_softmax":
        return x.log_softmax(-1 if x.ndim == 2 else 1)
    if how == "sigmoid":
        return x.sigmoid()
    return x


@pytest.mark.parametrize("make,shape,how,target", [c[1:] for c in LOSS_CASES],
                         ids=[c[0] for c in LOSS_CASES])
def test_loss_matches_torch(x64, make, shape, how, target):
    rng = np.random.default_rng(7)
    x, t = rng.standard_normal(shape), target(rng)
    tl, fl = make(torch.nn, torch.tensor), make(nn, ft.tensor)
    tx, fx = torch.tensor(x, requires_grad=True), ft.tensor(x, requires_grad=True)
    expected = tl(_transform(tx, how), torch.tensor(t))
    got = fl(_transform(fx, how), ft.tensor(t))
    assert tuple(got.shape) == tuple(expected.shape)
    assert str(got.dtype) == str(expected.dtype)
    np.testing.assert_allclose(_np(got), _np(expected), rtol=1e-10, atol=1e-12)
    if expected.ndim == 0:
        expected.backward()
        got.backward()
    else:
        ct = rng.standard_normal(tuple(expected.shape))
        (expected * torch.tensor(ct)).sum().backward()
        (got * ft.tensor(ct)).sum().backward()
    np.testing.assert_allclose(_np(fx.grad), _np(tx.grad), rtol=1e-10, atol=1e-12)
    # Loss weights are buffers, like torch's (they appear in the state_dict).
    assert list(fl.state_dict()) == list(tl.state_dict())


def test_loss_target_gradient_matches_torch(x64):
    """Regression losses are differentiable in the target too."""
    rng = np.random.default_rng(8)
    x, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for name in ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"):
        tx, tt = torch.tensor(x), torch.tensor(t, requires_grad=True)
        fx, f_t = ft.tensor(x), ft.tensor(t, requires_grad=True)
        getattr(torch.nn, name)()(tx, tt).backward()
        getattr(nn, name)()(fx, f_t).backward()
        np.testing.assert_allclose(_np(f_t.grad), _np(tt.grad), rtol=1e-10, atol=1e-12)


def test_legacy_size_average_reduce_arguments(x64):
    x, t = _randn(3, 4), _randn(3, 4, seed=2)
    for kwargs in ({"size_average": False}, {"reduce": False},
                   {"size_average": True, "reduce": True}):
        with pytest.warns(UserWarning):
            expected = torch.nn.MSELoss(**kwargs)(torch.tensor(x), torch.tensor(t))
        got = nn.MSELoss(**kwargs)(ft.tensor(x), ft.tensor(t))
        np.testing.assert_allclose(_np(got), _np(expected), rtol=1e-12)


# ------------------------------------------------------------------ error messages

X_ERR = np.zeros((2, 3, 4, 4), np.float32)

ERROR_CASES = [
    ("bn_channels", lambda n, T: n.BatchNorm2d(4)(T.tensor(X_ERR))),
    ("bn_single_value", lambda n, T: n.BatchNorm1d(3)(T.zeros(1, 3))),
    ("layer_norm_shape", lambda n, T: n.LayerNorm(5)(T.zeros(2, 4))),
    ("group_norm_input", lambda n, T: n.GroupNorm(2, 4)(T.zeros(2, 3, 4))),
    ("group_norm_ctor", lambda n, T: n.GroupNorm(3, 4)),
    ("embedding_index", lambda n, T: n.Embedding(10, 3)(T.tensor([10]))),
    ("embedding_padding_idx", lambda n, T: n.Embedding(3, 4, padding_idx=3)),
    ("conv_rank", lambda n, T: n.Conv2d(2, 4, 3)(T.zeros(3, 4))),
    ("conv_kernel_too_big", lambda n, T: n.Conv2d(2, 4, 3)(T.zeros(1, 2, 2, 5))),
    ("conv1d_channels", lambda n, T: n.Conv1d(2, 4, 3, groups=2)(T.zeros(1, 3, 8))),
    ("conv_transpose_channels", lambda n, T: n.ConvTranspose2d(2, 4, 3, groups=2)(
        T.tensor(X_ERR))),
    ("conv_groups", lambda n, T: n.Conv2d(3, 4, 3, groups=2)),
    ("conv_same_strided", lambda n, T: n.Conv2d(3, 4, 3, padding="same", stride=2)),
    ("conv_transpose_padding_mode", lambda n, T: n.ConvTranspose2d(3, 4, 3,
                                                                   padding_mode="reflect")),
    ("max_pool_output_too_small", lambda n, T: n.MaxPool2d(5)(T.tensor(X_ERR))),
    ("linear_shapes", lambda n, T: n.Linear(3, 4)(T.zeros(2, 5, 2))),
    ("cross_entropy_batch", lambda n, T: n.CrossEntropyLoss()(T.zeros(3, 4), T.tensor([0, 1]))),
    ("nll_target_range", lambda n, T: n.NLLLoss()(T.zeros(3, 4), T.tensor([0, 5, 1]))),
    ("cross_entropy_target_range", lambda n, T: n.CrossEntropyLoss()(T.zeros(3, 4),
                                                                     T.tensor([0, 4, 1]))),
    ("mse_shapes", lambda n, T: n.MSELoss()(T.zeros(3, 4), T.zeros(3, 5))),
    ("bce_range", lambda n, T: n.BCELoss()(T.full((2,), 1.5), T.zeros(2))),
    ("dropout_p", lambda n, T: n.Dropout(p=1.5)),
]


@pytest.mark.parametrize("fn", [c[1] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(x64, fn):
    """Same text, and an exception catchable as torch's type (ours may subclass it). Under
    x64 only so the layers' initializers reuse the reference tests' compiled programs."""
    with pytest.raises(Exception) as t_err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")       # torch's broadcast warning for mse
            fn(torch.nn, torch)
    with pytest.raises(type(t_err.value)) as f_err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(nn, ft)
    assert str(f_err.value) == str(t_err.value)


# ------------------------------------------------------------------ functional spot checks

def _same(got, expected, rtol=1e-10, atol=1e-12):
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_allclose(_np(got), _np(expected), rtol=rtol, atol=atol)


def test_functional_spot_checks(x64):
    """F.* called directly with arguments the modules above do not pass."""
    import torch.nn.functional as TF
    rng = np.random.default_rng(11)
    x4, w = rng.standard_normal(X2D), rng.standard_normal((4, 1, 3, 3))
    T, A = torch.tensor, ft.tensor
    _same(F.conv2d(A(x4), A(w), None, padding="same", groups=2),
          TF.conv2d(T(x4), T(w), None, padding="same", groups=2))
    x2, wl = rng.standard_normal((3, 4)), rng.standard_normal((4, 4))
    _same(F.linear(A(x2), A(wl)), TF.linear(T(x2), T(wl)))
    _same(F.pad(A(x4), (1, 2, 2, 0), value=1.5), TF.pad(T(x4), (1, 2, 2, 0), value=1.5))
    _same(F.pad(A(x4[0]), (0, 1, 2, 1), mode="replicate"),
          TF.pad(T(x4[0]), (0, 1, 2, 1), mode="replicate"))
    _same(F.normalize(A(x2), p=1.0, dim=0), TF.normalize(T(x2), p=1.0, dim=0))
    _same(F.one_hot(A(np.array([2, 0, 1]))), TF.one_hot(T(np.array([2, 0, 1]))))
    labels = (rng.uniform(size=(3, 4)) > 0.5).astype(np.float64)
    _same(F.binary_cross_entropy_with_logits(A(x2), A(labels), reduction="sum"),
          TF.binary_cross_entropy_with_logits(T(x2), T(labels), reduction="sum"))
    x_eval = A(x2)
    assert F.dropout(x_eval, 0.5, training=False) is x_eval


def test_functional_batch_norm_running_stats_and_grads(x64):
    """F.batch_norm updates the given running statistics in place in training, reads them
    in eval, and differentiates in both (an eval input that requires grad included)."""
    import torch.nn.functional as TF
    rng = np.random.default_rng(12)
    x, w, b = rng.standard_normal((4, 3, 2)), rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    for training in (True, False):
        stats_t = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
        stats_f = [ft.zeros(3, dtype=ft.float64), ft.ones(3, dtype=ft.float64)]
        ins_t = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        ins_f = [ft.tensor(a, requires_grad=True) for a in (x, w, b)]
        out_t = TF.batch_norm(ins_t[0], *stats_t, ins_t[1], ins_t[2], training, 0.2)
        out_f = F.batch_norm(ins_f[0], *stats_f, ins_f[1], ins_f[2], training, 0.2)
        _same(out_f, out_t)
        for st, sf in zip(stats_t, stats_f):
            _same(sf, st)
        (out_t ** 2).sum().backward()
        (out_f ** 2).sum().backward()
        for it, i_f in zip(ins_t, ins_f):
            _same(i_f.grad, it.grad)


def test_functional_inplace_relu_and_dropout_modify_input():
    x = ft.tensor([-1.0, 2.0, -3.0])
    out = F.relu(x, inplace=True)
    assert out is x and _np(x).tolist() == [0.0, 2.0, 0.0]
    y = ft.ones(*DROP_SHAPE)
    F.dropout(y, 0.5, training=True, inplace=True)
    assert set(np.unique(_np(y)).tolist()) == {0.0, 2.0}


def test_softmax_implicit_dim_follows_torch(x64):
    import torch.nn.functional as TF
    for shape in ((4,), (2, 3), (2, 3, 4), (2, 3, 2, 2)):
        x = _randn(*shape)
        with pytest.warns(UserWarning):
            expected = TF.softmax(torch.tensor(x), dim=None)
        _same(F.softmax(ft.tensor(x)), expected)


def test_functional_pad_errors():
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(ft.zeros(2, 2), (1, 2, 3))


# ------------------------------------------------------------------ nn.init

def _param(*shape):
    return nn.Parameter(ft.zeros(*shape))


INIT_FNS = [
    ("uniform_", lambda t: nn.init.uniform_(t, -2.0, 3.0)),
    ("normal_", lambda t: nn.init.normal_(t, 1.0, 2.0)),
    ("trunc_normal_", lambda t: nn.init.trunc_normal_(t, std=1.0, a=-0.5, b=1.0)),
    ("constant_", lambda t: nn.init.constant_(t, 0.3)),
    ("ones_", nn.init.ones_),
    ("zeros_", nn.init.zeros_),
    ("eye_", nn.init.eye_),
    ("xavier_uniform_", nn.init.xavier_uniform_),
    ("xavier_normal_", nn.init.xavier_normal_),
    ("kaiming_uniform_", nn.init.kaiming_uniform_),
    ("kaiming_normal_", nn.init.kaiming_normal_),
    ("orthogonal_", nn.init.orthogonal_),
]


@pytest.mark.parametrize("fn", [c[1] for c in INIT_FNS], ids=[c[0] for c in INIT_FNS])
def test_init_is_in_place_and_returns_the_tensor(fn):
    p = nn.Parameter(ft.full(INIT_SHAPE, 7.0))
    out = fn(p)
    assert out is p
    assert isinstance(p, nn.Parameter) and p.requires_grad and p.grad_fn is None
    assert p.is_leaf and p.dtype == ft.float32 and tuple(p.shape) == INIT_SHAPE
    assert not np.any(_np(p) == 7.0)


def test_init_distributions():
    ft.manual_seed(0)
    w = _param(*INIT_SHAPE)
    v = _np(nn.init.uniform_(w, -2.0, 3.0))
    assert v.min() >= -2.0 and v.max() < 3.0 and abs(v.mean() - 0.5) < 0.03
    v = _np(nn.init.normal_(w, 1.0, 2.0))
    assert abs(v.mean() - 1.0) < 0.03 and abs(v.std() - 2.0) < 0.03
    v = _np(nn.init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0))
    assert v.min() >= -0.5 and v.max() <= 1.0
    # The truncated normal's mean: mu + sigma (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha)).
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)   # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))          # noqa: E731
    expected_mean = 0.5 + (phi(-1.0) - phi(0.5)) / (cdf(0.5) - cdf(-1.0))
    assert abs(v.mean() - expected_mean) < 0.01
    bound = math.sqrt(6 / (120 + 100)) * 2.0
    v = _np(nn.init.xavier_uniform_(w, gain=2.0))
    assert np.abs(v).max() <= bound and np.abs(v).max() > 0.99 * bound
    v = _np(nn.init.xavier_normal_(w))
    assert abs(v.std() - math.sqrt(2 / 220)) < 0.03 * math.sqrt(2 / 220)
    bound = math.sqrt(2.0) * math.sqrt(3 / 120)       # gain('leaky_relu', a=0) = sqrt(2)
    v = _np(nn.init.kaiming_uniform_(w))
    assert np.abs(v).max() <= bound and np.abs(v).max() > 0.99 * bound
    # PyTorch's default Linear/Conv init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    bound = math.sqrt(2.0 / (1 + 5)) * math.sqrt(3 / 120)
    v = _np(nn.init.kaiming_uniform_(w, a=math.sqrt(5)))
    assert bound == pytest.approx(1 / math.sqrt(120))
    assert np.abs(v).max() <= bound and np.abs(v).max() > 0.99 * bound
    assert abs(v.std() - bound / math.sqrt(3)) < 0.03 * bound
    v = _np(nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"))
    assert abs(v.std() - math.sqrt(2 / 100)) < 0.03 * math.sqrt(2 / 100)
    conv = _param(8, 4, 3, 3)       # fan_in = 4*9, fan_out = 8*9
    v = _np(nn.init.kaiming_normal_(conv, mode="fan_out"))
    assert abs(v.std() - math.sqrt(2 / 72)) < 0.1 * math.sqrt(2 / 72)
    v = _np(nn.init.constant_(w, 0.3))
    assert np.all(v == np.float32(0.3))
    np.testing.assert_array_equal(_np(nn.init.eye_(_param(3, 4))), np.eye(3, 4))
    np.testing.assert_array_equal(_np(nn.init.ones_(_param(2, 2))), np.ones((2, 2)))
    np.testing.assert_array_equal(_np(nn.init.zeros_(nn.Parameter(ft.ones(2)))), [0, 0])


@pytest.mark.parametrize("shape", [(6, 4), (4, 2, 3)])
def test_orthogonal_init_is_orthogonal(shape):
    ft.manual_seed(1)
    w = _np(nn.init.orthogonal_(_param(*shape), gain=1.5)).reshape(shape[0], -1)
    rows, cols = w.shape
    gram = w @ w.T if rows <= cols else w.T @ w
    np.testing.assert_allclose(gram, 2.25 * np.eye(min(rows, cols)), atol=1e-5)


def test_init_reproducible_with_seed_and_generator():
    ft.manual_seed(3)
    a = _np(nn.init.normal_(_param(*INIT_SHAPE)))
    ft.manual_seed(3)
    b = _np(nn.init.normal_(_param(*INIT_SHAPE)))
    np.testing.assert_array_equal(a, b)
    g1, g2 = ft.Generator().manual_seed(9), ft.Generator().manual_seed(9)
    np.testing.assert_array_equal(_np(nn.init.uniform_(_param(*INIT_SHAPE), generator=g1)),
                                  _np(nn.init.uniform_(_param(*INIT_SHAPE), generator=g2)))


def test_calculate_gain_and_fans_match_torch():
    for args in (("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                 ("leaky_relu",), ("leaky_relu", 0.2), ("selu",)):
        assert nn.init.calculate_gain(*args) == pytest.approx(
            torch.nn.init.calculate_gain(*args), rel=1e-12)
    for shape in ((3, 4), (5, 2, 3, 3), (4, 3, 7)):
        assert nn.init._calculate_fan_in_and_fan_out(ft.zeros(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


def test_init_under_autograd_does_not_record():
    lin = nn.Linear(3, 4)
    nn.init.xavier_uniform_(lin.weight)
    nn.init.zeros_(lin.bias)
    out = lin(ft.ones(1, 3)).sum()
    out.backward()
    assert lin.weight.grad is not None and lin.weight.grad_fn is None
    assert _np(lin.bias.grad).tolist() == [1.0] * 4


def test_softmax_dim_out_of_range_raises_like_torch():
    for lib in (torch, ft):
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in "
                                             r"range of \[-2, 1\], but got 3\)"):
            lib.nn.Softmax(dim=3)(lib.zeros(2, 6))


@pytest.mark.parametrize("output_size", [None, (8, 8), [2, 3, 7, 8], torch.Size([8, 7])])
def test_conv_transpose2d_output_size_matches_torch(output_size):
    torch.manual_seed(0)
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    ours = ft.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    ours.load_state_dict({k: ft.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 4)).astype(np.float32)
    want = theirs(torch.tensor(x), output_size=output_size).detach().numpy()
    got = ours(ft.tensor(x), output_size=output_size).detach().numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("output_size", [(9, 9), (1, 7, 7)])
def test_conv_transpose2d_bad_output_size_raises_like_torch(output_size):
    errors = []
    for lib in (torch, ft):
        m = lib.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
        with pytest.raises(ValueError) as info:
            m(lib.ones(1, 2, 4, 4), output_size=output_size)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("kw", [dict(max_norm=1.0), dict(max_norm=0.5, norm_type=1.0),
                                dict(scale_grad_by_freq=True),
                                dict(scale_grad_by_freq=True, padding_idx=2, max_norm=2.0)])
def test_embedding_max_norm_and_scale_grad_by_freq_match_torch(kw):
    idx = np.array([[1, 3, 3, 2], [0, 3, 1, 1]])
    results = []
    for lib in (torch, ft):
        lib.manual_seed(0)
        emb = lib.nn.Embedding(5, 4, **kw)
        with lib.no_grad():
            emb.weight.copy_(lib.tensor(np.arange(20.0, dtype=np.float32).reshape(5, 4) / 7))
        out = emb(lib.tensor(idx))
        (out * lib.arange(32.0).reshape(2, 4, 4)).sum().backward()
        results.append((out.detach().numpy(), emb.weight.detach().numpy(),
                        emb.weight.grad.numpy(), repr(emb)))
    for a, b in zip(results[0][:3], results[1][:3]):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    assert results[1][3] == results[0][3]


ERROR_CASES = {
    "bilinear-input2": lambda L: L.nn.Bilinear(3, 4, 5)(L.ones(2, 3), L.ones(2, 5)),
    "bilinear-batch": lambda L: L.nn.Bilinear(3, 4, 5)(L.ones(2, 3), L.ones(3, 4)),
    "bilinear-ndim": lambda L: L.nn.Bilinear(3, 4, 5)(L.ones(2, 3), L.ones(4)),
    "unflatten-product": lambda L: L.ones(2, 6).unflatten(1, (4, 2)),
    "unflatten-inferred": lambda L: L.ones(2, 6).unflatten(1, (-1, 4)),
    "unflatten-empty": lambda L: L.ones(2, 6).unflatten(1, ()),
    "Unflatten-module": lambda L: L.nn.Unflatten(1, (4, 2))(L.ones(2, 6)),
    "cross-entropy-float-target": lambda L: L.nn.functional.cross_entropy(L.ones(2, 3),
                                                                         L.ones(2)),
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_error_messages_match_torch(name):
    with pytest.raises(Exception) as theirs:
        ERROR_CASES[name](torch)
    with pytest.raises(type(theirs.value)) as ours:
        ERROR_CASES[name](ft)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("values, num_classes", [
    ([-1, 2], 3), ([3, 2], 3), ([0], 0), ([0], -2), ([], -1), ([], 0), ([], 3),
    ([[0, 2]], -1), (1, 3), ([[1, 0], [2, 2]], 4)])
def test_one_hot_values_shapes_and_errors_match_torch(values, num_classes):
    """Shapes (an empty input with num_classes too), inferred class counts, and the
    errors PyTorch raises for negative, too large and uninferable classes."""
    try:
        expected = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.long),
                                                num_classes)
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=str(e).replace(".", r"\.")):
            F.one_hot(ft.tensor(values, dtype=ft.long), num_classes)
        return
    got = F.one_hot(ft.tensor(values, dtype=ft.long), num_classes)
    assert got.dtype == ft.int64 and tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_one_hot_refuses_other_dtypes_as_torch(x64):
    for dtype in (ft.int32, ft.float32, ft.uint8):
        with pytest.raises(RuntimeError, match="only applicable to index tensor of type "
                                               "LongTensor"):
            F.one_hot(ft.tensor([0, 1], dtype=dtype), 2)


def test_one_hot_in_traced_code():
    """With num_classes, one_hot runs in a compiled step and under jax.jit (values cannot
    be checked there: the row of a class out of range is the smallest integer, never a
    valid-looking one); without it, its shape depends on the values, and it says so."""
    labels = ft.tensor([2, 0, 5, -1])
    low = np.iinfo(labels._value.dtype).min
    expected = [[0, 0, 1], [1, 0, 0], [low] * 3, [low] * 3]
    step = ft.compile(lambda y: F.one_hot(y, 3))
    np.testing.assert_array_equal(step(labels).numpy(), expected)
    jitted = jax.jit(lambda v: F.one_hot(ft.Tensor._make(v), 3)._value)
    np.testing.assert_array_equal(jitted(labels._value), expected)
    with pytest.raises(TypeError, match="one_hot.. without num_classes has an output shape "
                                        "that depends on the input's values"):
        ft.compile(lambda y: F.one_hot(y))(labels)


def test_unflatten_keeps_its_size_as_given_and_checks_it_as_torchs():
    from _tensor_ops_ref import error_of

    def facts(lib):
        mods = [lib.nn.Unflatten(1, lib.Size([2, 5])), lib.nn.Unflatten(1, [2, 5]),
                lib.nn.Unflatten(1, (2, -1))]
        return ([repr(m) for m in mods], [tuple(m(lib.ones(3, 10)).shape) for m in mods],
                [error_of(lambda a=a: lib.nn.Unflatten(1, a)) for a in (2.5, [2, 5.0])])
    assert facts(ft) == facts(torch)
