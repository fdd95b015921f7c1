"""Cases found by randomized parity fuzzing of nn layers, functional ops and losses against
real PyTorch (float32), each reduced to a minimal case, plus a small seeded random sweep of
its family: the same configuration built in torch and here (same weights through
load_state_dict, same inputs), comparing outputs, input/parameter gradients of a weighted
sum of the outputs, and, where torch raises, the exception type and message."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check, check_raises

import functorch_like as fl


# ---- the sweep harness ---------------------------------------------------------------

def _error(run):
    try:
        return run(), None
    except Exception as e:                  # noqa: BLE001 (the type is what we compare)
        return None, e


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _compare(a, b, what):
    assert tuple(b.shape) == tuple(a.shape), f"{what}: shape {tuple(b.shape)} != {a.shape}"
    want, have = a.detach().numpy(), b.detach().numpy()
    if want.dtype.kind == "f":
        np.testing.assert_allclose(have, want, rtol=1e-4, atol=1e-5, err_msg=what)
    else:
        np.testing.assert_array_equal(have, want.astype(have.dtype), err_msg=what)


def run_pair(make, seed=0):
    """`make(lib)` builds and runs one configuration, returning (outputs, grad leaves). Both
    libraries raise alike, or give the same outputs and the same leaf gradients of a
    random weighting of the float outputs."""
    (t_res, t_err), (f_res, f_err) = _error(lambda: make(torch)), _error(lambda: make(fl))
    if t_err is not None or f_err is not None:
        assert t_err is not None, f"torch did not raise; ours: {f_err!r}"
        assert isinstance(f_err, type(t_err)), f"{f_err!r} is not a {type(t_err).__name__}"
        assert str(f_err) == str(t_err), f"{f_err}\n!=\n{t_err}"
        return
    (t_out, t_leaves), (f_out, f_leaves) = t_res, f_res
    t_out, f_out = _flat(t_out), _flat(f_out)
    for i, (a, b) in enumerate(zip(t_out, f_out, strict=True)):
        _compare(a, b, f"out[{i}]")
    rng = np.random.default_rng(seed)
    t_loss = f_loss = 0
    for a, b in zip(t_out, f_out):
        if a.requires_grad:
            w = rng.standard_normal(tuple(a.shape)).astype(np.float32)
            t_loss = t_loss + (a * torch.from_numpy(w)).sum()
            f_loss = f_loss + (b * fl.tensor(w)).sum()
    if isinstance(t_loss, int):
        return
    t_loss.backward()
    f_loss.backward()
    for i, (a, b) in enumerate(zip(t_leaves, f_leaves, strict=True)):
        if a.grad is None:
            assert b.grad is None or not np.any(b.grad.numpy()), f"grad[{i}]"
        else:
            _compare(a.grad, b.grad, f"grad[{i}]")


def leaf(lib, x, grad=True):
    t = torch.from_numpy(x.copy()) if lib is torch else fl.tensor(x)
    return t.requires_grad_(grad) if grad and x.dtype.kind == "f" else t


def module_pair(lib, cls, holder, *args, **kwargs):
    """lib.nn.<cls>(...); ours takes torch's weights, which torch's call (first) saves."""
    m = getattr(lib.nn, cls)(*args, **kwargs)
    if lib is torch:
        holder["sd"] = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
    else:
        m.load_state_dict(holder["sd"])
    return m


def maybe_tuple(rng, nd, lo, hi):
    if rng.random() < 0.5:
        return rng.randint(lo, hi)
    return tuple(rng.randint(lo, hi) for _ in range(nd))


# ---- transposed convolutions -----------------------------------------------------------

@pytest.mark.parametrize("xs, ws, kwargs", [
    ((1, 2, 5), (2, 1, 1), dict(stride=2, output_padding=2)),
    ((1, 4, 4, 1), (4, 2, 3, 3), dict(dilation=2, output_padding=(1, 2), groups=2)),
    ((1, 1, 2, 2, 2), (1, 1, 1, 1, 1), dict(output_padding=(1, 0, 2), stride=(1, 2, 2))),
])
def test_conv_transpose_output_padding_error(xs, ws, kwargs):
    """PyTorch names each dim (a 1-d op as 2-d with a unit height); RuntimeError."""
    fn = f"conv_transpose{len(ws) - 2}d"
    check_raises(lambda t, x, w: getattr(t.nn.functional, fn)(x, w, **kwargs),
                 np.ones(xs, np.float32), np.ones(ws, np.float32))


@pytest.mark.parametrize("xs, ws, padding", [
    ((1, 2), (1, 1, 1), 2), ((1, 1, 2, 2), (1, 1, 1, 1), (0, 2)),
    ((1, 1, 2, 2, 2), (1, 1, 1, 1, 1), 2),
])
def test_conv_transpose_negative_output_size(xs, ws, padding):
    """A negative output size raises PyTorch's text instead of a JAX padding error."""
    fn = f"conv_transpose{len(ws) - 2}d"
    check_raises(lambda t, x, w: getattr(t.nn.functional, fn)(x, w, padding=padding),
                 np.ones(xs, np.float32), np.ones(ws, np.float32))


