"""torch.func.functional_call's reparametrization against torch: values for tensor
attributes, None buffers and new attributes are used (they were dropped silently), two
values for one tied tensor are refused, and paths through non-modules or non-tensors
raise torch's errors; the module is as before after the call."""

import importlib

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_error


def _module(lib):
    nn = lib.nn

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(1, 1, bias=False)
            self.b = nn.Linear(1, 1, bias=False)
            self.b.weight = self.a.weight           # tied
            self.t = lib.ones(1)                    # a plain tensor attribute
            self.register_buffer("nb", None)
            self.k = 3

        def forward(self, x):
            out = self.a(x) + self.b(x) + x * self.t
            if self.nb is not None:
                out = out + self.nb
            extra = getattr(self, "extra", None)
            return out if extra is None else out + extra

    m = M()
    with lib.no_grad():
        m.a.weight.fill_(1.0)
    return m


def _call(lib, values, **kw):
    functional_call = importlib.import_module(lib.__name__ + ".func").functional_call
    m = _module(lib)
    out = functional_call(m, {k: v(lib) for k, v in values.items()}, (lib.ones(1, 1),), **kw)
    # the module is left as it was
    after = (m.a.weight.tolist(), m.b.weight is m.a.weight, m.t.tolist(), m.nb,
             hasattr(m, "extra"))
    return out.tolist(), after


def _full(v):
    return lambda lib: lib.full((1,), v)


@pytest.mark.parametrize("values", [
    {"t": _full(7.0)},                                  # a plain tensor attribute
    {"nb": _full(7.0)},                                 # a buffer registered as None
    {"extra": _full(7.0)},                              # an attribute the module lacks
    {"b.weight": lambda lib: lib.full((1, 1), 2.0)},    # one name of a tied pair
], ids=["attribute", "none_buffer", "new_attribute", "tied_one"])
def test_values_used_as_torch(values):
    assert _call(fl, values) == _call(torch, values)


def test_same_tensor_for_both_tied_names():
    def call(lib):
        w = lib.full((1, 1), 2.0)
        return _call(lib, {"a.weight": lambda _: w, "b.weight": lambda _: w})
    assert call(fl) == call(torch)


def test_untied_values_with_tie_weights_false():
    values = {"a.weight": lambda lib: lib.full((1, 1), 2.0),
              "b.weight": lambda lib: lib.full((1, 1), 3.0)}
    assert _call(fl, values, tie_weights=False) == _call(torch, values, tie_weights=False)


@pytest.mark.parametrize("values", [
    {"a.weight": lambda lib: lib.full((1, 1), 2.0),
     "b.weight": lambda lib: lib.full((1, 1), 3.0)},    # two values for one tied tensor
    {"a": lambda lib: lib.ones(1)},                     # names a submodule
    {"a.nope.x": lambda lib: lib.ones(1)},              # a path through no submodule
    {"zz.x": lambda lib: lib.ones(1)},
    {"k": lambda lib: lib.ones(1)},                     # an attribute that is no tensor
    {"t": lambda lib: 5.0},                             # a value that is no tensor
], ids=["tied_twice", "submodule", "bad_path", "bad_root", "int_attribute", "float_value"])
def test_errors_as_torch(values):
    same_error(lambda lib: _call(lib, values))
