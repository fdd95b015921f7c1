"""LU factorization and triangular solvers: torch.linalg.lu_factor(_ex), lu, lu_solve,
solve_triangular, solve_ex, and the legacy top-level torch.lu, lu_unpack, lu_solve and
triangular_solve.

Pivots follow LAPACK's getrf (which JAX also calls on CPU): 1-based int32 row swaps, row i
swapped with row pivots[i] in order. JAX's `lax.linalg.lu` returns them 0-based; they are
shifted at this boundary. Gradients come from JAX's rules for `lu` and
`triangular_solve`, which (like PyTorch's) only see the triangle a solver reads.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp

from . import _dtypes
from ._ops_linalg import _batch_prefix, _first_info, _zero_pivots, LinAlgError, check_matrix
from ._ops_linalg import solve_operands
from ._ops_reduce import named_result
from ._tensor import Tensor, apply
from .pure._errors import check_values, first_where


def _broadcast_batches(*arrays_and_cores):
    """Broadcasts the batch dims of (array, number of core dims) pairs to a common shape."""
    batch = jnp.broadcast_shapes(*(a.shape[:a.ndim - k] for a, k in arrays_and_cores))
    return [jnp.broadcast_to(a, batch + a.shape[a.ndim - k:]) for a, k in arrays_and_cores]


def _common_float(name: str, *tensors: Tensor) -> list[Tensor]:
    """Casts to the promoted type; PyTorch's CPU kernels reject integer inputs."""
    dtype = _dtypes.from_jax(_dtypes.result_type(*(t._value for t in tensors)))
    if not (dtype.is_floating_point or dtype.is_complex):
        raise _dtypes.kernel_error(name, dtype)
    return [t.to(dtype) for t in tensors]


# ---- triangular solves ------------------------------------------------------------------

def _f_solve_triangular(a, b, *, upper, left, unitriangular):
    a, b = _broadcast_batches((a, 2), (b, 2))
    return jax.lax.linalg.triangular_solve(a, b, left_side=left, lower=not upper,
                                           unit_diagonal=unitriangular)


