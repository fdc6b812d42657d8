"""Counts and rates: exact Poisson intervals and tests, Wilson intervals for proportions.

Counts are treated as Poisson (a full count, so "significance" is a model statement, not sampling error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scrutiny.stats import distributions, fisher


def poisson_exact_ci(count: float, exposure: float = 1.0, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson rate count/exposure.

    Source: [χ²_{α/2}(2x)/2, χ²_{1−α/2}(2x+2)/2] (Garwood 1936; as in FunnelPlotR calculate_limits.R).
    """
    lo = 0.0 if count == 0 else distributions.chi2_ppf(alpha / 2, 2 * count) / 2
    hi = distributions.chi2_ppf(1 - alpha / 2, 2 * count + 2) / 2
    return lo / exposure, hi / exposure


class _Tested:
    """A test result with a two-sided p-value; `significant` is the only wording the pages use for p < alpha."""

    pvalue: float

    def significant(self, alpha: float = 0.05) -> bool:
        return self.pvalue < alpha


@dataclass(frozen=True)
class RateTest(_Tested):
    """Result of a two-count comparison: the counts, the ratio and the test that judged it."""

    count1: float
    count2: float
    ratio: float
    statistic: float
    pvalue: float
    method: str


def poisson_2indep(count1: float, count2: float, exposure1: float = 1.0, exposure2: float = 1.0) -> RateTest:
    """Exact conditional test that two Poisson rates are equal (two-sided).

    Source: statsmodels.stats.rates.test_poisson_2indep(method="exact-cond"): under H0,
    x1 | x1+x2 ~ Binomial(x1+x2, e1/(e1+e2)) (Przyborowski & Wilenski 1940).
    """
    from statsmodels.stats.rates import test_poisson_2indep

    if count1 != int(count1) or count2 != int(count2) or count1 < 0 or count2 < 0:
        raise ValueError("the exact conditional test needs whole, non-negative counts")
    if count1 + count2 == 0:
        return RateTest(count1, count2, float("nan"), float("nan"), 1.0, "exact-cond")
    res = test_poisson_2indep(int(count1), exposure1, int(count2), exposure2, method="exact-cond",
                              alternative="two-sided")
    ratio = (count1 / exposure1) / (count2 / exposure2) if count2 > 0 else float("inf")
    return RateTest(count1, count2, ratio, float(res.statistic), float(res.pvalue), "exact-cond")


def wilson_ci(successes: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion p̂ = x/n: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z the
    upper α/2 normal quantile, clipped to [0, 1].

    Source: Wilson (1927); computed as statsmodels' proportion_confint(method='wilson') computes it, step for step
    (tests/stats/test_rates.py checks the two agree exactly), without importing statsmodels and scipy.stats."""
    if n == 0:
        return float("nan"), float("nan")
    q = successes / n
    crit = distributions.norm_isf(alpha / 2.0)
    crit2 = crit ** 2
    denom = 1 + crit2 / n
    center = (q + crit2 / (2 * n)) / denom
    dist = crit * math.sqrt(q * (1.0 - q) / n + crit2 / (4.0 * n ** 2)) / denom
    return min(max(center - dist, 0.0), 1.0), min(max(center + dist, 0.0), 1.0)


@dataclass(frozen=True)
class ProportionTest(_Tested):
    """Two proportions x1/n1 and x2/n2 compared by a named two-sided test."""

    x1: float
    n1: float
    x2: float
    n2: float
    difference: float
    statistic: float
    pvalue: float
    method: str


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> ProportionTest:
    """Two-sided test that two independent proportions are equal.

    Pooled two-proportion z-test, z = (p1 − p2) / √(p(1−p)(1/n1 + 1/n2)) with p = (x1+x2)/(n1+n2)
    (Agresti, Categorical Data Analysis, 3rd ed., §2.1 and §3.1; statsmodels.stats.proportion.proportions_ztest,
    which computes the same statistic). When any expected cell count of the 2×2 table is below 5 the normal
    approximation is not trusted and Fisher's exact test (two-sided, stats/fisher.py) is used instead;
    `method` says which test gave the p-value. Returns p = NaN when either group is empty or nothing varies.
    """
    if n1 <= 0 or n2 <= 0:
        return ProportionTest(x1, n1, x2, n2, float("nan"), float("nan"), float("nan"), "not tested (empty group)")
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("successes must lie between 0 and the group size")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    cells = [x1, n1 - x1, x2, n2 - x2]
    expected = [pooled * n1, (1 - pooled) * n1, pooled * n2, (1 - pooled) * n2]
    if pooled in (0.0, 1.0):
        return ProportionTest(x1, n1, x2, n2, p1 - p2, float("nan"), 1.0, "not tested (no variation)")
    if min(expected) < 5:
        table = [[int(cells[0]), int(cells[1])], [int(cells[2]), int(cells[3])]]
        odds, p = fisher.fisher_exact(table)
        return ProportionTest(x1, n1, x2, n2, p1 - p2, float(odds), float(p), "Fisher's exact test")
    z, p = pooled_z(x1, n1, x2, n2)
    return ProportionTest(x1, n1, x2, n2, p1 - p2, z, p, "two-proportion z-test (pooled)")


def pooled_z(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """(z, two-sided p) of the pooled two-proportion z-test, z = (p1 − p2) / √(p(1−p)(1/n1 + 1/n2)) with
    p = (x1+x2)/(n1+n2) (Agresti, Categorical Data Analysis, 3rd ed., §3.1.2), as statsmodels' proportions_ztest
    computes it (tests/stats/test_rates.py checks the two agree), whatever the expected counts. (NaN, NaN) when
    every case is a success or none is: nothing varies."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return float("nan"), float("nan")
    z = (x1 / n1 - x2 / n2) / se
    return float(z), float(2 * distributions.norm_sf(abs(z)))


@dataclass(frozen=True)
class RateRatio:
    """The ratio of two rates a/pop_a ÷ b/pop_b with its interval and the method that gave it."""

    ratio: float
    low: float
    high: float
    method: str


def rate_ratio_ci(a: float, pop_a: float, b: float, pop_b: float, alpha: float = 0.05) -> RateRatio:
    """Rate ratio (a/pop_a)/(b/pop_b) with a Wald interval on the log scale.

    log RR ± z·√(1/a + 1/b), z = Φ⁻¹(1 − α/2) (1.96 for 95%): the large-sample variance of a log ratio of two
    Poisson counts with fixed denominators (Rothman, Greenland & Lash, Modern Epidemiology, 3rd ed., ch. 14).
    Undefined (NaN) when
    either count is 0; callers suppress small counts before relying on it.
    """
    import math

    if pop_a <= 0 or pop_b <= 0:
        raise ValueError("populations must be positive")
    if a <= 0 or b <= 0:
        return RateRatio(float("nan"), float("nan"), float("nan"), "log rate ratio ± z·√(1/a+1/b)")
    rr = (a / pop_a) / (b / pop_b)
    z = distributions.norm_ppf(1 - alpha / 2)
    half = z * math.sqrt(1 / a + 1 / b)
    return RateRatio(rr, rr * math.exp(-half), rr * math.exp(half), "log rate ratio ± z·√(1/a+1/b)")
