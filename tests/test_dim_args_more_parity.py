"""Bad dims of index_fill/scatter/tensor_split/movedim/repeat_interleave/squeeze, the
reductions, roll/flip/permute and norm raise torch's TypeError (type and text), and good
dims still give torch's numbers; compared with real torch 2.13."""

import numpy as np
import pytest
import torch as T

import functorch_like as F


def _call(mod, src):
    torch = mod                                     # noqa: F841 (used by eval)
    x = mod.arange(6.).reshape(2, 3)                # noqa: F841
    i = mod.zeros(2, 3, dtype=mod.long)             # noqa: F841
    idx = mod.tensor([0])                           # noqa: F841
    return eval(src)


def _outcome(mod, src):
    try:
        return _call(mod, src)
    except Exception as e:                          # noqa: BLE001 (compared below)
        return e


BAD = """
torch.index_fill(x, 0.5, idx, 1.)
x.index_fill(0.5, idx, 1.)
x.index_fill_(0.5, idx, 1.)
torch.scatter(x, 0.5, i, 1.)
x.scatter(0.5, i, x)
torch.scatter(x, dim=0.5, index=i, src=x)
x.scatter_(0.5, i, x)
torch.scatter_add(x, 0.5, i, x)
x.scatter_add(0.5, i, x)
x.scatter_add_(0.5, i, x)
torch.scatter_reduce(x, 0.5, i, x, "sum")
x.scatter_reduce(dim=0.5, index=i, src=x, reduce="sum")
x.scatter_reduce_(0.5, i, x, "sum")
torch.tensor_split(x, 2, 0.5)
x.tensor_split(2, 0.5)
torch.tensor_split(x, 2, dim=0.5)
torch.tensor_split(x, [1], 0.5)
torch.movedim(x, 0.5, 1)
x.movedim(0.5, 1)
torch.movedim(x, 0, 0.5)
torch.movedim(x, source=0.5, destination=1)
torch.moveaxis(x, 0.5, 1)
x.moveaxis(0.5, 1)
torch.movedim(x, (0, 1.5), (1, 0))
torch.movedim(x, (0, 1), 0.5)
torch.movedim(x, (0.5,), (0,))
torch.repeat_interleave(x, 2, dim=0.5)
x.repeat_interleave(2, dim=0.5)
torch.repeat_interleave(x, 2, 0.5)
x.repeat_interleave(2, 0.5)
torch.squeeze(x, 0.5)
x.squeeze(0.5)
x.squeeze(dim=0.5)
x.squeeze((0, 0.5))
x.squeeze_(0.5)
torch.squeeze(x, None)
torch.sum(x, 0.5)
x.sum(0.5)
x.sum(dim=0.5)
x.sum((0, 0.5))
torch.sum(x, (0.5,))
torch.sum(x, True)
torch.mean(x, 0.5)
x.mean(0.5)
x.mean(dim=0.5)
torch.amax(x, 0.5)
x.amax(0.5)
x.amin(dim=0.5)
torch.amin(x, 0.5)
torch.amax(x, True)
torch.amax(x, (0, 0.5))
torch.amax(x, dim=(0.5,))
torch.any(x, 0.5)
x.any(0.5)
x.all(dim=0.5)
torch.all(x, 0.5)
torch.logsumexp(x, 0.5)
x.logsumexp(0.5)
torch.logsumexp(x, None)
torch.std(x, 0.5)
x.std(0.5)
x.std(dim=0.5)
torch.var(x, 0.5)
x.var(0.5)
x.var(dim=0.5)
torch.norm(x, 2, 0.5)
x.norm(2, 0.5)
x.norm(dim=0.5)
torch.norm(x, dim=0.5)
torch.norm(x, dim=(0, 0.5))
torch.norm(x, 2, (0.5,))
torch.linalg.vector_norm(x, 2, dim=0.5)
torch.roll(x, 1, 0.5)
x.roll(1, 0.5)
x.roll(1, dims=0.5)
torch.roll(x, 1, dims=0.5)
x.roll(1, dims=(0.5,))
torch.roll(x, 0.5, 0)
torch.flip(x, 0.5)
x.flip(0.5)
x.flip(dims=0.5)
torch.flip(x, dims=0.5)
torch.flip(x, (0.5,))
torch.flip(x, (0, 0.5))
torch.flip(x, 0)
torch.flip(x, True)
x.flip(dims=[0.5])
x.permute(0.5, 1)
x.permute(1, 0.5)
x.permute(0.5)
x.permute((0.5, 1))
x.permute([0.5, 1])
x.permute(True, 0)
torch.permute(x, (0.5, 1))
torch.permute(x, (0, 0.5))
torch.permute(x, 0.5)
torch.permute(x, 1)
torch.permute(x, 1, 0)
x.flip(0, 0.5)
x.flip(0.5)
x.flip(dims=0)
x.flip(0, dims=1)
torch.sum(x, 0, axis=1)
x.sum(dim=0, axis=1)
""".strip().splitlines()

