"""`Tensor.to(device)` (and so `.cpu()`, factories' `device=`) moves the array with
jax.device_put outside any jitted program: on an H200, `torch.ones(2).to("cpu")` stayed on
the GPU, because the op ran as a one-op jitted program and jit runs on one platform."""

import os
import subprocess
import sys

import jax

import functorch_like as fl
import functorch_like._tensor as tensor_module


def test_to_device_transfers_outside_a_trace(monkeypatch):
    seen = []
    real = jax.device_put

    def watched(x, *args, **kwargs):
        seen.append(isinstance(x, jax.core.Tracer))
        return real(x, *args, **kwargs)
    monkeypatch.setattr(tensor_module.jax, "device_put", watched)
    # (a tensor that claims another device, so that .to("cpu") must move it)
    t = fl.ones(2)
    monkeypatch.setattr(type(t), "device", property(lambda self: fl.device("cuda", 0)))
    for _ in range(2):                  # (the second call finds the op's cache entry)
        out = t.to("cpu")
        assert out is not t
    assert seen and not any(seen)


_TWO_DEVICES = """
import jax, functorch_like as fl
from functorch_like._tensor import apply, _device_put
d0, d1 = jax.devices()
with jax.default_device(d1):
    t = fl.ones(2, requires_grad=True)
out = apply(_device_put, "ToCopyBackward0", t, device=d0)
assert out._value.devices() == {d0}, out._value.devices()
out.sum().backward()
assert t.grad.tolist() == [1.0, 1.0]
print("ok")
"""


def test_a_transfer_between_two_devices_moves_and_differentiates():
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               XLA_FLAGS="--xla_force_host_platform_device_count=2")
    done = subprocess.run([sys.executable, "-c", _TWO_DEVICES], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
