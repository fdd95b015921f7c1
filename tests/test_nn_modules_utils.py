"""torch.nn.modules.utils: the helpers custom layers import, against torch's."""

import pytest
import torch as real

import functorch_like as torch
from functorch_like import nn
import functorch_like.nn.modules.utils as ours
import torch.nn.modules.utils as theirs

_VALUES = [3, 2.5, (1, 2), [4, 5, 6], (), "ab", range(3), None]


@pytest.mark.parametrize("name", ["_single", "_pair", "_triple", "_quadruple"])
def test_ntuple_helpers_match_torch(name):
    for v in _VALUES:
        assert getattr(ours, name)(v) == getattr(theirs, name)(v), v
    assert getattr(ours, name).__name__ == name


def test_reverse_repeat_tuple_and_list_with_default_match_torch():
    for t, n in [((1, 2), 2), ((1, 2, 3), 1), ((), 3), ((7,), 0)]:
        assert ours._reverse_repeat_tuple(t, n) == theirs._reverse_repeat_tuple(t, n)
    for size, defaults in [(5, [1, 2]), ([None, 3], [8, 9, 10]), ([None], [4, 7]),
                           ([2, None, None], [1, 5, 6, 7])]:
        assert ours._list_with_default(size, defaults) == \
            theirs._list_with_default(size, defaults)
    with pytest.raises(ValueError) as e:
        ours._list_with_default([None, 3], [8, 9])
    with pytest.raises(ValueError) as t:
        theirs._list_with_default([None, 3], [8, 9])
    assert str(e.value) == str(t.value)


def test_consume_prefix_makes_a_wrapped_models_checkpoint_load_into_the_model():
    class Wrapper(nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

    class RealWrapper(real.nn.Module):
        def __init__(self, module):
            super().__init__()
            self.module = module

    sd = Wrapper(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))).state_dict()
    rsd = RealWrapper(real.nn.Sequential(real.nn.Linear(2, 3),
                                         real.nn.BatchNorm1d(3))).state_dict()
    ours.consume_prefix_in_state_dict_if_present(sd, "module.")
    theirs.consume_prefix_in_state_dict_if_present(rsd, "module.")
    assert list(sd) == list(rsd)
    assert dict(sd._metadata) == dict(rsd._metadata)
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert not model.load_state_dict(sd).missing_keys
    assert torch.equal(model[0].weight, sd["0.weight"])


def test_reachable_as_an_attribute_as_in_torch():
    assert torch.nn.modules.utils._pair(4) == (4, 4)