GOOD = """
x.flip(0)
x.flip(0, 1)
x.flip(1, 0)
x.sum(axis=1)
torch.index_fill(x, 1, idx, 2.)
x.index_fill(1, idx, torch.tensor(3.))
x.scatter(1, i, x, reduce="add")
torch.scatter(x, 0, i, 5.)
torch.scatter_add(x, 1, i, x)
x.scatter_reduce(1, i, x, "amax")
torch.tensor_split(x, 2, 1)[0]
torch.tensor_split(x, [1], dim=1)[1]
x.tensor_split(torch.tensor([1]), 1)[1]
torch.movedim(x, 0, 1)
x.movedim((0, 1), (1, 0))
torch.moveaxis(x, source=0, destination=1)
torch.repeat_interleave(x, 2, dim=1)
x.repeat_interleave(torch.tensor([1, 2]), 0)
torch.repeat_interleave(torch.tensor([1, 2]))
x.reshape(1, 2, 3).squeeze(0)
x.reshape(1, 2, 3, 1).squeeze((0, 3))
torch.squeeze(x.reshape(1, 6))
torch.sum(x, 0)
x.sum(dim=(0, 1), keepdim=True)
x.sum(axis=1)
torch.sum(x, None)
torch.sum(x, 1, dtype=torch.float32)
torch.sum(x, torch.tensor(1))
x.mean(np.int64(1))
torch.amax(x, 1)
x.amin((0, 1))
torch.amax(x, torch.tensor(0))
torch.any(x, None)
torch.all(x, 1)
x.any((0, 1), True)
torch.logsumexp(x, 1)
x.std(0, True)
x.std(True)
torch.std(x, None)
x.var(1, correction=0)
torch.norm(x, 1, 0)
torch.norm(x, "fro", (0, 1))
x.norm(dim=1)
torch.roll(x, 1, 0)
x.roll((1, 1), (0, 1))
torch.roll(x, 1, None)
torch.flip(x, (0,))
x.flip([0, 1])
x.permute(1, 0)
x.permute((1, 0))
x.permute(dims=[1, 0])
torch.permute(x, (1, 0))
torch.permute(x, dims=(1, 0))
""".strip().splitlines()


@pytest.mark.parametrize("src", BAD)
def test_bad_dim_raises_torchs_error(src):
    want, got = _outcome(T, src), _outcome(F, src)
    assert isinstance(want, Exception), want
    assert type(got) is type(want), (src, got)
    assert str(got) == str(want)


@pytest.mark.parametrize("src", GOOD)
def test_good_dim_gives_torchs_values(src):
    want, got = _call(T, src), _call(F, src)
    assert got.dtype.__repr__().split(".")[-1] == repr(want.dtype).split(".")[-1]
    np.testing.assert_allclose(np.asarray(got.tolist()), want.numpy(), rtol=1e-6)


def test_keyword_order_in_invalid_combination():
    # torch lists two keywords in reverse order, in "got (...)" and "didn't match" alike
    src = "x.sort(dim=(0,), descending=True)"
    want, got = _outcome(T, src), _outcome(F, src)
    assert type(got) is type(want) and str(got) == str(want)


# out= of lerp (a pointwise op: casts to out's dtype where torch.can_cast allows) and of
# bucketize/searchsorted (out must be int64, or int32 with out_int32=True).
OUT_OK = """
torch.lerp(b, b * 2, 0.5, out=o)
torch.lerp(b, b * 2, torch.tensor([0., .5, 1.]), out=o)
torch.bucketize(b, b[:2] + 0.5, out=ol)
torch.bucketize(b, b[:2] + 0.5, right=True, out=ol)
torch.searchsorted(b, b + 0.5, out=ol)
torch.searchsorted(b, b, side="right", out=ol)
torch.searchsorted(b.requires_grad_(), b, out=ol)
""".strip().splitlines()

OUT_BAD = """
torch.lerp(b, b * 2, 0.5, out=ol)
torch.lerp(b, b * 2, 0.5, out=3)
torch.lerp(b.requires_grad_(), b, 0.5, out=o)
torch.bucketize(b, b[:2] + 0.5, out=o)
torch.bucketize(b, b[:2] + 0.5, out=torch.empty(3, dtype=torch.float16))
torch.bucketize(b, b[:2] + 0.5, out_int32=True, out=o)
torch.bucketize(2.0, b, out=ol)
torch.bucketize(b, b, out=[1])
torch.searchsorted(b, b, out=o)
torch.searchsorted(b, b, out_int32=True, out=torch.empty(3, dtype=torch.uint8))
torch.searchsorted(b, b, out=3)
""".strip().splitlines()


def _out_call(mod, src, shape=(3,)):
    torch = mod                                     # noqa: F841 (used by eval)
    b = mod.tensor([1., 2., 3.])                    # noqa: F841
    o = mod.zeros(shape)
    ol = mod.zeros(shape, dtype=mod.long)
    return eval(src), o, ol


@pytest.mark.parametrize("src", OUT_OK)
def test_out_writes_and_returns_out(src):
    (want, wo, wol), (got, go, gol) = _out_call(T, src), _out_call(F, src)
    assert (got is go) == (want is wo) and (got is gol) == (want is wol)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(np.asarray(got.tolist()), want.detach().numpy())
    np.testing.assert_allclose(np.asarray(go.tolist()), wo.numpy())
    np.testing.assert_allclose(np.asarray(gol.tolist()), wol.numpy())


@pytest.mark.parametrize("src", OUT_BAD)
def test_out_refusals_match_torch(src):
    def outcome(mod):
        try:
            return _out_call(mod, src)
        except Exception as e:                      # noqa: BLE001 (compared below)
            return e
    want, got = outcome(T), outcome(F)
    assert isinstance(want, Exception), want
    assert type(got) is type(want) and str(got) == str(want), (src, got)


@pytest.mark.parametrize("src", ["torch.lerp(b, b * 2, 0.5, out=o)",
                                 "torch.searchsorted(b, b, out=ol)"])
def test_out_resize_warns_as_torch(src):
    import warnings

    def warned(mod):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            result = _out_call(mod, src, shape=(2,))[0]
        return result, [str(x.message).split(" (Triggered internally")[0] for x in w]
    (want, wmsg), (got, gmsg) = warned(T), warned(F)
    assert gmsg == wmsg and len(wmsg) == 1
    np.testing.assert_allclose(np.asarray(got.tolist()), want.numpy())
