"""The reference harness for the Tensor-op tests (tinygrad's `helper_test_op` style).

`check(fn, *inputs)` builds the same numpy inputs as torch tensors and as functorch_like
tensors, runs `fn(lib, *tensors)` written once against the torch API with `lib=torch` and
`lib=functorch_like`, and compares values, shapes, dtypes and `requires_grad` of every
output; then, for float inputs, the gradients of the float outputs (torch.autograd.grad
against functorch_like.autograd.grad with the same random cotangents).

With JAX's x64 mode off (the default), functorch_like stores 64-bit types as 32-bit ones and
its dtypes compare accordingly (`fl.int64 == fl.int32`), so dtypes are compared by mapping
torch's dtype through functorch_like's.
"""

from __future__ import annotations

import contextlib
import warnings

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl

_RNG = np.random.default_rng(0)


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0):
    """Uniform floats in [low, high), or integers in [low, high) for an integer dtype."""
    if np.issubdtype(dtype, np.integer):
        out = _RNG.integers(int(low), int(high), shape)
    elif dtype == np.bool_:
        out = _RNG.random(shape) < 0.5
    else:
        out = _RNG.uniform(low, high, shape)
    return np.asarray(out).astype(dtype)     # an array even for shape ()


def fl_dtype(torch_dtype: torch.dtype) -> fl.dtype:
    """functorch_like's dtype of the same name (`torch.int64` -> `fl.int64`)."""
    return getattr(fl, str(torch_dtype).split(".")[1])


def to_lib(lib, x, requires_grad=False):
    """A numpy array as a tensor of `lib` (same dtype); other values pass through."""
    if not isinstance(x, np.ndarray):
        return x
    t = torch.from_numpy(np.array(x)) if lib is torch else fl.tensor(x)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _flat(out):
    """The tensors of a (possibly nested) result, in order."""
    if isinstance(out, dict):
        return [t for o in out.values() for t in _flat(o)]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out] if isinstance(out, (torch.Tensor, fl.Tensor)) else []


