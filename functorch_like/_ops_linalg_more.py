"""torch.linalg: matrix_exp, cond, vander, householder_product, tensorinv, tensorsolve,
eig and eigvals.

cond, tensorinv and tensorsolve are compositions of other ops (as in PyTorch), so their
gradients come from those ops'.
"""

from __future__ import annotations

import builtins
import math
import operator
from functools import reduce

import jax
import jax.numpy as jnp
import jax.scipy.linalg

from . import _dtypes
from . import _ops_elementwise as E
from . import _ops_math as M
from ._ops_linalg import check_float, check_matrix, inv, inv_ex, solve
from ._ops_linalg_svd import svdvals
from ._ops_reduce import named_result
from ._tensor import Tensor, apply


def _prod(shape) -> int:
    return reduce(operator.mul, shape, 1)


# ---- matrix exponential -----------------------------------------------------------------

def _f_matrix_exp(a):
    if a.dtype in (jnp.float16, jnp.bfloat16):      # (JAX's expm has no half version)
        return jax.scipy.linalg.expm(a.astype(jnp.float32)).astype(a.dtype)
    return jax.scipy.linalg.expm(a)


def matrix_exp(A: Tensor) -> Tensor:
    """exp(A) = sum_k A^k / k! of each square matrix of A (*, n, n) (Pade approximation
    with scaling and squaring, as PyTorch).

    PyTorch parity: float16/bfloat16 inputs are computed in float32 and rounded (torch
    2.13's CPU half kernel returns values far off the true exponential)."""
    check_matrix(A, "linalg.matrix_exp")
    return apply(_f_matrix_exp, "LinalgMatrixExpBackward0", A)


# ---- condition number --------------------------------------------------------------------

_COND_ORDS = (None, "fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def cond(A: Tensor, p=None) -> Tensor:
    """The condition number of A (*, m, n) in the norm `p`, a real tensor (*).

    p None / 2 / -2: ratio of the largest and smallest singular values (any m, n);
    'fro', 'nuc', inf, -inf, 1, -1: norm(A, p) * norm(inv(A), p), square A only; a singular
    A gives inf, as PyTorch (which computes these through linalg.inv_ex).
    """
    if isinstance(p, builtins.bool) or p not in _COND_ORDS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor A must have at least 2 dimensions.")
    from .linalg import matrix_norm
    if p in (None, 2, -2):
        s = svdvals(A)
        if A.numel() == 0:
            return s.new_zeros(*A.shape[:-2])
        big, small = s[..., 0], s[..., -1]
        return M.div(small, big) if p == -2 else M.div(big, small)
    shown = p if isinstance(p, str) else f"{p:g}"
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={shown}): A must be batches of square matrices, "
                           f"but they are {A.shape[-2]} by {A.shape[-1]} matrices")
    check_float(A, "linalg.cond")
    if A.numel() == 0:
        return svdvals(A).new_zeros(*A.shape[:-2])
    if p == "nuc":                      # ||A||_* ||A^-1||_* from the singular values
        s = svdvals(A)
        return M.mul(s.sum(-1), M.reciprocal(s).sum(-1))
    inverse, info = inv_ex(A)
    singular = (info > 0)[..., None, None]
    inverse = M.where(singular, math.inf, inverse)
    out = M.mul(matrix_norm(A, p), matrix_norm(inverse, p))
    return E.nan_to_num(out, nan=math.inf, posinf=math.inf)   # 0 * inf of a zero matrix


# ---- Vandermonde matrix -------------------------------------------------------------------

def _f_vander(x, *, n):
    powers = jnp.cumprod(jnp.broadcast_to(x[..., None], x.shape + (n - 1,)), axis=-1)
    return jnp.concatenate([jnp.ones_like(x)[..., None], powers.astype(x.dtype)], -1)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrix (*, n, N) of x (*, n): columns x^0, x^1, ..., x^(N-1)
    (increasing powers, unlike numpy's default); N defaults to n."""
    n = (x.shape[-1] if x.ndim else 1) if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    if x.dtype == _dtypes.bool:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           "tensors, but got Bool")
    return apply(_f_vander, "CatBackward0", x, n=builtins.int(n))


# ---- Householder products ------------------------------------------------------------------

