"""Binds the op functions to Tensor as methods, operators and in-place variants.

In-place variants compute the out-of-place result through the dispatch point and then
rebind the tensor to it (`Tensor._set`), which enforces PyTorch's leaf rule and keeps the
dtype; a `.data`/`detach()` alias writes through to its base.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from . import _ops_combine as C
from . import _ops_complex as CX
from . import _ops_contract as K
from . import _ops_elementwise as E
from . import _ops_index as I
from . import _ops_index_write as IW
from . import _ops_masked as MK
from . import _ops_select_scatter as SS
from . import _ops_linalg as LA
from . import _ops_linalg_svd as LS
from . import _ops_math as M
from . import _ops_math_more as MM
from . import _ops_reduce as R
from . import _ops_search as SE
from . import _ops_shape as S
from . import _ops_shape_more as SM
from . import _ops_split as SP
from . import _ops_stats as ST
from . import _autocast_state, _inplace_checks, _random, _resize
from ._dtype_refusals import check_inplace_abs
from ._scalar_range import check_fits, converted
from ._warn_once import warn_once
from ._tensor import Tensor, _wrap_dim, apply
from .autograd._grad_mode import _state as _grad_state
from .pure import _activations
from .pure._types import convert

_PLAIN = {
    # math
    "add": M.add, "sub": M.sub, "subtract": M.sub, "mul": M.mul, "multiply": M.mul,
    "div": M.div, "divide": M.div, "true_divide": M.div, "floor_divide": M.floor_divide,
    "remainder": M.remainder, "fmod": M.fmod, "pow": M.pow, "matmul": M.matmul, "mm": M.mm,
    "bmm": M.bmm, "dot": M.dot, "outer": M.outer, "eq": M.eq, "ne": M.ne, "lt": M.lt,
    "le": M.le, "gt": M.gt, "ge": M.ge, "equal": M.equal, "allclose": M.allclose,
    "isclose": M.isclose, "logical_and": M.logical_and, "logical_or": M.logical_or,
    "logical_xor": M.logical_xor, "logical_not": M.logical_not,
    "bitwise_and": M.bitwise_and, "bitwise_or": M.bitwise_or, "bitwise_xor": M.bitwise_xor,
    "bitwise_not": M.bitwise_not, "exp": M.exp, "exp2": M.exp2, "expm1": M.expm1,
    "log": M.log, "log2": M.log2, "log10": M.log10, "log1p": M.log1p, "sqrt": M.sqrt,
    "rsqrt": M.rsqrt, "sin": M.sin, "cos": M.cos, "tan": M.tan, "asin": M.asin,
    "acos": M.acos, "atan": M.atan, "sinh": M.sinh, "cosh": M.cosh, "tanh": M.tanh,
    "sigmoid": M.sigmoid, "erf": M.erf, "reciprocal": M.reciprocal, "neg": M.neg,
    "negative": M.neg, "abs": M.abs, "absolute": M.abs, "sign": M.sign, "floor": M.floor,
    "ceil": M.ceil, "trunc": M.trunc, "frac": M.frac, "square": M.square, "relu": M.relu,
    "isnan": M.isnan, "isinf": M.isinf, "isfinite": M.isfinite, "round": M.round,
    "clamp": M.clamp, "clip": M.clamp, "clamp_min": M.clamp_min, "clamp_max": M.clamp_max,
    "maximum": M.maximum, "minimum": M.minimum, "lerp": M.lerp, "atan2": M.atan2,
    "hypot": E.hypot, "fmax": E.fmax, "fmin": E.fmin, "nan_to_num": E.nan_to_num,
    "erfinv": E.erfinv, "erfc": E.erfc, "lgamma": E.lgamma, "digamma": E.digamma,
    "polygamma": lambda self, n: E.polygamma(n, self), "xlogy": E.xlogy, "logit": E.logit,
    "sinc": E.sinc, "deg2rad": E.deg2rad, "rad2deg": E.rad2deg, "copysign": E.copysign,
    "logaddexp": E.logaddexp, "logaddexp2": E.logaddexp2, "float_power": E.float_power,
    "signbit": E.signbit, "heaviside": E.heaviside, "i0": E.i0, "sgn": E.sgn,
    "positive": E.positive, "mv": K.mv, "addmv": K.addmv, "baddbmm": K.baddbmm,
    "kron": K.kron, "cross": K.cross,
    "tile": lambda self, *dims: C.tile(self, S._sizes(dims, "tile", "dims")), "diff": C.diff,
    "rot90": C.rot90, "fliplr": C.fliplr, "flipud": C.flipud, "cummax": C.cummax,
    "cummin": C.cummin, "logcumsumexp": C.logcumsumexp,
    # reductions
    "sum": R.sum, "nansum": R.nansum, "mean": R.mean, "prod": R.prod, "max": R.max,
    "min": R.min, "amax": R.amax, "amin": R.amin, "argmax": R.argmax, "argmin": R.argmin,
    "var": R.var, "std": R.std, "norm": R.norm, "cumsum": R.cumsum, "cumprod": R.cumprod,
    "logsumexp": R.logsumexp, "all": R.all, "any": R.any, "count_nonzero": R.count_nonzero,
    "sort": R.sort, "argsort": R.argsort, "topk": R.topk,
    # shape
    "view": S.view, "reshape": S.reshape, "view_as": S.view_as, "reshape_as": S.reshape_as,
    "flatten": S.flatten, "unflatten": S.unflatten, "squeeze": S.squeeze,
    "unsqueeze": S.unsqueeze, "permute": S.permute, "transpose": S.transpose,
    "swapaxes": S.transpose, "swapdims": S.transpose, "t": S.t, "movedim": S.movedim,
    "moveaxis": S.movedim, "expand": S.expand, "expand_as": S.expand_as,
    # (the method also takes the sizes as separate arguments, as torch's does)
    "broadcast_to": lambda self, *sizes, size=None: S.expand(
        self, *(sizes if size is None else (size,))), "repeat": S.repeat,
    "repeat_interleave": S.repeat_interleave, "split": SP.split, "chunk": SP.chunk,
    "tensor_split": SP.tensor_split, "unbind": SP.unbind, "narrow": S.narrow, "flip": S.flip,
    "roll": S.roll, "tril": S.tril, "triu": S.triu, "diagonal": S.diagonal, "diag": S.diag,
    "trace": S.trace,
    # indexing
    "gather": I.gather, "scatter": I.scatter, "scatter_add": I.scatter_add,
    "index_select": I.index_select, "masked_fill": MK.masked_fill,
    "masked_select": MK.masked_select, "nonzero": I.nonzero, "take": I.take,
    "take_along_dim": I.take_along_dim, "where": lambda self, cond, other: M.where(
        cond, self, other),
    # linear algebra
    "det": LA.det, "logdet": LA.logdet, "slogdet": LA.torch_slogdet, "inverse": LA.inv,
    "pinverse": LS.pinverse, "matrix_power": LS.matrix_power, "svd": LS.torch_svd,
    # statistics and search
    "median": ST.median, "nanmedian": ST.nanmedian, "mode": ST.mode,
    "kthvalue": ST.kthvalue, "quantile": ST.quantile, "nanquantile": ST.nanquantile,
    "aminmax": ST.aminmax, "cov": ST.cov, "corrcoef": ST.corrcoef, "unique": SE.unique,
    "unique_consecutive": SE.unique_consecutive, "bincount": SE.bincount,
    "argwhere": SE.argwhere, "histc": SE.histc, "histogram": SE.histogram,
    # indexed writes
    "index_add": IW.index_add, "index_copy": IW.index_copy, "index_fill": IW.index_fill,
    "index_put": IW.index_put, "index_reduce": IW.index_reduce,
    "scatter_reduce": IW.scatter_reduce, "masked_scatter": IW.masked_scatter,
    "put": IW.put, "select": SS.select, "select_scatter": SS.select_scatter,
    "slice_scatter": SS.slice_scatter, "diagonal_scatter": SS.diagonal_scatter,
    # more shape helpers and predicates
    "unfold": SM.unfold, "ravel": SM.ravel, "split_with_sizes": SM.split_with_sizes,
    "hsplit": SM.hsplit, "vsplit": SM.vsplit, "dsplit": SM.dsplit,
    "sum_to_size": SM.sum_to_size, "diag_embed": SM.diag_embed, "diagflat": SM.diagflat,
    "is_same_size": SM.is_same_size, "is_signed": SM.is_signed,
    "is_nonzero": SM.is_nonzero,
    # more math and aliases
    "asinh": MM.asinh, "arcsinh": MM.asinh, "acosh": MM.acosh, "arccosh": MM.acosh,
    "atanh": MM.atanh, "arctanh": MM.atanh, "arcsin": M.asin, "arccos": M.acos,
    "arctan": M.atan, "arctan2": M.atan2, "gcd": MM.gcd, "lcm": MM.lcm,
    "bitwise_left_shift": MM.bitwise_left_shift,
    "bitwise_right_shift": MM.bitwise_right_shift, "ldexp": MM.ldexp, "frexp": MM.frexp,
    "nextafter": MM.nextafter, "isposinf": MM.isposinf, "isneginf": MM.isneginf,
    "isreal": MM.isreal, "nanmean": MM.nanmean, "inner": MM.inner, "dist": MM.dist,
    "renorm": MM.renorm, "addr": MM.addr, "addbmm": MM.addbmm, "msort": MM.msort,
    "greater": M.gt, "less": M.lt, "greater_equal": M.ge, "less_equal": M.le,
    "not_equal": M.ne, "fix": M.trunc,
    # pieces that are new tensors, not views; nonzero with a static shape
    "narrow_copy": SP.narrow_copy, "unsafe_split": SP.unsafe_split,
    "unsafe_split_with_sizes": SP.unsafe_split_with_sizes, "unsafe_chunk": SP.unsafe_chunk,
    "nonzero_static": I.nonzero_static,
}

for _name, _fn in _PLAIN.items():
    setattr(Tensor, _name, _fn)


def _nn_method(name: str):
    """A Tensor method that is an nn.functional function (imported at the call: nn imports
    this module)."""
    def method(self, *args, **kwargs):
        from .nn import functional
        return getattr(functional, name)(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    return method


Tensor.hardshrink = _nn_method("hardshrink")
Tensor.prelu = _nn_method("prelu")
# Which output of its graph node a tensor is (0 for a leaf), as torch's output_nr.
Tensor.output_nr = property(lambda self: self._out if self._node is not None else 0)


def _f_softmax(x, *, dim):
    return _activations.softmax(x, dim)


def _f_log_softmax(x, *, dim):
    return _activations.log_softmax(x, dim)


def _softmax_input(name: str, input, dim, dtype) -> tuple:
    """(the input cast to `dtype`, the wrapped dim); torch's NotImplementedError for an
    integer, bool or complex input without a floating `dtype`."""
    x = input if dtype is None else input.to(dtype)
    dim = _wrap_dim(dim, x.ndim)
    if not x.is_floating_point():
        kernel = "lastdim_kernel_impl" if dim >= x.ndim - 1 else "kernel_impl"
        raise _dtypes.kernel_error(f"{name}_{kernel}", x.dtype)
    return x, dim


def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along `dim` (PyTorch's IndexError for a dim out of range)."""
    x, dim = _softmax_input("softmax", input, dim, dtype)
    return apply(_f_softmax, "SoftmaxBackward0", x, dim=dim)


