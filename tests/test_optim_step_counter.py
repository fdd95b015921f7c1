"""The optimizers' int32 step counters saturate instead of wrapping, and a compiled step
increments its shared counter once, without copying it."""

import os
import subprocess
import sys

import jax.numpy as jnp
import numpy as np
import pytest
import torch

from functorch_like.pure import optim

_LAST = 2**31 - 1       # int32's largest count: torch's float32 step is 2**31 there


@pytest.mark.parametrize("name, kw", [("adam", {}), ("adamw", {"weight_decay": 0.1}),
                                      ("adamax", {})])
def test_a_step_count_at_int32s_end_saturates_and_steps_as_torch(x64, name, kw):
    # A count that wrapped to -2**31 would make the bias corrections NaN.
    rng = np.random.default_rng(0)
    p0, g = rng.normal(size=(3,)), rng.normal(size=(2, 3))
    tx = getattr(optim, name)(lr=0.1, **kw)
    params = jnp.asarray(p0)
    state = tx.init(params)
    state = state._replace(step=jnp.asarray(_LAST - 1, jnp.int32))
    tp = torch.tensor(p0, requires_grad=True)
    topt = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
            "adamax": torch.optim.Adamax}[name]([tp], lr=0.1, **kw)
    topt.state[tp] = {"step": torch.tensor(float(_LAST - 1)),
                      **{k: torch.zeros(3, dtype=torch.float64)
                         for k in (("exp_avg", "exp_inf") if name == "adamax"
                                   else ("exp_avg", "exp_avg_sq"))}}
    for gi in g:
        updates, state = tx.update(jnp.asarray(gi), state, params)
        params = params + updates
        tp.grad = torch.tensor(gi)
        topt.step()
    assert int(state.step) == _LAST
    np.testing.assert_allclose(np.asarray(params), tp.detach().numpy(), rtol=1e-12)


_COMPILED_STEP = """
import re
import functorch_like as fl
from functorch_like import nn
from _compile_helpers import training_step
fl.manual_seed(0)
model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
opt = fl.optim.Adam(model.parameters(), lr=1e-3)
step = fl.compile(training_step(model, opt, nn.CrossEntropyLoss()))
x, y = fl.ones(4, 6), fl.tensor([0, 1, 2, 0])
step(x, y)
program = step.lower(x, y).compile().as_text()
print(len(re.findall(r"= s32\\[\\] copy\\(", program[program.index("ENTRY"):])),
      int(opt.state[model[0].weight]["step"]))
"""


def test_a_compiled_adam_step_copies_no_step_counter():
    # The step increments its group's shared counter once and the bias corrections read
    # the result: no copy of the donated counter (on an accelerator, one kernel less).
    # In a fresh process with XLA's default flags, as a user's program is compiled (the
    # suite's conftest lowers the CPU backend's optimization, which fuses otherwise).
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    out = subprocess.run([sys.executable, "-c", _COMPILED_STEP], capture_output=True,
                         text=True, env=env, check=True,
                         cwd=os.path.dirname(__file__)).stdout.split()
    assert out == ["0", "1"]
