"""Differential tests: `format_tensor(a)` against `repr(torch.from_numpy(a))` in PyTorch 2.13."""

import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from functorch_like import _tensor_str
from functorch_like._tensor_str import format_tensor, get_printoptions, set_printoptions

DTYPES = {
    "bool": (np.bool_, torch.bool),
    "int8": (np.int8, torch.int8),
    "int16": (np.int16, torch.int16),
    "int32": (np.int32, torch.int32),
    "int64": (np.int64, torch.int64),
    "uint8": (np.uint8, torch.uint8),
    "uint16": (np.uint16, torch.uint16),
    "uint32": (np.uint32, torch.uint32),
    "uint64": (np.uint64, torch.uint64),
    "float16": (np.float16, torch.float16),
    "bfloat16": (ml_dtypes.bfloat16, torch.bfloat16),
    "float32": (np.float32, torch.float32),
    "float64": (np.float64, torch.float64),
    "complex64": (np.complex64, torch.complex64),
    "complex128": (np.complex128, torch.complex128),
}

# PyTorch's `_str_intern` leaves the dtype out for these (default float, its complex
# counterpart, int64, bool) unless the tensor is empty.
_IMPLICIT = {torch.float32, torch.complex64, torch.int64, torch.bool}


def _torch_dtype(a: np.ndarray) -> torch.dtype:
    return DTYPES[a.dtype.name][1]


def _to_torch(a: np.ndarray) -> torch.Tensor:
    if a.dtype == ml_dtypes.bfloat16:
        # torch.from_numpy does not know ml_dtypes; float32 holds every bfloat16 exactly.
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    # A C-ordered copy: torch.from_numpy needs one (np.ascontiguousarray would turn 0-d into 1-d).
    return torch.from_numpy(np.array(a, order="C"))


def _dtype_suffixes(a: np.ndarray) -> list[str]:
    """The dtype suffix the caller passes, by PyTorch's rule (empty: all but float32)."""
    dtype = _torch_dtype(a)
    if a.size == 0:
        return [] if dtype == torch.float32 else [f"dtype={dtype}"]
    return [] if dtype in _IMPLICIT else [f"dtype={dtype}"]


def _assert_matches_torch(a: np.ndarray, *, extra: tuple = ()) -> str:
    expected = repr(_to_torch(a))
    got = format_tensor(a, suffixes=_dtype_suffixes(a) + list(extra))
    assert got == expected, f"\nexpected:\n{expected}\ngot:\n{got}"
    return got


# ---------------------------------------------------------------- value generators


def _small(rng, shape):
    return rng.uniform(-1, 1, shape)


def _large(rng, shape):
    return rng.uniform(-1, 1, shape) * 1e5


def _mixed(rng, shape):
    # Magnitudes spread over 1e-6..1e6 push the max/min ratio past 1000: scientific mode.
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 7, shape)


def _integral(rng, shape):
    return rng.integers(-50, 50, shape).astype(np.float64)


def _negative(rng, shape):
    return -rng.uniform(0.5, 300, shape)


def _special(rng, shape):
    x = rng.uniform(-3, 3, shape)
    flat = x.reshape(-1)
    specials = np.array([np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0])
    flat[rng.integers(0, flat.size, min(flat.size, 4))] = rng.choice(specials, min(flat.size, 4))
    return x


def _huge(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(8, 30, shape)


GENERATORS = {
    "small": _small,
    "large": _large,
    "mixed": _mixed,
    "integral": _integral,
    "negative": _negative,
    "special": _special,
    "huge": _huge,
}


def _make(dtype_name: str, generator: str, shape: tuple, seed: int = 0) -> np.ndarray:
    """Values from `generator`, brought into `dtype_name` the way that dtype can hold them."""
    rng = np.random.default_rng(seed)
    np_dtype = np.dtype(DTYPES[dtype_name][0])
    x = GENERATORS[generator](rng, shape)
    with np.errstate(all="ignore"):
        if np_dtype == np.bool_:
            return np.asarray(x > 0)
        if np_dtype.kind in "iu":
            info = np.iinfo(np_dtype)
            if generator == "huge":
                # Values at the very ends of the range: the widest ints PyTorch prints.
                ends = [info.min, info.max, info.max - 1, info.min // 2 + 1]
                ends = np.array(ends, dtype=np_dtype)
                return ends[rng.integers(0, 4, shape)]
            x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
            return np.clip(np.round(x), info.min, min(info.max, 2.0**62)).astype(np_dtype)
        if np_dtype.kind == "c":
            return (x + 1j * GENERATORS[generator](rng, shape)).astype(np_dtype)
        return np.asarray(x).astype(np_dtype)


SHAPES = [(), (5,), (3, 4), (2, 3, 4), (2, 2, 2, 3)]


# ---------------------------------------------------------------- differential tests


@pytest.mark.parametrize("generator", list(GENERATORS))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", list(DTYPES))
def test_matches_torch(dtype, shape, generator):
    _assert_matches_torch(_make(dtype, generator, shape, seed=len(shape)))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 3)], ids=str)
