"""torch's top-level autocast state functions against torch: set_autocast_enabled in both
forms, set_autocast_dtype, and the deprecated device-specific spellings with torch's
DeprecationWarning (its message up to the C++ location torch appends)."""

import warnings

import pytest
import torch

import functorch_like as fl


def _trace(lib):
    out = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out.append(lib.is_autocast_cpu_enabled())
        out.append(str(lib.get_autocast_cpu_dtype()))
        out.append(str(lib.get_autocast_gpu_dtype()))
        lib.set_autocast_cpu_enabled(True)
        out.append((lib.is_autocast_enabled("cpu"), lib.is_autocast_enabled()))
        lib.set_autocast_cpu_enabled(False)
        lib.set_autocast_enabled("cpu", True)
        out.append(lib.is_autocast_enabled("cpu"))
        lib.set_autocast_enabled("cpu", False)
        lib.set_autocast_enabled(True)              # (the older form: cuda)
        out.append((lib.is_autocast_enabled(), lib.is_autocast_enabled("cpu")))
        lib.set_autocast_enabled(False)
        lib.set_autocast_cpu_dtype(lib.float16)
        out.append(str(lib.get_autocast_dtype("cpu")))
        lib.set_autocast_cpu_dtype(lib.bfloat16)
        lib.set_autocast_dtype("cpu", lib.float16)
        out.append(str(lib.get_autocast_dtype("cpu")))
        lib.set_autocast_dtype("cpu", lib.bfloat16)
        lib.set_autocast_gpu_dtype(lib.bfloat16)
        out.append(str(lib.get_autocast_dtype("cuda")))
        lib.set_autocast_gpu_dtype(lib.float16)
        out.append(lib.is_autocast_cache_enabled())
        lib.set_autocast_cache_enabled(False)
        out.append(lib.is_autocast_cache_enabled())
        lib.set_autocast_cache_enabled(True)
        lib.clear_autocast_cache()
    out.append([(m.category, str(m.message).split(" (Triggered")[0]) for m in w])
    return out


def test_autocast_state_functions_as_torch():
    assert _trace(fl) == _trace(torch)


def test_set_autocast_enabled_argument_errors_as_torch():
    for lib in (fl, torch):
        with pytest.raises(TypeError, match=r"argument 'enabled' \(position 1\) must be "
                                            "bool, not str"):
            lib.set_autocast_enabled("cpu")
        with pytest.raises(TypeError, match=r"argument 'enabled' \(position 2\) must be "
                                            "bool, not int"):
            lib.set_autocast_enabled("cpu", 1)
