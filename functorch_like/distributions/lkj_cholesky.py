"""LKJCholesky(dim, concentration): the LKJ distribution over correlation matrices,
given by their lower Cholesky factors (Lewandowski, Kurowicka and Joe, 2009)."""

from __future__ import annotations

import math

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from . import constraints
from .dirichlet import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """Cholesky factors L of correlation matrices C = L L^T with density proportional to
    det(C)^(concentration - 1).

    Args:
      dim: the matrices' size (>= 2); event_shape is (dim, dim).
      concentration: eta > 0 (float or Tensor of the batch shape); 1 is uniform over
        correlation matrices, larger values favour the identity.

    Sampling is the onion method (row k's squared length below the diagonal a
    Beta(k/2, eta + (dim - 2)/2 - (k - 1)/2) draw, its direction uniform on the sphere);
    the random stream is this library's, not torch's.

    PyTorch parity: log_prob is torch's. torch 2.13's sampler draws row k's length from
    Beta(k - 1/2, ...) instead, so its samples are not LKJ-distributed past the second row
    (dim 4, eta 2: off-diagonal variances of about 0.185 where the LKJ marginal, which
    every entry shares, has 1/7); these samples follow the LKJ marginals.
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration=1.0, validate_args=None) -> None:
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. "
                             f"Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        batch_shape = self.concentration.size()
        event_shape = torch.Size((dim, dim))
        # Row i (1-based, i >= 2) of L has squared length below the diagonal ~ Beta(a, b)
        # with a = (i - 1) / 2 and b = eta + (dim - i) / 2.
        half_rows = 0.5 * torch.arange(self.dim - 1, dtype=self.concentration.dtype)
        a = half_rows + 0.5
        b = (self.concentration.unsqueeze(-1) + 0.5 * (self.dim - 2)) - half_rows
        self._beta = Beta(a.expand(b.shape), b)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = torch.Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim - 1,))
        super(LKJCholesky, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=()):
        with torch.no_grad():
            lengths2 = self._beta.sample(sample_shape).unsqueeze(-1)     # (..., dim - 1, 1)
            shape = self._extended_shape(sample_shape)
            directions = torch.randn(shape, dtype=lengths2.dtype).tril(-1)
            directions = directions / directions.norm(dim=-1, keepdim=True).clamp_min(
                torch.finfo(lengths2.dtype).tiny)
            # (row 0 has no entries below the diagonal; rows 1.. scale their direction)
            scale = torch.cat([torch.zeros_like(lengths2[..., :1, :]), lengths2.sqrt()],
                              dim=-2)
            w = directions * scale
            diagonal = (1 - w.square().sum(-1)).clamp(min=torch.finfo(w.dtype).tiny).sqrt()
            return w + torch.diag_embed(diagonal)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # log det(C)^(eta - 1) in terms of L's diagonal, with the Jacobian of C -> L:
        # sum over i = 2..dim of (dim - i + 2 (eta - 1)) log L_ii
        diagonal = value.diagonal(dim1=-2, dim2=-1)[..., 1:]
        powers = (2 * (self.concentration.unsqueeze(-1) - 1)
                  + (self.dim - torch.arange(2, self.dim + 1, dtype=diagonal.dtype)))
        unnormalized = (powers * diagonal.log()).sum(-1)
        # The normalizing constant of the LKJ density (their eq. 16), as multivariate
        # gammas: log c = (dim - 1)/2 log(pi) + mvlgamma(eta + (dim - 2)/2, dim - 1)
        #                 - (dim - 1) lgamma(eta + (dim - 1)/2)
        m = self.dim - 1
        alpha = self.concentration + 0.5 * m
        log_c = (0.5 * m * math.log(math.pi) + torch.mvlgamma(alpha - 0.5, m)
                 - m * torch.lgamma(alpha))
        return unnormalized - log_c
