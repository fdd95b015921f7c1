"""nn functions at their edges, against torch 2.13 (findings of a differential sweep):
LPPool with norm_type ±inf is the max (min) of |x| per window (the formula gave 1s and
NaN gradients); F.pad with a negative amount crops in the reflect/replicate/circular modes
too (it raised); softmax, log_softmax and softmin of a 0-d tensor are 1, 0 and 1 (they
raised); cross_entropy's grad_fn is torch's composite's last op; flatten() of a tensor
whose start and end dims are one dim returns the tensor itself."""

import math
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl


def _forward_backward(lib, fn, x):
    t = lib.tensor(x, requires_grad=True)
    out = fn(lib, t)
    w = lib.tensor(np.linspace(-1.0, 1.5, out.numel(), dtype=np.float32).reshape(out.shape))
    (out * w).sum().backward()
    return out.detach().numpy(), t.grad.numpy()


def _compare(fn, x):
    got, want = _forward_backward(fl, fn, x), _forward_backward(torch, fn, x)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


_X1 = np.array([[[0.5, -2.0, 0.3, 0.9, -0.7, 1.1]]], np.float32)
_X2 = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)


@pytest.mark.parametrize("p", [math.inf, -math.inf])
@pytest.mark.parametrize("form", ["1d", "2d", "module2d", "ceil"])
def test_lp_pool_infinite_norm(p, form):
    def fn(L, t):
        F = L.nn.functional
        if form == "1d":
            return F.lp_pool1d(t, p, 2)
        if form == "ceil":
            return F.lp_pool1d(t, p, 4, stride=3, ceil_mode=True)
        if form == "2d":
            return F.lp_pool2d(t, p, (2, 3), stride=1)
        return L.nn.LPPool2d(p, 2)(t)
    _compare(fn, _X1 if form in ("1d", "ceil") else _X2)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(-1, 2), (2, -1), (-2, -1), (1, -3), (-1, 1, 2, -2),
                                 (1, 1, -1, -1)])
def test_pad_negative_amounts_crop_in_every_mode(mode, pad):
    x = _X2[:, :, :, :] if len(pad) == 4 else _X2[0]
    _compare(lambda L, t: L.nn.functional.pad(t, pad, mode=mode), x)


def test_pad_circular_wrapping_the_cropped_input_twice_raises():
    with pytest.raises(RuntimeError):
        fl.nn.functional.pad(fl.arange(5.0).reshape(1, 1, 5), (-3, 3), mode="circular")
    with pytest.raises(RuntimeError):
        torch.nn.functional.pad(torch.arange(5.0).reshape(1, 1, 5), (-3, 3), mode="circular")


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("kwargs", [{}, {"dim": 0}, {"dim": -1}])
def test_softmax_family_of_a_0d_tensor(name, kwargs):
    def fn(L, t):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # (the implicit-dim warning)
            return getattr(L.nn.functional, name)(t, **kwargs)
    _compare(fn, np.float32(0.5))


def test_softmax_methods_and_module_of_a_0d_tensor():
    for L in (fl, torch):
        t = L.tensor(0.5)
        assert t.softmax(0).item() == 1.0 and L.log_softmax(t, -1).item() == 0.0
        assert L.nn.Softmax(0)(t).item() == 1.0


def test_cross_entropy_grad_fn_names():
    def names(L):
        a = L.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], requires_grad=True)
        idx, prob = L.tensor([0, 2]), L.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
        return [L.nn.functional.cross_entropy(a, t, reduction=r, label_smoothing=s,
                                              **kw).grad_fn.name()
                for r in ("mean", "sum", "none") for s in (0.0, 0.1)
                for t, kw in ((idx, {}), (prob, {}), (idx, {"weight": L.ones(3)}))]
    assert names(fl) == names(torch)


@pytest.mark.parametrize("shape, dims", [((2,), (0, -1)), ((2, 3), (1, 1)), ((2, 3), (-1, 1)),
                                         ((2, 3), (0, 1))])
