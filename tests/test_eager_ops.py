"""Eager ops run as one jitted program each; their value checks and data-dependent ops
behave as unjitted ones, call after call."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like import _tensor


@pytest.mark.parametrize("call, error, message", [
    (lambda lib, t: lib.nn.functional.cross_entropy(lib.zeros(3, 4), lib.tensor(t)),
     IndexError, "Target 7 is out of bounds."),
    (lambda lib, t: lib.nn.functional.nll_loss(lib.zeros(3, 4), lib.tensor(t)),
     IndexError, "Target 7 is out of bounds."),
    (lambda lib, t: lib.nn.functional.embedding(lib.tensor(t), lib.zeros(4, 2)),
     IndexError, "index out of range in self"),
])
def test_value_checks_hold_on_every_call(call, error, message):
    for lib in (torch, fl):
        for _ in range(3):                   # a valid call, then the same shapes again
            call(lib, [0, 1, 2])
        with pytest.raises(error, match=message):
            call(lib, [0, 7, 2])
        call(lib, [3, 1, 0])                 # and valid ones still run afterwards


def test_bce_input_range_check_holds_on_every_call():
    for lib in (torch, fl):
        f = lib.nn.functional.binary_cross_entropy
        for _ in range(2):
            f(lib.tensor([0.2, 0.9]), lib.tensor([0.0, 1.0]))
        with pytest.raises(RuntimeError, match="all elements of input should be between 0 "
                                               "and 1"):
            f(lib.tensor([0.2, float("nan")]), lib.tensor([0.0, 1.0]))


def test_ops_are_jitted_and_data_dependent_ones_still_run():
    x = fl.arange(6.0).reshape(2, 3)
    for _ in range(2):
        y = fl.nn.functional.relu(x - 2)
        picked = fl.masked_select(x, x > 2)
        idx = fl.nonzero(x > 3)
    np.testing.assert_array_equal(y.numpy(), np.maximum(np.arange(6.0) - 2, 0).reshape(2, 3))
    assert picked.tolist() == [3.0, 4.0, 5.0]
    assert idx.tolist() == [[1, 1], [1, 2]]
    jitted = [p for p in _tensor._op_programs.values() if p is not _tensor._UNJITTABLE]
    assert jitted, "no eager op ran as a jitted program"


def test_ops_whose_static_arguments_vary_stop_compiling_per_value():
    x = fl.arange(200.0).reshape(100, 2)
    rows = [x[i] for i in range(60)] + [x.narrow(0, i, 2) for i in range(60)]
    assert rows[59].tolist() == [118.0, 119.0] and rows[-1].tolist() == [[118.0, 119.0],
                                                                          [120.0, 121.0]]
    per_fn = {}
    for fn, _ in _tensor._op_programs:
        per_fn[fn] = per_fn.get(fn, 0) + 1
    assert max(per_fn.values()) <= _tensor._MAX_VARIANTS
