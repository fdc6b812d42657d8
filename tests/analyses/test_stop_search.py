"""Stop and search: ethnicity mappings, rate ratio interval, Wilson, two-proportion test, UTC month rule,
suppression, and the stop and search contract on small fixture files built from the shipped data."""

from __future__ import annotations

import csv
import gzip
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import REPO, write_gz, write_params
from scrutiny import contracts
from scrutiny.analyses import stop_search
from scrutiny.config import params
from scrutiny.inputs import police_uk as police_uk_input
from scrutiny.inputs import registry
from scrutiny.reference import police_uk
from scrutiny.stats import rates

CAMBS = REPO / "data" / "raw" / "police_uk" / "cambridgeshire"


# --- ethnicity mappings --------------------------------------------------------------------------------------

def test_officer_defined_maps_to_census_groups():
    for g in ["White", "Black", "Asian", "Mixed", "Other"]:
        assert stop_search.officer_group(g) == g
    assert stop_search.officer_group(None) == stop_search.NOT_STATED
    assert stop_search.officer_group(float("nan")) == stop_search.NOT_STATED
    assert stop_search.officer_group("") == stop_search.NOT_STATED
    assert stop_search.officer_group("IC3") == stop_search.UNMAPPED


@pytest.mark.parametrize("label,group", [
    ("White - English/Welsh/Scottish/Northern Irish/British", "White"),
    ("White - Any other White background", "White"),
    ("White - Gypsy or Irish Traveller", "White"),
    ("White - Irish", "White"),
    ("White - Roma", "White"),
    ("Black/African/Caribbean/Black British - African", "Black"),
    ("Black/African/Caribbean/Black British - Caribbean", "Black"),
    ("Black/African/Caribbean/Black British - Any other Black/African/Caribbean background", "Black"),
    ("Asian/Asian British - Pakistani", "Asian"),
    ("Asian/Asian British - Chinese", "Asian"),
    ("Asian/Asian British - Any other Asian background", "Asian"),
    ("Mixed/Multiple ethnic groups - White and Black Caribbean", "Mixed"),
    ("Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background", "Mixed"),
    ("Other ethnic group - Arab", "Other"),
    ("Other ethnic group - Any other ethnic group", "Other"),
    ("Other ethnic group - Not stated", "Not stated"),
    ("", "Not stated"),
    (None, "Not stated"),
    ("Prefer not to say", "Not mapped"),
])
def test_self_defined_maps_by_prefix(label, group):
    assert stop_search.self_defined_group(label) == group


def test_every_self_defined_label_in_the_shipped_data_is_mapped():
    seen = set()
    for f in CAMBS.glob("*-stop-and-search.csv.gz"):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            seen |= {r["Self-defined ethnicity"] for r in csv.DictReader(fh)}
    assert seen and all(stop_search.self_defined_group(v) != stop_search.UNMAPPED for v in seen)


def test_legislation_groups():
    assert stop_search.legislation_group("Misuse of Drugs Act 1971 (section 23)") == "Misuse of Drugs Act 1971 s23"
    assert stop_search.legislation_group("Criminal Justice and Public Order Act 1994 (section 60)") == "CJPOA 1994 s60"
    assert stop_search.legislation_group("Hunting Act 2004 (section 8)") == "Other powers"
    assert stop_search.legislation_group(None) == "Not recorded"


# --- statistics ------------------------------------------------------------------------------------------------

def test_rate_ratio_and_interval_by_hand():
    # 20 searches of 1,000 residents vs 100 of 10,000: rate ratio 2;
    # se(log RR) = sqrt(1/20 + 1/100) = sqrt(0.06) = 0.244949; 1.96 * se = 0.480100
    r = rates.rate_ratio_ci(20, 1000, 100, 10000)
    assert r.ratio == pytest.approx(2.0)
    assert r.low == pytest.approx(2 / math.exp(1.959964 * math.sqrt(0.06)), rel=1e-6)
    assert r.high == pytest.approx(2 * math.exp(1.959964 * math.sqrt(0.06)), rel=1e-6)
    assert r.low == pytest.approx(1.23742, abs=1e-4)
    assert r.high == pytest.approx(3.23254, abs=1e-4)
    assert math.isnan(rates.rate_ratio_ci(0, 1000, 100, 10000).ratio)


