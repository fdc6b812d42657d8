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
# # Stop and search

# %% tags=["parameters"]
params_file = ""  # the pack's params YAML
work_dir = ""     # prepared tables written by the validation step
out_dir = ""      # the pack folder being built

# %%
import pandas as pd

from scrutiny import charts, months, nb, spc, stopsearch

p, period = nb.start(params_file)
ss = p.stop_search
MIN = ss.min_count
raw = stopsearch.load(f"{work_dir}/police_uk_stop_search.parquet")
df, info = stopsearch.period_split(raw, period)
q = stopsearch.quarters(period, period)
n_months = len(months.span(*period))
census = pd.read_csv(stopsearch.census_table(ss.census_year))
pfa = stopsearch.find_pfa(census, p.pack.force, ss.pfa_code)
PCT = stopsearch.PCT_FORMATS

# %%
nb.para(stopsearch.intro_sentence(period, q["reporting"], p.pack.force, len(df), nb.min_count()))
nb.note(stopsearch.month_note(info, nb.min_count()))
nb.note(stopsearch.method_note(q, MIN))

# %%
volume = stopsearch.monthly_volume(df, period)
x = spc.xmr(volume["value"].to_numpy(), baseline=p.spc.baseline_months, rules=p.spc.rules, improvement="neutral",
            counts=True)
x.insert(0, "month", volume["month"].to_numpy())
nb.write_table(x, "stop_search_spc", out_dir)
rates_t = stopsearch.rates_table(df, period, q, MIN)
nb.write_table(rates_t, "stop_search_rates", out_dir)
disp = stopsearch.disproportionality(df, pfa, MIN)
nb.write_table(stopsearch.findings(disp, f"{months.label(period[0])} to {months.label(period[1])}"),
               "stop_search_findings", out_dir, counts=[])
summary = stopsearch.summary_rows(df, period, q, x, rates_t, disp, ss.census_year, MIN, nb.min_count())
nb.write_table(summary, "stop_search_summary", out_dir)
nb.heading("Summary", 2)
nb.table(summary[["topic", "data", "commentary"]].rename(columns=str.capitalize))

# %%
nb.heading("How many searches", 2, anchor="ss-volume")
nb.para(stopsearch.volume_sentence(df, q, nb.min_count()))
nb.note(stopsearch.xmr_note(x, n_months, p.spc.baseline_months, spc.rule_set(p.spc.rules).description))
nb.chart(charts.xmr_chart(x, f"Stop and searches: {p.pack.force}, monthly (XmR)", y_title="Searches per month"),
         "XmR chart of monthly stop and searches; values are in tables/stop_search_spc.csv.")
nb.table(stopsearch.monthly_table(x), "stop_search_monthly", out_dir)

by_leg = stopsearch.breakdown(df, "legislation_group", stopsearch.LEGISLATION_ORDER, MIN)
nb.heading("By power (legislation)", 3)
nb.para(f"Counts are shown in full; the recorded-field find rate is left blank (find_suppressed) where fewer than "
        f"{MIN} searches have the find field recorded, the find rate over all searches and the arrest rate "
        f"(arrest_suppressed) where there are fewer than {MIN} searches.")
nb.table(by_leg, "stop_search_legislation", out_dir, formats=PCT,
         caption="PACE s1: Police and Criminal Evidence Act 1984 section 1; s23: Misuse of Drugs Act 1971; s60: "
                 "Criminal Justice and Public Order Act 1994 (no suspicion needed); s47: Firearms Act 1968; other "
                 "powers listed in tables/stop_search_legislation_detail.csv.")
nb.write_table(stopsearch.legislation_detail(df), "stop_search_legislation_detail", out_dir)
by_obj = stopsearch.breakdown(df, "object_of_search", None, MIN)
nb.heading("By object of search", 3)
nb.table(by_obj, "stop_search_object", out_dir, formats=PCT)

# %%
nb.heading("Find, arrest and no further action", 2, anchor="ss-find_rate")
nb.para(stopsearch.find_paragraph(df, rates_t, MIN, nb.min_count()))
for s in stopsearch.comparison_sentences(rates_t, q):
    nb.para(s)
if q["comparison"] and (tests_note := stopsearch.multiple_tests_note(rates_t)):
    nb.note(tests_note)
