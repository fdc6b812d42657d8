"""Series breaks (level shifts) and implausible month volumes in monthly counts.

police.uk series carry recording breaks: a force changes its system, and one or several crime types step up or
down in the same month (domain notes §3.8). They are not crime, and a baseline that straddles one makes every
later month look "exceptional". A break is found by binary segmentation (Scott & Knott 1974; Killick, Fearnhead
& Eckley 2012, JASA 107:1590, for the family of methods) on the variance-stabilised counts z = 2√(x + 3/8)
(Anscombe 1948), whose variance under a quasi-Poisson model is about φ, the dispersion:

1. φ̂ = (median |Δz| / 0.954)², floored at 1: the median moving range is not moved by the step itself
   (0.954σ is the median of |N(0, 2σ²)|).
2. In a segment, for every candidate month k leaving at least `min_segment` months on each side, the step is
   tested against a straight-line trend: F = (RSS_trend − RSS_trend+step) / φ̂, which is χ²₁ at a fixed k. A gradual
   rise or fall is therefore not a break. The best k is kept when its p-value, Bonferroni-corrected for the
   number of candidates, is below `alpha`.
   Only months that sit with the new level (nearer the median after than before, and the month before nearer
   the median before) are candidates, so a step is placed at its month.
3. It must also be a real change of level: the median of the `window` months after k and the median of the
   `window` months before it differ by at least the ratio `min_ratio` (either way). Medians, so that one odd month
   (a spike, a short file) is not read as a step.
4. Accepted breaks split the segment and both halves are searched again.

A step in the last `min_segment − 1` months cannot be told from a spike and is not reported as a break (it
shows on the control chart instead).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from scrutiny.stats import distributions

METHOD = "binary segmentation, step vs trend on 2√(x+3/8)"
MIN_SEGMENT = 3
MIN_RATIO = 1.5
ALPHA = 0.001
WINDOW = 6


@dataclass(frozen=True)
class Break:
    """A level shift starting at index `at` (the first month of the new level)."""

    at: int
    before_mean: float
    after_mean: float
    ratio: float
    pvalue: float


def _stabilise(x: np.ndarray) -> np.ndarray:
    return 2.0 * np.sqrt(np.maximum(x, 0) + 3.0 / 8.0)


def robust_dispersion(values) -> float:
    """φ̂ on the stabilised scale from the median moving range (step 1 of the module docstring), at least 1."""
    z = _stabilise(np.asarray(values, dtype=float))
    if len(z) < 3:
        return 1.0
    sigma = np.median(np.abs(np.diff(z))) / 0.954
    return float(max(1.0, sigma ** 2))


def _median(values) -> float:
    """The median of a short sequence of floats: np.median's value (the mean of the two middle values when their
    number is even), without its cost per call (these series have a few dozen months)."""
    s = sorted(values)
    h = len(s) // 2
    return float(s[h]) if len(s) % 2 else (s[h - 1] + s[h]) / 2


def _belongs(z, k: int, window: int) -> bool:
    """The first month of the new level is nearer the median after k than before it, and the last month of the
    old level nearer the median before: the step is placed where it happens, not a month early or late.
    z: the stabilised series as a list of floats."""
    before = _median(z[max(0, k - window):k])
    after = _median(z[k:k + window])
    return abs(z[k] - after) < abs(z[k] - before) and abs(z[k - 1] - before) < abs(z[k - 1] - after)


def _best_step(z: np.ndarray, phi: float, min_segment: int, window: int = WINDOW) -> tuple[int, float] | None:
    """The candidate step with the largest drop in residual sum of squares over a straight-line trend.

    With e the residuals of z on [1, t] and s_k the residuals of the step indicator 1[t >= k] on [1, t], adding
    the step reduces the RSS by (e·s_k)² / (s_k·s_k) (Frisch–Waugh–Lovell), so every k is scored at once."""
    n = len(z)
    if n < 2 * min_segment:
        return None
    allowed = range(min_segment, n - min_segment + 1)
    zl = z.tolist()
    cands = [k for k in allowed if _belongs(zl, k, window)]
    if not cands:
        return None
    t = np.arange(n, dtype=float)
    x = np.column_stack([np.ones(n), t])
    proj = x @ np.linalg.pinv(x)
    e = z - proj @ z
    steps = (t[:, None] >= np.array(cands)[None, :]).astype(float)
    st = steps - proj @ steps
    f = (e @ st) ** 2 / np.einsum("ij,ij->j", st, st) / phi
    j = int(np.argmax(f))
    p = min(1.0, distributions.chi2_sf(float(f[j]), 1) * len(allowed))
    return cands[j], p


def detect(values, min_segment: int = MIN_SEGMENT, min_ratio: float = MIN_RATIO, alpha: float = ALPHA,
           window: int = WINDOW) -> list[Break]:
    """Level shifts in a series of monthly counts (see the module docstring); sorted by position."""
    x = np.asarray(values, dtype=float)
    z = _stabilise(x)
    phi = robust_dispersion(x)
    found: list[Break] = []
    todo = [(0, len(x))]
    while todo:
        a, b = todo.pop()
        res = _best_step(z[a:b], phi, min_segment)
        if res is None:
            continue
        k, p = res
        at = a + k
        before = x[max(a, at - window):at]
        after = x[at:min(b, at + window)]
        mb, ma = float(np.median(before)), float(np.median(after))
        ratio = (ma / mb) if mb > 0 else (float("inf") if ma > 0 else 1.0)
        if p < alpha and (ratio >= min_ratio or ratio <= 1 / min_ratio):
            found.append(Break(at, float(before.mean()), float(after.mean()), ratio, p))
            todo += [(a, at), (at, b)]
    return sorted(found, key=lambda br: br.at)


def segments(n: int, starts) -> np.ndarray:
    """Segment number of each of n points, given the indices where new segments start."""
    seg = np.zeros(n, dtype=int)
    for s in sorted(set(int(i) for i in starts if 0 < int(i) < n)):
        seg[s:] += 1
    return seg


def neighbour_ratio(values, neighbours: int = 3, exclude=None) -> np.ndarray:
    """Each month's count over the median of up to `neighbours` usable months on each side (itself and months in
    `exclude` left out); NaN where fewer than two neighbours exist or their median is 0."""
    x = np.asarray(values, dtype=float)
    skip = np.zeros(len(x), dtype=bool) if exclude is None else np.asarray(exclude, dtype=bool)
    xl = x.tolist()
    usable = [j for j in range(len(x)) if not skip[j]]
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        at = bisect.bisect_left(usable, i)
        nb = [xl[j] for j in usable[max(0, at - neighbours):at] + [j for j in usable[at:at + neighbours + 1]
                                                                     if j > i][:neighbours]]
        med = _median(nb) if len(nb) >= 2 else 0.0
        if med > 0:
            out[i] = x[i] / med
    return out


def implausible_volume(values, low: float = 0.5, high: float = 2.0, neighbours: int = 3,
                       exclude=None) -> np.ndarray:
    """Months whose count is below `low` or above `high` times the median of up to `neighbours` months on each
    side: a file cut short, a month loaded twice (2.0 itself is not flagged). Returns the ratio where implausible,
    else NaN.

    The most extreme month is flagged first and left out of its neighbours' medians before looking again, so one
    short month does not make the months around it look implausibly high. `exclude`: months known to be unusual
    (declared), left out of the medians and never flagged. Real monthly totals stay within about 0.85–1.2 of their
    neighbours (the shipped Gwent and Cambridgeshire files); the thresholds (half, double) leave room for seasons,
    events and small forces whose months vary more.
    Only meaningful on totals large enough that chance cannot halve them (callers: whole files, series of at least
    50 a month).
    """
    x = np.asarray(values, dtype=float)
    skip = np.zeros(len(x), dtype=bool) if exclude is None else np.asarray(exclude, dtype=bool).copy()
    declared = skip.copy()
    out = np.full(len(x), np.nan)
    while True:
        r = neighbour_ratio(x, neighbours, skip)
        dev = np.where(skip | np.isnan(r), 0.0, np.abs(np.log(np.where(r > 0, r, 1e-9))))
        j = int(np.argmax(dev))
        if dev[j] <= 0 or not (r[j] < low or r[j] > high):
            break
        out[j] = r[j]
        skip[j] = True
    out[declared] = np.nan
    return out