def log_softmax(input, dim, dtype=None):
    """x - logsumexp(x) along `dim`."""
    x, dim = _softmax_input("log_softmax", input, dim, dtype)
    return apply(_f_log_softmax, "LogSoftmaxBackward0", x, dim=dim)


Tensor.softmax = softmax
Tensor.log_softmax = log_softmax


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2, broadcast. `value` is converted to the three
    tensors' common dtype, as torch's kernel does (truncated for integers: value=0.5 is 0
    there)."""
    dtype = _dtypes.result_type(*M._promo_args(input, tensor1, tensor2))
    if dtype == jnp.bool_:
        raise NotImplementedError('"addcmul_cpu_out" not implemented for \'Bool\'')
    if not jnp.issubdtype(dtype, jnp.inexact) and isinstance(value, float):
        value = int(value)
    # (the product in the common dtype of all three, as torch's kernel: not in tensor1's
    # and tensor2's own, bf16 say, nor making a half input's result float32)
    M.broadcast_shape(input, tensor1, tensor2)
    return apply(M._f_addcmul, "AddcmulBackward0", input, tensor1, tensor2,
                 value=_scalar_value(value, dtype), dtype=dtype)


def _scalar_value(value, dtype):
    """addcmul's/addcdiv's `value` as their kernels take it: a number, complex only for a
    complex dtype (torch's RuntimeError otherwise)."""
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, complex) and not jnp.issubdtype(dtype, jnp.complexfloating):
        # (torch converts it to the kernel's opmath type, which a complex does not fit)
        reported = _dtypes.from_jax(dtype).name         # (int64 while x64 is off too)
        name = ("double" if reported == "float64" else "float") \
            if jnp.issubdtype(dtype, jnp.floating) else f"{reported}_t"
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return value


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2, broadcast; integer tensor1 and tensor2 raise
    torch's error (its historic integer division is gone)."""
    if all(isinstance(t, Tensor) and not (t.is_floating_point() or t.is_complex())
           for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic "
            "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
            "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
            "tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    dtype = _dtypes.result_type(*M._promo_args(input, tensor1, tensor2))
    M.broadcast_shape(input, tensor1, tensor2)
    return apply(M._f_addcdiv, "AddcdivBackward0", input, tensor1, tensor2,
                 value=_scalar_value(value, dtype), dtype=dtype)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    if _autocast_state.cast is not None:    # all three in autocast's dtype, as PyTorch
        input, mat1, mat2 = _autocast_state.cast(addmm, "AddmmBackward0",
                                                      (input, mat1, mat2))
    half = mat1.dtype
    if half in (_dtypes.bfloat16, _dtypes.float16) and mat2.dtype == half and (
            not isinstance(input, Tensor) or input.dtype == half):
        # PyTorch's half-precision addmm adds in float32 and rounds once (its gemm takes
        # beta * input in): computed in float32 here, rounded at the end.
        # (autocast, which cast the operands to `half` above, stays out of the float32
        # computation: it would cast them back, to round the product twice)
        cast, _autocast_state.cast = _autocast_state.cast, None
        try:
            out = addmm(input.float() if isinstance(input, Tensor) else input, mat1.float(),
                        mat2.float(), beta=beta, alpha=alpha).to(half)
        finally:
            _autocast_state.cast = cast
        if out._node is not None:
            out._node.rename("AddmmBackward0")
        return out
    prod = M.mm(mat1, mat2)
    if alpha == 0:
        # torch ignores the product (nan and inf in it do not reach the result)
        prod = M.mul(prod.nan_to_num(0.0, 0.0, 0.0), 0)     # (zero gradients, as torch's)
    elif alpha != 1:
        prod = M.mul(prod, alpha)
    if beta == 0:
        out = M.add(prod, M.mul(input.nan_to_num(0.0, 0.0, 0.0), 0))   # likewise
    else:
        out = M.add(prod, input if beta == 1 else M.mul(input, beta))
    if out._node is not None:
        out._node.rename("AddmmBackward0")
    return out


Tensor.addcmul = addcmul
Tensor.addcdiv = addcdiv
Tensor.addmm = addmm


def _size_method(name):
    def method(self, *size, dtype=None, device=None, requires_grad=False):
        from . import _factories as F
        d = self.dtype if dtype is None else dtype
        fill = {"new_zeros": 0, "new_ones": 1, "new_empty": 0}[name]
        return F._filled(size, fill, d, device, requires_grad)
    return method


Tensor.new_zeros = _size_method("new_zeros")
Tensor.new_ones = _size_method("new_ones")
Tensor.new_empty = _size_method("new_empty")


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    from . import _factories as F
    return F._filled((tuple(size),), fill_value, self.dtype if dtype is None else dtype,
                     device, requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    from . import _factories as F
    if isinstance(data, Tensor):        # (torch's warning names new_tensor here)
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        return F._finish(data._value, self.dtype if dtype is None else dtype, device,
                         requires_grad)
    return F.tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                    requires_grad=requires_grad)


Tensor.new_full = _new_full
Tensor.new_tensor = _new_tensor
Tensor.type_as = lambda self, other: self.to(other.dtype)
def _reversed_dims(self):
    """x.T: the dims reversed; torch warns once for a tensor that is not 2-d."""
    if self.ndim != 2:
        warn_once("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                  "shape is deprecated and it will throw an error in a future release. "
                  "Consider `x.mT` to transpose batches of matrices or `x.permute(*torch."
                  "arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.")
    return S.permute(self, *reversed(range(self.ndim)))


Tensor.T = property(_reversed_dims)


def _matrix_transpose(self, name: str, conj: bool):
    """x.mT / x.mH: the last two dims swapped (conjugated for mH), with torch's error."""
    if self.ndim < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                           f"matrices. Got {self.ndim}-D tensor.")
    out = S.transpose(self, -2, -1)
    return out.conj() if conj and out.is_complex() else out


