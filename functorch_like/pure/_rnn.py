"""Recurrent layers (Elman RNN, LSTM, GRU) with PyTorch's parameter names, gate order and
equations, as init/apply pairs; time steps run in `jax.lax.scan`.

Parameters per layer l and direction ("" or "_reverse"): weight_ih_l{l} (G*H, in),
weight_hh_l{l} (G*H, H), bias_ih_l{l} (G*H,), bias_hh_l{l} (G*H,), with G = 1 (RNN),
4 (LSTM: gates i, f, g, o) or 3 (GRU: gates r, z, n), exactly torch.nn.RNN/LSTM/GRU's.
An LSTM with projections (proj_size P > 0) also has weight_hr_l{l} (P, H), and its
hidden state (and weight_hh's second dim, and the next layer's input) has P features.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from . import init as _init
from ._activations import relu
from ._dropout import masked as dropout_mask
from ._errors import ShapeError
from ._types import Array, PRNGKey

__all__ = ["rnn_init", "rnn", "rnn_cell_init", "rnn_cell", "GATES"]

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def param_names(num_layers: int, bidirectional: bool, bias: bool,
                proj: bool = False) -> list[str]:
    """The parameter names in PyTorch's order (layer, direction, ih/hh, weight then bias,
    then the projection weight_hr)."""
    names = []
    for layer in range(num_layers):
        for suffix in ("", "_reverse")[:2 if bidirectional else 1]:
            kinds = (("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if bias else ())
                     + (("weight_hr",) if proj else ()))
            names += [f"{k}_l{layer}{suffix}" for k in kinds]
    return names


def rnn_init(mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
             bias: bool = True, bidirectional: bool = False, proj_size: int = 0, *,
             key: PRNGKey, dtype=None) -> dict[str, Array]:
    """PyTorch's default parameters: every one U(-1/sqrt(H), 1/sqrt(H)) (also with
    projections, whose size P does not enter the bound)."""
    g, h = GATES[mode], hidden_size
    out = proj_size or hidden_size          # the hidden state's features
    dirs = 2 if bidirectional else 1
    bound = 1 / math.sqrt(h) if h > 0 else 0.0
    names = param_names(num_layers, bidirectional, bias, proj_size > 0)
    keys = jax.random.split(key, len(names))
    params = {}
    for name, k in zip(names, keys):
        layer = int(name.split("_l")[1].split("_")[0])
        fan_in = input_size if layer == 0 else out * dirs
        shape = {"weight_ih": (g * h, fan_in), "weight_hh": (g * h, out),
                 "weight_hr": (proj_size, h)}.get(name.rsplit("_l", 1)[0], (g * h,))
        params[name] = _init.uniform(shape, -bound, bound, key=k, dtype=dtype)
    return params


def rnn_cell_init(mode: str, input_size: int, hidden_size: int, bias: bool = True, *,
                  key: PRNGKey, dtype=None) -> dict[str, Array]:
    """nn.RNNCell/LSTMCell/GRUCell's parameters: weight_ih (G*H, in), weight_hh (G*H, H),
    bias_ih, bias_hh (G*H,), every one U(-1/sqrt(H), 1/sqrt(H))."""
    g, h = GATES[mode], hidden_size
    bound = 1 / math.sqrt(h) if h > 0 else 0.0
    shapes = {"weight_ih": (g * h, input_size), "weight_hh": (g * h, h)}
    if bias:
        shapes.update(bias_ih=(g * h,), bias_hh=(g * h,))
    keys = jax.random.split(key, len(shapes))
    return {name: _init.uniform(shape, -bound, bound, key=k, dtype=dtype)
            for (name, shape), k in zip(shapes.items(), keys)}


def rnn_cell(x: Array, hx: Array, cx: Array | None, w_ih: Array, w_hh: Array,
             b_ih: Array | None = None, b_hh: Array | None = None, *, mode: str):
    """One time step of nn.RNNCell (mode RNN_TANH / RNN_RELU), LSTMCell or GRUCell.

    Args:
      x: (N, H_in); hx: (N, H); cx: (N, H) for LSTM, else None.
    Returns:
      h' (N, H), or (h', c') for LSTM.
    """
    carry = (hx, cx) if mode == "LSTM" else hx
    carry, _ = _cell(mode)((w_ih, w_hh, b_ih, b_hh, None), carry, x)
    return carry


def _cell(mode: str):
    """One time step: (carry, x_t) -> (carry, h_t); carry is h, or (h, c) for LSTM."""
    def step(p, carry, x):
        w_ih, w_hh, b_ih, b_hh, w_hr = p
        h = carry[0] if mode == "LSTM" else carry
        gi = x @ w_ih.T + (0 if b_ih is None else b_ih)
        gh = h @ w_hh.T + (0 if b_hh is None else b_hh)
        if mode == "LSTM":
            i, f, g, o = jnp.split(gi + gh, 4, axis=-1)
            c = jax.nn.sigmoid(f) * carry[1] + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            if w_hr is not None:             # projection: the state carries P features
                h = h @ w_hr.T
            return (h, c), h
        if mode == "GRU":
            ir, iz, in_ = jnp.split(gi, 3, axis=-1)
            hr, hz, hn = jnp.split(gh, 3, axis=-1)
            r, z = jax.nn.sigmoid(ir + hr), jax.nn.sigmoid(iz + hz)
            n = jnp.tanh(in_ + r * hn)
            h = (1 - z) * n + z * h
            return h, h
        pre = gi + gh
        h = jnp.tanh(pre) if mode == "RNN_TANH" else relu(pre)
        return h, h
    return step


def _masked(step):
    """A step over (x_t, valid_t): where valid_t is False the state is kept and the
    output is 0."""
    def masked_step(p, carry, inp):
        x, valid = inp
        new, y = step(p, carry, x)
        new = jax.tree.map(lambda n, o: jnp.where(valid, n, o), new, carry)
        return new, jnp.where(valid, y, 0).astype(y.dtype)
    return masked_step


def rnn(x: Array, params: dict[str, Array], hx: Array | None = None,
        cx: Array | None = None, *, mode: str, num_layers: int = 1,
        bidirectional: bool = False, dropout: float = 0.0, key: PRNGKey | None = None,
        lengths: Array | None = None):
    """Runs the stacked (bi)directional recurrence over time-major input.

    Args:
      x: (L, N, H_in) input sequence.
      params: rnn_init's dict (bias entries may be absent).
      hx: (D * num_layers, N, H_out) initial hidden state, zeros if None; H_out is the
        projection size P for an LSTM with weight_hr entries, else H.
      cx: (D * num_layers, N, H) initial cell state (LSTM only), zeros if None.
      dropout: probability of zeroing each output of every layer but the last (needs key).
      lengths: (N,) ints: sequence n has lengths[n] valid steps (a PackedSequence's
        semantics): its state stops changing after them (the reverse direction starts at
        its last valid step) and its outputs there are 0. None: all L steps are valid.
    Returns:
      output (L, N, D * H_out) and h_n (D * num_layers, N, H_out), plus c_n
      (D * num_layers, N, H) for LSTM: `(output, h_n)` or `(output, (h_n, c_n))`.
    """
    if x.ndim != 3:
        raise ShapeError(f"rnn: expected a (L, N, H_in) input, got {x.ndim} dims")
    dirs = 2 if bidirectional else 1
    h_size = params["weight_hh_l0"].shape[1]
    c_size = params["weight_hh_l0"].shape[0] // GATES[mode]
    n = x.shape[1]
    hx = jnp.zeros((dirs * num_layers, n, h_size), x.dtype) if hx is None else hx
    if cx is None and mode == "LSTM":
        cx = jnp.zeros((dirs * num_layers, n, c_size), x.dtype)
    step = _cell(mode)
    if lengths is not None:
        step = _masked(step)
        valid = (jnp.arange(x.shape[0])[:, None] < lengths[None, :])[..., None]   # (L, N, 1)
    keys = (jax.random.split(key, max(num_layers - 1, 1)) if key is not None and dropout > 0
            else None)
    h_out, c_out = [], []
    layer_in = x
    for layer in range(num_layers):
        outs = []
        for d, suffix in enumerate(("", "_reverse")[:dirs]):
            p = tuple(params.get(f"{k}_l{layer}{suffix}")
                      for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"))
            idx = layer * dirs + d
            carry = (hx[idx], cx[idx]) if mode == "LSTM" else hx[idx]
            seq = layer_in[::-1] if d else layer_in
            if lengths is not None:
                seq = (seq, valid[::-1] if d else valid)
            carry, ys = jax.lax.scan(lambda c, xt, p=p: step(p, c, xt), carry, seq)
            outs.append(ys[::-1] if d else ys)
            h_out.append(carry[0] if mode == "LSTM" else carry)
            if mode == "LSTM":
                c_out.append(carry[1])
        layer_in = outs[0] if dirs == 1 else jnp.concatenate(outs, axis=-1)
        if keys is not None and layer < num_layers - 1:
            # (p = 1: zeros, whose gradient is 0; x / 0 where nothing is kept made it NaN)
            layer_in = dropout_mask(layer_in, dropout, layer_in.shape, keys[layer])
    h_n = jnp.stack(h_out)
    if mode == "LSTM":
        return layer_in, (h_n, jnp.stack(c_out))
    return layer_in, h_n
