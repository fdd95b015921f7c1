"""floor_divide has no derivative in torch: its grad_fn is NotImplemented and a backward
through it raises; rounded div has DivBackward2 and the zero gradient."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of, same_as_torch

_CALLS = {
    "//": lambda t: t // 2,
    "floor_divide": lambda t: t.floor_divide(2),
    "reflected": lambda t: 2 // (t + 1),
    "by a tensor": lambda t: t // (t + 1),
    "used with zero weight": lambda t: (t // 2) * 0 + t,
}


def _backward(lib, call):
    t = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = call(t)
    name = type(out.grad_fn).__name__
    return name, error_of(lambda: out.sum().backward()), t.grad


@pytest.mark.parametrize("name", list(_CALLS))
def test_backward_through_floor_divide_raises_as_torchs(name):
    ours, theirs = _backward(fl, _CALLS[name]), _backward(torch, _CALLS[name])
    assert ours[:2] == theirs[:2]
    assert ours[1] is not None and ours[2] is None


def test_in_place_floor_divide_names_its_in_place_op():
    def run(lib):
        u = lib.tensor([1.0, 2.0], requires_grad=True)
        v = u.clone()
        v //= 2
        w = u.clone().floor_divide_(3)
        return (type(v.grad_fn).__name__, error_of(lambda: v.sum().backward()),
                error_of(lambda: w.sum().backward()))
    assert run(fl) == run(torch)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_rounded_div_has_the_zero_gradient_as_torchs(mode):
    def run(lib):
        t = lib.tensor([1.5, -2.5, 3.0], requires_grad=True)
        out = t.div(2, rounding_mode=mode)
        out.sum().backward()
        return type(out.grad_fn).__name__, t.grad.tolist(), out.tolist()
    assert run(fl) == run(torch)


def test_forward_values_and_integer_floor_divide_are_unchanged():
    for call in (lambda lib: lib.tensor([-7.0, 7.5, 0.0]) // lib.tensor([2.0, -2.0, 3.0]),
                 lambda lib: lib.tensor([-7, 7, 9]) // 2,
                 lambda lib: lib.tensor([-7, 7]) // 0):
        same_as_torch(call)


def test_compiled_step_through_floor_divide_raises_torchs_error():
    w = fl.nn.Parameter(fl.tensor([1.0, 2.0]))

    @fl.compile
    def step():
        loss = (w // 2).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not"):
        step()

