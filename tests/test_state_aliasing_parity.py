"""Tensors that share a module's state, against torch 2.13: BatchNorm's running statistics
updated in forward reach the tensors `state_dict()` gave and the buffers' detach()
aliases and views (torch's share storage; here they kept the old values), also from a
compiled step; `load_state_dict(assign=True)` puts each given tensor itself in its slot
(here a tie's last key overwrote the first, and the given buffer was copied)."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _bn_aliases(lib, compiled: bool):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4))
    with lib.no_grad():
        model[0].weight.copy_(lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32)
                                         .reshape(4, 3)))
        model[0].bias.fill_(0.5)
    sd = model.state_dict()
    bn = model[1]
    det, view = bn.running_mean.detach(), bn.running_var[1:]
    opt = lib.optim.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = model(x).pow(2).sum()
        loss.backward()
        opt.step()
        return loss
    if compiled:
        step = lib.compile(step)
    for i in range(3):
        step(lib.tensor(np.arange(15, dtype=np.float32).reshape(5, 3) / (i + 3)))
    return [sd["1.running_mean"].tolist(), sd["1.running_var"].tolist(),
            int(sd["1.num_batches_tracked"]), det.tolist(), view.tolist(),
            bn.running_mean.tolist()]


@pytest.mark.parametrize("compiled", [False, True])
def test_batchnorm_statistics_reach_state_dict_and_aliases(compiled):
    got, want = _bn_aliases(fl, compiled), _bn_aliases(torch, False)
    assert got[2] == want[2] == 3
    for g, w in zip(got[:2] + got[3:], want[:2] + want[3:]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    assert got[0] == got[5] and got[3] == got[5]        # (the same values, as shared)


def test_ema_through_state_dict_values_reaches_buffers():
    """The EMA pattern: writing into another model's state_dict() values."""
    for lib in (fl, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        ema = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        ema_sd = ema.state_dict()
        model(lib.tensor([[1., 2.], [3., 5.], [0., 1.]]))
        with lib.no_grad():
            for k, v in ema_sd.items():
                v.copy_(model.state_dict()[k])
        assert lib.equal(ema[1].running_mean, model[1].running_mean)
        assert int(ema[1].num_batches_tracked) == 1


class _Tied:
    @staticmethod
    def build(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = lib.nn.Embedding(3, 2)
                self.lin = lib.nn.Linear(2, 3, bias=False)
                self.lin.weight = self.emb.weight
                self.register_buffer("buf", lib.zeros(2))
        return M()


def _assign(lib):
    m = _Tied.build(lib)
    new = {"emb.weight": lib.ones(3, 2), "lin.weight": lib.full((3, 2), 2.0),
           "buf": lib.tensor([5.0, 6.0])}
    m.load_state_dict(new, assign=True)
    return [m.emb.weight.tolist(), m.lin.weight.tolist(), m.lin.weight is m.emb.weight,
            m.buf is new["buf"], type(m.emb.weight).__name__, m.emb.weight.requires_grad,
            m.emb.weight.is_leaf]


def test_load_state_dict_assign_puts_the_given_tensors_in():
    assert _assign(fl) == _assign(torch)


def test_load_state_dict_assign_keeps_requires_grad_of_the_slot():
    def run(lib):
        m = lib.nn.Linear(2, 1)
        m.weight.requires_grad_(False)
        given = lib.nn.Parameter(lib.ones(1, 2))       # requires grad
        m.load_state_dict({"weight": given, "bias": lib.zeros(1)}, assign=True)
        return [m.weight is given, m.weight.requires_grad, m.bias.requires_grad,
                type(m.bias).__name__]
    assert run(fl) == run(torch)


def test_a_parameter_shares_the_storage_of_the_tensor_it_wraps():
    # It held a copy: an init of the tensor after wrapping it, or a step of the
    # parameter, did not show in the other.
    def run(lib):
        t = lib.zeros(3)
        p = lib.nn.Parameter(t)
        t.add_(1)
        seen = [p.detach().numpy().tolist()]
        p.data.mul_(3)
        opt = lib.optim.SGD([p], lr=0.5)
        p.sum().backward()
        opt.step()
        w = lib.arange(6.0).reshape(2, 3)
        lib.nn.Parameter(w[0]).data.fill_(9)
        return seen + [t.numpy().tolist(), w.numpy().tolist()]
    assert run(fl) == run(torch)
