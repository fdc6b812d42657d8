import math

import pytest
from scipy import stats

from scrutiny.stats import rates


def test_poisson_exact_ci_matches_chi_square_formula():
    lo, hi = rates.poisson_exact_ci(10, exposure=1000)
    assert lo == pytest.approx(stats.chi2.ppf(0.025, 20) / 2 / 1000)
    assert hi == pytest.approx(stats.chi2.ppf(0.975, 22) / 2 / 1000)
    # Garwood's table: x=10 -> (4.795, 18.390)
    assert lo * 1000 == pytest.approx(4.7954, abs=1e-3)
    assert hi * 1000 == pytest.approx(18.3904, abs=1e-3)


def test_poisson_exact_ci_zero_count():
    lo, hi = rates.poisson_exact_ci(0)
    assert lo == 0
    assert hi == pytest.approx(3.6889, abs=1e-3)  # -ln(0.025)


def test_poisson_2indep_is_conditional_binomial():
    # under H0 with equal exposures, x1 | n ~ Binomial(n, 1/2); two-sided exact p for 25 vs 16
    t = rates.poisson_2indep(25, 16)
    p_binom = stats.binomtest(25, 41, 0.5).pvalue
    assert t.pvalue == pytest.approx(p_binom, rel=1e-6)
    assert t.method == "exact-cond"
    assert not t.significant()
    assert t.ratio == pytest.approx(25 / 16)


def test_poisson_2indep_large_change_is_significant():
    assert rates.poisson_2indep(58832, 56390).significant()


def test_poisson_2indep_rejects_fractions():
    with pytest.raises(ValueError):
        rates.poisson_2indep(2.5, 3)


def test_wilson_by_hand():
    x, n, z = 40, 50, 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = rates.wilson_ci(x, n)
    assert lo == pytest.approx(centre - half)
    assert hi == pytest.approx(centre + half)


def test_wilson_is_statsmodels_wilson_exactly():
    from statsmodels.stats.proportion import proportion_confint

    for n in [1, 2, 7, 30, 466, 12_345, 2_141_325]:
        for x in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            for alpha in (0.05, 0.01, 0.1):
                want = tuple(float(v) for v in proportion_confint(x, n, alpha=alpha, method="wilson"))
                assert rates.wilson_ci(x, n, alpha) == want, (x, n, alpha)
    assert all(v != v for v in rates.wilson_ci(0, 0))


def test_pooled_z_by_hand_and_as_statsmodels():
    from statsmodels.stats.proportion import proportions_ztest

    # 30/100 against 20/100: pooled p = 0.25, se = √(0.25 × 0.75 × 0.02) = 0.061237…, z = 0.1 / se = 1.632993…
    z, p = rates.pooled_z(30, 100, 20, 100)
    assert z == pytest.approx(0.1 / math.sqrt(0.25 * 0.75 * 0.02), rel=1e-12)
    assert p == pytest.approx(0.102470, abs=1e-6)
    for x1, n1, x2, n2 in [(30, 100, 20, 100), (1, 7, 6, 9), (512, 4_000, 610, 4_100), (0, 10, 3, 12)]:
        want_z, want_p = proportions_ztest([x1, x2], [n1, n2])
        got_z, got_p = rates.pooled_z(x1, n1, x2, n2)
        assert got_z == pytest.approx(float(want_z), rel=1e-12) and got_p == pytest.approx(float(want_p), rel=1e-9)
    assert all(v != v for v in rates.pooled_z(0, 10, 0, 12))
