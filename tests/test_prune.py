"""torch.nn.utils.prune against torch 2.13: the reparametrization (weight_orig, weight_mask,
the pre-hook), masks of the magnitude-based methods on tie-free inputs, mask composition
on re-pruning, training through a pruned tensor (eager and compiled), remove, errors.

Random methods draw from functorch_like's generator, so their masks differ from torch's:
they are tested for the number and the structure of what they prune."""

import importlib

import numpy as np
import pytest
import torch

import functorch_like as fl
from functorch_like._compile import compile_count

from _tensor_ops_ref import check_raises

# Distinct magnitudes, distinct row and column norms: no ties for topk to break.
_W = np.array([[0.3, -1.2, 0.05, 2.0],
               [-0.7, 0.11, 1.5, -0.02],
               [0.9, -0.4, 0.25, 1.1]], np.float32)
_X = np.arange(8, dtype=np.float32).reshape(2, 4) / 4


def _prune(lib):
    return importlib.import_module(lib.__name__ + ".nn.utils.prune")


def _lin(lib):
    m = lib.nn.Linear(4, 3)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(_W))
        m.bias.copy_(lib.tensor([0.5, -0.25, 0.125]))
    return m


def same(fn):
    """fn(lib) gives the same answer with torch and with functorch_like."""
    ref, got = fn(torch), fn(fl)
    assert got == ref, f"{got!r}\n!=\n{ref!r}"
    return got


def _r(t):
    return np.round(t.detach().numpy(), 5).tolist()


def test_reparametrization_keys_and_types():
    def fn(lib):
        m = _prune(lib).l1_unstructured(_lin(lib), "weight", amount=0.25)
        return (list(m.state_dict()), [n for n, _ in m.named_parameters()],
                [n for n, _ in m.named_buffers()], type(m.weight).__name__,
                type(m.weight_orig).__name__, m.weight.requires_grad, repr(m.weight),
                _r(m.weight_mask), m.weight_mask.requires_grad, str(m.weight_mask.dtype),
                _prune(lib).is_pruned(m), repr(m),
                str(_prune(lib).L1Unstructured).replace(lib.__name__, "<lib>"),
                [type(h).__name__ for h in m._forward_pre_hooks.values()])
    same(fn)


@pytest.mark.parametrize("steps", [
    [("l1", 0.25), ("ln", 1, 2, 0), ("l1", 2), ("ln", 0.34, 1, 1), ("ln", 1, float("inf"), -1)],
    [("ln", 2, "fro", 1), ("l1", 0.5), ("ln", 1, 1, 0)],
    [("custom", [[1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 1]]), ("l1", 4), ("identity",)],
    [("l1", 0.0), ("ln", 0, 2, 0), ("l1", 0.125)],     # amount 0; 1.5 rounds to 2
], ids=["l1-ln-mixed", "fro-first", "custom-l1-identity", "zero-and-rounding"])
def test_repeated_pruning_composes_masks_as_torch(steps):
    def fn(lib):
        prune, m = _prune(lib), _lin(lib)
        masks = []
        for s in steps:
            if s[0] == "l1":
                prune.l1_unstructured(m, "weight", amount=s[1])
            elif s[0] == "ln":
                prune.ln_structured(m, "weight", amount=s[1], n=s[2], dim=s[3])
            elif s[0] == "custom":
                prune.custom_from_mask(m, "weight", lib.tensor(s[1], dtype=lib.float32))
            else:
                prune.identity(m, "weight")
            masks.append(_r(m.weight_mask))
        hook = list(m._forward_pre_hooks.values())
        return masks, _r(m.weight), [type(h).__name__ for h in hook], len(hook[0]) \
            if type(hook[0]).__name__ == "PruningContainer" else None
    same(fn)


def test_importance_scores_structured_conv_and_prune_method():
    def fn(lib):
        prune = _prune(lib)
        scores = lib.tensor(np.arange(12, dtype=np.float32).reshape(3, 4)[::-1].copy())
        m = prune.l1_unstructured(_lin(lib), "weight", amount=3, importance_scores=scores)
        m = prune.ln_structured(m, "weight", amount=1, n=1, dim=1,
                                importance_scores=scores * lib.tensor(_W))
        lib.manual_seed(0)
        conv = lib.nn.Conv2d(2, 3, 2)
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(np.linspace(-1, 1.3, 24, dtype=np.float32)
                                         .reshape(3, 2, 2, 2)))
        prune.ln_structured(conv, "weight", amount=1, n=2, dim=0)
        prune.ln_structured(conv, "weight", amount=1, n=1, dim=1)
        pruned = prune.L1Unstructured(amount=2).prune(lib.tensor([3.0, -1.0, 0.5, 2.0]))
        return _r(m.weight_mask), _r(conv.weight_mask), _r(pruned)
    same(fn)