@pytest.mark.parametrize("dtype", list(DTYPES))
def test_empty_matches_torch(dtype, shape):
    text = _assert_matches_torch(np.zeros(shape, DTYPES[dtype][0]))
    assert text.startswith("tensor([]")
    assert ("size=" in text) == (len(shape) != 1)


def test_empty_size_literal():
    # The examples PyTorch 2.13 prints for `torch.empty(0, 3)` and `torch.empty(2, 0, 3)`.
    assert format_tensor(np.zeros((0, 3), np.float32)) == "tensor([], size=(0, 3))"
    assert (
        format_tensor(np.zeros((2, 0, 3), np.int32), suffixes=["dtype=torch.int32"])
        == "tensor([], size=(2, 0, 3), dtype=torch.int32)"
    )


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_long_rows_wrap(dtype):
    for shape in [(60,), (3, 40)]:
        text = _assert_matches_torch(_make(dtype, "mixed", shape, seed=7))
        # Each row is longer than 80 characters, so it must break across lines.
        rows = int(np.prod(shape[:-1]))
        assert text.count("\n") > rows - 1


# Every shape holds more than 1000 elements; the last is 6-D.
SUMMARIZED_SHAPES = [(1001,), (40, 30), (11, 10, 10), (2, 3, 13, 13), (7, 2, 2, 2, 4, 5)]


@pytest.mark.parametrize("shape", SUMMARIZED_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", list(DTYPES))
def test_summarized(dtype, shape):
    text = _assert_matches_torch(_make(dtype, "mixed", shape, seed=3))
    assert "..." in text


def test_threshold_boundary():
    # 1000 elements print in full; 1001 are summarized (strictly more than the threshold).
    assert "..." not in _assert_matches_torch(np.arange(1000, dtype=np.int64))
    assert "..." in _assert_matches_torch(np.arange(1001, dtype=np.int64))


@pytest.mark.parametrize(
    "values, expected",
    [
        # The documented examples (PARITY.md "Text"), as PyTorch 2.13 prints them.
        (np.array([0.6590, 0.2424, 0.0986], np.float32), "tensor([0.6590, 0.2424, 0.0986])"),
        (np.array(1.5, np.float32), "tensor(1.5000)"),
        (np.array([1.0, 2.0], np.float32), "tensor([1., 2.])"),
        (np.array([1e-5, 1e5], np.float32), "tensor([1.0000e-05, 1.0000e+05])"),
        (np.array([[1, 2], [3, 4]]), "tensor([[1, 2],\n        [3, 4]])"),
        (np.array([True, False]), "tensor([ True, False])"),
        (np.array([-0.0, 1.0], np.float32), "tensor([-0., 1.])"),
        (np.array([np.nan, -np.inf, 2.5], np.float32), "tensor([   nan,   -inf, 2.5000])"),
    ],
)
def test_documented_examples(values, expected):
    assert format_tensor(values) == expected
    assert repr(_to_torch(values)) == expected


# ---------------------------------------------------------------- suffixes


def test_dtype_suffix_int32():
    expected = repr(torch.tensor([1, 2], dtype=torch.int32))
    assert format_tensor(np.array([1, 2], np.int32), suffixes=["dtype=torch.int32"]) == expected
    assert expected == "tensor([1, 2], dtype=torch.int32)"


def _grad_suffix(t: torch.Tensor) -> list[str]:
    # PyTorch names the node's class when there is one, else marks a leaf that wants grads.
    if t.grad_fn is not None:
        return [f"grad_fn=<{type(t.grad_fn).__name__}>"]
    return ["requires_grad=True"] if t.requires_grad else []


def _assert_autograd_text(t: torch.Tensor) -> str:
    a = t.detach().numpy()
    suffixes = _dtype_suffixes(a) + _grad_suffix(t)
    got = format_tensor(a, suffixes=suffixes)
    assert got == repr(t), f"\nexpected:\n{t!r}\ngot:\n{got}"
    return got


def test_requires_grad_suffix():
    text = _assert_autograd_text(torch.tensor([1.5, -2.0, 3.25], requires_grad=True))
    assert text.endswith(", requires_grad=True)")


def test_grad_fn_suffix():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    text = _assert_autograd_text(x + x)
    assert text.endswith("grad_fn=<AddBackward0>)")


def test_dtype_then_grad_fn_suffixes():
    x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    text = _assert_autograd_text(x.sum())
    assert text == "tensor(2.5000, dtype=torch.float64, grad_fn=<SumBackward0>)"


def test_suffixes_wrap_on_long_last_line():
    # A 2-D tensor whose last line nearly fills 80 characters: PyTorch moves each suffix
    # that would cross the line width onto its own line, indented under "tensor(".
    rng = np.random.default_rng(5)
    x = torch.from_numpy(rng.uniform(-1, 1, (3, 8))).requires_grad_()
    text = _assert_autograd_text(x * 2)
    assert text.endswith("]],\n       dtype=torch.float64, grad_fn=<MulBackward0>)")


def test_second_suffix_wraps_alone():
    # The dtype still fits after the values; the grad_fn would cross 80 characters.
    x = torch.arange(6, dtype=torch.float64).mul(1.5).requires_grad_()
    text = _assert_autograd_text(x * 2)
    assert text == (
        "tensor([ 0.,  3.,  6.,  9., 12., 15.], dtype=torch.float64,\n"
        "       grad_fn=<MulBackward0>)"
    )


def test_suffix_stays_on_short_line_after_multiline_body():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    text = _assert_autograd_text(x * 3)
    assert text.endswith("[ 9., 12.]], dtype=torch.float64, grad_fn=<MulBackward0>)")


def test_size_suffix_follows_device_suffix():
    # `_str_intern` appends device, then size, then dtype; a CPU-only build cannot print
    # another device, so the expected text is spelled out from that order.
    suffixes = ["device='cuda:0'", "dtype=torch.int32"]
    text = format_tensor(np.zeros((0, 2), np.int32), suffixes=suffixes)
    assert text == "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int32)"


# ---------------------------------------------------------------- print options


def _restore_defaults():
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def test_default_options_match_torch():
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }


