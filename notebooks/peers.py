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
# # Peer comparison

# %% tags=["parameters"]
params_file = ""  # the pack's params YAML
work_dir = ""     # prepared tables written by the validation step
out_dir = ""      # the pack folder being built

# %%
import pandas as pd

from scrutiny import charts, funnel, nb, params, peers, pfa

p, _ = nb.start(params_file)
focal = p.peers_force()
end = pd.Timestamp(p.peers.period_end)
end_label = f"{end.day} {end:%B %Y}"
edition = p.peers.population_edition
crime = pd.read_parquet(f"{work_dir}/ho_prc_pfa.parquet")
pop = pd.read_parquet(f"{work_dir}/ons_population_pfa.parquet")
long = pfa.crime_with_population(crime, pop, edition)
pop_year = pfa.population_year(end.date())
at = long[long["period_end"] == end]
if at.empty:
    raise ValueError(f"the Home Office data have no 12 months ending {end.date()}")
if at["population"].isna().any():
    raise ValueError(f"ONS edition {edition} has no mid-{pop_year} population; choose another edition or date")
comparable = peers.comparable_forces()

if p.peers.msg_file:
    msg = peers.read_msg(params.paths.resolve(p.peers.msg_file))
    group = msg.peers_of(focal)
    group_label = peers.MSG_LABEL
    neighbours = pd.DataFrame({"force": group})
    features = None
else:
    msg = None
    features = peers.neighbour_features(long, end)
    neighbours = peers.nearest(features, focal, p.peers.k)
    group = list(neighbours["force"])
    group_label = peers.NEIGHBOUR_LABEL

comp_at = at[at["force"].isin(comparable)]
rates_tbl = peers.rate_table(comp_at)[["period_end", "force", "offence", "count", "population", "rate_per_1000",
                                       "ci_low", "ci_high"]].assign(period_end=lambda d: d["period_end"].dt.date)
nb.write_table(rates_tbl, "peers_rates", out_dir)
funnel_tbl, od_tbl = peers.funnels_by_offence(at, comp_at, [pfa.TOTAL] + pfa.GROUPS)
cmp = peers.compare(at, focal, group, dict(zip(od_tbl["offence"], od_tbl["tau2"])))
nb.write_table(cmp, "peers_comparison", out_dir)
funnel_tbl["period_end"] = end.date()
funnel_tbl = funnel_tbl[["period_end", "offence", "force", "count", "population", "rate", "expected", "z",
                         "lower_95", "upper_95", "lower_998", "upper_998", "position", "position_unadjusted"]]
nb.write_table(funnel_tbl, "peers_funnel", out_dir)
nb.write_table(od_tbl, "peers_overdispersion", out_dir)
yoy = peers.year_on_year(long, focal, end)
nb.write_table(yoy, "peers_change", out_dir)
trend = pd.concat([peers.trend(long, focal, group, off) for off in [pfa.TOTAL] + pfa.GROUPS], ignore_index=True)
trend["period_end"] = trend["period_end"].dt.date
nb.write_table(trend, "peers_trend", out_dir)

# %%
tot = cmp[cmp["offence"] == pfa.TOTAL].iloc[0]
od_tot = od_tbl[od_tbl["offence"] == pfa.TOTAL].iloc[0]
ft = funnel_tbl[funnel_tbl["offence"] == pfa.TOTAL]
out998 = ft[ft["position"].isin(["above 99.8%", "below 99.8%"])].sort_values("rate", ascending=False)
out998_unadj = ft[ft["position_unadjusted"].isin(["above 99.8%", "below 99.8%"])]
nb.para(f"Reporting point: the 12 months ending {end_label}. Source: Home Office police recorded crime by police "
        f"force area (rolling 12-month totals), divided by the ONS mid-{pop_year} population estimate, edition "
        f"{edition} ({'Census 2011-based, as used in Home Office rates published before about 2023' if edition == 'mye2019' else 'rebased after Census 2021'}). "
        f"Force: {focal}. Peer group: {group_label}.")
