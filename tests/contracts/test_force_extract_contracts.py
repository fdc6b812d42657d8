"""The force extracts' contracts on hand-made rows: an outcome dated before recording and an unknown outcome type
are refused (critical), naming the file, the column and the row; the clean rows pass every expectation."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
import yaml

from scrutiny import contracts
from scrutiny.config import params
from scrutiny.inputs import force_crimes, victim_survey

CRIMES = [
    ["CR00000001", "2025-05-02", "2025-05-01", "028/01", "Theft offences", "Residential burglary", "Eastmere",
     "V0000001", "N", "N", "", "18", "2025-05-20", "2025-07-10"],
    ["CR00000002", "2025-06-03", "", "105/01", "Violence against the person", "Violence without injury", "Linbrook",
     "V0000001", "Y", "N", "", "", "", "2025-07-10"],
    ["CR00000003", "2025-06-10", "2025-06-10", "008/01", "Violence against the person", "Violence with injury",
     "Linbrook", "V0000002", "N", "Y", "race", "1", "2025-06-30", "2025-07-10"],
]
SURVEY = [["R0000001", "CR00000001", "aggregate", "Burglary", "Eastmere", "2025-06-20", "1", "2", "8", "1", "3",
           "AGG-3"]]


def gz(path: Path, header, rows) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header] + rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))


def check(tmp_path, crimes) -> contracts.Report:
    gz(tmp_path / "force_crimes.csv.gz", force_crimes.HEADER, crimes)
    gz(tmp_path / "victim_survey.csv.gz", victim_survey.HEADER, SURVEY)
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump({
        "pack": {"id": "t", "title": "t", "force": "Gwent Police"}, "period": {"start": "2025-05", "end": "2025-06"},
        "inputs": {"force_crimes": {"path": str(tmp_path / "force_crimes.csv.gz")},
                   "victim_survey": {"path": str(tmp_path / "victim_survey.csv.gz")}},
        "notebooks": ["victims"]}))
    return contracts.validate(params.load(p))


@pytest.fixture(scope="module")
def gx_loaded():
    contracts._Validator()  # import Great Expectations once for the module


def test_clean_rows_pass(tmp_path, gx_loaded):
    rep = check(tmp_path, [list(r) for r in CRIMES])
    assert rep.ok and not any(r.warnings for r in rep.inputs), rep.error_message()


@pytest.mark.parametrize("column,value,column_named,rule", [
    ("outcome_date", "2025-06-01", "'outcome_date' vs 'recorded_date'", "outcome cannot be dated before"),
    ("ho_outcome_type", "23", "'ho_outcome_type'", "Home Office outcome type"),
    ("ho_outcome_type", "19B", "'ho_outcome_type'", "Home Office outcome type"),
])
def test_refused_naming_file_column_and_row(tmp_path, gx_loaded, column, value, column_named, rule):
    rows = [list(r) for r in CRIMES]
    rows[2][force_crimes.HEADER.index(column)] = value
    rep = check(tmp_path, rows)
    assert not rep.ok
    msg = rep.error_message()
    assert f"force_crimes: column {column_named}" in msg and rule in msg
    assert "row=3" in msg and "crime_ref=CR00000003" in msg and "force_crimes.csv.gz" in msg
