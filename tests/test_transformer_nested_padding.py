"""TransformerEncoder's nested-tensor fast path, against torch 2.13: in inference with a
key padding mask that pads at the end, torch packs the sequences without their padding
and pads the output again with zeros, so the padded positions are exactly 0 (then the
final norm's bias), not the layers' values there; a mean over all positions differs.
Training, grad-enabled calls with weights that require grad, an attention mask, a mask
that does not pad at the end, or enable_nested_tensor=False take the ordinary path."""

import numpy as np
import pytest
import torch

import functorch_like as fl

_X = np.random.default_rng(0).standard_normal((3, 5, 8)).astype(np.float32)
_END = np.array([[False] * 5, [False, False, False, True, True], [False] * 4 + [True]])
_MIDDLE = np.array([[False] * 5, [False, True, False, False, True], [False] * 5])


def _run(lib, state, *, mask, nested=True, grad=False, train=False, norm=False,
         attn_mask=False):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (torch's prototype-nested-tensor warning)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, dropout=0.0)
        m = lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8) if norm else None,
                                      enable_nested_tensor=nested)
        m.load_state_dict({k: lib.tensor(v) for k, v in state.items()
                           if norm or not k.startswith("norm.")})
        m.train(train)
        kwargs = {"src_key_padding_mask": lib.tensor(mask)}
        if attn_mask:
            kwargs["mask"] = lib.zeros(5, 5)
        with lib.set_grad_enabled(grad):
            out = m(lib.tensor(_X), **kwargs)
    return out.detach().numpy()


@pytest.fixture(scope="module")
def state():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, dropout=0.0)
    m = torch.nn.TransformerEncoder(layer, 2, norm=torch.nn.LayerNorm(8),
                                    enable_nested_tensor=False)
    with torch.no_grad():
        m.norm.bias.copy_(torch.linspace(-0.5, 0.5, 8))
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


@pytest.mark.parametrize("case, zeros", [
    (dict(mask=_END), True),                 # the fast path: zeros at padding
    (dict(mask=_END, norm=True), False),     # zeros, then the final norm (its bias)
    (dict(mask=_END, grad=True), False),     # weights require grad: ordinary path
    (dict(mask=_END, train=True), False),
    (dict(mask=_END, nested=False), False),
    (dict(mask=_END, attn_mask=True), False),
    (dict(mask=_MIDDLE), False),             # not padding at the end: mask_check says no
])
def test_encoder_output_at_padding_matches_torch(state, case, zeros):
    want = _run(torch, state, **case)
    got = _run(fl, state, **case)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert (np.abs(want[1, 3:]).max() == 0) == zeros


@pytest.mark.parametrize("mask_check", [True, False])
def test_inside_compile_as_torch_compile(state, mask_check):
    """Under compile torch's mask check cannot run, so with mask_check the fast path is
    skipped (the layers' values at padding); without it the padding is zeroed."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = fl.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, dropout=0.0)
        m = fl.nn.TransformerEncoder(layer, 2, mask_check=mask_check)
    m.load_state_dict({k: fl.tensor(v) for k, v in state.items() if not k.startswith("norm.")})
    m.eval()

    @fl.compile
    def run(x, pad):
        with fl.no_grad():
            return m(x, src_key_padding_mask=pad)

    out = run(fl.tensor(_X), fl.tensor(_END)).numpy()
    eager = _run(fl, state, mask=_END, nested=False)      # the layers' own values
    np.testing.assert_allclose(out[0], eager[0], rtol=1e-4, atol=1e-5)
    if mask_check:
        np.testing.assert_allclose(out[1, 3:], eager[1, 3:], rtol=1e-4, atol=1e-5)
    else:
        assert np.abs(out[1, 3:]).max() == 0
