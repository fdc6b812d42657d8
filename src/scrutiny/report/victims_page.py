"""The victims page: what notebooks/victims.py shows, placed from the tables scrutiny.analyses.victims builds.

Each function is one part of the page (a heading, sentences, a chart, tables); the notebook calls them in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from scrutiny.analyses import victims as v
from scrutiny.reference import months
from scrutiny.report import charts, page
from scrutiny.stats import proportions as pr

PCT = "{:.1%}"


@dataclass
class Victims:
    """Everything the page shows, computed once from the prepared extracts."""

    period: tuple[str, str]
    month: str
    extracted_at: str
    min_n: int
    satisfied_codes: tuple[int, ...]
    long: pd.DataFrame
    monthly: pd.DataFrame
    by_type: pd.DataFrame
    by_district: pd.DataFrame
    change: pd.DataFrame
    change_groups: pd.DataFrame
    rolling: pd.DataFrame
    rolling_type: pd.DataFrame
    funnel: pd.DataFrame
    funnel_months: list[str]
    followup: dict
    repeat_months: list[str]
    repeat: pd.DataFrame
    repeat_subsets: pd.DataFrame
    bands: pd.DataFrame
    persistence: pd.DataFrame
    without_id: pd.DataFrame


def build(work_dir: str, p, period: tuple[str, str]) -> Victims:
    """Read the prepared crimes and survey tables and compute every table of the page."""
    s = p.victims
    crimes = f"{work_dir}/force_crimes.parquet"  # one row per crime: read by DuckDB, never whole into pandas
    facts = v.crimes_facts(crimes)
    survey = pd.read_parquet(f"{work_dir}/victim_survey.parquet")
    span = months.span(*period)
    survey = survey[v.month_of(survey["interview_date"]).isin(span).to_numpy()]
    long = v.answers_long(survey, satisfied=tuple(s.satisfied_codes))
    monthly = v.satisfaction(long, ["month"], s.min_n)
    by_type = v.satisfaction(long, ["survey_type", "month"], s.min_n)
    by_district = v.satisfaction(long, ["district", "month"], s.min_n)
    change = v.changes(monthly, [], [period[1]], s.min_n)
    change_groups = pd.concat([
        v.changes(by_type, ["survey_type"], [period[1]], s.min_n).rename(columns={"survey_type": "group"})
        .assign(level="survey"),
        v.changes(by_district, ["district"], [period[1]], s.min_n).rename(columns={"district": "group"})
        .assign(level="district")], ignore_index=True)
    roll = v.rolling(long, span, [], tuple(s.windows), s.min_n)
    roll_type = v.rolling(long, span, ["survey_type"], tuple(s.windows), s.min_n)
    fmonths = span[-s.funnel_months:]
    rmonths = v.repeat_months(span, facts["first_month"])
    subsets = {v.ALL_VICTIMS: None, "Domestic abuse": "da_flag", "Hate crime": "hate_flag"}
    per = v.repeat_victims(crimes, rmonths, subsets)
    bands = v.repeat_bands(per, v.cohort_offence_totals(per))  # asserts the bands add up, for every subset
    everyone = per[per["subset"] == v.ALL_VICTIMS]
    sub_rates = []
    for name in list(subsets)[1:]:
        r = v.repeat_rates(per[per["subset"] == name], rmonths, areas=[])
        sub_rates.append(r[r["area"] == v.ALL_AREAS].assign(subset=name).drop(columns="area"))
    return Victims(
        period=period, month=period[1], extracted_at=facts["extracted_at"], min_n=s.min_n,
        satisfied_codes=tuple(s.satisfied_codes), long=long, monthly=monthly, by_type=by_type,
        by_district=by_district, change=change, change_groups=change_groups, rolling=roll, rolling_type=roll_type,
        funnel=v.district_funnel(long, fmonths, min_n=s.min_n), funnel_months=fmonths,
        followup=v.followup_models(v.satisfied_wide(survey, satisfied=tuple(s.satisfied_codes)), s.min_n),
        repeat_months=rmonths, repeat=v.repeat_rates(everyone, rmonths), bands=bands,
        repeat_subsets=pd.concat(sub_rates, ignore_index=True)[["month", "subset", "victims", "repeat_victims",
                                                                "rate"]],
        persistence=v.persistence(everyone, rmonths), without_id=v.victims_without_id(crimes, rmonths))


def _hide_rates(df: pd.DataFrame, counts: list[str], rates=("rate", "low", "high")) -> pd.DataFrame:
    """With disclosure.min_count set, blank the rates of rows whose count the pack suppresses (a rate and its base
    would give the count back)."""
    n = page.min_count()
    if not n:
        return df
    out = df.copy()
    small = np.zeros(len(out), dtype=bool)
    for c in counts:
        small |= ((out[c] > 0) & (out[c] < n)).to_numpy()
    for r in rates:
        if r in out.columns:
            out[r] = out[r].astype(float).where(~small)
    return out


def intro(d: Victims, out_dir: str) -> None:
    from scrutiny.analyses import summary

    rows = v.summary_rows(d.monthly, d.change, d.repeat, d.month)  # marked SYNTHETIC by the run when generated
    page.write_table(summary.frame(rows), "victims_summary", out_dir)
    page.para(f"Reporting month: {months.label(d.month)}. Sources: the force's crimes extract (taken on "
              f"{d.extracted_at}) and its victim satisfaction survey (interviews {months.label(d.period[0])} to "
              f"{months.label(d.period[1])}).")


def _stage_table(d: Victims) -> pd.DataFrame:
    m = d.monthly[d.monthly["month"] == d.month].set_index("stage")
    c = d.change.set_index(["stage", "comparison"])
    rows = []
    for st in v.STAGES:
        if st not in m.index:
            continue
        r = m.loc[st]
        rows.append({"stage": v.STAGE_LABELS[st], "respondents": int(r["n"]), "satisfied": r["rate"],
                     "interval_low": r["low"], "interval_high": r["high"],
                     "against previous month": c.loc[(st, "previous month"), "judgement"],
                     "against same month last year": c.loc[(st, "same month last year"), "judgement"]})
    return pd.DataFrame(rows)


def satisfaction(d: Victims, out_dir: str) -> None:
    codes = ", ".join(map(str, d.satisfied_codes))
    page.heading("Victim satisfaction", 2, anchor="victims-satisfaction")
    page.para(v.satisfaction_sentence(d.monthly, d.change, d.month, min_n=d.min_n))
    page.note(f"How satisfaction is counted. Answers are on a 7-point scale (1 completely satisfied to 7 completely "
              f"dissatisfied); 'satisfied' means codes {codes} (the top three points unless the params say "
              f"otherwise). Don't know, refused and blank answers are left out of the base. Months are interview "
              f"months. Intervals are Wilson score 95% intervals (Wilson 1927). A month is compared with the "
              f"month before and the same month a year earlier by a two-sided two-proportion z-test with a pooled "
              f"proportion, or Fisher's exact test when an expected cell count is below 5; 'significant' means "
              f"p < 0.05 and 'no significant change' is written only when the test ran and p ≥ 0.05. No rate is "
              f"published for fewer than {d.min_n} responses (params victims.min_n); those cells are blank and "
              f"not compared.")
    page.chart(satisfaction_chart(_hide_rates(d.monthly, ["satisfied"]).assign(
                   suppressed=lambda x: x["suppressed"] | x["rate"].isna()),
                   "Satisfied with the whole experience and with follow-up, by month"),
               "Monthly share satisfied with the whole experience and with follow-up, with Wilson 95% intervals; "
               "values in tables/victims_satisfaction_monthly.csv.")
    page.table(_stage_table(d), "victims_satisfaction_stages", out_dir,
               formats={c: PCT for c in ("satisfied", "interval_low", "interval_high")},
               caption=f"Each service stage in {months.label(d.month)}, with the tests against earlier months.")
    page.para(v.group_changes_sentence(d.change_groups) + " Every comparison: "
              "tables/victims_satisfaction_change_groups.csv.")
    page.write_table(_hide_rates(d.monthly, ["satisfied"]), "victims_satisfaction_monthly", out_dir)
    page.write_table(d.change, "victims_satisfaction_change", out_dir)
    page.write_table(d.change_groups, "victims_satisfaction_change_groups", out_dir)
    page.write_table(_hide_rates(d.by_type, ["satisfied"]), "victims_satisfaction_by_survey", out_dir)
    page.write_table(_hide_rates(d.by_district, ["satisfied"]), "victims_satisfaction_by_district", out_dir)


def _rolling_view(roll: pd.DataFrame, month: str, by: list[str], stage: str = "whole_experience") -> pd.DataFrame:
    wide = v.rolling_side_by_side(roll[roll["stage"] == stage], month, by).drop(columns="stage")
    names = {}
    for c in wide.columns:
        if c.startswith(("rate_", "n_")):
            k = int(c.split("_")[1][:-1])
            span = "1 month" if k == 1 else f"{k} months"
            names[c] = f"satisfied, {span}" if c.startswith("rate_") else f"responses, {span}"
    return wide.rename(columns=names)


def rolling(d: Victims, out_dir: str) -> None:
    page.heading("Small samples: one month against 3, 6 and 12 months pooled", 3, anchor="victims-rolling")
    page.para("The domestic abuse and hate crime surveys interview few victims a month, so one month's rate moves a "
              "long way by chance alone. Pooling the last 3, 6 or 12 months of interviews (every response counted "
              "once) narrows the interval at the cost of reacting later to a real change. The windows are shown side "
              "by side so a reader can see how much the headline depends on the window chosen.")
    view = _rolling_view(d.rolling_type, d.month, ["survey_type"])
    everyone = _rolling_view(d.rolling, d.month, []).assign(survey_type="all surveys")
    view = pd.concat([everyone, view], ignore_index=True).rename(columns={"survey_type": "survey"})
    view = view[["survey"] + [c for c in view.columns if c != "survey"]]
    page.table(view, "victims_satisfaction_rolling", out_dir,
               formats={c: PCT for c in view.columns if c.startswith("satisfied")},
               caption=f"Satisfied with the whole experience, pooled over windows ending {months.label(d.month)}. "
                       f"A rate is blank below {d.min_n} responses.")
    page.write_table(_hide_rates(d.rolling_type, ["satisfied"]), "victims_satisfaction_rolling_all", out_dir,
                     counts=["n", "satisfied"])


def districts(d: Victims, out_dir: str) -> None:
    page.heading("Districts", 3, anchor="victims-districts")
    f = d.funnel
    span = f"{months.label(d.funnel_months[0])} to {months.label(d.funnel_months[-1])}"
    outside = f[f["position"].str.contains("99.8% limit")]
    page.para(f"Satisfaction with the whole experience by district, {span} pooled, against the force rate of "
              f"{f['force_rate'].iloc[0]:.1%}. " + (
                  "Outside the 99.8% limits: " + "; ".join(f"{r.district} ({r.rate:.1%} of {r.n:,}, {r.position})"
                                                             for r in outside.itertuples()) + "."
                  if len(outside) else "No district lies outside the 99.8% limits."))
    page.note("Funnel limits: force rate ± z·√(p(1−p)/n) at each district's number of responses, z = 1.96 (95%) and "
              "3.09 (99.8%) (Spiegelhalter 2005). With six districts the chance that at least one lies outside the 95% "
              "limits by chance alone is about one in four (1 − 0.95⁶), so only the 99.8% limits are treated as a "
              "signal.")
    page.chart(funnel_chart(f, f"Districts: satisfied with the whole experience, {span}"),
               "Funnel plot of district satisfaction rates against responses; values in tables/victims_funnel.csv.")
    m = _hide_rates(d.by_district[(d.by_district["month"] == d.month)
                                  & (d.by_district["stage"] == "whole_experience")], ["satisfied"])
    page.table(m[["district", "n", "satisfied", "rate", "low", "high"]].rename(columns={"n": "respondents"}),
               None, None, formats={c: PCT for c in ("rate", "low", "high")},
               caption=f"Whole experience by district in {months.label(d.month)} alone, with Wilson 95% intervals "
                       f"(low, high); blank below {d.min_n} responses. Every month and stage in "
                       f"tables/victims_satisfaction_by_district.csv.")
    page.table(f[["district", "n", "satisfied", "rate", "low95", "high95", "low998", "high998", "position"]]
               .rename(columns={"n": "respondents"}),
               "victims_funnel", out_dir, formats={c: PCT for c in ("rate", "low95", "high95", "low998", "high998")})


def followup(d: Victims, out_dir: str) -> None:
    page.heading("Does follow-up drive satisfaction with the whole experience?", 2, anchor="victims-followup")
    page.para(v.followup_sentence(d.followup))
    coef = d.followup["coefficients"]
    page.table(coef, "victims_followup_model", out_dir, decimals=2,
               caption="Logistic regressions of whole-experience satisfied (1/0) on each stage satisfied (1/0); "
                       "odds ratios with Wald 95% intervals (low, high). The crime type rows compare with Burglary.")
    page.write_table(d.followup["monthly"], "victims_followup_monthly", out_dir)


def repeat(d: Victims, out_dir: str) -> None:
    page.heading("Repeat victims", 2, anchor="victims-repeat")
    page.para(v.repeat_sentence(d.repeat, d.month))
    skipped = d.without_id[d.without_id["month"] == d.month]
    none = int(skipped["crimes_without_victim_id"].iloc[0]) if len(skipped) else 0
    page.note(f"Definition (as the force publishes it): a victim recorded in the reporting month who has had at "
              f"least one other offence in the preceding 12 months. Exactly: one of the victim's offences recorded "
              f"in the month, on day d, has another offence of the same victim (a different crime reference) "
              f"recorded from d minus 12 calendar months to d, both days included; a second offence on the same day "
              f"counts. Victims are matched by the pseudonymised victim id; crimes with no victim id "
              f"({page.count(none)} in {months.label(d.month)}) are nobody's and are not counted. Months are "
              f"reported from {months.label(d.repeat_months[0])}, the first with 12 months of crimes before it. A "
              f"victim is placed in the district of their last offence in the month. These are full counts, not a "
              f"sample: no significance test is applied, and the page states values rather than judging them.")
    hidden = ["victims", "repeat_victims"]
    page.chart(repeat_chart(_hide_rates(d.repeat, hidden), _hide_rates(d.repeat_subsets, hidden),
                            "Share of the month's victims who are repeat victims"),
               "Monthly repeat-victim rate for all victims and the domestic abuse and hate crime subsets; values in "
               "tables/victims_repeat.csv and tables/victims_repeat_subsets.csv.")
    page.write_table(_hide_rates(d.repeat, ["victims", "repeat_victims"]), "victims_repeat", out_dir)
    now = _hide_rates(d.repeat[d.repeat["month"] == d.month].drop(columns="month"), ["victims", "repeat_victims"])
    page.table(now, None, None, formats={"rate": PCT},
               caption=f"Victims and repeat victims by district, {months.label(d.month)}; every month in "
                       f"tables/victims_repeat.csv.")
    page.heading("Domestic abuse and hate crime", 3)
    page.para("Repeat victims of domestic abuse and of hate crime. Here a repeat victim of domestic abuse is a victim "
              "of a domestic abuse offence in the month with another domestic abuse offence in the preceding 12 "
              "months; the same for hate crime.")
    subsets = _hide_rates(d.repeat_subsets, ["victims", "repeat_victims"])
    sub = subsets[subsets["month"].isin(months.span(months.shift(d.month, -5), d.month))]
    page.table(sub, "victims_repeat_subsets", out_dir, formats={"rate": PCT},
               caption="The last six months; every month in tables/victims_repeat_subsets.csv.")
    page.write_table(subsets, "victims_repeat_subsets", out_dir)
    page.heading("How many offences repeat victims suffer", 3)
    b = d.bands[(d.bands["month"] == d.month) & (d.bands["subset"] == v.ALL_VICTIMS)].drop(columns=["month",
                                                                                                      "subset"])
    page.para(f"The {int(b['repeat_victims'].sum()):,} repeat victims of {months.label(d.month)} by their offences in "
              f"the 12 months up to their last offence in the month; the bands' offences add up to the cohort's "
              f"{int(b['offences_12m'].sum()):,} (checked).")
    page.table(b, "victims_repeat_bands", out_dir)
    page.write_table(d.bands, "victims_repeat_bands_all", out_dir)
    page.heading("Persistence", 3)
    per = d.persistence.tail(6)
    page.table(per, "victims_repeat_persistence", out_dir,
               caption="Repeat victims of each month who were also repeat victims the month before, and in each of "
                       "the last three months. Blank where an earlier month is before the first reporting month.")


# --- charts ---------------------------------------------------------------------------------------------------------

def satisfaction_chart(monthly: pd.DataFrame, title: str, width: int = 640, height: int = 240) -> alt.LayerChart:
    """Monthly rate of two stages with Wilson intervals as bands; suppressed months are not drawn."""
    names = {"whole_experience": "Whole experience", "follow_up": "Follow-up"}
    d = monthly[monthly["stage"].isin(names) & ~monthly["suppressed"]].copy()
    d["series"] = d["stage"].map(names)
    xs = sorted(monthly["month"].unique())
    d["i"] = d["month"].map({m: i for i, m in enumerate(xs)})
    x = alt.X("i:Q", scale=alt.Scale(domain=[0, len(xs) - 1], nice=False),
              axis=charts.month_axis(xs, "Interview month"))
    colour = alt.Color("series:N", title=None, sort=list(names.values()),
                       scale=alt.Scale(domain=list(names.values()), range=charts.SERIES[:2]),
                       legend=alt.Legend(orient="bottom"))
    band = alt.Chart(d).mark_area(opacity=0.18).encode(x=x, y=alt.Y("low:Q", axis=alt.Axis(format="%"),
                                                                      scale=alt.Scale(domain=[0, 1]),
                                                                      title="Satisfied"),
                                                         y2="high:Q", color=colour)
    line = alt.Chart(d).mark_line(point=True).encode(x=x, y="rate:Q", color=colour,
                                                     tooltip=["month:N", "series:N", "rate:Q", "n:Q"])
    return alt.layer(band, line).properties(title=title, width=width, height=height)


def repeat_chart(rates: pd.DataFrame, subsets: pd.DataFrame, title: str, width: int = 640,
                 height: int = 220) -> alt.Chart:
    """Monthly repeat-victim rate of all victims and of each subset, on a month axis."""
    force = rates[rates["area"] == v.ALL_AREAS].assign(series=v.ALL_VICTIMS)[["month", "series", "rate"]]
    subs = subsets.rename(columns={"subset": "series"})[["month", "series", "rate"]]
    d = pd.concat([force, subs], ignore_index=True).dropna(subset=["rate"])
    xs = sorted(rates["month"].unique())
    d["i"] = d["month"].map({m: i for i, m in enumerate(xs)})
    names = list(dict.fromkeys(d["series"]))
    return alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("i:Q", scale=alt.Scale(domain=[0, len(xs) - 1], nice=False),
                axis=charts.month_axis(xs, "Month recorded")),
        y=alt.Y("rate:Q", title="Repeat victims", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=charts.SERIES[:len(names)]),
                        legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("series:N", sort=names, scale=alt.Scale(domain=names, range=charts.LINE_SHAPES[:len(names)]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["month:N", "series:N", "rate:Q"],
    ).properties(title=title, width=width, height=height)


def funnel_chart(f: pd.DataFrame, title: str, width: int = 560, height: int = 300) -> alt.LayerChart:
    """Districts' rates against their responses, with 95% (dashed) and 99.8% (solid) limits around the force rate."""
    p0 = float(f["force_rate"].iloc[0])
    n = np.unique(np.linspace(max(30, f["n"].min() * 0.7), f["n"].max() * 1.2, 60).round())
    lines = []
    for z, lab in ((pr.Z95, "95% limits"), (pr.Z998, "99.8% limits")):
        lo, hi = pr.funnel_limits(p0, n, z)
        lines += [pd.DataFrame({"n": n, "rate": lo, "limits": lab, "side": "low"}),
                  pd.DataFrame({"n": n, "rate": hi, "limits": lab, "side": "high"})]
    ld = pd.concat(lines, ignore_index=True)
    ld["line"] = ld["limits"] + ld["side"]
    x = alt.X("n:Q", title="Responses")
    pts = f[f["n"] > 0]
    lo = float(min(pts["rate"].min(), ld["rate"].min())) if len(pts) else 0.0
    hi = float(max(pts["rate"].max(), ld["rate"].max())) if len(pts) else 1.0
    y = alt.Y("rate:Q", title="Satisfied", axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[max(0.0, lo - 0.02), min(1.0, hi + 0.02)], nice=False))
    limits = alt.Chart(ld).mark_line(color=charts.PALETTE["grey"], strokeWidth=1.2, clip=True).encode(
        x=x, y=y, detail="line:N", strokeDash=alt.StrokeDash("limits:N", title=None, scale=alt.Scale(
            domain=["95% limits", "99.8% limits"], range=[[5, 3], [1, 0]]), legend=alt.Legend(orient="bottom")))
    target = alt.Chart(pd.DataFrame({"rate": [p0]})).mark_rule(color=charts.PALETTE["black"]).encode(y=y)
    dots = alt.Chart(pts).mark_circle(size=60, color=charts.PALETTE["blue"], opacity=1).encode(x=x, y=y)
    labels = alt.Chart(pts).mark_text(align="left", dx=6, fontSize=10).encode(x=x, y=y, text="district:N")
    return alt.layer(limits, target, dots, labels).properties(title=title, width=width, height=height)
