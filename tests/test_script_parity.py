"""Whole PyTorch scripts, run once with real torch and once with `functorch_like as torch`.

The mission's promise is that a user's script runs unchanged and gives PyTorch's numbers.
Each script below is written once, against a `torch` module passed in, and uses the pieces
a training script usually combines (DataLoader, layers, a loss, an optimizer with param
groups, gradient clipping, an LR schedule, eval under no_grad, save/load). Both runs start
from the same weights (torch's, loaded into ours) and see the same batches (no shuffling:
the two libraries' random streams differ by design), so every loss must agree.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch as real_torch
from sklearn.datasets import load_digits

import functorch_like


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)[:, None]      # (N, 1, 8, 8)
    return x[:256], data.target[:256].astype(np.int64), x[256:384], \
        data.target[256:384].astype(np.int64)


def _numpy_state(state) -> dict:
    return {k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v)
            for k, v in state.items()}


def cnn_script(torch, init_state, digits, steps=12):
    """A CNN with BatchNorm, AdamW over two param groups, label smoothing, clipping,
    OneCycleLR, evaluation and a state_dict round trip through torch.save/torch.load."""
    nn = torch.nn
    x_train, y_train, x_test, y_test = digits
    model = _cnn(nn)
    model.load_state_dict({k: torch.tensor(v) for k, v in init_state.items()})
    optimizer = torch.optim.AdamW([
        {"params": list(model[0].parameters()) + list(model[1].parameters()), "lr": 3e-3},
        {"params": list(model[5].parameters()) + list(model[8].parameters())},
    ], lr=1e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[1e-2, 5e-3],
                                                    total_steps=steps)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x_train), torch.tensor(y_train)),
        batch_size=64, shuffle=False)
    losses, norms = [], []
    model.train()
    step = 0
    while step < steps:
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)))
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            step += 1
            if step == steps:
                break
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor(x_test))
        accuracy = (logits.argmax(dim=1) == torch.tensor(y_test)).float().mean().item()
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
    buffer.seek(0)
    restored = torch.load(buffer)
    model.load_state_dict(restored["model"])
    optimizer.load_state_dict(restored["optimizer"])
    return {"losses": losses, "norms": norms, "accuracy": accuracy,
            "logits": logits.numpy(), "state": _numpy_state(model.state_dict()),
            "lr": scheduler.get_last_lr()}


def _compare(ours, theirs, rtol=2e-4, atol=2e-5):
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours["norms"], theirs["norms"], rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours["logits"], theirs["logits"], rtol=1e-3, atol=1e-4)
    assert ours["accuracy"] == pytest.approx(theirs["accuracy"], abs=1e-6)
    assert ours["state"].keys() == theirs["state"].keys()
    for k in theirs["state"]:
        np.testing.assert_allclose(ours["state"][k], theirs["state"][k], rtol=1e-3,
                                   atol=1e-4, err_msg=k)
    np.testing.assert_allclose(ours["lr"], theirs["lr"], rtol=1e-6)


def _cnn(nn):
    # No conv bias before BatchNorm: its gradient is rounding noise, which Adam would
    # scale up to lr-sized steps in either library's own random direction.
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4 * 4 * 4, 16), nn.GELU(), nn.Dropout(0.0), nn.Linear(16, 10))


def test_cnn_script_gives_pytorchs_numbers(digits):
    real_torch.manual_seed(0)
    init = _numpy_state(_cnn(real_torch.nn).state_dict())
    theirs = cnn_script(real_torch, init, digits)
    ours = cnn_script(functorch_like, init, digits)
    _compare(ours, theirs)
    assert theirs["losses"][-1] < theirs["losses"][0]     # the script does train


# ---- a sequence classifier: Embedding, packed LSTM, NAdam, StepLR, value clipping -------

def _sequences(n=48, vocab=12, max_len=7, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, max_len + 1, size=n)
    tokens = np.zeros((n, max_len), np.int64)          # 0 is padding
    for i, length in enumerate(lengths):
        tokens[i, :length] = rng.integers(1, vocab, size=length)
    labels = (tokens.sum(axis=1) % 3).astype(np.int64)
    return tokens, lengths.astype(np.int64), labels


def seq_model(torch):
    nn = torch.nn

    class SequenceClassifier(nn.Module):
        def __init__(self, vocab=12, dim=8, hidden=10, classes=3):
            super().__init__()
            self.embed = nn.Embedding(vocab, dim, padding_idx=0)
            self.lstm = nn.LSTM(dim, hidden, batch_first=True)
            self.head = nn.Linear(hidden, classes)

        def forward(self, tokens, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(
                self.embed(tokens), lengths, batch_first=True, enforce_sorted=False)
            _, (h, _) = self.lstm(packed)
            return self.head(h[-1])

    return SequenceClassifier()


def seq_script(torch, init_state, steps=8):
    nn = torch.nn
    model = seq_model(torch)
    model.load_state_dict({k: torch.tensor(v) for k, v in init_state.items()})
    optimizer = torch.optim.NAdam(model.parameters(), lr=2e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    criterion = nn.CrossEntropyLoss()
    tokens, lengths, labels = _sequences()
    losses = []
    for i in range(steps):
        sl = slice((i % 3) * 16, (i % 3) * 16 + 16)
        optimizer.zero_grad()
        loss = criterion(model(torch.tensor(tokens[sl]), torch.tensor(lengths[sl])),
                         torch.tensor(labels[sl]))
        loss.backward()
        nn.utils.clip_grad_value_(model.parameters(), 0.1)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    with torch.no_grad():
        logits = model(torch.tensor(tokens), torch.tensor(lengths))
    return {"losses": losses, "logits": logits.numpy(),
            "state": _numpy_state(model.state_dict())}


def test_packed_lstm_script_gives_pytorchs_numbers():
    real_torch.manual_seed(0)
    init = _numpy_state(seq_model(real_torch).state_dict())
    theirs = seq_script(real_torch, init)
    ours = seq_script(functorch_like, init)
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(ours["logits"], theirs["logits"], rtol=1e-3, atol=1e-4)
    for k in theirs["state"]:
        np.testing.assert_allclose(ours["state"][k], theirs["state"][k], rtol=1e-3,
                                   atol=1e-4, err_msg=k)


# ---- a Transformer encoder classifier, compiled on our side ------------------------------

def encoder_model(torch):
    nn = torch.nn
    layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0,
                                       batch_first=True, norm_first=True)
    return nn.ModuleDict({
        "embed": nn.Embedding(12, 8),
        "encoder": nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False),
        "head": nn.Linear(8, 3)})


def encoder_script(torch, init_state, compiled, steps=8):
    nn = torch.nn
    model = encoder_model(torch)
    model.load_state_dict({k: torch.tensor(v) for k, v in init_state.items()})
    optimizer = torch.optim.RAdam(model.parameters(), lr=1e-2, weight_decay=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    criterion = nn.CrossEntropyLoss()
    tokens, lengths, labels = _sequences(seed=1)
    pad = torch.tensor(np.arange(tokens.shape[1])[None, :] >= lengths[:, None])

    def train_step(x, mask, y):
        optimizer.zero_grad()
        h = model["encoder"](model["embed"](x), src_key_padding_mask=mask)
        keep = (~mask).unsqueeze(-1).float()
        pooled = (h * keep).sum(dim=1) / keep.sum(dim=1)
        loss = criterion(model["head"](pooled), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        return loss

    if compiled:
        train_step = torch.compile(train_step)
    losses = []
    for i in range(steps):
        sl = slice((i % 3) * 16, (i % 3) * 16 + 16)
        losses.append(train_step(torch.tensor(tokens[sl]), pad[sl],
                                 torch.tensor(labels[sl])).item())
    return {"losses": losses, "state": _numpy_state(model.state_dict())}


@pytest.mark.parametrize("compiled", [False, True])
def test_transformer_script_gives_pytorchs_numbers(compiled):
    real_torch.manual_seed(0)
    init = _numpy_state(encoder_model(real_torch).state_dict())
    theirs = encoder_script(real_torch, init, compiled=False)
    ours = encoder_script(functorch_like, init, compiled=compiled)
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=5e-4, atol=5e-5)
    for k in theirs["state"]:
        np.testing.assert_allclose(ours["state"][k], theirs["state"][k], rtol=2e-3,
                                   atol=2e-4, err_msg=k)
