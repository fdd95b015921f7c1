"""Transforms onto the simplex and onto (correlation) Cholesky factors: SoftmaxTransform,
StickBreakingTransform, LowerCholeskyTransform, PositiveDefiniteTransform and
CorrCholeskyTransform (torch.distributions.transforms), with the vector <-> lower-triangle
helpers they share."""

from __future__ import annotations

import math

import numpy as np

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from . import constraints
from .transforms import Transform

__all__ = ["SoftmaxTransform", "StickBreakingTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "CorrCholeskyTransform", "vec_to_tril_matrix",
           "tril_matrix_to_vec"]


def _tril_mask(n: int, diag: int):
    arange = np.arange(n)
    return arange[None, :] < arange[:, None] + (diag + 1)      # PyTorch's tril_mask


def vec_to_tril_matrix(vec, diag: int = 0):
    """(..., N) -> (..., D, D) lower-triangular, filled in row order below `diag`.

    A gather from the vector with a zero appended (instead of PyTorch's masked write), so
    gradients flow back to `vec`.
    """
    n_vec = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * n_vec + 4 * abs(diag) * (diag + 1))
         ** 0.5) / 2
    eps = torch.finfo(vec.dtype).eps
    if round(n) - n > eps:
        raise ValueError(f"The size of last dimension is {n_vec} which cannot be expressed "
                         "as the lower triangular part of a square D x D matrix.")
    n = round(n)
    mask = _tril_mask(n, diag).reshape(-1)
    index = np.full(n * n, n_vec)               # points at the appended zero
    index[mask] = np.arange(n_vec)
    padded = torch.cat([vec, vec.new_zeros(tuple(vec.shape[:-1]) + (1,))], -1)
    return padded[..., index].reshape(tuple(vec.shape[:-1]) + (n, n))


def tril_matrix_to_vec(mat, diag: int = 0):
    """(..., D, D) -> (..., N): the entries on and below `diag`, in row order."""
    n = mat.shape[-1]
    if mat.shape[-2] != n:
        raise ValueError("Input matrix must be square")   # PyTorch's checks the same way
    index = np.nonzero(_tril_mask(n, diag).reshape(-1))[0]
    return mat.reshape(tuple(mat.shape[:-2]) + (n * n,))[..., index]


def _clipped_sigmoid(x):
    finfo = torch.finfo(x.dtype)
    return torch.clamp(torch.sigmoid(x), min=finfo.tiny, max=1.0 - finfo.eps)


def _at_least_1d(shape):
    if len(shape) < 1:
        raise ValueError("Too few dimensions on input")


class _Parameterless(Transform):
    """Equal to any instance of its class (PyTorch's `isinstance` __eq__)."""

    def __eq__(self, other):
        return isinstance(other, type(self))

    __hash__ = Transform.__hash__


class SoftmaxTransform(_Parameterless):
    """y = exp(x) / sum(exp(x)) over the last dim: real vectors onto the simplex.

    Not bijective (inverse is log y, one of many preimages), as PyTorch's.
    """

    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        probs = (x - x.max(-1, True)[0]).exp()
        return probs / probs.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        _at_least_1d(shape)
        return shape

    inverse_shape = forward_shape


