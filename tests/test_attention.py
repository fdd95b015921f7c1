"""F.scaled_dot_product_attention and nn.MultiheadAttention against PyTorch."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_error

RNG = np.random.default_rng(0)
Q = RNG.standard_normal((2, 3, 4, 8)).astype(np.float32)      # (N, heads, L, E)
K = RNG.standard_normal((2, 3, 5, 8)).astype(np.float32)      # (N, heads, S, E)
V = RNG.standard_normal((2, 3, 5, 6)).astype(np.float32)
BOOL_MASK = RNG.random((4, 5)) > 0.3
BOOL_MASK[:, 0] = True                                        # every row attends somewhere
FLOAT_MASK = RNG.standard_normal((4, 5)).astype(np.float32)


@pytest.mark.parametrize("kw", [dict(), dict(scale=0.3), dict(is_causal=True),
                                dict(attn_mask="bool"), dict(attn_mask="float")])
def test_sdpa_values_and_gradients_match_torch(kw):
    results = []
    for lib in (torch, fl):
        args = dict(kw)
        if "attn_mask" in args:
            mask = BOOL_MASK if args["attn_mask"] == "bool" else FLOAT_MASK
            args["attn_mask"] = lib.tensor(mask)
        q, k, v = (lib.tensor(a, requires_grad=True) for a in (Q, K, V))
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, **args)
        (out * lib.tensor(np.linspace(-1, 1, out.numel(), dtype=np.float32)).reshape(
            out.shape)).sum().backward()
        results.append([out.detach().numpy(), q.grad.numpy(), k.grad.numpy(),
                        v.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shapes", [
    ((2, 6, 4, 8), (2, 2, 5, 8), (2, 3, 5, 6)),     # key and value heads may differ
    ((6, 4, 8), (3, 5, 8), (3, 5, 8)),               # unbatched (heads, L, E)
    ((2, 4, 4, 8), (2, 4, 5, 8), (2, 4, 5, 8)),      # as many heads: plain attention
])
def test_sdpa_grouped_query_attention_matches_torch(shapes):
    results = []
    for lib in (torch, fl):
        rng = np.random.default_rng(3)
        q, k, v = (lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
                   for s in shapes)
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True)
        (out * out).sum().backward()
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in (q, k, v)])
    for a, b in zip(*results):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-6)


def _mha_pair(**kw):
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(8, 2, **kw)
    ours = fl.nn.MultiheadAttention(8, 2, **kw)
    with torch.no_grad():      # torch initialises bias_k, bias_v ~ N(0, 1/E): make them count
        for extra in (theirs.bias_k, theirs.bias_v):
            if extra is not None:
                extra.mul_(4.0)
    ours.load_state_dict({k: fl.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    return theirs, ours


@pytest.mark.parametrize("kw, shapes, call", [
    (dict(), ((3, 2, 8), (5, 2, 8)), dict()),
    (dict(batch_first=True), ((2, 3, 8), (2, 5, 8)),
     dict(key_padding_mask=np.array([[False] * 4 + [True], [False] * 5]))),
    (dict(), ((3, 2, 8), (5, 2, 8)), dict(attn_mask=~BOOL_MASK[:3], average_attn_weights=False)),
    (dict(bias=False), ((3, 8), (5, 8)), dict(attn_mask=FLOAT_MASK[:3])),       # unbatched
    (dict(), ((4, 2, 8), (4, 2, 8)),
     dict(attn_mask=np.triu(np.ones((4, 4), bool), 1), is_causal=True, need_weights=False)),
])
def test_multihead_attention_matches_torch(kw, shapes, call):
    theirs, ours = _mha_pair(**kw)
    assert repr(ours) == repr(theirs)
    results = []
    for lib, m in ((torch, theirs), (fl, ours)):
        rng = np.random.default_rng(1)
        q = lib.tensor(rng.standard_normal(shapes[0]).astype(np.float32), requires_grad=True)
        kv = lib.tensor(rng.standard_normal(shapes[1]).astype(np.float32),
                        requires_grad=True)
        args = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()}
        out, weights = m(q, kv, kv, **args)
        (out * out).sum().backward()
        got = [out.detach().numpy(), q.grad.numpy(), kv.grad.numpy()]
        got += [p.grad.numpy() for p in m.parameters()]
        got.append(None if weights is None else weights.detach().numpy())
        results.append(got)
    for a, b in zip(*results):
        if a is None:
            assert b is None
        else:
            assert a.shape == b.shape
            np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("kw, shapes, call", [
    (dict(kdim=5, vdim=3), ((3, 2, 8), (4, 2, 5), (4, 2, 3)),
     dict(key_padding_mask=np.array([[False] * 3 + [True], [False] * 4]))),
    (dict(kdim=6, batch_first=True), ((2, 3, 8), (2, 4, 6), (2, 4, 8)),
     dict(attn_mask=FLOAT_MASK[:3, :4])),
    (dict(add_bias_kv=True), ((3, 2, 8), (4, 2, 8), (4, 2, 8)),
     dict(attn_mask=~BOOL_MASK[:3, :4], average_attn_weights=False)),
    (dict(add_zero_attn=True, bias=False), ((3, 2, 8), (4, 2, 8), (4, 2, 8)),
     dict(key_padding_mask=np.array([[False] * 3 + [True], [False] * 4]))),
    (dict(add_bias_kv=True, add_zero_attn=True, vdim=4), ((3, 8), (4, 8), (4, 4)),   # unbatched
     dict(attn_mask=FLOAT_MASK[:3, :4])),
    (dict(add_bias_kv=True, add_zero_attn=True, kdim=7), ((3, 2, 8), (4, 2, 7), (4, 2, 8)),
     dict(attn_mask=np.tile(~BOOL_MASK[:3, :4], (4, 1, 1)),
          key_padding_mask=np.array([[True] + [False] * 3, [False] * 4]))),
])
def test_multihead_attention_kdim_vdim_bias_kv_zero_attn_match_torch(kw, shapes, call):
    theirs, ours = _mha_pair(**kw)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    results = []
    for lib, m in ((torch, theirs), (fl, ours)):
        rng = np.random.default_rng(2)
        q, k, v = (lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
                   for s in shapes)
        args = {a: lib.tensor(b) if isinstance(b, np.ndarray) else b for a, b in call.items()}
        out, weights = m(q, k, v, **args)
        (out * out).sum().backward()
        got = [out.detach().numpy(), weights.detach().numpy()]
        got += [t.grad.numpy() for t in (q, k, v)] + [p.grad.numpy() for p in m.parameters()]
        results.append(got)
    for a, b in zip(*results):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-6)


def test_multihead_attention_separate_projections_initialise_like_torch():
    fl.manual_seed(0)
    m = fl.nn.MultiheadAttention(8, 2, kdim=32, vdim=2, add_bias_kv=True)
    assert m.in_proj_weight is None and not m._qkv_same_embed_dim
    bound = (6 / (8 + 32)) ** 0.5                      # xavier_uniform of (E, kdim)
    w = m.k_proj_weight.detach().numpy()
    assert w.shape == (8, 32) and np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert m.bias_k.shape == (1, 1, 8) and np.abs(m.bias_k.detach().numpy()).max() > 0
    np.testing.assert_array_equal(m.in_proj_bias.detach().numpy(), np.zeros(24))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.MultiheadAttention(8, 3),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 7), lib.ones(3, 2, 7),
                                                lib.ones(3, 2, 7)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(3, 2, 8),
                                                lib.ones(3, 2, 8), is_causal=True),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(3, 2, 8), lib.ones(4, 2, 8),
                                                lib.ones(5, 2, 8)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 3, 4), lib.ones(2, 3, 4), lib.ones(2, 3, 4),
        attn_mask=lib.ones(3, 3, dtype=lib.bool), is_causal=True),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(1, 6, 3, 4), lib.ones(1, 4, 3, 4), lib.ones(1, 4, 3, 4), enable_gqa=True),
    # (4-d, but the value's head size differs: torch's math path, which refuses the pair)
    lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 2, 4, 3), lib.ones(2, 2, 6, 3), lib.ones(2, 2, 6, 5),
        attn_mask=lib.zeros(4, 6), is_causal=True),
])
def test_errors_match_torch(call):
    errors = []
    for lib in (torch, fl):
        with pytest.raises(Exception) as info:
            call(lib)
        errors.append(info.value)
    assert isinstance(errors[1], type(errors[0]))
    assert str(errors[1]) == str(errors[0])


def test_attention_dropout_in_training_only_and_compiled_step_equals_eager(
        eager_and_compiled_losses):
    fl.manual_seed(0)
    m = fl.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = fl.randn(4, 2, 8)
    assert not np.allclose(m(x, x, x)[0].detach().numpy(), m(x, x, x)[0].detach().numpy())
    m.eval()
    np.testing.assert_array_equal(m(x, x, x)[0].detach().numpy(),
                                  m(x, x, x)[0].detach().numpy())
    def build():
        attn = fl.nn.MultiheadAttention(8, 2, batch_first=True, kdim=5, vdim=3,
                                        add_bias_kv=True, add_zero_attn=True)
        head = fl.nn.Linear(8, 3)
        opt = fl.optim.Adam(list(attn.parameters()) + list(head.parameters()), lr=0.01)
        x, y = fl.randn(5, 4, 8), fl.tensor([0, 1, 2, 1, 0])
        k, v = fl.randn(5, 6, 5), fl.randn(5, 6, 3)

        def loss(x, y):
            out, _ = attn(x, k, v)
            return fl.nn.functional.cross_entropy(head(out.mean(1)), y)
        return loss, opt, (x, y)
    runs = eager_and_compiled_losses(build, 5)
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-5)
    assert runs[1][-1] < runs[1][0]


@pytest.mark.parametrize("where", ["sdpa_bool", "sdpa_float", "mha_no_weights",
                                   "mha_weights", "encoder_layer"])
def test_a_query_that_may_attend_to_nothing_is_handled_as_torch(where):
    # torch 2.13's fused attention gives such a row 0 and finite gradients (its explicit
    # softmax, MHA with need_weights=True, NaN); ours was NaN, and NaN everywhere in q/k/v's
    # gradients, so one fully padded sequence made a whole batch's update NaN.
    rng = np.random.default_rng(1)
    q0 = rng.standard_normal((1, 1, 3, 4)).astype(np.float32)
    allowed = np.tril(np.ones((3, 3), bool))
    allowed[1] = False
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    padding = np.array([[False, False, True], [True, True, True]])
    torch.manual_seed(0)
    t_layer = torch.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
    t_mha = torch.nn.MultiheadAttention(4, 2, batch_first=True)
    results = []
    for lib in (torch, fl):
        if where.startswith("sdpa"):
            q = lib.tensor(q0, requires_grad=True)
            mask = lib.tensor(allowed) if where == "sdpa_bool" else lib.tensor(
                np.where(allowed, 0.0, -np.inf).astype(np.float32))
            out = lib.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=mask)
            leaf = q
        else:
            if lib is torch:
                module = t_layer if where == "encoder_layer" else t_mha
            else:
                module = (fl.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
                          if where == "encoder_layer" else
                          fl.nn.MultiheadAttention(4, 2, batch_first=True))
                source = t_layer if where == "encoder_layer" else t_mha
                module.load_state_dict({k: fl.tensor(v.detach().numpy())
                                        for k, v in source.state_dict().items()})
            leaf = lib.tensor(x, requires_grad=True)
            if where == "encoder_layer":
                out = module(leaf, src_key_padding_mask=lib.tensor(padding))
            else:
                out = module(leaf, leaf, leaf, key_padding_mask=lib.tensor(padding),
                             need_weights=where == "mha_weights")[0]
            out = out[0, :2]            # the real tokens of the first sample
        out.pow(2).sum().backward()
        results.append((out.detach().numpy(), leaf.grad.numpy()))
    (t_out, t_grad), (f_out, f_grad) = results
    np.testing.assert_allclose(f_out, t_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(f_grad, t_grad, rtol=1e-4, atol=1e-6)


def test_sdpa_kernel_selects_backends_within_its_block_as_torch():
    from functorch_like.nn.attention import SDPBackend, current_backends, sdpa_kernel
    assert {b.name: int(b) for b in SDPBackend} == {
        name: int(b) for name, b in torch.nn.attention.SDPBackend.__members__.items()}
    q = fl.tensor(Q)
    expected = fl.nn.functional.scaled_dot_product_attention(q, q, q).numpy()
    with sdpa_kernel([SDPBackend.MATH, SDPBackend.MATH, SDPBackend.FLASH_ATTENTION]):
        assert current_backends() == [SDPBackend.MATH, SDPBackend.FLASH_ATTENTION]
        got = fl.nn.functional.scaled_dot_product_attention(q, q, q).numpy()
    np.testing.assert_array_equal(got, expected)
    assert len(current_backends()) == 5
    for lib in (torch, fl):
        with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
            with lib.nn.attention.sdpa_kernel("math"):
                pass
    model = fl.nn.Linear(2, 1)
    out = fl.nn.utils.stateless.functional_call(
        model, {"weight": fl.ones(1, 2), "bias": fl.zeros(1)}, (fl.ones(1, 2),))
    assert out.item() == 2.0


def _mask_cases(lib):
    """Calls of multi-head attention with masks (and inputs) of the wrong shape."""
    lib.manual_seed(0)
    x = lib.zeros(2, 3, 4)
    mha = lib.nn.MultiheadAttention(4, 2, batch_first=True)
    kv = lib.nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True)
    zb = lambda *s: lib.zeros(*s, dtype=lib.bool)  # noqa: E731
    F = lib.nn.functional

    def functional(**kw):
        return F.multi_head_attention_forward(
            x, x, x, 4, 2, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0,
            mha.out_proj.weight, mha.out_proj.bias, **kw)
    layer = lib.nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True)
    return {
        "padding mask of another batch": lambda: mha(
            x, x, x, key_padding_mask=lib.tensor([[False, False, True]])),
        "padding mask of another length": lambda: mha(x, x, x, key_padding_mask=zb(2, 4)),
        "padding mask 1-D for a batch": lambda: mha(
            x, x, x, key_padding_mask=lib.tensor([False, False, True])),
        "2-D attn_mask of one row": lambda: mha(x, x, x, attn_mask=zb(1, 3)),
        "2-D attn_mask too small": lambda: mha(x, x, x, attn_mask=zb(2, 2)),
        "3-D attn_mask of another batch": lambda: mha(x, x, x, attn_mask=zb(3, 3, 3)),
        "4-D attn_mask": lambda: mha(x, x, x, attn_mask=lib.zeros(1, 1, 3, 3)),
        "unbatched 3-D attn_mask": lambda: mha(x[0], x[0], x[0], attn_mask=zb(3, 3, 3)),
        "2-D key for a batch": lambda: mha(x, x[0], x[0]),
        "4-D query": lambda: mha(x[None], x[None], x[None]),
        "padding mask with bias_kv": lambda: kv(x, x, x, key_padding_mask=zb(3, 5)),
        "functional padding mask": lambda: functional(key_padding_mask=zb(3, 4)),
        "functional attn_mask": lambda: functional(attn_mask=lib.zeros(3, 2)),
        "encoder layer padding mask": lambda: layer(x, src_key_padding_mask=zb(2, 4)),
    }


@pytest.mark.parametrize("name", list(_mask_cases(torch)))
def test_attention_mask_shapes_are_checked_as_torch(name):
    """(Masks that broadcast were used silently; others failed in JAX's words.)"""
    same_error(lambda lib: _mask_cases(lib)[name]())


def test_attention_masks_of_the_right_shapes_still_work():
    x = fl.zeros(2, 3, 4)
    kv = fl.nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True)
    mha = fl.nn.MultiheadAttention(4, 2, batch_first=True)
    assert kv(x, x, x, key_padding_mask=fl.zeros(3, 2, dtype=fl.bool))[0].shape == (2, 3, 4)
    assert mha(x[0], x[0], x[0], attn_mask=fl.zeros(2, 3, 3, dtype=fl.bool))[0].shape == (3, 4)
    assert mha(x, x, x, attn_mask=fl.zeros(4, 3, 3, dtype=fl.bool),
               key_padding_mask=fl.zeros(2, 3, dtype=fl.bool))[0].shape == (2, 3, 4)


def _dropout_one_grads(lib, which):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((4, 2, 3)).astype(np.float32), requires_grad=True)
    if which == "sdpa":
        q = x.reshape(1, 2, 4, 3)
        out = lib.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=1.0)
    else:
        lib.manual_seed(0)
        layer = {"gru": lambda: lib.nn.GRU(3, 2, num_layers=2, dropout=1.0),
                 "lstm": lambda: lib.nn.LSTM(3, 2, num_layers=2, dropout=1.0),
                 "mha": lambda: lib.nn.MultiheadAttention(3, 1, dropout=1.0)}[which]()
        out = layer(x, x, x)[0] if which == "mha" else layer(x)[0]
    out.sum().backward()
    return x.grad.numpy()


@pytest.mark.parametrize("which", ["gru", "lstm", "sdpa", "mha"])
def test_dropout_of_one_gives_zero_gradients_as_torch(which):
    # (x / (1 - p) where nothing is kept made them NaN)
    np.testing.assert_array_equal(_dropout_one_grads(fl, which),
                                  _dropout_one_grads(torch, which))