def householder_q(a, tau, ncols: int):
    """H_1 H_2 ... H_k applied to the first `ncols` columns of the identity (*, m, ncols),
    H_i = I - tau_i v_i v_i^H with v_i = (0, .., 0, 1, a[i+1:, i]) (LAPACK's orgqr)."""
    m = a.shape[-2]
    rows = jnp.arange(m)
    q = jnp.broadcast_to(jnp.eye(m, ncols, dtype=a.dtype), a.shape[:-2] + (m, ncols))
    for i in reversed(range(tau.shape[-1])):        # H_1 (H_2 (... (H_k I)))
        v = jnp.where(rows < i, 0, jnp.where(rows == i, 1, a[..., :, i])).astype(a.dtype)
        vq = jnp.einsum("...i,...ij->...j", jnp.conj(v), q)
        q = q - tau[..., i, None, None] * v[..., :, None] * vq[..., None, :]
    return q


def _f_householder_product(a, tau):
    return householder_q(a, tau, a.shape[-1])


def check_householder(A: Tensor, tau: Tensor, name: str) -> None:
    """PyTorch's checks of (input, tau) for householder_product / orgqr / ormqr."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.ndim} and input.ndim is equal to "
                           f"{A.ndim}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{name}: tau dtype {_dtypes.scalar_type_name(tau.dtype)} does "
                           f"not match input dtype {_dtypes.scalar_type_name(A.dtype)}")
    check_float(A, name)


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns (*, m, n) of the product of Householder reflectors stored in
    A (*, m, n) (below the diagonal) and tau (*, k), k <= n <= m (LAPACK's orgqr)."""
    name = "torch.linalg.householder_product"
    check_householder(A, tau, name)
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    return apply(_f_householder_product, "LinalgHouseholderProductBackward0", A, tau)


# ---- tensor inverse / solve -----------------------------------------------------------------

def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of A viewed as a matrix (prod(shape[:ind]), prod(shape[ind:])), shaped
    A.shape[ind:] + A.shape[:ind], so that tensordot(tensorinv(A), A, ind) is the identity."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    front, back = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if _prod(back) != _prod(front):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) "
                           f"== prod(self.shape[:ind]), but got {_prod(back)} != "
                           f"{_prod(front)}")
    return inv(A.reshape(_prod(front), _prod(back))).reshape(*back, *front)


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B, X shaped A.shape[B.ndim:]; `dims` of A are first
    moved to the end."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    result_shape = tuple(A.shape[B.ndim:])
    if _prod(result_shape) != B.numel():
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape["
                           f"other.ndim:]) == prod(self.shape[:other.ndim]), but got "
                           f"{_prod(result_shape)} != {B.numel()}")
    x = solve(A.reshape(B.numel(), _prod(result_shape)), B.reshape(B.numel()))
    return x.reshape(*result_shape)


# ---- general eigendecomposition ---------------------------------------------------------------

def _f_eig(a, *, vectors):
    if not vectors:
        return jax.lax.linalg.eig(a, compute_left_eigenvectors=False,
                                  compute_right_eigenvectors=False)[0]
    # PyTorch differentiates eigenvectors (valid for distinct eigenvalues); JAX asks to opt in.
    w, v = jax.lax.linalg.eig(a, compute_left_eigenvectors=False, enable_eigvec_derivs=True)
    return w, v


def eig(A: Tensor):
    """(eigenvalues (*, n), eigenvectors (*, n, n) as columns), complex, of square A.

    PyTorch parity: both call LAPACK's geev on CPU (eigenvectors of unit norm; each is
    unique only up to a complex phase, so compare A v = lambda v rather than v). JAX
    implements eig only on CPU: on an accelerator backend this raises where PyTorch works.
    """
    check_matrix(A, "linalg.eig")
    out = apply(_f_eig, "LinalgEigBackward0", A, vectors=True)
    return named_result("linalg_eig", ("eigenvalues", "eigenvectors"))(*out)


def eigvals(A: Tensor) -> Tensor:
    """The (complex) eigenvalues (*, n) of each square matrix of A (*, n, n), in LAPACK's
    order. PyTorch parity: as eig (CPU only in JAX)."""
    check_matrix(A, "linalg.eigvals")
    return apply(_f_eig, "LinalgEigBackward0", A, vectors=False)
