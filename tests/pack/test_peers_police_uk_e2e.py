"""End to end: the police.uk peers pack from the real command line.

On the shipped slice (the real 2024 street files of Gwent and Cambridgeshire) the counts and populations are
checked against the raw files; on street files written here for twelve forces, one with months missing and one
with a month cut short, the forces left out are named and the rest are compared and judged; a force's month
given twice is refused by the contract, naming the files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, RUN_DATE, run_cli
from scrutiny.reference import months, police_uk
from scrutiny.reference.offences import POLICE_UK_TOTAL

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("peers_police_uk")]

RAW = REPO / "data" / "raw" / "police_uk"
POP = REPO / "data" / "reference" / "population_pfa.csv"


def raw_crimes(folder: str, first: str = "2024-01", last: str = "2024-12") -> tuple[int, int]:
    """(crimes: distinct Crime IDs within each month, rows) of a force's street files for the months, anti-social
    behaviour left out (no crime row in these files lacks a Crime ID)."""
    ids, rows = set(), 0
    for m in months.span(first, last):
        with gzip.open(RAW / folder / f"{m}-{folder}-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                if r["Crime type"] != "Anti-social behaviour":
                    assert r["Crime ID"]
                    ids.add((m, r["Crime ID"]))
                    rows += 1
    return len(ids), rows


def raw_population(name: str, year: int = 2023, edition: str = "mye2023") -> int:
    with open(POP, encoding="utf-8", newline="") as f:
        (row,) = [r for r in csv.DictReader(f) if r["pfa_name"] == name and r["year"] == str(year)
                  and r["edition"] == edition]
    return int(row["population"])


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("pu") / "pack"
    res = run_cli("run", REPO / "params" / "peers_police_uk_example.yaml", "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def test_example_counts_are_the_raw_files_over_the_ons_population(example):
    cmp = pd.read_csv(example / "tables" / "peers_comparison.csv").set_index("offence")
    crimes, rows = raw_crimes("gwent")
    # 201 rows repeat a Crime ID already in their month (the street contract warns of them); each crime counts once
    assert (crimes, rows) == (60_099, 60_300)
    assert cmp.loc[POLICE_UK_TOTAL, "count"] == crimes
    assert cmp.loc[POLICE_UK_TOTAL, "population"] == raw_population("Gwent") == 595_412
    assert cmp.loc[POLICE_UK_TOTAL, "rate_per_1000"] == pytest.approx(1000 * crimes / 595_412, rel=1e-5)
    cambs, _ = raw_crimes("cambridgeshire")
    assert cmp.loc[POLICE_UK_TOTAL, "peer_average"] == pytest.approx(1000 * cambs / raw_population("Cambridgeshire"), rel=1e-5)
    # two forces cannot estimate the variation between forces: nothing is judged
    assert set(cmp["vs_peer_average"]) == {"not judged against"}
    assert cmp["p_value"].isna().all()


def test_example_names_every_force_without_files(example):
    cov = pd.read_csv(example / "tables" / "peers_coverage.csv").set_index("force")
    assert sorted(cov.index[cov["status"] == "compared"]) == ["Cambridgeshire", "Gwent"]
    assert (cov["status"] == "left out: no files for these 12 months").sum() == 41
    page = (example / "peers.html").read_text(encoding="utf-8")
    assert "41 forces with no file for these 12 months: Avon and Somerset" in page
    assert "Only 2 forces have a complete, plausible 12 months" in page
    assert "significantly" not in page.replace("not significantly", "")
    summary = pd.read_csv(example / "tables" / "peers_summary.csv")
    assert summary["commentary"].str.startswith("Not judged against the peer average").all()


# --- twelve forces written here ---------------------------------------------------------------------------------

FORCES = ["Gwent", "Kent", "Dorset", "Essex", "Cumbria", "Durham", "Norfolk", "Suffolk", "Surrey", "Sussex",
          "Wiltshire", "Cleveland"]
TYPES = [t for t in police_uk.CRIME_TYPES if t != "Anti-social behaviour"]


def _write(folder, force: str, month: str, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    slug = force.lower().replace(" ", "-")
    path = folder / f"{month}-{slug}-street.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(police_uk.STREET_HEADER)
        for i in range(n):
            cid = hashlib.sha256(f"{force}|{month}|{i}".encode()).hexdigest()
            w.writerow([cid, month, f"{force} Police", f"{force} Police", "-1.5", "52.1", "On or near High Street",
                        "E01000001", "Somewhere 001A", TYPES[int(rng.integers(len(TYPES)))],
                        "Under investigation", ""])
        for _ in range(5):  # anti-social behaviour: no Crime ID, not counted
            w.writerow(["", month, f"{force} Police", f"{force} Police", "-1.5", "52.1", "On or near High Street",
                        "E01000001", "Somewhere 001A", "Anti-social behaviour", "", ""])


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    root = tmp_path_factory.mktemp("national")
    data = root / "street"
    data.mkdir()
    pop = pd.read_csv(POP)
    pop = pop[(pop["edition"] == "mye2023") & (pop["year"] == 2023)].set_index("pfa_name")["population"]
    rng = np.random.default_rng(2024)
    written = {}
    for k, force in enumerate(FORCES):
        rate = 6.0 * float(np.exp(rng.normal(0, 0.15)))  # crimes per 1,000 a year, forces differing a little
        if force == "Gwent":
            rate *= 2.5  # the pack's force well above the others: a question for the force
        for j, m in enumerate(months.span("2024-01", "2024-12")):
            if force == "Kent" and m in ("2024-04", "2024-05"):
                continue  # Kent published nothing for two months
            n = int(rng.poisson(pop[force] * rate / 1000 / 12))
            if force == "Dorset" and m == "2024-08":
                n //= 4  # a month cut short
            _write(data, force, m, n, seed=1000 * k + j)
            written[(force, m)] = n
    params = {"pack": {"id": "pu-national", "title": "Gwent Police — police.uk peers", "force": "Gwent Police"},
              "inputs": {"police_uk_street": {"path": str(data / "*-street.csv.gz")},
                         "ons_population_pfa": {"path": "data/reference/population_pfa.csv"}},
              "peers": {"source": "police_uk", "period_end": "2024-12-31", "population_edition": "mye2023", "k": 4},
              "notebooks": ["peers"]}
    pf = root / "params.yaml"
    pf.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    out = root / "pack"
    res = run_cli("run", pf, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return {"out": out, "written": written, "params": params, "root": root, "data": data}


def test_forces_left_out_are_named_and_the_rest_judged(national):
    out = national["out"]
    cov = pd.read_csv(out / "tables" / "peers_coverage.csv").set_index("force")
    assert cov.loc["Kent", "status"] == "left out: no file for 2 of the 12 months (April 2024, May 2024)"
    assert cov.loc["Dorset", "status"].startswith("left out: implausible monthly count in August 2024 (0.2")
    assert (cov["status"] == "compared").sum() == 10
    cmp = pd.read_csv(out / "tables" / "peers_comparison.csv").set_index("offence")
    tot = cmp.loc[POLICE_UK_TOTAL]
    assert tot["count"] == sum(n for (f, _), n in national["written"].items() if f == "Gwent")
    assert tot["forces_ranked"] == 10 and tot["group_size"] == 5
    assert tot["vs_peer_average"] in {"significantly above", "significantly below", "not significantly different from"}
    assert 0 <= tot["p_value"] <= 1
    funnel = pd.read_csv(out / "tables" / "peers_funnel.csv")
    assert set(funnel["force"]) == set(FORCES) - {"Kent", "Dorset"}
    assert funnel["upper_998"].notna().all()
    page = (out / "peers.html").read_text(encoding="utf-8")
    assert "Funnel plot of all crime on police.uk per 1,000 residents against population for 10 forces" in page
    assert "Kent (no file for 2 of the 12 months (April 2024, May 2024))" in page


def test_offences_significantly_above_the_peer_average_become_questions(national):
    out = national["out"]
    cmp = pd.read_csv(out / "tables" / "peers_comparison.csv")
    above = list(cmp.loc[cmp["vs_peer_average"] == "significantly above", "offence"])
    assert POLICE_UK_TOTAL in above  # Gwent's rate is 2.5 times the others'
    q = pd.read_csv(out / "tables" / "questions.csv")
    assert list(q["evidence"]) == ["peers.html#rates"] * len(above)
    assert [k.split("=", 1)[1] for k in q["row_key"]] == above
    assert all(t.endswith("including how much is recording practice rather than crime, and what is it doing about "
                          "it?") for t in q["question"])
    page = (out / "questions.html").read_text(encoding="utf-8")
    assert "Does the force know why its rate is higher than similar forces" in page


def test_a_forces_month_given_twice_is_refused_naming_the_files(national, tmp_path):
    twice = tmp_path / "street"
    (twice / "a").mkdir(parents=True)
    (twice / "b").mkdir()
    for f in national["data"].glob("*.csv.gz"):
        (twice / "a" / f.name).symlink_to(f)
    (twice / "b" / "2024-03-gwent-street.csv.gz").symlink_to(national["data"] / "2024-03-gwent-street.csv.gz")
    params = json.loads(json.dumps(national["params"]))
    params["inputs"]["police_uk_street"]["path"] = str(twice / "*" / "*-street.csv.gz")
    pf = tmp_path / "p.yaml"
    pf.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    out = tmp_path / "pack"
    res = run_cli("run", pf, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode != 0
    text = res.stdout + res.stderr
    assert "one file per force and month" in text and "2024-03-gwent-street.csv.gz" in text
    assert not out.exists()
