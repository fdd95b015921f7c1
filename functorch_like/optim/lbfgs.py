"""torch.optim.LBFGS: limited-memory BFGS with an optional strong-Wolfe line search.

A facade-only optimizer: its loop calls the closure several times per step and branches
on loss values, so it runs eagerly over flat jax arrays (torch's algorithm line by line),
not as one compiled program, and not inside functorch_like.compile.
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp

from .. import _trace_state
from .._host import owned
from .._tensor import Tensor, publish
from ..autograd._grad_mode import enable_grad, no_grad
from ._line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """L-BFGS with PyTorch's rule, defaults and stopping tests; `step(closure)` runs up to
    `max_iter` iterations (at most `max_eval` closure calls), `line_search_fn` None (fixed
    step lr) or "strong_wolfe". One parameter group only. State (torch's keys: func_evals,
    n_iter, d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss, al) lives
    under the first parameter, as in torch.

    PyTorch parity: the same algorithm, eagerly; inside functorch_like.compile its step
    raises (the loop needs concrete losses). Complex parameters step as their real views
    (torch's rule); sparse ones are not supported.
    """

    _own_state_format = True

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _validate(self, group):
        del group                       # torch checks only the constructor's lr

    def _init_state(self):
        pass                            # state starts at the first step (and never compiled)

    def _static_key(self, group):
        return ()                       # (compile asks before tracing, where step refuses)

    # ---- flat views of the parameters ------------------------------------------------
    def _gather_flat_grad(self):
        # A complex parameter's gradient enters as its real view (real, imag pairs), as
        # torch's: the dot products below are then the real inner products the algorithm
        # needs (a plain complex dot is no norm: it gave a descent test that always failed).
        return jnp.concatenate([
            _real_view(jnp.zeros_like(p._value) if p.grad is None
                       else p.grad._value.astype(p._value.dtype)) for p in self._params])

    def _add_grad(self, step_size, update) -> None:
        offset = 0
        for p in self._params:
            value = p._value
            n = value.size * (2 if jnp.iscomplexobj(value) else 1)
            piece = update[offset:offset + n]
            if jnp.iscomplexobj(value):
                piece = jax.lax.complex(piece[0::2], piece[1::2])
            step = jnp.asarray(step_size, piece.real.dtype)
            _write(p, value + (step * piece).reshape(value.shape).astype(value.dtype))
            offset += n

    def _set_param(self, values) -> None:
        for p, value in zip(self._params, values):
            _write(p, value)

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ---- the step ----------------------------------------------------------------------
    def step(self, closure: Callable):   # noqa: C901 (torch's loop, kept in one piece)
        """Runs the L-BFGS iterations; `closure` clears the gradients, computes the loss,
        calls backward and returns the loss. Returns the closure's first loss."""
        if _trace_state.state.compiling:
            raise _trace_state.untraceable("LBFGS.step (its loop reads loss values)")
        with no_grad():
            return self._step(closure)

    def _closure(self, closure):
        with enable_grad():
            return closure()

    def _step(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._closure(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if jnp.max(jnp.abs(flat_grad)) <= tolerance_grad:
            return orig_loss

        # (the state holds Tensors, as torch's; the loop runs on their arrays)
        for name in _ARRAY_ENTRIES:
            if name in state:
                state[name] = _map_arrays(state[name], _array_of)
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # The descent direction: -g first, then the two-loop recursion over history.
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = jnp.dot(y, s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / jnp.dot(y, y)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = jnp.dot(old_stps[i], q) * ro[i]
                    q = q - al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = jnp.dot(old_dirs[i], r) * ro[i]
                    r = r + (al[i] - be_i) * old_stps[i]
                d = r
            prev_flat_grad = flat_grad
            prev_loss = loss

            # The step length: lr (scaled down on the very first iteration).
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / jnp.sum(jnp.abs(flat_grad))) * lr
            else:
                t = lr
            gtd = jnp.dot(flat_grad, d)
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p._value for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(lambda: self._closure(closure), x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = jnp.max(jnp.abs(flat_grad)) <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # Not re-evaluated after the last iteration (torch: in a stochastic
                    # setting the value would be of no use).
                    loss = float(self._closure(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = jnp.max(jnp.abs(flat_grad)) <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if jnp.max(jnp.abs(d * t)) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        for name in _ARRAY_ENTRIES:
            if name in state:
                state[name] = _map_arrays(state[name], _as_tensor)
        return orig_loss

    # ---- state_dict: torch's entries, Tensors (shared, as torch's) ------------------------
    def _export_state(self, entry: dict) -> dict:
        return {name: _map_arrays(value, _as_tensor) for name, value in entry.items()}

    def _import_state(self, entry: dict, p: Tensor) -> dict:
        return {name: _map_arrays(value, lambda v: Tensor._make(_to_array(v)))
                for name, value in entry.items()}


# The state entries that hold arrays (or lists of them) between steps.
_ARRAY_ENTRIES = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
                  "prev_loss", "al")


def _as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor._make(value)


def _array_of(value):
    return value._value if isinstance(value, Tensor) else value


def _real_view(value):
    """A flat array of `value`'s elements, a complex one's as (real, imag) pairs."""
    if jnp.iscomplexobj(value):
        return jnp.stack([value.real, value.imag], -1).reshape(-1)
    return value.reshape(-1)


def _write(p: Tensor, value) -> None:
    """A parameter takes a new value in place (outside autograd), as optimizer steps do."""
    p._value = value
    p._version += 1
    publish(p)


def _to_array(value):
    return jnp.array(value._value, copy=True) if isinstance(value, Tensor) else owned(value)


def _map_arrays(value, fn):
    """`fn` on every array in a state entry (Tensors, jax or numpy arrays, or torch's
    tensors when loading its state_dict), lists included; Python numbers and None as they
    are (torch keeps func_evals, n_iter, prev_loss and sometimes t and H_diag as numbers)."""
    if isinstance(value, list):
        return [_map_arrays(v, fn) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return fn(value)
