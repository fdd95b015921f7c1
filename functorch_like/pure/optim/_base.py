"""What every pure optimizer shares: hyperparameters carried as state, per-parameter step
counts (PyTorch's `state[p]["step"]`), PyTorch's argument checks, and leafwise updates."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from .._types import opmath_dtype

Array = jax.Array
HyperParams = dict[str, Array]


def float_dtype():
    """The widest float JAX gives now: float64 under x64, else float32."""
    return jax.dtypes.canonicalize_dtype(jnp.float64)


def make_hyperparams(**values: float) -> HyperParams:
    """Hyperparameters as 0-d arrays of a fixed dtype, so that a jitted update sees the same
    abstract state whatever their values and changing them never recompiles."""
    return {name: jnp.asarray(value, float_dtype()) for name, value in values.items()}


def set_hyperparams(state: NamedTuple, **values: float) -> NamedTuple:
    """A copy of an optimizer state with some hyperparameters replaced (e.g. `lr=0.01`).

    Works on the state of every optimizer in this package, outside or inside jit; keys
    must already exist (a typo is an error, not a silently ignored value). A momentum
    for an sgd/rmsprop built with momentum=0 raises ValueError (its update has no
    momentum term).
    """
    hp = dict(state.hyperparams)
    for name, value in values.items():
        if name not in hp:
            raise KeyError(f"unknown hyperparameter {name!r}; this optimizer has {sorted(hp)}")
        if (name == "momentum" and getattr(state, "momentum_buffer", 0) is None
                and not isinstance(value, jax.core.Tracer) and value != 0):
            # (its update was built without the momentum term: the new value would be
            # kept in the state and never used)
            raise ValueError(
                "set_hyperparams: this optimizer was built with momentum=0 and keeps no "
                "momentum buffer, so a momentum set later would be ignored; build it with "
                "the momentum it will use (torch.optim makes the buffer at the first step "
                "that has momentum: use the facade's optimizer for that)")
        hp[name] = jnp.asarray(value, hp[name].dtype)
    return state._replace(hyperparams=hp)


def zeros_like_tree(params: Any) -> Any:
    return jax.tree.map(jnp.zeros_like, params)


def step_counts(params: Any) -> Any:
    """One int32 step counter per parameter, as PyTorch keeps `state[p]["step"]`."""
    return jax.tree.map(lambda _: jnp.zeros((), jnp.int32), params)


def next_step(step):
    """step + 1 for an int step counter, saturating at its dtype's largest value, as
    optax's safe_increment: a count that wrapped to negative would make the bias
    corrections NaN (after 2**31 steps in int32). Under jit the saturating form is also
    one fused op whose result the bias corrections read, where XLA copies a donated
    counter that it increments inside each of its readers."""
    if jnp.issubdtype(step.dtype, jnp.integer):
        return jnp.where(step < jnp.iinfo(step.dtype).max, step + 1, step)
    return step + 1


# torch keeps some per-parameter scalars (NAdam's mu_product, ASGD's eta and mu) as float32
# 0-d tensors whatever the parameter's dtype (its default "scalar dtype"), and rounds them
# to float32 at every step; matching that rounding is what keeps trajectories equal.
SCALAR_DTYPE = jnp.float32


def scalar_states(params: Any, value: float) -> Any:
    """One float32 0-d array per parameter, filled with `value`."""
    return jax.tree.map(lambda _: jnp.full((), value, SCALAR_DTYPE), params)


def _in_float32(fn: Callable[..., tuple], n_out: int) -> Callable[..., tuple]:
    """fn computed in float32 for a half-precision gradient, as each of torch's kernels
    computes in float32 (opmath) with the hyperparameters as Python floats: in bfloat16,
    beta2 = 0.999 rounds to 1.0 and the update is NaN. The update comes back in the
    gradient's dtype and each new state in its input's (fn's results are (update, *the
    last n_out - 1 inputs' new values)).

    PyTorch parity: torch's step rounds each kernel's result (each intermediate tensor)
    to the half dtype; here only the results are rounded, once: a few ulps apart, and
    torch's float16 Adam adds eps=1e-8 as 0 (a tiny gradient gives -inf there)."""
    def wrapped(g, *rest):
        if g is None or opmath_dtype(g.dtype) == g.dtype:
            return fn(g, *rest)
        inputs = (g, *rest)
        out = fn(*[x.astype(opmath_dtype(x.dtype))
                   if hasattr(x, "dtype") and opmath_dtype(x.dtype) != x.dtype else x
                   for x in inputs])
        like = (g, *inputs[len(inputs) - (n_out - 1):])
        return tuple(o.astype(x.dtype) if hasattr(o, "dtype") and hasattr(x, "dtype")
                     and o.dtype != x.dtype else o for o, x in zip(out, like))
    return wrapped


def leafwise(fn: Callable[..., tuple], n_out: int, like: Any, *trees: Any) -> tuple:
    """Maps `fn` over matching leaves of `like` and `trees` and unzips its n_out results
    into n_out trees shaped like `like` (a `None` tree is passed as None per leaf).
    Half-precision leaves are computed in float32 (_in_float32)."""
    filled = [jax.tree.map(lambda _: None, like) if t is None else t for t in trees]
    out = jax.tree.map(_in_float32(fn, n_out), like, *filled)
    return tuple(jax.tree.map(lambda _, o, i=i: o[i], like, out) for i in range(n_out))


def hp_as(hp: HyperParams, dtype) -> HyperParams:
    """Hyperparameters cast to a parameter's dtype, so float32 parameters stay float32."""
    return {name: value.astype(dtype) for name, value in hp.items()}


class _Checks(threading.local):
    on = True


_checks = _Checks()


@contextlib.contextmanager
def unchecked():
    """Within: the hyperparameter checks pass whatever the values. torch.optim checks them
    in its constructor (and add_param_group) only; a value set on a group later (a
    negative lr for gradient ascent) is used as it is, so the facade builds a step's
    transform in here."""
    before, _checks.on = _checks.on, False
    try:
        yield
    finally:
        _checks.on = before


def reject(message: str) -> None:
    """Raises ValueError(message) for a bad hyperparameter, unless `unchecked()`."""
    if _checks.on:
        raise ValueError(message)


def check_nonneg(name: str, value: float) -> None:
    """PyTorch's constructor checks: `Invalid learning rate: -0.1` etc. (ValueError)."""
    if _checks.on and not 0.0 <= value:
        reject(f"Invalid {name}: {value}")


def decoupled_decay(p: Array, factor: Array) -> Array:
    """The update term of a decoupled weight decay, `p *= factor` with factor = 1 - lr * wd
    (shapes of p; factor a scalar of p's dtype).

    PyTorch-parity note: written as `p * factor - p`, not `-lr * wd * p`, because torch
    multiplies by `factor` rounded to p's dtype, and that rounding is a sizeable part of a
    small decay: float32(1 - 1e-5) is 1 - 1.0014e-5, so -lr * wd * p decays 0.14 % less
    than torch at every step (AdamW's defaults; 2e-5 apart after 200 steps). The
    difference `p * factor - p` is exact (Sterbenz), so p plus it is torch's `p * factor`.
    """
    return p * factor - p


def weight_decay_terms(g: Array, p: Array | None, h: HyperParams,
                       decoupled: bool) -> tuple[Array, Array]:
    """PyTorch's two weight decays, for optimizers that offer both: L2 folds `wd * p` into
    the gradient before any moment; decoupled (AdamW's) scales the parameter first,
    `p *= 1 - lr * wd`, returned here as an update term. Returns (gradient, decay term).
    Without a weight_decay in `h` (left out where it is 0, as torch's step skips it), no
    term."""
    if p is None or "weight_decay" not in h:
        return g, jnp.zeros_like(g)
    if decoupled:
        return g, decoupled_decay(p, 1 - h["lr"] * h["weight_decay"])
    return g + h["weight_decay"] * p, jnp.zeros_like(g)


def check_beta(index: int, value: float) -> None:
    if _checks.on and not 0.0 <= value < 1.0:
        reject(f"Invalid beta parameter at index {index}: {value}")


def check_adam_args(lr: float, betas: tuple[float, float], eps: float,
                    weight_decay: float) -> None:
    """The checks torch's Adam family (Adam, AdamW, NAdam, RAdam, Adamax) makes, in its
    order, so that the first bad value is the one reported."""
    check_nonneg("learning rate", lr)
    check_nonneg("epsilon value", eps)
    check_beta(0, betas[0])
    check_beta(1, betas[1])
    check_nonneg("weight_decay value", weight_decay)


def adam_hyperparams(lr: float, betas: tuple[float, float], eps: float, weight_decay: float,
                     **more: float) -> HyperParams:
    """The Adam family's traced hyperparameters (betas split into beta1 and beta2)."""
    return make_hyperparams(lr=lr, beta1=betas[0], beta2=betas[1], eps=eps,
                            weight_decay=weight_decay, **more)


def require_params(params: Any, grads: Any, weight_decay: float, hyperparams: HyperParams,
                   name: str) -> Any:
    """Weight decay needs the parameters. Raises ValueError when update() gets none while
    the constructor's weight_decay, or the state's current one (set_hyperparams), is not
    0. Inside jit the current value is unknown until run: there the gradients come back
    as NaN if it is not 0, so that a missing decay shows instead of passing silently.
    Returns the gradients to use."""
    message = f"{name} with weight_decay needs `params` in update(updates, state, params)"
    if params is not None or "weight_decay" not in hyperparams:
        return grads
    if weight_decay != 0:
        raise ValueError(message)
    now = hyperparams["weight_decay"]
    if not isinstance(now, jax.core.Tracer):
        if float(now) != 0:
            raise ValueError(message)
        return grads
    return jax.tree.map(lambda g: jnp.where(now != 0, jnp.nan, g).astype(g.dtype), grads)
