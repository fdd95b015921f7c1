"""An optimizer written as for PyTorch: a subclass of optim.Optimizer with its own step(),
run here and with torch.optim.Optimizer, side by side."""

import importlib

import numpy as np
import pytest
import torch

import functorch_like as ft

from _custom_optimizer import momentum_sgd


def _train(T, steps=3):
    T.manual_seed(0)
    model = T.nn.Linear(3, 2)
    with T.no_grad():
        model.weight.copy_(T.tensor(np.arange(6.0).reshape(2, 3) / 10, dtype=T.float32))
        model.bias.zero_()
    opt = momentum_sgd(T)([{"params": [model.weight]},
                           {"params": [model.bias], "weight_decay": 0.1}], lr=0.05)
    x = T.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=T.float32)
    for _ in range(steps):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    return model, opt


def test_a_pytorch_style_subclass_trains_and_saves_as_torch():
    (tm, topt), (fm, fopt) = _train(torch), _train(ft)
    np.testing.assert_allclose(fm.weight.detach().numpy(), tm.weight.detach().numpy(),
                               rtol=1e-6)
    tsd, fsd = topt.state_dict(), fopt.state_dict()
    assert fsd["param_groups"] == tsd["param_groups"]
    assert list(fsd["state"]) == list(tsd["state"]) == [0, 1]
    for i in (0, 1):
        assert list(fsd["state"][i]) == list(tsd["state"][i]) == ["step", "buf"]
        for key in ("step", "buf"):
            np.testing.assert_allclose(fsd["state"][i][key].numpy(),
                                       tsd["state"][i][key].numpy(), rtol=1e-6)
    # torch's state_dict holds the state's own entry dicts
    assert fsd["state"][0] is fopt.state[fm.weight]
    assert repr(fopt) == repr(topt)


def test_its_state_dict_loads_with_torch_casts_as_copies(x64):
    """Floating tensors are cast to the parameter's dtype, "step" is not, other values
    stay as they are; here the loaded tensors are copies (see Optimizer's parity note)."""
    def load(T):
        p = T.nn.Parameter(T.zeros(2))
        opt = momentum_sgd(T)([p], lr=0.1)
        buf = T.tensor([1.0, 2.0], dtype=T.float64)
        opt.load_state_dict({"state": {0: {"step": T.tensor(3.0, dtype=T.float64),
                                           "buf": buf, "note": "kept", "pair": (buf, 1)}},
                             "param_groups": [{"lr": 0.5, "momentum": 0.0,
                                               "weight_decay": 0.0, "params": [0]}]})
        return opt.state[p], opt.param_groups[0], buf
    (t_state, t_group, _), (f_state, f_group, f_buf) = load(torch), load(ft)
    assert f_group == {**t_group, "params": f_group["params"]}
    assert str(f_state["step"].dtype) == str(t_state["step"].dtype) == "torch.float64"
    assert str(f_state["buf"].dtype) == str(t_state["buf"].dtype) == "torch.float32"
    assert str(f_state["pair"][0].dtype) == "torch.float32" and f_state["pair"][1] == 1
    assert f_state["note"] == "kept"      # (torch 2.13 turns a string into a generator's repr)
    f_buf.add_(1.0)
    np.testing.assert_array_equal(f_state["buf"].numpy(), [1.0, 2.0])


def test_the_base_class_errors_as_torch():
    class NoStep(ft.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": importlib.import_module(
                "functorch_like.optim.optimizer").required})
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        NoStep([])
    with pytest.raises(ValueError, match="parameter group didn't specify a value of "
                                         "required optimization parameter lr"):
        NoStep([ft.nn.Parameter(ft.zeros(1))])
    opt = momentum_sgd(ft)([ft.nn.Parameter(ft.zeros(1))], lr=0.1)
    with pytest.raises(NotImplementedError):
        ft.optim.Optimizer.step(opt)
