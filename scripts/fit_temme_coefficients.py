"""Fits the polynomials in eta of Temme's c0(eta) and c1(eta) (DLMF 8.12) that
functorch_like/pure/_gammainc.py uses, at 60 digits with mpmath (installed with torch):

    python scripts/fit_temme_coefficients.py

lambda(eta) solves eta^2 / 2 = lambda - 1 - ln(lambda) with sign(lambda - 1) = sign(eta);
c0 = 1/(lambda - 1) - 1/eta and c1 = 1/eta^3 - 1/(lambda - 1)^3 - 1/(lambda - 1)^2
- 1/(12 (lambda - 1)), whose limits at eta = 0 are -1/3 and -1/540. Prints each fit's
coefficients (highest degree first) and its largest error over |eta| <= 0.36.
"""

import mpmath as mp

mp.mp.dps = 60


def _lambda(eta):
    return mp.findroot(lambda lam: lam - 1 - mp.log(lam) - eta ** 2 / 2,
                       1 + eta + eta ** 2 / 3)


def c0(eta):
    if abs(eta) < mp.mpf("1e-25"):
        return mp.mpf(-1) / 3
    return 1 / (_lambda(eta) - 1) - 1 / eta


def c1(eta):
    if abs(eta) < mp.mpf("1e-25"):
        return mp.mpf(-1) / 540
    d = _lambda(eta) - 1
    return 1 / eta ** 3 - 1 / d ** 3 - 1 / d ** 2 - 1 / (12 * d)


if __name__ == "__main__":
    for name, f, n in (("c0", c0, 10), ("c1", c1, 8)):
        poly, err = mp.chebyfit(f, [-0.36, 0.36], n, error=True)
        print(f"{name}: largest error {mp.nstr(err, 3)}")
        print("  (" + ",\n   ".join(mp.nstr(c, 17) for c in poly) + ")")
