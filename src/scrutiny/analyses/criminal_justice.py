"""Criminal justice and public contact: 999/101 call handling, emergency response, charge decisions, case-file
quality and court timeliness. Tables in, tables out.

Inputs are the prepared (typed) tables, given as Parquet paths or DataFrames with these columns:

- calls: call_id, line ('999'/'101'), month (YYYY-MM, Europe/London), answer_s (seconds from offer to answer;
  null when not answered), abandoned (bool)
- incidents: incident_id, grade, month, district, rural (bool), arrive_min (minutes from creation to the first
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

import duckdb
import numpy as np
import pandas as pd
from scipy import stats as sps

from ..stats import baseline as fybase
from ..stats import interrupted, timing

LINES = ("999", "101")
DECISIONS = ("charge", "NFA", "further action", "caution", "other")
INTERVALS = {  # name -> (start column, end column, month of the later event), in days
    "offence to charge": ("offence_date", "charge_date"),
    "charge to first hearing": ("charge_date", "first_hearing_date"),
    "charge to completion": ("charge_date", "completion_date"),
}
PERCENTILE_METHOD = timing.PERCENTILE_METHODS["linear"]


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false; SET TimeZone='UTC';")
    return con


def _query(sql: str, params: list | None = None, **tables) -> pd.DataFrame:
    """Run `sql` with each keyword bound as a view: a DataFrame, or a Parquet path."""
    con = _connect()
    try:
        for name, src in tables.items():
            if isinstance(src, pd.DataFrame):
                con.register(name, src)
            else:
                path = str(Path(src)).replace("'", "''")
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
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


def before_after_sentence(row: pd.Series | dict, alpha: float = 0.05) -> str:
    """'101 % answered within target: level change +11.8 points at Oct 2024 (95% CI …; p < 0.001): significant
    (segmented regression …).'"""
    if pd.isna(row["level_change"]):
        return f"{row['line']} {row['measure']}: {row['test']}."
    sig = row["level_p"] < alpha
    word = "significant" if sig else "no significant"
    return (f"{row['line']} {row['measure']}: {word} level change at {_label(row['first_month_after'])}, "
            f"{row['level_change']:+.1f} percentage points (95% interval {row['level_ci_low']:+.1f} to "
            f"{row['level_ci_high']:+.1f}; {_p(row['level_p'])}); mean {row['mean_before']:.1f}% over "
            f"{int(row['months_before'])} months before, {row['mean_after']:.1f}% over {int(row['months_after'])} "
            f"months after. Test: {row['test']}, two-sided, 5% level.")


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
    from statsmodels.stats.proportion import proportions_ztest

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
        z, p = proportions_ztest([a["successes"], b["successes"]], [a["n"], b["n"]])
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
    interval (statsmodels proportion_confint, method='wilson'), and files failing by error type."""
    from statsmodels.stats.proportion import proportion_confint

    sql = """
        SELECT month, count(*) AS assessed, count_if(compliant) AS compliant,
               count_if(NOT compliant AND error_type = 'national file standard') AS err_national_file_standard,
               count_if(NOT compliant AND error_type = 'victim and witness requirements') AS err_victim_witness,
               count_if(NOT compliant AND error_type = 'evidential') AS err_evidential,
               count_if(NOT compliant AND (error_type IS NULL OR error_type NOT IN
                   ('national file standard', 'victim and witness requirements', 'evidential'))) AS err_other
        FROM files WHERE month BETWEEN ? AND ? GROUP BY month ORDER BY month"""
    df = _query(sql, list(period), files=files)
    lo, hi = proportion_confint(df["compliant"], df["assessed"], alpha=alpha, method="wilson")
    df["pct_compliant"] = 100 * df["compliant"] / df["assessed"]
    df["ci_low"], df["ci_high"] = 100 * np.asarray(lo, float), 100 * np.asarray(hi, float)
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
    p-value, scipy.stats.kendalltau) and the median of monthly medians in the first and last 12 months."""
    rows = []
    for name in INTERVALS:
        m = monthly[monthly["interval"] == name].sort_values("month")
        if len(m) >= 6:
            tau, p = sps.kendalltau(np.arange(len(m)), m["median_days"].to_numpy())
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


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _n(x) -> str:
    return f"{int(x):,}"


