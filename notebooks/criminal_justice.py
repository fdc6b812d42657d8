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
# # Criminal justice and public contact

# %% tags=["parameters"]
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/default.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/default/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/default"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/default"  # tables/*.csv are written under it

# %%
from scrutiny.analyses import criminal_justice as cj
from scrutiny.analyses import summary
from scrutiny.report import charts, page
from scrutiny.stats import spc

p, period = page.start(params_file)
s = p.criminal_justice
r = cj.prepare(work_dir, s, period, p.spc.rules, p.spc.baseline_months, page.count)
rows = summary.frame(r["summary"])
page.write_table(rows, "criminal_justice_summary", out_dir)
page.para(cj.intro_sentence(p.pack.force, period))
page.note(cj.method_note(s, period, spc.rule_set(p.spc.rules).description))
page.heading("Summary", 2)
page.table(rows[["topic", "data", "commentary"]].rename(columns=str.capitalize))

# %%
page.heading("999 calls", 2, anchor="calls-999")
page.para(cj.calls_sentence(r["calls"], "999", period[1], s.answer_999_seconds, s.standard_999_pct, page.count))
page.chart(charts.xmr_chart(r["spc_999"], "999 calls answered in time, % (XmR)", y_title="% answered in time"),
           "XmR chart of the monthly % of 999 calls answered in time; values in tables/cj_calls_999_spc.csv.")
page.write_table(r["spc_999"], "cj_calls_999_spc", out_dir, counts=[])
page.heading("101 calls", 2, anchor="calls-101")
page.para(cj.calls_sentence(r["calls"], "101", period[1], s.answer_101_seconds, None, page.count))
page.chart(charts.rate_lines(cj.calls_chart_frame(r["calls"]), "month",
                             {"within_999": "999 in time", "baseline_999": "999 baseline",
                              "within_101": "101 in time", "baseline_101": "101 baseline"},
                             "Calls answered in time, with the three-year baselines", y_title="share of calls",
                             x_title="Month"), "Monthly share of calls answered in time; values in tables/cj_calls.csv.")
page.write_table(r["calls"], "cj_calls", out_dir, counts=["offered", "answered_within_target", "abandoned", "answered"])
page.table(cj.recent(r["calls"], period), counts=["offered", "answered_within_target", "abandoned", "answered"],
           caption="The last 12 months (every month in tables/cj_calls.csv). pct_within_target = answered within the "
                   "line's threshold ÷ calls offered; baseline = mean of the previous three financial years' "
                   "percentages (blank where the extract lacks them).")
page.heading("Before and after the call-handling change", 3)
for text in cj.before_after_sentences(r["before_after"]):
    page.para(text)
page.write_table(r["before_after"], "cj_calls_before_after", out_dir, counts=[])
page.table(cj.before_after_display(r["before_after"]), decimals=2, counts=[],
           caption="Level and slope changes in percentage points; p from the t test named above "
                   "(tables/cj_calls_before_after.csv).")

# %%
page.heading("Emergency response", 2, anchor="response")
page.para(cj.response_sentence(r["response"], period[1], s.urban_target_minutes, s.rural_target_minutes, page.count))
page.chart(charts.xmr_chart(r["spc_response"], "Emergency incidents: median minutes to arrival (XmR)",
                            y_title="Median minutes"),
           "XmR chart of the monthly median response time; values in tables/cj_response_spc.csv.")
page.write_table(r["spc_response"], "cj_response_spc", out_dir, counts=[])
page.write_table(r["response"], "cj_response", out_dir, counts=["incidents", "attended", "not_attended", "within_target"])
page.table(cj.recent(r["response"], period, 3), counts=["incidents", "attended", "not_attended", "within_target"],
           caption="Emergency incidents in the last 3 months by district (Force = all; every month in "
                   "tables/cj_response.csv); median_min and p90_min over incidents with an arrival; "
                   "pct_within_target of those incidents.")

# %%
page.heading("Charge decisions", 2, anchor="charge")
for text in cj.charge_sentences(r["charge_before_after"], r["charge_info"], page.count):
    page.para(text)
page.chart(charts.rate_lines(cj.charge_chart_frame(r["charge"]), "month", {"domestic abuse": "Domestic abuse",
                             "other": "Other crime"}, "Charge rate per decision", y_title="share of decisions",
                             x_title="Month"), "Monthly charge rate; values in tables/cj_charge.csv.")
page.write_table(r["charge"], "cj_charge", out_dir, counts=["decisions", "charges", "nfa"])
page.table(cj.recent(r["charge"], period, 3), counts=["decisions", "charges", "nfa"], decimals=2,
           caption="The last 3 months (every month in tables/cj_charge.csv). charge_rate = charges ÷ decisions (%); "
                   "charge_nfa_ratio = charges per NFA decision.")
page.table(r["charge_before_after"], "cj_charge_before_after", out_dir, decimals=2,
           counts=["decisions_before", "charges_before", "nfa_before", "decisions_after", "charges_after", "nfa_after"])

# %%
page.heading("Case file quality", 2, anchor="files")
page.para(cj.files_sentence(r["files"], period[1], page.count))
page.write_table(r["files"], "cj_case_files", out_dir)
page.table(cj.recent(r["files"], period), caption="The last 12 months (every month in tables/cj_case_files.csv). "
           "assessed is the denominator; ci_low and ci_high: 95% Wilson score interval for pct_compliant; err_* count "
           "the failed files by error type.")

# %%
page.heading("Court timeliness", 2, anchor="court")
if r["court"] is None:
    page.para("No court cases extract was given (optional input court_cases), so court timeliness is not shown.")
else:
    for text in cj.court_sentences(r["court_trend"]):
        page.para(text)
    page.table(r["court_trend"], "cj_court_trend", out_dir, decimals=2, counts=["cases"])
    page.write_table(r["court"], "cj_court", out_dir, counts=["cases"])
    page.table(cj.recent(r["court"], period, 3), counts=["cases"], caption="Days per interval in the last 3 months, "
               "by the month of its later event (a case counts once the interval is complete, as in the Ministry of "
               "Justice tables); every month in tables/cj_court.csv.")
