"""Every example runs (quick mode); the main job's accuracy claim is checked (slow)."""

import importlib.util
import math
import sys
from pathlib import Path

import jax
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# float32 agrees to ~1e-7 on CPU; GPUs multiply float32 matrices in TF32 by default.
_TOL = 1e-5 if jax.default_backend() == "cpu" else 1e-3


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_pure_linear_regression():
    assert _load("pure_linear_regression").main(steps=120) < 1e-3


def test_linear_regression():
    assert _load("linear_regression").main(["--epochs", "60"]) < 1e-3


def test_functional_jax():
    assert _load("functional_jax").main(["--steps", "60"]) > 0.7


def test_per_sample_grads():
    assert _load("per_sample_grads").main([]) < _TOL


def test_ensemble():
    assert _load("ensemble").main([]) < _TOL


def test_train_digits_quick_and_resume(tmp_path):
    digits = _load("train_digits")
    out = str(tmp_path / "run")
    acc = digits.main(["--quick", "--out", out, "--no-progress"])
    assert 0.5 < acc <= 1.0
    assert (tmp_path / "run" / "checkpoint.pt").exists()
    assert (tmp_path / "run" / "curves.png").stat().st_size > 1000
    # --resume with nothing left to do keeps the saved history and accuracy
    assert digits.main(["--quick", "--out", out, "--no-progress", "--resume"]) == acc


def test_train_digits_resume_equals_uninterrupted(tmp_path):
    digits = _load("train_digits")
    full = digits.main(["--epochs", "3", "--out", str(tmp_path / "a"), "--no-progress"])
    # the same run, stopped after 2 epochs (same schedule length) and resumed
    part = str(tmp_path / "b")
    digits.main(["--epochs", "3", "--stop-after", "2", "--out", part, "--no-progress"])
    resumed = digits.main(["--epochs", "3", "--out", part, "--no-progress", "--resume"])
    assert math.isclose(full, resumed)
    import functorch_like as torch
    a = torch.load(str(tmp_path / "a" / "checkpoint.pt"))["history"]
    b = torch.load(str(tmp_path / "b" / "checkpoint.pt"))["history"]
    if jax.default_backend() == "cpu":      # (bit for bit: XLA's CPU programs are
        assert a["train_loss"] == b["train_loss"] and a["test_loss"] == b["test_loss"]
    else:                                   # deterministic; a GPU's reductions are not)
        np.testing.assert_allclose(a["train_loss"], b["train_loss"], rtol=_TOL)
        np.testing.assert_allclose(a["test_loss"], b["test_loss"], rtol=_TOL)


@pytest.mark.slow
def test_train_digits_reaches_97_percent(tmp_path):
    acc = _load("train_digits").main(["--out", str(tmp_path), "--no-progress"])
    assert acc >= 0.97
