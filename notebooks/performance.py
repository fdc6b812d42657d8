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
# # Performance summary

# %% tags=["parameters"]
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/default.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/default/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/default"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/default"  # tables/*.csv are written under it

# %%
from scrutiny.analyses import measures, performance
from scrutiny.config import params
from scrutiny.reference import months
from scrutiny.report import charts, page

p, period = page.start(params_file)
cat = measures.restrict(measures.load_catalogue(params.paths.resolve(p.performance.catalogue)),
                       p.filters.crime_types)
series = performance.prepare(f"{work_dir}/police_uk_street.parquet", p, cat, min_count=page.min_count(),
                             keep_in=work_dir)
counts, monthly, districts = series["counts"], series["monthly"], series["districts"]
found, chart_frame, summary = series["breaks"], series["chart_frame"], series["summary"]
cov = measures.coverage(counts, districts)
rows = performance.summary_rows(summary, cat)
page.write_table(monthly, "performance_monthly", out_dir, counts=["value", "rows_as_published"])
page.write_table(chart_frame, "performance_spc", out_dir, counts=["value"])
page.write_table(found, "performance_breaks", out_dir, counts=[])
page.write_table(performance.change_table(summary), "performance_change", out_dir, counts=["last12", "prev12"])
page.write_table(rows, "performance_summary", out_dir)
page.write_table(performance.findings(summary, found, cat, p.plan.priorities), "performance_findings", out_dir,
               counts=[])
page.write_table(performance.quarter_view(chart_frame, summary, cat, p.plan.priorities), "performance_quarter", out_dir,
               counts=["quarter_value", "same_quarter_last_year", "ytd_value", "ytd_last_year", "r12", "prev12"])

# %%
rs = performance.spc.rule_set(p.spc.rules)
page.para(f"Reporting month: {months.label(p.reporting_month)}. Period analysed: {months.label(period[0])} to "
        f"{months.label(p.reporting_month)}. Source: data.police.uk street-level crime files for {p.pack.force} "
        f"(a crime is one Crime ID in its month; each anti-social behaviour row is one incident).")
n_months = len(months.span(*period))
short = n_months < p.spc.baseline_months
page.note(f"How judgements are made. Counts: one crime per Crime ID in its month (police.uk files repeat some Crime "
        f"IDs; {page.count(performance.repeated_rows(monthly))} repeated rows in the period are not counted again). "
        f"Series breaks: a level shift in a series (binary segmentation on the square-root counts, a step tested "
        f"against a straight-line trend at the 0.1% level, Bonferroni over candidate months; the level before and "
        f"after must differ by at least 1.5 times) or a break declared in the params; after a break the "
        f"limits are rebased on the months after it and no comparison across it is judged. Control limits: XmR "
        f"chart, mean ± 2.66 × mean moving range over the first {min(p.spc.baseline_months, n_months)} months of "
        f"each segment (the 'monthly average' is that mean); count limits below zero are shown as zero. "
        + (f"The period has only {n_months} months, fewer than the {p.spc.baseline_months}-month baseline set in "
           f"the params, so the limits are computed from all {n_months} months, the reporting month included: they "
           f"are provisional and will move as months are added. " if short else "")
        + f"Control-chart rules: {rs.description} 'Exceptional' means the month is outside the process limits. "
        + ("Rolling 12 months are compared with the previous 12 by a quasi-Poisson test: monthly counts vary far "
           "more than Poisson, so the variance is taken as φ times the mean, with φ estimated from the moving range "
           "of the 24 months compared; 'significant' is used only when p < 0.05." if n_months >= 24 else
           f"No rolling 12-month comparison and no same month last year: they need 24 months of data and the "
           f"period has {n_months}."))
page.note(performance.chance_note(summary))
page.note(f"Areas: the force and each local authority district (from the LSOA name) with at least "
        f"{p.performance.district_min_share:.0%} of rows: {', '.join(districts)}. Of {page.count(cov['rows'])} rows in "
        f"the period, {page.count(cov['no_lsoa'])} have no LSOA and {page.count(cov['other_districts'])} fall in other "
        f"districts; they count in the force total only. Neighbourhood crime here is built from police.uk categories "
        f"(burglary, robbery, theft from the person, vehicle crime), not the Home Office offence codes.")

# %%
page.heading("Summary", 2)
page.table(rows[["topic", "inclusion", "data", "commentary"]].rename(columns=str.capitalize), caption=None)

# %%
page.heading("Series breaks", 2, anchor="series-breaks")
page.para(performance.breaks_sentence(found, chart_frame, cat))
if len(found):
    page.table(performance.breaks_display(found[found["area"] == "force"], cat), name=None,
             caption="Series breaks at force level. Every break, districts included, is on the data-quality page and "
                     "in tables/performance_breaks.csv.")

# %%
for m in cat.measures:
    s = summary[summary["measure"] == m.id]
    f = s[s["area"] == "force"].iloc[0]
    page.heading(m.label, 2, anchor=m.id)
    page.para(f["sentence"] + " " + performance.commentary(summary, m.id))
    page.para(f["rolling_sentence"])
    ch = chart_frame[(chart_frame["measure"] == m.id) & (chart_frame["area"] == "force")]
    page.chart(charts.xmr_chart(ch, f"{m.label}: {p.pack.force}, monthly (XmR)"),
             f"XmR chart of monthly {m.noun} for {p.pack.force}; values are in the table below.", counts=["value"])
    t = performance.area_table(s, months.label(p.reporting_month))
    page.table(t, caption=f"{m.label} by area; full series in tables/performance_monthly.csv and "
                        f"tables/performance_spc.csv (measure = {m.id}).",
             counts=[months.label(p.reporting_month), "Previous month", "Same month last year", "Last 12 months",
                     "Previous 12 months"])
