"""addcmul, addcdiv and lerp as torch's CPU kernels compute them: in opmath (float32 for
float16/bfloat16, a number weight or value kept a float) and rounded once, in torch's
order; they overflowed to inf in half precision (value=1e5) or lost bits."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import functorch_like as fl

_RNG = np.random.default_rng(0)
_N = 300
_A, _B, _C = ((_RNG.standard_normal(_N) * np.exp(_RNG.uniform(-3, 7, _N))).astype(np.float32)
              for _ in range(3))
_C = np.where(np.abs(_C) < 1e-3, 1.0, _C).astype(np.float32)
_W = np.clip(_C / np.float32(1000), -2, 2).astype(np.float32)

_OPS = {
    "addcmul": lambda L, x, y, z, w, v: L.addcmul(x, y, z, value=v),
    "addcdiv": lambda L, x, y, z, w, v: L.addcdiv(x, y, z, value=v),
    "lerp": lambda L, x, y, z, w, v: L.lerp(x, y, v),
    "lerp, tensor weight": lambda L, x, y, z, w, v: L.lerp(x, y, w),
    "addcmul_": lambda L, x, y, z, w, v: x.clone().addcmul_(y, z, value=v),
}


def _run(lib, op, dtype, value):
    args = [lib.tensor(q).to(getattr(lib, dtype)) for q in (_A, _B, _C, _W)]
    return _OPS[op](lib, *args, value).float().numpy()


def _mismatches() -> dict:
    """Per (op, dtype, value), how many results differ from torch's in any bit."""
    out = {}
    for op in _OPS:
        for dtype in ("float32", "float16", "bfloat16"):
            for value in (1, 1e-3, -0.7, 1e5):
                ours, theirs = _run(fl, op, dtype, value), _run(torch, op, dtype, value)
                out[f"{op} {dtype} {value}"] = int((ours != theirs).sum())
    return out


def test_values_are_torchs_bit_for_bit():
    # In a process with XLA's default flags: the suite's (conftest: no LLVM optimization)
    # leave a * b + c unfused, where XLA's default, as torch's AVX2 kernels, fuses it into
    # one FMA; results then differ in the last bit, whatever the formula.
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    code = ("import json, sys; sys.path.insert(0, %r); import test_pointwise_opmath as t; "
            "print(json.dumps(t._mismatches()))" % os.path.dirname(__file__))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(env, JAX_PLATFORMS="cpu"), timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    counts = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(counts) == 60 and {k: v for k, v in counts.items() if v} == {}


def test_half_value_beyond_its_range_stays_finite_as_torchs():
    for lib in (fl, torch):
        x = lib.tensor([1000.0], dtype=lib.float16)
        assert lib.addcmul(x, x, x, value=1e-3).item() == 2000.0
        assert lib.lerp(lib.tensor([0.0], dtype=lib.float16),
                        lib.tensor([0.001], dtype=lib.float16), 1e5).item() == 100.0625


@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
def test_gradients_and_grad_fn_are_torchs(op):
    def run(lib):
        xs = [lib.tensor(q[:5], requires_grad=True) for q in (_A, _B, _C)]
        out = getattr(lib, op)(*xs, value=0.5)
        out.sum().backward()
        return type(out.grad_fn).__name__, [x.grad.numpy() for x in xs]
    (name, grads), (t_name, t_grads) = run(fl), run(torch)
    assert name == t_name
    for g, t in zip(grads, t_grads):
        np.testing.assert_allclose(g, t, rtol=1e-6)


def test_integer_addcmul_truncates_its_value_as_torchs():
    for lib in (fl, torch):
        out = lib.addcmul(lib.tensor([1, 2]), lib.tensor([3, 4]), lib.tensor([5, 6]), value=2)
        assert out.tolist() == [31, 50] and str(out.dtype).endswith("int64")


@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "int8", "uint8", "complex64"])
def test_a_complex_value_raises_unless_complex_as_torchs(op, dtype):
    from _tensor_ops_ref import error_of
    if op == "addcdiv" and dtype in ("int64", "int8", "uint8"):
        dtype = "float32"       # (integer addcdiv has its own error)

    def call(lib):
        return getattr(lib, op)(*(lib.tensor([1, 2]).to(getattr(lib, dtype))
                                  for _ in range(3)), value=1j)
    assert error_of(lambda: call(fl)) == error_of(lambda: call(torch))
    if dtype == "complex64":
        np.testing.assert_allclose(call(fl).numpy(), call(torch).numpy(), rtol=1e-6)
