"""nn.utils.parametrize.transfer_parametrizations_and_params, as torch's: the
parametrizations registered on the target, its originals sharing the source's, a missing
tensor made, and nothing done for an unparametrized source."""

import torch

import functorch_like as fl


def _run(lib):
    P = lib.nn.utils.parametrize

    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)
    a, b = lib.nn.Linear(3, 3), lib.nn.Linear(3, 3)
    with lib.no_grad():
        a.weight.copy_(lib.arange(9.0).reshape(3, 3))
        b.weight.copy_(lib.ones(3, 3))
    P.register_parametrization(a, "weight", Symmetric())
    out = [P.transfer_parametrizations_and_params(a, b) is b, b.weight.tolist(),
           type(b).__name__, P.is_parametrized(b, "weight")]
    with lib.no_grad():
        a.parametrizations.weight.original.mul_(2)     # (shared: b follows)
    out.append(b.weight.tolist())
    c = lib.nn.Module()
    P.transfer_parametrizations_and_params(a, c, "weight")
    out.append(c.weight.tolist())
    plain = lib.nn.Linear(2, 2)
    out.append(P.transfer_parametrizations_and_params(plain, b) is b)
    return out


def test_transfer_matches_torch():
    assert _run(fl) == _run(torch)
