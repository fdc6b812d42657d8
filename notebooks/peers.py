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
# # Peer comparison

# %% tags=["parameters"]
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/peers_gwent.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/peers-gwent/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/peers-gwent"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/peers-gwent"  # tables/*.csv are written under it

# %%
import pandas as pd

from scrutiny.analyses import peers
from scrutiny.analyses import peers_police_uk as pu
from scrutiny.config import params
from scrutiny.inputs import msg_file, pfa_tables
from scrutiny.reference import offences
from scrutiny.report import charts, page
from scrutiny.stats import funnel

p, _ = page.start(params_file)
focal = p.peers_force()
end = pd.Timestamp(p.peers.period_end)
end_label = peers.end_label(end)
edition = p.peers.population_edition
pop = pd.read_parquet(f"{work_dir}/ons_population_pfa.parquet")
police_uk = p.peers.source == "police_uk"
if police_uk:  # every force's police.uk street files: forces without a complete, plausible 12 months left out
    mon = pu.monthly(pd.read_parquet(f"{work_dir}/police_uk_street_forces.parquet"))
    cov = pu.coverage(mon, end)
    page.write_table(cov, "peers_coverage", out_dir)
    comparable, counted = pu.forces_compared(cov, focal)
    long = pu.rolling_long(mon, pop, edition, counted, end)
    OFFENCES, TOTAL, what = pu.OFFENCES, offences.POLICE_UK_TOTAL, "crimes on police.uk"
    all_label, all_short, target_label = "all forces compared", "all forces", "rate of all forces compared"
    short = "All crime on police.uk"
    judged = len(comparable) >= pu.MIN_FORCES
else:
    crime = pd.read_parquet(f"{work_dir}/ho_prc_pfa.parquet")
    long = pfa_tables.crime_with_population(crime, pop, edition)
    comparable = peers.comparable_forces()
    counted = None
    OFFENCES, TOTAL, what = [offences.TOTAL] + offences.GROUPS, offences.TOTAL, "crimes (excluding fraud)"
    all_label, all_short, target_label = "England and Wales", "E&W", "England and Wales rate"
    short = "Total recorded crime"
    judged = True
at = peers.at_period_end(long, end, edition, pfa_tables.population_year(end.date()))
pop_year = int(at["population_year"].iloc[0])

if p.peers.msg_file:
    msg = msg_file.read_msg(params.paths.resolve(p.peers.msg_file))
    group, group_label, features = msg.peers_of(focal), peers.MSG_LABEL, None
    if police_uk:
        group = [f for f in group if f in comparable]
else:
    msg = None
    if police_uk:
        years = pu.window_years(long, end, comparable)
        features = peers.neighbour_features(long, end, offences.POLICE_UK_GROUPS, TOTAL, years, comparable)
        variables = pu.neighbour_variables(years)
    else:
        features, variables = peers.neighbour_features(long, end), peers.NEIGHBOUR_VARIABLES
    neighbours = peers.nearest(features, focal, p.peers.k)
    group, group_label = list(neighbours["force"]), peers.NEIGHBOUR_LABEL

comp_at = at[at["force"].isin(comparable)]
page.write_table(peers.rates_out(comp_at), "peers_rates", out_dir)
funnel_tbl, od_tbl = peers.funnels_by_offence(at, comp_at, OFFENCES, judged=judged)
cmp = peers.compare(at, focal, group, dict(zip(od_tbl["offence"], od_tbl["tau2"])), all_forces=counted,
                    comparable=comparable, judged=judged)
page.write_table(cmp, "peers_comparison", out_dir)
funnel_tbl = peers.funnel_out(funnel_tbl, end)
page.write_table(funnel_tbl, "peers_funnel", out_dir)
page.write_table(od_tbl, "peers_overdispersion", out_dir)
yoy = peers.year_on_year(long, focal, end, offences=OFFENCES)
page.write_table(yoy, "peers_change", out_dir)
if police_uk:
    trend = pd.concat([pu.monthly_trend(mon, pop, edition, focal, group, counted, end, off) for off in OFFENCES],
                      ignore_index=True).assign(period_end=lambda d: d["period_end"].dt.date)
else:
    trend = peers.trend_all(long, focal, group, OFFENCES)
page.write_table(trend, "peers_trend", out_dir)

# %%
tot = cmp[cmp["offence"] == TOTAL].iloc[0]
od_tot = od_tbl[od_tbl["offence"] == TOTAL].iloc[0]
ft = funnel_tbl[funnel_tbl["offence"] == TOTAL]
if police_uk:
    page.para(pu.intro_sentence(end_label, pop_year, edition, focal, group_label, end))
    page.note(pu.definitions_note(cov))
    if not judged:
        page.note(pu.too_few_note(len(comparable)))
    not_compared = pu.coverage_table(cov)
    if len(not_compared):
        page.table(not_compared, caption=f"Forces with files in the 12 months ending {end_label} that are not "
                                         f"compared, and why (every force: tables/peers_coverage.csv).")
else:
    page.para(peers.intro_sentence(end_label, pop_year, edition, focal, group_label))
    page.note(peers.definitions_note(at, len(comparable)))

