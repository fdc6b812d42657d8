"""XmR (individuals) control charts with the NHS "Making Data Count" rules.

Source: NHS England, Making Data Count; rules as implemented in nhs-r-community/NHSRplotthedots
(ptd_spc_standard.R, ptd_calculate_point_type.R): centre = mean of the baseline, limits =
centre ± 2.66 × mean moving range (2.66 = 3/d2, d2 = 1.128), "near limit" band at 2/3 of that.
No outlier screening of moving ranges (matches the MDC Excel tool).

Rule sets (recorded as a parameter):
  mdc_7pt  astronomical point; shift of 7 points on one side of the centre; trend of 7 points
           each increasing or each decreasing; 2 of 3 points beyond the near-limit band on one side.
  ihi_6pt  the same with a shift of 6 points and a trend of 5 (IHI run-chart thresholds).
Precedence when several rules fire on one point: outside limits > trend > two-in-three > shift.
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


def rule_two_in_three(values, lim: dict) -> tuple[np.ndarray, np.ndarray]:
    """Two of three consecutive points beyond the near-limit band (but within the process limits),
    all three on the same side of the centre line; every point of such a window is flagged."""
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
            hi[w] = True
        if below[w].all() and near_lo[w].sum() >= 2:
            lo[w] = True
    return hi, lo


def xmr(values, index=None, baseline: int | None = None, rules: str = "mdc_7pt",
        improvement: str = "down") -> pd.DataFrame:
    """XmR chart frame: one row per point with the limits, every rule's flags and the special-cause verdict.

    improvement: 'up', 'down' or 'neutral' — which direction counts as improvement.
    Columns: value, centre, lower, upper, near_lower, near_upper, moving_range, baseline (bool),
    outside_high/low, trend_up/down, two_in_three_high/low, shift_high/low,
    special_cause ('high'/'low'/''), rule (the rule that decided it, by precedence), variation
    ('special cause improvement'/'special cause concern'/'special cause neutral'/'common cause').
    """
    rs = rule_set(rules)
    if improvement not in ("up", "down", "neutral"):
        raise ValueError(f"improvement must be up, down or neutral, not {improvement!r}")
    x = np.asarray(values, dtype=float)
    lim = limits(x, baseline)
    out = pd.DataFrame({"value": x}, index=index)
    for k in ("centre", "lower", "upper", "near_lower", "near_upper"):
        out[k] = lim[k]
    out["moving_range"] = np.concatenate([[np.nan], np.abs(np.diff(x))])
    out["baseline"] = np.arange(len(x)) < lim["n"]
    out["outside_high"], out["outside_low"] = rule_outside(x, lim["lower"], lim["upper"])
    out["trend_up"], out["trend_down"] = rule_trend(x, rs.trend)
    out["two_in_three_high"], out["two_in_three_low"] = rule_two_in_three(x, lim)
    out["shift_high"], out["shift_low"] = rule_shift(x, lim["centre"], rs.shift)
    precedence = [("outside limits", "outside_high", "outside_low"), ("trend", "trend_up", "trend_down"),
                  ("two in three", "two_in_three_high", "two_in_three_low"), ("shift", "shift_high", "shift_low")]
    cause, rule = [], []
    for i in range(len(x)):
        c, r = "", ""
        for name, hi, lo in precedence:
            if out[hi].iloc[i]:
                c, r = "high", name
                break
            if out[lo].iloc[i]:
                c, r = "low", name
                break
        cause.append(c)
        rule.append(r)
    out["special_cause"] = cause
    out["rule"] = rule
    good = {"up": "high", "down": "low"}.get(improvement)
    out["variation"] = [
        "common cause" if not c else
        "special cause neutral" if good is None else
        "special cause improvement" if c == good else "special cause concern"
        for c in cause
    ]
    out.attrs.update({"rules": rs.name, "baseline_points": lim["n"], "mr_bar": lim["mr_bar"]})
    return out
