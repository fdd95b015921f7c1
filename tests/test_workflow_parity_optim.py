"""The optimizers of a training workflow (param groups saved and loaded, tensor and beta
arguments, differentiable and capturable steps, hand-assigned gradients) as a user script
uses them, run with torch and with functorch_like: same values, same errors, same
warnings. Each test here covers a difference found by such a comparison.
"""

import numpy as np
import pytest

from _workflow_helpers import assert_same_outcome, linear_and_loss


# ---- optimizers --------------------------------------------------------------------------
@pytest.mark.parametrize("name,kw", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                     ("Adam", {"lr": 0.01}), ("RMSprop", {"lr": 0.01})])
def test_loaded_param_groups_keep_the_saved_key_order_like_torch(name, kw):
    """torch's load_state_dict rebuilds each group from the saved one ("params" where the
    saved group has it, last): the group's keys then print in that order."""
    def keys_after_loading(lib):
        m, loss = linear_and_loss(lib)
        opt = getattr(lib.optim, name)([{"params": [m.weight]}, {"params": [m.bias],
                                                                  "lr": 0.5}], **kw)
        loss().backward()
        opt.step()
        fresh = getattr(lib.optim, name)([{"params": [m.weight]}, {"params": [m.bias]}], **kw)
        fresh.load_state_dict(opt.state_dict())
        return [list(g) for g in fresh.param_groups], [g["lr"] for g in fresh.param_groups]
    assert_same_outcome(keys_after_loading)


def test_loaded_group_takes_the_saved_order_and_keys_like_torch():
    """A hand-made state_dict: its key order, "params" where it stands."""
    def keys_after_loading(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        opt.load_state_dict({"state": {}, "param_groups": [
            {"lr": 0.5, "params": [0], "momentum": 0.0, "dampening": 0, "weight_decay": 0.0,
             "nesterov": False, "maximize": False, "foreach": None, "differentiable": False,
             "fused": None}]})
        return list(opt.param_groups[0]), opt.param_groups[0]["params"][0] is p
    assert_same_outcome(keys_after_loading)


def _param_with_grad(lib):
    p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    p.grad = lib.tensor([0.5, 0.25])
    return p


_TENSOR_ARGUMENTS = {
    "lr-two-elements": dict(lr=lambda lib: lib.tensor([0.1, 0.2])),
    "lr-with-foreach": dict(lr=lambda lib: lib.tensor(0.1), foreach=True),
    "lr-with-foreach-capturable": dict(lr=lambda lib: lib.tensor(0.1), foreach=True,
                                       capturable=True),
    "betas-ints": dict(betas=lambda lib: (0, 0.999)),
    "betas-mixed": dict(betas=lambda lib: (lib.tensor(0.9), 0.999)),
    "betas-tensors": dict(betas=lambda lib: (lib.tensor(0.9), lib.tensor(0.999))),
    "betas-tensors-foreach": dict(betas=lambda lib: (lib.tensor(0.9), lib.tensor(0.999)),
                                  foreach=True),
    "betas-two-elements": dict(betas=lambda lib: (lib.tensor(0.9), lib.tensor([0.9, 0.9]))),
}


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("case", list(_TENSOR_ARGUMENTS))
def test_adam_tensor_and_beta_arguments_are_checked_like_torch(name, case):
    def build(lib):
        kw = {k: v(lib) if callable(v) else v for k, v in _TENSOR_ARGUMENTS[case].items()}
        opt = getattr(lib.optim, name)([_param_with_grad(lib)], **kw)
        return sorted(k for k in opt.param_groups[0] if k != "params")
    assert_same_outcome(build)


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "ASGD", "Rprop"])
def test_a_tensor_lr_of_two_elements_is_refused_like_torch(name):
    assert_same_outcome(lambda lib: getattr(lib.optim, name)([_param_with_grad(lib)],
                                                             lr=lib.tensor([0.1, 0.2])))


def test_adam_foreach_step_refuses_a_tensor_lr_set_later_like_torch():
    def step(lib):
        opt = lib.optim.Adam([_param_with_grad(lib)], lr=0.1, foreach=True)
        opt.param_groups[0]["lr"] = lib.tensor(0.1)
        opt.step()
    assert_same_outcome(step)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"])
def test_differentiable_step_on_a_leaf_parameter_fails_like_torch(name):
    """differentiable=True runs torch's step with grad enabled (even under no_grad): the
    in-place update of a leaf parameter that requires grad raises."""
    def step(lib):
        p = _param_with_grad(lib)
        opt = getattr(lib.optim, name)([p], differentiable=True)
        with lib.no_grad():
            opt.step()
    assert_same_outcome(step)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "ASGD", "Rprop"])
@pytest.mark.parametrize("flags", [{}, {"foreach": True}, {"differentiable": True}], ids=str)
def test_capturable_step_of_cpu_parameters_fails_like_torch(name, flags):
    """capturable=True is for accelerator parameters: torch's step refuses CPU ones (with
    a text per optimizer and implementation); a step with no gradients passes."""
    def step(lib):
        p = _param_with_grad(lib)
        opt = getattr(lib.optim, name)([p], capturable=True, **flags)
        if p.device.type != "cpu":
            return "on an accelerator"
        p.grad = None
        opt.step()
        p.grad = lib.ones(2)
        opt.step()
    assert_same_outcome(step)


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32"),
                                    ("float32", "float16"), ("float32", "int64"),
                                    ("float16", "bfloat16"), ("float32", "float32")], ids=str)
def test_assigning_a_grad_of_another_dtype_raises_like_torch(dtypes, x64):
    """A hand-assigned `.grad` must have the tensor's dtype (torch's grad_dtype check)."""
    def assign(lib):
        p = lib.nn.Parameter(lib.ones(2, dtype=getattr(lib, dtypes[0])))
        p.grad = lib.ones(2, dtype=getattr(lib, dtypes[1]))
        return str(p.grad.dtype)
    assert_same_outcome(assign)


def test_adamw_loading_an_adam_state_dict_stays_decoupled_like_torch():
    """torch's AdamW forces decoupled_weight_decay=True after load_state_dict: an Adam
    checkpoint loaded into AdamW then trains with AdamW's decay."""
    def load_and_step(lib):
        m, loss = linear_and_loss(lib)
        adam = lib.optim.Adam(m.parameters(), lr=0.1, weight_decay=0.1)
        loss().backward()
        adam.step()
        adamw = lib.optim.AdamW(m.parameters(), lr=0.1, weight_decay=0.1)
        adamw.load_state_dict(adam.state_dict())
        adamw.step()
        return (adamw.param_groups[0]["decoupled_weight_decay"],
                [np.round(p.detach().numpy(), 5).tolist() for p in m.parameters()])
    assert_same_outcome(load_and_step)