Tensor.mT = property(lambda self: _matrix_transpose(self, "mT", False))
Tensor.mH = property(lambda self: _matrix_transpose(self, "mH", True))
Tensor.H = property(lambda self: S.t(self).conj() if self.is_complex() else S.t(self))
Tensor.real = property(CX.real, CX.set_real)
Tensor.imag = property(CX.imag, CX.set_imag)
for _name in ("angle", "conj", "conj_physical", "is_conj", "is_neg", "resolve_conj",
              "resolve_neg"):
    setattr(Tensor, _name, getattr(CX, _name))
Tensor.conj_physical_ = lambda self: self._set(CX.conj_physical(self))


# ---- operators ----------------------------------------------------------------------

def _reflected(fn):
    return lambda self, other: fn(other, self)


_OPERATORS = {
    "__add__": M.add, "__radd__": _reflected(M.add), "__sub__": M.sub,
    "__rsub__": lambda self, other: M.rsub(self, other), "__mul__": M.mul,
    "__rmul__": _reflected(M.mul), "__truediv__": M.div,
    # (torch's `number / tensor` is `tensor.reciprocal() * number`: its rounding, and
    # MulBackward0)
    "__rtruediv__": lambda self, other: M.mul(M.reciprocal(self), other),
    "__floordiv__": M.floor_divide, "__rfloordiv__": _reflected(M.floor_divide),
    "__mod__": M.remainder, "__rmod__": _reflected(M.remainder), "__pow__": M.pow,
    "__rpow__": _reflected(M.pow), "__matmul__": M.matmul_operator,
    "__rmatmul__": lambda self, other: M.matmul_operator(self, other, reflected=True),
    "__neg__": M.neg, "__pos__": lambda self: self, "__abs__": M.abs,
    "__invert__": M.invert, "__and__": M.bitwise_and, "__rand__": _reflected(
        M.bitwise_and), "__or__": M.bitwise_or, "__ror__": _reflected(M.bitwise_or),
    "__xor__": M.bitwise_xor, "__rxor__": _reflected(M.bitwise_xor), "__eq__": M.eq,
    "__ne__": M.ne, "__lt__": M.lt, "__le__": M.le, "__gt__": M.gt, "__ge__": M.ge,
    "__getitem__": I.getitem, "__setitem__": I.setitem,
    "__lshift__": MM.bitwise_left_shift, "__rlshift__": _reflected(MM.bitwise_left_shift),
    "__rshift__": MM.bitwise_right_shift,
    "__rrshift__": _reflected(MM.bitwise_right_shift),
}

