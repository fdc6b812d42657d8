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

import duckdb
import numpy as np
import pandas as pd

from ..stats import proportions as pr

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
    """'YYYY-MM' of each date."""
    return pd.to_datetime(pd.Series(dates)).dt.strftime("%Y-%m")


def shift_month(month: str, k: int) -> str:
    """The month k months after 'YYYY-MM' (k may be negative)."""
    y, m = map(int, month.split("-"))
    n = y * 12 + (m - 1) + k
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = shift_month(m, 1)
    return out


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
        cur["compared_month"] = [shift_month(m, -lag) for m in cur["month"]]
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
        spans = pd.DataFrame([(end, m) for end in ends for m in month_range(shift_month(end, -(k - 1)), end)],
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
    controlling for the other three stages and crime type (statsmodels Logit, maximum likelihood; odds ratios with
    Wald 95% intervals). Month level: Pearson correlation across months of the monthly follow-up and
    whole-experience rates (months with at least min_n respondents). Returns the tables and the figures the
    sentence needs."""
    import statsmodels.formula.api as smf
    from scipy import stats

    rows = []
    models = {
        "follow-up only": "whole_experience ~ follow_up",
        "controlling for the other stages and crime type":
            "whole_experience ~ follow_up + ease_of_contact + actions + treatment + C(crime_type)",
    }
    fitted = {}
    for name, formula in models.items():
        m = smf.logit(formula, data=wide).fit(disp=False)
        fitted[name] = m
        ci = m.conf_int(alpha)
        for term in m.params.index:
            if term == "Intercept":
                continue
            rows.append({"model": name, "term": _term_label(term), "odds_ratio": float(np.exp(m.params[term])),
                         "low": float(np.exp(ci.loc[term, 0])), "high": float(np.exp(ci.loc[term, 1])),
                         "pvalue": float(m.pvalues[term]), "respondents": int(m.nobs)})
    coef = pd.DataFrame(rows)
    monthly = wide.groupby("month", as_index=False).agg(respondents=("follow_up", "size"),
                                                        follow_up=("follow_up", "mean"),
                                                        whole_experience=("whole_experience", "mean"))
    used = monthly[monthly["respondents"] >= min_n]
    if len(used) >= 3:
        r, p = stats.pearsonr(used["follow_up"], used["whole_experience"])
    else:
        r, p = np.nan, np.nan
    adj = coef[(coef["model"] != "follow-up only") & (coef["term"] == "Follow-up satisfied")].iloc[0]
    return {"coefficients": coef, "monthly": monthly, "months_used": len(used), "r": float(r), "r_pvalue": float(p),
            "adjusted": adj, "respondents": int(adj["respondents"])}


def _term_label(term: str) -> str:
    if term.startswith("C(crime_type)[T."):
        return "Crime type: " + term[len("C(crime_type)[T."):-1]
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
    first = shift_month(first_data_month, lookback)
    return [m for m in period if m >= first]


_REPEAT_SQL = """
WITH c AS (
    SELECT crime_ref, victim_id, CAST(recorded_date AS DATE) AS d, strftime(CAST(recorded_date AS DATE), '%Y-%m')
           AS month, district, focus
    FROM crimes WHERE victim_id IS NOT NULL AND victim_id <> ''
),
a AS (SELECT * FROM c WHERE focus AND month IN (SELECT month FROM months)),
b AS (SELECT * FROM c WHERE focus OR NOT $same_subset),
hits AS (
    SELECT a.month, a.victim_id, a.crime_ref, a.d, a.district,
           count(b.crime_ref) AS others
    FROM a LEFT JOIN b ON b.victim_id = a.victim_id AND b.crime_ref <> a.crime_ref
         AND b.d BETWEEN a.d - INTERVAL $lookback MONTH AND a.d
    GROUP BY ALL
),
per_victim AS (
    SELECT month, victim_id, count(*) AS offences_in_month, bool_or(others > 0) AS repeat_victim,
           max(d) AS last_date, arg_max(district, (d, crime_ref)) AS district
    FROM hits GROUP BY month, victim_id
)
SELECT p.month, p.victim_id, p.district, p.offences_in_month, p.repeat_victim, p.last_date,
       count(b.crime_ref) AS offences_12m
FROM per_victim p LEFT JOIN b ON b.victim_id = p.victim_id
     AND b.d BETWEEN p.last_date - INTERVAL $lookback MONTH AND p.last_date
GROUP BY ALL ORDER BY p.month, p.victim_id
"""


def repeat_victims(crimes: pd.DataFrame, months: list[str], focus=None, same_subset: bool = True,
                   lookback: int = LOOKBACK_MONTHS) -> pd.DataFrame:
    """One row per victim recorded in each reporting month, with whether they are a repeat victim.

    Definition (as published: a victim recorded in the reporting month who has had at least one other offence in
    the preceding 12 months): a victim is a repeat victim in month M when one of their offences recorded in M, on
    day d, has another offence (a different crime_ref) of the same victim recorded between d minus 12 calendar
    months and d, both days included. So a second offence on the same day counts; an offence exactly 12 months
    back counts (29 February steps back to 28 February); an offence after d does not count for d (but a later
    offence in M looks back to the earlier one). Crimes with no victim_id are not anyone's offence and are left out.

    focus: a boolean per crime (e.g. the domestic-abuse flag): only victims of a focus offence in M are counted;
    with same_subset the other offence must be a focus offence too ("repeat victim of domestic abuse"), otherwise
    any offence counts. offences_12m: the victim's offences (focus offences with same_subset) from their last
    offence in M back 12 months, that offence included; district: the district of that last offence.
    """
    c = crimes[["crime_ref", "victim_id", "recorded_date", "district"]].copy()
    c["focus"] = True if focus is None else np.asarray(focus, dtype=bool)
    con = duckdb.connect()
    try:
        con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")
        con.register("crimes", c)
        con.register("months", pd.DataFrame({"month": list(months)}))
        sql = _REPEAT_SQL.replace("$same_subset", "true" if same_subset else "false").replace(
            "$lookback", str(int(lookback)))
        out = con.execute(sql).df()
    finally:
        con.close()
    out["repeat_victim"] = out["repeat_victim"].astype(bool)
    out["offences_12m"] = out["offences_12m"].astype(int)
    out["offences_in_month"] = out["offences_in_month"].astype(int)
    return out


def repeat_rates(per_victim: pd.DataFrame, months: list[str], areas: list[str] | None = None) -> pd.DataFrame:
    """month, area, victims, repeat_victims, rate: all districts together and each district (a victim is placed in
    the district of their last offence in the month). Every month × area appears, zero where nobody was recorded."""
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


def repeat_bands(per_victim: pd.DataFrame, cohort_offences: dict[str, int]) -> pd.DataFrame:
    """Repeat victims of each month by offences in their 12 months (bands 2, 3–5, 6–19, 20+) with the offences
    they account for. Asserts that the bands' offences add up to the cohort total counted independently
    (`cohort_offences`, month -> offences, from cohort_offence_totals)."""
    rep = per_victim[per_victim["repeat_victim"]].copy()
    rep["band"] = [band_of(n) for n in rep["offences_12m"]]
    labels = [b[0] for b in BANDS]
    g = rep.groupby(["month", "band"], as_index=False).agg(repeat_victims=("victim_id", "size"),
                                                           offences_12m=("offences_12m", "sum"))
    grid = pd.MultiIndex.from_product([sorted(per_victim["month"].unique()), labels],
                                      names=["month", "band"]).to_frame(index=False)
    g = grid.merge(g, on=["month", "band"], how="left").fillna(0)
    g[["repeat_victims", "offences_12m"]] = g[["repeat_victims", "offences_12m"]].astype(int)
    g["band"] = pd.Categorical(g["band"], labels, ordered=True)
    g = g.sort_values(["month", "band"]).reset_index(drop=True)
    g["band"] = g["band"].astype(str)
    totals = g.groupby("month")["offences_12m"].sum()
    for month, total in totals.items():
        expected = cohort_offences.get(month, 0)
        if int(total) != int(expected):
            raise AssertionError(f"repeat-victim bands for {month} hold {total} offences but the cohort has "
                                 f"{expected}: the bands do not add up")
    return g


def cohort_offence_totals(crimes: pd.DataFrame, per_victim: pd.DataFrame, focus=None, same_subset: bool = True,
                          lookback: int = LOOKBACK_MONTHS) -> dict[str, int]:
    """Offences of each month's repeat-victim cohort in their 12 months, counted straight from the crimes (one
    join of cohort to crimes), as the check on the band table."""
    c = crimes[["crime_ref", "victim_id", "recorded_date"]].copy()
    f = np.ones(len(c), dtype=bool) if focus is None else np.asarray(focus, dtype=bool)
    c = c[f if same_subset else np.ones(len(c), dtype=bool)]
    c = c[c["victim_id"].notna() & (c["victim_id"] != "")]
    cohort = per_victim.loc[per_victim["repeat_victim"], ["month", "victim_id", "last_date"]]
    m = cohort.merge(c, on="victim_id")
    d = pd.to_datetime(m["recorded_date"])
    last = pd.to_datetime(m["last_date"])
    inside = (d <= last) & (d >= last - pd.DateOffset(months=lookback))
    return {k: int(v) for k, v in m[inside.to_numpy()].groupby("month").size().items()}


def persistence(per_victim: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """For each month: repeat victims, how many were also repeat victims the month before, and how many were
    repeat victims in each of the last three months (this one and the two before). Blank (NA) where an earlier
    month is not among `months` (not a reporting month, so not known)."""
    rep = per_victim[per_victim["repeat_victim"]]
    sets = {m: set(v) for m, v in rep.groupby("month")["victim_id"]}
    known = set(months)
    rows = []
    for m in months:
        now, p1, p2 = (sets.get(shift_month(m, -k), set()) for k in (0, 1, 2))
        has1, has2 = shift_month(m, -1) in known, shift_month(m, -2) in known
        rows.append({"month": m, "repeat_victims": len(now), "also_previous_month": len(now & p1) if has1 else None,
                     "each_of_last_3_months": len(now & p1 & p2) if has1 and has2 else None})
    out = pd.DataFrame(rows)
    for c in ("also_previous_month", "each_of_last_3_months"):
        out[c] = out[c].astype("Int64")
    return out


def victims_without_id(crimes: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Crimes per month with no victim_id (no personal victim, or not recorded): not counted in repeat figures."""
    m = month_of(crimes["recorded_date"])
    none = crimes["victim_id"].isna() | (crimes["victim_id"] == "")
    g = pd.DataFrame({"month": m.to_numpy(), "none": none.to_numpy()}).groupby("month")["none"].agg(["size", "sum"])
    g = g.reindex(months, fill_value=0).reset_index()
    return g.rename(columns={"size": "crimes", "sum": "crimes_without_victim_id"})



