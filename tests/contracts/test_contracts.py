"""Contract tests: a broken file per critical expectation fails, naming the file, the column and the rows."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from conftest import GWENT, run_cli, write_gz, write_params
from scrutiny import contracts
from scrutiny.config import params
from scrutiny.inputs.files import InputError

MONTHS = ["2024-01", "2024-02", "2024-03"]


def real_rows(month: str, n: int = 40) -> tuple[list[str], list[list[str]]]:
    with gzip.open(GWENT / f"{month}-gwent-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        rows = [row for _, row in zip(range(n), r)]
    return header, rows


@pytest.fixture
def fixture_dir(tmp_path):
    d = tmp_path / "street"
    d.mkdir()
    for m in MONTHS:
        h, rows = real_rows(m)
        write_gz(d / f"{m}-gwent-street.csv.gz", h, rows)
    return d


def params_for(tmp_path, d) -> params.Params:
    f = write_params(tmp_path / "p.yaml", period={"start": MONTHS[0], "end": MONTHS[-1]},
                     inputs={"police_uk_street": {"path": str(d / "*-street.csv.gz")}})
    return params.load(f)


def failures(rep):
    return {(o.expectation, o.column): o for r in rep.inputs for o in r.critical}


def test_clean_fixture_passes(tmp_path, fixture_dir):
    rep = contracts.validate(params_for(tmp_path, fixture_dir))
    assert rep.ok, rep.error_message()
    assert rep.inputs[0].rows_checked == 120  # 3 files x 40 rows


def edit(d: Path, month: str, fn):
    h, rows = real_rows(month)
    h, rows = fn(h, rows)
    write_gz(d / f"{month}-gwent-street.csv.gz", h, rows)


def test_renamed_column_names_file_and_header(tmp_path, fixture_dir):
    edit(fixture_dir, "2024-02", lambda h, r: (["Crime Type" if c == "Crime type" else c for c in h], r))
    rep = contracts.validate(params_for(tmp_path, fixture_dir))
    f = failures(rep)[("expect_column_values_to_be_in_set", "header")]
    assert f.examples[0]["source_file"].endswith("2024-02-gwent-street.csv.gz")
    assert "Crime type" in f.note
    assert "2024-02-gwent-street.csv.gz" in rep.error_message()


def test_bad_crime_type_names_rows(tmp_path, fixture_dir):
    def fn(h, rows):
        rows[4][9] = "Burglery"
        return h, rows
    edit(fixture_dir, "2024-03", fn)
    rep = contracts.validate(params_for(tmp_path, fixture_dir))
    f = failures(rep)[("expect_column_values_to_be_in_set", "Crime type")]
    assert f.unexpected_count == 1
    ex = f.examples[0]
    assert ex["row"] == 5 and ex["source_file"].endswith("2024-03-gwent-street.csv.gz")
    assert "Crime ID" in ex
    msg = rep.error_message()
    assert "column 'Crime type'" in msg and "row=5" in msg


def test_unknown_outcome_category(tmp_path, fixture_dir):
    def fn(h, rows):
        rows[0][10] = "Sent to the moon"
        return h, rows
    edit(fixture_dir, "2024-01", fn)
    f = failures(contracts.validate(params_for(tmp_path, fixture_dir)))
    assert ("expect_column_values_to_be_in_set", "Last outcome category") in f


@pytest.mark.parametrize("bad", ["2024/01", "01-2024", "Jan-24"])
def test_month_format(tmp_path, fixture_dir, bad):
    def fn(h, rows):
        rows[2][1] = bad
        return h, rows
    edit(fixture_dir, "2024-01", fn)
    f = failures(contracts.validate(params_for(tmp_path, fixture_dir)))
    assert f[("expect_column_values_to_match_regex", "Month")].examples[0]["row"] == 3


def test_month_differs_from_file_name(tmp_path, fixture_dir):
    def fn(h, rows):
        rows[7][1] = "2024-03"
        return h, rows
    edit(fixture_dir, "2024-02", fn)
    f = failures(contracts.validate(params_for(tmp_path, fixture_dir)))
    o = f[("expect_column_pair_values_to_be_equal", "Month' vs 'file_month")]
    assert o.unexpected_count == 1 and o.examples[0]["row"] == 8


def test_missing_month_in_period(tmp_path, fixture_dir):
    (fixture_dir / "2024-02-gwent-street.csv.gz").unlink()
    f = failures(contracts.validate(params_for(tmp_path, fixture_dir)))
    o = f[("expect_column_distinct_values_to_contain_set", "file_month")]
    assert "missing: 2024-02" in o.note


def test_duplicated_month_file(tmp_path, fixture_dir):
    h, rows = real_rows("2024-02")
    (fixture_dir / "again").mkdir()
    write_gz(fixture_dir / "again" / "2024-02-gwent-street.csv.gz", h, rows)
    f = write_params(tmp_path / "p.yaml", period={"start": MONTHS[0], "end": MONTHS[-1]},
                     inputs={"police_uk_street": {"path": str(fixture_dir / "**" / "*-street.csv.gz")}})
    f = failures(contracts.validate(params.load(f)))
    assert ("expect_column_values_to_be_unique", "file_month") in f


def test_two_forces_in_one_file(tmp_path, fixture_dir):
    def fn(h, rows):
        rows[1][3] = "South Wales Police"
        return h, rows
    edit(fixture_dir, "2024-01", fn)
    f = failures(contracts.validate(params_for(tmp_path, fixture_dir)))
    assert f[("expect_column_values_to_be_between", "forces_in_file")].unexpected_count == 40
    assert f[("expect_column_values_to_be_in_set", "Falls within")].examples[0]["row"] == 2


def test_truncated_gzip(tmp_path, fixture_dir):
    p = fixture_dir / "2024-03-gwent-street.csv.gz"
    p.write_bytes(p.read_bytes()[:-30])
    f = failures(contracts.validate(params_for(tmp_path, fixture_dir)))
    o = f[("expect_column_values_to_be_in_set", "readable")]
    assert o.examples[0]["source_file"].endswith("2024-03-gwent-street.csv.gz")


def test_glob_matches_nothing(tmp_path):
    with pytest.raises(InputError, match="matches no file"):
        contracts.validate(params_for(tmp_path, tmp_path / "nowhere"))


def test_warning_does_not_stop(tmp_path, fixture_dir):
    def fn(h, rows):
        rows[3][7] = "X01BAD"
        return h, rows
    edit(fixture_dir, "2024-01", fn)
    rep = contracts.validate(params_for(tmp_path, fixture_dir))
    assert rep.ok
    w = [o for o in rep.inputs[0].warnings if o.column == "LSOA code"]
    assert w and w[0].examples[0]["row"] == 4


def test_cli_validate_exit_2_names_file_column_rule(tmp_path, fixture_dir):
    def fn(h, rows):
        rows[4][9] = "Burglery"
        return h, rows
    edit(fixture_dir, "2024-03", fn)
    f = write_params(tmp_path / "p.yaml", period={"start": MONTHS[0], "end": MONTHS[-1]},
                     inputs={"police_uk_street": {"path": str(fixture_dir / "*-street.csv.gz")}})
    res = run_cli("validate", f)
    assert res.returncode == 2
    assert "2024-03-gwent-street.csv.gz" in res.stderr
    assert "column 'Crime type'" in res.stderr
    assert "expect_column_values_to_be_in_set" in res.stderr
    assert "Traceback" not in res.stderr


def test_inputs_checked_against_another_stay_with_it_in_one_thread():
    names = ["police_uk_street", "police_uk_outcomes", "force_crimes", "calls", "victim_survey", "charge_decisions"]
    assert contracts.after_chains(names) == [["police_uk_street"], ["police_uk_outcomes"],
                                             ["force_crimes", "victim_survey", "charge_decisions"], ["calls"]]


def test_two_unreadable_inputs_report_the_first_in_order(tmp_path, fixture_dir):
    """Checked two threads at a time, the error is still that of the first input in the params' order."""
    for _ in range(3):  # whichever thread ends first
        f = write_params(tmp_path / "p.yaml", period={"start": MONTHS[0], "end": MONTHS[-1]},
                         inputs={"police_uk_street": {"path": str(tmp_path / "nowhere" / "*-street.csv.gz")},
                                 "police_uk_outcomes": {"path": str(tmp_path / "elsewhere" / "*-outcomes.csv.gz")}})
        with pytest.raises(InputError, match="police_uk_street.*matches no file"):
            contracts.validate(params.load(f))
