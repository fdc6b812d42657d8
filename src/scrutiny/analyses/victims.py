"""Victims: satisfaction with honest intervals, whether follow-up drives the whole experience, and repeat
victimisation by the published definition. Tables in, tables out.

Inputs are the prepared tables of the two force extracts:

- crimes: crime_ref, recorded_date (date), district, victim_id (None when the crime has no personal victim),
  da_flag, hate_flag (bool), crime_type, offence_group, ...
- survey: respondent_id, crime_ref, survey_type, crime_type, district, interview_date (date), and the five stage
  answers as codes (1 = completely satisfied … 7 = completely dissatisfied; 8 don't know, 9 refused).

Satisfaction is counted by interview month. "Satisfied" is the top three points of the 7-point scale (codes 1–3, a
parameter: seed 002 §4.6 says the force does not state it); don't know and refused are left out of the base, as
the force does (seed 002 L2209), and so is a blank (question not asked).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from scrutiny.inputs.files import connect, sql_string
from scrutiny.inputs.staging import ident
from scrutiny.reference import months as cal
from scrutiny.stats import logistic
from scrutiny.stats import proportions as pr

STAGES = ["ease_of_contact", "actions", "follow_up", "treatment", "whole_experience"]
STAGE_LABELS = {"ease_of_contact": "Ease of contact", "actions": "Actions taken", "follow_up": "Follow-up",
                "treatment": "Treatment", "whole_experience": "Whole experience"}
SATISFIED_CODES = (1, 2, 3)
EXCLUDED_CODES = (8, 9)  # don't know, refused
SCALE = range(1, 8)
MIN_N = 30
ALPHA = 0.05
WINDOWS = (1, 3, 6, 12)
LOOKBACK_MONTHS = 12
BANDS = [("2", 2, 2), ("3–5", 3, 5), ("6–19", 6, 19), ("20+", 20, None)]
ALL_AREAS = "All districts"


# --- months -----------------------------------------------------------------------------------------------------

def month_of(dates) -> pd.Series:
    """'YYYY-MM' of each date (computed once per distinct date: extracts repeat a few thousand dates)."""
    d = pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]")
    u, inv = np.unique(d, return_inverse=True)
    return pd.Series(np.datetime_as_string(u.astype("datetime64[M]"), unit="M")[inv], dtype=object)


# --- satisfaction ------------------------------------------------------------------------------------------------

def answers_long(survey: pd.DataFrame, satisfied=SATISFIED_CODES, excluded=EXCLUDED_CODES) -> pd.DataFrame:
    """One row per respondent and stage answered on the scale: month, district, survey_type, crime_type, stage,
    satisfied (bool). Don't know, refused and blank answers are dropped (not in the base)."""
    if not set(satisfied) <= set(SCALE):
        raise ValueError(f"satisfied codes must be on the 7-point scale 1-7, got {sorted(satisfied)}")
    base = survey.assign(month=month_of(survey["interview_date"]).to_numpy())
    keep = ["respondent_id", "month", "district", "survey_type", "crime_type"]
    long = base.melt(id_vars=keep, value_vars=STAGES, var_name="stage", value_name="code")
    code = pd.to_numeric(long["code"], errors="coerce")
    on_scale = code.isin(list(SCALE)) & ~code.isin(list(excluded))
    long = long[on_scale].assign(satisfied=code[on_scale].isin(list(satisfied)).to_numpy())
    return long.drop(columns="code").reset_index(drop=True)


def satisfaction(long: pd.DataFrame, by: list[str], min_n: int = MIN_N, alpha: float = ALPHA) -> pd.DataFrame:
    """Responses, satisfied, rate and its Wilson interval per `by` + stage; rate and interval blanked (and
    `suppressed` True) below min_n responses."""
    g = long.groupby(by + ["stage"], as_index=False).agg(n=("satisfied", "size"), satisfied=("satisfied", "sum"))
    return _with_interval(g, min_n, alpha)


def _with_interval(g: pd.DataFrame, min_n: int, alpha: float) -> pd.DataFrame:
    g = g.copy()
    g["n"] = g["n"].astype(int)
    g["satisfied"] = g["satisfied"].astype(int)
    g["rate"] = np.where(g["n"] > 0, g["satisfied"] / g["n"].where(g["n"] > 0, 1), np.nan)
    g["low"], g["high"] = pr.wilson_interval(g["satisfied"], g["n"], alpha)
    return pr.suppress(g, "n", ["rate", "low", "high"], min_n)


