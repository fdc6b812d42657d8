"""Crime outcomes: same-period cohort rates, fixed follow-up rates, time to first outcome, outcome mix.

Definitions (months are calendar months; a lag of 0 means "in the month of recording"):

- A crime is a distinct Crime ID within a recording month of the police.uk street files (anti-social behaviour
  has no Crime ID). Its recorded month is the street file's Month. Published files repeat some Crime IDs within a
  month (identical rows, or the same crime with a different last outcome; project domain notes §3.8): each counts
  once, the row that appears last in the file (highest source file and row) is kept, and the as-published row
  count is kept beside it (rows_as_published). A Crime ID in two different months counts once in each.
- Its **first outcome** is the earliest Month of any row for that Crime ID in the outcomes files; its
  **first charge** is the earliest Month of an outcome row whose category is flagged `charged_summonsed`
  in data/reference/outcome_categories.csv (an analyst-defined mapping).
- **Same-period cohort rate** (the basis forces and the Home Office publish, domain notes §1.3): crimes
  recorded in a window that have an outcome by the end of that window, ÷ crimes recorded in the window.
  The window is the calendar month, quarter or financial year of recording (parameter), cut at the data end.
  Recent recording months have had less time, so this rate is biased downwards for them.
- **Fixed follow-up rate**: crimes with a first outcome at a lag of at most k months, ÷ crimes recorded in
  the month, shown only for months with k full months of follow-up (recorded month + k ≤ data end), so
  every month shown has had the same time.
- **Time to first outcome**: a Kaplan–Meier estimate (Kaplan & Meier 1958) on whole-month lags; a crime
  with no outcome yet is censored at data end − recorded month (it is known to have had no outcome
  up to and including that lag). Cumulative share outcomed by lag t = 1 − Π_{j≤t} (1 − d_j / n_j), where
  n_j crimes are still at risk at lag j and d_j have their first outcome at lag j.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny import paths
from scrutiny.analyses import narrative
from scrutiny.analyses.summary import frame as summary_frame
from scrutiny.inputs import ho_outcomes
from scrutiny.reference import months, police_uk
from scrutiny.stats import rates

CATEGORIES = paths.REPO_ROOT / "data" / "reference" / "outcome_categories.csv"
ALL_CRIME = "All crime"
WINDOWS = ("month", "quarter", "financial_year")


def load_categories(path: str | Path = CATEGORIES) -> pd.DataFrame:
    """The outcome category reference table, with boolean flags parsed."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in ("charged_summonsed", "evidential_difficulties", "outcomed"):
        bad = sorted(set(df[c]) - {"True", "False"})
        if bad:
            raise ValueError(f"{path}: column {c} must be True or False, found {bad}")
        df[c] = df[c] == "True"
    bad = sorted(set(df["basis"]) - {"official", "analyst-defined"})
    if bad:
        raise ValueError(f"{path}: basis must be 'official' or 'analyst-defined', found {bad}")
    return df


def police_uk_map(categories: pd.DataFrame) -> pd.DataFrame:
    """police.uk category -> Home Office type(s), group and flags (indexed by category).

    Raises if a police.uk category the contracts accept is missing from the table."""
    m = categories[categories["scheme"] == "police_uk"].set_index("category")
    missing = [c for c in police_uk.OUTCOME_CATEGORIES
               if police_uk.normalise_outcome(c) not in m.index]
    if missing:
        raise ValueError(f"outcome_categories.csv has no row for police.uk categories {missing}")
    return m


def month_index(s: pd.Series) -> pd.Series:
    """'YYYY-MM' strings -> months since year 0 (vectorised months.to_index; worked out once per distinct
    month)."""
    codes, uniq = pd.factorize(s)
    if (codes < 0).any():
        raise ValueError(f"{(codes < 0).sum()} month(s) missing in {s.name}: every row needs a month")
    u = pd.Series(uniq, dtype=object).astype(str)
    idx = (u.str.slice(0, 4).astype(int) * 12 + u.str.slice(5, 7).astype(int) - 1).to_numpy()
    return pd.Series(idx[codes], index=s.index, name=s.name)


def window_end(month_idx: pd.Series, window: str) -> pd.Series:
    """Index of the last month of the month's window: the month itself, its calendar quarter
    (Jan–Mar, Apr–Jun, …; the financial quarters) or its financial year (April to March)."""
    if window == "month":
        return month_idx
    if window == "quarter":
        return month_idx - month_idx % 3 + 2
    if window == "financial_year":
        m = month_idx % 12  # 0 = January
        return month_idx + np.where(m <= 2, 2 - m, 14 - m)
    raise ValueError(f"window must be one of {WINDOWS}")