def _comparison_with_objects(fn, other_result: bool):
    """`t == None`, `t != "a"`: False / True for an object that is no tensor, array or
    number (Python's rule for objects that do not compare), as PyTorch's."""
    def compare(self, other):
        if other is None or isinstance(other, (str, bytes, list, dict, tuple, set, type)):
            return other_result
        return fn(self, other)
    return compare


_OPERATORS["__eq__"] = _comparison_with_objects(M.eq, False)
_OPERATORS["__ne__"] = _comparison_with_objects(M.ne, True)

_OPERANDS = (Tensor, bool, int, float, complex, np.ndarray, np.generic, jax.Array)


def _operands_only(fn):
    """torch's binary operators return NotImplemented for an operand that is no tensor,
    array or number: Python then tries the operand's own method, or raises its TypeError
    ("unsupported operand type(s) for +: 'Tensor' and 'str'")."""
    def op(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return fn(self, other)
    return op


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and",
              "or", "xor", "lshift", "rshift"):
    for _dunder in (f"__{_name}__", f"__r{_name}__"):
        _OPERATORS[_dunder] = _operands_only(_OPERATORS[_dunder])
for _dunder in ("__lt__", "__le__", "__gt__", "__ge__"):
    _OPERATORS[_dunder] = _operands_only(_OPERATORS[_dunder])

