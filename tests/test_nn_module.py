"""nn.Module and the containers against real PyTorch: state_dict keys and order, repr
text, traversal orders, modes, grads, dtype conversion, hooks, container behaviour,
load_state_dict errors and other error messages.

Models are built by one factory called with either namespace (`torch.nn`, `torch`) or
(`functorch_like.nn`, `functorch_like`), so both sides are the same model by construction.
"""

from __future__ import annotations

from collections import OrderedDict

import jax
import numpy as np
import pytest
import torch

import functorch_like as ft
import functorch_like.nn as nn

BOTH = [(torch.nn, torch), (nn, ft)]


def _both(make):
    """(torch model, our model) built by the same factory; our weights loaded from torch."""
    tm, m = make(torch.nn, torch), make(nn, ft)
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return tm, m


def _error(fn, exc=Exception) -> str:
    with pytest.raises(exc) as info:
        fn()
    return str(info.value)


# ------------------------------------------------------------------ model factories

def make_cnn(n, T):
    return n.Sequential(
        n.Conv2d(2, 4, 3, padding=1), n.BatchNorm2d(4), n.ReLU(), n.MaxPool2d(2),
        n.Flatten(), n.Linear(16, 3))


def make_net(n, T):
    class Block(n.Module):
        def __init__(self):
            super().__init__()
            self.fc = n.Linear(3, 4)
            self.norm = n.LayerNorm(4)
            self.register_buffer("count", T.zeros(()))

        def forward(self, x):
            return self.norm(self.fc(x))

    class Net(n.Module):
        def __init__(self):
            super().__init__()
            self.stem = n.Linear(3, 3)
            self.blocks = n.ModuleList([Block(), n.Linear(4, 3)])
            self.heads = n.ModuleDict({"cls": n.Linear(3, 4), "act": n.GELU(), "drop":
                                       n.Dropout(0.1)})
            self.scale = n.Parameter(T.ones(3))
            self.register_buffer("steps", T.zeros(2))
            self.register_buffer("cache", T.zeros(3), persistent=False)
            self.register_parameter("unused", None)
            self.register_buffer("empty", None)
            self.bn = n.BatchNorm1d(3)
            self.register_buffer("late", T.ones(1))
            self.offset = n.Parameter(T.zeros(3))

        def forward(self, x):
            x = self.stem(x) * self.scale + self.offset
            x = self.blocks[1](self.blocks[0](x))
            return self.heads["act"](self.heads["cls"](self.bn(x)))

    return Net()


def make_shared(n, T):
    class Shared(n.Module):
        def __init__(self):
            super().__init__()
            self.a = n.Linear(3, 4)
            self.b = self.a                     # the same module under two names
            self.seq = n.Sequential(n.Linear(4, 3), n.ReLU(), self.a)
            self.tied = n.Linear(3, 4)
            self.tied.weight = self.a.weight    # a tied parameter

        def forward(self, x):
            return self.seq(self.a(x)) + self.tied(x)

    return Shared()


MODELS = [make_cnn, make_net, make_shared]
MODEL_IDS = ["cnn", "custom", "shared"]


# ------------------------------------------------------------------ state_dict and traversal

@pytest.mark.parametrize("make", MODELS, ids=MODEL_IDS)
def test_state_dict_keys_order_shapes_match_torch(make):
    tm, m = make(torch.nn, torch), make(nn, ft)
    t_sd, f_sd = tm.state_dict(), m.state_dict()
    assert list(f_sd) == list(t_sd)
    for k in t_sd:
        assert tuple(f_sd[k].shape) == tuple(t_sd[k].shape), k
        assert not f_sd[k].requires_grad           # detached, like torch's
    assert list(m.state_dict(keep_vars=True)) == list(tm.state_dict(keep_vars=True))
    assert list(m.state_dict(prefix="model.")) == list(tm.state_dict(prefix="model."))
    keep = m.state_dict(keep_vars=True)
    for name, p in m.named_parameters():
        assert keep[name] is p                      # keep_vars gives the Parameters


