"""Overdispersion of monthly counts and a two-count test that allows for it (quasi-Poisson).

Monthly crime counts vary far more than Poisson (variance/mean of 40 is common at force level), so an exact
Poisson test of two 12-month totals calls most differences "significant". Under a quasi-Poisson model
Var(x) = φ·μ; φ is estimated from the series itself by the moving range, as on an XmR chart:
σ̂ = mR̄ / d2 (d2 = 1.128) and φ̂ = σ̂² / x̄ (domain notes §3.8; Wheeler, Understanding Variation), floored at 1
(never less variable than Poisson). Moving ranges that cross a declared or detected series break are left out.

The test of two totals x1, x0 over equal exposures (each a sum of m months) is
z = (x1 − x0) / √(φ̂ (x1 + x0)) (McCullagh & Nelder, Generalized Linear Models, 2nd ed., §4.5: quasi-likelihood
with a dispersion parameter), referred to Student's t with ν = 0.62·(k − 1) degrees of freedom, the effective
degrees of freedom of a dispersion estimated from the average moving range of k points (Wheeler, Advanced
Topics in Statistical Process Control, ch. 5 on the effective degrees of freedom of mR̄), so that the
uncertainty of φ̂ itself is allowed for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scrutiny.stats import distributions

D2 = 1.128
METHOD = "quasi-Poisson z-test (dispersion from the moving range)"


@dataclass(frozen=True)
class Dispersion:
    """φ̂ and how it was estimated: the mean moving range, the mean, and the points used."""

    phi: float
    mr_bar: float
    mean: float
    points: int

    @property
    def df(self) -> float:
        """Effective degrees of freedom of φ̂: 0.62·(k − 1) (Wheeler)."""
        return max(1.0, 0.62 * (self.points - 1))


def moving_range_dispersion(values, segments=None) -> Dispersion:
    """φ̂ = (mR̄/1.128)² / x̄ from a series of counts, floored at 1.

    segments: optional labels of the same length; a moving range between two points with different labels
    (a series break between them) is not used.
    """
    x = np.asarray(values, dtype=float)
    if len(x) < 3:
        return Dispersion(1.0, float("nan"), float(x.mean()) if len(x) else float("nan"), len(x))
    mr = np.abs(np.diff(x))
    if segments is not None:
        seg = np.asarray(segments)
        mr = mr[seg[1:] == seg[:-1]]
    mean = float(x.mean())
    if len(mr) == 0 or mean <= 0:
        return Dispersion(1.0, float("nan"), mean, len(x))
    mr_bar = float(mr.mean())
    phi = max(1.0, (mr_bar / D2) ** 2 / mean)
    return Dispersion(phi, mr_bar, mean, len(mr) + 1)


@dataclass(frozen=True)
class ChangeTest:
    """Two totals over equal exposures compared by a named test that allows for overdispersion."""

    current: float
    previous: float
    change: float
    pct_change: float
    statistic: float
    pvalue: float
    dispersion: float
    df: float
    method: str

    def significant(self, alpha: float = 0.05) -> bool:
        return bool(self.pvalue < alpha)


def quasi_poisson_2indep(current: float, previous: float, disp: Dispersion) -> ChangeTest:
    """z = (x1 − x0)/√(φ̂(x1 + x0)), two-sided p from Student's t with the effective df of φ̂ (see module)."""
    change = current - previous
    pct = 100.0 * change / previous if previous > 0 else float("nan")
    total = current + previous
    if total <= 0:
        return ChangeTest(current, previous, change, pct, float("nan"), 1.0, disp.phi, disp.df, METHOD)
    z = change / math.sqrt(disp.phi * total)
    p = 2 * distributions.t_sf(abs(z), disp.df)
    return ChangeTest(current, previous, change, pct, float(z), p, disp.phi, disp.df, METHOD)


def expected_false_signals(n_tests: int, alpha: float = 0.05) -> float:
    """How many of n independent tests at level α chance alone would call significant when nothing changed."""
    return n_tests * alpha
