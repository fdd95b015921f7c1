"""Reference tests of the top-level layer and loss functions (torch.conv2d, torch.dropout,
torch.batch_norm, torch.kl_div, ...) against real PyTorch with torch's top-level
signatures: values and the gradients of every float input, tuple returns, integer
reductions and the dropouts' train switch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import functorch_like as fl

_rng = np.random.default_rng(1)


def _r(*shape):
    return _rng.standard_normal(shape).astype(np.float32)


X3, X4 = _r(2, 4, 6), _r(2, 4, 3, 3)
W1, W2, WT = _r(3, 4, 2), _r(4, 2, 2, 2), _r(4, 2, 3)
G, B = _r(4), _r(4)
PROBS = np.abs(_r(2, 5)) + 0.1
TARGET_PM = np.array([1.0, -1.0], dtype=np.float32)
EMB = _r(5, 3)
BCE_W = np.abs(_r(3))
IDX = np.array([[0, 4, 1], [2, 0, 3]])


def _run(m, fn, float_args, grads: bool):
    """fn(m, *tensors) in library m; returns outputs, their dtypes and input gradients."""
    ts = [m.tensor(a, requires_grad=grads and a.dtype.kind == "f") for a in float_args]
    out = fn(m, *ts)
    outs = out if isinstance(out, tuple) else (out,)
    if grads:
        diff = [o for o in outs if o.dtype.is_floating_point]
        sum(((o * o).sum() for o in diff), m.tensor(0.0)).backward()
    grads = [t.grad.numpy() if getattr(t, "grad", None) is not None else None for t in ts]
    return [o.detach().numpy() for o in outs], [repr(o.dtype) for o in outs], grads


CASES = {
    "max_pool1d": (lambda m, x: m.max_pool1d(x, 2), (X3,)),
    "max_pool1d_with_indices": (lambda m, x: m.max_pool1d_with_indices(x, 3, 2), (X3,)),
    "adaptive_max_pool1d": (lambda m, x: m.adaptive_max_pool1d(x, 4), (X3,)),
    "layer_norm": (lambda m, x, g, b: m.layer_norm(x.transpose(1, 2), [4], g, b, 1e-5),
                   (X3, G, B)),
    "batch_norm": (lambda m, x, g, b: m.batch_norm(x, g, b, None, None, True, 0.1, 1e-5,
                                                   False), (X3, G, B)),
    "instance_norm": (lambda m, x, g, b: m.instance_norm(x, g, b, None, None, True, 0.1,
                                                         1e-5, False), (X4, G, B)),
    "embedding": (lambda m, w, i: m.embedding(w, i, 0), (EMB, IDX)),
    "celu": (lambda m, x: m.celu(x, 0.7), (X3,)),
    "rrelu_eval": (lambda m, x: m.rrelu(x, 0.1, 0.3), (X3,)),
    "threshold": (lambda m, x: m.threshold(x, 0.1, -2.0), (X3,)),
    "constant_pad_nd": (lambda m, x: m.constant_pad_nd(x, (1, -2, 0, 1), 0.5), (X3,)),
    "kl_div": (lambda m, x, t: m.kl_div(x.log_softmax(-1), t, 2), (_r(2, 5), PROBS)),
    "cosine_embedding_loss": (lambda m, a, b, t: m.cosine_embedding_loss(a, b, t, 0.1),
                              (_r(2, 3), _r(2, 3), TARGET_PM)),
    "hinge_embedding_loss": (lambda m, x, t: m.hinge_embedding_loss(x, t, 1.0, 0),
                             (_r(2), TARGET_PM)),
    "poisson_nll_loss": (lambda m, x, t: m.poisson_nll_loss(x, t, True, True, 1e-8, 1),
                         (_r(2, 3), np.abs(_r(2, 3)) * 3)),
    "bce_with_logits": (lambda m, x, t: m.binary_cross_entropy_with_logits(
        x, t, m.tensor(BCE_W), m.tensor(BCE_W[::-1].copy()), 1), (_r(2, 3), PROBS[:, :3])),
    "bce_with_logits_default_none": (lambda m, x, t: m.binary_cross_entropy_with_logits(
        x, t), (_r(2, 3), PROBS[:, :3] / 2)),
    "triplet_default_none": (lambda m, a, p, n: m.triplet_margin_loss(a, p, n),
                             (_r(2, 3), _r(2, 3), _r(2, 3))),
}


# The wrappers whose gradients are compared too (each compiles a backward pass, so only
# those with their own code on the gradient path: argument reordering or cropping).
GRADS = {"batch_norm", "layer_norm", "embedding", "constant_pad_nd", "kl_div",
         "poisson_nll_loss"}


# Same signature at top level as in nn.functional: the very same function objects (their
# values are tested in the nn.functional suites).
ALIASES = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "avg_pool1d", "adaptive_avg_pool1d", "rms_norm", "prelu",
           "hardshrink", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "bilinear")


def test_aliases_are_the_functional_ones():
    for name in ALIASES:
        assert getattr(fl, name) is getattr(fl.nn.functional, name), name
        assert hasattr(torch, name)
    out = fl.conv2d(fl.tensor(X4), fl.tensor(W2), None, 1, 0, 1, 2)      # torch's order
    ref = torch.conv2d(torch.tensor(X4), torch.tensor(W2), None, 1, 0, 1, 2)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-4, atol=1e-5)


def test_ctc_loss_integer_reduction():
    lp, tgt = _r(5, 2, 4), np.array([[1, 2, 0], [3, 1, 2]])
    outs = [m.ctc_loss(m.tensor(lp).log_softmax(2), m.tensor(tgt), [5, 4], [2, 3], 0, 2)
            for m in (torch, fl)]
    np.testing.assert_allclose(outs[1].numpy(), outs[0].numpy(), rtol=1e-4)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    fn, args = CASES[name]
    ref = _run(torch, fn, args, name in GRADS)
    out = _run(fl, fn, args, name in GRADS)
    assert out[1] == ref[1]
    for o, r in zip(out[0], ref[0]):
        np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5)
    for o, r in zip(out[2], ref[2]):
        # PyTorch leaves no gradient on the +-1 targets of the embedding losses; ours is 0.
        if r is None and o is not None:
            np.testing.assert_array_equal(o, 0)
        elif r is not None:
            np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5)


def test_batch_norm_updates_running_stats():
    state = {}
    for m in (torch, fl):
        rm, rv = m.zeros(4), m.ones(4)
        m.batch_norm(m.tensor(X3), None, None, rm, rv, True, 0.3, 1e-5, False)
        state[m] = (rm.numpy(), rv.numpy())
    for o, r in zip(state[fl], state[torch]):
        np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-6)


def test_dropouts_train_switch_and_statistics():
    x = fl.tensor(X3)
    for name in ("dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout"):
        np.testing.assert_array_equal(getattr(fl, name)(x, 0.5, False).numpy(), X3)
        with pytest.raises(TypeError):       # p and train are required, as torch's
            getattr(fl, name)(x)
        with pytest.raises(TypeError):
            getattr(torch, name)(torch.tensor(X3))
    for m in (torch, fl):
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2"):
            m.feature_dropout(m.ones(3), 0.5, True)


def test_integer_reduction_only():
    a, t = fl.tensor(_r(2)), fl.tensor(TARGET_PM)
    with pytest.raises(TypeError):
        torch.hinge_embedding_loss(torch.tensor(_r(2)), torch.tensor(TARGET_PM), 1.0, "sum")
    with pytest.raises(TypeError):
        fl.hinge_embedding_loss(a, t, 1.0, "sum")