def _conv_config(rng, nrng):
    transposed = rng.random() < 0.5
    nd = rng.choice([1, 2]) if transposed else rng.choice([1, 2, 3])
    groups = rng.choice([1, 1, 2])
    cin, cout = groups * rng.randint(1, 2), groups * rng.randint(1, 2)
    kw = dict(kernel_size=maybe_tuple(rng, nd, 1, 3), stride=maybe_tuple(rng, nd, 1, 3),
              dilation=maybe_tuple(rng, nd, 1, 2), groups=groups, bias=rng.random() < 0.6,
              padding=maybe_tuple(rng, nd, 0, 2))
    if transposed:
        kw["output_padding"] = maybe_tuple(rng, nd, 0, 2)
    else:
        kw["padding_mode"] = rng.choice(["zeros", "reflect", "replicate", "circular"])
    x = nrng.standard_normal([2, cin] + [rng.randint(1, 5) for _ in range(nd)])
    cls = ("ConvTranspose%dd" if transposed else "Conv%dd") % nd
    return cls, cin, cout, kw, x.astype(np.float32)


def test_conv_sweep():
    for seed in range(12):
        cls, cin, cout, kw, x = _conv_config(random.Random(seed), np.random.default_rng(seed))
        holder = {}

        def make(lib):
            m = module_pair(lib, cls, holder, cin, cout, **kw)
            xt = leaf(lib, x)
            return m(xt), [xt, *m.parameters()]
        run_pair(make, seed)


# ---- pooling ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda t, x: t.nn.functional.avg_pool1d(x, 5),
    lambda t, x: t.nn.functional.max_pool1d(x, 3, 1, 0, 3, return_indices=True),
    lambda t, x: t.nn.functional.max_pool1d(x, 3, 1, 0, 3),
    lambda t, x: t.nn.functional.max_pool1d(x, 5),
    lambda t, x: t.nn.functional.lp_pool1d(x, 2, 5),
    lambda t, x: t.nn.functional.max_pool1d(x, 3, 1, 2, dilation=2, return_indices=True),
    lambda t, x: t.nn.functional.max_pool2d(x[None], 3, 1, (0, 2), dilation=2),
    lambda t, x: t.nn.functional.max_pool3d(x[None, None], 3, 1, (0, 0, 2), dilation=2),
    lambda t, x: t.nn.functional.lp_pool1d(x, 2, (2,)),
])
def test_pool_errors(fn):
    """1-d pools run as 2-d ones ((C x 1 x L) sizes) but max_pool1d has its own texts; a
    dilated max pool's padding is checked against the plain kernel too; lp_pool1d refuses a
    tuple kernel_size (PyTorch's `.mul(kernel_size)`) after pooling."""
    check_raises(fn, np.ones((2, 3, 4), np.float32))


