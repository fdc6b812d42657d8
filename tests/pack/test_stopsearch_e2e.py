"""End to end: the Cambridgeshire 2024 pack built by the real CLI, its stop and search numbers checked against
direct counts of the raw rows and the Census table."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, RUN_DATE, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("cambridgeshire")]

CAMBS = REPO / "data" / "raw" / "police_uk" / "cambridgeshire"
PARAMS = REPO / "params" / "cambridgeshire_2024.yaml"


@pytest.fixture(scope="session")
def cambs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cambs") / "pack"
    res = run_cli("run", PARAMS, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def raw_searches() -> list[dict]:
    """Every stop and search row of 2024, read straight from the gzip files, with its UTC month."""
    rows = []
    for f in sorted(CAMBS.glob("2024-*-stop-and-search.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                t = dt.datetime.fromisoformat(r["Date"]).astimezone(dt.UTC)
                r["utc_month"] = f"{t.year:04d}-{t.month:02d}"
                r["file_month"] = f.name[:7]
                rows.append(r)
    return rows


def census_2021(pfa_name: str = "Cambridgeshire") -> dict:
    with open(REPO / "data" / "reference" / "ethnicity_pfa_2021.csv", encoding="utf-8", newline="") as f:
        return next(r for r in csv.DictReader(f) if r["pfa_name"] == pfa_name)


def test_black_white_officer_defined_ratio_recomputed_from_raw_files(cambs):
    rows = [r for r in raw_searches() if r["utc_month"].startswith("2024-")]
    black = sum(r["Officer-defined ethnicity"] == "Black" for r in rows)
    white = sum(r["Officer-defined ethnicity"] == "White" for r in rows)
    pop = census_2021()
    pb, pw = int(pop["Black"]), int(pop["White"])
    ratio = (black / pb) / (white / pw)
    half = 1.959964 * math.sqrt(1 / black + 1 / white)
    t = pd.read_csv(cambs / "tables" / "stop_search_disproportionality.csv")
    assert list(t.columns) == ["ethnic_group", "definition", "searches", "population", "rate_per_1000",
                               "ratio_to_white", "ci_low", "ci_high", "suppressed"]
    row = t[(t["ethnic_group"] == "Black") & (t["definition"] == "officer-defined")].iloc[0]
    assert row["searches"] == black == 290
    assert row["population"] == pb
    assert row["rate_per_1000"] == pytest.approx(1000 * black / pb, rel=1e-5)
    assert row["ratio_to_white"] == pytest.approx(ratio, rel=1e-5)
    assert row["ci_low"] == pytest.approx(ratio * math.exp(-half), rel=1e-5)
    assert row["ci_high"] == pytest.approx(ratio * math.exp(half), rel=1e-5)
    assert not row["suppressed"]
    # officers never record "Mixed" in these files: the cell is 0 and suppressed, not shown as a rate of 0
    mixed = t[(t["ethnic_group"] == "Mixed") & (t["definition"] == "officer-defined")].iloc[0]
    assert mixed["suppressed"] and pd.isna(mixed["searches"]) and pd.isna(mixed["ratio_to_white"])


def test_find_rate_and_strip_searches_equal_direct_counts(cambs):
    rows = raw_searches()
    assert len(rows) == 2855
    linked = [r["Outcome linked to object of search"] for r in rows]
    found, recorded = linked.count("True"), linked.count("True") + linked.count("False")
    strip = sum(r["Removal of more than just outer clothing"] == "True" for r in rows)
    t = pd.read_csv(cambs / "tables" / "stop_search_rates.csv").set_index("measure")
    # headline: found over ALL searches (919 of 2,855 = 32.2%); the recorded-field rate beside it overstates
    assert (found, len(rows)) == (919, 2855)
    assert t.loc["find rate (all searches)", "period_count"] == found
    assert t.loc["find rate (all searches)", "period_n"] == len(rows)
    assert t.loc["find rate (all searches)", "period_rate"] == pytest.approx(found / len(rows), rel=1e-5)
    assert t.loc["find rate (field recorded)", "period_count"] == found
    assert t.loc["find rate (field recorded)", "period_n"] == recorded
    assert t.loc["find rate (field recorded)", "period_rate"] == pytest.approx(found / recorded, rel=1e-5)
    summary = pd.read_csv(cambs / "tables" / "summary.csv").set_index("measure")
    assert summary.loc["stop_search_find_rate", "data"].startswith("32.2% of all searches found the object")
    html = (cambs / "stop_search.html").read_text()
    assert "919 of the 2,855 searches, 32.2%" in html and "overstates the find rate" in html
    fe = pd.read_csv(cambs / "tables" / "stop_search_find_by_ethnicity.csv")
    white = fe[(fe["definition"] == "officer-defined") & (fe["ethnic_group"] == "White")].iloc[0]
    w_rows = [r for r in rows if r["Officer-defined ethnicity"] == "White"]
    w_found = sum(r["Outcome linked to object of search"] == "True" for r in w_rows)
    assert (white["found"], white["searches"]) == (w_found, len(w_rows))
    assert white["find_rate_all"] == pytest.approx(w_found / len(w_rows), rel=1e-5)
    assert t.loc["find not recorded", "period_count"] == len(rows) - recorded
    assert t.loc["strip search", "period_count"] == strip == 42
    assert t.loc["arrest rate", "period_count"] == sum(r["Outcome"] == "Arrest" for r in rows)
    strip_age = pd.read_csv(cambs / "tables" / "stop_search_strip_age.csv").set_index("age_range")
    child = sum(r["Removal of more than just outer clothing"] == "True" and r["Age range"] in ("10-17", "under 10")
                for r in rows)
    assert strip_age.loc[["under 10", "10-17"], "strip_searches"].sum() == child


def test_monthly_volume_uses_the_utc_month(cambs):
    rows = raw_searches()
    spc = pd.read_csv(cambs / "tables" / "stop_search_spc.csv").set_index("month")
    for m in ["2024-03", "2024-04"]:
        assert spc.loc[m, "value"] == sum(r["utc_month"] == m for r in rows)
    moved = sum(r["utc_month"] != r["file_month"] for r in rows)
    assert moved == 2  # e.g. 2024-03-31T23:51Z (00:51 BST on 1 April) in the April file
    html = (cambs / "stop_search.html").read_text()
    assert "2 of the 2,855 rows in the files have a timestamp month different from their file" in html


def test_pack_summary_and_performance_on_twelve_months(cambs):
    summary = pd.read_csv(cambs / "tables" / "summary.csv")
    ss = summary[summary["link"].str.startswith("stop_search.html")]
    assert len(ss) == 4 and ss["shown"].all()
    perf = (cambs / "performance.html").read_text()
    assert "The period has only 12 months, fewer than the 24-month baseline" in perf
    assert "No rolling 12-month comparison" in perf
    prov = json.loads((cambs / "provenance.json").read_text())
    assert {i["dataset"] for i in prov["inputs"]} == {"police_uk_street", "police_uk_outcomes",
                                                      "police_uk_stop_search"}
    for page in ["index.html", "stop_search.html"]:
        text = (cambs / page).read_text().lower()
        assert "<script" not in text and "cdn." not in text


def test_disclosure_masks_small_counts_in_sentences_and_summary(tmp_path):
    """disclosure.min_count = 10: a count from 1 to 9 in a sentence (strip searches of children) is written [c];
    larger counts are written in full. Checked against a direct count of the raw rows."""
    import yaml

    rows = [r for r in raw_searches() if r["utc_month"].startswith("2024-")]
    strip = [r for r in rows if r["Removal of more than just outer clothing"] == "True"]
    children = [r for r in strip if r["Age range"] in ("under 10", "10-17")]
    assert len(strip) >= 10 and 0 < len(children) < 10  # the raw data give one of each kind
    p = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    p.update(notebooks=["stop_search"], disclosure={"min_count": 10})
    pfile = tmp_path / "disclosed.yaml"
    pfile.write_text(yaml.safe_dump(p, sort_keys=False), encoding="utf-8")
    res = run_cli("run", pfile, "--out", tmp_path / "pack", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    s = pd.read_csv(tmp_path / "pack" / "tables" / "stop_search_summary.csv").set_index("measure")
    assert s.loc["stop_search_strip", "data"].startswith(f"{len(strip):,} searches removed more than outer")
    assert s.loc["stop_search_strip", "commentary"] == "[c] of them of children (under 18)."
    page = (tmp_path / "pack" / "stop_search.html").read_text(encoding="utf-8")
    assert "Children: [c] of the strip searches" in page
    assert "shown as [c] in tables and sentences" in page