def test_flatten_over_one_dim_returns_the_tensor(shape, dims):
    def run(L):
        x = L.ones(*shape, requires_grad=True)
        y = x.flatten(*dims)
        return y is x, y.is_leaf, tuple(y.shape)
    assert run(fl) == run(torch)


def test_loss_targets_that_get_no_gradient():
    """hinge/cosine-embedding targets are only compared in torch's composites: their
    .grad stays None (zeros before, which an optimizer would then decay); soft_margin_loss
    refuses a target that requires grad."""
    def run(L):
        F = L.nn.functional
        out = []
        a = L.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
        b = L.tensor([[1.0, -1.0, 1.0]], requires_grad=True)
        F.hinge_embedding_loss(a, b).backward()
        out += [a.grad.tolist(), b.grad]
        a = L.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
        b = L.tensor([1.0], requires_grad=True)
        F.cosine_embedding_loss(a, a * 2 + 1, b).backward()
        out += [[round(v, 5) for v in a.grad[0].tolist()], b.grad]
        try:
            F.soft_margin_loss(a, L.ones(1, 3, requires_grad=True))
        except RuntimeError as e:
            out.append(str(e))
        with L.no_grad():
            out.append(round(F.soft_margin_loss(a, L.ones(1, 3, requires_grad=True)).item(), 5))
        return out
    assert run(fl) == run(torch)


def test_bce_target_gradient_is_torchs_unclamped_logit():
    """BCE's derivative in the target is -logit(input), unclamped as torch's: +-inf at
    inputs 0 and 1 (the clamped logs gave +-100 / n there), and within an ulp elsewhere."""
    xs = [0.0, 1.0, 0.3, 1e-30] + np.random.RandomState(0).rand(60).astype(np.float32).tolist()
    ts = [0.5, 0.2, 1.0, 0.0] + np.random.RandomState(1).rand(60).astype(np.float32).tolist()
    grads = []
    for lib in (torch, fl):
        x = lib.tensor(xs, requires_grad=True)
        t = lib.tensor(ts, requires_grad=True)
        lib.nn.functional.binary_cross_entropy(x, t).backward()
        grads.append(np.asarray(t.grad.tolist()))
    assert grads[1][0] == np.inf and grads[1][1] == -np.inf
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


@pytest.mark.parametrize("masks", [
    ("int", None), (None, "int"), ("float", "bool"), ("bool", "float"), ("bool", "bool"),
])
def test_attention_mask_types_as_torch(masks):
    """Integer masks are refused (they were used as additive float masks); a padding mask
    of another type than attn_mask warns that mismatched masks are deprecated, in the
    module, F.multi_head_attention_forward and nn.Transformer alike."""
    def outcome(lib):
        dtypes = {"int": lib.int64, "float": lib.float32, "bool": lib.bool}
        kpm = None if masks[0] is None else lib.zeros(2, 3, dtype=dtypes[masks[0]])
        am = None if masks[1] is None else lib.zeros(3, 3, dtype=dtypes[masks[1]])
        lib.manual_seed(0)
        mha = lib.nn.MultiheadAttention(4, 2, batch_first=True)
        t = lib.nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                               dim_feedforward=8, batch_first=True)
        x = lib.ones(2, 3, 4)
        out = []
        calls = [lambda: mha(x, x, x, key_padding_mask=kpm, attn_mask=am),
                 lambda: F_mha(lib, mha, x, kpm, am)]
        if "int" not in masks:      # (torch's Transformer fails earlier on an int tgt_mask)
            calls.append(lambda: t(x, x, tgt_mask=am, tgt_key_padding_mask=kpm))
        for call in calls:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                try:
                    call()
                    out.append(sorted({str(m.message) for m in w
                                       if "mismatched" in str(m.message)}))
                except AssertionError as e:
                    out.append(str(e))
        return out
    assert outcome(fl) == outcome(torch)


def F_mha(lib, mha, x, kpm, am):
    q = x.transpose(0, 1)
    return lib.nn.functional.multi_head_attention_forward(
        q, q, q, 4, 2, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0,
        mha.out_proj.weight, mha.out_proj.bias, key_padding_mask=kpm, attn_mask=am)