def change_words(rate, other, pvalue, method, suppressed: bool, min_n: int, alpha: float = ALPHA) -> str:
    """The wording of one comparison: 'significant increase/decrease' only when the named test gives p < alpha,
    'no significant change' only when it was tested and p ≥ alpha; otherwise why it was not compared."""
    if suppressed:
        return f"not compared: fewer than {min_n} responses in a month compared"
    if pvalue is None or not np.isfinite(pvalue):
        return "not compared: no responses to compare with" if not np.isfinite(other) else f"not tested ({method})"
    p = "p < 0.001" if pvalue < 0.001 else f"p = {pvalue:.3f}"
    if pvalue < alpha:
        word = "significant increase" if rate > other else "significant decrease"
    else:
        word = "no significant change"
    return f"{word} ({method}, {p})"


def changes(table: pd.DataFrame, by: list[str], months: list[str], min_n: int = MIN_N,
            alpha: float = ALPHA) -> pd.DataFrame:
    """Each month of `months` against the previous month and the same month a year earlier, per `by` + stage,
    with the two-proportion test (pooled z; Fisher's exact test for small cells) and its wording."""
    keys = by + ["stage"]
    t = table[keys + ["month", "n", "satisfied"]]
    out = []
    for label, lag in (("previous month", 1), ("same month last year", 12)):
        cur = t[t["month"].isin(months)].copy()
        cur["compared_month"] = [cal.shift(m, -lag) for m in cur["month"]]
        prev = t.rename(columns={"month": "compared_month", "n": "n_then", "satisfied": "satisfied_then"})
        m = cur.merge(prev, on=keys + ["compared_month"], how="left")
        m[["n_then", "satisfied_then"]] = m[["n_then", "satisfied_then"]].fillna(0).astype(int)
        test = pr.two_proportion_test(m["satisfied"], m["n"], m["satisfied_then"], m["n_then"])
        m["comparison"] = label
        m["rate"] = m["satisfied"] / m["n"].where(m["n"] > 0)
        m["rate_then"] = m["satisfied_then"] / m["n_then"].where(m["n_then"] > 0)
        m["pvalue"] = test["pvalue"].to_numpy()
        m["test"] = test["method"].to_numpy()
        small = (m["n"] < min_n) | (m["n_then"] < min_n)
        m.loc[small, ["rate", "rate_then", "pvalue"]] = np.nan
        m["judgement"] = [change_words(r, o, p, meth, s, min_n, alpha) for r, o, p, meth, s in
                          zip(m["rate"], m["rate_then"], m["pvalue"], m["test"], small)]
        out.append(m)
    cols = keys + ["month", "comparison", "compared_month", "n", "rate", "n_then", "rate_then", "pvalue", "test",
                   "judgement"]
    return pd.concat(out, ignore_index=True)[cols].sort_values(keys + ["month", "comparison"], kind="stable") \
        .reset_index(drop=True)


def rolling(long: pd.DataFrame, months: list[str], by: list[str], windows=WINDOWS, min_n: int = MIN_N,
            alpha: float = ALPHA) -> pd.DataFrame:
    """Responses pooled over the k months ending at each month (k in `windows`), per `by` + stage: every response
    weighs the same (a response-weighted pool). Windows reaching before the first month of `months` are left out."""
    monthly = long.groupby(by + ["stage", "month"], as_index=False).agg(
        n=("satisfied", "size"), satisfied=("satisfied", "sum"))
    frames = []
    for k in windows:
        ends = months[k - 1:]
        if not ends:
            continue
        spans = pd.DataFrame([(end, m) for end in ends for m in cal.span(cal.shift(end, -(k - 1)), end)],
                             columns=["end", "month"])
        j = monthly.merge(spans, on="month").groupby(by + ["stage", "end"], as_index=False)[["n", "satisfied"]].sum()
        frames.append(j.rename(columns={"end": "month"}).assign(window=k))
    g = pd.concat(frames, ignore_index=True)
    return _with_interval(g, min_n, alpha)[by + ["stage", "month", "window", "n", "satisfied", "rate", "low", "high",
                                                  "suppressed"]]


