"""End to end: the criminal justice section built by the real CLI on the generated sample, its 999 figures for the
reporting month recounted from the raw calls file, and the synthetic data labelled everywhere it shows."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import yaml

from conftest import REPO, RUN_DATE, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("criminal_justice")]

SAMPLE = REPO / "data" / "sample" / "criminal_justice"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="session")
def cj_pack(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cj")
    default = yaml.safe_load((REPO / "params" / "default.yaml").read_text(encoding="utf-8"))
    params = {"pack": {"id": "cj", "title": "Criminal justice test pack", "force": "Gwent Police"},
              "period": default["period"],
              "inputs": {k: {"path": str(REPO / v["path"])} for k, v in default["inputs"].items()
                         if k in ("calls", "incidents", "charge_decisions", "case_files", "court_cases")},
              "criminal_justice": default["criminal_justice"], "notebooks": ["criminal_justice"]}
    (d / "cj.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    res = run_cli("run", d / "cj.yaml", "--out", d / "pack", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return d / "pack"


def test_999_in_the_reporting_month_recounted_from_the_raw_file(cj_pack):
    """Every 999 call whose offer time is in June 2025 in UK local time, answered within 10.0 s inclusive."""
    offered = within = abandoned = 0
    with gzip.open(SAMPLE / "calls.csv.gz", "rt", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["line"] != "999" or r["offered_ts"][:7] not in ("2025-05", "2025-06", "2025-07"):
                continue
            t = dt.datetime.fromisoformat(r["offered_ts"])
            if t.astimezone(LONDON).strftime("%Y-%m") != "2025-06":
                continue
            offered += 1
            if r["abandoned_flag"] == "Y":
                abandoned += 1
            elif (dt.datetime.fromisoformat(r["answered_ts"]) - t).total_seconds() <= 10.0:
                within += 1
    t = pd.read_csv(cj_pack / "tables" / "cj_calls.csv", dtype={"line": str})
    assert list(t.columns[:7]) == ["month", "line", "offered", "answered_within_target", "abandoned",
                                   "pct_within_target", "baseline"]
    row = t[(t["month"] == "2025-06") & (t["line"] == "999")].iloc[0]
    assert (row["offered"], row["answered_within_target"], row["abandoned"]) == (offered, within, abandoned)
    assert row["pct_within_target"] == pytest.approx(100 * within / offered, abs=1e-4)
    assert t[t["month"] == "2025-06"]["baseline"].notna().all()  # FY 2022/23 to 2024/25 are all in the extract
    assert t[t["month"] == "2025-03"]["baseline"].isna().all()  # FY 2021/22 is not


def test_pages_say_the_data_are_synthetic_and_name_their_tests(cj_pack):
    page = (cj_pack / "criminal_justice.html").read_text(encoding="utf-8")
    assert "SYNTHETIC SAMPLE DATA" in page
    assert "segmented regression" in page and "two-proportion z test" in page and "Wilson" in page
    prov = json.loads((cj_pack / "provenance.json").read_text(encoding="utf-8"))
    assert {i["dataset"]: i["synthetic"] for i in prov["inputs"]} == {
        n: True for n in ("calls", "incidents", "charge_decisions", "case_files", "court_cases")}
    summary = pd.read_csv(cj_pack / "tables" / "criminal_justice_summary.csv")
    assert list(summary["measure"]) == ["cj_calls_999", "cj_calls_101", "cj_response", "cj_charge", "cj_files",
                                        "cj_court"]
    assert summary["commentary"].str.contains("better").all()  # each row says which direction is better
    index = (cj_pack / "index.html").read_text(encoding="utf-8")
    assert "999 calls answered within 10 seconds (SYNTHETIC SAMPLE DATA)" in index  # marked on the front page
    front = pd.read_csv(cj_pack / "tables" / "summary.csv")
    assert front["topic"].str.endswith("(SYNTHETIC SAMPLE DATA)").all()


def test_rule_needing_the_crimes_extract_is_shown_as_not_run(cj_pack):
    dq = (cj_pack / "data-quality.html").read_text(encoding="utf-8")
    assert "not run: this pack has no force_crimes input to check it against" in dq
    for t in ("cj_calls", "cj_calls_before_after", "cj_response", "cj_charge", "cj_charge_before_after",
              "cj_case_files", "cj_court", "cj_court_trend", "cj_calls_999_spc", "cj_response_spc"):
        assert (cj_pack / "tables" / f"{t}.csv").is_file(), t
