"""Shared helpers for the bad-input matrix: small real input files, edits, pack snapshots."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path

from conftest import GWENT, write_params

MONTHS = ["2025-04", "2025-05", "2025-06"]
ROWS = 100  # data rows per month file
FORCE = "Gwent Police"


def real_rows(month: str, n: int = ROWS) -> tuple[list[str], list[list[str]]]:
    """The header and the first n data rows of a shipped Gwent street file, as published."""
    with gzip.open(GWENT / f"{month}-gwent-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        rows = [row for _, row in zip(range(n), r)]
    return header, rows


def csv_bytes(header, rows, newline: str = "\n") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_gz(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data, mtime=0))
    return path


def make_inputs(d: Path) -> Path:
    """Three months x 40 real rows, gzipped (deterministic bytes)."""
    d.mkdir(parents=True, exist_ok=True)
    for m in MONTHS:
        h, rows = real_rows(m)
        write_gz(d / f"{m}-gwent-street.csv.gz", csv_bytes(h, rows))
    return d


def small_params(path: Path, data_dir: Path | str, **overrides) -> Path:
    over = {"pack": {"id": "small", "title": "Small test pack", "force": FORCE},
            "period": {"start": MONTHS[0], "end": MONTHS[-1]},
            "inputs": {"police_uk_street": {"path": str(Path(data_dir) / "*-street.csv.gz")}}}
    over.update(overrides)
    return write_params(path, **over)


def snapshot(pack: Path) -> dict:
    return {p.relative_to(pack).as_posix(): p.read_bytes() for p in sorted(pack.rglob("*")) if p.is_file()}


def copy_inputs(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# --- the session's reference pack: one small, valid pack built once ---------------------------------
# Its text carries script/markup payloads (force name, district names from LSOA names, locations, a Crime
# ID, the pack title, a measure label) and it sets disclosure.min_count = 5, so the same build serves as
# the "last good pack" every bad-input case must leave byte-identical, as the hostile-content pack, and
# as the base of the one-byte-changed / no-network run.

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = [SCRIPT, IMG]
FORCE_H = f"Gwent {SCRIPT}"
TITLE = f"{IMG} pack {SCRIPT}"
LABEL = f"{SCRIPT} All crime"
FORMULA = '=HYPERLINK("http://example.invalid/","Torfaen")'  # a spreadsheet would run this (CSV injection)


def hostile_inputs(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for m in MONTHS:
        h, rows = real_rows(m)
        ix = {c: i for i, c in enumerate(h)}
        names = [r[ix["LSOA name"]].rsplit(" ", 1)[0] for r in rows if r[ix["LSOA name"]]]
        top = max(sorted(set(names)), key=names.count)  # the largest district gets a hostile name
        for k, r in enumerate(rows):
            r[ix["Falls within"]] = FORCE_H
            r[ix["Location"]] = f"On or near {SCRIPT}"
            if r[ix["LSOA name"]].startswith(top + " "):  # one row in ten: a district named by a formula
                r[ix["LSOA name"]] = (FORMULA if k % 10 == 5 else IMG) + r[ix["LSOA name"]][len(top):]
        if m == MONTHS[0]:  # a warning, so the data-quality page lists this row and its Crime ID
            r = next(r for r in rows if r[ix["Crime ID"]])
            r[ix["Crime ID"]], r[ix["LSOA code"]] = IMG, SCRIPT
        write_gz(d / f"{m}-gwent-street.csv.gz", csv_bytes(h, rows))
    return d


def reference_params(path: Path, data: Path, catalogue: Path) -> Path:
    return small_params(path, data, pack={"id": "reference", "title": TITLE, "force": FORCE_H},
                        performance={"catalogue": str(catalogue)}, disclosure={"min_count": 5})


# --- the inputs that came with the later notebooks: small slices of the shipped files ----------------
# Home Office recorded crime by PFA (one quarter end of the published table), ONS population by PFA (the
# whole reference table: 1,376 rows), Cambridgeshire stop and search (three months x 40 rows), and the
# seed-000 published-figures transcription. Each is read once and cut into a private copy per case.

from conftest import REPO  # noqa: E402

HO_FILE = REPO / "data" / "raw" / "home_office" / "rec-crime-pfa.csv.gz"
POP_FILE = REPO / "data" / "reference" / "population_pfa.csv"
CAMBS = REPO / "data" / "raw" / "police_uk" / "cambridgeshire"
SEED = REPO / "data" / "published" / "seed_000"
HO_QUARTER = "31-12-2018"
SS_MONTHS = ["2024-01", "2024-02", "2024-03"]
SS_ROWS = 40
SS_FORCE = "Cambridgeshire Constabulary"


def _read_csv(path: Path, keep=lambda row: True, n: int | None = None) -> tuple[list[str], list[list[str]]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        rows = [row for row in r if keep(row)]
    return header, rows[:n] if n else rows


_cache: dict = {}


def shipped(kind: str, month: str = "") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a shipped slice: 'ho', 'pop', 'ss' (with month), 'figures', 'relations' (copies)."""
    key = (kind, month)
    if key not in _cache:
        if kind == "ho":
            _cache[key] = _read_csv(HO_FILE, keep=lambda r: r[0] == HO_QUARTER)
        elif kind == "pop":
            _cache[key] = _read_csv(POP_FILE)
        elif kind == "ss":
            _cache[key] = _read_csv(CAMBS / f"{month}-cambridgeshire-stop-and-search.csv.gz", n=SS_ROWS)
        else:
            _cache[key] = _read_csv(SEED / f"{kind}.csv")
    h, rows = _cache[key]
    return list(h), [list(r) for r in rows]