class StickBreakingTransform(_Parameterless):
    """Real vectors of length K onto the simplex of length K + 1, by stick breaking
    (iterated sigmoids, offset so that x = 0 maps to the uniform vector). Bijective."""

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def _call(self, x):
        pad = torch.nn.functional.pad
        offset = x.shape[-1] + 1 - x.new_ones(x.shape[-1]).cumsum(-1)
        z = _clipped_sigmoid(x - offset.log())
        z_cumprod = (1 - z).cumprod(-1)
        return pad(z, [0, 1], value=1) * pad(z_cumprod, [1, 0], value=1)

    def _inverse(self, y):
        y_crop = y[..., :-1]
        offset = y.shape[-1] - y.new_ones(y_crop.shape[-1]).cumsum(-1)
        # Clamped so that the stick left stays positive when y[-1] ~ 0 (PyTorch's guard).
        sf = torch.clamp(1 - y_crop.cumsum(-1), min=torch.finfo(y.dtype).tiny)
        return y_crop.log() - sf.log() + offset.log()

    def log_abs_det_jacobian(self, x, y):
        offset = x.shape[-1] + 1 - x.new_ones(x.shape[-1]).cumsum(-1)
        x = x - offset.log()
        # 1 - sigmoid(x) = exp(-x) * sigmoid(x)
        return (-x + torch.nn.functional.logsigmoid(x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        _at_least_1d(shape)
        return torch.Size(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        _at_least_1d(shape)
        return torch.Size(shape[:-1]) + (shape[-1] - 1,)


class LowerCholeskyTransform(_Parameterless):
    """Square matrices onto lower-triangular ones with positive diagonal: the strict lower
    triangle is kept, the diagonal exponentiated. No log_abs_det_jacobian, as PyTorch's."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(_Parameterless):
    """Square matrices onto positive-definite ones: L L^T with L = LowerCholesky(x)."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        x = LowerCholeskyTransform()(x)
        return x @ x.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(torch.linalg.cholesky(y))


class CorrCholeskyTransform(Transform):
    """Real vectors of length D(D-1)/2 onto Cholesky factors of D x D correlation matrices
    (lower triangular, positive diagonal, unit-norm rows): tanh, then a signed stick
    breaking per row (Stan's construction, as PyTorch's).

    log_abs_det_jacobian is w.r.t. the flattened strict lower triangle of y, as PyTorch's.
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        pad = torch.nn.functional.pad
        x = torch.tanh(x)
        eps = torch.finfo(x.dtype).eps
        x = x.clamp(min=-1 + eps, max=1 - eps)
        r = vec_to_tril_matrix(x, diag=-1)
        # y = sign(r) sqrt(z * cumprod(1 - z)) = r * sqrt(cumprod(1 - z)) with z = r^2.
        z = r**2
        z1m_cumprod_sqrt = (1 - z).sqrt().cumprod(-1)
        r = r + torch.eye(r.shape[-1], dtype=r.dtype)        # unit diagonal before scaling
        return r * pad(z1m_cumprod_sqrt[..., :-1], [1, 0], value=1)

    def _inverse(self, y):
        pad = torch.nn.functional.pad
        y_cumsum = 1 - torch.cumsum(y * y, dim=-1)
        y_cumsum_shifted = pad(y_cumsum[..., :-1], [1, 0], value=1)
        y_vec = tril_matrix_to_vec(y, diag=-1)
        y_cumsum_vec = tril_matrix_to_vec(y_cumsum_shifted, diag=-1)
        t = y_vec / y_cumsum_vec.sqrt()
        return (t.log1p() - t.neg().log1p()) / 2             # atanh

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        del intermediates       # accepted for PyTorch's signature; unused there too
        y1m_cumsum = 1 - (y * y).cumsum(dim=-1)
        # diag=-2 takes the shifted cumulative sums without padding.
        y1m_cumsum_tril = tril_matrix_to_vec(y1m_cumsum, diag=-2)
        stick_breaking_logdet = 0.5 * y1m_cumsum_tril.log().sum(-1)
        softplus = torch.nn.functional.softplus
        tanh_logdet = -2 * (x + softplus(-2 * x) - math.log(2.0)).sum(dim=-1)
        return stick_breaking_logdet + tanh_logdet

    def forward_shape(self, shape):
        _at_least_1d(shape)
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattened lower-diagonal number")
        return torch.Size(shape[:-1]) + (d, d)

    def inverse_shape(self, shape):
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-2] != shape[-1]:
            raise ValueError("Input is not square")
        d = shape[-1]
        return torch.Size(shape[:-2]) + (d * (d - 1) // 2,)