@pytest.mark.parametrize("make", MODELS, ids=MODEL_IDS)
def test_traversal_orders_and_names_match_torch(make):
    tm, m = make(torch.nn, torch), make(nn, ft)

    def names(pairs):
        return [name for name, _ in pairs]

    def kinds(modules):
        return [type(x).__name__ for x in modules]

    assert names(m.named_parameters()) == names(tm.named_parameters())
    assert names(m.named_parameters(remove_duplicate=False)) == \
        names(tm.named_parameters(remove_duplicate=False))
    assert names(m.named_parameters(prefix="p", recurse=False)) == \
        names(tm.named_parameters(prefix="p", recurse=False))
    assert [tuple(p.shape) for p in m.parameters()] == [tuple(p.shape) for p in tm.parameters()]
    assert len(list(m.parameters(recurse=False))) == len(list(tm.parameters(recurse=False)))
    assert names(m.named_buffers()) == names(tm.named_buffers())
    assert [tuple(b.shape) for b in m.buffers()] == [tuple(b.shape) for b in tm.buffers()]
    assert names(m.named_children()) == names(tm.named_children())
    assert kinds(m.children()) == kinds(tm.children())
    assert names(m.named_modules()) == names(tm.named_modules())
    assert names(m.named_modules(remove_duplicate=False)) == \
        names(tm.named_modules(remove_duplicate=False))
    assert names(m.named_modules(prefix="root")) == names(tm.named_modules(prefix="root"))
    assert kinds(m.modules()) == kinds(tm.modules())
    for name, _ in tm.named_modules():
        assert type(m.get_submodule(name)).__name__ == type(tm.get_submodule(name)).__name__
    for name, p in tm.named_parameters():
        assert tuple(m.get_parameter(name).shape) == tuple(p.shape)


def test_shared_module_and_tied_parameter_are_one_object():
    m = make_shared(nn, ft)
    assert m.b is m.a and m.seq[2] is m.a and m.tied.weight is m.a.weight
    params = list(m.parameters())
    assert sum(p is m.a.weight for p in params) == 1
    sd = m.state_dict()
    np.testing.assert_array_equal(sd["b.weight"].numpy(), sd["a.weight"].numpy())
    np.testing.assert_array_equal(sd["tied.weight"].numpy(), sd["a.weight"].numpy())


def test_non_persistent_buffer_is_a_buffer_but_not_saved():
    m = make_net(nn, ft)
    assert "cache" in dict(m.named_buffers())
    assert "cache" not in m.state_dict()
    assert "empty" not in dict(m.named_buffers()) and m.empty is None
    assert "unused" not in dict(m.named_parameters()) and m.unused is None


@pytest.mark.parametrize("make", MODELS, ids=MODEL_IDS)
def test_nested_repr_matches_torch(make):
    assert repr(make(nn, ft)) == repr(make(torch.nn, torch))


def test_module_list_repr_folds_repeats_like_torch():
    def make(n, T):
        return n.ModuleList([n.Linear(3, 4), n.Linear(3, 4), n.ReLU(), n.Linear(3, 4),
                             n.Linear(3, 4), n.Linear(3, 4)])
    assert repr(make(nn, ft)) == repr(make(torch.nn, torch))


LAYER_REPRS = [
    lambda n: n.Linear(3, 4, bias=False),
    lambda n: n.Bilinear(3, 2, 4, bias=False),
    lambda n: n.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2, groups=2, bias=False,
                       padding_mode="circular"),
    lambda n: n.Conv2d(2, 4, 3),
    lambda n: n.Conv2d(2, 4, (3, 1), stride=(2, 1), padding=(1, 0), dilation=(2, 1),
                       groups=2, padding_mode="reflect"),
    lambda n: n.Conv2d(2, 4, 3, padding="same", bias=False),
    lambda n: n.Conv2d(2, 4, 3, padding="valid"),
    lambda n: n.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2,
                                dilation=2, bias=False),
    lambda n: n.MaxPool1d(3, stride=2, padding=1, dilation=2, ceil_mode=True),
    lambda n: n.MaxPool2d((3, 2), stride=1),
    lambda n: n.AvgPool1d(3, stride=2, padding=1, ceil_mode=True),
    lambda n: n.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False,
                          divisor_override=2),
    lambda n: n.AdaptiveAvgPool1d(3),
    lambda n: n.AdaptiveAvgPool2d((None, 2)),
    lambda n: n.BatchNorm1d(3, eps=1e-3, momentum=None, affine=False,
                            track_running_stats=False),
    lambda n: n.BatchNorm2d(4, momentum=0.2),
    lambda n: n.LayerNorm((3, 4), eps=1e-6, elementwise_affine=False),
    lambda n: n.LayerNorm(4, bias=False),
    lambda n: n.GroupNorm(2, 4, eps=1e-3, affine=False),
    lambda n: n.Dropout(0.2, inplace=True),
    lambda n: n.Dropout2d(0.3),
    lambda n: n.Embedding(10, 3, padding_idx=-2),
    lambda n: n.Identity(3, foo=1),
    lambda n: n.Flatten(0, 2),
    lambda n: n.Unflatten(1, (2, 3)),
    lambda n: n.ReLU(inplace=True),
    lambda n: n.ReLU6(),
    lambda n: n.LeakyReLU(0.2, inplace=True),
    lambda n: n.ELU(0.5),
    lambda n: n.SELU(inplace=True),
    lambda n: n.GELU("tanh"),
    lambda n: n.SiLU(),
    lambda n: n.Mish(),
    lambda n: n.Hardtanh(-2.0, 2.0),
    lambda n: n.Sigmoid(),
    lambda n: n.Tanh(),
    lambda n: n.LogSigmoid(),
    lambda n: n.Softmax(dim=1),
    lambda n: n.LogSoftmax(dim=-1),
    lambda n: n.Softplus(beta=2.0, threshold=10.0),
    lambda n: n.MSELoss(reduction="sum"),
    lambda n: n.CrossEntropyLoss(label_smoothing=0.1, ignore_index=3),
    lambda n: n.KLDivLoss(reduction="batchmean", log_target=True),
    lambda n: n.Sequential(),
    lambda n: n.ModuleDict({"b": n.ReLU(), "a": n.Tanh()}),
]


