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
import altair as alt
import pandas as pd

from scrutiny import charts, months, narrative, nb, spc, stopsearch

p, period = nb.start(params_file)
ss = p.stop_search
MIN = ss.min_count
raw = stopsearch.load(f"{work_dir}/police_uk_stop_search.parquet")
df, info = stopsearch.period_split(raw, period)
q = stopsearch.quarters(period, period)
rq, cq = q["reporting"], q["comparison"]
n_months = len(months.span(*period))
census = pd.read_csv(stopsearch.census_table(ss.census_year))
pfa = stopsearch.find_pfa(census, p.pack.force, ss.pfa_code)
pct = lambda x: "" if pd.isna(x) else f"{100 * x:.1f}%"  # noqa: E731


def ci(lo, hi, f=pct):
    return "" if pd.isna(lo) else f"95% CI {f(lo)} to {f(hi)}"


# %%
nb.para(f"Period analysed: {months.label(period[0])} to {months.label(period[1])}; reporting quarter "
        f"{stopsearch.quarter_label(rq)}. Source: data.police.uk stop and search files for {p.pack.force} "
        f"(one row = one search of a person, a vehicle, or both). {nb.count(len(df))} searches in the period.")
nb.note(f"Month of a search: the month of its Date, which the publisher writes in UTC. A search just after midnight "
        f"British Summer Time on the 1st therefore sits in the previous month's file's month. "
        f"{nb.count(info['month_differs_from_file'])} of the {nb.count(info['rows'])} rows in the files have a timestamp month "
        f"different from their file's month (they are counted under the timestamp's month); "
        f"{nb.count(info['outside_period'])} fall outside the period by their timestamp and are not analysed.")
nb.note(f"How judgements are made. Proportions (find, arrest, no further action, strip search) carry a Wilson 95% "
        f"confidence interval. The reporting quarter is compared with the {q['comparison_kind']} "
        f"({stopsearch.quarter_label(cq)}) by a two-sided two-proportion z-test (pooled), or Fisher's exact test "
        f"when an expected cell is below 5; 'significant' is used only when p < 0.05. Rate ratios carry a 95% "
        f"interval, log rate ratio ± 1.96 × √(1/a + 1/b), a and b the two groups' search counts. Small numbers "
        f"(params stop_search.min_count = {MIN}): in the disproportionality table an ethnic group with fewer than "
        f"{MIN} searches is suppressed (count, rate and ratio left blank, suppressed = True); elsewhere counts are "
        f"shown in full and any rate or share resting on fewer than {MIN} searches is left blank, because rates on "
        f"so few searches are unstable.")

# %%
volume = stopsearch.monthly_volume(df, period)
x = spc.xmr(volume["value"].to_numpy(), baseline=p.spc.baseline_months, rules=p.spc.rules, improvement="neutral",
            counts=True)
x.insert(0, "month", volume["month"].to_numpy())
nb.write_table(x, "stop_search_spc", out_dir)
last = x.iloc[-1]
rates_t = stopsearch.rates_table(df, period, q, MIN)
nb.write_table(rates_t, "stop_search_rates", out_dir)
R = rates_t.set_index("measure")
disp = stopsearch.disproportionality(df, pfa, MIN)
nb.write_table(stopsearch.findings(disp, f"{months.label(period[0])} to {months.label(period[1])}"),
               "stop_search_findings", out_dir, counts=[])
