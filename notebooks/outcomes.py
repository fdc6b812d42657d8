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
# # Crime outcomes

# %% tags=["parameters"]
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/default.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/default/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/default"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/default"  # tables/*.csv are written under it

# %%
import pandas as pd

from scrutiny.analyses import outcome_linkage, outcomes
from scrutiny.config import params
from scrutiny.reference import months
from scrutiny.report import charts, page

p, period = page.start(params_file)
po = p.outcomes
k = po.follow_up_months
cats = outcomes.load_categories(params.paths.resolve(po.categories))
linkage = outcome_linkage.link_counts(
    f"{work_dir}/police_uk_street.parquet", f"{work_dir}/police_uk_outcomes.parquet",
    cats, p.reporting_month, po.same_period_window, k, period[0])
link_counts = linkage.counts
cohort = outcomes.cohort(linkage.profile, k)
rated = outcomes.with_rates(cohort)
quarters = outcomes.cohort_by_quarter(cohort)
groups = outcomes.group_shares_from_latest(linkage.latest, cats)
km, medians = outcomes.time_to_outcome(linkage.profile)
head = outcomes.headline(cohort, k, p.reporting_month)
page.write_table(outcomes.cohort_table(cohort), "outcomes_cohort", out_dir)
page.write_table(outcomes.summary_rows(head, outcomes.median_all(medians)), "outcomes_summary", out_dir)
window_words = outcomes.WINDOW_WORDS[po.same_period_window]

# %%
page.para(outcomes.source_sentence(p.pack.force, period))
page.note(outcomes.coverage_sentence(linkage.coverage))
page.note(outcomes.definitions_note(po.same_period_window, k))
page.note("The police.uk → Home Office mapping (outcome type, group, charged and evidential-difficulty flags) is "
        "analyst-defined: data.police.uk publishes no official crosswalk. The table is at the end of this page.")
page.para(outcomes.linkage_sentence(link_counts, page.min_count()))
page.write_table(pd.DataFrame([link_counts]), "outcomes_linkage", out_dir)

# %%
page.heading("Outcome rates: same period and fixed follow-up", 2, anchor="cohort")
for s in outcomes.headline_sentences(head):
    page.para(s)
allc = rated[rated["crime_type"] == outcomes.ALL_CRIME]
page.chart(charts.rate_lines(allc, "recorded_month", outcomes.rate_series(k),
                         f"All crime, {p.pack.force}: outcome rates by month of recording"),
    f"Line chart by month of recording of the same-period outcome rate, the {k}-month fixed follow-up outcome "
    f"rate and the {k}-month charge rate; values in the table below and tables/outcomes_cohort_rates.csv.")
page.para(outcomes.SAWTOOTH_NOTE)
page.note(outcomes.reissue_note(linkage.several_outcome_ids, page.min_count()))
page.table(outcomes.quarters_table(quarters, k), "outcomes_quarters", out_dir, caption=outcomes.quarters_caption(k),
         formats=outcomes.quarters_formats(k))
page.write_table(rated, "outcomes_cohort_rates", out_dir)
lc = head["last"]["month"] if head["last"] else None
if lc:
    page.table(outcomes.by_type_table(rated, lc), "outcomes_by_type", out_dir, caption=f"Crimes recorded in "
             f"{months.label(lc)} by police.uk crime type: outcome and charge within {k} months (95% Wilson "
             f"interval). Every month and type: tables/outcomes_cohort.csv.", formats=outcomes.BY_TYPE_FORMATS)

# %%
page.heading("Outcome groups among outcomed crimes", 2, anchor="groups")
page.para(f"Each crime outcomed by the end of {window_words} counts once, in the group of its latest outcome by "
        f"then (Home Office outcome groups through the analyst-defined mapping). Shares are of outcomed crimes.")
piv = outcomes.group_shares_by_quarter(groups)
page.table(piv, caption="All crime: share of each outcome group among crimes outcomed by the window end, by "
         "financial quarter of recording (Q1 = April–June). Every crime type and month: tables/outcomes_groups.csv.", formats={c_: "{:.1%}" for c_ in piv.columns if c_ != "outcome_group"})
page.write_table(groups, "outcomes_groups", out_dir)

# %%
page.heading("Time to first outcome", 2, anchor="time-to-outcome")
page.note(outcomes.KM_NOTE)
ka = km[km["crime_type"] == outcomes.ALL_CRIME]
page.chart(charts.step_curve(ka, "lag", "cumulative_share", f"All crime, {p.pack.force}: share with a first outcome",
                           "months since the month of recording", "cumulative share outcomed"),
         "Step curve of the cumulative share of crimes with a first outcome by months since recording; values in "
         "tables/outcomes_km.csv.")
page.table(outcomes.time_to_outcome_table(medians), "outcomes_time_to_outcome", out_dir,
         caption="Cumulative share with a first outcome (Kaplan–Meier) by months since recording, per crime type.",
         formats=outcomes.TIME_FORMATS)
page.write_table(km, "outcomes_km", out_dir)

# %%
page.place(outcomes.mix_blocks(linkage.fixed, linkage.last, k, period), out_dir)

# %%
ho = pd.read_parquet(f"{work_dir}/ho_outcomes.parquet") if "ho_outcomes" in p.inputs else None
page.place(outcomes.home_office_blocks(ho, po.ho_outcomes, p.pack.force), out_dir)

# %%
page.heading("Outcome categories and their mapping", 2, anchor="categories")
page.para(outcomes.CATEGORIES_NOTE)
page.table(cats, "outcomes_categories", out_dir, max_rows=80)
