"""XmR (individuals) control charts with the NHS "Making Data Count" rules.

Source: NHS England, Making Data Count; rules as implemented in nhs-r-community/NHSRplotthedots
(ptd_spc_standard.R, ptd_calculate_point_type.R): centre = mean of the baseline, limits =
centre ± 2.66 × mean moving range (2.66 = 3/d2, d2 = 1.128), "near limit" band at 2/3 of that.
No outlier screening of moving ranges (matches the MDC Excel tool).

Rule sets (recorded as a parameter):
  mdc_7pt  astronomical point; shift of 7 points on one side of the centre (mean); trend of 7 points
           each increasing or each decreasing (a tie ends the run); 2 of 3 points beyond the near-limit band on
           one side, of which only the points beyond the band are flagged (NHSRplotthedots
           ptd_part_of_two_in_three).
  ihi_6pt  the IHI run-chart rules (Provost & Murray, The Health Care Data Guide, 2011, ch. 3) beside the same
           astronomical and two-in-three rules: a shift is 6 or more points above or below the MEDIAN of the
           baseline, points on the median neither counting nor breaking the run; a trend is 5 or more points
           each rising or each falling, a point equal to the one before neither counting nor breaking the run.
Precedence when several rules fire on one point: outside limits > trend > two-in-three > shift.

Rebasing (NHSRplotthedots `rebase`): after a series break the centre line and limits are recomputed from the
points after it, and the rules run within each segment only (a run never crosses a break). Count limits below
zero are shown as zero (`lower` and `near_lower` floored at 0 when `counts=True`): no count can fall below
zero, so no verdict changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SIGMA_FACTOR = 2.66
NEAR_FACTOR = 2.66 * 2 / 3
MIN_BASELINE = 12


@dataclass(frozen=True)
class RuleSet:
    name: str
    shift: int
    trend: int
    description: str


RULE_SETS = {
    "mdc_7pt": RuleSet("mdc_7pt", shift=7, trend=7,
                       description="NHS Making Data Count: a point outside the process limits; 7 points in a row "
                                   "on one side of the mean (shift); 7 points in a row each rising or each falling "
                                   "(trend); 2 of 3 points close to a limit on the same side."),
    "ihi_6pt": RuleSet("ihi_6pt", shift=6, trend=5,
                       description="IHI thresholds: a point outside the process limits; 6 points in a row on one "
                                   "side of the mean (shift); 5 points in a row each rising or each falling (trend); "
                                   "2 of 3 points close to a limit on the same side."),
}


def rule_set(name: str) -> RuleSet:
    try:
        return RULE_SETS[name]
    except KeyError:
        raise ValueError(f"unknown SPC rule set {name!r}; accepted: {', '.join(RULE_SETS)}") from None


def limits(values, baseline: int | None = None) -> dict:
    """Centre line, mean moving range and process limits from the first `baseline` points.

    Returns a dict with centre, mr_bar, upper, lower, near_upper, near_lower and n (points used).
    """
    x = np.asarray(values, dtype=float)
    n = len(x) if baseline is None else min(baseline, len(x))
    if n < 2:
        raise ValueError("an XmR chart needs at least 2 points")
    base = x[:n]
    centre = base.mean()
    mr_bar = np.abs(np.diff(base)).mean()
    return {
        "centre": centre, "mr_bar": mr_bar, "n": n,
        "upper": centre + SIGMA_FACTOR * mr_bar, "lower": centre - SIGMA_FACTOR * mr_bar,
        "near_upper": centre + NEAR_FACTOR * mr_bar, "near_lower": centre - NEAR_FACTOR * mr_bar,
    }


def _flag_runs(condition: np.ndarray, length: int) -> np.ndarray:
    """Flag every element of each run of consecutive True values that is at least `length` long."""
    out = np.zeros(len(condition), dtype=bool)
    start = None
    for i, c in enumerate(list(condition) + [False]):
        if c and start is None:
            start = i
        elif not c and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


def rule_outside(values, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Astronomical points: strictly above the upper or below the lower process limit."""
    x = np.asarray(values, dtype=float)
    return x > upper, x < lower