def distinct_crimes(crimes: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """One row per Crime ID within a recording month, with `rows` = the street rows it had as published.

    Rows without a Crime ID are dropped (anti-social behaviour). When a Crime ID repeats within a month (with the
    same or a different last outcome) the row that appears last in the file is kept: the highest
    (source_file, source_row) when those columns are present, else the last in frame order. Deterministic."""
    c = crimes[crimes["crime_id"].notna()]
    if {"source_file", "source_row"} <= set(c.columns):
        c = c.sort_values(["source_file", "source_row"], kind="stable")
    rows = c.groupby(["crime_id", "month"], sort=False).size().rename("rows")
    c = c.drop_duplicates(["crime_id", "month"], keep="last")
    return c[columns].join(rows, on=["crime_id", "month"])


def link(crimes: pd.DataFrame, outcomes: pd.DataFrame, categories: pd.DataFrame,
         reporting_month: str, window: str = "quarter") -> tuple[pd.DataFrame, dict]:
    """One row per crime (distinct Crime ID within a recording month; distinct_crimes) with its recorded month,
    the street rows it had as published (rows), first outcome and first charge lags and censoring.

    crimes: crime_id, month, crime_type (rows without a crime_id are ignored: anti-social behaviour).
    outcomes: crime_id, month, outcome_type (police.uk categories; API spellings are normalised).
    Returns (linked, counts); counts reports outcome rows and Crime IDs with no street record, so nothing
    is dropped silently.
    """
    pmap = police_uk_map(categories)
    street_rows = int(crimes["crime_id"].notna().sum())
    c = distinct_crimes(crimes, ["crime_id", "month", "crime_type"])
    o = outcomes[["crime_id", "month", "outcome_type"]].copy()
    o["outcome_type"] = o["outcome_type"].pipe(police_uk.normalise_outcomes)
    unknown = sorted(set(o["outcome_type"]) - set(pmap.index))
    if unknown:
        raise ValueError(f"outcome categories not in the reference table: {unknown}")
    o["midx"] = month_index(o["month"])
    o["charge"] = o["outcome_type"].map(pmap["charged_summonsed"]).astype(bool)
    first = o.groupby("crime_id")["midx"].min().rename("first_idx")
    first_charge = o[o["charge"]].groupby("crime_id")["midx"].min().rename("charge_idx")
    c["recorded_idx"] = month_index(c["month"])
    c = c.join(first, on="crime_id").join(first_charge, on="crime_id")
    c = add_lags(c.rename(columns={"month": "recorded_month"}), reporting_month, window)
    street_ids = set(c["crime_id"])
    unmatched = ~o["crime_id"].isin(street_ids)
    counts = {
        "outcome_rows": int(len(o)),
        "outcome_crime_ids": int(o["crime_id"].nunique()),
        "unmatched_rows": int(unmatched.sum()),
        "unmatched_crime_ids": int(o.loc[unmatched, "crime_id"].nunique()),
        "before_recording_rows": int((c["lag"] < 0).sum()),
        "rows_as_published": street_rows,
        "crimes": int(len(c)),
        "repeat_rows_within_month": street_rows - int(len(c)),
        "crime_ids_in_several_months": int((c.groupby("crime_id").size() > 1).sum()),
    }
    return c, counts


def add_lags(linked: pd.DataFrame, reporting_month: str, window: str) -> pd.DataFrame:
    """Add lag and charge_lag (months from recording to the first outcome and the first charge), followed (months
    of follow-up after the recording month, to the data end) and window_end_idx (the last month of the recording
    month's window, cut at the data end) to a frame with recorded_idx, first_idx and charge_idx."""
    end = months.to_index(reporting_month)
    linked["lag"] = linked["first_idx"] - linked["recorded_idx"]
    linked["charge_lag"] = linked["charge_idx"] - linked["recorded_idx"]
    linked["followed"] = end - linked["recorded_idx"]
    linked["window_end_idx"] = np.minimum(window_end(linked["recorded_idx"], window), end)
    return linked


PROFILE_KEYS = ["crime_type", "recorded_month", "recorded_idx", "first_idx", "charge_idx", "rows"]


def profile(linked: pd.DataFrame, reporting_month: str, window: str) -> pd.DataFrame:
    """link()'s one row per crime collapsed to one row per distinct PROFILE_KEYS with the number of crimes
    (crimes): every rate, count and Kaplan–Meier curve of the page is a sum over crimes of these columns, so the
    profile gives the same tables in thousands of rows instead of millions. Sorted by PROFILE_KEYS, missing
    last."""
    p = linked.groupby(PROFILE_KEYS, dropna=False, sort=False).size().rename("crimes").reset_index()
    return tidy_profile(p, reporting_month, window)


def tidy_profile(p: pd.DataFrame, reporting_month: str, window: str) -> pd.DataFrame:
    """A profile's column types and order, sorted, with add_lags: the same frame whichever engine counted it."""
    p = p.astype({"recorded_idx": "int64", "first_idx": "float64", "charge_idx": "float64", "rows": "int64",
                  "crimes": "int64"})
    p = p.sort_values(PROFILE_KEYS, na_position="last", kind="stable").reset_index(drop=True)
    return add_lags(p[[*PROFILE_KEYS, "crimes"]], reporting_month, window)


@dataclass
class LinkedCounts:
    """Everything the outcomes page takes from the record-level files, as counts (no Crime IDs).

    profile: profile() of the linked crimes; counts: the linkage sentence's counts (link()); latest:
    latest_counts(); fixed: fixed_followup_counts() for fixed_followup_months() (None when the period has none);
    last: last_outcome_counts() for last_quarter_months() (None likewise); coverage: first_month_coverage();
    several_outcome_ids: several_outcome_ids()."""
    profile: pd.DataFrame
    counts: dict
    latest: pd.DataFrame
    fixed: tuple[pd.Series, pd.Series] | None
    last: tuple[pd.Series, pd.Series] | None
    coverage: dict
    several_outcome_ids: int


def count_frames(street: pd.DataFrame, outcomes_: pd.DataFrame, categories: pd.DataFrame, reporting_month: str,
                 window: str, k: int, start: str) -> LinkedCounts:
    """LinkedCounts from the street and outcome rows as frames (the definitions above, in pandas);
    outcome_linkage.link_counts gives the same from the prepared Parquet tables in DuckDB."""
    linked, counts = link(street, outcomes_, categories, reporting_month, window)
    ff = fixed_followup_months(reporting_month, k, start)
    lq = last_quarter_months(reporting_month, start)
    return LinkedCounts(
        profile=profile(linked, reporting_month, window), counts=counts, latest=latest_counts(linked, outcomes_),
        fixed=None if ff is None else fixed_followup_counts(linked, outcomes_, k, *ff),
        last=None if lq is None else last_outcome_counts(street, *lq),
        coverage=first_month_coverage(street, outcomes_, start), several_outcome_ids=several_outcome_ids(outcomes_))


def frame(con, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A query's rows (with named `$params`) as a pandas frame, through Arrow (text columns several times faster
    than `.df()`)."""
    return con.sql(sql, params=params).to_arrow_table().to_pandas()


def _by_type_and_all(d: pd.DataFrame, keys: list[str], agg) -> pd.DataFrame:
    """`agg(groupby)` per crime type × keys and for All crime × keys (every row, whatever its type), stacked with
    a crime_type column and ordered as one groupby over both would order them: the same table as grouping the
    frame stacked on a copy of itself labelled All crime, without building that copy (millions of rows for a
    large force)."""
    per_type = agg(d.groupby(["crime_type", *keys], sort=True)).reset_index()
    every = agg(d.groupby(keys, sort=True)).reset_index()
    every.insert(0, "crime_type", ALL_CRIME)
    out = pd.concat([per_type, every], ignore_index=True)
    return out.sort_values(["crime_type", *keys], kind="stable").reset_index(drop=True)


def weights(linked: pd.DataFrame) -> pd.Series:
    """How many crimes each row of a linked frame stands for: its `crimes` column where it has one (the profile
    outcome_linkage.link_counts returns, one row per distinct combination of the columns the rates use), else 1
    (link(): one row per crime)."""
    if "crimes" in linked.columns:
        return linked["crimes"].astype("int64")
    return pd.Series(1, index=linked.index, dtype="int64")


def cohort(linked: pd.DataFrame, k: int) -> pd.DataFrame:
    """Per crime type (and All crime) × recorded month: the counts behind every outcome rate.

    Columns: crime_type, recorded_month, crimes (distinct Crime IDs), rows_as_published (street rows as
    published; more than crimes where a Crime ID repeats in the month), outcomed_by_window_end, first_outcome_within_k,
    charged_within_k, followed_up_k (True when the month has had k months of follow-up; otherwise the two
    within_k counts are empty, never a smaller number), outcomed_by_data_end.
    """
    has = linked["first_idx"].notna()
    w = weights(linked)
    d = pd.DataFrame({
        "crime_type": linked["crime_type"], "recorded_month": linked["recorded_month"], "n": w,
        "rows": (linked["rows"] if "rows" in linked.columns else 1) * w,
        "by_window": (has & (linked["first_idx"] <= linked["window_end_idx"])) * w,
        "within_k": (has & (linked["lag"] <= k)) * w,
        "charged_k": (linked["charge_lag"].notna() & (linked["charge_lag"] <= k)) * w,
        "followed": linked["followed"], "by_end": has * w})

    def counts(g) -> pd.DataFrame:
        return pd.DataFrame({
            "crimes": g["n"].sum(), "rows_as_published": g["rows"].sum(),
            "outcomed_by_window_end": g["by_window"].sum(), "first_outcome_within_k": g["within_k"].sum(),
            "charged_within_k": g["charged_k"].sum(), "followed": g["followed"].min(),
            "outcomed_by_data_end": g["by_end"].sum()})

    out = _by_type_and_all(d, ["recorded_month"], counts)
    out["followed_up_k"] = out["followed"] >= k
    for col in ("first_outcome_within_k", "charged_within_k"):
        out[col] = out[col].astype("Int64").where(out["followed_up_k"])
    out = out.drop(columns="followed")
    order = [ALL_CRIME] + sorted(t for t in out["crime_type"].unique() if t != ALL_CRIME)
    out["crime_type"] = pd.Categorical(out["crime_type"], order, ordered=True)
    out = out.sort_values(["crime_type", "recorded_month"]).reset_index(drop=True)
    out["crime_type"] = out["crime_type"].astype(str)
    return out[["crime_type", "recorded_month", "crimes", "rows_as_published", "outcomed_by_window_end",
                "first_outcome_within_k", "charged_within_k", "followed_up_k", "outcomed_by_data_end"]]


def with_rates(cohort_: pd.DataFrame) -> pd.DataFrame:
    """Add the rates (share of crimes) and Wilson 95% intervals for the fixed follow-up rate."""
    out = cohort_.copy()
    n = out["crimes"].astype(float)
    out["same_period_rate"] = out["outcomed_by_window_end"] / n
    out["fixed_k_rate"] = out["first_outcome_within_k"].astype(float) / n
    out["charged_k_rate"] = out["charged_within_k"].astype(float) / n
    lo, hi = [], []
    for x, m in zip(out["first_outcome_within_k"], n):
        if pd.isna(x):
            lo.append(np.nan)
            hi.append(np.nan)
        else:
            a, b = rates.wilson_ci(int(x), m)
            lo.append(a)
            hi.append(b)
    out["fixed_k_lower"], out["fixed_k_upper"] = lo, hi
    return out


def cohort_by_quarter(cohort_: pd.DataFrame, crime_type: str = ALL_CRIME) -> pd.DataFrame:
    """Cohort counts summed by financial quarter of recording for one crime type, in time order.

    The fixed-k counts are summed only when every month of the quarter has had k months of follow-up."""
    d = cohort_[cohort_["crime_type"] == crime_type].copy()
    d["quarter"] = d["recorded_month"].map(lambda m: months.financial_quarter_months(m)[0])
    g = d.groupby("quarter", sort=True)  # grouped by first month, so quarters sort in time order
    out = pd.DataFrame({
        "months": g.size(),
        "crimes": g["crimes"].sum(),
        "outcomed_by_window_end": g["outcomed_by_window_end"].sum(),
        "complete": g["followed_up_k"].all(),
        "first_outcome_within_k": g["first_outcome_within_k"].sum(min_count=1),
        "charged_within_k": g["charged_within_k"].sum(min_count=1),
        "outcomed_by_data_end": g["outcomed_by_data_end"].sum(),
    }).reset_index()
    out["quarter"] = out["quarter"].map(months.financial_quarter)
    for c in ("first_outcome_within_k", "charged_within_k"):
        out[c] = out[c].astype("Int64").where(out["complete"])
    out["same_period_rate"] = out["outcomed_by_window_end"] / out["crimes"]
    out["fixed_k_rate"] = out["first_outcome_within_k"].astype(float) / out["crimes"]
    out["charged_k_rate"] = out["charged_within_k"].astype(float) / out["crimes"]
    return out


def latest_by_window_end(keys: pd.DataFrame, outs: pd.DataFrame) -> pd.DataFrame:
    """For each crime row (keys: crime_row, crime_id, crime_type, recorded_month, window_end_idx), its latest
    outcome (outs: crime_id, midx, outcome_type) in a month up to its window end: the latest month, and among
    outcomes of that month the last in text order (a missing one last of all, as a pandas sort puts it). Crime
    rows with no such outcome are left out. Columns crime_row, crime_type, recorded_month, outcome_type.

    Joined in DuckDB over the two frames (millions of rows for a large force)."""
    from scrutiny.inputs.files import connect

    con = connect()
    try:
        con.register("k", keys)
        con.register("o", outs)
        return frame(con, """
            SELECT k.crime_row, k.crime_type, k.recorded_month, o.outcome_type
            FROM k JOIN o ON k.crime_id = o.crime_id AND o.midx <= k.window_end_idx
            QUALIFY row_number() OVER (PARTITION BY k.crime_row
                                       ORDER BY o.midx DESC, o.outcome_type DESC NULLS FIRST) = 1
            ORDER BY k.crime_row""")
    finally:
        con.close()


def latest_counts(linked: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Crimes per crime type × recorded month × the police.uk category of their latest outcome by their window
    end (latest_by_window_end; crimes with none are left out). Columns crime_type, recorded_month, outcome_type,
    crimes."""
    o = outcomes[["crime_id", "month", "outcome_type"]].copy()
    o["outcome_type"] = o["outcome_type"].pipe(police_uk.normalise_outcomes)
    o["midx"] = month_index(o["month"])
    keys = linked[["crime_id", "crime_type", "recorded_month", "window_end_idx"]].reset_index(names="crime_row")
    j = latest_by_window_end(keys, o[["crime_id", "midx", "outcome_type"]])
    return j.groupby(["crime_type", "recorded_month", "outcome_type"], sort=True).size().rename(
        "crimes").reset_index()


def group_shares_from_latest(latest: pd.DataFrame, categories: pd.DataFrame) -> pd.DataFrame:
    """Outcome group of each crime's latest outcome by its window end, counted per crime type × recorded month,
    with the share among crimes outcomed by the window end. `latest` is latest_counts()'s table."""
    pmap = police_uk_map(categories)
    j = latest.assign(outcome_group=latest["outcome_type"].map(pmap["outcome_group"]))
    n = _by_type_and_all(j, ["recorded_month", "outcome_group"], lambda g: g["crimes"].sum())
    n["crimes"] = n["crimes"].astype("int64")
    n["share"] = n["crimes"] / n.groupby(["crime_type", "recorded_month"])["crimes"].transform("sum")
    return n


def group_shares(linked: pd.DataFrame, outcomes: pd.DataFrame, categories: pd.DataFrame) -> pd.DataFrame:
    """group_shares_from_latest on the frames of link(): one row per crime, every outcome row."""
    return group_shares_from_latest(latest_counts(linked, outcomes), categories)


def group_shares_by_quarter(groups: pd.DataFrame, crime_type: str = ALL_CRIME) -> pd.DataFrame:
    """Share of each outcome group among outcomed crimes, by financial quarter of recording (one column per
    quarter, in time order).

    `groups` is group_shares()'s table (crimes per crime type × recorded month × outcome group)."""
    g = groups[groups["crime_type"] == crime_type].copy()
    g["quarter"] = g["recorded_month"].map(lambda m: months.financial_quarter_months(m)[0])
    gq = g.groupby(["quarter", "outcome_group"])["crimes"].sum().reset_index()
    gq["share"] = gq["crimes"] / gq.groupby("quarter")["crimes"].transform("sum")
    out = gq.pivot(index="outcome_group", columns="quarter", values="share").fillna(0)
    out = out[sorted(out.columns)].rename(columns=months.financial_quarter).reset_index()
    out.columns.name = None
    return out

def km_first_outcome(lag: pd.Series, followed: pd.Series, crimes: pd.Series | None = None) -> pd.DataFrame:
    """Kaplan–Meier cumulative share with a first outcome by each whole-month lag.

    lag: months from recording to the first outcome (NaN = no outcome yet); followed: months of follow-up
    (the censoring lag for a crime with no outcome); crimes: how many crimes each row stands for (1 when not
    given). Columns: lag, at_risk, outcomes, censored, cumulative_share.
    """
    lag = pd.to_numeric(lag, errors="coerce")
    event = lag.notna() & (lag <= followed)
    t = np.maximum(np.where(event, lag, followed), 0).astype(int)  # an outcome dated before recording: lag 0
    if len(t) == 0:
        return pd.DataFrame(columns=["lag", "at_risk", "outcomes", "censored", "cumulative_share"])
    w = np.ones(len(t), dtype="int64") if crimes is None else np.asarray(crimes, dtype="int64")
    top = int(t.max())
    ev = np.bincount(t[event.to_numpy()], weights=w[event.to_numpy()], minlength=top + 1).astype("int64")
    ce = np.bincount(t[~event.to_numpy()], weights=w[~event.to_numpy()], minlength=top + 1).astype("int64")
    at_risk = int(w.sum()) - np.concatenate([[0], np.cumsum(ev + ce)[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        step = np.where(at_risk > 0, 1 - ev / at_risk, 1.0)
    surv = np.cumprod(step)
    return pd.DataFrame({"lag": np.arange(top + 1), "at_risk": at_risk, "outcomes": ev, "censored": ce,
                         "cumulative_share": 1 - surv})


def km_median(curve: pd.DataFrame) -> float | None:
    """The smallest lag at which the cumulative share outcomed reaches 50% (None if it never does)."""
    hit = curve[curve["cumulative_share"] >= 0.5]
    return None if hit.empty else int(hit["lag"].iloc[0])


def time_to_outcome(linked: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """KM curves for every crime type and All crime, and one row per type with the median lag."""
    curves, meds = [], []
    groups = dict(iter(linked.groupby("crime_type", sort=True)))
    groups[ALL_CRIME] = linked  # every crime, whatever its type
    for ct, g in sorted(groups.items(), key=lambda kv: kv[0]):
        w = weights(g)
        cv = km_first_outcome(g["lag"], g["followed"], w)
        cv.insert(0, "crime_type", ct)
        curves.append(cv)
        share = dict(zip(cv["lag"], cv["cumulative_share"]))
        meds.append({"crime_type": ct, "crimes": int(w.sum()), "outcomed": int(w[g["lag"].notna()].sum()),
                     "median_months": km_median(cv), "by_lag_0": share.get(0), "by_lag_1": share.get(1),
                     "by_lag_3": share.get(3), "by_lag_6": share.get(6), "by_lag_12": share.get(12)})
    med = pd.DataFrame(meds)
    med["o"] = med["crime_type"] != ALL_CRIME
    med = med.sort_values(["o", "crime_type"]).drop(columns="o").reset_index(drop=True)
    return pd.concat(curves, ignore_index=True), med


def last_outcome_counts(street: pd.DataFrame, now: list[str], before: list[str]) -> tuple[pd.Series, pd.Series]:
    """Crimes (distinct Crime IDs within a month, distinct_crimes) recorded in each of two sets of months, by
    police.uk Last outcome category ('(blank)' when empty), as two value counts."""
    # a crime is distinct within its month, so the months compared can be taken first
    s = distinct_crimes(street[street["month"].isin(list(now) + list(before))], ["crime_id", "month", "last_outcome"])
    s["last_outcome"] = s["last_outcome"].pipe(police_uk.normalise_outcomes).fillna("(blank)")
    return (s[s["month"].isin(now)]["last_outcome"].value_counts(),
            s[s["month"].isin(before)]["last_outcome"].value_counts())


def _shares(a: pd.Series, b: pd.Series, label: str, test: bool) -> pd.DataFrame:
    """One row per category of two value counts (most crimes first, then by name): counts, shares, the change in
    percentage points and, when `test`, the two-proportion test of the two shares."""
    n1, n2 = int(a.sum()), int(b.sum())
    rows = []
    for cat in sorted(set(a.index) | set(b.index), key=lambda c: (-(a.get(c, 0) + b.get(c, 0)), c)):
        x1, x2 = int(a.get(cat, 0)), int(b.get(cat, 0))
        row = {label: cat, "crimes_now": x1, "share_now": x1 / n1 if n1 else np.nan,
               "crimes_before": x2, "share_before": x2 / n2 if n2 else np.nan,
               "change_pp": 100 * ((x1 / n1 if n1 else np.nan) - (x2 / n2 if n2 else np.nan))}
        if test:
            row.update(tested_columns(rates.two_proportion_test(x1, n1, x2, n2)))
        rows.append(row)
    return pd.DataFrame(rows)


def mix_compare_from_counts(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """police.uk Last outcome category shares among crimes recorded in two sets of months (last_outcome_counts),
    with the change in each share. Descriptive only: no test, because the last outcome is the status when the
    file was produced, so the later months have had less time (not like for like); mix_fixed_followup is the
    like-for-like comparison."""
    return _shares(a, b, "last_outcome_category", test=False)


def mix_compare(street: pd.DataFrame, now: list[str], before: list[str]) -> pd.DataFrame:
    """mix_compare_from_counts on the street rows."""
    return mix_compare_from_counts(*last_outcome_counts(street, now, before))


NO_OUTCOME = "No outcome within {k} months"  # .format(k=k)
STATISTIC_NAME = {"two-proportion z-test (pooled)": "z", "Fisher's exact test": "odds ratio"}


def tested_columns(t: rates.ProportionTest) -> dict:
    """The test actually used, the name of its statistic, the statistic and p (rates.two_proportion_test
    switches to Fisher's exact test, whose statistic is the sample odds ratio, when an expected cell is below 5)."""
    return {"test": t.method, "statistic_name": STATISTIC_NAME.get(t.method, ""), "statistic": t.statistic,
            "p_value": t.pvalue}


def fixed_followup_counts(linked: pd.DataFrame, outcomes: pd.DataFrame, k: int, now: list[str],
                          before: list[str]) -> tuple[pd.Series, pd.Series]:
    """Crimes recorded in each of two sets of months by their latest police.uk outcome within k months of the
    recording month (lag ≤ k; ties in a month broken by category name, the last in text order, as group_shares),
    or NO_OUTCOME (with k filled in), as two value counts. linked: link()'s frame, one row per crime."""
    o = outcomes[["crime_id", "month", "outcome_type"]].copy()
    o["outcome_type"] = o["outcome_type"].pipe(police_uk.normalise_outcomes)
    o["midx"] = month_index(o["month"])
    keys = linked.loc[linked["recorded_month"].isin(list(now) + list(before)),
                      ["crime_id", "recorded_month", "recorded_idx"]].reset_index(names="crime_row")
    j = keys.merge(o, on="crime_id", how="inner")
    j = j[j["midx"] <= j["recorded_idx"] + k]
    j = j.sort_values(["crime_row", "midx", "outcome_type"]).drop_duplicates("crime_row", keep="last")
    keys["category"] = keys["crime_row"].map(j.set_index("crime_row")["outcome_type"]).fillna(NO_OUTCOME.format(k=k))
    return (keys.loc[keys["recorded_month"].isin(now), "category"].value_counts(),
            keys.loc[keys["recorded_month"].isin(before), "category"].value_counts())


def mix_fixed_from_counts(a: pd.Series, b: pd.Series, alpha: float = 0.05) -> pd.DataFrame:
    """Like-for-like outcome mix from fixed_followup_counts: the share of each category among crimes recorded in
    the two sets of months, its change, and per category a two-sided two-proportion test
    (rates.two_proportion_test: pooled z, or Fisher's exact test when an expected cell is below 5).
    Both sets must have had k months of follow-up, so both have had the same time.

    'judgement' uses a Bonferroni threshold alpha / m over the m categories tested (Bonferroni 1936)."""
    out = _shares(a, b, "outcome_within_k", test=True)
    m = int(out["p_value"].notna().sum()) if len(out) else 0
    thr = alpha / max(m, 1)
    out["judgement"] = [("not tested" if pd.isna(p) else
                         f"significant change (p < {thr:.2g}, Bonferroni over {m})" if p < thr else
                         "no significant change") for p in out.get("p_value", [])]
    out.attrs.update(tests=m, threshold=thr, alpha=alpha)
    return out


def mix_fixed_followup(linked: pd.DataFrame, outcomes: pd.DataFrame, k: int, now: list[str], before: list[str],
                       alpha: float = 0.05) -> pd.DataFrame:
    """mix_fixed_from_counts on link()'s frame and the outcome rows."""
    return mix_fixed_from_counts(*fixed_followup_counts(linked, outcomes, k, now, before), alpha)


def fixed_followup_months(reporting_month: str, k: int, start: str) -> tuple[list[str], list[str]] | None:
    """The latest three recording months with k months of follow-up (ending k months before the data end) and
    the same three months a year earlier; None when the earlier months are before `start`."""
    last = months.shift(reporting_month, -k)
    now = months.span(months.shift(last, -2), last)
    before = [months.shift(m, -12) for m in now]
    return None if before[0] < start else (now, before)


def last_quarter_months(reporting_month: str, start: str) -> tuple[list[str], list[str]] | None:
    """The three months ending with the reporting month and the same months a year earlier; None when the earlier
    months are before `start`."""
    now = months.span(months.shift(reporting_month, -2), reporting_month)
    before = [months.shift(m, -12) for m in now]
    return None if before[0] < start else (now, before)


def pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{100 * x:.{digits}f}%"


def headline(cohort_: pd.DataFrame, k: int, reporting_month: str) -> dict:
    """The numbers the page and the Summary table quote, for All crime.

    first/last complete month: the earliest and latest recording months with k months of follow-up, with
    the fixed-k outcome and charge rates and Wilson 95% intervals. last_quarter: the three recording months
    ending at the data end, with the naive same-period rate (outcome by the data end ÷ crimes); it is set
    beside the fixed-k rate of the latest quarter with complete follow-up and of the same quarter a year
    earlier, and that earlier quarter's own same-period rate (outcome by its quarter end).
    """
    a = cohort_[cohort_["crime_type"] == ALL_CRIME].sort_values("recorded_month")
    done = a[a["followed_up_k"]]
    out: dict = {"k": k, "reporting_month": reporting_month}
    for key, row in (("first", done.iloc[0] if len(done) else None), ("last", done.iloc[-1] if len(done) else None)):
        if row is None:
            out[key] = None
            continue
        x, n, c = int(row["first_outcome_within_k"]), int(row["crimes"]), int(row["charged_within_k"])
        out[key] = {"month": row["recorded_month"], "crimes": n, "within_k": x, "rate": x / n,
                    "ci": rates.wilson_ci(x, n), "charged": c, "charged_rate": c / n,
                    "charged_ci": rates.wilson_ci(c, n)}
    lq_months = months.span(months.shift(reporting_month, -2), reporting_month)
    lq = a[a["recorded_month"].isin(lq_months)]
    q = cohort_by_quarter(cohort_)
    lq_label = (f"in {months.financial_quarter_long(lq_months[0])}" if months.is_financial_quarter_end(reporting_month)
                else f"{months.label(lq_months[0])} to {months.label(lq_months[-1])}")
    naive = lq["outcomed_by_data_end"].sum() / lq["crimes"].sum() if lq["crimes"].sum() else float("nan")
    out["last_quarter"] = {"months": lq_months, "label": lq_label, "crimes": int(lq["crimes"].sum()),
                           "outcomed": int(lq["outcomed_by_data_end"].sum()), "naive_rate": naive}
    comp = q[q["complete"]]
    out["latest_complete_quarter"] = None if comp.empty else comp.iloc[-1].to_dict()
    year_ago = months.financial_quarter(months.shift(lq_months[-1], -12))
    ya = q[q["quarter"] == year_ago]
    out["same_quarter_last_year"] = None if ya.empty else ya.iloc[0].to_dict()
    return out


def _long(quarter: str) -> str:
    """'Q1 2025/26' -> 'Q1 2025/26 (April–June 2025)'."""
    return months.financial_quarter_long(months.parse_financial_quarter(quarter)[0])


def headline_sentences(h: dict) -> list[str]:
    """Plain sentences for the headline numbers (no judgement words beyond the arithmetic)."""
    k = h["k"]
    s = []
    if h["first"] and h["last"]:
        f, l_ = h["first"], h["last"]
        s.append(f"Of crimes recorded in {months.label(l_['month'])} (the latest month with {k} months of "
                 f"follow-up), {pct(l_['rate'])} had an outcome within {k} months (95% Wilson interval "
                 f"{pct(l_['ci'][0])}–{pct(l_['ci'][1])}; {l_['within_k']:,} of {l_['crimes']:,}); for "
                 f"{months.label(f['month'])}, the first such month, it was {pct(f['rate'])} "
                 f"({pct(f['ci'][0])}–{pct(f['ci'][1])}).")
    lq = h["last_quarter"]
    text = (f"Crimes recorded {lq['label']} have a same-period outcome rate of {pct(lq['naive_rate'])} "
            f"({lq['outcomed']:,} of {lq['crimes']:,} outcomed by {months.label(h['reporting_month'])}).")
    lc = h["latest_complete_quarter"]
    if lc is not None:
        diff = 100 * (lq["naive_rate"] - lc["fixed_k_rate"])
        text += (f" The latest quarter with {k} months of follow-up for every month, {_long(lc['quarter'])}, has a fixed "
                 f"{k}-month rate of {pct(lc['fixed_k_rate'])}: the same-period figure is {abs(diff):.1f} percentage "
                 f"points {'below' if diff < 0 else 'above'} it, mostly because its crimes have had only 0–2 "
                 f"months to be outcomed.")
    ya = h["same_quarter_last_year"]
    if ya is not None:
        text += (f" A year earlier, in {_long(ya['quarter'])}, the same-period rate at quarter end was "
                 f"{pct(ya['same_period_rate'])} and its fixed {k}-month rate {pct(ya['fixed_k_rate'])}.")
    s.append(text)
    return s


def summary_rows(h: dict, med_all: int | None, link: str = "outcomes.html") -> pd.DataFrame:
    """Rows for the front page Summary table (topic, measure, inclusion, shown, data, commentary, link)."""
    k = h["k"]
    rows = []
    if h["last"]:
        l_, f = h["last"], h["first"]
        lq, lc = h["last_quarter"], h["latest_complete_quarter"]
        comm = ("Like-for-like: every month shown has had the same follow-up.")
        if lc is not None:
            d = 100 * (lq["naive_rate"] - lc["fixed_k_rate"])
            comm += (f" The same-period rate for crimes recorded {lq['label']} ({pct(lq['naive_rate'])}) is "
                     f"{abs(d):.1f} points "
                     f"{'below' if d < 0 else 'above'} the latest complete quarter's fixed rate "
                     f"({pct(lc['fixed_k_rate'])}); those crimes have had less time.")
        rows.append({"topic": f"Crime outcomes: outcome within {k} months", "measure": "outcome_within_k",
                     "inclusion": "Month & quarter", "shown": True,
                     "data": f"{pct(l_['rate'])} of crimes recorded in {months.label(l_['month'])} "
                             f"(95% CI {pct(l_['ci'][0])}–{pct(l_['ci'][1])}); {pct(f['rate'])} in "
                             f"{months.label(f['month'])} (older months may be understated: see the section)",
                     "commentary": comm, "link": f"{link}#cohort"})
        rows.append({"topic": f"Crime outcomes: charged or summonsed within {k} months",
                     "measure": "charged_within_k", "inclusion": "Month & quarter", "shown": True,
                     "data": f"{pct(l_['charged_rate'])} of crimes recorded in {months.label(l_['month'])} "
                             f"(95% CI {pct(l_['charged_ci'][0])}–{pct(l_['charged_ci'][1])}); "
                             f"{pct(f['charged_rate'])} in {months.label(f['month'])}",
                     "commentary": "police.uk categories mapped to charge/summons by an analyst-defined table.",
                     "link": f"{link}#cohort"})
    rows.append({"topic": "Crime outcomes: time to first outcome", "measure": "time_to_first_outcome",
                 "inclusion": "Month & quarter", "shown": True,
                 "data": ("median not reached" if med_all is None else
                          f"median {med_all} month(s) from the month of recording"),
                 "commentary": "Kaplan–Meier estimate; crimes without an outcome yet are censored at the data end.",
                 "link": f"{link}#time-to-outcome"})
    return summary_frame(rows)


def first_month_coverage(crimes: pd.DataFrame, outcomes: pd.DataFrame, first_month: str) -> dict:
    """Outcome rows dated in the first month of the period, and how many of them have no street record in the
    analysed months. A full data.police.uk download holds many outcomes of crimes recorded before the period in
    its early months; a share near zero means the outcomes files hold (almost) only crimes recorded from the
    first month on (a download cut by recording date)."""
    ids = set(crimes.loc[crimes["crime_id"].notna(), "crime_id"])
    o = outcomes[outcomes["month"] == first_month]
    un = int((~o["crime_id"].isin(ids)).sum())
    return {"month": first_month, "rows": int(len(o)), "unmatched": un,
            "share": un / len(o) if len(o) else float("nan")}


def coverage_sentence(cov: dict) -> str:
    """The caveat on what the outcomes files cover, from the data (first_month_coverage)."""
    if not cov["rows"]:
        return (f"The outcomes files hold no outcome rows dated {months.label(cov['month'])}, the first month of "
                f"the period.")
    text = (f"Of the {cov['rows']:,} outcome rows dated {months.label(cov['month'])}, the first month of the period, "
            f"{cov['unmatched']:,} ({100 * cov['share']:.1f}%) belong to crimes with no street record in the "
            f"analysed months (crimes recorded earlier, or elsewhere).")
    if cov["share"] < 0.05:
        text += (" So few suggests the outcomes files hold outcomes only of crimes recorded from that month on (a "
                 "download cut by recording date; see the caveats and data log entries at the top of this page): "
                 "outcomes of "
                 "older crimes are absent, which does not affect the rates here, all of crimes recorded in the "
                 "period.")
    else:
        text += (" They are counted in the linkage below and left out of the rates, which are of crimes recorded "
                 "in the period.")
    return text


def findings(fmix: pd.DataFrame, k: int, now_label: str, before_label: str,
             link: str = "outcomes.html") -> pd.DataFrame:
    """Findings for questions to the force (questions.FINDING_COLUMNS) from the like-for-like outcome mix: a
    significant fall in the share charged within k months, or a significant rise in the share with no outcome
    (judged by mix_fixed_followup's Bonferroni-corrected test)."""
    from scrutiny.analyses.questions import FINDING_COLUMNS

    rows = []
    for r in fmix.to_dict(orient="records"):
        cat, ch = r["outcome_within_k"], r["change_pp"]
        if not str(r.get("judgement", "")).startswith("significant"):
            continue
        if not ((cat == "Suspect charged" and ch < 0) or (cat.startswith("No outcome") and ch > 0)):
            continue
        rows.append({"section": "outcomes", "kind": "outcome_rate", "priority": "Bring offenders to justice",
                     "measure": "charged_within_k" if cat == "Suspect charged" else "outcome_within_k",
                     "label": cat, "area": "force",
                     "finding": f"{cat} within {k} months: {100 * r['share_now']:.1f}% of crimes recorded {now_label} "
                                f"against {100 * r['share_before']:.1f}% a year earlier ({r['test']}, "
                                f"{narrative.fmt_p(r['p_value'])}, Bonferroni-corrected).",
                     "evidence": f"{link}#mix", "link": f"{link}#mix", "csv": "tables/outcomes_mix_fixed_followup.csv",
                     "row_key": f"outcome_within_k={cat}"})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


# --- page text and tables (the notebook only places them) -------------------------------------------------------

WINDOW_WORDS = {"month": "the month of recording",
                "quarter": "the financial quarter of recording (Q1 = April–June, Q2 = July–September, Q3 = "
                           "October–December, Q4 = January–March)",
                "financial_year": "the financial year of recording (April to March)"}


def median_all(medians: pd.DataFrame) -> int | None:
    """All crime's median months to a first outcome from time_to_outcome()'s medians; None when not reached."""
    m = medians.loc[medians["crime_type"] == ALL_CRIME, "median_months"].iloc[0]
    return None if pd.isna(m) else int(m)


def cohort_table(cohort_: pd.DataFrame) -> pd.DataFrame:
    """The cohort counts written as tables/outcomes_cohort.csv (every other column is in outcomes_cohort_rates)."""
    return cohort_[["crime_type", "recorded_month", "crimes", "rows_as_published", "outcomed_by_window_end",
                    "first_outcome_within_k", "charged_within_k"]]


def source_sentence(force: str, period: tuple[str, str]) -> str:
    """Where the crimes and outcomes come from, for which force and months, and the data end."""
    return (f"Source: data.police.uk street files (the crimes, one row per crime with a Crime ID; anti-social "
            f"behaviour has none and is not included) and outcomes files (one row per outcome assigned to a Crime "
            f"ID, in the month it was assigned) for {force}, {months.label(period[0])} to "
            f"{months.label(period[1])}. Outcomes are known up to {months.label(period[1])} (the data end).")


def definitions_note(window: str, k: int) -> str:
    """Definitions of first outcome, the same-period and fixed follow-up rates, charged and the intervals."""
    return (f"Definitions. First outcome = the earliest month in the outcomes files for that Crime ID. Same-period "
            f"rate = crimes with a first outcome by the end of {WINDOW_WORDS[window]} ÷ crimes recorded (the basis "
            f"forces and the Home Office publish: recent months look worse only because they have had less time). "
            f"Fixed follow-up rate = crimes with a first outcome within {k} months (by the end of the calendar month "
            f"{k} months after the month of recording) ÷ crimes recorded; shown only for months with {k} months of "
            f"follow-up before the data end, so every month shown had the same time. Charged = an outcome category "
            f"mapped to Home Office type 1 (charged/summonsed) in data/reference/outcome_categories.csv. Intervals: "
            f"Wilson score 95%.")


def linkage_sentence(c: dict, disclosure=None) -> str:
    """What link() matched and left out (its counts dict), and how a crime is counted."""
    n = lambda x: narrative.fmt_count(x, disclosure)  # noqa: E731
    return (f"Linkage: {n(c['outcome_rows'])} outcome rows for {n(c['outcome_crime_ids'])} Crime IDs. "
            f"{n(c['unmatched_rows'])} outcome rows ({n(c['unmatched_crime_ids'])} Crime IDs) have no "
            f"street record in the analysed months: they are counted here and left out of the rates, because their "
            f"month of recording is unknown. A crime is a distinct Crime ID within its recording month: the street "
            f"files have {n(c['rows_as_published'])} rows with a Crime ID as published, of which "
            f"{n(c['repeat_rows_within_month'])} repeat a Crime ID already in the same month's file and are not "
            f"counted again (where the repeats differ, the row that appears last in the file is kept; "
            f"tables/outcomes_cohort.csv gives crimes and rows_as_published for every type and month); "
            f"{n(c['crime_ids_in_several_months'])} Crime IDs appear in more than one month and count once in "
            f"each; {n(c['before_recording_rows'])} crimes have a first outcome dated before their recorded month "
            f"(treated as lag 0).")


def several_outcome_ids(outs: pd.DataFrame) -> int:
    """Crime IDs with more than one outcome row."""
    return int((outs.groupby("crime_id").size() > 1).sum())


def reissue_note(several: int, disclosure=None) -> str:
    """Why older months' fixed follow-up rates may be understated, with the Crime IDs carrying several outcomes
    (several_outcome_ids)."""
    return ("Caution on older months: data.police.uk re-issues its files, and a crime whose outcome was later "
            f"changed may carry only its later outcome row (only {narrative.fmt_count(several, disclosure)} Crime "
            "IDs here have more than one outcome row). Its first outcome is then dated late, and older recording "
            "months have had more time for such changes, so their fixed follow-up rate may be understated. Treat "
            "the rise over the earliest months with care.")


def quarters_table(quarters_: pd.DataFrame, k: int) -> pd.DataFrame:
    """cohort_by_quarter() with the page's column names."""
    return quarters_.rename(columns={"same_period_rate": "same-period rate",
                                     "fixed_k_rate": f"outcome within {k} months (rate)",
                                     "charged_k_rate": f"charged within {k} months (rate)",
                                     "first_outcome_within_k": f"outcome within {k} months",
                                     "charged_within_k": f"charged within {k} months",
                                     "outcomed_by_window_end": "outcomed by window end",
                                     "outcomed_by_data_end": "outcomed by data end",
                                     "complete": f"{k} months follow-up"})


def by_type_table(rated: pd.DataFrame, month: str) -> pd.DataFrame:
    """Crimes recorded in one month by crime type, with outcome and charge within k months (with_rates())."""
    return rated[rated["recorded_month"] == month][["crime_type", "crimes", "first_outcome_within_k", "fixed_k_rate",
                                                    "fixed_k_lower", "fixed_k_upper", "charged_within_k",
                                                    "charged_k_rate"]]


TIME_COLUMNS = {"median_months": "median (months)", "by_lag_0": "same month", "by_lag_1": "by 1 month",
                "by_lag_3": "by 3 months", "by_lag_6": "by 6 months", "by_lag_12": "by 12 months"}


def time_to_outcome_table(medians: pd.DataFrame) -> pd.DataFrame:
    """time_to_outcome()'s medians with the page's column names (TIME_COLUMNS)."""
    return medians.rename(columns=TIME_COLUMNS)


def mix_fixed_paragraph(fmix: pd.DataFrame, k: int, fnow: list[str], fbefore: list[str]) -> str:
    """What the like-for-like mix compares, how many categories changed significantly, and how many chance
    alone would flag (m tests at the Bonferroni threshold, and at 0.05 uncorrected)."""
    m_tests, thr = fmix.attrs["tests"], fmix.attrs["threshold"]
    n_sig = int(fmix["judgement"].str.startswith("significant").sum())
    return (f"Each crime recorded {months.label(fnow[0])} to {months.label(fnow[-1])} (the latest three months "
            f"with {k} months of follow-up) and {months.label(fbefore[0])} to {months.label(fbefore[-1])} (the same "
            f"months a year earlier) counts once, in the category of its latest police.uk outcome within {k} months "
            f"of its recording month, or '{NO_OUTCOME.format(k=k)}'. Both groups have had the same {k} months, so "
            f"the comparison is like for like. {n_sig} of the {m_tests} categories tested changed significantly "
            f"(p < {thr:.2g}, Bonferroni); with {m_tests} tests at that level, chance alone would flag about "
            f"{m_tests * thr:.2f} of them (at p < 0.05 without the correction, about {0.05 * m_tests:.1f}).")


def mix_test_note(fmix: pd.DataFrame) -> str:
    """The test behind each category's p and the Bonferroni threshold."""
    m_tests, thr = fmix.attrs["tests"], fmix.attrs["threshold"]
    return (f"Test per category: two-sided two-proportion z-test (pooled standard error; statistic z), or "
            f"Fisher's exact test (statistic: the sample odds ratio) when an expected cell is below 5; the 'test' "
            f"and 'statistic name' columns say which was used on each row. With {m_tests} categories tested, "
            f"'significant' means p < 0.05/{m_tests} = {thr:.4f} (Bonferroni).")


def mix_fixed_table(fmix: pd.DataFrame, k: int) -> pd.DataFrame:
    """mix_fixed_followup() with the page's column names."""
    return fmix.rename(columns={"outcome_within_k": f"latest outcome within {k} months",
                                "crimes_now": "crimes (now)", "share_now": "share (now)",
                                "crimes_before": "crimes (year before)", "share_before": "share (year before)",
                                "change_pp": "change (points)", "statistic_name": "statistic name", "p_value": "p"})


def mix_compare_note(now: list[str], before: list[str]) -> str:
    """Why the as-published last-outcome mix is descriptive only."""
    return (f"police.uk 'Last outcome category' in the street files, for crimes recorded {months.label(now[0])} to "
            f"{months.label(now[-1])} and {months.label(before[0])} to {months.label(before[-1])}. Descriptive "
            f"only, with no test: the last outcome is the status when the file was produced, so the later quarter "
            f"has had a year less to reach an outcome and the two are not like for like (the section above is).")


def mix_compare_table(mix: pd.DataFrame) -> pd.DataFrame:
    """mix_compare() with the page's column names."""
    return mix.rename(columns={"last_outcome_category": "last outcome category", "crimes_now": "crimes (now)",
                               "share_now": "share (now)", "crimes_before": "crimes (year before)",
                               "share_before": "share (year before)", "change_pp": "change (points)"})


def ho_note(ho: pd.DataFrame, basis: str) -> str:
    """The Home Office outcomes section's definitions: years, basis, rates and the negative-count rows."""
    years = ", ".join(sorted(ho["financial_year"].dropna().unique()))
    neg = int(((ho["count_recorded"] < 0).fillna(False) | (ho["count_closed"] < 0).fillna(False)).sum())
    return (f"Financial year(s) {years}; {basis} basis ('outcomes for offences "
            f"{'recorded' if basis == 'recorded' else 'closed'} in the quarter'). Charge/summons rate = type 1 ÷ "
            f"offences recorded, where offences recorded = outcomes assigned (types 1–22) + not yet assigned "
            f"(type 0). Evidential difficulties (types 14, 15, 16) and Outcome 16 are shares of outcomes assigned. "
            f"Type 0 is never counted as an outcome; 1A/2A/3A ('of which', alternate offence) are never added to "
            f"types 1/2/3. England and Wales = every force row in the file. {neg} row(s) carry a negative count "
            f"(kept as published; flagged on the data-quality page). Descriptive only: no test is applied.")


SAWTOOTH_NOTE = ("The saw-tooth in the same-period line is the window itself: crimes recorded in the first month of a "
                 "quarter have up to two more months to be outcomed by the quarter end than crimes recorded in its "
                 "last month. The fixed follow-up line gives every month the same time.")
KM_NOTE = ("Kaplan–Meier estimate (Kaplan & Meier 1958) on whole months since the month of recording: a crime with "
           "no outcome yet is censored at the data end (counted as at risk up to the months it has been followed). "
           "Cumulative share = 1 − Π(1 − outcomes at lag j ÷ crimes still at risk at lag j). Median = the first lag "
           "at which the cumulative share reaches 50%.")
CATEGORIES_NOTE = ("police.uk outcome categories → Home Office outcome type(s) → Home Office outcome group, with the "
                   "flags used above. The police.uk mapping is analyst-defined (basis column); Home Office type → "
                   "group rows are 'official' only where the Home Office states the membership. Source notes: "
                   "data/reference/PROVENANCE.md.")
NO_HO_NOTE = ("No Home Office outcomes file is configured for this pack (inputs: ho_outcomes), so this section is "
              "not computed. The adapter, its contract (data_contracts/ho_outcomes.v1.json) and this section are "
              "tested on an illustrative fixture (data/sample/ho_outcomes/).")
FIXTURE_BANNER = ("ILLUSTRATIVE FIXTURE — not real data. Every Home Office figure in this section comes from an "
                  "invented test file (data/sample/ho_outcomes/), not from the Home Office.")
BY_TYPE_FORMATS = {c: "{:.1%}" for c in ("fixed_k_rate", "fixed_k_lower", "fixed_k_upper", "charged_k_rate")}
TIME_FORMATS = {c: "{:.1%}" for c in list(TIME_COLUMNS.values())[1:]}
MIX_FORMATS = {"share (now)": "{:.1%}", "share (year before)": "{:.1%}", "change (points)": "{:+.1f}"}
HO_FORMATS = {c: "{:.1%}" for c in ("charge_rate", "evidential_share", "outcome16_share", "not_yet_assigned_share")}


def rate_series(k: int) -> dict[str, str]:
    """The with_rates() columns drawn on the outcome-rate chart and their legend labels."""
    return {"same_period_rate": "same-period rate", "fixed_k_rate": f"outcome within {k} months",
            "charged_k_rate": f"charged within {k} months"}


def quarters_caption(k: int) -> str:
    """Caption of the table by financial quarter of recording."""
    return (f"All crime by financial quarter of recording (Q1 = April–June). Rates are shares of crimes recorded; "
            f"the fixed {k}-month columns are empty for quarters without {k} months of follow-up for every month.")


def quarters_formats(k: int) -> dict[str, str]:
    """Percentage formats for quarters_table()'s rate columns."""
    return {c: "{:.1%}" for c in ("same-period rate", f"outcome within {k} months (rate)",
                                  f"charged within {k} months (rate)")}


# --- page parts that depend on the data (placed by page.place: blocks of (helper, args, kwargs)) -------------------

def mix_blocks(fixed: tuple[pd.Series, pd.Series] | None, last: tuple[pd.Series, pd.Series] | None, k: int,
               period: tuple[str, str]) -> list[tuple]:
    """The outcome-mix part: like for like at a fixed follow-up when the period allows (else says why not), then
    the last outcome mix as published, reporting quarter against the same quarter a year earlier.

    fixed: fixed_followup_counts for the months of fixed_followup_months (None when there are none); last:
    last_outcome_counts for the months of last_quarter_months (None when there are none)."""
    reporting_month = period[1]
    out = [("heading", ("Outcome mix: like for like at a fixed follow-up", 2), {"anchor": "mix"})]
    ff = fixed_followup_months(reporting_month, k, period[0])
    if ff is None or fixed is None:
        out.append(("para", (f"The period holds no three recording months with {k} months of follow-up whose same "
                             f"months a year earlier are also in the period: no like-for-like comparison of the "
                             f"outcome mix.",), {}))
    else:
        fnow, fbefore = ff
        fmix = mix_fixed_from_counts(*fixed)
        out += [("write_table", (findings(fmix, k, months.period_label(fnow[0], fnow[-1]),
                                          months.period_label(fbefore[0], fbefore[-1])), "outcomes_findings"),
                 {"counts": []}),
                ("para", (mix_fixed_paragraph(fmix, k, fnow, fbefore),), {}),
                ("note", (mix_test_note(fmix),), {}),
                ("table", (mix_fixed_table(fmix, k), "outcomes_mix_fixed_followup"),
                 {"formats": {**MIX_FORMATS, "statistic": "{:.3g}"}})]
    out.append(("heading", ("Last outcome mix as published: reporting quarter and the same quarter last year", 3),
                {}))
    lq = last_quarter_months(reporting_month, period[0])
    if lq is None or last is None:
        out.append(("para", ("The period holds no full quarter a year before the reporting quarter: no "
                             "comparison.",), {}))
    else:
        out += [("note", (mix_compare_note(*lq),), {}),
                ("table", (mix_compare_table(mix_compare_from_counts(*last)), "outcomes_mix"),
                 {"formats": MIX_FORMATS})]
    return out


def home_office_blocks(ho: pd.DataFrame | None, settings, pack_force: str) -> list[tuple]:
    """The Home Office outcomes part: force against England and Wales by offence group, and the 'of which' rows;
    a note when no Home Office file is configured; the fixture banner when the file is an illustrative fixture."""
    out = [("heading", ("Home Office outcomes open data: force vs England and Wales", 2), {"anchor": "home-office"})]
    if ho is None:
        return out + [("para", (NO_HO_NOTE,), {})]
    fixture = bool(ho["fixture"].any())
    if fixture:
        out.append(("banner", (FIXTURE_BANNER,), {}))
    force = settings.force or ho_outcomes.ho_force_name(pack_force)
    basis = "count_recorded" if settings.basis == "recorded" else "count_closed"
    sm = ho_outcomes.summary(ho, force, basis)
    if fixture:
        sm.insert(0, "data", "ILLUSTRATIVE FIXTURE - not real data")
    out += [("note", (ho_note(ho, settings.basis),), {}),
            ("table", (sm, "outcomes_ho_summary"),
             {"caption": ("ILLUSTRATIVE FIXTURE, not real data. " if fixture else "") +
              f"{force} vs England and Wales by offence group.", "formats": HO_FORMATS}),
            ("table", (ho_outcomes.of_which_rows(ho, force, basis), "outcomes_ho_of_which"),
             {"caption": "'Of which' rows for the force, shown beside their parent type and never added to it."})]
    return out