# %%
page.heading("Peer group", 2, anchor="peer-group")
if msg is not None:
    page.para(f"The peers are the official most similar group supplied in {msg.provenance(focal)}: "
            f"{', '.join(group)}.")
else:
    page.para(peers.neighbours_sentence(group, group_label))
    page.note(peers.neighbours_note(len(comparable), len(features.columns), p.peers.k, focal, variables)
              .replace("against England and Wales", f"against {all_label}"))
    show = peers.neighbour_table(features, neighbours, focal)
    page.write_table(show, "peers_neighbours", out_dir)
    page.table(show.rename(columns={"total_rate": "rate per 1,000", "log10_population": "log10 population"}),
             caption=f"Neighbour variables (unstandardised) for {focal} and its {len(group)} nearest forces; "
                     f"distance is on the standardised scale.", decimals=3)
    page.write_table(peers.distances(features, focal), "peers_distances", out_dir)

# %%
page.heading("Rates per 1,000 residents", 2, anchor="rates")
page.para(peers.rates_paragraph(tot, focal, end_label, what, all_label))
if judged:
    page.para(peers.peer_tests_sentence(cmp))
    page.note(peers.peer_method_note(cmp))
rates_shown, ranks_shown = peers.comparison_tables(cmp, all_label, judged)
page.table(rates_shown, decimals=2,
         caption=f"Rates per 1,000 residents, 12 months ending {end_label}, against the peer average (excluding "
                 f"{focal}). All comparable forces' rates: tables/peers_rates.csv; every column of this comparison: "
                 f"tables/peers_comparison.csv.")
page.table(ranks_shown, decimals=2,
         caption="Ranks (1 = highest rate) and " + ("the test behind the verdict above." if judged else
                                                    "the count the force would have at the peer average."))

# %%
page.heading("Funnel plot: every force compared against the all-forces rate" if police_uk else
             "Funnel plot: all forces against England and Wales", 2, anchor="funnel")
page.para(peers.funnel_paragraph(ft, od_tot, end_label, short, f"the {target_label}"))
if judged:
    page.note(peers.funnel_note(od_tot).replace("England and Wales rate", target_label))
    cv = funnel.curve(od_tot["target_rate_per_1000"], ft["population"].min() * 0.8, ft["population"].max() * 1.2,
                      od_tot["tau2"])
    page.chart(charts.funnel_chart(ft, cv, float(od_tot["target_rate_per_1000"]), focal, group,
                                 f"{short} per 1,000, 12 months ending {end_label}",
                                 target_label=target_label[0].upper() + target_label[1:]),
             f"Funnel plot of {short.lower()} per 1,000 residents against population for {len(ft)} forces; "
             f"{focal} in orange, peers in blue, other forces in grey; dashed lines 95% limits, solid 99.8%. Values "
             f"in tables/peers_funnel.csv.")
if judged:
    page.table(peers.funnel_force_table(ft), caption=f"{short}, every comparable force, highest rate first.")
    page.table(peers.focal_positions(funnel_tbl, od_tbl, focal),
             caption=f"{focal}'s position on the funnel for each offence group.")
else:
    page.table(peers.funnel_force_table(ft)[["force", "count", "population", "rate per 1,000"]],
             caption=f"{short}, every comparable force, highest rate first.")

# %%
page.heading("Trend", 2, anchor="trend")
tt = trend[trend["offence"] == TOTAL]
if police_uk:
    page.para(f"{TOTAL} per 1,000 residents in each month from {pd.Timestamp(tt['period_end'].min()):%B %Y} to "
              f"{end:%B %Y}: {focal}, its peer average (weighted, excluding {focal}) and all forces compared."
              if len(tt) else "No month has files from the force, its peers and every force compared.")
    if len(tt):
        page.chart(charts.peer_trend_chart(tt, focal, f"{TOTAL} per 1,000 residents, by month", x_title="month",
                                           all_label=all_label),
                   f"Line chart of monthly crimes per 1,000 for {focal}, peer average and all forces compared; "
                   f"values in tables/peers_trend.csv.")
    page.note(pu.TREND_NOTE)
else:
    page.para(peers.trend_sentence(tt, focal, end_label))
    page.chart(charts.peer_trend_chart(tt, focal, "Total recorded crime per 1,000 residents"),
             f"Line chart of total recorded crime per 1,000 for {focal}, peer average and England and Wales; values "
             f"in tables/peers_trend.csv.")
    page.note(peers.TREND_NOTE)
page.para(peers.yoy_paragraph(yoy, end, TOTAL))
if len(yoy):
    page.note(peers.YOY_NOTE)
    page.table(yoy.rename(columns=peers.YOY_COLUMNS),
             caption=f"{focal}: 12 months ending {end_label} against the same 12 months a year earlier.")

# %%
summary = peers.summary_rows(cmp, funnel_tbl, od_tbl, yoy, focal, group_label, end_label, total=TOTAL,
                             all_label=all_short, all_name=all_label)
page.write_table(summary, "peers_summary", out_dir)
page.write_table(peers.findings(cmp, focal, group_label, end_label), "peers_findings", out_dir, counts=[])
