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
from .constraint_registry import biject_to as biject_to
from .constraint_registry import transform_to as transform_to
from .continuous_bernoulli import ContinuousBernoulli as ContinuousBernoulli
from .discrete_counts import Geometric as Geometric
from .discrete_counts import Multinomial as Multinomial
from .discrete_counts import NegativeBinomial as NegativeBinomial
from .extreme_value import GeneralizedPareto as GeneralizedPareto
from .extreme_value import Gumbel as Gumbel
from .extreme_value import Pareto as Pareto
from .extreme_value import Weibull as Weibull
from .gamma_family import Chi2 as Chi2
from .gamma_family import FisherSnedecor as FisherSnedecor
from .gamma_family import InverseGamma as InverseGamma
from .half import HalfCauchy as HalfCauchy
from .half import HalfNormal as HalfNormal
from .kumaraswamy import Kumaraswamy as Kumaraswamy
from .logistic_normal import LogisticNormal as LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal as LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily as MixtureSameFamily
from .relaxed import ExpRelaxedCategorical as ExpRelaxedCategorical
from .relaxed import LogitRelaxedBernoulli as LogitRelaxedBernoulli
from .relaxed import RelaxedBernoulli as RelaxedBernoulli
from .relaxed import RelaxedOneHotCategorical as RelaxedOneHotCategorical
from .transforms_elementwise import AbsTransform as AbsTransform
from .transforms_elementwise import CumulativeDistributionTransform as CumulativeDistributionTransform
from .transforms_elementwise import PowerTransform as PowerTransform
from .transforms_matrix import CorrCholeskyTransform as CorrCholeskyTransform
from .transforms_matrix import LowerCholeskyTransform as LowerCholeskyTransform
from .transforms_matrix import PositiveDefiniteTransform as PositiveDefiniteTransform
from .transforms_matrix import SoftmaxTransform as SoftmaxTransform
from .transforms_matrix import StickBreakingTransform as StickBreakingTransform
from .transforms_structured import CatTransform as CatTransform
from .transforms_structured import IndependentTransform as IndependentTransform
from .transforms_structured import ReshapeTransform as ReshapeTransform
from .transforms_structured import StackTransform as StackTransform
from .lkj_cholesky import LKJCholesky as LKJCholesky
from .von_mises import VonMises as VonMises
from .wishart import Wishart as Wishart
from . import kl_more as _kl_more  # noqa: F401  (registers the new families' KL pairs)
from . import kl_pairs_more as _kl_pairs_more  # noqa: F401  (the remaining cross pairs)

__all__ = [
    "constraints", "transforms", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy",
    "Dirichlet", "Distribution", "Exponential", "ExponentialFamily", "Gamma", "Independent",
    "Laplace", "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "Poisson", "StudentT", "TransformedDistribution",
    "Uniform", "kl_divergence", "register_kl", "AffineTransform", "ComposeTransform",
    "ExpTransform", "SigmoidTransform", "SoftplusTransform", "TanhTransform", "Transform",
    "identity_transform",
    # added with the remaining families and transforms
    "biject_to", "transform_to", "Chi2", "ContinuousBernoulli", "ExpRelaxedCategorical",
    "FisherSnedecor", "GeneralizedPareto", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal",
    "InverseGamma", "Kumaraswamy", "LKJCholesky", "LogisticNormal", "LogitRelaxedBernoulli",
    "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial", "NegativeBinomial",
    "Pareto", "RelaxedBernoulli", "RelaxedOneHotCategorical", "VonMises", "Weibull", "Wishart",
    "AbsTransform", "CatTransform", "CorrCholeskyTransform",
    "CumulativeDistributionTransform", "IndependentTransform", "LowerCholeskyTransform",
    "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SoftmaxTransform",
    "StackTransform", "StickBreakingTransform",
]

from . import _module_paths  # noqa: E402

_module_paths.install(__name__)
