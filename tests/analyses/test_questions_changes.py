"""Questions for the force from hand-built findings; revisions and signals between two hand-built packs."""

import json

import pandas as pd
import pytest

from scrutiny.analyses import questions
from scrutiny.report import changes


def finding(kind, measure="burglary", area="force", finding="Burglary rose.", priority="Neighbourhood crime"):
    return {"section": "performance", "kind": kind, "priority": priority, "measure": measure, "label": measure,
            "area": area, "finding": finding, "evidence": f"performance.html#{measure}", "link": "",
            "csv": "tables/performance_change.csv", "row_key": f"measure={measure};area={area}"}


def test_each_rule_words_its_question_and_orders_by_rule():
    f = pd.DataFrame([finding("worse", finding="Burglary rose 11% (p = 0.01)."),
                      finding("exceptional", "robbery", finding="Robbery: 40 in June, above the limit of 31."),
                      finding("data_problem", "all_crime", finding="May 2025 holds 0.02 times its neighbours."),
                      finding("series_break", "criminal_damage_and_arson", finding="Steps from 52 to 578 a month."),
                      finding("audit", "x", finding="The pack prints 71% of 18."),
                      finding("disproportionality", "searches", finding="Black people 6.0 times."),
                      finding("outcome_rate", "charged_within_k", finding="Charge rate 5.6%."),
                      finding("above_peers", "peers_burglary", finding="Burglary: 6.1 per 1,000 against 4.0."),
                      finding("not_a_rule", "y")])
    q = questions.from_findings(f)
    assert list(q["id"]) == [f"Q{i}" for i in range(1, 9)]
    assert list(q["measure"]) == ["all_crime", "criminal_damage_and_arson", "robbery", "burglary",
                                  "charged_within_k", "searches", "peers_burglary", "x"]
    assert q.iloc[6]["question"].startswith("Burglary: 6.1 per 1,000 against 4.0. Does the force know why its rate")
    assert q.iloc[0]["question"].startswith("May 2025 holds 0.02 times its neighbours. Will the force confirm")
    assert q.iloc[3]["question"] == ("Burglary rose 11% (p = 0.01). What is the force's explanation, and what will "
                                     "it do to turn this round?")
    assert q.iloc[3]["evidence"] == "performance.html#burglary" and q.iloc[3]["row_key"] == "measure=burglary;area=force"
    assert list(q.columns) == questions.QUESTION_COLUMNS


def test_params_drop_and_add():
    f = pd.DataFrame([finding("worse"), finding("exceptional", "robbery")])
    q = questions.from_findings(f, drop=["Q1"], add=[{"question": "How many officers are on patrol?",
                                                      "priority": "Visible policing"}])
    assert list(q["id"]) == ["Q2", "A1"]
    assert q.iloc[1]["question"] == "How many officers are on patrol?"
    assert questions.from_findings(pd.DataFrame(columns=questions.FINDING_COLUMNS)).empty


def _pack(folder, monthly, spc, summary):
    (folder / "tables").mkdir(parents=True)
    pd.DataFrame(monthly, columns=["measure", "area", "month", "value"]).to_csv(folder / "tables" /
                                                                                "performance_monthly.csv", index=False)
    pd.DataFrame(spc, columns=["measure", "area", "month", "variation", "rule"]).to_csv(
        folder / "tables" / "performance_spc.csv", index=False)
    pd.DataFrame(summary, columns=["measure", "commentary"]).to_csv(folder / "tables" / "summary.csv", index=False)
    (folder / "MANIFEST.json").write_text(json.dumps({"files": {}}))
    return folder


