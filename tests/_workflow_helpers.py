"""What the workflow parity tests share: running a user-script step with torch and with
functorch_like and comparing the result, the error and the warnings, and a small fixed
model to train."""

import warnings

import numpy as np
import torch

import functorch_like as fl


def outcome(fn):
    """(result, None) or (None, (exception type name, message)); warnings recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = fn(), None
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            result, error = None, (type(e).__name__, str(e))
    return result, error, [(w.category.__name__, str(w.message)) for w in caught]


def assert_same_outcome(use):
    """`use(lib)` gives the same result, error and warnings with torch and functorch_like."""
    assert outcome(lambda: use(fl)) == outcome(lambda: use(torch))


def linear_and_loss(lib):
    """A Linear(3, 2) with fixed weights, and a loss on fixed data."""
    m = lib.nn.Linear(3, 2)
    m.load_state_dict({"weight": lib.tensor([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]),
                       "bias": lib.tensor([0.05, -0.1])})
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    y = lib.tensor(np.arange(8, dtype=np.float32).reshape(4, 2) / 8)
    return m, lambda: ((m(x) - y) ** 2).mean()
