"""Differential tests against PyTorch: torch.linalg (inv, det, slogdet, solve, cholesky, qr,
svd, eigh, pinv, matrix_rank, matrix_power, lstsq, norms, cross, vecdot, multi_dot) and the
top-level aliases (torch.det, logdet, slogdet, inverse, pinverse, matrix_power, svd,
trapezoid, cumulative_trapezoid), with batch dims, gradients and error texts."""

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

INF = float("inf")


def _spd(*batch, n=3):
    a = rand(*batch, n, n)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(np.float32)


def test_inv_det_slogdet_logdet_with_grads():
    a = rand(2, 3, 3) + 3 * np.eye(3, dtype=np.float32)
    ref, got = check(lambda t, x: (t.linalg.inv(x), t.linalg.det(x), t.linalg.slogdet(x),
                                   t.det(x[0]), t.inverse(x), x.det(), x.inverse(),
                                   x.slogdet(), t.logdet(x), x.logdet()), a)
    assert type(got[2]).__name__ == "linalg_slogdet" and type(got[7]).__name__ == "slogdet"
    assert got[2]._fields == ("sign", "logabsdet")
    assert repr(got[2]).startswith("torch.return_types.linalg_slogdet(\nsign=")
    # logdet of negative / zero determinants: nan / -inf.
    check(lambda t, x: (t.logdet(x), t.linalg.slogdet(x)),
          np.array([[[0, 1], [1, 0]], [[1, 2], [2, 4]]], np.float32), grad=False)


def test_inv_ex_info():
    sing = np.array([[[1, 2], [2, 4]], [[2, 0], [0, 1]]], np.float32)
    got = fl.linalg.inv_ex(fl.tensor(sing))
    ref = torch.linalg.inv_ex(torch.tensor(sing))
    np.testing.assert_array_equal(got.info.numpy(), ref.info.numpy())
    np.testing.assert_allclose(got.inverse[1].numpy(), ref.inverse[1].numpy())


def _raises_linalg_error(fn, *inputs):
    """torch raises torch.linalg.LinAlgError; ours is fl.linalg.LinAlgError (both are
    RuntimeErrors) with the same text."""
    with pytest.raises(torch.linalg.LinAlgError) as t_err:
        fn(torch, *[torch.tensor(x) for x in inputs])
    with pytest.raises(fl.linalg.LinAlgError) as f_err:
        fn(fl, *[fl.tensor(x) for x in inputs])
    assert isinstance(f_err.value, RuntimeError)
    assert str(f_err.value) == str(t_err.value)


def test_singular_and_indefinite_errors():
    sing = np.array([[1, 2], [2, 4]], np.float32)
    _raises_linalg_error(lambda t, a: t.linalg.inv(a), sing)
    _raises_linalg_error(lambda t, a: t.linalg.inv(a), np.stack([np.eye(2, dtype=np.float32),
                                                                 sing]))
    _raises_linalg_error(lambda t, a: t.linalg.solve(a, a[..., 0]), sing[None])
    _raises_linalg_error(lambda t, a: t.linalg.inv_ex(a, check_errors=True), sing)
    _raises_linalg_error(lambda t, a: t.linalg.matrix_power(a, -1), sing)
    indefinite = np.array([[4, 2, 0], [2, 4, 0], [0, 0, -1]], np.float32)
    _raises_linalg_error(lambda t, a: t.linalg.cholesky(a), indefinite)
    _raises_linalg_error(lambda t, a: t.linalg.cholesky(a), np.stack([np.eye(3, dtype=np.float32),
                                                                      indefinite]))
    ref = torch.linalg.cholesky_ex(torch.tensor(indefinite))
    got = fl.linalg.cholesky_ex(fl.tensor(indefinite))
    assert int(got.info) == int(ref.info) == 3


