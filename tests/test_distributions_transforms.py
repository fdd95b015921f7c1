"""The added transforms (Abs, Power, Softmax, StickBreaking, Reshape, Cat, Stack,
Independent, LowerCholesky, PositiveDefinite, CorrCholesky, CumulativeDistribution) and the
biject_to / transform_to registries, against torch.distributions: forward, inverse,
log_abs_det_jacobian with gradients, shapes, reprs and errors."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, rand


def test_transforms_match_torch():
    """Forward, inverse and log|det J| (and their gradients) of each transform."""
    def fn(t, x, p, m, v):
        T = t.distributions.transforms
        out = {}
        cases = {
            "abs": (T.AbsTransform(), x, False),
            "power": (T.PowerTransform(t.tensor([0.5, 2.0, 3.0])), p, True),
            "softmax": (T.SoftmaxTransform(), x, False),
            "stick": (T.StickBreakingTransform(), x, True),
            "reshape": (T.ReshapeTransform((2, 3), (3, 2)), m, True),
            "cat": (T.CatTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)], dim=-1,
                                   lengths=[1, 2]), x, True),
            "stack": (T.StackTransform([T.ExpTransform(), T.SigmoidTransform(),
                                        T.TanhTransform()], dim=-1), x, True),
            "lower_cholesky": (T.LowerCholeskyTransform(), m[:, :2], False),
            "corr_cholesky": (T.CorrCholeskyTransform(), v, True),
            "cdf": (T.CumulativeDistributionTransform(t.distributions.Normal(0.0, 1.0)), x,
                    True),
        }
        for name, (tr, inp, ldj) in cases.items():
            y = tr(inp)
            out[name] = (y, tr.inv(y)) + ((tr.log_abs_det_jacobian(inp, y),) if ldj else ())
        pd = T.PositiveDefiniteTransform()
        out["positive_definite"] = pd(m[:, :2])
        return out

    check(fn, rand(2, 3), rand(2, 3, low=0.5, high=2.0), rand(2, 3), rand(2, 3, low=-1, high=1),
          atol=2e-5, rtol=2e-4)


def test_transform_shapes_reprs_and_domains_match_torch():
    got = []
    for t in (torch, fl):
        T = t.distributions.transforms
        trs = [T.StickBreakingTransform(), T.CorrCholeskyTransform(),
               T.ReshapeTransform((6,), (2, 3)), T.IndependentTransform(T.ExpTransform(), 2),
               T.PowerTransform(2.0), T.SoftmaxTransform(), T.AbsTransform(),
               T.LowerCholeskyTransform(), T.StackTransform([T.ExpTransform()] * 2, dim=-1),
               T.CatTransform([T.ExpTransform()] * 2, dim=-1, lengths=[1, 2])]
        rows = []
        for tr in trs:
            rows.append((repr(tr), repr(tr.domain), repr(tr.codomain), tr.domain.event_dim,
                         tr.codomain.event_dim, tr.bijective))
        shapes = [tuple(trs[0].forward_shape((4, 3))), tuple(trs[0].inverse_shape((4, 3))),
                  tuple(trs[1].forward_shape((2, 6))), tuple(trs[1].inverse_shape((5, 4, 4))),
                  tuple(trs[2].forward_shape((5, 6))), tuple(trs[2].inverse_shape((5, 2, 3)))]
        eq = [T.AbsTransform() == T.AbsTransform(), T.PowerTransform(2.0) == T.PowerTransform(2.0),
              T.StickBreakingTransform() == T.SoftmaxTransform()]
        got.append((rows, shapes, eq))
    assert got[1] == got[0]


@pytest.mark.parametrize("case", [
    lambda T, t: T.ReshapeTransform((2, 3), (4,)),
    lambda T, t: T.ReshapeTransform((2, 3), (3, 2)).forward_shape((2, 2)),
    lambda T, t: T.CorrCholeskyTransform().forward_shape((4,)),
    lambda T, t: T.CorrCholeskyTransform().inverse_shape((3, 4)),
    lambda T, t: T.StickBreakingTransform().forward_shape(()),
    lambda T, t: T.CatTransform([T.ExpTransform()], dim=0, lengths=[2])(t.ones(3)),
    lambda T, t: T.StackTransform([T.ExpTransform()] * 2, dim=0)(t.ones(3)),
    lambda T, t: T.CatTransform([T.ExpTransform()], lengths=[1, 2]),
])
def test_transform_errors_match_torch(case):
    with pytest.raises(Exception) as want:
        case(torch.distributions.transforms, torch)
    with pytest.raises(type(want.value)) as got:
        case(fl.distributions.transforms, fl)
    assert str(got.value) == str(want.value)


def _constraints(t):
    C = t.distributions.constraints
    return [C.real, C.positive, C.nonnegative, C.greater_than(1.5), C.greater_than_eq(-1.0),
            C.less_than(2.0), C.unit_interval, C.interval(-2.0, 3.0),
            C.half_open_interval(0.0, 2.0), C.simplex, C.real_vector, C.corr_cholesky,
            C.lower_cholesky, C.positive_definite,
            C.independent(C.positive, 1), C.cat([C.positive, C.real], -1, [1, 2]),
            C.stack([C.positive, C.unit_interval, C.real], -1)]


def test_biject_to_and_transform_to_match_torch():
    """The registered transform for each constraint: same kind and repr, same values on the
    same input, and its result lies in the constraint."""
    x = rand(3, 3)

    def fn(t, x):
        D = t.distributions
        out = []
        for c in _constraints(t):
            for registry in (D.biject_to, D.transform_to):
                try:
                    tr = registry(c)
                except NotImplementedError:
                    out.append("none")
                    continue
                inp = x[:, 0] if c.event_dim == 0 and tr.domain.event_dim == 0 else x
                if isinstance(tr, D.transforms.CorrCholeskyTransform):
                    inp = x[0]
                y = tr(inp)
                assert bool(c.check(y).all())
                out.append(y)
        return out

    # Values only: the transforms' gradients are covered by test_transforms_match_torch.
    check(fn, x, grad=False, atol=2e-5, rtol=2e-4)
    reprs = [[repr(reg(c)) if (reg in (D.transform_to,) or not isinstance(
        c, type(t.distributions.constraints.lower_cholesky))) else None
        for c in _constraints(t) for reg in (D.biject_to, D.transform_to)
        if _registered(reg, c)]
        for t, D in ((torch, torch.distributions), (fl, fl.distributions))]
    assert reprs[1] == reprs[0]
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        fl.distributions.biject_to(fl.distributions.constraints.boolean)


def _registered(registry, c):
    try:
        registry(c)
    except NotImplementedError:
        return False
    return True
