"""A random op or a train-mode BatchNorm inside a jax.jit of the user's own raised no
error, left a traced key in the global generator (or traced statistics in the module),
and every later draw (or call) in the process failed with JAX's UnexpectedTracerError.
Now the trace raises a clear error and leaves the state usable; the bridges that thread
keys and buffers themselves keep working."""

import jax
import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn
from functorch_like.func import functional_call, to_pure


def test_a_random_op_under_jax_jit_raises_and_the_generator_stays_usable():
    torch.manual_seed(0)
    drop = nn.Dropout(0.5)
    with pytest.raises(RuntimeError, match="random op .* traced by jax.jit"):
        jax.jit(lambda x: drop(x))(torch.ones(4))
    with pytest.raises(RuntimeError, match="random op"):
        jax.jit(lambda x: x + torch.randn(4))(torch.ones(4))
    torch.manual_seed(1)
    a = torch.randn(3)
    torch.manual_seed(1)
    assert torch.equal(torch.randn(3), a)       # (no tracer left in the generator)


def test_a_train_mode_batch_norm_under_jax_jit_raises_and_the_module_stays_usable():
    bn = nn.BatchNorm1d(2)
    before = bn.running_mean.clone()
    with pytest.raises(RuntimeError, match="BatchNorm in train mode .* jax.jit"):
        jax.jit(lambda x: bn(x))(torch.randn(4, 2))
    assert torch.equal(bn.running_mean, before)
    assert bn(torch.randn(4, 2)).shape == (4, 2)
    bn.eval()
    assert jax.jit(lambda x: bn(x))(torch.randn(4, 2)).shape == (4, 2)


def test_the_documented_ways_still_work_under_jax_jit():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    x = torch.randn(6, 3)
    apply, params, buffers = to_pure(model)
    out, new = jax.jit(apply)(params, buffers, x._value, key=jax.random.key(0))
    assert out.shape == (6, 4) and int(new["1.num_batches_tracked"]) == 1
    # (functional_call under jit draws at trace time and leaves no tracer behind)
    jax.jit(lambda p, x: functional_call(model, p, (x,)))(params, x._value)
    assert not isinstance(model[1].running_mean._value, jax.core.Tracer)
    torch.randn(2)

    @torch.compile
    def step(x):
        return model(x).sum()
    assert np.isfinite(step(x).item())


def test_jax_grad_through_a_train_mode_batch_norm_still_updates_it():
    bn = nn.BatchNorm1d(2)
    x = torch.randn(4, 2)
    g = jax.grad(lambda v: bn(torch.Tensor._make(v)).pow(2).sum()._value)(x._value)
    assert g.shape == (4, 2) and int(bn.num_batches_tracked) == 1
    assert not isinstance(bn.running_mean._value, jax.core.Tracer)
