"""torch.amp.custom_fwd / custom_bwd on a custom autograd.Function, against torch (CPU
autocast, bfloat16): the dtypes forward and backward see, the outputs and gradients, and
the deprecated torch.cuda.amp spellings' warnings."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl


def _function(lib, cast_inputs):
    seen = {}

    class MyMM(lib.autograd.Function):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu", cast_inputs=cast_inputs)
        def forward(ctx, a, b):
            seen["forward"] = (str(a.dtype), str(b.dtype), lib.is_autocast_enabled("cpu"))
            ctx.save_for_backward(a, b)
            return a.mm(b)

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            seen["backward"] = (str(grad.dtype), lib.is_autocast_enabled("cpu"),
                                str(lib.get_autocast_dtype("cpu")))
            return grad.mm(b.t()), a.t().mm(grad)
    return MyMM, seen


def _run(lib, cast_inputs, autocast: bool):
    rng = np.random.RandomState(0)
    a = lib.tensor(rng.randn(3, 4).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.randn(4, 2).astype(np.float32), requires_grad=True)
    fn, seen = _function(lib, cast_inputs)
    with lib.autocast("cpu", dtype=lib.bfloat16, enabled=autocast):
        out = fn.apply(a, b)
    out.float().sum().backward()
    return (str(out.dtype), out.float().detach().numpy(), a.grad.numpy(), b.grad.numpy(),
            seen)


@pytest.mark.parametrize("cast_inputs", [None, "float32", "bfloat16"])
@pytest.mark.parametrize("autocast", [True, False])
def test_custom_fwd_bwd_as_torch(cast_inputs, autocast):
    def run(lib):
        return _run(lib, None if cast_inputs is None else getattr(lib, cast_inputs), autocast)
    ours, theirs = run(fl), run(torch)
    assert ours[0] == theirs[0]
    assert ours[4] == theirs[4]             # dtypes and autocast state seen inside
    for x, y in zip(ours[1:4], theirs[1:4]):
        np.testing.assert_allclose(x, y, rtol=2e-2, atol=2e-2)


def test_device_type_is_required_and_a_string():
    for lib in (fl, torch):
        with pytest.raises(TypeError, match="missing 1 required keyword-only argument: "
                                            "'device_type'"):
            lib.amp.custom_fwd(lambda ctx: 1)
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`, got: "
                                             "`<class 'int'>`"):
            lib.amp.custom_bwd(lambda ctx: 1, device_type=1)


def test_deprecated_cuda_spellings_warn_as_torch():
    def messages(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.cuda.amp.custom_fwd(lambda ctx, x: x)
            lib.cuda.amp.custom_fwd(cast_inputs=lib.float32)
            lib.cuda.amp.custom_bwd(lambda ctx, g: g)
        return [(x.category, str(x.message)) for x in w]
    assert messages(fl) == messages(torch)
    assert len(messages(fl)) == 3
