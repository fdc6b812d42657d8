"""Questions for the force: numbered asks generated from a pack's findings by stated rules.

An OPCC scrutiny report turns findings into asks of the Chief Constable, each tied to its evidence (seed 002's
Scrutiny Report has seven). Every section writes its findings in one shape (FINDING_COLUMNS); each finding `kind`
has one rule (RULES) that words the question and says why it is asked. Params can drop a generated question by id
or add one (`questions: {drop: [...], add: [...]}`). The rule table is printed on questions.html so a reader can see
why each question is there and none is there by taste.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

FINDING_COLUMNS = ["section", "kind", "priority", "measure", "label", "area", "finding", "evidence", "link", "csv",
                   "row_key"]
QUESTION_COLUMNS = ["id", "priority", "measure", "area", "finding", "question", "evidence", "csv", "row_key"]


@dataclass(frozen=True)
class Rule:
    kind: str
    when: str
    template: str
    order: int


RULES = [
    Rule("data_problem", "a month's volume is implausible against its neighbouring months (a file cut short or loaded "
         "twice), so the figures for it cannot be judged",
         "{finding} Will the force confirm the complete figures for this month, and re-publish the file if it is "
         "wrong?", 1),
    Rule("series_break", "a series steps to a new level at once (detected or declared series break)",
         "{finding} Was there a change in how these crimes are recorded or uploaded in that month, and which figures "
         "before it can be compared with those after?", 2),
    Rule("exceptional", "the reporting month is outside the process limits (SPC rule 1) in the direction the plan "
         "does not want",
         "{finding} What lies behind it, and what is the force doing in response?", 3),
    Rule("worse", "the rolling 12-month change is significant (overdispersion-adjusted test, p < 0.05) in the "
         "direction the plan does not want",
         "{finding} What is the force's explanation, and what will it do to turn this round?", 4),
    Rule("outcome_rate", "a crime outcome or charge rate is low or has fallen significantly",
         "{finding} What is limiting outcomes, and what is the plan to improve them?", 5),
    Rule("disproportionality", "a group is searched at a significantly higher rate than White people (rate-ratio "
                               "interval above 1)",
         "{finding} How does the force assure itself that these searches are justified, and what do its own "
         "scrutiny panels make of them?", 6),
    Rule("above_peers", "a crime rate is significantly above the peer group's average (z-test with the "
         "between-force variance, p < 0.05)",
         "{finding} Does the force know why its rate is higher than similar forces', including how much is "
         "recording practice rather than crime, and what is it doing about it?", 7),
    Rule("audit", "the auditor found a major discrepancy in a published document",
         "{finding} Which figure is right, and will the document be corrected?", 8),
]
RULES_BY_KIND = {r.kind: r for r in RULES}


def rule_table() -> pd.DataFrame:
    """The rules as printed on the page: kind, when a question is asked, and its wording."""
    return pd.DataFrame([{"Finding": r.kind.replace("_", " ").capitalize(), "A question is asked when": r.when,
                          "Wording": r.template.replace("{finding} ", "[the finding] ")} for r in RULES])


def from_findings(findings: pd.DataFrame, drop=(), add=()) -> pd.DataFrame:
    """Numbered questions (QUESTION_COLUMNS) from findings, ordered by rule then by the findings' order.

    drop: question ids (as generated, e.g. 'Q3') or row keys to leave out; add: dicts with priority, measure, area,
    finding, question, evidence (asked as given, after the generated ones)."""
    if findings is None or findings.empty:
        rows = []
    else:
        f = findings[findings["kind"].isin(RULES_BY_KIND)].copy()
        f["_order"] = f["kind"].map(lambda k: RULES_BY_KIND[k].order)
        f = f.reset_index(drop=True).reset_index().sort_values(["_order", "index"])
        rows = [{"priority": r["priority"], "measure": r["measure"], "area": r["area"], "finding": r["finding"],
                 "question": RULES_BY_KIND[r["kind"]].template.format(finding=r["finding"]),
                 "evidence": r["evidence"] or r["link"], "csv": r["csv"], "row_key": r["row_key"]}
                for _, r in f.iterrows()]
    out = []
    for i, r in enumerate(rows, 1):
        qid = f"Q{i}"
        if qid in drop or r["row_key"] in drop:
            continue
        out.append({"id": qid, **r})
    for j, a in enumerate(add, 1):
        out.append({"id": f"A{j}", "priority": a.get("priority", ""), "measure": a.get("measure", ""),
                    "area": a.get("area", ""), "finding": a.get("finding", ""), "question": a["question"],
                    "evidence": a.get("evidence", ""), "csv": "", "row_key": ""})
    return pd.DataFrame(out, columns=QUESTION_COLUMNS)
