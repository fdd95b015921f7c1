"""torch.nn's errors for bad arguments, against torch 2.13's: the same exception type (ours
may subclass it, as the pure core's errors do) and the same message.

Each case is `lambda T: ...` written once against the torch API and run with `T=torch` and
`T=functorch_like`. Cases in the `_X64` tables need 64-bit types, which exist here only under
JAX's x64 mode (without it int32 and float64 tensors are stored as int64's and float32's
stand-ins, and cannot be told apart from them).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import functorch_like as fl

from _tensor_ops_ref import check_raises

_A = np.ones((2, 3), np.float32)       # numpy arrays where torch wants a Tensor
_A4 = np.ones((1, 1, 4, 4), np.float32)


def _ones(T, *shape, dtype="float32"):
    return T.ones(*shape, dtype=getattr(T, dtype))


def _F(T):
    return T.nn.functional


def _module(T, name, *args, **kwargs):
    return getattr(T.nn, name)(*args, **kwargs)


# ---- 1-3. cross_entropy / nll_loss: target and input dtypes, in torch's order -----------

_LOSS_CASES = {
    "ce int16 target": lambda T: _F(T).cross_entropy(T.ones(3, 5), _ones(T, 3, dtype="int16")),
    "nll int8 target": lambda T: _F(T).nll_loss(T.ones(3, 5), _ones(T, 3, dtype="int8")),
    "ce module 3d int16 target": lambda T: T.nn.CrossEntropyLoss()(
        T.ones(2, 5, 4), _ones(T, 2, 4, dtype="int16")),
    "ce smoothing int8 target": lambda T: _F(T).cross_entropy(
        T.ones(3, 5), _ones(T, 3, dtype="int8"), label_smoothing=0.1),
    "nll module unbatched int8 target": lambda T: T.nn.NLLLoss()(
        T.ones(5), T.zeros((), dtype=T.int8)),
    "nll 4d uint8 target": lambda T: T.nn.NLLLoss()(
        T.ones(2, 5, 2, 2), _ones(T, 2, 2, 2, dtype="uint8")),
    "ce 5d uint8 target": lambda T: _F(T).cross_entropy(
        T.ones(2, 5, 2, 1, 1), _ones(T, 2, 2, 1, 1, dtype="uint8")),
    # the dtype is checked before the 1-d target's size and the weight's shape ...
    "nll unbatched 1d target of 2 int16": lambda T: _F(T).nll_loss(
        T.ones(5), _ones(T, 2, dtype="int16")),
    "nll bad weight int16 target": lambda T: _F(T).nll_loss(
        T.ones(3, 5), _ones(T, 3, dtype="int16"), weight=T.ones(4)),
    # ... but after the target's rank (nll_loss2d) and nll_loss_nd's shape checks
    "nll 4d 2d target": lambda T: _F(T).nll_loss(T.ones(3, 5, 2, 2), T.zeros(3, 2)),
    "nll 4d target size": lambda T: _F(T).nll_loss(
        T.ones(3, 5, 2, 2), T.zeros(3, 2, 3, dtype=T.int64)),
    "nll 4d bad weight": lambda T: _F(T).nll_loss(
        T.ones(3, 5, 2, 2), T.zeros(3, 2, 2, dtype=T.int64), weight=T.ones(4)),
    "nll 0d input": lambda T: _F(T).nll_loss(T.ones(()), T.zeros((), dtype=T.int64)),
    "nll 2d input 0d target": lambda T: _F(T).nll_loss(T.ones(3, 5), T.zeros((), dtype=T.int64)),
    "nll bad reduction int16 target": lambda T: _F(T).nll_loss(
        T.ones(3, 5), _ones(T, 3, dtype="int16"), reduction="foo"),
    # integer / bool scores: log_softmax's kernel (named for the last dim or not) ...
    "ce int64 input": lambda T: _F(T).cross_entropy(
        _ones(T, 3, 5, dtype="int64"), T.zeros(3, dtype=T.int64)),
    "ce int64 input 3d": lambda T: _F(T).cross_entropy(
        _ones(T, 3, 5, 2, dtype="int64"), T.zeros(3, 2, dtype=T.int64)),
    "ce bool input unbatched": lambda T: _F(T).cross_entropy(
        _ones(T, 5, dtype="bool"), T.zeros((), dtype=T.int64)),
    "ce int input batch mismatch": lambda T: _F(T).cross_entropy(
        _ones(T, 3, 5, dtype="int64"), T.zeros(4, dtype=T.int64)),
    "ce int input probabilities": lambda T: _F(T).cross_entropy(
        _ones(T, 3, 5, dtype="int64"), T.zeros(3, 5)),
    "ce int input weight requires grad": lambda T: _F(T).cross_entropy(
        _ones(T, 3, 5, dtype="int64"), T.zeros(3, dtype=T.int64),
        weight=T.ones(5, requires_grad=True)),
    # ... and nll_loss's
    "nll int64 input": lambda T: _F(T).nll_loss(
        _ones(T, 3, 5, dtype="int64"), T.zeros(3, dtype=T.int64)),
    "nll int64 input 4d": lambda T: _F(T).nll_loss(
        _ones(T, 3, 5, 2, 2, dtype="int64"), T.zeros(3, 2, 2, dtype=T.int64)),
    "nll int input out-of-range target": lambda T: _F(T).nll_loss(
        _ones(T, 3, 5, dtype="int64"), T.full((3,), 7, dtype=T.int64)),
    # a target of the input's shape is class probabilities, whatever its dtype
    "ce probabilities int64": lambda T: _F(T).cross_entropy(
        T.ones(3, 5), T.zeros(3, 5, dtype=T.int64)),
    "ce probabilities bool": lambda T: _F(T).cross_entropy(
        T.ones(3, 5), T.zeros(3, 5, dtype=T.bool)),
    "ce probabilities int64 unbatched": lambda T: _F(T).cross_entropy(
        T.ones(5), T.zeros(5, dtype=T.int64)),
    "ce probabilities int64 ignore_index": lambda T: _F(T).cross_entropy(
        T.ones(3, 5), T.zeros(3, 5, dtype=T.int64), ignore_index=1),
    "ce probabilities 0d": lambda T: _F(T).cross_entropy(T.ones(()), T.zeros(())),
    "ce 0d input": lambda T: _F(T).cross_entropy(T.ones(()), T.zeros(3, dtype=T.int64)),
    "ce label_smoothing 2": lambda T: _F(T).cross_entropy(
        T.ones(3, 5), T.zeros(3, dtype=T.int64), label_smoothing=2.0),
}

_LOSS_CASES_X64 = {
    "ce int32 target": lambda T: _F(T).cross_entropy(T.ones(3, 5), _ones(T, 3, dtype="int32")),
    "nll int32 target": lambda T: _F(T).nll_loss(T.ones(3, 5), _ones(T, 3, dtype="int32")),
    "nll module 4d int32 target": lambda T: T.nn.NLLLoss()(
        T.ones(3, 5, 2, 2), _ones(T, 3, 2, 2, dtype="int32")),
    "ce int32 input": lambda T: _F(T).cross_entropy(
        _ones(T, 3, 5, dtype="int32"), T.zeros(3, dtype=T.uint8)),
    "ce probabilities int32": lambda T: _F(T).cross_entropy(
        T.ones(3, 5), T.zeros(3, 5, dtype=T.int32)),
}


@pytest.mark.parametrize("case", list(_LOSS_CASES.values()), ids=list(_LOSS_CASES))
def test_class_loss_errors(case):
    check_raises(case)


@pytest.mark.parametrize("case", list(_LOSS_CASES_X64.values()), ids=list(_LOSS_CASES_X64))
def test_class_loss_errors_x64(x64, case):
    check_raises(case)


def test_negative_label_smoothing_is_no_smoothing_as_in_torch():
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    t = np.array([0, 2, 4])
    want = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t),
                                             label_smoothing=-0.5)
    got = fl.nn.functional.cross_entropy(fl.tensor(x), fl.tensor(t), label_smoothing=-0.5)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-6)


# ---- 4. non-Tensor arguments ----------------------------------------------------------

_NON_TENSOR_CASES = {
    "F.linear numpy": lambda T: _F(T).linear(_A, T.ones(4, 3)),
    "F.linear list": lambda T: _F(T).linear([[1.0, 2.0, 3.0]], T.ones(4, 3)),
    "F.linear None": lambda T: _F(T).linear(None, T.ones(4, 3)),
    "F.linear numpy weight": lambda T: _F(T).linear(T.ones(2, 3), np.ones((4, 3), np.float32)),
    "F.linear float bias": lambda T: _F(T).linear(T.ones(2, 3), T.ones(4, 3), 1.0),
    "Linear numpy": lambda T: _module(T, "Linear", 3, 4)(_A),
    "Linear list": lambda T: _module(T, "Linear", 3, 4)([[1.0, 2.0, 3.0]]),
    "Sequential numpy": lambda T: T.nn.Sequential(_module(T, "Linear", 3, 4))(_A),
    "Bilinear numpy": lambda T: _module(T, "Bilinear", 3, 3, 2)(_A, _A),
    "F.relu numpy": lambda T: _F(T).relu(_A),
    "F.relu inplace numpy": lambda T: _F(T).relu(_A, inplace=True),
    "F.gelu numpy": lambda T: _F(T).gelu(_A),
    "F.logsigmoid numpy": lambda T: _F(T).logsigmoid(_A),
    "F.hardswish inplace numpy": lambda T: _F(T).hardswish(_A, inplace=True),
    "F.sigmoid numpy": lambda T: _F(T).sigmoid(_A),
    "F.tanh list": lambda T: _F(T).tanh([1.0]),
    "F.softsign numpy": lambda T: _F(T).softsign(_A),
    "F.softmax numpy": lambda T: _F(T).softmax(_A, dim=1),
    "F.log_softmax numpy implicit dim": lambda T: _F(T).log_softmax(_A),
    "ReLU numpy": lambda T: _module(T, "ReLU")(_A),
    "ReLU6 numpy": lambda T: _module(T, "ReLU6")(_A),
    "Sigmoid numpy": lambda T: _module(T, "Sigmoid")(_A),
    "Tanh numpy": lambda T: _module(T, "Tanh")(_A),
    "PReLU numpy": lambda T: _module(T, "PReLU")(_A),
    "Softmax numpy": lambda T: _module(T, "Softmax", 1)(_A),
    "Dropout numpy": lambda T: _module(T, "Dropout")(_A),
    "Dropout eval numpy": lambda T: _module(T, "Dropout").eval()(_A),
    "F.dropout bad p numpy": lambda T: _F(T).dropout(_A, p=2.0),
    "Dropout2d numpy": lambda T: _module(T, "Dropout2d")(_A),
    "Embedding numpy": lambda T: _module(T, "Embedding", 3, 2)(np.array([1])),
    "Embedding list": lambda T: _module(T, "Embedding", 3, 2)([1]),
    "F.embedding numpy weight": lambda T: _F(T).embedding(
        T.tensor([1]), np.ones((3, 2), np.float32)),
    "LayerNorm numpy": lambda T: _module(T, "LayerNorm", 3)(_A),
    "F.layer_norm numpy weight": lambda T: _F(T).layer_norm(
        T.ones(2, 3), (3,), np.ones(3, np.float32)),
    "GroupNorm numpy": lambda T: _module(T, "GroupNorm", 1, 3)(_A),
    "BatchNorm1d numpy": lambda T: _module(T, "BatchNorm1d", 3)(_A),
    "F.batch_norm numpy": lambda T: _F(T).batch_norm(_A, T.zeros(3), T.ones(3)),
    "MaxPool2d numpy": lambda T: _module(T, "MaxPool2d", 2)(np.ones((1, 1, 4, 4), np.float32)),
    "F.max_pool1d indices numpy": lambda T: _F(T).max_pool1d(_A, 2, return_indices=True),
    "AvgPool1d numpy": lambda T: _module(T, "AvgPool1d", 2)(_A),
    "Conv2d numpy": lambda T: _module(T, "Conv2d", 1, 1, 3)(_A4),
    "Conv2d no bias numpy": lambda T: _module(T, "Conv2d", 1, 1, 3, bias=False)(_A4),
    "Conv2d same padding numpy": lambda T: _module(T, "Conv2d", 1, 1, 3, padding="same")(_A4),
    "Conv2d reflect padding numpy": lambda T: _module(
        T, "Conv2d", 1, 1, 3, padding=1, padding_mode="reflect")(_A4),
    "Conv3d list": lambda T: _module(T, "Conv3d", 1, 1, 1)([1.0]),
    "F.conv2d numpy": lambda T: _F(T).conv2d(_A4, T.ones(1, 1, 3, 3)),
    "F.conv1d numpy weight": lambda T: _F(T).conv1d(T.ones(1, 1, 4), _A4[0]),
    "ConvTranspose1d numpy": lambda T: _module(T, "ConvTranspose1d", 1, 1, 3)(
        np.ones((1, 1, 4), np.float32)),
    "F.conv_transpose2d numpy weight": lambda T: _F(T).conv_transpose2d(
        T.ones(1, 1, 4, 4), np.ones((1, 1, 3, 3), np.float32)),
    "CrossEntropyLoss numpy": lambda T: T.nn.CrossEntropyLoss()(_A, T.zeros(2, dtype=T.int64)),
    "F.cross_entropy list target": lambda T: _F(T).cross_entropy(T.ones(2, 3), [0, 1]),
    "F.nll_loss numpy": lambda T: _F(T).nll_loss(_A, T.zeros(2, dtype=T.int64)),
    "F.pad list": lambda T: _F(T).pad([1.0], (1, 1)),
    "F.one_hot numpy": lambda T: _F(T).one_hot(np.array([1])),
    "F.sdpa numpy key": lambda T: _F(T).scaled_dot_product_attention(T.ones(2, 3), _A, _A),
}


@pytest.mark.parametrize("case", list(_NON_TENSOR_CASES.values()), ids=list(_NON_TENSOR_CASES))
def test_non_tensor_arguments(case):
    check_raises(case)


# ---- 5. linear's ranks ----------------------------------------------------------------

_LINEAR_RANK_CASES = {
    "Linear 0d input": lambda T: _module(T, "Linear", 10, 5)(T.tensor(1.0)),
    "Linear 0d int input": lambda T: _module(T, "Linear", 10, 5)(T.tensor(1)),
    "Linear no bias 0d input": lambda T: _module(T, "Linear", 10, 5, bias=False)(T.tensor(1.0)),
    "F.linear 0d weight": lambda T: _F(T).linear(T.ones(10), T.tensor(1.0)),
    "F.linear 3d weight": lambda T: _F(T).linear(T.ones(3, 10), T.ones(2, 5, 10)),
    "F.linear 1d weight with bias": lambda T: _F(T).linear(T.ones(3, 10), T.ones(10), T.ones(1)),
}


@pytest.mark.parametrize("case", list(_LINEAR_RANK_CASES.values()),
                         ids=list(_LINEAR_RANK_CASES))
def test_linear_rank_errors(case):
    check_raises(case)


# ---- 6. negative sizes ----------------------------------------------------------------

_NEGATIVE_SIZE_CASES = {
    "Linear(-1, 2)": lambda T: T.nn.Linear(-1, 2),
    "Linear(2, -1)": lambda T: T.nn.Linear(2, -1),
    "Linear(-1, -2)": lambda T: T.nn.Linear(-1, -2),
    "Bilinear(-1, 2, 3)": lambda T: T.nn.Bilinear(-1, 2, 3),
    "Conv2d(3, -1, 3)": lambda T: T.nn.Conv2d(3, -1, 3),
    "Conv2d(3, 1, (3, -1))": lambda T: T.nn.Conv2d(3, 1, (3, -1)),
    "Conv1d(-3, 1, 3)": lambda T: T.nn.Conv1d(-3, 1, 3),
    "ConvTranspose2d(3, -1, 3)": lambda T: T.nn.ConvTranspose2d(3, -1, 3),
    "Embedding(-1, 3)": lambda T: T.nn.Embedding(-1, 3),
    "BatchNorm1d(-1)": lambda T: T.nn.BatchNorm1d(-1),
    "LayerNorm(-1)": lambda T: T.nn.LayerNorm(-1),
    "GroupNorm(1, -2)": lambda T: T.nn.GroupNorm(1, -2),
    "PReLU(-1)": lambda T: T.nn.PReLU(-1),
    "LSTM(-1, 2)": lambda T: T.nn.LSTM(-1, 2),
    "GRU(2.0, 3)": lambda T: T.nn.GRU(2.0, 3),
    "LSTMCell(-1, 2)": lambda T: T.nn.LSTMCell(-1, 2),
    "RNNCell(2, -1)": lambda T: T.nn.RNNCell(2, -1),
}


@pytest.mark.parametrize("case", list(_NEGATIVE_SIZE_CASES.values()),
                         ids=list(_NEGATIVE_SIZE_CASES))
def test_negative_sizes(case):
    check_raises(case)


# ---- 7. convolutions of mixed dtypes --------------------------------------------------

def _conv_module(T, kind, nd, x_dtype, **kwargs):
    return _module(T, f"{kind}{nd}d", 2, 3, 3, **kwargs)(
        _ones(T, *((1, 2) + (5,) * nd), dtype=x_dtype))


_CONV_DTYPE_CASES = {
    "Conv1d int64 input": lambda T: _conv_module(T, "Conv", 1, "int64"),
    "Conv2d float16 input": lambda T: _conv_module(T, "Conv", 2, "float16"),
    "Conv3d float16 input no bias": lambda T: _conv_module(T, "Conv", 3, "float16", bias=False),
    "Conv2d int64 input no bias": lambda T: _conv_module(T, "Conv", 2, "int64", bias=False),
    "Conv2d bool input no bias": lambda T: _conv_module(T, "Conv", 2, "bool", bias=False),
    "Conv3d bool input no bias": lambda T: _conv_module(T, "Conv", 3, "bool", bias=False),
    "Conv2d bfloat16 input no bias": lambda T: _conv_module(T, "Conv", 2, "bfloat16",
                                                            bias=False),
    "Conv2d unbatched float16": lambda T: _module(T, "Conv2d", 2, 3, 3)(
        _ones(T, 2, 5, 5, dtype="float16")),
    "Conv2d half module": lambda T: _module(T, "Conv2d", 2, 3, 3).half()(T.ones(1, 2, 5, 5)),
    # (the bias check comes first: before the input's rank and the channels)
    "Conv2d int64 2d input": lambda T: _module(T, "Conv2d", 2, 3, 3)(
        _ones(T, 5, 5, dtype="int64")),
    "Conv2d int64 wrong channels": lambda T: _module(T, "Conv2d", 2, 3, 3)(
        _ones(T, 1, 4, 5, 5, dtype="int64")),
    "Conv2d reflect padding int64": lambda T: _module(
        T, "Conv2d", 2, 3, 3, padding=1, padding_mode="reflect")(
        _ones(T, 1, 2, 5, 5, dtype="int64")),
    "Conv2d same padding float16": lambda T: _module(T, "Conv2d", 2, 3, 3, padding="same")(
        _ones(T, 1, 2, 5, 5, dtype="float16")),
    "F.conv2d float16 bias": lambda T: _F(T).conv2d(
        T.ones(1, 2, 5, 5), T.ones(3, 2, 3, 3), _ones(T, 3, dtype="float16")),
    "F.conv2d int64 wrong channels no bias": lambda T: _F(T).conv2d(
        _ones(T, 1, 2, 4, 4, dtype="int64"), T.ones(1, 1, 3, 3)),
    "ConvTranspose1d int64 input": lambda T: _conv_module(T, "ConvTranspose", 1, "int64"),
    "ConvTranspose2d float16 input": lambda T: _conv_module(T, "ConvTranspose", 2, "float16"),
    "ConvTranspose2d bool input": lambda T: _conv_module(T, "ConvTranspose", 2, "bool"),
    "ConvTranspose3d int8 input": lambda T: _conv_module(T, "ConvTranspose", 3, "int8"),
    "ConvTranspose3d bfloat16 input": lambda T: _conv_module(T, "ConvTranspose", 3, "bfloat16"),
    "ConvTranspose2d half module": lambda T: _module(T, "ConvTranspose2d", 2, 3, 3).half()(
        T.ones(1, 2, 5, 5)),
}

_CONV_DTYPE_CASES_X64 = {
    "Conv2d float64 input": lambda T: _conv_module(T, "Conv", 2, "float64"),
    "Conv1d int32 input no bias": lambda T: _conv_module(T, "Conv", 1, "int32", bias=False),
    "Conv3d double module": lambda T: _module(T, "Conv3d", 2, 3, 3).double()(
        T.ones(1, 2, 5, 5, 5)),
    "F.conv2d float64 weight": lambda T: _F(T).conv2d(
        T.ones(1, 2, 5, 5), _ones(T, 3, 2, 3, 3, dtype="float64"), T.ones(3)),
    "ConvTranspose1d int32 input": lambda T: _conv_module(T, "ConvTranspose", 1, "int32"),
    "ConvTranspose3d float64 input": lambda T: _conv_module(T, "ConvTranspose", 3, "float64"),
    "F.conv_transpose3d float64 bias": lambda T: _F(T).conv_transpose3d(
        T.ones(1, 2, 4, 4, 4), T.ones(2, 3, 3, 3, 3), _ones(T, 3, dtype="float64")),
}


@pytest.mark.parametrize("case", list(_CONV_DTYPE_CASES.values()), ids=list(_CONV_DTYPE_CASES))
def test_conv_dtype_errors(case):
    check_raises(case)


@pytest.mark.parametrize("case", list(_CONV_DTYPE_CASES_X64.values()),
                         ids=list(_CONV_DTYPE_CASES_X64))
def test_conv_dtype_errors_x64(x64, case):
    check_raises(case)


# ---- 8. recurrent layers of mixed dtypes ----------------------------------------------

_RNN_DTYPE_CASES = {
    "RNN float16 input": lambda T: _module(T, "RNN", 3, 4)(_ones(T, 2, 1, 3, dtype="float16")),
    "LSTM float16 unbatched": lambda T: _module(T, "LSTM", 3, 4)(_ones(T, 2, 3, dtype="float16")),
    "GRU float16 batch_first": lambda T: _module(T, "GRU", 3, 4, batch_first=True)(
        _ones(T, 1, 2, 3, dtype="float16")),
    "LSTM bfloat16 proj": lambda T: _module(T, "LSTM", 3, 4, proj_size=2)(
        _ones(T, 2, 1, 3, dtype="bfloat16")),
    "GRU bool input": lambda T: _module(T, "GRU", 3, 4)(_ones(T, 2, 1, 3, dtype="bool")),
    "RNN half module": lambda T: _module(T, "RNN", 3, 4).half()(T.ones(2, 1, 3)),
    "LSTM float16 wrong size": lambda T: _module(T, "LSTM", 3, 4)(
        _ones(T, 2, 1, 5, dtype="float16")),
    "RNN 1d input": lambda T: _module(T, "RNN", 3, 4)(T.ones(3)),
    "GRU float16 h0": lambda T: _module(T, "GRU", 3, 4)(
        T.ones(2, 1, 3), _ones(T, 1, 1, 4, dtype="float16")),
    "RNN float16 h0 no bias": lambda T: _module(T, "RNN", 3, 4, bias=False)(
        T.ones(2, 1, 3), _ones(T, 1, 1, 4, dtype="float16")),
    "LSTM packed float16": lambda T: _module(T, "LSTM", 3, 4)(
        T.nn.utils.rnn.pack_padded_sequence(_ones(T, 2, 1, 3, dtype="float16"), [2])),
    "RNNCell float16 input": lambda T: _module(T, "RNNCell", 3, 4)(
        _ones(T, 2, 3, dtype="float16")),
    "LSTMCell int64 input no bias": lambda T: _module(T, "LSTMCell", 3, 4, bias=False)(
        _ones(T, 2, 3, dtype="int64")),
    "GRUCell float16 hidden": lambda T: _module(T, "GRUCell", 3, 4)(
        T.ones(2, 3), _ones(T, 2, 4, dtype="float16")),
    "RNNCell float16 wrong size": lambda T: _module(T, "RNNCell", 3, 4)(
        _ones(T, 2, 5, dtype="float16")),
}

_RNN_DTYPE_CASES_X64 = {
    "LSTM float64 input": lambda T: _module(T, "LSTM", 3, 4)(_ones(T, 2, 1, 3, dtype="float64")),
    "GRU double module": lambda T: _module(T, "GRU", 3, 4).double()(T.ones(2, 1, 3)),
    "RNN int32 input": lambda T: _module(T, "RNN", 3, 4)(_ones(T, 2, 1, 3, dtype="int32")),
    "LSTMCell float64 input": lambda T: _module(T, "LSTMCell", 3, 4)(
        _ones(T, 2, 3, dtype="float64")),
}


@pytest.mark.parametrize("case", list(_RNN_DTYPE_CASES.values()), ids=list(_RNN_DTYPE_CASES))
def test_rnn_dtype_errors(case):
    check_raises(case)


@pytest.mark.parametrize("case", list(_RNN_DTYPE_CASES_X64.values()),
                         ids=list(_RNN_DTYPE_CASES_X64))
def test_rnn_dtype_errors_x64(x64, case):
    check_raises(case)


# ---- 9. convolution weights of the wrong rank ----------------------------------------

_CONV_RANK_CASES = {
    "conv2d 3d weight": lambda T: _F(T).conv2d(T.ones(1, 1, 4, 4), T.ones(1, 1, 3)),
    "conv2d 5d weight": lambda T: _F(T).conv2d(T.ones(1, 1, 4, 4), T.ones(1, 1, 3, 3, 3)),
    "conv2d 3d weight stride (2, 1)": lambda T: _F(T).conv2d(
        T.ones(1, 1, 4, 4), T.ones(1, 1, 3), stride=(2, 1)),
    "conv2d 3d weight unbatched": lambda T: _F(T).conv2d(T.ones(1, 4, 4), T.ones(1, 1, 3)),
    "conv2d 3d weight same padding": lambda T: _F(T).conv2d(
        T.ones(1, 1, 4, 4), T.ones(1, 1, 3), padding="same"),
    "conv2d 2d weight": lambda T: _F(T).conv2d(T.ones(1, 1, 4, 4), T.ones(1, 1)),
    "conv2d 3 strides": lambda T: _F(T).conv2d(
        T.ones(1, 1, 4, 4), T.ones(1, 1, 3, 3), stride=(1, 1, 1)),
    "conv3d 4d weight": lambda T: _F(T).conv3d(T.ones(1, 1, 4, 4, 4), T.ones(1, 1, 3, 3)),
    "conv1d 4d weight": lambda T: _F(T).conv1d(T.ones(1, 1, 4), T.ones(1, 1, 3, 3)),
    "conv_transpose2d 3d weight": lambda T: _F(T).conv_transpose2d(
        T.ones(1, 1, 4, 4), T.ones(1, 1, 3)),
    "conv_transpose1d 4d weight": lambda T: _F(T).conv_transpose1d(
        T.ones(1, 1, 4), T.ones(1, 1, 3, 3)),
}


@pytest.mark.parametrize("case", list(_CONV_RANK_CASES.values()), ids=list(_CONV_RANK_CASES))
def test_conv_weight_rank_errors(case):
    check_raises(case)


def test_conv2d_single_stride_in_a_list_stretches_as_in_torch():
    x, w = np.ones((1, 1, 5, 5), np.float32), np.ones((1, 1, 3, 3), np.float32)
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), stride=(2,))
    got = fl.nn.functional.conv2d(fl.tensor(x), fl.tensor(w), stride=(2,))
    np.testing.assert_allclose(got.numpy(), want.numpy())


# ---- 10. regression losses warn about the sizes before they fail to broadcast ----------

@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_size_warning_comes_before_the_broadcast_error(name, dtype):
    def call(T):
        with pytest.warns(UserWarning) as record:
            with pytest.raises(RuntimeError) as error:
                getattr(_F(T), name)(_ones(T, 3, dtype=dtype), _ones(T, 4, dtype=dtype))
        return [str(w.message) for w in record], str(error.value)
    assert call(fl) == call(torch)


_REGRESSION_CASES = {
    "smooth_l1 negative beta 3 vs 4": lambda T: _F(T).smooth_l1_loss(
        T.ones(3), T.ones(4), beta=-1.0),
    "huber negative delta 3 vs 4": lambda T: _F(T).huber_loss(T.ones(3), T.ones(4), delta=-1.0),
    "l1_loss int64 mean": lambda T: _F(T).l1_loss(_ones(T, 3, dtype="int64"),
                                                  _ones(T, 3, dtype="int64")),
}


@pytest.mark.filterwarnings("ignore:Using a target size:UserWarning")
@pytest.mark.parametrize("case", list(_REGRESSION_CASES.values()), ids=list(_REGRESSION_CASES))
def test_regression_loss_errors(case):
    check_raises(case)


# ---- 11. load_state_dict of a non-tensor ----------------------------------------------

@pytest.mark.parametrize("value", [[1.0, 2.0], 3.0, None, (1.0, 2.0)],
                         ids=["list", "float", "None", "tuple"])
def test_load_state_dict_refuses_non_tensors(value):
    def load(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = T.nn.Linear(2, 2)
        net = Net()
        state = net.state_dict()
        state["fc.bias"] = value
        state["fc.weight"] = T.ones(3, 3)       # (listed before it, as torch's)
        net.load_state_dict(state)
    check_raises(load)


def test_load_state_dict_still_takes_numpy_arrays():
    # (a documented extension: torch refuses a numpy array here)
    net = fl.nn.Linear(2, 2)
    net.load_state_dict({"weight": np.ones((2, 2), np.float32), "bias": np.zeros(2)})
    np.testing.assert_array_equal(net.weight.detach().numpy(), np.ones((2, 2)))


# ---- 12. attention and bilinear maps of mixed dtypes ---------------------------------

def _mha(T, *shapes, dtypes=("float32",) * 3, **kwargs):
    module = _module(T, "MultiheadAttention", 4, 1, **kwargs)
    return module(*(_ones(T, *s, dtype=d) for s, d in zip(shapes, dtypes)))


_MIXED_CASES = {
    "MHA float16": lambda T: _mha(T, (2, 1, 4), (2, 1, 4), (2, 1, 4),
                                  dtypes=("float16",) * 3),
    "MHA int64 query": lambda T: _mha(T, (2, 1, 4), (2, 1, 4), (2, 1, 4),
                                      dtypes=("int64", "float32", "float32")),
    "MHA float16 value only": lambda T: _mha(T, (2, 1, 4), (2, 1, 4), (2, 1, 4),
                                             dtypes=("float32", "float32", "float16")),
    "MHA no bias float16": lambda T: _mha(T, (2, 1, 4), (2, 1, 4), (2, 1, 4),
                                          dtypes=("float16",) * 3, bias=False),
    "MHA kdim float16 key": lambda T: _mha(T, (2, 1, 4), (2, 1, 3), (2, 1, 3), kdim=3, vdim=3,
                                           dtypes=("float32", "float16", "float32")),
    "MHA half module": lambda T: _module(T, "MultiheadAttention", 4, 1).half()(
        T.ones(2, 1, 4), T.ones(2, 1, 4), T.ones(2, 1, 4)),
    "Bilinear float16": lambda T: _module(T, "Bilinear", 3, 3, 2)(
        _ones(T, 2, 3, dtype="float16"), _ones(T, 2, 3, dtype="float16")),
    "Bilinear int64 input2 no bias": lambda T: _module(T, "Bilinear", 3, 3, 2, bias=False)(
        T.ones(2, 3), _ones(T, 2, 3, dtype="int64")),
    "F.bilinear float16 bias": lambda T: _F(T).bilinear(
        T.ones(2, 3), T.ones(2, 3), T.ones(2, 3, 3), _ones(T, 2, dtype="float16")),
}

_MIXED_CASES_X64 = {
    "MHA float64": lambda T: _mha(T, (2, 1, 4), (2, 1, 4), (2, 1, 4),
                                  dtypes=("float64",) * 3),
    "MHA float64 key only": lambda T: _mha(T, (2, 1, 4), (2, 1, 4), (2, 1, 4),
                                           dtypes=("float32", "float64", "float32")),
    "MHA float64 batch_first": lambda T: _mha(T, (1, 2, 4), (1, 2, 4), (1, 2, 4),
                                              dtypes=("float64",) * 3, batch_first=True),
    "MHA float64 unbatched": lambda T: _mha(T, (2, 4), (2, 4), (2, 4),
                                            dtypes=("float64",) * 3),
    "MHA double module": lambda T: _module(T, "MultiheadAttention", 4, 1).double()(
        T.ones(2, 1, 4), T.ones(2, 1, 4), T.ones(2, 1, 4)),
    "Bilinear float64": lambda T: _module(T, "Bilinear", 3, 3, 2)(
        _ones(T, 2, 3, dtype="float64"), _ones(T, 2, 3, dtype="float64")),
    "F.bilinear float64 weight": lambda T: _F(T).bilinear(
        T.ones(2, 3), T.ones(2, 3), _ones(T, 2, 3, 3, dtype="float64")),
}


@pytest.mark.parametrize("case", list(_MIXED_CASES.values()), ids=list(_MIXED_CASES))
def test_mixed_dtype_attention_and_bilinear(case):
    check_raises(case)


@pytest.mark.parametrize("case", list(_MIXED_CASES_X64.values()), ids=list(_MIXED_CASES_X64))
def test_mixed_dtype_attention_and_bilinear_x64(x64, case):
    check_raises(case)


def test_attention_in_proj_bias_has_the_weights_dtype_under_x64(x64):
    module = fl.nn.MultiheadAttention(4, 1)
    assert {str(v.dtype) for v in module.state_dict().values()} == {"torch.float32"}