def rolling_side_by_side(roll: pd.DataFrame, month: str, by: list[str]) -> pd.DataFrame:
    """One row per `by` + stage at `month`: rate and responses for each window side by side."""
    r = roll[roll["month"] == month]
    wide = r.pivot_table(index=by + ["stage"], columns="window", values=["rate", "n"], aggfunc="first")
    wide.columns = [f"{a}_{b}m" for a, b in wide.columns]
    order = [f"{a}_{k}m" for k in sorted(r["window"].unique()) for a in ("rate", "n")]
    return wide[order].reset_index()


def district_funnel(long: pd.DataFrame, months: list[str], stage: str = "whole_experience",
                    min_n: int = MIN_N) -> pd.DataFrame:
    """Districts pooled over `months` against the force rate: 95% and 99.8% funnel limits at each district's
    number of responses (Spiegelhalter 2005, binomial normal approximation) and where each district lies."""
    d = long[(long["stage"] == stage) & long["month"].isin(months)]
    g = d.groupby("district", as_index=False).agg(n=("satisfied", "size"), satisfied=("satisfied", "sum"))
    p0 = g["satisfied"].sum() / g["n"].sum() if g["n"].sum() else np.nan
    g["rate"] = g["satisfied"] / g["n"]
    g["force_rate"] = p0
    g["low95"], g["high95"] = pr.funnel_limits(p0, g["n"], pr.Z95)
    g["low998"], g["high998"] = pr.funnel_limits(p0, g["n"], pr.Z998)

    def where(r):
        if r["n"] < min_n:
            return f"not placed: fewer than {min_n} responses"
        if r["rate"] > r["high998"]:
            return "above the 99.8% limit"
        if r["rate"] < r["low998"]:
            return "below the 99.8% limit"
        if r["rate"] > r["high95"]:
            return "above the 95% limit (within 99.8%)"
        if r["rate"] < r["low95"]:
            return "below the 95% limit (within 99.8%)"
        return "within the 95% limits"

    g["position"] = g.apply(where, axis=1)
    return g.sort_values("district").reset_index(drop=True)


# --- does follow-up drive the whole experience? -----------------------------------------------------------------

def satisfied_wide(survey: pd.DataFrame, satisfied=SATISFIED_CODES, excluded=EXCLUDED_CODES) -> pd.DataFrame:
    """One row per respondent who answered all five stages on the scale: 1/0 satisfied per stage, with month,
    crime type and district."""
    codes = survey[STAGES].apply(pd.to_numeric, errors="coerce")
    ok = codes.isin(list(SCALE)).all(axis=1) & ~codes.isin(list(excluded)).any(axis=1)
    out = codes[ok].isin(list(satisfied)).astype(int)
    out.insert(0, "crime_type", survey.loc[ok, "crime_type"].to_numpy())
    out.insert(0, "district", survey.loc[ok, "district"].to_numpy())
    out.insert(0, "month", month_of(survey.loc[ok, "interview_date"]).to_numpy())
    return out.reset_index(drop=True)


def followup_models(wide: pd.DataFrame, min_n: int = MIN_N, alpha: float = ALPHA) -> dict:
    """Respondent level: logistic regressions of whole-experience satisfied on follow-up satisfied, alone and
    controlling for the other three stages and crime type (maximum likelihood, stats.logistic; odds ratios with
    Wald intervals). Month level: Pearson correlation across months of the monthly follow-up and whole-experience
    rates (months with at least min_n respondents; p from t = r√((n−2)/(1−r²)) on n−2 degrees of freedom).
    Returns the tables and the figures the sentence needs."""
    from scipy import special

    models = {
        "follow-up only": (["follow_up"], []),
        "controlling for the other stages and crime type":
            (["follow_up", "ease_of_contact", "actions", "treatment"], ["crime_type"]),
    }
    frames = []
    for name, (numeric, categorical) in models.items():
        X, terms = logistic.design(wide, numeric, categorical)
        res = logistic.fit(X, wide["whole_experience"].to_numpy(), terms)
        t = res.odds_ratios(alpha).iloc[1:]  # not the intercept
        frames.append(t.assign(model=name, respondents=res.nobs))
    coef = pd.concat(frames, ignore_index=True)
    coef["term"] = coef["term"].map(_term_label)
    coef = coef[["model", "term", "odds_ratio", "low", "high", "pvalue", "respondents"]]
    monthly = wide.groupby("month", as_index=False).agg(respondents=("follow_up", "size"),
                                                        follow_up=("follow_up", "mean"),
                                                        whole_experience=("whole_experience", "mean"))
    used = monthly[monthly["respondents"] >= min_n]
    r = p = np.nan
    if len(used) >= 3 and used["follow_up"].std() > 0 and used["whole_experience"].std() > 0:
        r = float(np.corrcoef(used["follow_up"], used["whole_experience"])[0, 1])
        df_ = len(used) - 2
        t = r * np.sqrt(df_ / max(1 - r * r, 1e-300))
        p = float(2 * special.stdtr(df_, -abs(t)))
    adj = coef[(coef["model"] != "follow-up only") & (coef["term"] == "Follow-up satisfied")].iloc[0]
    return {"coefficients": coef, "monthly": monthly, "months_used": len(used), "r": float(r), "r_pvalue": float(p),
            "adjusted": adj, "respondents": int(adj["respondents"])}