FORCE_EXTRACT = REPO / "data" / "sample" / "force_extract"
VICTIM_MONTHS = ["2025-05", "2025-06"]


def force_extract(kind: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a slice of the shipped synthetic force extracts: 'crimes' recorded in VICTIM_MONTHS,
    'survey' the respondents about those crimes."""
    if ("victims", "crimes") not in _cache:
        h, rows = _read_csv(FORCE_EXTRACT / "force_crimes_2024-07_2025-06.csv.gz")
        rows = [r for r in rows if r[1][:7] in VICTIM_MONTHS]
        _cache[("victims", "crimes")] = (h, rows)
        refs = {r[0] for r in rows}
        sh, srows = _read_csv(FORCE_EXTRACT / "victim_survey.csv.gz")
        _cache[("victims", "survey")] = (sh, [r for r in srows if r[1] in refs])
    h, rows = _cache[("victims", kind)]
    return list(h), [list(r) for r in rows]


def write_csv(path: Path, header, rows, newline: str = "\n") -> Path:
    data = csv_bytes(header, rows, newline=newline)
    return write_gz(path, data) if path.name.endswith(".gz") else (path.write_bytes(data), path)[1]


def pack_params(path: Path, pack: dict, inputs: dict, notebooks: list[str], **rest) -> Path:
    """A params file written in full (no defaults merged in): for packs without police.uk street data."""
    import yaml

    data = {"pack": pack, **({"period": rest.pop("period")} if "period" in rest else {}),
            "inputs": {k: {"path": str(v)} for k, v in inputs.items()}, "notebooks": notebooks, **rest}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# --- the criminal justice extracts (synthetic: generated from the seed, a slice of one month) ---
CJ_MONTH = "2025-06"
CJ_ROWS = 60
CJ_EXTRACTS = ["calls", "incidents", "charge_decisions", "case_files", "court_cases"]


def cj_rows(name: str) -> tuple[list[str], list[list[str]]]:
    """The first CJ_ROWS rows of one generated extract for CJ_MONTH, as text ('' for a missing value)."""
    from scrutiny.synthetic import criminal_justice as synth

    df = synth.GENERATORS[name](start=CJ_MONTH, end=CJ_MONTH).head(CJ_ROWS)
    rows = [["" if v is None or v != v else str(v) for v in r] for r in df.itertuples(index=False)]
    return list(df.columns), rows
