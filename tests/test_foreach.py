"""torch._foreach_* against torch 2.13: values, argument forms (number, list of numbers,
tensor, list of tensors, alpha), in-place forms, checks and gradients."""

import pytest
import torch

import functorch_like as fl


def _show(r):
    if isinstance(r, (list, tuple)):
        return [_show(x) for x in r]
    if hasattr(r, "tolist"):
        values = r.tolist() if r.ndim else [r.item()]
        return [round(v, 4) if isinstance(v, float) else v for v in values]
    return r


def _outcome(fn, L):
    try:
        return _show(fn(L))
    except Exception as err:         # noqa: BLE001 - the error is the outcome compared
        return type(err).__name__, str(err)


CASES = [
    lambda L: L._foreach_add([L.ones(2)], [L.ones(2), L.ones(2)]),
    lambda L: L._foreach_add([L.ones(2)], [1.0, 2.0]),
    lambda L: L._foreach_add([L.ones(2)], [L.ones(2)], alpha=2),
    lambda L: L._foreach_add([L.ones(2), L.ones(3)], L.tensor(3.0)),
    lambda L: L._foreach_add_([], 1),
    lambda L: L._foreach_sub([L.ones(2)], [L.ones(2)], alpha=3),
    lambda L: L._foreach_sub([L.ones(2)], 1.0, alpha=3),
    lambda L: L._foreach_mul([L.ones(2)], [L.ones(3)]),
    lambda L: L._foreach_div([L.ones(2), L.ones(1)], [2.0, 4.0]),
    lambda L: L._foreach_pow(2.0, [L.tensor([1.0, 3.0])]),
    lambda L: L._foreach_pow([L.full((2,), 2.0)], [3.0]),
    lambda L: L._foreach_maximum([L.tensor([1.0, 5.0])], 3.0),
    lambda L: L._foreach_clamp_min([L.tensor([-1.0, 2.0])], 0.0),
    lambda L: L._foreach_lerp([L.zeros(2)], [L.ones(2)], 0.25),
    lambda L: L._foreach_lerp([L.zeros(2)], [L.ones(2)], [L.tensor(0.5)]),
    lambda L: L._foreach_addcmul([L.zeros(2)], [L.ones(2)], [L.full((2,), 2.0)], [1.5]),
    lambda L: L._foreach_addcdiv([L.zeros(2)], [L.ones(2)], [L.full((2,), 2.0)],
                                 L.tensor([3.0])),
    lambda L: L._foreach_norm([L.ones(2), L.tensor([3.0, -4.0])], 1),
    lambda L: L._foreach_norm([L.tensor([3.0, -4.0])], float("inf")),
    lambda L: L._foreach_max([L.tensor([1.0, 3.0]), L.tensor([2.0])]),
    lambda L: L._foreach_powsum([L.tensor([-1.0, 3.0])], 1),
    lambda L: L._foreach_sqrt([L.tensor([4.0, 9.0])]),
    lambda L: L._foreach_sigmoid([L.tensor([0.0, 2.0])]),
    lambda L: L._foreach_clone([L.ones(1)]),
    lambda L: L._foreach_mm([L.ones(2, 2)], [L.ones(2, 1)]),
]


@pytest.mark.parametrize("case", CASES)
def test_foreach_ops_give_torchs_values_and_errors(case):
    assert _outcome(case, fl) == _outcome(case, torch)


def test_an_unexpected_alpha_is_a_type_error_as_in_torch():
    for L in (fl, torch):
        with pytest.raises(TypeError):
            L._foreach_mul([L.ones(2)], 3.0, alpha=2)


def _in_place_run(L):
    a, b = [L.ones(2), L.tensor([2.0, 4.0])], [L.ones(2), L.ones(2)]
    returned = L._foreach_mul_(a, 0.5)
    L._foreach_add_(a, b, alpha=0.1)
    L._foreach_lerp_(a, b, 0.5)
    L._foreach_addcdiv_(a, b, b, value=2.0)
    L._foreach_sqrt_(a)
    L._foreach_copy_(b, a)
    L._foreach_neg_(b)
    return _show(a), _show(b), returned is a


def test_in_place_forms_update_each_tensor_and_return_the_list():
    assert _in_place_run(fl) == _in_place_run(torch)


def _ema_grad_run(L):
    w = [L.tensor([1.0, 2.0], requires_grad=True), L.tensor([0.5], requires_grad=True)]
    out = L._foreach_exp(L._foreach_mul(w, 3.0))
    (out[0].sum() + out[1].sum()).backward()
    return _show([p.grad for p in w])


def test_gradients_flow_through_the_out_of_place_forms():
    assert _ema_grad_run(fl) == _ema_grad_run(torch)
