"""A module built with bias=False registers its (None) bias after its weight, as torch's:
a bias set later (fuse_conv_bn_eval, a plain assignment) comes second in parameters(),
state_dict() and parameters_to_vector (it came first: a vector laid out bias-first)."""

import pytest
import torch

import functorch_like as fl

MAKERS = {
    "Linear": lambda lib: lib.nn.Linear(2, 3, bias=False),
    "Bilinear": lambda lib: lib.nn.Bilinear(2, 2, 3, bias=False),
    "Conv1d": lambda lib: lib.nn.Conv1d(1, 2, 1, bias=False),
    "Conv2d": lambda lib: lib.nn.Conv2d(1, 2, 1, bias=False),
    "ConvTranspose2d": lambda lib: lib.nn.ConvTranspose2d(1, 2, 1, bias=False),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_a_bias_set_after_construction_comes_after_the_weight(name):
    out = {}
    for lib in (torch, fl):
        m = MAKERS[name](lib)
        before = list(m._parameters)
        m.bias = lib.nn.Parameter(lib.zeros(m.weight.shape[1 if name == "ConvTranspose2d" else 0]))
        out[lib] = (before, [n for n, _ in m.named_parameters()], list(m.state_dict()))
    assert out[fl] == out[torch]


def test_fuse_conv_bn_eval_of_a_bias_free_conv_lays_out_weight_then_bias():
    out = {}
    for lib in (torch, fl):
        conv = lib.nn.Conv2d(1, 2, 1, bias=False).eval()
        with lib.no_grad():
            conv.weight.fill_(1.0)
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, lib.nn.BatchNorm2d(2).eval())
        out[lib] = ([n for n, _ in fused.named_parameters()],
                    lib.nn.utils.parameters_to_vector(fused.parameters()).tolist())
    assert out[fl][0] == out[torch][0]
    assert out[fl][1] == pytest.approx(out[torch][1], rel=1e-6)


@pytest.mark.parametrize("fn, fmt, wrong", [
    ("convert_conv2d_weight_memory_format", "channels_last", "channels_last_3d"),
    ("convert_conv3d_weight_memory_format", "channels_last_3d", "channels_last")])
def test_convert_conv_weight_memory_format_returns_the_module(fn, fmt, wrong):
    # (missing before: an AttributeError where torch converts; memory formats are not
    # modelled here, so the weights stay as they are)
    errors = []
    for lib in (torch, fl):
        m = lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.Conv3d(2, 3, 1))
        before = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
        assert getattr(lib.nn.utils, fn)(m, getattr(lib, fmt)) is m
        assert getattr(lib.nn.utils.memory_format, fn) is getattr(lib.nn.utils, fn)
        for k, v in m.state_dict().items():
            assert (v.detach().numpy() == before[k]).all()
        with pytest.raises(RuntimeError) as err:
            getattr(lib.nn.utils, fn)(m, getattr(lib, wrong))
        with pytest.raises(AttributeError, match="has no attribute 'children'"):
            getattr(lib.nn.utils, fn)(3, getattr(lib, fmt))
        errors.append(str(err.value))
    assert errors[1] == errors[0]
