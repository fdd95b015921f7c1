"""functorch_like.compile(module) and compiled forwards whose result needs grad: PyTorch's
`model = torch.compile(model)` idiom, trained with eager backward() and optimizer.step()."""

import ast
import subprocess
import sys

import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn
from functorch_like._compile import compile_count

from _compile_helpers import assert_same_state, squared_step, training_step


def _cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.0), nn.Linear(64, 3))


def _data(n=6, seed=0):
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((n, 1, 8, 8)).astype(np.float32))
    return x, torch.from_numpy(rng.integers(0, 3, n))


def _twins(make):
    torch.manual_seed(0)
    a = make()
    torch.manual_seed(0)
    return a, make()


def _torch_reference(code: str):
    """What real PyTorch gives for `code` (an expression over a compiled module `m`), in a
    child process: torch.compile changes torch's global state (it switches the
    distributions' argument validation off), which other reference tests rely on."""
    out = subprocess.run(
        [sys.executable, "-c", "import torch\nm = torch.compile(torch.nn.Linear(3, 2))\n"
         f"print(repr({code}))"], capture_output=True, text=True, check=True).stdout
    return ast.literal_eval(out.strip())


def test_compiled_module_is_an_optimized_module_as_in_pytorch():
    model = nn.Linear(3, 2)
    compiled = torch.compile(model)
    name, text, keys = _torch_reference("(type(m).__name__, repr(m), list(m.state_dict()))")
    assert type(compiled).__name__ == name == "OptimizedModule"
    assert repr(compiled) == text
    assert list(compiled.state_dict()) == keys
    assert compiled._orig_mod is model and compiled.in_features == 3
    assert [id(p) for p in compiled.parameters()] == [id(p) for p in model.parameters()]
    compiled.eval()
    assert not model.training


def test_training_a_compiled_module_with_eager_backward_matches_eager():
    eager, plain = _twins(_cnn)
    compiled = torch.compile(plain)
    opts = [torch.optim.Adam(m.parameters(), lr=0.01) for m in (eager, compiled)]
    crit = nn.CrossEntropyLoss()
    x, y = _data()
    before = compile_count()
    steps = [training_step(model, opt, crit) for model, opt in zip((eager, compiled), opts)]
    for _ in range(4):
        np.testing.assert_allclose(steps[1](x, y).item(), steps[0](x, y).item(), rtol=1e-5)
    assert compile_count() - before == 1
    assert_same_state(eager, plain)
    assert int(plain[1].num_batches_tracked) == 4
    eager.eval()
    compiled.eval()
    with torch.no_grad():
        np.testing.assert_allclose(compiled(x).numpy(), eager(x).numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_gradients_flow_through_a_compiled_forward_into_eager_code():
    # Before: the compiled result was detached, so grads of the parameters inside were
    # silently missing from a loss that also had eager terms.
    (m1, head1), (m2, head2) = [(nn.Linear(4, 5), nn.Linear(5, 1)) for _ in range(2)]
    m2.load_state_dict(m1.state_dict())
    head2.load_state_dict(head1.state_dict())

    @torch.compile
    def features(x):
        return torch.tanh(m2(x))

    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32))
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    for model, head, f, inp in ((m1, head1, lambda v: torch.tanh(m1(v)), x1),
                                (m2, head2, features, x2)):
        h = f(inp)
        assert h.requires_grad and h.grad_fn is not None
        loss = head(h).sum() + 0.1 * (model.weight ** 2).sum()
        loss.backward()
    for a, b in ((m1.weight, m2.weight), (m1.bias, m2.bias), (head1.weight, head2.weight),
                 (x1, x2)):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), rtol=1e-5, atol=1e-7)


def _stages():
    """Two identical (first stage, second stage) pairs of layers, and an input."""
    (a1, b1), (a2, b2) = [(nn.Linear(4, 6), nn.Linear(6, 2)) for _ in range(2)]
    a2.load_state_dict(a1.state_dict())
    b2.load_state_dict(b1.state_dict())
    return a1, b1, a2, b2, torch.randn(5, 4)


