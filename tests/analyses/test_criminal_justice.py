"""Criminal justice analyses on small hand-built tables whose numbers can be checked by hand."""

import re

import numpy as np
import pandas as pd
import pytest

from scrutiny.analyses import criminal_justice as cj


def _calls(rows):
    """rows: (month, line, answer_s or None, abandoned)"""
    return pd.DataFrame(rows, columns=["month", "line", "answer_s", "abandoned"]).assign(
        call_id=lambda d: [f"C{i}" for i in range(len(d))])


def test_calls_within_target_boundary_and_abandonment():
    calls = _calls([
        ("2025-06", "999", 10.0, False),   # exactly 10 s: within
        ("2025-06", "999", 11.0, False),
        ("2025-06", "999", None, True),    # abandoned: offered, not within
        ("2025-06", "999", 3.0, False),
        ("2025-06", "101", 30.0, False),   # exactly 30 s: within the 101 threshold
        ("2025-06", "101", 31.0, False),
    ])
    m = cj.calls_monthly(calls, {"999": 10, "101": 30})
    t = cj.calls_table(m, ("2025-06", "2025-06")).set_index("line")
    assert t.loc["999", "offered"] == 4
    assert t.loc["999", "answered_within_target"] == 2
    assert t.loc["999", "abandoned"] == 1
    assert t.loc["999", "pct_within_target"] == pytest.approx(50.0)
    assert t.loc["999", "pct_abandoned"] == pytest.approx(25.0)
    assert t.loc["101", "answered_within_target"] == 1
    assert np.isnan(t.loc["999", "baseline"])  # no financial years before June 2025 in the data
    assert list(cj.calls_table(m, ("2025-06", "2025-06")).columns[:7]) == [
        "month", "line", "offered", "answered_within_target", "abandoned", "pct_within_target", "baseline"]


def test_calls_baseline_uses_months_before_the_period():
    rows = []
    for fy, within in ((2021, 9), (2022, 8), (2023, 7)):  # 90%, 80%, 70% of 10 calls each month
        for k in range(12):
            y, mo = (fy, 4 + k) if k < 9 else (fy + 1, k - 8)
            m = f"{y}-{mo:02d}"
            rows += [(m, "999", 5.0, False)] * within + [(m, "999", 20.0, False)] * (10 - within)
    rows += [("2024-04", "999", 5.0, False)] * 10
    t = cj.calls_table(cj.calls_monthly(_calls(rows), {"999": 10, "101": 30}), ("2024-01", "2024-04"))
    t = t[t["line"] == "999"].set_index("month")
    assert t.loc["2024-04", "baseline"] == pytest.approx(80.0)   # (90 + 80 + 70) / 3
    assert np.isnan(t.loc["2024-03", "baseline"])                # FY2023/24 needs FY2020/21
    assert list(t.index) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    # a line with no calls at all still has its months, with zero calls and no percentage
    t101 = cj.calls_table(cj.calls_monthly(_calls(rows), {"999": 10, "101": 30}), ("2024-01", "2024-04"))
    assert (t101[t101["line"] == "101"]["offered"] == 0).all()


def test_month_from_date():
    assert cj.month_from_date("2024-10-01") == ("2024-10", False)
    assert cj.month_from_date("2019-12-09") == ("2020-01", True)


def test_calls_before_after_names_the_test_and_leaves_out_a_partial_month():
    months = [str(p) for p in pd.period_range("2023-01", "2024-12", freq="M")]
    rng = np.random.default_rng(3)
    t = pd.DataFrame({"month": months * 2, "line": ["999"] * 24 + ["101"] * 24, "offered": 1000})
    t["pct_within_target"] = np.r_[90 + rng.normal(0, 0.5, 24), 60 + rng.normal(0, 1, 24) + 10 * (np.arange(24) >= 13)]
    t["pct_abandoned"] = 5.0 + rng.normal(0, 0.2, 48)
    ba = cj.calls_before_after(t, "2024-01-15", seasonal=False).set_index(["line", "measure"])
    r = ba.loc[("101", "% answered within target")]
    assert r["first_month_after"] == "2024-02" and r["month_left_out"] == "2024-01"
    assert (r["months_before"], r["months_after"]) == (12, 11)
    assert r["level_change"] == pytest.approx(10, abs=2.5) and r["level_p"] < 0.05
    assert "segmented regression" in r["test"]
    s = cj.before_after_sentence(r.to_dict() | {"line": "101", "measure": "% answered within target"})
    assert s.startswith("101 % answered within target: significant level change at Feb 2024, +")
    assert "months before" in s