@pytest.mark.parametrize("x,n", [(919, 1076), (0, 25), (25, 25), (3, 7), (42, 2728)])
def test_wilson_matches_statsmodels(x, n):
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert rates.wilson_ci(x, n) == pytest.approx((lo, hi), abs=1e-12)


def test_two_proportion_z_test_matches_statsmodels():
    from statsmodels.stats.proportion import proportions_ztest

    t = rates.two_proportion_test(214, 255, 265, 307)
    z, p = proportions_ztest([214, 265], [255, 307])
    assert t.statistic == pytest.approx(z) and t.pvalue == pytest.approx(p)
    assert t.method.startswith("two-proportion z-test")
    assert not t.significant()


def test_two_proportion_uses_fisher_for_small_expected_counts():
    t = rates.two_proportion_test(1, 20, 6, 20)
    assert t.method == "Fisher's exact test"
    assert t.pvalue == pytest.approx(stats.fisher_exact([[1, 19], [6, 14]]).pvalue)


def test_proportion_suppressed_below_min_count():
    small = stop_search.proportion(3, 9, 10)
    assert small["suppressed"] and np.isnan(small["rate"]) and np.isnan(small["ci_low"])
    ok = stop_search.proportion(3, 10, 10)
    assert not ok["suppressed"] and ok["rate"] == pytest.approx(0.3)
    assert (ok["ci_low"], ok["ci_high"]) == pytest.approx(rates.wilson_ci(3, 10))


# --- disproportionality and suppression -------------------------------------------------------------------------

def frame(officer: dict, self_: dict | None = None) -> pd.DataFrame:
    rows = [{"officer_group": g} for g, n in officer.items() for _ in range(n)]
    df = pd.DataFrame(rows)
    self_ = self_ or officer
    df["self_group"] = [g for g, n in self_.items() for _ in range(n)][: len(df)]
    return df


POP = pd.Series({"Asian": 70000, "Black": 20000, "Mixed": 25000, "White": 800000, "Other": 15000})


def test_disproportionality_table_and_suppression():
    df = frame({"White": 400, "Black": 50, "Asian": 10, "Mixed": 9, "Other": 0})
    t = stop_search.disproportionality(df, POP, min_count=10)
    assert list(t.columns) == ["ethnic_group", "definition", "searches", "population", "rate_per_1000",
                               "ratio_to_white", "ci_low", "ci_high", "suppressed"]
    o = t[t["definition"] == "officer-defined"].set_index("ethnic_group")
    assert o.loc["Black", "rate_per_1000"] == pytest.approx(1000 * 50 / 20000)
    rr = rates.rate_ratio_ci(50, 20000, 400, 800000)
    assert o.loc["Black", "ratio_to_white"] == pytest.approx(5.0)
    assert (o.loc["Black", "ci_low"], o.loc["Black", "ci_high"]) == pytest.approx((rr.low, rr.high))
    assert not o.loc["Asian", "suppressed"]  # exactly min_count: shown
    for g in ["Mixed", "Other"]:  # below min_count: blanked, flagged
        assert o.loc[g, "suppressed"]
        assert np.isnan(o.loc[g, "searches"]) and np.isnan(o.loc[g, "ratio_to_white"])
        assert np.isnan(o.loc[g, "rate_per_1000"]) and np.isnan(o.loc[g, "ci_low"])
        assert o.loc[g, "population"] == POP[g]
    assert o.loc["White", "ratio_to_white"] == 1.0 and np.isnan(o.loc["White", "ci_low"])


def test_no_ratio_when_white_is_too_small():
    df = frame({"White": 5, "Black": 50})
    t = stop_search.disproportionality(df, POP, min_count=10)
    assert t["ratio_to_white"].isna().all()
    assert not t.set_index(["definition", "ethnic_group"]).loc[("officer-defined", "Black"), "suppressed"]