nb.table(rates_t.copy(), "stop_search_rates", out_dir, formats={c: "{:.1%}" for c in rates_t.columns
                                                                if c.endswith(("_rate", "_ci_low", "_ci_high"))},
         caption="count = searches meeting the measure, n = its denominator (find rate (all searches), arrest and "
                 "NFA: all searches; find rate (field recorded) and strip search: searches with the field "
                 "recorded). test names the test behind pvalue; significant = p < 0.05.")
nb.table(stopsearch.field_recorded_by_outcome(df), "stop_search_find_field_by_outcome", out_dir,
         formats={"share_recorded": "{:.1%}"},
         caption="How often 'Outcome linked to object of search' is filled in, by search outcome: the direction of "
                 "the recorded-field find rate's bias.")

# %%
nb.heading("By age range and gender", 2, anchor="ss-age-gender")
by_age = stopsearch.breakdown(df, "age_range", ["under 10", "10-17", "18-24", "25-34", "over 34", "Not recorded"], MIN)
nb.table(by_age, "stop_search_age", out_dir, formats=PCT)
by_gender = stopsearch.breakdown(df, "gender", ["Male", "Female", "Other", "Not recorded"], MIN)
nb.table(by_gender, "stop_search_gender", out_dir, formats=PCT)

# %%
nb.heading("Who is searched relative to the population", 2, anchor="ss-disproportionality")
cov = stopsearch.ethnicity_coverage(df)
nb.para(stopsearch.population_paragraph(cov, pfa, n_months, ss.census_year))
nb.note(stopsearch.mapping_note(ss.census_year))
nb.table(disp, "stop_search_disproportionality", out_dir, decimals=2,
         caption=f"ratio_to_white with its 95% interval (ci_low, ci_high); White is the reference (ratio 1). "
                 f"suppressed = fewer than {MIN} searches (count, rate and ratio left blank).")
ch = charts.rate_ratio_chart(disp, f"Search rate relative to White, {p.pack.force}")
if ch is not None:
    nb.chart(ch, "Rate ratios to White with 95% intervals by ethnic group; values in "
                 "tables/stop_search_disproportionality.csv.")
nb.table(cov, "stop_search_ethnicity_recorded", out_dir, formats={"share": "{:.1%}"},
         caption="Searches by ethnic group as recorded, including not stated.")
nb.table(stopsearch.self_defined_mapping(df), "stop_search_self_defined_mapping", out_dir,
         caption="Every self-defined label in the period and the Census group it was mapped to.")

# %%
nb.heading("Find rate by ethnic group", 2, anchor="ss-find-by-ethnicity")
nb.para("If searches of one group find the object searched for less often, the grounds for searching that group "
        "may be weaker. Find rates with Wilson 95% intervals, over all searches of the group (find_rate_all) and "
        "over the group's searches with the find field recorded (find_rate_recorded, which overstates: the field "
        "is filled less often for no-further-action searches). No test is applied: overlapping intervals mean no "
        "clear difference, and intervals that do not overlap are a difference worth asking about, not a "
        "significance test.")
nb.table(stopsearch.find_by_ethnicity(df, MIN), "stop_search_find_by_ethnicity", out_dir, formats=PCT,
         caption=f"Find rate blank where fewer than {MIN} searches of the group have the field recorded.")

# %%
nb.heading("Strip searches", 2, anchor="ss-strip")
strip = stopsearch.strip_searches(df, MIN)
nb.para(stopsearch.strip_paragraph(df, rates_t, nb.min_count()))
nb.note(f"Counts of strip searches are shown even when small (each is a published record). The share and its "
        f"Wilson interval are left blank where fewer than {MIN} searches in the row have the field recorded.")
nb.table(strip["ethnicity"].rename(columns={"officer_group": "ethnic group (officer-defined)"}),
         "stop_search_strip_ethnicity", out_dir, formats={"share": "{:.1%}", "ci_low": "{:.1%}", "ci_high": "{:.1%}"})
nb.table(strip["age"], "stop_search_strip_age", out_dir,
         formats={"share": "{:.1%}", "ci_low": "{:.1%}", "ci_high": "{:.1%}"},
         caption="Children (age ranges under 10 and 10-17) are called out in the sentence above.")
