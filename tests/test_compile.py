"""functorch_like.compile: one XLA program per training step, identical to eager."""

import jax
import numpy as np
import pytest

import functorch_like as torch
from functorch_like import nn
from functorch_like._compile import compile_count
from functorch_like._trace_state import UntraceableError

from _compile_helpers import assert_same_state, squared_step, training_step

# One program against op-by-op programs: float32 agrees to ~1e-7 on the CPU; on a GPU, XLA
# multiplies float32 matrices in TF32 by default, with kernels that differ between the two
# (3.7e-5 apart on an H200).
_RTOL = 1e-5 if jax.default_backend() == "cpu" else 1e-3


def _mlp():
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))


def _cnn(p=0.0):
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, padding=1), nn.BatchNorm2d(6),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(p),
                         nn.Linear(6 * 2 * 2, 3))


def _data(shape, n=12, seed=0):
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((n, *shape)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 3, n).astype(np.int64))
    return x, y


def _twins(make, opt_cls=torch.optim.Adam, **opt_kwargs):
    """Two identical (model, optimizer) pairs."""
    torch.manual_seed(0)
    a = make()
    torch.manual_seed(0)
    b = make()
    return (a, opt_cls(a.parameters(), **opt_kwargs)), (b, opt_cls(b.parameters(), **opt_kwargs))


def test_compiled_equals_eager_mlp_adam():
    (m1, o1), (m2, o2) = _twins(_mlp, lr=0.01)
    crit = nn.CrossEntropyLoss()
    eager, compiled = training_step(m1, o1, crit), torch.compile(training_step(m2, o2, crit))
    x, y = _data((6,))
    for _ in range(20):
        le, lc = eager(x, y), compiled(x, y)
        np.testing.assert_allclose(lc.item(), le.item(), rtol=1e-5)
    assert_same_state(m1, m2)
    # the optimizer state was written back too, in PyTorch's format
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    assert s2[0]["step"].item() == s1[0]["step"].item() == 20
    np.testing.assert_allclose(s2[0]["exp_avg"].numpy(), s1[0]["exp_avg"].numpy(), rtol=1e-4,
                               atol=1e-7)
    # A step that clears its gradients itself leaves .grad None (no gradient buffers kept)
    assert m2[0].weight.grad is None and m1[0].weight.grad is not None


def test_keep_grads_writes_back_the_step_gradients():
    (m1, o1), (m2, o2) = _twins(_mlp, lr=0.01)
    crit = nn.CrossEntropyLoss()
    eager = training_step(m1, o1, crit)
    compiled = torch.compile(keep_grads=True)(training_step(m2, o2, crit))
    x, y = _data((6,))
    for _ in range(3):
        eager(x, y)
        compiled(x, y)
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_allclose(p2.grad.numpy(), p1.grad.numpy(), rtol=1e-4, atol=1e-6)


def _forward_backward(model, opt, crit, clip=None):
    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        return loss
    return step


@pytest.mark.parametrize("clip", [None, 0.5], ids=["plain", "clipped inside"])
def test_a_step_without_the_optimizer_leaves_its_gradients_for_it(clip):
    # Forward and backward compiled, the optimizer (and clipping) outside: the gradients
    # are the step's result. Before, they were dropped as in a full step, and the eager
    # optimizer.step() after it silently did nothing.
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.1)
    crit = nn.CrossEntropyLoss()
    eager = _forward_backward(m1, o1, crit, clip)
    compiled = torch.compile(_forward_backward(m2, o2, crit, clip))
    x, y = _data((6,))
    for _ in range(4):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
        for p1, p2 in zip(m1.parameters(), m2.parameters()):
            np.testing.assert_allclose(p2.grad.numpy(), p1.grad.numpy(), rtol=1e-4, atol=1e-6)
        for m in (m1, m2):
            nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        o1.step()
        o2.step()
    assert_same_state(m1, m2)


@pytest.mark.parametrize("clear", ["first", "last"],
                         ids=["zero_grad first on even calls", "zero_grad after the step"])