for _name, _fn in _OPERATORS.items():
    setattr(Tensor, _name, _fn)


# ---- in-place variants --------------------------------------------------------------

def _inplace(fn, name=None):
    if name not in _inplace_checks.POINTWISE:
        def method(self, *args, **kwargs):
            if _grad_state.frame is not None:   # (torch's error names the op)
                _grad_state.frame.check(self, name, args)
            return self._set(fn(self, *args, **kwargs))
    else:
        def method(self, *args, **kwargs):
            if _grad_state.frame is not None:
                _grad_state.frame.check(self, name, args)
            # torch's order: broadcast, output shape, dtype cast, kernel dtypes
            _inplace_checks.check_shape(name, self, args, kwargs)
            try:
                result = fn(self, *args, **kwargs)
            except NotImplementedError:
                _inplace_checks.check_cast(name, self, args, kwargs)
                raise
            if name in _inplace_checks.CLAMP:
                _inplace_checks.check_cast(name, self, args, kwargs)
            return self._set(result)
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of {fn.__name__}."
    return method


def _abs_(self):
    """abs_'s out-of-place op: torch refuses to write a complex tensor's real abs back."""
    check_inplace_abs(self)
    return M.abs(self)


_INPLACE = {
    "add_": M.add, "sub_": M.sub, "subtract_": M.sub, "mul_": M.mul, "multiply_": M.mul,
    "div_": M.div, "divide_": M.div, "true_divide_": M.div, "floor_divide_": M.floor_divide_,
    "remainder_": M.remainder, "fmod_": M.fmod, "pow_": M.pow, "neg_": M.neg, "abs_": _abs_,
    "exp_": M.exp, "log_": M.log, "log1p_": M.log1p, "sqrt_": M.sqrt, "rsqrt_": M.rsqrt,
    "sigmoid_": M.sigmoid, "tanh_": M.tanh, "relu_": M.relu, "sign_": M.sign,
    "floor_": M.floor, "ceil_": M.ceil, "trunc_": M.trunc, "round_": M.round,
    "square_": M.square, "reciprocal_": M.reciprocal, "sin_": M.sin, "cos_": M.cos,
    "clamp_": M.clamp, "clip_": M.clamp, "clamp_min_": M.clamp_min, "clamp_max_": M.clamp_max,
    "lerp_": M.lerp, "addcmul_": addcmul, "addcdiv_": addcdiv, "addmm_": addmm,
    "addmv_": K.addmv, "baddbmm_": K.baddbmm, "hypot_": E.hypot,
    "nan_to_num_": E.nan_to_num, "erfinv_": E.erfinv, "erfc_": E.erfc, "lgamma_": E.lgamma,
    "digamma_": E.digamma, "polygamma_": lambda self, n: E.polygamma(n, self),
    "xlogy_": E.xlogy, "logit_": E.logit, "sinc_": E.sinc, "deg2rad_": E.deg2rad,
    "rad2deg_": E.rad2deg, "copysign_": E.copysign, "heaviside_": E.heaviside, "i0_": E.i0,
    "sgn_": E.sgn,
    "masked_fill_": MK.masked_fill_, "scatter_": I.scatter, "scatter_add_": I.scatter_add,
    "logical_not_": M.logical_not, "tril_": S.tril, "triu_": S.triu,
    "__iadd__": M.add, "__isub__": M.sub, "__imul__": M.mul, "__itruediv__": M.div,
    "__ifloordiv__": M.floor_divide_, "__imod__": M.remainder, "__ipow__": M.pow,
    "__iand__": M.bitwise_and, "__ior__": M.bitwise_or, "__ixor__": M.bitwise_xor,
    # compute out of place, write back keeping self's dtype (comparisons: 1/0 in self's,
    # and self stays in the graph with a zero gradient, as torch's)
    "absolute_": _abs_, "negative_": M.neg, "fix_": M.trunc, "frac_": M.frac,
    "acos_": M.acos, "arccos_": M.acos, "asin_": M.asin, "arcsin_": M.asin,
    "atan_": M.atan, "arctan_": M.atan, "atan2_": M.atan2, "arctan2_": M.atan2,
    "asinh_": MM.asinh, "arcsinh_": MM.asinh, "acosh_": MM.acosh, "arccosh_": MM.acosh,
    "atanh_": MM.atanh, "arctanh_": MM.atanh, "cosh_": M.cosh, "sinh_": M.sinh,
    "tan_": M.tan, "erf_": M.erf, "exp2_": M.exp2, "expm1_": M.expm1, "log2_": M.log2,
    "log10_": M.log10, "cumsum_": R.cumsum, "cumprod_": R.cumprod,
    **MM.INPLACE_COMPARISONS, "bitwise_and_": M.bitwise_and,
    "bitwise_or_": M.bitwise_or, "bitwise_xor_": M.bitwise_xor,
    "bitwise_not_": M.bitwise_not, "gcd_": MM.gcd, "lcm_": MM.lcm,
    "bitwise_left_shift_": MM.bitwise_left_shift,
    "bitwise_right_shift_": MM.bitwise_right_shift, "__ilshift__": MM.bitwise_left_shift,
    "__irshift__": MM.bitwise_right_shift, "ldexp_": MM.ldexp, "nextafter_": MM.nextafter,
    "renorm_": MM.renorm, "addr_": MM.addr, "addbmm_": MM.addbmm,
    "index_add_": IW.index_add, "index_copy_": IW.index_copy, "index_fill_": IW.index_fill,
    "index_put_": IW.index_put, "index_reduce_": IW.index_reduce,
    "scatter_reduce_": IW.scatter_reduce, "masked_scatter_": IW.masked_scatter_,
    "put_": IW.put,
}

