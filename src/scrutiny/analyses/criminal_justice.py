"""Criminal justice and public contact: 999/101 call handling, emergency response, charge decisions, case-file
quality and court timeliness. Tables in, tables out.

Inputs are the prepared (typed) tables, given as Parquet paths or DataFrames with these columns:

- calls: line ('999'/'101'), month (YYYY-MM, Europe/London), answer_s (seconds from offer to answer;
  null when not answered), abandoned (bool)
- incidents: grade, month, district, rural (bool), arrive_min (minutes from creation to the first
  arrival; null when no resource arrived)
- charge_decisions: decision_id, month, decision, decision_maker, da (bool)
- case_files: file_id, month, compliant (bool), error_type
- court_cases: case_id, offence_date, charge_date, first_hearing_date, completion_date (dates), result

Record-level aggregation runs in DuckDB SQL; pandas only handles the monthly aggregates. Percentiles are
`quantile_cont` (linear interpolation, Hyndman & Fan type 7), the definition of stats.timing.percentile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny.analyses.summary import SummaryRow
from scrutiny.inputs.force_extract import connect
from scrutiny.stats import baseline as fybase
from scrutiny.stats import interrupted, kendall, rates, spc, timing

LINES = ("999", "101")
DECISIONS = ("charge", "NFA", "further action", "caution", "other")
INTERVALS = {  # name -> (start column, end column, month of the later event), in days
    "offence to charge": ("offence_date", "charge_date"),
    "charge to first hearing": ("charge_date", "first_hearing_date"),
    "charge to completion": ("charge_date", "completion_date"),
}
PERCENTILE_METHOD = timing.PERCENTILE_METHODS["linear"]


def _query(sql: str, params: list | None = None, **tables) -> pd.DataFrame:
    """Run `sql` with each keyword bound as a view: a DataFrame, or a Parquet path."""
    con = connect()
    try:
        for name, src in tables.items():
            if isinstance(src, pd.DataFrame):
                con.register(name, src)
            else:
                path = str(Path(src)).replace("'", "''")
                con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet('{path}')")
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def _months(period: tuple[str, str]) -> list[str]:
    return [str(p) for p in pd.period_range(period[0], period[1], freq="M")]


def month_from_date(date: str) -> tuple[str, bool]:
    """The first whole month on or after a date (YYYY-MM-DD) and whether the date's own month is partial (then
    it belongs to neither side of a before/after comparison)."""
    d = pd.Timestamp(date)
    if d.day == 1:
        return f"{d.year}-{d.month:02d}", False
    n = d + pd.offsets.MonthBegin(1)
    return f"{n.year}-{n.month:02d}", True


# --- 999 / 101 calls -------------------------------------------------------------------------------------------

def calls_monthly(calls, thresholds: dict[str, float]) -> pd.DataFrame:
    """Per month and line, every month in the extract: calls offered, answered within the line's threshold
    (seconds, boundary inclusive: 10.0 s is within 10 s), answered, abandoned."""
    sql = """
        SELECT month, line, count(*) AS offered,
               count_if(answer_s IS NOT NULL AND answer_s <= CASE line WHEN '999' THEN ? ELSE ? END)
                   AS answered_within_target,
               count(answer_s) AS answered, count_if(abandoned) AS abandoned
        FROM calls GROUP BY month, line ORDER BY month, line"""
    return _query(sql, [float(thresholds["999"]), float(thresholds["101"])], calls=calls)


def calls_table(monthly: pd.DataFrame, period: tuple[str, str]) -> pd.DataFrame:
    """cj_calls: month, line, offered, answered_within_target, abandoned, pct_within_target, baseline.

    pct_within_target = answered within the threshold ÷ calls offered (an abandoned call was not answered in
    time). baseline = the mean of the previous three financial years' pct_within_target (stats.baseline), from
    every month in the extract, so months before the period count; empty where those years are incomplete.
    Months of the period with no calls for a line appear with zero calls."""
    out = []
    for line in LINES:
        m = monthly[monthly["line"] == line].set_index("month")
        allm = _months((min(m.index.min(), period[0]) if len(m) else period[0], period[1]))
        m = m.reindex(allm).fillna({"offered": 0, "answered_within_target": 0, "answered": 0, "abandoned": 0})
        m = m.reset_index().rename(columns={"index": "month"})
        m["line"] = line
        m["baseline"] = fybase.three_year_baseline(m, "answered_within_target", "offered")
        out.append(m)
    df = pd.concat(out, ignore_index=True)
    df = df[(df["month"] >= period[0]) & (df["month"] <= period[1])].copy()
    for c in ("offered", "answered_within_target", "answered", "abandoned"):
        df[c] = df[c].astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["pct_within_target"] = np.where(df["offered"] > 0, 100 * df["answered_within_target"] / df["offered"],
                                           np.nan)
        df["pct_abandoned"] = np.where(df["offered"] > 0, 100 * df["abandoned"] / df["offered"], np.nan)
    return df.sort_values(["line", "month"]).reset_index(drop=True)[
        ["month", "line", "offered", "answered_within_target", "abandoned", "pct_within_target", "baseline",
         "answered", "pct_abandoned"]]


@dataclass(frozen=True)
class BeforeAfter:
    line: str
    measure: str
    result: interrupted.Segmented | None
    start: str
    excluded: str | None


def calls_before_after(table: pd.DataFrame, start_date: str, seasonal: bool = True) -> pd.DataFrame:
    """Segmented regression (stats.interrupted) of each line's monthly % within target and % abandoned around
    the start date; one row per line × measure with the level change, its 95% interval and p-value, the slope
    change and the test's name. The month holding a mid-month start date is left out."""
    start, partial = month_from_date(start_date)
    excluded = _prev_month(start) if partial else None
    rows = []
    for line in LINES:
        t = table[(table["line"] == line) & (table["month"] != excluded) & (table["offered"] > 0)]
        for measure, col in (("% answered within target", "pct_within_target"), ("% abandoned", "pct_abandoned")):
            r = interrupted.segmented_regression(t[col].to_numpy(), t["month"].tolist(), start, seasonal=seasonal)
            rows.append(_ba_row(line, measure, r, start, excluded))
    return pd.DataFrame(rows)


