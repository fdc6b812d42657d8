# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Crime outcomes

# %% tags=["parameters"]
params_file = ""  # the pack's params YAML
work_dir = ""     # prepared tables written by the validation step
out_dir = ""      # the pack folder being built

# %%
import pandas as pd

from scrutiny import charts, ho_outcomes, months, nb, outcomes, params

p, period = nb.start(params_file)
po = p.outcomes
k = po.follow_up_months
data_end = period[1]
cats = outcomes.load_categories(params.paths.resolve(po.categories))
street = pd.read_parquet(f"{work_dir}/police_uk_street.parquet",
                         columns=["crime_id", "month", "crime_type", "last_outcome", "source_file", "source_row"])
outs = pd.read_parquet(f"{work_dir}/police_uk_outcomes.parquet", columns=["crime_id", "month", "outcome_type"])
linked, link_counts = outcomes.link(street, outs, cats, data_end, po.same_period_window)
cohort = outcomes.cohort(linked, k)
rated = outcomes.with_rates(cohort)
quarters = outcomes.quarters(cohort)
groups = outcomes.group_shares(linked, outs, cats)
km, medians = outcomes.time_to_outcome(linked)
head = outcomes.headline(cohort, k, data_end)
med_all = medians.loc[medians["crime_type"] == outcomes.ALL_CRIME, "median_months"].iloc[0]
med_all = None if pd.isna(med_all) else int(med_all)
# the cohort counts in exactly the columns; every other column is in tables/outcomes_cohort_rates.csv
nb.write_table(cohort[["crime_type", "recorded_month", "crimes", "rows_as_published", "outcomed_by_window_end",
                       "first_outcome_within_k", "charged_within_k"]], "outcomes_cohort", out_dir)
nb.write_table(outcomes.summary_rows(head, med_all), "outcomes_summary", out_dir)
window_words = {"month": "the month of recording", "quarter": "the financial quarter of recording (Q1 = April–June, "
                "Q2 = July–September, Q3 = October–December, Q4 = January–March)", "financial_year": "the financial year of recording "
                "(April to March)"}[po.same_period_window]

# %%
nb.para(f"Source: data.police.uk street files (the crimes, one row per crime with a Crime ID; anti-social "
        f"behaviour has none and is not included) and outcomes files (one row per outcome assigned to a Crime ID, "
        f"in the month it was assigned) for {p.pack.force}, {months.label(period[0])} to {months.label(data_end)}. "
        f"Outcomes are known up to {months.label(data_end)} (the data end).")
nb.note(outcomes.coverage_sentence(outcomes.first_month_coverage(street, outs, period[0])))
nb.note(f"Definitions. First outcome = the earliest month in the outcomes files for that Crime ID. Same-period "
        f"rate = crimes with a first outcome by the end of {window_words} ÷ crimes recorded (the basis forces and "
        f"the Home Office publish: recent months look worse only because they have had less time). Fixed "
        f"follow-up rate = crimes with a first outcome within {k} months (by the end of the calendar month "
        f"{k} months after the month of recording) ÷ crimes recorded; shown only for months with {k} months of follow-up before the "
        f"data end, so every month shown had the same time. Charged = an outcome category mapped to Home Office "
        f"type 1 (charged/summonsed) in data/reference/outcome_categories.csv. Intervals: Wilson score 95%.")
nb.note("The police.uk → Home Office mapping (outcome type, group, charged and evidential-difficulty flags) is "
        "analyst-defined: data.police.uk publishes no official crosswalk. The table is at the end of this page.")
c = link_counts
nb.para(f"Linkage: {nb.count(c['outcome_rows'])} outcome rows for {nb.count(c['outcome_crime_ids'])} Crime IDs. "
        f"{nb.count(c['unmatched_rows'])} outcome rows ({nb.count(c['unmatched_crime_ids'])} Crime IDs) have no "
        f"street record in the analysed months: they are counted here and left out of the rates, because their "
        f"month of recording is unknown. A crime is a distinct Crime ID within its recording month: the street files "
        f"have {nb.count(c['rows_as_published'])} rows with a Crime ID as published, of which "
        f"{nb.count(c['repeat_rows_within_month'])} repeat a Crime ID already in the same month's file and are not "
        f"counted again (where the repeats differ, the row that appears last in the file is kept; "
        f"tables/outcomes_cohort.csv gives crimes and rows_as_published for every type and month); "
        f"{nb.count(c['crime_ids_in_several_months'])} Crime IDs appear in more than one month and count once in "
        f"each; "
        f"{nb.count(c['before_recording_rows'])} crimes have a first outcome dated before their recorded month "
        f"(treated as lag 0).")
