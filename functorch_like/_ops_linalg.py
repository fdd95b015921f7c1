"""torch.linalg's decompositions, inverses and solvers, and their top-level aliases.

Each op is one pure function of jax arrays behind the dispatch point; gradients come from
JAX's rules for the factorizations. Where PyTorch raises on a singular or indefinite input
(LAPACK's `info`), the value check runs on concrete inputs (and after the call when the op
runs jitted eagerly), with PyTorch's texts; under the user's own tracing it is skipped.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from . import _dtypes
from ._ops_reduce import named_result
from ._tensor import Tensor, apply
from .pure._errors import check_values, first_where


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a singular or non positive-definite input."""


def check_float(A: Tensor, name: str) -> None:
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_dtypes.scalar_type_name(A.dtype)}")


def check_matrix(A: Tensor, name: str, square: bool = True, floating: bool = True) -> None:
    """PyTorch's checks of a batch of matrices: at least 2-D, floating, (square)."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if floating:
        check_float(A, name)
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _batch_prefix(batched: bool, index) -> str:
    return f"(Batch element {int(index)}): " if batched else ""


def _zero_pivots(a):
    """True where the pivoted LU of `a` has an exact zero on U's diagonal (LAPACK getrf's
    `info`, which PyTorch turns into its "singular" errors)."""
    lu = jax.lax.linalg.lu(jax.lax.stop_gradient(a))[0]
    return jnp.diagonal(lu, axis1=-2, axis2=-1) == 0


def _first_info(bad):
    """Per matrix: the 1-based position of the first True along the last dim, 0 if none."""
    if bad.shape[-1] == 0:              # (0x0 matrices: argmax has nothing to look at)
        return jnp.zeros(bad.shape[:-1], jnp.int32)
    return jnp.where(jnp.any(bad, -1), jnp.argmax(bad, -1) + 1, 0).astype(jnp.int32)


def _check_singular(a, name):
    """Raises PyTorch's LinAlgError for an exactly singular `a` (first failing matrix)."""
    if a.size == 0:         # (no matrix, or 0x0 ones: nothing can be singular)
        return
    batched = a.ndim > 2

    def compute():
        info = _first_info(_zero_pivots(a)).reshape(-1)
        b = first_where(info > 0, jnp.arange(info.size))
        return info > 0, jnp.stack([b, info[b]])

    def make_error(detail):
        prefix = _batch_prefix(batched, detail[0])
        if name == "torch.linalg.solve":
            return LinAlgError(f"{name}: {prefix}The solver failed because the input matrix "
                               "is singular.")
        return LinAlgError(f"{name}: {prefix}The diagonal element {int(detail[1])} is zero, "
                           "the inversion could not be completed because the input matrix is "
                           "singular.")
    check_values((a,), compute, make_error)


# ---- inverse, determinant, solve ----------------------------------------------------

def _f_inv(a, *, check):
    if check:
        _check_singular(a, check)
    return jnp.linalg.inv(a)


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix of `A` (*, n, n); LinAlgError if singular."""
    check_matrix(A, "linalg.inv")
    return apply(_f_inv, "LinalgInvExBackward0", A, check="linalg.inv")


def _f_inv_ex(a, *, check):
    info = _first_info(_zero_pivots(a))
    return _f_inv(a, check=check), info


def inv_ex(A: Tensor, *, check_errors: bool = False):
    """(inverse, info): info (int32, per matrix) is the first zero pivot, 0 if invertible.

    PyTorch parity: a singular matrix's `inverse` holds whatever the solver produced (inf or
    nan), as in PyTorch, but not necessarily the same values.
    """
    check_matrix(A, "linalg.inv_ex")
    out = apply(_f_inv_ex, "LinalgInvExBackward0", A,
                check="linalg.inv_ex" if check_errors else None)
    return named_result("linalg_inv_ex", ("inverse", "info"))(*out)


def _f_det(a):
    if a.shape[-1] == 0:                # (JAX's LU fails on 0x0; the empty product is 1)
        return jnp.ones(a.shape[:-2], a.dtype) + 0 * a.sum((-2, -1))
    return jnp.linalg.det(a)


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix of `A` (*, n, n) -> (*); 1 for 0x0 ones."""
    check_matrix(A, "linalg.det")
    return apply(_f_det, "LinalgDetBackward0", A)


def _f_slogdet(a):
    if a.shape[-1] == 0:
        zero = 0 * a.sum((-2, -1))
        return zero + 1, jnp.real(zero)
    sign, logabsdet = jnp.linalg.slogdet(a)
    return sign.astype(a.dtype), logabsdet


