"""The official PyTorch tutorials (pytorch.org/tutorials), run under both libraries.

Short scripts in the tutorials' words ("Learning PyTorch with Examples", "Tensors",
"A Gentle Introduction to torch.autograd", "Build the Neural Network", "Optimizing Model
Parameters", "Save and Load the Model") were run with `import torch` and with
`import functorch_like as torch`; each difference found became a small test here that
compares against torch. Random initial values are replaced by the same numbers in both
runs (the two libraries' random streams differ by design).
"""

import warnings

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of


# ---- torch.accelerator (Tensors, Build the Neural Network: device selection) ------------

def test_accelerator_device_selection_like_torch():
    """The tutorials' `torch.accelerator.current_accelerator().type if
    torch.accelerator.is_available() else "cpu"` line."""
    for lib in (torch, fl):
        assert lib.accelerator.is_available() == (lib.accelerator.device_count() > 0)
    if not fl.accelerator.is_available() and not torch.accelerator.is_available():
        assert fl.accelerator.current_accelerator() is None
        assert fl.accelerator.current_accelerator(check_available=True) is None
        assert fl.accelerator.device_count() == torch.accelerator.device_count() == 0
        for name in ("current_device_index", "synchronize", "empty_cache",
                     "memory_allocated", "get_memory_info"):
            assert error_of(getattr(fl.accelerator, name)) == \
                error_of(getattr(torch.accelerator, name)), name
        with fl.accelerator.device_index(None):
            pass
    elif fl.accelerator.is_available():
        assert fl.accelerator.current_accelerator() == fl.device("cuda")
        assert fl.accelerator.current_accelerator().type == "cuda"
    x = fl.ones(2)
    device = fl.accelerator.current_accelerator() if fl.accelerator.is_available() \
        else "cpu"
    assert x.to(device).device.type in ("cpu", "cuda")


# ---- out= (Tensors tutorial: torch.matmul(tensor, tensor.T, out=y3)) --------------------

def _tutorial_out_calls(lib):
    tensor = lib.arange(16.).reshape(4, 4) / 7
    y3 = lib.zeros(4, 4)
    r3 = lib.matmul(tensor, tensor.T, out=y3)
    z3 = lib.zeros(4, 4)
    r4 = lib.mul(tensor, tensor, out=z3)
    assert r3 is y3 and r4 is z3
    return y3.numpy(), z3.numpy()


def test_out_argument_of_the_tensors_tutorial():
    for ours, theirs in zip(_tutorial_out_calls(fl), _tutorial_out_calls(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


_OUT_CASES = {
    "matmul long out": lambda m: m.matmul(m.ones(2, 2), m.ones(2, 2),
                                          out=m.zeros(2, 2, dtype=m.long)),
    "mul double out": lambda m: m.mul(m.ones(2, 2), 3.0, out=m.zeros(2, 2, dtype=m.float64)),
    "add long into float": lambda m: m.add(m.ones(2, dtype=m.long), 1, out=m.zeros(2)),
    "mul float into int": lambda m: m.mul(m.ones(2), 2.0, out=m.zeros(2, dtype=m.int32)),
    "abs into double": lambda m: m.abs(m.ones(2), out=m.zeros(2, dtype=m.float64)),
    "eq into float": lambda m: m.eq(m.ones(2), m.ones(2), out=m.zeros(2)),
    "cat into int": lambda m: m.cat([m.ones(2), m.ones(2)], out=m.zeros(4, dtype=m.int32)),
    "cat": lambda m: m.cat([m.ones(2), m.ones(1)], out=m.zeros(0)),
    "out list": lambda m: m.mul(m.ones(2), 2.0, out=[1.0]),
    "out None": lambda m: m.mul(m.ones(2), 2.0, out=None),
    "input requires grad": lambda m: m.mul(m.ones(2, requires_grad=True), 2.0,
                                           out=m.zeros(2)),
    "out requires grad": lambda m: m.matmul(m.ones(2, 2), m.ones(2),
                                            out=m.zeros(2, requires_grad=True)),
    "ldexp into int": lambda m: m.ldexp(m.ones(2), m.ones(2), out=m.zeros(2, dtype=m.int32)),
}


@pytest.mark.parametrize("case", sorted(_OUT_CASES))
def test_out_argument_like_torch(case, x64):
    results = []
    for lib in (torch, fl):
        err = error_of(lambda: _OUT_CASES[case](lib))
        if err is None:
            out = _OUT_CASES[case](lib)
            err = (str(out.dtype), out.tolist(), out.requires_grad, out.grad_fn is None)
        results.append(err)
    assert results[1] == results[0]


def test_out_argument_under_no_grad_keeps_a_leaf_like_torch():
    for lib in (torch, fl):
        w = lib.zeros(2, requires_grad=True)
        with lib.no_grad():
            lib.mul(lib.ones(2), 2.0, out=w)
        assert w.requires_grad and w.is_leaf and w.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("shape", [(3,), (0,)])
def test_out_argument_resizes_like_torch(shape):
    messages = []
    for lib in (torch, fl):
        out = lib.zeros(shape)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.mul(lib.ones(2, 2), 2.0, out=out)
        assert out.shape == (2, 2) and out.tolist() == [[2.0, 2.0], [2.0, 2.0]]
        # (torch appends where in its C++ sources it warned)
        messages.append([str(w.message).split(" (Triggered internally")[0] for w in caught])
    assert messages[1] == messages[0]
