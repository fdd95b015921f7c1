"""Schedulers driven by user functions: LambdaLR and MultiplicativeLR."""

from __future__ import annotations

import types

from ._base import LRScheduler


class LambdaLR(LRScheduler):
    """base_lr * lr_lambda(epoch) (one function, or one per group)."""

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * n
        else:
            if len(lr_lambda) != n:
                raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        self._check_lambdas()
        super().__init__(optimizer, last_epoch)

    def _check_lambdas(self) -> None:
        """LambdaLR takes any object (torch fails at the first step); see
        MultiplicativeLR."""

    def get_lr(self):
        self._warn_get_lr_called_outside_step()
        return [b * f(self.last_epoch) for f, b in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        # Like PyTorch: callable objects' state is saved, plain functions are not.
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else f.__dict__.copy()
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        lambdas = state_dict.pop("lr_lambdas", None)
        super().load_state_dict(state_dict)
        if lambdas is not None:
            state_dict["lr_lambdas"] = lambdas
            for f, s in zip(self.lr_lambdas, lambdas):
                if s is not None:
                    f.__dict__.update(s)


class MultiplicativeLR(LambdaLR):
    """lr * lr_lambda(epoch) every epoch after the first."""

    def _check_lambdas(self) -> None:
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"lr_lambda should be a function, but got {type(f).__name__}")

    def get_lr(self):
        self._warn_get_lr_called_outside_step()
        if not self._is_initial:
            return [lr * f(self.last_epoch) for f, lr in zip(self.lr_lambdas, self._lrs())]
        return self._lrs()
