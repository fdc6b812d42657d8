"""Fisher's exact test (stats/fisher.py) against scipy.stats.fisher_exact and against a hand count."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import fisher_exact as scipy_fisher

from scrutiny.stats.fisher import fisher_exact


def test_the_tea_tasting_table_by_hand():
    # Fisher's lady tasting tea: 3 of 4 cups right. P(X = x) = C(4,x) C(4,4−x) / C(8,4) = 1, 16, 36, 16, 1 over 70;
    # two-sided: the tables no more likely than 16/70 are x = 0, 1, 3, 4: (1 + 16 + 16 + 1) / 70
    odds, p = fisher_exact([[3, 1], [1, 3]])
    assert odds == 9.0
    assert p == pytest.approx(34 / 70, rel=1e-12)


def test_equally_likely_tables_are_all_counted():
    # a symmetric table: every table is as likely as itself and its mirror; the observed one is the mode
    assert fisher_exact([[2, 2], [2, 2]])[1] == pytest.approx(1.0)
    # [[0, 5], [5, 0]] and [[5, 0], [0, 5]] are the only tables as unlikely: 2 / C(10, 5)
    assert fisher_exact([[0, 5], [5, 0]])[1] == pytest.approx(2 / math.comb(10, 5), rel=1e-12)


def test_an_empty_row_or_column_cannot_be_tested():
    assert math.isnan(fisher_exact([[0, 0], [3, 4]])[0]) and fisher_exact([[0, 0], [3, 4]])[1] == 1.0
    assert fisher_exact([[0, 3], [0, 4]])[1] == 1.0
    with pytest.raises(ValueError):
        fisher_exact([[-1, 3], [2, 4]])


def test_agrees_with_scipy_on_3000_tables():
    rng = np.random.default_rng(20261202)
    tables = [[[0, 1000], [3, 20]], [[10, 100000], [0, 50]], [[1, 0], [0, 1]], [[0, 7], [9, 0]]]
    tables += [rng.integers(0, rng.choice([3, 30, 300, 3000, 30000]), size=(2, 2)).tolist() for _ in range(3000)]
    for t in tables:
        want_odds, want_p = scipy_fisher(t, alternative="two-sided")
        odds, p = fisher_exact(t)
        if math.isnan(want_odds):
            assert math.isnan(odds) and p == 1.0
            continue
        assert odds == pytest.approx(want_odds, rel=1e-12) or (math.isinf(odds) and math.isinf(want_odds)), t
        assert p == pytest.approx(want_p, rel=1e-8, abs=1e-300), t
