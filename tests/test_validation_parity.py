"""Argument checks of losses and pad that torch makes and this library skipped (it
computed a number instead): probability targets with ignore_index, non-constant padding
of unsupported ranks, integer or bool targets of the binary cross entropies."""

import warnings

import pytest
import torch as real

import functorch_like as torch

_CASES = {
    "cross_entropy probs ignore_index": lambda lib: lib.nn.functional.cross_entropy(
        lib.ones(2, 3), lib.full((2, 3), 1 / 3), ignore_index=0),
    "cross_entropy probs default ignore_index": lambda lib: lib.nn.functional.cross_entropy(
        lib.ones(2, 3), lib.full((2, 3), 1 / 3)).item(),
    "reflect 1-d": lambda lib: lib.nn.functional.pad(lib.arange(3.), (1, 1), mode="reflect"),
    "replicate 5-d by 2": lambda lib: lib.nn.functional.pad(lib.zeros(2, 3, 4, 5, 6), (1, 1),
                                                           mode="replicate"),
    "circular 2-d by 4": lambda lib: lib.nn.functional.pad(lib.zeros(3, 4), (1, 1, 1, 1),
                                                          mode="circular"),
    "reflect 2-d by 2": lambda lib: tuple(lib.nn.functional.pad(
        lib.zeros(3, 4), (1, 1), mode="reflect").shape),
    "reflect 3-d by 4": lambda lib: tuple(lib.nn.functional.pad(
        lib.zeros(2, 3, 4), (1, 1, 1, 1), mode="reflect").shape),
    "bce logits bool target": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(3), lib.tensor([True, False, True])),
    "bce logits uint8 target": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(3), lib.tensor([1, 0, 1], dtype=lib.uint8)),
    "bce logits long target": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(3), lib.tensor([1, 0, 1])),
    "bce bool target": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.full((3,), 0.5), lib.tensor([True, False, True])),
    "bce long target": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.full((3,), 0.5), lib.tensor([1, 0, 1]), reduction="none"),
    "bce size first": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.full((3,), 0.5), lib.tensor([1, 0])),
    "bce logits size first": lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(3), lib.tensor([1, 0])),
    "bce float target": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.full((3,), 0.5), lib.tensor([1., 0, 1])).item(),
}


def _outcome(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn()
    except Exception as err:                            # noqa: BLE001 (compared below)
        return type(err).__name__, str(err)
    return "ok", round(result, 5) if isinstance(result, float) else result


@pytest.mark.parametrize("name", list(_CASES))
def test_argument_checks_as_torch(name):
    assert _outcome(lambda: _CASES[name](torch)) == _outcome(lambda: _CASES[name](real))
