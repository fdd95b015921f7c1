"""torch.nn.utils.parametrizations.orthogonal: a matrix (or a batch of them) kept
orthogonal (unitary when complex) through the matrix exponential, the Cayley map or
Householder reflectors, with PyTorch's maps, initialisation and "dynamic trivialization"
(`base`)."""

from __future__ import annotations

from ... import _random, linalg
from ..._factories import eye, zeros_like
from ..._finfo import finfo
from ..._ops_linalg_legacy import geqrf
from ..._ops_math import allclose, where
from ..._ops_shape import cat
from ..._tensor import Tensor
from ...autograd._grad_mode import no_grad
from ..modules.module import Module
from . import parametrize

_MAPS = ("matrix_exp", "cayley", "householder")


def _is_orthogonal(q: Tensor) -> bool:
    """Whether q's columns are orthonormal, to 10 * rows * eps (torch's tolerance)."""
    n, k = q.shape[-2], q.shape[-1]
    eps = 10.0 * n * finfo(q.dtype).eps
    return allclose(q.mH @ q, eye(k, dtype=q.dtype), atol=eps)


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of a = QR (a tall) with diag(R) real and non-negative."""
    x, tau = geqrf(a)
    q = linalg.householder_product(x, tau)
    return q * x.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _Orthogonal(Module):
    """The parametrization: forward maps the unconstrained tensor to an orthogonal one;
    right_inverse sets the parameter from an orthogonal matrix (with a `base` buffer under
    trivialization, where it stores the matrix and returns -I)."""

    def __init__(self, weight: Tensor, orthogonal_map: str, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        # x is tall (n >= k) from here
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            # n * k - k * (k - 1) / 2 parameters: the lower triangle, embedded in n x n
            x = x.tril()
            if n != k:
                x = cat([x, x.new_zeros(n, n - k).expand(*x.shape[:-2], -1, -1)], dim=-1)
            a = x - x.mH                                # skew-symmetric (skew-Hermitian)
            if self.orthogonal_map == "matrix_exp":
                q = linalg.matrix_exp(a)
            else:                                       # (I + A/2)(I - A/2)^-1
                identity = eye(n, dtype=a.dtype)
                q = linalg.solve(identity.add(a, alpha=-0.5), identity.add(a, alpha=0.5))
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (a * a).sum(dim=-2))
            q = linalg.householder_product(a, tau)
            # x's diagonal holds +-1: which reflectors are flipped (not differentiated)
            q = q * x.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            q = self.base @ q
        return q.mT if transposed else q

    @no_grad()
    def right_inverse(self, q: Tensor) -> Tensor:
        if q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {q.shape}.")
        q_init = q
        n, k = q.shape[-2], q.shape[-1]
        transpose = n < k
        if transpose:
            q = q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map in ("matrix_exp", "cayley"):
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley "
                    "parametrizations when use_trivialization=False.")
            # Householder: q made orthogonal by a QR with a non-negative diagonal of R
            # (the sign of R's diagonal; flipped where LAPACK used no reflector, tau == 0)
            a, tau = geqrf(q)
            signs = a.diagonal(dim1=-2, dim2=-1).sign()
            a = a.diagonal_scatter(where(tau == 0.0, -signs, signs), dim1=-2, dim2=-1)
            return a.mT if transpose else a
        if n == k:
            q = q.clone() if _is_orthogonal(q) else _make_orthogonal(q)
        else:
            # completed to a full n x n orthogonal matrix with random columns
            extra = _random.randn(*q.shape[:-2], n, n - k, dtype=q.dtype)
            q = _make_orthogonal(cat([q, extra], dim=-1))
        self.base = q
        # -I, so that householder(zeros) is the identity
        neg_id = zeros_like(q_init)
        return neg_id.diagonal_scatter(neg_id.diagonal(dim1=-2, dim2=-1) - 1.0,
                                       dim1=-2, dim2=-1)


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Makes `module.<name>` (a matrix, or a batch of them, shape (..., m, n)) orthogonal:
    orthonormal columns if m >= n, rows otherwise (unitary when complex).

    orthogonal_map: "matrix_exp" (default for square or complex weights), "cayley" or
    "householder" (default otherwise). use_trivialization: keep a `base` buffer (the
    "dynamic trivialization"); the weight then starts as the current one made orthogonal.

    PyTorch parity: a non-square weight is completed with columns drawn from
    functorch_like's generator, so `base` differs from torch's for the same seed (the
    weight's own columns agree).
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = ("matrix_exp" if weight.shape[-2] == weight.shape[-1]
                          or weight.is_complex() else "householder")
    if orthogonal_map not in _MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