def test_find_pfa_by_force_name_and_code():
    census = pd.read_csv(stop_search.census_table(2021))
    assert stop_search.find_pfa(census, "Cambridgeshire Constabulary")["pfa_code"] == "E23000023"
    assert stop_search.find_pfa(census, "Gwent Police")["pfa_name"] == "Gwent"
    assert stop_search.find_pfa(census, "anything", "E23000023")["pfa_name"] == "Cambridgeshire"
    with pytest.raises(ValueError, match="pfa_code"):
        stop_search.find_pfa(census, "British Transport Police")


def test_census_tables_have_five_groups_summing_to_total():
    for year in (2011, 2021):
        c = pd.read_csv(stop_search.census_table(year))
        assert len(c) == 43
        assert (c[stop_search.CENSUS_GROUPS].sum(axis=1) == c["Total"]).all()


def test_quarters():
    q = stop_search.reporting_quarters(("2024-01", "2024-12"), ("2024-01", "2024-12"))
    assert q["reporting"] == ("2024-10", "2024-12") and q["comparison"] == ("2024-07", "2024-09")
    assert q["comparison_kind"].startswith("previous quarter")
    q = stop_search.reporting_quarters(("2023-01", "2024-12"), ("2023-01", "2024-12"))
    assert q["comparison"] == ("2023-10", "2023-12") and q["comparison_kind"] == "same quarter a year earlier"
    assert stop_search.reporting_quarters(("2024-10", "2024-12"), ("2024-10", "2024-12"))["comparison"] is None
    assert stop_search.quarter_span_label(("2024-11", "2025-01")) == "November 2024 to January 2025"
    assert stop_search.quarter_span_label(("2024-10", "2024-12")) == "Q3 2024/25 (October–December 2024)"
    assert stop_search.quarter_span_label(("2025-01", "2025-03")) == "Q4 2024/25 (January–March 2025)"


# --- the UTC month rule -----------------------------------------------------------------------------------------

def test_month_comes_from_the_utc_timestamp():
    s = pd.Series(["2024-03-31T23:51:00+00:00",   # 00:51 BST on 1 April, written in UTC: March
                   "2024-04-01T00:10:00+01:00",   # the same kind of moment written with its offset: March in UTC
                   "2024-04-01T01:22:38+00:00",
                   "2024-12-31T23:59:59Z",
                   "2024-02-30T10:00:00+00:00",   # not a date
                   None])
    got = police_uk_input.utc_month(s).tolist()
    assert got[:4] == ["2024-03", "2024-03", "2024-04", "2024-12"]
    assert got[4] is None and got[5] is None