def _term_label(term: str) -> str:
    if term.startswith("crime_type["):
        return "Crime type: " + term[len("crime_type["):-1]
    return STAGE_LABELS.get(term, term) + " satisfied"


def followup_sentence(res: dict, alpha: float = ALPHA) -> str:
    """Which analysis answers 'does follow-up drive whole-experience satisfaction', in plain words."""
    a = res["adjusted"]
    p = "p < 0.001" if a["pvalue"] < 0.001 else f"p = {a['pvalue']:.3f}"
    if a["pvalue"] < alpha:
        lead = (f"Respondents satisfied with follow-up had {a['odds_ratio']:.1f} times the odds of being satisfied "
                f"with the whole experience (95% interval {a['low']:.1f} to {a['high']:.1f}, {p}, logistic "
                f"regression on {res['respondents']:,} respondents), compared with respondents of the same crime "
                "type who answered the other three stages the same way.")
    else:
        lead = (f"Among respondents of the same crime type who answered the other three stages the same way, "
                f"satisfaction with follow-up showed no significant association with the whole experience "
                f"(odds ratio {a['odds_ratio']:.1f}, 95% interval {a['low']:.1f} to {a['high']:.1f}, {p}, logistic "
                f"regression on {res['respondents']:,} respondents).")
    if np.isfinite(res["r"]):
        rp = "p < 0.001" if res["r_pvalue"] < 0.001 else f"p = {res['r_pvalue']:.3f}"
        month = (f" Across months, the follow-up and whole-experience rates correlate at r = {res['r']:.2f} "
                 f"(Pearson, {res['months_used']} months, {rp}).")
    else:
        month = " Too few months have enough respondents for a month-level correlation."
    return (lead + month + " The respondent-level model answers the question: it compares victims with victims. "
            "The month-level correlation only says whether months with more satisfied follow-up also had more "
            "satisfied victims overall; it moves with the sampling noise of each month's few hundred interviews and "
            "with the mix of crimes, so it can neither confirm nor rule out a link for victims (the ecological "
            "fallacy). Neither is proof of cause: one interview measures all five stages, and a victim's overall "
            "view colours every answer.")


# --- repeat victimisation ---------------------------------------------------------------------------------------

def repeat_months(period: list[str], first_data_month: str, lookback: int = LOOKBACK_MONTHS) -> list[str]:
    """The months of `period` whose full look-back lies inside the data (from `first_data_month` on): earlier months
    would count too few repeat victims."""
    first = cal.shift(first_data_month, lookback)
    return [m for m in period if m >= first]


ALL_VICTIMS = "All victims"

_REPEAT_SQL = """
WITH a AS (SELECT * FROM cs WHERE month IN (SELECT month FROM months)),
hits AS (
    SELECT a.subset, a.month, a.victim_id, a.crime_ref, a.d, a.district, count(b.crime_ref) AS others
    FROM a LEFT JOIN $b b ON b.victim_id = a.victim_id $same AND b.crime_ref <> a.crime_ref
         AND b.d BETWEEN a.d - INTERVAL $lookback MONTH AND a.d
    GROUP BY ALL
),
per_victim AS (
    SELECT subset, month, victim_id, count(*) AS offences_in_month, bool_or(others > 0) AS repeat_victim,
           max(d) AS last_date, arg_max(district, (d, crime_ref)) AS district
    FROM hits GROUP BY ALL
)
SELECT p.subset, p.month, p.victim_id, p.district, p.offences_in_month, p.repeat_victim, p.last_date,
       count(b.crime_ref) AS offences_12m
FROM per_victim p LEFT JOIN $b b ON b.victim_id = p.victim_id $same_p
     AND b.d BETWEEN p.last_date - INTERVAL $lookback MONTH AND p.last_date
GROUP BY ALL ORDER BY ALL
"""

