"""Eager behaviour training scripts rely on, against torch 2.13: comparisons with
non-tensors, tensors built from tensors, integer division by zero, byte masks, integers
that do not fit, and mixed-dtype linear layers."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises


def _outcome(fn):
    """The result as a Python value, or (exception type name, message)."""
    try:
        out = fn()
    except Exception as e:          # noqa: BLE001 - the error is the outcome compared
        return type(e).__name__, str(e)
    if isinstance(out, (torch.Tensor, fl.Tensor)):
        return out.tolist(), str(out.dtype).replace("torch.", "")
    return out


def _same(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _outcome(lambda: fn(fl)) == _outcome(lambda: fn(torch))


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([1.0, 2.0]) == None,                     # noqa: E711
    lambda L: L.tensor([1.0, 2.0]) != None,                     # noqa: E711
    lambda L: L.tensor([1.0]) == "a",
    lambda L: L.tensor([1.0]) != "a"])
def test_comparing_with_none_or_a_string_gives_a_bool_as_torch(fn):
    # It raised TypeError, breaking `if t == None` style code that runs under torch.
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([L.tensor([1.0]), L.tensor([2.0])]),
    lambda L: L.tensor([[L.tensor(1), 2], [3, L.tensor([[4]])]]),
    lambda L: L.tensor([L.tensor(1.5), 2]),
    lambda L: L.tensor([L.tensor([1.0, 2.0])])])
def test_tensors_inside_lists_are_taken_as_their_numbers_as_torch(fn):
    # torch.tensor([loss1, loss2]) of 1-element tensors was 2-D.
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([5, -5]) // 0, lambda L: L.tensor([5, -5]) % 0,
    lambda L: L.fmod(L.tensor([5]), 0), lambda L: L.tensor([5]).div(0, rounding_mode="trunc"),
    lambda L: L.tensor([5]) // L.tensor([0]), lambda L: 5 // L.tensor([1, 0]),
    lambda L: L.tensor([5.0]) // 0, lambda L: L.tensor([7, -7]) % L.tensor([2, 3])])
def test_integer_division_by_zero_raises_as_torch(fn):
    # It gave arbitrary numbers (-2, 0).
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.arange(3)[L.tensor([1, 0, 1], dtype=L.uint8)],
    lambda L: L.arange(6).reshape(2, 3)[L.tensor([0, 1], dtype=L.uint8)]])
def test_a_byte_tensor_index_is_a_mask_as_torch(fn):
    # It gathered positions 1, 0, 1 instead.
    _same(fn)
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        fn(fl)


def test_an_integer_that_does_not_fit_without_x64_raises():
    # (x64 off stores int64 as int32) 2**40 became 0.
    for make in (lambda: fl.tensor([2 ** 40]), lambda: fl.from_numpy(np.array([-2 ** 33]))):
        with pytest.raises(RuntimeError, match="without overflow: 64-bit integers need"):
            make()
    assert fl.tensor([2 ** 31 - 1, -2 ** 31]).tolist() == [2 ** 31 - 1, -2 ** 31]


@pytest.mark.parametrize("fn", [
    lambda L: L.nn.functional.linear(L.ones(1, 2), L.ones(1, 2).half()),
    lambda L: L.nn.functional.linear(L.ones(1, 2), L.ones(1, 2).half(), L.ones(1).half()),
    lambda L: L.nn.functional.linear(L.ones(1, 2), L.ones(1, 2), L.ones(1).half()),
    lambda L: L.nn.Linear(2, 1).half()(L.ones(1, 2))])
def test_a_linear_layer_of_mixed_dtypes_raises_as_torch(fn):
    # It promoted silently, hiding a forgotten input cast.
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.repeat_interleave(L.tensor([1, 2])),
    lambda L: L.tensor([[1, 2], [3, 4]]).repeat_interleave(L.tensor([1, 2]), dim=0),
    lambda L: L.repeat_interleave(L.tensor([1, 2, 3]), L.tensor([2])),
    lambda L: L.repeat_interleave(L.tensor([1, 2]), L.tensor([1, 2, 3])),
    lambda L: L.repeat_interleave(L.tensor([1, 2]), L.tensor([1, -2])),
    lambda L: L.tensor([1.0, 2.0]).repeat_interleave(2)])
def test_repeat_interleave_with_a_tensor_of_counts_as_torch(fn):
    _same(fn)


def test_repeat_interleave_with_counts_passes_gradients_as_torch():
    grads = []
    for lib in (torch, fl):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x.repeat_interleave(lib.tensor([2, 3])) * lib.arange(5.0)).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


@pytest.mark.parametrize("fn", [
    lambda L: L.ones(2, 3).stride(), lambda L: L.ones(2, 3).stride(1),
    lambda L: L.ones(()).stride(), lambda L: L.ones(2, 3).is_cpu,
    lambda L: (tuple(L.ones(2, 3).new(2, 2).shape), str(L.ones(2, 3).new(2, 2).dtype)),
    lambda L: L.ones(2, 3).new([1, 2]), lambda L: L.ones(2, 3).new((1, 2)),
    lambda L: tuple(L.ones(2, 3).new(L.Size([2, 1])).shape),
    lambda L: L.ones(2, 3, dtype=L.int64).new(), lambda L: 2 in L.tensor([[1, 2], [3, 4]]),
    lambda L: 5 in L.tensor([1, 2]), lambda L: "a" in L.tensor([1, 2])])
def test_stride_is_cpu_new_and_in_as_torch(fn):
    _same(fn)


def test_fork_rng_puts_the_default_generator_back_as_torch():
    def run(lib):
        lib.manual_seed(0)
        with lib.random.fork_rng():
            lib.manual_seed(5)
            lib.rand(3)
        after = lib.rand(2)
        lib.manual_seed(0)
        return lib.random.initial_seed(), after.tolist() == lib.rand(2).tolist()
    assert run(fl) == run(torch) == (0, True)


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([True]) - L.tensor([False]),
    lambda L: -L.tensor([True]),
    lambda L: L.tensor([1, 2]).std(), lambda L: L.tensor([1, 2]).var(),
    lambda L: L.zeros(2).fill_(L.tensor([3.0])),
    lambda L: L.multinomial(L.tensor([-1.0, 1.0]), 1),
    lambda L: L.zeros(0).argmax(), lambda L: L.zeros(0, 3).max(0),
    lambda L: L.zeros(0, 3).argmin(1),
    lambda L: L.zeros(3).index_add_(0, L.tensor([3]), L.ones(1)),
    lambda L: L.zeros(3, 2).index_add_(0, L.tensor([5]), L.ones(1, 2)),
    lambda L: L.zeros(3).scatter_(0, L.tensor([1]), L.tensor([1])),
    lambda L: L.zeros(3).scatter(0, L.tensor([1]), 5)])
def test_bad_arguments_raise_torchs_errors(fn):
    # They computed a number, or raised another type (ValueError, TypeError).
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.softmax(L.tensor([1, 2, 3]), 0),
    lambda L: L.log_softmax(L.tensor([[1, 2, 3]]), 0),
    lambda L: L.tensor([[1, 2, 3]]).softmax(1),
    lambda L: L.nn.functional.softmax(L.tensor([True, False]), dim=0),
    lambda L: L.nn.functional.log_softmax(L.tensor([1j, 2j]), dim=0),
    lambda L: [round(v, 4) for v in L.softmax(L.tensor([1, 2, 3]), 0, dtype=L.float32).tolist()]])
def test_softmax_of_integers_raises_unless_given_a_floating_dtype(fn):
    # It computed a float result where torch has no integer kernel.
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([1, 2]).requires_grad_(),
    lambda L: setattr(L.tensor([1, 2]), "requires_grad", True),
    lambda L: L.tensor([1, 2], requires_grad=True),
    lambda L: L.zeros(2, dtype=L.long, requires_grad=True),
    lambda L: L.nn.Parameter(L.tensor([1, 2])),
    lambda L: L.nn.Parameter(L.tensor([1, 2]), requires_grad=False).requires_grad])
def test_integer_tensors_refuse_grad_with_each_of_torchs_messages(fn):
    # torch words it three ways: the method, the setter, and factories and Parameter.
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.clamp(L.tensor([0.0, 2.0]), min=float("nan")).isnan(),
    lambda L: L.clamp(L.tensor([0.0, 2.0]), max=L.tensor(float("nan"))).isnan(),
    lambda L: L.var(L.tensor([1.0, 2.0]), correction=2),
    lambda L: L.var(L.tensor([1.0, 1.0]), correction=2).isnan(),
    lambda L: L.std(L.tensor([1.0, 2.0]), correction=3),
    lambda L: [round(v, 5) for v in L.var(L.tensor([[1.0, 2.0, 4.0], [0.0, 1.0, 1.0]]),
                                          1).tolist()],
    lambda L: round(L.std(L.tensor([1 + 1j, 2 - 1j])).item(), 5),
    lambda L: L.nansum(L.tensor([1, 2])),
    lambda L: L.nansum(L.tensor([[True, True]]), 1),
    lambda L: L.linalg.vector_norm(L.tensor([3 + 4j])),
    lambda L: L.linalg.vector_norm(L.tensor([3 + 4j, 0j]), 0),
    lambda L: round(L.norm(L.tensor([[1.0, 2.0], [3.0, 4.0]]), "nuc").item(), 4),
    lambda L: L.norm(L.ones(2, 2, 2), "nuc", dim=(1, 2)).round(),
    lambda L: L.sign(L.tensor([True, False])),
    lambda L: L.ones(2, 3).sum((1, -1)),
    lambda L: L.ones(2, 3).mean((0, 0)),
    lambda L: L.tensor([True]) - 1,
    lambda L: 1 - L.tensor([True]),
    lambda L: L.tensor([1.0]) - True,
    lambda L: L.tensor([True]) - True,
    lambda L: L.addmm(L.full((2, 2), float("nan")), L.ones(2, 3), L.ones(3, 2), beta=0),
    lambda L: L.addmm(L.ones(2, 2), L.full((2, 3), float("inf")), L.ones(3, 2), alpha=0)])
def test_nan_bounds_degenerate_corrections_dtypes_and_bool_subtraction_as_torch(fn):
    # Each computed another number, dtype or no error: clamp ignored a NaN bound, var gave
    # nan past N - correction = 0, nansum of ints and complex norms changed dtype, a
    # repeated dim was accepted, addmm let the ignored operand's NaN through.
    _same(fn)


def test_var_warns_as_torch_when_no_degrees_of_freedom_are_left():
    for L in (fl, torch):
        with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
            L.var(L.tensor([1.0, 2.0]), correction=2)


@pytest.mark.parametrize("make, shape", [
    (lambda L: L.nn.LayerNorm(3), (2, 3)), (lambda L: L.nn.BatchNorm1d(3), (2, 3)),
    (lambda L: L.nn.GroupNorm(1, 3), (2, 3)), (lambda L: L.nn.RMSNorm(3), (2, 3)),
    (lambda L: L.nn.InstanceNorm1d(3), (2, 3, 4))])
def test_normalizing_a_bfloat16_input_with_float32_parameters_stays_bfloat16(make, shape):
    # The float32 weight promoted the result to float32.
    def run(L, dtype):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = L.arange(float(np.prod(shape))).reshape(shape).to(L.bfloat16) / 7
            y = make(L)(x.to(dtype))
        return str(y.dtype), y.float().flatten().tolist()
    ours, values = run(fl, fl.bfloat16)
    assert ours == run(torch, torch.bfloat16)[0] == "torch.bfloat16"
    # Within 2 bfloat16 ulps of torch's float32 computation (torch's own bfloat16
    # InstanceNorm rounds more coarsely).
    np.testing.assert_allclose(values, run(torch, torch.float32)[1], atol=0.02)


@pytest.mark.parametrize("fn", [
    lambda L: L.multinomial(L.zeros(3), 2, replacement=True),
    lambda L: L.multinomial(L.tensor([[1.0, 1.0], [0.0, 0.0]]), 1),
    lambda L: list(L.utils.data.WeightedRandomSampler([0.0, 0.0], 2))])
def test_sampling_from_all_zero_weights_raises_as_torch(fn):
    # It returned index 0.
    _same(fn)


def test_threshold_lets_nan_through_as_torch():
    # NaN was replaced by `value`.
    _same(lambda L: L.nn.functional.threshold(L.tensor([float("nan"), -1.0, 2.0]), 0.0,
                                              5.0).isnan())
    _same(lambda L: L.nn.Threshold(0.0, 5.0)(L.tensor([-1.0, 2.0])))


@pytest.mark.parametrize("shape", [(2, 4, 50), (8, 50)])
def test_dropout2d_draws_per_sample_and_channel_for_3d_and_2d_inputs_with_torchs_warning(shape):
    # A 3-D input was taken as one unbatched (C, H, W) sample: its mask spanned the
    # batch; a 2-D one dropped whole rows.
    fl.manual_seed(0)
    with pytest.warns(UserWarning, match="dropout2d: Received a"):
        out = fl.nn.Dropout2d(0.5)(fl.ones(*shape)).numpy()
    rows = out.reshape(-1, shape[-1]) if len(shape) == 3 else out
    if len(shape) == 3:       # one value per (N, C) row, the rows independent
        assert all(len(set(r)) == 1 for r in rows.tolist())
        assert len({r[0] for r in rows.tolist()}) == 2
    else:                     # element-wise: both values in every row
        assert all(len(set(r)) == 2 for r in rows.tolist())


def _batchnorm_loads(L):
    out = []
    plain = {"weight": L.ones(2), "bias": L.zeros(2), "running_mean": L.zeros(2),
             "running_var": L.ones(2)}
    out.append((str(L.nn.BatchNorm1d(2).load_state_dict(plain)), sorted(plain)))
    model = L.nn.Sequential(L.nn.Linear(2, 2), L.nn.BatchNorm1d(2))
    current = model.state_dict()
    del current["1.num_batches_tracked"]
    try:
        model.load_state_dict(current)
    except RuntimeError as err:
        out.append(str(err))
    return out


def test_batchnorm_loads_checkpoints_from_before_num_batches_tracked_as_torch():
    # A plain dict without num_batches_tracked (an old checkpoint) was refused; a current
    # state_dict missing it is still refused, by its metadata's version.
    assert _batchnorm_loads(fl) == _batchnorm_loads(torch)


@pytest.mark.parametrize("mask", [
    np.array([[True, False, True], [True, True, True], [False, True, True]]),
    np.array([[0.0, 0.0, -1.0], [0.5, 0.0, 0.0], [0.0, -2.0, 0.0]], dtype=np.float32)])
def test_sdpa_with_a_mask_and_is_causal_applies_both_as_torch(mask):
    # It raised; torch 2.13 on CPU combines them.
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((1, 2, 3, 4)).astype(np.float32) for _ in range(3))

    def run(L):
        out = L.nn.functional.scaled_dot_product_attention(
            L.tensor(q), L.tensor(k), L.tensor(v), attn_mask=L.tensor(mask), is_causal=True)
        return out.numpy()
    np.testing.assert_allclose(run(fl), run(torch), rtol=1e-5, atol=1e-6)


def _container_ops(L):
    def shown(x):
        return repr(x).replace("\n", " ")
    seq = L.nn.Sequential(L.nn.ReLU(), L.nn.Tanh())
    out = [shown(seq * 2), shown(2 * seq), shown(seq.pop(0)), shown(seq)]
    for bad in (lambda: seq * 0, lambda: seq * "a", lambda: seq + [L.nn.ReLU()]):
        try:
            bad()
        except (TypeError, ValueError) as err:
            # (the class paths differ: torch.nn... and functorch_like.nn...)
            out.append((type(err).__name__, str(err).replace("functorch_like", "torch")))
    grown = L.nn.Sequential(L.nn.ReLU())
    grown += L.nn.Sequential(L.nn.Tanh())
    tripled = L.nn.Sequential(L.nn.ReLU())
    tripled *= 3
    listed = L.nn.ModuleList([L.nn.ReLU(), L.nn.Tanh(), L.nn.ReLU()])
    out += [shown(grown), shown(tripled), tripled[0] is tripled[2],
            shown(listed.pop(slice(0, 2))), shown(listed)]
    return out


def test_sequential_arithmetic_and_pop_as_torch():
    # pop, *, *=, += were missing; + took any iterable.
    assert _container_ops(fl) == _container_ops(torch)


@pytest.mark.parametrize("alpha", [2.5, -2.5, 2.9, True])
def test_index_add_of_integers_truncates_a_float_alpha_as_torch(alpha):
    # (2.5 was applied, then the sum truncated: [7, 0, 0] for torch's [6, 0, 0])
    _same(lambda L: L.zeros(3, dtype=L.int64).index_add(0, L.tensor([0, 0]), L.tensor([1, 2]),
                                                         alpha=alpha))


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([1, 2, 3]).repeat_interleave(2, output_size=5),
    lambda L: L.tensor([1, 2, 3]).repeat_interleave(2, output_size=6),
    lambda L: L.tensor([1, 2, 3]).repeat_interleave(L.tensor([1, 0, 2]), output_size=4),
    lambda L: L.tensor([1, 2, 3]).repeat_interleave(L.tensor([1, 0, 2]), output_size=2),
    lambda L: L.tensor([1, 2, 3]).repeat_interleave(L.tensor([1, 0, 2]), output_size=3),
    lambda L: L.tensor([1, 2, 3]).repeat_interleave(L.tensor([2]), output_size=5),
    lambda L: L.repeat_interleave(L.tensor([1, 2]), output_size=2),
    lambda L: L.zeros(2, 3).repeat_interleave(2, dim=0, output_size=3)])
def test_repeat_interleave_checks_output_size_as_torch(fn):
    # A wrong output_size padded or cut the result.
    _same(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.einsum("ij->jj", L.ones(2, 2)),
    lambda L: L.einsum("...ij->...ii", L.ones(2, 2)),
    lambda L: L.ones(2, 2).scatter(1, L.tensor([[0], [1]]), 1.0, reduce="mean"),
    lambda L: L.ones(2, 2).scatter_(1, L.tensor([[0], [1]]), L.ones(2, 1), reduce="max"),
    lambda L: L.zeros(2, 2).index_select(1, L.tensor([2])),
    lambda L: L.zeros(2, 2).index_select(1, L.tensor([-3])),
    lambda L: L.zeros(2, 3, 2).index_select(1, L.tensor([7, 3])),
    lambda L: L.zeros(2, 3, 2).index_select(2, L.tensor([0, 5])),
    lambda L: L.zeros(2, 3, 2).index_select(0, L.tensor([5])),
    lambda L: L.take_along_dim(L.ones(2, 2), L.tensor([[0.0]]), 1),
    lambda L: L.take_along_dim(L.ones(2, 2), L.tensor([[True]]), 1),
    lambda L: L.take_along_dim(L.ones(2, 2), L.tensor([[0.0]]))])
def test_errors_of_index_and_contraction_ops_as_torch(fn):
    # (ValueError, KeyError, IndexError or TypeError where torch raises RuntimeError)
    _same(fn)


def test_normalize_writes_into_out_as_torch():
    outs = []
    for L in (fl, torch):
        out = L.empty(2, 3)
        result = L.nn.functional.normalize(L.arange(6.0).reshape(2, 3), out=out)
        assert result is out
        outs.append(out.numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda L: L.kthvalue(L.zeros(0), 1),
    lambda L: L.kthvalue(L.zeros(2, 0), 1, 1),
    lambda L: L.unique(L.zeros(2, 0), dim=0),
    lambda L: L.unique(L.zeros(2, 0), dim=1),
    lambda L: L.unique_consecutive(L.zeros(2, 0), dim=0),
    lambda L: L.unique(L.tensor([1j, 1j])),
    lambda L: L.unique(L.tensor([1j]), dim=0),
    lambda L: L.unique_consecutive(L.tensor([1j])),
    lambda L: L.tensor([1j]) % 2,
    lambda L: L.tensor([1j]) // 2,
    lambda L: L.fmod(L.tensor([1j]), 2),
    lambda L: L.tensor([1.0]) % L.tensor([1j]),
    lambda L: L.div(L.tensor([1j]), 2, rounding_mode="trunc"),
    lambda L: L.tensor([1, [2]]),
    lambda L: L.tensor([1.5, [2]]),
    lambda L: L.tensor([[[1]], [2]]),
    lambda L: L.tensor([[1], 2]),
    lambda L: L.tensor([[1, 2], [3, [4]]]),
    lambda L: L.tensor([[], [1]]),
    lambda L: L.tensor([[], [[1]]], dtype=L.int64),
    lambda L: L.nn.functional.pad(L.zeros(1, 2, 0), (1, 1), mode="replicate"),
    lambda L: L.nn.functional.pad(L.zeros(2, 0), (1, 1), mode="reflect"),
    lambda L: L.nn.functional.pad(L.zeros(1, 0, 2, 2), (1, 1, 1, 1), mode="replicate"),
    lambda L: L.nn.functional.pad(L.zeros(0, 2, 2), (1, 1), mode="replicate"),
    lambda L: L.nn.functional.unfold(L.ones(1, 1, 3, 3), 2, dilation=(1, 1, 1)),
    lambda L: L.nn.functional.fold(L.ones(1, 4, 6), (3, 4), (2, 2, 2)),
    lambda L: L.nn.functional.fold(L.ones(1, 4, 4), (3, 3, 3), 2),
    lambda L: L.nn.functional.gumbel_softmax(L.tensor([1, 2])),
    lambda L: L.nn.functional.gumbel_softmax(L.tensor([True]))])
def test_errors_of_selection_division_construction_and_padding_as_torch(fn):
    # (wrong types or results where torch raises, or its RuntimeError as another type)
    _same(fn)


def test_unfold_of_a_negative_padding_raises_torchs_runtime_error():
    # (its calculation of the blocks' shape refused it, with another message)
    check_raises(lambda L: L.nn.functional.unfold(L.ones(1, 1, 3, 3), 2, padding=(0, -1)))


@pytest.mark.parametrize("fn", [
    lambda L: L.nn.AdaptiveAvgPool2d((3, 2))(L.zeros(1, 2, 0, 5)),
    lambda L: L.nn.AdaptiveAvgPool1d(3)(L.zeros(1, 2, 0)),
    lambda L: L.nn.AdaptiveAvgPool2d((3, 2))(L.zeros(2, 0, 5)),
    lambda L: L.nn.AdaptiveMaxPool1d(3)(L.zeros(1, 2, 0)),
    lambda L: L.nn.AdaptiveMaxPool3d(3)(L.zeros(1, 2, 0, 2, 2)),
    lambda L: L.nn.MaxPool1d(2)(L.arange(6).reshape(1, 1, 6)),
    lambda L: L.nn.MaxPool1d(2)(L.ones(1, 1, 6, dtype=L.bool))])
def test_pools_of_empty_dims_and_integers_raise_as_torch(fn):
    # (a ZeroDivisionError from the adaptive bins; an integer 1-d max pool torch refuses)
    check_raises(fn)


@pytest.mark.parametrize("fn", [
    lambda L: L.nn.AdaptiveAvgPool2d(3)(L.zeros(2, 0, 4, 5)).shape,
    lambda L: L.nn.functional.max_pool1d(L.arange(6).reshape(1, 1, 6), 2,
                                         return_indices=True)[0]])
def test_pools_of_an_empty_batch_dim_and_integers_with_indices_as_torch(fn):
    _same(fn)
