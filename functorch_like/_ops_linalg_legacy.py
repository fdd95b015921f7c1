"""Legacy top-level linear algebra of the torch namespace: cholesky_solve,
cholesky_inverse, cholesky, qr, chain_matmul, ger, vdot, adjoint, nuclear_norm,
frobenius_norm, orgqr, ormqr and geqrf.

The deprecated ones warn with PyTorch's text (a UserWarning; PyTorch warns once per
process, Python's default filter once per call site).
"""

from __future__ import annotations

import builtins
import warnings

import jax
import jax.numpy as jnp

from . import _dtypes
from . import _ops_linalg as LA
from . import _ops_math as M
from . import _ops_shape as S
from ._ops_linalg_lu import _broadcast_batches
from ._ops_linalg_more import check_householder, householder_product, householder_q
from ._ops_linalg_svd import qr as linalg_qr
from ._ops_reduce import named_result
from ._tensor import Tensor, apply


# ---- Cholesky-based solves ------------------------------------------------------------------

def _factor_product(l, upper):
    """A = L L^H (U^H U when `upper`) with the value of L's triangle (what LAPACK's potrs
    and potri read) but the gradient of the full L: PyTorch's backward formulas for
    cholesky_solve / cholesky_inverse use the whole input matrix."""
    tri = jnp.triu(l) if upper else jnp.tril(l)
    l = l + jax.lax.stop_gradient(tri - l)
    lh = jnp.conj(jnp.swapaxes(l, -1, -2))
    return lh @ l if upper else l @ lh


def _f_cholesky_solve(b, l, *, upper):
    b, l = _broadcast_batches((b, 2), (l, 2))
    return jnp.linalg.solve(_factor_product(l, upper), b)


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """X with A X = B for B = `input` (*, n, k) and A = L L^H given by its Cholesky factor
    L = `input2` (*, n, n) (A = U^H U when `upper`); batch dims broadcast.

    PyTorch parity: solved as (L L^H) X = B rather than by two triangular solves, so values
    agree to rounding; gradients use PyTorch's formulas (the whole of `input2`).
    """
    for t, name in ((input, "b"), (input2, "u")):
        if t.ndim < 2:
            raise RuntimeError(f"{name} should have at least 2 dimensions, but has {t.ndim} "
                               "dimensions instead")
    if input.dtype != input2.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_dtypes.scalar_type_name(input.dtype)} and A of type "
                           f"{_dtypes.scalar_type_name(input2.dtype)} instead.")
    if input2.shape[-1] != input2.shape[-2] or input.shape[-2] != input2.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{input2.shape[-2]} by {input2.shape[-1]} but each b matrix is "
                           f"{input.shape[-2]} by {input.shape[-1]}")
    return apply(_f_cholesky_solve, "CholeskySolveBackward0", input, input2, upper=upper)


def _f_cholesky_inverse(l, *, upper):
    return jnp.linalg.inv(_factor_product(l, upper))


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """The inverse of A = L L^H (U^H U when `upper`) from its Cholesky factor (*, n, n)."""
    LA.check_matrix(input, "cholesky_inverse")
    return apply(_f_cholesky_inverse, "CholeskyInverseBackward0", input, upper=upper)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated): linalg.cholesky, or its conjugate transpose U when
    `upper`."""
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in "
        "a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
        "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs.",
        UserWarning, stacklevel=2)
    LA.check_matrix(input, "cholesky")
    return apply(LA._f_cholesky, "CholeskyBackward0", input, upper=upper, check="cholesky",
                 with_info=False)


def qr(input: Tensor, some: bool = True):
    """torch.qr (deprecated): linalg.qr with mode 'reduced' (`some`) or 'complete'."""
    warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
        "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning,
        stacklevel=2)
    return named_result("qr", ("Q", "R"))(*linalg_qr(input, "reduced" if some else
                                                     "complete"))


# ---- products ----------------------------------------------------------------------------

def chain_matmul(*matrices: Tensor) -> Tensor:
    """torch.chain_matmul (deprecated): the product of 2-D matrices (linalg.multi_dot)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
        "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors "
        "rather than multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    from .linalg import multi_dot
    return multi_dot(matrices)


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """torch.ger: the outer product of two 1-D tensors (an alias of torch.outer)."""
    for t, name in ((input, "self"), (vec2, "vec2")):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return M.outer(input, vec2)