D = disp.set_index(["definition", "ethnic_group"])
bw = D.loc[("officer-defined", "Black")]
n_rq = int(df["month"].between(*rq).sum())
n_cq = int(df["month"].between(*cq).sum()) if cq else None
strip_total = int((df["removal_more_than_outer"] == True).sum())  # noqa: E712
strip_child = int(((df["removal_more_than_outer"] == True) & df["child"]).sum())  # noqa: E712
fr = R.loc[stopsearch.FIND_ALL]
frr = R.loc[stopsearch.FIND_RECORDED]
summary = pd.DataFrame([
    {"topic": "Stop and search: searches", "measure": "stop_search_volume", "inclusion": "Quarter unless exceptional",
     "data": f"{nb.count(n_rq)} searches in {stopsearch.quarter_label(rq)}"
             + (f" ({nb.count(n_cq)} in {stopsearch.quarter_label(cq)})" if cq else "") + f"; {nb.count(len(df))} in the period",
     "commentary": (f"{months.label(period[1])} is outside the SPC limits ({last['special_cause']})."
                    if last["rule"] == "outside limits" else "No exceptional monthly volume (XmR chart).")},
    {"topic": "Stop and search: find rate", "measure": "stop_search_find_rate", "inclusion": "Quarter unless exceptional",
     "data": (f"{pct(fr['period_rate'])} of all searches found the object searched for "
              f"({ci(fr['period_ci_low'], fr['period_ci_high'])}; {nb.count(fr['period_count'])} of "
              f"{nb.count(int(fr['period_n']))})" if pd.notna(fr["period_rate"]) else
              f"Find rate suppressed: fewer than {MIN} searches")
             + (f"; {pct(frr['period_rate'])} of the searches with the field recorded "
                f"({stopsearch.find_bias_short(df)})" if pd.notna(frr["period_rate"]) else "")
             + f"; not recorded for {pct(R.loc['find not recorded', 'period_rate'])}",
     "commentary": ("Find rate over all searches, reporting quarter vs " + q["comparison_kind"].split(" (")[0] + ": " +
                    ("significant change" if fr["significant"] else "no significant change") +
                    f" ({fr['test']}, {narrative.fmt_p(fr['pvalue'])})") if cq and pd.notna(fr.get("pvalue")) else
     "No comparison quarter in the data."},
    {"topic": "Stop and search: ethnic disproportionality", "measure": "stop_search_disproportionality",
     "inclusion": "Quarter unless exceptional",
     "data": ("Black people were searched at " + f"{bw['ratio_to_white']:.1f} times the White rate "
              f"(officer-defined, Census {ss.census_year}; {ci(bw['ci_low'], bw['ci_high'], lambda v: f'{v:.1f}')})")
     if pd.notna(bw["ratio_to_white"]) else "Black/White ratio suppressed (too few searches)",
     "commentary": f"Rates per 1,000 residents over {n_months} months; see the page for every group, both definitions."},
    {"topic": "Strip searches", "measure": "stop_search_strip", "inclusion": "Quarter unless exceptional",
     "data": f"{nb.count(strip_total)} searches removed more than outer clothing in the period ({pct(R.loc['strip search', 'period_rate'])} "
             f"of searches with the field recorded)",
     "commentary": f"{nb.count(strip_child)} of them of children (under 18)."},
])
summary["shown"] = True
summary["link"] = "stop_search.html#" + summary["measure"].str.replace("stop_search_", "ss-")
summary = summary[["topic", "measure", "inclusion", "shown", "data", "commentary", "link"]]
nb.write_table(summary, "stop_search_summary", out_dir)
nb.heading("Summary", 2)
nb.table(summary[["topic", "data", "commentary"]].rename(columns=str.capitalize))

# %%
nb.heading("How many searches", 2, anchor="ss-volume")
nb.para(f"{nb.count(len(df))} searches in the period; {nb.count(n_rq)} in the reporting quarter"
        + (f", against {nb.count(n_cq)} in {stopsearch.quarter_label(cq)} ({q['comparison_kind']})." if cq else "."))
short = n_months < p.spc.baseline_months
nb.note(f"XmR chart: centre = mean of the first {x.attrs['baseline_points']} months, limits = centre ± 2.66 × mean "
        f"moving range; control-chart rules: {spc.rule_set(p.spc.rules).description}"
        + (f" The period has only {n_months} months, fewer than the {p.spc.baseline_months}-month baseline set "
           f"in the params: the limits use all {n_months}, the reporting month included, and are "
           f"provisional." if short else ""))
nb.chart(charts.xmr_chart(x, f"Stop and searches: {p.pack.force}, monthly (XmR)", y_title="Searches per month"),
         "XmR chart of monthly stop and searches; values are in tables/stop_search_spc.csv.")
nb.table(x[["month", "value", "centre", "lower", "upper", "rule", "variation"]].rename(
    columns={"value": "searches", "centre": "monthly average", "lower": "lower limit", "upper": "upper limit",
             "rule": "SPC rule"}), "stop_search_monthly", out_dir)

by_leg = stopsearch.breakdown(df, "legislation_group", stopsearch.LEGISLATION_ORDER, MIN)
nb.heading("By power (legislation)", 3)
nb.para(f"Counts are shown in full; the recorded-field find rate is left blank (find_suppressed) where fewer than "
        f"{MIN} searches have the find field recorded, the find rate over all searches and the arrest rate "
        f"(arrest_suppressed) where there are fewer than {MIN} searches.")