def assert_same(ref, got, atol=1e-5, rtol=1e-4, path="out"):
    """Same structure; tensors with the same shape, dtype, requires_grad and values."""
    if isinstance(ref, torch.Tensor):
        assert isinstance(got, fl.Tensor), f"{path}: expected a Tensor, got {type(got)}"
        assert tuple(got.shape) == tuple(ref.shape), f"{path}: shape {got.shape} != {ref.shape}"
        assert got.dtype == fl_dtype(ref.dtype), f"{path}: dtype {got.dtype} != {ref.dtype}"
        assert got.requires_grad == ref.requires_grad, f"{path}: requires_grad differs"
        want = ref.detach().numpy()
        have = got.detach().numpy()
        if want.dtype.kind in "fc":
            np.testing.assert_allclose(have, want, atol=atol, rtol=rtol, err_msg=path)
        else:
            np.testing.assert_array_equal(have, want, err_msg=path)
    elif isinstance(ref, dict):                      # named results: {"exp": ..., ...}
        assert isinstance(got, dict) and list(got) == list(ref), f"{path}: keys differ"
        for key in ref:
            assert_same(ref[key], got[key], atol, rtol, f"{path}[{key!r}]")
    elif isinstance(ref, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"{path}: expected a sequence, got {type(got)}"
        assert len(got) == len(ref), f"{path}: length {len(got)} != {len(ref)}"
        for field in getattr(ref, "_fields", ()):    # torch.return_types: values/indices
            assert_same(getattr(ref, field), getattr(got, field), atol, rtol, f"{path}.{field}")
        for i, (r, g) in enumerate(zip(ref, got)):
            assert_same(r, g, atol, rtol, f"{path}[{i}]")
    elif isinstance(ref, torch.dtype):
        assert isinstance(got, fl.dtype) and got == fl_dtype(ref), f"{path}: {got} != {ref}"
    else:
        assert type(got) is type(ref), f"{path}: type {type(got)} != {type(ref)}"
        if isinstance(ref, float):
            np.testing.assert_allclose(got, ref, atol=atol, rtol=rtol, err_msg=path)
        else:
            assert got == ref, f"{path}: {got!r} != {ref!r}"


def check(fn, *inputs, grad=True, atol=1e-5, rtol=1e-4, grad_atol=None, grad_rtol=None,
          x64=False):
    """Runs `fn(lib, *tensors)` in torch and functorch_like and compares results and grads.

    Args:
      fn: `lambda t, x, y: ...` written against the torch API (`t` is the library).
      inputs: numpy arrays (turned into tensors; float ones require grad when `grad`) or
        any other value, passed to `fn` as it is.
      grad: compare gradients of the float outputs with respect to the float inputs.
      x64: run functorch_like with JAX's 64-bit types (for tight float64 comparisons).
    Returns:
      (torch result, functorch_like result).
    """
    ctx = jax.enable_x64(True) if x64 else contextlib.nullcontext()
    with ctx:
        wants = [grad and isinstance(x, np.ndarray) and x.dtype.kind == "f" for x in inputs]
        t_in = [to_lib(torch, x, w) for x, w in zip(inputs, wants)]
        f_in = [to_lib(fl, x, w) for x, w in zip(inputs, wants)]
        ref = fn(torch, *t_in)
        got = fn(fl, *f_in)
        assert_same(ref, got, atol, rtol)
        if not any(wants):
            return ref, got
        t_out = [o for o in _flat(ref) if o.requires_grad]
        f_out = [o for o in _flat(got) if o.requires_grad]
        if not t_out:
            return ref, got
        cots = [_RNG.standard_normal(tuple(o.shape)).astype(np.float64) for o in t_out]
        t_leaves = [t for t, w in zip(t_in, wants) if w]
        f_leaves = [t for t, w in zip(f_in, wants) if w]
        t_grads = torch.autograd.grad(
            t_out, t_leaves, [torch.from_numpy(c).to(o.dtype) for c, o in zip(cots, t_out)],
            allow_unused=True)
        f_grads = fl.autograd.grad(
            f_out, f_leaves, [fl.tensor(c).to(o.dtype) for c, o in zip(cots, f_out)],
            allow_unused=True)
        for i, (tg, fg) in enumerate(zip(t_grads, f_grads)):
            # An unused input: torch says None; a zero gradient is the same answer.
            tg = np.zeros(t_leaves[i].shape) if tg is None else tg.numpy()
            fg = np.zeros(f_leaves[i].shape) if fg is None else fg.numpy()
            assert fg.shape == tg.shape, f"grad[{i}]: shape {fg.shape} != {tg.shape}"
            np.testing.assert_allclose(fg, tg, atol=grad_atol or atol * 10,
                                       rtol=grad_rtol or rtol * 10, err_msg=f"grad[{i}]")
    return ref, got


def check_raises(fn, *inputs, match=True):
    """Both libraries raise the same exception type; with `match`, the same message too."""
    t_in = [to_lib(torch, x) for x in inputs]
    f_in = [to_lib(fl, x) for x in inputs]
    with pytest.raises(Exception) as t_err:
        fn(torch, *t_in)
    with pytest.raises(type(t_err.value)) as f_err:
        fn(fl, *f_in)
    if match:
        assert str(f_err.value) == str(t_err.value), f"{f_err.value}\n!=\n{t_err.value}"
    return t_err.value, f_err.value


def error_of(fn):
    """(exception type name, message) of what `fn()` raises, or None: to compare a
    failing call's error between torch and functorch_like."""
    try:
        fn()
    except Exception as e:                     # noqa: BLE001 (the type is what we compare)
        return type(e).__name__, str(e)
    return None


def same_error(call) -> None:
    """`call(lib)` raises with torch, and raises the same exception type and message with
    functorch_like."""
    expected = error_of(lambda: call(torch))
    assert expected is not None, "torch does not raise here"
    assert error_of(lambda: call(fl)) == expected


def outcome(fn, lib):
    """What `fn(lib)` gives, warnings silenced: its error as (type name, message), or its
    value(s) as (dtype name, nested list) (a tuple or list of them elementwise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(lib)
        except Exception as e:                 # noqa: BLE001 (the type is what we compare)
            return type(e).__name__, str(e)
    if isinstance(out, (tuple, list)):
        return [outcome(lambda _: o, lib) for o in out]
    if hasattr(out, "detach"):
        return str(out.dtype).split(".")[-1], np.asarray(out.detach().numpy()).tolist()
    return out


def _assert_same_outcome(got, want):
    if isinstance(want, list) and isinstance(got, list):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _assert_same_outcome(g, w)
    elif isinstance(want, tuple) and isinstance(want[1], list) and isinstance(got, tuple):
        assert got[0] == want[0]
        np.testing.assert_allclose(np.asarray(got[1], dtype=float),
                                   np.asarray(want[1], dtype=float), rtol=1e-6)
    else:
        assert got == want


def same_as_torch(fn):
    """Asserts torch and functorch_like give the same error, or the same values (to
    1e-6), for `fn(lib)` (see `outcome`)."""
    _assert_same_outcome(outcome(fn, fl), outcome(fn, torch))
