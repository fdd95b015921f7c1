"""torch._dynamo's names that scripts use: the compiler's disable/allow_in_graph/
is_compiling/reset, and the shape hints, which change no result."""

import numpy as np
import pytest
import torch as real

import functorch_like as torch
from functorch_like import nn
from functorch_like._compile import compile_count

from _compile_helpers import squared_step


def test_dynamo_shares_the_compilers_functions():
    for name in ("disable", "allow_in_graph", "is_compiling", "reset"):
        assert getattr(torch._dynamo, name) is getattr(torch.compiler, name)
        assert callable(getattr(real._dynamo, name))


def test_a_dynamo_disabled_function_runs_eagerly_under_compile():
    seen = []

    @torch._dynamo.disable
    def f(x):
        seen.append(torch._dynamo.is_compiling())
        return x * 2

    out = torch.compile(f)(torch.ones(3))
    assert seen == [False] and torch.equal(out, torch.full((3,), 2.0))


def test_mark_dynamic_is_a_hint_that_changes_no_result():
    torch.manual_seed(0)
    model = nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    eager_model = nn.Linear(4, 2)
    eager_model.load_state_dict(model.state_dict())
    eager_opt = torch.optim.SGD(eager_model.parameters(), lr=0.1)
    compiled = torch.compile(squared_step(model, opt))
    eager = squared_step(eager_model, eager_opt)
    before = compile_count()
    for n in (3, 5, 3):
        x = torch.arange(4.0 * n).reshape(n, 4) / 10
        torch._dynamo.mark_dynamic(x, 0)
        torch._dynamo.maybe_mark_dynamic(x, [0])
        torch._dynamo.mark_static(x, 1)
        np.testing.assert_allclose(compiled(x).item(), eager(x).item(), rtol=1e-6)
    # (one program per shape: the hint does not make one program for both sizes)
    assert compile_count() - before == 2
    np.testing.assert_allclose(model.weight.detach().numpy(),
                               eager_model.weight.detach().numpy(), rtol=1e-6)


def test_marks_are_kept_as_torchs_and_a_non_tensor_raises_as_torchs():
    x, rx = torch.ones(2, 3), real.ones(2, 3)
    torch._dynamo.mark_dynamic(x, [0, 1])
    real._dynamo.mark_dynamic(rx, [0, 1])
    assert x._dynamo_dynamic_indices == rx._dynamo_dynamic_indices
    with pytest.raises(AttributeError) as ours:
        torch._dynamo.mark_dynamic(3, 0)
    with pytest.raises(AttributeError) as theirs:
        real._dynamo.mark_dynamic(3, 0)
    assert str(ours.value) == str(theirs.value)
