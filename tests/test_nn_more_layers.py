"""AdaptiveLogSoftmaxWithLoss, FractionalMaxPool2d/3d, CrossMapLRN2d, NLLLoss2d, Container
and F.multi_head_attention_forward against torch: values, gradients, reprs, errors."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl


def _pair(array, requires_grad=True):
    """The same float64 array as a torch tensor and a functorch_like tensor."""
    return (torch.tensor(array, requires_grad=requires_grad),
            fl.tensor(array, requires_grad=requires_grad))


def _close(ours, theirs, tol=1e-10):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(),
                               rtol=tol, atol=tol)


def _raises_like(torch_fn, fl_fn, exc):
    with pytest.raises(exc) as theirs:
        torch_fn()
    with pytest.raises(exc) as ours:
        fl_fn()
    assert str(ours.value) == str(theirs.value)


# ---- AdaptiveLogSoftmaxWithLoss ----------------------------------------------------------

def test_adaptive_log_softmax_matches_torch(x64):
    kw = dict(in_features=8, n_classes=10, cutoffs=[3, 6], div_value=2.0, head_bias=True)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(**kw).double()
    om = fl.nn.AdaptiveLogSoftmaxWithLoss(**kw).double()
    assert repr(om) == repr(tm)
    assert list(om.state_dict()) == list(tm.state_dict())
    om.load_state_dict({k: fl.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    tx, ox = _pair(np.random.RandomState(0).randn(7, 8))
    target = np.array([0, 2, 3, 5, 6, 9, 7])            # shortlist and both clusters
    tout, oout = tm(tx, torch.tensor(target)), om(ox, fl.tensor(target))
    assert type(oout).__name__ == "_ASMoutput" and oout._fields == ("output", "loss")
    _close(oout.output, tout.output)
    _close(oout.loss, tout.loss)
    (tout.loss + tout.output[2]).backward()
    (oout.loss + oout.output[2]).backward()
    _close(ox.grad, tx.grad)
    for (name, tp), (_, op) in zip(tm.named_parameters(), om.named_parameters()):
        _close(op.grad, tp.grad)
    _close(om.log_prob(ox), tm.log_prob(tx))
    assert om.log_prob(ox).shape == (7, 10)
    np.testing.assert_array_equal(om.predict(ox).numpy(), tm.predict(tx).numpy())
    # unbatched: (in_features,) input with a 0-d target
    t1, o1 = tm(tx[1], torch.tensor(4)), om(ox[1], fl.tensor(4))
    assert o1.output.shape == () and o1.loss.shape == ()
    _close(o1.output, t1.output)


def test_adaptive_log_softmax_errors_match_torch():
    for cutoffs in ([], [3, 3], [0, 2], [5, 3], [10]):
        _raises_like(lambda: torch.nn.AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs),
                     lambda: fl.nn.AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs), ValueError)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])
    om = fl.nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])
    x = np.zeros((3, 4), np.float32)
    for target, inp in (([0, 10, 2], x), ([0, 1], x), ([[0]], x), ([0, 1, 2], x[:, :, None])):
        _raises_like(lambda: tm(torch.tensor(inp), torch.tensor(target)),
                     lambda: om(fl.tensor(inp), fl.tensor(target)), RuntimeError)


# ---- FractionalMaxPool2d / 3d -----------------------------------------------------------

@pytest.mark.parametrize("nd,shape,kernel,out", [(2, (2, 3, 7, 6), (2, 3), (4, 3)),
                                                 (3, (1, 2, 5, 6, 4), 2, (3, 4, 2))])
def test_fractional_max_pool_matches_torch_given_samples(x64, nd, shape, kernel, out):
    tx, ox = _pair(np.random.RandomState(0).randn(*shape))
    samples = np.random.RandomState(1).rand(shape[0], shape[1], nd)
    name = f"fractional_max_pool{nd}d"
    tv, ti = getattr(torch.nn.functional, name)(tx, kernel, output_size=out,
                                                return_indices=True,
                                                _random_samples=torch.tensor(samples))
    ov, oi = getattr(fl.nn.functional, name)(ox, kernel, output_size=out, return_indices=True,
                                             _random_samples=fl.tensor(samples))
    _close(ov, tv)
    np.testing.assert_array_equal(oi.numpy(), ti.numpy())
    g = np.random.RandomState(2).randn(*tv.shape)
    tv.backward(torch.tensor(g))
    ov.backward(fl.tensor(g))
    _close(ox.grad, tx.grad)
    # the module with output_ratio and a stored sample buffer agrees too
    cls = f"FractionalMaxPool{nd}d"
    tm = getattr(torch.nn, cls)(kernel, output_ratio=0.5, _random_samples=torch.tensor(samples))
    om = getattr(fl.nn, cls)(kernel, output_ratio=0.5, _random_samples=fl.tensor(samples))
    assert repr(om) == repr(tm)
    _close(om(ox), tm(tx))


def test_fractional_max_pool_random_windows_are_valid_maxima():
    """Without samples (torch's random stream is not reproduced): shapes, indices inside
    the plane, values equal to the input at their indices, and each value is the max of a
    kernel-sized window containing it."""
    x = fl.randn(2, 3, 9, 8)
    fl.manual_seed(0)
    v, i = fl.nn.FractionalMaxPool2d(3, output_size=(4, 5), return_indices=True)(x)
    tv = torch.nn.functional.fractional_max_pool2d(torch.tensor(x.numpy()), 3,
                                                   output_size=(4, 5))
    assert tuple(v.shape) == tuple(tv.shape) == (2, 3, 4, 5) and v.dtype == fl.float32
    flat = x.numpy().reshape(2, 3, -1)
    idx = i.numpy().reshape(2, 3, -1)
    assert idx.min() >= 0 and idx.max() < 72
    np.testing.assert_array_equal(np.take_along_axis(flat, idx, 2).reshape(v.shape),
                                  v.numpy())
    fl.manual_seed(0)
    v2 = fl.nn.functional.fractional_max_pool2d(x, 3, output_size=(4, 5))
    np.testing.assert_array_equal(v2.numpy(), v.numpy())      # same seed, same windows
    rows, cols = idx // 8, idx % 8
    assert np.all(np.diff(rows.reshape(2, 3, 4, 5)[..., 0], axis=-1) >= 0)
    assert np.all(np.diff(cols.reshape(2, 3, 4, 5)[:, :, 0], axis=-1) >= 0)
    # unbatched input
    assert tuple(fl.nn.functional.fractional_max_pool3d(fl.randn(2, 5, 5, 5), 2,
                                                        output_ratio=0.5).shape) == (2, 2, 2, 2)


def test_fractional_max_pool_errors_match_torch():
    x = np.zeros((1, 2, 5, 5), np.float32)
    _raises_like(lambda: torch.nn.FractionalMaxPool2d(2),
                 lambda: fl.nn.FractionalMaxPool2d(2), ValueError)
    _raises_like(lambda: torch.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
                 lambda: fl.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
                 ValueError)
    _raises_like(lambda: torch.nn.FractionalMaxPool3d(2, output_ratio=1.5),
                 lambda: fl.nn.FractionalMaxPool3d(2, output_ratio=1.5), ValueError)
    _raises_like(lambda: torch.nn.functional.fractional_max_pool2d(torch.tensor(x), 3,
                                                                   output_size=4),
                 lambda: fl.nn.functional.fractional_max_pool2d(fl.tensor(x), 3,
                                                                output_size=4), RuntimeError)
    x3 = np.zeros((1, 2, 4, 4, 4), np.float32)
    _raises_like(lambda: torch.nn.functional.fractional_max_pool3d(torch.tensor(x3), 3,
                                                                   output_size=3),
                 lambda: fl.nn.functional.fractional_max_pool3d(fl.tensor(x3), 3,
                                                                output_size=3), RuntimeError)
    s = np.zeros((1, 3, 2), np.float32)
    _raises_like(lambda: torch.nn.functional.fractional_max_pool2d(
                     torch.tensor(x), 2, output_size=2, _random_samples=torch.tensor(s)),
                 lambda: fl.nn.functional.fractional_max_pool2d(
                     fl.tensor(x), 2, output_size=2, _random_samples=fl.tensor(s)),
                 RuntimeError)


# ---- CrossMapLRN2d, NLLLoss2d, Container -------------------------------------------------

@pytest.mark.parametrize("size,channels", [(4, 6)])
def test_cross_map_lrn2d_matches_torch(x64, size, channels):
    """Forward and torch's hand-written (legacy) backward."""
    tx, ox = _pair(np.random.RandomState(0).randn(2, channels, 3, 2))
    tm, om = torch.nn.CrossMapLRN2d(size, 0.5, 0.6, 1.5), fl.nn.CrossMapLRN2d(size, 0.5, 0.6,
                                                                             1.5)
    assert repr(om) == repr(tm) and not list(om.state_dict())
    ty, oy = tm(tx), om(ox)
    _close(oy, ty)
    g = np.random.RandomState(1).randn(*ty.shape)
    ty.backward(torch.tensor(g))
    oy.backward(fl.tensor(g))
    _close(ox.grad, tx.grad)
    _raises_like(lambda: tm(torch.zeros(2, 3, 4)), lambda: om(fl.zeros(2, 3, 4)), ValueError)


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in caught]


