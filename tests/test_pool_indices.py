"""max_pool with return_indices, max_unpool and their modules against PyTorch."""

import re

import numpy as np
import pytest
import torch

import functorch_like as fl

CASES_2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
]


def _input(shape, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, shape).astype(np.float32) if ties else \
        rng.standard_normal(shape).astype(np.float32)
    return x


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("kw", CASES_2D)
def test_max_pool2d_indices_values_and_gradient_match_torch(kw, ties):
    x = _input((2, 3, 7, 8), ties=ties)
    out = {}
    for lib in (torch, fl):
        t = lib.tensor(x, requires_grad=True)
        v, i = lib.nn.functional.max_pool2d(t, return_indices=True, **kw)
        (v * lib.arange(float(v.numel())).reshape(v.shape)).sum().backward()
        out[lib] = (v.detach().numpy(), i.numpy(), t.grad.numpy())
    for a, b in zip(out[torch], out[fl]):
        np.testing.assert_allclose(b, a, rtol=1e-6)
    assert out[fl][1].dtype.kind == "i"


def test_max_pool1d_indices_and_nan_match_torch():
    x = _input((2, 2, 9))
    x[0, 1, 3] = np.nan
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)):
        ours = fl.nn.functional.max_pool1d(fl.tensor(x), return_indices=True, **kw)
        theirs = torch.nn.functional.max_pool1d(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
        np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy())


@pytest.mark.parametrize("shape, kw, output_size", [
    ((1, 3, 8, 8), dict(kernel_size=2), None),
    ((1, 3, 9, 9), dict(kernel_size=2), (9, 9)),
    ((1, 3, 8, 9), dict(kernel_size=2), [1, 3, 8, 9]),
    ((1, 3, 7, 8), dict(kernel_size=3, stride=2, padding=1), (7, 8)),
    ((2, 3, 10), dict(kernel_size=2), None),
    ((2, 3, 10), dict(kernel_size=3, stride=2), (10,)),    # overlapping windows
])
def test_max_unpool_round_trip_and_gradient_match_torch(shape, kw, output_size):
    nd = len(shape) - 2
    x = _input(shape)
    out = {}
    for lib in (torch, fl):
        F = lib.nn.functional
        pool, unpool = (F.max_pool2d, F.max_unpool2d) if nd == 2 else (F.max_pool1d,
                                                                        F.max_unpool1d)
        t = lib.tensor(x, requires_grad=True)
        v, i = pool(t, return_indices=True, **kw)
        u = unpool(v, i, output_size=output_size, **kw)
        (u * u).sum().backward()
        out[lib] = (u.detach().numpy(), t.grad.numpy())
    for a, b in zip(out[torch], out[fl]):
        np.testing.assert_allclose(b, a, rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i, 2, output_size=(9, 9)),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i, 2, output_size=[1, 1, 4]),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i * 10, 2),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i[..., :1], 2),
])
def test_max_unpool_errors_match_torch(call):
    x = _input((1, 1, 4, 4))
    errors = []
    for lib in (torch, fl):
        v, i = lib.nn.functional.max_pool2d(lib.tensor(x), 2, return_indices=True)
        with pytest.raises(Exception) as info:
            call(lib, v, i)
        errors.append(info.value)
    assert isinstance(errors[1], type(errors[0]))
    # Which invalid index torch names depends on its thread schedule; we name the first.
    assert re.sub(r"index: \d+", "index: N", str(errors[1])) == \
        re.sub(r"index: \d+", "index: N", str(errors[0]))


def test_modules_match_torch_and_compile():
    assert repr(fl.nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))
    assert repr(fl.nn.MaxUnpool1d(3, stride=1)) == repr(torch.nn.MaxUnpool1d(3, stride=1))
    pool = fl.nn.MaxPool2d(2, return_indices=True)
    unpool = fl.nn.MaxUnpool2d(2)
    conv = fl.nn.Conv2d(1, 1, 3, padding=1)
    opt = fl.optim.SGD(conv.parameters(), lr=0.1)
    x = fl.tensor(_input((2, 1, 6, 6)))

    def step(x):
        opt.zero_grad()
        v, i = pool(conv(x))
        loss = ((unpool(v, i) - x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    compiled = fl.compile(step)
    losses = [compiled(x).item() for _ in range(4)]
    assert losses[-1] < losses[0]
