"""`out=` of torch's reductions and (values, indices) functions, compared with torch 2.13.

Each case runs with `import torch` and with functorch_like: the values written into out,
their dtype, whether the returned object is out (or, for a pair, holds the given
tensors), the errors (type and message) and the resize warnings must agree.
"""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of


def _x(m):
    return m.arange(12.).reshape(3, 4) * 0.25     # (exact: values compared as lists)


def _z(m, *shape, dtype=None):
    return m.zeros(shape, dtype=dtype or m.float32)


@pytest.fixture(autouse=True)
def _with_x64(x64):
    """float64 outs need JAX's 64-bit types."""


# name -> (call(m, out), out maker(m)) ; out maker gives one tensor or a pair
_OK = {
    "sum dim": (lambda m, o: m.sum(_x(m), 1, out=o), lambda m: _z(m, 3)),
    "sum keepdim": (lambda m, o: m.sum(_x(m), 1, keepdim=True, out=o),
                    lambda m: _z(m, 3, 1)),
    "sum dims": (lambda m, o: m.sum(_x(m), (0, 1), out=o), lambda m: _z(m)),
    "sum into long": (lambda m, o: m.sum(_x(m), 1, out=o), lambda m: _z(m, 3, dtype=m.long)),
    "sum into double": (lambda m, o: m.sum(_x(m), 1, out=o),
                        lambda m: _z(m, 3, dtype=m.float64)),
    "sum long into float": (lambda m, o: m.sum(m.arange(12).reshape(3, 4), 1, out=o),
                            lambda m: _z(m, 3)),
    "sum bools into bool": (lambda m, o: m.sum(_x(m) > 0.5, 1, out=o),
                            lambda m: _z(m, 3, dtype=m.bool)),
    "sum dtype given": (lambda m, o: m.sum(_x(m), 1, dtype=m.float64, out=o),
                        lambda m: _z(m, 3, dtype=m.float64)),
    "mean dim": (lambda m, o: m.mean(_x(m), 1, out=o), lambda m: _z(m, 3)),
    "mean no dim": (lambda m, o: m.mean(_x(m), out=o), lambda m: _z(m)),
    "mean into double": (lambda m, o: m.mean(_x(m), 1, out=o),
                         lambda m: _z(m, 3, dtype=m.float64)),
    "prod dim": (lambda m, o: m.prod(_x(m), 1, out=o), lambda m: _z(m, 3)),
    "prod into long": (lambda m, o: m.prod(_x(m) * 3, 1, out=o),
                       lambda m: _z(m, 3, dtype=m.long)),
    "amax": (lambda m, o: m.amax(_x(m), 1, out=o), lambda m: _z(m, 3)),
    "amin": (lambda m, o: m.amin(_x(m), 0, out=o), lambda m: _z(m, 4)),
    "max dim": (lambda m, o: m.max(_x(m), 1, out=o),
                lambda m: (_z(m, 3), _z(m, 3, dtype=m.long))),
    "max dim list": (lambda m, o: m.max(_x(m), 1, out=o),
                     lambda m: [_z(m, 3), _z(m, 3, dtype=m.long)]),
    "min dim keepdim": (lambda m, o: m.min(_x(m), 0, keepdim=True, out=o),
                        lambda m: (_z(m, 1, 4), _z(m, 1, 4, dtype=m.long))),
    "max no dim": (lambda m, o: m.max(_x(m), out=o), lambda m: _z(m)),
    "max no dim into double": (lambda m, o: m.max(_x(m), out=o),
                               lambda m: _z(m, dtype=m.float64)),
    "max binary": (lambda m, o: m.max(_x(m), _x(m).flip(0), out=o), lambda m: _z(m, 3, 4)),
    "sort": (lambda m, o: m.sort(_x(m).flip(1), 1, out=o),
             lambda m: (_z(m, 3, 4), _z(m, 3, 4, dtype=m.long))),
    "sort descending": (lambda m, o: m.sort(_x(m), 0, descending=True, out=o),
                        lambda m: (_z(m, 3, 4), _z(m, 3, 4, dtype=m.long))),
    "topk": (lambda m, o: m.topk(_x(m), 2, out=o),
             lambda m: (_z(m, 3, 2), _z(m, 3, 2, dtype=m.long))),
    "kthvalue": (lambda m, o: m.kthvalue(_x(m), 2, out=o),
                 lambda m: (_z(m, 3), _z(m, 3, dtype=m.long))),
    "cummax": (lambda m, o: m.cummax(_x(m).flip(1), 1, out=o),
               lambda m: (_z(m, 3, 4), _z(m, 3, 4, dtype=m.long))),
    "cummin": (lambda m, o: m.cummin(_x(m), 0, out=o),
               lambda m: (_z(m, 3, 4), _z(m, 3, 4, dtype=m.long))),
    "mode": (lambda m, o: m.mode(m.tensor([[1., 2., 2.], [3., 3., 1.]]), 1, out=o),
             lambda m: (_z(m, 2), _z(m, 2, dtype=m.long))),
    "cumsum": (lambda m, o: m.cumsum(_x(m), 1, out=o), lambda m: _z(m, 3, 4)),
    "cumsum into long": (lambda m, o: m.cumsum(_x(m), 1, out=o),
                         lambda m: _z(m, 3, 4, dtype=m.long)),
    "cumprod into double": (lambda m, o: m.cumprod(_x(m), 1, out=o),
                            lambda m: _z(m, 3, 4, dtype=m.float64)),
    "logsumexp": (lambda m, o: m.logsumexp(_x(m), 1, out=o), lambda m: _z(m, 3)),
    "logsumexp long into float": (
        lambda m, o: m.logsumexp(m.arange(12).reshape(3, 4), 1, out=o), lambda m: _z(m, 3)),
    "std": (lambda m, o: m.std(_x(m), 1, out=o), lambda m: _z(m, 3)),
    "var into double": (lambda m, o: m.var(_x(m), 1, out=o),
                        lambda m: _z(m, 3, dtype=m.float64)),
    "var no dim": (lambda m, o: m.var(_x(m), out=o), lambda m: _z(m)),
    "norm dim": (lambda m, o: m.norm(_x(m), dim=1, out=o), lambda m: _z(m, 3)),
    "norm p=1": (lambda m, o: m.norm(_x(m), p=1, dim=1, out=o), lambda m: _z(m, 3)),
    "any": (lambda m, o: m.any(_x(m) > 0.5, 1, out=o), lambda m: _z(m, 3, dtype=m.bool)),
    "all of floats": (lambda m, o: m.all(_x(m), 1, out=o), lambda m: _z(m, 3, dtype=m.bool)),
    "all into uint8": (lambda m, o: m.all(_x(m) + 0.5, 1, out=o),
                       lambda m: _z(m, 3, dtype=m.uint8)),
    "where": (lambda m, o: m.where(_x(m) > 0.5, _x(m), -_x(m), out=o),
              lambda m: _z(m, 3, 4)),
    "argmax still": (lambda m, o: m.argmax(_x(m), 1, out=o),
                     lambda m: _z(m, 3, dtype=m.long)),
}


