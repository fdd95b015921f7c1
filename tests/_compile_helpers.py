"""What the compile tests share: the PyTorch-style training step they run eagerly and
compiled, and the comparison of two models' states."""

import numpy as np


def training_step(model, opt, crit):
    """zero_grad, forward, loss, backward, step; returns the loss."""
    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def squared_step(model, opt):
    """zero_grad, the mean square of the model's output as the loss, backward, step;
    returns the loss."""
    def step(x):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        return loss
    return step


def summed_step(model, opt):
    """zero_grad, the sum of the model's output as the loss, backward, step; returns the
    loss (for either library: it calls methods only)."""
    def step(x):
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss
    return step


def assert_same_state(m1, m2, rtol=1e-5, atol=1e-6):
    """Both models' state_dicts hold the same names and (nearly) the same values."""
    sd1, sd2 = m1.state_dict(), m2.state_dict()
    assert list(sd1) == list(sd2)
    for k in sd1:
        np.testing.assert_allclose(sd2[k].numpy(), sd1[k].numpy(), rtol=rtol, atol=atol,
                                   err_msg=k)