OPTION_CASES = [
    dict(precision=2, sci_mode=False, threshold=5, linewidth=40),
    dict(profile="short"),
    dict(profile="full"),
    dict(sci_mode=True, precision=6),
    dict(edgeitems=0, threshold=4),
    dict(edgeitems=1, threshold=3, linewidth=30),
]


@pytest.mark.parametrize("options", OPTION_CASES, ids=str)
def test_printoptions_match_torch(options):
    arrays = [
        _make("float32", "mixed", (12,), seed=1),
        _make("float64", "small", (4, 6), seed=2),
        _make("float32", "integral", (2, 3, 4), seed=3),
        _make("int32", "large", (3, 9), seed=4),
        _make("complex64", "small", (7,), seed=5),
        _make("bfloat16", "special", (3, 3), seed=6),
        _make("float32", "large", (2000,), seed=7),
        np.array(3.14159, np.float32),
        np.zeros((0, 4), np.float32),
    ]
    try:
        set_printoptions(**options)
        torch.set_printoptions(**options)
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        for a in arrays:
            _assert_matches_torch(a)
    finally:
        _restore_defaults()
    assert get_printoptions()["precision"] == 4


def test_printoptions_brief_example():
    # The numbers from `torch.set_printoptions`'s own docstring, with the options under test.
    a = np.arange(10, dtype=np.int64)
    try:
        set_printoptions(precision=2, sci_mode=False, threshold=5, linewidth=40)
        torch.set_printoptions(precision=2, sci_mode=False, threshold=5, linewidth=40)
        assert format_tensor(a) == repr(torch.from_numpy(a)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
        b = np.array([1.12345, 1e-6, 123456.0], np.float32)
        assert format_tensor(b) == repr(torch.from_numpy(b))
        # sci_mode=False keeps fixed point even for a 1e11 max/min ratio.
        assert format_tensor(b) == "tensor([     1.12,      0.00, 123456.00])"
    finally:
        _restore_defaults()


def test_omitting_sci_mode_resets_it():
    try:
        set_printoptions(sci_mode=True)
        set_printoptions(precision=3)
        torch.set_printoptions(sci_mode=True)
        torch.set_printoptions(precision=3)
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        assert get_printoptions()["sci_mode"] is None
    finally:
        _restore_defaults()


def test_options_are_module_state():
    try:
        set_printoptions(linewidth=50)
        assert _tensor_str.get_printoptions()["linewidth"] == 50
    finally:
        _restore_defaults()
    assert get_printoptions()["linewidth"] == 80


# ---------------------------------------------------------------- randomized property


_FLOAT_DTYPES = st.sampled_from(["float16", "bfloat16", "float32", "float64"])


@settings(max_examples=100, deadline=None)
@given(data=st.data(), dtype=_FLOAT_DTYPES)
def test_random_float_arrays_match_torch(data, dtype):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    if dtype == "bfloat16":
        # Hypothesis has no bfloat16 elements: draw float32 and round, as torch's .to does.
        a = data.draw(hnp.arrays(np.float32, shape)).astype(ml_dtypes.bfloat16)
    else:
        a = data.draw(hnp.arrays(np.dtype(dtype), shape))
    _assert_matches_torch(a)
