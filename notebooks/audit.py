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
# # Published figures audit

# %% tags=["parameters"]
# Opened by hand (JupyterLab starts the kernel in notebooks/), these read the tables written by
# `scrutiny prepare params/audit_seed_000.yaml`; a pack run replaces all three.
params_file = "../outputs/.prepared/audit-seed-000/params.yaml"  # the pack's params YAML
work_dir = "../outputs/.prepared/audit-seed-000"  # the prepared tables (<input>.parquet)
out_dir = "../outputs/.prepared/audit-seed-000"  # tables/*.csv are written under it

# %%
from pathlib import Path

import pandas as pd

from scrutiny.analyses import audit, measures
from scrutiny.config import params
from scrutiny.reference import months
from scrutiny.report import page

p, period = page.start(params_file)
figures = pd.read_parquet(f"{work_dir}/published_figures.parquet")
relations = pd.read_parquet(f"{work_dir}/published_relations.parquet")
tol = audit.Tolerance(relative=audit.D(p.audit.tolerance.relative), points=audit.D(p.audit.tolerance.points))
checks = audit.run_checks(figures, relations, tol)
titles = dict(p.audit.documents)
register = audit.register(checks, titles)

raw = pd.DataFrame()
street = Path(work_dir) / "police_uk_street.parquet"
if street.is_file():
    cat = measures.load_catalogue(params.paths.resolve(p.performance.catalogue))
    monthly = measures.monthly(measures.type_counts(street, period), cat, period, p.performance.district_min_share)
    raw = audit.raw_compare(figures, monthly)
    register = pd.concat([register, audit.raw_register_rows(raw)], ignore_index=True)
    register["document"] = [titles.get(d, d) for d in register["doc_id"]]
counts = audit.summary_counts(checks, register)
docs = sorted(figures["doc_id"].dropna().unique())
doc_names = [f"{titles[d]} ({d})" if d in titles else d for d in docs]
rounding = checks[checks["status"] == audit.STATUS_ROUNDING]
unchecked = checks[checks["status"] == audit.STATUS_UNCHECKED]
ambiguous = checks[checks["status"] == audit.STATUS_AMBIGUOUS]
page.write_table(checks, "audit_checks", out_dir)

# %%
P = audit.plural
page.para(f"{'Document' if len(docs) == 1 else 'Documents'} audited: {'; '.join(doc_names)}.")
page.para(f"{P(len(figures), 'printed figure')} and {P(len(relations), 'relation')} between them were transcribed "
        f"(data/published/); {P(counts['checks'], 'check')} {'was' if counts['checks'] == 1 else 'were'} run. "
        f"{P(counts['flagged'], 'discrepancy')} {'was' if counts['flagged'] == 1 else 'were'} found "
        f"({counts['major']} major, {counts['minor']} minor); {P(counts['rounding'], 'printed value')} "
        f"{'is' if counts['rounding'] == 1 else 'are'} consistent with rounding only; {counts['ambiguous']} "
        f"{'is' if counts['ambiguous'] == 1 else 'are'} ambiguous (maybe not the same quantity); "
        f"{counts['unchecked']} could not be checked from the document.")
page.note("How figures are checked. Totals: the parts must sum to the printed total (exactly for counts, £, FTE and "
        "days; for rounded units, within the sum of their half-units). Shares and changes are recomputed from their "
        "inputs with exact decimal arithmetic and rounded to the printed decimals under round-half-up (ties away "
        "from zero, as spreadsheet ROUND) and round-half-even (banker's rounding); a value is flagged only if neither "
        "rule reproduces it. When the inputs are themselves rounded (percentages, rates, £m), every value within half "
        "a unit of each printed input is allowed (interval arithmetic); a result reachable that way is 'consistent "
        "with rounding', not an error. 'x% (n)' figures are tested for an integer denominator N with n/N rounding to "
        "x%. Products (inputs multiplied, or one input times a stated constant) and ratios (a ÷ b × a multiplier: "
        "rates per 1,000, averages) are recomputed the same way; a percentage of a printed whole number N must be "
        "k/N for a whole k; a bound (a part not above its whole) is broken only when no values consistent with the "
        "printed rounding satisfy it. The same figure printed twice must agree within rounding. A worded claim (increase, fell, above, "
        "exceeded…) is contradicted when no values consistent with the printed numbers point the claimed way. "
        f"'In line', 'stable', 'similar' and 'no significant change' allow a tolerance (params audit.tolerance; "
        f"defaults 5% and 1 point): here {audit.fmt(tol.relative * 100)}% of the reference figure for counts, £, "
        f"FTE and days, and {audit.fmt(tol.points)} point(s) for percentages, percentage points, ratios and rates.")
