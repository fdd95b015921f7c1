"""nn.utils.rnn (pad/pack/unpack of variable-length sequences) and nn.RNN / LSTM / GRU on
PackedSequence input, against PyTorch: values, indices, dtypes, gradients, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as TR

import functorch_like as fl
import functorch_like.nn.utils.rnn as R
from functorch_like import func as ffunc
from functorch_like.pure import _rnn
from _tensor_ops_ref import error_of as _error

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5, 3)).astype(np.float32)          # (T, B, features)
LENGTHS = [1, 3, 4, 2, 3]
UTILS = {torch: TR, fl: R}


def _weights(lib, t):
    return lib.tensor(np.linspace(-1, 1, t.numel(), dtype=np.float32)).reshape(t.shape)


def _indices(lib_t):
    return None if lib_t is None else (lib_t.numpy().tolist(), str(lib_t.dtype))


@pytest.mark.parametrize("batch_first, enforce_sorted, lengths_tensor, pad_kw", [
    (False, False, False, dict()),
    (True, False, True, dict(total_length=6, padding_value=-2.0)),
    (False, True, False, dict(batch_first=True)),
])
def test_pack_and_pad_packed_match_torch(batch_first, enforce_sorted, lengths_tensor, pad_kw):
    x = X.transpose(1, 0, 2) if batch_first else X
    lengths = sorted(LENGTHS, reverse=True) if enforce_sorted else LENGTHS
    results = []
    for lib in (torch, fl):
        t = lib.tensor(x, requires_grad=True)
        lens = lib.tensor(lengths) if lengths_tensor else lengths
        packed = UTILS[lib].pack_padded_sequence(t, lens, batch_first=batch_first,
                                                 enforce_sorted=enforce_sorted)
        assert type(packed).__name__ == "PackedSequence" and packed._fields == (
            "data", "batch_sizes", "sorted_indices", "unsorted_indices")
        padded, out_lengths = UTILS[lib].pad_packed_sequence(packed, **pad_kw)
        ((padded * _weights(lib, padded)).sum() + (packed.data ** 2).sum()).backward()
        results.append([packed.data.detach().numpy(), padded.detach().numpy(), t.grad.numpy(),
                        _indices(packed.batch_sizes), _indices(packed.sorted_indices),
                        _indices(packed.unsorted_indices), _indices(out_lengths),
                        packed.data.grad_fn.name()])
    for a, b in zip(*results):
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape
            np.testing.assert_allclose(b, a, rtol=1e-6)
        else:
            assert a == b


@pytest.mark.parametrize("kw, dtypes", [
    (dict(), ("float32", "float32", "float32")),
    (dict(batch_first=True, padding_value=1.5, padding_side="left"),
     ("int32", "int32", "int32")),
    (dict(padding_side="left"), ("float64", "float32", "float64")),   # the first's dtype
])
def test_pad_sequence_matches_torch(kw, dtypes, x64):
    arrays = [RNG.standard_normal(s) * 3 for s in [(2, 3), (4, 3), (1, 3)]]
    results = []
    for lib in (torch, fl):
        seqs = [lib.tensor(a, dtype=getattr(lib, d)) for a, d in zip(arrays, dtypes)]
        if dtypes[0] == "float32":
            for s in seqs:
                s.requires_grad_()
        out = UTILS[lib].pad_sequence(seqs, **kw)
        res = [out.detach().numpy(), str(out.dtype)]
        if out.requires_grad:
            (out * _weights(lib, out)).sum().backward()
            res += [s.grad.numpy() for s in seqs]
        results.append(res)
    for a, b in zip(*results):
        assert np.shape(a) == np.shape(b)
        assert a == b if isinstance(a, str) else np.allclose(b, a, rtol=1e-6)


def test_pack_sequence_unpack_and_unpad_match_torch():
    seqs = [RNG.standard_normal((n, 2)).astype(np.float32) for n in LENGTHS]
    results = []
    for lib in (torch, fl):
        u = UTILS[lib]
        packed = u.pack_sequence([lib.tensor(s) for s in seqs], enforce_sorted=False)
        unpacked = u.unpack_sequence(packed)
        padded = u.pad_sequence([lib.tensor(s) for s in seqs])
        unpadded = u.unpad_sequence(padded, lib.tensor(LENGTHS))
        results.append([packed.data.numpy()] + [s.numpy() for s in unpacked + unpadded]
                       + [u.invert_permutation(lib.tensor([2, 0, 3, 1])).numpy()])
    for a, b in zip(*results):
        np.testing.assert_array_equal(b, a)
    assert R.invert_permutation(None) is None
    packed = R.pack_sequence([fl.tensor(s) for s in sorted(seqs, key=len, reverse=True)])
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    half = packed.half()
    assert type(half) is R.PackedSequence and half.data.dtype == fl.float16
    assert half.batch_sizes is packed.batch_sizes and not half.is_cuda
    assert R.PackedSequence(packed.data, packed.batch_sizes) == packed[:2] + (None, None)


@pytest.mark.parametrize("call", [
    lambda lib, u: u.pack_padded_sequence(lib.ones(4, 3, 2), [2, 3, 1]),
    lambda lib, u: u.pack_padded_sequence(lib.ones(4, 3, 2), [3, 0, 1]),
    lambda lib, u: u.pack_padded_sequence(lib.ones(4, 3, 2), [3, 2, 0]),
    lambda lib, u: u.pack_padded_sequence(lib.ones(4, 3, 2), [3, 1, -1],
                                          enforce_sorted=False),
    lambda lib, u: u.pack_padded_sequence(lib.ones(4, 3, 2), [3, 2]),
    lambda lib, u: u.pad_packed_sequence(u.pack_sequence([lib.ones(3), lib.ones(2)]),
                                         total_length=2),
    lambda lib, u: u.pad_sequence([lib.ones(2, 3), lib.ones(3, 4)]),
    lambda lib, u: u.pad_sequence([lib.ones(2), lib.ones(3)], padding_side="up"),
    lambda lib, u: u.pad_sequence([]),
    lambda lib, u: u.pad_sequence(5),
    lambda lib, u: u.pack_sequence([lib.ones(2), lib.ones(3)]),
    lambda lib, u: lib.nn.GRU(2, 3)(u.pack_padded_sequence(lib.ones(4, 3, 2), [3, 2, 1]),
                                    lib.zeros(1, 2, 3)),
    lambda lib, u: lib.nn.GRU(2, 3)(u.pack_padded_sequence(lib.ones(4, 3, 4), [3, 2, 1])),
])
def test_errors_match_torch(call):
    expected = _error(lambda: call(torch, TR))
    assert expected is not None and _error(lambda: call(fl, R)) == expected


def test_length_past_the_input_raises():
    # PyTorch reads past the input here (undefined values); a clear error instead.
    with pytest.raises(RuntimeError, match="exceeds the padded length 4"):
        R.pack_padded_sequence(fl.ones(4, 3, 2), [5, 2, 1])


RNN_CONFIGS = [
    ("LSTM", dict(num_layers=2, bidirectional=True), True),
    ("GRU", dict(batch_first=True), False),
    ("RNN", dict(bidirectional=True, nonlinearity="relu"), True),
    ("LSTM", dict(proj_size=2), False),
]


@pytest.mark.parametrize("cls, kw, with_state", RNN_CONFIGS)
def test_rnns_on_packed_sequences_match_torch(cls, kw, with_state):
    torch.manual_seed(0)
    theirs, ours = getattr(torch.nn, cls)(3, 4, **kw), getattr(fl.nn, cls)(3, 4, **kw)
    ours.load_state_dict({k: fl.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    batch_first = kw.get("batch_first", False)
    x = X.transpose(1, 0, 2) if batch_first else X
    layers = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    h = RNG.standard_normal((layers, 5, kw.get("proj_size") or 4)).astype(np.float32)
    c = RNG.standard_normal((layers, 5, 4)).astype(np.float32)
    results = []
    for lib, m in ((torch, theirs), (fl, ours)):
        t = lib.tensor(x, requires_grad=True)
        states = [lib.tensor(h, requires_grad=True)] + (
            [lib.tensor(c, requires_grad=True)] if cls == "LSTM" else [])
        hx = (tuple(states) if cls == "LSTM" else states[0]) if with_state else None
        packed = UTILS[lib].pack_padded_sequence(t, LENGTHS, batch_first=batch_first,
                                                 enforce_sorted=False)
        out, h_n = m(packed, hx)
        assert type(out).__name__ == "PackedSequence"
        finals = list(h_n) if cls == "LSTM" else [h_n]
        ((out.data * _weights(lib, out.data)).sum() + sum((f * f).sum() for f in finals)
         ).backward()
        leaves = [t] + (states if with_state else [])
        results.append([out.data.detach().numpy(), _indices(out.batch_sizes),
                        _indices(out.unsorted_indices)]
                       + [f.detach().numpy() for f in finals]
                       + [v.grad.numpy() for v in leaves]
                       + [p.grad.numpy() for p in m.parameters()])
    for a, b in zip(*results):
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape
            np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-6)
        else:
            assert a == b


def test_pure_rnn_with_lengths_under_jit_and_grad():
    """pure rnn(lengths=...) equals the facade on the packed input, under jit and grad;
    the lengths may be traced there (they only mask)."""
    fl.manual_seed(0)
    m = fl.nn.GRU(3, 4, bidirectional=True)
    params = {k: v._value for k, v in m.state_dict().items()}
    lengths = jnp.asarray(sorted(LENGTHS, reverse=True))

    def loss(p, lengths):
        out, h_n = _rnn.rnn(jnp.asarray(X), p, mode="GRU", bidirectional=True,
                            lengths=lengths)
        return (out ** 2).sum() + (h_n ** 2).sum()
    value, grads = jax.jit(jax.value_and_grad(loss))(params, lengths)
    packed = R.pack_padded_sequence(fl.tensor(X), np.asarray(lengths))
    out, h_n = m(packed)
    facade = (out.data ** 2).sum() + (h_n ** 2).sum()
    facade.backward()
    np.testing.assert_allclose(value, facade.item(), rtol=1e-5)
    for name, p in m.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-6)


class _PackThenRun(fl.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = fl.nn.RNN(3, 4)

    def forward(self, x, lengths):
        return self.rnn(R.pack_padded_sequence(x, lengths, enforce_sorted=False))[1]


def test_traced_lengths_give_a_clear_error():
    apply_fn, params, buffers = ffunc.to_pure(_PackThenRun())
    x = jnp.asarray(X)
    out = apply_fn(params, buffers, x, jnp.asarray(LENGTHS))[0]     # concrete: fine
    assert out.shape == (1, 5, 4)
    with pytest.raises(TypeError, match="lengths must be concrete values"):
        jax.jit(lambda lengths: apply_fn(params, buffers, x, lengths)[0])(
            jnp.asarray(LENGTHS))


@pytest.mark.parametrize("kind, enforce_sorted", [("GRU", True), ("LSTM", False)])
def test_a_compiled_step_that_packs_its_batch_trains_as_eager(kind, enforce_sorted):
    # The batch sizes made inside the trace were traced values the RNN could not read.
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]

    def run(compiled):
        fl.manual_seed(0)
        rnn = getattr(fl.nn, kind)(4, 6, batch_first=True, bidirectional=True)
        opt = fl.optim.SGD(rnn.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            packed = R.pack_padded_sequence(x, lengths, batch_first=True,
                                            enforce_sorted=enforce_sorted)
            out, _ = rnn(packed)
            padded, _ = R.pad_packed_sequence(out, batch_first=True)
            loss = padded.pow(2).mean()
            loss.backward()
            opt.step()
            return loss
        f = fl.compile(step) if compiled else step
        x = fl.tensor(np.random.default_rng(0).standard_normal((3, 5, 4)).astype(np.float32))
        return [f(x).item() for _ in range(3)], rnn.weight_ih_l0.detach().numpy()
    (eager, e_w), (compiled, c_w) = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    np.testing.assert_allclose(c_w, e_w, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("lengths", [[[5, 3]], [[[5, 3]]]])
def test_lengths_of_more_than_one_dim_raise_as_torch(lengths):
    """(A 2-D lengths tensor was read flat and packed.)"""
    errors = []
    for lib in (torch, fl):
        with pytest.raises(RuntimeError) as info:
            lib.nn.utils.rnn.pack_padded_sequence(lib.zeros(2, 5, 3), lib.tensor(lengths),
                                                  batch_first=True)
        errors.append(str(info.value))
    assert errors[1] == errors[0]
