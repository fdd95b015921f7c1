"""nn.functional's checks of dtypes, dims and arguments, and integer pooling, as torch's.

Integer inputs to the normalizations and adaptive pools gave integers (zeros, truncated
values) where torch's kernels refuse them; glu took an out-of-range dim modulo the rank;
avg_pool of integers gave floats where torch divides as integers; negative conv padding
cropped; and several calls torch refuses ran (divisor_override=0, an eval batch_norm
without running statistics, a 1-D embedding weight, a zero stride).
"""

from __future__ import annotations

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_error


def _cases(lib):
    F = lib.nn.functional
    ints = lib.arange(16).reshape(1, 1, 4, 4)
    return {
        "glu dim past the rank": lambda: F.glu(lib.arange(8.0).reshape(4, 2), 2),
        "GLU dim before the rank": lambda: lib.nn.GLU(-3)(lib.arange(8.0).reshape(4, 2)),
        "adaptive_avg_pool2d ints": lambda: F.adaptive_avg_pool2d(ints, 3),
        "adaptive_avg_pool1d ints": lambda: F.adaptive_avg_pool1d(ints[0], 3),
        "adaptive_max_pool2d ints": lambda: F.adaptive_max_pool2d(ints, 3),
        "adaptive_max_pool1d ints": lambda: F.adaptive_max_pool1d(ints[0], 3),
        "BatchNorm1d ints": lambda: lib.nn.BatchNorm1d(3)(lib.ones(2, 3, dtype=lib.long)),
        "layer_norm ints": lambda: F.layer_norm(ints, (4,)),
        "group_norm ints": lambda: F.group_norm(ints, 1),
        "instance_norm ints": lambda: F.instance_norm(ints),
        "batch_norm ints": lambda: F.batch_norm(ints, None, None, training=True),
        "divisor_override 0": lambda: F.avg_pool2d(lib.ones(1, 1, 2, 2), 2,
                                                   divisor_override=0),
        "eval batch_norm without statistics": lambda: F.batch_norm(
            lib.tensor([[1.0, 2.0], [3.0, 6.0]]), None, None, training=False),
        "negative conv1d padding": lambda: F.conv1d(lib.arange(7.0).reshape(1, 1, 7),
                                                    lib.ones(1, 1, 3), padding=-1),
        "negative conv2d padding": lambda: F.conv2d(lib.ones(1, 1, 5, 5),
                                                    lib.ones(1, 1, 3, 3), padding=(1, -1)),
        "zero conv stride": lambda: F.conv1d(lib.ones(1, 1, 7), lib.ones(1, 1, 3), stride=0),
        "1-D embedding weight": lambda: F.embedding(lib.tensor([0, 2]), lib.arange(3.0)),
        **{f"{name} {dtype}": (lambda f=f, dtype=dtype: f(lib.ones(1, 2, 4, 4,
                                                                   dtype=getattr(lib, dtype))))
           for name, f in (("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, 2)),
                           ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, 2)),
                           ("batch_norm", lambda x: F.batch_norm(x, None, None, training=True)),
                           ("layer_norm", lambda x: F.layer_norm(x, (4,))),
                           ("group_norm", lambda x: F.group_norm(x, 1)),
                           ("instance_norm", F.instance_norm))
           for dtype in ("complex64", "bool")},
    }


@pytest.mark.parametrize("name", list(_cases(torch)))
def test_refused_as_torch(name):
    same_error(lambda lib: _cases(lib)[name]())


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.avg_pool2d(lib.arange(16).reshape(1, 1, 4, 4), 2),
    lambda lib: lib.nn.functional.avg_pool1d(lib.arange(-8, 8).reshape(1, 2, 8), 3, 2),
    lambda lib: lib.nn.functional.avg_pool2d(lib.arange(-8, 8).reshape(1, 1, 4, 4), 2,
                                             divisor_override=3),
    lambda lib: lib.nn.functional.avg_pool2d(lib.arange(25).reshape(1, 1, 5, 5), 2, 2, 1,
                                             count_include_pad=False),
])
def test_avg_pool_of_integers_divides_as_torch(call):
    expected, got = call(torch), call(fl)
    assert str(got.dtype) == str(expected.dtype)
    assert got.tolist() == expected.tolist()
