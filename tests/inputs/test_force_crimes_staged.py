"""The crimes extract staged in the ingest cache (ForceCrimes.stage_rows): DuckDB computes the contract's check
columns as each file is read, and they must be the columns `check_columns` computes in pandas on the same rows,
value for value, with the same rules failing on the same rows, the same typed table, and the same links from the
victim survey and the charge decisions."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pandas as pd
import pytest

from scrutiny.contracts import _split, load_suite_json
from scrutiny.contracts import sql as sqlcheck
from scrutiny.inputs import force_crimes as fc
from scrutiny.inputs import staging
from scrutiny.inputs import victim_survey as vs
from scrutiny.inputs.charge_decisions import CHARGE_DECISIONS
from scrutiny.inputs.files import InputError, file_record
from scrutiny.inputs.force_extract import connect
from scrutiny.reference import months

NBSP, TAB = "\u00a0", "\t"


def row(ref, recorded="2025-06-03", committed="", victim="V0000001", hate_flag="N", strand="", outcome="",
        outcome_date="", extracted="2025-07-10", district="Eastmere", da="N"):
    return [ref, recorded, committed, "028/01", "Theft offences", "Residential burglary", district, victim, da,
            hate_flag, strand, outcome, outcome_date, extracted]


# every derived column's branches, and blanks written every way a spreadsheet writes them
PART_A = [
    row("CR001"),
    row("CR002", recorded="2025-02-30", committed="31/01/2025"),            # not a real date, then a bad form
    row("CR003", committed="2025-13-01", victim="  "),                       # blank victim (spaces)
    row("CR004", recorded=" 2025-06-04", victim="John Smith"),               # a space before the date
    row("CR005", victim="12/03/1985", outcome="1", outcome_date="2025-06-20"),
    row("CR006", victim="V12.03.85", outcome="18"),                          # type without a date
    row("CR007", victim="V12", outcome_date="2025-06-21"),                   # date without a type
    row("CR008", victim=f"{TAB}V0001234{NBSP}", hate_flag="Y", strand="race"),  # spaces around a pseudonym
    row("CR009", victim="O'Brien", hate_flag="Y"),                           # a flag without a strand
    row("CR010", victim="abc def 1234", strand="disability"),                # a strand without the flag
    row("CR011", district=NBSP, da=TAB, extracted=""),                       # blank required fields
    row("CR012", recorded="0000-02-29", extracted="2025-07-11"),             # year 0 is a leap year
    row("CR013", recorded="1900-02-29", victim="\u3000"),                    # 1900 is not; ideographic space
    row("CR014", recorded="", victim="a3f9c2d81e7b4410"),
    row("CR004", recorded="2025-05-01"),                                     # a crime_ref again, same file
]
PART_B = [
    row("CR001", recorded="2025-05-30"),                                     # again, in the second file
    row("CR020", extracted="2025-07-11"),
    row("CR021", extracted="2025-07-11", victim="PSN-000123"),
]


def gz(path: Path, rows, quote_blanks: bool = False) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_blanks else csv.QUOTE_MINIMAL)
    w.writerows([fc.HEADER] + rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))
    return path


def files_of(*paths: Path) -> pd.DataFrame:
    return pd.DataFrame([{**file_record(p)[0], "in_period": True} for p in paths])


def frame_rows(staged: staging.StagedRows) -> pd.DataFrame:
    con = staged.connect("rows")
    try:  # file order is the files table's: part by part
        out = pd.concat([con.execute("SELECT * FROM rows WHERE source_file = ? ORDER BY row", [name]).df()
                         for name in dict.fromkeys(con.execute("SELECT source_file FROM rows").df()["source_file"])],
                        ignore_index=True)
    finally:
        con.close()
    return out


def cells(s: pd.Series) -> list:
    return [None if pd.isna(x) else (bool(x) if isinstance(x, bool) or type(x).__name__ == "bool_" else x)
            for x in s]


@pytest.fixture
def extract(tmp_path, monkeypatch):
    # a cache folder whose name SQL must quote, holding the checks' placeholder: paths are never spliced into it
    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "o'brien {rows} cache"))
    a = gz(tmp_path / "force_crimes_a – 'é'.csv.gz", PART_A)  # a name SQL must quote
    b = gz(tmp_path / "force_crimes_b.csv.gz", PART_B, quote_blanks=True)  # "" for a blank: read as empty text
    files = files_of(a, b)
    return files, fc.ForceCrimes(name="force_crimes", header=fc.HEADER, record_id="crime_ref",
                                 contract="force_crimes.v1", synthetic=True)


def test_staged_check_columns_are_those_of_check_columns(extract):
    files, ds = extract
    staged, frame = ds.stage_rows(files), ds.load_rows(files)
    got = frame_rows(staged)
    assert len(staged) == len(frame) == len(PART_A) + len(PART_B)
    assert got["source_file"].tolist() == frame["source_file"].tolist()
    assert got["row"].tolist() == frame["row"].tolist() == list(range(1, 16)) + [1, 2, 3]
    for c in fc.HEADER + ["date_problem", "victim_id_form", "hate_strand_matches_flag", "outcome_pairing",
                          "recorded_month", "extract_date", "missing_fields"]:
        assert cells(got[c]) == cells(frame[c]), c
    # by hand, the cases the rows were written for
    by_ref = got.drop_duplicates("crime_ref").set_index("crime_ref")
    assert by_ref.loc["CR002", "date_problem"] == "recorded_date '2025-02-30' is not a real date"
    assert by_ref.loc["CR003", "date_problem"] == "committed_date '2025-13-01' is not a real date"
    assert by_ref.loc["CR004", "date_problem"] == "recorded_date ' 2025-06-04' is not written yyyy-mm-dd"
    assert pd.isna(by_ref.loc["CR012", "date_problem"])
    assert by_ref.loc["CR013", "date_problem"] == "recorded_date '1900-02-29' is not a real date"
    assert [by_ref.loc[f"CR00{i}", "victim_id_form"] for i in range(1, 10)] == [
        "pseudonymised", "pseudonymised", "blank", "looks like a name", "looks like a date", "looks like a date",
        "not a pseudonymised id", "pseudonymised", "looks like a name"]
    assert by_ref.loc["CR013", "victim_id_form"] == "blank"
    assert by_ref.loc["CR011", "missing_fields"] == "district, da_flag, extracted_at"
    assert by_ref.loc["CR014", "missing_fields"] == "recorded_date"
    assert by_ref.loc["CR011", "extract_date"] == "missing"
    assert by_ref.loc["CR020", "extract_date"] == "another date"  # 2025-07-10 is on 14 rows, 2025-07-11 on 3
    assert got["hate_strand_matches_flag"].tolist().count(False) == 2


def test_staged_rules_and_typed_table_are_those_of_the_frame(extract, tmp_path):
    files, ds = extract
    staged, frame = ds.stage_rows(files), ds.load_rows(files)
    suite = _split(load_suite_json("force_crimes.v1"), "row")
    params = {"reporting_month": ["2025-06"], "period_months": months.span("2025-05", "2025-06")}
    idx = ["source_file", "row", "crime_ref"]
    con = staged.connect("rows")
    by_sql = [(r.success, r.unexpected_count, r.examples) for r in sqlcheck.run(con, "rows", suite["expectations"],
                                                                                 idx, params)]
    con.close()
    con = connect()
    con.register("rows", frame)
    by_frame = [(r.success, r.unexpected_count, r.examples)
                for r in sqlcheck.run(con, "rows", suite["expectations"], idx, params)]
    con.close()
    assert by_sql == by_frame
    assert sum(not ok for ok, _, _ in by_sql) >= 8
    unique = next(r for r, e in zip(by_sql, suite["expectations"]) if e["type"] == "expect_column_values_to_be_unique")
    assert unique[1] == 4  # CR001 and CR004, twice each

    good = files_of(gz(tmp_path / "good.csv.gz", [row("CR1"), row("CR2", recorded="2025-05-02")]))
    ds.prepare(ds.stage_rows(good), tmp_path / "staged.parquet")
    ds.prepare(ds.load_rows(good), tmp_path / "frame.parquet")
    prep = pd.read_parquet(tmp_path / "staged.parquet")
    pd.testing.assert_frame_equal(prep, pd.read_parquet(tmp_path / "frame.parquet"))
    assert prep["crime_ref"].tolist() == ["CR2", "CR1"]  # by recorded date


def test_links_read_the_first_row_of_a_crime_ref_in_file_order(extract, tmp_path):
    files, ds = extract
    staged, frame = ds.stage_rows(files), ds.load_rows(files)
    refs = pd.Series(["CR001", "CR004", "CR999", "CR014", None])
    # CR001 is in both files and CR004 twice in the first: the first row wins; CR014 has no recorded date
    assert list(fc.first_recorded(staged, refs)) == list(fc.first_recorded(frame, refs)) == [
        "2025-06-03", " 2025-06-04", None, None, None]

    survey = pd.DataFrame({"respondent_id": ["R1", "R2", "R3"], "crime_ref": ["CR001", "CR999", "CR020"],
                           "survey_type": ["aggregate"] * 3, "crime_type": ["Burglary"] * 3, "district": ["A"] * 3,
                           "interview_date": ["2025-07-01", "2025-07-01", "2025-05-01"],
                           **{st: ["1", "8", "2"] for st in vs.STAGES}, "questionnaire_version": ["AGG-3"] * 3})
    a, b = vs.link_columns(vs.check_columns(survey), staged), vs.link_columns(vs.check_columns(survey), frame)
    pd.testing.assert_frame_equal(a, b)
    assert a["interviewed_after_recording"].tolist() == ["yes", "not checked", "no"]

    p = tmp_path / "charge_decisions.csv.gz"
    with gzip.open(p, "wt", encoding="utf-8", newline="") as f:
        f.write("decision_id,crime_ref,decision_date,decision,decision_maker,da_flag\n"
                "D1,CR001,2025-06-02,charge,CPS,N\nD2,CR020,2025-06-03,NFA,police,N\n"
                "D3,CR999,2025-01-01,charge,CPS,N\nD4,CR001,2025-06-03,charge,CPS,N\n")
    dfiles = pd.DataFrame([{"source_file": p.name, "path": str(p), "sha256": file_record(p)[0]["sha256"]}])
    decisions = CHARGE_DECISIONS.stage_rows(dfiles)
    assert isinstance(decisions, staging.StagedRows)
    linked_staged = CHARGE_DECISIONS.link(decisions, {"force_crimes": staged})
    linked_frame = CHARGE_DECISIONS.link(CHARGE_DECISIONS.load_rows(dfiles), {"force_crimes": frame})
    rule = [e for e in load_suite_json("charge_decisions.v1")["expectations"]
            if e["kwargs"].get("column_B") == "crime_recorded_day"]
    idx = ["source_file", "row", "decision_id"]
    con = linked_staged.connect("rows")
    (s,) = sqlcheck.run(con, "rows", rule, idx, {})
    con.close()
    con = connect()
    con.register("rows", linked_frame)
    (f,) = sqlcheck.run(con, "rows", rule, idx, {})
    con.close()
    assert (s.unexpected_count, s.examples) == (f.unexpected_count, f.examples)
    assert [e["decision_id"] for e in s.examples] == ["D1"]  # CR001 was recorded on 2025-06-03 (its first row)
    # the typed table is written from the decisions alone, in file order
    CHARGE_DECISIONS.prepare(linked_staged, tmp_path / "d.parquet")
    assert pd.read_parquet(tmp_path / "d.parquet")["decision_id"].tolist() == ["D1", "D2", "D3", "D4"]


def test_a_crimes_file_that_cannot_be_read_names_the_file_as_its_frame_does(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "cache"))
    p = tmp_path / "force_crimes.csv.gz"
    text = ",".join(fc.HEADER) + "\n" + ",".join(row("CR1")) + "\n" + ",".join(row("CR2")) + ",extra\n"
    p.write_bytes(gzip.compress(text.encode(), mtime=0))
    ds = fc.ForceCrimes(name="force_crimes", header=fc.HEADER, record_id="crime_ref", contract="force_crimes.v1")
    with pytest.raises(InputError) as staged:
        ds.stage_rows(files_of(p))
    with pytest.raises(InputError) as frame:
        ds.load_rows(files_of(p))
    assert str(staged.value) == str(frame.value)
    assert "force_crimes.csv.gz" in str(staged.value) and "cannot be parsed as CSV" in str(staged.value)
