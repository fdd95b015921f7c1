"""Differential tests against PyTorch: shape ops (view, reshape, flatten, squeeze, permute,
expand, repeat, cat/stack, split/chunk, narrow, flip, roll, tril/triu, ...) and their
errors."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

SHAPE_OPS = {
    "view": lambda t, a: (a.view(4, 6), a.view(-1), a.view(2, -1, 3), t.reshape(a, (6, 4)),
                          a.view_as(t.ones(24)), a.reshape_as(t.ones(4, 6)),
                          a.view(t.Size([3, 8]))),
    "flatten": lambda t, a: (a.flatten(), t.flatten(a, 1), a.flatten(0, 1), a.flatten(-2, -1),
                             a.unflatten(2, (2, 2)), a.unflatten(-1, (2, -1))),
    "squeeze": lambda t, a: (a.view(2, 1, 3, 1, 4).squeeze(), a.unsqueeze(0).squeeze(0),
                             a.view(2, 1, 3, 1, 4).squeeze(-2), a.squeeze(1),
                             t.squeeze(a.view(2, 1, 12, 1), (1, 3)), a.unsqueeze(-1),
                             t.unsqueeze(a, 2), a.unsqueeze(-4)),
    "permute": lambda t, a: (a.permute(2, 0, 1), t.permute(a, (1, 2, 0)), a.permute(-1, 0, 1),
                             a.transpose(0, 2), t.transpose(a, -1, 1), a.swapaxes(0, 1),
                             t.movedim(a, (0, 1), (2, 0)), a.mT),
    "t": lambda t, a: (a[0].t(), t.t(a[0]), a[0, 0].t(), a[0, 0, 0].t(), a[0].T, a[0, 0].T),
    "expand": lambda t, a: (a[:, :1].expand(2, 5, 4), a[:1].expand(3, -1, -1, 4),
                            a[0, 0].expand_as(a), t.broadcast_to(a[:, :1], (2, 3, 4)),
                            a[..., :1].expand(2, 3, 4) * 2),
    "repeat": lambda t, a: (a.repeat(1, 2, 1), a[0].repeat(2, 1, 2), a.repeat_interleave(2, 1),
                            t.repeat_interleave(a[0], 2)),
    "split": lambda t, a: (a.split(2, 1), t.split(a, [1, 3], -1), a.chunk(2, 2),
                           a.chunk(5, -1), a.unbind(1), t.tensor_split(a, 3, 2),
                           a.tensor_split([1, 2], 1)),
    "narrow": lambda t, a: (a.narrow(1, 1, 2), t.narrow(a, -1, 0, 3), a.narrow(2, -2, 2)),
    "flip_roll": lambda t, a: (a.flip(0), t.flip(a, (1, 2)), a.roll(1, 2),
                               t.roll(a, (1, -2), (0, 2)), a.roll(3), a.roll(-1, -2)),
    "tril_triu": lambda t, a: (a.tril(), t.triu(a), a.tril(1), t.triu(a, -1), a[0].tril(-2),
                               a[0].triu(2)),
    "diag": lambda t, a: (a[0].diagonal(), t.diagonal(a, 1, 1, 2), a[0].diag(),
                          t.diag(a[0, 0]), t.diag(a[0, 0], -1), a[0].trace(), a[0].diag(1)),
}


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op(name):
    check(SHAPE_OPS[name], rand(2, 3, 4))


def test_shape_ops_on_0d_and_empty_tensors():
    check(lambda t, a: (a.flatten(), a.squeeze(), a.unsqueeze(0), a.view(1), a.reshape(()),
                        a.expand(3), a.repeat(2), a.t(), a.squeeze(0), a.unsqueeze(-1)), rand())
    check(lambda t, a: (a.sum(0), a.mean(1), a.max(1), a.view(0, 5), a.flatten(),
                        t.cat([a, a]), a.t(), a.prod(0), a.sort(1), a.split(1, 1)), rand(0, 3))
    check(lambda t, a: (a.chunk(3), a.chunk(4), a.split([2, 0, 3]), a.tensor_split(4),
                        a.unbind()), rand(5))


def test_cat_stack_and_promotion():
    a, b, c = rand(2, 3), rand(1, 3), rand(2, 3)
    check(lambda t, x, y, z: (t.cat([x, y]), t.cat((x, z), 1), t.cat([x, z], dim=-1),
                              t.stack([x, z]), t.stack((x, z), 1), t.stack([x, z], -1),
                              t.concat([x, y], 0), t.hstack([x, z]), t.vstack([x, y])), a, b, c)
    ints = rand(2, 3, dtype=np.int64, low=0, high=5)
    check(lambda t, x, i: (t.cat([x, i]), t.stack([i, x]), t.cat([i, i]),
                           t.cat([i, i[:0]])), a, ints)
    # A legacy empty 1-D tensor is skipped by cat.
    check(lambda t, x: t.cat([x, t.tensor([])]), a)
    check(lambda t, x: t.cat([x[0], x[1]]), a)


def test_in_graph_combination():
    """A chain of shape ops inside one graph: values and gradients."""
    check(lambda t, a, b: (a.permute(2, 0, 1).reshape(4, 6) @ b.t().flatten().view(6, 2))
          .unsqueeze(0).expand(3, 4, 2).sum(0).flip(1), rand(2, 3, 4), rand(2, 6))


SHAPE_ERRORS = {
    "view": lambda t, a: a.view(4),
    "view_two_inferred": lambda t, a: a.view(-1, -1),
    "view_bad_inferred": lambda t, a: a.view(4, -1),
    "reshape": lambda t, a: a.reshape(5),
    "expand_mismatch": lambda t, a: a.expand(3, 3),
    "expand_too_few": lambda t, a: a.expand(3),
    "expand_leading_minus_one": lambda t, a: a.expand(-1, 2, 3),
    "cat_sizes": lambda t, a: t.cat([a, t.ones(3, 2)]),
    "cat_ndim": lambda t, a: t.cat([a, t.ones(3)]),
    "cat_empty": lambda t, a: t.cat([]),
    "cat_dim": lambda t, a: t.cat([a, a], 2),
    "stack_sizes": lambda t, a: t.stack([a, t.ones(3, 2)]),
    "stack_empty": lambda t, a: t.stack([]),
    "stack_dim": lambda t, a: t.stack([a, a], 3),
    "permute_len": lambda t, a: a.permute(0),
    "permute_dup": lambda t, a: a.permute(0, 0),
    "squeeze_dim": lambda t, a: a.squeeze(2),
    "unsqueeze_dim": lambda t, a: a.unsqueeze(3),
    "transpose_dim": lambda t, a: a.transpose(0, 2),
    "flatten_order": lambda t, a: a.flatten(1, 0),
    "narrow": lambda t, a: a.narrow(1, 2, 2),
    "split_sizes": lambda t, a: a.split([1, 1], 1),
    "chunk_zero": lambda t, a: a.chunk(0),
    "repeat_few": lambda t, a: a.repeat(2),
    "t_3d": lambda t, a: t.ones(2, 3, 4).t(),
    "tril_1d": lambda t, a: a[0].tril(),
    "flip_dim": lambda t, a: a.flip(2),
    "roll_dim": lambda t, a: a.roll(1, 2),
}


@pytest.mark.parametrize("name", SHAPE_ERRORS)
def test_shape_errors(name):
    """Same exception type and message as torch."""
    check_raises(SHAPE_ERRORS[name], rand(2, 3))


def test_view_of_non_contiguous_tensor_raises_as_torch_and_reshape_copies():
    x = rand(2, 3)
    for lib in (torch, fl):
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            lib.tensor(x).t().view(6)
    np.testing.assert_array_equal(fl.tensor(x).t().reshape(6).numpy(), x.T.reshape(6))
