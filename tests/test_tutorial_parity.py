"""The official PyTorch tutorials (pytorch.org/tutorials), run under both libraries.

Short scripts in the tutorials' words ("Learning PyTorch with Examples", "Tensors",
"A Gentle Introduction to torch.autograd", "Build the Neural Network", "Optimizing Model
Parameters", "Save and Load the Model") were run with `import torch` and with
`import functorch_like as torch`; each difference found became a small test here that
compares against torch. Random initial values are replaced by the same numbers in both
runs (the two libraries' random streams differ by design). The "Learn the Basics"
tutorials, run whole, are in test_tutorial_parity_basics.py.
"""

import math
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _printout_parity import assert_same_printout
from _tensor_ops_ref import error_of


# ---- torch.accelerator (Tensors, Build the Neural Network: device selection) ------------

def test_accelerator_device_selection_like_torch():
    """The tutorials' `torch.accelerator.current_accelerator().type if
    torch.accelerator.is_available() else "cpu"` line."""
    for lib in (torch, fl):
        assert lib.accelerator.is_available() == (lib.accelerator.device_count() > 0)
    if not fl.accelerator.is_available() and not torch.accelerator.is_available():
        assert fl.accelerator.current_accelerator() is None
        assert fl.accelerator.current_accelerator(check_available=True) is None
        assert fl.accelerator.device_count() == torch.accelerator.device_count() == 0
        for name in ("current_device_index", "synchronize", "empty_cache",
                     "memory_allocated", "get_memory_info"):
            assert error_of(getattr(fl.accelerator, name)) == \
                error_of(getattr(torch.accelerator, name)), name
        with fl.accelerator.device_index(None):
            pass
    elif fl.accelerator.is_available():
        assert fl.accelerator.current_accelerator() == fl.device("cuda")
        assert fl.accelerator.current_accelerator().type == "cuda"
    x = fl.ones(2)
    device = fl.accelerator.current_accelerator() if fl.accelerator.is_available() \
        else "cpu"
    assert x.to(device).device.type in ("cpu", "cuda")


# ---- out= (Tensors tutorial: torch.matmul(tensor, tensor.T, out=y3)) --------------------

def _tutorial_out_calls(lib):
    tensor = lib.arange(16.).reshape(4, 4) / 7
    y3 = lib.zeros(4, 4)
    r3 = lib.matmul(tensor, tensor.T, out=y3)
    z3 = lib.zeros(4, 4)
    r4 = lib.mul(tensor, tensor, out=z3)
    assert r3 is y3 and r4 is z3
    return y3.numpy(), z3.numpy()