def test_each_layer_repr_matches_torch(x64):
    """(x64 only to reuse the reference tests' compiled initializers.)"""
    for make in LAYER_REPRS:
        expected = repr(make(torch.nn))
        assert repr(make(nn)) == expected


def test_parameter_containers_repr_match_torch():
    def make(n, T):
        return (n.ParameterList([n.Parameter(T.ones(2, 3)), T.zeros(3)]),
                n.ParameterDict({"w": n.Parameter(T.ones(2)), "b": T.zeros(3)}))
    for ours, theirs in zip(make(nn, ft), make(torch.nn, torch)):
        assert repr(ours) == repr(theirs)


def test_parameter_repr_and_str_match_torch():
    for values, rg in (([1.0, 2.5], True), ([[0.5, -1.0]], False)):
        ours = nn.Parameter(ft.tensor(values), requires_grad=rg)
        theirs = torch.nn.Parameter(torch.tensor(values), requires_grad=rg)
        assert repr(ours) == repr(theirs)
        assert str(ours) == str(theirs)            # print(param)


def test_state_dict_entries_alias_the_module_tensors_like_torch():
    results = []
    for n, T in BOTH:
        m = n.Linear(2, 1)
        sd = m.state_dict()
        sd["weight"].fill_(0.0)                    # writes through to the parameter
        with T.no_grad():
            m.bias.fill_(5.0)                      # and the other way round
        results.append((m.weight.detach().numpy().tolist(), sd["bias"].numpy().tolist()))
    assert results[0] == results[1] == ([[0.0, 0.0]], [5.0])


# ------------------------------------------------------------------ modes, grads, apply, to

def test_train_eval_propagate_and_return_self():
    m = make_net(nn, ft)
    assert all(x.training for x in m.modules())
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    assert m.train() is m and all(x.training for x in m.modules())
    m.blocks.eval()
    assert m.training and not m.blocks[0].fc.training and m.heads.training
    with pytest.raises(ValueError) as f_err:
        m.train("no")
    with pytest.raises(ValueError) as t_err:
        make_net(torch.nn, torch).train("no")
    assert str(f_err.value) == str(t_err.value)