# --- sentences ----------------------------------------------------------------------------------------------------

def _label(month: str) -> str:
    names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
    y, m = month.split("-")
    return f"{names[int(m) - 1]} {y}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def satisfaction_sentence(table: pd.DataFrame, change: pd.DataFrame, month: str, stage: str = "whole_experience",
                          min_n: int = MIN_N) -> str:
    """The reporting month's satisfaction with one stage, its Wilson interval, and both comparisons as tested."""
    row = table[(table["month"] == month) & (table["stage"] == stage)]
    what = STAGE_LABELS[stage].lower()
    if row.empty or row["n"].iloc[0] == 0:
        return f"No respondent answered the {what} question in {_label(month)}."
    r = row.iloc[0]
    if r["suppressed"]:
        return (f"{r['n']:,} respondents answered the {what} question in {_label(month)}: fewer than {min_n}, so no "
                "rate is published for the month (see the rolling views below).")
    text = (f"In {_label(month)}, {_pct(r['rate'])} of respondents ({r['satisfied']:,} of {r['n']:,}) were satisfied "
            f"with the {what} (Wilson 95% interval {_pct(r['low'])} to {_pct(r['high'])}).")
    c = change[(change["month"] == month) & (change["stage"] == stage)]
    for _, x in c.iterrows():
        then = _label(x["compared_month"])
        base = (f" {_pct(x['rate_then'])} of {x['n_then']:,}" if np.isfinite(x["rate_then"]) else
                f" {x['n_then']:,} respondents")
        text += f" Against {then} ({base.strip()}): {x['judgement']}."
    return text


def repeat_sentence(rates: pd.DataFrame, month: str, noun: str = "victims") -> str:
    """The month's victims and repeat victims, with the previous month and the same month last year as values
    (repeat counts are a full count, not a sample: no test is applied)."""
    f = rates[rates["area"] == ALL_AREAS].set_index("month")
    if month not in f.index or f.loc[month, "victims"] == 0:
        return f"No {noun} were recorded in {_label(month)}."
    r = f.loc[month]
    text = (f"In {_label(month)}, {r['victims']:,} {noun} were recorded; {r['repeat_victims']:,} of them "
            f"({_pct(r['rate'])}) had at least one other offence in the preceding 12 months (repeat victims).")
    then = [(shift_month(month, -k), w) for k, w in ((1, "the month before"), (12, "a year earlier"))]
    parts = [f"{_pct(f.loc[m, 'rate'])} in {_label(m)} ({w})" for m, w in then
             if m in f.index and f.loc[m, "victims"] > 0]
    if parts:
        text += " The rate was " + " and ".join(parts) + "."
    return text
