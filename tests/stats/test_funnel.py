"""Funnel limits, overdispersion and weighted averages against values worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scrutiny.analyses import peers
from scrutiny.stats import funnel, rates


def test_poisson_rate_interval_matches_chi_square_formula():
    # Gwent, total recorded crime, 12 months to 31-12-2018: 56,497 offences, 591,225 residents (mid-2018)
    x, n = 56497, 591225
    lo, hi = rates.poisson_exact_ci(x, n / 1000)
    assert lo == pytest.approx(stats.chi2.ppf(0.025, 2 * x) / 2 / n * 1000, rel=1e-12)
    assert hi == pytest.approx(stats.chi2.ppf(0.975, 2 * x + 2) / 2 / n * 1000, rel=1e-12)
    t = peers.rate_table(pd.DataFrame({"count": [x], "population": [n]})).iloc[0]
    assert t["rate_per_1000"] == pytest.approx(95.5592, abs=1e-4)
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((lo, hi))


def test_weighted_average_is_pooled_not_mean_of_rates():
    counts, pops = [100, 300], [1000, 5000]
    assert funnel.weighted_rate(counts, pops) == pytest.approx(1000 * 400 / 6000)  # 66.667, not (100 + 60) / 2
    assert funnel.weighted_rate([5], [2000], per=100) == pytest.approx(0.25)


def test_alpha_for_z():
    assert funnel.alpha_for(funnel.Z95) == pytest.approx(0.05, abs=1e-7)
    assert funnel.alpha_for(funnel.Z998) == pytest.approx(0.002, abs=1e-8)


@pytest.mark.parametrize("pop", [10_000, 1_000_000])
def test_exact_limits_by_hand(pop):
    theta = 80.0  # per 1,000
    e = theta / 1000 * pop  # expected count: 800 and 80,000
    for z, a in ((1.959964, 0.05), (3.090232, 0.002)):
        lo, hi = funnel.rate_limits(theta, pop, z)
        want_lo = theta * stats.chi2.ppf(a / 2, 2 * e) / 2 / e
        want_hi = theta * stats.chi2.ppf(1 - a / 2, 2 * e + 2) / 2 / e
        assert lo[0] == pytest.approx(want_lo, rel=1e-6)
        assert hi[0] == pytest.approx(want_hi, rel=1e-6)
        # and close to the normal approximation θ ± z·√(θ/n) for counts this large
        half = z * math.sqrt(theta / 1000 / pop) * 1000
        assert lo[0] == pytest.approx(theta - half, rel=0.01)
        assert hi[0] == pytest.approx(theta + half, rel=0.01)


def test_exact_limits_hand_values():
    # θ = 80 per 1,000; population 10,000 -> E = 800. 95%: 80·χ²(0.025; 1600)/1600, 80·χ²(0.975; 1602)/1600
    lo, hi = funnel.rate_limits(80.0, 10_000, funnel.Z95)
    assert lo[0] == pytest.approx(74.55, abs=0.01)
    assert hi[0] == pytest.approx(85.74, abs=0.01)
    lo, hi = funnel.rate_limits(80.0, 1_000_000, funnel.Z998)  # E = 80,000
    assert lo[0] == pytest.approx(80 * (1 - 3.090232 / math.sqrt(80000)), abs=0.01)  # 79.126
    assert hi[0] == pytest.approx(80.88, abs=0.01)


@pytest.mark.parametrize("pop", [10_000, 1_000_000])
def test_overdispersed_limits_by_hand(pop):
    theta, tau2 = 80.0, 0.01
    e = theta / 1000 * pop
    for z in (1.959964, 3.090232):
        lo, hi = funnel.rate_limits(theta, pop, z, tau2=tau2)
        half = z * math.sqrt(1 / e + tau2)
        assert lo[0] == pytest.approx(theta * math.exp(-half))
        assert hi[0] == pytest.approx(theta * math.exp(half))
    # population 10,000, 99.8%: 80·exp(±3.090232·√(1/800 + 0.01)) = 80·exp(±0.32777) = 57.64 / 111.03
    lo, hi = funnel.rate_limits(80.0, 10_000, funnel.Z998, tau2=0.01)
    assert (lo[0], hi[0]) == pytest.approx((57.64, 111.03), abs=0.01)


def test_overdispersion_small_hand_example():
    # 10 units; sorted z: -3 -2 -1 -0.5 0 0.5 1 1.5 2 3. Winsorised at the 10%/90% quantiles (linear: -2.1, 2.1),
    # so -3 -> -2.1 and 3 -> 2.1. Σz² = 2·2.1² + 4 + 1 + .25 + 0 + .25 + 1 + 2.25 + 4 = 21.57; φ = 2.157.
    # kφ = 21.57 > k - 1 = 9, so τ² = (21.57 - 9) / (Σw - Σw²/Σw) with w = 1/0.1² = 100: (1000 - 100) -> 0.013967.
    z = [0.5, -3, 2, -1, 0, 3, 1.5, -2, 1, -0.5]
    s = [0.1] * 10
    w = funnel.winsorise(z, 0.1)
    assert sorted(w) == pytest.approx(sorted([-2.1, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.1]))
    od = funnel.overdispersion(z, s, trim=0.1)  # FunnelPlotR's default
    assert od.k == 10
    assert od.phi == pytest.approx(2.157)
    assert od.tau2 == pytest.approx(12.57 / 900)
    assert od.applied and "overdispersed" in od.describe()
    # the default here: no winsorising. Σz² = .25 + 9 + 4 + 1 + 0 + 9 + 2.25 + 4 + 1 + .25 = 30.75, φ = 3.075,
    # τ² = (30.75 - 9) / 900
    od0 = funnel.overdispersion(z, s)
    assert od0.phi == pytest.approx(3.075) and od0.tau2 == pytest.approx(21.75 / 900)


def test_funnel_limits_are_calibrated_when_units_differ_only_by_spread_and_chance():
    """40 forces whose true rates differ by a log-normal spread (sd 0.15) plus Poisson noise, nothing else: about
    5% should fall outside the 95% limits and about 0.2% outside 99.8%. FunnelPlotR's 10% winsorising
    understates τ² and puts about twice the nominal share outside 95%."""
    rng = np.random.default_rng(3)
    outside95 = outside998 = outside95_trimmed = total = 0
    for _ in range(400):
        pop = rng.integers(400_000, 3_000_000, 40)
        rate = 80 / 1000 * np.exp(rng.normal(0, 0.15, 40))
        d = pd.DataFrame({"unit": range(40), "count": rng.poisson(rate * pop), "population": pop})
        f, od, _ = funnel.funnel(d)
        outside95 += int((~f["position"].isin(["within 95%"])).sum())
        outside998 += int(f["position"].str.contains("99.8").sum())
        e = f["expected"].to_numpy()
        y = np.log(f["count"].to_numpy() / e)
        t = funnel.overdispersion(y * np.sqrt(e), 1 / np.sqrt(e), trim=0.1).tau2
        outside95_trimmed += int((np.abs(y / np.sqrt(1 / e + t)) >= funnel.Z95).sum())
        total += 40
    assert 0.03 <= outside95 / total <= 0.07, outside95 / total
    assert outside998 / total <= 0.01, outside998 / total
    assert outside95_trimmed / total > 0.09, outside95_trimmed / total


def test_no_overdispersion_when_phi_small():
    od = funnel.overdispersion([0.1, -0.2, 0.3, -0.1, 0.0, 0.2], [0.05] * 6)
    assert od.tau2 == 0 and not od.applied
    assert "not overdispersed" in od.describe()


def test_funnel_positions_and_unadjusted_record():
    # three units exactly on the target and one far above; Poisson-only data, not overdispersed
    d = pd.DataFrame({"unit": list("abcde"), "count": [800, 8000, 80000, 80, 1200],
                      "population": [10_000, 100_000, 1_000_000, 1_000, 10_000]})
    fr, od, target = funnel.funnel(d, target=80.0)
    assert target == 80.0
    pos = dict(zip(fr["unit"], fr["position"]))
    assert pos["a"] == pos["b"] == pos["c"] == pos["d"] == "within 95%"
    assert pos["e"] == "above 99.8%"
    assert (fr["position_unadjusted"] == fr["position"]).all() or od.applied


def test_curve_is_monotone_funnel():
    cv = funnel.curve(80.0, 1e4, 1e7)
    assert (np.diff(cv["upper_998"]) < 0).all() and (np.diff(cv["lower_998"]) > 0).all()
    assert (cv["upper_998"] > cv["upper_95"]).all() and (cv["lower_998"] < cv["lower_95"]).all()