def test_zero_grad_set_to_none_true_and_false():
    m = nn.Linear(3, 4)
    m(ft.ones(2, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is not None and tuple(m.weight.grad.shape) == (4, 3)
    assert np.all(m.weight.grad.numpy() == 0) and np.all(m.bias.grad.numpy() == 0)
    m(ft.ones(2, 3)).sum().backward()           # accumulates onto the zeros
    np.testing.assert_array_equal(m.bias.grad.numpy(), [2.0] * 4)
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_requires_grad_toggle():
    m = make_cnn(nn, ft)
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())
    out = m[5](ft.ones(1, 16))
    assert not out.requires_grad and out.grad_fn is None
    m.requires_grad_()
    assert all(p.requires_grad for p in m.parameters())
    assert m[5](ft.ones(1, 16)).requires_grad


def test_apply_visits_children_first_like_torch():
    visited = {}
    for n, T in BOTH:
        order = []
        model = make_net(n, T)
        assert model.apply(lambda mod: order.append(type(mod).__name__)) is model
        visited[n] = order
    assert visited[nn] == visited[torch.nn]


def test_apply_can_reinitialize():
    m = make_cnn(nn, ft)

    def init(mod):
        if isinstance(mod, (nn.Linear, nn.Conv2d)):
            nn.init.constant_(mod.weight, 0.5)
            nn.init.zeros_(mod.bias)
    m.apply(init)
    assert np.all(m[0].weight.detach().numpy() == 0.5)
    assert np.all(m[5].bias.detach().numpy() == 0)


def test_to_float64_keeps_parameter_identity_and_int_buffers(x64):
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    m(ft.ones(2, 3)).sum().backward()
    before = {name: p for name, p in m.named_parameters()}
    nbt = m[1].num_batches_tracked
    assert m.to(ft.float64) is m
    for name, p in m.named_parameters():
        assert p is before[name] and isinstance(p, nn.Parameter) and p.requires_grad
        assert p.dtype == ft.float64 and p.grad.dtype == ft.float64
    assert m[1].running_mean.dtype == ft.float64
    assert m[1].num_batches_tracked.dtype == ft.int64 and int(m[1].num_batches_tracked) == 1
    assert m[1].num_batches_tracked is nbt
    assert m.eval()(ft.ones(1, 3, dtype=ft.float64)).dtype == ft.float64
    m.float()
    assert m[0].weight is before["0.weight"] and m[0].weight.dtype == ft.float32
    m.double()
    assert m[0].weight is before["0.weight"] and m[0].weight.dtype == ft.float64
    assert m[1].num_batches_tracked.dtype == ft.int64


def test_to_integer_dtype_raises_like_torch():
    expected = _error(lambda: torch.nn.Linear(3, 4).to(torch.int32), TypeError)
    assert _error(lambda: nn.Linear(3, 4).to(ft.int32), TypeError) == expected


# ------------------------------------------------------------------ hooks

def test_forward_pre_and_post_hooks_and_removal():
    m = nn.Linear(3, 4)
    calls = []

    def pre(mod, args):
        calls.append(("pre", mod))
        return (args[0] * 0,)                   # replaces the input

    def post(mod, args, out):
        calls.append(("post", tuple(args[0].shape)))
        return out + 1                          # replaces the output

    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_hook(post)
    out = m(ft.ones(2, 3))
    np.testing.assert_allclose(out.detach().numpy(),
                               np.broadcast_to(m.bias.detach().numpy() + 1, (2, 4)), rtol=1e-6)
    assert calls == [("pre", m), ("post", (2, 3))]
    h1.remove()
    h2.remove()
    h2.remove()                                 # removing twice is harmless, as in torch
    calls.clear()
    x = ft.ones(2, 3)
    np.testing.assert_allclose(m(x).detach().numpy(), (x @ m.weight.T + m.bias).detach()
                               .numpy(), rtol=1e-6)
    assert calls == []


def test_hooks_run_in_registration_order_inside_a_parent():
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    seen = []
    seq[0].register_forward_hook(lambda mod, args, out: seen.append("a"))
    seq[0].register_forward_hook(lambda mod, args, out: seen.append("b"))
    seq[1].register_forward_pre_hook(lambda mod, args: seen.append("relu-pre"))
    seq(ft.ones(1, 3))
    assert seen == ["a", "b", "relu-pre"]
    with seq[1].register_forward_hook(lambda mod, args, out: seen.append("ctx")):
        seq(ft.ones(1, 3))
    seq(ft.ones(1, 3))
    assert seen.count("ctx") == 1


def test_hook_output_feeds_autograd():
    lin = nn.Linear(3, 4)
    lin.register_forward_hook(lambda mod, args, out: out * 2)
    lin(ft.ones(1, 3)).sum().backward()
    np.testing.assert_array_equal(lin.bias.grad.numpy(), [2.0] * 4)


# ------------------------------------------------------------------ containers

def _keys(module):
    return list(module._modules)


def test_sequential_indexing_slicing_and_editing_match_torch():
    results = []
    for n, T in BOTH:
        seq = n.Sequential(n.Linear(3, 4), n.ReLU(), n.Linear(4, 3), n.Tanh())
        first, last = seq[0], seq[-1]
        sliced = seq[1:3]
        record = [type(first).__name__, type(last).__name__, len(seq), type(sliced).__name__,
                  _keys(sliced), repr(sliced), _keys(seq[::2])]
        assert sliced[0] is seq[1]               # a slice shares the modules
        seq.append(n.Sigmoid())
        record += [len(seq), _keys(seq), type(seq[4]).__name__]
        seq.insert(1, n.GELU())
        record += [_keys(seq), [type(x).__name__ for x in seq]]
        seq.insert(-1, n.SiLU())
        record += [[type(x).__name__ for x in seq]]
        del seq[2]
        record += [_keys(seq), [type(x).__name__ for x in seq], repr(seq)]
        del seq[1:3]
        record += [_keys(seq), list(seq.state_dict())]
        seq[0] = n.Linear(3, 2)
        record += [repr(seq[0])]
        named = n.Sequential(OrderedDict([("enc", n.Linear(3, 4)), ("act", n.ReLU()),
                                          ("dec", n.Linear(4, 3))]))
        record += [_keys(named[1:]), repr(named), list(named.state_dict()), repr(named[-2:])]
        record += [type(named.enc).__name__, named.act is named[1]]
        results.append(record)
    assert results[0] == results[1]


def test_sequential_index_errors_match_torch():
    for idx in (3, -4):
        expected = _error(lambda: torch.nn.Sequential(torch.nn.ReLU(), torch.nn.ReLU(),
                                                       torch.nn.ReLU())[idx], IndexError)
        got = _error(lambda: nn.Sequential(nn.ReLU(), nn.ReLU(), nn.ReLU())[idx], IndexError)
        assert got == expected


def test_sequential_forward_chains_modules():
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3))
    x = ft.ones(2, 3)
    np.testing.assert_array_equal(seq(x).detach().numpy(),
                                  seq[2](seq[1](seq[0](x))).detach().numpy())


