"""Any optax GradientTransformation behind the PyTorch optimizer interface."""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import optax

from .optimizer import Optimizer


class OptaxOptimizer(Optimizer):
    """`OptaxOptimizer(model.parameters(), optax.lion, lr=1e-4, b1=0.9)` or
    `OptaxOptimizer(params, some_transform)`.

    Given an optax factory (a function taking `learning_rate`), it is wrapped with
    `optax.inject_hyperparams`, so `group["lr"]` (and LR schedulers) drive the learning rate
    without recompiling. Given a ready GradientTransformation, the rate is the one inside it.

    PyTorch parity: optax transforms update whole pytrees, so within a group a parameter
    whose `.grad` is None gets a zero gradient (it still takes the transform's step, e.g.
    momentum or weight decay), unlike torch.optim which skips it.
    """

    _own_state_format = True

    def __init__(self, params, transform: optax.GradientTransformation | Callable,
                 lr: float | None = None, **hyperparams):
        self._factory = None
        if not isinstance(transform, optax.GradientTransformation):
            if lr is None:
                raise ValueError("an optax factory needs lr=...")
            self._factory = transform
            transform = optax.inject_hyperparams(transform)(learning_rate=lr, **hyperparams)
        self._optax = transform
        self._group_states: dict[int, object] = {}
        super().__init__(params, dict(lr=lr))

    def _validate(self, group):
        if group["lr"] is not None and group["lr"] < 0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")

    def step(self, closure=None):
        loss = None
        if closure is not None:
            from ..autograd._grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        program = self._programs.get("optax")
        if program is None:
            def run(params, grads, states):
                from . import optimizer as _opt
                _opt._trace_count += 1
                out_p, out_s = [], []
                for p, g, s in zip(params, grads, states):
                    updates, s = self._optax.update(g, s, p)
                    out_p.append(optax.apply_updates(p, updates))
                    out_s.append(s)
                return out_p, out_s
            program = self._programs["optax"] = jax.jit(run)
        params, grads, states = [], [], []
        for i, group in enumerate(self.param_groups):
            values = [p._value for p in group["params"]]
            state = self._group_states.get(i)
            if state is None:
                state = self._optax.init(values)
            if self._factory is not None and group["lr"] is not None:
                hp = dict(state.hyperparams)
                hp["learning_rate"] = jnp.asarray(group["lr"], hp["learning_rate"].dtype)
                state = state._replace(hyperparams=hp)
            params.append(values)
            grads.append([jnp.zeros_like(p._value) if p.grad is None else
                          p.grad._value.astype(p._value.dtype) for p in group["params"]])
            states.append(state)
        new_params, new_states = program(params, grads, states)
        for i, (group, values, state) in enumerate(zip(self.param_groups, new_params,
                                                        new_states)):
            self._group_states[i] = state
            for p, value in zip(group["params"], values):
                p._value = value
                p._version += 1
        return loss

    def state_dict(self) -> dict:
        out = super().state_dict()
        out["optax_state"] = {i: jax.tree.leaves(s) for i, s in self._group_states.items()}
        return out

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict({**state_dict, "state": {}})
        for i, leaves in state_dict.get("optax_state", {}).items():
            values = [p._value for p in self.param_groups[int(i)]["params"]]
            treedef = jax.tree.structure(self._optax.init(values))
            self._group_states[int(i)] = jax.tree.unflatten(
                treedef, [getattr(x, "_value", x) for x in leaves])