nb.write_table(pd.DataFrame([link_counts]), "outcomes_linkage", out_dir)

# %%
nb.heading("Outcome rates: same period and fixed follow-up", 2, anchor="cohort")
for s in outcomes.headline_sentences(head):
    nb.para(s)
allc = rated[rated["crime_type"] == outcomes.ALL_CRIME]
nb.chart(charts.rate_lines(allc, "recorded_month", {
    "same_period_rate": "same-period rate", "fixed_k_rate": f"outcome within {k} months",
    "charged_k_rate": f"charged within {k} months"}, f"All crime, {p.pack.force}: outcome rates by month of recording"),
    f"Line chart by month of recording of the same-period outcome rate, the {k}-month fixed follow-up outcome "
    f"rate and the {k}-month charge rate; values in the table below and tables/outcomes_cohort_rates.csv.")
nb.para("The saw-tooth in the same-period line is the window itself: crimes recorded in the first month of a "
        "quarter have up to two more months to be outcomed by the quarter end than crimes recorded in its last "
        "month. The fixed follow-up line gives every month the same time.")
nb.note("Caution on older months: data.police.uk re-issues its files, and a crime whose outcome was later changed "
        "may carry only its later outcome row (only "
        f"{nb.count(int((outs.groupby('crime_id').size() > 1).sum()))} Crime IDs here have more than one outcome "
        "row). Its first outcome is then dated late, and older recording months have had more time for such "
        "changes, so their fixed follow-up rate may be understated. Treat the rise over the earliest months with care.")
qt = quarters.rename(columns={"same_period_rate": "same-period rate",
                              "fixed_k_rate": f"outcome within {k} months (rate)",
                              "charged_k_rate": f"charged within {k} months (rate)",
                              "first_outcome_within_k": f"outcome within {k} months",
                              "charged_within_k": f"charged within {k} months",
                              "outcomed_by_window_end": "outcomed by window end",
                              "outcomed_by_data_end": "outcomed by data end",
                              "complete": f"{k} months follow-up"})
nb.table(qt, "outcomes_quarters", out_dir, caption=f"All crime by financial quarter of recording (Q1 = April–June). Rates are "
         f"shares of crimes recorded; the fixed {k}-month columns are empty for quarters without {k} months of "
         f"follow-up for every month.", formats={"same-period rate": "{:.1%}",
                                                  f"outcome within {k} months (rate)": "{:.1%}",
                                                  f"charged within {k} months (rate)": "{:.1%}"})
nb.write_table(rated, "outcomes_cohort_rates", out_dir)
lc = head["last"]["month"] if head["last"] else None
if lc:
    bytype = rated[rated["recorded_month"] == lc][["crime_type", "crimes", "first_outcome_within_k", "fixed_k_rate",
                                                     "fixed_k_lower", "fixed_k_upper", "charged_within_k",
                                                     "charged_k_rate"]]
    nb.table(bytype, "outcomes_by_type", out_dir, caption=f"Crimes recorded in {months.label(lc)} by police.uk "
             f"crime type: outcome and charge within {k} months (95% Wilson interval). Every month and type: "
             f"tables/outcomes_cohort.csv.", formats={c_: "{:.1%}" for c_ in
                                                      ("fixed_k_rate", "fixed_k_lower", "fixed_k_upper",
                                                       "charged_k_rate")})

# %%
nb.heading("Outcome groups among outcomed crimes", 2, anchor="groups")
nb.para(f"Each crime outcomed by the end of {window_words} counts once, in the group of its latest outcome by "
        f"then (Home Office outcome groups through the analyst-defined mapping). Shares are of outcomed crimes.")
piv = outcomes.group_shares_by_quarter(groups)
nb.table(piv, caption="All crime: share of each outcome group among crimes outcomed by the window end, by "
         "financial quarter of recording (Q1 = April–June). Every crime type and month: tables/outcomes_groups.csv.", formats={c_: "{:.1%}" for c_ in piv.columns if c_ != "outcome_group"})