for _name, _fn in _INPLACE.items():
    setattr(Tensor, _name, _inplace(_fn, _name))


def _f_fill(x, v):
    return jnp.full_like(x, v)


def fill_(self, value, _name=None):
    """Fills with `value` (a number or a 0-d tensor, whose gradient flows); torch's grad_fn
    is FillBackward2 for a number, FillBackward3 for a tensor."""
    from ._ops_math import as_operand
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                           f"with {value.ndim} dimensions.")
    check_fits(value, self.dtype)
    if _grad_state.frame is not None:
        _grad_state.frame.check(self, "fill_", (value,))
    name = _name or ("FillBackward3" if isinstance(value, Tensor) else "FillBackward2")
    return self._set(apply(_f_fill, name, self, as_operand(converted(value, self.dtype))))


def zero_(self):
    if _grad_state.frame is not None:
        _grad_state.frame.check(self, "zero_")
    return fill_(self, 0, "ZeroBackward0")


def _f_copy(x, src):
    # A new buffer, as torch's copy_ writes into this tensor's own storage: sharing src's
    # array would let a compiled step that donates one of them delete the other.
    if x.dtype == jnp.bool_ and jnp.iscomplexobj(src):
        src = src != 0          # (JAX's complex -> bool conversion reads the real part)
    return jnp.array(jnp.broadcast_to(convert(src, x.dtype), x.shape), copy=True)


