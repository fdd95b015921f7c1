"""grad_fn names as torch's, where ours is one node for a composite of torch's: the name
is the last op torch applies (graph printers such as torchviz show it)."""

import numpy as np
import pytest
import torch

import functorch_like as fl

_X = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
_W = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)

OPS = {
    "norm": lambda T, x, w: x.norm(),
    "norm_dim": lambda T, x, w: x.norm(dim=1),
    "norm_p1": lambda T, x, w: x.norm(p=1),
    "norm_inf": lambda T, x, w: x.norm(p=float("inf")),
    "norm_0": lambda T, x, w: x.norm(p=0),
    "torch_norm_fro_dim": lambda T, x, w: T.norm(x, p="fro", dim=1),
    "linear_no_bias": lambda T, x, w: T.nn.functional.linear(x, w),
    "linear_no_bias_1d": lambda T, x, w: T.nn.functional.linear(x[0], w),
    "linear_no_bias_3d": lambda T, x, w: T.nn.functional.linear(x[None], w),
    "linear_no_bias_4d": lambda T, x, w: T.nn.functional.linear(x[None, None], w),
    "linear_bias": lambda T, x, w: T.nn.functional.linear(x, w, T.zeros(2)),
    "linear_bias_3d": lambda T, x, w: T.nn.functional.linear(x[None], w, T.zeros(2)),
    "module_no_bias": lambda T, x, w: T.nn.Linear(3, 2, bias=False)(x),
    "addmm": lambda T, x, w: T.addmm(T.zeros(4, 2), x, w.t()),
    "addmm_beta": lambda T, x, w: T.zeros(4, 2).addmm(x, w.t(), beta=0.5, alpha=2),
    "l1_mean": lambda T, x, w: T.nn.functional.l1_loss(x[:2], w),
    "l1_sum": lambda T, x, w: T.nn.functional.l1_loss(x[:2], w, reduction="sum"),
    "l1_none": lambda T, x, w: T.nn.functional.l1_loss(x[:2], w, reduction="none"),
    "kl_batchmean": lambda T, x, w: T.nn.functional.kl_div(x[:2], w, reduction="batchmean"),
    "kl_sum": lambda T, x, w: T.nn.functional.kl_div(x[:2], w, reduction="sum"),
    "kl_none": lambda T, x, w: T.nn.functional.kl_div(x[:2], w, reduction="none"),
    "kl_none_log": lambda T, x, w: T.nn.functional.kl_div(x[:2], w, reduction="none",
                                                          log_target=True),
    "nansum": lambda T, x, w: x.nansum(),
    "nansum_dim": lambda T, x, w: x.nansum(1),
    "trace": lambda T, x, w: x.trace(),
    "max_pool1d": lambda T, x, w: T.nn.functional.max_pool1d(x[None], 2),
    "max_pool1d_unbatched": lambda T, x, w: T.nn.functional.max_pool1d(x, 2),
    "avg_pool1d": lambda T, x, w: T.nn.functional.avg_pool1d(x[None], 2),
    "adaptive_avg_pool1d": lambda T, x, w: T.nn.functional.adaptive_avg_pool1d(x[None], 2),
    "max_pool1d_module": lambda T, x, w: T.nn.MaxPool1d(2)(x[None]),
    "as_strided": lambda T, x, w: x.as_strided((2,), (1,)),
}


@pytest.mark.parametrize("name", list(OPS))
def test_grad_fn_name_as_torch(name):
    def grad_fn(T):
        x = T.tensor(_X, requires_grad=True)
        return OPS[name](T, x, T.tensor(_W)).grad_fn
    t, f = grad_fn(torch), grad_fn(fl)
    assert f.name() == t.name()
    assert type(f).__name__ == type(t).__name__


def test_l1_loss_and_kl_div_still_autocast_to_float32():
    """Their grad_fn names are shared with other ops now; autocast finds them by function."""
    x = fl.ones(2, 3, dtype=fl.bfloat16, requires_grad=True)
    y = fl.ones(2, 3, dtype=fl.bfloat16)
    with fl.autocast("cpu"):
        assert fl.nn.functional.l1_loss(x, y).dtype == fl.float32
        assert fl.nn.functional.kl_div(x, y, reduction="batchmean").dtype == fl.float32
        assert (x - y).abs().mean().dtype == fl.bfloat16


def _view_write_names(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    names = []
    for view, write in ((lambda y: y.view(2), lambda z: z.sub_(1)),
                        (lambda y: y.reshape(1, 2), lambda z: z.mul_(2)),
                        (lambda y: y[0:1], lambda z: z.sub_(1))):
        y = x * 1
        z = view(y)
        write(z)
        names.append((y.grad_fn.name(), z.grad_fn.name()))
    y = (x * 1).reshape(2, 1)           # (a view written through a view of it)
    z = y.t()
    z.add_(1)
    names.append((y.grad_fn.name(), z.grad_fn.name()))
    return names


def test_a_base_written_through_its_view_is_copy_slices_as_torch():
    """(A base written through a reshape view was named ViewBackward0.)"""
    assert _view_write_names(fl) == _view_write_names(torch)


def _linear_graph(lib, bias):
    fc = lib.nn.Linear(3, 2, bias=bias)
    x = lib.ones(1, 3, requires_grad=True)
    fn = fc(lib.nn.functional.relu(x)).grad_fn
    edges = fn.next_functions
    transpose = edges[-1][0]
    return ([type(n).__name__ for n, _ in edges],
            [type(n).__name__ for n, _ in transpose.next_functions],
            transpose.next_functions[0][0].variable is fc.weight,
            edges[-1][0] is fn.next_functions[-1][0])


@pytest.mark.parametrize("bias", [True, False])
def test_linear_graph_is_torchs_addmm(bias):
    # The 60-minute blitz prints loss.grad_fn.next_functions[0][0].next_functions[0][0]:
    # torch's AccumulateGrad (the bias), where this showed the input's ReluBackward0.
    assert _linear_graph(fl, bias) == _linear_graph(torch, bias)
