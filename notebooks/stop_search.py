# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version,-jupytext.text_representation.format_version
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
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/cambridgeshire_2024.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/cambridgeshire_2024/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/cambridgeshire_2024"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/cambridgeshire_2024"  # tables/*.csv are written under it

# %%
import pandas as pd

from scrutiny.analyses import stop_search
from scrutiny.reference import months
from scrutiny.report import charts, page
from scrutiny.stats import spc

p, period = page.start(params_file)
ss = p.stop_search
MIN = ss.min_count
raw = stop_search.load(f"{work_dir}/police_uk_stop_search.parquet")
df, info = stop_search.period_split(raw, period)
q = stop_search.reporting_quarters(period, period)
n_months = len(months.span(*period))
census = pd.read_csv(stop_search.census_table(ss.census_year))
pfa = stop_search.find_pfa(census, p.pack.force, ss.pfa_code)
PCT = stop_search.PCT_FORMATS

# %%
page.para(stop_search.intro_sentence(period, q["reporting"], p.pack.force, len(df), page.min_count()))
page.note(stop_search.month_note(info, page.min_count()))
page.note(stop_search.method_note(q, MIN))

# %%
volume = stop_search.monthly_volume(df, period)
x = spc.xmr(volume["value"].to_numpy(), baseline=p.spc.baseline_months, rules=p.spc.rules, improvement="neutral",
            counts=True)
x.insert(0, "month", volume["month"].to_numpy())
page.write_table(x, "stop_search_spc", out_dir)
rates_t = stop_search.rates_table(df, period, q, MIN)
page.write_table(rates_t, "stop_search_rates", out_dir)
disp = stop_search.disproportionality(df, pfa, MIN)
page.write_table(stop_search.findings(disp, f"{months.label(period[0])} to {months.label(p.reporting_month)}"),
               "stop_search_findings", out_dir, counts=[])
summary = stop_search.summary_rows(df, period, q, x, rates_t, disp, ss.census_year, MIN, page.min_count())
page.write_table(summary, "stop_search_summary", out_dir)
page.heading("Summary", 2)
page.table(summary[["topic", "data", "commentary"]].rename(columns=str.capitalize))

# %%
page.heading("How many searches", 2, anchor="ss-volume")
page.para(stop_search.volume_sentence(df, q, page.min_count()))
page.note(stop_search.xmr_note(x, n_months, p.spc.baseline_months, spc.rule_set(p.spc.rules).description))
page.chart(charts.xmr_chart(x, f"Stop and searches: {p.pack.force}, monthly (XmR)", y_title="Searches per month"),
         "XmR chart of monthly stop and searches; values are in tables/stop_search_spc.csv.")
page.table(stop_search.monthly_table(x), "stop_search_monthly", out_dir)

by_leg = stop_search.breakdown(df, "legislation_group", stop_search.LEGISLATION_ORDER, MIN)
page.heading("By power (legislation)", 3)
page.para(f"Counts are shown in full; the recorded-field find rate is left blank (find_suppressed) where fewer than "
        f"{MIN} searches have the find field recorded, the find rate over all searches and the arrest rate "
        f"(arrest_suppressed) where there are fewer than {MIN} searches.")
page.table(by_leg, "stop_search_legislation", out_dir, formats=PCT,
         caption="PACE s1: Police and Criminal Evidence Act 1984 section 1; s23: Misuse of Drugs Act 1971; s60: "
                 "Criminal Justice and Public Order Act 1994 (no suspicion needed); s47: Firearms Act 1968; other "
                 "powers listed in tables/stop_search_legislation_detail.csv.")
page.write_table(stop_search.legislation_detail(df), "stop_search_legislation_detail", out_dir)
by_obj = stop_search.breakdown(df, "object_of_search", None, MIN)
page.heading("By object of search", 3)
page.table(by_obj, "stop_search_object", out_dir, formats=PCT)

# %%
page.heading("Find, arrest and no further action", 2, anchor="ss-find_rate")
page.para(stop_search.find_paragraph(df, rates_t, MIN, page.min_count()))
for s in stop_search.comparison_sentences(rates_t, q):
    page.para(s)
if q["comparison"] and (tests_note := stop_search.multiple_tests_note(rates_t)):
    page.note(tests_note)
