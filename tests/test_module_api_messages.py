"""Module API messages and warnings as torch 2.13's: get_parameter/get_buffer/
get_submodule name what the path reaches ("`running_mean` is not an nn.Parameter"),
ModuleDict.update refuses bad input with torch's errors (Python's own before),
torch.tensor of strings raises torch's ValueError or TypeError as torch decides, and the
positional state_dict arguments and nn.utils.stateless.functional_call warn
(FutureWarning) as torch's."""

import warnings

import pytest
import torch

import functorch_like as fl


def _error(fn):
    try:
        fn()
    except Exception as e:      # (compared with torch's: type and text)
        return type(e).__name__, str(e)
    return None


def _model(L):
    bn = L.nn.BatchNorm1d(2)
    bn.foo = 3
    return L.nn.Sequential(bn, L.nn.ModuleList([L.nn.Linear(2, 2)]))


@pytest.mark.parametrize("call", [
    lambda m: m.get_parameter("0.running_mean"), lambda m: m.get_parameter("0.zz"),
    lambda m: m.get_buffer("0.weight"), lambda m: m.get_buffer("0.zz"),
    lambda m: m.get_submodule("0.foo"), lambda m: m.get_submodule("0.bar"),
    lambda m: m.get_submodule("2"), lambda m: m.get_parameter("1.5.weight"),
])
def test_lookup_errors(call):
    want = _error(lambda: call(_model(torch)))
    assert want is not None
    assert _error(lambda: call(_model(fl))) == want


def test_lookups_that_succeed():
    for L in (fl, torch):
        m = _model(L)
        assert m.get_parameter("1.0.weight") is m[1][0].weight
        assert m.get_buffer("0.running_var") is m[0].running_var
        assert m.get_submodule("1.0") is m[1][0]


@pytest.mark.parametrize("arg", [3, [("a",)], [3], [("a", None, None)]])
def test_module_dict_update_errors(arg):
    want = _error(lambda: torch.nn.ModuleDict().update(arg))
    assert want is not None
    assert _error(lambda: fl.nn.ModuleDict().update(arg)) == want


def test_module_dict_update_from_pairs_and_mappings():
    for L in (fl, torch):
        d = L.nn.ModuleDict()
        d.update([("a", L.nn.ReLU())])
        d.update({"b": L.nn.Tanh()})
        assert list(d.keys()) == ["a", "b"]


@pytest.mark.parametrize("data", [[1, "a"], ["a"], "a", [[1], ["a"]], ["a", 1]])
def test_tensor_of_strings(data):
    assert _error(lambda: fl.tensor(data)) == _error(lambda: torch.tensor(data))


def _future_warnings(L) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = L.nn.Linear(1, 1)
        m.state_dict(None, "p.")
        m.state_dict(prefix="q.")
        L.nn.utils.stateless.functional_call(m, {}, (L.ones(1, 1),))
    return [str(w.message) for w in caught if w.category is FutureWarning]


def test_deprecation_warnings():
    assert _future_warnings(fl) == _future_warnings(torch)
    assert len(_future_warnings(fl)) == 2


def test_share_memory_marks_parameters_and_buffers_shared():
    for L in (fl, torch):
        m = L.nn.BatchNorm1d(2)
        assert not m.weight.is_shared()
        assert m.share_memory() is m
        assert m.weight.is_shared() and m.running_mean.is_shared()


def test_to_empty_as_torch():
    """to_empty keeps the Parameter objects, their shapes, dtypes and requires_grad, moves
    only the module's own tensors with recurse=False, needs device by keyword, and
    returns the module (whose reset_parameters() then initializes it)."""
    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
        before = [id(p) for p in model.parameters()]
        assert model.to_empty(device="cpu") is model
        assert [id(p) for p in model.parameters()] == before
        inner = lib.nn.Linear(2, 2)
        inner.to_empty(device="cpu", recurse=False)
        with pytest.raises(TypeError, match="required keyword-only argument: 'device'"):
            model.to_empty()
        model[0].reset_parameters()
        return [(tuple(t.shape), str(t.dtype), t.requires_grad)
                for t in (*model.parameters(), *model.buffers())]
    assert run(fl) == run(torch)