def test_out_argument_of_the_tensors_tutorial():
    for ours, theirs in zip(_tutorial_out_calls(fl), _tutorial_out_calls(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


_OUT_CASES = {
    "matmul long out": lambda m: m.matmul(m.ones(2, 2), m.ones(2, 2),
                                          out=m.zeros(2, 2, dtype=m.long)),
    "mul double out": lambda m: m.mul(m.ones(2, 2), 3.0, out=m.zeros(2, 2, dtype=m.float64)),
    "add long into float": lambda m: m.add(m.ones(2, dtype=m.long), 1, out=m.zeros(2)),
    "mul float into int": lambda m: m.mul(m.ones(2), 2.0, out=m.zeros(2, dtype=m.int32)),
    "abs into double": lambda m: m.abs(m.ones(2), out=m.zeros(2, dtype=m.float64)),
    "eq into float": lambda m: m.eq(m.ones(2), m.ones(2), out=m.zeros(2)),
    "cat into int": lambda m: m.cat([m.ones(2), m.ones(2)], out=m.zeros(4, dtype=m.int32)),
    "cat": lambda m: m.cat([m.ones(2), m.ones(1)], out=m.zeros(0)),
    "out list": lambda m: m.mul(m.ones(2), 2.0, out=[1.0]),
    "out None": lambda m: m.mul(m.ones(2), 2.0, out=None),
    "input requires grad": lambda m: m.mul(m.ones(2, requires_grad=True), 2.0,
                                           out=m.zeros(2)),
    "out requires grad": lambda m: m.matmul(m.ones(2, 2), m.ones(2),
                                            out=m.zeros(2, requires_grad=True)),
    "cat into an input": lambda m: (lambda c: m.cat([c, c], out=c))(m.ones(2, 3)),
    "stack into an input": lambda m: (lambda c: m.stack([c, c], out=c))(m.ones(2, 3)),
    "add into an input": lambda m: (lambda b: m.add(b, b, alpha=3, out=b))(m.arange(4.)),
    "mul into a view": lambda m: (lambda x: (m.mul(m.ones(3), 2.0, out=x[0]), x)[1])(
        m.zeros(2, 3)),
    "ldexp into int": lambda m: m.ldexp(m.ones(2), m.ones(2), out=m.zeros(2, dtype=m.int32)),
}


@pytest.mark.filterwarnings("ignore:An output with one or more elements")  # (tested below)
@pytest.mark.parametrize("case", sorted(_OUT_CASES))
def test_out_argument_like_torch(case, x64):
    results = []
    for lib in (torch, fl):
        err = error_of(lambda: _OUT_CASES[case](lib))
        if err is None:
            out = _OUT_CASES[case](lib)
            err = (str(out.dtype), out.tolist(), out.requires_grad, out.grad_fn is None)
        results.append(err)
    assert results[1] == results[0]


def test_out_argument_under_no_grad_keeps_a_leaf_like_torch():
    for lib in (torch, fl):
        w = lib.zeros(2, requires_grad=True)
        with lib.no_grad():
            lib.mul(lib.ones(2), 2.0, out=w)
        assert w.requires_grad and w.is_leaf and w.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("shape", [(3,), (0,)])
def test_out_argument_resizes_like_torch(shape):
    messages = []
    for lib in (torch, fl):
        out = lib.zeros(shape)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.mul(lib.ones(2, 2), 2.0, out=out)
        assert out.shape == (2, 2) and out.tolist() == [[2.0, 2.0], [2.0, 2.0]]
        # (torch appends where in its C++ sources it warned)
        messages.append([(str(w.message).split(" (Triggered internally")[0], w.filename)
                         for w in caught])
    assert messages[1] == messages[0]
    assert all(filename == __file__ for _, filename in messages[1])


# ---- whole tutorials, printed output compared --------------------------------------------

# "Learning PyTorch with Examples": the same polynomial fit, five ways.
_ABCD = (0.3, -0.5, 0.1, 0.2)       # (stand-ins for the tutorial's torch.randn(()) draws)


def polynomial_tensors(torch, steps=500):
    dtype, device = torch.float, torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, device=device, dtype=dtype) for v in _ABCD)
    learning_rate = 1e-6
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        if t % 100 == 99:
            print(t, loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')


def polynomial_autograd(torch, steps=500, legendre=False):
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float)
    y = torch.sin(x)
    init = (0.0, -1.0, 0.0, 0.3) if legendre else _ABCD
    a, b, c, d = (torch.full((), v, dtype=torch.float, requires_grad=True) for v in init)
    learning_rate = 5e-6 if legendre else 1e-6
    for t in range(steps):
        if legendre:
            P3 = LegendrePolynomial3.apply
            y_pred = a + b * P3(c + d * x)
        else:
            y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')
    print(loss, type(loss.grad_fn).__name__, a)


def polynomial_nn(torch, steps=500, optim=False):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    model.load_state_dict({"0.weight": torch.tensor([[0.1, -0.2, 0.3]]),
                           "0.bias": torch.tensor([0.05])})
    print(model)
    loss_fn = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3) if optim else None
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())
        if optim:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        else:
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= 1e-6 * param.grad
    linear_layer = model[0]
    print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
          f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')


def polynomial_modules(torch, steps=500):
    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return (f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + '
                    f'{self.d.item()} x^3')

    class DynamicNet(Polynomial3):
        def __init__(self):
            super().__init__()
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, rng.randint(4, 6)):   # (the tutorial's random.randint)
                y = y + self.e * x ** exp
            return y

    rng = __import__("random").Random(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    for cls, lr, momentum in ((Polynomial3, 1e-6, 0), (DynamicNet, 1e-8, 0.9)):
        model = cls()
        model.load_state_dict({name: torch.tensor(v) for name, v in
                               zip("abcde", (*_ABCD, 0.0)) if hasattr(model, name)})
        print(model, list(model.state_dict()))
        criterion = torch.nn.MSELoss(reduction='sum')
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        for t in range(steps):
            y_pred = model(x)
            loss = criterion(y_pred, y)
            if t % 100 == 99:
                print(t, loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f'Result: {model.string()}')


@pytest.mark.parametrize("script", [
    polynomial_tensors, polynomial_autograd,
    lambda torch: polynomial_autograd(torch, legendre=True), polynomial_nn,
    lambda torch: polynomial_nn(torch, optim=True), polynomial_modules,
], ids=["tensors", "autograd", "legendre_function", "nn", "optim_rmsprop", "modules"])
def test_learning_pytorch_with_examples(script):
    assert_same_printout(script, rtol=2e-5)
