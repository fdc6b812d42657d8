"""Tail areas and quantiles of the normal, chi-squared and Student t distributions, from scipy.special.

These are the functions scipy.stats itself evaluates (SciPy 1.x, scipy/stats/_continuous_distns.py):
`norm.sf(x)` is `ndtr(−x)`, `norm.ppf(q)` is `ndtri(q)`, `chi2.sf(x, k)` is `chdtrc(k, x)`, `chi2.ppf(q, k)` is
`2·gammaincinv(k/2, q)`, `t.sf(x, ν)` is `stdtr(ν, −x)` and `t.ppf(q, ν)` is `stdtrit(ν, q)`; tests/stats/test_distributions.py checks each
against scipy.stats value for value. Importing scipy.stats costs about 1.4 s in every process that does (the pack's
validation and each notebook kernel); scipy.special a tenth of it.
"""

from __future__ import annotations

from scipy import special


def norm_sf(x: float) -> float:
    """P(Z > x) for a standard normal Z."""
    return float(special.ndtr(-x))


def norm_ppf(q: float) -> float:
    """The standard normal quantile: x with P(Z ≤ x) = q."""
    return float(special.ndtri(q))


def norm_isf(q: float) -> float:
    """The upper standard normal quantile: x with P(Z > x) = q (scipy.stats: `norm.isf(q)` is `−ndtri(q)`)."""
    return float(-special.ndtri(q))


def chi2_sf(x: float, k: float) -> float:
    """P(X > x) for X chi-squared with k degrees of freedom (1 for x ≤ 0)."""
    return 1.0 if x <= 0 else float(special.chdtrc(k, x))


def chi2_ppf(q: float, k: float) -> float:
    """The chi-squared quantile with k degrees of freedom: x with P(X ≤ x) = q."""
    return float(2 * special.gammaincinv(k / 2, q))


def t_sf(x: float, df: float) -> float:
    """P(T > x) for T Student t with df degrees of freedom."""
    return float(special.stdtr(df, -x))


def t_ppf(q: float, df: float) -> float:
    """The Student t quantile with df degrees of freedom: x with P(T ≤ x) = q (scipy.stats: `t.ppf(q, df)` is
    `stdtrit(df, q)`)."""
    return float(special.stdtrit(df, q))