nb.write_table(groups, "outcomes_groups", out_dir)

# %%
nb.heading("Time to first outcome", 2, anchor="time-to-outcome")
nb.note("Kaplan–Meier estimate (Kaplan & Meier 1958) on whole months since the month of recording: a crime with "
        "no outcome yet is censored at the data end (counted as at risk up to the months it has been followed). "
        "Cumulative share = 1 − Π(1 − outcomes at lag j ÷ crimes still at risk at lag j). Median = the first lag "
        "at which the cumulative share reaches 50%.")
ka = km[km["crime_type"] == outcomes.ALL_CRIME]
nb.chart(charts.step_curve(ka, "lag", "cumulative_share", f"All crime, {p.pack.force}: share with a first outcome",
                           "months since the month of recording", "cumulative share outcomed"),
         "Step curve of the cumulative share of crimes with a first outcome by months since recording; values in "
         "tables/outcomes_km.csv.")
nb.table(medians.rename(columns={"median_months": "median (months)", "by_lag_0": "same month",
                                 "by_lag_1": "by 1 month", "by_lag_3": "by 3 months", "by_lag_6": "by 6 months",
                                 "by_lag_12": "by 12 months"}), "outcomes_time_to_outcome", out_dir,
         caption="Cumulative share with a first outcome (Kaplan–Meier) by months since recording, per crime type.",
         formats={c_: "{:.1%}" for c_ in ("same month", "by 1 month", "by 3 months", "by 6 months",
                                            "by 12 months")})
nb.write_table(km, "outcomes_km", out_dir)

# %%
nb.heading("Outcome mix: like for like at a fixed follow-up", 2, anchor="mix")
ff = outcomes.fixed_followup_months(data_end, k, period[0])
if ff is None:
    nb.para(f"The period holds no three recording months with {k} months of follow-up whose same months a year "
            f"earlier are also in the period: no like-for-like comparison of the outcome mix.")
else:
    fnow, fbefore = ff
    fmix = outcomes.mix_fixed_followup(linked, outs, cats, k, fnow, fbefore)
    nb.write_table(outcomes.findings(fmix, k, months.period_label(fnow[0], fnow[-1]),
                                     months.period_label(fbefore[0], fbefore[-1])), "outcomes_findings", out_dir,
                   counts=[])
    m_tests, thr = fmix.attrs["tests"], fmix.attrs["threshold"]
    n_sig = int(fmix["judgement"].str.startswith("significant").sum())
    nb.para(f"Each crime recorded {months.label(fnow[0])} to {months.label(fnow[-1])} (the latest three months "
            f"with {k} months of follow-up) and {months.label(fbefore[0])} to {months.label(fbefore[-1])} (the same "
            f"months a year earlier) counts once, in the category of its latest police.uk outcome within {k} months "
            f"of its recording month, or '{outcomes.NO_OUTCOME.format(k=k)}'. Both groups have had the same "
            f"{k} months, so "
            f"the comparison is like for like. {n_sig} of the {m_tests} categories tested changed significantly "
            f"(p < {thr:.2g}, Bonferroni); with {m_tests} tests at that level, chance alone would flag about "
            f"{m_tests * thr:.2f} of them (at p < 0.05 without the correction, about {0.05 * m_tests:.1f}).")
    nb.note(f"Test per category: two-sided two-proportion z-test (pooled standard error; statistic z), or "
            f"Fisher's exact test (statistic: the sample odds ratio) when an expected cell is below 5; the 'test' "
            f"and 'statistic name' columns say which was used on each row. With {m_tests} categories tested, "
            f"'significant' means p < 0.05/{m_tests} = {thr:.4f} (Bonferroni).")
    nb.table(fmix.rename(columns={"outcome_within_k": f"latest outcome within {k} months",
                                  "crimes_now": "crimes (now)", "share_now": "share (now)",
                                  "crimes_before": "crimes (year before)", "share_before": "share (year before)",
                                  "change_pp": "change (points)", "statistic_name": "statistic name",
                                  "p_value": "p"}),
             "outcomes_mix_fixed_followup", out_dir,
             formats={"share (now)": "{:.1%}", "share (year before)": "{:.1%}", "change (points)": "{:+.1f}",
                      "statistic": "{:.3g}"})

