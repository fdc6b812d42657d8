"""Fisher's exact test of a 2×2 table, two-sided, without importing scipy.stats (about a second in every kernel
that does).

With the margins fixed, the top-left count X of a table [[a, b], [c, d]] is hypergeometric: P(X = x) =
C(a+b, x) C(c+d, a+c−x) / C(n, a+c), over max(0, a+c−(c+d)) ≤ x ≤ min(a+b, a+c). The two-sided p-value is the
probability of every table no more likely than the one observed, P(X = x) ≤ P(X = a) × (1 + 10⁻⁷), the relative
tolerance R's fisher.test uses so that tables equally likely in exact arithmetic are not split by rounding
(Fisher 1935, The Design of Experiments, §2; Agresti, Categorical Data Analysis, 3rd ed., §3.5.1). The
probabilities are taken from the ratio of neighbours, P(x+1)/P(x) = (a+b−x)(a+c−x) / ((x+1)(d−a+x+1)), summed
as logarithms, so no factorial is computed and the sum over the whole support is the normaliser.
tests/stats/test_fisher.py checks odds ratio and p against scipy.stats.fisher_exact.
"""

from __future__ import annotations

import math

import numpy as np

#: tables whose probability is within this relative tolerance of the observed one count as equally likely
TOLERANCE = 1e-7


def fisher_exact(table) -> tuple[float, float]:
    """(sample odds ratio ad/bc, two-sided p) for the 2×2 table [[a, b], [c, d]] of non-negative whole counts.

    The odds ratio is infinite when b or c is 0 (as scipy.stats.fisher_exact gives it); a table with an empty
    row or column gives (NaN, 1.0): nothing can be tested."""
    (a, b), (c, d) = ((int(v) for v in row) for row in table)
    if min(a, b, c, d) < 0:
        raise ValueError("Fisher's exact test needs non-negative counts")
    r1, r2, c1 = a + b, c + d, a + c
    if r1 == 0 or r2 == 0 or c1 == 0 or b + d == 0:
        return float("nan"), 1.0
    odds = a * d / (b * c) if b > 0 and c > 0 else math.inf
    lo, hi = max(0, c1 - r2), min(r1, c1)
    x = np.arange(lo, hi, dtype=float)  # each x but the last: the step from x to x + 1
    steps = np.log((r1 - x) * (c1 - x)) - np.log((x + 1) * (r2 - c1 + x + 1))
    logp = np.concatenate(([0.0], np.cumsum(steps)))  # log P(x) + a constant, x = lo … hi
    w = np.exp(logp - logp.max())
    observed = w[a - lo]
    p = float(w[w <= observed * (1 + TOLERANCE)].sum() / w.sum())
    return float(odds), min(p, 1.0)
