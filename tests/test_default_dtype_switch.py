"""set_default_dtype(torch.float64) switches JAX's x64 mode on; integer tensors made before
it kept their 32-bit storage and then reported int32, so labels made before the call
failed as cross_entropy targets. They are widened at the switch, as torch's stay int64.
(In a process of its own: the switch is process-wide.)"""

import subprocess
import sys

_SCRIPT = """
import sys
torch = __import__(sys.argv[1])
labels = torch.tensor([0, 2, 1])
idx = torch.arange(3)
x32 = torch.tensor([1.5, 2.5])
view = labels[1:]
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
logits = torch.ones(3, 4) / 4
loss = torch.nn.functional.cross_entropy(logits, labels)
print(labels.dtype, idx.dtype, x32.dtype, view.dtype, torch.tensor([1.0]).dtype, loss.dtype,
      round(loss.item(), 6), (labels * 2).tolist(), view.tolist(), idx.sum().dtype)
"""


def _run(lib: str) -> str:
    out = subprocess.run([sys.executable, "-c", _SCRIPT, lib], capture_output=True,
                         text=True, timeout=300, env={"JAX_PLATFORMS": "cpu",
                                                      "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_tensors_made_before_the_switch_keep_their_dtypes_as_torchs():
    assert _run("functorch_like") == _run("torch")
