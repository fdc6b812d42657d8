"""Kendall's τ-b and its p-value (stats/kendall.py) against scipy.stats.kendalltau and a hand count."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import kendalltau

from scrutiny.stats.kendall import kendall_tau


def test_four_values_by_hand():
    # y = 1, 3, 2, 4 against time: pairs (6) all concordant but (3, 2): S = 5 − 1 = 4, τ = 4 / 6. Exact: of the
    # 24 orders of 4 values, 1 has no discordant pair and 3 have one, so P(C ≥ 5) = 4/24 and p = 2 × 4/24
    tau, p = kendall_tau(range(4), [1, 3, 2, 4])
    assert tau == pytest.approx(4 / 6)
    assert p == pytest.approx(8 / 24)


def test_constant_short_or_missing_series_are_not_tested():
    for x, y in (([0, 1, 2], [5, 5, 5]), ([0], [1]), ([0, 1, 2], [1.0, float("nan"), 2.0])):
        tau, p = kendall_tau(x, y)
        assert math.isnan(tau) and math.isnan(p)


@pytest.mark.parametrize("kind", ["no ties", "many ties", "half steps", "almost sorted"])
def test_agrees_with_scipy(kind):
    rng = np.random.default_rng({"no ties": 1, "many ties": 2, "half steps": 3, "almost sorted": 4}[kind])
    for n in list(range(2, 60)) * 8:
        x = np.arange(n, dtype=float)
        if kind == "no ties":
            y = rng.normal(size=n) + 0.05 * x * rng.normal()
        elif kind == "many ties":
            y = rng.integers(0, 5, size=n).astype(float)
        elif kind == "half steps":
            y = np.round(rng.normal(size=n) * 3) / 2
        else:
            y = x.copy()
            i = int(rng.integers(0, n - 1))
            y[i], y[i + 1] = y[i + 1], y[i]
            y = y[::-1].copy() if rng.random() < 0.5 else y
        want = kendalltau(x, y)
        tau, p = kendall_tau(x, y)
        if math.isnan(want.statistic):
            assert math.isnan(tau)
            continue
        assert tau == pytest.approx(want.statistic, rel=1e-12, abs=1e-15), (kind, n)
        assert p == pytest.approx(want.pvalue, rel=1e-9), (kind, n)
