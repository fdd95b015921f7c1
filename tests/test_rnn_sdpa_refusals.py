"""torch's errors for RNN/GRU given proj_size (only LSTM takes it) and for
scaled_dot_product_attention inputs of fewer than 2 dims or batch dims that do not
broadcast (JAX's einsum ValueErrors before)."""

import pytest
import torch

from _tensor_ops_ref import check_raises


@pytest.mark.parametrize("cls", ["RNN", "GRU"])
@pytest.mark.parametrize("extra", [{"proj_size": 2}, {"proj_size": 0}, {"foo": 1}])
def test_rnn_and_gru_refuse_extra_keywords_as_torch(cls, extra):
    check_raises(lambda lib: getattr(lib.nn, cls)(3, 4, **extra))


SHAPES = {
    "heads_without_gqa": [(2, 4, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8)],
    "batch_3d": [(4, 3, 8), (2, 5, 8), (2, 5, 8)],
    "value_heads": [(2, 4, 3, 8), (2, 4, 5, 8), (2, 2, 5, 8)],
    "query_1d": [(8,), (5, 8), (5, 8)],
    "key_1d": [(3, 8), (8,), (5, 8)],
}


@pytest.mark.parametrize("case", sorted(SHAPES))
def test_sdpa_shape_errors_match_torch(case):
    def run(lib):
        return lib.nn.functional.scaled_dot_product_attention(
            *[lib.ones(*s) for s in SHAPES[case]])
    check_raises(run)


def test_sdpa_broadcasting_batches_still_work():
    import functorch_like as fl
    q, k = torch.ones(4, 3, 8), torch.ones(5, 8)
    want = torch.nn.functional.scaled_dot_product_attention(q, k, k)
    got = fl.nn.functional.scaled_dot_product_attention(fl.ones(4, 3, 8), fl.ones(5, 8),
                                                        fl.ones(5, 8))
    assert tuple(got.shape) == tuple(want.shape) and got.tolist() == want.tolist()


def _lstm_states(lib, which):
    h0 = lib.zeros(1, 2, 4)
    return {"c0_none": (h0, None), "h0_none": (None, h0), "stacked": lib.stack([h0, h0]),
            "one": (h0,), "three": (h0, h0, h0)}[which]


@pytest.mark.parametrize("which", ["c0_none", "h0_none", "stacked", "one", "three"])
def test_lstm_refuses_a_malformed_state_as_torch(which):
    # (a missing state ran as zeros; a stacked pair was split into h0 and c0)
    check_raises(lambda lib: lib.nn.LSTM(3, 4)(lib.ones(5, 2, 3), _lstm_states(lib, which)),
                 match=which != "stacked")


@pytest.mark.parametrize("hx", ["one", "bare"])
def test_lstm_cell_refuses_a_malformed_state_as_torch(hx):
    def run(lib):
        h = lib.zeros(2, 4)
        return lib.nn.LSTMCell(3, 4)(lib.ones(2, 3), (h,) if hx == "one" else h)
    check_raises(run)


def _mha_call(lib, case):
    lib.manual_seed(0)
    plain = lib.nn.MultiheadAttention(4, 2)
    r = lib.randn
    if case == "batch_mismatch":
        return plain(r(3, 2, 4), r(5, 3, 4), r(5, 3, 4))
    if case == "kdim_lengths":
        return lib.nn.MultiheadAttention(4, 2, kdim=5, vdim=6)(r(3, 2, 4), r(4, 2, 5),
                                                               r(5, 2, 6))
    if case == "unbatched_lengths":
        return plain(r(3, 4), r(5, 4), r(6, 4))
    if case == "bias_kv_batch":
        return lib.nn.MultiheadAttention(4, 2, add_bias_kv=True)(r(3, 2, 4), r(5, 3, 4),
                                                                 r(5, 3, 4))
    return lib.nn.functional.multi_head_attention_forward(        # bias_k alone
        r(3, 2, 4), r(5, 2, 4), r(5, 2, 4), 4, 2, plain.in_proj_weight, plain.in_proj_bias,
        lib.zeros(1, 1, 4), None, False, 0.0, plain.out_proj.weight, plain.out_proj.bias)


@pytest.mark.parametrize("case", ["batch_mismatch", "kdim_lengths", "unbatched_lengths",
                                  "bias_kv_batch", "bias_k_alone"])
def test_multihead_attention_shape_errors_are_torchs(case):
    # (JAX's reshape/einsum/concatenate errors before, of other types)
    check_raises(lambda lib: _mha_call(lib, case))


@pytest.mark.parametrize("which", ["h0", "c0"])
def test_lstm_refuses_a_state_of_another_dtype_as_torch(which, x64):
    # (a JAX scan carry TypeError before)
    def run(lib):
        states = [lib.zeros(1, 1, 4), lib.zeros(1, 1, 4)]
        states[which == "c0"] = states[which == "c0"].double()
        return lib.nn.LSTM(3, 4)(lib.ones(2, 1, 3), tuple(states))
    check_raises(run)