def test_max_pool_all_padding_window_index():
    """A window holding only padding reports PyTorch's start position (past the input)."""
    x = np.random.default_rng(0).standard_normal((2, 3, 1, 5)).astype(np.float32)
    check(lambda t, x: t.nn.functional.max_pool2d(x, (2, 2), (1, 3), (1, 0), (2, 1),
                                                  ceil_mode=True, return_indices=True)[1],
          x, grad=False)
    check(lambda t, x: t.nn.functional.max_pool3d(x, (2, 2, 1), 1, (1, 1, 0), (2, 2, 1),
                                                  return_indices=True)[1],
          x[:1, :1, None], grad=False)


def test_lp_pool_nan_gradient():
    """PyTorch's relu passes the gradient at NaN: a NaN window (a negative input to a
    fractional power) gives NaN gradients to all its inputs."""
    x = np.array([[[-1.0, 2.0, 0.5, 3.0]]], np.float32)
    check(lambda t, x: t.nn.functional.lp_pool1d(x, 1.5, 2), x)


def _pool_config(rng, nrng):
    kind, nd = rng.choice(["max", "avg", "lp"]), rng.choice([1, 2])
    kw = dict(kernel_size=maybe_tuple(rng, nd, 1, 3), stride=maybe_tuple(rng, nd, 1, 3),
              ceil_mode=rng.random() < 0.5)
    if kind == "max":
        kw.update(padding=maybe_tuple(rng, nd, 0, 2), dilation=maybe_tuple(rng, nd, 1, 2),
                  return_indices=rng.random() < 0.5)
        cls = f"MaxPool{nd}d"
    elif kind == "avg":
        kw.update(padding=maybe_tuple(rng, nd, 0, 2), count_include_pad=rng.random() < 0.5)
        cls = f"AvgPool{nd}d"
    else:
        kw["norm_type"] = rng.choice([1, 2, 1.5])
        cls = f"LPPool{nd}d"
    x = np.abs(nrng.standard_normal([2, 2] + [rng.randint(1, 6) for _ in range(nd)])) + 0.1
    return cls, kw, x.astype(np.float32)


def test_pool_sweep():
    for seed in range(20):
        cls, kw, x = _pool_config(random.Random(seed), np.random.default_rng(seed))

        def make(lib):
            xt = leaf(lib, x)
            return getattr(lib.nn, cls)(**kw)(xt), [xt]
        run_pair(make, seed)


# ---- group_norm ------------------------------------------------------------------------

@pytest.mark.parametrize("shape, groups", [((1, 1, 1, 1), 1), ((1, 3), 3), ((1, 3), 2),
                                           ((3,), 1)])
def test_group_norm_one_value_per_group(shape, groups):
    """PyTorch's _verify_batch_size runs on (N*C/G, G, *spatial) before the channel checks,
    in eval mode too (group_norm has no training flag); fewer than 2 dims: its own text."""
    check_raises(lambda t, x: t.nn.functional.group_norm(x, groups), np.ones(shape, np.float32))


def test_group_norm_sweep():
    for seed in range(12):
        rng, nrng = random.Random(seed), np.random.default_rng(seed)
        groups = rng.choice([1, 2, 3])
        channels = groups * rng.randint(1, 2)
        # Groups of 2+ values: with one, PyTorch's fused x * rstd + shift is rounding noise.
        shape = [rng.randint(1, 2), channels, rng.randint(2, 3)]
        shape += [rng.randint(1, 3) for _ in range(rng.randint(0, 1))]
        x = (nrng.standard_normal(shape) * 2).astype(np.float32)
        holder = {}

        def make(lib):
            m = module_pair(lib, "GroupNorm", holder, groups, channels)
            xt = leaf(lib, x)
            return m(xt), [xt, *m.parameters()]
        run_pair(make, seed)


# ---- losses: arguments PyTorch does not differentiate ------------------------------------

_W3 = np.array([0.5, 1.0, 2.0], np.float32)
_X23 = np.array([[0.1, -0.3, 0.8], [1.2, 0.4, -0.5]], np.float32)


