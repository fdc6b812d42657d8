"""Series breaks, implausible volumes and the overdispersion-adjusted test, on hand-built series."""

import math

import numpy as np
import pytest

from scrutiny.stats import breaks, dispersion


def noisy(level, n, seed, phi=4.0):
    """Counts around `level` with variance phi*level (gamma-Poisson), reproducible."""
    rng = np.random.default_rng(seed)
    shape = level / (phi - 1)
    return rng.poisson(rng.gamma(shape, level / shape, size=n)).astype(float)


def test_step_is_found_at_its_month():
    x = np.r_[noisy(50, 15, 1), noisy(600, 21, 2)]
    found = breaks.detect(x)
    assert [b.at for b in found] == [15]
    assert found[0].ratio > 8


def test_no_step_no_break():
    # force-sized totals with variance 40x the mean, and district-sized series (a thinned total is less
    # overdispersed: phi = 1 + share*(40 - 1), about 3 for a 5% share)
    for seed in range(20):
        assert breaks.detect(noisy(5000, 36, seed, phi=40)) == []
        assert breaks.detect(noisy(250, 36, seed, phi=3)) == []


def test_one_month_spike_is_not_a_step():
    x = noisy(100, 36, 3)
    x[18] = 1000
    assert breaks.detect(x) == []


def test_step_in_first_three_months_is_found():
    x = np.r_[[20, 22, 19], noisy(100, 33, 4)]
    assert [b.at for b in breaks.detect(x)] == [3]


def test_step_in_last_three_months_is_found_but_not_in_last_two():
    base = noisy(100, 33, 5)
    assert [b.at for b in breaks.detect(np.r_[base, [300, 310, 295]])] == [33]
    # two months after the step cannot be told from a spike: not a break (it shows on the control chart)
    assert breaks.detect(np.r_[base, [300, 310]]) == []
    assert breaks.detect(np.r_[base, [100, 300, 310]]) == []


def test_gradual_decline_is_not_a_break():
    x = np.round(np.linspace(400, 150, 36) + noisy(0.1, 36, 7) * 0)
    rng = np.random.default_rng(8)
    x = rng.poisson(x).astype(float)
    assert breaks.detect(x) == []


def test_segments_labels():
    assert breaks.segments(6, [2, 4]).tolist() == [0, 0, 1, 1, 2, 2]


def test_implausible_volume_flags_a_file_cut_short():
    x = np.array([5000, 5100, 4900, 100, 5050, 4950, 5000], dtype=float)
    r = breaks.implausible_volume(x)
    assert np.isnan(r[[0, 1, 2, 4, 5, 6]]).all()
    assert r[3] == pytest.approx(100 / 5000)  # median of 5000, 5100, 4900, 5050, 4950, 5000 = 5000


def test_moving_range_dispersion_by_hand():
    # x = 100, 110, 90, 100: moving ranges 10, 20, 10 -> mean 40/3; sigma = 13.333/1.128; phi = sigma^2/100
    d = dispersion.moving_range_dispersion([100, 110, 90, 100])
    assert d.phi == pytest.approx((40 / 3 / 1.128) ** 2 / 100)
    assert d.points == 4 and d.df == pytest.approx(0.62 * 3)
    # a series less variable than Poisson is floored at phi = 1
    assert dispersion.moving_range_dispersion([100, 101, 100, 101]).phi == 1.0
    # a moving range across a break is not used
    d = dispersion.moving_range_dispersion([10, 12, 100, 104], segments=[0, 0, 1, 1])
    assert d.mr_bar == pytest.approx(3.0)


def test_quasi_poisson_test_by_hand():
    disp = dispersion.Dispersion(phi=40.0, mr_bar=0, mean=0, points=24)
    t = dispersion.quasi_poisson_2indep(62_000, 60_000, disp)
    z = 2000 / math.sqrt(40 * 122_000)
    assert t.statistic == pytest.approx(z)  # 0.9054
    from scipy import stats
    assert t.pvalue == pytest.approx(2 * stats.t.sf(z, 0.62 * 23))
    assert not t.significant()
    assert t.pct_change == pytest.approx(100 * 2000 / 60_000)
    # with phi = 1 it is the Poisson normal approximation: 2,000 more on 60,000 is far beyond chance
    assert dispersion.quasi_poisson_2indep(62_000, 60_000, dispersion.Dispersion(1.0, 0, 0, 10_000)).pvalue < 1e-7


def test_one_short_month_does_not_make_its_neighbours_implausible():
    r = breaks.implausible_volume([100, 2, 100])
    assert np.isnan(r[0]) and np.isnan(r[2]) and r[1] == pytest.approx(0.02)
    # a declared month is neither flagged nor used as a neighbour
    assert np.isnan(breaks.implausible_volume([100, 2, 100], exclude=[False, True, False])).all()


def test_neighbour_ratio_is_the_count_over_the_median_of_up_to_three_usable_months_each_side():
    """By hand: month 3 of [10, 20, 30, 40, 50, 60, 70] over the median of 10, 20, 30, 50, 60, 70 (35)."""
    r = breaks.neighbour_ratio([10, 20, 30, 40, 50, 60, 70])
    assert r[3] == pytest.approx(40 / 40)  # median of 10,20,30,50,60,70 = (30 + 50) / 2
    assert r[0] == pytest.approx(10 / 30)  # right side only: 20, 30, 40
    r = breaks.neighbour_ratio([10, 20, 30, 40, 50, 60, 70], exclude=[False, False, True, False, False, False, False])
    assert r[3] == pytest.approx(40 / 50)  # 30 left out: 10, 20 | 50, 60, 70 -> 50
    assert np.isnan(breaks.neighbour_ratio([5, 0, 0, 0])[2])  # neighbours' median 0: no ratio


def test_neighbour_ratio_matches_its_definition_on_random_series():
    """The definition written plainly (numpy's median of the nearest usable months) against the function."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        x = rng.poisson(rng.uniform(0, 300), n).astype(float)
        skip = rng.random(n) < 0.2
        usable = [j for j in range(n) if not skip[j]]
        want = np.full(n, np.nan)
        for i in range(n):
            nb = [x[j] for j in usable if j < i][-3:] + [x[j] for j in usable if j > i][:3]
            med = float(np.median(nb)) if len(nb) >= 2 else 0.0
            if med > 0:
                want[i] = x[i] / med
        np.testing.assert_array_equal(breaks.neighbour_ratio(x, exclude=skip), want)