def real_rows(month: str, n: int = 30) -> tuple[list[str], list[list[str]]]:
    with gzip.open(CAMBS / f"{month}-cambridgeshire-stop-and-search.csv.gz", "rt", encoding="utf-8",
                   newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return header, [row for _, row in zip(range(n), r)]


@pytest.fixture
def ss_dir(tmp_path):
    d = tmp_path / "ss"
    d.mkdir()
    for m in ["2024-03", "2024-04"]:
        h, rows = real_rows(m)
        write_gz(d / f"{m}-cambridgeshire-stop-and-search.csv.gz", h, rows)
    return d


def ss_params(tmp_path, d):
    return params.parse({
        "pack": {"id": "ss", "title": "t", "force": "Cambridgeshire Constabulary"},
        "period": {"start": "2024-03", "end": "2024-04"},
        "inputs": {"police_uk_stop_search": {"path": str(d / "*-stop-and-search.csv.gz")}},
        "notebooks": ["stop_search"]})


def test_rows_from_the_previous_month_are_kept_and_counted(tmp_path, ss_dir):
    h, rows = real_rows("2024-04")
    assert rows[0][1] == "2024-03-31T23:51:00+00:00"  # the publisher's own BST edge case, first row of April
    rep = contracts.validate(ss_params(tmp_path, ss_dir))
    assert rep.ok, rep.error_message()
    assert not rep.inputs[0].warnings, [o.line() for o in rep.inputs[0].warnings]
    rows_df = rep.frames["police_uk_stop_search"]
    out = tmp_path / "ss.parquet"
    assert registry.DATASETS["police_uk_stop_search"].prepare(rows_df, out) == 60
    df, info = stop_search.period_split(stop_search.load(out), ("2024-03", "2024-04"))
    april_file_in_march = ((df["file_month"] == "2024-04") & (df["month"] == "2024-03")).sum()
    assert april_file_in_march == info["month_differs_from_file"] >= 1
    assert info["outside_period"] == 0 and info["in_period"] == 60
    # the same files with a period starting in April: the March-dated rows of the April file fall outside
    _, info = stop_search.period_split(stop_search.load(out)[lambda d: d["file_month"] == "2024-04"],
                                      ("2024-04", "2024-04"))
    assert info["outside_period"] == april_file_in_march


def test_contract_bad_values_name_file_and_row(tmp_path, ss_dir):
    h, rows = real_rows("2024-04")
    rows[4][h.index("Type")] = "Person serch"
    rows[6][h.index("Outcome linked to object of search")] = "yes"
    rows[7][h.index("Date")] = "2024-01-15T10:00:00+00:00"  # three months before its file: a warning only
    rows[8][h.index("Latitude")] = "59.1"                   # north of England and Wales: a warning only
    write_gz(ss_dir / "2024-04-cambridgeshire-stop-and-search.csv.gz", h, rows)
    rep = contracts.validate(ss_params(tmp_path, ss_dir))
    crit = {o.column: o for o in rep.inputs[0].critical}
    assert set(crit) == {"Type", "Outcome linked to object of search"}
    assert crit["Type"].examples[0]["row"] == 5
    assert crit["Type"].examples[0]["source_file"].endswith("2024-04-cambridgeshire-stop-and-search.csv.gz")
    warn = {o.column for o in rep.inputs[0].warnings}
    assert warn == {"date_month_lag", "latitude_value"}


def test_contract_value_sets_match_constants():
    s = contracts.load_suite_json("police_uk_stop_search.v1")
    sets = {e["kwargs"]["column"]: e["kwargs"]["value_set"] for e in s["expectations"]
            if e["type"] == "expect_column_values_to_be_in_set" and isinstance(e["kwargs"]["value_set"], list)}
    assert sets["Type"] == police_uk.SEARCH_TYPES
    assert sets["Age range"] == police_uk.AGE_RANGES
    assert sets["Outcome"] == police_uk.STOP_SEARCH_OUTCOMES
    assert sets["Legislation"] == police_uk.LEGISLATION


def test_stop_search_params_section(tmp_path):
    p = params.load(write_params(tmp_path / "a.yaml"))
    assert p.stop_search.census_year == 2021 and p.stop_search.min_count == 10
    with pytest.raises(params.ParamsError, match="stop_search.census_year"):
        params.load(write_params(tmp_path / "b.yaml", stop_search={"census_year": 2001}))
    with pytest.raises(params.ParamsError, match="stop_search.min_cuont: unknown key"):
        params.load(write_params(tmp_path / "c.yaml", stop_search={"min_cuont": 5}))


# --- find rate over all searches -----------------------------------------------------------------------------

def _searches(linked: list, outcomes: list) -> pd.DataFrame:
    df = pd.DataFrame({"outcome_linked": pd.Series(linked, dtype="object"), "outcome": outcomes,
                       "removal_more_than_outer": None, "month": "2024-01", "ethnic": "White"})
    df["arrest"] = df["outcome"].isin(stop_search.ARREST_OUTCOMES)
    df["nfa"] = df["outcome"].isin(stop_search.NFA_OUTCOMES)
    return df


def test_find_rate_over_all_searches_and_over_the_recorded_field_by_hand():
    nfa = "A no further action disposal"
    # 10 searches: 3 found (all arrests), 1 arrest not found, 6 NFA of which 1 has the field filled (False)
    df = _searches([True, True, True, False, False, None, None, None, None, None],
                   ["Arrest"] * 4 + [nfa] * 6)
    t = stop_search.rates_table(df, ("2024-01", "2024-01"), {"reporting": ("2024-01", "2024-01"), "comparison": None},
                               min_count=1).set_index("measure")
    assert (t.loc[stop_search.FIND_ALL, "period_count"], t.loc[stop_search.FIND_ALL, "period_n"]) == (3, 10)
    assert (t.loc[stop_search.FIND_RECORDED, "period_count"], t.loc[stop_search.FIND_RECORDED, "period_n"]) == (3, 5)
    assert t.loc[stop_search.FIND_ALL, "period_rate"] == pytest.approx(0.3)
    assert t.loc[stop_search.FIND_RECORDED, "period_rate"] == pytest.approx(0.6)
    b = stop_search.breakdown(df, "ethnic", ["White"], min_count=1).iloc[0]
    assert (b["found"], b["searches"], b["find_recorded"]) == (3, 10, 5)
    assert b["find_rate_all"] == pytest.approx(0.3) and b["find_rate_recorded"] == pytest.approx(0.6)
    assert (b["find_all_ci_low"], b["find_all_ci_high"]) == pytest.approx(rates.wilson_ci(3, 10))
    f = stop_search.field_recorded_by_outcome(df).set_index("outcome")
    assert f.loc["Arrest", "share_recorded"] == 1.0 and f.loc[nfa, "share_recorded"] == pytest.approx(1 / 6)
    s = stop_search.find_bias_sentence(df)
    assert "16.7% of no-further-action searches but 100.0% of the others" in s and "overstates" in s
    assert stop_search.find_bias_short(df) == ("overstates: the field is filled for 17% of no-further-action "
                                              "searches and 100% of the others")


def test_find_rate_over_all_searches_equals_a_direct_count_of_the_raw_cambridgeshire_files():
    found = total = 0
    for f in sorted(CAMBS.glob("2024-*-stop-and-search.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                total += 1
                found += r["Outcome linked to object of search"] == "True"
    assert (found, total) == (919, 2855)
    assert round(100 * found / total, 1) == 32.2
    raw = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False)
                     for f in sorted(CAMBS.glob("2024-*-stop-and-search.csv.gz"))], ignore_index=True)
    df = _searches(raw["Outcome linked to object of search"].map({"True": True, "False": False, "": None}).tolist(),
                   raw["Outcome"].tolist())
    t = stop_search.rates_table(df, ("2024-01", "2024-01"), {"reporting": ("2024-01", "2024-01"), "comparison": None},
                               min_count=10).set_index("measure")
    assert (t.loc[stop_search.FIND_ALL, "period_count"], t.loc[stop_search.FIND_ALL, "period_n"]) == (found, total)