nb.heading("Last outcome mix as published: reporting quarter and the same quarter last year", 3)
now = months.span(months.shift(data_end, -2), data_end)
before = [months.shift(m_, -12) for m_ in now]
if before[0] < period[0]:
    nb.para("The period holds no full quarter a year before the reporting quarter: no comparison.")
else:
    mix = outcomes.mix_compare(street, now, before)
    nb.note(f"police.uk 'Last outcome category' in the street files, for crimes recorded {months.label(now[0])} to "
            f"{months.label(now[-1])} and {months.label(before[0])} to {months.label(before[-1])}. Descriptive "
            f"only, with no test: the last outcome is the status when the file was produced, so the later quarter "
            f"has had a year less to reach an outcome and the two are not like for like (the section above is).")
    nb.table(mix.rename(columns={"last_outcome_category": "last outcome category", "crimes_now": "crimes (now)",
                                 "share_now": "share (now)", "crimes_before": "crimes (year before)",
                                 "share_before": "share (year before)", "change_pp": "change (points)"}),
             "outcomes_mix", out_dir, formats={"share (now)": "{:.1%}", "share (year before)": "{:.1%}",
                                               "change (points)": "{:+.1f}"})

# %%
nb.heading("Home Office outcomes open data: force vs England and Wales", 2, anchor="home-office")
if "ho_outcomes" not in p.inputs:
    nb.para("No Home Office outcomes file is configured for this pack (inputs: ho_outcomes), so this section is "
            "not computed. The adapter, its contract (data_contracts/ho_outcomes.v1.json) and this section are "
            "tested on an illustrative fixture (data/sample/ho_outcomes/).")
else:
    ho = pd.read_parquet(f"{work_dir}/ho_outcomes.parquet")
    fixture = bool(ho["fixture"].any())
    if fixture:
        nb.banner("ILLUSTRATIVE FIXTURE — not real data. Every Home Office figure in this section comes from an "
                  "invented test file (data/sample/ho_outcomes/), not from the Home Office.")
    hs = po.ho_outcomes
    force = hs.force or ho_outcomes.ho_force_name(p.pack.force)
    basis = "count_recorded" if hs.basis == "recorded" else "count_closed"
    years = ", ".join(sorted(ho["financial_year"].dropna().unique()))
    sm = ho_outcomes.summary(ho, force, basis)
    if fixture:
        sm.insert(0, "data", "ILLUSTRATIVE FIXTURE - not real data")
    neg = int(((ho["count_recorded"] < 0).fillna(False) | (ho["count_closed"] < 0).fillna(False)).sum())
    nb.note(f"Financial year(s) {years}; {hs.basis} basis ('outcomes for offences "
            f"{'recorded' if hs.basis == 'recorded' else 'closed'} in the quarter'). Charge/summons rate = type 1 ÷ "
            f"offences recorded, where offences recorded = outcomes assigned (types 1–22) + not yet assigned "
            f"(type 0). Evidential difficulties (types 14, 15, 16) and Outcome 16 are shares of outcomes assigned. "
            f"Type 0 is never counted as an outcome; 1A/2A/3A ('of which', alternate offence) are never added to "
            f"types 1/2/3. England and Wales = every force row in the file. {neg} row(s) carry a negative count "
            f"(kept as published; flagged on the data-quality page). Descriptive only: no test is applied.")
    nb.table(sm, "outcomes_ho_summary", out_dir, caption=("ILLUSTRATIVE FIXTURE, not real data. " if fixture else "") +
             f"{force} vs England and Wales by offence group.",
             formats={c_: "{:.1%}" for c_ in ("charge_rate", "evidential_share", "outcome16_share",
                                               "not_yet_assigned_share")})
    ow = ho_outcomes.of_which_rows(ho, force, basis)
    nb.table(ow, "outcomes_ho_of_which", out_dir, caption="'Of which' rows for the force, shown beside their "
             "parent type and never added to it.")

# %%
nb.heading("Outcome categories and their mapping", 2, anchor="categories")
nb.para("police.uk outcome categories → Home Office outcome type(s) → Home Office outcome group, with the flags "
        "used above. The police.uk mapping is analyst-defined (basis column); Home Office type → group rows are "
        "'official' only where the Home Office states the membership. Source notes: "
        "data/reference/PROVENANCE.md.")
nb.table(cats, "outcomes_categories", out_dir, max_rows=80)
