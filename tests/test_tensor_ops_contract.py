"""Differential tests against PyTorch: contractions (einsum, tensordot, mv, addmv, baddbmm,
kron, cross, cdist, block_diag) and combining ops (meshgrid, broadcast_*, tile, diff,
rot90, stacking, atleast_nd, cartesian_prod, combinations, tri indices, vander, flips,
cummax/cummin, logcumsumexp): values, dtypes, gradients, warnings and errors."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

F64, I64 = np.float64, np.int64

# ---- contractions ----------------------------------------------------------------------


def test_einsum_forms():
    a, b, v = rand(2, 3), rand(3, 4), rand(3)
    check(lambda t, x, y, z: (t.einsum("ij,jk->ik", x, y), t.einsum("ij,jk", [x, y]),
                              t.einsum("i j , j k -> k i", x, y), t.einsum("ij,j->i", x, z),
                              t.einsum("ij->", x), t.einsum("ii", y[:, :3]),
                              t.einsum("...j,jk->...k", x, y),
                              t.einsum(x, [0, 1], y, [1, 2], [0, 2])), a, b, v)
    check(lambda t, x, y: t.einsum("bij,bjk->bik", x, y), rand(2, 2, 3), rand(1, 3, 2))
    ai = rand(2, 3, dtype=I64, low=-3, high=3)
    check(lambda t, x: t.einsum("ij,kj->ik", x, x), ai)


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (4, 4)]), ("ij,jk->ik", [(2, 3)]),
    ("ij,jk->ik", [(2, 3), (3, 4, 3)]), ("ij,jk->iz", [(2, 3), (3, 4)])])
def test_einsum_errors(eq, shapes):
    check_raises(lambda t, *xs: t.einsum(eq, *xs), *[rand(*s) for s in shapes])


def test_einsum_dtype_mismatch(x64):
    check_raises(lambda t, x, y: t.einsum("ij,jk", x, y), rand(2, 3), rand(3, 4, dtype=F64))


def test_tensordot_mv_kron():
    a, b, c = rand(2, 3), rand(3, 4), rand(2, 3, 4)
    check(lambda t, x, y, z: (t.tensordot(x, y, 1), t.tensordot(x, z, 2),
                              t.tensordot(x, y, ([1], [0])), t.tensordot(z, x, [[0, 1], [0, 1]]),
                              t.tensordot(x, y, 0)), a, b, c)
    check(lambda t, m, v: (t.mv(m, v), m.mv(v)), rand(2, 3), rand(3))
    check(lambda t, x, y: (t.kron(x, y), x.kron(y[0])), rand(2, 3), rand(2, 2))
    check(lambda t, x, y: t.kron(x, y), rand(2, dtype=np.int32, low=0, high=5), rand(2))


@pytest.mark.parametrize("fn,shapes", [
    (lambda t, x, y: t.tensordot(x, y, 2), [(2, 3), (3, 4)]),
    (lambda t, x, y: t.tensordot(x, y, ([1], [1])), [(2, 3), (3, 4)]),
    (lambda t, x, y: t.tensordot(x, y, -1), [(2, 3), (3, 4)]),
    (lambda t, x, y: t.tensordot(x, y, ([1], [0, 1])), [(2, 3), (3, 4)]),
    (lambda t, x, y: t.mv(x, y), [(2, 3), (4,)]),
    (lambda t, x, y: t.mv(x, y), [(3,), (3,)]),
    (lambda t, x, y: t.mv(x, y), [(2, 3), (3, 1)]),
])
def test_tensordot_mv_errors(fn, shapes):
    check_raises(fn, *[rand(*s) for s in shapes])


def test_dtype_mismatch_errors(x64):
    check_raises(lambda t, x, y: t.tensordot(x, y, 1), rand(2, 3), rand(3, 4, dtype=F64))
    check_raises(lambda t, x, y: t.mv(x, y), rand(2, 3), rand(3, dtype=F64))
    check_raises(lambda t, x, y: t.mv(x, y), rand(2, 3, dtype=F64), rand(3))
    check_raises(lambda t, a, b: t.cdist(a, b), rand(3, 2), rand(4, 2, dtype=F64))
    check_raises(lambda t, x, y: t.cross(x, y, dim=1), rand(4, 3), rand(4, 3, dtype=F64))
    check_raises(lambda t, x, y: t.meshgrid(x, y, indexing="ij"), rand(2), rand(3, dtype=F64))


def test_addmv_baddbmm():
    inp, m, v = rand(2), rand(2, 3), rand(3)
    check(lambda t, i, a, b: (t.addmv(i, a, b), t.addmv(i, a, b, beta=0.5, alpha=2),
                              i.addmv(a, b, beta=0), t.addmv(i[:1], a, b)), inp, m, v)
    check(lambda t, i, a, b: (t.baddbmm(i, a, b), i.baddbmm(a, b, beta=2, alpha=-1)),
          rand(2, 2, 4), rand(2, 2, 3), rand(2, 3, 4))
    # beta=0 ignores the input entirely: a NaN there does not propagate.
    check(lambda t, a, b: t.addmv(t.full((2,), float("nan")), a, b, beta=0), m, v)
    check_raises(lambda t, i, a, b: t.baddbmm(i, a, b), rand(2, 2, 4), rand(2, 2, 3),
                 rand(2, 4, 4))


def test_inplace_addmv():
    check(lambda t, a, b: t.zeros(2).addmv_(a, b), rand(2, 3), rand(3))


def _torch_warning(code: str) -> str:
    """The warning message(s) torch gives for `code` in a fresh process."""
    script = ("import warnings, torch\nwarnings.simplefilter('always')\n"
              f"with warnings.catch_warnings(record=True) as w:\n    {code}\n"
              "print('\\n'.join(str(x.message) for x in w))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip(), "torch gave no warning"
    return out


def test_cross():
    a, b = rand(4, 3), rand(4, 3)
    check(lambda t, x, y: (t.cross(x, y, dim=1), x.cross(y, dim=-1), t.cross(x, y[:1], dim=1),
                           t.cross(x.T, y.T, dim=0)), a, b)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fl.cross(fl.ones(2, 3, 3), fl.ones(2, 3, 3))
    msgs = [str(x.message) for x in w if x.category is UserWarning]
    # (torch warns once per process, so its text comes from a fresh one; it adds
    # "(Triggered internally...)")
    assert len(msgs) == 1 and msgs[0] in _torch_warning(
        "torch.cross(torch.ones(2, 3, 3), torch.ones(2, 3, 3))")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda t, x, y: t.cross(x, y), rand(2, 3, 3), rand(2, 3, 3))
    for fn, shapes in [(lambda t, x, y: t.cross(x, y, dim=1), [(2, 4), (2, 4)]),
                       (lambda t, x, y: t.cross(x, y, dim=1), [(4, 3), (3,)]),
                       (lambda t, x, y: t.cross(x, y, dim=0), [(4, 3), (4, 3)])]:
        check_raises(fn, *[rand(*s) for s in shapes])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_raises(lambda t, x, y: t.cross(x, y), rand(2, 4), rand(2, 4))


@pytest.mark.parametrize("p", [2.0, 1.0, 0.0, float("inf"), 3.0, 0.5])
def test_cdist(p):
    x1, x2 = rand(2, 3, 2), rand(1, 4, 2)
    x2[0, 0] = x1[0, 0]      # a zero distance: torch's gradient there is 0
    x2[0, 1, 0] = x1[0, 1, 0]   # one zero difference (p < 1: torch's gradient there is 0)
    check(lambda t, a, b: t.cdist(a, b, p=p), x1, x2)


def test_cdist_args_and_errors():
    check(lambda t, a, b: t.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
          rand(3, 2), rand(4, 2))
    for fn, ins in [(lambda t, a, b: t.cdist(a, b), [rand(3, 2), rand(4, 3)]),
                    (lambda t, a, b: t.cdist(a, b), [rand(3), rand(4, 3)]),
                    (lambda t, a, b: t.cdist(a, b, p=-1), [rand(3, 2), rand(4, 2)]),
                    (lambda t, a, b: t.cdist(a, b, compute_mode="x"), [rand(3, 2), rand(4, 2)]),
                    (lambda t, a, b: t.cdist(a, b), [rand(2, 3, 2), rand(3, 4, 2)]),
                    (lambda t, a, b: t.cdist(a, b), [rand(3, 2, dtype=I64, low=0, high=3),
                                                     rand(4, 2, dtype=I64, low=0, high=3)])]:
        check_raises(fn, *ins)


def test_block_diag():
    check(lambda t, a, b, c: t.block_diag(a, b, c), rand(2), rand(), rand(2, 3))
    check(lambda t, a, b: t.block_diag(a, b), rand(2, dtype=np.int32, low=0, high=4), rand(2, 2))
    check(lambda t: t.block_diag())
    check_raises(lambda t, a: t.block_diag(a), rand(2, 2, 2))


# ---- combining -------------------------------------------------------------------------


def test_meshgrid_and_broadcast():
    check(lambda t, x, y: (t.meshgrid(x, y, indexing="ij"), t.meshgrid([x, y], indexing="xy"),
                           t.meshgrid(x, y[0], x, indexing="xy")), rand(2), rand(3))
    check(lambda t, x, y: t.broadcast_tensors(x, y), rand(2, 1), rand(3))
    assert fl.broadcast_shapes((2, 1), (3,), 1) == torch.broadcast_shapes((2, 1), (3,), 1)
    assert fl.broadcast_shapes() == torch.broadcast_shapes()
    with pytest.raises(RuntimeError) as t_err:
        torch.broadcast_shapes((2, 1), (3, 4))
    with pytest.raises(RuntimeError, match=str(t_err.value).replace("[", r"\[").replace(
            "(", r"\(").replace(")", r"\)")):
        fl.broadcast_shapes((2, 1), (3, 4))
    check_raises(lambda t, x, y: t.broadcast_tensors(x, y), rand(2, 1), rand(3, 4))


def test_meshgrid_warning_and_errors():
    for lib in (torch, fl):
        with pytest.warns(UserWarning, match="torch.meshgrid: in an upcoming release"):
            lib.meshgrid(lib.zeros(2), lib.zeros(3))
    check_raises(lambda t, x, y: t.meshgrid(x, y, indexing="foo"), rand(2), rand(3))
    check_raises(lambda t, x: t.meshgrid(x, indexing="ij"), rand(2, 2), match=False)
    check_raises(lambda t: t.meshgrid(indexing="ij"))


def test_tile_diff_rot90():
    x = rand(2, 3)
    check(lambda t, a: (t.tile(a, (2,)), t.tile(a, (2, 1, 2)), a.tile(2, 1)), x)
    check(lambda t, a, p: (t.diff(a), t.diff(a, n=2, dim=0, prepend=p),
                           a.diff(append=p[:2, :2], dim=1), t.diff(a, n=9)),
          x, rand(3, 3))
    check(lambda t, a: t.diff(a), rand(5, dtype=np.bool_))
    check(lambda t, a: t.diff(a, n=2), rand(5, dtype=I64, low=-5, high=5))
    check(lambda t, a: [t.rot90(a, k, d) for k, d in [(1, [0, 1]), (2, [1, 0]), (-3, [0, 2]),
                                                       (0, [1, 2]), (5, [2, 1])]],
          rand(2, 3, 4))
    for fn, x in [(lambda t, a: t.diff(a), rand()), (lambda t, a: t.diff(a, n=-1), rand(3)),
                  (lambda t, a: t.diff(a, prepend=a[0]), rand(2, 3)),
                  (lambda t, a: t.diff(a, prepend=t.ones(3, 3)), rand(2, 3)),
                  (lambda t, a: t.rot90(a), rand(2)),
                  (lambda t, a: t.rot90(a, 1, [0, 1, 2]), rand(2, 3)),
                  (lambda t, a: t.rot90(a, 1, [0, 0]), rand(2, 3)),
                  (lambda t, a: t.tile(a, 2), rand(2))]:
        check_raises(fn, x)


def test_stacking_and_atleast():
    a, b, c = rand(2), rand(2, 3), rand()
    check(lambda t, x, y, z: (t.dstack([x, x]), t.dstack([y, y]), t.column_stack([x, y]),
                              t.row_stack([x, x]), t.column_stack([z, z])), a, b, c)
    check(lambda t, x, y, z: (t.atleast_1d(z), t.atleast_1d(z, x), t.atleast_1d([z, x]),
                              t.atleast_2d(x), t.atleast_2d((z,)), t.atleast_3d(x),
                              t.atleast_3d(y), t.atleast_3d(z), t.atleast_3d(y[None])),
          a, b, c)
    check(lambda t, x: (t.flipud(x), t.fliplr(x), x.flipud(), x.fliplr()), b)
    check_raises(lambda t, x: t.flipud(x), c)
    check_raises(lambda t, x: t.fliplr(x), a)


def test_cartesian_prod_and_combinations():
    a, b = rand(2), rand(3)
    check(lambda t, x, y: (t.cartesian_prod(x, y, x), t.cartesian_prod(x)), a, b)
    check(lambda t, x: (t.combinations(x), t.combinations(x, 3), t.combinations(x, 0),
                        t.combinations(x, 4), t.combinations(x, with_replacement=True)), b)
    check(lambda t, x: t.combinations(x, 2), rand(4, dtype=I64, low=0, high=9))
    for fn, x in [(lambda t, x: t.cartesian_prod(x), rand(2, 2)),
                  (lambda t, x: t.combinations(x, -1), rand(3)),
                  (lambda t, x: t.combinations(x), rand(3, 2))]:
        check_raises(fn, x)


def test_tri_indices_and_vander():
    check(lambda t: (t.tril_indices(3, 4), t.tril_indices(3, 4, 1), t.triu_indices(3, 4, -1),
                     t.triu_indices(4, 3, 2, dtype=t.int32), t.tril_indices(0, 3)))
    check_raises(lambda t: t.tril_indices(3, 4, dtype=t.float32))
    check_raises(lambda t: t.tril_indices(-1, 4))
    x = rand(3)
    x[1] = 0.0
    check(lambda t, v: (t.vander(v), t.vander(v, N=2, increasing=True), t.vander(v, N=0),
                        t.vander(v, 1), t.vander(v, 4, True)), x, grad=False)
    # torch.vander's own backward fails (it modifies a saved tensor in place): gradients
    # are compared with those of the columns written as powers.
    check(lambda t, v: t.vander(v, 4) if t is fl else t.stack([v ** 3, v ** 2, v, v ** 0], 1),
          x)
    check(lambda t, v: t.vander(v), rand(3, dtype=np.int32, low=-3, high=3))
    check(lambda t, v: t.vander(v), rand(2, dtype=np.bool_))
    check_raises(lambda t, v: t.vander(v, N=-1), x)
    check_raises(lambda t, v: t.vander(v), rand(2, 2))


def test_cummax_cummin_logcumsumexp():
    x = np.array([[1.0, 3, 3, np.nan, 2, np.nan, 5], [4, 2, 2, 1, 5, 0, 0]], np.float32)
    check(lambda t, a: (t.cummax(a, 1), t.cummin(a, 1), a.cummax(0), a.cummin(-1)), x)
    check(lambda t, a: (t.cummax(a, 0), t.cummin(a, 0)), rand(5, dtype=I64, low=0, high=3))
    check(lambda t, a: (t.cummax(a, 0), t.cummin(a, 0)), rand(4, dtype=np.bool_))
    check(lambda t, a: (t.cummax(a, 0), t.cummin(a, -1)), rand())
    assert repr(fl.cummax(fl.tensor([1, 3, 2]), 0)) == repr(
        torch.cummax(torch.tensor([1, 3, 2]), 0))
    check(lambda t, a: (t.logcumsumexp(a, 1), a.logcumsumexp(0), t.logcumsumexp(a[0, 0], 0)),
          rand(2, 3, low=-30, high=30))
    check_raises(lambda t, a: t.logcumsumexp(a, 0), rand(3, dtype=I64, low=0, high=3))
