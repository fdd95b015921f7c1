"""The programs cross-entropy traces to: what a training step compiles to on every call.

A class-index cross_entropy reads the target's score with a compare-select over the class
dim, not a gather, so that its gradient is a select that fuses into the softmax's backward
instead of a scatter (with its index arrays, separate kernels on CPU and GPU); a 'mean'
divides once. The values and gradients stay PyTorch's.
"""

from __future__ import annotations

import jax
import jax.extend.core
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as ft
from functorch_like.pure import losses

SHAPES = [((8, 10), (8,)), ((4, 5, 3, 2), (4, 3, 2)), ((7,), ())]


def _primitives(fn, *args) -> list[str]:
    """The names of the primitives in fn's jaxpr, sub-jaxprs included."""
    names = []

    def walk(jaxpr):
        for eqn in jaxpr.eqns:
            names.append(eqn.primitive.name)
            for sub in jax.extend.core.jaxprs_in_params(eqn.params):
                walk(sub)
    walk(jax.make_jaxpr(fn)(*args).jaxpr)
    return names


def _data(shape, tshape, seed=0):
    rng = np.random.default_rng(seed)
    classes = shape[1] if len(shape) > 1 else shape[0]
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, classes, tshape)
    if len(shape) > 1:
        y.reshape(-1)[0] = -100                 # one ignored target
    return x, y, classes


@pytest.mark.parametrize("shape,tshape", SHAPES)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_gradient_has_no_gather_or_scatter(shape, tshape, label_smoothing):
    x, y, _ = _data(shape, tshape)
    names = _primitives(jax.value_and_grad(
        lambda s: losses.cross_entropy(s, jnp.asarray(y), label_smoothing=label_smoothing)),
        jnp.asarray(x))
    assert not [n for n in names if "gather" in n or "scatter" in n], names


def test_mean_cross_entropy_divides_once():
    x, y, _ = _data((8, 10), (8,))
    names = _primitives(lambda s: losses.cross_entropy(s, jnp.asarray(y)), jnp.asarray(x))
    assert names.count("div") == 1, names


@pytest.mark.parametrize("shape,tshape", SHAPES)
@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.1}, {"weight": True},
                                    {"reduction": "sum"}, {"reduction": "none"}])
def test_cross_entropy_matches_torch(shape, tshape, kwargs):
    x, y, classes = _data(shape, tshape, seed=1)
    tk, fk = dict(kwargs), dict(kwargs)
    if kwargs.get("weight"):
        w = np.random.default_rng(2).random(classes).astype(np.float32) + 0.1
        tk["weight"], fk["weight"] = torch.tensor(w), ft.tensor(w)
    tx, fx = torch.tensor(x, requires_grad=True), ft.tensor(x, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tx, torch.tensor(y), **tk)
    got = ft.nn.functional.cross_entropy(fx, ft.tensor(y), **fk)
    expected.sum().backward()
    got.sum().backward()
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(),
                               rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), rtol=2e-6, atol=1e-7)


def test_every_target_ignored_gives_torchs_nan_and_zero_gradients():
    x = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    y = np.full(4, -100)
    tx, fx = torch.tensor(x, requires_grad=True), ft.tensor(x, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tx, torch.tensor(y))
    got = ft.nn.functional.cross_entropy(fx, ft.tensor(y))
    expected.backward()
    got.backward()
    # The same NaN, bit for bit (x86's 0/0, which PyTorch's CPU kernel computes).
    assert got.detach().numpy().view(np.uint32) == expected.detach().numpy().view(np.uint32)
    np.testing.assert_array_equal(fx.grad.numpy(), tx.grad.numpy())
    assert not np.isnan(fx.grad.numpy()).any()


def test_out_of_range_target_in_a_compiled_step_is_nan():
    # Inside a traced program the index cannot be checked: its loss is NaN, never a
    # silently picked score (the compare-select picks nothing for it).
    x = jnp.asarray(np.random.default_rng(4).standard_normal((3, 4)), jnp.float32)
    loss = jax.jit(lambda s, t: losses.cross_entropy(s, t))(x, jnp.asarray([0, 7, 1]))
    assert np.isnan(float(loss))
    per = jax.jit(lambda s, t: losses.cross_entropy(s, t, reduction="none"))(
        x, jnp.asarray([0, 7, 1]))
    assert np.isnan(np.asarray(per)[1]) and not np.isnan(np.asarray(per)[[0, 2]]).any()