def _prev_month(month: str) -> str:
    p = pd.Period(month, freq="M") - 1
    return str(p)


def _ba_row(line, measure, r, start, excluded) -> dict:
    base = {"line": line, "measure": measure, "first_month_after": start, "month_left_out": excluded or ""}
    if r is None:
        return {**base, "months_before": np.nan, "months_after": np.nan, "mean_before": np.nan,
                "mean_after": np.nan, "level_change": np.nan, "level_ci_low": np.nan, "level_ci_high": np.nan,
                "level_p": np.nan, "slope_change": np.nan, "slope_p": np.nan,
                "test": "not tested: fewer than 6 months on one side of the date"}
    return {**base, "months_before": r.n_before, "months_after": r.n_after, "mean_before": r.mean_before,
            "mean_after": r.mean_after, "level_change": r.level_change, "level_ci_low": r.level_ci[0],
            "level_ci_high": r.level_ci[1], "level_p": r.level_p, "slope_change": r.slope_change,
            "slope_p": r.slope_p, "test": r.method}


# --- emergency response ----------------------------------------------------------------------------------------

def response_times(incidents, period: tuple[str, str], urban_minutes: float, rural_minutes: float,
                   grade: str = "emergency") -> pd.DataFrame:
    """Per month and district (and 'Force'): incidents of the grade, attended (a first arrival recorded),
    median and P90 minutes to arrival, and attended within the target (urban or rural by the incident's
    rural flag; boundary inclusive). Percentages are of attended incidents; incidents never attended are counted
    apart (they have no response time)."""
    sql = """
        SELECT month, coalesce(district, 'Force') AS area, grouping(district) AS is_force,
               count(*) AS incidents, count(arrive_min) AS attended,
               quantile_cont(arrive_min, 0.5) AS median_min, quantile_cont(arrive_min, 0.9) AS p90_min,
               count_if(arrive_min <= CASE WHEN rural THEN ? ELSE ? END) AS within_target
        FROM incidents WHERE grade = ? AND month BETWEEN ? AND ?
        GROUP BY GROUPING SETS ((month, district), (month))
        ORDER BY is_force DESC, area, month"""
    df = _query(sql, [float(rural_minutes), float(urban_minutes), grade, *period], incidents=incidents)
    df["not_attended"] = df["incidents"] - df["attended"]
    with np.errstate(invalid="ignore", divide="ignore"):
        df["pct_within_target"] = np.where(df["attended"] > 0, 100 * df["within_target"] / df["attended"], np.nan)
    return df.drop(columns="is_force")[["month", "area", "incidents", "attended", "not_attended", "median_min",
                                        "p90_min", "within_target", "pct_within_target"]]


