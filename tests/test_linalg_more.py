"""Differential tests against PyTorch for the rest of torch.linalg (solve_triangular, LU,
matrix_exp, cond, vander, householder_product, tensorinv/tensorsolve, solve_ex, eig) and the
legacy top-level names (torch.lu, lu_unpack, lu_solve, triangular_solve, cholesky_solve,
cholesky_inverse, cholesky, qr, chain_matmul, ger, vdot, adjoint, nuclear_norm,
frobenius_norm, orgqr, ormqr, geqrf, gradient, unravel_index, svd_lowrank, pca_lowrank)."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

INF = float("inf")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _well(*batch, n=3):
    """Well-conditioned square matrices."""
    return (rand(*batch, n, n) + 4 * np.eye(n)).astype(np.float32)


def _lower(*batch, n=3):
    return np.tril(_well(*batch, n=n)).astype(np.float32)


def test_solve_triangular_values_grads_broadcast():
    A, B = _well(2, 1), rand(3, 2)             # batch dims broadcast: (2, 1) with ()
    check(lambda t, a, b: (t.linalg.solve_triangular(a, b, upper=True),
                           t.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
                           t.linalg.solve_triangular(a, b.mT, upper=False, left=False)), A, B)
    check(lambda t, a, b: (t.triangular_solve(b, a), t.triangular_solve(
        b, a, upper=False, transpose=True), b.triangular_solve(a, unitriangular=True)),
        A[0, 0], B)


def test_solve_triangular_errors():
    check_raises(lambda t, a: t.linalg.solve_triangular(a, a, upper=True), rand(2, 3))
    check_raises(lambda t, a, b: t.linalg.solve_triangular(a, b, upper=True), _well(), rand(3))
    check_raises(lambda t, a, b: t.linalg.solve_triangular(a, b, upper=True), _well(),
                 rand(2, 2))
    check_raises(lambda t, a, b: t.linalg.solve_triangular(a, b, upper=True, left=False),
                 _well(), rand(2, 2))
    check_raises(lambda t, a: t.linalg.solve_triangular(a, a, upper=True),
                 rand(2, 2, dtype=np.int64, low=0, high=3))
    check_raises(lambda t, a, b: t.triangular_solve(b, a), _well(), rand(3))
    check_raises(lambda t, a, b: t.triangular_solve(b, a), _well(), rand(2, 2))


def test_lu_factor_lu_and_unpack_match_lapack():
    A = rand(2, 3, 3)
    ref, got = check(lambda t, a: (t.linalg.lu_factor(a), t.linalg.lu_factor_ex(a),
                                   t.linalg.lu(a)), A, grad=False)
    assert type(got[0]).__name__ == "linalg_lu_factor" and got[2]._fields == ("P", "L", "U")
    assert got[0].pivots.numpy().dtype == np.int32       # 1-based LAPACK pivots
    check(lambda t, a: t.linalg.lu(a), rand(2, 4))       # wide, with gradients
    check(lambda t, a: t.linalg.lu(a), rand(4, 2), grad=False)   # tall
    check(lambda t, a: (t.lu(a), t.lu(a, get_infos=True), a.lu()), A, grad=False)
    LU, piv = torch.linalg.lu_factor(torch.tensor(A))
    # (no gradients here: torch's own backward fails for the empty parts)
    check(lambda t, lu: (t.lu_unpack(lu, to_piv(t, piv)),
                         t.lu_unpack(lu, to_piv(t, piv), unpack_data=False),
                         t.lu_unpack(lu, to_piv(t, piv), unpack_pivots=False)), LU.numpy(),
          grad=False)


def to_piv(lib, piv):
    return piv if lib is torch else fl.tensor(piv.numpy())


def test_lu_singular_info_and_errors():
    sing = np.array([[[1, 0], [0, 1]], [[1, 2], [2, 4]]], np.float32)
    check(lambda t, a: t.linalg.lu_factor_ex(a), sing, grad=False)
    check_raises(lambda t, a: t.linalg.lu_factor(a), sing)
    check_raises(lambda t, a: t.linalg.lu_factor_ex(a, check_errors=True), sing)
    check(lambda t, a: (t.lu(a), t.lu(a, get_infos=True)), sing, grad=False)   # no raise
    check_raises(lambda t, a: t.linalg.lu_factor(a, pivot=False), rand(2, 2))
    check_raises(lambda t, a: t.linalg.lu_factor(a), rand(3))
    check_raises(lambda t, a: t.linalg.lu(a), rand(2, 2, dtype=np.int64, low=0, high=3))


def test_lu_solve_all_modes_with_grads():
    A = _well(2)
    LU, piv = torch.linalg.lu_factor(torch.tensor(A))
    B = rand(2, 3, 2)
    check(lambda t, lu, b: (t.linalg.lu_solve(lu, to_piv(t, piv), b),
                            t.linalg.lu_solve(lu, to_piv(t, piv), b, adjoint=True),
                            t.linalg.lu_solve(lu, to_piv(t, piv), b.mT, left=False),
                            t.linalg.lu_solve(lu, to_piv(t, piv), b.mT, left=False,
                                              adjoint=True),
                            t.lu_solve(b, lu, to_piv(t, piv)), b.lu_solve(lu, to_piv(t, piv))),
          LU.numpy(), B)
    # Gradient through the whole pipeline A -> lu_factor -> lu_solve.
    check(lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(a), b), A, B)


def test_lu_solve_errors():
    LU, piv = torch.linalg.lu_factor(torch.tensor(_well()))
    check_raises(lambda t, lu, b: t.linalg.lu_solve(lu, to_piv(t, piv), b), LU.numpy(),
                 rand(2, 2))
    check_raises(lambda t, lu, b: t.linalg.lu_solve(lu, to_piv(t, piv), b), LU.numpy(),
                 rand(3))
    check_raises(lambda t, lu, b: t.linalg.lu_solve(lu, to_piv(t, piv), b), rand(3, 2),
                 rand(3, 1))


def test_solve_ex():
    sing = np.array([[[2, 0], [0, 1]], [[1, 2], [2, 4]]], np.float32)
    A, B = _well(2), rand(2, 3)
    ref, got = check(lambda t, a, b: (t.linalg.solve_ex(a, b), t.linalg.solve_ex(
        a, b[..., None].mT, left=False)), A, B, grad=False)
    assert type(got[0]).__name__ == "linalg_solve_ex" and got[0]._fields == ("result", "info")
    t_info = torch.linalg.solve_ex(torch.tensor(sing), torch.ones(2, 2)).info
    f_info = fl.linalg.solve_ex(fl.tensor(sing), fl.ones(2, 2)).info
    np.testing.assert_array_equal(f_info.numpy(), t_info.numpy())
    with pytest.raises(torch.linalg.LinAlgError) as t_err:
        torch.linalg.solve_ex(torch.tensor(sing), torch.ones(2, 2), check_errors=True)
    with pytest.raises(fl.linalg.LinAlgError) as f_err:
        fl.linalg.solve_ex(fl.tensor(sing), fl.ones(2, 2), check_errors=True)
    assert str(f_err.value) == str(t_err.value)


def test_matrix_exp_values_grads_errors():
    A = rand(2, 3, 3, low=-1, high=1)
    check(lambda t, a: (t.linalg.matrix_exp(a), t.matrix_exp(a[0]), a.matrix_exp()), A)
    check_raises(lambda t, a: t.linalg.matrix_exp(a), rand(2, 3))
    check_raises(lambda t, a: t.linalg.matrix_exp(a), rand(2, 2, dtype=np.int64, high=3))


def test_cond_every_order():
    A = _well(2).astype(np.float64)
    # Gradients where torch has them (its inv_ex-based orders fail in its own backward).
    check(lambda t, a: [t.linalg.cond(a, p) for p in (None, 2, -2, "nuc")], A, x64=True,
          atol=1e-8, rtol=1e-7)
    check(lambda t, a: [t.linalg.cond(a, p) for p in ("fro", INF, -INF, 1, -1)], A,
          x64=True, atol=1e-8, rtol=1e-7, grad=False)


def test_cond_edge_cases_and_errors():
    sing = np.array([[1, 2], [2, 4]], np.float32)
    check(lambda t, a: (t.linalg.cond(a, 1), t.linalg.cond(a, "fro"),
                        t.linalg.cond(a * 0, 1), t.linalg.cond(a[:, :1])),
          sing, grad=False)
    check(lambda t, a: t.linalg.cond(a), rand(2, 3))   # rectangular: singular values
    check_raises(lambda t, a: t.linalg.cond(a, 3), _well())
    check_raises(lambda t, a: t.linalg.cond(a, 1), rand(2, 3))
    check_raises(lambda t, a: t.linalg.cond(a, "fro"), rand(2, 3))


def test_vander():
    check(lambda t, x: (t.linalg.vander(x), t.linalg.vander(x, N=4)), rand(2, 3))
    check(lambda t, x: t.linalg.vander(x), rand(3, dtype=np.int64, low=-3, high=4))
    check_raises(lambda t, x: t.linalg.vander(x, N=1), rand(3))
    check_raises(lambda t, x: t.linalg.vander(x), np.array([True, False]))


def test_householder_product_orgqr_ormqr_geqrf():
    A = rand(2, 4, 3)
    ref, got = check(lambda t, a: t.geqrf(a), A, grad=False)   # LAPACK's (a, tau) itself
    a, tau = torch.geqrf(torch.tensor(A))
    a, tau = a.numpy(), tau.numpy()
    check(lambda t, x, s: (t.linalg.householder_product(x, s), t.orgqr(x, s),
                           x.orgqr(s[..., :2])), a, tau, grad=False)
    C = rand(2, 4, 2)
    check(lambda t, x, s, c: (t.ormqr(x, s, c), t.ormqr(x, s, c, transpose=True),
                              t.ormqr(x, s, c.mT, left=False),
                              x.ormqr(s, c.mT, left=False, transpose=True)), a, tau, C,
          grad=False)
    check_raises(lambda t, x, s: t.linalg.householder_product(x, s), rand(2, 3), rand(2))
    check_raises(lambda t, x, s: t.linalg.householder_product(x, s), rand(3, 2), rand(3))
    check_raises(lambda t, x, s: t.linalg.householder_product(x, s), rand(3), rand(3))
    check_raises(lambda t, x, s: t.linalg.householder_product(x, s), rand(3, 2), rand(1, 2))
    check_raises(lambda t, x, s, c: t.ormqr(x, s, c), rand(3, 2), rand(2), rand(2, 2))
    check_raises(lambda t, x: t.geqrf(x), rand(3))


def test_tensorinv_tensorsolve():
    A = (rand(4, 6) + 3 * np.eye(4, 6)).astype(np.float32)
    A = np.concatenate([A, rand(2, 6) + 3 * np.eye(2, 6, 4)], 0).astype(np.float32)
    A4 = A.reshape(2, 3, 6)
    check(lambda t, a: t.linalg.tensorinv(a, ind=2), A4.reshape(2, 3, 3, 2))
    check(lambda t, a, b: (t.linalg.tensorinv(a.reshape(6, 2, 3), ind=1),
                           t.linalg.tensorsolve(a, b),
                           t.linalg.tensorsolve(a.reshape(6, 2, 3), b, dims=(0,))), A4,
          rand(2, 3), grad=False)
    check_raises(lambda t, a: t.linalg.tensorinv(a, ind=0), rand(2, 2))
    check_raises(lambda t, a: t.linalg.tensorinv(a, ind=2), rand(2, 3, 4, 6))
    check_raises(lambda t, a, b: t.linalg.tensorsolve(a, b), rand(2, 3, 6), rand(3))


def test_eig_and_eigvals():
    A = rand(2, 3, 3)
    w_t = torch.linalg.eigvals(torch.tensor(A)).numpy()
    res = fl.linalg.eig(fl.tensor(A))
    w, v = res.eigenvalues.numpy(), res.eigenvectors.numpy()
    assert type(res).__name__ == "linalg_eig" and w.dtype == np.complex64
    assert v.shape == (2, 3, 3) and v.dtype == np.complex64
    np.testing.assert_allclose(np.sort_complex(w.ravel()), np.sort_complex(w_t.ravel()),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(A @ v, v * w[..., None, :], atol=1e-4)     # A v = lambda v
    np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1, rtol=1e-5)
    # Gradient of a real function of the eigenvalues of a matrix with distinct real ones.
    S = (np.diag([1.0, 2.0, 4.0]) + 0.1 * rand(3, 3)).astype(np.float64)
    check(lambda t, a: t.linalg.eigvals(a).real.sum() + (t.linalg.eigvals(a).real ** 2).sum(),
          S, x64=True, atol=1e-8)
    check_raises(lambda t, a: t.linalg.eig(a), rand(2, 3))


def _spd(*batch, n=3):
    a = rand(*batch, n, n)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(np.float32)


def test_cholesky_solve_inverse_and_legacy_cholesky():
    A, B = _spd(2), rand(2, 3, 2)
    L = np.linalg.cholesky(A).astype(np.float32)
    check(lambda t, b, l: (t.cholesky_solve(b, l), t.cholesky_solve(b, l.mT, upper=True),
                           b.cholesky_solve(l), t.cholesky_inverse(l),
                           t.cholesky_inverse(l.mT, upper=True), l.cholesky_inverse()), B, L)
    # Pipeline: A -> cholesky -> solve / inverse, gradient to A.
    check(lambda t, a, b: (t.cholesky_solve(b, t.linalg.cholesky(a)),
                           t.cholesky(a), t.cholesky(a, upper=True), a.cholesky()), A, B)
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
        fl.cholesky(fl.tensor(A))
    check_raises(lambda t, b, l: t.cholesky_solve(b, l), rand(3), L[0])
    check_raises(lambda t, b, l: t.cholesky_solve(b, l), rand(2, 2), L[0])
    check_raises(lambda t, a: t.cholesky_inverse(a), rand(2, 3))
    with pytest.raises(torch.linalg.LinAlgError) as t_err:
        torch.cholesky(torch.tensor([[1.0, 2], [2, 1]]))
    with pytest.raises(fl.linalg.LinAlgError) as f_err:
        fl.cholesky(fl.tensor([[1.0, 2], [2, 1]]))
    assert str(f_err.value) == str(t_err.value)


def test_qr_chain_matmul_ger_vdot_adjoint():
    A = rand(4, 3)
    check(lambda t, a: (t.qr(a), a.qr()), A, grad=False)
    check(lambda t, a: t.qr(a, some=False), A, grad=False)   # torch: not differentiable
    assert type(fl.qr(fl.tensor(A))).__name__ == "qr"
    check(lambda t, a, b: (t.chain_matmul(a, b, a), t.chain_matmul(a)), A, rand(3, 4), grad=False)
    check(lambda t, x, y: (t.ger(x, y), x.ger(y), t.vdot(x, x), x[:2].vdot(y[:2])),
          rand(3), rand(4))
    check(lambda t, x, y: t.vdot(x, y), rand(3).astype(np.complex64) * 1j + rand(3),
          rand(3).astype(np.complex64), grad=False)
    check(lambda t, x: t.vdot(x, x), rand(3, dtype=np.int64, high=5))
    check(lambda t, x: (t.adjoint(x), x.adjoint()), rand(2, 3, 4))
    x = (rand(2, 3) + 1j * rand(2, 3)).astype(np.complex64)
    check(lambda t, a: t.adjoint(a).resolve_conj(), x, grad=False)
    check_raises(lambda t: t.chain_matmul())
    check_raises(lambda t, a: t.chain_matmul(a, a), rand(3))
    check_raises(lambda t, x, y: t.ger(x, y), rand(2, 2), rand(3))
    check_raises(lambda t, x, y: t.vdot(x, y), rand(2, 2), rand(3))
    check_raises(lambda t, x, y: t.vdot(x, y), rand(2), rand(3))
    check_raises(lambda t, x: t.adjoint(x), rand(3))


def test_nuclear_and_frobenius_norm():
    A = rand(2, 3, 4)
    check(lambda t, a: (t.nuclear_norm(a[0]), t.nuclear_norm(a), t.nuclear_norm(a[0], True),
                        t.nuclear_norm(a, dim=(0, 2), keepdim=True),
                        t.frobenius_norm(a, dim=(1, 2)), t.frobenius_norm(a, (0, 1), True),
                        t.frobenius_norm(a, dim=1)), A, grad=False)
    with pytest.warns(UserWarning, match="nuclear_norm is deprecated"):
        fl.nuclear_norm(fl.tensor(A[0]))
    check_raises(lambda t, a: t.nuclear_norm(a), rand(3))


def test_gradient():
    """Values, and gradients (through the slicing ops) to the input and coordinates."""
    f = rand(4, 5)
    coords = np.array([0.0, 0.5, 1.5, 1.75, 3.0], np.float32)
    check(lambda t, x, c: (t.gradient(x), t.gradient(x, spacing=(c,), dim=-1, edge_order=2)),
          f, coords)
    check(lambda t, x, c: (t.gradient(x, spacing=2.0, dim=1, edge_order=2),
                           t.gradient(x, spacing=[0.5, 3.0]),
                           t.gradient(x, spacing=(c,), dim=1)), f, coords, grad=False)
    check(lambda t, x: t.gradient(x, spacing=2, edge_order=2),
          rand(5, dtype=np.int64, high=9), grad=False)


def test_gradient_errors():
    check_raises(lambda t, x: t.gradient(x, edge_order=3), rand(3))
    check_raises(lambda t, x: t.gradient(x, edge_order=2), rand(2))
    check_raises(lambda t, x: t.gradient(x, spacing=[1.0, 2.0], dim=1), rand(2, 3))
    check_raises(lambda t, x: t.gradient(x, spacing=[1.0, 2.0, 3.0]), rand(2, 3))
    check_raises(lambda t, x: t.gradient(x, dim=(0, 0)), rand(2, 3))


def test_unravel_index():
    idx = np.array([[4, 1], [-1, 6]], np.int64)
    check(lambda t, i: (t.unravel_index(i, (2, 3)), t.unravel_index(i, 6),
                        t.unravel_index(i[0, 0], (2, 3)), t.unravel_index(i, (3, 1, 4))), idx)
    check_raises(lambda t, i: t.unravel_index(i, (2, 3)), rand(2))
    check_raises(lambda t, i: t.unravel_index(i, (2, -3)), idx)


def test_svd_lowrank_pca_lowrank_recover_low_rank():
    rng = np.random.default_rng(1)
    low = (rng.standard_normal((2, 8, 2)) @ rng.standard_normal((2, 2, 6))).astype(np.float32)
    fl.manual_seed(0)
    U, S, V = fl.svd_lowrank(fl.tensor(low), q=3)
    assert U.shape == (2, 8, 3) and S.shape == (2, 3) and V.shape == (2, 6, 3)
    rebuilt = (U.numpy() * S.numpy()[..., None, :]) @ np.swapaxes(V.numpy(), -1, -2)
    np.testing.assert_allclose(rebuilt, low, atol=1e-4)
    np.testing.assert_allclose(S.numpy(), torch.svd_lowrank(torch.tensor(low), q=3)[1].numpy(),
                               rtol=1e-4, atol=1e-5)   # the top singular values agree
    fl.manual_seed(0)
    np.testing.assert_array_equal(fl.svd_lowrank(fl.tensor(low), q=3)[0].numpy(),
                                  U.numpy())    # deterministic under a seed
    wide = np.swapaxes(low, -1, -2).copy()
    U, S, V = fl.pca_lowrank(fl.tensor(wide), center=True)
    assert U.shape == (2, 6, 6) and V.shape == (2, 8, 6)
    centred = wide - wide.mean(-2, keepdims=True)
    s_ref = torch.linalg.svdvals(torch.tensor(centred)).numpy()[..., :6]
    np.testing.assert_allclose(S.numpy(), s_ref, atol=1e-4)
    with pytest.raises(ValueError) as t_err:
        torch.pca_lowrank(torch.tensor(wide), q=9)
    with pytest.raises(ValueError) as f_err:
        fl.pca_lowrank(fl.tensor(wide), q=9)
    assert str(f_err.value) == str(t_err.value)


def test_deprecation_warnings_match_torch():
    A = _spd()
    for name, call in (("lu", lambda t, a: t.lu(a)), ("qr", lambda t, a: t.qr(a)),
                       ("chain_matmul", lambda t, a: t.chain_matmul(a, a)),
                       ("triangular_solve", lambda t, a: t.triangular_solve(a, a))):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            call(fl, fl.tensor(A))
        assert len(got) == 1 and got[0].category is UserWarning, name
        assert str(got[0].message).startswith(f"torch.{name} is deprecated"), name
