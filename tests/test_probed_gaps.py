"""Differences from torch 2.13 that real scripts ran into (found by running tutorial-style
scripts under both libraries): Tensor.new with data, deepcopy of tensors, grad_fn classes
named after their ops, and the implicit-dim softmax warning."""

import copy
import importlib
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of


@pytest.mark.parametrize("arg", [
    np.array([1.0, 2.0]), np.array([1, 2], dtype=np.int32), [1, 2], (2, 3), 3,
    np.int64(3), np.array(3), "Size", "same-dtype tensor", "other-dtype tensor",
    "0-d int tensor", np.float64(3.0), 2.5, None,
], ids=repr)
def test_tensor_new_like_torch(arg):
    results = []
    for lib in (torch, fl):
        base = lib.zeros(2)
        a = {"Size": lib.Size([2, 1]), "same-dtype tensor": lib.tensor([3.0, 4.0]),
             "other-dtype tensor": lib.tensor([1, 2], dtype=lib.float16),
             "0-d int tensor": lib.tensor(3)}.get(arg, arg) if isinstance(arg, str) else arg
        call = (lambda: base.new()) if arg is None else (lambda: base.new(a))
        err = error_of(call)
        if err is not None:
            results.append(err)
            continue
        out = call()
        # (uninitialized memory in torch: compare shape and dtype only)
        data = out.tolist() if isinstance(arg, (list, tuple, str)) and arg != "Size" or (
            isinstance(arg, np.ndarray) and arg.ndim) else None
        results.append((tuple(out.shape), str(out.dtype).replace("torch.", ""), data))
    assert results[0] == results[1]


def test_tensor_new_of_a_tensor_shares_its_data_like_torch():
    for lib in (torch, fl):
        src = lib.tensor([1.0, 2.0])
        out = lib.zeros(1).new(src)
        out.add_(1)
        assert out is not src and src.tolist() == [2.0, 3.0]


def _deepcopies(lib):
    x = lib.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    x.note = [1, 2]
    y = copy.deepcopy(x)
    p = lib.nn.Parameter(lib.ones(2))
    p.sum().backward()
    q = copy.deepcopy(p)
    pair = copy.deepcopy({"a": x, "b": x})
    return (y.grad.tolist(), y.grad is x.grad, y.requires_grad, y.note, y.note is x.note,
            type(q).__name__, q.grad, pair["a"] is pair["b"], error_of(lambda: copy.deepcopy(x * 2)))


def test_deepcopy_of_tensors_like_torch():
    ours, theirs = _deepcopies(fl), _deepcopies(torch)
    assert ours == theirs
    assert ours[0] == [3.0, 3.0] and ours[-1][0] == "RuntimeError"


def test_grad_fn_classes_are_named_after_their_ops():
    for lib in (torch, fl):
        x = lib.ones(2, 2, requires_grad=True)
        y = (x * 2).exp().sum()
        names = []
        fn = y.grad_fn
        while fn is not None and type(fn).__name__ != "AccumulateGrad":
            names.append(type(fn).__name__)
            fn = fn.next_functions[0][0]
        assert names == ["SumBackward0", "ExpBackward0", "MulBackward0"], lib
        assert type(fn).__name__ == "AccumulateGrad"
    # one class per name
    a, b = (fl.ones(2, requires_grad=True) + 1), (fl.ones(3, requires_grad=True) + 2)
    assert type(a.grad_fn) is type(b.grad_fn) and a.grad_fn is not b.grad_fn


def _softmax_warnings(name):
    lib = importlib.import_module(name)
    functional = lib.nn.functional
    x = lib.ones(2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        functional.softmax(x)
        functional.log_softmax(x)
        functional.softmin(x)
        lib.nn.Softmax()(x)
        out = functional.softmax(x, 1)
    lines = [w.lineno for w in caught]
    return [str(w.message) for w in caught], lines, out.tolist()


def test_implicit_softmax_dim_warns_like_torch():
    (ours, our_lines, out), (theirs, their_lines, tout) = (_softmax_warnings("functorch_like"),
                                                          _softmax_warnings("torch"))
    assert ours == theirs and len(ours) == 4
    assert "Implicit dimension choice for softmin" in ours[2]
    # the functional calls' warnings point at the caller's lines, as torch's
    assert our_lines[:3] == their_lines[:3]
    np.testing.assert_allclose(out, tout)


def _error_and_warnings(lib, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        err = error_of(lambda: fn(lib))
    return err, [(w.category.__name__, str(w.message), w.lineno) for w in caught]


@pytest.mark.parametrize("fn", [
    lambda lib: lib.nn.functional.embedding(lib.tensor([1.0]), lib.ones(3, 2)),
    lambda lib: lib.nn.functional.mse_loss(lib.ones(2, 1), lib.ones(2)),
    lambda lib: lib.tensor(lib.ones(2)),
    lambda lib: lib.ones(2).to("cuda"),
    lambda lib: lib.ones(2).cuda(),
], ids=["embedding-float-indices", "mse-size-warning", "copy-construct", "to-cuda", "cuda"])
def test_errors_and_warnings_like_torch(fn):
    ours, theirs = _error_and_warnings(fl, fn), _error_and_warnings(torch, fn)
    if ours[0] is not None and ours[0][0] in ("DTypeError", "ShapeError"):
        ours = ((theirs[0][0], ours[0][1]), ours[1])    # (subclasses of torch's types)
    assert ours == theirs       # the same text, pointing at the same (user's) line


@pytest.mark.parametrize("shapes", [((2, 3), (2, 2)), ((2, 3), (3, 2)), ((3,), (1,)),
                                    ((3,), (2,)), ((3,), (1, 1)), ((3,), ()),
                                    ((2, 3, 4), (2, 4, 1))], ids=str)
def test_nll_loss_target_shapes_like_torch(shapes):
    ishape, tshape = shapes
    results = []
    for lib in (torch, fl):
        x = lib.arange(1.0, 1.0 + np.prod(ishape)).reshape(ishape)
        t = lib.zeros(tshape, dtype=lib.long)
        err = error_of(lambda: lib.nn.functional.nll_loss(x, t))
        results.append(err[1] if err else lib.nn.functional.nll_loss(x, t).item())
    assert results[0] == results[1]


def test_private_state_dict_hooks_like_torch():
    results = []
    for lib in (torch, fl):
        m = lib.nn.Linear(2, 1)
        m._register_state_dict_hook(
            lambda module, sd, prefix, meta: {k + "_renamed": v for k, v in sd.items()})
        seen = []
        m._register_load_state_dict_pre_hook(
            lambda sd, prefix, meta, strict, missing, unexpected, errors: seen.append(
                sorted(sd)))
        m._register_load_state_dict_pre_hook(
            lambda module, sd, *rest: seen.append(type(module).__name__), with_module=True)
        keys = sorted(m.state_dict())
        m.load_state_dict({"weight": lib.zeros(1, 2), "bias": lib.zeros(1)})
        results.append((keys, seen))
    assert results[0] == results[1]
    assert results[1][0] == ["bias_renamed", "weight_renamed"]