nb.table(by_leg, "stop_search_legislation", out_dir, formats={c: "{:.1%}" for c in [
         "share", "find_rate_all", "find_all_ci_low", "find_all_ci_high", "find_rate_recorded",
         "find_recorded_ci_low", "find_recorded_ci_high", "arrest_rate", "arrest_ci_low", "arrest_ci_high"]},
         caption="PACE s1: Police and Criminal Evidence Act 1984 section 1; s23: Misuse of Drugs Act 1971; s60: "
                 "Criminal Justice and Public Order Act 1994 (no suspicion needed); s47: Firearms Act 1968; other "
                 "powers listed in tables/stop_search_legislation_detail.csv.")
nb.write_table(df["legislation"].fillna("Not recorded").value_counts().rename_axis("legislation")
               .reset_index(name="searches"), "stop_search_legislation_detail", out_dir)
by_obj = stopsearch.breakdown(df, "object_of_search", None, MIN)
nb.heading("By object of search", 3)
PCT = {c: "{:.1%}" for c in ["share", "find_rate_all", "find_all_ci_low", "find_all_ci_high", "find_rate_recorded",
                             "find_recorded_ci_low", "find_recorded_ci_high", "arrest_rate", "arrest_ci_low",
                             "arrest_ci_high"]}
nb.table(by_obj, "stop_search_object", out_dir, formats=PCT)

# %%
nb.heading("Find, arrest and no further action", 2, anchor="ss-find_rate")
nb.para((f"Find rate: the object searched for was found in {nb.count(fr['period_count'])} of the "
         f"{nb.count(int(fr['period_n']))} searches, {pct(fr['period_rate'])} "
         f"({ci(fr['period_ci_low'], fr['period_ci_high'])}; 'Outcome linked to object of search' = True, over all "
         f"searches). " if pd.notna(fr["period_rate"]) else
         f"Find rate suppressed (fewer than {MIN} searches to base it on). ")
        + (f"Over the {nb.count(int(frr['period_n']))} searches where that field is recorded it is "
           f"{pct(frr['period_rate'])} ({ci(frr['period_ci_low'], frr['period_ci_high'])}); the field is empty "
           f"for {pct(R.loc['find not recorded', 'period_rate'])} of searches. " if pd.notna(frr["period_rate"]) else "")
        + stopsearch.find_bias_sentence(df) + " Arrest rate: "
        f"{pct(R.loc['arrest rate', 'period_rate'])} of all searches; no further action: "
        f"{pct(R.loc['no further action', 'period_rate'])}.")
if cq:
    for m in [stopsearch.FIND_ALL, stopsearch.FIND_RECORDED, "arrest rate", "no further action"]:
        r = R.loc[m]
        if pd.notna(r["pvalue"]):
            nb.para(f"{m.capitalize()}: {pct(r['reporting_quarter_rate'])} in {stopsearch.quarter_label(rq)} against "
                    f"{pct(r['comparison_quarter_rate'])} in {stopsearch.quarter_label(cq)}: "
                    + ("a statistically significant difference" if r["significant"] else
                       "not a statistically significant difference") + f" ({r['test']}, {narrative.fmt_p(r['pvalue'])}).")
    n_t = int(rates_t["pvalue"].notna().sum())
    if n_t:
        nb.note(f"{n_t} measures are compared between the two quarters in the table below "
                f"({int(rates_t['significant'].sum())} significant at p < 0.05); with {n_t} tests at the 5% level, "
                f"chance alone would flag about {0.05 * n_t:.1f} of them even if nothing had changed. The two find "
                f"rates share their finds, so their tests are not independent.")