def test_shape_and_dtype_errors():
    m23 = rand(2, 3)
    for name in ("inv", "det", "slogdet", "cholesky", "eigh", "matrix_power"):
        args = (2,) if name == "matrix_power" else ()
        check_raises(lambda t, a: getattr(t.linalg, name)(a, *args), m23)
    check_raises(lambda t, a: t.linalg.inv(a), rand(3))
    check_raises(lambda t, a: t.linalg.det(a), rand(2, 2, dtype=np.int64, low=0, high=3))
    check_raises(lambda t, a: t.linalg.solve(a, a[:1]), rand(2, 2))
    check_raises(lambda t, a: t.linalg.qr(a, mode="bad"), m23)
    check_raises(lambda t, a: t.linalg.eigh(a, UPLO="X"), rand(2, 2))
    check_raises(lambda t, a: t.linalg.matrix_power(a, 1.5), rand(2, 2))
    check_raises(lambda t, a: t.linalg.svd(a), rand(3))
    check_raises(lambda t, a: t.linalg.pinv(a), rand(2))
    check_raises(lambda t, a: t.linalg.lstsq(a, a[:2]), rand(3, 2))
    check_raises(lambda t, a: t.linalg.lstsq(a, a, driver="bad"), rand(3, 2))


def test_solve_batched_vector_and_left():
    a = rand(3, 2, 2) + 2 * np.eye(2, dtype=np.float32)
    check(lambda t, x, b: (t.linalg.solve(x, b), t.linalg.solve(x, b[0]),
                           t.linalg.solve(x, x, left=False), t.linalg.solve(x[0], b[:, :, None])),
          a, rand(3, 2))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_reads_one_triangle_and_grads(upper):
    a = _spd(2)
    noisy = a + (np.triu(rand(3, 3), 1) if not upper else np.tril(rand(3, 3), -1))
    check(lambda t, x: t.linalg.cholesky(x, upper=upper), noisy.astype(np.float32), grad=False)
    # Gradients on a symmetric input: PyTorch's gradient is the symmetric one.
    check(lambda t, x: (t.linalg.cholesky(x, upper=upper),
                        t.linalg.cholesky_ex(x, upper=upper).L), a, atol=1e-4)


def _sign_fix(v):
    """Eigen/singular vectors up to sign: make the largest-magnitude entry of each column
    positive."""
    idx = v.abs().argmax(-2, keepdim=True)
    return v * v.gather(-2, idx).sign()


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_values_vectors_and_grads(uplo):
    a = _spd(2)
    noisy = (a + rand(3, 3)).astype(np.float32)       # only one triangle is read
    check(lambda t, x: (t.linalg.eigh(x, uplo).eigenvalues, t.linalg.eigvalsh(x, UPLO=uplo),
                        _sign_fix(t.linalg.eigh(x, UPLO=uplo)[1])), noisy, grad=False,
          atol=1e-4)
    check(lambda t, x: (t.linalg.eigvalsh(x, uplo), t.linalg.eigh(x, uplo)[0]), a, atol=1e-4)
    # A sign-invariant function of the eigenvectors has a well-defined gradient.
    check(lambda t, x: t.linalg.eigh(x, uplo)[1] ** 2, a, atol=1e-4, grad_atol=1e-3)


def test_qr_svd_and_grads():
    a = rand(2, 4, 3)
    check(lambda t, x: t.linalg.qr(x), a, atol=1e-4)
    # (PyTorch cannot differentiate mode='r', which has no Q, nor 'complete' when m > n.)
    check(lambda t, x: (t.linalg.qr(x, mode="r"), t.linalg.qr(x, mode="complete")), a,
          atol=1e-4, grad=False)
    check(lambda t, x: (t.linalg.svdvals(x), t.linalg.svd(x, full_matrices=False).S), a,
          atol=1e-4)
    for full in (True, False):
        U, S, Vh = fl.linalg.svd(fl.tensor(a), full_matrices=full)
        k = S.shape[-1]
        rebuilt = (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :]
        np.testing.assert_allclose(rebuilt.numpy(), a, atol=1e-5)
        assert tuple(U.shape) == tuple(torch.linalg.svd(torch.tensor(a), full)[0].shape)
    check(lambda t, x: (t.svd(x)[1], _sign_fix(t.svd(x).V), t.svd(x, some=False).V.shape,
                        t.svd(x, compute_uv=False), x.svd()[0].shape), a, grad=False,
          atol=1e-4)


