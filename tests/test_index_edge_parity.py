"""Edge cases the view/in-place fuzzer found, against torch 2.13: a 0-d bool tensor as an
index (it adds a dim, as True does: `x[x > 0]` on a 0-d tensor raised "too many
indices"), flip of a 0-d tensor, copy_ of a shape that does not broadcast (JAX's
ValueError), and matrix products of bool tensors (computed where torch's kernels
refuse)."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_as_torch


def _set(x, key, value):
    x[key] = value
    return x


CASES = {
    "0-d mask true": lambda lib: lib.tensor(0.5)[lib.tensor(0.5) > 0],
    "0-d mask false": lambda lib: lib.tensor(0.5)[lib.tensor(0.5) < 0],
    "0-d True tensor": lambda lib: lib.tensor(0.5)[lib.tensor(True)],
    "0-d mask write": lambda lib: _set(lib.tensor(0.5), lib.tensor(True), 3.0),
    "1-d with 0-d mask": lambda lib: lib.arange(3.0)[lib.tensor(False)],
    "0-d mask and index": lambda lib: lib.arange(6.0).reshape(2, 3)[lib.tensor(True), 1],
    "0-d flip": lambda lib: lib.tensor(0.5).flip(0),
    "0-d flip -1": lambda lib: lib.tensor(0.5).flip(-1),
    "copy_ shapes": lambda lib: lib.zeros(3, 4).copy_(lib.ones(4, 3)),
    "copy_ broadcast": lambda lib: lib.zeros(3, 4).copy_(lib.arange(4.0)),
    "bool mm": lambda lib: lib.ones(2, 2, dtype=lib.bool) @ lib.ones(2, 2, dtype=lib.bool),
    "bool dot": lambda lib: lib.matmul(lib.ones(2, dtype=lib.bool), lib.ones(2, dtype=lib.bool)),
    "bool mv": lambda lib: lib.mv(lib.ones(2, 2, dtype=lib.bool), lib.ones(2, dtype=lib.bool)),
    "bool vec-mat": lambda lib: lib.matmul(lib.ones(2, dtype=lib.bool),
                                           lib.ones(2, 2, dtype=lib.bool)),
    "bool bmm": lambda lib: lib.bmm(lib.ones(1, 2, 2, dtype=lib.bool),
                                    lib.ones(1, 2, 2, dtype=lib.bool)),
    "bool batched-vec": lambda lib: lib.matmul(lib.ones(3, 2, 2, dtype=lib.bool),
                                               lib.ones(2, dtype=lib.bool)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_index_and_product_edge_case_as_torch(name):
    same_as_torch(CASES[name])
