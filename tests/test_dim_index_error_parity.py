"""Differential tests against torch 2.13: the refusal of a non-int `dim` by single-dim
ops (torch's argument-parser texts, overloads included), indexing errors, and the
broadcast errors of masked_fill / masked_scatter."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl


def outcome(fn, lib):
    """What `fn(lib)` gives: its error as (type, message), or its value(s) as
    (dtype name, nested list)."""
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


def _assert_same(got, want):
    if isinstance(want, list) and isinstance(got, list):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _assert_same(g, w)
    elif isinstance(want, tuple) and isinstance(want[1], list) and isinstance(got, tuple):
        assert got[0] == want[0]
        np.testing.assert_allclose(np.asarray(got[1], dtype=float),
                                   np.asarray(want[1], dtype=float), rtol=1e-6)
    else:
        assert got == want


def same_as_torch(fn):
    """Asserts torch and functorch_like give the same error, or the same values."""
    _assert_same(outcome(fn, fl), outcome(fn, torch))


def x32(lib):
    return lib.arange(6.0).reshape(3, 2)


# ---- int `dim` -------------------------------------------------------------------------

# op -> (arguments before dim, arguments after dim, keyword names of those after)
SINGLE_DIM = {
    "argmax": ((), (), ()), "argmin": ((), (), ()), "cumsum": ((), (), ()),
    "cumprod": ((), (), ()), "softmax": ((), (), ()), "log_softmax": ((), (), ()),
    "topk": ((1,), (), ()), "median": ((), (), ()), "nanmedian": ((), (), ()),
    "mode": ((), (), ()), "kthvalue": ((1,), (), ()), "logcumsumexp": ((), (), ()),
    "cummax": ((), (), ()), "cummin": ((), (), ()), "unbind": ((), (), ()),
    "select": ((), (0,), ("index",)), "unsqueeze": ((), (), ()),
    "chunk": ((2,), (), ()), "transpose": ((), (1,), ("dim1",)),
    "max": ((), (), ()), "min": ((), (), ()), "sort": ((), (), ()),
    "argsort": ((), (), ()), "narrow": ((), (0, 1), ("start", "length")),
    "split": ((1,), (), ()),
}
BAD_DIMS = [(0,), 0.5, None, [0], True, "a", np.float64(1.0)]


def call_with_dim(lib, name, form, dim):
    """`name` on a 3x2 tensor with `dim`, as torch.fn / x.fn, dim positional / keyword."""
    x = x32(lib)
    before, after, after_names = SINGLE_DIM[name]
    key = "dim0" if name == "transpose" else "dim"
    if form.endswith("kw"):
        args, kwargs = before, {key: dim, **dict(zip(after_names, after))}
    else:
        args, kwargs = (*before, dim, *after), {}
    if form.startswith("fn"):
        return getattr(lib, name)(x, *args, **kwargs)
    return getattr(x, name)(*args, **kwargs)


@pytest.mark.parametrize("dim", BAD_DIMS, ids=repr)
@pytest.mark.parametrize("form", ["fn_pos", "fn_kw", "method_pos", "method_kw"])
@pytest.mark.parametrize("name", sorted(SINGLE_DIM))
def test_non_int_dim_is_refused_as_torch_does(name, form, dim):
    same_as_torch(lambda lib: call_with_dim(lib, name, form, dim))


@pytest.mark.parametrize("dim", [0, -1, np.int64(1), "tensor0"], ids=repr)
@pytest.mark.parametrize("form", ["fn_pos", "fn_kw", "method_pos", "method_kw"])
@pytest.mark.parametrize("name", sorted(SINGLE_DIM))
def test_int_like_dim_is_accepted(name, form, dim):
    # torch takes a numpy integer and a 0-d integer tensor for an int dim.
    same_as_torch(lambda lib: call_with_dim(
        lib, name, form, lib.tensor(0) if isinstance(dim, str) else dim))


@pytest.mark.parametrize("dim", [(0,), 0.5, None, lambda lib: lib.tensor([0])], ids=repr)
@pytest.mark.parametrize("name", ["cat", "stack", "concat", "concatenate"])
def test_joining_functions_refuse_a_non_int_dim(name, dim):
    def call(lib, **kw):
        d = dim(lib) if callable(dim) else dim
        return getattr(lib, name)([x32(lib), x32(lib)], d) if not kw else \
            getattr(lib, name)(tensors=[x32(lib), x32(lib)], dim=d)
    same_as_torch(call)
    same_as_torch(lambda lib: call(lib, kw=True))


def test_gather_and_index_select_check_dim_before_index():
    same_as_torch(lambda lib: lib.gather(x32(lib), (0,), lib.zeros(3, 2, dtype=lib.long)))
    same_as_torch(lambda lib: x32(lib).index_select(0.5, lib.tensor([0])))
    same_as_torch(lambda lib: x32(lib).gather(dim=[0], index=lib.zeros(1, 1).long()))


@pytest.mark.parametrize("call", [
    lambda lib: lib.max(x32(lib), (0,), True),
    lambda lib: x32(lib).max((0,), True),
    lambda lib: lib.min(x32(lib), (0,), keepdim=True),
    lambda lib: lib.max(input=x32(lib), dim=(0,)),
    lambda lib: lib.sort(x32(lib), (0,), True),
    lambda lib: x32(lib).sort(dim=(0,), descending=True),
    lambda lib: lib.argsort(x32(lib), (0,), stable=True),
    lambda lib: x32(lib).narrow(start=0, dim=(0,), length=1),
    lambda lib: lib.narrow(x32(lib), 0.5, 0, 1),
    lambda lib: lib.split(x32(lib), [1, 2], (0,)),
    lambda lib: x32(lib).split([1, 2], dim=0.5),
    lambda lib: lib.transpose(x32(lib), 0, (1,)),
    lambda lib: x32(lib).transpose(0, dim1=0.5),
    lambda lib: lib.argmax(x32(lib), axis=(0,)),
    lambda lib: lib.softmax(x32(lib), (0,), lib.float32),
    lambda lib: lib.nn.functional.softmax(x32(lib), (0,)),
    lambda lib: lib.nn.functional.log_softmax(x32(lib), dim=[0]),
    lambda lib: lib.nn.functional.softmin(x32(lib), dim=0.5),
], ids=lambda f: "")
def test_more_argument_combinations(call):
    same_as_torch(call)


def test_max_with_a_tensor_is_still_the_elementwise_overload():
    same_as_torch(lambda lib: lib.max(x32(lib), lib.tensor(2.5)))
    same_as_torch(lambda lib: x32(lib).min(lib.tensor([1.5, 0.5])))
    same_as_torch(lambda lib: lib.max(x32(lib), dim=lib.tensor(1)))
    same_as_torch(lambda lib: lib.max(x32(lib), dim=lib.tensor(1.0)))