page.note("Severity rule (mechanical, not a judgement of importance): major when the printed value is at least 0.5 "
        "points (percent, percentage-point and rate units) or at least 1% of its size (other units) away from "
        "the nearest value its inputs allow, and for every contradicted claim, infeasible 'x% (n)' or share of N, broken "
        "bound and percentage printed for a change from zero; otherwise minor.")

# %%
page.heading("Discrepancy register", 2, anchor="register")
page.write_table(audit.findings(register), "audit_findings", out_dir, counts=[])
if len(register):
    page.table(register.drop(columns=["doc_id", "location"]), caption="Every printed figure that its own "
             "document does not reproduce. where = page and table or row in the document (the line of its text "
             "extraction when no page is known); id = the relation id in relations.csv.")
    page.write_table(register, "audit_register", out_dir)
else:
    page.write_table(register, "audit_register", out_dir)
    page.para("No discrepancies: every relation declared for these documents reproduces, at least within rounding.")

# %%
page.heading("Consistent with rounding only", 2, anchor="rounding")
page.para(f"{P(len(rounding), 'printed value')} {'does' if len(rounding) == 1 else 'do'} not follow from the other printed (rounded) values by plain arithmetic, "
        f"but do follow from unrounded values that round to them. They are not errors; reproducing them from raw data "
        f"needs the unrounded numbers.")
page.table(rounding[["id", "doc_id", "where", "relation", "check", "printed", "recomputed", "explanation"]]
         .reset_index(drop=True), "audit_rounding", out_dir)

# %%
if len(ambiguous):
    page.heading("Ambiguous: maybe not the same quantity", 2, anchor="ambiguous")
    page.para("Printings declared the same figure that disagree but carry different as-at dates or windows "
            "(figures.csv columns as_at and window). They are not counted as discrepancies: check whether the "
            "document means the same thing by them.")
    page.table(ambiguous[["id", "doc_id", "where", "relation", "printed", "recomputed", "explanation"]]
             .reset_index(drop=True),
             "audit_ambiguous", out_dir)

# %%
if len(unchecked):
    page.heading("Not checkable from the document", 2, anchor="unchecked")
    page.table(unchecked[["id", "doc_id", "where", "relation", "check", "printed", "recomputed", "explanation"]]
             .reset_index(drop=True), "audit_unchecked", out_dir)

# %%
page.heading("Recomputed from raw data", 2, anchor="raw")
if street.is_file():
    page.para(f"Published counts whose measure is a police.uk measure id, geography 'force' or a district, and period a "
            f"month or span of months (YYYY-MM or YYYY-MM..YYYY-MM) inside {months.label(p.period.start)} to "
            f"{months.label(p.period.end)} were recounted from the pack's data.police.uk street files: "
            f"{len(raw)} figures, {int((raw['difference'] != 0).sum()) if len(raw) else 0} differ.")
    page.table(raw, "audit_raw", out_dir)
else:
    page.para("This pack has no raw data among its inputs (add police_uk_street to recount published police.uk counts), "
            "so no figure was recomputed from raw data.")

# %%
page.heading("All checks", 2, anchor="checks")
by = checks.groupby(["doc_id", "check", "status"]).size().rename("checks").reset_index()
page.table(by, caption="Every check by document, kind and result; each check in full in tables/audit_checks.csv.")

summary = audit.summary_rows(counts, len(figures), doc_names)
page.write_table(summary, "audit_summary", out_dir)
