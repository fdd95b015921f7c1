"""retain_grad follows a tensor through in-place ops, as torch's (before: `.grad` stayed
None): the Grad-CAM pattern with ReLU(inplace=True), and a write into a view of it."""

import numpy as np
import torch

import functorch_like as fl


def test_inplace_relu_after_retain_grad():
    def run(T):
        lin = T.nn.Linear(2, 3)
        lin.load_state_dict({"weight": T.tensor([[0.5, -1.0], [2.0, 0.25], [-0.3, 0.7]]),
                             "bias": T.tensor([0.1, -0.2, 0.0])})
        feat = lin(T.tensor([[1.0, 2.0]]))
        feat.retain_grad()
        (T.nn.functional.relu(feat, inplace=True) * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        return feat.grad.numpy(), lin.weight.grad.numpy()
    for f, t in zip(run(fl), run(torch)):
        np.testing.assert_allclose(f, t, rtol=1e-6)


def test_write_into_a_view_after_retain_grad():
    def run(T):
        x = T.ones(4, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y[:2].mul_(5)
        (y * y).sum().backward()
        return y.grad.numpy(), x.grad.numpy()
    for f, t in zip(run(fl), run(torch)):
        np.testing.assert_allclose(f, t, rtol=1e-6)