def test_a_compiled_block_inside_an_eager_graph_passes_gradients_back():
    a1, b1, a2, b2, x = _stages()
    block = torch.compile(b2)
    b1(torch.relu(a1(x))).pow(2).mean().backward()
    block(torch.relu(a2(x))).pow(2).mean().backward()      # a non-leaf argument
    for p1, p2 in zip(list(a1.parameters()) + list(b1.parameters()),
                      list(a2.parameters()) + list(b2.parameters())):
        np.testing.assert_allclose(p2.grad.numpy(), p1.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_backward_replays_the_calls_own_dropout_mask():
    torch.manual_seed(3)
    dropout = torch.compile(nn.Dropout(0.5))
    x = torch.ones(32, requires_grad=True)
    first, second = dropout(x), dropout(x)
    assert not np.array_equal(first.detach().numpy(), second.detach().numpy())
    first.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), first.detach().numpy())


def test_a_compiled_module_inside_a_compiled_step_is_inlined():
    eager, plain = _twins(_cnn)
    compiled = torch.compile(plain)
    opts = [torch.optim.SGD(m.parameters(), lr=0.1) for m in (eager, plain)]
    crit = nn.CrossEntropyLoss()
    steps = [training_step(eager, opts[0], crit),
             torch.compile(training_step(compiled, opts[1], crit))]
    x, y = _data()
    for _ in range(3):
        a, b = (s(x, y).item() for s in steps)
        np.testing.assert_allclose(b, a, rtol=1e-5)
    assert_same_state(eager, plain)



def test_a_compiled_function_ready_to_run_from_its_snapshot_is_inlined_in_a_trace():
    # Called on its own twice, `inner` has a snapshot its next call could run from. Called
    # inside `outer`'s trace, it must be traced (inlined), not run on the concrete state:
    # that would bake its result into outer's program as a constant.
    inner_model = nn.Linear(3, 2)
    inner = torch.compile(lambda x: inner_model(x))
    x = torch.randn(4, 3)
    outer = torch.compile(lambda x: inner(x) * 2)
    with torch.no_grad():
        for _ in range(2):
            inner(x)
        assert inner._snapshot is not None
        for scale in (1.0, 3.0, -2.0):
            want = inner_model(x * scale) * 2
            np.testing.assert_allclose(outer(x * scale).numpy(), want.numpy(), rtol=1e-6)

def test_a_compiled_forward_leaves_the_gradients_as_they_are():
    # It once wrote zeros into every None .grad: Adam then moved parameters that eager
    # code leaves alone (a head the loss does not use).
    def make():
        return nn.ModuleDict({"trunk": nn.Linear(4, 4), "used": nn.Linear(4, 2),
                              "unused": nn.Linear(4, 2)})
    eager, plain = _twins(make)
    opts = [torch.optim.AdamW(m.parameters(), lr=0.1) for m in (eager, plain)]
    evaluate = torch.compile(lambda x: plain["unused"](plain["trunk"](x)))
    x = torch.randn(3, 4)
    for model, opt, ev in ((eager, opts[0], lambda x: model["unused"](model["trunk"](x))),
                           (plain, opts[1], evaluate)):
        for _ in range(2):
            opt.zero_grad()
            with torch.no_grad():
                ev(x)
            assert model["trunk"].weight.grad is None
            model["used"](model["trunk"](x)).sum().backward()
            with torch.no_grad():
                ev(x)                                   # and with gradients present
            assert model["trunk"].weight.grad is not None
            assert model["unused"].weight.grad is None
            opt.step()
    assert_same_state(eager, plain, rtol=1e-6, atol=0)


def test_a_compiled_evaluation_leaves_the_state_and_earlier_state_dicts_alone():
    # A program that writes no state donates nothing (a state_dict taken before an
    # evaluation stays readable) and copies nothing (the parameters keep their arrays).
    model = _cnn()
    model.eval()
    evaluate = torch.compile(model)
    x, _ = _data()
    saved = model.state_dict()
    arrays = [p._value for p in model.parameters()]
    with torch.no_grad():
        first, second = evaluate(x), evaluate(x)
        expected = model(x)
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    np.testing.assert_allclose(first.numpy(), expected.numpy(), rtol=1e-6)
    for (name, t), now in zip(saved.items(), model.state_dict().values()):
        np.testing.assert_array_equal(t.numpy(), now.numpy(), err_msg=name)
    assert all(p._value is a for p, a in zip(model.parameters(), arrays))