nb.note(f"Definitions. Total recorded crime excludes fraud (the sum of every Home Office offence line except "
        f"'Fraud offences'; fraud recorded centrally by Action Fraud, CIFAS and UK Finance has no force or resident "
        f"population). Offence groups follow the ONS presentation. The mid-year population used is the 30 June "
        f"that falls inside the 12 months. British Transport Police (no resident population) and City of London "
        f"(about {int(at.loc[(at['force'] == pfa.CITY_OF_LONDON) & (at['offence'] == pfa.TOTAL), 'population'].iloc[0]):,} "
        f"residents against a large daytime population, so per-resident rates mean little) are excluded from every "
        f"per-resident comparison: ranks, funnel plots and peer selection cover the other {len(comparable)} forces. "
        f"The England and Wales rate is all 43 territorial forces' crime over their whole population.")

# %%
nb.heading("Peer group", 2, anchor="peer-group")
if msg is not None:
    nb.para(f"The peers are the official most similar group supplied in {msg.provenance(focal)}: "
            f"{', '.join(group)}.")
else:
    nb.para(f"The peers are {len(group)} {group_label}: {', '.join(group)}. They are NOT the Home Office most "
            f"similar group (MSG), whose membership is not published with these data; supply it as peers.msg_file "
            f"to use it instead.")
    nb.note(f"How neighbours are chosen: each of the {len(comparable)} comparable forces is described by "
            f"{len(features.columns)} variables from the pack's own data; each variable is standardised (minus its "
            f"mean over the forces, divided by its standard deviation) and the k = {p.peers.k} forces with the "
            f"smallest Euclidean distance to {focal} are taken (equal weights; ties broken by name, so the choice is "
            f"deterministic). Variables: " + "; ".join(f"{k}: {v}" for k, v in peers.NEIGHBOUR_VARIABLES.items()) +
            ". Because crime rate and offence mix are among the variables, peers resemble the force in crime by "
            "construction, which narrows the gap to the peer average; the funnel plot against England and Wales "
            "below does not depend on this choice.")
    show = features.loc[[focal] + group].reset_index()
    show.insert(1, "distance", [0.0] + list(neighbours["distance"]))
    nb.write_table(show, "peers_neighbours", out_dir)
    nb.table(show.rename(columns={"total_rate": "rate per 1,000", "log10_population": "log10 population"}),
             caption=f"Neighbour variables (unstandardised) for {focal} and its {len(group)} nearest forces; "
                     f"distance is on the standardised scale.", decimals=3)
    allf = standardise_all = peers.standardise(features.sort_index())
    dists = ((allf - allf.loc[focal]) ** 2).sum(axis=1) ** 0.5
    nb.write_table(dists.drop(focal).sort_values().rename("distance").reset_index(), "peers_distances", out_dir)

# %%
nb.heading("Rates per 1,000 residents", 2, anchor="rates")
nb.para(f"{focal} recorded {int(tot['count']):,} crimes (excluding fraud) in the 12 months ending {end_label}: "
        f"{tot['rate_per_1000']:.1f} per 1,000 residents (exact Poisson 95% interval of its own count, {tot['ci_low']:.1f} to "
        f"{tot['ci_high']:.1f}). "
        f"The peer average is {tot['peer_average']:.1f} and England and Wales {tot['england_wales']:.1f}. "
        f"{peers.peer_sentence(tot, focal)}, and ranks {tot['rank_in_group']} of "
        f"{tot['group_size']} in its peer group and {tot['rank_national']} of {tot['forces_ranked']} nationally "
        f"(1 = highest rate).")
n_sig = int((cmp["vs_peer_average"] != "not significantly different from").sum())
n_ci = int(((cmp["ci_low"] > cmp["peer_average"]) | (cmp["ci_high"] < cmp["peer_average"])).sum())
nb.para(f"Against the peer average, {n_sig} of the {len(cmp)} rows (total and offence groups) are significantly "
        f"above or below it by the {peers.PEER_TEST_SHORT} (p < 0.05); {peers.chance_flags(len(cmp))}.")