def _check_rows(fn: str, A: Tensor, B: Tensor, left: bool) -> None:
    """PyTorch's error when matrix B (*, n, k) does not fit A (*, n, n) in AX = B (XA = B
    when not `left`)."""
    rows = B.shape[-2] if left else B.shape[-1]
    if rows != A.shape[-1]:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation {eq} "
                           f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})")


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (X A = B when not `left`) for triangular A (*, n, n), B (*, n, k).

    Reads only A's upper (lower) triangle, and not its diagonal when `unitriangular`;
    batch dims broadcast.
    """
    check_matrix(A, "linalg.solve_triangular", floating=False)
    if B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    _check_rows("linalg.solve_triangular", A, B, left)
    A, B = _common_float("triangular_solve_cpu", A, B)
    return apply(_f_solve_triangular, "LinalgSolveTriangularBackward0", A, B, upper=upper,
                 left=left, unitriangular=unitriangular)


def _f_triangular_solve(b, a, *, upper, transpose, unitriangular):
    a, b = _broadcast_batches((a, 2), (b, 2))
    x = jax.lax.linalg.triangular_solve(a, b, left_side=True, lower=not upper,
                                        transpose_a=transpose, unit_diagonal=unitriangular)
    return x, a


def triangular_solve(input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False):
    """torch.triangular_solve (deprecated): (solution, cloned_coefficient) of op(A) X = b.

    Note the argument order (b, A). `transpose` solves A^T X = b (not conjugated, as
    PyTorch). cloned_coefficient is A broadcast to the common batch shape.
    """
    warnings.warn(
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand "
        "will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\n"
        "X = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
        "X = torch.linalg.solve_triangular(A, B).", UserWarning, stacklevel=2)
    for t, name in ((input, "b"), (A, "A")):
        if t.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 "
                               f"dimensions, but it has {t.ndim} dimensions instead")
    if A.shape[-1] != A.shape[-2] or input.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is "
                           f"{A.shape[-2]} by {A.shape[-1]} but each b matrix is "
                           f"{input.shape[-2]} by {input.shape[-1]}")
    input, A = _common_float("triangular_solve_cpu", input, A)
    out = apply(_f_triangular_solve, "TriangularSolveBackward0", input, A, upper=upper,
                transpose=transpose, unitriangular=unitriangular)
    return named_result("triangular_solve", ("solution", "cloned_coefficient"))(*out)


# ---- LU factorization -------------------------------------------------------------------

def _lu_error(name, batched):
    def make_error(detail):
        i = int(detail[1])
        return RuntimeError(
            f"{name}: {_batch_prefix(batched, detail[0])}U[{i},{i}] is zero and using it on "
            "lu_solve would result in a division by zero. If you still want to perform the "
            "factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, "
            "pivot)")
    return make_error


def _f_lu_factor(a, *, check):
    lu, pivots, _ = jax.lax.linalg.lu(a)
    info = _first_info(jnp.diagonal(jax.lax.stop_gradient(lu), axis1=-2, axis2=-1) == 0)
    if check:
        def compute():
            flat = info.reshape(-1)
            b = first_where(flat > 0, jnp.arange(flat.size))
            return flat > 0, jnp.stack([b, flat[b]])
        check_values((a,), compute, _lu_error(check, a.ndim > 2))
    return lu, (pivots + 1).astype(jnp.int32), info


def _check_lu_input(A: Tensor, pivot: bool, name: str = "linalg.lu_factor") -> None:
    if A.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(A.shape)} instead")
    if not (A.is_floating_point() or A.is_complex()):
        raise NotImplementedError(f"\"lu_cpu\" not implemented for "
                                  f"'{_dtypes.scalar_type_name(A.dtype)}'")
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    """(LU, pivots, info) of A (*, m, n): L (unit diagonal, below) and U packed in LU,
    pivots (*, min(m, n)) 1-based int32, info the first zero of U's diagonal (0 if none).

    PyTorch parity: `pivot=False` raises, as PyTorch's CPU kernel does.
    """
    _check_lu_input(A, pivot)
    out = apply(_f_lu_factor, "LinalgLuFactorExBackward0", A,
                check="torch.linalg.lu_factor_ex" if check_errors else None)
    return named_result("linalg_lu_factor_ex", ("LU", "pivots", "info"))(*out)


def lu_factor(A: Tensor, *, pivot: bool = True):
    """(LU, pivots) of A (*, m, n); RuntimeError when U has a zero on its diagonal."""
    _check_lu_input(A, pivot)
    lu, pivots, _ = apply(_f_lu_factor, "LinalgLuFactorExBackward0", A,
                          check="torch.linalg.lu_factor")
    return named_result("linalg_lu_factor", ("LU", "pivots"))(lu, pivots.detach())


def _permutation_matrix(perm, dtype):
    """P with A = P L U for JAX's row permutation `perm` (A[perm] = L U): P[perm[i], i] = 1."""
    m = perm.shape[-1]
    return jnp.swapaxes(jax.nn.one_hot(perm, m, dtype=dtype), -1, -2)


