"""nn.utils.parametrize, parametrizations.weight_norm/spectral_norm and the older
nn.utils.weight_norm against real PyTorch: class names, reprs, parameter names and
state_dict keys, values and gradients after loading PyTorch's state, the right_inverse
setter, caching and removal."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import functorch_like as fl
import functorch_like.nn as nn
from functorch_like.nn.utils import parametrize

X = np.random.default_rng(2).standard_normal((2, 3)).astype(np.float32)


def _pair(build):
    """The same parametrized Linear(3, 4) in both libraries, ours loaded with PyTorch's
    state (weights and spectral norm's power-iteration vectors)."""
    ref, got = build(torch, torch.nn.Linear(3, 4)), build(fl, nn.Linear(3, 4))
    got.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ref, got


def _compare(ref, got):
    assert repr(got) == repr(ref)
    assert list(got.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in got.named_parameters()] == [n for n, _ in ref.named_parameters()]
    ref(torch.tensor(X)).pow(2).sum().backward()
    got(fl.tensor(X)).pow(2).sum().backward()
    for (name, p), (_, q) in zip(ref.named_parameters(), got.named_parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=name)
    for (name, b), (_, c) in zip(ref.named_buffers(), got.named_buffers()):
        np.testing.assert_allclose(c.numpy(), b.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("kind", ["weight_norm", "weight_norm_dim_none", "spectral_norm"])
def test_parametrizations_match_torch(kind):
    def build(lib, m):
        P = lib.nn.utils.parametrizations
        if kind == "spectral_norm":
            return P.spectral_norm(m)
        return P.weight_norm(m, dim=None if kind.endswith("none") else 0)
    ref, got = _pair(build)
    assert type(got).__name__ == "ParametrizedLinear"
    np.testing.assert_allclose(got.weight.detach().numpy(), ref.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    _compare(ref, got)


def test_old_weight_norm_and_removal():
    def build(lib, m):
        with pytest.warns(FutureWarning):
            return lib.nn.utils.weight_norm(m)
    ref, got = _pair(build)
    assert got.weight_g.shape == ref.weight_g.shape == (4, 1)
    _compare(ref, got)
    for lib, m in ((torch, ref), (fl, got)):
        lib.nn.utils.remove_weight_norm(m)
    assert list(got.state_dict()) == list(ref.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(got.weight.detach().numpy(), ref.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        nn.utils.remove_weight_norm(got)


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).T

    def right_inverse(self, a):
        return a.triu()


def test_register_set_cache_and_remove():
    m = nn.Linear(3, 3)
    original = m.weight
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert m.parametrizations.weight.original is original
    assert parametrize.type_before_parametrizations(m) is nn.Linear
    w = m.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    target = fl.tensor(np.arange(9.0, dtype=np.float32).reshape(3, 3))
    target = target + target.T
    m.weight = target                         # through right_inverse into `original`
    np.testing.assert_array_equal(m.weight.detach().numpy(), target.numpy())
    with parametrize.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and m.weight is original and "parametrizations" not in dict(
        m.named_children())
    np.testing.assert_array_equal(m.weight.detach().numpy(), target.numpy())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(m, "weight")
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a"):
        parametrize.register_parametrization(m, "nope", Symmetric())


def _orthogonal_linear(lib, shape, **kwargs):
    lin = lib.nn.Linear(shape[1], shape[0], bias=False)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(np.random.default_rng(1).standard_normal(shape)
                                    .astype(np.float32)))
    return lib.nn.utils.parametrizations.orthogonal(lin, **kwargs)


@pytest.mark.parametrize("shape, kwargs", [
    ((4, 4), {}), ((4, 4), {"orthogonal_map": "cayley"}),
    ((4, 4), {"orthogonal_map": "householder", "use_trivialization": False}),
    ((4, 4), {"orthogonal_map": "matrix_exp", "use_trivialization": False}),
    ((5, 3), {}), ((3, 5), {"orthogonal_map": "householder", "use_trivialization": False}),
    ((3, 5), {"orthogonal_map": "cayley", "use_trivialization": False})])
def test_orthogonal_weights_and_training_match_torch(shape, kwargs):
    """The parametrized weight at registration and after three SGD steps, and the
    state_dict's entries, as torch's (square weights, or no trivialization: nothing is
    drawn at random)."""
    results = []
    for lib in (torch, fl):
        lin = _orthogonal_linear(lib, shape, **kwargs)
        weights = [lin.weight.detach().numpy().copy()]
        opt = lib.optim.SGD(lin.parameters(), lr=0.1)
        x = lib.tensor(np.linspace(-1, 1, 2 * shape[1], dtype=np.float32).reshape(2, -1))
        for _ in range(3):
            opt.zero_grad()
            lin(x).pow(3).sum().backward()
            opt.step()
            weights.append(lin.weight.detach().numpy().copy())
        results.append((weights, {k: tuple(v.shape) for k, v in lin.state_dict().items()}))
    (t_weights, t_keys), (f_weights, f_keys) = results
    assert f_keys == t_keys
    for t_w, f_w in zip(t_weights, f_weights):
        np.testing.assert_allclose(f_w, t_w, rtol=1e-5, atol=1e-5)
    w = f_weights[-1]
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-5)


def test_orthogonal_non_square_trivialization_is_orthogonal_and_keeps_the_columns():
    """With a tall weight the base is completed with random columns (drawn from our
    generator, so not torch's), and the weight is the QR of the original."""
    got = _orthogonal_linear(fl, (5, 3)).weight.detach().numpy()
    ref = _orthogonal_linear(torch, (5, 3)).weight.detach().numpy()
    np.testing.assert_allclose(got.T @ got, np.eye(3), atol=1e-5)
    np.testing.assert_allclose(got, ref, atol=1e-5)


def test_orthogonal_errors_match_torch():
    for lib in (torch, fl):
        P = lib.nn.utils.parametrizations
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a "
                                             "tensor of 1 dimensions."):
            P.orthogonal(lib.nn.Linear(3, 3), "bias")
        with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", '
                                             '"cayley", "householder". Got: qr'):
            P.orthogonal(lib.nn.Linear(3, 3), orthogonal_map="qr")
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'w'"):
            P.orthogonal(lib.nn.Linear(3, 3), "w")
        lin = P.orthogonal(lib.nn.Linear(3, 3), use_trivialization=False)
        with pytest.raises(NotImplementedError, match="It is not possible to assign to the "
                                                      "matrix exponential"):
            lin.weight = lib.eye(3)
        with pytest.raises(RuntimeError, match=r"tensor.mH is only supported on matrices or "
                                               r"batches of matrices. Got 1-D tensor."):
            lib.ones(3).mH


@pytest.mark.parametrize("style", ["hook", "parametrization"])
def test_weight_norm_of_a_1d_tensor_along_dim_0_keeps_one_norm_per_entry_as_torch(style):
    # It took the whole vector's norm: g had shape (1,) where torch's has (2,).
    import warnings

    def run(lib):
        lib.manual_seed(0)
        layer = lib.nn.Linear(3, 2)
        with lib.no_grad():
            layer.bias.copy_(lib.tensor([3.0, -4.0]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            if style == "hook":
                lib.nn.utils.weight_norm(layer, name="bias", dim=0)
                g = layer.bias_g
            else:
                lib.nn.utils.parametrizations.weight_norm(layer, name="bias", dim=0)
                g = layer.parametrizations.bias.original0
        return g.detach().numpy(), layer.bias.detach().numpy()
    (theirs_g, theirs_bias), (ours_g, ours_bias) = run(torch), run(fl)
    np.testing.assert_allclose(ours_g, theirs_g, rtol=1e-6)
    np.testing.assert_allclose(ours_bias, theirs_bias, rtol=1e-6)
