"""scrutiny.stats.distributions against scipy.stats, value for value (the same scipy.special functions underneath),
over the ranges the pack uses them: test statistics, p-value levels, counts, degrees of freedom."""

import numpy as np
import pytest
from scipy import stats

from scrutiny.stats import distributions as d

XS = [-40.0, -8.5, -3.090232, -1.959964, -1.0, -1e-9, 0.0, 1e-9, 0.5, 1.0, 1.959964, 2.5, 3.090232, 8.5, 40.0]
QS = [1e-12, 0.0005, 0.001, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.999, 0.9995, 1 - 1e-12]


@pytest.mark.parametrize("x", XS)
def test_normal_tail(x):
    assert d.norm_sf(x) == float(stats.norm.sf(x))


@pytest.mark.parametrize("q", QS)
def test_normal_quantile(q):
    assert d.norm_ppf(q) == float(stats.norm.ppf(q))


@pytest.mark.parametrize("k", [1, 2, 3, 10, 2 * 7, 2 * 7 + 2, 2 * 12345, 2 * 12345 + 2])
def test_chi_squared_tail_and_quantile(k):
    for x in [0.0, 1e-6, 0.5, 1.0, 3.84, 10.83, 50.0, float(k), 3.0 * k]:
        assert d.chi2_sf(x, k) == float(stats.chi2.sf(x, k)), x
    for q in QS:
        assert d.chi2_ppf(q, k) == float(stats.chi2.ppf(q, k)), q


@pytest.mark.parametrize("df", [1, 2, 5, 11, 22, 100, 1e6])
def test_student_t_tail(df):
    for x in XS:
        assert d.t_sf(x, df) == float(stats.t.sf(x, df)), x


def test_known_values_by_hand():
    assert 2 * d.norm_sf(1.959964) == pytest.approx(0.05, abs=1e-7)
    assert d.chi2_sf(3.841459, 1) == pytest.approx(0.05, abs=1e-7)
    assert d.chi2_ppf(0.975, 2) == pytest.approx(-2 * np.log(0.025))  # chi-squared with 2 df is exponential(1/2)
    assert d.t_sf(0.0, 7) == 0.5


def test_pack_processes_do_not_import_scipy_stats():
    """The modules every page of the default pack imports, and the tests they run (Fisher's exact test, Kendall's
    tau, segmented regression, the pooled z-test, the Wilson interval), leave scipy.stats and statsmodels
    unimported (about a second to import in each kernel)."""
    import subprocess
    import sys

    code = """import sys
import numpy as np
import scrutiny.stats.breaks, scrutiny.stats.dispersion, scrutiny.stats.funnel, scrutiny.analyses.performance
import scrutiny.analyses.districts, scrutiny.analyses.outcomes, scrutiny.analyses.victims
import scrutiny.analyses.criminal_justice, scrutiny.report.victims_page
from scrutiny.stats import interrupted, kendall, proportions, rates
rates.two_proportion_test(1, 10, 7, 12)
proportions.two_proportion_test(np.array([1.0, 40.0]), np.array([10.0, 90.0]), np.array([6.0, 30.0]),
                                np.array([9.0, 95.0]))
kendall.kendall_tau(range(12), [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8])
months = [f"2023-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]
interrupted.segmented_regression(list(range(24)), months, "2024-01")
rates.pooled_z(3, 10, 5, 12), rates.wilson_ci(3, 10)
print(sorted(m for m in ("scipy.stats", "statsmodels") if m in sys.modules))"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize("q", QS)
def test_normal_upper_quantile(q):
    assert d.norm_isf(q) == float(stats.norm.isf(q))
