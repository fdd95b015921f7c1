"""torch.linalg: norms, products and (re-exported from _ops_linalg) decompositions.

Every function takes batches of matrices (*, m, n) where PyTorch does, and raises
PyTorch's errors for a wrong rank, dtype or shape.
"""

from __future__ import annotations

import builtins
import math

import jax.numpy as jnp

from . import _autocast_state, _dtypes, _trace_state
from . import _ops_math as M
from . import _ops_reduce as R
from . import _ops_shape as S
from ._ops_linalg import LinAlgError as LinAlgError
from ._ops_linalg import check_float
from ._dim_lists import check_int_list_arg
from ._ops_linalg import cholesky as cholesky
from ._ops_linalg import cholesky_ex as cholesky_ex
from ._ops_linalg import det as det
from ._ops_linalg import eigh as eigh
from ._ops_linalg import eigvalsh as eigvalsh
from ._ops_linalg import inv as inv
from ._ops_linalg import inv_ex as inv_ex
from ._ops_linalg_svd import lstsq as lstsq
from ._ops_linalg_svd import matrix_power as matrix_power
from ._ops_linalg_svd import matrix_rank as matrix_rank
from ._ops_linalg_svd import pinv as pinv
from ._ops_linalg_svd import qr as qr
from ._ops_linalg import slogdet as slogdet
from ._ops_linalg import solve as solve
from ._ops_linalg_svd import svd as svd
from ._ops_linalg_svd import svdvals as svdvals
from ._ops_linalg_lu import lu as lu
from ._ops_linalg_lu import lu_factor as lu_factor
from ._ops_linalg_lu import lu_factor_ex as lu_factor_ex
from ._ops_linalg_lu import lu_solve as lu_solve
from ._ops_linalg_lu import solve_ex as solve_ex
from ._ops_linalg_lu import solve_triangular as solve_triangular
from ._ops_linalg_more import cond as cond
from ._ops_linalg_more import eig as eig
from ._ops_linalg_more import eigvals as eigvals
from ._ops_linalg_more import householder_product as householder_product
from ._ops_linalg_more import matrix_exp as matrix_exp
from ._ops_linalg_more import tensorinv as tensorinv
from ._ops_linalg_more import tensorsolve as tensorsolve
from ._ops_linalg_more import vander as vander
from ._tensor import Tensor, _wrap_dim, apply
from .autograd._grad_mode import is_grad_enabled
from .autograd._node import node_class

matmul = M.matmul


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: torch.diagonal with keyword-only arguments, matrix dims last."""
    return S.diagonal(A, offset, dim1, dim2)


def _norm_dims(dim, ndim) -> tuple | None:
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    wrapped = [_wrap_dim(d, ndim) for d in dims]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(wrapped)) if wrapped and ndim else None


def _cast(x: Tensor, dtype, name: str) -> Tensor:
    if dtype is None:
        return x
    dtype = _dtypes.as_dtype(dtype)
    shown = _dtypes.scalar_type_name(dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                           f"{shown}")
    if x.is_complex() != dtype.is_complex:
        kind = "complex" if x.is_complex() else "real"
        raise RuntimeError(f"{name}: dtype should be {kind} for {kind} inputs, but got {shown}")
    if jnp.promote_types(x.dtype._np, dtype._np) != dtype._np:
        raise RuntimeError(f"{name}: the dtype of the input "
                           f"({_dtypes.scalar_type_name(x.dtype)}) should be convertible "
                           f"without narrowing to the specified dtype ({shown})")
    return x.to(dtype)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over `dim` (all elements when None); ord may be inf, -inf, 0.

    The gradient at a zero vector is 0, as PyTorch's.
    """
    if isinstance(ord, str) or isinstance(ord, builtins.bool):
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {type(ord).__name__}")
    if dim is not None:         # (torch's parser reads `int[1]? dim` before the kernel)
        dim = check_int_list_arg("linalg_vector_norm", "dim", dim, None, Tensor)
    check_float(x, "linalg.vector_norm")
    x = _cast(x, dtype, "linalg.vector_norm")
    axis = _norm_dims(dim, x.ndim)
    ord = builtins.float(ord)
    check_empty_norm(x, ord, dim)
    if ord == 0:
        return norm0(x, "LinalgVectorNormBackward0", axis=axis, keepdims=keepdim)
    return apply(R._f_norm, "LinalgVectorNormBackward0", x, p=ord, axis=axis,
                 keepdims=keepdim)