nb.note("Method. The verdict against the peer average is one test, used in the table, the sentences and the "
        "Summary: the force's count O against the count it would have at the peer average, E = peer average × "
        "population ÷ 1,000, on the log scale with the between-force variance τ² that the funnel below estimates "
        "for the same offence over all comparable forces: z = ln(O/E) ÷ √(1/E + τ²), two-sided p = 2Φ(−|z|); "
        "'significantly above/below' means p < 0.05 (|z| ≥ 1.96). This is the Spiegelhalter (2005) funnel form "
        "with the DerSimonian–Laird τ² of FunnelPlotR (R/od_adjustment.R), so the peer verdict and the funnel "
        "allow for the same extra-Poisson variation between forces. Peer average: weighted, Σcounts ÷ Σpopulation "
        "of the peers, shown WITHOUT the force itself (the 'with force' column includes it). The '95% low/high' "
        "columns are the force's own exact Poisson interval (Garwood, χ²-based), descriptive only: it ignores "
        "the variation between forces, and judged by it alone "
        f"{n_ci} of the {len(cmp)} rows would have been called significant.")
nb.table(cmp.rename(columns={"rate_per_1000": "rate", "ci_low": "95% low", "ci_high": "95% high",
                             "peer_average": "peer avg (excl. force)", "peer_average_incl_force": "peer avg (incl. force)",
                             "england_wales": "England and Wales", "rank_in_group": "rank in group",
                             "group_size": "group size", "rank_national": "rank nationally",
                             "forces_ranked": "forces ranked", "tau2": "τ² (between forces)",
                             "expected_at_peer_average": "count at peer average", "p_value": "p",
                             "vs_peer_average": "against peer average"}),
         decimals=2, caption=f"Rates per 1,000 residents, 12 months ending {end_label}. All comparable forces' rates: "
                 f"tables/peers_rates.csv.")

# %%
nb.heading("Funnel plot: all forces against England and Wales", 2, anchor="funnel")
outside_txt = ("; ".join(f"{r.force} ({r.rate:.1f}, {r.position})" for r in out998.itertuples())
               if len(out998) else "none")
nb.para(f"Total recorded crime per 1,000, 12 months ending {end_label}, for the {len(ft)} comparable forces, "
        f"around the England and Wales rate of {od_tot['target_rate_per_1000']:.1f}. Outside the 99.8% limits: "
        f"{outside_txt}." + (f" Against unadjusted exact Poisson limits {len(out998_unadj)} of the {len(ft)} forces "
                             f"would be outside 99.8%: that is what overdispersion looks like, and why the adjusted "
                             f"limits are the ones judged." if bool(od_tot["overdispersion_adjusted"]) else ""))
nb.note("Method: Spiegelhalter (2005) funnel plot. Limits at 95% (z = 1.959964) and 99.8% (z = 3.090232) around the "
        "England and Wales rate. " + funnel.Overdispersion(int(od_tot['forces']), float(od_tot['phi']),
                                                            float(od_tot['tau2'])).describe() +
        " Without overdispersion the limits are exact Poisson. Overdispersion is estimated separately for each "
        "offence group (tables/peers_overdispersion.csv); limits and positions for every group are in "
        "tables/peers_funnel.csv.")
cv = funnel.curve(od_tot["target_rate_per_1000"], ft["population"].min() * 0.8, ft["population"].max() * 1.2,
                  od_tot["tau2"])
nb.chart(charts.funnel_chart(ft, cv, float(od_tot["target_rate_per_1000"]), focal, group,
                            f"Total recorded crime per 1,000, 12 months ending {end_label}"),
    f"Funnel plot of total recorded crime per 1,000 residents against population for {len(ft)} forces; "
    f"{focal} in orange, peers in blue, other forces in grey; dashed lines 95% limits, solid 99.8%. Values in tables/peers_funnel.csv.")
