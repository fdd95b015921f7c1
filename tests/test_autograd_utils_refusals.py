"""torch's errors for misuses a probe of autograd and nn.utils found accepted or
mis-reported: autograd.grad with no inputs, with allow_unused=False and
materialize_grads, with fewer grad_outputs than outputs, of an output that needs no grad;
torch.func.grad of a Python number; clamp/clip of a number; get_total_norm of integer
tensors; clip_grads_with_norm_ given a float total norm (the gradients left alone)."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises


def _x(lib):
    return lib.ones(2, requires_grad=True)


CASES = {
    "grad_no_inputs": lambda lib: lib.autograd.grad(_x(lib).sum(), []),
    "grad_materialize_not_unused": lambda lib: lib.autograd.grad(
        (_x(lib) * 2).sum(), [_x(lib)], allow_unused=False, materialize_grads=True),
    "grad_fewer_grad_outputs": lambda lib: (lambda x: lib.autograd.grad(
        [(x * 2).sum(), (x * 3).sum()], x, [lib.tensor(1.0)]))(_x(lib)),
    "grad_output_needs_no_grad": lambda lib: lib.autograd.grad(lib.ones(2).sum(),
                                                              lib.ones(2)),
    "func_grad_of_a_float": lambda lib: lib.func.grad(lambda v: v * 2)(3.0),
    "clamp_of_a_float": lambda lib: lib.clamp(0.2, max=1.0),
    "clip_of_floats": lambda lib: lib.clip(0.2, 0.0, 1.0),
    "total_norm_of_ints": lambda lib: lib.nn.utils.get_total_norm([lib.tensor([3, 4])]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refusals_match_torch(case):
    check_raises(CASES[case])


def test_extra_grad_outputs_are_unread_as_in_torch():
    def run(lib):
        x = _x(lib)
        return lib.autograd.grad([(x * 2).sum()], x, [lib.tensor(1.0), lib.tensor(5.0)])
    assert [g.tolist() for g in run(fl)] == [g.tolist() for g in run(torch)]


def test_clip_grads_with_a_float_norm_is_refused_and_leaves_the_grads():
    def run(lib):
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.tensor([3.0, 4.0])
        with pytest.raises(TypeError) as err:
            lib.nn.utils.clip_grads_with_norm_([p], 1.0, 5.0)
        return str(err.value), p.grad.tolist()
    assert run(fl) == run(torch)