def _run(lib, case):
    call, make = _OK[case]
    out = make(lib)
    r = call(lib, out)
    if isinstance(out, (tuple, list)):
        assert r is not out and all(a is b for a, b in zip(r, out)) and len(r) == 2
        return [(str(t.dtype), t.numpy()) for t in out]
    assert r is out
    return [(str(out.dtype), out.numpy())]


@pytest.mark.parametrize("case", sorted(_OK))
def test_out_values_like_torch(case):
    theirs, ours = _run(torch, case), _run(fl, case)
    assert [d for d, _ in ours] == [d for d, _ in theirs]
    for (_, a), (_, b) in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=1e-6)


def _req(m):
    return _x(m).requires_grad_()


_ERR = {
    "mean into long": lambda m: m.mean(_x(m), 1, out=_z(m, 3, dtype=m.long)),
    "mean of longs": lambda m: m.mean(m.arange(4), 0, out=_z(m)),
    "sum dtype mismatch": lambda m: m.sum(_x(m), 1, dtype=m.float64, out=_z(m, 3)),
    "sum no dim": lambda m: m.sum(_x(m), out=_z(m)),
    "amax into long": lambda m: m.amax(_x(m), 1, out=_z(m, 3, dtype=m.long)),
    "amin into double": lambda m: m.amin(_x(m), 1, out=_z(m, 3, dtype=m.float64)),
    "max values double": lambda m: m.max(_x(m), 1, out=(_z(m, 3, dtype=m.float64),
                                                        _z(m, 3, dtype=m.long))),
    "max indices int": lambda m: m.max(_x(m), 1, out=(_z(m, 3), _z(m, 3, dtype=m.int32))),
    "max both wrong": lambda m: m.max(_x(m), 1, out=(_z(m, 3, dtype=m.long), _z(m, 3))),
    "sort values long": lambda m: m.sort(_x(m), 1, out=(_z(m, 3, 4, dtype=m.long),
                                                        _z(m, 3, 4, dtype=m.long))),
    "topk indices int": lambda m: m.topk(_x(m), 2, out=(_z(m, 3, 2),
                                                        _z(m, 3, 2, dtype=m.int32))),
    "kthvalue values double": lambda m: m.kthvalue(_x(m), 2, out=(
        _z(m, 3, dtype=m.float64), _z(m, 3, dtype=m.long))),
    "kthvalue indices int": lambda m: m.kthvalue(_x(m), 2, out=(_z(m, 3),
                                                                _z(m, 3, dtype=m.int32))),
    "cummax values double": lambda m: m.cummax(_x(m), 1, out=(
        _z(m, 3, 4, dtype=m.float64), _z(m, 3, 4, dtype=m.long))),
    "cummin indices int": lambda m: m.cummin(_x(m), 1, out=(_z(m, 3, 4),
                                                            _z(m, 3, 4, dtype=m.int32))),
    "cummax out ints": lambda m: m.cummax(_x(m), 1, out=(1, 2)),
    "mode values double": lambda m: m.mode(_x(m), 1, out=(_z(m, 3, dtype=m.float64),
                                                          _z(m, 3, dtype=m.long))),
    "mode indices int": lambda m: m.mode(_x(m), 1, out=(_z(m, 3), _z(m, 3, dtype=m.int32))),
    "mode out ints": lambda m: m.mode(_x(m), 1, out=(1, 2)),
    "cummax grad": lambda m: m.cummax(_req(m), 1, out=(_z(m, 3, 4),
                                                       _z(m, 3, 4, dtype=m.long))),
    "logsumexp into long": lambda m: m.logsumexp(_x(m), 1, out=_z(m, 3, dtype=m.long)),
    "std into long": lambda m: m.std(_x(m), 1, out=_z(m, 3, dtype=m.long)),
    "norm into double": lambda m: m.norm(_x(m), dim=1, out=_z(m, 3, dtype=m.float64)),
    "any into float": lambda m: m.any(_x(m) > 0, 1, out=_z(m, 3)),
    "all into long": lambda m: m.all(_x(m), 1, out=_z(m, 3, dtype=m.long)),
    "argmax into float": lambda m: m.argmax(_x(m), 1, out=_z(m, 3)),
    "where into double": lambda m: m.where(_x(m) > 0, _x(m), _x(m),
                                           out=_z(m, 3, 4, dtype=m.float64)),
    "where scalar other": lambda m: m.where(_x(m) > 0, _x(m), 0., out=_z(m, 3, 4)),
    "where scalar input": lambda m: m.where(_x(m) > 0, 1., _x(m), out=_z(m, 3, 4)),
    # out not a Tensor
    "sum out list": lambda m: m.sum(_x(m), 1, out=[1.0]),
    "amax out int": lambda m: m.amax(_x(m), 1, out=3),
    "norm out list": lambda m: m.norm(_x(m), dim=1, out=[1.0]),
    "max out list of floats": lambda m: m.max(_x(m), 1, out=[1.0, 2.0]),
    "max out one tensor": lambda m: m.max(_x(m), 1, out=(_z(m, 3),)),
    "max out three": lambda m: m.max(_x(m), 1, out=(_z(m, 3),) * 3),
    "sort out ints": lambda m: m.sort(_x(m), 1, out=(1, 2)),
    "topk out ints": lambda m: m.topk(_x(m), 2, out=(1, 2)),
    "kthvalue out second int": lambda m: m.kthvalue(_x(m), 2, out=(_z(m, 3), 2)),
    # requires grad
    "sum grad": lambda m: m.sum(_req(m), 1, out=_z(m, 3)),
    "mean grad": lambda m: m.mean(_req(m), 1, out=_z(m, 3)),
    "amax grad": lambda m: m.amax(_req(m), 1, out=_z(m, 3)),
    "max grad": lambda m: m.max(_req(m), 1, out=(_z(m, 3), _z(m, 3, dtype=m.long))),
    "max no dim grad": lambda m: m.max(_req(m), out=_z(m)),
    "sort grad": lambda m: m.sort(_req(m), 1, out=(_z(m, 3, 4), _z(m, 3, 4, dtype=m.long))),
    "topk grad": lambda m: m.topk(_req(m), 2, out=(_z(m, 3, 2), _z(m, 3, 2, dtype=m.long))),
    "kthvalue grad": lambda m: m.kthvalue(_req(m), 2, out=(_z(m, 3), _z(m, 3, dtype=m.long))),
    "cumsum grad": lambda m: m.cumsum(_req(m), 1, out=_z(m, 3, 4)),
    "cumprod out grad": lambda m: m.cumprod(_x(m), 1, out=_z(m, 3, 4).requires_grad_()),
    "logsumexp grad": lambda m: m.logsumexp(_req(m), 1, out=_z(m, 3)),
    "var grad": lambda m: m.var(_req(m), 1, out=_z(m, 3)),
    "norm grad": lambda m: m.norm(_req(m), dim=1, out=_z(m, 3)),
    "where grad": lambda m: m.where(_x(m) > 0, _req(m), _x(m), out=_z(m, 3, 4)),
    "prod grad": lambda m: m.prod(_req(m), 1, out=_z(m, 3)),
    "min grad": lambda m: m.min(_req(m), 1, out=(_z(m, 3), _z(m, 3, dtype=m.long))),
}