# --- charge decisions ------------------------------------------------------------------------------------------

def charge_monthly(decisions, period: tuple[str, str]) -> pd.DataFrame:
    """Per month and group (domestic abuse, other, all): decisions, charges, NFA, charge rate per decision (%)
    and the charge:NFA ratio (charges per NFA decision; empty when there was no NFA)."""
    sql = """
        SELECT month, CASE WHEN grouping(da) = 1 THEN 'all' WHEN da THEN 'domestic abuse' ELSE 'other' END AS grp,
               count(*) AS decisions, count_if(decision = 'charge') AS charges, count_if(decision = 'NFA') AS nfa
        FROM decisions WHERE month BETWEEN ? AND ?
        GROUP BY GROUPING SETS ((month, da), (month)) ORDER BY grp, month"""
    df = _query(sql, list(period), decisions=decisions).rename(columns={"grp": "group"})
    with np.errstate(invalid="ignore", divide="ignore"):
        df["charge_rate"] = np.where(df["decisions"] > 0, 100 * df["charges"] / df["decisions"], np.nan)
        df["charge_nfa_ratio"] = np.where(df["nfa"] > 0, df["charges"] / df["nfa"], np.nan)
    return df


def charge_before_after(decisions, period: tuple[str, str], start_date: str) -> tuple[pd.DataFrame, dict]:
    """Charge rate per decision before and after a date, domestic abuse vs other: per group a pooled
    two-proportion z test (after vs before), and a difference in differences (stats.interrupted) testing
    whether the domestic abuse change differs from the change in other crime. Decisions in the month holding a
    mid-month date are left out."""
    start, partial = month_from_date(start_date)
    excluded = _prev_month(start) if partial else ""
    sql = """
        SELECT da::INT AS "group", (month >= ?)::INT AS after, count_if(decision = 'charge') AS successes,
               count_if(decision = 'NFA') AS nfa, count(*) AS n
        FROM decisions WHERE month BETWEEN ? AND ? AND month <> ? GROUP BY ALL ORDER BY ALL"""
    cells = _query(sql, [start, *period, excluded], decisions=decisions)
    rows = []
    for g, name in ((1, "domestic abuse"), (0, "other")):
        c = cells[cells["group"] == g].set_index("after")
        if 0 not in c.index or 1 not in c.index:
            rows.append({"group": name, "test": "not tested: no decisions on one side of the date"})
            continue
        b, a = c.loc[0], c.loc[1]
        z, p = rates.pooled_z(a["successes"], a["n"], b["successes"], b["n"])
        rows.append({"group": name, "decisions_before": int(b["n"]), "charges_before": int(b["successes"]),
                     "nfa_before": int(b["nfa"]), "charge_rate_before": 100 * b["successes"] / b["n"],
                     "decisions_after": int(a["n"]), "charges_after": int(a["successes"]),
                     "nfa_after": int(a["nfa"]), "charge_rate_after": 100 * a["successes"] / a["n"],
                     "change_points": 100 * (a["successes"] / a["n"] - b["successes"] / b["n"]),
                     "z": float(z), "p": float(p), "test": "two-proportion z test (pooled), two-sided"})
    did = interrupted.proportion_diff_in_diff(cells)
    info = {"first_month_after": start, "month_left_out": excluded,
            "did_log_odds": did.interaction_log_odds if did else np.nan,
            "did_ci": did.interaction_ci if did else (np.nan, np.nan),
            "did_p": did.pvalue if did else np.nan, "did_test": did.method if did else "not tested"}
    return pd.DataFrame(rows), info


# --- case files ------------------------------------------------------------------------------------------------

