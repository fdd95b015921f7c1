"""Forward hook options (`prepend`, `with_kwargs`, `always_call`) and the global module
forward hooks, against torch (before: TypeError for the options, AttributeError for the
global registration)."""

import numpy as np
import pytest
import torch as real

import functorch_like as torch


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale
    return Scale()


def _run_options(lib):
    s, out = _scale(lib), []
    handles = [
        s.register_forward_pre_hook(lambda mod, a, k: (a, {**k, "scale": 3.0}),
                                    with_kwargs=True),
        s.register_forward_hook(lambda mod, a, k, o: o + k["scale"], with_kwargs=True),
        s.register_forward_hook(lambda mod, a, o: o * 10, prepend=True),
    ]
    out.append(s(lib.ones(2), scale=2.0).tolist())
    for h in handles:
        h.remove()
    out.append(s(lib.ones(2), scale=2.0).tolist())
    return out


def _run_always_call(lib):
    seen = []

    class Boom(lib.nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    b = Boom()
    b.register_forward_hook(lambda mod, a, o: seen.append(("always", o)), always_call=True)
    b.register_forward_hook(lambda mod, a, o: seen.append(("plain", o)))
    with pytest.raises(ValueError, match="boom"):
        b(lib.ones(1))
    return seen


def _run_global(lib):
    m, out = lib.nn.Linear(2, 2), []
    with lib.no_grad():
        m.weight.copy_(lib.eye(2))
        m.bias.zero_()
    g = lib.nn.modules.module.register_module_forward_hook(lambda mod, a, o: o + 100)
    out.append(m(lib.ones(2)).tolist())
    g.remove()
    out.append(m(lib.ones(2)).tolist())
    p = lib.nn.modules.module.register_module_forward_pre_hook(lambda mod, a: (a[0] * 2,))
    out.append(m(lib.ones(2)).tolist())
    p.remove()
    return out


@pytest.mark.parametrize("run", [_run_options, _run_always_call, _run_global],
                         ids=["prepend and with_kwargs", "always_call", "global hooks"])
def test_forward_hook_options_as_torch(run):
    assert run(torch) == run(real)


def test_a_pre_hook_with_kwargs_must_return_args_and_kwargs():
    for lib in (real, torch):
        s = _scale(lib)
        s.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
        with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, "
                                               r"new_kwargs\), but got 5\."):
            s(lib.ones(1))


def test_a_global_hook_registered_between_compiled_calls_runs_in_the_next():
    m = torch.nn.Linear(2, 2)

    @torch.compile
    def forward(x):
        return m(x)
    x = torch.ones(1, 2)
    with torch.no_grad():
        before = forward(x).numpy()
        handle = torch.nn.modules.module.register_module_forward_hook(
            lambda mod, args, out: out + 100)
        hooked = forward(x).numpy()
        handle.remove()
        after = forward(x).numpy()
    np.testing.assert_allclose(hooked - before, 100, rtol=1e-6)
    np.testing.assert_allclose(after, before)