def test_gradients_accumulated_over_calls_of_one_compiled_step(clear):
    # optimizer.step() on odd calls, each update with two batches' gradients, as eagerly.
    # zero_grad first: the even call leaves its gradients for the next (before, they were
    # dropped). zero_grad after the step: the gradients the call is given enter the
    # program (they were read before the step cleared them), and the cleared ones are
    # None afterwards.
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.1)
    crit = nn.CrossEntropyLoss()

    def accumulating(model, opt):
        def step(x, y, i):
            if clear == "first" and i % 2 == 0:
                opt.zero_grad()
            loss = crit(model(x), y) / 2
            loss.backward()
            if i % 2 == 1:
                opt.step()
                if clear == "last":
                    opt.zero_grad()
            return loss
        return step
    eager, compiled = accumulating(m1, o1), torch.compile(accumulating(m2, o2))
    for i in range(6):
        x, y = _data((6,), seed=i)
        np.testing.assert_allclose(compiled(x, y, i).item(), eager(x, y, i).item(),
                                   rtol=1e-5)
        assert (m2[0].weight.grad is None) == (m1[0].weight.grad is None) == (
            clear == "last" and i % 2 == 1)
    assert_same_state(m1, m2)


def test_zero_grad_keeping_the_tensors_steps_a_parameter_unused_on_the_next_call():
    # zero_grad(set_to_none=False) keeps .grad as zeros: AdamW then steps a parameter the
    # next call does not use (decay, moments, step count), as eagerly. Before, the call
    # left .grad None and the next one skipped it.
    def make():
        torch.manual_seed(0)
        a, b = nn.Linear(6, 3), nn.Linear(6, 3)
        return a, b, torch.optim.AdamW([*a.parameters(), *b.parameters()], lr=0.05,
                                       weight_decay=0.1)

    def stepper(a, b, opt):
        def step(x, y, use_b):
            opt.zero_grad(set_to_none=False)
            out = a(x) + b(x) if use_b else a(x)
            loss = nn.functional.cross_entropy(out, y)
            loss.backward()
            opt.step()
            return loss
        return step
    (a1, b1, o1), (a2, b2, o2) = make(), make()
    eager, compiled = stepper(a1, b1, o1), torch.compile(stepper(a2, b2, o2))
    x, y = _data((6,))
    for use_b in (True, False, False):
        np.testing.assert_allclose(compiled(x, y, use_b).item(), eager(x, y, use_b).item(),
                                   rtol=_RTOL)
    assert o2.state[b2.weight]["step"].item() == o1.state[b1.weight]["step"].item() == 3
    assert_same_state(b1, b2)


def test_compiled_equals_eager_cnn_batchnorm_then_eval():
    (m1, o1), (m2, o2) = _twins(_cnn, torch.optim.SGD, lr=0.05, momentum=0.9)
    crit = nn.CrossEntropyLoss()
    eager, compiled = training_step(m1, o1, crit), torch.compile(training_step(m2, o2, crit))
    x, y = _data((1, 8, 8))
    for _ in range(20):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-4)
    assert_same_state(m1, m2, rtol=1e-4, atol=1e-5)     # incl. running stats
    assert m2[1].num_batches_tracked.item() == 20
    m1.eval()
    m2.eval()

    @torch.compile
    def evaluate(x):
        return m2(x)
    with torch.no_grad():
        np.testing.assert_allclose(evaluate(x).numpy(), m1(x).numpy(), rtol=1e-4, atol=1e-5)
    assert m2[1].num_batches_tracked.item() == 20          # eval leaves the stats alone


def test_scheduler_lr_changes_do_not_recompile_but_new_shapes_do():
    torch.manual_seed(0)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    crit = nn.CrossEntropyLoss()

    @torch.compile
    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        return loss

    x, y = _data((6,))
    before = compile_count()
    lrs = []
    for _ in range(6):
        step(x, y)
        lrs.append(opt.param_groups[0]["lr"])
    assert compile_count() - before == 1
    assert lrs == pytest.approx([0.1, 0.05, 0.05, 0.025, 0.025, 0.0125])
    x2, y2 = _data((6,), n=5)
    step(x2, y2)
    assert compile_count() - before == 2
    step(x, y)                                        # the first shape is still cached
    assert compile_count() - before == 2


def test_learning_rates_the_step_returns_are_numbers_as_eager():
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.1)
    crit = nn.CrossEntropyLoss()

    def make(model, opt, sched):
        def step(x, y):
            loss = training_step(model, opt, crit)(x, y)
            sched.step()
            return loss, opt.param_groups[0]["lr"], sched.get_last_lr()
        return step
    eager = make(m1, o1, torch.optim.lr_scheduler.StepLR(o1, 1, gamma=0.5))
    compiled = torch.compile(make(m2, o2, torch.optim.lr_scheduler.StepLR(o2, 1, gamma=0.5)))
    x, y = _data((6,))
    for _ in range(3):
        (_, lr1, last1), (_, lr2, last2) = eager(x, y), compiled(x, y)
        assert type(lr2) is float and lr2 == lr1
        assert last2 == last1 and type(last2[0]) is float


