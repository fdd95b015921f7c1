"""poisson, binomial, cauchy_, log_normal_ and geometric_: torch's checks, dtypes and
distributions (the streams are JAX's, so values are compared by their statistics)."""

import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl


@pytest.mark.parametrize("draw", [
    lambda L: L.poisson(L.tensor([-1.0])), lambda L: L.poisson(L.tensor([1, 2])),
    lambda L: L.empty(2).geometric_(1.5), lambda L: L.empty(2).geometric_(0.0),
    lambda L: L.empty(2).log_normal_(0, -1.0), lambda L: L.empty(2).cauchy_(0, -1.0)])
def test_invalid_parameters_raise_torchs_errors(draw):
    check_raises(draw)


def _statistics(L):
    L.manual_seed(0)
    n = 20000
    counts = L.poisson(L.full((n,), 4.0))
    trials = L.binomial(L.full((n,), 10.0), L.full((n,), 0.3))
    waits = L.empty(n).geometric_(0.25)
    logs = L.empty(n).log_normal_(0.0, 0.5).log()
    spread = L.empty(n).cauchy_(1.0, 2.0)
    return [str(counts.dtype), round(counts.mean().item(), 1), round(counts.var().item(), 1),
            bool((counts == counts.round()).all()), round(trials.mean().item(), 1),
            0 <= trials.min().item() and trials.max().item() <= 10,
            round(waits.mean().item(), 1), waits.min().item(),
            round(logs.mean().item(), 1), round(logs.std().item(), 1),
            round(spread.median().item(), 1)]


def test_samples_follow_torchs_distributions():
    assert _statistics(fl) == _statistics(torch)


def test_draws_repeat_with_the_seed_and_the_rate_gets_a_zero_gradient():
    fl.manual_seed(5)
    first = fl.poisson(fl.full((4,), 3.0)).tolist()
    fl.manual_seed(5)
    assert fl.poisson(fl.full((4,), 3.0)).tolist() == first
    rate = fl.tensor([2.0], requires_grad=True)
    fl.poisson(rate).sum().backward()
    assert rate.grad.tolist() == [0.0]
