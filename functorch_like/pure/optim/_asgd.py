"""Averaged SGD with PyTorch's rule (decaying eta, a running average `ax` after t0)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import optax

from ._base import (HyperParams, SCALAR_DTYPE, check_nonneg, hp_as, leafwise,
                    make_hyperparams, next_step, scalar_states, step_counts,
                    weight_decay_terms, zeros_like_tree)


class ASGDState(NamedTuple):
    step: Any
    hyperparams: HyperParams      # lr, lambd, alpha, t0, weight_decay
    eta: Any                      # float32 0-d per parameter: this step's learning rate
    mu: Any                       # float32 0-d per parameter: the averaging weight
    ax: Any                       # the averaged parameters


def asgd(lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
         weight_decay: float = 0.0, *, maximize: bool = False) -> optax.GradientTransformation:
    """PyTorch's `torch.optim.ASGD` as an optax GradientTransformation.

    Update rule at step t = 1, 2, ... (g negated first when `maximize`), eta_1 = lr,
    mu_1 = 1:
        g = g + weight_decay * p
        p = p * (1 - lambd * eta_t) - eta_t * g
        ax = p if mu_t == 1 else ax + mu_t * (p - ax)
        eta_{t+1} = lr / (1 + lambd * lr * t)^alpha
        mu_{t+1} = 1 / max(1, t - t0)

    The averaged parameters are `state.ax` (torch's `state[p]["ax"]`); the update moves
    the parameters themselves, as torch does. `update` always needs `params`.

    PyTorch parity: torch keeps eta and mu as float32 0-d tensors (rounded to float32 at
    every step, even for float64 parameters); so does this state. optax has no ASGD.
    """
    check_nonneg("learning rate", lr)
    check_nonneg("weight_decay value", weight_decay)

    def init(params):
        return ASGDState(
            step=step_counts(params),
            hyperparams=make_hyperparams(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                         weight_decay=weight_decay),
            eta=scalar_states(params, lr),
            mu=scalar_states(params, 1.0),
            ax=zeros_like_tree(params))

    def update(grads, state, params=None):
        if params is None:
            raise ValueError("asgd needs `params` in update(updates, state, params)")
        hp = state.hyperparams

        def leaf(g, p, step, eta, mu, ax):
            h = hp_as(hp, g.dtype)
            if maximize:
                g = -g
            g, _ = weight_decay_terms(g, p, h, False)
            step = next_step(step)
            eta_p = eta.astype(g.dtype)
            updates = -(h["lambd"] * eta_p) * p - eta_p * g
            new_p = p + updates          # what optax.apply_updates will make of it
            mu_p = mu.astype(g.dtype)
            ax = jnp.where(mu == 1, new_p, ax + (new_p - ax) * mu_p)
            # The next eta and mu in the widest float (torch: Python floats), then float32.
            t = step.astype(hp["lr"].dtype)
            eta = (hp["lr"] / (1 + hp["lambd"] * hp["lr"] * t) ** hp["alpha"])
            mu = 1 / jnp.maximum(1.0, t - hp["t0"])
            return (updates, step, eta.astype(SCALAR_DTYPE), mu.astype(SCALAR_DTYPE), ax)

        updates, steps, eta, mu, ax = leafwise(leaf, 5, grads, params, state.step, state.eta,
                                               state.mu, state.ax)
        return updates, ASGDState(steps, hp, eta, mu, ax)

    return optax.GradientTransformation(init, update)
