"""What the tutorial parity tests share: running a tutorial script under torch and under
functorch_like and comparing what it prints."""

import contextlib
import io
import re

import numpy as np
import torch

import functorch_like as fl


_NUMBER = re.compile(r"-?\d+\.\d*(?:e[+-]?\d+)?|-?\d+e[+-]?\d+")


def _printed(script, lib, *args) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        script(lib, *args)
    # (object addresses differ from run to run)
    return re.sub(r" at 0x[0-9a-f]+", " at 0x?", buffer.getvalue())


def assert_same_printout(script, *args, rtol=1e-5, atol=1e-6):
    """The script prints the same text under both libraries, its numbers within float32
    rounding (torch's CPU kernels sum in another order and use fused multiply-adds)."""
    theirs, ours = (_printed(script, lib, *args) for lib in (torch, fl))
    assert _NUMBER.sub("#", ours) == _NUMBER.sub("#", theirs), (ours, theirs)
    np.testing.assert_allclose([float(v) for v in _NUMBER.findall(ours)],
                               [float(v) for v in _NUMBER.findall(theirs)],
                               rtol=rtol, atol=atol)
