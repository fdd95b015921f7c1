"""`x[index] = tensor` with tensor indices is torch's index_put, which refuses a tensor of
another dtype (it was cast silently); basic indexing and one value through a single bool
mask (masked_fill_) cast, as in torch."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import outcome


def _index(kind, lib):
    return {"int tensor": lambda: lib.tensor([0, 2]), "list": lambda: [0, 2],
            "bool mask": lambda: lib.tensor([True, False, True]),
            "mask and slice": lambda: (slice(None), lib.tensor([True, False, True])),
            "int tensor and int": lambda: (1, lib.tensor([0, 2])),
            "numpy array": lambda: np.array([0, 2]), "slice": lambda: slice(0, 2),
            "ellipsis and mask": lambda: (Ellipsis, lib.tensor([True, False, True])),
            "uint8 mask": lambda: lib.tensor([1, 0, 1], dtype=lib.uint8)}[kind]()


def _value(kind, lib):
    return {"float": lambda: lib.tensor([2.7, -3.2]), "float 0-d": lambda: lib.tensor(2.7),
            "float 1 element": lambda: lib.tensor([2.7]), "python float": lambda: 2.7,
            "int32": lambda: lib.tensor([2, 3], dtype=lib.int32),
            "bool": lambda: lib.tensor([True, False]),
            "float64": lambda: lib.tensor([2.7, -3.2], dtype=lib.float64),
            "int64 0-d": lambda: lib.tensor(5)}[kind]()


def _write(dst, index, value):
    def run(lib):
        two_d = index in ("mask and slice", "int tensor and int", "ellipsis and mask")
        x = lib.zeros((2, 3) if two_d else (3,), dtype=getattr(lib, dst))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # (the uint8 mask's deprecation)
            x[_index(index, lib)] = _value(value, lib)
        return x
    return run


_INDICES = ["int tensor", "list", "bool mask", "mask and slice", "int tensor and int",
            "numpy array", "slice", "ellipsis and mask", "uint8 mask"]
_SAME_STORAGE = ["float", "float 0-d", "float 1 element", "python float", "bool", "int64 0-d"]


@pytest.mark.parametrize("dst", ["int64", "float32"])
@pytest.mark.parametrize("index", _INDICES)
def test_advanced_index_writes_check_dtypes_as_torch(dst, index):
    # (int32 and float64 values need x64 to be told apart: the test below)
    for value in _SAME_STORAGE:
        call = _write(dst, index, value)
        assert outcome(call, fl) == outcome(call, torch), value


@pytest.mark.parametrize("index", ["int tensor", "bool mask", "slice", "mask and slice"])
def test_with_64_bit_types(x64, index):
    for dst in ("int64", "float32", "float64"):
        for value in ("int32", "float64", "float", "float 0-d"):
            call = _write(dst, index, value)
            assert outcome(call, fl) == outcome(call, torch), (dst, value)


@pytest.mark.parametrize("index", ["0-d int tensor", "0-d int tensor and slice",
                                   "mask of another shape", "int and 0-d int tensor"])
def test_basic_indices_and_shape_errors_come_first_as_torchs(index):
    # (a 0-d integer tensor indexes as an int: a cast copy, no dtype error; a shape error
    # is raised before the dtype check)
    def call(lib):
        x = lib.zeros(3, 2, dtype=lib.int64)
        x[{"0-d int tensor": lambda: lib.tensor(1),
           "0-d int tensor and slice": lambda: (lib.tensor(1), slice(None)),
           "mask of another shape": lambda: lib.tensor([True]),
           "int and 0-d int tensor": lambda: (0, lib.tensor(1))}[index]()] = \
            lib.tensor([2.7, 1.2])
        return x
    assert outcome(call, fl) == outcome(call, torch)