def test_nll_loss2d_and_container_warn_like_torch(x64):
    tl, tw = _warnings_of(lambda: torch.nn.NLLLoss2d(ignore_index=1))
    ol, ow = _warnings_of(lambda: fl.nn.NLLLoss2d(ignore_index=1))
    assert ow == tw and tw[0][0] is FutureWarning
    assert isinstance(ol, fl.nn.NLLLoss) and repr(ol) == repr(tl)
    tx, ox = _pair(np.log(np.random.RandomState(0).dirichlet(np.ones(3), (2, 2, 4))
                          .transpose(0, 3, 1, 2)))
    target = np.array([[[0, 1, 2, 1], [2, 2, 0, 1]], [[1, 0, 0, 2], [1, 1, 2, 0]]])
    _close(ol(ox, fl.tensor(target)), tl(tx, torch.tensor(target)))
    tc, tw = _warnings_of(lambda: torch.nn.Container(a=torch.nn.Linear(2, 3)))
    oc, ow = _warnings_of(lambda: fl.nn.Container(a=fl.nn.Linear(2, 3)))
    assert ow == tw and repr(oc) == repr(tc) and list(oc.state_dict()) == ["a.weight",
                                                                           "a.bias"]


# ---- F.multi_head_attention_forward ----------------------------------------------------