show = rates_t.copy()
nb.table(show, "stop_search_rates", out_dir, formats={c: "{:.1%}" for c in show.columns
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
C = cov.set_index(["definition", "group"])
nb.para(f"Searches per 1,000 residents of each ethnic group over the {n_months} months, and each group's rate "
        f"divided by the White rate. Population: Census {ss.census_year} usual residents of the "
        f"{pfa['pfa_name']} police force area ({pfa['pfa_code']}), {int(pfa['Total']):,} people. Ethnicity not "
        f"stated: {pct(C.loc[('officer-defined', 'Not stated'), 'share'])} of searches (officer-defined), "
        f"{pct(C.loc[('self-defined', 'Not stated'), 'share'])} (self-defined); these searches are in no group's "
        f"rate, so every rate is a lower bound.")
nb.note("Mapping. Officer-defined ethnicity is recorded by police.uk in the five Census high-level groups and is "
        "used as it is (officers rarely record 'Mixed', so that group is usually suppressed). Self-defined "
        "ethnicity is a Census category written '<group> - <category>'; its group prefix gives the Census group "
        "(White, Black/African/Caribbean/Black British → Black, Asian/Asian British → Asian, Mixed/Multiple ethnic "
        "groups → Mixed, Other ethnic group → Other); 'Other ethnic group - Not stated' and empty count as not "
        f"stated. Census {ss.census_year} puts Chinese in Asian and Arab in Other, as police.uk does. Caveats: "
        "residents are not the people present where searches happen (visitors, commuters, the night-time "
        "economy), and the Census ages; a ratio shows a difference in rates, not its cause.")
nb.table(disp, "stop_search_disproportionality", out_dir, decimals=2,
         caption=f"ratio_to_white with its 95% interval (ci_low, ci_high); White is the reference (ratio 1). "
                 f"suppressed = fewer than {MIN} searches (count, rate and ratio left blank).")
plot = disp[disp["ratio_to_white"].notna() & (disp["ethnic_group"] != "White")]
if len(plot):
    base = alt.Chart(plot).encode(y=alt.Y("ethnic_group:N", title=None), yOffset="definition:N",
                                  color=alt.Color("definition:N", title="ethnicity"))
    ch = (base.mark_rule().encode(x=alt.X("ci_low:Q", scale=alt.Scale(type="log"),
                                          title="rate ratio to White (log scale), 95% interval"), x2="ci_high:Q")
          + base.mark_point(filled=True, size=60).encode(x="ratio_to_white:Q")
          + alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 3], color="#231f20").encode(x="x:Q")
          ).properties(width=560, height=200, title=f"Search rate relative to White, {p.pack.force}")
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
fe = pd.concat([stopsearch.breakdown(df, "officer_group", stopsearch.CENSUS_GROUPS + [stopsearch.NOT_STATED], MIN)
                .rename(columns={"officer_group": "ethnic_group"}).assign(definition="officer-defined"),
                stopsearch.breakdown(df, "self_group", stopsearch.CENSUS_GROUPS + [stopsearch.NOT_STATED], MIN)
                .rename(columns={"self_group": "ethnic_group"}).assign(definition="self-defined")])
fe = fe[["definition", "ethnic_group", "searches", "found", "find_rate_all", "find_all_ci_low", "find_all_ci_high",
         "find_recorded", "find_rate_recorded", "find_recorded_ci_low", "find_recorded_ci_high",
         "arrest_rate", "arrest_ci_low", "arrest_ci_high", "find_suppressed", "arrest_suppressed"]]
nb.table(fe, "stop_search_find_by_ethnicity", out_dir, formats=PCT,
         caption=f"Find rate blank where fewer than {MIN} searches of the group have the field recorded.")

# %%
nb.heading("Strip searches", 2, anchor="ss-strip")
strip = stopsearch.strip_searches(df, MIN)
sr = R.loc["strip search"]
nb.para(f"{nb.count(strip_total)} searches removed more than outer clothing in the period: {pct(sr['period_rate'])} "
        f"({ci(sr['period_ci_low'], sr['period_ci_high'])}) of the {nb.count(int(sr['period_n']))} searches where this is "
        f"recorded. Children: {nb.count(strip_child)} of the strip searches were of people under 18 (age range under 10 "
        f"or 10-17).")
nb.note(f"Counts of strip searches are shown even when small (each is a published record). The share and its "
        f"Wilson interval are left blank where fewer than {MIN} searches in the row have the field recorded.")
nb.table(strip["ethnicity"].rename(columns={"officer_group": "ethnic group (officer-defined)"}),
         "stop_search_strip_ethnicity", out_dir, formats={"share": "{:.1%}", "ci_low": "{:.1%}", "ci_high": "{:.1%}"})
nb.table(strip["age"], "stop_search_strip_age", out_dir,
         formats={"share": "{:.1%}", "ci_low": "{:.1%}", "ci_high": "{:.1%}"},
         caption="Children (age ranges under 10 and 10-17) are called out in the sentence above.")
