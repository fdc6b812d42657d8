"""A deep dive: params `filters` keep only some police.uk street rows; the pack counts those rows only and names
the filters in its title, its Summary and its provenance."""

from __future__ import annotations

import collections
import csv
import gzip
import json

import pandas as pd
import pytest

from conftest import GWENT, RUN_DATE, run_cli, write_params
from scrutiny.config import params
from scrutiny.reference import months

VSO = "Violence and sexual offences"
PERIOD = ("2024-06", "2025-06")


def raw_rows(crime_type: str, district: str | None = None) -> collections.Counter:
    """Rows of one crime type (and LSOA-name district) per month, straight from the gzip files."""
    c = collections.Counter()
    for m in months.span(*PERIOD):
        with gzip.open(GWENT / f"{m}-gwent-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                d = row["LSOA name"].rsplit(" ", 1)[0] if row["LSOA name"] else ""
                if row["Crime type"] == crime_type and (district is None or d == district):
                    c[row["Month"]] += 1
    return c


def test_shipped_deep_dive_params_are_valid():
    p = params.load(params.paths.REPO_ROOT / "params" / "deep_dive_violence.yaml")
    assert p.filters.crime_types == [VSO] and p.notebooks == ["performance", "outcomes"]
    assert p.pack.id != "default"


@pytest.mark.parametrize("filters, match", [
    ({"crime_types": ["Violence"]}, "unknown police.uk crime type"),
    ({"crime_types": [VSO, VSO]}, "listed twice"),
    ({"districts": ["Newport", "newport"]}, "each listed once"),
    ({"crime_type": [VSO]}, "filters.crime_type: unknown key"),
])
def test_bad_filters_are_refused(tmp_path, filters, match):
    with pytest.raises(params.ParamsError, match=match):
        params.load(write_params(tmp_path / "p.yaml", filters=filters))


def test_filters_refused_with_a_section_reading_no_street_rows(tmp_path):
    f = write_params(tmp_path / "p.yaml", filters={"crime_types": [VSO]}, notebooks=["performance", "stop_search"],
                     inputs={"police_uk_street": {"path": "x"}, "police_uk_stop_search": {"path": "y"}})
    with pytest.raises(params.ParamsError, match="the stop_search section reads no street rows"):
        params.load(f)


@pytest.mark.e2e
@pytest.mark.xdist_group("deepdive")
def test_deep_dive_counts_only_the_filtered_rows(tmp_path):
    f = write_params(tmp_path / "p.yaml", pack={"id": "vso", "title": "Gwent Police — VSO deep dive"},
                     filters={"crime_types": [VSO]})
    out = tmp_path / "pack"
    res = run_cli("run", f, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    raw = raw_rows(VSO)
    monthly = pd.read_csv(out / "tables" / "performance_monthly.csv")
    force = monthly[monthly["area"] == "force"].set_index(["measure", "month"])["value"]
    for m in months.span(*PERIOD):
        assert force[("all_crime", m)] == raw[m]
        assert force[("violence_and_sexual_offences", m)] == raw[m]
    assert set(monthly["measure"]) == {"all_crime", "violence_and_sexual_offences"}
    words = "crime type Violence and sexual offences"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"Gwent Police — VSO deep dive (filtered: {words})" in index
    assert f"Deep dive: only police.uk street-level rows with {words}" in index.split('id="month-view"')[1]
    assert f"(filtered: {words})" in (out / "performance.html").read_text(encoding="utf-8")
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["filters"] == {"crime_types": [VSO], "districts": [], "text": words}
    assert "<th>Filters</th>" in index


@pytest.mark.e2e
def test_district_filter_and_a_district_with_no_rows(tmp_path):
    f = write_params(tmp_path / "p.yaml", filters={"crime_types": [VSO], "districts": ["newport"]})
    out = tmp_path / "prep"
    res = run_cli("prepare", f, "--out", out)
    assert res.returncode == 0, res.stderr
    street = pd.read_parquet(out / "police_uk_street.parquet")
    got = street[~street["repeat_in_month"].fillna(False)].groupby("month").size()
    raw = raw_rows(VSO, "Newport")
    assert {m: got.get(m, 0) for m in months.span(*PERIOD)} == {m: raw[m] for m in months.span(*PERIOD)}
    f = write_params(tmp_path / "q.yaml", filters={"districts": ["Atlantis"]})
    res = run_cli("prepare", f, "--out", tmp_path / "none")
    assert res.returncode == 1
    assert "filters.districts: ['Atlantis'] match no row's LSOA name" in res.stderr and "Newport" in res.stderr
