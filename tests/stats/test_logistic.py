"""Logistic regression against statsmodels Logit and a 2×2 table worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from scrutiny.stats import logistic


def test_matches_statsmodels():
    rng = np.random.default_rng(3)
    n = 800
    df = pd.DataFrame({"a": rng.random(n) < 0.5, "b": rng.normal(size=n),
                       "kind": rng.choice(["x", "y", "z"], n)}).astype({"a": int})
    lin = -0.3 + 1.2 * df["a"] + 0.5 * df["b"] + np.where(df["kind"] == "z", -0.8, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    X, terms = logistic.design(df, ["a", "b"], ["kind"])
    assert terms == ["Intercept", "a", "b", "kind[y]", "kind[z]"]
    ours = logistic.fit(X, y, terms)
    ref = sm.Logit(y, X).fit(disp=False)
    assert ours.coef == pytest.approx(ref.params, abs=1e-8)
    assert ours.se == pytest.approx(ref.bse, rel=1e-6)
    assert ours.pvalues == pytest.approx(ref.pvalues, rel=1e-6)
    ci = np.exp(np.asarray(ref.conf_int(0.05)))
    table = ours.odds_ratios()
    assert table["low"].to_numpy() == pytest.approx(ci[:, 0], rel=1e-6)
    assert table["high"].to_numpy() == pytest.approx(ci[:, 1], rel=1e-6)


def test_one_binary_term_gives_the_table_odds_ratio():
    # 2×2: x=1: 30 of 40 y=1; x=0: 10 of 40 -> OR = (30·30)/(10·10) = 9, se(log OR) = √(1/30+1/10+1/10+1/30)
    x = np.r_[np.ones(40), np.zeros(40)]
    y = np.r_[np.ones(30), np.zeros(10), np.ones(10), np.zeros(30)]
    res = logistic.fit(np.column_stack([np.ones(80), x]), y, ["Intercept", "x"])
    assert np.exp(res.coef[1]) == pytest.approx(9.0)
    assert res.se[1] == pytest.approx(np.sqrt(1 / 30 + 1 / 10 + 1 / 10 + 1 / 30))


def test_refuses_what_cannot_be_fitted():
    x = np.r_[np.ones(10), np.zeros(10)]
    with pytest.raises(ValueError, match="separation|converge"):
        logistic.fit(np.column_stack([np.ones(20), x]), x, ["Intercept", "x"])
    with pytest.raises(ValueError, match="does not vary"):
        logistic.fit(np.column_stack([np.ones(20), np.ones(20)]), x, ["Intercept", "c"])