def copy_(self, src, non_blocking: bool = False):
    """Copies `src` (broadcast, cast to this dtype) into this tensor; gradient flows to src."""
    from ._ops_math import as_operand, broadcast_shape
    src = as_operand(src)
    broadcast_shape(self, src)      # (torch's error for shapes that do not broadcast)
    return self._set(apply(_f_copy, "CopyBackwards", self, src))


def _reshape_inplace(fn, name):
    def method(self, *args):
        if _grad_state.frame is not None:
            _grad_state.frame.check(self, name)
        return self._restride(fn(self, *args))
    return method


Tensor.fill_ = fill_
Tensor.zero_ = zero_
Tensor.copy_ = copy_
Tensor.squeeze_ = _reshape_inplace(S.squeeze, "squeeze_")
Tensor.unsqueeze_ = _reshape_inplace(S.unsqueeze, "unsqueeze_")
Tensor.t_ = _reshape_inplace(S.t, "t_")
Tensor.transpose_ = _reshape_inplace(S.transpose, "transpose_")
Tensor.swapaxes_ = Tensor.swapdims_ = Tensor.transpose_
Tensor.fill_diagonal_ = SS.fill_diagonal_
Tensor.float_power_ = MM.float_power_
Tensor.resize_ = _resize.resize_
Tensor.resize_as_ = _resize.resize_as_
Tensor.normal_ = _random.normal_
Tensor.uniform_ = _random.uniform_
Tensor.bernoulli_ = _random.bernoulli_
Tensor.random_ = _random.random_
Tensor.exponential_ = _random.exponential_
Tensor.bernoulli = lambda self, generator=None: _random.bernoulli(self, generator=generator)
Tensor.multinomial = _random.multinomial

