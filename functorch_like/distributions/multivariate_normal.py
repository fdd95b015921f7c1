"""MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)."""

from __future__ import annotations

import math

import jax.numpy as jnp
from jax.scipy.linalg import solve_triangular

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from .._tensor import apply
from . import constraints
from .distribution import Distribution
from .utils import lazy_property

__all__ = ["MultivariateNormal"]


def _f_solve_tril(L, B):
    # L^{-1} B for lower-triangular L (..., n, n), batch dims broadcast.
    batch = jnp.broadcast_shapes(L.shape[:-2], B.shape[:-2])
    return solve_triangular(jnp.broadcast_to(L, batch + L.shape[-2:]),
                            jnp.broadcast_to(B, batch + B.shape[-2:]), lower=True)


def _f_mahalanobis(L, x):
    # |L^{-1} x|^2 over the last dim of x (..., n); result of the broadcast batch shape.
    return jnp.square(_f_solve_tril(L, x[..., None])[..., 0]).sum(-1)


def _precision_to_scale_tril(P):
    """The lower Cholesky factor of P^{-1}, through a flipped Cholesky of P, in torch's
    ops: a P that is not positive-definite raises linalg.cholesky's error (jnp's Cholesky
    gave NaN)."""
    Lf = torch.linalg.cholesky(P.flip((-2, -1)))
    L_inv = Lf.flip((-2, -1)).transpose(-2, -1)
    eye = torch.eye(P.shape[-1], dtype=P.dtype)
    return torch.linalg.solve_triangular(L_inv, eye, upper=False)


def expand_matrices(source, new, shape) -> None:
    """expand()'s copy of whichever of covariance_matrix, scale_tril and precision_matrix
    `source` holds (given or already computed), expanded to `shape`, onto `new`."""
    for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
        if name in source.__dict__:
            setattr(new, name, source.__dict__[name].expand(shape))


def _f_cholesky_inverse(L):
    eye = jnp.broadcast_to(jnp.eye(L.shape[-1], dtype=L.dtype), L.shape)
    L_inv = solve_triangular(L, eye, lower=True)
    return jnp.swapaxes(L_inv, -2, -1) @ L_inv


def _batch_mahalanobis(L, x):
    """x^T (L L^T)^{-1} x for lower-triangular L (*bL, n, n) and x (*bx, n)."""
    return apply(_f_mahalanobis, "MahalanobisBackward", L, x)


def _solve_tril(L, B):
    """L^{-1} B for lower-triangular L, as torch.linalg.solve_triangular(upper=False)."""
    return apply(_f_solve_tril, "LinalgSolveTriangularBackward0", L, B)


def _half_log_det(L):
    return L.diagonal(dim1=-2, dim2=-1).log().sum(-1)


class MultivariateNormal(Distribution):
    """Multivariate normal with mean `loc` and one of three covariance parameterizations.

    Args:
      loc: (*batch, n) mean.
      covariance_matrix: (*batch, n, n) positive-definite covariance, or
      precision_matrix: (*batch, n, n) positive-definite inverse covariance, or
      scale_tril: (*batch, n, n) lower-triangular factor with positive diagonal.

    event_shape is (n,); batch_shape is the broadcast of the parameters' batch shapes.
    """

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if ((covariance_matrix is not None) + (scale_tril is not None)
                + (precision_matrix is not None)) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        given = {"scale_tril": scale_tril, "covariance_matrix": covariance_matrix,
                 "precision_matrix": precision_matrix}
        name, matrix = next((k, v) for k, v in given.items() if v is not None)
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        batch_shape = torch.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = torch.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = torch.Size(batch_shape)
        cov_shape = batch_shape + self.event_shape + self.event_shape
        new.loc = self.loc.expand(batch_shape + self.event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        expand_matrices(self, new, cov_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self, matrix):
        return matrix.expand(self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def scale_tril(self):
        return self._full(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return self._full(torch.matmul(L, L.mT))

    @lazy_property
    def precision_matrix(self):
        return self._full(apply(_f_cholesky_inverse, "CholeskyInverseBackward0",
                                self._unbroadcasted_scale_tril))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = torch.randn(shape, dtype=self.loc.dtype)
        return self.loc + torch.matmul(self._unbroadcasted_scale_tril,
                                       eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = _half_log_det(self._unbroadcasted_scale_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self):
        half_log_det = _half_log_det(self._unbroadcasted_scale_tril)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        if len(self._batch_shape) == 0:
            return H
        return H.expand(self._batch_shape)
