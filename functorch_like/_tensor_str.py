"""Text form of a tensor, written to match PyTorch 2.13's `repr(tensor)` character for character.

The rules follow `torch/_tensor_str.py`: one formatter per tensor (two for complex: real and
imaginary parts) fixes a common width and a mode (integer-valued floats, fixed point or
scientific) from the nonzero finite values; rows wrap at `linewidth`; tensors above
`threshold` elements show only `edgeitems` at each end of every dimension.

This module works on numpy arrays only, so the facade can print whatever backs its tensors.
"""

import dataclasses
import math
from typing import Any, Callable, Optional, Sequence

import numpy as np

# `repr` starts with this; every continuation line is indented to sit under its "[".
_PREFIX = "tensor("


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None


_OPTIONS = _PrintOptions()

# PyTorch's named profiles: (precision, threshold, edgeitems, linewidth).
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: Optional[int] = None,
    threshold: Optional[float] = None,
    edgeitems: Optional[int] = None,
    linewidth: Optional[int] = None,
    profile: Optional[str] = None,
    sci_mode: Optional[bool] = None,
) -> None:
    """Sets the options used by `format_tensor`, with `torch.set_printoptions` semantics.

    Args:
      precision: digits after the decimal point (default 4).
      threshold: element count above which a tensor is summarized with "..." (default 1000).
      edgeitems: items kept at each end of every dimension when summarizing (default 3).
      linewidth: characters per line before a row wraps (default 80).
      profile: "default", "short" or "full"; applied first, then the explicit options.
        An unknown name is ignored, as in PyTorch.
      sci_mode: True or False forces scientific notation on or off; None lets the values
        decide. PyTorch always assigns this one, so omitting it resets it to None.
    """
    if profile in _PROFILES:
        (
            _OPTIONS.precision,
            _OPTIONS.threshold,
            _OPTIONS.edgeitems,
            _OPTIONS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        _OPTIONS.precision = precision
    if threshold is not None:
        _OPTIONS.threshold = threshold
    if edgeitems is not None:
        _OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTIONS.linewidth = linewidth
    _OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Returns the current print options as a dict that `set_printoptions(**d)` accepts.

    Returns:
      `{"precision", "threshold", "edgeitems", "linewidth", "sci_mode"}`, like
      `torch._tensor_str.get_printoptions()`.
    """
    return dataclasses.asdict(_OPTIONS)


class _Formatter:
    """Fixes the width and notation shared by every element of one (real) tensor.

    Only nonzero finite values set the mode and width, as in PyTorch: zeros, nan and inf
    are printed in whatever notation the other values chose.
    """

    def __init__(self, values: np.ndarray):
        self.is_float = values.dtype.kind not in "biu"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.is_float:
            for value in values.reshape(-1).tolist():
                self.width = max(self.width, len(str(value)))
            return
        # float64 holds every float16/bfloat16/float32 value exactly, so the checks and the
        # strings below are those PyTorch computes on `.item()` and in double precision.
        as_double = values.astype(np.float64)
        finite = as_double[np.isfinite(as_double) & (as_double != 0)].tolist()
        if not finite:
            return
        self.int_mode = all(value == math.ceil(value) for value in finite)
        magnitudes = [abs(value) for value in finite]
        smallest, largest = min(magnitudes), max(magnitudes)
        if _OPTIONS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTIONS.sci_mode
        precision = _OPTIONS.precision
        if self.sci_mode:
            lengths = (len(f"{value:.{precision}e}") for value in finite)
        elif self.int_mode:
            # One more for the "." that marks an integer-valued float as floating.
            lengths = (len(f"{value:.0f}") + 1 for value in finite)
        else:
            lengths = (len(f"{value:.{precision}f}") for value in finite)
        self.width = max(self.width, *lengths)

    def format(self, value: Any) -> str:
        """Formats one Python scalar, right-aligned to the shared width."""
        if not self.is_float:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{_OPTIONS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{_OPTIONS.precision}f}"
        return text.rjust(self.width)


def _complex_formatter(real: _Formatter, imag: _Formatter) -> Callable[[complex], str]:
    def format_complex(value: complex) -> str:
        imag_text = (imag.format(value.imag) + "j").lstrip()
        # A sign already present (negative, -0.0) doubles as the separator.
        if imag_text[0] in "+-":
            return real.format(value.real) + imag_text
        return real.format(value.real) + "+" + imag_text

    return format_complex


def _edge_pieces(values: np.ndarray, edgeitems: int) -> list[np.ndarray]:
    """The flattened parts of `values` that a summarized print shows (PyTorch's
    `get_summarized_data`); the formatter is fitted to these only."""
    if values.ndim == 0:
        return [values.reshape(-1)]
    if values.ndim == 1:
        if values.shape[0] > 2 * edgeitems:
            # `values[-0:]` is the whole row, so edgeitems=0 keeps everything, as in PyTorch.
            return [values[:edgeitems], values[-edgeitems:]]
        return [values]
    if not edgeitems:
        return []
    rows = range(values.shape[0])
    if values.shape[0] > 2 * edgeitems:
        rows = [*range(edgeitems), *range(values.shape[0] - edgeitems, values.shape[0])]
    return [piece for i in rows for piece in _edge_pieces(values[i], edgeitems)]


def _python_scalars(values: np.ndarray) -> np.ndarray:
    """Widens to a dtype whose `.tolist()` gives exact Python bools, ints, floats or complexes."""
    kind = values.dtype.kind
    if kind in "biu":
        return values
    if kind == "c":
        return values.astype(np.complex128)
    # float16, float32, float64, and ml_dtypes' bfloat16 (kind "V").
    return values.astype(np.float64)


def _vector_str(
    values: np.ndarray, indent: int, summarize: bool, fmt: Callable[[Any], str], elem_width: int
) -> str:
    edgeitems = _OPTIONS.edgeitems
    items = _python_scalars(values).tolist()
    if summarize and not edgeitems:
        data = ["..."]
    elif summarize and len(items) > 2 * edgeitems:
        data = [*map(fmt, items[:edgeitems]), " ...", *map(fmt, items[-edgeitems:])]
    else:
        data = [fmt(v) for v in items]
    # Each element takes its width plus ", "; the row wraps where the next would pass linewidth.
    per_line = max(1, (_OPTIONS.linewidth - indent) // (elem_width + 2))
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(
    values: np.ndarray, indent: int, summarize: bool, fmt: Callable[[Any], str], elem_width: int
) -> str:
    if values.ndim == 0:
        return fmt(_python_scalars(values).item())
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, fmt, elem_width)
    edgeitems, n = _OPTIONS.edgeitems, values.shape[0]
    rows: list[Optional[int]] = list(range(n))
    if summarize and n > 2 * edgeitems:
        rows = [*range(edgeitems), None, *range(n - edgeitems, n)]
    slices = [
        "..." if i is None else _nested_str(values[i], indent + 1, summarize, fmt, elem_width)
        for i in rows
    ]
    # A d-dimensional block separates its (d-1)-dimensional slices by d-2 blank lines.
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _values_str(values: np.ndarray, indent: int) -> str:
    summarize = values.size > _OPTIONS.threshold
    shown = values
    if summarize:
        pieces = _edge_pieces(values, _OPTIONS.edgeitems)
        shown = np.concatenate(pieces) if pieces else values.reshape(-1)[:0]
    if values.dtype.kind == "c":
        real, imag = _Formatter(shown.real), _Formatter(shown.imag)
        # "+" and "j" add one character beyond the two widths.
        fmt = _complex_formatter(real, imag)
        return _nested_str(values, indent, summarize, fmt, real.width + imag.width + 1)
    formatter = _Formatter(shown)
    return _nested_str(values, indent, summarize, formatter.format, formatter.width)


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    # PyTorch measures the last line as its length plus one (plus two when there is no
    # newline, since rfind returns -1); the same count is kept so wrapping matches.
    last_line = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(values: np.ndarray, *, suffixes: Sequence[str] = ()) -> str:
    """Formats an array exactly as PyTorch's `repr` prints a tensor holding the same values.

    Args:
      values: the tensor's data, any shape; dtype bool, a signed or unsigned integer,
        float16, ml_dtypes.bfloat16, float32, float64, complex64 or complex128.
      suffixes: extra `key=value` entries appended inside the parentheses in order, e.g.
        `["dtype=torch.int32", "grad_fn=<AddBackward0>"]`. The caller picks them (PyTorch
        leaves out the dtype for float32, complex64, int64 and bool, but shows it for every
        empty tensor other than float32). `size=(...)` is added here when PyTorch adds it:
        for empty tensors that are not 1-D, and for all tensors when `edgeitems` is 0.

    Returns:
      The text, e.g. `tensor([1.0000e-05, 1.0000e+05])` or `tensor([[1, 2],\\n        [3, 4]])`.
    """
    values = np.asarray(values)
    indent = len(_PREFIX)
    if values.size == 0:
        # PyTorch, like NumPy, spells out any empty shape other than (0,).
        body = "[]"
        needs_size = values.ndim != 1
    else:
        body = _values_str(values, indent)
        needs_size = not _OPTIONS.edgeitems
    suffixes = list(suffixes)
    if needs_size:
        # PyTorch puts the size after a device suffix and before everything else.
        at = 1 if suffixes and suffixes[0].startswith("device=") else 0
        suffixes.insert(at, f"size={tuple(values.shape)}")
    return _add_suffixes(_PREFIX + body, suffixes, indent)
