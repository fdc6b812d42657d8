"""End to end: the outcomes notebook on 15 months of real Gwent data (+ the illustrative Home Office fixture),
checked against direct counts of the raw gzip files."""

from __future__ import annotations

import csv
import gzip

import pandas as pd
import pytest

from conftest import GWENT, RUN_DATE, run_cli, write_params
from scrutiny import paths
from scrutiny.reference import months

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("outcomes_pack")]

PERIOD = ("2024-04", "2025-06")  # 15 months: the reporting quarter and the same quarter a year before
FIXTURE = paths.REPO_ROOT / "data" / "sample" / "ho_outcomes" / "FIXTURE-prc-outcomes-open-data-mar2025-illustrative.csv"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    d = tmp_path_factory.mktemp("outcomes13")
    p = write_params(d / "p.yaml", inputs={
        "police_uk_street": {"path": str(GWENT / "*-street.csv.gz")},
        "police_uk_outcomes": {"path": str(GWENT / "*-outcomes.csv.gz")},
        "ho_outcomes": {"path": str(FIXTURE)}}, notebooks=["outcomes"], outcomes={"follow_up_months": 3},
        period={"start": PERIOD[0], "end": PERIOD[1]})
    out = d / "pack"
    res = run_cli("run", p, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def read(kind: str, month: str):
    with gzip.open(GWENT / f"{month}-gwent-{kind}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def test_cohort_count_equals_direct_count_of_raw_rows(pack):
    month, crime_type, k = "2024-09", "Burglary", 3
    ids = sorted({r["Crime ID"] for r in read("street", month) if r["Crime type"] == crime_type and r["Crime ID"]})
    first: dict[str, str] = {}
    for m in months.span(*PERIOD):
        for r in read("outcomes", m):
            if r["Crime ID"] not in first or m < first[r["Crime ID"]]:
                first[r["Crime ID"]] = m
    window_end = "2024-09"  # end of the calendar quarter July–September
    k_end = months.shift(month, k)
    cohort = pd.read_csv(pack / "tables" / "outcomes_cohort.csv", dtype={"recorded_month": str})
    assert list(cohort.columns) == ["crime_type", "recorded_month", "crimes", "rows_as_published",
                                    "outcomed_by_window_end", "first_outcome_within_k", "charged_within_k"]
    row = cohort[(cohort["crime_type"] == crime_type) & (cohort["recorded_month"] == month)].iloc[0]
    assert row["crimes"] == len(ids)
    assert row["outcomed_by_window_end"] == sum(1 for i in ids if i in first and first[i] <= window_end)
    assert row["first_outcome_within_k"] == sum(1 for i in ids if i in first and first[i] <= k_end)
    # all crime in one month = the distinct Crime IDs of that month's street file; rows as published beside it
    allc = cohort[(cohort["crime_type"] == "All crime") & (cohort["recorded_month"] == "2025-06")].iloc[0]
    assert allc["crimes"] == len({r["Crime ID"] for r in read("street", "2025-06") if r["Crime ID"]})
    assert pd.isna(allc["first_outcome_within_k"])  # June 2025 has no 3 months of follow-up
    # May 2024 repeats Crime IDs: each counts once
    may = cohort[(cohort["crime_type"] == "All crime") & (cohort["recorded_month"] == "2024-05")].iloc[0]
    raw = [r["Crime ID"] for r in read("street", "2024-05") if r["Crime ID"]]
    assert may["crimes"] == len(set(raw)) < len(raw) == may["rows_as_published"]
    link = pd.read_csv(pack / "tables" / "outcomes_linkage.csv").iloc[0]
    repeats = sum(len(rs) - len(set(rs)) for rs in (
        [r["Crime ID"] for r in read("street", m) if r["Crime ID"]] for m in months.span(*PERIOD)))
    assert link["repeat_rows_within_month"] == repeats
    assert f"{repeats:,} repeat a Crime ID already in the same month" in (pack / "outcomes.html").read_text()


def test_unmatched_outcomes_are_counted_not_dropped(pack):
    street_ids = {r["Crime ID"] for m in months.span(*PERIOD) for r in read("street", m) if r["Crime ID"]}
    rows = [r["Crime ID"] for m in months.span(*PERIOD) for r in read("outcomes", m)]
    unmatched = sum(1 for i in rows if i not in street_ids)
    assert unmatched > 0  # outcomes of crimes recorded before April 2024
    link = pd.read_csv(pack / "tables" / "outcomes_linkage.csv").iloc[0]
    assert link["outcome_rows"] == len(rows)
    assert link["unmatched_rows"] == unmatched
    assert f"{unmatched:,} outcome rows" in (pack / "outcomes.html").read_text()


def test_page_labels_fixture_and_mapping_and_summary_rows(pack):
    html = (pack / "outcomes.html").read_text()
    assert "ILLUSTRATIVE FIXTURE — not real data" in html
    assert 'class="banner synthetic"' in html
    assert "analyst-defined" in html and "Kaplan–Meier" in html
    # the caveat on the shipped Gwent download comes from the logs (docs/aqa), not from the file path
    assert "The shipped Gwent outcomes cover only crimes recorded from July 2022" in html
    assert "outcome rows dated April 2024, the first month of the period" in html
    # 15 months cannot hold a like-for-like (fixed follow-up) comparison a year apart: no test is printed
    assert "no like-for-like comparison of the outcome mix" in html and "Descriptive only, with no test" in html
    mix = pd.read_csv(pack / "tables" / "outcomes_mix.csv")
    assert not {"z", "p", "significant", "p (two-proportion z)"} & set(mix.columns)
    for t in ("outcomes_cohort", "outcomes_quarters", "outcomes_time_to_outcome", "outcomes_mix",
              "outcomes_ho_summary", "outcomes_categories", "outcomes_summary"):
        assert (pack / "tables" / f"{t}.csv").is_file(), t
    summary = pd.read_csv(pack / "tables" / "summary.csv")
    rows = summary[summary["link"].str.startswith("outcomes.html")]
    assert len(rows) == 3 and rows["shown"].all()
    assert not summary["data"].str.contains("England and Wales").any()  # fixture figures stay off the front page
    ho = pd.read_csv(pack / "tables" / "outcomes_ho_summary.csv")
    assert {"Gwent", "England and Wales"} <= set(ho["area"])