def test_global_unstructured_as_torch():
    def fn(lib):
        prune = _prune(lib)
        a, b = _lin(lib), _lin(lib)
        with lib.no_grad():
            b.weight.mul_(0.1)
        prune.l1_unstructured(b, "weight", amount=1)
        params = [(a, "weight"), (b, "weight"), (a, "bias")]
        prune.global_unstructured(params, prune.L1Unstructured, amount=0.4)
        first = [_r(a.weight_mask), _r(b.weight_mask), _r(a.bias_mask)]
        scores = {(a, "weight"): lib.tensor(_W[::-1].copy())}
        prune.global_unstructured(params[:2], pruning_method=prune.L1Unstructured,
                                  importance_scores=scores, amount=3)
        return (first, _r(a.weight_mask), _r(b.weight_mask),
                [type(h).__name__ for h in a._forward_pre_hooks.values()], list(a.state_dict()))
    same(fn)


def test_pruned_model_trains_as_torch_and_remove_keeps_the_parameter():
    def fn(lib):
        prune = _prune(lib)
        m = _lin(lib)
        w = m.weight
        prune.l1_unstructured(m, "weight", amount=5)
        prune.ln_structured(m, "weight", amount=1, n=2, dim=0)
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        out = []
        for _ in range(2):
            opt.zero_grad()
            loss = m(lib.tensor(_X)).pow(2).sum()
            loss.backward()
            opt.step()
            out += [round(loss.item(), 4), _r(m.weight_orig.grad), _r(m.weight_orig)]
        prune.remove(m, "weight")
        out += [m.weight is w, type(m.weight).__name__, m.weight.requires_grad,
                _r(m.weight), list(m.state_dict()), prune.is_pruned(m),
                len(m._forward_pre_hooks)]
        return out
    same(fn)


def test_random_unstructured_prunes_the_exact_count_among_unpruned_entries():
    prune = fl.nn.utils.prune
    fl.manual_seed(0)
    m = fl.nn.Linear(5, 4)                      # 20 weights
    prune.random_unstructured(m, "weight", amount=0.3)
    first = m.weight_mask.numpy().copy()
    assert (first == 0).sum() == 6 and set(np.unique(first)) == {0.0, 1.0}
    prune.random_unstructured(m, "weight", amount=4)  # 4 more, among the 14 left
    second = m.weight_mask.numpy()
    assert (second == 0).sum() == 10
    assert np.all(second[first == 0] == 0)        # pruned entries stay pruned
    np.testing.assert_array_equal(m.weight.detach().numpy(),
                                  m.weight_orig.detach().numpy() * second)
    # The draws come from the global generator: the same seed, the same mask.
    fl.manual_seed(0)
    again = prune.random_unstructured(fl.nn.Linear(5, 4), "weight", amount=0.3)
    np.testing.assert_array_equal(again.weight_mask.numpy(), first)


def test_random_structured_prunes_whole_channels():
    prune = fl.nn.utils.prune
    fl.manual_seed(1)
    m = fl.nn.Conv2d(2, 5, 2)                   # weight (5, 2, 2, 2)
    prune.random_structured(m, "weight", amount=2, dim=0)
    mask = m.weight_mask.numpy().copy()
    per_channel = mask.reshape(5, -1)
    assert np.all((per_channel == 0).all(1) | (per_channel == 1).all(1))
    assert (per_channel == 0).all(1).sum() == 2
    prune.random_structured(m, "weight", amount=0.4, dim=0)   # round(0.4 * 3) = 1 more
    per_channel = m.weight_mask.numpy().reshape(5, -1)
    assert (per_channel == 0).all(1).sum() == 3
    assert np.all(m.weight_mask.numpy()[mask == 0] == 0)
    prune.random_structured(m, "weight", amount=1, dim=1)     # along in-channels
    kept_in = m.weight_mask.numpy().sum(axis=(0, 2, 3)) != 0
    assert kept_in.sum() == 1
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_mask"]


