"""Threshold arithmetic, percentiles, the three-financial-year baseline and the before/after tests, on numbers
that can be checked by hand."""

import numpy as np
import pandas as pd
import pytest

from scrutiny.stats import baseline, interrupted, timing


def test_exactly_ten_seconds_counts_as_within():
    assert timing.within([9.999, 10.0, 10.001], 10).tolist() == [True, True, False]
    # whole-second telephony: 10 s within, 11 s not
    assert timing.within([10, 11], 10.0).tolist() == [True, False]


def test_missing_durations_are_never_within_and_leave_the_denominator():
    s = timing.share_within([3, 10, np.nan, 12], 10)
    assert (s.within, s.n) == (2, 3)
    assert s.share == pytest.approx(2 / 3)
    assert np.isnan(timing.share_within([], 10).share)


def test_p90_on_a_known_list():
    x = [7, 1, 10, 4, 2, 9, 3, 8, 6, 5]  # 1..10 shuffled
    # linear (type 7): h = 9 × 0.9 = 8.1 → x[8] + 0.1 × (x[9] − x[8]) = 9 + 0.1 = 9.1
    assert timing.percentile(x, 90) == pytest.approx(9.1)
    # nearest rank: ⌈10 × 0.9⌉ = 9th value = 9
    assert timing.percentile(x, 90, "nearest_rank") == 9
    # n = 5: nearest rank ⌈4.5⌉ = 5th value; linear h = 3.6 → 40 + 0.6 × 10 = 46
    assert timing.percentile([10, 20, 30, 40, 50], 90, "nearest_rank") == 50
    assert timing.percentile([10, 20, 30, 40, 50], 90) == pytest.approx(46)
    assert timing.percentile([10, 20, 30, 40, 50], 50) == 30
    assert timing.percentile([10, 20, 30, 40], 50) == 25


def test_percentile_agrees_with_numpy_and_duckdb():
    import duckdb

    rng = np.random.default_rng(1)
    x = rng.exponential(60, 101)
    assert timing.percentile(x, 90) == pytest.approx(np.percentile(x, 90))
    con = duckdb.connect()
    con.register("d", pd.DataFrame({"v": x}))
    got = con.execute("select quantile_cont(v, 0.9) from d").fetchone()[0]
    assert got == pytest.approx(timing.percentile(x, 90))


def test_percentile_edges():
    assert np.isnan(timing.percentile([np.nan], 90))
    assert timing.percentile([5], 90, "nearest_rank") == 5
    assert timing.percentile([1, 2, 3], 0, "nearest_rank") == 1
    with pytest.raises(ValueError):
        timing.percentile([1], 90, "mean")


def test_financial_year_runs_april_to_march():
    assert baseline.financial_year("2024-03") == 2023
    assert baseline.financial_year("2024-04") == 2024
    assert baseline.fy_label(2023) == "2023/24"
    assert baseline.fy_label(1999) == "1999/00"


def _year(start: int, pct_within: float, offered: int = 100) -> list[dict]:
    """12 months of a financial year, each with `offered` calls and the given share within target."""
    months = [f"{start}-{m:02d}" for m in range(4, 13)] + [f"{start + 1}-{m:02d}" for m in range(1, 4)]
    return [{"month": m, "offered": offered, "within": round(offered * pct_within)} for m in months]


def test_baseline_is_the_mean_of_the_three_previous_financial_years():
    # FY2021/22 90%, FY2022/23 95%, FY2023/24 97% → baseline for FY2024/25 months = (90 + 95 + 97) / 3 = 94
    rows = _year(2021, 0.90) + _year(2022, 0.95) + _year(2023, 0.97) + _year(2024, 0.80)[:3]
    df = pd.DataFrame(rows)
    b = baseline.three_year_baseline(df, "within", "offered")
    got = dict(zip(df["month"], b))
    assert got["2024-04"] == pytest.approx(94.0)
    assert got["2024-06"] == pytest.approx(94.0)
    # FY2023/24 months would need FY2020/21, which is not in the data: no baseline
    assert np.isnan(got["2024-03"])
    assert np.isnan(got["2021-04"])


def test_baseline_averages_the_yearly_percentages_not_the_pooled_calls():
    # FY 2021/22 has 10 calls a month at 50%, the next two 1,000 a month at 100%: the mean of percentages is
    # (50 + 100 + 100) / 3 = 83.33; pooling the calls would give about 99.7
    rows = _year(2021, 0.5, 10) + _year(2022, 1.0, 1000) + _year(2023, 1.0, 1000) + _year(2024, 1.0)[:1]
    df = pd.DataFrame(rows)
    b = baseline.three_year_baseline(df, "within", "offered")
    assert b.iloc[-1] == pytest.approx(250 / 3)