def summary_rows(calls_t: pd.DataFrame, ba: pd.DataFrame, resp: pd.DataFrame, charge_m: pd.DataFrame,
                 charge_ba: pd.DataFrame, charge_info: dict, files_q: pd.DataFrame, court_t: pd.DataFrame | None,
                 period: tuple[str, str], standard_999: float, threshold_101: float,
                 urban_minutes: float, rural_minutes: float) -> list[dict]:
    """One front-page Summary row per measure: topic, measure, inclusion, direction (desired), data, commentary,
    link. Judgement words name the comparison or test that makes them."""
    rm = period[1]
    rows = []
    for line in LINES:
        c = calls_t[(calls_t["line"] == line) & (calls_t["month"] == rm)]
        if not len(c):
            continue
        c = c.iloc[0]
        thr = "10 seconds" if line == "999" else f"{threshold_101:g} seconds"
        data = (f"{c['pct_within_target']:.1f}% of {_n(c['offered'])} calls answered within {thr} in {_label(rm)}; "
                f"{c['pct_abandoned']:.1f}% abandoned")
        comm = []
        if line == "999":
            comm.append(("above" if c["pct_within_target"] >= standard_999 else "below")
                        + f" the {standard_999:g}% national standard")
        if pd.notna(c["baseline"]):
            comm.append(("above" if c["pct_within_target"] >= c["baseline"] else "below")
                        + f" the baseline {c['baseline']:.1f}% (mean of the previous three financial years)")
        else:
            comm.append("no baseline: the extract does not hold the three previous financial years")
        b = ba[(ba["line"] == line) & (ba["measure"] == "% answered within target")]
        if len(b) and pd.notna(b.iloc[0]["level_change"]):
            r = b.iloc[0]
            comm.append(("significant" if r["level_p"] < 0.05 else "no significant")
                        + f" level change at {_label(r['first_month_after'])} ({r['level_change']:+.1f} points, "
                        f"{_p(r['level_p'])}, segmented regression)")
        rows.append({"topic": f"{line} calls answered within {thr}", "measure": f"cj_calls_{line}",
                     "inclusion": "Every month", "direction": "higher is better", "data": data,
                     "commentary": _sentence("; ".join(comm)), "link": f"criminal_justice.html#calls-{line}"})
    f = resp[(resp["area"] == "Force") & (resp["month"] == rm)]
    if len(f):
        f = f.iloc[0]
        rows.append({"topic": "Emergency response", "measure": "cj_response", "inclusion": "Every month",
                     "direction": "lower times, higher % within target are better",
                     "data": (f"Median {f['median_min']:.1f} min, P90 {f['p90_min']:.1f} min; "
                              f"{f['pct_within_target']:.1f}% of {_n(f['attended'])} attended emergency incidents "
                              f"within target in {_label(rm)}"),
                     "commentary": (f"Targets {urban_minutes:g} min urban, {rural_minutes:g} min rural; "
                                    f"{_n(f['not_attended'])} emergency incidents with no arrival recorded."),
                     "link": "criminal_justice.html#response"})
    q = charge_m[(charge_m["group"] == "all") & (charge_m["month"] == rm)]
    if len(q):
        q = q.iloc[0]
        da = charge_ba.set_index("group").get("p", pd.Series(dtype=float))
        comm = (f"Domestic abuse charge rate before/after {_label(charge_info['first_month_after'])}: "
                + ("significant" if da.get("domestic abuse", 1) < 0.05 else "no significant")
                + " change (two-proportion z test); difference from other crime: "
                + ("significant" if charge_info["did_p"] < 0.05 else "no significant")
                + " (difference in differences).") if "domestic abuse" in da.index and pd.notna(
                    charge_info["did_p"]) else "Before/after not tested (no decisions on one side of the date)."
        rows.append({"topic": "Charge decisions", "measure": "cj_charge", "inclusion": "Every month",
                     "direction": "higher charge rate is better",
                     "data": (f"Charge rate {q['charge_rate']:.1f}% of {_n(q['decisions'])} decisions in "
                              f"{_label(rm)}; charge:NFA "
                              + (f"{q['charge_nfa_ratio']:.2f} to 1" if pd.notna(q["charge_nfa_ratio"]) else
                                 "not defined (no NFA)")),
                     "commentary": comm, "link": "criminal_justice.html#charge"})
    cf = files_q[files_q["month"] == rm]
    if len(cf):
        cf = cf.iloc[0]
        rows.append({"topic": "Case file quality", "measure": "cj_files", "inclusion": "Every month",
                     "direction": "higher is better",
                     "data": (f"{cf['pct_compliant']:.1f}% of {_n(cf['assessed'])} files compliant in {_label(rm)} "
                              f"(95% Wilson interval {cf['ci_low']:.1f}% to {cf['ci_high']:.1f}%)"),
                     "commentary": f"{_n(cf['assessed'] - cf['compliant'])} files failed assessment.",
                     "link": "criminal_justice.html#files"})
    if court_t is not None and len(court_t):
        r = court_t.set_index("interval").loc["charge to completion"]
        rows.append({"topic": "Court timeliness", "measure": "cj_court", "inclusion": "Quarter",
                     "direction": "shorter is better",
                     "data": (f"Charge to completion: median {r['last12_median_days']:.0f} days (median of the "
                              f"last 12 monthly medians), {_n(r['cases'])} completed cases in the period"),
                     "commentary": (("Significant" if r["p"] < 0.05 else "No significant") +
                                    f" trend in the monthly median (Kendall's tau {r['tau']:+.2f}, {_p(r['p'])})."
                                    if pd.notna(r["p"]) else "Trend not tested (fewer than 6 months)."),
                     "link": "criminal_justice.html#court"})
    return rows
