"""Wishart(df, covariance_matrix | precision_matrix | scale_tril): the distribution of
sum_i x_i x_i^T over df draws x_i ~ N(0, Sigma), positive-definite (p, p) matrices."""

from __future__ import annotations

import math
import warnings
from numbers import Number

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from . import constraints
from .distribution import ExponentialFamily
from .gamma_family import Chi2
from .multivariate_normal import _precision_to_scale_tril, expand_matrices
from .utils import lazy_property

__all__ = ["Wishart"]


def _mvdigamma(x, p: int):
    """The multivariate digamma: sum over i < p of digamma(x - i / 2)."""
    return torch.digamma(x.unsqueeze(-1) - 0.5 * torch.arange(p, dtype=x.dtype)).sum(-1)


class Wishart(ExponentialFamily):
    """Wishart over (p, p) positive-definite matrices with `df` degrees of freedom.

    Args:
      df: degrees of freedom > p - 1 (float or Tensor of the batch shape).
      covariance_matrix, precision_matrix, scale_tril: exactly one, (*batch, p, p): the
        scale matrix Sigma, its inverse, or its lower Cholesky factor.

    rsample is Bartlett's decomposition (Sigma^1/2 A A^T Sigma^1/2^T with A lower
    triangular, chi-distributed diagonal and normal entries below it).
    PyTorch parity: torch's rsample redraws singular samples (`max_try_correction`), which
    arise for df < p; the argument is accepted and such samples are returned as drawn.
    """

    support = constraints.positive_definite
    has_rsample = True

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None) -> None:
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        if sum(v is not None for v in given.values()) != 1:
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or "
                                 "scale_tril may be specified.")
        name, matrix = next((k, v) for k, v in given.items() if v is not None)
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if isinstance(df, Number):
            batch_shape = matrix.shape[:-2]
            self.df = torch.tensor(df, dtype=matrix.dtype)
        else:
            batch_shape = torch.broadcast_shapes(matrix.shape[:-2], df.shape)
            self.df = df.expand(batch_shape)
        event_shape = matrix.shape[-2:]
        p = event_shape[-1]
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = "
                             f"{p - 1}.")
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = scale_tril
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = torch.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)
        if bool((self.df < p).any()):
            warnings.warn("Low df values detected. Singular samples are highly likely to "
                          "occur for ndim - 1 < df < ndim.", stacklevel=2)
        # (the chi-squared degrees of freedom of Bartlett's diagonal: df - i for row i)
        self._dist_chi2 = Chi2(self.df.unsqueeze(-1)
                               - torch.arange(p, dtype=self.df.dtype).expand(
                                   batch_shape + (-1,)))

    @property
    def arg_constraints(self) -> dict:
        # (df's bound depends on the matrices' size)
        return {"covariance_matrix": constraints.positive_definite,
                "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky,
                "df": constraints.greater_than(self._event_shape[-1] - 1)}

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = torch.Size(batch_shape)
        cov_shape = batch_shape + self.event_shape
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(cov_shape)
        new.df = self.df.expand(batch_shape)
        expand_matrices(self, new, cov_shape)
        new._dist_chi2 = self._dist_chi2.expand(batch_shape + self.event_shape[-1:])
        super(Wishart, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return (L @ L.transpose(-2, -1)).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self):
        eye = torch.eye(self._event_shape[-1], dtype=self.df.dtype)
        return torch.cholesky_solve(eye, self._unbroadcasted_scale_tril).expand(
            self._batch_shape + self._event_shape)

    @property
    def mean(self):
        return self.df.view(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor = torch.where(factor <= 0, torch.full_like(factor, math.nan), factor)
        return factor.view(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def variance(self):
        cov = self.covariance_matrix
        diagonal = cov.diagonal(dim1=-2, dim2=-1)
        return self.df.view(self._batch_shape + (1, 1)) * (
            cov.square() + torch.einsum("...i,...j->...ij", diagonal, diagonal))

    def rsample(self, sample_shape=(), max_try_correction=None):
        del max_try_correction
        sample_shape = torch.Size(sample_shape)
        chi = self._dist_chi2.rsample(sample_shape).sqrt()
        noise = torch.randn(self._extended_shape(sample_shape), dtype=chi.dtype).tril(-1)
        A = noise + torch.diag_embed(chi)
        LA = self._unbroadcasted_scale_tril @ A
        return LA @ LA.transpose(-2, -1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        p = self._event_shape[-1]
        nu = self.df
        L = self._unbroadcasted_scale_tril
        # tr(Sigma^-1 X) through the factor: Sigma^-1 X = L^-T L^-1 X
        solved = torch.cholesky_solve(value, L)
        trace = solved.diagonal(dim1=-2, dim2=-1).sum(-1)
        half_log_det_sigma = L.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return (0.5 * (nu - p - 1) * torch.linalg.slogdet(value).logabsdet - 0.5 * trace
                - 0.5 * nu * p * math.log(2) - nu * half_log_det_sigma
                - torch.mvlgamma(0.5 * nu, p))

    def entropy(self):
        p = self._event_shape[-1]
        nu = self.df
        half_log_det_sigma = self._unbroadcasted_scale_tril.diagonal(
            dim1=-2, dim2=-1).log().sum(-1)
        return ((p + 1) * half_log_det_sigma + 0.5 * p * (p + 1) * math.log(2)
                + torch.mvlgamma(0.5 * nu, p) - 0.5 * (nu - p - 1) * _mvdigamma(0.5 * nu, p)
                + 0.5 * nu * p)

    @property
    def _natural_params(self):
        return (-0.5 * self.precision_matrix, 0.5 * (self.df - self._event_shape[-1] - 1))

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        return ((y + 0.5 * (p + 1)) * (-torch.linalg.slogdet(-2 * x).logabsdet
                                       + p * math.log(2))
                + torch.mvlgamma(y + 0.5 * (p + 1), p))
