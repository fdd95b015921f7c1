"""torch.distributions: probability distributions with PyTorch's API.

Parameters and results are Tensors, so log_prob/entropy/cdf/KL are differentiable by
`.backward()`; `rsample` is reparameterized. Draws use the global generator
(`torch.manual_seed` reproduces them; inside functorch_like.compile the key is threaded
as state) and are JAX's streams, not PyTorch's.
"""

from . import constraints as constraints
from . import transforms as transforms
from .bernoulli import Bernoulli as Bernoulli
from .bernoulli import Binomial as Binomial
from .categorical import Categorical as Categorical
from .categorical import OneHotCategorical as OneHotCategorical
from .categorical import OneHotCategoricalStraightThrough as OneHotCategoricalStraightThrough
from .dirichlet import Beta as Beta
from .dirichlet import Dirichlet as Dirichlet
from .distribution import Distribution as Distribution
from .distribution import ExponentialFamily as ExponentialFamily
from .gamma import Exponential as Exponential
from .gamma import Gamma as Gamma
from .independent import Independent as Independent
from .kl import kl_divergence as kl_divergence
from .kl import register_kl as register_kl
from .location_scale import Cauchy as Cauchy
from .location_scale import Laplace as Laplace
from .location_scale import StudentT as StudentT
from .multivariate_normal import MultivariateNormal as MultivariateNormal
from .normal import Normal as Normal
from .poisson import Poisson as Poisson
from .transformed_distribution import LogNormal as LogNormal
from .transformed_distribution import TransformedDistribution as TransformedDistribution
from .transforms import AffineTransform as AffineTransform
from .transforms import ComposeTransform as ComposeTransform
from .transforms import ExpTransform as ExpTransform
from .transforms import SigmoidTransform as SigmoidTransform
from .transforms import SoftplusTransform as SoftplusTransform
from .transforms import TanhTransform as TanhTransform
from .transforms import Transform as Transform
from .transforms import identity_transform as identity_transform
from .uniform import Uniform as Uniform

__all__ = [
    "constraints", "transforms", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy",
    "Dirichlet", "Distribution", "Exponential", "ExponentialFamily", "Gamma", "Independent",
    "Laplace", "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "Poisson", "StudentT", "TransformedDistribution",
    "Uniform", "kl_divergence", "register_kl", "AffineTransform", "ComposeTransform",
    "ExpTransform", "SigmoidTransform", "SoftplusTransform", "TanhTransform", "Transform",
    "identity_transform",
]