# --- page text and Summary rows, on a hand-built period of 20 searches -------------------------------------------

PERIOD = ("2024-07", "2024-12")


def _page_frame() -> pd.DataFrame:
    """10 searches in August (comparison quarter), 10 in November (reporting quarter). November: 4 arrests with
    the object found, 6 NFA with the find field empty; August: 1 arrest found, 9 NFA empty. Strip searches: 2 in
    November (1 of a child); every other search has the field recorded as False."""
    nfa = "A no further action disposal"
    df = pd.DataFrame({"month": ["2024-08"] * 10 + ["2024-11"] * 10,
                       "outcome": ["Arrest"] + [nfa] * 9 + ["Arrest"] * 4 + [nfa] * 6,
                       "outcome_linked": pd.Series([True] + [None] * 9 + [True] * 4 + [None] * 6, dtype="object"),
                       "removal_more_than_outer": pd.Series([False] * 18 + [True, True], dtype="object"),
                       "child": [False] * 19 + [True],
                       "legislation": [None] * 5 + ["Misuse of Drugs Act 1971 (section 23)"] * 15,
                       "officer_group": ["White"] * 15 + ["Black"] * 5, "self_group": ["White"] * 20})
    df["arrest"] = df["outcome"].isin(stop_search.ARREST_OUTCOMES)
    df["nfa"] = df["outcome"].isin(stop_search.NFA_OUTCOMES)
    return df