page.table(rates_t.copy(), "stop_search_rates", out_dir, formats={c: "{:.1%}" for c in rates_t.columns
                                                                if c.endswith(("_rate", "_ci_low", "_ci_high"))},
         caption="count = searches meeting the measure, n = its denominator (find rate (all searches), arrest and "
                 "NFA: all searches; find rate (field recorded) and strip search: searches with the field "
                 "recorded). test names the test behind pvalue; significant = p < 0.05.")
page.table(stop_search.field_recorded_by_outcome(df), "stop_search_find_field_by_outcome", out_dir,
         formats={"share_recorded": "{:.1%}"},
         caption="How often 'Outcome linked to object of search' is filled in, by search outcome: the direction of "
                 "the recorded-field find rate's bias.")

# %%
page.heading("By age range and gender", 2, anchor="ss-age-gender")
by_age = stop_search.breakdown(df, "age_range", ["under 10", "10-17", "18-24", "25-34", "over 34", "Not recorded"], MIN)
page.table(by_age, "stop_search_age", out_dir, formats=PCT)
by_gender = stop_search.breakdown(df, "gender", ["Male", "Female", "Other", "Not recorded"], MIN)
page.table(by_gender, "stop_search_gender", out_dir, formats=PCT)

# %%
page.heading("Who is searched relative to the population", 2, anchor="ss-disproportionality")
cov = stop_search.ethnicity_coverage(df)
page.para(stop_search.population_paragraph(cov, pfa, n_months, ss.census_year))
page.note(stop_search.mapping_note(ss.census_year))
page.table(disp, "stop_search_disproportionality", out_dir, decimals=2,
         caption=f"ratio_to_white with its 95% interval (ci_low, ci_high); White is the reference (ratio 1). "
                 f"suppressed = fewer than {MIN} searches (count, rate and ratio left blank).")
ch = charts.rate_ratio_chart(disp, f"Search rate relative to White, {p.pack.force}")
if ch is not None:
    page.chart(ch, "Rate ratios to White with 95% intervals by ethnic group; values in "
                 "tables/stop_search_disproportionality.csv.")
page.table(cov, "stop_search_ethnicity_recorded", out_dir, formats={"share": "{:.1%}"},
         caption="Searches by ethnic group as recorded, including not stated.")
page.table(stop_search.self_defined_mapping(df), "stop_search_self_defined_mapping", out_dir,
         caption="Every self-defined label in the period and the Census group it was mapped to.")

# %%
page.heading("Find rate by ethnic group", 2, anchor="ss-find-by-ethnicity")
page.para("If searches of one group find the object searched for less often, the grounds for searching that group "
        "may be weaker. Find rates with Wilson 95% intervals, over all searches of the group (find_rate_all) and "
        "over the group's searches with the find field recorded (find_rate_recorded, which overstates: the field "
        "is filled less often for no-further-action searches). No test is applied: overlapping intervals mean no "
        "clear difference, and intervals that do not overlap are a difference worth asking about, not a "
        "significance test.")
page.table(stop_search.find_by_ethnicity(df, MIN), "stop_search_find_by_ethnicity", out_dir, formats=PCT,
         caption=f"Find rate blank where fewer than {MIN} searches of the group have the field recorded.")

# %%
page.heading("Strip searches", 2, anchor="ss-strip")
strip = stop_search.strip_searches(df, MIN)
page.para(stop_search.strip_paragraph(df, rates_t, page.min_count()))
page.note(f"Counts of strip searches are shown even when small (each is a published record). The share and its "
        f"Wilson interval are left blank where fewer than {MIN} searches in the row have the field recorded.")
page.table(strip["ethnicity"].rename(columns={"officer_group": "ethnic group (officer-defined)"}),
         "stop_search_strip_ethnicity", out_dir, formats={"share": "{:.1%}", "ci_low": "{:.1%}", "ci_high": "{:.1%}"})
page.table(strip["age"], "stop_search_strip_age", out_dir,
         formats={"share": "{:.1%}", "ci_low": "{:.1%}", "ci_high": "{:.1%}"},
         caption="Children (age ranges under 10 and 10-17) are called out in the sentence above.")