def test_module_list_behaviour_matches_torch():
    results = []
    for n, T in BOTH:
        ml = n.ModuleList([n.Linear(3, 4), n.ReLU()])
        ml.append(n.Tanh())
        ml.extend([n.GELU(), n.SiLU()])
        ml.insert(1, n.Sigmoid())
        ml += [n.ReLU6()]
        rec = [len(ml), _keys(ml), [type(x).__name__ for x in ml], type(ml[-1]).__name__]
        sub = ml[1:4]
        rec += [type(sub).__name__, _keys(sub), [type(x).__name__ for x in sub]]
        del ml[0]
        rec += [_keys(ml), [type(x).__name__ for x in ml], list(ml.state_dict())]
        ml[0] = n.Linear(3, 2)
        rec += [repr(ml), list(ml.state_dict()), [p.shape[0] for p in ml.parameters()]]
        results.append(rec)
    assert results[0] == results[1]
    assert _error(lambda: nn.ModuleList()[0], IndexError) == \
        _error(lambda: torch.nn.ModuleList()[0], IndexError)


def test_module_dict_behaviour_matches_torch():
    results = []
    for n, T in BOTH:
        md = n.ModuleDict({"b": n.Linear(3, 4), "a": n.ReLU()})
        md["c"] = n.Tanh()
        md.update({"d": n.GELU(), "a": n.SiLU()})       # replacing keeps the position
        rec = [list(md.keys()), [type(v).__name__ for v in md.values()],
               [k for k, _ in md.items()], len(md), "c" in md, "z" in md, list(iter(md))]
        popped = md.pop("c")
        del md["d"]
        rec += [type(popped).__name__, list(md), list(md.state_dict()), repr(md)]
        md.clear()
        rec += [len(md), repr(md)]
        results.append(rec)
    assert results[0] == results[1]
    assert _error(lambda: nn.ModuleDict({"a.b": nn.ReLU()}), KeyError) == \
        _error(lambda: torch.nn.ModuleDict({"a.b": torch.nn.ReLU()}), KeyError)


