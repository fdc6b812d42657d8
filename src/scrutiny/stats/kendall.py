"""Kendall's rank correlation τ-b between two series, with its two-sided p-value, without importing scipy.stats.

S = (concordant − discordant) pairs; τ-b = S / √((n₀ − n₁)(n₀ − n₂)), n₀ = n(n−1)/2 and n₁, n₂ the pairs tied in
x and in y (Kendall 1945, "The treatment of ties in ranking problems", Biometrika 33; Kendall & Gibbons, Rank
Correlation Methods, 5th ed., ch. 3–4). The p-value, as scipy.stats.kendalltau gives it by default:
- exact when neither series has ties and n ≤ 33 (or all but at most one pair agree, or disagree): the number of
  discordant pairs of a random order is Mahonian, counted exactly; p = min(1, 2 P(C ≤ min(c, n₀ − c))), c the
  concordant pairs;
- otherwise S is taken as normal with Kendall's variance with ties, [n(n−1)(2n+5) − Σt(t−1)(2t+5) −
  Σu(u−1)(2u+5)]/18 + Σt(t−1)(t−2) Σu(u−1)(u−2) / (9n(n−1)(n−2)) + Σt(t−1) Σu(u−1) / (2n(n−1)), t and u the sizes
  of the groups of tied values in x and y.
tests/stats/test_kendall.py checks τ and p against scipy.stats.kendalltau.
"""

from __future__ import annotations

import math
from collections import Counter

from scrutiny.stats import distributions

#: above this many pairs of values without ties, the exact distribution gives way to the normal one
EXACT_MAX_N = 33


def _ties(values) -> tuple[int, int, int]:
    """Σ t(t−1)/2, Σ t(t−1)(t−2), Σ t(t−1)(2t+5) over the groups of equal values (sizes t)."""
    sizes = [t for t in Counter(values).values() if t > 1]
    return (sum(t * (t - 1) // 2 for t in sizes), sum(t * (t - 1) * (t - 2) for t in sizes),
            sum(t * (t - 1) * (2 * t + 5) for t in sizes))


def _exact_p(n: int, concordant: int) -> float:
    """Two-sided exact p of `concordant` pairs among n values without ties."""
    total = n * (n - 1) // 2
    c = min(concordant, total - concordant)
    if n <= 2 or 2 * c == total:
        return 1.0
    counts = [1]  # permutations of k values with each number of inversions, k = 1 … n
    for k in range(2, n + 1):
        nxt = [0] * (len(counts) + k - 1)
        window = 0
        for j in range(len(nxt)):  # nxt[j] = Σ counts[j−k+1 … j]
            if j < len(counts):
                window += counts[j]
            if j - k >= 0:
                window -= counts[j - k]
            nxt[j] = window
        counts = nxt
    return min(1.0, 2 * sum(counts[:c + 1]) / math.factorial(n))


def kendall_tau(x, y) -> tuple[float, float]:
    """(τ-b, two-sided p) of paired values x and y; (NaN, NaN) when there are fewer than two pairs, a value is
    missing (NaN) or either series is constant."""
    x, y = [float(v) for v in x], [float(v) for v in y]
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    n = len(x)
    if n < 2 or any(math.isnan(v) for v in x + y):
        return float("nan"), float("nan")
    s = 0
    for i in range(n - 1):
        for j in range(i + 1, n):
            dx, dy = x[j] - x[i], y[j] - y[i]
            s += (dx > 0) - (dx < 0) if dy > 0 else -((dx > 0) - (dx < 0)) if dy < 0 else 0
    total = n * (n - 1) // 2
    xtie, x2, x1 = _ties(x)
    ytie, y2, y1 = _ties(y)
    if xtie == total or ytie == total:
        return float("nan"), float("nan")
    tau = s / math.sqrt(total - xtie) / math.sqrt(total - ytie)
    discordant = (total - s) // 2 if not (xtie or ytie) else None
    if discordant is not None and (n <= EXACT_MAX_N or min(discordant, total - discordant) <= 1):
        return tau, _exact_p(n, total - discordant)
    m = n * (n - 1.0)
    var = (m * (2 * n + 5) - x1 - y1) / 18 + 2 * xtie * ytie / m + x2 * y2 / (9 * m * (n - 2))
    return tau, min(1.0, 2 * distributions.norm_sf(abs(s) / math.sqrt(var)))
