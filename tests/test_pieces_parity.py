"""narrow_copy, the unsafe_ split/chunk variants, nonzero_static, and the hardshrink/prelu
methods and output_nr, against torch 2.13: values, gradients, grad_fn names, whether the
result shares the input's data, and errors."""

import numpy as np
import pytest
import torch

import functorch_like as fl

from _tensor_ops_ref import check, check_raises, rand, same_as_torch

X = rand(3, 4)


@pytest.mark.parametrize("fn, grad_fn", [
    (lambda t, x: t.narrow_copy(x, 1, 1, 2), "NarrowCopyBackward0"),
    (lambda t, x: x.narrow_copy(0, 1, 2), "NarrowCopyBackward0"),
    (lambda t, x: x.unsafe_split(2, 1), "UnsafeSplitBackward0"),
    (lambda t, x: t.unsafe_split(x, 2), "UnsafeSplitBackward0"),
    (lambda t, x: x.unsafe_chunk(3, 1), "UnsafeSplitBackward0"),
    (lambda t, x: t.unsafe_chunk(x, 2), "UnsafeSplitBackward0"),
    (lambda t, x: x.unsafe_split_with_sizes([1, 3], 1), "UnsafeSplitWithSizesBackward0"),
    (lambda t, x: t.unsafe_split_with_sizes(x, [2, 1]), "UnsafeSplitWithSizesBackward0"),
    (lambda t, x: x.hardshrink(0.5), "HardshrinkBackward0"),
    (lambda t, x: x.prelu(t.tensor([0.25])), "PreluKernelBackward0"),
])
def test_values_gradients_and_grad_fn_like_torch(fn, grad_fn):
    ref, got = check(fn, X)
    for r, g in zip(ref if isinstance(ref, tuple) else [ref],
                    got if isinstance(got, tuple) else [got]):
        assert type(r.grad_fn).__name__ == type(g.grad_fn).__name__ == grad_fn


@pytest.mark.parametrize("name, fn, shares", [
    ("narrow_copy", lambda x: x.narrow_copy(0, 0, 2), False),
    ("unsafe_split", lambda x: x.unsafe_split(2)[0], True),
    ("unsafe_chunk", lambda x: x.unsafe_chunk(2)[1], True),
    ("unsafe_split_with_sizes", lambda x: x.unsafe_split_with_sizes([3, 1])[1], True),
])
def test_an_in_place_change_reaches_the_input_as_in_torch(name, fn, shares):
    # unsafe_ pieces share the input's data (torch: the same storage, no view tracking);
    # narrow_copy's result does not.
    results = []
    for lib in (torch, fl):
        x = lib.arange(4.0)
        fn(x).add_(10)
        results.append(x.tolist())
    assert results[0] == results[1]
    assert (results[0] != [0.0, 1.0, 2.0, 3.0]) == shares


def test_narrow_copy_from_the_end_like_torch():
    # (values only: torch 2.13's own gradient of a negative start fails)
    same_as_torch(lambda t: t.arange(12.0).reshape(3, 4).narrow_copy(0, -2, 2))
    same_as_torch(lambda t: t.narrow_copy(t.arange(12.0).reshape(3, 4), -1, -3, 3))


@pytest.mark.parametrize("fn", [
    lambda t: t.narrow_copy(t.ones(3, 4), 1, 3, 2),
    lambda t: t.ones(3, 4).narrow_copy(2, 0, 1),
    lambda t: t.ones(3, 4).narrow_copy(-3, 0, 1),
    lambda t: t.ones(3, 4).narrow_copy(0, -5, 1),
    lambda t: t.ones(4).unsafe_split(0),
    lambda t: t.ones(4).unsafe_split(-1),
    lambda t: t.ones(4).unsafe_split_with_sizes([1, 2]),
    lambda t: t.ones(4).unsafe_chunk(0),
    lambda t: t.tensor(1.0).unsafe_chunk(2),
    lambda t: t.tensor([1, 2]).nonzero_static(size=-1),
])
def test_errors_like_torch(fn):
    check_raises(lambda t: fn(t))


@pytest.mark.parametrize("data, kw", [
    ([0, 1, 0, 2], {"size": 4}),
    ([0, 1, 0, 2], {"size": 1}),
    ([[0, 1], [3, 0]], {"size": 3, "fill_value": 7}),
    ([[0.0, 0.5], [0.0, -2.0]], {"size": 2}),
    ([True, False, True], {"size": 0}),
    (5, {"size": 2}),
    (0, {"size": 1}),
])
def test_nonzero_static_like_torch(data, kw):
    same_as_torch(lambda t: t.nonzero_static(t.tensor(data), **kw))
    same_as_torch(lambda t: t.tensor(data).nonzero_static(**kw))


def test_nonzero_static_works_inside_a_compiled_step():
    # A static shape: unlike nonzero, it needs no concrete values.
    @fl.compile
    def first_positions(x):
        return x.nonzero_static(size=3)

    x = np.array([0.0, 2.0, 0.0, 3.0, 0.0])
    got = first_positions(fl.tensor(x))
    assert got.tolist() == torch.tensor(x).nonzero_static(size=3).tolist()


def test_nonzero_inside_a_compiled_step_names_nonzero_static():
    @fl.compile
    def positions(x):
        return x.nonzero()

    with pytest.raises(Exception, match=r"nonzero_static\(size=\.\.\.\)"):
        positions(fl.tensor([0.0, 2.0]))


def test_output_nr_like_torch():
    for lib in (torch, fl):
        x = lib.ones(3, 2, requires_grad=True)
        pieces = x.unbind(0)
        assert [x.output_nr, (x * 2).output_nr] + [p.output_nr for p in pieces] == \
            [0, 0, 0, 1, 2]
