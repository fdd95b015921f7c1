"""Warnings torch 2.13 gives: kaiming initializers and Linear with a zero-element weight
("Initializing zero-element tensors is a no-op"), Module.to(a complex dtype), and a cast
of complex values to a real type (torch's UserWarning, once; JAX's DeprecationWarning
about its future refusal came instead)."""

import warnings

import pytest
import torch

import functorch_like as fl

CASES = {
    "kaiming_uniform_ empty": (lambda L: L.nn.init.kaiming_uniform_(L.empty(0, 3)),
                               "Initializing zero-element tensors is a no-op"),
    "kaiming_normal_ empty": (lambda L: L.nn.init.kaiming_normal_(L.empty(2, 0)),
                              "Initializing zero-element tensors is a no-op"),
    "Linear(0, 2)": (lambda L: L.nn.Linear(0, 2), "Initializing zero-element tensors is a no-op"),
    "Module.to(complex64)": (lambda L: L.nn.Linear(2, 2).to(L.complex64),
                             "Complex modules are a new feature under active development"),
}


@pytest.mark.parametrize("name", CASES)
def test_warns_as_torch(name):
    fn, text = CASES[name]
    for lib in (torch, fl):
        with pytest.warns(UserWarning, match=text):
            fn(lib)


def test_complex_to_real_cast_keeps_the_real_part_with_torchs_warning_only():
    x = fl.tensor([1 + 2j, -3 - 1j])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = [x.float(), fl.zeros(2).copy_(x), x.to(fl.float16), x.to(fl.int64)]
    assert [o.tolist() for o in out] == [[1.0, -3.0], [1.0, -3.0], [1.0, -3.0], [1, -3]]
    assert not any(issubclass(w.category, DeprecationWarning) for w in seen)
    from functorch_like._warn_once import _given
    assert "Casting complex values to real discards the imaginary part" in _given