def test_scheduled_lr_trajectory_equals_eager():
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.2)
    s1 = torch.optim.lr_scheduler.ExponentialLR(o1, 0.8)
    s2 = torch.optim.lr_scheduler.ExponentialLR(o2, 0.8)
    crit = nn.CrossEntropyLoss()

    def make(model, opt, sched):
        def step(x, y):
            loss = training_step(model, opt, crit)(x, y)
            sched.step()
            return loss
        return step
    eager, compiled = make(m1, o1, s1), torch.compile(make(m2, o2, s2))
    x, y = _data((6,))
    for _ in range(8):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
    assert s1.get_last_lr() == s2.get_last_lr()
    assert_same_state(m1, m2)


def test_scheduler_methods_taken_before_compile_are_recorded_and_replayed():
    """`after = sched.step` (a bound method held by the step) steps the scheduler after
    every call as eagerly, and a `sched.get_last_lr` taken the same way returns the lrs as
    they are after the call; one compilation."""
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.2)
    crit = nn.CrossEntropyLoss()

    def make(model, opt):
        warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=2)
        decay = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, decay], milestones=[2])
        after, last_lr = sched.step, sched.get_last_lr

        def step(x, y):
            loss = training_step(model, opt, crit)(x, y)
            after()
            return loss, last_lr()
        return step, sched
    (eager, s1), (compiled, s2) = make(m1, o1), make(m2, o2)
    compiled = torch.compile(compiled)
    x, y = _data((6,))
    before = compile_count()
    for _ in range(5):
        (l1, lrs1), (l2, lrs2) = eager(x, y), compiled(x, y)
        np.testing.assert_allclose(l2.item(), l1.item(), rtol=1e-5)
        assert lrs2 == pytest.approx(lrs1) and lrs2 == pytest.approx(s2.get_last_lr())
    assert compile_count() - before == 1
    assert s2.last_epoch == s1.last_epoch == 5
    assert o2.param_groups[0]["lr"] == pytest.approx(o1.param_groups[0]["lr"])
    assert_same_state(m1, m2)


def test_train_eval_switch_recompiles_once_each():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 6), nn.Dropout(0.5))

    @torch.compile
    def forward(x):
        return model(x)

    x, _ = _data((6,))
    before = compile_count()
    forward(x)
    model.eval()
    forward(x)
    model.train()
    forward(x)
    assert compile_count() - before == 2


def test_dropout_masks_differ_per_call_and_follow_the_seed():
    def run(seed):
        torch.manual_seed(seed)
        model = nn.Dropout(0.5)

        @torch.compile
        def forward(x):
            return model(x)
        x = torch.ones(64)
        return [forward(x).numpy() for _ in range(3)]

    a, b, c = run(1), run(1), run(2)
    assert not np.array_equal(a[0], a[1])             # a fresh mask every call
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)           # same seed, same masks
    assert not np.array_equal(a[0], c[0])
    assert set(np.unique(a[0])) <= {0.0, 2.0}


@pytest.mark.parametrize("body, what", [
    (lambda loss: loss.item(), "item()"),
    (lambda loss: print(loss), "printing a tensor"),
    (lambda loss: 1 if loss > 0 else 0, "bool(tensor)"),
    (lambda loss: float(loss), "float(tensor)"),
    (lambda loss: loss.numpy(), "numpy()"),
])
def test_untraceable_python_raises_a_clear_error(body, what):
    torch.manual_seed(0)
    model = _mlp()

    @torch.compile
    def step(x):
        loss = model(x).sum()
        body(loss)
        return loss

    x, _ = _data((6,))
    with pytest.raises(UntraceableError, match="outside the compiled function") as info:
        step(x)
    assert what in str(info.value)
    assert isinstance(info.value, RuntimeError)
    # the module was left intact: an eager call still works and gives a number
    assert np.isfinite(model(x).sum().item())


def test_gradient_accumulation_without_zero_grad_matches_eager():
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.1)
    crit = nn.CrossEntropyLoss()

    def make(model):
        def accumulate(x, y):
            loss = crit(model(x), y)
            loss.backward()
            return loss
        return accumulate
    eager, compiled = make(m1), torch.compile(make(m2))
    x, y = _data((6,))
    for _ in range(3):
        eager(x, y)
        compiled(x, y)
    np.testing.assert_allclose(m2[0].weight.grad.numpy(), m1[0].weight.grad.numpy(),
                               rtol=1e-5, atol=1e-7)