def slogdet(A: Tensor):
    """(sign, logabsdet) of det(A): sign is 0 and logabsdet -inf for a singular matrix."""
    check_matrix(A, "linalg.slogdet")
    return named_result("linalg_slogdet", ("sign", "logabsdet"))(
        *apply(_f_slogdet, "LinalgSlogdetBackward0", A))


def torch_slogdet(input: Tensor):
    """torch.slogdet: linalg.slogdet as `torch.return_types.slogdet(sign, logabsdet)`."""
    return named_result("slogdet", ("sign", "logabsdet"))(*slogdet(input))


def _f_logdet(a):
    sign, logabsdet = _f_slogdet(a)
    if jnp.iscomplexobj(a):         # (log(det) itself: complex, as torch's)
        return jnp.log(sign) + logabsdet
    return jnp.where(sign < 0, jnp.nan, logabsdet)


def logdet(input: Tensor) -> Tensor:
    """log(det(A)): nan for a negative determinant, -inf for a zero one (torch.logdet)."""
    check_matrix(input, "linalg.slogdet")
    return apply(_f_logdet, "WhereBackward0", input)


def _f_solve(a, b, *, vector, left):
    _check_singular(a, "torch.linalg.solve")
    if vector:                          # (x A = b  <=>  A^T x = b)
        return jnp.linalg.solve(a if left else a.mT, b[..., None])[..., 0]
    if not left:                        # X A = B  <=>  A^T X^T = B^T
        return jnp.linalg.solve(a.mT, b.mT).mT
    return jnp.linalg.solve(a, b)


