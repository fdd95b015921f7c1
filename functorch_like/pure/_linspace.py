"""torch's CPU linspace kernel, on the host (numpy): the values of `torch.linspace` and of
the base grid of `affine_grid`, bit for bit."""

from __future__ import annotations

import numpy as np


def linspace_values(start, end, steps: int, target: np.dtype) -> np.ndarray:
    """torch's linspace kernel on the host: the ends in the target dtype, the step
    (end - start) / (steps - 1) in it (in double for integer dtypes), and value i is
    start + step * i below steps // 2 and end - step * (steps - 1 - i) from there, with
    one rounding (the compiler fuses the multiply-add), except for float16/bfloat16,
    whose every operation rounds (c10::Half/BFloat16 arithmetic). Integers truncate."""
    i = np.arange(steps)
    low = i < steps // 2
    if steps == 1:
        return np.asarray([start]).astype(target)
    if target.kind in "iub":
        s, e = np.longdouble(int(start.real if isinstance(start, complex) else start)), \
            np.longdouble(int(end.real if isinstance(end, complex) else end))
        step = np.longdouble((np.float64(e) - np.float64(s)) / (steps - 1))
        values = np.where(low, s + step * i, e - step * (steps - 1 - i)).astype(np.float64)
        return np.trunc(values).astype(target)
    if target.itemsize == 2 and target.kind == "f" or target.name == "bfloat16":
        def r(x):
            return np.asarray(x, np.float32).astype(target).astype(np.float32)
        s, e = r(start), r(end)
        step = r(r(e - s) / r(steps - 1))
        return np.where(low, r(s + r(step * r(i))),
                        r(e - r(step * r(steps - 1 - i)))).astype(target)
    wide = np.complex256 if target.kind == "c" else np.longdouble
    s, e = np.asarray(start, target), np.asarray(end, target)
    step = np.asarray((e - s) / np.asarray(steps - 1, target), target)
    s, e, step = s.astype(wide), e.astype(wide), step.astype(wide)
    return np.where(low, s + step * i, e - step * (steps - 1 - i)).astype(target)