_COHORT_SQL = """
SELECT p.subset, p.month, count(*) AS offences
FROM (SELECT DISTINCT CAST(subset AS VARCHAR) AS subset, CAST(month AS VARCHAR) AS month,
             CAST(victim_id AS VARCHAR) AS victim_id, CAST(last_date AS TIMESTAMP) AS last_date FROM cohort) p
JOIN $b b ON b.victim_id = p.victim_id $same_p
WHERE b.d <= p.last_date AND b.d >= p.last_date - INTERVAL $lookback MONTH
GROUP BY ALL
"""


def _connect_crimes(crimes: pd.DataFrame | str | Path, subsets: dict) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding `cs` (one row per crime with a victim and subset it belongs to) and `c_all`
    (every crime with a victim). `crimes`: a frame, or the prepared table's Parquet (read by DuckDB, never into
    pandas); a subset is None (every crime), a boolean per crime (frames only) or a boolean column's name."""
    names = list(subsets)
    con = connect()
    if isinstance(crimes, pd.DataFrame):
        import pyarrow as pa

        cols = {"crime_ref": pa.array(crimes["crime_ref"], type=pa.string(), from_pandas=True),
                "victim_id": pa.array(crimes["victim_id"], type=pa.string(), from_pandas=True),
                "d": pa.array(pd.to_datetime(crimes["recorded_date"]).to_numpy(dtype="datetime64[D]")),
                "district": pa.array(crimes["district"], type=pa.string(), from_pandas=True)}
        for i, name in enumerate(names):
            mask = subsets[name]
            mask = crimes[mask] if isinstance(mask, str) else mask
            cols[f"m{i}"] = pa.array(np.ones(len(crimes), dtype=bool) if mask is None
                                     else np.asarray(mask, dtype=bool))
        con.register("crimes", pa.table(cols))
    else:
        flags = []
        for i, name in enumerate(names):
            mask = subsets[name]
            if mask is not None and not isinstance(mask, str):
                raise TypeError(f"subset {name!r}: with the crimes as a Parquet file, give a column's name")
            flags.append(f"{'TRUE' if mask is None else f'coalesce(CAST({ident(mask)} AS BOOLEAN), FALSE)'} AS m{i}")
        con.execute("CREATE VIEW crimes AS SELECT crime_ref, victim_id, CAST(recorded_date AS DATE) AS d, district"
                    f"{''.join(', ' + f for f in flags)} FROM read_parquet({sql_string(crimes)})")
    con.execute("CREATE TABLE c_all AS SELECT crime_ref, victim_id, d, strftime(d, '%Y-%m') AS month, district "
                "FROM crimes WHERE victim_id IS NOT NULL AND trim(victim_id) <> ''")
    union = " UNION ALL ".join(
        f"SELECT {sql_string(name)} AS subset, crime_ref, victim_id, d, strftime(d, '%Y-%m') AS month, district "
        f"FROM crimes WHERE m{i} AND victim_id IS NOT NULL AND trim(victim_id) <> ''" for i, name in enumerate(names))
    con.execute(f"CREATE TABLE cs AS {union}")
    return con


def crimes_facts(crimes: str | Path) -> dict:
    """From the prepared crimes table (Parquet, by DuckDB): `first_month`, the first month with a crime recorded
    (YYYY-MM), and `extracted_at`, the extract date of its first row (yyyy-mm-dd)."""
    con = connect()
    try:
        src = f"read_parquet({sql_string(crimes)}, file_row_number=true)"
        first = con.execute(f"SELECT strftime(min(recorded_date), '%Y-%m') FROM {src}").fetchone()[0]
        row = con.execute(f"SELECT CAST(extracted_at AS VARCHAR) FROM {src} ORDER BY file_row_number LIMIT 1").fetchone()
    finally:
        con.close()
    return {"first_month": first, "extracted_at": row[0] if row else None}


def _sql(template: str, same_subset: bool, lookback: int) -> str:
    b = "cs" if same_subset else "c_all"
    return (template.replace("$b", b).replace("$same_p", "AND b.subset = p.subset" if same_subset else "")
            .replace("$same", "AND b.subset = a.subset" if same_subset else "")
            .replace("$lookback", str(int(lookback))))


