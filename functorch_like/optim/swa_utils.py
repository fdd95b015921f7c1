"""torch.optim.swa_utils: weight averaging (SWA, EMA) of a model, the SWA learning-rate
schedule, and recomputing BatchNorm statistics for an averaged model."""

from __future__ import annotations

import itertools
import math
import warnings
from copy import deepcopy
from typing import Any, Callable, Iterable

import jax
import numpy as np

from .. import _factories
from .._dtypes import long
from .._ops_math import where
from .._tensor import Tensor
from ..autograd._grad_mode import no_grad
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from .lr_scheduler._base import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def _is_inexact(t: Tensor) -> bool:
    return t.is_floating_point() or t.is_complex()


def _traced(t) -> bool:
    """Whether `t` is a tensor whose value is unknown now (inside a compiled step)."""
    return isinstance(t, Tensor) and isinstance(t._value, jax.core.Tracer)


def _lerp_(averaged: Tensor, current: Tensor, weight) -> None:
    """averaged <- lerp(averaged, current, weight) in place, with at::lerp's two-sided
    formula (exact at both ends), as torch's `_foreach_lerp_`. weight: a float, or a 0-d
    tensor inside a compiled step (the side is then picked in the program)."""
    if _traced(weight):
        averaged.copy_(where(weight < 0.5, averaged + weight * (current - averaged),
                             current - (current - averaged) * (1 - weight)))
    elif weight < 0.5:
        averaged.copy_(averaged + weight * (current - averaged))
    else:
        averaged.copy_(current - (current - averaged) * (1 - weight))


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """The in-place EMA update of lists of parameters, for `AveragedModel(multi_avg_fn=)`:
    `W_ema <- decay * W_ema + (1 - decay) * W_model` (a lerp with weight 1 - decay for
    floating parameters; integer buffers take the product form, as in torch).

    Raises:
        ValueError: if decay is outside [0, 1].
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _) -> None:
        with no_grad():
            if _is_inexact(ema_param_list[0]):
                for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                    _lerp_(p_ema, p_model, 1 - decay)
            else:
                for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """The in-place equal-weight (SWA) update of lists of parameters:
    `W_avg <- W_avg + (W_model - W_avg) / (n_averaged + 1)`.

    PyTorch parity: with a tensor `n_averaged`, torch's weight `1 / (n + 1)` is a float32
    value (int tensor true division); it is rounded to float32 here too."""

    def swa_update(averaged_param_list, current_param_list, num_averaged) -> None:
        with no_grad():
            if _is_inexact(averaged_param_list[0]):
                if _traced(num_averaged):       # (a float32 0-d tensor, as torch's)
                    weight = 1 / (num_averaged + 1)
                elif isinstance(num_averaged, Tensor):
                    n = int(num_averaged)
                    weight = float(np.float32(1) / np.float32(n + 1))
                else:
                    weight = 1 / (int(num_averaged) + 1)
                for p_avg, p_model in zip(averaged_param_list, current_param_list,
                                          strict=True):
                    _lerp_(p_avg, p_model, weight)
            else:
                for p_avg, p_model in zip(averaged_param_list, current_param_list,
                                          strict=True):
                    p_avg.copy_(p_avg + (p_model - p_avg) / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """The EMA of one parameter, for `AveragedModel(avg_fn=)`: returns
    `decay * W_ema + (1 - decay) * W_model`.

    Raises:
        ValueError: if decay is outside [0, 1].
    """
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    """The equal-weight average of one parameter: returns
    `W_avg + (W_model - W_avg) / (n_averaged + 1)`."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of `model` whose parameters (and, with `use_buffers`, buffers) hold a running
    average of the parameters of `model`, updated by `update_parameters(model)`.

    The first update copies the model's values; later ones apply `avg_fn` (one tensor at a
    time: `avg_fn(averaged, current, n_averaged) -> new`), `multi_avg_fn` (in place on
    lists) or, without either, the equal-weight SWA average. Without `use_buffers` the
    buffers are copied from `model` at every update. `n_averaged` is an int64 buffer, so
    `state_dict()` holds `n_averaged` and the copy's entries as `module.<name>`.

    Args:
        model: the module to average (deep-copied).
        device: if given, the copy is moved there.
        avg_fn / multi_avg_fn: the averaging rule (at most one of them).
        use_buffers: average the buffers too (else copy them).

    PyTorch parity: torch's default CPU path uses `get_swa_avg_fn` per tensor; so does this
    one, on every device.
    """

    def __init__(self, model: Module, device=None, avg_fn: Callable | None = None,
                 multi_avg_fn: Callable | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _factories.tensor(0, dtype=long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Folds the current values of `model` into the average."""
        if self.use_buffers:
            self_param = itertools.chain(self.module.parameters(), self.module.buffers())
            model_param = itertools.chain(model.parameters(), model.buffers())
        else:
            self_param, model_param = self.parameters(), model.parameters()
        averaged, current = [], []
        # Inside a compiled step the count is not known while tracing: both the first
        # update's copy and the average are computed, and the program picks one.
        traced = _traced(self.n_averaged)
        copy_param = not traced and int(self.n_averaged) == 0
        with no_grad():
            for p_averaged, p_model in zip(self_param, model_param):
                p_model_ = p_model.detach().to(p_averaged.device)
                averaged.append(p_averaged.detach())
                current.append(p_model_)
                if copy_param:
                    p_averaged.detach().copy_(p_model_)
            if not copy_param:
                self._average(averaged, current)
            if traced:
                first = self.n_averaged == 0
                for p_averaged, p_model in zip(averaged, current):
                    p_averaged.copy_(where(first, p_model, p_averaged))
            if not self.use_buffers:
                for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                    b_swa.detach().copy_(b_model.detach().to(b_swa.device))
            self.n_averaged += 1

    def _average(self, averaged: list, current: list) -> None:
        if self.multi_avg_fn is None and self.avg_fn is not None:
            for p_averaged, p_model in zip(averaged, current, strict=True):
                p_averaged.copy_(self.avg_fn(p_averaged, p_model, self.n_averaged))
            return
        # torch groups the tensors by (device, dtype) and calls the list rule per group.
        groups: dict = {}
        for p_averaged, p_model in zip(averaged, current):
            pair = groups.setdefault((str(p_averaged.device), p_averaged.dtype), ([], []))
            pair[0].append(p_averaged)
            pair[1].append(p_model)
        for self_params, model_params in groups.values():
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(self_params, model_params, self.n_averaged)
            else:
                avg_fn = get_swa_avg_fn()
                for p_averaged, p_model in zip(self_params, model_params, strict=True):
                    p_averaged.copy_(avg_fn(p_averaged, p_model, self.n_averaged))


def update_bn(loader: Iterable[Any], model: Module, device=None) -> None:
    """Recomputes the running statistics of every BatchNorm layer of `model` with one pass
    over `loader`: the statistics are reset and accumulated as a cumulative average
    (momentum=None) in train mode; momenta and the train/eval mode are restored after.

    Args:
        loader: batches that are tensors, or lists/tuples whose first item is the input.
        model: the module (e.g. an AveragedModel).
        device: if given, each input is moved there first.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to its `swa_lr` over `anneal_epochs` steps ("cos" or
    "linear"), then keeps it there. Each group gets `group["swa_lr"]`.

    Args:
        optimizer: the wrapped optimizer.
        swa_lr: one value for all groups, or a list with one per group.
        anneal_epochs: length of the annealing phase (an int >= 0).
        anneal_strategy: "cos" or "linear".
        last_epoch: the index of the last epoch (-1 to start).
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1) -> None:
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        # torch recovers the lr before annealing from the current one, so that another
        # scheduler may have changed it in between (its own recursive form).
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)]

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = (self._cosine_anneal if anneal_strategy == "cos"
                            else self._linear_anneal)

    def state_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items()
                if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