def solve_operands(A: Tensor, B: Tensor, left: bool) -> bool:
    """Whether B is a batch of vectors (1-D, or B.shape == A.shape[:-1], as in PyTorch);
    raises PyTorch's error when A and B differ in dtype (torch does not promote) or B's
    rows do not match A (a vector B is for A X = B only)."""
    if A.dtype != B.dtype:
        raise RuntimeError("linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_dtypes.scalar_type_name(A.dtype)} and B of type "
                           f"{_dtypes.scalar_type_name(B.dtype)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows = B.shape[-1] if vector else B.shape[-2 if left else -1]
    if rows != A.shape[-1] or (vector and not left):
        k = 1 if vector else B.shape[-1 if left else -2]
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{eq} ({A.shape[-2]}x{A.shape[-1]} and {rows}x{k})")
    return vector


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (or X A = B when not `left`); B (*, n, k) or a batch of vectors (*, n).

    B is a batch of vectors when it is 1-D or when B.shape == A.shape[:-1], as in PyTorch.
    """
    check_matrix(A, "linalg.solve")
    vector = solve_operands(A, B, left)     # (and A and B of one dtype: no cast)
    return apply(_f_solve, "LinalgSolveExBackward0", A, B, vector=vector, left=left)


# ---- Cholesky, eigh: one triangle of a Hermitian matrix -----------------------------

def _triangle_hermitian(a, upper):
    """The Hermitian matrix that `a`'s lower (or upper) triangle describes: PyTorch reads
    only that triangle."""
    tri = jnp.triu(a) if upper else jnp.tril(a)
    strict = jnp.triu(a, 1) if upper else jnp.tril(a, -1)
    return tri + jnp.conj(jnp.swapaxes(strict, -1, -2))


def _read_triangle(a, upper):
    """The triangle's Hermitian matrix as the value, with the gradient of `(a + a^H) / 2`:
    PyTorch's Cholesky and eigh gradients are Hermitian, not confined to the triangle."""
    base = (a + jnp.conj(jnp.swapaxes(a, -1, -2))) / 2
    return base + jax.lax.stop_gradient(_triangle_hermitian(a, upper) - base)


def _cholesky_partial(a):
    """(L, info) of LAPACK's unblocked potf2 on Hermitian `a`: info, per matrix, is the
    order of the first leading minor that is not positive-definite (0 if there is none);
    where it fails, L holds the columns factored before it, the failing pivot's value on
    the diagonal and `a`'s own lower triangle after (what PyTorch's cholesky_ex returns;
    LAPACK's blocked factorization of large matrices leaves other partial values)."""
    a = jax.lax.stop_gradient(a)
    n = a.shape[-1]
    rows = jnp.arange(n)

    def step(k, carry):
        L, info = carry
        row = L[..., k, :]                                  # L[k, :k], zeros after
        d = jnp.real(a[..., k, k] - jnp.sum(row * jnp.conj(row), -1))
        failing = (info == 0) & ~(d > 0)
        info = jnp.where(failing, k + 1, info)
        dk = jnp.sqrt(jnp.where(d > 0, d, 1))
        col = (a[..., :, k] - jnp.einsum("...ij,...j->...i", L, jnp.conj(row)))
        col = jnp.where(rows > k, col / dk[..., None], 0)
        col = jnp.where(rows == k, dk[..., None].astype(a.dtype), col)
        # (from the failing column on: the pivot's value, then a's untouched columns)
        kept = jnp.where(rows > k, a[..., :, k], 0)
        kept = jnp.where((rows == k) & failing[..., None], d[..., None].astype(a.dtype),
                         jnp.where(rows == k, a[..., :, k], kept))
        col = jnp.where((info == 0)[..., None], col, kept)
        return L.at[..., :, k].set(col), info

    info = jnp.zeros(a.shape[:-2], jnp.int32)
    return jax.lax.fori_loop(0, n, step, (jnp.zeros_like(a), info))


def _cholesky_info(a):
    """Per matrix: the order of the first leading minor that is not positive-definite
    (LAPACK potrf's `info`), 0 if `a` is."""
    return _cholesky_partial(a)[1]


def _f_cholesky(a, *, upper, check, with_info):
    h = _read_triangle(a, upper)
    L = jax.lax.linalg.cholesky(h, symmetrize_input=False)
    out = jnp.conj(jnp.swapaxes(L, -1, -2)) if upper else L
    if check and a.size:
        batched = a.ndim > 2

        def compute():
            info = _cholesky_info(_triangle_hermitian(a, upper)).reshape(-1)
            b = first_where(info > 0, jnp.arange(info.size))
            return info > 0, jnp.stack([b, info[b]])

        def make_error(detail):
            return LinAlgError(
                f"{check}: {_batch_prefix(batched, detail[0])}The factorization could not be "
                "completed because the input is not positive-definite (the leading minor of "
                f"order {int(detail[1])} is not positive-definite).")
        check_values((a,), compute, make_error)
    if with_info:
        partial, info = _cholesky_partial(_triangle_hermitian(a, upper))
        partial = jnp.conj(jnp.swapaxes(partial, -1, -2)) if upper else partial
        return jnp.where((info == 0)[..., None, None], out, partial), info
    return out


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L with A = L L^H (lower triangular), or U = L^H when `upper`, for (*, n, n) A.

    Reads only A's lower (upper) triangle, as PyTorch; LinAlgError if not positive-definite.
    """
    check_matrix(A, "linalg.cholesky")
    return apply(_f_cholesky, "LinalgCholeskyExBackward0", A, upper=upper,
                 check="linalg.cholesky", with_info=False)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """(L, info): info (int32, per matrix) is LAPACK's order of the failing minor, 0 if ok.

    Where the factorization fails, L is LAPACK's partial factor (see _cholesky_partial).
    PyTorch-parity note: that is unblocked potf2's; for matrices large enough for LAPACK
    to factor in blocks (about n > 64) torch's partial values may differ.
    """
    check_matrix(A, "linalg.cholesky_ex")
    out = apply(_f_cholesky, "LinalgCholeskyExBackward0", A, upper=upper,
                check="linalg.cholesky_ex" if check_errors else None, with_info=True)
    return named_result("linalg_cholesky_ex", ("L", "info"))(*out)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def _f_eigh(a, *, upper, vectors):
    w, v = jnp.linalg.eigh(_read_triangle(a, upper), symmetrize_input=False)
    return (w, v) if vectors else w


def _check_eigh_input(A: Tensor) -> None:
    # (torch's eigh dispatches an integer input to its kernel, which has none)
    if A.ndim >= 2 and not (A.is_floating_point() or A.is_complex()):
        raise _dtypes.kernel_error("linalg_eigh_cpu", A.dtype)
    check_matrix(A, "linalg.eigh")


def eigh(A: Tensor, UPLO: str = "L"):
    """(eigenvalues ascending (*, n), eigenvectors as columns (*, n, n)) of Hermitian A.

    PyTorch parity: eigenvectors are unique only up to sign (phase); LAPACK picks the same
    one on CPU in both libraries, but other backends may differ.
    """
    _check_eigh_input(A)
    _check_uplo(UPLO)
    out = apply(_f_eigh, "LinalgEighBackward0", A, upper=UPLO == "U", vectors=True)
    return named_result("linalg_eigh", ("eigenvalues", "eigenvectors"))(*out)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues (ascending) of each Hermitian matrix of A (*, n, n) -> (*, n)."""
    _check_eigh_input(A)
    _check_uplo(UPLO)
    return apply(_f_eigh, "LinalgEighBackward0", A, upper=UPLO == "U", vectors=False)