def test_baseline_needs_complete_years():
    rows = _year(2021, 0.9) + _year(2022, 0.9) + _year(2023, 0.9)[1:] + _year(2024, 0.9)[:1]  # April 2023 missing
    b = baseline.three_year_baseline(pd.DataFrame(rows), "within", "offered")
    assert np.isnan(b.iloc[-1])


def test_segmented_regression_finds_a_level_step():
    months = [f"{2022 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}" for i in range(36)]
    rng = np.random.default_rng(0)
    y = 70 + 0.0 * np.arange(36) + rng.normal(0, 1, 36)
    y[24:] += 8  # step at month 24
    r = interrupted.segmented_regression(y, months, months[24])
    assert (r.n_before, r.n_after) == (24, 12)
    assert r.level_change == pytest.approx(8, abs=2)
    assert r.level_p < 0.001
    assert "Newey–West" in r.method


def test_segmented_regression_standard_error_is_never_below_ordinary_least_squares():
    import statsmodels.api as sm
    from scipy import stats

    months = [f"{2022 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}" for i in range(30)]
    y = 50 + np.tile([1.0, -1.0], 15) + 0.5 * (np.arange(30) >= 18)  # strong negative autocorrelation
    r = interrupted.segmented_regression(y, months, months[18], seasonal=False)
    t = np.arange(30.0)
    a = (t >= 18).astype(float)
    ols = sm.OLS(y, np.column_stack([np.ones(30), t, a, (t - 18) * a])).fit()
    se = (r.level_ci[1] - r.level_ci[0]) / 2 / stats.t.ppf(0.975, 26)
    assert se >= ols.bse[2] - 1e-12
    assert r.level_p >= ols.pvalues[2] - 1e-12


def test_segmented_regression_matches_plain_ols_coefficients():
    import statsmodels.api as sm

    months = [f"2023-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]
    y = np.array([5, 6, 5, 7, 6, 6, 7, 8, 7, 9, 8, 9, 12, 12, 13, 14, 13, 15, 15, 16, 15, 17, 17, 18], float)
    r = interrupted.segmented_regression(y, months, "2024-01", seasonal=False)
    t = np.arange(24.0)
    a = (t >= 12).astype(float)
    X = np.column_stack([np.ones(24), t, a, (t - 12) * a])
    b = sm.OLS(y, X).fit().params
    assert r.level_change == pytest.approx(b[2])
    assert r.slope_change == pytest.approx(b[3])


def test_segmented_regression_refuses_short_sides():
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    assert interrupted.segmented_regression(np.ones(12), months, "2024-10") is None


def test_diff_in_diff_interaction_is_the_difference_of_log_odds_changes():
    cells = pd.DataFrame({"group": [0, 0, 1, 1], "after": [0, 1, 0, 1],
                          "successes": [50, 50, 50, 30], "n": [100, 100, 100, 100]})
    r = interrupted.proportion_diff_in_diff(cells)
    # group 1 goes from odds 1 to odds 30/70; group 0 stays at odds 1 → interaction = log(3/7)
    assert r.interaction_log_odds == pytest.approx(np.log(30 / 70))
    assert r.pvalue < 0.05
    assert r.rates[(1, "after")] == (30, 100, 0.3)
    assert interrupted.proportion_diff_in_diff(cells.iloc[:3]) is None


def test_diff_in_diff_matches_the_binomial_glm_interaction():
    import statsmodels.api as sm

    cells = pd.DataFrame({"group": [0, 0, 1, 1], "after": [0, 1, 0, 1],
                          "successes": [120, 130, 60, 40], "n": [200, 210, 150, 160]})
    r = interrupted.proportion_diff_in_diff(cells)
    X = pd.DataFrame({"const": 1.0, "g": cells["group"], "a": cells["after"]}).astype(float)
    X["ga"] = X["g"] * X["a"]
    fit = sm.GLM(np.column_stack([cells["successes"], cells["n"] - cells["successes"]]), X,
                 family=sm.families.Binomial()).fit()
    assert r.interaction_log_odds == pytest.approx(fit.params["ga"])
    assert r.pvalue == pytest.approx(fit.pvalues["ga"], rel=1e-6)