def test_a_compiled_module_deep_copies_after_use():
    import copy
    compiled = torch.compile(nn.Linear(2, 2))
    x = torch.randn(3, 2)
    before = compiled(x).detach().numpy()
    twin = copy.deepcopy(compiled)
    assert twin._orig_mod is not compiled._orig_mod
    with torch.no_grad():
        twin._orig_mod.weight.fill_(1.0)
        twin._orig_mod.bias.zero_()
        np.testing.assert_allclose(twin(x).numpy(), x.numpy().sum(1, keepdims=True)
                                   .repeat(2, 1), rtol=1e-6)
        np.testing.assert_array_equal(compiled(x).numpy(), before)


def test_a_graph_argument_after_plain_calls_still_passes_gradients_back():
    # The plain loop's shortcuts (last program, snapshot) must not take a call whose
    # argument is part of a graph: its program differentiates through the argument.
    a1, b1, a2, b2, x = _stages()
    block = torch.compile(b2)
    with torch.no_grad():
        block(torch.relu(a2(x)))
    block(torch.relu(a2(x)).detach())                     # plain tensor argument
    block(torch.relu(a2(x)).detach())
    b1(torch.relu(a1(x))).pow(2).mean().backward()
    block(torch.relu(a2(x))).pow(2).mean().backward()     # now one that is in a graph
    np.testing.assert_allclose(a2.weight.grad.numpy(), a1.weight.grad.numpy(), rtol=1e-5,
                               atol=1e-7)

    # A step that runs backward itself cannot carry the gradient into the outer graph: it
    # says so, instead of stopping the gradient silently.
    step = torch.compile(squared_step(b2, torch.optim.SGD(b2.parameters(), lr=0.1)))
    step(torch.relu(a2(x)).detach())
    with pytest.raises(RuntimeError, match="backward.. through a tensor argument that is "
                                           "part of a graph"):
        step(torch.relu(a2(x)))


def test_module_compile_compiles_its_calls_in_place():
    # torch's nn.Module.compile(): model(x) runs compiled, the module and its state_dict
    # keys stay as they are, and training through it gives eager's numbers.
    def make():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 1))
    eager, compiled = make(), make()
    assert compiled.compile() is None
    start = torch._compile.compile_count()
    x = torch.randn(5, 3)
    for model in (eager, compiled):
        torch.manual_seed(1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
    assert torch._compile.compile_count() == start + 1
    assert list(compiled.state_dict()) == list(eager.state_dict())
    assert_same_state(eager, compiled)
    compiled.eval()                      # a mode change retraces, as a guard
    with torch.no_grad():
        np.testing.assert_allclose(compiled(x).numpy(), eager.eval()(x).numpy(), rtol=1e-6)


def test_a_compiled_forward_that_appends_its_loss_to_a_list_keeps_the_graph():
    # The appended tensors were plain values: summing them and calling backward raised.
    model = nn.Linear(2, 1)
    losses = []

    def forward(x):
        loss = model(x).sum()
        losses.append(loss)
        return loss
    grads = []
    for fn in (forward, torch.compile(forward)):
        losses.clear()
        model.zero_grad()
        fn(torch.ones(1, 2))
        fn(torch.full((1, 2), 2.0))
        sum(losses).backward()
        grads.append(model.weight.grad.numpy().copy())
    np.testing.assert_array_equal(grads[1], grads[0])
    np.testing.assert_array_equal(grads[0], [[3.0, 3.0]])


class _Tempered(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1, bias=False)
        self.temperature = 1.0

    def forward(self, x):
        return self.fc(x) / self.temperature


def test_attributes_set_on_a_compiled_module_are_the_originals():
    """As torch's OptimizedModule: an attribute set, replaced or deleted through the
    wrapper is the original's (it stayed on the wrapper, where forward never read it);
    len() and .training are the original's."""
    model = _Tempered()
    with torch.no_grad():
        model.fc.weight.fill_(1.0)
    compiled = torch.compile(model)
    x = torch.ones(1, 2)
    outs = [compiled(x).item()]
    compiled.temperature = 4.0
    outs.append(compiled(x).item())
    compiled.fc = nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        compiled.fc.weight.fill_(2.0)
    outs.append(compiled(x).item())
    assert model.temperature == 4.0 and "temperature" not in compiled.__dict__
    assert compiled.fc is model.fc
    assert outs == [2.0, 0.5, 1.0]
    del compiled.temperature
    assert not hasattr(model, "temperature")
    model.eval()
    assert compiled.training is False
    compiled.train()
    assert model.training is True
    assert len(torch.compile(nn.Sequential(nn.ReLU(), nn.Tanh()))) == 2
    with pytest.raises(TypeError, match="_Tempered does not support len()"):
        len(compiled)