@pytest.mark.parametrize("fn", [
    lambda t, w: t.nn.functional.nll_loss(t.tensor(_X23), t.tensor([0, 2]), weight=w),
    lambda t, w: t.nn.functional.nll_loss(t.tensor(_X23[..., None]), t.tensor([[0], [2]]),
                                          weight=w),
    lambda t, w: t.nn.functional.cross_entropy(t.tensor(_X23), t.tensor([0, 2]), weight=w,
                                               label_smoothing=0.1),
    lambda t, w: t.nn.CrossEntropyLoss(weight=w)(t.tensor(_X23), t.tensor([0, 2])),
    lambda t, w: t.nn.functional.binary_cross_entropy(t.tensor(_W3) / 3, t.ones(3), weight=w),
    lambda t, w: t.nn.functional.binary_cross_entropy_with_logits(t.ones(3), t.ones(3),
                                                                  weight=w, pos_weight=w),
    lambda t, w: t.nn.functional.binary_cross_entropy_with_logits(t.ones(3), t.ones(3),
                                                                  pos_weight=w),
    lambda t, w: t.nn.functional.multi_margin_loss(t.tensor(_X23), t.tensor([0, 2]),
                                                   weight=w),
])
def test_loss_weight_requiring_grad_raises(fn):
    """Class weights and pos_weight are not differentiable in PyTorch: requiring grad
    raises (instead of getting a gradient), unless grad mode is off."""
    check_raises(lambda t, w: fn(t, w.requires_grad_()), _W3)
    for lib in (torch, fl):
        with lib.no_grad():
            fn(lib, (torch.from_numpy(_W3) if lib is torch else fl.tensor(_W3)).requires_grad_())


def test_cross_entropy_probabilities_weight_is_differentiable():
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], np.float32)
    check(lambda t, x, p, w: t.nn.functional.cross_entropy(x, p.detach(), weight=w),
          _X23, probs, _W3)


@pytest.mark.parametrize("fn", [
    lambda t: t.nn.functional.binary_cross_entropy(t.ones(2, 3) / 2, t.ones(2, 3),
                                                   weight=t.ones(3, 2)),
    lambda t: t.nn.functional.binary_cross_entropy(t.ones(2, 3) / 2, t.ones(2, 3),
                                                   weight=t.ones(2, 1, 3)),
    lambda t: t.nn.functional.binary_cross_entropy_with_logits(t.zeros(3), t.zeros(3),
                                                               pos_weight=t.ones(2)),
    lambda t: t.nn.functional.binary_cross_entropy_with_logits(t.zeros(()), t.zeros(()),
                                                               pos_weight=t.ones(1)),
    lambda t: t.nn.functional.binary_cross_entropy_with_logits(t.zeros(3), t.zeros(3),
                                                               weight=t.ones(2, 1, 3)),
])
def test_bce_weight_broadcast_errors(fn):
    """The weights broadcast into the loss in place: never to a larger shape."""
    check_raises(lambda t: fn(t))


def test_poisson_nll_full_target_gradient():
    """The Stirling term is masked where t <= 1, but as in PyTorch the target's gradient
    is NaN at t = 0 (0 * log 0)."""
    check(lambda t, x, y: t.nn.functional.poisson_nll_loss(x, y, full=True, reduction="sum"),
          np.array([0.5, 0.2, -1.0, 1.0], np.float32), np.array([0, 1, 2, 3], np.float32))


def test_loss_weight_sweep():
    names = ["nll_loss", "cross_entropy", "binary_cross_entropy",
             "binary_cross_entropy_with_logits", "multi_margin_loss"]
    for seed in range(15):
        rng, nrng = random.Random(seed), np.random.default_rng(seed)
        name, classes = rng.choice(names), rng.randint(1, 4)
        x = nrng.uniform(-2, 2, (rng.randint(1, 3), classes)).astype(np.float32)
        if name.startswith("binary"):
            target = nrng.uniform(0, 1, x.shape).astype(np.float32)
            x = 1 / (1 + np.exp(-x)) if name == "binary_cross_entropy" else x
        else:
            target = nrng.integers(0, classes, x.shape[:1])
        weight = nrng.uniform(0.1, 2, [classes]).astype(np.float32)
        wants_grad = rng.random() < 0.5
        kw = dict(reduction=rng.choice(["mean", "sum", "none"]))

        def make(lib):
            xt, w = leaf(lib, x.astype(np.float32)), leaf(lib, weight, wants_grad)
            out = getattr(lib.nn.functional, name)(xt, leaf(lib, target, False), weight=w, **kw)
            return out, [xt]
        run_pair(make, seed)


