"""optim.swa_utils against torch.optim.swa_utils: AveragedModel with every averaging rule
(state_dict keys, n_averaged, buffers copied or averaged), update_bn, SWALR's lr sequence
and state_dict, and torch's errors."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl

_rng = np.random.default_rng(0)
X = [_rng.normal(size=(5, 3)).astype(np.float32) for _ in range(3)]


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                             lib.nn.Linear(4, 2))


torch.manual_seed(0)
WEIGHTS = {k: v.numpy().copy() for k, v in _model(torch).state_dict().items()}


def _load(lib, model, scale):
    model.load_state_dict({k: lib.tensor(v * scale if v.dtype.kind == "f" else v)
                           for k, v in WEIGHTS.items()})


def _state(module):
    # (value, dtype name): int64 is stored as int32 while JAX's x64 mode is off.
    return {k: (np.asarray(v.numpy()), str(v.dtype).split(".")[-1])
            for k, v in module.state_dict().items()}


def _assert_same(ours, theirs):
    assert list(ours) == list(theirs)
    for k in theirs:
        assert ours[k][1] == theirs[k][1], k
        np.testing.assert_allclose(ours[k][0], theirs[k][0], rtol=1e-5, atol=1e-6, err_msg=k)


RULES = {
    "swa": lambda su: dict(),
    "swa-buffers": lambda su: dict(use_buffers=True),
    "ema-multi": lambda su: dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.9)),
    "ema-avg-buffers": lambda su: dict(avg_fn=su.get_ema_avg_fn(0.7), use_buffers=True),
    "swa-multi": lambda su: dict(multi_avg_fn=su.get_swa_multi_avg_fn()),
    "swa-avg": lambda su: dict(avg_fn=su.get_swa_avg_fn()),
}


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_averaged_model_matches_torch(rule):
    """Four updates from a model whose weights change and whose BatchNorm buffers move
    (num_batches_tracked, an integer buffer, is averaged too with use_buffers): the same
    state_dict (keys `n_averaged`, `module.*`), values and dtypes as torch, and the same
    forward output."""
    results = []
    for lib in (torch, fl):
        model = _model(lib)
        _load(lib, model, 1.0)
        averaged = lib.optim.swa_utils.AveragedModel(model, **rule(lib.optim.swa_utils))
        for scale in (1.0, 2.0, 0.5, 3.0):
            _load(lib, model, scale)
            model.train()
            model(lib.tensor(X[0]))
            averaged.update_parameters(model)
        averaged.eval()
        results.append((_state(averaged), averaged(lib.tensor(X[1])).detach().numpy()))
    _assert_same(results[1][0], results[0][0])
    assert int(results[1][0]["n_averaged"][0]) == 4
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5, atol=1e-6)


def test_update_bn_matches_torch():
    """update_bn resets the BatchNorm statistics and averages them over the loader
    (batches as tuples whose first item is the input), restoring momentum and eval
    mode; a model without BatchNorm is left alone."""
    results = []
    for lib in (torch, fl):
        model = _model(lib)
        _load(lib, model, 1.5)
        model.eval()
        lib.optim.swa_utils.update_bn([(lib.tensor(x), 0) for x in X], model)
        assert not model.training and model[1].momentum == 0.1
        results.append(_state(model))
        plain = lib.nn.Linear(2, 2)
        lib.optim.swa_utils.update_bn([lib.ones(1, 2)], plain)
    _assert_same(results[1], results[0])
    assert int(results[1]["1.num_batches_tracked"][0]) == 3


def test_averaged_model_errors_like_torch():
    for make in (lambda su: su.AveragedModel(_model_of(su), avg_fn=su.get_swa_avg_fn(),
                                             multi_avg_fn=su.get_swa_multi_avg_fn()),
                 lambda su: su.get_ema_avg_fn(1.5), lambda su: su.get_ema_multi_avg_fn(-0.1)):
        with pytest.raises(Exception) as theirs:
            make(torch.optim.swa_utils)
        with pytest.raises(type(theirs.value)) as ours:
            make(fl.optim.swa_utils)
        assert str(ours.value) == str(theirs.value)


def _model_of(su):
    return (torch if su is torch.optim.swa_utils else fl).nn.Linear(2, 2)


SWALR_CASES = [dict(swa_lr=0.05, anneal_epochs=3), dict(swa_lr=[0.05, 0.2], anneal_epochs=4,
                                                      anneal_strategy="linear"),
               dict(swa_lr=0.3, anneal_epochs=0)]


@pytest.mark.parametrize("kw", SWALR_CASES, ids=["cos", "linear-list", "no-annealing"])
def test_swalr_lr_sequence_matches_torch(kw):
    """Two groups with their own lr; 7 steps, the first 2 after another scheduler's
    (torch's recursive form recovers the pre-annealing lr from the current one)."""
    sequences = []
    for lib in (torch, fl):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(2))], lr=0.5)
        opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(2))], "lr": 0.1})
        swa = lib.optim.swa_utils.SWALR(opt, **kw)
        other = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        lrs = [swa.get_last_lr()]
        for i in range(7):
            opt.step()
            (other if i < 2 else swa).step()
            lrs.append([g["lr"] for g in opt.param_groups])
        sequences.append((lrs, [g["swa_lr"] for g in opt.param_groups], swa.state_dict()))
    assert sequences[1][0] == sequences[0][0]
    assert sequences[1][1] == sequences[0][1]
    assert sequences[1][2] == sequences[0][2]


def test_swalr_state_dict_restores_strategy_and_errors_like_torch():
    opt = fl.optim.SGD([fl.nn.Parameter(fl.zeros(2))], lr=0.5)
    linear = fl.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="linear")
    cos = fl.optim.swa_utils.SWALR(opt, swa_lr=0.1)
    cos.load_state_dict(linear.state_dict())
    assert cos.anneal_func(0.25) == 0.25 and "anneal_func" not in cos.state_dict()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cos.get_lr()
    assert "get_last_lr()" in str(caught[0].message)
    bad = [dict(swa_lr=0.1, anneal_strategy="step"), dict(swa_lr=0.1, anneal_epochs=-1),
           dict(swa_lr=0.1, anneal_epochs=2.0), dict(swa_lr=[0.1, 0.2])]
    for kw in bad:
        with pytest.raises(ValueError) as theirs:
            torch.optim.swa_utils.SWALR(
                torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.5), **kw)
        with pytest.raises(ValueError) as ours:
            fl.optim.swa_utils.SWALR(opt, **kw)
        assert str(ours.value) == str(theirs.value)
