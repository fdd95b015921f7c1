"""RNN, LSTM, GRU: PyTorch's recurrent modules over functorch_like.pure._rnn."""

from __future__ import annotations

import warnings

import jax.numpy as jnp
import numpy as np

from ... import _autocast_state, _random
from ..._tensor import Tensor, apply
from ...pure import _rnn
from .._functional_conv import check_linear_dtypes
from ..utils import rnn as rnn_utils
from ._init_helpers import assign_params, fresh_key
from .module import Module


def _f_rnn(x, h0, c0, key, lengths, *weights, mode, names, num_layers, bidirectional,
           dropout):
    params = dict(zip(names, weights))
    out = _rnn.rnn(x, params, h0, c0, mode=mode, num_layers=num_layers,
                   bidirectional=bidirectional, dropout=dropout, key=key, lengths=lengths)
    if mode == "LSTM":
        return out[0], out[1][0], out[1][1]
    return out


def _f_rnn_lower(*args, **kwargs):
    """_f_rnn for the layers on CPU autocast's lower-precision list (torch's oneDNN LSTM,
    mkldnn_rnn_layer, and the RNN whose cells run as linear): their floating inputs,
    weights and states go to the autocast dtype (GRU and a projecting LSTM stay float32,
    as torch's; amp/autocast_mode)."""
    return _f_rnn(*args, **kwargs)


class RNNBase(Module):
    """The shared machinery: parameters named and shaped as PyTorch's, (batch_first,
    unbatched) input layouts, the initial state check, dropout between layers."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__()
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, "
                          "so non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(size, int):
                raise TypeError(f"{name} should be of type int, got: {type(size).__name__}")
            if size <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        self._factory = (dtype, device)
        self._names = _rnn.param_names(num_layers, bidirectional, bias, proj_size > 0)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        arrays = _rnn.rnn_init(self.mode, self.input_size, self.hidden_size, self.num_layers,
                               self.bias, self.bidirectional, self.proj_size,
                               key=fresh_key())
        assign_params(self, arrays, *self._factory)

    def flatten_parameters(self) -> None:
        """PyTorch re-packs the weights for cuDNN here; JAX's programs take them as they
        are, so there is nothing to do (as in torch without cuDNN)."""

    @property
    def _all_weights(self) -> list[list[str]]:
        """The parameter names per layer and direction, as torch's."""
        per = len(self._names) // (self.num_layers * (2 if self.bidirectional else 1))
        return [self._names[i:i + per] for i in range(0, len(self._names), per)]

    @property
    def all_weights(self) -> list[list]:
        """The parameters per layer and direction, as torch's."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights_names(self) -> list:
        """torch's names of the weights in order: per layer and direction weight_ih,
        weight_hh, bias_ih, bias_hh (with bias), weight_hr (with proj_size)."""
        return [n for n in self._parameters if n.startswith(("weight_", "bias_"))]

    @property
    def _flat_weights(self) -> list:
        return [self._parameters[n] for n in self._flat_weights_names]

    @property
    def _all_weights(self) -> list:
        """The weights' names grouped per layer and direction, as torch's."""
        groups: dict = {}
        for n in self._flat_weights_names:
            groups.setdefault(n[n.rindex("_l"):], []).append(n)
        return list(groups.values())

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _state_shape(self, batch: int, cell: bool = False) -> tuple:
        """(D * num_layers, N, features): the cell state has hidden_size features, the
        hidden state proj_size when the LSTM projects."""
        features = self.hidden_size if cell else (self.proj_size or self.hidden_size)
        return ((2 if self.bidirectional else 1) * self.num_layers, batch, features)

    def _check_state(self, state: Tensor, batch: int, what: str, cell: bool = False) -> None:
        expected = self._state_shape(batch, cell)
        if tuple(state.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(state.shape)}")

    def _recur(self, input: Tensor, hx, cx, lengths=None):
        """Time-major input (L, N, H_in) -> (output, h_n, c_n or None), after PyTorch's
        checks of the feature size and the states' shapes."""
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        batch = input.shape[1]
        if hx is not None:
            self._check_state(hx, batch, "hidden[0]" if self.mode == "LSTM" else "hidden")
        if cx is not None:
            self._check_state(cx, batch, "hidden[1]", cell=True)
        if hx is not None and self.mode != "LSTM":
            # (PyTorch's kernel maps the state with linear; its LSTM goes to oneDNN, whose
            # errors are its own)
            check_linear_dtypes(hx, self.weight_hh_l0, getattr(self, "bias_hh_l0", None))
        elif any(s is not None and s.dtype != input.dtype for s in (hx, cx)):
            raise RuntimeError("get_mkldnn_dtype: unsupported data type")
        use_dropout = self.training and self.dropout > 0 and self.num_layers > 1
        key = _random.next_key() if use_dropout else None
        fn = _f_rnn if self.mode == "GRU" or self.proj_size else _f_rnn_lower
        outs = apply(fn, "RnnBackward0", input, hx, cx, key, lengths,
                     *[getattr(self, n) for n in self._names], mode=self.mode,
                     names=tuple(self._names), num_layers=self.num_layers,
                     bidirectional=self.bidirectional,
                     dropout=self.dropout if use_dropout else 0.0)
        return outs[0], outs[1], (outs[2] if self.mode == "LSTM" else None)

    def _check_input_dtype(self, input: Tensor) -> None:
        """PyTorch's check_input: the input's dtype must be the weights' (outside autocast,
        which casts them)."""
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype and _autocast_state.cast is None:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")

    def _run_packed(self, input, hx, cx):
        """A PackedSequence through the layers: each sequence's final states are taken at
        its own last step; hx, cx and the returned states are in the caller's batch order
        (PyTorch permutes them by sorted_indices / unsorted_indices)."""
        # (PyTorch checks no dtypes for packed input: its kernel's linear raises)
        check_linear_dtypes(input.data, self.weight_ih_l0, getattr(self, "bias_ih_l0", None))
        batch_sizes = rnn_utils.concrete_ints(input.batch_sizes, "batch_sizes")
        order, restore = input.sorted_indices, input.unsorted_indices
        if order is not None:
            hx = None if hx is None else hx.index_select(1, order)
            cx = None if cx is None else cx.index_select(1, order)
        padded = rnn_utils.unpack_time_major(input.data, batch_sizes, len(batch_sizes))
        lengths = rnn_utils.lengths_of(batch_sizes).astype(np.int32)
        output, h_n, c_n = self._recur(padded, hx, cx, jnp.asarray(lengths))
        output = rnn_utils.PackedSequence(rnn_utils.pack_time_major(output, batch_sizes),
                                          input.batch_sizes, order, restore)
        if restore is not None:
            h_n = h_n.index_select(1, restore)
            c_n = None if c_n is None else c_n.index_select(1, restore)
        return output, h_n, c_n

    def _run(self, input: Tensor, hx, cx):
        """input in any accepted layout -> (output, h_n, c_n or None) in the same layout."""
        if isinstance(input, rnn_utils.PackedSequence):
            return self._run_packed(input, hx, cx)
        name = type(self).__name__
        if input.dim() not in (2, 3):
            # (only RNN's text says "tensor")
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             f"{'tensor ' if self.mode.startswith('RNN') else ''}instead")
        batched = input.dim() == 3
        states = [s for s in (hx, cx) if s is not None]
        want = 3 if batched else 2
        if len(states) == 2 and any(s.dim() != want for s in states):     # (LSTM's pair)
            raise RuntimeError(
                f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, hx and cx should "
                f"also be {want}-D but got ({hx.dim()}-D, {cx.dim()}-D) tensors")
        if not batched:
            for s in states:
                if s.dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but "
                                       f"got {s.dim()}-D tensor")
            input = input.unsqueeze(1)
            hx = None if hx is None else hx.unsqueeze(1)
            cx = None if cx is None else cx.unsqueeze(1)
        else:
            for s in states:
                if s.dim() != 3:
                    raise RuntimeError("For batched 3-D input, hx should also be 3-D but "
                                       f"got {s.dim()}-D tensor")
            if self.batch_first:
                input = input.transpose(0, 1)
        self._check_input_dtype(input)
        if input.shape[0] == 0:     # (before: an empty output and the initial state)
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        output, h_n, c_n = self._recur(input, hx, cx)
        if not batched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
            c_n = None if c_n is None else c_n.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, h_n, c_n


