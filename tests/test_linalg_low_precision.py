"""float16/bfloat16 matrices in linear algebra as torch 2.13 on the CPU: torch's
exception for each function (its kernel without a half version, or its "Low precision
dtypes not supported" check), where JAX's own errors came from inside the solvers or a
result was computed (det, solve_triangular); under CPU autocast, the functions on torch's
float32 list compute in float32 (they raised JAX errors) and the others still refuse."""

import warnings

import pytest
import torch

import functorch_like as fl

CALLS = {
    "linalg.inv": lambda L, a: L.linalg.inv(a),
    "linalg.inv_ex": lambda L, a: L.linalg.inv_ex(a).inverse,
    "linalg.tensorinv": lambda L, a: L.linalg.tensorinv(a, 1),
    "linalg.det": lambda L, a: L.linalg.det(a),
    "linalg.slogdet": lambda L, a: L.linalg.slogdet(a).logabsdet,
    "logdet": lambda L, a: L.logdet(a),
    "linalg.cholesky": lambda L, a: L.linalg.cholesky(a),
    "linalg.cholesky_ex": lambda L, a: L.linalg.cholesky_ex(a).L,
    "linalg.eig": lambda L, a: L.linalg.eig(a).eigenvalues,
    "linalg.eigvals": lambda L, a: L.linalg.eigvals(a),
    "linalg.eigh": lambda L, a: L.linalg.eigh(a).eigenvalues,
    "linalg.eigvalsh": lambda L, a: L.linalg.eigvalsh(a),
    "linalg.svd": lambda L, a: L.linalg.svd(a).S,
    "linalg.svdvals": lambda L, a: L.linalg.svdvals(a),
    "linalg.cond": lambda L, a: L.linalg.cond(a),
    "linalg.qr": lambda L, a: L.linalg.qr(a).R,
    "linalg.lu": lambda L, a: L.linalg.lu(a).U,
    "linalg.lu_factor": lambda L, a: L.linalg.lu_factor(a).LU,
    "linalg.solve": lambda L, a: L.linalg.solve(a, a),
    "linalg.solve_ex": lambda L, a: L.linalg.solve_ex(a, a).result,
    "linalg.solve_triangular": lambda L, a: L.linalg.solve_triangular(a, a, upper=True),
    "linalg.pinv": lambda L, a: L.linalg.pinv(a),
    "linalg.matrix_rank": lambda L, a: L.linalg.matrix_rank(a),
    "linalg.lstsq": lambda L, a: L.linalg.lstsq(a, a).solution,
    "linalg.householder_product": lambda L, a: L.linalg.householder_product(a, a[0]),
    "det": lambda L, a: L.det(a),
    "inverse": lambda L, a: L.inverse(a),
    "Tensor.inverse": lambda L, a: a.inverse(),
    "cholesky": lambda L, a: L.cholesky(a),
    "svd": lambda L, a: L.svd(a).S,
    "qr": lambda L, a: L.qr(a).R,
    "pinverse": lambda L, a: L.pinverse(a),
    "cholesky_inverse": lambda L, a: L.cholesky_inverse(a),
}


def _outcome(lib, name, dtype, autocast):
    a = lib.eye(3).to(getattr(lib, dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # (torch's deprecation of cholesky/qr)
        try:
            if autocast:
                with lib.autocast("cpu", dtype=lib.bfloat16):
                    out = CALLS[name](lib, a)
            else:
                out = CALLS[name](lib, a)
        except Exception as e:      # noqa: BLE001  (the type and text are compared)
            return type(e).__name__, str(e).splitlines()[0]
    return "ok", str(out.dtype)


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("dtype,autocast", [("float16", False), ("bfloat16", False),
                                            ("bfloat16", True)])
def test_low_precision_matrix_as_torch(name, dtype, autocast):
    assert _outcome(fl, name, dtype, autocast) == _outcome(torch, name, dtype, autocast)
