"""Durations against a threshold, and percentiles, with the definitions the analyses' SQL uses.

Pure functions over numbers and small frames; record-level durations are aggregated in DuckDB by the analyses,
which use the same definitions (documented here) so that the SQL and these functions agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# DuckDB's quantile_cont is the same linear rule, so SQL aggregates agree with percentile(..., "linear").
PERCENTILE_METHODS = {
    "linear": "linear interpolation between the two closest ranks (Hyndman & Fan type 7; numpy's default, "
              "DuckDB quantile_cont)",
    "nearest_rank": "nearest rank: the value at rank ⌈p/100 × n⌉ of the sorted list (Hyndman & Fan type 1)",
}


def within(durations, threshold: float) -> np.ndarray:
    """True where a duration is at most the threshold: a call answered in exactly 10.0 s is within 10 s.

    Durations and threshold in the same unit; missing durations (NaN, e.g. abandoned calls) are never within.
    """
    d = np.asarray(durations, dtype=float)
    return np.where(np.isnan(d), False, d <= threshold)


@dataclass(frozen=True)
class Share:
    """k of n within the threshold; share is NaN when n is 0."""

    within: int
    n: int
    share: float


def share_within(durations, threshold: float) -> Share:
    """Share of the durations at most `threshold` (inclusive boundary), over the non-missing durations."""
    d = np.asarray(durations, dtype=float)
    d = d[~np.isnan(d)]
    k = int(within(d, threshold).sum())
    return Share(k, len(d), k / len(d) if len(d) else float("nan"))


def percentile(values, p: float, method: str = "linear") -> float:
    """The p-th percentile (0–100) of the non-missing values; NaN when there are none.

    linear: x[h] with h = (n − 1)·p/100 interpolated between neighbours (Hyndman & Fan 1996, type 7).
    nearest_rank: x[⌈n·p/100⌉] (1-based; p = 0 gives the minimum) (Hyndman & Fan 1996, type 1).
    """
    if method not in PERCENTILE_METHODS:
        raise ValueError(f"percentile method {method!r}: use one of {', '.join(PERCENTILE_METHODS)}")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0–100")
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return float("nan")
    if method == "nearest_rank":
        rank = max(1, math.ceil(n * p / 100 - 1e-12))
        return float(x[rank - 1])
    h = (n - 1) * p / 100
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return float(x[lo] + (h - lo) * (x[hi] - x[lo]))