def test_response_times_median_p90_and_targets_by_rurality():
    inc = pd.DataFrame({
        "incident_id": [f"I{i}" for i in range(7)],
        "grade": ["emergency"] * 6 + ["priority"],
        "month": ["2025-06"] * 7,
        "district": ["A", "A", "A", "B", "B", "B", "A"],
        "rural": [False, False, False, True, True, True, False],
        "arrive_min": [5.0, 15.0, 16.0, 20.0, 21.0, None, 1.0],
    })
    r = cj.response_times(inc, ("2025-06", "2025-06"), urban_minutes=15, rural_minutes=20).set_index("area")
    a = r.loc["A"]
    assert (a["incidents"], a["attended"], a["within_target"]) == (3, 3, 2)   # 5 and 15 (boundary) within 15
    assert a["median_min"] == 15 and a["p90_min"] == pytest.approx(15.8)      # linear: 15 + 0.8 × 1
    b = r.loc["B"]
    assert (b["incidents"], b["attended"], b["not_attended"], b["within_target"]) == (3, 2, 1, 1)
    f = r.loc["Force"]
    assert (f["incidents"], f["attended"], f["within_target"]) == (6, 5, 3)
    assert f["pct_within_target"] == pytest.approx(60.0)
    assert f["median_min"] == 16


def _decisions():
    rows = []
    # before (2023-01): DA 10 decisions, 5 charge 3 NFA; other 10 decisions, 6 charge 2 NFA
    # after (2023-12): DA 10 decisions, 2 charge 6 NFA; other 10 decisions, 6 charge 2 NFA
    for month, da, charge, nfa in (("2023-01", True, 5, 3), ("2023-01", False, 6, 2),
                                   ("2023-12", True, 2, 6), ("2023-12", False, 6, 2)):
        kinds = ["charge"] * charge + ["NFA"] * nfa + ["further action"] * (10 - charge - nfa)
        rows += [(month, k, da) for k in kinds]
    df = pd.DataFrame(rows, columns=["month", "decision", "da"])
    return df.assign(decision_id=[f"D{i}" for i in range(len(df))], decision_maker="police")


def test_charge_rate_and_charge_nfa_ratio():
    m = cj.charge_monthly(_decisions(), ("2023-01", "2023-12")).set_index(["month", "group"])
    assert m.loc[("2023-01", "domestic abuse"), "charge_rate"] == pytest.approx(50.0)
    assert m.loc[("2023-01", "domestic abuse"), "charge_nfa_ratio"] == pytest.approx(5 / 3)
    assert m.loc[("2023-12", "all"), "decisions"] == 20
    assert m.loc[("2023-12", "all"), "charges"] == 8
    assert m.loc[("2023-12", "all"), "charge_nfa_ratio"] == pytest.approx(1.0)


def test_charge_before_after_two_proportion_and_did():
    from statsmodels.stats.proportion import proportions_ztest

    t, info = cj.charge_before_after(_decisions(), ("2023-01", "2023-12"), "2023-09-01")
    da = t.set_index("group").loc["domestic abuse"]
    assert (da["charges_before"], da["decisions_before"], da["charges_after"]) == (5, 10, 2)
    assert da["change_points"] == pytest.approx(-30.0)
    assert da["p"] == pytest.approx(proportions_ztest([2, 5], [10, 10])[1])
    other = t.set_index("group").loc["other"]
    assert other["change_points"] == pytest.approx(0.0)
    # interaction: DA log-odds change log(2/8) − log(5/5); other unchanged
    assert info["did_log_odds"] == pytest.approx(np.log(2 / 8))
    assert info["first_month_after"] == "2023-09"


def test_case_file_quality_wilson_and_denominators():
    from statsmodels.stats.proportion import proportion_confint

    files = pd.DataFrame({"file_id": [f"F{i}" for i in range(10)], "month": ["2025-06"] * 10,
                          "compliant": [True] * 7 + [False] * 3,
                          "error_type": [None] * 7 + ["evidential", "national file standard", "other"]})
    q = cj.case_file_quality(files, ("2025-06", "2025-06")).iloc[0]
    assert (q["assessed"], q["compliant"]) == (10, 7)
    lo, hi = proportion_confint(7, 10, method="wilson")
    assert q["ci_low"] == pytest.approx(100 * lo) and q["ci_high"] == pytest.approx(100 * hi)
    assert q["ci_low"] == pytest.approx(39.68, abs=0.01)  # Wilson 7/10: 0.3968 to 0.8922
    assert (q["err_evidential"], q["err_national_file_standard"], q["err_other"]) == (1, 1, 1)


def test_court_timeliness_by_month_of_the_later_event():
    d = pd.to_datetime
    cases = pd.DataFrame({
        "case_id": ["K1", "K2", "K3"],
        "offence_date": d(["2025-01-01", "2025-01-10", "2025-03-01"]),
        "charge_date": d(["2025-01-11", "2025-02-09", "2025-03-05"]),
        "first_hearing_date": d(["2025-02-01", "2025-03-01", None]),
        "completion_date": d(["2025-03-01", None, None]),
        "result": ["guilty plea", None, None],
    })
    t = cj.court_timeliness(cases, ("2025-01", "2025-03")).set_index(["interval", "month"])
    assert t.loc[("offence to charge", "2025-01"), "median_days"] == 10
    assert t.loc[("offence to charge", "2025-02"), "median_days"] == 30
    assert t.loc[("charge to first hearing", "2025-02"), "median_days"] == 21
    assert t.loc[("charge to completion", "2025-03"), "cases"] == 1
    assert t.loc[("charge to completion", "2025-03"), "median_days"] == 49
    tr = cj.court_trend(t.reset_index()).set_index("interval")
    assert tr.loc["charge to completion", "test"].startswith("not tested")