def check_empty_norm(x: Tensor, ord: float, dim) -> None:
    """PyTorch's error for an inf or negative norm over an empty tensor or an empty dim
    (no identity to start the max/min from), naming the dim as given."""
    if not (ord < 0 or ord == math.inf):
        return
    shown = "inf" if ord == math.inf else f"{ord:g}"
    if dim is None:
        if 0 in tuple(x.shape):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {shown} norm on an "
                               "empty tensor because the operation does not have an identity")
        return
    for d in ([dim] if isinstance(dim, int) else list(dim)):
        if x.shape[_norm_dims([d], x.ndim)[0]] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {shown} norm on the "
                               f"dimension {d}because this dimension is empty and the "
                               "operation does not have an identity")


def norm0(x: Tensor, name: str, *, axis, keepdims: bool) -> Tensor:
    """The count of nonzeros (the ord-0 norm), whose backward gives `x` no gradient at all.

    torch's norm backward returns an undefined gradient for p = 0: the output has a
    grad_fn, but `backward()` leaves `x.grad` None and `autograd.grad` finds `x` unused. So
    the node is recorded with `x`'s value as a constant, not as an edge to `x`.
    """
    out = apply(R._f_norm, name, x._value, p=0.0, axis=axis, keepdims=keepdims)
    if not (is_grad_enabled() and (x._requires_grad or x._node is not None)):
        return out
    node = node_class(name)(R._f_norm, (("axis", axis), ("keepdims", keepdims), ("p", 0.0)),
                (x._value,), name, False)
    if _trace_state.state.compiling:       # (compile's backward chains per-node vjps)
        node.tape = (_no_inputs, (), ((out._value.shape, out._value.dtype),))
    return Tensor._make(out._value, node=node)


def _no_inputs(_):
    return ()


_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def _f_matrix_norm(a, *, ord, axes, keepdims):
    """The matrix norm over `axes` (two dims): moved last, reduced, kept dims restored."""
    moved = jnp.moveaxis(a, axes, (-2, -1))
    if ord in ("nuc", 2, -2):
        s = jnp.linalg.svd(moved, compute_uv=False)
        out = jnp.sum(s, -1) if ord == "nuc" else jnp.max(s, -1) if ord == 2 else \
            jnp.min(s, -1)
    else:
        absolute = M.abs_with_torch_grad(moved)
        # 1-norms sum each column (over rows, dim -2), inf-norms each row (dim -1).
        summed = jnp.sum(absolute, -2 if builtins.abs(ord) == 1 else -1)
        out = jnp.max(summed, -1) if ord > 0 else jnp.min(summed, -1)
    if keepdims:
        for d in sorted(axes):
            out = jnp.expand_dims(out, d)
    return out


