"""torch.func.vjp's vjp_fn checks its cotangents as torch's: the outputs' structure and
shapes (torch's RuntimeErrors, where JAX's ValueErrors came through), and takes an integer
cotangent, cast to the output's dtype."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises


def _single(lib):
    return lib.func.vjp(lambda v: v * 2, lib.ones(3))[1]


def _pair(lib):
    return lib.func.vjp(lambda v: (v * 2, v.sum()), lib.ones(3))[1]


REFUSED = {
    "shorter": lambda lib: _single(lib)(lib.ones(2)),
    "extra_dim": lambda lib: _single(lib)(lib.ones(1, 3)),
    "scalar": lambda lib: _single(lib)(lib.ones(())),
    "tuple_for_one": lambda lib: _single(lib)((lib.ones(3), lib.ones(3))),
    "one_for_tuple": lambda lib: _pair(lib)((lib.ones(3),)),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_cotangents_are_refused_as_torch(case):
    check_raises(REFUSED[case])


@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_other_dtypes_are_cast(dtype):
    def run(lib):
        return [g.tolist() for g in _single(lib)(lib.ones(3, dtype=getattr(lib, dtype)))]
    assert run(fl) == run(torch)