def test_before_after_display_has_no_negative_zero():
    ba = pd.DataFrame([{"line": "999", "measure": "% abandoned", "months_before": 27, "months_after": 9,
                        "mean_before": 0.46, "mean_after": 0.43, "level_change": -0.0026, "level_ci_low": -0.12,
                        "level_ci_high": 0.11, "level_p": 0.96, "slope_change": 0.0004, "slope_p": 0.97,
                        "test": "x"}])
    d = cj.before_after_display(ba)
    assert "test" not in d and str(d.loc[0, "level_change"]) == "0.0"


def test_before_after_table_writes_its_p_values_as_the_sentences_do():
    """The page's sentence says p = 0.048 and p < 0.001: the table says the same, not 0.050 and 0.000."""
    from scrutiny.report import present

    ba = pd.DataFrame([{"line": "999", "measure": "% answered within target", "months_before": 27,
                        "months_after": 9, "mean_before": 91.85, "mean_after": 92.78, "level_change": 1.0234,
                        "level_ci_low": 0.0111, "level_ci_high": 2.0312, "level_p": 0.0484, "slope_change": -0.0912,
                        "slope_p": 0.000042, "test": "x"}])
    markup, _ = present.html_table(cj.before_after_display(ba), decimals=2)
    text = [re.sub("<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", markup)]
    assert text[-3:] == ["0.048", "-0.09", "&lt; 0.001"] and text[6] == "1.02"
    assert "p = 0.048" in cj.before_after_sentences(ba.assign(first_month_after="2024-10"))[0]


def test_prepare_without_change_dates_or_court_cases(tmp_path):
    """The section runs with no before/after dates in the params and no court extract, and says so."""
    from scrutiny.config.params import CriminalJustice

    months = [str(p) for p in pd.period_range("2024-01", "2025-06", freq="M")]
    rng = np.random.default_rng(5)
    calls = pd.DataFrame([(m, line, float(rng.integers(1, 40)), False) for m in months for line in ("999", "101")
                          for _ in range(20)], columns=["month", "line", "answer_s", "abandoned"])
    inc = pd.DataFrame([("emergency", m, "A", False, float(rng.integers(3, 30))) for m in months for _ in range(10)],
                       columns=["grade", "month", "district", "rural", "arrive_min"])
    dec = pd.DataFrame([(f"D{i}", m, "charge" if i % 2 else "NFA", "police", i % 3 == 0)
                        for i, m in enumerate(months * 4)],
                       columns=["decision_id", "month", "decision", "decision_maker", "da"])
    files = pd.DataFrame([(f"F{i}", m, i % 4 != 0, None if i % 4 else "evidential") for i, m in enumerate(months * 5)],
                         columns=["file_id", "month", "compliant", "error_type"])
    for name, df in (("calls", calls), ("incidents", inc), ("charge_decisions", dec), ("case_files", files)):
        df.to_parquet(tmp_path / f"{name}.parquet")
    r = cj.prepare(tmp_path, CriminalJustice(), ("2024-07", "2025-06"))
    assert r["court"] is None and not len(r["before_after"]) and not len(r["charge_before_after"])
    assert cj.before_after_sentences(r["before_after"])[0].startswith("No before/after comparison")
    assert cj.charge_sentences(r["charge_before_after"], r["charge_info"])[0].startswith("Charge rates before")
    assert [x.measure for x in r["summary"]] == ["cj_calls_999", "cj_calls_101", "cj_response", "cj_charge",
                                                 "cj_files"]
    assert len(r["spc_999"]) == 12 and len(r["spc_response"]) == 12


def test_a_query_over_a_parquet_file_runs_again_under_the_same_name(tmp_path):
    # each query's views are its own (TEMP on a cursor of the process's database), so a second query naming the
    # same view, as the charge rate and the difference in differences both name `decisions`, does not clash
    from scrutiny.analyses.criminal_justice import _query

    path = tmp_path / "d.parquet"
    pd.DataFrame({"x": [1, 2, 3]}).to_parquet(path)
    assert _query("SELECT sum(x) AS s FROM decisions", decisions=path)["s"].iloc[0] == 6
    assert _query("SELECT count(*) AS n FROM decisions", decisions=path)["n"].iloc[0] == 3
    assert _query("SELECT count(*) AS n FROM decisions", decisions=pd.DataFrame({"x": [5]}))["n"].iloc[0] == 1
