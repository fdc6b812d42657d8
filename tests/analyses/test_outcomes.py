"""Outcome arithmetic on a hand-built example: cohort, fixed follow-up, censoring, mapping, outcome mix."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import write_params
from scrutiny import paths
from scrutiny.analyses import outcomes
from scrutiny.config import params
from scrutiny.reference import months, police_uk
from scrutiny.stats import rates

CATS = outcomes.load_categories()

# Six crimes, one anti-social behaviour row and one outcome whose Crime ID has no street record.
STREET = pd.DataFrame([
    # crime_id, month, crime_type, last_outcome
    ("A", "2024-01", "Burglary", "Investigation complete; no suspect identified"),
    ("B", "2024-01", "Burglary", "Suspect charged"),
    ("C", "2024-01", "Robbery", "Unable to prosecute suspect"),
    ("D", "2024-01", "Robbery", "Under investigation"),
    ("E", "2024-02", "Burglary", "Suspect charged"),
    ("F", "2024-04", "Burglary", "Offender given a penalty notice"),
    (None, "2024-01", "Anti-social behaviour", None),
], columns=["crime_id", "month", "crime_type", "last_outcome"])
OUTCOMES = pd.DataFrame([
    ("A", "2024-01", "Investigation complete; no suspect identified"),   # lag 0
    ("B", "2024-03", "Suspect charged"),                                 # lag 2, charge lag 2
    ("C", "2024-05", "Unable to prosecute suspect"),                     # lag 4
    ("E", "2024-02", "Local resolution"),                                # lag 0
    ("E", "2024-04", "Suspect charged"),                                 # charge lag 2
    ("F", "2024-06", "Offender given a penalty notice"),                 # lag 2 (API spelling)
    ("Z", "2024-03", "Suspect charged"),                                 # no street record
], columns=["crime_id", "month", "outcome_type"])
END = "2024-06"


def build(k=3, window="quarter"):
    linked, counts = outcomes.link(STREET, OUTCOMES, CATS, END, window)
    return outcomes.cohort(linked, k).set_index(["crime_type", "recorded_month"]), linked, counts


def test_cohort_counts_by_hand():
    c, _, counts = build()
    assert list(c.reset_index().columns[:7]) == ["crime_type", "recorded_month", "crimes", "rows_as_published",
                                                 "outcomed_by_window_end", "first_outcome_within_k", "charged_within_k"]
    b = c.loc[("Burglary", "2024-01")]
    assert (b["crimes"], b["outcomed_by_window_end"], b["first_outcome_within_k"], b["charged_within_k"]) == (2, 2, 2, 1)
    r = c.loc[("Robbery", "2024-01")]  # C outcomed in May (after the quarter end, lag 4 > 3); D never
    assert (r["crimes"], r["outcomed_by_window_end"], r["first_outcome_within_k"], r["charged_within_k"]) == (2, 0, 0, 0)
    assert r["outcomed_by_data_end"] == 1
    e = c.loc[("Burglary", "2024-02")]  # first outcome is the local resolution in February; charge 2 months later
    assert (e["crimes"], e["outcomed_by_window_end"], e["first_outcome_within_k"], e["charged_within_k"]) == (1, 1, 1, 1)
    a = c.loc[("All crime", "2024-01")]
    assert (a["crimes"], a["outcomed_by_window_end"], a["first_outcome_within_k"], a["charged_within_k"]) == (4, 2, 2, 1)
    assert counts["crimes"] == 6  # the anti-social behaviour row has no Crime ID: not a crime here
    assert counts["unmatched_rows"] == 1 and counts["unmatched_crime_ids"] == 1  # Z: counted, not dropped


def test_fixed_follow_up_only_for_months_with_k_months():
    c, _, _ = build(k=3)
    f = c.loc[("Burglary", "2024-04")]  # April + 3 = July > June: not followed up for 3 months
    assert not f["followed_up_k"]
    assert pd.isna(f["first_outcome_within_k"]) and pd.isna(f["charged_within_k"])
    assert f["outcomed_by_window_end"] == 1  # the same-period count is still there (F outcomed in June)
    assert c.loc[("All crime", "2024-02"), "followed_up_k"]  # Feb + 3 = May <= June
    c1, _, _ = build(k=1)
    b = c1.loc[("Burglary", "2024-01")]
    assert (b["first_outcome_within_k"], b["charged_within_k"]) == (1, 0)  # only A by lag 1; B is lag 2


def test_window_choices():
    c, _, _ = build(window="month")
    assert c.loc[("Burglary", "2024-01"), "outcomed_by_window_end"] == 1  # only A in January
    c, _, _ = build(window="financial_year")
    assert c.loc[("Robbery", "2024-01"), "outcomed_by_window_end"] == 0  # FY ends March 2024; C is May
    assert c.loc[("Burglary", "2024-04"), "outcomed_by_window_end"] == 1  # FY 2024/25 cut at the data end
    idx = pd.Series([outcomes.months.to_index(m) for m in ("2024-01", "2024-03", "2024-04", "2024-12")])
    ends = [outcomes.months.from_index(i) for i in outcomes.window_end(idx, "financial_year")]
    assert ends == ["2024-03", "2024-03", "2025-03", "2025-03"]
    ends = [outcomes.months.from_index(i) for i in outcomes.window_end(idx, "quarter")]
    assert ends == ["2024-03", "2024-03", "2024-06", "2024-12"]


def test_rates_and_quarters():
    c, _, _ = build()
    q = outcomes.cohort_by_quarter(c.reset_index()).set_index("quarter")
    assert list(q.index) == ["Q4 2023/24", "Q1 2024/25"]  # financial quarters in time order, not label order
    q1 = q.loc["Q4 2023/24"]  # January–March 2024: Jan + Feb: 5 crimes, 3 outcomed by March, 3 within 3 months, 2 charged
    assert (q1["crimes"], q1["outcomed_by_window_end"], q1["first_outcome_within_k"], q1["charged_within_k"]) == (
        5, 3, 3, 2)
    assert q1["fixed_k_rate"] == pytest.approx(0.6)
    assert pd.isna(q.loc["Q1 2024/25", "fixed_k_rate"])  # April not followed up for 3 months
    r = outcomes.with_rates(c.reset_index()).set_index(["crime_type", "recorded_month"])
    lo, hi = rates.wilson_ci(2, 4)
    assert r.loc[("All crime", "2024-01"), "fixed_k_lower"] == pytest.approx(lo)
    assert r.loc[("All crime", "2024-01"), "fixed_k_upper"] == pytest.approx(hi)


def test_kaplan_meier_by_hand():
    # January crimes: A lag 0, B lag 2, C lag 4, D no outcome, followed 5 months (censored at 5)
    curve = outcomes.km_first_outcome(pd.Series([0, 2, 4, np.nan]), pd.Series([5, 5, 5, 5]))
    assert list(curve["at_risk"]) == [4, 3, 3, 2, 2, 1]
    assert list(curve["outcomes"]) == [1, 0, 1, 0, 1, 0]
    assert list(curve["censored"]) == [0, 0, 0, 0, 0, 1]
    # S: 3/4, 3/4, 3/4*2/3 = 1/2, 1/2, 1/2*1/2 = 1/4, 1/4
    assert curve["cumulative_share"].tolist() == pytest.approx([0.25, 0.25, 0.5, 0.5, 0.75, 0.75])
    assert outcomes.km_median(curve) == 2


def test_censoring_removes_crimes_not_yet_followed():
    # crime 1 outcomed at lag 1; crime 2 recorded in the last month (followed 0 months), no outcome yet.
    curve = outcomes.km_first_outcome(pd.Series([1, np.nan]), pd.Series([3, 0]))
    assert list(curve["at_risk"]) == [2, 1]
    assert curve["cumulative_share"].tolist() == pytest.approx([0.0, 1.0])  # not 0.5: crime 2 is censored
    # with no censoring the estimate is the plain share
    curve = outcomes.km_first_outcome(pd.Series([1, np.nan]), pd.Series([3, 3]))
    assert curve["cumulative_share"].iloc[-1] == pytest.approx(0.5)
    assert outcomes.km_median(outcomes.km_first_outcome(pd.Series([np.nan]), pd.Series([2]))) is None


def test_time_to_outcome_all_crime():
    _, linked, _ = build()
    _, med = outcomes.time_to_outcome(linked)
    m = med.set_index("crime_type")
    assert m.loc["All crime", "crimes"] == 6 and m.loc["All crime", "outcomed"] == 5
    assert med["crime_type"].iloc[0] == "All crime"


def test_group_shares_use_latest_outcome_by_window_end():
    _, linked, _ = build()
    g = outcomes.group_shares(linked, OUTCOMES, CATS)
    e = g[(g["crime_type"] == "Burglary") & (g["recorded_month"] == "2024-02")]
    # E: local resolution in February, charged in April (after the March window end): counted as out-of-court
    assert e["outcome_group"].tolist() == ["Out-of-court (informal)"]
    jan = g[(g["crime_type"] == "All crime") & (g["recorded_month"] == "2024-01")].set_index("outcome_group")
    assert jan["crimes"].to_dict() == {"Charged/Summonsed": 1, "Investigation complete – no suspect identified": 1}
    assert jan["share"].sum() == pytest.approx(1)


def test_category_mapping():
    m = outcomes.police_uk_map(CATS)
    # every category the contract accepts is mapped (API spelling through normalisation)
    contract = json.loads((paths.REPO_ROOT / "data_contracts" / "police_uk_outcomes.v1.json").read_text())
    accepted = next(e["kwargs"]["value_set"] for e in contract["expectations"]
                    if e["kwargs"].get("column") == "Outcome type" and "value_set" in e["kwargs"])
    assert set(accepted) == set(police_uk.OUTCOME_CATEGORIES)
    for c in accepted:
        assert police_uk.normalise_outcome(c) in m.index, c
    assert police_uk.normalise_outcome("Offender given a penalty notice") == "Offender given penalty notice"
    assert m.loc["Suspect charged", "ho_outcome_types"] == "1" and m.loc["Suspect charged", "charged_summonsed"]
    assert not m.loc["Suspect charged as part of another case", "charged_summonsed"]  # TIC (type 4)
    assert m.loc["Unable to prosecute suspect", "evidential_difficulties"]
    assert not m.loc["Investigation complete; no suspect identified", "evidential_difficulties"]
    assert not m.loc["Under investigation", "outcomed"]
    assert m.loc["Offender fined", "charged_summonsed"]  # a court result follows a charge
    assert set(m["basis"]) == {"analyst-defined"}  # police.uk -> Home Office is never official
    ho = CATS[CATS["scheme"] == "home_office"].set_index("category")
    assert set(ho.index) == {str(i) for i in range(23)} | {"1A", "2A", "3A"}
    assert set(ho.loc[["14", "15", "16"], "evidential_difficulties"]) == {True}
    assert not ho.loc["0", "outcomed"]


def test_unknown_category_is_refused():
    bad = OUTCOMES.copy()
    bad.loc[0, "outcome_type"] = "Sent to the moon"
    with pytest.raises(ValueError, match="Sent to the moon"):
        outcomes.link(STREET, bad, CATS, END)


def test_two_proportion_test_by_hand():
    t = rates.two_proportion_test(30, 100, 20, 100)
    # pooled p = 0.25; se = sqrt(0.25 * 0.75 * (1/100 + 1/100)) = 0.0612372; z = 0.1 / se
    assert t.statistic == pytest.approx(1.632993, rel=1e-6)
    assert t.pvalue == pytest.approx(2 * stats.norm.sf(1.632993), rel=1e-5)
    assert t.pvalue == pytest.approx(0.10247, abs=1e-4)
    from statsmodels.stats.proportion import proportions_ztest

    z, p = proportions_ztest([30, 20], [100, 100])
    assert t.statistic == pytest.approx(z) and t.pvalue == pytest.approx(p)
    assert rates.two_proportion_test(0, 10, 0, 12).pvalue == 1.0
    assert math.isnan(rates.two_proportion_test(5, 0, 1, 2).pvalue)  # an empty group is not tested


def test_mix_compare():
    mix = outcomes.mix_compare(STREET, ["2024-02", "2024-04"], ["2024-01"]).set_index("last_outcome_category")
    assert mix["crimes_now"].sum() == 2 and mix["crimes_before"].sum() == 4  # anti-social behaviour excluded
    assert mix.loc["Suspect charged", "share_now"] == pytest.approx(0.5)
    assert mix.loc["Suspect charged", "share_before"] == pytest.approx(0.25)
    assert mix.loc["Suspect charged", "change_pp"] == pytest.approx(25)
    assert "Offender given penalty notice" in mix.index  # API spelling normalised
    # not like for like (the later months have had less time): descriptive, no test or significance column
    assert list(mix.columns) == ["crimes_now", "share_now", "crimes_before", "share_before", "change_pp"]


def test_headline_and_summary_rows():
    c, linked, _ = build()
    h = outcomes.headline(c.reset_index(), 3, END)
    assert h["first"]["month"] == "2024-01" and h["last"]["month"] == "2024-02"  # April lacks 3 months
    assert h["first"]["rate"] == pytest.approx(0.5)  # All crime January: 2 of 4
    lq = h["last_quarter"]
    assert lq["months"] == ["2024-04", "2024-05", "2024-06"] and lq["crimes"] == 1 and lq["naive_rate"] == 1.0
    rows = outcomes.summary_rows(h, 2)
    assert list(rows.columns) == ["topic", "measure", "inclusion", "shown", "data", "commentary", "link"]
    assert rows["link"].str.startswith("outcomes.html#").all()


def test_outcomes_notebook_needs_outcomes_input(tmp_path):
    f = write_params(tmp_path / "p.yaml", notebooks=["outcomes"])
    with pytest.raises(params.ParamsError, match="police_uk_outcomes"):
        params.load(f)
    f = write_params(tmp_path / "q.yaml", outcomes={"follow_up_months": 3, "colour": 1})
    with pytest.raises(params.ParamsError, match="outcomes.colour"):
        params.load(f)
    p = params.load(paths.REPO_ROOT / "params" / "default.yaml")
    assert "outcomes" in p.notebooks and p.outcomes.follow_up_months == 3


def test_prepared_outcomes_use_one_spelling(tmp_path):
    from scrutiny.inputs.registry import DATASETS

    rows = pd.DataFrame({c: ["x", "y"] for c in police_uk.OUTCOMES_HEADER})
    rows["Month"] = ["2024-01", "2024-01"]
    rows["LSOA name"] = ["Newport 001A", "Newport 001A"]
    rows["Outcome type"] = ["Offender given a penalty notice", "Suspect charged"]
    rows["source_file"], rows["row"] = "2024-01-gwent-outcomes.csv", [1, 2]
    out = tmp_path / "o.parquet"
    assert DATASETS["police_uk_outcomes"].prepare(rows, out) == 2
    got = pd.read_parquet(out)["outcome_type"].tolist()
    assert got == ["Offender given penalty notice", "Suspect charged"]


def test_group_shares_by_quarter_by_hand():
    groups = pd.DataFrame([
        {"crime_type": outcomes.ALL_CRIME, "recorded_month": "2024-01", "outcome_group": "Charged/Summonsed", "crimes": 1},
        {"crime_type": outcomes.ALL_CRIME, "recorded_month": "2024-02", "outcome_group": "Charged/Summonsed", "crimes": 1},
        {"crime_type": outcomes.ALL_CRIME, "recorded_month": "2024-03", "outcome_group": "Evidential difficulties", "crimes": 2},
        {"crime_type": outcomes.ALL_CRIME, "recorded_month": "2024-04", "outcome_group": "Evidential difficulties", "crimes": 5},
        {"crime_type": "Burglary", "recorded_month": "2024-01", "outcome_group": "Charged/Summonsed", "crimes": 9},
    ])
    out = outcomes.group_shares_by_quarter(groups).set_index("outcome_group")
    q1, q2 = months.financial_quarter("2024-01"), months.financial_quarter("2024-04")
    assert (q1, q2) == ("Q4 2023/24", "Q1 2024/25")
    assert list(out.columns) == [q1, q2]  # time order, though "Q1 2024/25" sorts first as text
    assert out.loc["Charged/Summonsed", q1] == pytest.approx(0.5)   # 2 of the 4 crimes outcomed in Q1
    assert out.loc["Evidential difficulties", q1] == pytest.approx(0.5)
    assert out.loc["Evidential difficulties", q2] == pytest.approx(1.0)
    assert out.loc["Charged/Summonsed", q2] == 0


# A month whose street file repeats Crime IDs: G twice (identical), H twice with different last outcomes.
REPEATS = pd.DataFrame([
    ("G", "2024-01", "Burglary", "Under investigation", "2024-01-street.csv", 1),
    ("H", "2024-01", "Burglary", "Under investigation", "2024-01-street.csv", 2),
    ("G", "2024-01", "Burglary", "Under investigation", "2024-01-street.csv", 3),
    ("J", "2024-01", "Robbery", "Suspect charged", "2024-01-street.csv", 4),
    ("H", "2024-01", "Burglary", "Suspect charged", "2024-01-street.csv", 5),
    ("H", "2024-02", "Burglary", "Suspect charged", "2024-02-street.csv", 1),  # same ID, next month: counts there
], columns=["crime_id", "month", "crime_type", "last_outcome", "source_file", "source_row"])


def test_cohort_counts_distinct_crime_ids_within_a_month():
    shuffled = REPEATS.iloc[[4, 0, 5, 2, 1, 3]]  # the file order, not the frame order, decides which row is kept
    linked, counts = outcomes.link(shuffled, OUTCOMES.iloc[:0], CATS, END)
    c = outcomes.cohort(linked, 3).set_index(["crime_type", "recorded_month"])
    assert (c.loc[("Burglary", "2024-01"), "crimes"], c.loc[("Burglary", "2024-01"), "rows_as_published"]) == (2, 4)
    assert (c.loc[("All crime", "2024-01"), "crimes"], c.loc[("All crime", "2024-01"), "rows_as_published"]) == (3, 5)
    assert c.loc[("Burglary", "2024-02"), "crimes"] == 1
    assert counts["rows_as_published"] == 6 and counts["crimes"] == 4
    assert counts["repeat_rows_within_month"] == 2 and counts["crime_ids_in_several_months"] == 1
    # H has two last outcomes in January: the row that appears last in the file (row 5, Suspect charged) is kept
    mix = outcomes.mix_compare(shuffled, ["2024-01"], ["2024-02"]).set_index("last_outcome_category")
    assert mix.loc["Suspect charged", "crimes_now"] == 2 and mix.loc["Under investigation", "crimes_now"] == 1
    assert mix["crimes_now"].sum() == 3


def test_like_for_like_mix_names_the_test_and_its_statistic():
    # 2024-01 crimes A-D and 2024-02 crime E, each followed up 1 month: A (lag 0), E (lag 0) have an outcome
    linked, _ = outcomes.link(STREET, OUTCOMES, CATS, END)
    mix = outcomes.mix_fixed_followup(linked, OUTCOMES, 1, ["2024-02"], ["2024-01"]).set_index(
        "outcome_within_k")
    none = mix.loc["No outcome within 1 months"]
    assert none["crimes_before"] == 3 and none["crimes_now"] == 0
    assert mix.loc["Local resolution", "crimes_now"] == 1  # E's charge (lag 2) is after the 1-month follow-up
    assert {"test", "statistic_name", "statistic", "p_value", "judgement"} <= set(mix.columns)
    assert "significant" not in mix.columns and mix["judgement"].map(type).eq(str).all()  # words, not True/False
    # tiny counts: Fisher's exact test, whose statistic is the odds ratio, labelled as such
    row = mix.loc["Local resolution"]
    odds, p = stats.fisher_exact([[1, 0], [0, 4]])
    assert row["test"] == "Fisher's exact test" and row["statistic_name"] == "odds ratio"
    assert row["statistic"] == odds and row["p_value"] == pytest.approx(p)
    # large counts: the pooled z-test, statistic z
    z = outcomes.tested_columns(rates.two_proportion_test(60, 100, 40, 100))
    assert (z["test"], z["statistic_name"]) == ("two-proportion z-test (pooled)", "z")
    assert z["statistic"] == pytest.approx(0.2 / math.sqrt(0.25 * 0.02))
    assert mix.attrs["tests"] == int(mix["p_value"].notna().sum())
    assert outcomes.fixed_followup_months("2025-06", 3, "2022-07") == (
        ["2025-01", "2025-02", "2025-03"], ["2024-01", "2024-02", "2024-03"])
    assert outcomes.fixed_followup_months("2025-06", 3, "2024-04") is None


def test_gwent_january_2023_burglary_is_118_distinct_crimes_of_137_rows():
    raw = pd.read_csv(paths.REPO_ROOT / "data" / "raw" / "police_uk" / "gwent" / "2023-01-gwent-street.csv.gz",
                      dtype=str, keep_default_na=False)
    b = raw[(raw["Crime type"] == "Burglary") & (raw["Crime ID"] != "")]
    assert (len(b), b["Crime ID"].nunique()) == (137, 118)  # direct count of the shipped file
    frame = pd.DataFrame({"crime_id": raw["Crime ID"].replace("", None), "month": raw["Month"],
                          "crime_type": raw["Crime type"], "source_file": "2023-01-gwent-street.csv.gz",
                          "source_row": range(1, len(raw) + 1)})
    linked, counts = outcomes.link(frame, OUTCOMES.iloc[:0], CATS, "2023-04")
    c = outcomes.cohort(linked, 3).set_index(["crime_type", "recorded_month"]).loc[("Burglary", "2023-01")]
    assert (c["crimes"], c["rows_as_published"]) == (118, 137)


def test_coverage_caveat_depends_on_the_data():
    # Z's outcome has no street record: in March 2024, 1 of 2 outcome rows (50%) is unmatched
    cov = outcomes.first_month_coverage(STREET, OUTCOMES, "2024-03")
    assert (cov["rows"], cov["unmatched"]) == (2, 1)
    text = outcomes.coverage_sentence(cov)
    assert "1 (50.0%)" in text and "cut by recording date" not in text
    cut = outcomes.first_month_coverage(STREET, OUTCOMES, "2024-01")  # A's outcome only: all matched
    assert cut["unmatched"] == 0 and "cut by recording date" in outcomes.coverage_sentence(cut)


# --- page text and tables ---------------------------------------------------------------------------------------

def test_page_text_by_hand():
    assert outcomes.source_sentence("Somewhere Police", ("2024-01", "2024-06")).endswith(
        "for Somewhere Police, January 2024 to June 2024. Outcomes are known up to June 2024 (the data end).")
    d = outcomes.definitions_note("month", 3)
    assert "by the end of the month of recording ÷ crimes recorded" in d and "within 3 months (by the end" in d
    assert "(April to March)" in outcomes.definitions_note("financial_year", 3)
    _, _, counts = build()
    s = outcomes.linkage_sentence(counts, disclosure=2)
    # 7 outcome rows for 6 Crime IDs; Z (1 row, 1 Crime ID) has no street record: shown as [c] below 2
    assert s.startswith("Linkage: 7 outcome rows for 6 Crime IDs. [c] outcome rows ([c] Crime IDs) have no street")
    # E is the only Crime ID with two outcome rows
    assert "(only 1 Crime IDs here have more than one outcome row)" in outcomes.reissue_note(outcomes.several_outcome_ids(OUTCOMES))
    assert "(only [c] Crime IDs" in outcomes.reissue_note(outcomes.several_outcome_ids(OUTCOMES), disclosure=2)
    assert outcomes.quarters_caption(6).endswith("without 6 months of follow-up for every month.")
    assert list(outcomes.quarters_formats(6)) == ["same-period rate", "outcome within 6 months (rate)",
                                                  "charged within 6 months (rate)"]
    assert outcomes.rate_series(6)["charged_k_rate"] == "charged within 6 months"


def test_page_tables_by_hand():
    c, linked, _ = build()
    rated = outcomes.with_rates(c.reset_index())
    assert list(outcomes.cohort_table(c.reset_index()).columns) == [
        "crime_type", "recorded_month", "crimes", "rows_as_published", "outcomed_by_window_end",
        "first_outcome_within_k", "charged_within_k"]
    t = outcomes.by_type_table(rated, "2024-01").set_index("crime_type")
    assert t.loc["Burglary", "crimes"] == 2 and t.loc["Robbery", "first_outcome_within_k"] == 0
    assert "2024-02" not in outcomes.by_type_table(rated, "2024-01").to_string()
    q = outcomes.quarters_table(outcomes.cohort_by_quarter(c.reset_index()), 3)
    assert {"same-period rate", "outcome within 3 months (rate)", "3 months follow-up"} <= set(q.columns)
    _, medians = outcomes.time_to_outcome(linked)
    assert "median (months)" in outcomes.time_to_outcome_table(medians).columns
    mix = outcomes.mix_compare(STREET, ["2024-02", "2024-04"], ["2024-01"])
    assert list(outcomes.mix_compare_table(mix).columns) == ["last outcome category", "crimes (now)", "share (now)", "crimes (year before)",
                                                             "share (year before)", "change (points)"]
    assert outcomes.mix_compare_note(["2024-04", "2024-06"], ["2023-04", "2023-06"]).startswith(
        "police.uk 'Last outcome category' in the street files, for crimes recorded April 2024 to June 2024 and "
        "April 2023 to June 2023.")


def test_median_all_none_when_not_reached():
    m = pd.DataFrame({"crime_type": [outcomes.ALL_CRIME, "Burglary"], "median_months": [float("nan"), 2.0]})
    assert outcomes.median_all(m) is None
    assert outcomes.median_all(m.assign(median_months=[4.0, 2.0])) == 4


def test_like_for_like_paragraph_counts_chance_flags():
    linked, _ = outcomes.link(STREET, OUTCOMES, CATS, END)
    fmix = outcomes.mix_fixed_followup(linked, OUTCOMES, 1, ["2024-02"], ["2024-01"])
    m, thr = fmix.attrs["tests"], fmix.attrs["threshold"]
    assert thr == pytest.approx(0.05 / m)
    p = outcomes.mix_fixed_paragraph(fmix, 1, ["2024-02"], ["2024-01"])
    assert p.startswith("Each crime recorded February 2024 to February 2024 (the latest three months with 1 months")
    assert f"0 of the {m} categories tested changed significantly" in p
    assert f"chance alone would flag about {m * thr:.2f} of them" in p and f"about {0.05 * m:.1f})" in p
    assert f"'significant' means p < 0.05/{m} = {thr:.4f} (Bonferroni)" in outcomes.mix_test_note(fmix)
    assert "latest outcome within 1 months" in outcomes.mix_fixed_table(fmix, 1).columns


def test_home_office_note_counts_negative_rows():
    ho = pd.DataFrame({"financial_year": ["2024/25", "2023/24", None], "count_recorded": [5, -1, None],
                       "count_closed": [3, 2, -4]})
    n = outcomes.ho_note(ho, "closed")
    assert n.startswith("Financial year(s) 2023/24, 2024/25; closed basis ('outcomes for offences closed in the "
                        "quarter').")
    assert "2 row(s) carry a negative count" in n


def test_latest_outcome_by_window_end_by_hand():
    """Crime row 0 (crime 7, window ends at month 10): outcomes in months 9, 10 and 11 -> month 10's, the last in
    text order of the two there; row 1 (crime 7 again, window end 8): none by then, left out; row 2 (crime 9):
    its one outcome."""
    keys = pd.DataFrame({"crime_row": [0, 1, 2], "crime_id": [7, 7, 9], "crime_type": ["Burglary"] * 2 + ["Drugs"],
                         "recorded_month": ["2024-01", "2023-11", "2024-02"], "window_end_idx": [10, 8, 12]})
    outs = pd.DataFrame({"crime_id": [7, 7, 7, 7, 9], "midx": [9, 10, 10, 11, 12],
                         "outcome_type": ["A", "Charged", "Awaiting court outcome", "Z", "B"]})
    j = outcomes.latest_by_window_end(keys, outs)
    assert j.to_dict(orient="list") == {"crime_row": [0, 2], "crime_type": ["Burglary", "Drugs"],
                                        "recorded_month": ["2024-01", "2024-02"], "outcome_type": ["Charged", "B"]}


def test_kaplan_meier_counts_each_row_as_its_crimes():
    """Two crimes outcomed at lag 0 (one row of 2) and one never (followed 3 months): 2 of 3 by lag 0, then flat;
    the same curve as the three crimes one row each."""
    cv = outcomes.km_first_outcome(pd.Series([0.0, np.nan]), pd.Series([3, 3]), pd.Series([2, 1]))
    assert cv["at_risk"].tolist() == [3, 1, 1, 1]
    assert cv["outcomes"].tolist() == [2, 0, 0, 0] and cv["censored"].tolist() == [0, 0, 0, 1]
    assert cv["cumulative_share"].iloc[0] == pytest.approx(2 / 3)
    pd.testing.assert_frame_equal(cv, outcomes.km_first_outcome(pd.Series([0.0, 0.0, np.nan]), pd.Series([3, 3, 3])))


@pytest.mark.parametrize("window", ["quarter", "month"])
def test_profile_gives_the_same_cohort_and_curves_as_one_row_per_crime(window):
    linked, _ = outcomes.link(STREET, OUTCOMES, CATS, END, window)
    prof = outcomes.profile(linked, END, window)
    assert int(prof["crimes"].sum()) == len(linked)
    pd.testing.assert_frame_equal(outcomes.cohort(prof, 1), outcomes.cohort(linked, 1))
    for a, b in zip(outcomes.time_to_outcome(prof), outcomes.time_to_outcome(linked)):
        pd.testing.assert_frame_equal(a, b)