def test_pruned_training_step_compiled_equals_eager(eager_and_compiled_losses):
    prune = fl.nn.utils.prune
    models = []

    def build():
        model = fl.nn.Sequential(fl.nn.Linear(4, 3), fl.nn.Tanh(), fl.nn.Linear(3, 1))
        prune.l1_unstructured(model[0], "weight", amount=5)
        prune.ln_structured(model[2], "weight", amount=1, n=1, dim=1)
        prune.random_unstructured(model[2], "bias", amount=0)
        opt = fl.optim.SGD(model.parameters(), lr=0.1)
        models.append(model)
        return (lambda x: model(x).pow(2).mean()), opt, (fl.tensor(_X),)
    before = compile_count()
    eager, compiled = eager_and_compiled_losses(build, 4)
    # Traced at most twice (the attribute the hook binds is state from the second call on),
    # not once per step.
    assert 1 <= compile_count() - before <= 2
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    assert compiled[-1] < compiled[0]
    m_eager, m_comp = models
    sd_eager, sd_comp = m_eager.state_dict(), m_comp.state_dict()
    assert list(sd_comp) == ["0.bias", "0.weight_orig", "0.weight_mask", "2.weight_orig",
                             "2.bias_orig", "2.weight_mask", "2.bias_mask"]
    for k in sd_eager:
        np.testing.assert_allclose(sd_comp[k].numpy(), sd_eager[k].numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=k)
    # The attribute the hook rebinds holds a value after the compiled steps, masked.
    w = m_comp[0].weight.detach().numpy()
    assert (w[m_comp[0].weight_mask.numpy() == 0] == 0).all()


def _rs(lib, amount, dim=0):
    return _prune(lib).random_structured(_lin(lib), "weight", amount=amount, dim=dim)


@pytest.mark.parametrize("case", [
    lambda lib: _prune(lib).l1_unstructured(_lin(lib), "weight", amount=-1),
    lambda lib: _prune(lib).l1_unstructured(_lin(lib), "weight", amount=1.5),
    lambda lib: _prune(lib).random_unstructured(_lin(lib), "weight", amount="a"),
    lambda lib: _prune(lib).l1_unstructured(_lin(lib), "weight", amount=13),
    lambda lib: _prune(lib).ln_structured(_lin(lib), "bias", amount=1, n=2, dim=0),
    lambda lib: _prune(lib).ln_structured(_lin(lib), "weight", amount=1, n=2, dim=2),
    lambda lib: _rs(lib, 1, dim=5),
    lambda lib: _rs(lib, 4),
    lambda lib: _prune(lib).l1_unstructured(_lin(lib), "weight", amount=1,
                                            importance_scores=lib.ones(2)),
    lambda lib: _prune(lib).custom_from_mask(_lin(lib), "bias", lib.ones(2)),
    lambda lib: _prune(lib).remove(_lin(lib), "weight"),
    lambda lib: _prune(lib).global_unstructured(3, _prune(lib).L1Unstructured, amount=1),
    lambda lib: _prune(lib).global_unstructured([], _prune(lib).L1Unstructured,
                                                importance_scores=[], amount=1),
    lambda lib: _prune(lib).global_unstructured(
        [(_lin(lib), "weight")], _prune(lib).LnStructured, amount=1, n=2, dim=0),
    lambda lib: _prune(lib).PruningContainer(3),
    lambda lib: _prune(lib).BasePruningMethod(),
], ids=["amount-negative", "amount-over-1", "amount-str", "amount-too-many",
        "structured-1d", "structured-dim", "random-structured-dim", "random-structured-many",
        "scores-shape", "custom-shape", "remove-unpruned", "global-not-iterable",
        "global-scores-not-dict", "global-structured", "container-not-method", "abstract"])
def test_errors_as_torch(case):
    t_err, f_err = check_raises(case, match=False)
    # torch's text names torch's class path, ours functorch_like's: compare past it.
    assert str(f_err).replace("functorch_like", "torch") == str(t_err)


def test_a_failed_first_pruning_leaves_the_module_as_it_was():
    def fn(lib):
        m = _lin(lib)
        with pytest.raises(ValueError):
            _prune(lib).l1_unstructured(m, "weight", amount=13)
        return list(m.state_dict()), type(m.weight).__name__, len(m._forward_pre_hooks)
    same(fn)