nb.table(ft.sort_values("rate", ascending=False)[["force", "count", "population", "rate", "lower_998",
                                                   "upper_998", "position"]].rename(
    columns={"rate": "rate per 1,000", "lower_998": "99.8% lower", "upper_998": "99.8% upper"}),
    caption="Total recorded crime, every comparable force, highest rate first.")
outside_groups = funnel_tbl[(funnel_tbl["force"] == focal)][["offence", "rate", "lower_998", "upper_998", "position"]]
nb.table(outside_groups.merge(od_tbl[["offence", "overdispersion_adjusted"]], on="offence").rename(
    columns={"rate": "rate per 1,000", "lower_998": "99.8% lower", "upper_998": "99.8% upper",
             "overdispersion_adjusted": "limits overdispersion-adjusted"}),
    caption=f"{focal}'s position on the funnel for each offence group.")

# %%
nb.heading("Trend", 2, anchor="trend")
tt = trend[trend["offence"] == pfa.TOTAL]
first = tt["period_end"].min()
nb.para(f"Total recorded crime per 1,000 at each 12 months ending date from {first:%B %Y} to {end_label}: "
        f"{focal}, its peer average (weighted, excluding {focal}; today's peer group throughout) and England and "
        f"Wales. Annual points to March 2007, quarterly after.")
nb.chart(charts.peer_trend_chart(tt, focal, "Total recorded crime per 1,000 residents"),
    f"Line chart of total recorded crime per 1,000 for {focal}, peer average and England and Wales; values in "
    f"tables/peers_trend.csv.")
nb.note("Recording practice changed over these years (notably after HMICFRS crime-data-integrity inspections from "
        "2014), so rises in recorded crime are not by themselves rises in crime. Offence group series for every "
        "group are in tables/peers_trend.csv.")
yt = yoy[yoy["offence"] == pfa.TOTAL].iloc[0]
prev_label = end_label.replace(str(end.year), str(end.year - 1))
n_yoy = int(yoy["judgement"].str.startswith("significant").sum())
nb.para(f"Change on the previous year: {peers.yoy_sentence(yt, end_label, prev_label)} Over the {len(yoy)} rows "
        f"(total and offence groups), {n_yoy} are significant rises or falls by the same test; "
        f"{peers.chance_flags(len(yoy))}.")
nb.note("Method: quasi-Poisson z-test on the two 12-month counts, z = (x₁ − x₀) ÷ √(φ(x₁ + x₀)), two-sided "
        "p = 2Φ(−|z|); 'significant' means p < 0.05. φ (the dispersion) is estimated from the force's own series: "
        "the mean of the squared Poisson z, (x_t − x_{t−1}) ÷ √(x_t + x_{t−1}), over its earlier year-on-year "
        "changes for the 12 months ending on the same date in earlier years (not the change tested), floored "
        f"at 1; at least {peers.YOY_MIN_HISTORY} earlier changes are needed (project domain notes §3.8). "
        "Recorded crime varies far more from year to year than a Poisson count would (φ well above 1), and a "
        "Poisson-only test would call most changes in large counts significant; φ also absorbs real past "
        "trends, such as recording improvements, so the test asks whether this year's change is unusual for this "
        "force. The test is on counts; the rates are shown for information (the populations barely change).")
nb.table(yoy.rename(columns={"previous_count": "previous 12 months", "change_pct": "change %",
                             "rate_per_1000": "rate", "previous_rate_per_1000": "previous rate",
                             "phi": "φ (dispersion)", "phi_changes": "earlier changes used for φ",
                             "p_value": "p"}),
         caption=f"{focal}: 12 months ending {end_label} against the same 12 months a year earlier.")

# %%
summary = peers.summary_rows(cmp, funnel_tbl, od_tbl, yoy, focal, group_label, end_label)
nb.write_table(summary, "peers_summary", out_dir)