def repeat_victims(crimes: pd.DataFrame | str | Path, months: list[str], subsets: dict | None = None, same_subset: bool = True,
                   lookback: int = LOOKBACK_MONTHS) -> pd.DataFrame:
    """One row per subset, reporting month and victim recorded in it, with whether they are a repeat victim.

    Definition (as published: a victim recorded in the reporting month who has had at least one other offence in
    the preceding 12 months): a victim is a repeat victim in month M when one of their offences recorded in M, on
    day d, has another offence (a different crime_ref) of the same victim recorded between d minus 12 calendar
    months and d, both days included. So a second offence on the same day counts; an offence exactly 12 months
    back counts (29 February steps back to 28 February); an offence after d does not count for d (but a later
    offence in M looks back to the earlier one). Crimes with no victim_id are not anyone's offence and are left out.

    subsets: name -> a boolean per crime (None: every crime); by default {"All victims": None}. Only victims of a
    subset offence in M are counted in that subset; with same_subset the other offence must be in the subset too
    ("repeat victim of domestic abuse"), otherwise any offence counts. offences_12m: the victim's offences (of the
    subset, with same_subset) from their last offence in M back 12 months, that offence included; district: the
    district of that last offence. The check on the band table is `cohort_offence_totals`.
    """
    subsets = {ALL_VICTIMS: None} if subsets is None else subsets
    con = _connect_crimes(crimes, subsets)
    try:
        con.register("months", pd.DataFrame({"month": list(months)}))
        out = con.sql(_sql(_REPEAT_SQL, same_subset, lookback)).to_arrow_table().to_pandas()
        out["repeat_victim"] = out["repeat_victim"].astype(bool)
        cohort = out[out["repeat_victim"]][["subset", "month", "victim_id", "last_date"]]
        con.register("cohort", cohort)
        totals = con.sql(_sql(_COHORT_SQL, same_subset, lookback)).to_arrow_table().to_pandas()
    finally:
        con.close()
    out["offences_12m"] = out["offences_12m"].astype(int)
    out["offences_in_month"] = out["offences_in_month"].astype(int)
    out.attrs["cohort_offences"] = {(r.subset, r.month): int(r.offences) for r in totals.itertuples()}
    return out


def cohort_offence_totals(per_victim: pd.DataFrame) -> dict:
    """(subset, month) -> offences of the month's repeat-victim cohort in their 12 months, counted by a separate
    join of the cohort to the crimes (not from offences_12m), as the check on the band table. Taken out of the
    frame's attrs (pandas copies attrs on every operation, so they are not left there)."""
    return dict(per_victim.attrs.pop("cohort_offences", {}))


def repeat_rates(per_victim: pd.DataFrame, months: list[str], areas: list[str] | None = None) -> pd.DataFrame:
    """month, area, victims, repeat_victims, rate: all districts together and each district (a victim is placed in
    the district of their last offence in the month). Every month × area appears, zero where nobody was recorded.
    `per_victim` holds one subset."""
    if per_victim["subset"].nunique() > 1:
        raise ValueError("repeat_rates takes one subset at a time")
    force = per_victim.assign(area=ALL_AREAS)
    both = pd.concat([force, per_victim.assign(area=per_victim["district"])], ignore_index=True)
    g = both.groupby(["month", "area"], as_index=False).agg(victims=("victim_id", "size"),
                                                            repeat_victims=("repeat_victim", "sum"))
    areas = [ALL_AREAS] + sorted(areas if areas is not None else per_victim["district"].dropna().unique())
    grid = pd.MultiIndex.from_product([list(months), areas], names=["month", "area"]).to_frame(index=False)
    g = grid.merge(g, on=["month", "area"], how="left").fillna({"victims": 0, "repeat_victims": 0})
    g[["victims", "repeat_victims"]] = g[["victims", "repeat_victims"]].astype(int)
    g["rate"] = g["repeat_victims"] / g["victims"].where(g["victims"] > 0)
    return g[["month", "area", "victims", "repeat_victims", "rate"]]


def band_of(offences: int) -> str:
    for label, lo, hi in BANDS:
        if offences >= lo and (hi is None or offences <= hi):
            return label
    raise ValueError(f"a repeat victim has at least 2 offences in 12 months, got {offences}")