def _mha_args(lib, rs, e=4, kdim=4, with_bias_kv=True):
    def t(*shape):
        return lib.tensor(rs.randn(*shape), requires_grad=True)
    return dict(in_proj_weight=t(3 * e, e), in_proj_bias=t(3 * e),
                bias_k=t(1, 1, e) if with_bias_kv else None,
                bias_v=t(1, 1, e) if with_bias_kv else None,
                out_proj_weight=t(e, e), out_proj_bias=t(e))


@pytest.mark.parametrize("average,add_zero_attn", [(False, True)])
def test_multi_head_attention_forward_matches_torch(x64, average, add_zero_attn):
    L, S, N, E, H = 3, 4, 2, 4, 2
    q, k, v = (np.random.RandomState(i).randn(n, N, E) for i, n in ((0, L), (1, S), (2, S)))
    # float like attn_mask (torch warns on mixed bool / float masks)
    kpm = np.where([[False, False, True, False], [False, False, False, False]], -np.inf, 0.0)
    mask = np.random.RandomState(3).randn(L, S)
    outs = {}
    for lib in (torch, fl):
        args = _mha_args(lib, np.random.RandomState(4))
        xs = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
        out, w = lib.nn.functional.multi_head_attention_forward(
            *xs, E, H, args["in_proj_weight"], args["in_proj_bias"], args["bias_k"],
            args["bias_v"], add_zero_attn, 0.0, args["out_proj_weight"],
            args["out_proj_bias"], key_padding_mask=lib.tensor(kpm),
            attn_mask=lib.tensor(mask), average_attn_weights=average)
        (out.sum() + (w * w).sum()).backward()
        outs[lib] = (out, w, xs, args)
    (to, tw, txs, targs), (oo, ow, oxs, oargs) = outs[torch], outs[fl]
    _close(oo, to)
    _close(ow, tw)
    for a, b in zip(oxs, txs):
        _close(a.grad, b.grad)
    for name in targs:
        _close(oargs[name].grad, targs[name].grad)


def test_multi_head_attention_forward_separate_weights_unbatched_no_weights(x64):
    L, S, E, H, kdim = 3, 2, 4, 1, 3
    q = np.random.RandomState(0).randn(L, E)
    kv = np.random.RandomState(1).randn(S, kdim)
    res = {}
    for lib in (torch, fl):
        rs = np.random.RandomState(2)
        ws = [lib.tensor(rs.randn(*s)) for s in ((E, E), (E, kdim), (E, kdim), (3 * E,),
                                                 (E, E), (E,))]
        out, w = lib.nn.functional.multi_head_attention_forward(
            lib.tensor(q), lib.tensor(kv), lib.tensor(kv), E, H, None, ws[3], None, None,
            False, 0.0, ws[4], ws[5], need_weights=False, use_separate_proj_weight=True,
            q_proj_weight=ws[0], k_proj_weight=ws[1], v_proj_weight=ws[2],
            attn_mask=lib.tensor(np.triu(np.ones((L, S), bool), 1)), is_causal=True)
        res[lib] = out
        assert w is None
    _close(res[fl], res[torch])
    x = np.zeros((L, 1, E))
    _raises_like(
        lambda: torch.nn.functional.multi_head_attention_forward(
            *(torch.tensor(x),) * 3, E + 1, H, torch.zeros(3 * E, E), None, None, None, False,
            0.0, torch.zeros(E, E), None),
        lambda: fl.nn.functional.multi_head_attention_forward(
            *(fl.tensor(x),) * 3, E + 1, H, fl.zeros(3 * E, E), None, None, None, False,
            0.0, fl.zeros(E, E), None), AssertionError)


def test_adaptive_log_softmax_trains_under_compile_as_eagerly():
    # Its target check read the values with .numpy(), which a compiled step cannot.
    def run(compiled):
        fl.manual_seed(0)
        asm = fl.nn.AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs=[3, 6], div_value=2.0)
        opt = fl.optim.SGD(asm.parameters(), lr=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = asm(x, y).loss
            loss.backward()
            opt.step()
            return loss
        f = fl.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        x = fl.tensor(rng.standard_normal((8, 4)).astype(np.float32))
        y = fl.tensor(rng.integers(0, 10, 8))
        return [f(x, y).item() for _ in range(3)], asm.head.weight.detach().numpy()
    (eager, e_w), (compiled, c_w) = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    np.testing.assert_allclose(c_w, e_w, rtol=1e-5, atol=1e-7)