# Legacy linear-algebra methods (x.lu(), x.cholesky_solve(L), x.adjoint(), ...).
from ._ops_linalg_legacy import _tensor_methods as _linalg_legacy_methods  # noqa: E402
for _name, _fn in _linalg_legacy_methods().items():
    setattr(Tensor, _name, _fn)

# Signal processing and special functions as methods (x.stft(...), x.igamma(other), ...).
from . import _signal as _SIG  # noqa: E402
from . import _special_more as _SPM  # noqa: E402
for _name, _fn in {"stft": _SIG.stft, "istft": _SIG.istft, "igamma": _SPM.igamma,
                   "igammac": _SPM.igammac, "mvlgamma": _SPM.mvlgamma_method("mvlgamma")
                   }.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in {"igamma_": _SPM.igamma, "igammac_": _SPM.igammac,
                   "mvlgamma_": _SPM.mvlgamma_method("mvlgamma_")}.items():
    setattr(Tensor, _name, _inplace(_fn, _name))
from . import _methods_layout  # noqa: E402,F401  (stride(), new(), is_cpu, `in`)
from . import _methods_device  # noqa: E402,F401  (pin_memory(), get_device(), cfloat(), ...)
from . import _ops_strided  # noqa: E402,F401  (data_ptr(), storage_offset(), as_strided())
from . import _storage  # noqa: E402,F401  (untyped_storage(), storage())
