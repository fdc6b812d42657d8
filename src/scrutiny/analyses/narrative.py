"""Generated sentences in the grammar force performance summaries use.

Template (after force papers): "{n} {noun} were recorded in {month}. This is an increase compared to
{previous month} ({n}) and above the monthly average ({mean})." Words are chosen from the numbers
only; "significant" is used only when a named test says so.
"""

from __future__ import annotations

MARKER = "[c]"  # a suppressed small count (params disclosure.min_count), in tables and in sentences


def fmt_count(n: float, min_count: int | None = None) -> str:
    """A count with thousands separators; MARKER when 0 < n < min_count (small-number suppression is on)."""
    if min_count and 0 < n < min_count:
        return MARKER
    return f"{int(round(n)):,}"


_fmt = fmt_count  # for the sentence builders, whose local fmt_count applies their threshold


def fmt_p(p: float) -> str:
    """A p-value for a sentence: 'p < 0.001' or 'p = 0.042', never e-notation."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def fmt_mean(x: float) -> str:
    """Monthly averages: whole numbers from 100 up, one decimal below."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def change_word(n: float, ref: float) -> str:
    """'an increase', 'a decrease' or 'no change' of n against ref."""
    return "an increase" if n > ref else "a decrease" if n < ref else "no change"


def position_word(n: float, mean: float) -> str:
    """'above', 'below' or 'in line with' the (unrounded) monthly average."""
    return "above" if n > mean else "below" if n < mean else "in line with"


def summary_data(n: float, prev: float | None, mean: float) -> str:
    """The Summary table's Data cell: "Increase on previous month and above monthly average"."""
    pos = position_word(n, mean)
    if prev is None:
        return f"{pos.capitalize()} monthly average"
    ch = {"an increase": "Increase", "a decrease": "Decrease", "no change": "No change"}[change_word(n, prev)]
    agree = (ch == "Increase" and pos == "above") or (ch == "Decrease" and pos == "below")
    join = "and" if agree or ch == "No change" or pos == "in line with" else "but"
    return f"{ch} on previous month {join} {pos} monthly average"


def exceptional_phrase(force_cause: str, districts: list[tuple[str, str]]) -> str:
    """Commentary on exceptional volumes (points outside the SPC process limits)."""
    parts = []
    if force_cause:
        parts.append(f"Exceptionally {force_cause} volume for the force")
    if districts:
        parts.append("Exceptional volumes in " + ", ".join(f"{d} ({c})" for d, c in districts))
    return "; ".join(parts) + "." if parts else "No exceptional volumes."


def monthly_sentence(noun: str, n: float, month_label: str, prev_label: str | None, prev: float | None,
                     mean: float, min_count: int | None = None) -> str:
    """min_count: counts from 1 to min_count-1 are written as MARKER (the averages are not counts)."""
    def fmt_count(x):
        return _fmt(x, min_count)

    s = f"{fmt_count(n)} {noun} were recorded in {month_label}."
    if prev is None:
        return s + f" This is {position_word(n, mean)} the monthly average ({fmt_mean(mean)})."
    ch = change_word(n, prev)
    if ch == "no change":
        return s + (f" This is the same as {prev_label} ({fmt_count(prev)}) and {position_word(n, mean)} "
                    f"the monthly average ({fmt_mean(mean)}).")
    return s + (f" This is {ch} compared to {prev_label} ({fmt_count(prev)}) and {position_word(n, mean)} "
                f"the monthly average ({fmt_mean(mean)}).")


def break_phrase(month_labels: list[str]) -> str:
    """Commentary on series breaks: named, not judged as crime."""
    return (f"Series break in {', '.join(month_labels)}: the level changed at once, as a recording change does; "
            "limits are rebased from the break and comparisons across it are not judged.")


def volume_phrase(month_label: str, ratio: float) -> str:
    """Commentary on an implausible month volume: a data problem, never an improvement or a concern."""
    return (f"Data problem: {month_label} holds {ratio:.2f} times the median of its neighbouring months, more than "
            "chance or season moves a month; check the file before reading anything into it (not judged).")


def rolling_sentence_not_tested(r12: float, prev12: float, end_label: str, break_label: str,
                                min_count: int | None = None) -> str:
    """Rolling 12 months when the 24 months compared straddle a series break: the totals, and no judgement."""
    return (f"In the 12 months to {end_label}, {_fmt(r12, min_count)} were recorded, against "
            f"{_fmt(prev12, min_count)} in the previous 12 months. This change is not judged: a series break in "
            f"{break_label} falls inside the 24 months compared, so the two periods were not recorded alike.")


def rolling_sentence(r12: float, prev12: float, end_label: str, pvalue: float, alpha: float = 0.05,
                     min_count: int | None = None, dispersion: float | None = None) -> str:
    """Rolling 12 months vs the 12 months before, with the test named: quasi-Poisson with the dispersion φ
    estimated from the series when `dispersion` is given (dispersion.quasi_poisson_2indep), else exact Poisson.

    min_count: counts from 1 to min_count-1 are written as MARKER, and when either total is suppressed the
    difference and percentage change are left out too (they would give the suppressed count back)."""
    def fmt_count(x):
        return _fmt(x, min_count)

    test = ("exact conditional Poisson test" if dispersion is None else
            f"quasi-Poisson test allowing for month-to-month variation {dispersion:,.1f} times Poisson's")
    if MARKER in (fmt_count(r12), fmt_count(prev12)):
        verdict = ("a statistically significant change" if pvalue < alpha else
                   "not a statistically significant change")
        return (f"In the 12 months to {end_label}, {fmt_count(r12)} were recorded, against {fmt_count(prev12)} in "
                f"the previous 12 months: {verdict} ({test}, {fmt_p(pvalue)}, 5% level).")
    if prev12 == 0:
        return f"In the 12 months to {end_label}, {fmt_count(r12)} were recorded (none in the previous 12 months)."
    pct = 100 * (r12 - prev12) / prev12
    verdict = ("a statistically significant change" if pvalue < alpha else "not a statistically significant change")
    if r12 == prev12:
        change = f"the same number as in the previous 12 months ({fmt_count(prev12)})"
    else:
        word = "more" if r12 > prev12 else "fewer"
        change = (f"{fmt_count(abs(r12 - prev12))} {word} ({abs(pct):.1f}%) than in the previous 12 months "
                  f"({fmt_count(prev12)})")
    return (f"In the 12 months to {end_label}, {fmt_count(r12)} were recorded, {change}: {verdict} "
            f"({test}, {fmt_p(pvalue)}, 5% level).")