def test_pinv_rank_power_lstsq():
    a = rand(2, 4, 3)
    low_rank = (rand(4, 1) @ rand(1, 3)).astype(np.float32)
    check(lambda t, x: (t.linalg.pinv(x), t.linalg.pinv(x, atol=0.5),
                        x.pinverse(rcond=0.1)), a, atol=1e-4)
    check(lambda t, x, y: (t.linalg.matrix_rank(x), t.linalg.matrix_rank(y),
                           t.linalg.matrix_rank(x, 1.0),
                           t.linalg.matrix_rank(y @ y.mT, hermitian=True)), a, low_rank,
          grad=False)
    sq = rand(2, 3, 3)
    check(lambda t, x: (t.linalg.matrix_power(x, 3), t.matrix_power(x, 0),
                        x.matrix_power(-2)),
          sq + 2 * np.eye(3, dtype=np.float32), atol=1e-4)
    check(lambda t, x: t.linalg.matrix_power(x, 2), rand(2, 2, dtype=np.int64, low=-3, high=3))
    b = rand(2, 4, 2)
    check(lambda t, x, y: t.linalg.lstsq(x, y), a, b, atol=1e-4)
    check(lambda t, x, y: [t.linalg.lstsq(x, y, driver=d) for d in ("gels", "gelsd", "gelss")],
          a, b, atol=1e-4, grad=False)
    check(lambda t, x, y: t.linalg.lstsq(x, y[..., 0]).solution, a, b, atol=1e-4)


@pytest.mark.parametrize("ord", ["fro", "nuc", INF, -INF, 1, -1, 2, -2])
def test_matrix_norm(ord):
    a = rand(2, 3, 4)
    check(lambda t, x: (t.linalg.matrix_norm(x, ord),
                        t.linalg.matrix_norm(x, ord, dim=(2, 0), keepdim=True)), a, atol=1e-4)


def test_vector_norm_and_norm():
    a = rand(2, 3, 4)
    check(lambda t, x: (t.linalg.vector_norm(x), t.linalg.vector_norm(x, 3, dim=(0, 2)),
                        t.linalg.vector_norm(x, INF, 1, keepdim=True),
                        t.linalg.vector_norm(x, 0, -1), t.linalg.vector_norm(x, -1, 0),
                        t.linalg.vector_norm(x, dtype=t.float64), t.linalg.norm(x),
                        t.linalg.norm(x, dim=1), t.linalg.norm(x[0, 0], 1),
                        t.linalg.norm(x, 3, dim=-1, keepdim=True), t.linalg.norm(x[0], "nuc"),
                        t.linalg.norm(x, -2, dim=(-1, -2))), a, atol=1e-4)
    # The gradient at the zero vector is 0 (not nan), as PyTorch's.
    check(lambda t, x: t.linalg.vector_norm(x, dim=1), np.zeros((2, 3), np.float32))
    for fn in (lambda t, x: t.linalg.vector_norm(x, "fro"),
               lambda t, x: t.linalg.vector_norm(x, dim=(0, 0)),
               lambda t, x: t.linalg.vector_norm(x, dtype=t.int64),
               lambda t, x: t.linalg.vector_norm(x[:0], INF),
               lambda t, x: t.linalg.vector_norm(x.long()),
               lambda t, x: t.linalg.matrix_norm(x[0, 0]),
               lambda t, x: t.linalg.matrix_norm(x, 3),
               lambda t, x: t.linalg.matrix_norm(x, dim=(0, 0)),
               lambda t, x: t.linalg.norm(x, 2),
               lambda t, x: t.linalg.norm(x, "nuc", dim=1),
               lambda t, x: t.linalg.norm(x, dim=(0, 1, 2))):
        check_raises(fn, a)
    check_raises(lambda t, x: t.linalg.matrix_norm(x, dim=0), a, match=False)   # TypeError