def test_revisions_and_signals_between_two_packs(tmp_path):
    old = _pack(tmp_path / "may", [("burglary", "force", "2025-04", 180), ("burglary", "force", "2025-05", 175),
                                   ("robbery", "force", "2025-05", 30)],
                [("burglary", "force", "2025-05", "special cause concern", "outside limits"),
                 ("robbery", "force", "2025-05", "common cause", "")],
                [("burglary", "Exceptionally high volume for the force."), ("robbery", "No exceptional volumes.")])
    new = _pack(tmp_path / "june", [("burglary", "force", "2025-04", 183), ("burglary", "force", "2025-05", 175),
                                    ("burglary", "force", "2025-06", 170), ("robbery", "force", "2025-05", 29)],
                [("burglary", "force", "2025-06", "common cause", ""),
                 ("robbery", "force", "2025-06", "special cause concern", "shift")],
                [("burglary", "No exceptional volumes."), ("robbery", "No exceptional volumes.")])
    c = changes.compare(old, new)
    rev = c[c["change"] == "revision"]
    assert rev[["measure", "month", "old", "new", "difference"]].values.tolist() == [
        ["burglary", "2025-04", 180, 183, 3], ["robbery", "2025-05", 30, 29, -1]]
    sig = c[c["change"].str.startswith("signal")].set_index("measure")
    assert sig.loc["burglary", "change"] == "signal cleared"
    assert sig.loc["robbery", "change"] == "signal appeared" and sig.loc["robbery", "new"] == "special cause concern (shift)"
    j = c[c["change"] == "judgement changed"]
    assert j["measure"].tolist() == ["burglary"]


def test_previous_pack_must_be_a_pack(tmp_path):
    with pytest.raises(changes.PreviousPackError, match="not a pack folder"):
        changes.compare(tmp_path, tmp_path)


def test_stop_search_and_audit_findings_feed_questions():
    from scrutiny.analyses import audit, stop_search

    disp = pd.DataFrame([
        {"ethnic_group": "Black", "definition": "officer-defined", "ratio_to_white": 6.0, "ci_low": 5.3, "ci_high": 6.8},
        {"ethnic_group": "Asian", "definition": "officer-defined", "ratio_to_white": 1.1, "ci_low": 0.9, "ci_high": 1.3},
        {"ethnic_group": "Black", "definition": "self-defined", "ratio_to_white": 5.0, "ci_low": 4.0, "ci_high": 6.0},
        {"ethnic_group": "White", "definition": "officer-defined", "ratio_to_white": 1.0, "ci_low": float("nan"),
         "ci_high": float("nan")}])
    f = stop_search.findings(disp, "2024")
    assert f["row_key"].tolist() == ["ethnic_group=Black;definition=officer-defined"]  # Asian's interval holds 1
    reg = pd.DataFrame([{"id": "R1", "document": "Panel pack", "where": "p4", "printed": "71% of 18",
                         "explanation": "71% of 18 is not a whole number of people.", "check": "share_of_n",
                         "severity": "major"},
                        {"id": "R2", "document": "Panel pack", "where": "p5", "printed": "12.4%",
                         "explanation": "rounding", "check": "share", "severity": "minor"}])
    q = questions.from_findings(pd.concat([f, audit.findings(reg)], ignore_index=True))
    assert [x.split(".")[0] for x in q["question"]] == ["Black people (officer-defined) were searched at 6",
                                                         "In Panel pack (p4) the document prints 71% of 18; 71% of 18 is not a whole number of people"]


def test_outcome_findings_only_for_a_significant_fall_in_charges_or_rise_in_no_outcome():
    from scrutiny.analyses import outcomes

    fmix = pd.DataFrame([
        {"outcome_within_k": "Suspect charged", "share_now": 0.05, "share_before": 0.06, "change_pp": -1.0,
         "test": "two-proportion z-test (pooled)", "p_value": 0.0001, "judgement": "significant change"},
        {"outcome_within_k": "No outcome within 3 months", "share_now": 0.20, "share_before": 0.25, "change_pp": -5.0,
         "test": "two-proportion z-test (pooled)", "p_value": 0.0001, "judgement": "significant change"},
        {"outcome_within_k": "Local resolution", "share_now": 0.02, "share_before": 0.03, "change_pp": -1.0,
         "test": "two-proportion z-test (pooled)", "p_value": 0.0001, "judgement": "significant change"}])
    f = outcomes.findings(fmix, 3, "January–March 2025", "January–March 2024")
    assert f["measure"].tolist() == ["charged_within_k"]
    assert f.iloc[0]["finding"].startswith("Suspect charged within 3 months: 5.0% of crimes recorded January–March 2025 "
                                           "against 6.0% a year earlier")
