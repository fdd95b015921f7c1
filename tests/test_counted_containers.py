"""The dicts that hold a model's and an optimizer's tensors count their changes
(`_writes.CountedDict`), so that a compiled call need not look inside them; they still
print, save, pickle and copy as PyTorch's plain dicts do."""

import collections
import copy
import io
import pickle

import numpy as np
import torch

import functorch_like as fl
from functorch_like import nn
from functorch_like._writes import WRITES, CountedDefaultDict, CountedDict

from _compile_helpers import training_step
from _custom_optimizer import momentum_sgd


def _model_and_adam():
    fl.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
    return model, fl.optim.Adam(model.parameters(), lr=0.01)


def test_every_change_of_a_counted_dict_is_a_write():
    d = CountedDict(a=1)
    changes = [lambda: d.__setitem__("b", 2), lambda: d.update(c=3),
               lambda: d.setdefault("e", 5), lambda: d.pop("a"), lambda: d.popitem(),
               lambda: d.__delitem__("b"), lambda: d.__ior__({"f": 6}), d.clear]
    for change in changes:
        before = WRITES.count
        change()
        assert WRITES.count == before + 1, change
    state = CountedDefaultDict()
    before = WRITES.count
    state["p"]["exp_avg"] = 0       # (the entry made on lookup, then set)
    assert WRITES.count == before + 2 and type(state["p"]) is CountedDict


def test_optimizer_state_prints_as_torchs():
    p, q = torch.nn.Parameter(torch.ones(2)), nn.Parameter(fl.ones(2))
    theirs = torch.optim.Adam([p], lr=0.1)
    ours = fl.optim.Adam([q], lr=0.1)
    assert repr(ours.state) == repr(theirs.state) == "defaultdict(<class 'dict'>, {})"
    assert isinstance(ours.state, type(theirs.state))
    model, _ = _model_and_adam()
    assert repr(model[0]._parameters) == repr(dict(model[0]._parameters))


def test_pickled_and_copied_models_and_optimizers_keep_counted_dicts():
    model, opt = _model_and_adam()
    opt.zero_grad()
    model(fl.ones(5, 4)).sum().backward()
    opt.step()
    # pickled: as plain dicts, the module's and optimizer's own again counted on loading
    data = pickle.dumps(model)
    assert b"CountedDict" not in data and b"_writes" not in data
    for m in (pickle.loads(data), copy.deepcopy(model)):
        for sub in m.modules():
            assert all(type(getattr(sub, name)) is CountedDict
                       for name in ("_parameters", "_buffers", "_modules"))
        np.testing.assert_array_equal(m[0].weight.detach().numpy(),
                                      model[0].weight.detach().numpy())
    state = pickle.loads(pickle.dumps(opt.state))
    assert type(state) is collections.defaultdict
    assert state.default_factory is dict and all(type(e) is dict for e in state.values())
    for o in (pickle.loads(pickle.dumps(opt)), copy.deepcopy(opt)):
        assert type(o.state) is CountedDefaultDict
        assert all(type(e) is CountedDict for e in o.state.values()) and len(o.state) == 6


def test_a_pytorch_style_optimizers_state_dict_saves_and_loads():
    # Its state_dict holds its own (counted) entries, as torch's holds the live entries.
    fl.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = momentum_sgd(fl)(model.parameters(), lr=0.1)
    model(fl.ones(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert type(sd["state"][0]) is CountedDict
    buf = io.BytesIO()
    fl.save(sd, buf)
    buf.seek(0)
    loaded = fl.load(buf)
    assert type(loaded["state"][0]) is dict
    np.testing.assert_array_equal(loaded["state"][0]["buf"].numpy(),
                                  sd["state"][0]["buf"].numpy())


def test_a_plain_training_loop_checks_no_dict_entry_between_calls():
    # What the counted dicts buy: a compiled call of a model + optimizer step finds every
    # state tensor in a counted dict, so its snapshot check looks at none of their entries.
    model, opt = _model_and_adam()
    step = fl.compile(training_step(model, opt, nn.CrossEntropyLoss()))
    x, y = fl.ones(5, 4), fl.tensor([0, 1, 2, 0, 1])
    for _ in range(3):
        step(x, y)
    state = step._snapshot.state
    assert len(state.home_dicts) > 20 and state.loose_dicts == []
    assert step._snapshot.holds()
