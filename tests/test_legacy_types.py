"""Legacy tensor types (torch.FloatTensor, ...) and Tensor.type(), against PyTorch."""

import numpy as np
import pytest
import torch

import functorch_like as fl

NAMES = ["FloatTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor", "CharTensor",
         "ShortTensor", "IntTensor", "LongTensor", "BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
def test_construct_like_torch(name):
    ours, theirs = getattr(fl, name), getattr(torch, name)
    assert repr(ours) == repr(theirs)
    for args in [(), (2, 3), ([1, 0, 1],), (fl.Size([2]),)]:
        targs = tuple(torch.Size(a) if isinstance(a, fl.Size) else a for a in args)
        a, b = ours(*args), theirs(*targs)
        assert a.dtype == getattr(fl, str(b.dtype).split(".")[1])
        assert tuple(a.shape) == tuple(b.shape)
        if args and isinstance(args[0], list):
            np.testing.assert_array_equal(a.float().numpy(), b.float().numpy())
    assert isinstance(ours([1]), ours)


def test_isinstance_and_type_conversion():
    x = fl.tensor([1, 2])
    assert isinstance(x, fl.LongTensor) and not isinstance(x, fl.FloatTensor)
    assert not isinstance(np.zeros(2), fl.LongTensor)
    assert x.type() == "torch.LongTensor"
    for spec in (fl.FloatTensor, "torch.FloatTensor", "torch.cuda.FloatTensor", fl.float32):
        y = x.type(spec)
        assert y.dtype == fl.float32 and y.type() == "torch.FloatTensor"
        np.testing.assert_array_equal(y.numpy(), [1.0, 2.0])


def test_errors_like_torch():
    with pytest.raises(ValueError, match=r"invalid type: 'torch.FooTensor'"):
        fl.tensor([1]).type("torch.FooTensor")
    with pytest.raises(ValueError, match=r"invalid type: 'torch.FooTensor'"):
        torch.tensor([1]).type("torch.FooTensor")
    for lib in (fl, torch):
        with pytest.raises(TypeError, match=r"data must be a sequence \(got float\)"):
            lib.FloatTensor(2.5)
        with pytest.raises(TypeError):
            lib.FloatTensor(lib.tensor([1, 2]))       # a tensor of another dtype
    same = fl.tensor([1.0, 2.0])
    assert fl.FloatTensor(same) is same


def test_lerp_uses_torchs_two_sided_formula():
    a = np.float32([0.1, -3.3, 7.77, 1e-3])
    b = np.float32([0.7, 2.9, -1.25, 5.0])
    for w in (0.0, 0.3, 0.5, 0.9, 1.0, -0.7, 1.6):
        ours = fl.lerp(fl.tensor(a), fl.tensor(b), w).numpy()
        # Within an ulp: whether the CPU code contracts w * d + a into an FMA is XLA's
        # choice (it differs between optimization levels) and PyTorch's kernel's.
        np.testing.assert_allclose(ours, torch.lerp(torch.tensor(a), torch.tensor(b),
                                                     w).numpy(), rtol=3e-7, atol=1e-7)
    # The two-sided formula is exact at the end: a + 1 * (b - a) is not, in float32.
    np.testing.assert_array_equal(fl.lerp(fl.tensor(a), fl.tensor(b), 1.0).numpy(), b)
    assert (a + np.float32(1.0) * (b - a) != b).any()
    wt = np.float32([0.2, 0.6, 0.95, 1.0])
    ta, tw = torch.tensor(a, requires_grad=True), torch.tensor(wt, requires_grad=True)
    fa, fw = fl.tensor(a, requires_grad=True), fl.tensor(wt, requires_grad=True)
    torch.lerp(ta, torch.tensor(b), tw).sum().backward()
    fl.lerp(fa, fl.tensor(b), fw).sum().backward()
    np.testing.assert_allclose(fl.lerp(fl.tensor(a), fl.tensor(b), fl.tensor(wt)).numpy(),
                               torch.lerp(torch.tensor(a), torch.tensor(b),
                                          torch.tensor(wt)).numpy(), rtol=3e-7, atol=1e-7)
    np.testing.assert_allclose(fa.grad.numpy(), ta.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(fw.grad.numpy(), tw.grad.numpy(), rtol=1e-6)
