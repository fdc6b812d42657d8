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
# # Districts

# %% tags=["parameters"]
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/default.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/default/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/default"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/default"  # tables/*.csv are written under it

# %%
from scrutiny.analyses import districts, measures, performance
from scrutiny.config import params
from scrutiny.reference import months
from scrutiny.report import charts, page

p, period = page.start(params_file)
cat = measures.restrict(measures.load_catalogue(params.paths.resolve(p.performance.catalogue)),
                       p.filters.crime_types)
series = performance.prepare(f"{work_dir}/police_uk_street.parquet", p, cat, min_count=page.min_count(),
                             keep_in=work_dir)
monthly, names, found, summary = series["monthly"], series["districts"], series["breaks"], series["summary"]
chart_frame = series["chart_frame"]
edition = p.districts.population_edition
pop = districts.read_population()
pops = districts.match_population(names, pop, edition, districts.population_year(pop, edition, p.reporting_month))
rates = districts.rate_table(monthly, summary, found, cat, pops, p.reporting_month, min_count=page.min_count())
page.write_table(rates, "districts_rates", out_dir, counts=["quarter_value", "same_quarter_last_year", "last12"])

# %%
page.para(districts.intro(pops, p.pack.force, period, p.performance.district_min_share))
page.note(districts.method_note(pops, p.spc.rules, len(months.span(*period)), p.spc.baseline_months))

# %%
for row in pops.to_dict("records"):
    name, area = row["district"], measures.area_key("district", row["district"])
    t = rates[rates["district"] == name]
    shown = districts.display(t, page.min_count())
    page.heading(name, 2, anchor=districts.anchor(name))
    page.para(districts.population_sentence(row))
    page.table(shown, caption=f"{name}: every measure. All districts in tables/districts_rates.csv.",
             counts=list(shown.columns[[1, 2, 4]]), formats={c: "{:,.2f}" for c in shown.columns[[3, 5]]})
    page.chart(charts.small_multiples(chart_frame[chart_frame["area"] == area], {m.id: m.label for m in cat.measures},
                                    f"{name}: every measure, count per month, {months.label(period[0])} to "
                                    f"{months.label(p.reporting_month)}"),
             f"Small line charts of monthly counts of every measure for {name}; each has its own count axis from 0. "
             f"Values are in tables/performance_monthly.csv.", counts=["value"])
