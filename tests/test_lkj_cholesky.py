"""distributions.LKJCholesky: torch's log_prob (values and gradients), shapes, support and
errors; samples that follow the LKJ marginals (every off-diagonal correlation
Beta(eta - 1 + dim/2, same) on [-1, 1]), where torch 2.13's own sampler does not past the
second row (see the class's parity note)."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

_L = [[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [-0.3, 0.4, (1 - 0.09 - 0.16) ** 0.5]]


@pytest.mark.parametrize("eta", [0.5, 1.0, 3.0])
def test_log_prob_and_its_gradient_match_torch(eta):
    def run(lib):
        c = lib.tensor(eta, requires_grad=True)
        lp = lib.distributions.LKJCholesky(3, c).log_prob(lib.tensor(_L))
        lp.backward()
        return lp.item(), c.grad.item()
    got, want = run(fl), run(torch)
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)


def test_batched_log_prob_shapes_and_expand_match_torch():
    def run(lib):
        d = lib.distributions.LKJCholesky(4, lib.tensor([0.5, 2.0]))
        return (d.log_prob(lib.eye(4)).tolist(), tuple(d.batch_shape), tuple(d.event_shape),
                tuple(d.sample((3,)).shape), tuple(d.expand((5, 2)).batch_shape), repr(d),
                str(d.support))
    got, want = run(fl), run(torch)
    assert got[0] == pytest.approx(want[0], rel=1e-5)
    assert got[1:] == want[1:]


@pytest.mark.parametrize("make", [lambda lib: lib.distributions.LKJCholesky(1),
                                  lambda lib: lib.distributions.LKJCholesky(3).log_prob(
                                      lib.eye(3) * 2)])
def test_errors_match_torch(make):
    check_raises(make)


def test_samples_are_lkj_distributed():
    fl.manual_seed(0)
    eta, dim, n = 2.0, 4, 4000
    s = fl.distributions.LKJCholesky(dim, eta).sample((n,))
    assert bool(fl.distributions.constraints.corr_cholesky.check(s).all())
    c = s @ s.transpose(-1, -2)
    want = 1.0 / (2 * (eta - 1 + dim / 2) + 1)     # Beta(b, b) on [-1, 1]: 1 / (2b + 1)
    for i, j in [(0, 1), (0, 3), (1, 2), (2, 3)]:
        assert abs(c[:, i, j].var().item() - want) < 0.015, (i, j)
        assert abs(c[:, i, j].mean().item()) < 0.03


def test_module_path_as_torch():
    from functorch_like.distributions.lkj_cholesky import LKJCholesky
    assert LKJCholesky is fl.distributions.LKJCholesky
