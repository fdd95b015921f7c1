"""torch.svd_lowrank and torch.pca_lowrank: randomized low-rank SVD (Halko, Martinsson
and Tropp 2009, algorithms 4.4 and 5.1), written as in torch/_lowrank.py.

PyTorch parity: the random projection is drawn from this library's generator, whose stream
differs from PyTorch's, so results match PyTorch's only up to the approximation error (for
a matrix of rank <= q, both recover it to rounding); determinism under manual_seed holds.
"""

from __future__ import annotations

from . import _dtypes
from . import _random
from ._ops_linalg_svd import qr, svd
from ._tensor import Tensor


def _mH(x: Tensor) -> Tensor:
    x = x.transpose(-2, -1)
    return x.conj() if x.is_complex() else x


def _approximate_basis(A: Tensor, q: int, niter: int, M: Tensor | None) -> Tensor:
    """An orthonormal Q (*, m, q) whose range approximates A's (subspace iteration)."""
    dtype = A.dtype if (A.is_floating_point() or A.is_complex()) else \
        _dtypes.get_default_dtype()
    R = _random.randn(A.shape[-1], q, dtype=dtype)
    X = A @ R if M is None else A @ R - M @ R
    Q = qr(X).Q
    for _ in range(niter):
        X = _mH(A) @ Q if M is None else _mH(A) @ Q - _mH(M) @ Q
        Q = qr(X).Q
        X = A @ Q if M is None else A @ Q - M @ Q
        Q = qr(X).Q
    return Q


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int = 2, M: Tensor | None = None):
    """(U (*, m, q), S (*, q), V (*, n, q)) with A - M ~ U diag(S) V^H, a rank-q
    approximation from `niter` subspace iterations (M broadcast to A's shape)."""
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:                           # work with the tall matrix
        A = _mH(A)
        M = None if M is None else _mH(M)
    Q = _approximate_basis(A, q, niter, M)
    B = _mH(Q) @ A if M is None else _mH(Q) @ A - _mH(Q) @ M
    U, S, Vh = svd(B, full_matrices=False)
    U, V = Q @ U, _mH(Vh)
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True, niter: int = 2):
    """svd_lowrank of A (*, m, n) after subtracting the column means (when `center`);
    q defaults to min(6, m, n)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter)