def _f_vdot(x, y):
    return jnp.vdot(x, y)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """sum(conj(input) * other) of two 1-D tensors of the same size and dtype."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if input.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_dtypes.scalar_type_name(input.dtype)} and "
                           f"{_dtypes.scalar_type_name(other.dtype)}")
    if input.shape[0] != other.shape[0]:
        n, k = input.shape[0], other.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{k}] to "
                           f"have the same number of elements, but got {n} and {k} elements "
                           "respectively")
    return apply(_f_vdot, "VdotBackward0", input, other)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (*, m, n) -> (*, n, m)."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {input.ndim}-D tensor.")
    out = S.transpose(input, -2, -1)
    return out.conj() if input.is_complex() else out


# ---- deprecated norms ----------------------------------------------------------------------

def nuclear_norm(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """torch.nuclear_norm (deprecated): the sum of singular values over `dim` (the last two
    dims when omitted); `nuclear_norm(x, True)` is keepdim, as PyTorch's overload."""
    warnings.warn(
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead", UserWarning, stacklevel=2)
    if isinstance(dim, builtins.bool):
        dim, keepdim = None, dim
    from .linalg import matrix_norm
    return matrix_norm(input, "nuc", (-2, -1) if dim is None else tuple(dim), keepdim)


def frobenius_norm(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """torch.frobenius_norm (deprecated): the 2-norm of the elements over `dim`."""
    warnings.warn(
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will "
        "be removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead", UserWarning, stacklevel=2)
    from .linalg import vector_norm
    return vector_norm(input, 2, dim, keepdim)


# ---- Householder QR pieces ----------------------------------------------------------------

def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """torch.orgqr: an alias of linalg.householder_product."""
    return householder_product(input, tau)


def _f_ormqr(a, tau, c, *, left, transpose):
    q = householder_q(a, tau, a.shape[-2])              # the full (*, m, m) Q
    q = jnp.conj(jnp.swapaxes(q, -1, -2)) if transpose else q
    return q @ c if left else c @ q


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True,
          transpose: bool = False) -> Tensor:
    """op(Q) @ other (other @ op(Q) when not `left`), Q (*, m, m) the product of the
    Householder reflectors in (input (*, m, n), tau (*, k)); op conjugate-transposes when
    `transpose`."""
    check_householder(input, tau, "torch.ormqr")
    m = input.shape[-2]
    if left and other.shape[-2] != m:
        raise RuntimeError("torch.ormqr: other.shape[-2] must be equal to input.shape[-2]")
    if not left and other.shape[-1] != m:
        raise RuntimeError("torch.ormqr: other.shape[-1] must be equal to input.shape[-2]")
    return apply(_f_ormqr, "OrmqrBackward0", input, tau, other, left=left,
                 transpose=transpose)


def _f_geqrf(a):
    # lax.linalg does not export geqrf; its primitive (LAPACK's geqrf) lives here.
    from jax._src.lax.linalg import geqrf as lax_geqrf
    return tuple(lax_geqrf(a))


def geqrf(input: Tensor):
    """(a, tau) of LAPACK's geqrf (called by both libraries on CPU): R on and above the
    diagonal of `a`, the Householder vectors below it, their scalars in tau (*, min(m, n)).

    PyTorch parity: PyTorch does not differentiate geqrf either (its backward raises).
    """
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    LA.check_float(input, "torch.geqrf")
    return named_result("geqrf", ("a", "tau"))(*apply(_f_geqrf, "GeqrfBackward0", input))


def _tensor_methods() -> dict:
    """The Tensor methods PyTorch has for these ops and the LU ones (bound in _methods)."""
    from ._ops_linalg_lu import torch_lu, torch_lu_solve, triangular_solve
    from ._ops_linalg_more import matrix_exp
    return {"lu": torch_lu, "lu_solve": torch_lu_solve, "triangular_solve": triangular_solve,
            "cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse,
            "cholesky": cholesky, "qr": qr, "matrix_exp": matrix_exp, "adjoint": adjoint,
            "ger": ger, "vdot": vdot, "orgqr": orgqr, "ormqr": ormqr, "geqrf": geqrf}
