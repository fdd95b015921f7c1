"""torch's refusals of float16/bfloat16 matrices in linear algebra on the CPU.

JAX's solvers have no half kernels either, and raised their own errors from deep inside
(`NotImplementedError: (KeyError(<class 'numpy.float16'>), 'Unsupported dtype
float16.')`, `data type bfloat16 not inexact`), or computed where torch refuses (det,
solve_triangular). Each rule is torch 2.13's exception for that function: a kernel it has
no half version of, or its own "Low precision dtypes not supported" check. The wrappers
are installed in the package's `__init__` (torch.linalg.*, torch.*, Tensor methods).
"""

from __future__ import annotations

import functools

from . import _autocast_state, _dtypes

_LOW = (RuntimeError, "{what}: Low precision dtypes not supported. Got {name}")
_ONLY_FLOAT = (RuntimeError, "This function doesn't handle types other than float and double")
_PINV = (RuntimeError, "linalg.pinv({name}{{{shape}}}): expected a tensor with 2 or more "
                       "dimensions of float, double, cfloat or cdouble types")


def _kernel(kernel: str) -> tuple:
    return (NotImplementedError, f'"{kernel}" not implemented for \'{{name}}\'')


_LINALG = {
    "inv": (_LOW, "linalg.inv"), "inv_ex": (_LOW, "linalg.inv"),
    "tensorinv": (_LOW, "linalg.inv"), "slogdet": (_LOW, "linalg.slogdet"),
    "pinv": (_PINV, ""), "matrix_rank": (_ONLY_FLOAT, ""), "lstsq": (_ONLY_FLOAT, ""),
    **{name: (_kernel("lu_cpu"), "") for name in
       ("det", "lu", "lu_factor", "lu_factor_ex", "solve", "solve_ex")},
    **{name: (_kernel("cholesky_cpu"), "") for name in ("cholesky", "cholesky_ex")},
    **{name: (_kernel("linalg_eig_out_cpu"), "") for name in ("eig", "eigvals")},
    **{name: (_kernel("linalg_eigh_cpu"), "") for name in ("eigh", "eigvalsh")},
    **{name: (_kernel("linalg_svd_cpu"), "") for name in ("svd", "svdvals", "cond")},
    "qr": (_kernel("geqrf_cpu"), ""), "solve_triangular": (_kernel("triangular_solve_cpu"), ""),
    "householder_product": (_kernel("orgqr_cpu"), ""),
}
# torch.* and Tensor methods of the same names (legacy forms)
_TORCH = {
    "det": (_kernel("lu_cpu"), ""), "logdet": (_LOW, "logdet"),
    "slogdet": (_LOW, "linalg.slogdet"), "inverse": (_LOW, "linalg.inv"),
    "cholesky": (_kernel("cholesky_cpu"), ""), "svd": (_kernel("linalg_svd_cpu"), ""),
    "qr": (_kernel("geqrf_cpu"), ""), "pinverse": (_PINV, ""),
    "cholesky_inverse": (_kernel("cholesky_inverse_out_cpu"), ""),
}


# The ones on torch's CPU autocast float32 list: under autocast their half inputs go up
# to float32 (and so does the result), where the others still refuse.
_AUTOCAST_FP32 = frozenset("""
    inv inv_ex tensorinv svd svdvals cond cholesky cholesky_ex qr eigh eigvalsh eig eigvals
    solve lstsq matrix_rank householder_product inverse pinverse cholesky_inverse
""".split())
_LOW_DTYPES = (_dtypes.float16, _dtypes.bfloat16)


def _checked(fn, name: str, rule: tuple, tensor_cls, fp32_under_autocast: bool):
    (error, template), what = rule

    def up(x):
        return x.float() if isinstance(x, tensor_cls) and x.dtype in _LOW_DTYPES else x

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        a = args[0] if args else next(iter(kwargs.values()), None)
        if isinstance(a, tensor_cls) and a.dtype in _LOW_DTYPES:
            if _autocast_state.cast is not None and fp32_under_autocast:
                return fn(*map(up, args), **{k: up(v) for k, v in kwargs.items()})
            raise error(template.format(what=what, name=_dtypes.scalar_type_name(a.dtype),
                                        shape=list(a.shape)))
        return fn(*args, **kwargs)
    return checked


def install(linalg, namespace: dict, tensor_cls) -> None:
    """Wraps the functions of the tables in `linalg` (the module), `namespace` (the
    package's globals) and the Tensor methods of the _TORCH names."""
    for name, rule in _LINALG.items():
        if hasattr(linalg, name):
            setattr(linalg, name, _checked(getattr(linalg, name), name, rule, tensor_cls,
                                           name in _AUTOCAST_FP32))
    for name, rule in _TORCH.items():
        fp32 = name in _AUTOCAST_FP32
        if name in namespace:
            namespace[name] = _checked(namespace[name], name, rule, tensor_cls, fp32)
        if hasattr(tensor_cls, name):
            setattr(tensor_cls, name, _checked(getattr(tensor_cls, name), name, rule,
                                               tensor_cls, fp32))
