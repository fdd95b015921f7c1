"""Differential tests against torch 2.13: the refusal of a non-int `dim` by single-dim
ops (torch's argument-parser texts, overloads included), indexing errors, and the
broadcast errors of masked_fill / masked_scatter."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_as_torch


def x32(lib):
    return lib.arange(6.0).reshape(3, 2)


# ---- int `dim` -------------------------------------------------------------------------

# op -> (arguments before dim, arguments after dim, keyword names of those after)
SINGLE_DIM = {
    "argmax": ((), (), ()), "argmin": ((), (), ()), "cumsum": ((), (), ()),
    "cumprod": ((), (), ()), "softmax": ((), (), ()), "log_softmax": ((), (), ()),
    "topk": ((1,), (), ()), "median": ((), (), ()), "nanmedian": ((), (), ()),
    "mode": ((), (), ()), "kthvalue": ((1,), (), ()), "logcumsumexp": ((), (), ()),
    "cummax": ((), (), ()), "cummin": ((), (), ()), "unbind": ((), (), ()),
    "select": ((), (0,), ("index",)), "unsqueeze": ((), (), ()),
    "chunk": ((2,), (), ()), "transpose": ((), (1,), ("dim1",)),
    "max": ((), (), ()), "min": ((), (), ()), "sort": ((), (), ()),
    "argsort": ((), (), ()), "narrow": ((), (0, 1), ("start", "length")),
    "split": ((1,), (), ()),
}
BAD_DIMS = [(0,), 0.5, None, [0], True, "a", np.float64(1.0)]


def call_with_dim(lib, name, form, dim):
    """`name` on a 3x2 tensor with `dim`, as torch.fn / x.fn, dim positional / keyword."""
    x = x32(lib)
    before, after, after_names = SINGLE_DIM[name]
    key = "dim0" if name == "transpose" else "dim"
    if form.endswith("kw"):
        args, kwargs = before, {key: dim, **dict(zip(after_names, after))}
    else:
        args, kwargs = (*before, dim, *after), {}
    if form.startswith("fn"):
        return getattr(lib, name)(x, *args, **kwargs)
    return getattr(x, name)(*args, **kwargs)


@pytest.mark.parametrize("dim", BAD_DIMS, ids=repr)
@pytest.mark.parametrize("form", ["fn_pos", "fn_kw", "method_pos", "method_kw"])
@pytest.mark.parametrize("name", sorted(SINGLE_DIM))
def test_non_int_dim_is_refused_as_torch_does(name, form, dim):
    same_as_torch(lambda lib: call_with_dim(lib, name, form, dim))


@pytest.mark.parametrize("dim", [0, -1, np.int64(1), "tensor0"], ids=repr)
@pytest.mark.parametrize("form", ["fn_pos", "fn_kw", "method_pos", "method_kw"])
@pytest.mark.parametrize("name", sorted(SINGLE_DIM))
def test_int_like_dim_is_accepted(name, form, dim):
    # torch takes a numpy integer and a 0-d integer tensor for an int dim.
    same_as_torch(lambda lib: call_with_dim(
        lib, name, form, lib.tensor(0) if isinstance(dim, str) else dim))


@pytest.mark.parametrize("dim", [(0,), 0.5, None, lambda lib: lib.tensor([0])],
                         ids=["tuple", "float", "None", "tensor"])   # (xdist: stable ids)
@pytest.mark.parametrize("name", ["cat", "stack", "concat", "concatenate"])
def test_joining_functions_refuse_a_non_int_dim(name, dim):
    def call(lib, **kw):
        d = dim(lib) if callable(dim) else dim
        return getattr(lib, name)([x32(lib), x32(lib)], d) if not kw else \
            getattr(lib, name)(tensors=[x32(lib), x32(lib)], dim=d)
    same_as_torch(call)
    same_as_torch(lambda lib: call(lib, kw=True))


def test_gather_and_index_select_check_dim_before_index():
    same_as_torch(lambda lib: lib.gather(x32(lib), (0,), lib.zeros(3, 2, dtype=lib.long)))
    same_as_torch(lambda lib: x32(lib).index_select(0.5, lib.tensor([0])))
    same_as_torch(lambda lib: x32(lib).gather(dim=[0], index=lib.zeros(1, 1).long()))


@pytest.mark.parametrize("call", [
    lambda lib: lib.max(x32(lib), (0,), True),
    lambda lib: x32(lib).max((0,), True),
    lambda lib: lib.min(x32(lib), (0,), keepdim=True),
    lambda lib: lib.max(input=x32(lib), dim=(0,)),
    lambda lib: lib.sort(x32(lib), (0,), True),
    lambda lib: x32(lib).sort(dim=(0,), descending=True),
    lambda lib: lib.argsort(x32(lib), (0,), stable=True),
    lambda lib: x32(lib).narrow(start=0, dim=(0,), length=1),
    lambda lib: lib.narrow(x32(lib), 0.5, 0, 1),
    lambda lib: lib.split(x32(lib), [1, 2], (0,)),
    lambda lib: x32(lib).split([1, 2], dim=0.5),
    lambda lib: lib.transpose(x32(lib), 0, (1,)),
    lambda lib: x32(lib).transpose(0, dim1=0.5),
    lambda lib: lib.argmax(x32(lib), axis=(0,)),
    lambda lib: lib.softmax(x32(lib), (0,), lib.float32),
    lambda lib: lib.nn.functional.softmax(x32(lib), (0,)),
    lambda lib: lib.nn.functional.log_softmax(x32(lib), dim=[0]),
    lambda lib: lib.nn.functional.softmin(x32(lib), dim=0.5),
], ids=lambda f: "")
def test_more_argument_combinations(call):
    same_as_torch(call)


def test_max_with_a_tensor_is_still_the_elementwise_overload():
    same_as_torch(lambda lib: lib.max(x32(lib), lib.tensor(2.5)))
    same_as_torch(lambda lib: x32(lib).min(lib.tensor([1.5, 0.5])))
    same_as_torch(lambda lib: lib.max(x32(lib), dim=lib.tensor(1)))
    same_as_torch(lambda lib: lib.max(x32(lib), dim=lib.tensor(1.0)))


# ---- indexing: the order and text of torch's checks ----------------------------------

def _t(lib, data, dtype=None):
    return lib.tensor(data, dtype=None if dtype is None else getattr(lib, dtype))


# name -> key(lib); x is 3x2 unless the name starts with "x3" (2x3x4)
INDEX_KEYS = {
    "int16_tensor": lambda lib: _t(lib, [0, 1], "int16"),
    "int8_tensor": lambda lib: _t(lib, [0, 1], "int8"),
    "int32_tensor": lambda lib: _t(lib, [0, 1], "int32"),
    "int16_0d_is_an_int": lambda lib: _t(lib, 1, "int16"),
    "0d_tensor_out_of_bounds": lambda lib: (0, _t(lib, 5)),
    "bound_then_float_tensor": lambda lib: (_t(lib, [0, 5]), _t(lib, [0.0, 1.0])),
    "int16_then_bound": lambda lib: (_t(lib, [0], "int16"), _t(lib, [5])),
    "bad_mask_then_int16": lambda lib: (_t(lib, [True, False]), _t(lib, [0], "int16")),
    "bound_then_bad_broadcast": lambda lib: (_t(lib, [5, 0, 0]), _t(lib, [0, 1])),
    "bad_mask_then_bad_broadcast": lambda lib: (_t(lib, [True, False]), _t(lib, [0, 1, 1])),
    "bad_mask_then_int": lambda lib: (_t(lib, [True, False]), 5),
    "mask_then_int": lambda lib: (_t(lib, [True, False, True]), 5),
    "float": lambda lib: 1.5,
    "int_then_float": lambda lib: (0, 1.5),
    "float_then_bound": lambda lib: (1.5, 5),
    "bound_then_float": lambda lib: (5, 1.5),
    "tensor_then_float": lambda lib: (_t(lib, [0]), 1.5),
    "numpy_float": lambda lib: np.float64(1.0),
    "numpy_bool": lambda lib: np.bool_(True),
    "complex": lambda lib: 1j,
    "dict": lambda lib: {},
    "str": lambda lib: "a",
    "long_str": lambda lib: "abc",
    "tensor_then_str": lambda lib: (_t(lib, [0]), "a"),
    "bound_then_str": lambda lib: (5, "a"),
    "list_of_str": lambda lib: ["a"],
    "none_then_bound": lambda lib: (None, 5),
    "nones_then_bound": lambda lib: (None, 0, None, 5),
    "two_ellipses": lambda lib: (Ellipsis, Ellipsis),
    "three_ellipses": lambda lib: (Ellipsis, Ellipsis, Ellipsis),
    "ellipsis_int_ellipsis": lambda lib: (Ellipsis, 1, Ellipsis),
    "int_two_ellipses": lambda lib: (0, Ellipsis, Ellipsis),
    "ellipsis_none_ellipsis": lambda lib: (Ellipsis, None, Ellipsis),
    "two_ellipses_then_int": lambda lib: (Ellipsis, Ellipsis, 1),
    "two_ellipses_then_slice": lambda lib: (Ellipsis, Ellipsis, slice(0, 1)),
    "two_ellipses_then_none": lambda lib: (Ellipsis, Ellipsis, None),
    "two_ellipses_then_tensor": lambda lib: (Ellipsis, Ellipsis, _t(lib, [0])),
    "list_of_floats": lambda lib: [0.0, 1.0],
    "list_of_fractions": lambda lib: [0.5, 1.0],
    "list_int_float": lambda lib: [0, 1.0],
    "list_float_bool": lambda lib: [1.0, True],
    "list_bool_int": lambda lib: [True, 0],
    "nested_list_of_floats": lambda lib: [[0.0, 1.0]],
    "tuple_of_floats": lambda lib: (0.0, 1.0),
    "ndarray_of_floats": lambda lib: np.array([0.0, 1.0]),
    "ndarray_2d_of_floats": lambda lib: np.array([[0.0, 1.0]]),
    "slice_float_step": lambda lib: slice(0, 2, 0.5),
    "slice_float_start": lambda lib: slice(0.5, 2),
    "slice_float_tensor": lambda lib: slice(_t(lib, 0.5), 2),
    "slice_int_tensors": lambda lib: slice(_t(lib, 0), _t(lib, 2)),
    "x3_ellipsis_then_bound": lambda lib: (Ellipsis, 5),
    "x3_true_then_bound": lambda lib: (True, 0, 7),
    "x3_mask2d_then_bound": lambda lib: (_t(lib, [[True, False, True], [False, True, True]]), 7),
    "x3_bad_mask2d_then_bound": lambda lib: (_t(lib, [[True, False], [False, True]]), 7),
    "x3_tensor_none_bound": lambda lib: (_t(lib, [0]), None, 9),
    "x3_ellipsis_int_ellipsis": lambda lib: (Ellipsis, 0, Ellipsis),
    "x3_ellipsis_tensor_ellipsis": lambda lib: (Ellipsis, _t(lib, [0, 1]), Ellipsis),
    "x3_int_two_ellipses_int": lambda lib: (0, Ellipsis, Ellipsis, 1),
    "x3_two_ellipses_none": lambda lib: (Ellipsis, Ellipsis, None),
}


def _indexed(lib, name):
    x = lib.arange(24.0).reshape(2, 3, 4) if name.startswith("x3") else x32(lib)
    return x, INDEX_KEYS[name](lib)


@pytest.mark.parametrize("name", list(INDEX_KEYS))
def test_getitem_checks_as_torch(name):
    def get(lib):
        x, key = _indexed(lib, name)
        return x[key]
    same_as_torch(get)


@pytest.mark.parametrize("name", list(INDEX_KEYS))
def test_setitem_checks_as_torch(name):
    def put(lib):
        x, key = _indexed(lib, name)
        x[key] = 7.0
        return x
    same_as_torch(put)


def test_byte_mask_fill_checks_the_mask_shape_first():
    def put(lib, mask, *rest):
        x = x32(lib)
        x[(_t(lib, mask, "uint8"), *rest)] = 7.0
        return x
    same_as_torch(lambda lib: put(lib, [1, 0]))
    same_as_torch(lambda lib: put(lib, [1, 0, 1]))
    same_as_torch(lambda lib: put(lib, [1, 0], 5))


def test_a_str_key_warns_of_the_sequence_as_torch():
    for lib in (torch, fl):
        with pytest.warns(UserWarning, match="Using a non-tuple sequence"):
            with pytest.raises(IndexError, match="too many indices"):
                x32(lib)["abc"]


@pytest.mark.parametrize("key", [
    lambda lib: (0, _t(lib, [True, False])),
    lambda lib: (None, _t(lib, [True, False, True])),
    lambda lib: (slice(0, 1), slice(0, 2), _t(lib, [True, False])),
    lambda lib: (0, None, _t(lib, [True, False])),
    lambda lib: (_t(lib, [True, False, True]), 0, _t(lib, [True, False])),
], ids=lambda f: "")
@pytest.mark.parametrize("mode", ["get", "set", "set_tensor"])
def test_mask_shape_error_names_the_sliced_tensor(key, mode):
    # torch checks a mask against the tensor left once ints, slices and None are applied.
    def run(lib):
        x = lib.arange(24.0).reshape(2, 3, 4)
        if mode == "get":
            return x[key(lib)]
        x[key(lib)] = 1.0 if mode == "set" else lib.ones(2)
        return x
    same_as_torch(run)


# ---- masked_fill / masked_scatter: broadcast texts and the order of checks --------------

def _x3(lib):
    return lib.arange(3.0)


MASKED = {
    "fill_inplace_mask2": lambda lib: _x3(lib).masked_fill_(_t(lib, [True, False]), 1.0),
    "fill_mask2": lambda lib: _x3(lib).masked_fill(_t(lib, [True, False]), 1.0),
    "torch_fill_mask2": lambda lib: lib.masked_fill(_x3(lib), _t(lib, [True, False]),
                                                    _t(lib, 1.0)),
    "fill_mask21": lambda lib: _x3(lib).masked_fill(_t(lib, [[True], [False]]), 1.0),
    "fill_inplace_mask21": lambda lib: _x3(lib).masked_fill_(_t(lib, [[True], [False]]), 1.0),
    "fill_int_mask2": lambda lib: _x3(lib).masked_fill(_t(lib, [1, 0]), 1.0),
    "fill_inplace_int_mask2": lambda lib: _x3(lib).masked_fill_(_t(lib, [1, 0]), 1.0),
    "fill_vector_value_mask2": lambda lib: _x3(lib).masked_fill(_t(lib, [True, False]),
                                                                _t(lib, [1.0, 2.0])),
    "fill_inplace_vector_value_mask2": lambda lib: _x3(lib).masked_fill_(
        _t(lib, [True, False]), _t(lib, [1.0, 2.0])),
    "fill_inplace_2d_mask_column": lambda lib: lib.zeros(2, 3).masked_fill_(
        _t(lib, [[True], [False], [True]]), 1.0),
    "scatter_mask2": lambda lib: _x3(lib).masked_scatter(_t(lib, [True, False]),
                                                         lib.ones(3)),
    "torch_scatter_mask2": lambda lib: lib.masked_scatter(_x3(lib), _t(lib, [True, False]),
                                                          lib.ones(3)),
    "scatter_inplace_mask2": lambda lib: _x3(lib).masked_scatter_(_t(lib, [True, False]),
                                                                  lib.ones(3)),
    "scatter_inplace_mask21": lambda lib: _x3(lib).masked_scatter_(
        _t(lib, [[True], [False]]), lib.ones(3)),
    "scatter_mask21": lambda lib: _x3(lib).masked_scatter(_t(lib, [[True], [False]]),
                                                          lib.ones(3)),
    "scatter_inplace_int_mask2": lambda lib: _x3(lib).masked_scatter_(_t(lib, [1, 0]),
                                                                      lib.ones(3)),
    "scatter_inplace_int_mask21": lambda lib: _x3(lib).masked_scatter_(
        _t(lib, [[1], [0]]), lib.ones(3)),
    "scatter_inplace_int_mask3": lambda lib: _x3(lib).masked_scatter_(_t(lib, [1, 0, 1]),
                                                                      lib.ones(3)),
    "scatter_int_source_mask2": lambda lib: _x3(lib).masked_scatter(
        _t(lib, [True, False]), lib.ones(3, dtype=lib.long)),
    "scatter_inplace_int_source_mask2": lambda lib: _x3(lib).masked_scatter_(
        _t(lib, [True, False]), lib.ones(3, dtype=lib.long)),
    "scatter_inplace_short_source": lambda lib: lib.zeros(2, 3).masked_scatter_(
        _t(lib, [True, False, True]), lib.ones(1)),
    "scatter_inplace_into_smaller": lambda lib: lib.zeros(1).masked_scatter_(
        _t(lib, [True, False]), lib.ones(3)),
    "scatter_2d_mask2": lambda lib: lib.zeros(2, 3).masked_scatter(_t(lib, [True, False]),
                                                                   lib.ones(6)),
    "scatter_inplace_2d_mask2": lambda lib: lib.zeros(2, 3).masked_scatter_(
        _t(lib, [True, False]), lib.ones(6)),
    "scatter_inplace_broadcast_ok": lambda lib: lib.zeros(2, 3).masked_scatter_(
        _t(lib, [True, False, True]), lib.arange(6.0)),
    "fill_inplace_broadcast_ok": lambda lib: lib.zeros(2, 3).masked_fill_(
        _t(lib, [True, False, True]), 2.5),
}


@pytest.mark.parametrize("name", list(MASKED))
def test_masked_fill_and_scatter_errors_as_torch(name):
    same_as_torch(MASKED[name])


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int16", "int64", "float16", "bfloat16",
                                   "float32", "complex64"])
def test_expand_error_names_the_type_as_torch(dtype):
    # torch names a type without a legacy tensor class the C++ way: CPUBoolType{[2, 1]}
    same_as_torch(lambda lib: lib.zeros(2, 1, dtype=getattr(lib, dtype)).expand(3))
    same_as_torch(lambda lib: lib.zeros(3).masked_scatter_(
        lib.zeros(2, 1, dtype=getattr(lib, dtype)), lib.ones(3)))


MORE_INT_ARGS = {
    "flatten": lambda lib, x, d: lib.flatten(x, d),
    "flatten_end": lambda lib, x, d: x.flatten(0, end_dim=d),
    "diagonal": lambda lib, x, d: lib.diagonal(x, 0, d),
    "diagonal_offset": lambda lib, x, d: x.diagonal(d),
    "index_add": lambda lib, x, d: x.index_add(d, lib.zeros(1).long(), lib.ones(1, 2)),
    "diff": lambda lib, x, d: lib.diff(x, dim=d),
    "cross": lambda lib, x, d: lib.cross(x.repeat(1, 2)[:, :3], x.repeat(1, 2)[:, :3], dim=d),
    "take_along_dim": lambda lib, x, d: lib.take_along_dim(x, lib.zeros(3, 2).long(), dim=d),
    "swapaxes": lambda lib, x, d: x.swapaxes(d, 1),
    "swapdims": lambda lib, x, d: lib.swapdims(x, 0, d),
}


@pytest.mark.parametrize("dim", [(0,), 0.5, None, 1], ids=repr)
@pytest.mark.parametrize("name", list(MORE_INT_ARGS))
def test_more_int_arguments_as_torch(name, dim):
    same_as_torch(lambda lib: MORE_INT_ARGS[name](lib, x32(lib), dim))
