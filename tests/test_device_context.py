"""`with torch.device(...)`: the default device of the tensors made inside, nested and
restored on exit, as torch's device context manager."""

import threading

import pytest
import torch

import functorch_like as fl


@pytest.mark.parametrize("lib", [torch, fl], ids=["torch", "functorch_like"])
def test_device_context_sets_and_restores_the_default(lib):
    before = lib.get_default_device()
    d = lib.device("cpu")
    with d as entered:
        assert entered is d
        assert lib.get_default_device() == lib.device("cpu")
        assert lib.zeros(2).device == lib.device("cpu")
        with lib.device("cpu"):
            assert lib.ones(1).device.type == "cpu"
        assert lib.get_default_device() == lib.device("cpu")
    assert lib.get_default_device() == before


def test_a_device_without_a_backend_is_refused_and_leaves_nothing_entered():
    before = fl.get_default_device()
    with pytest.raises(NotImplementedError, match="meta"):
        with fl.device("meta"):
            pass
    if not fl.cuda.is_available():
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            with fl.device("cuda"):
                pass
    assert fl.get_default_device() == before
    with fl.device("cpu"):          # (the stack is still balanced)
        pass
    assert fl.get_default_device() == before


def test_the_context_is_per_thread():
    seen = []
    with fl.device("cpu"):
        t = threading.Thread(target=lambda: seen.append(fl.zeros(1).device))
        t.start()
        t.join()
    assert seen == [fl.device("cpu")]
