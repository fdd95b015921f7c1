"""LRScheduler, the base of every scheduler here: PyTorch's recursive ("chainable")
formulas, its attribute names and state_dict format, and its warnings about call order."""

from __future__ import annotations

import functools
import warnings

from ... import _trace_state
from ..._tensor import Tensor
from ...autograd._grad_mode import no_grad
from ..optimizer import Optimizer


EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated "
    "where possible. Please use `scheduler.step()` to step the scheduler. During the "
    "deprecation, if epoch is different from None, the closed form is used instead of the "
    "new chainable form, where available. Please open an issue if you are unable to "
    "replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.")


def _track_step_called(optimizer) -> None:
    """Wraps optimizer.step once so schedulers can warn about the call order."""
    if getattr(optimizer.step, "_wrapped_by_lr_sched", False):
        return
    inner = optimizer.step

    def step(*args, **kwargs):
        optimizer._opt_called = True
        recorder = _trace_state.state.scheduler_recorder
        if recorder is not None:
            recorder.optimizer_steps(optimizer)
        return inner(*args, **kwargs)
    step._wrapped_by_lr_sched = True
    optimizer.step = step


def set_lr(group: dict, lr, key: str = "lr") -> None:
    """Writes a group's lr as torch's schedulers do: a tensor lr is changed in place
    (fill_), so that it stays the tensor the user (or a compiled step) holds."""
    current = group[key]
    if isinstance(current, Tensor):
        with no_grad():
            current.fill_(float(lr))
    else:
        # A tensor from the formula (LambdaLR's lambda returning one) stays a tensor, as in
        # torch's `_update_param_group_val`.
        group[key] = lr


def _format_param(name: str, optimizer, param) -> list:
    """One value per param group (a scalar is repeated), with torch's length check."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(param)} values, param_groups has "
                             f"{len(optimizer.param_groups)}.")
        return list(param)
    return [param] * len(optimizer.param_groups)


def _cycle_momentum(optimizer, base_momentum, max_momentum, last_epoch: int) -> tuple:
    """For schedulers that cycle momentum (SGD's momentum or Adam's beta1) against the lr:
    checks the optimizer has one, and on a fresh start sets each group's momentum to its
    max and records max_momentum/base_momentum in the group, as torch does.
    Returns (use_beta1, base momentums, max momentums), one per group."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` "
                         "option enabled")
    use_beta1 = "betas" in optimizer.defaults
    base_ms = _format_param("base_momentum", optimizer, base_momentum)
    max_ms = _format_param("max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for m_max, m_base, group in zip(max_ms, base_ms, optimizer.param_groups):
            _set_momentum(group, m_max, use_beta1)
            group["max_momentum"], group["base_momentum"] = m_max, m_base
    return use_beta1, base_ms, max_ms


def _set_momentum(group: dict, value: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def _recordable(step):
    """A scheduler's step() as compile sees it: called while a compiled step is traced, on
    a scheduler of that step, it is recorded (and replayed after every call) instead of run.
    In the method itself, so that a bound method taken before (`after = sched.step`) is
    recorded too."""
    @functools.wraps(step)
    def recorded(self, *args, **kwargs):
        recorder = _trace_state.state.scheduler_recorder
        if recorder is not None and recorder.record_step(self, functools.partial(step, self),
                                                         args, kwargs):
            return None
        if _trace_state.state.discover is not None:
            _trace_state.state.discover(self)
        return step(self, *args, **kwargs)
    recorded.recordable = True
    return recorded


class LRScheduler:
    """Base class: `step()` advances `last_epoch` and writes each group's lr.

    `_is_initial` is true during the step the constructor takes (torch's chainable
    formulas return the current lrs then, also when resuming with `last_epoch >= 0`);
    `get_lr()` called by the user outside `step()` warns, as in torch."""

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False
    # The numbers of the scheduler that step() changes: read after a recorded step inside
    # a compiled step, they are read on the host after each call (_compile_schedulers).
    _step_changes: tuple = ("last_epoch", "_step_count")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "recordable", False):
            cls.step = _recordable(step)

    def __init__(self, optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                # (a tensor lr's copy: the lr itself is changed in place, set_lr)
                initial = group["lr"]
                group.setdefault("initial_lr", initial.clone() if isinstance(initial, Tensor)
                                 else initial)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming scheduler with last_epoch >= 0.\n"
                        "This typically happens when:\n"
                        "1. You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n"
                        "2. You're using last_epoch >= 0 for a fresh training run (not "
                        "recommended)")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        _track_step_called(optimizer)
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_last_lr(self) -> list[float]:
        recorder = _trace_state.state.scheduler_recorder
        if recorder is not None:        # (inside a compiled step: numbers as after the call)
            return recorder.last_lr(self, self._last_lr)
        return self._last_lr

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def _warn_get_lr_called_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=3)

    def _lrs(self) -> list[float | Tensor]:
        """Each group's lr; a tensor one cloned (torch's `_param_groups_val_list`), so
        that `get_last_lr()` does not follow a later in-place change of the lr."""
        return [group["lr"].clone() if isinstance(group["lr"], Tensor) else group["lr"]
                for group in self.optimizer.param_groups]

    @_recordable
    def step(self, epoch: int | None = None) -> None:
        if self._step_count == 1:
            if not getattr(self.optimizer.step, "_wrapped_by_lr_sched", False):
                warnings.warn("Seems like `optimizer.step()` has been overridden after learning "
                              "rate scheduler initialization. Please, make sure to call "
                              "`optimizer.step()` before `lr_scheduler.step()`. See more "
                              "details at https://pytorch.org/docs/stable/optim.html#how-to-"
                              "adjust-learning-rate", UserWarning, stacklevel=3)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                              "In PyTorch 1.1.0 and later, you should call them in the opposite "
                              "order: `optimizer.step()` before `lr_scheduler.step()`.  Failure "
                              "to do this will result in PyTorch skipping the first value of "
                              "the learning rate schedule. See more details at "
                              "https://pytorch.org/docs/stable/optim.html#how-to-adjust-"
                              "learning-rate", UserWarning, stacklevel=3)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=3)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Advances (or, given `epoch`, sets) last_epoch and writes the new lrs; the closed
        form serves an explicit epoch where the scheduler has one."""
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            set_lr(group, lr)
        self._last_lr = self._lrs()

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)


_LRScheduler = LRScheduler
