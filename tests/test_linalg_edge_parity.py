"""torch.linalg at its edges, against torch 2.13: pinv/matrix_rank with hermitian=True
read the lower triangle only (JAX averaged the matrix with its transpose: a wrong rank and
pseudo-inverse for a matrix given by one triangle) and pinv's gradient is torch's general
one; inv/solve/cholesky/lu_factor/matrix_power of 0x0 matrices or empty batches return
empty results (the singularity check raised argmax's or an index error)."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def test_hermitian_reads_the_lower_triangle():
    a = [[1.0, 5.0], [0.0, 0.0]]
    for lib in (fl, torch):
        assert lib.linalg.matrix_rank(lib.tensor(a), hermitian=True).item() == 1
        np.testing.assert_allclose(lib.linalg.pinv(lib.tensor(a), hermitian=True).tolist(),
                                   [[1.0, 0.0], [0.0, 0.0]], atol=1e-6)


def test_hermitian_pinv_values_and_gradient():
    rng = np.random.RandomState(0)
    m = rng.randn(3, 3).astype(np.float32)
    # (a Hermitian input, as hermitian=True promises: for another, torch's gradient
    # formula reads the whole input while its value reads one triangle)
    s = m @ m.T + 3 * np.eye(3, dtype=np.float32)
    w = rng.randn(3, 3).astype(np.float32)

    def run(lib):
        x = lib.tensor(s, requires_grad=True)
        out = lib.linalg.pinv(x, hermitian=True)
        (out * lib.tensor(w)).sum().backward()
        return out.detach().numpy(), x.grad.numpy()
    for g, t in zip(run(fl), run(torch)):
        np.testing.assert_allclose(g, t, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", [
    lambda L: L.linalg.inv(L.zeros(0, 0)), lambda L: L.linalg.inv(L.zeros(0, 2, 2)),
    lambda L: L.linalg.cholesky(L.zeros(0, 2, 2)),
    lambda L: L.linalg.solve(L.zeros(0, 2, 2), L.zeros(0, 2)),
    lambda L: L.linalg.lu_factor(L.zeros(0, 0))[0],
    lambda L: L.linalg.lu_factor_ex(L.zeros(3, 0, 0)).info,
    lambda L: L.linalg.matrix_power(L.zeros(0, 0), -1),
    lambda L: L.linalg.inv_ex(L.zeros(2, 0, 0)).info,
])
def test_empty_matrices(case):
    got, want = case(fl), case(torch)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 4, 3)])
def test_full_svd_of_a_non_square_matrix_is_differentiable(shape):
    """linalg.svd's default full_matrices=True on a non-square matrix: backward raised
    (JAX has no derivative for the full form); torch's narrows U and Vh to min(m, n)."""
    rng = np.random.RandomState(len(shape))
    a = rng.randn(*shape).astype(np.float32)
    k = min(shape[-2:])
    w = rng.randn(*shape[:-2], k).astype(np.float32)

    def run(lib):
        x = lib.tensor(a, requires_grad=True)
        U, S, Vh = lib.linalg.svd(x)
        loss = (S * lib.tensor(w)).sum() + ((U[..., :k] @ Vh[..., :k, :]) ** 2 * 0.3).sum()
        loss.backward()
        return tuple(U.shape), tuple(Vh.shape), x.grad.numpy()
    got, want = run(fl), run(torch)
    assert got[:2] == want[:2]
    np.testing.assert_allclose(got[2], want[2], rtol=1e-4, atol=1e-5)
    x = fl.tensor(a, requires_grad=True)
    fl.svd(x, some=False).S.sum().backward()          # (torch.svd's full form too)
    assert tuple(x.grad.shape) == shape


def _qr_grad(lib, a, mode, complete_loss):
    x = lib.tensor(a, requires_grad=True)
    q, r = lib.linalg.qr(x, mode=mode)
    loss = (r * r).sum() + ((q * q[..., :1]).sum() if complete_loss else 0)
    loss.backward()
    return x.grad.numpy()


def test_qr_complete_tall_backward_refused_as_torch():
    """Q's last m - n columns of a complete QR of a tall matrix have no derivative: torch's
    backward raises, and so does ours (JAX gave a number for them). The forward itself, on
    a tensor that requires grad, is fine in both."""
    a = np.random.RandomState(1).randn(4, 2).astype(np.float32)
    for lib in (torch, fl):
        q, _ = lib.linalg.qr(lib.tensor(a, requires_grad=True), mode="complete")
        assert tuple(q.shape) == (4, 4)
        with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and "
                                               "nrows > ncols"):
            _qr_grad(lib, a, "complete", True)
    # a wide or square complete QR is differentiable in both, with the same gradient
    for shape in ((2, 3), (3, 3)):
        b = np.random.RandomState(2).randn(*shape).astype(np.float32)
        np.testing.assert_allclose(_qr_grad(fl, b, "complete", True),
                                   _qr_grad(torch, b, "complete", True), rtol=1e-4, atol=1e-5)


def test_qr_mode_r_gradient_is_reduced_modes():
    """PyTorch parity (documented): torch refuses backward through mode='r'; here R's
    gradient is given, and it is torch's for the same R from mode='reduced'."""
    a = np.random.RandomState(3).randn(4, 3).astype(np.float32)
    np.testing.assert_allclose(_qr_grad(fl, a, "r", False), _qr_grad(torch, a, "reduced", False),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape", [(0, 0), (3, 0, 0)])
@pytest.mark.parametrize("dtype", ["float32", "complex64"])
def test_determinants_of_empty_matrices(shape, dtype):
    """The determinant of a 0x0 matrix is 1 (the empty product) and its gradient is empty,
    as torch's; JAX's LU raised an IndexError in the forward."""
    outs = []
    for lib in (torch, fl):
        x = lib.zeros(*shape, dtype=getattr(lib, dtype), requires_grad=True)
        sign, logabs = lib.linalg.slogdet(x)
        det = lib.linalg.det(x)
        values = [det, sign, logabs, lib.det(x)]
        if dtype == "float32":
            values.append(lib.logdet(x))
        total = sum(v.abs().sum() if v.is_complex() else v.sum() for v in values)
        total.backward()
        outs.append(([v.detach().numpy() for v in values], x.grad.shape, logabs.dtype))
    (t_vals, t_grad, t_dtype), (f_vals, f_grad, f_dtype) = outs
    for t, f in zip(t_vals, f_vals):
        np.testing.assert_array_equal(f, t)
    assert tuple(f_grad) == tuple(t_grad) and str(f_dtype) == str(t_dtype)
