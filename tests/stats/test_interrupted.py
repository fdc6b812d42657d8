"""Segmented regression and its least-squares fit (stats/interrupted.py) against statsmodels' OLS, and the
difference in differences against a hand calculation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.regression.linear_model import OLS

from scrutiny.stats import interrupted


@pytest.mark.parametrize("n", [13, 24, 36, 61])
def test_ols_fit_is_statsmodels_ols_ordinary_and_hac(n):
    rng = np.random.default_rng(n)
    t = np.arange(n, dtype=float)
    X = np.column_stack([np.ones(n), t, (t >= n // 2).astype(float), np.sin(2 * np.pi * (t % 12) / 12)])
    y = 40 + 0.5 * t + rng.normal(scale=5, size=n).cumsum() / 3  # autocorrelated noise: HAC differs
    fit = interrupted.ols_fit(y, X, 3)
    ordinary = OLS(y, X).fit()
    hac = OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    assert fit.params == pytest.approx(ordinary.params, rel=1e-10)
    assert fit.se == pytest.approx(ordinary.bse, rel=1e-10)
    assert fit.se_hac == pytest.approx(hac.bse, rel=1e-10)
    assert fit.df_resid == ordinary.df_resid == n - 4


def test_a_straight_line_with_a_step_is_recovered_exactly():
    months = [f"{2022 + (k // 12)}-{k % 12 + 1:02d}" for k in range(24)]
    y = [100 + 2 * k + (30 if k >= 12 else 0) for k in range(24)]
    r = interrupted.segmented_regression(y, months, months[12], seasonal=False)
    assert r.level_change == pytest.approx(30) and r.slope_change == pytest.approx(0, abs=1e-9)
    assert (r.n_before, r.n_after) == (12, 12)


def test_segmented_regression_p_value_is_the_t_test_of_statsmodels():
    rng = np.random.default_rng(7)
    months = [f"{2021 + (k // 12)}-{k % 12 + 1:02d}" for k in range(36)]
    y = 200 + rng.normal(scale=12, size=36) + np.where(np.arange(36) >= 20, 25, 0)
    r = interrupted.segmented_regression(y, months, months[20], seasonal=True, hac_lags=3)
    t = np.arange(36, dtype=float)
    after = (t >= 20).astype(float)
    moy = np.array([int(m[5:7]) for m in months], dtype=float)
    X = pd.DataFrame({"const": 1.0, "t": t, "after": after, "t_after": (t - 20) * after,
                      "sin": np.sin(2 * np.pi * moy / 12), "cos": np.cos(2 * np.pi * moy / 12)})
    ols, hac = OLS(y, X).fit(), OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    se = max(ols.bse["after"], hac.bse["after"])
    from scipy import stats

    want_p = 2 * stats.t.sf(abs(ols.params["after"] / se), ols.df_resid)
    crit = stats.t.ppf(0.975, ols.df_resid)
    assert r.level_change == pytest.approx(ols.params["after"], rel=1e-10)
    assert r.level_p == pytest.approx(want_p, rel=1e-9)
    assert r.level_ci == pytest.approx((ols.params["after"] - crit * se, ols.params["after"] + crit * se), rel=1e-10)


def test_difference_in_differences_by_hand():
    cells = pd.DataFrame({"group": [0, 0, 1, 1], "after": [0, 1, 0, 1], "successes": [20, 25, 10, 30],
                          "n": [100, 100, 100, 100]})
    d = interrupted.proportion_diff_in_diff(cells)
    lo = {k: math.log(s / (100 - s)) for k, s in zip(((0, 0), (0, 1), (1, 0), (1, 1)), (20, 25, 10, 30))}
    est = (lo[(1, 1)] - lo[(1, 0)]) - (lo[(0, 1)] - lo[(0, 0)])
    se = math.sqrt(sum(1 / s + 1 / (100 - s) for s in (20, 25, 10, 30)))
    assert d.interaction_log_odds == pytest.approx(est)
    assert d.pvalue == pytest.approx(math.erfc(abs(est / se) / math.sqrt(2)), rel=1e-12)