def _unpack(lu):
    """(L (*, m, k), U (*, k, n)) from the packed LU (*, m, n), k = min(m, n)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = jnp.tril(lu[..., :, :k], -1) + jnp.eye(m, k, dtype=lu.dtype)
    return L, jnp.triu(lu[..., :k, :])


def _f_lu(a):
    lu, _, perm = jax.lax.linalg.lu(a)
    L, U = _unpack(lu)
    return _permutation_matrix(perm, a.dtype), L, U


def lu(A: Tensor, *, pivot: bool = True):
    """(P, L, U) with A = P L U for A (*, m, n): P (*, m, m), L (*, m, k) unit lower
    triangular, U (*, k, n) upper triangular, k = min(m, n)."""
    _check_lu_input(A, pivot)
    P, L, U = apply(_f_lu, "LinalgLuBackward0", A)
    return named_result("linalg_lu", ("P", "L", "U"))(P.detach(), L, U)


def _f_lu_unpack(lu, pivots, *, data, pivots_wanted):
    m = lu.shape[-2]
    empty = jnp.zeros((0,), lu.dtype)
    P = L = U = empty
    if pivots_wanted:
        perm = jax.lax.linalg.lu_pivots_to_permutation(pivots - 1, m)
        P = _permutation_matrix(perm, lu.dtype)
    if data:
        L, U = _unpack(lu)
    return P, L, U


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True):
    """torch.lu_unpack: (P, L, U) from lu_factor's packed (LU, pivots); the parts not asked
    for are empty tensors, as PyTorch."""
    P, L, U = apply(_f_lu_unpack, "LuUnpackBackward0", LU_data, LU_pivots,
                    data=unpack_data, pivots_wanted=unpack_pivots)
    return named_result("lu_unpack", ("P", "L", "U"))(P.detach(), L, U)


def torch_lu(A: Tensor, pivot: bool = True, get_infos: bool = False):
    """torch.lu (deprecated): (A_LU, pivots), plus infos when `get_infos`."""
    warnings.warn(
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, "
        "compute_pivots)\nshould be replaced with\nLU, pivots = torch.linalg.lu_factor(A, "
        "compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)"
        "\nshould be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, "
        "compute_pivots)", UserWarning, stacklevel=2)
    # PyTorch 2.13's torch.lu does not raise for a singular A, with or without get_infos.
    out = lu_factor_ex(A, pivot=pivot)
    if get_infos:
        return named_result("_lu_with_info", ("LU", "pivots", "info"))(*out)
    return out[0], out[1]


# ---- solving with an LU factorization -----------------------------------------------------

def _f_lu_solve(lu, pivots, b, *, left, adjoint):
    if not left:                        # X A = B  <=>  A^H X^H = B^H
        xh = _f_lu_solve(lu, pivots, jnp.conj(b.mT), left=True, adjoint=not adjoint)
        return jnp.conj(xh.mT)
    lu, pivots, b = _broadcast_batches((lu, 2), (pivots, 1), (b, 2))
    perm = jax.lax.linalg.lu_pivots_to_permutation(pivots - 1, lu.shape[-1])
    solve = jax.lax.linalg.triangular_solve
    if not adjoint:                     # P^T A = L U:  L U x = b[perm]
        y = jnp.take_along_axis(b, perm[..., :, None], axis=-2)
        y = solve(lu, y, left_side=True, lower=True, unit_diagonal=True)
        return solve(lu, y, left_side=True, lower=False)
    # A^H = U^H L^H P^T:  P^T x = L^-H U^-H b, so x[perm] = z
    z = solve(lu, b, left_side=True, lower=False, transpose_a=True, conjugate_a=True)
    z = solve(lu, z, left_side=True, lower=True, transpose_a=True, conjugate_a=True,
              unit_diagonal=True)
    return jnp.take_along_axis(z, jnp.argsort(perm, axis=-1)[..., :, None], axis=-2)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
             adjoint: bool = False) -> Tensor:
    """X with A X = B (X A = B when not `left`; A^H instead of A when `adjoint`), A given by
    lu_factor's (LU (*, n, n), pivots (*, n)); B (*, n, k); batch dims broadcast.

    PyTorch parity: with JAX's x64 mode off int64 pivots are stored as int32, so PyTorch's
    error for int64 pivots is raised only in x64 mode.
    """
    check_matrix(LU, "torch.linalg.lu_solve")
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 "
                           "dimensions.")
    if pivots.dtype != _dtypes.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type "
                           "torch.int32")
    _check_rows("linalg.lu_solve", LU, B, left)
    LU, B = _common_float("lu_solve_cpu", LU, B)
    return apply(_f_lu_solve, "LinalgLuSolveBackward0", LU, pivots, B, left=left,
                 adjoint=adjoint)


def torch_lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """torch.lu_solve (deprecated): linalg.lu_solve with the arguments (b, LU, pivots)."""
    warnings.warn(
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in "
        "a future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments "
        "reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
        "X = torch.linalg.lu_solve(LU, pivots, B)", UserWarning, stacklevel=2)
    return lu_solve(LU_data, LU_pivots, b)


# ---- solve_ex --------------------------------------------------------------------------

def _f_solve_ex(a, b, *, vector, left, check):
    info = _first_info(_zero_pivots(a))
    if check:
        def compute():
            flat = info.reshape(-1)
            i = first_where(flat > 0, jnp.arange(flat.size))
            return flat > 0, jnp.stack([i, flat[i]])

        def make_error(detail):
            return LinAlgError(f"{check}: {_batch_prefix(a.ndim > 2, detail[0])}The solver "
                               "failed because the input matrix is singular.")
        check_values((a,), compute, make_error)
    if vector:
        b = b[..., None]
    a_eff = a if left else a.mT
    x = jnp.linalg.solve(a_eff, b if left or vector else b.mT)
    x = x[..., 0] if vector else (x if left else x.mT)
    return x, info


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """(result, info) of linalg.solve without raising for a singular A (unless
    `check_errors`): info (int32, per matrix) is the first zero pivot, 0 if A is invertible.

    PyTorch parity: for a singular A, `result` holds whatever the solver produced (inf or
    nan), as in PyTorch, but not necessarily the same values.
    """
    check_matrix(A, "linalg.solve_ex")
    vector = solve_operands(A, B, left)     # (and A and B of one dtype: no cast)
    out = apply(_f_solve_ex, "LinalgSolveExBackward0", A, B,
                vector=vector, left=left,
                check="torch.linalg.solve_ex" if check_errors else None)
    return named_result("linalg_solve_ex", ("result", "info"))(*out)
