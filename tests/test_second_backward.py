"""A second backward without retain_graph, as torch: allowed through nodes that save no
tensor (additions, sums, views, cat, ...), refused through any node that does (mul, exp,
a loss, matmul), with torch's error."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of

# Each builds a scalar from a leaf x (3, 4) and a constant w (3, 4) of the same library.
GRAPHS = {
    "add": lambda T, x, w: (x + w).sum(),
    "sub_alpha": lambda T, x, w: T.sub(x, w, alpha=2).sum(),
    "rsub": lambda T, x, w: (1 - x).sum(),
    "neg_mean": lambda T, x, w: (-x).mean(),
    "sum_dim": lambda T, x, w: x.sum(1).sum(),
    "mean_dim": lambda T, x, w: x.mean(0).sum(),
    "view_expand": lambda T, x, w: x[:, :1].expand(3, 5).reshape(15).sum(),
    "permute_t": lambda T, x, w: (x.permute(1, 0).t() + w).sum(),
    "squeeze": lambda T, x, w: x[None].squeeze(0).unsqueeze(2).sum(),
    "slice_select": lambda T, x, w: (x[1:, 2:] + x[0, 1]).sum(),
    "cat_stack": lambda T, x, w: T.stack([T.cat([x, w]), T.cat([w, x])]).sum(),
    "split_unbind": lambda T, x, w: (x.split([1, 2])[1].sum() + x.unbind(1)[3].sum()),
    "clone_copy": lambda T, x, w: x.t().contiguous().double().sum(),
    "repeat_flip_roll": lambda T, x, w: x.repeat(2, 1).flip(0).roll(1, 1).sum(),
    "diagonal_trace": lambda T, x, w: x.diagonal().sum() + x[:, :3].trace(),
    "pad_tril": lambda T, x, w: T.nn.functional.pad(x.tril() - x.triu(1), (1, 1)).sum(),
    "cumsum": lambda T, x, w: x.cumsum(0).sum(),
    "unfold_diag_embed": lambda T, x, w: x.unfold(1, 2, 1).sum() + T.diag_embed(x).sum(),
    # Nodes that save tensors: torch refuses the second backward.
    "mul_scalar": lambda T, x, w: (x * 2).sum(),
    "div_scalar": lambda T, x, w: (x / 2).sum(),
    "exp": lambda T, x, w: x.exp().sum(),
    "index": lambda T, x, w: x[[0, 2]].sum(),
    "mse_loss": lambda T, x, w: T.nn.functional.mse_loss(x, w),
    "matmul_3d": lambda T, x, w: (x[None] @ w.t()).sum(),
    "linear_3d": lambda T, x, w: T.nn.functional.linear(x[None], w).sum(),
    "add_after_mul": lambda T, x, w: (x * w + 1).sum(),
}


def _run(T, build):
    rng = np.random.default_rng(0)
    x = T.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    w = T.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    loss = build(T, x, w)
    loss.backward()
    first = x.grad.clone()
    err = error_of(loss.backward)
    return first.numpy(), (None if err else x.grad.numpy()), err


@pytest.mark.parametrize("name", list(GRAPHS))
def test_second_backward_as_torch(name):
    t_first, t_second, t_err = _run(torch, GRAPHS[name])
    f_first, f_second, f_err = _run(fl, GRAPHS[name])
    np.testing.assert_allclose(f_first, t_first, rtol=1e-6)
    assert f_err == t_err
    if t_err is None:                       # the second backward accumulated
        np.testing.assert_allclose(f_second, t_second, rtol=1e-6)
        np.testing.assert_allclose(f_second, 2 * f_first, rtol=1e-6)


def test_shared_part_of_a_freed_graph():
    """A part that saves nothing, shared by two losses backwarded one after the other."""
    def run(T):
        x = T.ones(3, requires_grad=True)
        y = x + 1
        y.sum().backward()
        (y * 3).sum().backward()
        return x.grad.numpy()
    np.testing.assert_array_equal(run(fl), run(torch))
