"""Data objects (dataclasses, UserDicts, plain objects holding tensors) passed to or
returned from a compiled step: their tensors are program inputs and outputs, so a new
batch object each call finds the same program, as torch.compile's guards do."""

import collections
import dataclasses

import numpy as np
import pytest

import functorch_like as torch
from functorch_like import _compile
from functorch_like._trace_state import UntraceableError


@dataclasses.dataclass(frozen=True)
class Batch:
    x: torch.Tensor
    y: torch.Tensor
    scale: float = 1.0


@dataclasses.dataclass
class Output:
    loss: torch.Tensor
    pred: torch.Tensor


class PlainBatch:
    def __init__(self, x, y, names):
        self.x, self.y, self.names = x, y, names


class Features(collections.UserDict):
    pass


def _model():
    torch.manual_seed(0)
    return torch.nn.Linear(3, 1)


def _loss(model, x, y, scale=1.0):
    return ((model(x) * scale - y) ** 2).mean()


@pytest.mark.parametrize("make, unpack", [
    (lambda x, y: Batch(x, y), lambda b: (b.x, b.y)),
    (lambda x, y: PlainBatch(x, y, ["a", "b"]), lambda b: (b.x, b.y)),
    (lambda x, y: Features(x=x, y=y), lambda b: (b["x"], b["y"]))])
def test_a_new_batch_object_each_call_is_traced_once_and_gives_eager_values(make, unpack):
    # A dataclass or UserDict argument raised TypeError (unhashable); a plain object was
    # guarded by identity and traced again on every call.
    model = _model()
    step = torch.compile(lambda b: _loss(model, *unpack(b)))
    before = _compile.compile_count()
    for _ in range(3):
        x, y = torch.randn(4, 3), torch.randn(4, 1)
        got, want = step(make(x, y)), _loss(model, x, y)
        assert float(got) == pytest.approx(float(want), rel=1e-6)
    assert _compile.compile_count() - before == 1


def test_a_changed_number_in_the_object_traces_again():
    model = _model()
    step = torch.compile(lambda b: _loss(model, b.x, b.y, b.scale))
    x, y = torch.randn(4, 3), torch.randn(4, 1)
    before = _compile.compile_count()
    one, two = step(Batch(x, y, 1.0)), step(Batch(x, y, 2.0))
    assert _compile.compile_count() - before == 2
    assert float(two) == pytest.approx(float(_loss(model, x, y, 2.0)), rel=1e-6)
    assert float(one) != pytest.approx(float(two))


def test_a_returned_dataclass_holds_this_calls_tensors():
    model = _model()

    @torch.compile
    def step(b):
        pred = model(b.x)
        return Output(((pred - b.y) ** 2).mean(), pred)

    outs = [step(Batch(torch.randn(4, 3), torch.randn(4, 1))) for _ in range(2)]
    assert all(type(o) is Output for o in outs) and outs[0] is not outs[1]
    assert not np.allclose(outs[0].pred.detach().numpy(), outs[1].pred.detach().numpy())
    assert outs[1].pred.shape == (4, 1) and outs[1].loss.ndim == 0


def test_gradients_reach_a_leaf_tensor_held_by_the_object():
    w = torch.ones(3, requires_grad=True)

    @torch.compile
    def step(b):
        (b.x * b.scale).sum().backward()

    step(Batch(w, torch.zeros(1), 3.0))
    assert w.grad.tolist() == [3.0, 3.0, 3.0]


def test_setting_an_attribute_of_a_passed_object_raises_and_leaves_it_alone():
    # A plain object's rebound tensor attribute leaked a tracer.
    step = torch.compile(lambda b: setattr(b, "x", b.x * 2))
    batch = PlainBatch(torch.ones(2), torch.zeros(1), [])
    with pytest.raises(UntraceableError, match="attribute of the PlainBatch object"):
        step(batch)
    assert batch.x.tolist() == [1.0, 1.0]
