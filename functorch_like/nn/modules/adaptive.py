"""nn.AdaptiveLogSoftmaxWithLoss over functorch_like.pure._adaptive_softmax."""

from __future__ import annotations

from collections import namedtuple
from typing import Sequence

import numpy as np

from ..._tensor import apply
from ...pure import _adaptive_softmax as _asm
from ...pure._errors import is_concrete
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

# PyTorch's return type of forward: a namedtuple (output, loss).
_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


def _f_output(x, target, head_w, head_b, *tail, cutoffs):
    return _asm.adaptive_log_softmax(x, target, head_w, head_b, *tail, cutoffs=cutoffs)


def _f_log_prob(x, head_w, head_b, *tail, cutoffs):
    return _asm.adaptive_log_prob(x, head_w, head_b, *tail, cutoffs=cutoffs)


def _f_predict(x, head_w, head_b, *tail, cutoffs):
    return _asm.adaptive_predict(x, head_w, head_b, *tail, cutoffs=cutoffs)


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax: frequent classes (below cutoffs[0]) in the head, the rest in
    tail clusters reached through one head entry each.

    Parameters as PyTorch's: head = Linear(in_features, shortlist + n_clusters,
    bias=head_bias); tail[i] = Sequential(Linear(in_features, in_features // div_value **
    (i + 1), bias=False), Linear(that, cluster size, bias=False)), so state_dict keys are
    head.weight, tail.0.0.weight, tail.0.1.weight, ...

    forward(input (N, in_features) or (in_features,), target (N,) or ()) returns the
    namedtuple (output, loss): output the target's log-probability per row, loss the mean
    of -output. `log_prob(input)` gives (N, n_classes); `predict(input)` (N,) classes.
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers "
                             "sorted in an increasing order, where each value is between 1 "
                             "and n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        factory = dict(device=device, dtype=dtype)
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **factory),
                                        Linear(hsz, osz, bias=False, **factory)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def _weights(self):
        tail = [lin.weight for seq in self.tail for lin in seq]
        return (self.head.weight, self.head.bias, *tail)

    def forward(self, input_, target_):
        targ_dim = target_.dim()
        if targ_dim == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.dim() != 2:
                raise RuntimeError("1D target tensor expects 2D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        elif targ_dim == 0:
            if input_.dim() != 1:
                raise RuntimeError("0D target tensor expects 1D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = targ_dim > 0
        x = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        # PyTorch's check needs the values (JAX would clamp out-of-range indices); in
        # traced code (functorch_like.compile) they are unknown until the program runs.
        if is_concrete(target._value):
            values = np.asarray(target._value)
            if values.size and (values.min() < 0 or values.max() >= self.n_classes):
                raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], "
                                   f"but values in range [{values.min()}, {values.max()}] "
                                   "were found. ")
        output, loss = apply(_f_output, "AdaptiveLogSoftmaxBackward", x, target,
                             *self._weights(), cutoffs=tuple(self.cutoffs))
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def log_prob(self, input):
        """Log-probabilities of every class: (N, in_features) -> (N, n_classes)."""
        return apply(_f_log_prob, "AdaptiveLogProbBackward", input, *self._weights(),
                     cutoffs=tuple(self.cutoffs))

    def predict(self, input):
        """The most likely class per row: (N, in_features) -> (N,) int64."""
        return apply(_f_predict, "AdaptivePredict", input.detach(),
                     *(w.detach() if w is not None else None for w in self._weights()),
                     cutoffs=tuple(self.cutoffs))
