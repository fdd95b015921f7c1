"""In-place ops on views write through to the base, as PyTorch's shared storage does."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _both(fn):
    """Runs fn(lib) with torch and functorch_like, returns both results as numpy."""
    return fn(torch).numpy(), fn(fl).numpy()


@pytest.mark.parametrize("body", [
    lambda t: _slice_and_reshape(t),
    lambda t: _row_fill(t),
    lambda t: _chained(t),
    lambda t: _permutations(t),
    lambda t: _pieces(t),
    lambda t: _shape_views(t),
    lambda t: _integer_diagonal(t),
])
def test_inplace_on_views_matches_torch(body):
    a, b = _both(body)
    np.testing.assert_array_equal(b, a)


def _slice_and_reshape(t):
    x = t.zeros(3)
    x[0:2].add_(1)
    x.view(3, 1).mul_(5)
    return x


def _row_fill(t):
    y = t.zeros(2, 3)
    with t.no_grad():
        y[0].fill_(3.0)
        y[:, 2].zero_()
    return y


def _chained(t):
    z = t.zeros(2, 2, 2)
    z[1][0].add_(2)
    z.reshape(4, 2)[3].sub_(1)
    return z


def _permutations(t):
    m = t.zeros(2, 3, 4)
    m.transpose(0, 2)[1].fill_(5)
    m.permute(1, 2, 0)[2, 3].add_(t.ones(2))
    m[0].t()[1:3].mul_(2)
    m.movedim(2, 0)[0, 0].sub_(3)
    m[1].T.add_(t.arange(12.0).reshape(4, 3))
    return m


def _pieces(t):
    x = t.zeros(3, 4)
    a, b = x.split([1, 3], dim=1)
    b.add_(2)
    x.chunk(3)[2].fill_(7)
    x.unbind(0)[1].mul_(4)
    x.narrow(1, 2, 2).sub_(1)
    x.diagonal(1).fill_(-1)
    return x


def _shape_views(t):
    v = t.zeros(2, 1, 3)
    v.squeeze(1).add_(1)
    v.unsqueeze(0)[0, 1].mul_(3)
    v.flatten()[::2].add_(5)
    v.expand(2, 1, 3).add_(1)            # expand without repeats is a plain view
    return v


def _integer_diagonal(t):
    z = t.arange(9).reshape(3, 3)
    z.diagonal().zero_()
    z.t()[0].add_(10)
    return z


def test_inplace_on_an_expanded_tensor_raises_like_torch():
    for lib in (torch, fl):
        x = lib.zeros(3, 1)
        with pytest.raises(RuntimeError, match="more than one element of the written-to "
                                               "tensor refers to a single memory location"):
            x.expand(3, 2).add_(1)
        assert x.numpy().tolist() == [[0.0], [0.0], [0.0]]


def test_gradient_through_inplace_updates_of_permuted_and_split_views_matches_torch():
    grads = []
    for lib in (torch, fl):
        a = lib.arange(6.0).reshape(2, 3).requires_grad_()
        b = a * 2
        b.t()[1].mul_(10)                 # column 1 of b
        b.diagonal().add_(a[0, :2])
        right = b.narrow(1, 1, 2)
        right.mul_(a[:, 1:])
        b.permute(1, 0)[2].sub_(a[:, 0] ** 2)
        (b * lib.arange(6.0).reshape(2, 3)).sum().backward()
        grads.append(a.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


@pytest.mark.parametrize("pieces, name", [
    (lambda b: b.split(2), "Split"), (lambda b: b.split([1, 3]), "SplitWithSizes"),
    (lambda b: b.chunk(2), "Split"), (lambda b: b.unbind(0), "Unbind")])
def test_inplace_on_pieces_of_split_and_unbind_follows_torch(pieces, name):
    for lib in (torch, fl):
        b = lib.ones(4, 2, requires_grad=True) * 2
        with pytest.raises(RuntimeError, match=f"Output 1 of {name} is a view and is being "
                                               "modified inplace"):
            pieces(b)[1].mul_(2)
        with lib.no_grad():
            pieces(b)[1].mul_(3)             # allowed without grad, and writes through
        assert b.detach().numpy()[1:].sum() > b.detach().numpy()[:1].sum()
        free = lib.ones(4)
        free.tensor_split(2)[1].mul_(3)      # tensor_split's pieces may be modified
        assert free.numpy().tolist() == [1.0, 1.0, 3.0, 3.0]


def test_view_of_leaf_that_requires_grad_raises_like_torch():
    for lib in (torch, fl):
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            w[0].add_(1)
        with lib.no_grad():
            w[0].add_(1)                      # allowed under no_grad, writes through
        assert w.detach().numpy().tolist() == [2.0, 1.0]


def test_gradient_through_an_inplace_view_update_matches_torch():
    grads = []
    for lib in (torch, fl):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        b[1].mul_(10)
        b.sum().backward()
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
    assert grads[0].tolist() == [2.0, 20.0, 2.0]


def test_embedding_style_init_of_a_row():
    emb = fl.nn.Embedding(5, 2)
    with fl.no_grad():
        emb.weight[3].zero_()
    assert emb.weight.detach().numpy()[3].tolist() == [0.0, 0.0]
    assert np.abs(emb.weight.detach().numpy()[[0, 1, 2, 4]]).sum() > 0


def _base_changed_after_views_were_taken(t):
    x = t.zeros(3, 4)
    row, col, flat, sq = x[0], x.t()[1], x.view(-1), x.unsqueeze(0)
    diag, (left, right) = x.diagonal(), x.split([1, 3], dim=1)
    wide = x[:, :1].expand(3, 5)
    x.add_(1)
    x[2].mul_(5)
    flat[3] = 7                            # through one view, seen by the others
    with t.no_grad():
        x.data[1, 1] = -2                  # through .data too
    return [row, col, flat, sq, diag, left, right, wide, x]


def test_views_see_later_inplace_changes_of_their_base_like_torch():
    theirs, ours = _base_changed_after_views_were_taken(torch), \
        _base_changed_after_views_were_taken(fl)
    for a, b in zip(theirs, ours):
        np.testing.assert_array_equal(b.numpy(), a.numpy())


def test_gradient_through_views_of_a_base_changed_in_place_matches_torch():
    out = []
    for lib in (torch, fl):
        w = lib.arange(6.0, requires_grad=True)
        b = w * 2
        v, p = b[1:4], b.permute(0)
        b.add_(w ** 2)
        (v * lib.tensor([1.0, 2.0, 3.0])).sum().backward(retain_graph=True)
        (p * 2).sum().backward()
        out.append((w.grad.numpy(), v.grad_fn.name()))
    np.testing.assert_allclose(out[1][0], out[0][0])
    assert out[1][1] == out[0][1] == "AsStridedBackward0"


@pytest.mark.parametrize("compiled", [False, True])
def test_views_and_data_of_parameters_follow_optimizer_steps(compiled):
    fl.manual_seed(0)
    lin = fl.nn.Linear(3, 2)
    opt = fl.optim.SGD(lin.parameters(), lr=0.5)
    row, data, wt = lin.weight[0], lin.weight.data, lin.weight.T

    def step(x):
        opt.zero_grad()
        lin(x).sum().backward()
        opt.step()
    run = fl.compile(step) if compiled else step
    for _ in range(2):
        run(fl.ones(4, 3))
    w = lin.weight.detach().numpy()
    np.testing.assert_array_equal(row.detach().numpy(), w[0])
    np.testing.assert_array_equal(data.numpy(), w)
    np.testing.assert_array_equal(wt.detach().numpy(), w.T)


@pytest.mark.parametrize("size,step,shape,dim", [(2, 2, (5,), 0), (2, 3, (6,), 0),
                                                 (2, 2, (3, 4), 1), (1, 2, (4, 3), 0)])
def test_writes_through_unfold_windows_that_do_not_overlap_reach_the_base(size, step,
                                                                          shape, dim):
    """(unfold was a copy: `u[1, 1] = 8` left the base as it was.)"""
    out = []
    for lib in (torch, fl):
        x = lib.arange(float(np.prod(shape)), requires_grad=True)
        b = (x * 1).reshape(shape)
        u = b.unfold(dim, size, step)
        u[(1,) * (u.ndim - 1) + (0,)] = 8.0
        u.mul_(2)
        base_after = b.tolist()
        b.add_(1)                       # (and the view sees the base's change)
        (b * b).sum().backward()
        out.append((base_after, u.tolist(), x.grad.tolist()))
    assert out[1] == out[0]


@pytest.mark.parametrize("chain", ["reshape-view", "t-index", "narrow-view"])
def test_an_in_place_op_on_a_view_of_a_view_of_a_leaf_raises_before_writing(chain):
    # The error came after the view had taken the new values (a caught error left the
    # view out of step with its base, and later gradients through it wrong).
    out = {}
    for lib in (torch, fl):
        a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        w = {"reshape-view": lambda: a.reshape(-1).view(2, 2),
             "t-index": lambda: a.t()[0],
             "narrow-view": lambda: a.narrow(0, 0, 1).view(2)}[chain]()
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            w.sigmoid_()
        out[lib] = (w.detach().numpy().tolist(), a.detach().numpy().tolist())
    assert out[fl] == out[torch]
