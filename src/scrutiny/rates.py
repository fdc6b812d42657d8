"""Counts and rates: exact Poisson intervals and tests, Wilson intervals for proportions.

Counts are treated as Poisson (a full count, so "significance" is a model statement, not sampling error).
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats


def poisson_exact_ci(count: float, exposure: float = 1.0, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson rate count/exposure.

    Source: [χ²_{α/2}(2x)/2, χ²_{1−α/2}(2x+2)/2] (Garwood 1936; as in FunnelPlotR calculate_limits.R).
    """
    lo = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    hi = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return lo / exposure, hi / exposure


@dataclass(frozen=True)
class RateTest:
    """Result of a two-count comparison: the counts, the ratio and the test that judged it."""

    count1: float
    count2: float
    ratio: float
    statistic: float
    pvalue: float
    method: str

    def significant(self, alpha: float = 0.05) -> bool:
        return self.pvalue < alpha


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
    """Wilson score interval for a proportion (statsmodels proportion_confint, method='wilson').

    Source: Wilson (1927); statsmodels' default is the normal method, so the method is always passed.
    """
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return float("nan"), float("nan")
    lo, hi = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return float(lo), float(hi)


@dataclass(frozen=True)
class ProportionTest:
    """Result of comparing two proportions x1/n1 and x2/n2."""

    p1: float
    p2: float
    difference: float
    statistic: float
    pvalue: float
    method: str

    def significant(self, alpha: float = 0.05) -> bool:
        return self.pvalue < alpha


def two_proportion_ztest(x1: float, n1: float, x2: float, n2: float) -> ProportionTest:
    """Two-sided z-test that two independent proportions are equal, with the pooled standard error.

    z = (p1 − p2) / sqrt(p̂(1 − p̂)(1/n1 + 1/n2)), p̂ = (x1 + x2)/(n1 + n2); p = 2(1 − Φ(|z|)).
    Source: the score test for a difference of proportions (Agresti, Categorical Data Analysis, 3rd ed.,
    §3.1; the same statistic as statsmodels proportions_ztest with its default pooled variance, and the
    square root of the Pearson χ² for the 2×2 table without continuity correction).
    When both proportions are 0 or both 1 (no variance) the test is undefined: statistic nan, p = 1.
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one case")
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("successes must lie between 0 and the group size")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var == 0:
        return ProportionTest(p1, p2, p1 - p2, float("nan"), 1.0, "two-proportion z (pooled)")
    z = (p1 - p2) / var ** 0.5
    p = float(2 * stats.norm.sf(abs(z)))
    return ProportionTest(p1, p2, p1 - p2, float(z), p, "two-proportion z (pooled)")
