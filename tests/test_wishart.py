"""distributions.Wishart as torch's: log_prob and its gradients, mean/mode/variance/entropy,
the three parametrizations, batch shapes and expand, the same-family KL, errors and the
low-df warning; samples (Bartlett's decomposition) with the Wishart moments."""

import warnings

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

_S = [[2.0, 0.3], [0.3, 1.0]]
_X = [[3.0, 0.5], [0.5, 2.0]]


def _close(got, want):
    assert torch.allclose(torch.tensor(got), torch.tensor(want), rtol=1e-5, atol=1e-5,
                          equal_nan=True)


def test_values_match_torch():
    def run(lib):
        S = lib.tensor(_S)
        d = lib.distributions.Wishart(lib.tensor(4.0), covariance_matrix=S)
        out = [d.mean.tolist(), d.mode.tolist(), d.variance.tolist(), d.entropy().item(),
               d.log_prob(lib.tensor(_X)).item(), repr(d), tuple(d.batch_shape),
               tuple(d.event_shape), str(d.support),
               lib.distributions.Wishart(4.0, precision_matrix=S).covariance_matrix.tolist(),
               lib.distributions.Wishart(lib.tensor([4.0, 5.0]), scale_tril=lib.linalg.cholesky(
                   S)).log_prob(lib.tensor(_X)).tolist(),
               d.expand((2,)).log_prob(lib.tensor(_X)).tolist()]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(lib.distributions.Wishart(lib.tensor(1.5), covariance_matrix=S)
                       .mode.tolist())
        return out
    got, want = run(fl), run(torch)
    for g, w in zip(got, want):
        if isinstance(w, (str, tuple)):
            assert g == w
        else:
            _close(g, w)


def test_gradients_and_kl_match_torch():
    def run(lib):
        df = lib.tensor(5.0, requires_grad=True)
        S = lib.tensor(_S, requires_grad=True)
        lib.distributions.Wishart(df, covariance_matrix=S).log_prob(lib.tensor(_X)).backward()
        p = lib.distributions.Wishart(lib.tensor(4.0), covariance_matrix=lib.tensor(_S))
        q = lib.distributions.Wishart(lib.tensor(6.0), covariance_matrix=lib.tensor(_S) * 1.5)
        return df.grad.item(), S.grad.tolist(), lib.distributions.kl_divergence(p, q).item()
    for g, w in zip(run(fl), run(torch)):
        _close(g, w)


@pytest.mark.parametrize("make", [
    lambda lib: lib.distributions.Wishart(lib.tensor(0.5), covariance_matrix=lib.tensor(_S)),
    lambda lib: lib.distributions.Wishart(lib.tensor(4.0)),
    lambda lib: lib.distributions.Wishart(lib.tensor(4.0), covariance_matrix=lib.tensor(_S),
                                          scale_tril=lib.tensor(_S))])
def test_errors_match_torch(make):
    check_raises(make)


def test_low_df_warns_as_torch():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.distributions.Wishart(lib.tensor(1.5), covariance_matrix=lib.tensor(_S))
        return [str(w.message) for w in caught]
    assert run(fl) == run(torch)


def test_samples_have_the_wishart_moments():
    fl.manual_seed(0)
    S = torch.tensor(_S)
    s = fl.distributions.Wishart(fl.tensor(6.0), covariance_matrix=fl.tensor(_S)).rsample(
        (20000,))
    mean, var = torch.tensor(s.mean(0).tolist()), torch.tensor(s.var(0).tolist())
    want_var = 6 * (S ** 2 + torch.outer(S.diagonal(), S.diagonal()))
    assert torch.allclose(mean, 6 * S, rtol=0.03, atol=0.05)
    assert torch.allclose(var, want_var, rtol=0.08)