def _page_parts():
    df = _page_frame()
    q = stop_search.reporting_quarters(PERIOD, PERIOD)
    rates_t = stop_search.rates_table(df, PERIOD, q, min_count=5)
    return df, q, rates_t


def test_pct_and_ci_text():
    assert stop_search.pct(0.1234) == "12.3%" and stop_search.pct(float("nan")) == ""
    assert stop_search.ci_text(0.1, 0.25) == "95% CI 10.0% to 25.0%"
    assert stop_search.ci_text(float("nan"), 0.2) == ""
    assert stop_search.ci_text(1.26, 5.0, lambda v: f"{v:.1f}") == "95% CI 1.3 to 5.0"


def test_counts_by_quarter_and_strip_searches():
    df, q, _ = _page_parts()
    assert stop_search.quarter_counts(df, q) == (10, 10)
    assert stop_search.quarter_counts(df, {"reporting": ("2024-11", "2024-11"), "comparison": None}) == (10, None)
    assert stop_search.strip_counts(df) == (2, 1)


def test_intro_volume_and_month_sentences():
    df, q, _ = _page_parts()
    assert stop_search.intro_sentence(PERIOD, q["reporting"], "Somewhere Police", len(df)) == (
        "Period analysed: July 2024 to December 2024; reporting quarter Q3 2024/25 (October–December 2024). Source: "
        "data.police.uk stop and search files for Somewhere Police (one row = one search of a person, a vehicle, or "
        "both). 20 searches in the period.")
    assert stop_search.volume_sentence(df, q) == ("20 searches in the period; 10 in the reporting quarter, against 10 "
                                                 "in Q2 2024/25 (July–September 2024) (previous quarter (the same "
                                                 "quarter a year earlier is not in the data)).")
    note = stop_search.month_note({"month_differs_from_file": 2, "rows": 25, "outside_period": 5}, disclosure=3)
    assert "[c] of the 25 rows in the files" in note and "; 5 fall outside the period" in note


def test_summary_rows_by_hand():
    df, q, rates_t = _page_parts()
    x = pd.DataFrame({"rule": ["", "outside limits"], "special_cause": ["", "above the upper limit"]})
    disp = pd.DataFrame({"definition": ["officer-defined"], "ethnic_group": ["Black"], "ratio_to_white": [2.5],
                         "ci_low": [1.26], "ci_high": [5.0]})
    rows = stop_search.summary_rows(df, PERIOD, q, x, rates_t, disp, 2021, 5)
    s = rows.set_index("measure")
    assert list(rows.columns) == ["topic", "measure", "inclusion", "shown", "data", "commentary", "link"]
    assert s.loc["stop_search_volume", "data"] == ("10 searches in Q3 2024/25 (October–December 2024) (10 in Q2 "
                                                   "2024/25 (July–September 2024)); 20 in the period")
    assert s.loc["stop_search_volume", "commentary"] == "December 2024 is outside the SPC limits (above the upper limit)."
    lo, hi = rates.wilson_ci(5, 20)  # 5 finds in 20 searches
    assert s.loc["stop_search_find_rate", "data"].startswith(
        f"25.0% of all searches found the object searched for (95% CI {100 * lo:.1f}% to {100 * hi:.1f}%; 5 of 20); "
        f"100.0% of the searches with the field recorded")
    assert s.loc["stop_search_find_rate", "data"].endswith("; not recorded for 75.0%")
    assert s.loc["stop_search_disproportionality", "data"] == ("Black people were searched at 2.5 times the White "
                                                               "rate (officer-defined, Census 2021; 95% CI 1.3 to 5.0)")
    assert s.loc["stop_search_disproportionality", "commentary"].startswith("Rates per 1,000 residents over 6 months")
    assert s.loc["stop_search_strip", "data"] == ("2 searches removed more than outer clothing in the period (10.0% "
                                                  "of searches with the field recorded)")
    assert s.loc["stop_search_strip", "commentary"] == "1 of them of children (under 18)."
    assert s.loc["stop_search_strip", "link"] == "stop_search.html#ss-strip"


