"""nn.Module API details against torch: a one-element entry loaded into a 0-d slot,
`_apply` (overridable, called by half()/to()) and torch's `_named_members`, full backward
hooks' zeros for an input no gradient reached, the metadata load hooks see, the
refusal to pickle a parametrized module, dir() of containers, messages of parametrize,
buffer assignment and ModuleList.extend, and clip_grad_norm_'s coefficient."""

import pickle

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_error as _same_error


def _scalar_holder(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("s", lib.tensor(1.0))
            self.p = lib.nn.Parameter(lib.tensor(2.0))
    return M()


@pytest.mark.parametrize("assign", [False, True])
def test_one_element_entry_loads_into_a_0d_slot(assign):
    def run(lib):
        m = _scalar_holder(lib)
        keys = m.load_state_dict({"s": lib.tensor([5.0]), "p": lib.tensor([7.0])},
                                 assign=assign)
        return repr(keys), m.s.tolist(), m.p.tolist(), tuple(m.p.shape)
    assert run(fl) == run(torch)


def test_two_element_entry_into_a_0d_slot_still_refused():
    _same_error(lambda lib: _scalar_holder(lib).load_state_dict(
        {"s": lib.tensor([5.0, 6.0]), "p": lib.tensor(1.0)}))


def test_apply_overridden_by_a_subclass_is_called_by_half():
    def run(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(2, 2)
                self.extra = lib.ones(2)

            def _apply(self, fn, recurse=True):
                super()._apply(fn, recurse)
                self.extra = fn(self.extra)
                return self
        m = M().half()
        first = (str(m.lin.weight.dtype), str(m.extra.dtype))
        m._apply(lambda t: t.float())
        return first, (str(m.lin.weight.dtype), str(m.extra.dtype))
    ours, ref = run(fl), run(torch)
    assert [[d.split(".")[-1] for d in pair] for pair in ours] == \
        [[d.split(".")[-1] for d in pair] for pair in ref]


def test_named_members_takes_torchs_arguments():
    def run(lib):
        s = lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.BatchNorm1d(1))
        return ([n for n, _ in s._named_members(lambda m: m._parameters.items())],
                [n for n, _ in s._named_members(lambda m: m._buffers.items(), prefix="p")],
                [n for n, _ in s._named_members(lambda m: m._parameters.items(),
                                                recurse=False)])
    assert run(fl) == run(torch)


def test_full_backward_hook_sees_zeros_for_an_input_no_gradient_reached():
    def run(lib):
        class M(lib.nn.Module):
            def forward(self, a, c):
                return a * 2
        seen = []
        m = M()
        m.register_full_backward_hook(lambda mod, gi, go: seen.append(
            [None if g is None else g.tolist() for g in gi]))
        m(lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)).sum().backward()
        return seen
    assert run(fl) == run(torch) == [[[2.0, 2.0], [0.0, 0.0]]]


def test_load_metadata_has_the_assign_key_only_when_assigning():
    def run(lib):
        seen = []

        class M(lib.nn.Linear):
            def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args):
                seen.append(dict(local_metadata))
                super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)
        m = M(1, 1)
        state = m.state_dict()
        m.load_state_dict(state)
        m.load_state_dict(state, assign=True)
        return seen
    assert run(fl) == run(torch)


def test_pickling_a_parametrized_module_refused_as_torch():
    def call(lib):
        class Double(lib.nn.Module):
            def forward(self, x):
                return x * 2
        m = lib.nn.Linear(2, 2)
        lib.nn.utils.parametrize.register_parametrization(m, "weight", Double())
        pickle.dumps(m)
    _same_error(call)


def test_parametrization_changing_the_shape_refused_with_torchs_message():
    def call(lib):
        class ToScalar(lib.nn.Module):
            def forward(self, x):
                return x.sum()
        lib.nn.utils.parametrize.register_parametrization(lib.nn.Linear(2, 2), "weight",
                                                          ToScalar())
    _same_error(call)


def test_assignment_and_extend_messages():
    def assign(lib):
        lib.nn.BatchNorm1d(2).running_mean = 3
    _same_error(assign)
    _same_error(lambda lib: lib.nn.ModuleList().extend(3))


def test_dir_of_a_sequential_leaves_out_index_names():
    def run(lib):
        names = dir(lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Tanh()))
        return "0" in names, "1" in names, "forward" in names
    assert run(fl) == run(torch) == (False, False, True)


def test_clip_coefficient_rounds_as_torch():
    def run(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        p.grad = lib.tensor([3.0, 4.0])
        lib.nn.utils.clip_grad_norm_(p, 4.9999999)
        return p.grad.tolist()
    assert run(fl) == run(torch)
    np.testing.assert_allclose(run(fl), [3.0, 4.0], rtol=1e-6)


def test_call_super_init_passes_arguments_to_a_mixin():
    def run(lib):
        class Mixin:
            def __init__(self, tag=None, **kw):
                self.tag = tag
                super().__init__(**kw)

        class M(lib.nn.Module, Mixin):
            call_super_init = True

            def __init__(self):
                super().__init__(tag="x")
                self.lin = lib.nn.Linear(1, 1)
        m = M()
        return m.tag, [n for n, _ in m.named_parameters()], lib.nn.Module.dump_patches
    assert run(fl) == run(torch)


@pytest.mark.parametrize("args, kwargs", [((3,), {}), ((), {"a": 1})])
def test_module_init_arguments_refused_as_torch(args, kwargs):
    _same_error(lambda lib: lib.nn.Module(*args, **kwargs))


def test_global_full_backward_hooks_run_before_each_modules_own():
    def run(lib):
        import importlib
        mm = importlib.import_module(lib.__name__ + ".nn.modules.module")
        seen = []
        handles = [
            mm.register_module_full_backward_pre_hook(
                lambda m, go: seen.append(("gpre", type(m).__name__))),
            mm.register_module_full_backward_hook(
                lambda m, gi, go: seen.append(("g", type(m).__name__,
                                               [None if g is None else g.tolist()
                                                for g in gi]))),
        ]
        try:
            lin = lib.nn.Linear(2, 1)
            with lib.no_grad():
                lin.weight.fill_(0.5)
                lin.bias.fill_(0.1)
            lin.register_full_backward_hook(lambda m, gi, go: seen.append(("own",)))
            x = lib.ones(1, 2, requires_grad=True)
            (lib.nn.Sequential(lin, lib.nn.Tanh())(x) * 2).sum().backward()
        finally:
            for h in handles:
                h.remove()
        lib.nn.Identity()(x).sum().backward()           # (removed: nothing more)
        return [tuple(np.round(np.asarray(v, dtype=object).tolist(), 4).tolist()
                      if isinstance(v, list) else v for v in e) for e in seen]
    assert run(fl) == run(torch)
