"""Training steps as PyTorch users write them, compiled: each gives eager's results.

Every pattern builds its models and step after manual_seed(0), runs four steps on the same
batches eagerly and under functorch_like.compile, and compares what the steps return and
every model's state_dict (parameters, buffers, averaged copies).
"""

import copy

import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn
from functorch_like.nn import functional as F
from functorch_like._trace_state import UntraceableError
from functorch_like.optim import swa_utils

from _compile_helpers import assert_same_state
from _custom_optimizer import momentum_sgd


def _mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def _bn_mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _plain(model, opt, after=lambda: None):
    """zero_grad / cross-entropy / backward / step, then `after()`; returns the loss."""
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        after()
        return loss
    return step


def clip_grad_norm():
    m = _mlp()
    opt = torch.optim.SGD(m.parameters(), lr=0.5)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(m.parameters(), 0.1)
        nn.utils.clip_grad_value_(m.parameters(), 0.02)
        opt.step()
        return torch.stack([loss, norm])
    return step, [m]


def ema_by_hand():
    m = _mlp()
    ema = copy.deepcopy(m)
    ema.requires_grad_(False)
    opt = torch.optim.Adam(m.parameters(), lr=0.01)

    def update():
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), m.parameters()):
                pe.mul_(0.9).add_(p, alpha=0.1)
    return _plain(m, opt, update), [m, ema]


def gan_with_one_hot_and_two_optimizers():
    gen, disc = _mlp(), nn.Linear(3, 1)
    og = torch.optim.Adam(gen.parameters(), lr=0.01)
    od = torch.optim.Adam(disc.parameters(), lr=0.01)

    def step(x, y):
        fake = gen(x)
        od.zero_grad()
        real = F.one_hot(y, 3).float()
        ld = (F.binary_cross_entropy_with_logits(disc(fake.detach()), torch.zeros(6, 1))
              + F.binary_cross_entropy_with_logits(disc(real), torch.ones(6, 1)))
        ld.backward()
        od.step()
        og.zero_grad()
        lg = F.binary_cross_entropy_with_logits(disc(fake), torch.ones(6, 1))
        lg.backward()
        og.step()
        return torch.stack([ld, lg])
    return step, [gen, disc]


def gradient_penalty():
    m = _mlp()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        x = x.clone().requires_grad_(True)
        out = m(x)
        g, = torch.autograd.grad(out.sum(), x, create_graph=True)
        loss = F.cross_entropy(out, y) + 0.1 * (g.norm(2, dim=1) - 1).pow(2).mean()
        loss.backward()
        opt.step()
        return loss
    return step, [m]


def frozen_layer_adamw_label_smoothing():
    m = _mlp()
    m[0].weight.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=0.01)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y, label_smoothing=0.1)
        loss.backward()
        opt.step()
        return loss
    return step, [m]


def accuracy_nesterov_zero_grad_to_zeros():
    m = _mlp()
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, nesterov=True)

    def step(x, y):
        opt.zero_grad(set_to_none=False)
        out = m(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        opt.step()
        return torch.stack([loss.detach(), (out.argmax(1) == y).float().mean()])
    return step, [m]


def two_backwards_retain_graph_module_zero_grad():
    m = _mlp()
    opt = torch.optim.Adagrad(m.parameters(), lr=0.1)

    def step(x, y):
        m.zero_grad()
        out = m(x)
        first = F.cross_entropy(out, y)
        first.backward(retain_graph=True)
        second = out.pow(2).mean()
        second.backward()
        opt.step()
        return first + second
    return step, [m]


def accumulation_over_chunks():
    m = _mlp()
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)

    def step(x, y):
        opt.zero_grad()
        for xb, yb in zip(x.chunk(2), y.chunk(2)):
            (F.cross_entropy(m(xb), yb) / 2).backward()
        opt.step()
        return m[0].weight.grad.sum()
    return step, [m]


def param_groups_one_cycle_and_sequential_lr():
    m = _mlp()
    opt = torch.optim.SGD([{"params": m[0].parameters(), "lr": 0.2},
                           {"params": m[2].parameters()}], lr=0.1, momentum=0.9)
    one_cycle = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[0.5, 0.3], total_steps=10)
    return _plain(m, opt, one_cycle.step), [m]


def sequential_lr():
    m = _mlp()
    opt = torch.optim.Adam(m.parameters(), lr=0.1)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=2)
    decay = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, decay], milestones=[2])
    return _plain(m, opt, sched.step), [m]


