"""End to end: a 12-month Gwent pack with the districts section, checked against the raw rows and ONS population."""

from __future__ import annotations

import csv
import gzip
import re

import pandas as pd
import pytest

from conftest import GWENT, REPO, RUN_DATE, run_cli, write_params
from scrutiny.reference import months

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("pack")]

# May 2024's file repeats Crime IDs (Newport: 66 repeated rows), so the 12 months ending April 2025 test that a
# repeated Crime ID counts once; April is mid-quarter, so the reporting quarter is January–March 2025.
PERIOD = ("2024-05", "2025-04")


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    d = tmp_path_factory.mktemp("districts")
    params = write_params(d / "p.yaml", period={"start": PERIOD[0], "end": PERIOD[1]},
                          notebooks=["performance", "districts"], districts={"population_edition": "mye2023"})
    out = d / "pack"
    res = run_cli("run", params, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def direct_count(district: str, crime_types=None) -> tuple[int, int]:
    """Crimes in a district over the period straight from the gzip files: one crime per Crime ID in its month (a
    repeated Crime ID counts once, in the district of its last row); rows with no Crime ID count one each.
    Returns (crimes, rows as published)."""
    by_id, no_id, rows = {}, 0, 0
    for m in months.span(*PERIOD):
        with gzip.open(GWENT / f"{m}-gwent-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                name = row["LSOA name"]
                where = name.rsplit(" ", 1)[0] if name else ""
                keep = row["Crime type"] != "Anti-social behaviour" if crime_types is None else \
                    row["Crime type"] in crime_types
                rows += where == district and keep
                if row["Crime ID"]:
                    by_id[(row["Month"], row["Crime ID"])] = (where, keep)
                elif where == district and keep:
                    no_id += 1
    return no_id + sum(1 for where, keep in by_id.values() if where == district and keep), rows


def ons_population(lad_name: str, edition: str, year: int) -> int:
    with open(REPO / "data" / "reference" / "population_la_mye.csv", encoding="utf-8", newline="") as f:
        hits = [int(r["population"]) for r in csv.DictReader(f)
                if r["edition"] == edition and r["year"] == str(year) and r["lad_name"] == lad_name]
    assert len(hits) == 1
    return hits[0]


def test_newport_12_months_and_rate_by_hand(pack):
    rates = pd.read_csv(pack / "tables" / "districts_rates.csv")
    row = rates[(rates["district"] == "Newport") & (rates["measure"] == "all_crime")].iloc[0]
    count, published = direct_count("Newport")
    assert published > count  # the period holds repeated Crime IDs
    assert row["last12"] == count
    assert (row["last12_first_month"], row["last12_last_month"]) == PERIOD
    pop = ons_population("Newport", "mye2023", 2023)  # latest mid-year of mye2023 not after 2025
    assert (row["population_edition"], row["population_year"], row["population"]) == ("mye2023", 2023, pop)
    assert row["last12_rate_per_1000"] == pytest.approx(1000 * count / pop, rel=1e-5)
    burglary = rates[(rates["district"] == "Newport") & (rates["measure"] == "burglary")].iloc[0]
    assert burglary["last12"] == direct_count("Newport", {"Burglary"})[0]
    assert burglary["quarter"] == "Q4 2024/25 (January–March 2025)"


def test_page_sections_population_and_no_program_values(pack):
    html = (pack / "districts.html").read_text(encoding="utf-8")
    assert "<h1>Districts</h1>" in html or ">Districts</h1>" in html
    rates = pd.read_csv(pack / "tables" / "districts_rates.csv")
    for name in rates["district"].unique():
        slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
        assert f'id="district-{slug}"' in html, name
    pop = ons_population("Newport", "mye2023", 2023)
    assert f"{pop:,} residents at mid-2023" in html and "edition mye2023" in html
    assert not re.search(r">\s*(None|nan|NaN|True|False|&lt;NA&gt;)\s*<", html)
    assert len(html.encode("utf-8")) < 3_000_000
    assert 'href="districts.html"' in (pack / "index.html").read_text(encoding="utf-8")
