"""MultivariateNormal(precision_matrix=...) factors P with torch's linalg.cholesky, as
torch: one that is not positive-definite raises its error (validate_args=False included),
where jnp's Cholesky gave NaN scale_tril and log_prob silently."""

import pytest
import torch

import functorch_like as fl


def test_a_precision_that_is_not_positive_definite_raises_as_torch():
    def make(lib):
        return lib.distributions.MultivariateNormal(
            lib.zeros(2), precision_matrix=lib.tensor([[1.0, 2.0], [2.0, 1.0]]),
            validate_args=False)
    with pytest.raises(RuntimeError) as want:       # (torch's is torch.linalg.LinAlgError)
        make(torch)
    with pytest.raises(fl.linalg.LinAlgError) as got:
        make(fl)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("batch", [False, True])
def test_values_and_gradients_match_torch(batch):
    def run(lib):
        p = lib.tensor([[2.0, 0.5], [0.5, 1.0]])
        if batch:
            p = lib.stack([p, p * 3])
        p.requires_grad_(True)
        d = lib.distributions.MultivariateNormal(lib.zeros(2), precision_matrix=p)
        lp = d.log_prob(lib.tensor([0.3, -0.2]))
        lp.sum().backward()
        return lp.tolist(), d.scale_tril.tolist(), p.grad.tolist()
    got, want = run(fl), run(torch)
    for g, w in zip(got, want):
        assert torch.allclose(torch.tensor(g), torch.tensor(w), atol=1e-5)
