"""torch.special: special functions (those jax.scipy.special provides), with torch's names.

Aliases of ops in the torch namespace (erf, expit = sigmoid, gammaln = lgamma, psi =
digamma, ...) are the same functions; the rest are elementwise ops through the dispatch
point, integer inputs going to the default float dtype.
"""

from __future__ import annotations

import jax.numpy as jnp
import jax.scipy.special as jss

from . import _ops_elementwise as E
from . import _ops_math as M
from ._methods import log_softmax as log_softmax
from ._methods import softmax as softmax
from ._ops_reduce import logsumexp as logsumexp
from ._special_more import no_complex, no_half
from .pure import _pole_grads

erf = M.erf
erfc = E.erfc
erfinv = E.erfinv
expit = M.sigmoid
logit = E.logit
gammaln = E.lgamma
digamma = psi = E.digamma
polygamma = E.polygamma
xlogy = E.xlogy
log1p = M.log1p
expm1 = M.expm1
exp2 = M.exp2
i0 = E.i0
sinc = E.sinc
round = M.round      # noqa: A001  (torch.special.round)

# (real-only kernels: a complex input raises torch's error, where JAX's raised TypeError)
i0e = no_complex(M._unary(jss.i0e, "SpecialI0EBackward0"), "i0e_cpu")
i1 = no_complex(M._unary(jss.i1, "SpecialI1Backward0"), "i1_cpu")
i1e = no_complex(M._unary(jss.i1e, "SpecialI1EBackward0"), "i1e_cpu")


def _ndtr(x):
    # torch computes a half input in float32 and rounds; JAX's ndtr refuses half types
    if x.dtype in (jnp.float16, jnp.bfloat16):
        return jss.ndtr(x.astype(jnp.float32)).astype(x.dtype)
    return jss.ndtr(x)


ndtr = no_complex(M._unary(_ndtr, "SpecialNdtrBackward0"), "erf_vml_cpu")
ndtri = no_complex(no_half(M._unary(_pole_grads.ndtri, "SpecialNdtriBackward0"), "ndtri_cpu"),
                   "ndtri_cpu")
log_ndtr = no_complex(no_half(M._unary(jss.log_ndtr, "SpecialLogNdtrBackward0"),
                              "log_ndtr_cpu"), "log_ndtr_cpu")
entr = no_complex(M._unary(jss.entr, "SpecialEntrBackward0"), "entr_cpu")


def _f_xlog1py(x, y, *, dtype):
    return E.x_times_log(M._cast(x, dtype), M._cast(y, dtype), jnp.log1p, -1)


def xlog1py(input, other):
    """input * log1p(other), 0 where input == 0 (and other is not NaN)."""
    return M._binary(_f_xlog1py, "SpecialXlog1PyBackward0", input, other, float_result=True)


__all__ = [
    "erf", "erfc", "erfinv", "expit", "logit", "gammaln", "digamma", "psi", "polygamma",
    "xlogy", "xlog1py", "entr", "log1p", "expm1", "exp2", "i0", "i0e", "i1", "i1e", "ndtr",
    "ndtri", "log_ndtr", "sinc", "round", "logsumexp", "softmax", "log_softmax",
]

# Bessel/Airy functions, erfcx, incomplete gamma, zeta, multigammaln, orthogonal polynomials.
from ._special_more import *  # noqa: E402,F401,F403
from ._special_more import __all__ as _more_names  # noqa: E402

__all__ += [n for n in _more_names if n not in ("igamma", "igammac", "mvlgamma")]