def lstm_with_embedding():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.rnn = nn.Embedding(5, 4), nn.LSTM(4, 6, batch_first=True)
            self.out = nn.Linear(6, 3)

        def forward(self, x):
            h, _ = self.rnn(self.emb((x.abs() * 2).long().clamp(0, 4)))
            return self.out(h[:, -1])
    m = Net()
    return _plain(m, torch.optim.Adam(m.parameters(), lr=0.01)), [m]


def tied_weights_weight_decay():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 3, bias=False), nn.Linear(3, 4)
            self.c = nn.Linear(4, 3)
            self.c.weight = self.a.weight

        def forward(self, x):
            return self.c(self.b(self.a(x)))
    m = Net()
    return _plain(m, torch.optim.SGD(m.parameters(), lr=0.1, weight_decay=0.01)), [m]


def bf16_autocast():
    m = _mlp()
    opt = torch.optim.SGD(m.parameters(), lr=0.5)

    def step(x, y):
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = F.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        return loss.float()
    return step, [m]


def evaluation_in_eval_mode_under_no_grad():
    m = _bn_mlp()

    def step(x, y):
        m.eval()
        with torch.no_grad():
            out = m(x)
        m.train()
        return (out.argmax(1) == y).float().mean()
    return step, [m]


def buffer_counter_in_forward():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 3)
            self.register_buffer("count", torch.zeros(()))

        def forward(self, x):
            self.count += 1
            return self.lin(x) * (1 + 0.01 * self.count)
    m = Net()
    return _plain(m, torch.optim.SGD(m.parameters(), lr=0.1)), [m]


def sgd_closure():
    m = _mlp()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)

    def step(x, y):
        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(m(x), y)
            loss.backward()
            return loss
        return opt.step(closure)
    return step, [m]


def input_noise_and_functional_dropout():
    m = _mlp()
    opt = torch.optim.RMSprop(m.parameters(), lr=0.01)

    def step(x, y):
        opt.zero_grad()
        x = x + 0.1 * torch.randn_like(x)
        loss = F.cross_entropy(F.dropout(m(x), 0.3, training=True), y)
        loss.backward()
        opt.step()
        return loss
    return step, [m]


def activation_checkpointing():
    m = _mlp()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(torch.utils.checkpoint.checkpoint(m, x, use_reentrant=False), y)
        loss.backward()
        opt.step()
        return loss
    return step, [m]


def pytorch_style_optimizer_with_a_scheduler():
    m = _mlp()
    opt = momentum_sgd(torch)(m.parameters(), lr=0.1, weight_decay=0.01)
    return _plain(m, opt, torch.optim.lr_scheduler.StepLR(opt, 2, 0.5).step), [m]


def pytorch_style_optimizer_that_keeps_no_state():
    """Looks its state up (a defaultdict's empty entry) and stores nothing in it."""
    class PlainSGD(torch.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, dict(lr=0.1, momentum=0.0))

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]
                    if group["momentum"] != 0:
                        state["buf"] = p.grad.clone()
                    p.add_(p.grad, alpha=-group["lr"])
    m = _mlp()
    opt = PlainSGD(m.parameters())

    def step(x, y):
        loss = _plain(m, opt)(x, y)
        assert all(v == {} for v in opt.state.values())
        return loss
    return step, [m]


def orthogonal_parametrization():
    m = nn.Sequential(nn.utils.parametrizations.orthogonal(nn.Linear(4, 4)), nn.Tanh(),
                      nn.Linear(4, 3))
    return _plain(m, torch.optim.SGD(m.parameters(), lr=0.1)), [m]


def _averaged(**kwargs):
    def pattern():
        m = _bn_mlp()
        avg = swa_utils.AveragedModel(m, **kwargs)
        return _plain(m, torch.optim.SGD(m.parameters(), lr=0.1),
                      lambda: avg.update_parameters(m)), [m, avg]
    return pattern


PATTERNS = {f.__name__: f for f in [
    clip_grad_norm, ema_by_hand, gan_with_one_hot_and_two_optimizers, gradient_penalty,
    frozen_layer_adamw_label_smoothing, accuracy_nesterov_zero_grad_to_zeros,
    two_backwards_retain_graph_module_zero_grad, accumulation_over_chunks,
    param_groups_one_cycle_and_sequential_lr, sequential_lr, lstm_with_embedding,
    tied_weights_weight_decay, bf16_autocast, evaluation_in_eval_mode_under_no_grad,
    buffer_counter_in_forward, sgd_closure, input_noise_and_functional_dropout,
    activation_checkpointing, pytorch_style_optimizer_with_a_scheduler,
    pytorch_style_optimizer_that_keeps_no_state, orthogonal_parametrization]}