@pytest.mark.parametrize("case", sorted(_ERR))
def test_out_errors_like_torch(case):
    theirs = error_of(lambda: _ERR[case](torch))
    assert theirs is not None
    assert error_of(lambda: _ERR[case](fl)) == theirs


_NO_GRAD_RESULT = {      # (no gradient: torch lets the inputs require grad with out=)
    "argmax": lambda m, x: m.argmax(x, 1, out=_z(m, 3, dtype=m.long)),
    "argmin": lambda m, x: m.argmin(x, 0, out=_z(m, 4, dtype=m.long)),
    "any": lambda m, x: m.any(x, 1, out=_z(m, 3, dtype=m.bool)),
    "all": lambda m, x: m.all(x, 1, out=_z(m, 3, dtype=m.bool)),
}


@pytest.mark.parametrize("case", sorted(_NO_GRAD_RESULT))
def test_out_of_a_result_without_gradient_accepts_grad_inputs_like_torch(case):
    results = [_NO_GRAD_RESULT[case](m, _req(m)) for m in (torch, fl)]
    assert results[1].tolist() == results[0].tolist()
    assert not results[1].requires_grad


_RESIZE = {
    "sum": (lambda m, o: m.sum(_x(m), 1, out=o), lambda m, n: _z(m, n)),
    "amax": (lambda m, o: m.amax(_x(m), 1, out=o), lambda m, n: _z(m, n)),
    "cumsum": (lambda m, o: m.cumsum(_x(m), 1, out=o), lambda m, n: _z(m, n)),
    "max dim": (lambda m, o: m.max(_x(m), 1, out=o),
                lambda m, n: (_z(m, n), _z(m, n, dtype=m.long))),
    "sort": (lambda m, o: m.sort(_x(m), 1, out=o),
             lambda m, n: (_z(m, n), _z(m, n, dtype=m.long))),
    "topk": (lambda m, o: m.topk(_x(m), 2, out=o),
             lambda m, n: (_z(m, n), _z(m, n, dtype=m.long))),
}


@pytest.mark.parametrize("n", [2, 0])
@pytest.mark.parametrize("case", sorted(_RESIZE))
def test_out_of_another_shape_is_resized_like_torch(case, n):
    seen = []
    for lib in (torch, fl):
        call, make = _RESIZE[case]
        out = make(lib, n)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call(lib, out)
        outs = out if isinstance(out, tuple) else (out,)
        seen.append(([(tuple(t.shape), t.tolist()) for t in outs],
                     [(str(w.message).split(" (Triggered internally")[0], w.filename)
                      for w in caught]))
    assert seen[1] == seen[0]
    assert all(filename == __file__ for _, filename in seen[1][1])