def test_cross_vecdot_multi_dot_matmul_diagonal():
    check(lambda t, x, y: (t.linalg.cross(x, y), t.linalg.cross(x, y[:1]),
                           t.linalg.cross(x.mT, y.mT, dim=0)), rand(2, 3), rand(2, 3))
    check_raises(lambda t, x: t.linalg.cross(x, x[:, :2]), rand(2, 3))
    check_raises(lambda t, x: t.linalg.cross(x, x[0]), rand(2, 3))
    check(lambda t, x, y: (t.linalg.vecdot(x, y), t.linalg.vecdot(x, y[0], dim=1),
                           t.linalg.matmul(x, y.mT), t.linalg.diagonal(x, offset=1)),
          rand(2, 3), rand(2, 3))
    with jax.enable_x64(True):              # float64 is a type of its own only in x64 mode
        check_raises(lambda t, x: t.linalg.vecdot(x, x.double()), rand(2, 3))
        check_raises(lambda t, x: t.linalg.multi_dot([x, x.mT.double()]), rand(2, 3))
    check(lambda t, a, b, c, d: (t.linalg.multi_dot([a, b, c, d]), t.linalg.multi_dot([b, c]),
                                 t.linalg.multi_dot([a, b @ c, d])),
          rand(3), rand(3, 4), rand(4, 2), rand(2))
    for fn in (lambda t, x: t.linalg.multi_dot([x]),
               lambda t, x: t.linalg.multi_dot([x, x]),
               lambda t, x: t.linalg.multi_dot([x, x[0], x.mT]),
               lambda t, x: t.linalg.multi_dot([x[None], x.mT])):
        check_raises(fn, rand(2, 3))


def test_trapezoid_and_cumulative():
    y, x = rand(2, 4), np.sort(rand(4))
    check(lambda t, a, b: (t.trapezoid(a), t.trapezoid(a, b), t.trapezoid(a, dx=0.5, dim=0),
                           t.trapz(a, b), t.trapz(a, dx=2.0), t.trapezoid(a, b * a),
                           t.cumulative_trapezoid(a), t.cumulative_trapezoid(a, b),
                           t.cumulative_trapezoid(a, dx=2.0, dim=0)), y, x)
    check(lambda t, a: (t.trapezoid(a), t.cumulative_trapezoid(a)),
          rand(5, dtype=np.int64, low=0, high=9))
    check_raises(lambda t, a, b: t.trapezoid(a, b), y, rand(3))
    check_raises(lambda t, a, b: t.cumulative_trapezoid(a, b, dim=0), y, rand(4))
    check_raises(lambda t, a, b: t.trapezoid(a, b, dx=1), y, x)   # (x positional)


def test_linalg_under_jax_jit_and_grad():
    """The pure functions trace: det/inv/norm inside jax.jit and jax.grad of a Tensor
    function agree with eager values."""
    a = _spd(n=3)

    def f(x):
        t = fl.tensor(x)
        return (fl.linalg.det(t) + fl.linalg.matrix_norm(fl.linalg.inv(t), "nuc")
                + fl.linalg.eigvalsh(t).sum() + fl.linalg.cholesky(t).sum())._value

    eager = f(a)
    np.testing.assert_allclose(jax.jit(f)(a), eager, rtol=1e-5)
    g = jax.grad(f)(a)
    ta = torch.tensor(a, requires_grad=True)
    (torch.linalg.det(ta) + torch.linalg.matrix_norm(torch.linalg.inv(ta), "nuc")
     + torch.linalg.eigvalsh(ta).sum() + torch.linalg.cholesky(ta).sum()).backward()
    np.testing.assert_allclose(g, ta.grad.numpy(), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("n,fail", [(3, 2), (6, 4), (6, 0), (20, 13)])
def test_cholesky_ex_returns_lapacks_partial_factor_as_torch(n, fail, upper, x64):
    # (L was all nan where the factorization failed)
    rng = np.random.default_rng(n + fail)
    m = rng.standard_normal((n, n))
    a = m @ m.T / n + 0.1 * np.eye(n)
    a[fail, fail] -= 50
    a = np.stack([a, 2 * np.eye(n), a])          # (a batch: one element factors)
    want = torch.linalg.cholesky_ex(torch.from_numpy(a), upper=upper)
    got = fl.linalg.cholesky_ex(fl.tensor(a), upper=upper)
    np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
    np.testing.assert_allclose(got.L.numpy(), want.L.numpy(), rtol=1e-10, atol=1e-12)
