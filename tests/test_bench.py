"""scripts/bench.py compares like with like: its hand-written JAX step computes the same
training run as the compiled PyTorch-style step."""

import sys
from pathlib import Path

import jax
import numpy as np
import optax
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench  # noqa: E402
import functorch_like as ft  # noqa: E402


def test_raw_step_matches_the_compiled_step():
    ft.manual_seed(0)
    model = bench.make_mlp()
    params = {k: v._value for k, v in model.named_parameters()}
    opt = optax.adam(1e-3)
    opt_state = opt.init(params)
    step = jax.jit(bench.raw_mlp_step(opt))
    x, y = bench._data("mlp", 8)
    raw = []
    for _ in range(3):
        params, opt_state, loss = step(params, opt_state, x, y)
        raw.append(float(loss))
    compiled_step, cx, cy = bench.compiled_step("mlp", 8)
    compiled = [float(compiled_step(cx, cy)) for _ in range(3)]
    np.testing.assert_allclose(compiled, raw, rtol=1e-5)
    assert raw[2] < raw[0]                                # it trains


def test_unknown_variant_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["bench.py", "--variants", "raw"])
    with pytest.raises(SystemExit) as exc:
        bench.main()
    assert exc.value.code == 2
    assert "unknown variant(s) raw" in capsys.readouterr().err


def test_compile_overhead_script_runs_and_takes_the_snapshot_path(monkeypatch, capsys):
    # scripts/gpu_check.sh runs it on a GPU, where a broken script costs the lent time.
    import compile_overhead
    monkeypatch.setattr(sys, "argv", ["compile_overhead.py", "--calls", "50"])
    compile_overhead.main()
    out = capsys.readouterr().out
    for piece in ("check the snapshot", "full path: find program", "next snapshot",
                  "raw JAX step in the same loop", "XLA fusions"):
        assert piece in out
    assert "(1000 from the snapshot)" in out         # every call of the plain loop


def test_module_variant_trains_a_compiled_module_as_the_eager_loop():
    runs = [bench.VARIANTS[name]("mlp", 8)[0] for name in ("eager", "module")]
    assert type(runs[1].model).__name__ == "OptimizedModule"
    before = [p.detach().numpy().copy() for p in runs[0].model.parameters()]
    for run in runs:
        run()
        run()
    for p0, p1, b in zip(runs[0].model.parameters(), runs[1].model.parameters(), before):
        assert not np.array_equal(p0.detach().numpy(), b)
        np.testing.assert_allclose(p1.detach().numpy(), p0.detach().numpy(), rtol=1e-5,
                                   atol=1e-7)


def test_ab_call_python_script_pairs_two_trees():
    # (the tool behind BENCHMARKS.md's paired before-dispatch figures; one tree twice)
    import subprocess
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(root / "scripts" / "ab_call_python.py"),
                           str(root), str(root), "--rounds", "2"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["before dispatch", "whole step"]
    assert all(line.endswith("/2 rounds") for line in lines)
