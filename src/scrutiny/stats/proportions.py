"""Survey proportions: Wilson score intervals, the pooled two-proportion test, funnel limits for a proportion, and
suppression below a minimum number of responses.

Every function works on whole columns at once (numpy arrays or pandas Series), so a table of months × areas ×
questions is computed in one call. Pure: imports nothing of the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from scrutiny.stats import fisher

Z95 = 1.959963984540054  # Φ⁻¹(0.975)
Z998 = 3.090232306167813  # Φ⁻¹(0.999)
WILSON = "Wilson score interval"
Z_POOLED = "two-proportion z-test (pooled)"
FISHER = "Fisher's exact test"


def _z(alpha: float) -> float:
    return float(special.ndtri(1 - alpha / 2))


def wilson_interval(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x/n, elementwise; NaN where n is 0.

    [p̂ + z²/2n ± z√(p̂(1−p̂)/n + z²/4n²)] / (1 + z²/n), z = Φ⁻¹(1 − α/2) (Wilson 1927; method 3 of Newcombe 1998,
    "Two-sided confidence intervals for the single proportion"; statsmodels proportion_confint(method="wilson")).
    """
    x = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    if np.any(x < 0) or np.any(x > m):
        raise ValueError("successes must lie between 0 and n")
    z = _z(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / m
        centre = p + z * z / (2 * m)
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
        denom = 1 + z * z / m
        lo = np.where(m > 0, (centre - half) / denom, np.nan)
        hi = np.where(m > 0, (centre + half) / denom, np.nan)
    # x = 0 and x = n give exactly 0 and 1 at the open end (rounding can leave 1e-17)
    lo = np.where((x == 0) & (m > 0), 0.0, lo)
    hi = np.where((x == m) & (m > 0), 1.0, hi)
    return lo, hi


def two_proportion_test(x1, n1, x2, n2, min_expected: float = 5.0) -> pd.DataFrame:
    """Two-sided test that x1/n1 and x2/n2 are equal, elementwise; one row per pair.

    Pooled z-test: z = (p̂₁ − p̂₂)/√(p̄(1−p̄)(1/n₁ + 1/n₂)), p̄ = (x₁+x₂)/(n₁+n₂) (Agresti, Categorical Data Analysis,
    3rd ed., §2.1; statsmodels proportions_ztest). Where an expected cell of the 2×2 table is below `min_expected`
    the normal approximation is not trusted and Fisher's exact test (scipy.stats.fisher_exact) gives the p-value.
    Columns: difference (p̂₁ − p̂₂), statistic (z, or the odds ratio for Fisher), pvalue, method. Not tested
    (p = NaN) when either group is empty; p = 1 when every answer is the same in both groups.
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    x1, n1, x2, n2 = np.broadcast_arrays(x1, n1, x2, n2)
    if np.any((x1 < 0) | (x1 > n1) | (x2 < 0) | (x2 > n2)):
        raise ValueError("successes must lie between 0 and the group size")
    empty = (n1 <= 0) | (n2 <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se
        expected = np.minimum.reduce([pooled * n1, (1 - pooled) * n1, pooled * n2, (1 - pooled) * n2])
    p = 2 * special.ndtr(-np.abs(z))
    same = ~empty & ((pooled == 0) | (pooled == 1))
    small = ~empty & ~same & (expected < min_expected)
    method = np.where(empty, "not tested (no responses in a group)",
                      np.where(same, "not tested (every answer the same)", np.where(small, FISHER, Z_POOLED)))
    stat = np.where(empty | same, np.nan, z)
    p = np.where(empty, np.nan, np.where(same, 1.0, p))
    for i in np.flatnonzero(small):
        table = [[int(x1.flat[i]), int(n1.flat[i] - x1.flat[i])], [int(x2.flat[i]), int(n2.flat[i] - x2.flat[i])]]
        odds, pf = fisher.fisher_exact(table)
        stat.flat[i], p.flat[i] = odds, pf
    return pd.DataFrame({"difference": (p1 - p2).ravel(), "statistic": stat.ravel(), "pvalue": p.ravel(),
                         "method": method.ravel()})


def funnel_limits(p0: float, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Funnel-plot control limits for a proportion with target p0 at sample size n: p0 ± z√(p0(1−p0)/n),
    clipped to [0, 1] (Spiegelhalter 2005, "Funnel plots for comparing institutional performance", §2, binomial
    normal approximation). NaN where n is 0."""
    m = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(p0 * (1 - p0) / m)
    lo = np.where(m > 0, np.clip(p0 - half, 0, 1), np.nan)
    hi = np.where(m > 0, np.clip(p0 + half, 0, 1), np.nan)
    return lo, hi


def below_minimum(n, min_n: int) -> np.ndarray:
    """True where a proportion rests on fewer than `min_n` responses and is not published (the threshold is a
    policy choice: domain notes §3.3)."""
    if min_n < 1:
        raise ValueError("the minimum number of responses must be at least 1")
    return np.asarray(n, dtype=float) < min_n


def suppress(df: pd.DataFrame, n: str, columns: list[str], min_n: int) -> pd.DataFrame:
    """A copy of `df` with `columns` blanked (NaN) on rows whose `n` is below `min_n`, and a `suppressed` column
    saying which rows were blanked. The count `n` itself stays, so a reader sees why."""
    out = df.copy()
    hide = below_minimum(out[n], min_n)
    for c in columns:
        out[c] = out[c].astype(float).where(~hide)
    out["suppressed"] = hide
    return out
