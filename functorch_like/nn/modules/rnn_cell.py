"""RNNCell, LSTMCell, GRUCell: one recurrent step, over functorch_like.pure._rnn.rnn_cell."""

from __future__ import annotations

from ... import _factories
from ..._tensor import Tensor, apply
from ...pure import _rnn
from .._functional_conv import check_linear_dtypes
from ._init_helpers import assign_params, fresh_key
from .module import Module

# PyTorch's grad_fn of each cell's output (its last op).
_GRAD_FN = {"RNN_TANH": "TanhBackward0", "RNN_RELU": "ReluBackward0", "GRU": "AddBackward0"}


def _f_cell(x, hx, cx, w_ih, w_hh, b_ih, b_hh, *, mode):
    return _rnn.rnn_cell(x, hx, cx, w_ih, w_hh, b_ih, b_hh, mode=mode)


class RNNCellBase(Module):
    """Parameters weight_ih (G*H, in), weight_hh (G*H, H), bias_ih and bias_hh (G*H,),
    G gates, all U(-1/sqrt(H), 1/sqrt(H)) as PyTorch's."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self._factory = (dtype, device)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            self.register_parameter(name, None)       # PyTorch's order; arrays below
        self.reset_parameters()

    def reset_parameters(self) -> None:
        arrays = _rnn.rnn_cell_init(self._mode, self.input_size, self.hidden_size,
                                    self.bias, key=fresh_key())
        assign_params(self, arrays, *self._factory)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _check(self, input: Tensor, states) -> None:
        """PyTorch's checks of the (batched) input and states, with its messages."""
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for i, s in enumerate(states):
            if input.shape[0] != s.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{i} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got "
                                   f"{s.shape[1]}, expected {self.hidden_size}")

    def _step(self, input: Tensor, states: tuple, what: tuple):
        """Checks dims, adds the batch dim of unbatched (1-D) input, runs the cell."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        for s, w in zip(states, what):
            if s is not None and s.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {w} to be 1D or 2D, got {s.dim()}D "
                                 "instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if states[0] is None:
            zeros = _factories.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
            states = (zeros,) * len(states)
        elif not batched:
            states = tuple(s.unsqueeze(0) for s in states)
        self._check(input, states)
        hx, cx = states[0], (states[1] if len(states) > 1 else None)
        # (PyTorch's cell maps input and state with linear, and raises linear's errors)
        check_linear_dtypes(input, self.weight_ih, self.bias_ih)
        check_linear_dtypes(hx, self.weight_hh, self.bias_hh)
        out = apply(_f_cell, _GRAD_FN.get(self._mode, "MulBackward0"), input, hx, cx,
                    self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                    mode=self._mode)
        if batched:
            return out
        return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). Input (N, H_in) or (H_in,),
    hx (N, H) or (H,), zeros if None; returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None):
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)

    @property
    def _mode(self) -> str:
        return {"tanh": "RNN_TANH", "relu": "RNN_RELU"}.get(self.nonlinearity, "RNN_TANH")

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            # PyTorch accepts any name at construction and fails at the first call.
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._step(input, (hx,), ("hidden",))


class LSTMCell(RNNCellBase):
    """PyTorch's LSTM step, gates (i, f, g, o): c' = f c + i g, h' = o tanh(c').
    forward(input, (h, c) or None) -> (h', c')."""

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        if isinstance(hx, Tensor):
            raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of "
                            "Tensors, not Tensor")
        states = (None, None) if hx is None else tuple(hx)
        if len(states) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
        return self._step(input, states, ("hx[0]", "hx[1]"))


class GRUCell(RNNCellBase):
    """PyTorch's GRU step, gates (r, z, n): n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h' = (1 - z) n + z h. forward(input, hx or None) -> h'."""

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, (hx,), ("hidden",))