def test_parameter_list_and_dict_behaviour():
    pl = nn.ParameterList([nn.Parameter(ft.ones(2)), ft.zeros(3)])
    pl.append(ft.ones(4))
    assert len(pl) == 3 and all(isinstance(p, nn.Parameter) for p in pl)
    assert all(p.requires_grad for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert [tuple(p.shape) for p in pl.parameters()] == [(2,), (3,), (4,)]
    assert pl[-1] is pl[2] and tuple(pl[1].shape) == (3,)
    holder = nn.Module()
    holder.ps = pl
    assert list(holder.state_dict()) == ["ps.0", "ps.1", "ps.2"]
    pd = nn.ParameterDict({"w": ft.ones(2)})
    pd["b"] = nn.Parameter(ft.zeros(1))
    assert list(pd.keys()) == ["w", "b"] and isinstance(pd["w"], nn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"] and "b" in pd and len(pd) == 2
    del pd["w"]
    assert list(pd) == ["b"] and [n for n, _ in pd.named_parameters()] == ["b"]
    # Gradients reach parameters held in a ParameterList.
    (pl[0] * 3).sum().backward()
    np.testing.assert_array_equal(pl[0].grad.numpy(), [3.0, 3.0])


# ------------------------------------------------------------------ load_state_dict

def _sd(model):
    return {k: v.numpy() for k, v in model.state_dict().items()}


def test_load_state_dict_copies_values_in_place():
    tm, m = _both(make_net)
    p = m.stem.weight
    m.load_state_dict(_sd(tm))
    assert m.stem.weight is p
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(m.state_dict()[k].numpy(), v.numpy())
    assert repr(m.load_state_dict(_sd(tm))) == repr(tm.load_state_dict(tm.state_dict()))


def test_load_state_dict_accepts_torch_tensors_directly():
    tm = make_cnn(torch.nn, torch)
    tm(torch.randn(3, 2, 4, 4))                 # moves the BatchNorm statistics
    m = make_cnn(nn, ft)
    result = m.load_state_dict(tm.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(m.state_dict()[k].numpy(), v.numpy())
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 4)).astype(np.float32)
    tm.eval()
    m.eval()
    np.testing.assert_allclose(m(ft.tensor(x)).detach().numpy(),
                               tm(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_into_our_model_from_ours():
    a, b = make_net(nn, ft), make_net(nn, ft)
    b.load_state_dict(a.state_dict())
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[k].numpy(), v.numpy())


def _load_errors(edit, strict=True):
    """The error texts torch and we raise loading an edited copy of torch's state_dict."""
    tm, m = _both(make_net)
    t_sd = tm.state_dict()
    edit(t_sd)
    f_sd = OrderedDict((k, v.numpy()) for k, v in t_sd.items())
    f_sd._metadata = t_sd._metadata     # (module versions: BatchNorm's decides what is missing)
    expected = _error(lambda: tm.load_state_dict(t_sd, strict=strict), RuntimeError)
    got = _error(lambda: m.load_state_dict(f_sd, strict=strict), RuntimeError)
    return got, expected


def _drop(*keys):
    def edit(sd):
        for k in keys:
            del sd[k]
    return edit


def _add(**items):
    def edit(sd):
        for k, v in items.items():
            sd[k.replace("__", ".")] = v
    return edit


def _reshape(key, shape):
    def edit(sd):
        sd[key] = torch.zeros(shape)
    return edit


def _combine(*edits):
    def edit(sd):
        for e in edits:
            e(sd)
    return edit


@pytest.mark.parametrize("edit", [
    _drop("stem.bias"),
    _drop("blocks.0.norm.weight", "bn.num_batches_tracked", "scale"),
    _add(extra=torch.zeros(1)),
    _add(blocks__0__fc__extra=torch.zeros(1), zzz=torch.ones(2)),
    _reshape("stem.weight", (3, 2)),
    _reshape("bn.running_mean", (4,)),
    _combine(_drop("offset"), _add(extra=torch.zeros(1)), _reshape("heads.cls.bias", (5,)),
             _reshape("stem.weight", (2, 3))),
], ids=["missing", "missing_many", "unexpected", "unexpected_many", "size", "size_buffer",
        "all_three"])
def test_load_state_dict_errors_match_torch(edit):
    got, expected = _load_errors(edit)
    assert got == expected


def test_load_state_dict_non_strict_matches_torch():
    tm, m = _both(make_net)
    t_sd = tm.state_dict()
    del t_sd["stem.weight"], t_sd["bn.running_var"]
    t_sd["extra.weight"] = torch.zeros(1)
    t_sd["blocks.0.count2"] = torch.zeros(1)
    f_sd = {k: v.numpy() for k, v in t_sd.items()}
    expected = tm.load_state_dict(t_sd, strict=False)
    got = m.load_state_dict(f_sd, strict=False)
    assert got.missing_keys == expected.missing_keys
    assert got.unexpected_keys == expected.unexpected_keys
    assert repr(got) == repr(expected)
    # A shape mismatch is an error even when not strict.
    got, expected = _load_errors(_reshape("stem.weight", (3, 2)), strict=False)
    assert got == expected


def test_load_state_dict_error_names_a_sequential():
    tm, m = make_cnn(torch.nn, torch), make_cnn(nn, ft)
    t_sd = tm.state_dict()
    del t_sd["0.weight"]
    expected = _error(lambda: tm.load_state_dict(t_sd), RuntimeError)
    assert _error(lambda: m.load_state_dict({k: v.numpy() for k, v in t_sd.items()}),
                  RuntimeError) == expected


def test_load_from_state_dict_override_with_torch_signature():
    """A subclass renaming an old checkpoint key the way PyTorch code does it."""
    results = []
    for n, T in BOTH:
        class Renamed(n.Linear):
            def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs):
                old = prefix + "w_old"
                if old in state_dict:
                    state_dict[prefix + "weight"] = state_dict.pop(old)
                super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                              missing_keys, unexpected_keys, error_msgs)
        model = n.Sequential(Renamed(2, 2))
        result = model.load_state_dict({"0.w_old": T.ones(2, 2), "0.bias": T.zeros(2),
                                        "0.extra": T.zeros(1)}, strict=False)
        results.append((model[0].weight.detach().numpy().tolist(), result.missing_keys,
                        result.unexpected_keys))
    assert results[0] == results[1]


# ------------------------------------------------------------------ other errors

