"""The benchmark's generated inputs: a fixed seed gives the same bytes, row counts are the stated multiples of
the source, and every copied outcome still links to its copied crime."""

from __future__ import annotations

import gzip
import hashlib

import pandas as pd
import pytest

from conftest import GWENT
from scrutiny.bench import data

MONTHS = ("2024-05", "2024-06")
N = 40  # data rows kept per source file


@pytest.fixture()
def tiny(tmp_path):
    """The first N rows of two months of Gwent's street and outcomes files; outcomes keep only rows whose Crime
    ID is among the kept street rows of the same months (so links can be checked)."""
    src = tmp_path / "src"
    src.mkdir()
    street_ids = set()
    for m in MONTHS:
        lines = gzip.decompress((GWENT / f"{m}-gwent-street.csv.gz").read_bytes()).split(b"\n")
        keep = lines[:N + 1]
        street_ids |= {ln.split(b",", 1)[0] for ln in keep[1:]} - {b""}
        (src / f"{m}-gwent-street.csv.gz").write_bytes(gzip.compress(b"\n".join(keep) + b"\n"))
    for m in MONTHS:
        lines = gzip.decompress((GWENT / f"{m}-gwent-outcomes.csv.gz").read_bytes()).split(b"\n")
        # outcomes linked to the kept crimes, plus unlinked ones to reach N rows
        linked = [ln for ln in lines[1:] if ln.split(b",", 1)[0] in street_ids]
        keep = [lines[0]] + (linked + [ln for ln in lines[1:] if ln and ln not in linked])[:N]
        (src / f"{m}-gwent-outcomes.csv.gz").write_bytes(gzip.compress(b"\n".join(keep) + b"\n"))
    return src


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv.gz"))}


def _read(folder, dataset):
    return pd.concat([pd.read_csv(p, dtype=str) for p in sorted(folder.glob(f"*-{dataset}.csv.gz"))],
                     ignore_index=True)


def test_met_sized_is_fifteen_copies_with_new_ids_and_same_bytes_for_same_seed(tiny, tmp_path):
    rows = data.met_sized(tmp_path / "a", 15, seed=7, src=tiny, log=lambda _: None)
    data.met_sized(tmp_path / "b", 15, seed=7, src=tiny, log=lambda _: None)
    data.met_sized(tmp_path / "c", 15, seed=8, src=tiny, log=lambda _: None)
    assert rows == {"street": 15 * 2 * N, "outcomes": 15 * 2 * N}
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")  # fixed seed: same bytes
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    src_street, street = _read(tiny, "street"), _read(tmp_path / "a", "street")
    assert len(street) == 15 * len(src_street)
    # every row is the source row but for its Crime ID; a source crime appears under 15 distinct new ids
    assert (street.drop(columns="Crime ID").value_counts().sort_index()
            == 15 * src_street.drop(columns="Crime ID").value_counts().sort_index()).all()
    ids = street["Crime ID"].dropna()
    assert ids.nunique() == 15 * src_street["Crime ID"].dropna().nunique()
    assert not set(ids) & set(src_street["Crime ID"].dropna())
    assert street["Crime ID"].isna().sum() == 15 * src_street["Crime ID"].isna().sum()
    # an outcome linked to a crime in the source is linked to a copied crime in the copy
    src_out, out = _read(tiny, "outcomes"), _read(tmp_path / "a", "outcomes")
    linked_src = src_out["Crime ID"].isin(src_street["Crime ID"]).sum()
    assert linked_src > 0
    assert out["Crime ID"].isin(street["Crime ID"]).sum() == 15 * linked_src


def test_new_id_is_the_sha256_of_seed_force_copy_and_old_id():
    assert data.new_id(1, "met", 2, b"abc") == hashlib.sha256(b"1:met:2:abc").hexdigest().encode()


def test_national_year_scales_each_force_by_its_home_office_ratio(tiny, tmp_path):
    f = data.home_office_factors()
    assert len(f) == 43 and f.loc[f["pfa"] == "Gwent", "factor"].item() == 1.0
    met = f.loc[f["pfa"] == "Metropolitan Police"]
    assert met["factor"].item() == pytest.approx(met["offences"].item() / f.loc[f["pfa"] == "Gwent", "offences"].item())
    rows = data.national_year(tmp_path / "n", src=tiny, months=1, log=lambda _: None)
    data.national_year(tmp_path / "m", src=tiny, months=1, log=lambda _: None)
    assert _digest(tmp_path / "n") == _digest(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "n").glob("*.csv.gz"))
    assert len(files) == 43 * 2 and all(n.startswith(MONTHS[-1]) for n in files)  # the last month only
    gwent = _read(tmp_path / "n", "street").query("`Falls within` == 'Gwent Police'")
    assert len(gwent) == N  # factor 1: one whole copy, nothing drawn
    metro = pd.read_csv(tmp_path / "n" / f"{MONTHS[-1]}-metropolitan-street.csv.gz", dtype=str)
    assert 14 * N <= len(metro) <= 15 * N  # 14 whole copies and a drawn share of the 15th
    assert set(metro["Falls within"]) == set(metro["Reported by"]) == {"Metropolitan Police Service"}
    assert rows["street"] == sum(len(pd.read_csv(tmp_path / "n" / n)) for n in files if n.endswith("street.csv.gz"))


def test_cache_is_reused_only_with_the_same_settings(tmp_path):
    calls = []

    def build(folder):
        calls.append(folder)
        (folder / "x.csv.gz").write_bytes(b"")
        return {"street": 1}

    data.cached("k", build, tmp_path, seed=1)
    data.cached("k", build, tmp_path, seed=1)
    assert len(calls) == 1
    data.cached("k", build, tmp_path, seed=2)
    assert len(calls) == 2