def case_file_quality(files, period: tuple[str, str], alpha: float = 0.05) -> pd.DataFrame:
    """Per assessment month: files assessed (the denominator), compliant, % compliant with a Wilson score
    interval (stats.rates.wilson_ci, computed as statsmodels' proportion_confint method='wilson'), and files
    failing by error type."""
    sql = """
        SELECT month, count(*) AS assessed, count_if(compliant) AS compliant,
               count_if(NOT compliant AND error_type = 'national file standard') AS err_national_file_standard,
               count_if(NOT compliant AND error_type = 'victim and witness requirements') AS err_victim_witness,
               count_if(NOT compliant AND error_type = 'evidential') AS err_evidential,
               count_if(NOT compliant AND (error_type IS NULL OR error_type NOT IN
                   ('national file standard', 'victim and witness requirements', 'evidential'))) AS err_other
        FROM files WHERE month BETWEEN ? AND ? GROUP BY month ORDER BY month"""
    df = _query(sql, list(period), files=files)
    ci = [rates.wilson_ci(x, n, alpha) for x, n in zip(df["compliant"], df["assessed"])]
    df["pct_compliant"] = 100 * df["compliant"] / df["assessed"]
    df["ci_low"] = 100 * np.array([lo for lo, _ in ci], dtype=float)
    df["ci_high"] = 100 * np.array([hi for _, hi in ci], dtype=float)
    return df


# --- court timeliness ------------------------------------------------------------------------------------------

def court_timeliness(cases, period: tuple[str, str]) -> pd.DataFrame:
    """Days for each interval (offence to charge, charge to first hearing, charge to completion), per month of
    the interval's later event (a case counts once the interval is complete, as in the Ministry of Justice
    timeliness tables): cases, median and P90 days."""
    parts = []
    for name, (a, b) in INTERVALS.items():
        parts.append(f"""
            SELECT '{name}' AS interval, strftime({b}, '%Y-%m') AS month, count(*) AS cases,
                   quantile_cont(date_diff('day', {a}, {b}), 0.5) AS median_days,
                   quantile_cont(date_diff('day', {a}, {b}), 0.9) AS p90_days
            FROM cases WHERE {a} IS NOT NULL AND {b} IS NOT NULL AND strftime({b}, '%Y-%m') BETWEEN ? AND ?
            GROUP BY ALL""")
    sql = " UNION ALL ".join(parts) + " ORDER BY interval, month"
    return _query(sql, list(period) * len(INTERVALS), cases=cases)


