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


def _both_engines(rows, suite_name: str, parameters: dict):
    """Each row rule of the suite through Great Expectations' pandas engine and through contracts.sql."""
    import json

    from scrutiny.contracts import _columns_used, _split, load_suite_json
    from scrutiny.contracts import sql as sqlcheck
    from scrutiny.inputs.force_extract import connect

    suite = _split(load_suite_json(suite_name), "row")
    idx = ["source_file", "row", "crime_ref" if suite_name.startswith("force") else "respondent_id"]
    gx_res = contracts._Validator().run(suite, _columns_used(suite, rows, idx), idx, parameters).results
    con = connect()
    con.register("rows", rows)
    ours = sqlcheck.run(con, "rows", suite["expectations"], idx, parameters)
    assert len(gx_res) == len(ours) == len(suite["expectations"])
    pairs = []
    for g, s in zip(gx_res, ours):  # GX keeps the suite's order
        assert g.expectation_config.type == s.expectation["type"]
        got = sorted(int(i["row"]) for i in (g.result.get("unexpected_index_list") or []))
        want = sorted(e["row"] for e in s.examples)
        if s.expectation["type"] == "expect_column_distinct_values_to_contain_set":
            got, want = [], []  # no rows: compared by success below
        pairs.append((json.dumps(s.expectation["kwargs"], sort_keys=True, default=str), (g.success, got),
                      (s.success, want)))
    return pairs


def test_crimes_and_survey_rules_in_sql_agree_with_great_expectations(tmp_path, gx_loaded):
    """The crimes and survey extracts are checked by the SQL translation of their suites; on rows that break
    most rules, it fails the same rules on the same rows as Great Expectations."""
    from scrutiny.inputs.registry import DATASETS
    from scrutiny.reference import months

    rows = [list(r) for r in CRIMES] + [list(r) for r in CRIMES]
    h = force_crimes.HEADER.index
    rows[3][h("crime_ref")] = "X"  # bad form
    rows[4][h("outcome_date")] = "2025-06-01"  # before recording
    rows[4][h("ho_outcome_type")] = "23"
    rows[5][h("victim_id")] = "John Smith"
    rows[5][h("da_flag")] = "maybe"
    rows[5][h("hate_strand")] = "colour"
    rows[1][h("recorded_date")] = "2025-13-01"
    gz(tmp_path / "force_crimes.csv.gz", force_crimes.HEADER, rows)
    period = ("2025-05", "2025-06")
    ds = DATASETS["force_crimes"]
    files = ds.files_frame(ds.discover(str(tmp_path / "force_crimes.csv.gz")), period)
    crimes = ds.load_rows(files[files["in_period"]].reset_index(drop=True))
    pairs = _both_engines(crimes, "force_crimes.v1", {"reporting_month": ["2025-06"],
                                                      "period_months": months.span(*period)})
    for kw, gx_said, sql_said in pairs:
        assert gx_said == sql_said, kw
    assert sum(not g[0] for _, g, _ in pairs) >= 6

    survey = [list(SURVEY[0]), list(SURVEY[0]), list(SURVEY[0])]
    survey[1][0], survey[1][1], survey[1][6] = "R0000002", "CR99999999", "12"
    survey[2][2], survey[2][5] = "postal", "2025-05-01"
    gz(tmp_path / "victim_survey.csv.gz", victim_survey.HEADER, survey)
    vs = DATASETS["victim_survey"]
    vfiles = vs.files_frame(vs.discover(str(tmp_path / "victim_survey.csv.gz")), period)
    answers = vs.link(vs.load_rows(vfiles), {"force_crimes": crimes})
    pairs = _both_engines(answers, "victim_survey.v1", {})
    for kw, gx_said, sql_said in pairs:
        assert gx_said == sql_said, kw
    assert sum(not g[0] for _, g, _ in pairs) >= 3


def test_table_rules_in_sql_count_rows_and_name_missing_values():
    import pandas as pd

    from scrutiny.contracts import sql as sqlcheck
    from scrutiny.inputs.force_extract import connect

    con = connect()
    con.register("t", pd.DataFrame({"m": ["2025-05", "2025-05", None], "row": [1, 2, 3]}))
    exps = [{"type": "expect_column_distinct_values_to_contain_set",
             "kwargs": {"column": "m", "value_set": {"$PARAMETER": "months"}}},
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1, "max_value": 2}},
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 3, "max_value": 3}}]
    contain, too_many, exact = sqlcheck.run(con, "t", exps, ["row"], {"months": ["2025-04", "2025-05", "2025-06"]})
    assert (contain.success, contain.unexpected_count, contain.note) == (False, 2, "missing: 2025-04, 2025-06")
    assert (too_many.success, too_many.note, exact.success) == (False, "3 found", True)