_MATRIX_GRAD_NAMES = {"nuc": "SumBackward1", 2: "AmaxBackward0", -2: "AminBackward0",
                      1: "AmaxBackward0", math.inf: "AmaxBackward0", -1: "AminBackward0",
                      -math.inf: "AminBackward0"}


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *,
                dtype=None) -> Tensor:
    """Matrix norm of A (*, m, n) over the two dims `dim`: 'fro', 'nuc' (sum of singular
    values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min column abs-sum),
    inf / -inf (max / min row abs-sum)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    check_float(A, "linalg.matrix_norm")
    if isinstance(dim, builtins.int):   # PyTorch's argument parser wants a tuple here
        raise TypeError("linalg_matrix_norm(): argument 'dim' must be tuple of ints, not int")
    dims = tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dims)}")
    axes = tuple(_wrap_dim(d, A.ndim) for d in dims)
    if axes[0] == axes[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got "
                           f"({dims[0]}, {dims[1]})")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    A = _cast(A, dtype, "linalg.matrix_norm")
    if ord in (2, -2, "nuc") and A.dtype in (_dtypes.float16, _dtypes.bfloat16):
        # (torch's singular values have no half kernel; JAX's raised a KeyError)
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got "
                           f"{_dtypes.scalar_type_name(A.dtype)}")
    if ord == "fro":
        return vector_norm(A, 2, dims, keepdim)
    if A.numel() == 0:
        # torch's for empty matrices: 0 for the largest value, amin's error for the
        # smallest over nothing (numpy's reduction error before)
        empty = None
        if ord == -2:
            empty = "-1"
        elif ord == -1 and A.shape[axes[1]] == 0:
            empty = str(axes[1] - (axes[0] < axes[1]))
        elif ord == -math.inf and A.shape[axes[0]] == 0:
            empty = str(axes[0] - (axes[1] < axes[0]))
        if empty is not None:
            raise IndexError(f"amin(): Expected reduction dim {empty} to have non-zero size.")
        if ord in (2, 1, math.inf):
            return vector_norm(A, 2, dims, keepdim)
    key = ord if isinstance(ord, str) else builtins.float(ord)
    return apply(_f_matrix_norm, _MATRIX_GRAD_NAMES[key], A, ord=key, axes=axes,
                 keepdims=keepdim)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm (`dim` an int, or A 1-D) or a matrix norm (`dim` a 2-tuple, or A 2-D).

    With ord and dim both None, the 2-norm of all elements, whatever A's rank.
    """
    if dim is not None:
        dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or "
                               f"2. Got {list(dims)}")
    elif ord is not None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D.")
        dims = tuple(range(A.ndim))
    else:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if len(dims) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dims[0]}")
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)


def _f_cross(a, b, *, axis):
    return jnp.cross(a, b, axis=axis)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The 3-vector cross product along `dim` (broadcasting the other dims)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    return apply(_f_cross, "LinalgCrossBackward0", input, other, axis=d)   # (broadcasts)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """sum(conj(x) * y) along `dim`, broadcasting the other dims."""
    if _autocast_state.cast is not None:    # (on autocast's lower-precision lists)
        x, y = _autocast_state.cast(vecdot, "LinalgVecdotBackward0", (x, y))
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {_dtypes.scalar_type_name(x.dtype)} and y of type "
                           f"{_dtypes.scalar_type_name(y.dtype)} instead")
    return R.sum(M.mul(x.conj(), y), dim)


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices; the first (last) may be 1-D, a row (column)."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    if _autocast_state.cast is not None:    # (on autocast's lower-precision lists)
        tensors = list(_autocast_state.cast(multi_dot, "MmBackward0", tuple(tensors)))
    for i, t in enumerate(tensors):
        ok = (1, 2) if i in (0, n - 1) else (2,)
        if t.ndim not in ok:
            if i == 0:
                raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                                   f"{t.ndim}D")
            if i == n - 1:
                raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                                   f"{t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {_dtypes.cpp_type_name(tensors[0].dtype)} and "
                               f"tensor {i} {_dtypes.cpp_type_name(t.dtype)}")
    for i in range(n - 1):
        a, b = tensors[i], tensors[i + 1]
        if a.shape[-1] != b.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(a.shape)} and {list(b.shape)} cannot be multiplied")
    return apply(_f_multi_dot, "MmBackward0", *tensors)


def _f_multi_dot(*arrays):
    return jnp.linalg.multi_dot(arrays)


__all__ = [
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "solve_ex",
    "solve_triangular",
    "cond",
    "eig",
    "eigvals",
    "householder_product",
    "matrix_exp",
    "tensorinv",
    "tensorsolve",
    "vander",
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "inv_ex",
    "lstsq",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]
