"""End to end: the real CLI on 13 months of real Gwent data, checked against direct counts of the raw rows."""

from __future__ import annotations

import collections
import csv
import gzip
import json
import shutil

import pandas as pd
import pytest

from conftest import GWENT, RUN_DATE, run_cli, write_params
from scrutiny.reference import months

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("pack")]


def raw_counts(period):
    """Direct count of raw rows by month, crime type and LSOA-name district, straight from the gzip files."""
    c = collections.Counter()
    for m in months.span(*period):
        with gzip.open(GWENT / f"{m}-gwent-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                name = row["LSOA name"]
                district = name.rsplit(" ", 1)[0] if name else ""
                c[(row["Month"], row["Crime type"], district)] += 1
    return c


def test_monthly_counts_equal_direct_count_of_raw_rows(gwent13):
    period = ("2024-06", "2025-06")
    raw = raw_counts(period)
    monthly = pd.read_csv(gwent13 / "tables" / "performance_monthly.csv")
    assert set(monthly["month"]) == set(months.span(*period))
    got = monthly.set_index(["measure", "area", "month"])["value"]
    for m in ["2024-06", "2024-12", "2025-06"]:
        burglary = sum(v for (mm, t, _), v in raw.items() if mm == m and t == "Burglary")
        asb = sum(v for (mm, t, _), v in raw.items() if mm == m and t == "Anti-social behaviour")
        all_crime = sum(v for (mm, t, _), v in raw.items() if mm == m and t != "Anti-social behaviour")
        newport_vso = sum(v for (mm, t, d), v in raw.items()
                          if mm == m and t == "Violence and sexual offences" and d == "Newport")
        assert got[("burglary", "force", m)] == burglary
        assert got[("anti_social_behaviour", "force", m)] == asb
        assert got[("all_crime", "force", m)] == all_crime
        assert got[("violence_and_sexual_offences", "Newport", m)] == newport_vso
    # every row of the period counted once in all_crime + anti_social_behaviour
    total = monthly[(monthly["area"] == "force") & monthly["measure"].isin(["all_crime", "anti_social_behaviour"])]
    assert total["value"].sum() == sum(raw.values())


def test_pack_contents(gwent13):
    for name in ["index.html", "data-quality.html", "performance.html", "provenance.json", "MANIFEST.json",
                 "validation.json", "params.yaml", "notebooks/performance.ipynb", "tables/performance_monthly.csv",
                 "tables/performance_spc.csv", "tables/summary.csv"]:
        assert (gwent13 / name).is_file(), name
    summary = pd.read_csv(gwent13 / "tables" / "summary.csv")
    assert len(summary) == 16
    assert {"topic", "inclusion", "data", "commentary", "link"} <= set(summary.columns)
    spc = pd.read_csv(gwent13 / "tables" / "performance_spc.csv")
    assert {"measure", "area", "month", "value", "centre", "lower", "upper", "rule", "variation"} <= set(spc.columns)
    prov = json.loads((gwent13 / "provenance.json").read_text())
    street = prov["inputs"][0]
    assert street["dataset"] == "police_uk_street"
    used = [f for f in street["files"] if f["used"]]
    assert len(used) == 13
    assert prov["run_date"] == RUN_DATE
    assert all(len(f["sha256"]) == 64 for f in street["files"])
    assert prov["contracts"][0]["sha256"]
    html = (gwent13 / "index.html").read_text()
    assert "Violence and sexual offences" in html and "June 2025" in html


def test_no_external_references(gwent13):
    import re

    for page in gwent13.glob("*.html"):
        text = page.read_text()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.I), page.name
        assert "<link" not in text.lower(), page.name
        assert "@import" not in text and "cdn." not in text.lower(), page.name
        assert "<script" not in text.lower(), page.name  # static SVG charts: no JavaScript at all


def test_verify(gwent13, tmp_path):
    res = run_cli("verify", gwent13)
    assert res.returncode == 0, res.stdout
    copy = tmp_path / "copy"
    shutil.copytree(gwent13, copy)
    (copy / "tables" / "summary.csv").write_text("tampered\n")
    res = run_cli("verify", copy)
    assert res.returncode == 1
    assert "tables/summary.csv: sha256 differs" in res.stdout


def test_determinism_same_manifest(gwent13, tmp_path):
    params = write_params(tmp_path / "gwent13.yaml")
    out = tmp_path / "again"
    res = run_cli("run", params, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stderr
    a = json.loads((gwent13 / "MANIFEST.json").read_text())
    b = json.loads((out / "MANIFEST.json").read_text())
    differ = sorted(k for k in set(a["files"]) | set(b["files"]) if a["files"].get(k) != b["files"].get(k))
    code = [json.loads((p / "provenance.json").read_text())["code_digest"] for p in (gwent13, out)]
    assert a == b, f"files that differ: {differ}; code digests of the two runs: {code}"


def test_failed_run_leaves_last_good_pack_untouched(gwent13, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(gwent13, pack)
    before = {p.relative_to(pack): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    for m in months.span("2024-06", "2025-06"):
        if m != "2024-09":  # a month missing inside the period
            shutil.copy(GWENT / f"{m}-gwent-street.csv.gz", bad_dir)
    params = write_params(tmp_path / "bad.yaml", inputs={"police_uk_street": {"path": str(bad_dir / "*-street.csv.gz")}})
    res = run_cli("run", params, "--out", pack, "--run-date", RUN_DATE)
    assert res.returncode == 2
    assert "missing: 2024-09" in res.stderr and "file_month" in res.stderr
    after = {p.relative_to(pack): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    assert after == before
    assert (tmp_path / ".failed-pack" / "data-quality.html").is_file()


def test_notebook_failure_exit_1_keeps_notebook(tmp_path):
    cat = tmp_path / "bad_catalogue.yaml"
    cat.write_text("source: police_uk_street\nmeasures: []\n")
    params = write_params(tmp_path / "p.yaml", period={"start": "2025-04", "end": "2025-06"},
                          performance={"catalogue": str(cat)})
    res = run_cli("run", params, "--out", tmp_path / "out", "--run-date", RUN_DATE)
    assert res.returncode == 1, res.stderr
    assert "notebook performance failed" in res.stderr
    assert (tmp_path / ".failed-out" / "notebooks" / "performance.ipynb").is_file()
    assert not (tmp_path / "out").exists()


def test_one_crime_per_crime_id_in_a_month(tmp_path):
    """2023-01 repeats 513 Crime IDs: each crime counts once, and the rows as published are kept beside it."""
    from scrutiny.analyses import measures
    from scrutiny.inputs.registry import DATASETS

    ds = DATASETS["police_uk_street"]
    path = GWENT / "2023-01-gwent-street.csv.gz"
    ids, rows, burglary = set(), 0, set()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["Crime type"] != "Anti-social behaviour":
                rows += 1
                ids.add(r["Crime ID"])
                if r["Crime type"] == "Burglary":
                    burglary.add(r["Crime ID"])
    assert rows - len(ids) == 513 and len(burglary) == 118
    files = ds.files_frame([path], ("2023-01", "2023-01"))
    out = tmp_path / "street.parquet"
    ds.prepare(ds.load_rows(files), out)
    c = measures.type_counts(out, ("2023-01", "2023-01"))
    crimes = c[c["crime_type"] != "Anti-social behaviour"]
    assert crimes["n"].sum() == len(ids) == 3343
    assert crimes["rows"].sum() == rows == 3856
    assert c.loc[c["crime_type"] == "Burglary", "n"].sum() == 118
    assert c.loc[c["crime_type"] == "Burglary", "rows"].sum() == 137
