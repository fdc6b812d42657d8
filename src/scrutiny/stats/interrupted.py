"""Before/after comparisons around a date: interrupted time series (segmented regression) on a monthly series,
and a difference in differences on a proportion between two groups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scrutiny.stats import distributions


@dataclass(frozen=True)
class Segmented:
    """Interrupted time series fitted by segmented regression; level and slope changes with their tests."""

    method: str
    n_before: int
    n_after: int
    level_change: float
    level_ci: tuple[float, float]
    level_p: float
    slope_change: float
    slope_ci: tuple[float, float]
    slope_p: float
    mean_before: float
    mean_after: float

    def significant_level(self, alpha: float = 0.05) -> bool:
        return self.level_p < alpha


def segmented_regression(values, months: list[str], start: str, seasonal: bool = True, hac_lags: int = 3,
                         min_each_side: int = 6) -> Segmented | None:
    """Interrupted time series: y_t = b0 + b1·t + b2·after_t + b3·(t − t0)·after_t [+ a·sin + c·cos of the
    month of year], fitted by OLS; b2 is the level change at the start month and b3 the change in slope per
    month, each tested by a two-sided t test (n − k degrees of freedom). The standard error is the larger of the
    ordinary and the Newey–West (HAC, `hac_lags` months) estimates, so autocorrelation can widen an interval but
    a short series' chance negative autocorrelation never narrows one.

    Source: Wagner et al. 2002, "Segmented regression analysis of interrupted time series studies in medication
    use research"; Newey & West 1987. The annual harmonic absorbs a seasonal pattern. Returns None when either
    side has fewer than `min_each_side` months. The fit is `ols_fit` (tests/stats/test_interrupted.py checks it
    against statsmodels' OLS, ordinary and HAC covariance).
    """
    y = np.asarray(values, dtype=float)
    t = np.arange(len(y), dtype=float)
    after = np.array([m >= start for m in months], dtype=float)
    keep = ~np.isnan(y)
    if int(after[keep].sum()) < min_each_side or int((1 - after[keep]).sum()) < min_each_side:
        return None
    t0 = float(np.argmax(after))
    cols = {"const": np.ones_like(t), "t": t, "after": after, "t_after": (t - t0) * after}
    if seasonal:
        moy = np.array([int(m[5:7]) for m in months], dtype=float)
        cols["sin"] = np.sin(2 * np.pi * moy / 12)
        cols["cos"] = np.cos(2 * np.pi * moy / 12)
    names = list(cols)
    X = np.column_stack([cols[c] for c in names])[keep]
    fit = ols_fit(y[keep], X, hac_lags)
    se = np.maximum(fit.se, fit.se_hac)
    df = fit.df_resid
    crit = distributions.t_ppf(0.975, df)

    def test(name):
        b, e = float(fit.params[names.index(name)]), float(se[names.index(name)])
        return b, (b - crit * e, b + crit * e), 2 * distributions.t_sf(abs(b / e), df)

    lvl, slp = test("after"), test("t_after")
    name = ("segmented regression (level and slope change; OLS, standard error the larger of the ordinary and "
            f"Newey–West ({hac_lags} lags) estimates, t test" + ("; annual harmonic for season" if seasonal else "")
            + ")")
    return Segmented(
        method=name, n_before=int((1 - after[keep]).sum()), n_after=int(after[keep].sum()),
        level_change=lvl[0], level_ci=lvl[1], level_p=lvl[2], slope_change=slp[0], slope_ci=slp[1], slope_p=slp[2],
        mean_before=float(np.nanmean(y[after == 0])), mean_after=float(np.nanmean(y[after == 1])))


@dataclass(frozen=True)
class OLSFit:
    """Least-squares coefficients with their ordinary and Newey–West standard errors."""

    params: np.ndarray
    se: np.ndarray
    se_hac: np.ndarray
    df_resid: float


def ols_fit(y: np.ndarray, X: np.ndarray, hac_lags: int) -> OLSFit:
    """Ordinary least squares of y on the columns of X: b = X⁺y (the pseudo-inverse), residuals u = y − Xb,
    df = n − rank(X), the ordinary covariance s²(X'X)⁻¹ with s² = u'u / df, and the Newey–West covariance
    (X'X)⁻¹ S (X'X)⁻¹, S = Σ_{l=−L..L} w_l Σ_t x_t u_t u_{t−l} x_{t−l}', Bartlett weights w_l = 1 − |l|/(L+1), no
    small-sample factor (Newey & West 1987, Econometrica 55(3); as statsmodels' OLS computes both, with
    cov_type="HAC", maxlags=L)."""
    y, X = np.asarray(y, dtype=float), np.asarray(X, dtype=float)
    pinv = np.linalg.pinv(X)
    b = pinv @ y
    u = y - X @ b
    df = float(X.shape[0] - np.linalg.matrix_rank(X))
    bread = pinv @ pinv.T  # (X'X)⁻¹
    ordinary = (u @ u / df) * bread
    xu = X * u[:, None]
    meat = xu.T @ xu
    for lag in range(1, hac_lags + 1):
        s = xu[lag:].T @ xu[:-lag]
        meat += (1 - lag / (hac_lags + 1)) * (s + s.T)
    hac = bread @ meat @ bread
    return OLSFit(b, np.sqrt(np.diag(ordinary)), np.sqrt(np.diag(hac)), df)


@dataclass(frozen=True)
class DiffInDiff:
    """Before/after change in a proportion for two groups and the test of the difference between the changes."""

    method: str
    rates: dict  # (group, "before"/"after") -> (successes, n, rate)
    interaction_log_odds: float
    interaction_ci: tuple[float, float]
    pvalue: float


def proportion_diff_in_diff(cells: pd.DataFrame) -> DiffInDiff | None:
    """Difference in differences on a proportion: the change in log-odds in group 1 minus the change in group 0,
    (lo11 − lo10) − (lo01 − lo00), with variance Σ (1/successes + 1/failures) over the four cells and a Wald z
    test. This is the interaction of the saturated binomial (logit) model group × period fitted on the records.

    Source: Woolf (1955) variance of a log odds ratio, applied to a ratio of odds ratios. `cells` has columns
    group (0/1), after (0/1), successes, n; every cell needs at least one success and one failure.
    """
    c = cells.groupby(["group", "after"], as_index=False)[["successes", "n"]].sum()
    if len(c) != 4 or ((c["successes"] <= 0) | (c["successes"] >= c["n"])).any():
        return None
    c = c.set_index(["group", "after"])
    s, f = c["successes"].astype(float), (c["n"] - c["successes"]).astype(float)
    lo = np.log(s / f)
    est = (lo[(1, 1)] - lo[(1, 0)]) - (lo[(0, 1)] - lo[(0, 0)])
    se = float(np.sqrt((1 / s + 1 / f).sum()))
    z = est / se
    rates = {(int(g), "after" if a else "before"): (int(c.loc[(g, a), "successes"]), int(c.loc[(g, a), "n"]),
                                                    float(c.loc[(g, a), "successes"] / c.loc[(g, a), "n"]))
             for g, a in c.index}
    return DiffInDiff("difference in differences on the log-odds (group × period interaction), Wald z test",
                      rates, float(est), (float(est - 1.959964 * se), float(est + 1.959964 * se)),
                      2 * distributions.norm_sf(abs(z)))
