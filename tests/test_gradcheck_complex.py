"""gradcheck with complex outputs and complex inputs, against torch 2.13: a complex output
is checked as its imaginary and real parts (it was dropped, so a wrong backward passed),
and a complex input's numerical Jacobian is ds/dx + i ds/dy (it moved the real part only,
so a right backward failed)."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of


def _wrong_complex_backward(lib):
    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * (1 + 1j)

        @staticmethod
        def backward(ctx, g):
            return (g * 5).real          # wrong on purpose
    return Wrong.apply


def _wrong_holomorphic_backward(lib):
    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            return z * 2

        @staticmethod
        def backward(ctx, g):
            return g * 7                 # wrong on purpose
    return Wrong.apply


CASES = {
    "wrong_real_to_complex": (lambda lib: _wrong_complex_backward(lib), "real"),
    "abs_of_complex": (lambda lib: (lambda z: z.abs()), "complex"),
    "abs_of_square": (lambda lib: (lambda z: (z * z).abs()), "complex"),
    "square": (lambda lib: (lambda z: z * z), "complex"),
    "exp_and_real": (lambda lib: (lambda z: (z.exp(), z.real * 2)), "complex"),
    "real_to_complex": (lambda lib: (lambda x: x.sin() * 1j), "real"),
    "wrong_holomorphic": (lambda lib: _wrong_holomorphic_backward(lib), "complex"),
}


def _input(lib, kind):
    if kind == "real":
        return lib.tensor([0.3, -1.2], dtype=lib.float64, requires_grad=True)
    return lib.tensor([1 + 2j, 3 - 1j], dtype=lib.complex128, requires_grad=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradcheck_verdict_is_torchs(case, x64):
    make, kind = CASES[case]
    got, want = (lib.autograd.gradcheck(make(lib), (_input(lib, kind),),
                                        raise_exception=False) for lib in (fl, torch))
    assert got == want


def test_gradcheck_error_names_the_part_of_a_complex_output_as_torch(x64):
    errors = [error_of(lambda: lib.autograd.gradcheck(_wrong_holomorphic_backward(lib),
                                                      (_input(lib, "complex"),)))
              for lib in (fl, torch)]
    assert errors[0] == errors[1] and errors[0][0] == "GradcheckError"


def test_gradgradcheck_of_a_complex_input_passes_as_torch(x64):
    for lib in (fl, torch):
        assert lib.autograd.gradgradcheck(lambda z: (z * z).abs(), (_input(lib, "complex"),))