def repeat_bands(per_victim: pd.DataFrame, cohort_offences: dict) -> pd.DataFrame:
    """Repeat victims of each subset and month by offences in their 12 months (bands 2, 3–5, 6–19, 20+) with the
    offences they account for. Asserts that the bands' offences add up to the cohort total counted independently
    (`cohort_offences`, (subset, month) -> offences, from cohort_offence_totals)."""
    rep = per_victim[per_victim["repeat_victim"]].copy()
    rep["band"] = [band_of(n) for n in rep["offences_12m"]]
    labels = [b[0] for b in BANDS]
    g = rep.groupby(["subset", "month", "band"], as_index=False).agg(repeat_victims=("victim_id", "size"),
                                                                     offences_12m=("offences_12m", "sum"))
    keys = per_victim[["subset", "month"]].drop_duplicates()
    grid = keys.merge(pd.DataFrame({"band": labels}), how="cross")
    g = grid.merge(g, on=["subset", "month", "band"], how="left").fillna({"repeat_victims": 0, "offences_12m": 0})
    g[["repeat_victims", "offences_12m"]] = g[["repeat_victims", "offences_12m"]].astype(int)
    g["band"] = pd.Categorical(g["band"], labels, ordered=True)
    g = g.sort_values(["subset", "month", "band"]).reset_index(drop=True)
    g["band"] = g["band"].astype(str)
    totals = g.groupby(["subset", "month"])["offences_12m"].sum()
    for key, total in totals.items():
        expected = cohort_offences.get(key, 0)
        if int(total) != int(expected):
            raise AssertionError(f"repeat-victim bands for {key[0]}, {key[1]} hold {total} offences but the cohort "
                                 f"has {expected}: the bands do not add up")
    return g


def persistence(per_victim: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """For each month: repeat victims, how many were also repeat victims the month before, and how many were
    repeat victims in each of the last three months (this one and the two before). Blank (NA) where an earlier
    month is not among `months` (not a reporting month, so not known)."""
    rep = per_victim[per_victim["repeat_victim"]]
    sets = {m: set(v) for m, v in rep.groupby("month")["victim_id"]}
    known = set(months)
    rows = []
    for m in months:
        now, p1, p2 = (sets.get(cal.shift(m, -k), set()) for k in (0, 1, 2))
        has1, has2 = cal.shift(m, -1) in known, cal.shift(m, -2) in known
        rows.append({"month": m, "repeat_victims": len(now), "also_previous_month": len(now & p1) if has1 else None,
                     "each_of_last_3_months": len(now & p1 & p2) if has1 and has2 else None})
    out = pd.DataFrame(rows)
    for c in ("also_previous_month", "each_of_last_3_months"):
        out[c] = out[c].astype("Int64")
    return out


def victims_without_id(crimes: pd.DataFrame | str | Path, months: list[str]) -> pd.DataFrame:
    """Crimes per month with no victim_id (no personal victim, or not recorded): not counted in repeat figures.
    `crimes`: a frame, or the prepared table's Parquet (counted by DuckDB)."""
    if isinstance(crimes, pd.DataFrame):
        m = month_of(crimes["recorded_date"])
        none = crimes["victim_id"].isna() | (crimes["victim_id"] == "")
        g = pd.DataFrame({"month": m.to_numpy(), "none": none.to_numpy()}).groupby("month")["none"].agg(
            ["size", "sum"])
    else:
        con = connect()
        try:
            g = con.execute(f"""SELECT strftime(recorded_date, '%Y-%m') AS month, count(*) AS size,
                                       count(*) FILTER (WHERE victim_id IS NULL OR victim_id = '') AS sum
                                FROM read_parquet({sql_string(crimes)}) GROUP BY 1 ORDER BY 1""").df().set_index("month")
        finally:
            con.close()
    g = g.reindex(months, fill_value=0).reset_index()
    return g.rename(columns={"size": "crimes", "sum": "crimes_without_victim_id"})



# --- sentences ----------------------------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def satisfaction_sentence(table: pd.DataFrame, change: pd.DataFrame, month: str, stage: str = "whole_experience",
                          min_n: int = MIN_N) -> str:
    """The reporting month's satisfaction with one stage, its Wilson interval, and both comparisons as tested."""
    row = table[(table["month"] == month) & (table["stage"] == stage)]
    what = STAGE_LABELS[stage].lower()
    if row.empty or row["n"].iloc[0] == 0:
        return f"No respondent answered the {what} question in {cal.label(month)}."
    r = row.iloc[0]
    if r["suppressed"]:
        return (f"{r['n']:,} respondents answered the {what} question in {cal.label(month)}: fewer than {min_n}, so no "
                "rate is published for the month (see the rolling views below).")
    text = (f"In {cal.label(month)}, {_pct(r['rate'])} of respondents ({r['satisfied']:,} of {r['n']:,}) were satisfied "
            f"with the {what} (Wilson 95% interval {_pct(r['low'])} to {_pct(r['high'])}).")
    c = change[(change["month"] == month) & (change["stage"] == stage)]
    for _, x in c.iterrows():
        then = cal.label(x["compared_month"])
        base = (f" {_pct(x['rate_then'])} of {x['n_then']:,}" if np.isfinite(x["rate_then"]) else
                f" {x['n_then']:,} respondents")
        text += f" Against {then} ({base.strip()}): {x['judgement']}."
    return text


