"""Dtype edges against torch 2.13: arange with an integer dtype and fractional numbers
(start and step truncate; int64 takes its length from the truncated numbers: the length
differed), addcmul's value converted to an integer result dtype (the result was float),
addcdiv's refusal of integer division, bool addcmul, and complex values tested for
non-zero by both parts (any/all and copy_ into bool read the real part only)."""

import random

import pytest
import torch

import functorch_like as ft


def _outcome(lib, call):
    try:
        out = call(lib)
    except Exception as e:          # noqa: BLE001 (the outcome compared is any exception)
        return type(e).__name__, str(e)
    return out.tolist() if hasattr(out, "tolist") else out


def _arange_cases():
    rnd = random.Random(0)
    cases = [((-0.5, 3, 0.7), "int32"), ((0.5, 4, 1.5), "int64"), ((2.5, -3.7, -1.2), "int32"),
             ((2.5, -3.7, -1.2), "int64"), ((0.3, 9.9, 2.5), "int64"), ((-7.9, 7.9, 1.9), "int16"),
             ((9.5, 0.2, -2.2), "int64"), ((0, 9, 3), "int64"), ((0.5, 0.9, 0.1), "int64"),
             ((0, 5, 2), "uint8"), ((1, 10, 3), None), ((10, 0, -3), None), ((0, 0), None)]
    for _ in range(40):
        a, b = rnd.randint(-20, 20), rnd.randint(-20, 20)
        c = rnd.choice([1, 2, 3, 5, -1, -2, -4])
        cases += [((a, b, c), None), ((a + 0.5, b - 0.3, c * 1.3), "int64")]
    return cases


@pytest.mark.parametrize("args, dtype", _arange_cases())
def test_arange_integer_dtypes_as_torch(args, dtype):
    def call(lib):
        return lib.arange(*args, **({} if dtype is None else {"dtype": getattr(lib, dtype)}))
    assert _outcome(ft, call) == _outcome(torch, call)


ADDC = {
    "addcmul int value 0.5": lambda L: L.addcmul(L.tensor([-5, 0, 7]), L.tensor([-5, 0, 7]),
                                                 L.tensor([-5, 0, 7]), value=0.5),
    "addcmul int value 2.7": lambda L: L.addcmul(L.tensor([-5, 0, 7]), L.tensor([-5, 0, 7]),
                                                 L.tensor([-5, 0, 7]), value=2.7),
    "addcmul_ method": lambda L: L.tensor([-5, 0, 7]).addcmul(L.tensor([1, 2, 3]),
                                                              L.tensor([1, 2, 3]), value=1.9),
    "addcmul mixed": lambda L: L.addcmul(L.tensor([-5, 0, 7]), L.tensor([-5.0, 0, 7]),
                                         L.tensor([-5, 0, 7]), value=0.5),
    "addcmul bool": lambda L: L.addcmul(L.tensor([True]), L.tensor([True]), L.tensor([True])),
    "addcdiv ints": lambda L: L.addcdiv(L.tensor([-5, 0, 7]), L.tensor([-5, 0, 7]),
                                        L.tensor([1, 2, 3]), value=2),
    "addcdiv float input": lambda L: L.addcdiv(L.tensor([-5.0, 0, 7]), L.tensor([-5, 0, 7]),
                                               L.tensor([1, 2, 3]), value=2),
    "addcdiv float tensor1": lambda L: L.addcdiv(L.tensor([-5, 0, 7]), L.tensor([-5.0, 0, 7]),
                                                 L.tensor([1, 2, 3]), value=2),
}


@pytest.mark.parametrize("name", sorted(ADDC))
def test_addcmul_addcdiv_dtypes_as_torch(name):
    assert _outcome(ft, ADDC[name]) == _outcome(torch, ADDC[name])


def test_complex_tested_for_nonzero_by_both_parts():
    def run(lib):
        c = lib.tensor([1 + 1j, 0j, -2j])
        b = lib.zeros(3, dtype=lib.bool)
        b.copy_(c)
        return (b.tolist(), lib.tensor([-2j]).any().item(), lib.tensor([3j]).all().item(),
                c.any(0).item(), lib.tensor([[0j, 1j]]).all(1).tolist())
    assert run(ft) == run(torch) == ([True, False, True], True, True, True, [False])
