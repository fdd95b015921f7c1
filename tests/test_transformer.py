"""nn.Transformer, TransformerEncoder/Decoder and their layers against PyTorch: state_dict
keys, repr, outputs, input and parameter gradients, masks, errors, compile, jit/grad."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like import func as ffunc

RNG = np.random.default_rng(0)
SRC = RNG.standard_normal((5, 2, 8)).astype(np.float32)      # (S, N, E)
TGT = RNG.standard_normal((4, 2, 8)).astype(np.float32)      # (T, N, E)
PAD = np.array([[False] * 4 + [True], [False] * 5])           # (N, S)
TOL = dict(rtol=2e-5, atol=2e-5)


def _load(theirs, ours):
    ours.load_state_dict({k: fl.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})


def _pair(name, *args, **kw):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, ours = getattr(torch.nn, name)(*args, **kw), getattr(fl.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _load(theirs, ours)
    return theirs, ours


def _lib_args(lib, arrays, grad_idx):
    """numpy arrays -> lib tensors (None kept); those at grad_idx require grad."""
    return [None if a is None else lib.tensor(a, requires_grad=i in grad_idx)
            for i, a in enumerate(arrays)]


def _compare(theirs, ours, arrays, kwargs=None, grad_idx=(0,), train=True):
    """Runs both modules on the same inputs; compares outputs, input and param grads."""
    results = []
    for lib, m in ((torch, theirs), (fl, ours)):
        m.train(train)
        args = _lib_args(lib, arrays, grad_idx)
        kw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v
              for k, v in (kwargs or {}).items()}
        out = m(*args, **kw)
        weights = lib.tensor(np.linspace(-1, 1, out.numel(), dtype=np.float32)).reshape(
            out.shape)
        (out * weights).sum().backward()
        results.append([out.detach().numpy()] + [args[i].grad.numpy() for i in grad_idx]
                       + [p.grad.numpy() for p in m.parameters()])
    assert len(results[0]) == len(results[1])
    for a, b in zip(*results):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, **TOL)


CAUSAL5 = np.triu(np.full((5, 5), -np.inf, np.float32), 1)


@pytest.mark.parametrize("kw, call, train", [
    (dict(activation="gelu", norm_first=True), dict(src_mask=CAUSAL5, is_causal=True),
     False),
    (dict(batch_first=True, bias=False, dropout=0.0), dict(src_key_padding_mask=PAD), True),
    (dict(layer_norm_eps=1e-3), dict(src_mask=np.triu(np.ones((5, 5), bool), 1),
                                     src_key_padding_mask=PAD), False),
])
def test_encoder_layer_matches_torch(kw, call, train):
    theirs, ours = _pair("TransformerEncoderLayer", 8, 2, 16, **kw)
    src = SRC.transpose(1, 0, 2) if kw.get("batch_first") else SRC
    _compare(theirs, ours, [src], call, train=train)


def test_encoder_layer_unbatched_and_module_activation():
    torch.manual_seed(0)
    theirs, ours = (lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                   activation=lib.nn.GELU())
                    for lib in (torch, fl))
    assert repr(ours) == repr(theirs) and "(activation): GELU" in repr(ours)
    assert ours.activation_relu_or_gelu == 2
    _load(theirs, ours)
    _compare(theirs, ours, [SRC[:, 0]], dict(src_key_padding_mask=PAD[0]))


@pytest.mark.parametrize("kw, call, train", [
    (dict(dropout=0.0), dict(tgt_mask=np.triu(np.full((4, 4), -np.inf, np.float32), 1),
                             memory_key_padding_mask=PAD), True),
    (dict(norm_first=True, batch_first=True, activation="gelu"),
     dict(tgt_key_padding_mask=PAD[:, 1:], memory_mask=RNG.standard_normal((4, 5)).astype(
         np.float32)), False),
])
def test_decoder_layer_matches_torch(kw, call, train):
    theirs, ours = _pair("TransformerDecoderLayer", 8, 2, 16, **kw)
    tgt, mem = ((TGT.transpose(1, 0, 2), SRC.transpose(1, 0, 2)) if kw.get("batch_first")
                else (TGT, SRC))
    _compare(theirs, ours, [tgt, mem], call, grad_idx=(0, 1), train=train)


def _stack_pair(kind, num_layers, norm, **layer_kw):
    torch.manual_seed(0)
    pair = []
    for lib in (torch, fl):
        layer = getattr(lib.nn, f"Transformer{kind}Layer")(8, 2, 16, **layer_kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pair.append(getattr(lib.nn, f"Transformer{kind}")(
                layer, num_layers, lib.nn.LayerNorm(8) if norm else None))
    theirs, ours = pair
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _load(theirs, ours)
    return theirs, ours


def test_encoder_stack_with_causal_mask_detection_matches_torch():
    theirs, ours = _stack_pair("Encoder", 2, True, dropout=0.0)
    assert "layers.1.self_attn.in_proj_weight" in ours.state_dict()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _compare(theirs, ours, [SRC], dict(mask=CAUSAL5, src_key_padding_mask=PAD))
    mismatch = "Support for mismatched src_key_padding_mask and mask is deprecated."
    assert sum(mismatch in str(w.message) for w in caught) == 2      # torch's and ours


def test_transformer_matches_torch():
    theirs, ours = _pair("Transformer", 8, 2, 2, 1, 16, dropout=0.0, batch_first=True,
                         norm_first=True, bias=False)
    assert list(ours.state_dict())[-1] == "decoder.norm.weight"
    src, tgt = SRC.transpose(1, 0, 2), TGT.transpose(1, 0, 2)
    call = dict(tgt_mask=np.triu(np.full((4, 4), -np.inf, np.float32), 1),
                src_key_padding_mask=PAD, memory_key_padding_mask=PAD)
    _compare(theirs, ours, [src, tgt], call, grad_idx=(0, 1))


def test_eval_no_grad_matches_torch_fast_path():
    """In eval mode under no_grad PyTorch takes its fused fast path: same values."""
    theirs, ours = _pair("TransformerEncoderLayer", 8, 2, 16, batch_first=True)
    theirs.eval(), ours.eval()
    with torch.no_grad():
        expected = theirs(torch.tensor(SRC)).numpy()
    with fl.no_grad():
        np.testing.assert_allclose(ours(fl.tensor(SRC)).numpy(), expected, **TOL)


def test_defaults_init_and_square_subsequent_mask():
    fl.manual_seed(0)
    m = fl.nn.TransformerEncoderLayer(8, 2)
    assert m.linear1.weight.shape == (2048, 8) and m.dropout.p == 0.1
    assert m.norm1.eps == 1e-5 and not m.norm_first and m.activation_relu_or_gelu == 1
    assert fl.nn.TransformerEncoderLayer(8, 2, activation="gelu").activation_relu_or_gelu == 2
    t = fl.nn.Transformer(8, 2, 1, 1, 16)
    bound = np.sqrt(6 / (8 + 16))                         # xavier_uniform of linear1
    w = t.encoder.layers[0].linear1.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    for dtype in (None, "float16"):
        ref = torch.nn.Transformer.generate_square_subsequent_mask(
            3, dtype=dtype and getattr(torch, dtype))
        ours = fl.nn.Transformer.generate_square_subsequent_mask(
            3, dtype=dtype and getattr(fl, dtype))
        assert str(ours.dtype) == str(ref.dtype)
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def _error(fn):
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fn()
    except Exception as e:                     # noqa: BLE001 (the type is what we compare)
        return type(e).__name__, str(e)
    return "warning", [str(x.message) for x in w]


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(lib.ones(5, 2, 8), lib.ones(4, 3, 8)),
    lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(lib.ones(5, 2, 6), lib.ones(4, 2, 6)),
    lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16)(
        lib.ones(5, 2, 8), src_key_padding_mask=lib.zeros(2, 5, dtype=lib.int32)),
    lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16), 1),
    lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(
        8, 2, 16, batch_first=True, activation=lambda x: x), 1),
    lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(
        8, 1, 16, batch_first=True), 1),
    lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16)(lib.ones(5, 2, 8), is_causal=True),
])
def test_errors_and_warnings_match_torch(call):
    assert _error(lambda: call(fl)) == _error(lambda: call(torch))


def test_pure_form_under_jit_and_grad():
    """func.to_pure gives the model as a pure function: jittable, differentiable."""
    theirs, ours = _pair("TransformerDecoderLayer", 8, 2, 16, dropout=0.0)
    apply_fn, params, buffers = ffunc.to_pure(ours)
    tgt, mem = jnp.asarray(TGT), jnp.asarray(SRC)
    mask = jnp.asarray(np.triu(np.full((4, 4), -np.inf, np.float32), 1))

    def loss(p, mem):
        return (apply_fn(p, buffers, tgt, mem, tgt_mask=mask)[0] ** 2).sum()
    value, (g_params, g_src) = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))(params, mem)
    t_src = torch.tensor(SRC, requires_grad=True)
    t_loss = (theirs(torch.tensor(TGT), t_src, tgt_mask=torch.tensor(np.asarray(mask))) ** 2
              ).sum()
    t_loss.backward()
    np.testing.assert_allclose(value, t_loss.item(), rtol=1e-5)
    np.testing.assert_allclose(g_src, t_src.grad.numpy(), **TOL)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(g_params[name], p.grad.numpy(), **TOL, err_msg=name)


def test_training_eager_and_compiled_agree(eager_and_compiled_losses):
    def build():
        layer = fl.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1)
        model = fl.nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        head = fl.nn.Linear(8, 3)
        opt = fl.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=0.01)
        src, y = fl.tensor(SRC), fl.tensor([0, 2])
        pad = fl.tensor(PAD)

        def loss(src, y):
            out = model(src, mask=fl.tensor(CAUSAL5), src_key_padding_mask=pad)
            return fl.nn.functional.cross_entropy(head(out.mean(0)), y)
        return loss, opt, (src, y)
    runs = eager_and_compiled_losses(build, 3)
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-4)
    assert runs[1][-1] < runs[1][0]