def repeat_sentence(rates: pd.DataFrame, month: str, noun: str = "victims") -> str:
    """The month's victims and repeat victims, with the previous month and the same month last year as values
    (repeat counts are a full count, not a sample: no test is applied)."""
    f = rates[rates["area"] == ALL_AREAS].set_index("month")
    if month not in f.index or f.loc[month, "victims"] == 0:
        return f"No {noun} were recorded in {cal.label(month)}."
    r = f.loc[month]
    text = (f"In {cal.label(month)}, {r['victims']:,} {noun} were recorded; {r['repeat_victims']:,} of them "
            f"({_pct(r['rate'])}) had at least one other offence in the preceding 12 months (repeat victims).")
    then = [(cal.shift(month, -k), w) for k, w in ((1, "the month before"), (12, "a year earlier"))]
    parts = [f"{_pct(f.loc[m, 'rate'])} in {cal.label(m)} ({w})" for m, w in then
             if m in f.index and f.loc[m, "victims"] > 0]
    if parts:
        text += " The rate was " + " and ".join(parts) + "."
    return text


def summary_rows(monthly: pd.DataFrame, change: pd.DataFrame, rates: pd.DataFrame, month: str) -> list:
    """The front page's rows: whole-experience satisfaction (judged by the two-proportion test against the month
    before) and repeat victims (a full count: values, no judgement)."""
    from scrutiny.analyses.summary import SummaryRow

    rows = []
    r = monthly[(monthly["month"] == month) & (monthly["stage"] == "whole_experience")]
    if len(r) and r["n"].iloc[0] > 0:
        x = r.iloc[0]
        if x["suppressed"]:
            data, comment = f"{x['n']:,} respondents in {cal.label(month)}", "too few responses for a rate"
        else:
            data = (f"{_pct(x['rate'])} of {x['n']:,} respondents satisfied, {cal.label(month)} (Wilson 95% interval "
                    f"{_pct(x['low'])} to {_pct(x['high'])})")
            c = change[(change["month"] == month) & (change["stage"] == "whole_experience")
                       & (change["comparison"] == "previous month")]
            comment = (f"Against {cal.label(c['compared_month'].iloc[0])}: {c['judgement'].iloc[0]}" if len(c)
                       else "no earlier month to compare")
        rows.append(SummaryRow("Victim satisfaction: whole experience", "victim_satisfaction_whole_experience",
                               "Always", True, data, comment, "victims.html#victims-satisfaction"))
    f = rates[(rates["area"] == ALL_AREAS) & (rates["month"] == month)]
    if len(f) and f["victims"].iloc[0] > 0:
        x = f.iloc[0]
        rows.append(SummaryRow(
            "Repeat victims", "repeat_victims", "Always", True,
            f"{x['repeat_victims']:,} of {x['victims']:,} victims ({_pct(x['rate'])}), {cal.label(month)}",
            "A full count, not a sample: no test is applied (see the page for earlier months).",
            "victims.html#victims-repeat"))
    return rows


def group_changes_sentence(change: pd.DataFrame, stage: str = "whole_experience", alpha: float = ALPHA) -> str:
    """How many of the tested group comparisons (surveys, districts) came out significant, against how many chance
    alone would give at `alpha`."""
    c = change[(change["stage"] == stage) & change["pvalue"].notna()]
    if c.empty:
        return "No survey or district had enough responses in both months for a comparison."
    sig = c[c["pvalue"] < alpha]
    names = "; ".join(f"{r.group} against the {r.comparison} ({r.judgement})" for r in sig.itertuples())
    return (f"By survey and by district ({STAGE_LABELS[stage].lower()}), {len(sig)} of {len(c)} tested comparisons "
            f"with the previous month and the same month last year are significant at p < {alpha:g}; about "
            f"{len(c) * alpha:.1f} would be by chance alone." + (f" They are: {names}." if len(sig) else ""))
