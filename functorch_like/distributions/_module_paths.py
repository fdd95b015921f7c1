"""torch.distributions' per-family modules (`from torch.distributions.beta import Beta`)
for the families this package defines in shared files: each is a module object holding
its classes, put in sys.modules under torch's name."""

from __future__ import annotations

import sys
import types

# torch's module name -> the classes it holds (torch.distributions.<name>.__all__)
_PATHS = {
    "beta": ["Beta"], "binomial": ["Binomial"], "cauchy": ["Cauchy"], "chi2": ["Chi2"],
    "exp_family": ["ExponentialFamily"], "exponential": ["Exponential"],
    "fishersnedecor": ["FisherSnedecor"], "generalized_pareto": ["GeneralizedPareto"],
    "geometric": ["Geometric"], "gumbel": ["Gumbel"], "half_cauchy": ["HalfCauchy"],
    "half_normal": ["HalfNormal"], "inverse_gamma": ["InverseGamma"], "laplace": ["Laplace"],
    "log_normal": ["LogNormal"], "multinomial": ["Multinomial"],
    "negative_binomial": ["NegativeBinomial"],
    "one_hot_categorical": ["OneHotCategorical", "OneHotCategoricalStraightThrough"],
    "pareto": ["Pareto"], "relaxed_bernoulli": ["LogitRelaxedBernoulli", "RelaxedBernoulli"],
    "relaxed_categorical": ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"],
    "studentT": ["StudentT"], "weibull": ["Weibull"],
}


def install(package_name: str) -> None:
    """Makes `package.<name>` and `import package.<name>` work for every entry (the
    package named, already imported up to its classes)."""
    package = sys.modules[package_name]
    for name, classes in _PATHS.items():
        module = types.ModuleType(f"{package.__name__}.{name}")
        for cls in classes:
            setattr(module, cls, getattr(package, cls))
        module.__all__ = list(classes)
        sys.modules[module.__name__] = module
        setattr(package, name, module)
