"""functorch_like.testing (assert_close messages, tolerances, make_tensor,
assert_allclose), functorch_like.backends and the runtime settings, against torch."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl


def _outcome(lib, call):
    try:
        call(lib, lib.testing.assert_close)
    except Exception as error:      # noqa: BLE001  (the type is what is compared)
        return type(error).__name__, str(error)
    return "ok"


CLOSE_CASES = [
    lambda L, ac: ac(L.tensor([1., 2., 3.]), L.tensor([1., 2.1, 3.])),
    lambda L, ac: ac(L.tensor([[1., 2.], [3., 4.]]), L.tensor([[1., 2.1], [3.5, 4.]])),
    lambda L, ac: ac(L.tensor([1., 2.]), L.tensor([1., 2. + 5e-6])),
    lambda L, ac: ac(L.tensor([1, 2, 3]), L.tensor([1, 5, 4])),
    lambda L, ac: ac(L.tensor(1.), L.tensor(1.5)),
    lambda L, ac: ac(1.0, 1.5),
    lambda L, ac: ac(1, 2),
    lambda L, ac: ac(1, 1.0),
    lambda L, ac: ac(L.tensor([1.]), L.tensor([1., 2.])),
    lambda L, ac: ac(L.tensor([1.]), L.tensor([1.], dtype=L.float16)),
    lambda L, ac: ac(L.tensor([float("nan")]), L.tensor([float("nan")])),
    lambda L, ac: ac(L.tensor([float("nan")]), L.tensor([float("nan")]), equal_nan=True),
    lambda L, ac: ac(L.tensor([1.]), L.tensor([1.]), rtol=1e-3),
    lambda L, ac: ac([L.tensor([1.]), L.tensor([2.])], [L.tensor([1.]), L.tensor([2.5])]),
    lambda L, ac: ac({"a": L.tensor([1.])}, {"b": L.tensor([1.5])}),
    lambda L, ac: ac([1, 2], [1, 2, 3]),
    lambda L, ac: ac(L.tensor([1.]), L.tensor([2.]), msg="custom"),
    lambda L, ac: ac({"k": L.tensor([1.])}, {"k": L.tensor([2.])}, msg=lambda m: "X" + m),
    lambda L, ac: ac(L.tensor([True]), L.tensor([False])),
    lambda L, ac: ac(L.tensor([1 + 1j]), L.tensor([1 + 2j])),
    lambda L, ac: ac(L.tensor([1., 2.], dtype=L.bfloat16), L.tensor([1., 2.1], dtype=L.bfloat16)),
    lambda L, ac: ac(L.tensor([1.], dtype=L.float16), L.tensor([1.], dtype=L.float32),
                     check_dtype=False),
    lambda L, ac: ac(np.array([1., 2.]), np.array([1., 3.])),
    lambda L, ac: ac(None, 1),
    lambda L, ac: ac(True, False),
    lambda L, ac: ac("a", "a"),
]


def test_assert_close_matches_torch():
    for i, case in enumerate(CLOSE_CASES):
        assert _outcome(fl, case) == _outcome(torch, case), i


def test_assert_allclose_is_deprecated_and_looser():
    for lib in (fl, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.testing.assert_allclose(lib.tensor([1., 2.]), [1., 2.0001])
            with pytest.raises(AssertionError, match="^m$"):
                lib.testing.assert_allclose(lib.tensor([1., 2.]), [1., 2.01], msg="m")
        assert [w.category for w in caught] == [FutureWarning, FutureWarning]


def test_make_tensor_ranges_dtypes_and_rng():
    fl.manual_seed(0)
    a = fl.testing.make_tensor(64, dtype=fl.float32, low=-1, high=2)
    fl.manual_seed(0)
    b = fl.testing.make_tensor((64,), dtype=fl.float32, low=-1, high=2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())      # the global generator
    assert a.shape == (64,) and -1 <= a.min().item() and a.max().item() < 2
    i = fl.testing.make_tensor(2, 50, dtype=fl.int16)
    assert i.dtype == fl.int16 and -9 <= i.min().item() and i.max().item() <= 9
    u = fl.testing.make_tensor(50, dtype=fl.uint8, exclude_zero=True)
    assert u.min().item() >= 1 and u.max().item() <= 9
    c = fl.testing.make_tensor(3, dtype=fl.complex64, requires_grad=True)
    assert c.dtype == fl.complex64 and c.requires_grad and c.is_leaf
    assert fl.testing.make_tensor(5, dtype=fl.bool).dtype == fl.bool
    for lib in (fl, torch):
        with pytest.raises(ValueError, match="`low` must be less than `high`, but got 2 >= 1"):
            lib.testing.make_tensor(2, dtype=lib.float32, device="cpu", low=2, high=1)
        with pytest.raises(ValueError, match="is not supported for boolean and integral"):
            lib.testing.make_tensor(2, dtype=lib.int16, device="cpu", requires_grad=True)


def test_backends_report_and_flags():
    import jax
    gpu = jax.default_backend() == "gpu"
    b = fl.backends
    assert b.cudnn.is_available() == gpu == b.cuda.is_built() == fl.cuda.is_available()
    assert (b.cudnn.version() is None) == (not gpu)
    assert not b.mps.is_available() and not b.mps.is_built()
    assert b.mkldnn.is_available() is False and b.openmp.is_available() is False
    assert (b.cudnn.enabled, b.cudnn.benchmark, b.cudnn.deterministic, b.cudnn.allow_tf32) \
        == (torch.backends.cudnn.enabled, torch.backends.cudnn.benchmark,
            torch.backends.cudnn.deterministic, torch.backends.cudnn.allow_tf32)
    with b.cudnn.flags(enabled=False, benchmark=True):
        assert b.cudnn.benchmark and not b.cudnn.enabled
    assert not b.cudnn.benchmark and b.cudnn.enabled
    assert b.cuda.matmul.allow_fp16_reduced_precision_reduction is True
    with pytest.raises(AttributeError, match="Unknown attribute foo"):
        b.cuda.matmul.foo = 1


def test_matmul_precision_maps_to_jax_config():
    import jax
    before = jax.config.jax_default_matmul_precision
    try:
        for lib in (fl, torch):
            lib.backends.cuda.matmul.allow_tf32 = True
            assert lib.get_float32_matmul_precision() == "high"
            lib.set_float32_matmul_precision("medium")
            assert lib.backends.cuda.matmul.allow_tf32 is True
            lib.set_float32_matmul_precision("highest")
            assert lib.backends.cuda.matmul.allow_tf32 is False
            with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or"):
                lib.set_float32_matmul_precision("x")
            assert lib.get_float32_matmul_precision() == "highest"
        assert jax.config.jax_default_matmul_precision == "float32"
    finally:
        jax.config.update("jax_default_matmul_precision", before)


def test_threads_and_determinism():
    old = fl.get_num_threads()
    fl.set_num_threads(3)
    assert fl.get_num_threads() == 3
    fl.set_num_threads(old)
    assert fl.get_num_interop_threads() >= 1
    for lib in (fl, torch):
        with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
            lib.set_num_threads(0)
        with pytest.raises(TypeError, match="argument 'mode' \\(position 1\\) must be bool"):
            lib.use_deterministic_algorithms("x")
        lib.use_deterministic_algorithms(True, warn_only=True)
        state = (lib.are_deterministic_algorithms_enabled(),
                 lib.is_deterministic_algorithms_warn_only_enabled(),
                 lib.get_deterministic_debug_mode())
        lib.use_deterministic_algorithms(False)
        assert state == (True, True, 1)
        assert not lib.are_deterministic_algorithms_enabled()