def test_conv_channel_mismatch_error_matches_torch():
    torch_conv, conv = torch.nn.Conv2d(1, 4, 3), nn.Conv2d(1, 4, 3)
    x = np.zeros((2, 3, 5, 5), np.float32)
    expected = _error(lambda: torch_conv(torch.tensor(x)), RuntimeError)
    got = _error(lambda: conv(ft.tensor(x)), RuntimeError)
    assert got == expected
    assert "[4, 1, 3, 3]" in got and "[2, 3, 5, 5]" in got


def test_linear_shape_mismatch_error_matches_torch():
    x = np.zeros((2, 5), np.float32)
    expected = _error(lambda: torch.nn.Linear(3, 4)(torch.tensor(x)), RuntimeError)
    assert _error(lambda: nn.Linear(3, 4)(ft.tensor(x)), RuntimeError) == expected


def test_attribute_errors_match_torch():
    expected = _error(lambda: torch.nn.Linear(3, 4).nonexistent, AttributeError)
    assert _error(lambda: nn.Linear(3, 4).nonexistent, AttributeError) == expected
    expected = _error(lambda: make_net(torch.nn, torch).blocks.nope, AttributeError)
    assert _error(lambda: make_net(nn, ft).blocks.nope, AttributeError) == expected


def _assign_tensor_to_param(n, T):
    lin = n.Linear(3, 4)
    lin.weight = T.zeros(4, 3)


def _assign_int_to_module(n, T):
    seq = n.Sequential(n.ReLU())
    seq.__setattr__("0", 3)


def _module_before_init(n, T):
    class Early(n.Module):
        def __init__(self):
            self.fc = n.Linear(3, 4)
    Early()


def _param_before_init(n, T):
    class Early(n.Module):
        def __init__(self):
            self.w = n.Parameter(T.zeros(2))
    Early()


def _buffer_with_dot(n, T):
    n.Module().register_buffer("a.b", T.zeros(1))


def _param_with_dot(n, T):
    n.Module().register_parameter("a.b", n.Parameter(T.zeros(1)))


def _buffer_not_a_tensor(n, T):
    n.Module().register_buffer("a", [1.0])


def _param_not_a_parameter(n, T):
    n.Module().register_parameter("w", T.zeros(1))


def _existing_attribute(n, T):
    m = n.Linear(3, 4)
    m.foo = 1
    m.register_buffer("foo", T.zeros(1))


def _add_module_not_a_module(n, T):
    n.Module().add_module("x", 3)


def _missing_forward(n, T):
    class NoForward(n.Module):
        pass
    NoForward()(T.zeros(1))


@pytest.mark.parametrize("fn", [
    _assign_tensor_to_param, _assign_int_to_module, _module_before_init, _param_before_init,
    _buffer_with_dot, _param_with_dot, _buffer_not_a_tensor, _param_not_a_parameter,
    _existing_attribute, _add_module_not_a_module, _missing_forward,
])
def test_registration_errors_match_torch(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch.nn, torch)
    with pytest.raises(Exception) as f_err:
        fn(nn, ft)
    assert type(f_err.value) is type(t_err.value)
    assert str(f_err.value) == str(t_err.value)


def test_attribute_assignment_registers_and_deregisters():
    m = nn.Module()
    m.w = nn.Parameter(ft.zeros(2))
    m.sub = nn.Linear(3, 4)
    m.register_buffer("buf", ft.ones(1))
    assert list(m.state_dict()) == ["w", "buf", "sub.weight", "sub.bias"]
    m.buf = ft.zeros(1)                          # assigning a Tensor keeps it a buffer
    assert "buf" in dict(m.named_buffers()) and float(m.buf[0]) == 0.0
    m.w = None
    assert "w" not in m.state_dict() and m.w is None
    del m.sub
    assert list(m.state_dict()) == ["buf"]
    with pytest.raises(AttributeError):
        m.sub
    m.sub = nn.Parameter(ft.ones(1))            # a name can change kind
    assert list(m.state_dict()) == ["sub", "buf"]
    assert "sub" in dir(m) and "buf" in dir(m)


