"""The training workflow around a model (datasets, loaders, optimizers, schedulers, gradient
clipping) as a user script writes it, run with torch and with functorch_like: same values,
same errors, same warnings. Each test here covers a difference found by such a comparison.
"""

import warnings

import numpy as np
import pytest
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


# ---- datasets ----------------------------------------------------------------------------
def test_iterable_dataset_without_iter_is_abstract_like_torch():
    """torch's IterableDataset leaves `__iter__` abstract: instantiating it is a TypeError."""
    assert_same_outcome(lambda lib: lib.utils.data.IterableDataset())

    def subclass_without_iter(lib):
        class Stream(lib.utils.data.IterableDataset):
            pass
        return Stream()
    assert_same_outcome(subclass_without_iter)