def court_trend(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per interval: months, cases, the trend of the monthly median (Kendall's tau against time, two-sided
    p-value, stats/kendall.py) and the median of monthly medians in the first and last 12 months."""
    rows = []
    for name in INTERVALS:
        m = monthly[monthly["interval"] == name].sort_values("month")
        if len(m) >= 6:
            tau, p = kendall.kendall_tau(range(len(m)), m["median_days"].to_numpy())
        else:
            tau, p = np.nan, np.nan
        rows.append({"interval": name, "months": len(m), "cases": int(m["cases"].sum()),
                     "first12_median_days": float(m["median_days"].head(12).median()) if len(m) else np.nan,
                     "last12_median_days": float(m["median_days"].tail(12).median()) if len(m) else np.nan,
                     "tau": float(tau), "p": float(p),
                     "test": "Kendall's tau of the monthly median against time, two-sided"
                     if len(m) >= 6 else "not tested: fewer than 6 months"})
    return pd.DataFrame(rows)


# --- words -----------------------------------------------------------------------------------------------------

def _label(month: str) -> str:
    return pd.Period(month, freq="M").strftime("%b %Y")


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _n(x) -> str:
    return f"{int(x):,}"


def _pm(x: float, decimals: int = 1) -> str:
    """A signed change, never '-0.0'."""
    return f"{round(float(x), decimals) + 0.0:+.{decimals}f}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _sig(p: float, alpha: float = 0.05) -> str:
    return "significant" if p < alpha else "no significant"


def calls_sentence(table: pd.DataFrame, line: str, month: str, threshold: float, standard: float | None,
                   count=_n) -> str:
    """'In Jun 2025, 89.4% of 14,021 999 calls were answered within 10 seconds, below the 90% national
    standard and below the baseline (92.0%); 0.5% were abandoned.'"""
    r = table[(table["line"] == line) & (table["month"] == month)]
    if not len(r) or r.iloc[0]["offered"] == 0:
        return f"No {line} calls in {_label(month)}."
    r = r.iloc[0]
    parts = [f"In {_label(month)}, {r['pct_within_target']:.1f}% of {count(r['offered'])} {line} calls were answered "
             f"within {threshold:g} seconds"]
    if standard is not None:
        parts.append(("at or above" if r["pct_within_target"] >= standard else "below")
                     + f" the {standard:g}% national standard")
    parts.append((("at or above" if r["pct_within_target"] >= r["baseline"] else "below")
                  + f" the baseline ({r['baseline']:.1f}%)") if pd.notna(r["baseline"]) else
                 "with no baseline (the extract does not hold the three previous financial years)")
    return ", ".join(parts[:-1]) + " and " + parts[-1] + f"; {r['pct_abandoned']:.1f}% were abandoned."


def before_after_sentence(row, alpha: float = 0.05) -> str:
    """'101 % answered within target: significant level change at Oct 2024, +13.1 percentage points (95%
    interval …; p < 0.001); …'"""
    if pd.isna(row["level_change"]):
        return f"{row['line']} {row['measure']}: {row['test']}."
    return (f"{row['line']} {row['measure']}: {_sig(row['level_p'], alpha)} level change at "
            f"{_label(row['first_month_after'])}, {_pm(row['level_change'])} percentage points (95% interval "
            f"{_pm(row['level_ci_low'])} to {_pm(row['level_ci_high'])}; {_p(row['level_p'])}); "
            f"{_sig(row['slope_p'], alpha)} change in the monthly trend ({_pm(row['slope_change'], 2)} points a month, "
            f"{_p(row['slope_p'])}). Mean {row['mean_before']:.1f}% over {int(row['months_before'])} months before, "
            f"{row['mean_after']:.1f}% over {int(row['months_after'])} months after.")


def before_after_sentences(ba: pd.DataFrame) -> list[str]:
    """One sentence per line and measure, or why there is no comparison."""
    if not len(ba):
        return ["No before/after comparison: the params give no criminal_justice.calls_change_date."]
    return [before_after_sentence(r) for _, r in ba.iterrows()]


def response_sentence(resp: pd.DataFrame, month: str, urban: float, rural: float, count=_n) -> str:
    f = resp[(resp["area"] == "Force") & (resp["month"] == month)]
    if not len(f) or f.iloc[0]["attended"] == 0:
        return f"No emergency incident with an arrival time in {_label(month)}."
    f = f.iloc[0]
    return (f"In {_label(month)}, {count(f['incidents'])} emergency incidents were created and "
            f"{count(f['attended'])} have a first arrival recorded: median {f['median_min']:.1f} minutes, P90 "
            f"{f['p90_min']:.1f} minutes; {f['pct_within_target']:.1f}% were reached within target ({urban:g} minutes "
            f"urban, {rural:g} minutes rural). {count(f['not_attended'])} had no arrival recorded and are not in the "
            f"times.")


def charge_sentences(charge_ba: pd.DataFrame, info: dict, count=_n) -> list[str]:
    if not len(charge_ba) or "p" not in charge_ba:
        return ["Charge rates before and after a date were not compared: the params give no "
                "criminal_justice.charging_change_date, or no decisions fall on one side of it."]
    out = []
    for r in charge_ba.itertuples():
        if pd.isna(getattr(r, "p", np.nan)):
            out.append(f"{r.group.capitalize()}: {r.test}.")
            continue
        out.append(f"{r.group.capitalize()}: charge rate {r.charge_rate_before:.1f}% of "
                   f"{count(r.decisions_before)} decisions before {_label(info['first_month_after'])}, "
                   f"{r.charge_rate_after:.1f}% of {count(r.decisions_after)} from then: {_sig(r.p)} change "
                   f"({_pm(r.change_points)} points; {r.test}, {_p(r.p)}).")
    if pd.notna(info["did_p"]):
        out.append(f"Is the change for domestic abuse different from the change for other crime? "
                   f"{_sig(info['did_p']).capitalize()} difference ({info['did_test']}; ratio of odds ratios "
                   f"{np.exp(info['did_log_odds']):.2f}, 95% interval {np.exp(info['did_ci'][0]):.2f} to "
                   f"{np.exp(info['did_ci'][1]):.2f}, {_p(info['did_p'])}).")
    return out


def files_sentence(files_q: pd.DataFrame, month: str, count=_n) -> str:
    r = files_q[files_q["month"] == month]
    if not len(r):
        return f"No case files were assessed in {_label(month)}."
    r = r.iloc[0]
    return (f"In {_label(month)}, {count(r['compliant'])} of {count(r['assessed'])} case files assessed were compliant "
            f"({r['pct_compliant']:.1f}%, 95% Wilson interval {r['ci_low']:.1f}% to {r['ci_high']:.1f}%).")


def court_sentences(trend: pd.DataFrame) -> list[str]:
    out = []
    for r in trend.itertuples():
        if pd.isna(r.p):
            out.append(f"{r.interval.capitalize()}: {r.test}.")
            continue
        direction = "lengthening" if r.tau > 0 else "shortening"
        out.append(f"{r.interval.capitalize()}: median of monthly medians {r.first12_median_days:.0f} days in the "
                   f"first 12 months, {r.last12_median_days:.0f} in the last 12; "
                   + (f"a significant {direction} trend" if r.p < 0.05 else "no significant trend")
                   + f" (Kendall's tau {r.tau:+.2f}, {_p(r.p)}).")
    return out


# --- the Summary rows -------------------------------------------------------------------------------------------

def summary_rows(calls_t: pd.DataFrame, ba: pd.DataFrame, resp: pd.DataFrame, charge_m: pd.DataFrame,
                 charge_ba: pd.DataFrame, charge_info: dict, files_q: pd.DataFrame, court_t: pd.DataFrame | None,
                 period: tuple[str, str], settings, count=_n) -> list[SummaryRow]:
    """One front-page row per measure, each with its inclusion rule; the commentary names the comparison or
    test behind every judgement and ends with the desired direction."""
    rm = period[1]
    link = "criminal_justice.html#"
    rows = []
    for line in LINES:
        c = calls_t[(calls_t["line"] == line) & (calls_t["month"] == rm)]
        if not len(c) or c.iloc[0]["offered"] == 0:
            continue
        c = c.iloc[0]
        thr = settings.answer_999_seconds if line == "999" else settings.answer_101_seconds
        comm = []
        if line == "999":
            comm.append(("at or above" if c["pct_within_target"] >= settings.standard_999_pct else "below")
                        + f" the {settings.standard_999_pct:g}% national standard")
        comm.append((("at or above" if c["pct_within_target"] >= c["baseline"] else "below")
                     + f" the baseline {c['baseline']:.1f}% (mean of the previous three financial years)")
                    if pd.notna(c["baseline"]) else
                    "no baseline: the extract does not hold the three previous financial years")
        b = ba[(ba["line"] == line) & (ba["measure"] == "% answered within target")] if len(ba) else ba
        if len(b) and pd.notna(b.iloc[0]["level_change"]):
            r = b.iloc[0]
            comm.append(f"{_sig(r['level_p'])} level change at {_label(r['first_month_after'])} "
                        f"({_pm(r['level_change'])} points, {_p(r['level_p'])}, segmented regression)")
        rows.append(SummaryRow(
            topic=f"{line} calls answered within {thr:g} seconds", measure=f"cj_calls_{line}",
            inclusion="Every edition", shown=True,
            data=(f"{c['pct_within_target']:.1f}% of {count(c['offered'])} calls in {_label(rm)}; "
                  f"{c['pct_abandoned']:.1f}% abandoned"),
            commentary=_sentence("; ".join(comm)) + " Higher is better.", link=f"{link}calls-{line}"))
    f = resp[(resp["area"] == "Force") & (resp["month"] == rm)]
    if len(f) and f.iloc[0]["attended"] > 0:
        f = f.iloc[0]
        rows.append(SummaryRow(
            topic="Emergency response", measure="cj_response", inclusion="Every edition", shown=True,
            data=(f"Median {f['median_min']:.1f} min, P90 {f['p90_min']:.1f} min; {f['pct_within_target']:.1f}% of "
                  f"{count(f['attended'])} attended within target in {_label(rm)}"),
            commentary=(f"Targets {settings.urban_target_minutes:g} min urban, {settings.rural_target_minutes:g} min "
                        f"rural; {count(f['not_attended'])} emergency incidents had no arrival recorded. Shorter "
                        f"times and a higher share within target are better."),
            link=f"{link}response"))
    q = charge_m[(charge_m["group"] == "all") & (charge_m["month"] == rm)]
    if len(q):
        q = q.iloc[0]
        da = charge_ba.set_index("group") if len(charge_ba) and "p" in charge_ba else None
        if da is not None and "domestic abuse" in da.index and pd.notna(da.loc["domestic abuse", "p"]):
            comm = (f"Domestic abuse charge rate from {_label(charge_info['first_month_after'])}: "
                    f"{_sig(da.loc['domestic abuse', 'p'])} change ({_pm(da.loc['domestic abuse', 'change_points'])} "
                    f"points, two-proportion z test); against other crime: {_sig(charge_info['did_p'])} difference "
                    f"(difference in differences).")
        else:
            comm = "Before/after not tested (no change date in the params, or no decisions on one side of it)."
        rows.append(SummaryRow(
            topic="Charge decisions", measure="cj_charge", inclusion="Every edition", shown=True,
            data=(f"Charge rate {q['charge_rate']:.1f}% of {count(q['decisions'])} decisions in {_label(rm)}; "
                  + (f"charge:NFA {q['charge_nfa_ratio']:.2f} to 1" if pd.notna(q["charge_nfa_ratio"]) else
                     "charge:NFA not defined (no NFA)")),
            commentary=comm + " A higher charge rate is better.", link=f"{link}charge"))
    cf = files_q[files_q["month"] == rm]
    if len(cf):
        cf = cf.iloc[0]
        rows.append(SummaryRow(
            topic="Case file quality", measure="cj_files", inclusion="Every edition", shown=True,
            data=(f"{cf['pct_compliant']:.1f}% of {count(cf['assessed'])} files compliant in {_label(rm)} "
                  f"(95% Wilson interval {cf['ci_low']:.1f}% to {cf['ci_high']:.1f}%)"),
            commentary=f"{count(cf['assessed'] - cf['compliant'])} files failed assessment. Higher is better.",
            link=f"{link}files"))
    if court_t is not None and len(court_t):
        r = court_t.set_index("interval").loc["charge to completion"]
        rows.append(SummaryRow(
            topic="Court timeliness", measure="cj_court", inclusion="Every edition", shown=True,
            data=(f"Charge to completion: median {r['last12_median_days']:.0f} days (median of the last 12 monthly "
                  f"medians); {count(r['cases'])} cases completed in the period"),
            commentary=((f"{_sig(r['p']).capitalize()} trend in the monthly median (Kendall's tau {r['tau']:+.2f}, "
                         f"{_p(r['p'])}).") if pd.notna(r["p"]) else "Trend not tested (fewer than 6 months).")
                       + " Shorter is better.",
            link=f"{link}court"))
    return rows


# --- the section in one call ------------------------------------------------------------------------------------

def prepare(work_dir: str | Path, settings, period: tuple[str, str], spc_rules: str = "mdc_7pt",
            baseline_months: int = 24, count=_n) -> dict:
    """Every table, SPC frame and sentence the criminal justice page shows, from the prepared extracts in
    `work_dir` (court_cases optional). `settings` is params.criminal_justice."""
    w = Path(work_dir)
    thresholds = {"999": settings.answer_999_seconds, "101": settings.answer_101_seconds}
    calls_t = calls_table(calls_monthly(w / "calls.parquet", thresholds), period)
    ba = (calls_before_after(calls_t, settings.calls_change_date.isoformat()) if settings.calls_change_date
          else pd.DataFrame())
    resp = response_times(w / "incidents.parquet", period, settings.urban_target_minutes,
                          settings.rural_target_minutes)
    charge_m = charge_monthly(w / "charge_decisions.parquet", period)
    if settings.charging_change_date:
        charge_ba, info = charge_before_after(w / "charge_decisions.parquet", period,
                                              settings.charging_change_date.isoformat())
    else:
        charge_ba, info = pd.DataFrame(), {"did_p": np.nan}
    files_q = case_file_quality(w / "case_files.parquet", period)
    court = court_timeliness(w / "court_cases.parquet", period) if (w / "court_cases.parquet").is_file() else None
    trend = court_trend(court) if court is not None else None

    c999 = calls_t[calls_t["line"] == "999"].reset_index(drop=True)
    spc_999 = spc.xmr(c999["pct_within_target"].to_numpy(), baseline=baseline_months, rules=spc_rules,
                      improvement="up")
    spc_999.insert(0, "month", c999["month"].to_numpy())
    force = resp[resp["area"] == "Force"].reset_index(drop=True)
    spc_resp = spc.xmr(force["median_min"].to_numpy(), baseline=baseline_months, rules=spc_rules, improvement="down")
    spc_resp.insert(0, "month", force["month"].to_numpy())
    rows = summary_rows(calls_t, ba, resp, charge_m, charge_ba, info, files_q, trend, period, settings, count)
    return {"calls": calls_t, "before_after": ba, "spc_999": spc_999, "response": resp, "spc_response": spc_resp,
            "charge": charge_m, "charge_before_after": charge_ba, "charge_info": info, "files": files_q,
            "court": court, "court_trend": trend, "summary": rows}


def recent(df: pd.DataFrame, period: tuple[str, str], months: int = 12) -> pd.DataFrame:
    """The rows of the last `months` months of the period (pages show these; the CSV keeps every month)."""
    first = str(pd.Period(period[1], freq="M") - (months - 1))
    return df[(df["month"] >= first) & (df["month"] <= period[1])].reset_index(drop=True)


def before_after_display(ba: pd.DataFrame) -> pd.DataFrame:
    """The before/after table as shown: the test is named in the sentences above it. Changes and means to 2
    decimals; the p-values as they are, written by the page as the sentences write them ('< 0.001', '0.048')."""
    if not len(ba):
        return ba
    cols = ["line", "measure", "months_before", "months_after", "mean_before", "mean_after", "level_change",
            "level_ci_low", "level_ci_high", "level_p", "slope_change", "slope_p"]
    out = ba[cols].copy()
    num = [c for c in out.columns[2:] if c not in ("level_p", "slope_p")]
    out[num] = out[num].astype(float).round(2) + 0.0  # no '-0.00'
    return out


def calls_chart_frame(calls_t: pd.DataFrame) -> pd.DataFrame:
    """Monthly shares (0–1) within target and baselines, one column per line, for a line chart."""
    w = calls_t.pivot(index="month", columns="line", values=["pct_within_target", "baseline"])
    out = pd.DataFrame({"month": w.index})
    for line in LINES:
        if ("pct_within_target", line) in w:
            out[f"within_{line}"] = w[("pct_within_target", line)].to_numpy() / 100
            out[f"baseline_{line}"] = w[("baseline", line)].to_numpy() / 100
    return out


def charge_chart_frame(charge_m: pd.DataFrame) -> pd.DataFrame:
    w = charge_m.pivot(index="month", columns="group", values="charge_rate") / 100
    return w.reset_index()[["month", *[g for g in ("domestic abuse", "other") if g in w]]]


def intro_sentence(force: str, period: tuple[str, str]) -> str:
    return (f"Reporting month: {_label(period[1])}; months shown: {_label(period[0])} to {_label(period[1])}. "
            f"Sources: extracts in the format {force} supplies from its own systems: calls to 999 and 101, "
            f"incidents, charging decisions, case-file assessments and, when given, court cases (a banner above "
            f"says when they are a generated sample instead).")


def method_note(settings, period: tuple[str, str], spc_rules_description: str) -> str:
    return (f"How the figures are made. Calls: a call is in time when answered within {settings.answer_999_seconds:g} "
            f"seconds (999) or {settings.answer_101_seconds:g} seconds (101), the boundary included (a call answered "
            f"in exactly 10.0 seconds is within 10); the percentage is of calls offered, so an abandoned call counts "
            f"as not answered in time. A call belongs to the month of its offer time in UK local time (Europe/London; "
            f"every time in the extract carries its UTC offset). Baseline: the mean of the previous three financial "
            f"years' percentages (April to March), as forces state it; it needs all 36 months of those years in the "
            f"extract and is left blank otherwise. Before/after: segmented regression on the monthly percentage "
            f"(level and slope change at the first whole month from the date; OLS, standard error the larger of the "
            f"ordinary and Newey–West estimates, t test; an annual harmonic for season); 'significant' means "
            f"p < 0.05. Emergency response: minutes from the incident's creation to the first arrival; median and "
            f"P90 by linear interpolation ({PERCENTILE_METHOD}); within target is of incidents with an arrival, "
            f"against {settings.urban_target_minutes:g} minutes (urban) or {settings.rural_target_minutes:g} minutes "
            f"(rural) by the incident's rural flag. Control charts: XmR, rules {spc_rules_description}")