def test_buffer_class_registers_on_assignment():
    m = nn.Module()
    m.stats = nn.Buffer(ft.zeros(2))
    m.tmp = nn.Buffer(ft.ones(1), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["stats", "tmp"]
    assert list(m.state_dict()) == ["stats"]


def test_batch_norm_buffers_in_state_dict_after_training():
    """num_batches_tracked is saved (as an integer) and counts training forwards."""
    tm, m = _both(make_cnn)
    x = np.random.default_rng(1).standard_normal((3, 2, 4, 4)).astype(np.float32)
    for _ in range(2):
        tm(torch.tensor(x))
        m(ft.tensor(x))
    t_sd, f_sd = tm.state_dict(), m.state_dict()
    assert int(f_sd["1.num_batches_tracked"]) == int(t_sd["1.num_batches_tracked"]) == 2
    assert f_sd["1.num_batches_tracked"].dtype in (ft.int64, ft.int32)
    np.testing.assert_allclose(f_sd["1.running_var"].numpy(), t_sd["1.running_var"].numpy(),
                               rtol=1e-5)


def test_x64_num_batches_tracked_is_int64_like_torch(x64):
    bn = nn.BatchNorm2d(4)
    assert bn.num_batches_tracked.dtype == ft.int64
    assert str(bn.state_dict()["num_batches_tracked"].dtype) == \
        str(torch.nn.BatchNorm2d(4).state_dict()["num_batches_tracked"].dtype)


def test_jax_arrays_in_state_dict_are_loaded():
    m = nn.Linear(3, 4)
    m.load_state_dict({"weight": jax.numpy.ones((4, 3)), "bias": np.zeros(4, np.float32)})
    assert np.all(m.weight.detach().numpy() == 1) and np.all(m.bias.detach().numpy() == 0)


@pytest.mark.parametrize("target, module, strict", [
    ("1.0", "tanh", False), ("1.extra", "tanh", False), ("", "tanh", False),
    ("1.x", "tanh", True), ("0.weight", "tanh", False), ("0", 3, False), ("9.0", "tanh", False)])
def test_set_submodule_sets_or_raises_as_torch(target, module, strict):
    def run(lib):
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.ReLU()))
        try:
            model.set_submodule(target, lib.nn.Tanh() if module == "tanh" else module,
                                strict=strict)
        except Exception as e:          # noqa: BLE001 - the error is the result here
            return type(e).__name__, str(e)
        return repr(model)
    assert run(ft) == run(torch)


def test_layer_norm_reset_parameters_restores_ones_and_zeros():
    ln = nn.LayerNorm(3)
    with ft.no_grad():
        ln.weight.add_(2.0)
        ln.bias.add_(1.0)
    ln.reset_parameters()
    np.testing.assert_array_equal(ln.weight.detach().numpy(), np.ones(3))
    np.testing.assert_array_equal(ln.bias.detach().numpy(), np.zeros(3))


def _extra_state_model(lib):
    class Counter(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.nn.Linear(2, 1)
            self.seen = 3

        def get_extra_state(self):
            return {"seen": self.seen}

        def set_extra_state(self, state):
            self.seen = state["seen"]
    return lib.nn.Sequential(Counter())


def test_extra_state_is_saved_and_loaded_as_torch():
    for lib in (torch, ft):
        model = _extra_state_model(lib)
        sd = model.state_dict()
        assert list(sd) == ["0._extra_state", "0.lin.weight", "0.lin.bias"]
        assert sd["0._extra_state"] == {"seen": 3}
        fresh = _extra_state_model(lib)
        fresh[0].seen = 0
        fresh.load_state_dict(sd)
        assert fresh[0].seen == 3
        del sd["0._extra_state"]
        with pytest.raises(RuntimeError, match=r"Missing key\(s\) in state_dict: .0._extra_state"):
            fresh.load_state_dict(sd)
        plain = lib.nn.Sequential(lib.nn.Linear(2, 1))
        result = plain.load_state_dict({"0.weight": lib.ones(1, 2), "0.bias": lib.ones(1),
                                        "0._extra_state": 1}, strict=False)
        assert result.unexpected_keys == ["0._extra_state"]
        with pytest.raises(RuntimeError, match="should never be called"):
            plain.get_extra_state()


def test_state_dict_hooks_run_and_change_entries_as_torch():
    def run(lib):
        calls = []
        model = lib.nn.Sequential(lib.nn.Linear(2, 1))
        model.register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(("pre", prefix)))

        def rename(m, sd, prefix, meta):
            calls.append(("post", prefix))
            sd["extra"] = 1
        handle = model[0].register_state_dict_post_hook(rename)
        keys = list(model.state_dict())
        handle.remove()
        keys_after_remove = list(model.state_dict())

        def drop_missing(m, incompatible):
            calls.append(("load post", len(incompatible.missing_keys)))
            incompatible.missing_keys.clear()
        model.register_load_state_dict_post_hook(drop_missing)

        def fill_bias(m, sd, prefix, meta, strict, missing, unexpected, errors):
            calls.append(("load pre", prefix))
            sd.setdefault(prefix + "bias", lib.zeros(1))
        model[0].register_load_state_dict_pre_hook(fill_bias)
        result = model.load_state_dict({"0.weight": lib.ones(1, 2)})
        return calls, keys, keys_after_remove, result.missing_keys, \
            model[0].bias.detach().numpy().tolist()
    assert run(ft) == run(torch)
