"""A user's ExponentialFamily subclass gets PyTorch's generic entropy and KL (through the
gradient of its log-normalizer), as torch's; StudentT's df checks name Chi2, as torch's."""

import pytest
import torch

import functorch_like as fl


def _family(lib):
    class Family(lib.distributions.ExponentialFamily):
        arg_constraints = {}

        def __init__(self, rate):
            self.rate = rate
            super().__init__(rate.shape, validate_args=False)

        @property
        def _natural_params(self):
            return (self.rate.log(),)

        def _log_normalizer(self, x):
            return x.exp()

        @property
        def _mean_carrier_measure(self):
            return 0
    return Family


def _run(lib):
    family = _family(lib)
    p, q = family(lib.tensor([1.0, 2.0])), family(lib.tensor([2.0, 3.5]))
    return (p.entropy().tolist(), lib.distributions.kl_divergence(p, q).tolist(),
            lib.distributions.kl_divergence(q, p).tolist())


def test_generic_entropy_and_kl_match_torch():
    for got, want in zip(_run(fl), _run(torch)):
        assert torch.allclose(torch.tensor(got), torch.tensor(want), atol=1e-6)


def test_across_families_is_refused_as_torch():
    def run(lib):
        family = _family(lib)
        with pytest.raises(NotImplementedError) as err:
            lib.distributions.kl_divergence(family(lib.tensor([1.0])),
                                            lib.distributions.Poisson(lib.tensor([1.0])))
        return str(err.value)
    assert run(fl) == run(torch)


def test_student_t_df_check_names_chi2():
    def run(lib):
        with pytest.raises(ValueError) as err:
            lib.distributions.StudentT(lib.tensor([0.0]), validate_args=True)
        return str(err.value)
    assert run(fl) == run(torch)