PATTERNS.update({
    "swa_average_model": _averaged(),
    "swa_average_with_buffers": _averaged(use_buffers=True),
    "swa_ema_multi_avg_fn": _averaged(multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9)),
    "swa_multi_avg_fn": _averaged(multi_avg_fn=swa_utils.get_swa_multi_avg_fn()),
    "swa_ema_avg_fn_with_buffers": _averaged(avg_fn=swa_utils.get_ema_avg_fn(0.9),
                                             use_buffers=True),
})


def _run(pattern, compiled: bool):
    torch.manual_seed(0)
    step, models = pattern()
    step = torch.compile(step) if compiled else step
    rng = np.random.default_rng(0)
    results = []
    for _ in range(4):
        x = torch.from_numpy(rng.standard_normal((6, 4)).astype(np.float32))
        y = torch.from_numpy(rng.integers(0, 3, 6))
        results.append(step(x, y).detach().numpy())
    return results, models


# bfloat16 keeps 8 bits of mantissa: XLA's fused program rounds fewer intermediates than
# eager's op-by-op run (as torch.compile's does), within a few bfloat16 ulps.
_RTOL = {"bf16_autocast": 2e-2}


@pytest.mark.parametrize("name", list(PATTERNS))
def test_training_step_pattern_compiled_equals_eager(name):
    eager, eager_models = _run(PATTERNS[name], compiled=False)
    compiled, compiled_models = _run(PATTERNS[name], compiled=True)
    rtol = _RTOL.get(name, 1e-5)
    for i, (e, c) in enumerate(zip(eager, compiled)):
        np.testing.assert_allclose(c, e, rtol=rtol, atol=1e-6, err_msg=f"step {i}")
    for e, c in zip(eager_models, compiled_models):
        assert_same_state(e, c, rtol=rtol)


def test_averaged_model_under_compile_copies_first_then_averages():
    """The first compiled update copies the model (n_averaged 0), later ones average:
    both are in the program, picked by the count."""
    torch.manual_seed(0)
    m = _mlp()
    avg = swa_utils.AveragedModel(m)
    with torch.no_grad():
        for p in avg.parameters():
            p.fill_(7.0)            # nothing of this may survive the first update
    update = torch.compile(lambda: avg.update_parameters(m))
    update()
    for p, q in zip(avg.module.parameters(), m.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    with torch.no_grad():
        for p in m.parameters():
            p.add_(1.0)
    update()
    assert int(avg.n_averaged) == 2
    for p, q in zip(avg.module.parameters(), m.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy() - 0.5, rtol=1e-6)


def test_a_pytorch_style_optimizer_compiles_again_only_for_new_state_or_hyperparameters():
    """Its step branches on the group's values, which stay Python values: the first call
    makes the state, the second runs with it, and an lr change traces once more."""
    from functorch_like._compile import compile_count
    torch.manual_seed(0)
    m = _mlp()
    opt = momentum_sgd(torch)(m.parameters(), lr=0.1)
    step = torch.compile(_plain(m, opt))
    x, y = torch.ones(6, 4), torch.zeros(6, dtype=torch.long)
    before = compile_count()
    for _ in range(4):
        step(x, y)
    assert compile_count() - before == 2
    assert float(opt.state[m[0].weight]["step"]) == 4
    opt.param_groups[0]["lr"] = 0.001
    for _ in range(3):
        step(x, y)
    assert compile_count() - before == 3


def test_a_pytorch_style_optimizer_counting_in_a_python_int_raises_under_compile():
    class CountingSGD(torch.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, dict(lr=0.1))

        @torch.no_grad()
        def step(self, closure=None):
            for p in self.param_groups[0]["params"]:
                state = self.state[p]
                state["n"] = state.get("n", 0) + 1
                p.add_(p.grad, alpha=-0.1)
    m = nn.Linear(4, 3)
    step = torch.compile(_plain(m, CountingSGD(m.parameters())))
    with pytest.raises(UntraceableError, match=r"set `CountingSGD.state\[<Parameter of "
                                               r"shape \[3, 4\]>\]`.*keep the value in a "
                                               "tensor"):
        step(torch.ones(6, 4), torch.zeros(6, dtype=torch.long))
