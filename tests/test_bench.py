"""scripts/bench.py compares like with like: its hand-written JAX step computes the same
training run as the compiled PyTorch-style step, whichever order its pytrees are in."""

import sys
from pathlib import Path

import jax
import numpy as np
import optax
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench  # noqa: E402


def _raw_losses(order, steps=3):
    params, _, loss_fn = bench._raw_state("mlp", order)
    opt = optax.adam(1e-3)
    opt_state = opt.init(params)
    step = jax.jit(bench.raw_mlp_step(opt, loss_fn))
    x, y = bench._data("mlp", 8)
    losses = []
    for _ in range(steps):
        params, opt_state, loss = step(params, opt_state, x, y)
        losses.append(float(loss))
    if isinstance(params, dict):       # (jax returns dicts with their keys sorted)
        params = [params[name] for name, _ in bench.make_mlp().named_parameters()]
    return losses, params


def test_raw_step_in_either_order_matches_the_compiled_step():
    sorted_losses, sorted_params = _raw_losses("sorted")
    model_losses, model_params = _raw_losses("model")
    step, x, y = bench.compiled_step("mlp", 8)
    compiled = [float(step(x, y)) for _ in range(3)]
    np.testing.assert_allclose(sorted_losses, model_losses, rtol=1e-6)
    np.testing.assert_allclose(compiled, model_losses, rtol=1e-5)
    assert sorted_losses[2] < sorted_losses[0]          # it trains
    assert len(sorted_params) == len(model_params) == 6
    for a, b in zip(sorted_params, model_params):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)


def test_model_order_lists_the_parameters_as_the_model_does():
    params, stats, _ = bench._raw_state("cnn", "model")
    ft_model = bench.make_cnn()
    assert [p.shape for p in params] == [p.shape for p in ft_model.parameters()]
    assert [s.shape for s in stats] == [b.shape for b in ft_model.buffers()]


def test_unknown_variant_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["bench.py", "--variants", "raw"])
    with pytest.raises(SystemExit) as exc:
        bench.main()
    assert exc.value.code == 2
    assert "unknown variant(s) raw" in capsys.readouterr().err