def _refuse_proj_size(kwargs: dict) -> None:
    """RNN/GRU take no proj_size (torch refuses it, whatever its value) nor other extra
    keywords."""
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        raise TypeError(f"RNNBase.__init__() got an unexpected keyword argument "
                        f"'{next(iter(kwargs))}'")


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
    Input (L, N, H_in), (N, L, H_in) with batch_first, or unbatched (L, H_in)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None,
                 **kwargs):
        _refuse_proj_size(kwargs)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def forward(self, input, hx=None):
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


class LSTM(RNNBase):
    """LSTM with PyTorch's gates (i, f, g, o): c_t = f c_{t-1} + i g, h_t = o tanh(c_t),
    and with proj_size P > 0, h_t = (o tanh(c_t)) W_hr^T (P features; c_t keeps
    hidden_size). forward(input, (h_0, c_0)) -> (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        # (hx[0], hx[1] as torch's forward reads them: a 1-tuple or a bare tensor of one
        # row is torch's IndexError, a bare tensor's rows are checked as h0 and c0)
        h0, c0 = (None, None) if hx is None else (hx[0], hx[1])
        if isinstance(hx, (tuple, list)) and len(hx) != 2:
            raise RuntimeError("lstm expects two hidden states")
        for state in (h0, c0) if hx is not None else ():
            if not isinstance(state, Tensor):       # (torch reads state.dim())
                raise AttributeError(f"'{type(state).__name__}' object has no attribute "
                                     "'dim'")
        if isinstance(hx, Tensor) and hx.dim() == 1 + (
                3 if not isinstance(input, Tensor) or input.dim() == 3 else 2):
            # (a stacked pair whose rows pass torch's checks of h0 and c0, which its
            # binding then refuses; other bare tensors fail those checks, in _run)
            raise TypeError("lstm() received an invalid combination of arguments - got "
                            "(Tensor, Tensor, list, bool, int, float, bool, bool, bool), but "
                            "expected (Tensor data, Tensor batch_sizes, tuple of Tensors hx, "
                            "...) or (Tensor input, tuple of Tensors hx, ...)")
        output, h_n, c_n = self._run(input, h0, c0)
        return output, (h_n, c_n)


class GRU(RNNBase):
    """GRU with PyTorch's gates (r, z, n): n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h_t = (1 - z) n + z h_{t-1}."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None, **kwargs):
        _refuse_proj_size(kwargs)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n