def test_decorator_with_arguments_and_state_in_a_bound_method():
    class Trainer:
        def __init__(self):
            torch.manual_seed(0)
            self.model = _mlp()
            self.opt = torch.optim.Adam(self.model.parameters(), lr=0.01)
            self.crit = nn.CrossEntropyLoss()

        def step(self, x, y):
            self.opt.zero_grad()
            loss = self.crit(self.model(x), y)
            loss.backward()
            self.opt.step()
            return loss

    trainer = Trainer()
    step = torch.compile(mode="max-autotune")(trainer.step)
    x, y = _data((6,))
    losses = [step(x, y).item() for _ in range(15)]
    assert losses[-1] < losses[0]
    assert trainer.opt.state_dict()["state"][0]["step"].item() == 15


class _CompiledInClassBody:
    """A trainer whose step is compiled where it is defined, and a model whose forward is."""

    def __init__(self):
        torch.manual_seed(0)
        self.model = _ForwardCompiled()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=0.01)

    def eager_step(self, x, y):
        self.opt.zero_grad()
        loss = nn.functional.cross_entropy(self.model.body(x), y)   # (forward, uncompiled)
        loss.backward()
        self.opt.step()
        return loss

    @torch.compile
    def step(self, x, y):
        self.opt.zero_grad()
        loss = nn.functional.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss


class _ForwardCompiled(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = _mlp()

    @torch.compile
    def forward(self, x):
        return self.body(x)


def test_methods_compiled_in_their_class_body_bind_to_each_instance():
    a, b, c = (_CompiledInClassBody() for _ in range(3))
    x, y = _data((6,))
    for _ in range(3):
        np.testing.assert_allclose(b.step(x, y).item(), a.eager_step(x, y).item(), rtol=1e-5)
    assert_same_state(a.model, b.model)
    # Another instance trains its own model (from the same start).
    np.testing.assert_allclose(c.step(x, y).item(), _CompiledInClassBody().eager_step(x, y)
                               .item(), rtol=1e-5)
    assert b.step is b.step and b.step is not c.step
    # The compiled forward alone, under an eager backward.
    a.opt.zero_grad()
    nn.functional.cross_entropy(a.model(x), y).backward()
    expected = [p.grad.numpy() for p in a.model.parameters()]
    a.opt.zero_grad()
    nn.functional.cross_entropy(a.model.body(x), y).backward()
    for e, p in zip(expected, a.model.parameters()):
        np.testing.assert_allclose(e, p.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_non_tensor_arguments_are_static_and_guarded():
    torch.manual_seed(0)
    model = _mlp()

    @torch.compile
    def scaled(x, factor):
        return model(x) * factor

    x, _ = _data((6,))
    before = compile_count()
    np.testing.assert_allclose(scaled(x, 2.0).detach().numpy(), 2 * model(x).detach().numpy(),
                               rtol=1e-5)
    np.testing.assert_allclose(scaled(x, 3.0).detach().numpy(), 3 * model(x).detach().numpy(),
                               rtol=1e-5)
    assert compile_count() - before == 2


def test_device_strings_are_accepted():
    t = torch.ones(2).to("cpu")
    assert t.device == torch.device("cpu")
    assert torch.device("cuda:1").index == 1 and torch.device("gpu").type == "cuda"
    with pytest.raises(RuntimeError):
        torch.device("banana")


def test_tensor_arguments_that_require_grad_get_their_grad_as_in_eager():
    # Input gradients (saliency, adversarial examples): .grad of an argument that
    # requires grad accumulates over calls, as eager backward() does.
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.1)
    crit = nn.CrossEntropyLoss()
    eager, compiled = training_step(m1, o1, crit), torch.compile(training_step(m2, o2, crit))
    x, y = _data((6,))
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    for _ in range(2):
        np.testing.assert_allclose(compiled(x2, y).item(), eager(x1, y).item(), rtol=1e-6)
        assert x2.grad is not None
        np.testing.assert_allclose(x2.grad.numpy(), x1.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert_same_state(m1, m2)
    plain = x.clone()
    compiled(plain, y)                          # the same step on an input without grad
    assert plain.grad is None


def test_reduce_lr_on_plateau_stepped_inside_the_step_sees_each_calls_loss():
    # The recorded sched.step(loss) is replayed after every call with that call's loss (it
    # once held a tracer: UnexpectedTracerError).
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.5)
    # mode="max": a falling loss is a plateau, so the lr is cut every other call
    scheds = [torch.optim.lr_scheduler.ReduceLROnPlateau(o, mode="max", patience=1,
                                                         factor=0.5) for o in (o1, o2)]
    crit = nn.CrossEntropyLoss()

    def make(model, opt, sched):
        def step(x, y):
            loss = training_step(model, opt, crit)(x, y)
            sched.step(loss)
            return loss
        return step
    eager, compiled = make(m1, o1, scheds[0]), torch.compile(make(m2, o2, scheds[1]))
    x, y = _data((6,))
    before = compile_count()
    lrs = []
    for _ in range(8):
        np.testing.assert_allclose(compiled(x, y).item(), eager(x, y).item(), rtol=1e-5)
        assert o2.param_groups[0]["lr"] == o1.param_groups[0]["lr"]
        lrs.append(o2.param_groups[0]["lr"])
    assert compile_count() - before == 1
    assert len(set(lrs)) > 1                          # the plateau did cut the lr
    assert_same_state(m1, m2)


_REBOUND_X = None


def test_a_tensor_name_rebound_on_every_call_hits_the_recompile_limit_then_runs_eagerly():
    # Each rebinding is a new guard; past torch._dynamo's limit of 8 programs the function
    # warns once and runs eagerly, with the right numbers throughout (no growing cache).
    (m1, o1), (m2, o2) = _twins(_mlp, torch.optim.SGD, lr=0.1)
    crit = nn.CrossEntropyLoss()
    _, y = _data((6,))

    def make(model, opt):
        def step():
            return training_step(model, opt, crit)(_REBOUND_X, y)
        return step
    eager, compiled = make(m1, o1), torch.compile(make(m2, o2))
    before = compile_count()
    global _REBOUND_X
    with pytest.warns(UserWarning, match="hit the recompile limit") as caught:
        for i in range(11):
            _REBOUND_X, _ = _data((6,), seed=i)
            np.testing.assert_allclose(compiled().item(), eager().item(), rtol=1e-5)
    assert len([w for w in caught if "recompile limit" in str(w.message)]) == 1
    assert compile_count() - before == 8
    assert_same_state(m1, m2)


def test_torch_compiler_is_compiling_disable_reset_and_the_recompile_limit():
    """torch.compiler.is_compiling() is True while a step is traced (so a step can skip
    what needs values there), disable() keeps a function eager, reset() makes compiled
    functions trace afresh, and torch._dynamo.config.cache_size_limit (recompile_limit)
    sets when a function gives up and runs eagerly."""
    torch.manual_seed(0)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    printed = []

    def step(x, y):
        loss = training_step(model, opt, nn.CrossEntropyLoss())(x, y)
        if not torch.compiler.is_compiling():
            printed.append(loss.item())
        return loss
    x, y = _data((6,))
    step(x, y)
    assert len(printed) == 1 and not torch.compiler.is_compiling()
    compiled = torch.compile(step)
    before = compile_count()
    compiled(x, y)
    compiled(x, y)
    assert compile_count() - before == 1 and len(printed) == 1
    torch.compiler.reset()
    compiled(x, y)
    assert compile_count() - before == 2

    eager_only = torch.compiler.disable(step)
    assert torch.compile(eager_only) is eager_only
    eager_only(x, y)
    assert len(printed) == 2 and compile_count() - before == 2

    limit = torch._dynamo.config.recompile_limit
    torch._dynamo.config.cache_size_limit = 2
    try:
        assert torch._dynamo.config.recompile_limit == 2
        scaled = torch.compile(lambda x, s: model(x) * s)
        with pytest.warns(UserWarning, match=r"recompile limit \(2, "):
            for s in (1, 2, 3):         # (ints: compiled in, one program per value)
                np.testing.assert_allclose(scaled(x, s).detach().numpy(),
                                           (model(x) * s).detach().numpy(), rtol=1e-6)
        assert compile_count() - before == 4
    finally:
        torch._dynamo.config.recompile_limit = limit


def test_parameters_added_to_a_group_list_between_calls_are_stepped_as_eager():
    """`opt.param_groups[0]["params"].extend(...)` (not add_param_group) between calls:
    the group's list is part of what a call checks, so the new parameters train."""
    def run(compiled):
        torch.manual_seed(0)
        trunk, head = nn.Linear(3, 2), nn.Linear(2, 1)
        opt = torch.optim.SGD(trunk.parameters(), lr=0.1)
        step = squared_step(nn.Sequential(trunk, head), opt)
        step = torch.compile(step) if compiled else step
        losses = []
        for i in range(4):
            if i == 2:
                opt.param_groups[0]["params"].extend(head.parameters())
            if i == 3:
                del opt.param_groups[0]["params"][0]
            losses.append(step(torch.ones(4, 3)).item())
        return losses, trunk, head
    (l1, t1, h1), (l2, t2, h2) = run(False), run(True)
    np.testing.assert_allclose(l2, l1, rtol=1e-5)
    assert_same_state(t1, t2)
    assert_same_state(h1, h2)