def test_find_paragraph_comparisons_and_strip_paragraph():
    df, q, rates_t = _page_parts()
    para = stop_search.find_paragraph(df, rates_t, 5)
    assert para.startswith("Find rate: the object searched for was found in 5 of the 20 searches, 25.0% (95% CI")
    assert "Arrest rate: 25.0% of all searches; no further action: 75.0%." in para
    sents = stop_search.comparison_sentences(rates_t, q)
    r = rates_t.set_index("measure").loc["arrest rate"]  # 4 of 10 against 1 of 10
    assert ("Arrest rate: 40.0% in Q3 2024/25 (October–December 2024) against 10.0% in Q2 2024/25 "
            "(July–September 2024)") in " ".join(sents) and r["test"] in " ".join(sents)
    assert stop_search.comparison_sentences(rates_t, {**q, "comparison": None}) == []
    n_t = int(rates_t["pvalue"].notna().sum())
    assert stop_search.multiple_tests_note(rates_t).startswith(f"{n_t} measures are compared")
    assert stop_search.multiple_tests_note(rates_t.assign(pvalue=float("nan"))) is None
    lo, hi = rates.wilson_ci(2, 20)
    assert stop_search.strip_paragraph(df, rates_t, disclosure=3) == (
        f"[c] searches removed more than outer clothing in the period: 10.0% (95% CI {100 * lo:.1f}% to "
        f"{100 * hi:.1f}%) of the 20 searches where this is recorded. Children: [c] of the strip searches were of "
        f"people under 18 (age range under 10 or 10-17).")


def test_tables_for_the_page():
    df, q, _ = _page_parts()
    assert stop_search.legislation_detail(df).values.tolist() == [["Misuse of Drugs Act 1971 (section 23)", 15],
                                                                 ["Not recorded", 5]]
    fe = stop_search.find_by_ethnicity(df, 1)
    assert fe["definition"].tolist()[:6] == ["officer-defined"] * 6 and len(fe) == 12
    o = fe[fe["definition"] == "officer-defined"].set_index("ethnic_group")
    # the last 5 searches (Black, officer-defined) are all NFA; the 5 finds are among the 15 White searches
    assert (o.loc["Black", "searches"], o.loc["Black", "found"]) == (5, 0)
    assert (o.loc["White", "searches"], o.loc["White", "found"]) == (15, 5)
    x = pd.DataFrame({"month": ["2024-07"], "value": [3], "centre": [3.0], "lower": [0.0], "upper": [7.6],
                      "rule": [""], "variation": ["common"]})
    assert list(stop_search.monthly_table(x).columns) == ["month", "searches", "monthly average", "lower limit",
                                                        "upper limit", "SPC rule", "variation"]
    x.attrs["baseline_points"] = 6
    assert stop_search.xmr_note(x, 6, 24, "R").endswith("The period has only 6 months, fewer than the 24-month "
                                                       "baseline set in the params: the limits use all 6, the "
                                                       "reporting month included, and are provisional.")
    assert stop_search.xmr_note(x, 24, 24, "R").endswith("control-chart rules: R")


def test_population_and_method_text():
    cov = pd.DataFrame({"definition": ["officer-defined", "self-defined"], "group": ["Not stated"] * 2,
                        "share": [0.05, 0.125]})
    pfa = pd.Series({"pfa_name": "Somewhere", "pfa_code": "E23000000", "Total": 1234567})
    t = stop_search.population_paragraph(cov, pfa, 6, 2021)
    assert ("Census 2021 usual residents of the Somewhere police force area (E23000000), 1,234,567 people. Ethnicity "
            "not stated: 5.0% of searches (officer-defined), 12.5% (self-defined)") in t
    assert "Census 2011 puts Chinese in Asian" in stop_search.mapping_note(2011)
    q = stop_search.reporting_quarters(PERIOD, PERIOD)
    m = stop_search.method_note(q, 7)
    assert "compared with the previous quarter (the same quarter a year earlier" in m and "(params stop_search.min_count = 7)" in m
