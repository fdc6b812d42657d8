"""Wilson intervals, the pooled two-proportion test, funnel limits and suppression, against statsmodels/scipy and
numbers worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from scrutiny.stats import proportions as pr


@pytest.mark.parametrize("x,n", [(0, 1), (1, 1), (0, 30), (7, 30), (15, 30), (30, 30), (75, 100), (412, 560),
                                 (3, 1000), (999, 1000)])
def test_wilson_matches_statsmodels(x, n):
    lo, hi = pr.wilson_interval([x], [n])
    slo, shi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert lo[0] == pytest.approx(slo, abs=1e-12)
    assert hi[0] == pytest.approx(shi, abs=1e-12)


def test_wilson_by_hand_and_other_alpha():
    # x = 8, n = 10, z = 1.959964: centre = (0.8 + 0.192073)/1.384146 = 0.716732,
    # half = 1.959964·√(0.016 + 0.0096036)/1.384146 = 0.226630 -> [0.4902, 0.9433]
    lo, hi = pr.wilson_interval(8, 10)
    assert float(lo) == pytest.approx(0.4902, abs=1e-4)
    assert float(hi) == pytest.approx(0.9433, abs=1e-4)
    lo90, hi90 = pr.wilson_interval(8, 10, alpha=0.10)
    slo, shi = proportion_confint(8, 10, alpha=0.10, method="wilson")
    assert (float(lo90), float(hi90)) == pytest.approx((slo, shi), abs=1e-12)
    assert lo90 > lo and hi90 < hi  # a 90% interval is narrower


def test_wilson_vectorised_edges():
    lo, hi = pr.wilson_interval(np.array([0, 5, 0]), np.array([10, 10, 0]))
    assert lo[0] == 0.0 and hi[1] < 1.0 and math.isnan(lo[2]) and math.isnan(hi[2])
    lo, hi = pr.wilson_interval([10], [10])
    assert hi[0] == 1.0 and lo[0] == pytest.approx(proportion_confint(10, 10, method="wilson")[0])
    with pytest.raises(ValueError):
        pr.wilson_interval([11], [10])


def test_two_proportion_z_matches_statsmodels():
    res = pr.two_proportion_test([150, 60], [200, 100], [130, 55], [200, 90])
    for i, (a, b, c, d) in enumerate([(150, 200, 130, 200), (60, 100, 55, 90)]):
        z, p = proportions_ztest([a, c], [b, d], alternative="two-sided", prop_var=False)
        assert res.loc[i, "statistic"] == pytest.approx(z, rel=1e-10)
        assert res.loc[i, "pvalue"] == pytest.approx(p, rel=1e-10)
        assert res.loc[i, "method"] == pr.Z_POOLED
        assert res.loc[i, "difference"] == pytest.approx(a / b - c / d)


def test_two_proportion_by_hand():
    # 150/200 vs 130/200: pooled 0.7, se = √(0.7·0.3·0.01) = 0.045826, z = 0.1/0.045826 = 2.1822, p = 0.0291
    res = pr.two_proportion_test(150, 200, 130, 200)
    assert res.loc[0, "statistic"] == pytest.approx(2.1822, abs=1e-4)
    assert res.loc[0, "pvalue"] == pytest.approx(0.0291, abs=1e-4)


def test_two_proportion_small_cells_use_fisher_and_edges():
    # 28/30 vs 25/30: expected failures (7/60)·30 = 3.5 < 5 -> Fisher's exact test
    res = pr.two_proportion_test([28, 0, 10, 5], [30, 0, 10, 20], [25, 5, 10, 5], [30, 10, 10, 20])
    odds, p = stats.fisher_exact([[28, 2], [25, 5]])
    assert res.loc[0, "method"] == pr.FISHER and res.loc[0, "pvalue"] == pytest.approx(p)
    assert res.loc[1, "method"].startswith("not tested") and math.isnan(res.loc[1, "pvalue"])
    assert res.loc[2, "method"].startswith("not tested") and res.loc[2, "pvalue"] == 1.0
    assert res.loc[3, "pvalue"] == pytest.approx(1.0)  # identical groups
    with pytest.raises(ValueError):
        pr.two_proportion_test(5, 4, 1, 4)


def test_funnel_limits_by_hand():
    # p0 = 0.8, n = 100: 0.8 ± 1.959964·0.04 = [0.72160, 0.87840]; n = 4 at 99.8% clips at 1
    lo, hi = pr.funnel_limits(0.8, [100, 4, 0])
    assert lo[0] == pytest.approx(0.721601, abs=1e-6) and hi[0] == pytest.approx(0.878399, abs=1e-6)
    lo, hi = pr.funnel_limits(0.8, [4], z=pr.Z998)
    assert hi[0] == 1.0 and lo[0] == pytest.approx(0.8 - 3.090232 * 0.2, abs=1e-6)
    lo, hi = pr.funnel_limits(0.8, [0])
    assert math.isnan(lo[0])


def test_suppression_below_minimum():
    df = pd.DataFrame({"n": [29, 30, 0, 100], "rate": [0.5, 0.6, np.nan, 0.7], "low": [0.3, 0.4, np.nan, 0.6]})
    out = pr.suppress(df, "n", ["rate", "low"], min_n=30)
    assert out["suppressed"].tolist() == [True, False, True, False]
    assert math.isnan(out.loc[0, "rate"]) and out.loc[1, "rate"] == 0.6 and out.loc[3, "low"] == 0.6
    assert out["n"].tolist() == [29, 30, 0, 100]  # the count stays, so a reader sees why
    assert df.loc[0, "rate"] == 0.5  # the input is not changed
    assert pr.below_minimum([1, 2], 2).tolist() == [True, False]
    with pytest.raises(ValueError):
        pr.below_minimum([1], 0)