def rule_shift(values, centre: float, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Shift: `length` or more consecutive points strictly on one side of the centre line (a point on it breaks the run)."""
    x = np.asarray(values, dtype=float)
    return _flag_runs(x > centre, length), _flag_runs(x < centre, length)


def rule_shift_median(values, median: float, length: int) -> tuple[np.ndarray, np.ndarray]:
    """IHI shift: `length` or more points on one side of the median; points on the median are skipped (they
    neither count nor break the run) and are not flagged."""
    x = np.asarray(values, dtype=float)
    hi = np.zeros(len(x), dtype=bool)
    lo = np.zeros(len(x), dtype=bool)
    idx = [i for i in range(len(x)) if x[i] != median]
    side = [x[i] > median for i in idx]
    start = 0
    for j in range(1, len(idx) + 1):
        if j == len(idx) or side[j] != side[start]:
            if j - start >= length:
                (hi if side[start] else lo)[[idx[i] for i in range(start, j)]] = True
            start = j
    return hi, lo


def rule_trend(values, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Trend: `length` or more consecutive points each strictly higher (or each lower) than the one before; ties break it."""
    x = np.asarray(values, dtype=float)
    d = np.sign(np.diff(x))
    up = np.zeros(len(x), dtype=bool)
    down = np.zeros(len(x), dtype=bool)
    # a run of k equal-signed differences spans k+1 points
    for sign, out in ((1, up), (-1, down)):
        start = None
        for i, s in enumerate(list(d) + [0]):
            if s == sign and start is None:
                start = i
            elif s != sign and start is not None:
                if i - start + 1 >= length:
                    out[start:i + 1] = True
                start = None
    return up, down


def rule_trend_skip_ties(values, length: int) -> tuple[np.ndarray, np.ndarray]:
    """IHI trend: `length` or more points each rising (or each falling); a point equal to the one before is
    skipped (it neither counts nor breaks the run) and is not flagged."""
    x = np.asarray(values, dtype=float)
    keep = [0] + [i for i in range(1, len(x)) if x[i] != x[i - 1]]
    up_k, down_k = rule_trend(x[keep], length)
    up = np.zeros(len(x), dtype=bool)
    down = np.zeros(len(x), dtype=bool)
    up[keep] = up_k
    down[keep] = down_k
    return up, down


def rule_two_in_three(values, lim: dict) -> tuple[np.ndarray, np.ndarray]:
    """Two of three consecutive points beyond the near-limit band (2σ, but within the process limits), all three
    on the same side of the centre line; only the points beyond the band are flagged (NHSRplotthedots
    ptd_part_of_two_in_three), not the third point of the window."""
    x = np.asarray(values, dtype=float)
    inside = (x <= lim["upper"]) & (x >= lim["lower"])
    near_hi = inside & (x > lim["near_upper"])
    near_lo = inside & (x < lim["near_lower"])
    above = x > lim["centre"]
    below = x < lim["centre"]
    hi = np.zeros(len(x), dtype=bool)
    lo = np.zeros(len(x), dtype=bool)
    for i in range(len(x) - 2):
        w = slice(i, i + 3)
        if above[w].all() and near_hi[w].sum() >= 2:
            hi[w] |= near_hi[w]
        if below[w].all() and near_lo[w].sum() >= 2:
            lo[w] |= near_lo[w]
    return hi, lo


PRECEDENCE = [("outside limits", "outside_high", "outside_low"), ("trend", "trend_up", "trend_down"),
              ("two in three", "two_in_three_high", "two_in_three_low"), ("shift", "shift_high", "shift_low")]


def _segment_frame(x: np.ndarray, baseline: int | None, rs: RuleSet, counts: bool) -> dict:
    """Limits and rule flags of one segment (no break inside it), as columns."""
    lim = limits(x, baseline)
    n = len(x)
    out = {"value": x}
    for k in ("centre", "lower", "upper", "near_lower", "near_upper"):
        out[k] = np.full(n, lim[k])
    if counts:
        out["lower"] = np.maximum(out["lower"], 0)
        out["near_lower"] = np.maximum(out["near_lower"], 0)
    out["moving_range"] = np.concatenate([[np.nan], np.abs(np.diff(x))])
    out["baseline"] = np.arange(n) < lim["n"]
    out["outside_high"], out["outside_low"] = rule_outside(x, lim["lower"], lim["upper"])
    if rs.name == "ihi_6pt":
        out["trend_up"], out["trend_down"] = rule_trend_skip_ties(x, rs.trend)
        out["shift_high"], out["shift_low"] = rule_shift_median(x, float(np.median(x[:lim["n"]])), rs.shift)
    else:
        out["trend_up"], out["trend_down"] = rule_trend(x, rs.trend)
        out["shift_high"], out["shift_low"] = rule_shift(x, lim["centre"], rs.shift)
    out["two_in_three_high"], out["two_in_three_low"] = rule_two_in_three(x, lim)
    out["baseline_outside"] = out["baseline"] & (out["outside_high"] | out["outside_low"])
    return out


_FLOAT_COLS = ("centre", "lower", "upper", "near_lower", "near_upper", "moving_range")
_BOOL_COLS = ("baseline", "outside_high", "outside_low", "trend_up", "trend_down", "shift_high", "shift_low",
              "two_in_three_high", "two_in_three_low", "baseline_outside")


def xmr(values, index=None, baseline: int | None = None, rules: str = "mdc_7pt",
        improvement: str = "down", breaks=(), counts: bool = False) -> pd.DataFrame:
    """XmR chart frame: one row per point with the limits, every rule's flags and the special-cause verdict.

    improvement: 'up', 'down' or 'neutral' — which direction counts as improvement.
    breaks: positions where a new segment starts (series breaks); limits are recomputed from each segment's
    first `baseline` points and rules run within segments (rebasing).
    counts: the values are counts, so limits below zero are shown as zero.
    Columns: value, centre, lower, upper, near_lower, near_upper, moving_range (blank across a break), baseline
    (bool: a point the limits were computed from), segment, break_before (first point after a break),
    outside_high/low, trend_up/down, two_in_three_high/low, shift_high/low, baseline_outside,
    special_cause ('high'/'low'/''), rule (the rule that decided it, by precedence), variation
    ('special cause improvement'/'special cause concern'/'special cause neutral'/'common cause').
    """
    cols, attrs = xmr_columns(values, baseline, rules, improvement, breaks, counts)
    out = pd.DataFrame(cols, index=index if index is not None else None)
    out.attrs.update(attrs)
    return out


def xmr_columns(values, baseline: int | None = None, rules: str = "mdc_7pt", improvement: str = "down",
                breaks=(), counts: bool = False) -> tuple[dict[str, np.ndarray], dict]:
    """The columns of `xmr` as arrays (for stacking many series without a frame each), and its attrs."""
    rs = rule_set(rules)
    if improvement not in ("up", "down", "neutral"):
        raise ValueError(f"improvement must be up, down or neutral, not {improvement!r}")
    x = np.asarray(values, dtype=float)
    starts = sorted({int(b) for b in breaks if 0 < int(b) < len(x)})
    bounds = [0, *starts, len(x)]
    parts: dict[str, list] = {}
    last = None
    for s, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        seg = x[a:b]
        if len(seg) < 2:  # a one-point segment cannot carry limits: judge nothing
            f = {"value": seg, **{k: np.full(len(seg), np.nan) for k in _FLOAT_COLS},
                 **{k: np.zeros(len(seg), dtype=bool) for k in _BOOL_COLS}}
        else:
            f = _segment_frame(seg, baseline, rs, counts)
        f["segment"] = np.full(len(seg), s)
        f["break_before"] = np.arange(len(seg)) == 0 if s > 0 else np.zeros(len(seg), dtype=bool)
        for k, v in f.items():
            parts.setdefault(k, []).append(np.asarray(v))
        last = f
    out = {k: np.concatenate(v) for k, v in parts.items()}
    cause = np.full(len(x), "", dtype=object)
    rule = np.full(len(x), "", dtype=object)
    for name, hi, lo in reversed(PRECEDENCE):  # higher precedence written last, so it wins
        h, low = out[hi].astype(bool), out[lo].astype(bool)
        for mask, c in ((low & ~h, "low"), (h, "high")):
            cause[mask] = c
            rule[mask] = name
    out["special_cause"] = cause
    out["rule"] = rule
    good = {"up": "high", "down": "low"}.get(improvement)
    out["variation"] = np.array([
        "common cause" if not c else
        "special cause neutral" if good is None else
        "special cause improvement" if c == good else "special cause concern"
        for c in cause
    ], dtype=object)
    attrs = {"rules": rs.name, "baseline_points": int(last["baseline"].sum()),
             "mr_bar": float(np.nanmean(last["moving_range"])) if len(last["value"]) > 1 else float("nan"),
             "segments": len(bounds) - 1}
    return out, attrs
