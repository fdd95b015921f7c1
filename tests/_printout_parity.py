"""What the tutorial parity tests share: running a tutorial script under torch and under
functorch_like and comparing what it prints."""

import contextlib
import io
import re

import torch

import functorch_like as fl


_NUMBER = re.compile(r"-?\d+\.\d*(?:e[+-]?\d+)?|-?\d+e[+-]?\d+")


def _printed(script, lib, *args) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        script(lib, *args)
    # (object addresses differ from run to run)
    return re.sub(r" at 0x[0-9a-f]+", " at 0x?", buffer.getvalue())


def _last_digit(token: str) -> float:
    """The value of one unit in a printed number's last decimal ("0.3794": 1e-4); 0 for
    one printed without decimals ("29.": torch prints integral values so, exactly)."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals) if decimals else 0.0


def assert_same_printout(script, *args, rtol=1e-5, atol=1e-6):
    """The script prints the same text under both libraries, its numbers within float32
    rounding (torch's CPU kernels sum in another order and use fused multiply-adds), or
    one unit apart in their last printed digit (where such a difference crosses a rounding
    boundary: 0.37945 printed as 0.3794 or 0.3795)."""
    theirs, ours = (_printed(script, lib, *args) for lib in (torch, fl))
    assert _NUMBER.sub("#", ours) == _NUMBER.sub("#", theirs), (ours, theirs)
    got, want = _NUMBER.findall(ours), _NUMBER.findall(theirs)
    for i, (g, w) in enumerate(zip(got, want)):
        tol = max(atol + rtol * abs(float(w)), _last_digit(w) * 1.0001)
        assert abs(float(g) - float(w)) <= tol, f"number {i}: {g} != {w}\n{ours}"
