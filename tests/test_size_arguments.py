"""Sizes are ints, as torch's argument parser wants them: a float (the `/` for `//` slip),
a bool or a float tensor raises TypeError where it was truncated (`x.view(n / 4, -1)`
took 2.5 as 2 and inferred the rest); NumPy integers and one-element integer tensors
are sizes."""

import numpy as np
import pytest
import torch

import functorch_like as fl

REFUSED = {
    "view": lambda lib: lib.arange(10.0).view(2.5, -1),
    "view one float": lambda lib: lib.arange(10.0).view(10.0),
    "reshape tuple": lambda lib: lib.arange(10.0).reshape((2.0, 5)),
    "zeros tuple": lambda lib: lib.zeros((2, 1.5)),
    "ones float": lambda lib: lib.ones(2.0),
    "zeros bool": lambda lib: lib.zeros(True),
    "zeros float tensor": lambda lib: lib.zeros(lib.tensor(2.7)),
    "repeat": lambda lib: lib.arange(3.0).repeat(2.5),
    "rand": lambda lib: lib.rand(2.5),
    "randn tuple": lambda lib: lib.randn((2.9,)),
    "full": lambda lib: lib.full((2.5,), 1.0),
    "empty": lambda lib: lib.empty(2.5),
    "new_zeros": lambda lib: lib.arange(3.0).new_zeros(2.5),
    "permute": lambda lib: lib.ones(2, 3).permute(1.0, 0),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_size_that_is_not_an_int_raises_torchs_type_error(name):
    with pytest.raises(TypeError) as want:
        REFUSED[name](torch)
    with pytest.raises(TypeError) as got:
        REFUSED[name](fl)
    if "must be tuple of ints, " in str(want.value):  # (torch words some overloads its way)
        assert str(got.value).split("(): ")[1] == str(want.value).split("(): ")[1]


ACCEPTED = {
    "numpy int": lambda lib: lib.arange(10.0).view(np.int64(2), 5),
    "int tensor": lambda lib: lib.arange(10.0).view(lib.tensor(2), 5),
    "torch.Size": lambda lib: lib.zeros(lib.ones(2, 3).size()),
    "zeros numpy int": lambda lib: lib.zeros(np.int32(3)),
    "expand -1": lambda lib: lib.ones(1, 3).expand(2, -1),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_integer_like_sizes_are_taken_as_torchs(name):
    assert tuple(ACCEPTED[name](fl).shape) == tuple(ACCEPTED[name](torch).shape)