# ---- ctc_loss ------------------------------------------------------------------------

_LP = np.log(np.random.default_rng(0).dirichlet(np.ones(4), (3, 2))).astype(np.float32)


@pytest.mark.parametrize("targets, il, tl", [
    ([1, 2, 1, 2, 1], [3, 3], [1, 2]),          # concatenated: exactly sum(tl) entries
    ([1, 2], [3, 3], [1, 2]),
    ([1, 2, 1, 2, 1], [4, 3], [1, 2]),          # the targets are checked first
    ([[1], [1]], [4, 3], [1, 2]),
])
def test_ctc_target_size_checks(targets, il, tl):
    check_raises(lambda t, lp: t.nn.functional.ctc_loss(lp, t.tensor(targets), il, tl), _LP)


@pytest.mark.parametrize("targets, length", [([1, 2, 0], 1), ([1, 2, 0], 3), ([1, 2], 2),
                                             ([1, 2], 3)])
def test_ctc_unbatched_targets_are_concatenated(targets, length):
    """Unbatched (S,) targets are a concatenated batch of one: S must equal the length."""
    def fn(t, lp):
        return t.nn.functional.ctc_loss(lp[:, 0], t.tensor(targets), t.tensor(2),
                                        t.tensor(length), blank=3, reduction="none")
    if len(targets) != length:
        check_raises(fn, _LP)
    else:
        check(fn, _LP)


def test_ctc_sweep():
    for seed in range(8):
        rng, nrng = random.Random(seed), np.random.default_rng(seed)
        steps, batch = rng.randint(1, 5), rng.randint(1, 3)
        lp = np.log(nrng.dirichlet(np.ones(3), (steps, batch))).astype(np.float32)
        tl = [rng.randint(0, 3) for _ in range(batch)]
        il = [rng.randint(1, steps) for _ in range(batch)]
        size = sum(tl) + rng.choice([0, 0, 1, -1])
        targets = nrng.integers(1, 3, [max(size, 0)])
        zero_inf = rng.random() < 0.5

        def make(lib):
            lpt = leaf(lib, lp)
            return lib.nn.functional.ctc_loss(lpt, leaf(lib, targets), il, tl,
                                              reduction="sum", zero_infinity=zero_inf), [lpt]
        run_pair(make, seed)


# ---- embedding_bag ---------------------------------------------------------------------

@pytest.mark.parametrize("indices, offsets, mode, padding_idx", [
    ([0, 0, 1, 2, 0], [0], "sum", None),
    ([0, 0, 1, 2, 0], [0, 2], "mean", None),
    ([0, 1, 1, 2, 2, 2, 3, 3, 3, 3], [0], "sum", 1),
    ([3, 3, 1, 2, 0, 0], [0, 1], "mean", 3),
])
def test_embedding_bag_scale_grad_by_freq(indices, offsets, mode, padding_idx):
    """PyTorch's CPU backward divides the k-th smallest distinct index's row by the count
    of the k-th entry of the sorted indices (not always that row's own count)."""
    weight = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    check(lambda t, w: t.nn.functional.embedding_bag(
        t.tensor(indices), w, t.tensor(offsets), mode=mode, scale_grad_by_freq=True,
        padding_idx=padding_idx), weight)


def test_embedding_bag_sweep():
    for seed in range(12):
        rng, nrng = random.Random(seed), np.random.default_rng(seed)
        rows, dim = rng.randint(2, 5), rng.randint(1, 3)
        kw = dict(mode=rng.choice(["sum", "mean"]), scale_grad_by_freq=rng.random() < 0.7,
                  padding_idx=rng.choice([None, 0, -1]))
        indices = nrng.integers(0, rows, [rng.randint(1, 3), rng.randint(1, 4)])
        holder = {}

        def make(lib):
            m = module_pair(lib, "EmbeddingBag", holder, rows, dim, **kw)
            return m(leaf(lib, indices)), list(m.parameters())
        run_pair(make, seed)
