"""torch.linalg's SVD-based ops (svd, svdvals, pinv, matrix_rank, lstsq), QR and
matrix_power, and the top-level aliases torch.svd / torch.pinverse.

PyTorch parity: the singular vectors (like eigenvectors) are unique only up to sign; both
libraries call LAPACK on CPU, but the signs they return need not agree.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._ops_linalg import _f_inv, _triangle_hermitian, check_float, check_matrix
from ._ops_reduce import named_result
from ._tensor import Tensor, apply


# ---- QR, SVD --------------------------------------------------------------------------

_QR_MODES = ("reduced", "complete", "r")


def _f_qr(a, *, mode):
    if mode == "complete" and a.shape[-2] > a.shape[-1]:
        return _qr_complete_tall(a)
    q, r = jnp.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    return (jnp.zeros((0,), a.dtype), r) if mode == "r" else (q, r)


@jax.custom_vjp
def _qr_complete_tall(a):
    return tuple(jnp.linalg.qr(a, mode="complete"))


def _qr_complete_tall_fwd(a):
    return _qr_complete_tall(a), None


def _qr_complete_tall_bwd(_, cotangents):
    # Q's last m - n columns are any orthonormal completion: no derivative is defined.
    raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                       "and nrows > ncols.")


_qr_complete_tall.defvjp(_qr_complete_tall_fwd, _qr_complete_tall_bwd)


def qr(A: Tensor, mode: str = "reduced"):
    """(Q, R) with A = Q R: mode 'reduced' (k = min(m, n) columns), 'complete', or 'r'
    (Q is then an empty tensor, as PyTorch). A (*, m, n) gives Q (*, m, k) and R (*, k, n)
    (k = m for 'complete').

    Backward raises torch's error for mode 'complete' with m > n (Q's extra columns have
    no derivative). PyTorch parity: for mode 'r' torch's backward raises (it saves no Q);
    here R's gradient is computed (through the Q it computes and drops).
    """
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_matrix(A, "linalg.qr", square=False)
    return named_result("linalg_qr", ("Q", "R"))(*apply(_f_qr, "LinalgQrBackward0", A,
                                                        mode=mode))


def _f_svd(a, *, full_matrices):
    if full_matrices and a.shape[-1] != a.shape[-2]:
        return _svd_full(a)
    return tuple(jnp.linalg.svd(a, full_matrices=full_matrices))


@jax.custom_jvp
def _svd_full(a):
    return tuple(jnp.linalg.svd(a, full_matrices=True))


@_svd_full.defjvp
def _svd_full_jvp(primals, tangents):
    """The full SVD of a non-square matrix, differentiable as torch's: its derivative is
    the reduced SVD's, on the first k = min(m, n) columns of U and rows of Vh (torch's
    backward narrows them to those; JAX has no derivative for the full form). The reduced
    factors' columns are matched to the full ones' signs (phases) first."""
    (a,), (da,) = primals, tangents
    U, S, Vh = jnp.linalg.svd(a, full_matrices=True)
    k = S.shape[-1]
    (Ur, _, _), (dU, dS, dVh) = jax.jvp(
        lambda x: tuple(jnp.linalg.svd(x, full_matrices=False)), (a,), (da,))
    phase = jnp.sum(jnp.conj(U[..., :, :k]) * Ur, axis=-2)
    phase = jnp.where(jnp.abs(phase) > 0, phase / jnp.abs(phase), 1)
    dU = dU * jnp.conj(phase)[..., None, :]
    dVh = dVh * phase[..., :, None]
    m, n = a.shape[-2:]
    dU = jnp.concatenate([dU, jnp.zeros(dU.shape[:-1] + (m - k,), dU.dtype)], axis=-1)
    dVh = jnp.concatenate([dVh, jnp.zeros(dVh.shape[:-2] + (n - k, n), dVh.dtype)], axis=-2)
    return (U, S, Vh), (dU, dS, dVh)


def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """(U, S, Vh) with A = U diag(S) Vh; S descending. `driver` (cuSOLVER's) is ignored.

    Gradients need distinct singular values. With full_matrices (the default) and a
    non-square A, they flow through the first min(m, n) columns of U and rows of Vh only,
    as torch's backward narrows them.
    """
    check_matrix(A, "linalg.svd", square=False)
    return named_result("linalg_svd", ("U", "S", "Vh"))(
        *apply(_f_svd, "LinalgSvdBackward0", A, full_matrices=full_matrices))


def _f_svdvals(a):
    return jnp.linalg.svd(a, compute_uv=False)


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """The singular values (descending) of each matrix of A (*, m, n) -> (*, min(m, n))."""
    check_matrix(A, "linalg.svd", square=False)
    return apply(_f_svdvals, "LinalgSvdBackward0", A)


def torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """torch.svd: (U, S, V) -- V, not Vh. Without compute_uv, U and V are zero (m, m) and
    (n, n) matrices, as PyTorch."""
    svd_type = named_result("svd", ("U", "S", "V"))
    if not compute_uv:
        S = svdvals(input)
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        return svd_type(input.new_zeros(*batch, m, m), S, input.new_zeros(*batch, n, n))
    U, S, Vh = svd(input, full_matrices=not some)
    return svd_type(U, S, Vh.mT.conj())


# ---- pseudo-inverse, rank, powers, least squares ---------------------------------------

def _tolerances(A: Tensor, atol, rtol) -> tuple:
    """(atol, rtol) as Tensors (numbers, or tensors that broadcast with A's batch dims,
    one tolerance per matrix), with PyTorch's default relative tolerance eps * max(m, n)
    where atol > 0 is not given."""
    real = A._value.real.dtype

    def tensor(v):
        v = v._value if isinstance(v, Tensor) else v
        return Tensor._make(jnp.asarray(v, real))        # (no gradient flows into it)
    atol_t = tensor(0.0 if atol is None else atol)
    if rtol is not None:
        return atol_t, tensor(rtol)
    default = builtins.float(np.finfo(real).eps) * builtins.max(A.shape[-2:])
    if atol is None:
        return atol_t, tensor(default)
    return atol_t, Tensor._make(jnp.where(atol_t._value > 0, 0.0, default).astype(real))


def _f_pinv(a, atol, rtol, *, hermitian):
    if hermitian:
        # torch reads the lower triangle only (JAX would average a with its transpose),
        # and differentiates the general pinv formula at that matrix
        a = a + jax.lax.stop_gradient(_triangle_hermitian(a, False) - a)
        hermitian = False
    # cutoff = max(atol, rtol * largest singular value), per matrix
    smax = jax.lax.stop_gradient(jnp.max(jnp.abs(
        jnp.linalg.svd(a, compute_uv=False, hermitian=hermitian)), -1)) if a.size else 0
    rtol = jnp.where(atol > 0, jnp.maximum(atol / jnp.where(smax > 0, smax, 1), rtol), rtol)
    return jnp.linalg.pinv(a, rtol=jnp.broadcast_to(rtol, a.shape[:-2]),
                           hermitian=hermitian)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, rcond=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of A (*, m, n) -> (*, n, m): singular values at or
    below max(atol, rtol * largest) count as zero (`rcond` is the deprecated rtol). With
    hermitian=True only A's lower triangle is read, as torch's. PyTorch-parity note: for
    an input that is not Hermitian there, the gradient is the general formula's at the
    Hermitian matrix read (torch's evaluates it at the input as given)."""
    if A.ndim < 2 or not (A.is_floating_point() or A.is_complex()):
        name = _dtypes.scalar_type_name(A.dtype)
        raise RuntimeError(f"linalg.pinv({name}{{{list(A.shape)}}}): expected a tensor with 2 "
                           "or more dimensions of float, double, cfloat or cdouble types")
    rtol = rcond if rtol is None else rtol
    return apply(_f_pinv, "LinalgPinvBackward0", A, *_tolerances(A, atol, rtol),
                 hermitian=hermitian)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: pinv with relative tolerance `rcond`."""
    return pinv(input, rtol=rcond)


def _f_matrix_rank(a, atol, rtol, *, hermitian):
    if hermitian:                       # (the lower triangle only, as torch)
        a = _triangle_hermitian(a, False)
    s = jnp.abs(jnp.linalg.svd(a, compute_uv=False, hermitian=hermitian))
    smax = jnp.max(s, -1, keepdims=True) if s.shape[-1] else jnp.zeros(s.shape[:-1] + (1,))
    tol = jnp.maximum(atol[..., None], rtol[..., None] * smax)
    return jnp.sum(s > tol, -1).astype(_dtypes.int64.jax)


def matrix_rank(A: Tensor, tol=None, *, atol=None, rtol=None, hermitian: bool = False):
    """The number of singular values above max(atol, rtol * largest), int64 (*)."""
    check_matrix(A, "linalg.matrix_rank", square=False)
    if hermitian:                       # (torch's runs eigvalsh)
        check_matrix(A, "linalg.eigh")
    if tol is not None:                 # deprecated positional `tol`: an absolute tolerance
        atol, rtol = tol, 0.0
    return apply(_f_matrix_rank, "LinalgMatrixRankBackward0", A,
                 *_tolerances(A, atol, rtol), hermitian=hermitian)


def _f_matrix_power(a, *, n):
    if n < 0:
        a, n = _f_inv(a, check="linalg.inv"), -n
    return jnp.linalg.matrix_power(a, n)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """A^n for integer n (A^0 the identity; n < 0 inverts first) of square (*, m, m) A."""
    if not isinstance(n, (builtins.int, np.integer)) or isinstance(n, builtins.bool):
        raise TypeError("linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    check_matrix(A, "linalg.matrix_power", floating=False)
    if n < 0:
        check_float(A, "linalg.inv")
    name = "MmBackward0" if n > 1 else "LinalgInvExBackward0" if n < 0 else "CloneBackward0"
    return apply(_f_matrix_power, name, A, n=builtins.int(n))


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _f_lstsq(a, b, *, rtol, vector):
    b = b[..., None] if vector else b
    x = jnp.linalg.pinv(a, rtol=rtol) @ b
    return x[..., 0] if vector else x


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """The least-squares solution X of A X = B for A (*, m, n), B (*, m, k) or (*, m).

    Returns (solution, residuals, rank, singular_values) with PyTorch's CPU conventions per
    `driver` (default 'gelsy'): rank for all but 'gels', singular_values for 'gelsd' and
    'gelss', residuals (squared, per column) for drivers other than 'gelsy' when m > n and
    every matrix has full rank; the others are empty tensors.

    PyTorch parity: computed through the pseudo-inverse (SVD) for every driver; for a
    rank-deficient A this is the minimum-norm solution, which 'gelsy' also returns.
    """
    driver = driver or "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    check_matrix(A, "torch.linalg.lstsq", square=False)
    vector = B.ndim == A.ndim - 1
    if (B.shape[-1] if vector else B.shape[-2]) != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    rtol = builtins.float(rcond) if rcond is not None else builtins.float(
        np.finfo(A._value.real.dtype).eps) * builtins.max(A.shape[-2:])
    X = apply(_f_lstsq, "LinalgLstsqBackward0", A, B, rtol=rtol, vector=vector)
    empty = A.new_zeros(0)
    empty = empty.real if empty.is_complex() else empty      # (real, as torch's)
    rank = empty.long() if driver == "gels" else matrix_rank(A.detach(), rtol=rtol)
    values = svdvals(A.detach()) if driver in ("gelsd", "gelss") else empty
    residuals = X.reshape(-1)[:0]        # empty, but in the graph, as PyTorch's
    residuals = residuals.abs() if residuals.is_complex() else residuals
    m, n = A.shape[-2:]
    if driver != "gelsy" and m > n and bool((matrix_rank(A.detach(), rtol=rtol) == n).all()):
        residual = (A @ (X.unsqueeze(-1) if vector else X)
                    - (B.unsqueeze(-1) if vector else B))
        # (|r|^2: real for complex input, as torch's)
        residuals = (residual.abs() ** 2 if residual.is_complex() else
                     residual * residual).sum(-2)
        residuals = residuals.squeeze(-1) if vector else residuals
    return named_result("linalg_lstsq", ("solution", "residuals", "rank",
                                         "singular_values"))(X, residuals, rank, values)
