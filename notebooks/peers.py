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
crime = pd.read_parquet(f"{work_dir}/ho_prc_pfa.parquet")
pop = pd.read_parquet(f"{work_dir}/ons_population_pfa.parquet")
long = pfa_tables.crime_with_population(crime, pop, edition)
pop_year = pfa_tables.population_year(end.date())
at = peers.at_period_end(long, end, edition, pop_year)
comparable = peers.comparable_forces()
OFFENCES = [offences.TOTAL] + offences.GROUPS

if p.peers.msg_file:
    msg = msg_file.read_msg(params.paths.resolve(p.peers.msg_file))
    group, group_label, features = msg.peers_of(focal), peers.MSG_LABEL, None
else:
    msg = None
    features = peers.neighbour_features(long, end)
    neighbours = peers.nearest(features, focal, p.peers.k)
    group, group_label = list(neighbours["force"]), peers.NEIGHBOUR_LABEL

comp_at = at[at["force"].isin(comparable)]
page.write_table(peers.rates_out(comp_at), "peers_rates", out_dir)
funnel_tbl, od_tbl = peers.funnels_by_offence(at, comp_at, OFFENCES)
cmp = peers.compare(at, focal, group, dict(zip(od_tbl["offence"], od_tbl["tau2"])))
page.write_table(cmp, "peers_comparison", out_dir)
funnel_tbl = peers.funnel_out(funnel_tbl, end)
page.write_table(funnel_tbl, "peers_funnel", out_dir)
page.write_table(od_tbl, "peers_overdispersion", out_dir)
yoy = peers.year_on_year(long, focal, end)
page.write_table(yoy, "peers_change", out_dir)
trend = peers.trend_all(long, focal, group, OFFENCES)
page.write_table(trend, "peers_trend", out_dir)

# %%
tot = cmp[cmp["offence"] == offences.TOTAL].iloc[0]
od_tot = od_tbl[od_tbl["offence"] == offences.TOTAL].iloc[0]
ft = funnel_tbl[funnel_tbl["offence"] == offences.TOTAL]
page.para(peers.intro_sentence(end_label, pop_year, edition, focal, group_label))
page.note(peers.definitions_note(at, len(comparable)))

# %%
page.heading("Peer group", 2, anchor="peer-group")
if msg is not None:
    page.para(f"The peers are the official most similar group supplied in {msg.provenance(focal)}: "
            f"{', '.join(group)}.")
else:
    page.para(peers.neighbours_sentence(group, group_label))
    page.note(peers.neighbours_note(len(comparable), len(features.columns), p.peers.k, focal))
    show = peers.neighbour_table(features, neighbours, focal)
    page.write_table(show, "peers_neighbours", out_dir)
    page.table(show.rename(columns={"total_rate": "rate per 1,000", "log10_population": "log10 population"}),
             caption=f"Neighbour variables (unstandardised) for {focal} and its {len(group)} nearest forces; "
                     f"distance is on the standardised scale.", decimals=3)
    page.write_table(peers.distances(features, focal), "peers_distances", out_dir)

# %%
page.heading("Rates per 1,000 residents", 2, anchor="rates")
page.para(peers.rates_paragraph(tot, focal, end_label))
page.para(peers.peer_tests_sentence(cmp))
page.note(peers.peer_method_note(cmp))
page.table(cmp.rename(columns=peers.COMPARISON_COLUMNS), decimals=2,
         caption=f"Rates per 1,000 residents, 12 months ending {end_label}. All comparable forces' rates: "
                 f"tables/peers_rates.csv.")

# %%
page.heading("Funnel plot: all forces against England and Wales", 2, anchor="funnel")
page.para(peers.funnel_paragraph(ft, od_tot, end_label))
page.note(peers.funnel_note(od_tot))
cv = funnel.curve(od_tot["target_rate_per_1000"], ft["population"].min() * 0.8, ft["population"].max() * 1.2,
                  od_tot["tau2"])
page.chart(charts.funnel_chart(ft, cv, float(od_tot["target_rate_per_1000"]), focal, group,
                             f"Total recorded crime per 1,000, 12 months ending {end_label}"),
         f"Funnel plot of total recorded crime per 1,000 residents against population for {len(ft)} forces; "
         f"{focal} in orange, peers in blue, other forces in grey; dashed lines 95% limits, solid 99.8%. Values in "
         f"tables/peers_funnel.csv.")
page.table(peers.funnel_force_table(ft), caption="Total recorded crime, every comparable force, highest rate first.")
page.table(peers.focal_positions(funnel_tbl, od_tbl, focal),
         caption=f"{focal}'s position on the funnel for each offence group.")

# %%
page.heading("Trend", 2, anchor="trend")
tt = trend[trend["offence"] == offences.TOTAL]
page.para(peers.trend_sentence(tt, focal, end_label))
page.chart(charts.peer_trend_chart(tt, focal, "Total recorded crime per 1,000 residents"),
         f"Line chart of total recorded crime per 1,000 for {focal}, peer average and England and Wales; values in "
         f"tables/peers_trend.csv.")
page.note(peers.TREND_NOTE)
page.para(peers.yoy_paragraph(yoy, end))
page.note(peers.YOY_NOTE)
page.table(yoy.rename(columns=peers.YOY_COLUMNS),
         caption=f"{focal}: 12 months ending {end_label} against the same 12 months a year earlier.")

# %%
summary = peers.summary_rows(cmp, funnel_tbl, od_tbl, yoy, focal, group_label, end_label)
page.write_table(summary, "peers_summary", out_dir)
