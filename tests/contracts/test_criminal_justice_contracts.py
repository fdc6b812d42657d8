"""Criminal justice extract contracts: each rule of the issue refuses its bad row, named by file, row and id;
the SQL translation agrees with Great Expectations on the same rows; timestamps are read as instants."""

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from scrutiny import contracts
from scrutiny.contracts import sql as sqlcheck
from scrutiny.inputs import force_extract
from scrutiny.inputs.calls import CALLS
from scrutiny.inputs.charge_decisions import CHARGE_DECISIONS
from scrutiny.inputs.court_cases import COURT_CASES
from scrutiny.inputs.files import InputError
from scrutiny.inputs.incidents import INCIDENTS
from scrutiny.synthetic import criminal_justice as synth

CONTRACTS = Path(__file__).resolve().parents[2] / "data_contracts"


def _suite(name):
    return json.loads((CONTRACTS / f"{name}.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    p = tmp_path / f"{name}.csv.gz"
    with gzip.open(p, "wt", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")
    return p


def _rows(ex, path: Path):
    return ex.load_rows(pd.DataFrame({"source_file": [path.name], "path": [str(path)]}))


def _check(ex, path: Path, rows=None):
    rows = _rows(ex, path) if rows is None else rows
    exps = [e for e in _suite(ex.contract)["expectations"]
            if e["meta"]["level"] == "row" and (not e["meta"].get("requires") or "crime_recorded_day" in rows)]
    con = force_extract.connect()
    con.register("rows", rows)
    res = sqlcheck.run(con, "rows", exps, ["source_file", "row", ex.record_id], {})
    return {r.expectation["meta"]["explain"]: r for r in res if not r.success and
            r.expectation["severity"] == "critical"}, rows


CALL_HEAD = "call_id,line,offered_ts,answered_ts,abandoned_flag,queue"


def test_good_calls_pass_including_the_repeated_october_hour(tmp_path):
    p = _write(tmp_path, "calls", [CALL_HEAD,
                                   "C1,999,2024-10-27T01:30:00+01:00,2024-10-27T01:30:04+01:00,N,emergency",
                                   "C2,999,2024-10-27T01:30:00+00:00,2024-10-27T01:30:10+00:00,N,emergency",
                                   "C3,101,2024-10-27T01:59:50+01:00,2024-10-27T01:00:05+00:00,N,enquiries",
                                   "C4,101,2024-06-30T23:30:00Z,,Y,enquiries"])
    bad, rows = _check(CALLS, p)
    assert bad == {}
    # the two 01:30 calls are an hour apart; C3 was answered 15 s after it was offered, across the clock change
    assert rows["offered_at"][1] - rows["offered_at"][0] == 3600
    assert rows.loc[2, "answer_s"] == 15
    out = tmp_path / "calls.parquet"
    CALLS.prepare(rows, out)
    prep = pd.read_parquet(out)
    assert prep["month"].tolist() == ["2024-10", "2024-10", "2024-10", "2024-07"]  # 23:30Z on 30 June is July in BST
    assert prep["abandoned"].tolist() == [False, False, False, True]


@pytest.mark.parametrize("line, rule", [
    ("C9,999,2024-05-01T10:00:10+01:00,2024-05-01T10:00:05+01:00,N,emergency",
     "a call cannot be answered before it was offered"),
    ("C9,999,2024-05-01T10:00:10+01:00,2024-05-01T10:00:15+01:00,Y,emergency",
     "an abandoned call has no answer time"),
    ("C9,999,2024-05-01T10:00:10+01:00,,N,emergency", "a call that was not abandoned must have its answer time"),
    ("C9,112,2024-05-01T10:00:10+01:00,2024-05-01T10:00:15+01:00,N,emergency", "line must be 999 or 101"),
    ("C9,999,2024-10-27T01:30:00,2024-10-27T01:30:05,N,emergency", "offered_ts must be an ISO 8601"),
    ("C9,999,2024-02-30T10:00:00Z,2024-02-30T10:00:05Z,N,emergency", "offered_ts must be a real date"),
    ("C1,999,2024-05-01T10:00:10+01:00,2024-05-01T10:00:15+01:00,N,emergency", "call_id must be unique"),
])
def test_bad_calls_are_refused_with_the_row_named(tmp_path, line, rule):
    p = _write(tmp_path, "calls", [CALL_HEAD, "C1,999,2024-05-01T09:00:00+01:00,2024-05-01T09:00:03+01:00,N,emergency",
                                   line])
    bad, _ = _check(CALLS, p)
    hit = [r for explain, r in bad.items() if explain.startswith(rule)]
    assert hit, f"{rule!r} not raised; raised: {list(bad)}"
    named = [{k: ex[k] for k in ("source_file", "row", "call_id")} for ex in hit[0].examples]
    assert {"source_file": "calls.csv.gz", "row": 2, "call_id": "C9" if "unique" not in rule else "C1"} in named


def test_arrival_before_creation_is_refused(tmp_path):
    p = _write(tmp_path, "incidents", ["incident_id,grade,created_ts,arrived_ts,district,rural_flag",
                                       "I1,emergency,2024-05-01T10:00:00+01:00,2024-05-01T10:09:00+01:00,Newport,N",
                                       "I2,emergency,2024-05-01T10:00:00+01:00,2024-05-01T09:59:00+01:00,Newport,N"])
    bad, rows = _check(INCIDENTS, p)
    (r,) = [r for e, r in bad.items() if e.startswith("the first resource cannot arrive before")]
    # the times as written are printed beside the row, not the instants compared
    assert r.examples == [{"created_ts": "2024-05-01T10:00:00+01:00", "arrived_ts": "2024-05-01T09:59:00+01:00",
                           "source_file": "incidents.csv.gz", "row": 2, "incident_id": "I2"}]
    assert rows.loc[0, "arrive_min"] == 9


def test_completion_before_charge_is_refused(tmp_path):
    p = _write(tmp_path, "court_cases", [
        "case_id,offence_date,charge_date,first_hearing_date,completion_date,result",
        "K1,2024-01-01,2024-01-10,2024-02-01,2024-03-01,guilty plea",
        "K2,2024-01-01,2024-01-10,,2024-01-05,acquitted",
        "K3,2024-01-01,2024-01-10,,,"])
    bad, _ = _check(COURT_CASES, p)
    (r,) = [r for e, r in bad.items() if e.startswith("a case cannot be completed before it was charged")]
    assert r.examples == [{"completion_date": "2024-01-05", "charge_date": "2024-01-10",
                           "source_file": "court_cases.csv.gz", "row": 2, "case_id": "K2"}]


def test_decision_before_its_crime_was_recorded_needs_the_crimes_input(tmp_path):
    p = _write(tmp_path, "charge_decisions", ["decision_id,crime_ref,decision_date,decision,decision_maker,da_flag",
                                              "D1,CR1,2024-05-01,charge,CPS,Y",
                                              "D2,CR2,2024-05-01,NFA,police,N"])
    rows = _rows(CHARGE_DECISIONS, p)
    bad, _ = _check(CHARGE_DECISIONS, p, rows)
    assert bad == {}  # without force_crimes the rule is not run
    crimes = pd.DataFrame({"crime_ref": ["CR1", "CR2"], "recorded_date": ["2024-04-01", "2024-05-02"]})
    bad, _ = _check(CHARGE_DECISIONS, p, CHARGE_DECISIONS.link(rows, {"force_crimes": crimes}))
    (r,) = [r for e, r in bad.items() if e.startswith("a decision cannot be made before its crime was recorded")]
    assert {k: r.examples[0][k] for k in ("decision_date", "source_file", "row", "decision_id")} == {
        "decision_date": "2024-05-01", "source_file": "charge_decisions.csv.gz", "row": 2, "decision_id": "D2"}


def test_sql_rules_agree_with_great_expectations(tmp_path):
    """The same rows through Great Expectations' pandas engine and through the SQL translation."""
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with contracts._without_spark():  # as the pack imports it (PySpark may be loaded by the Spark parity test)
        import great_expectations as gx

    p = _write(tmp_path, "calls", [
        CALL_HEAD,
        "C1,999,2024-05-01T09:00:00+01:00,2024-05-01T09:00:03+01:00,N,emergency",
        "C2,999,2024-05-01T10:00:10+01:00,2024-05-01T10:00:05+01:00,N,emergency",
        "C3,999,2024-05-01T10:00:10+01:00,2024-05-01T10:00:15+01:00,Y,emergency",
        "C4,112,2024-05-01T10:00:10+01:00,,N,",
        "C4,101,2024-10-27T01:30:00,2024-10-27T01:30:05+05:00,N,enquiries",
        "C6,101,2024-02-30T10:00:00Z,2024-05-01T12:00:00Z,N,enquiries"])
    rows = _rows(CALLS, p)
    exps = [e for e in _suite("calls.v1")["expectations"] if e["meta"]["level"] == "row"]
    con = force_extract.connect()
    con.register("rows", rows)
    sql = sqlcheck.run(con, "rows", exps, ["source_file", "row", "call_id"], {})
    ctx = gx.get_context(mode="ephemeral")
    ds = ctx.data_sources.add_pandas("x")
    bd = ds.add_dataframe_asset("a").add_batch_definition_whole_dataframe("w")
    suite = ctx.suites.add(gx.ExpectationSuite(name="calls", expectations=[
        {k: v for k, v in e.items() if k != "severity"} for e in exps]))
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="v", data=bd, suite=suite))
    frame = rows.astype({c: object for c in rows.columns if str(rows[c].dtype) in ("str", "string")})
    frame = frame.where(frame.notna(), None)
    res = vd.run(batch_parameters={"dataframe": frame},
                 result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row"]})
    def key(type_, kwargs):
        kw = {k: v for k, v in kwargs.items() if k != "batch_id"}
        if isinstance(kw.get("row_condition"), dict):  # GX keeps a pandas condition as a pass-through filter
            kw["row_condition"] = kw["row_condition"]["pass_through_filter"]
        kw = {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in kw.items()}
        return type_, json.dumps(kw, sort_keys=True)

    ours = {key(s.expectation["type"], s.expectation["kwargs"]): s for s in sql}
    assert len(res.results) == len(ours) == len(exps)
    for g in res.results:
        s = ours[key(g.expectation_config.type, g.expectation_config.kwargs)]
        got = sorted(int(i["row"]) for i in g.result.get("unexpected_index_list") or [])
        want = sorted(e["row"] for e in s.examples)
        assert (g.success, got) == (s.success, want), g.expectation_config.type + " " + str(g.expectation_config.kwargs)
    assert sum(not s.success for s in sql) >= 8


def test_generator_writes_london_offsets_across_both_clock_changes():
    utc = pd.to_datetime(["2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z", "2024-03-31T00:59:59Z",
                          "2024-03-31T01:00:00Z"]).as_unit("s").asi8
    assert synth.iso_local(utc.astype(float)).tolist() == [
        "2024-10-27T01:30:00+01:00", "2024-10-27T01:30:00+00:00", "2024-03-31T00:59:59+00:00",
        "2024-03-31T02:00:00+01:00"]


def test_generator_is_deterministic_and_writes_the_same_bytes(tmp_path):
    a = synth.generate(tmp_path / "a", only=["case_files", "charge_decisions"])
    b = synth.generate(tmp_path / "b", only=["case_files", "charge_decisions"])
    assert [p.name for p in a] == ["charge_decisions.csv.gz", "case_files.csv.gz"]
    for x, y in zip(a, b):
        assert x.read_bytes() == y.read_bytes()
    c = synth.case_files(seed=1)
    assert not c.equals(synth.case_files())


def test_a_gzip_trailer_that_lies_does_not_let_a_bomb_through(tmp_path, monkeypatch):
    """The gzip trailer holds the unpacked size modulo 4 GiB, so a bomb can claim to be small: the file check
    believes it, and the streamed read stops one row past the limit instead of filling memory."""
    from scrutiny.inputs import files

    lines = [CALL_HEAD] + [f"C{i},999,2024-05-01T09:00:00+01:00,2024-05-01T09:00:03+01:00,N,emergency"
                           for i in range(40)]
    p = _write(tmp_path, "calls", lines)
    raw = bytearray(p.read_bytes())
    raw[-4:] = (10).to_bytes(4, "little")  # the trailer now claims 10 bytes of text
    p.write_bytes(bytes(raw))
    monkeypatch.setattr(files, "MAX_DECOMPRESSED_BYTES", 100)
    assert files.quick_record(p)["readable"] == "ok"  # fooled by the trailer
    monkeypatch.setattr(files, "MAX_ROWS", 25)
    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "cache"))
    record = pd.DataFrame([files.quick_record(p)])
    for read in (_rows, lambda ex, _: ex.stage_rows(record)):  # read into pandas, and staged in the cache
        with pytest.raises(files.InputError, match=r"calls\.csv\.gz: more than 25 rows, the pack's limit for "
                                                   r"one file; refused before it fills memory \(a gzip bomb\?\)"):
            read(CALLS, p)
    assert not list((tmp_path / "cache").rglob("*.parquet"))  # nothing of it kept
    monkeypatch.setattr(files, "MAX_ROWS", 40)
    assert len(_rows(CALLS, p)) == 40 and len(CALLS.stage_rows(record)) == 40  # exactly at the limit: read


def _files(*paths: Path) -> pd.DataFrame:
    from scrutiny.inputs.files import quick_record

    return pd.DataFrame([quick_record(p) for p in paths])


CALL_ROWS = ["C1,999,2024-10-27T01:30:00+01:00,2024-10-27T01:30:04+01:00,N,emergency",
             "C2,999,2024-10-27T01:30:00+00:00,2024-10-27T01:30:10+00:00,N,emergency",
             "C3,101,2024-06-30T23:30:00Z,,Y,enquiries",
             "C4,999,2024-05-01T10:00:10+01:00,2024-05-01T10:00:05+01:00,N,emergency",  # answered before offered
             "C4,101,2024-05-01T10:00:10+01:00,2024-05-01T10:00:15+01:00,N,enquiries"]  # call_id repeated


def test_a_staged_extract_is_checked_and_prepared_as_its_frame(tmp_path, monkeypatch):
    """The calls extract staged as Parquet in the ingest cache (stage_rows): the same rows, the same rules failing
    on the same rows, and the same typed table as the rows read into pandas (load_rows); its second reading comes
    from the cache, and a changed file is read again."""
    from scrutiny.inputs import staging

    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "cache"))
    a = _write(tmp_path, "calls-a", [CALL_HEAD, *CALL_ROWS])
    a = a.rename(tmp_path / "calls 'a' – é.csv.gz")  # a name SQL must quote
    b = _write(tmp_path, "calls-b", [CALL_HEAD])  # a header and no rows: no calls, not an error
    files = _files(a, b)
    staged, frame = CALLS.stage_rows(files), CALLS.load_rows(files)
    assert isinstance(staged, staging.StagedRows) and len(staged) == len(frame) == 5
    assert staged.rows_per_file() == {a.name: 5}  # as the frame's groupby: no row, no entry
    cols = list(frame.columns)
    pd.testing.assert_frame_equal(staged.to_frame()[cols].reset_index(drop=True), frame, check_dtype=False)
    exps = [e for e in _suite(CALLS.contract)["expectations"] if e["meta"]["level"] == "row"]
    idx = ["source_file", "row", "call_id"]
    con = staged.connect("rows")
    by_sql = {r.expectation["meta"]["explain"]: (r.unexpected_count, r.examples)
              for r in sqlcheck.run(con, "rows", exps, idx, {})}
    con.close()
    con = force_extract.connect()
    con.register("rows", frame)
    by_frame = {r.expectation["meta"]["explain"]: (r.unexpected_count, r.examples)
                for r in sqlcheck.run(con, "rows", exps, idx, {})}
    con.close()
    assert by_sql == by_frame

    def failed(rule):
        return next(n for explain, (n, _) in by_sql.items() if explain.startswith(rule))

    assert failed("a call cannot be answered before it was offered") == 1
    assert failed("call_id must be unique") == 2
    CALLS.prepare(staged, tmp_path / "staged.parquet")
    CALLS.prepare(frame, tmp_path / "frame.parquet")
    prep = pd.read_parquet(tmp_path / "staged.parquet")
    pd.testing.assert_frame_equal(prep, pd.read_parquet(tmp_path / "frame.parquet"))
    assert prep["month"].tolist() == ["2024-10", "2024-10", "2024-07", "2024-05", "2024-05"]

    read = []
    real = staging.Layout.read_sql
    monkeypatch.setattr(staging.Layout, "read_sql", lambda self, path: read.append(path) or real(self, path))
    assert CALLS.stage_rows(files).parts == staged.parts and read == []  # from the cache
    _write(tmp_path, "calls-a", [CALL_HEAD, *CALL_ROWS[:2]]).replace(a)
    again = CALLS.stage_rows(_files(a, b))
    assert read == [str(a)] and len(again) == 2 and again.parts[1] == staged.parts[1]


def test_a_staged_extract_that_cannot_be_read_names_the_file_as_its_frame_does(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "cache"))
    p = _write(tmp_path, "calls", [CALL_HEAD, CALL_ROWS[0], "C9,999,2024-05-01T10:00:10+01:00,extra,N,x,y"])
    with pytest.raises(InputError, match=r"input calls: calls\.csv\.gz: cannot be read as CSV with the "
                                         r"documented header") as staged:
        CALLS.stage_rows(_files(p))
    with pytest.raises(InputError) as frame:
        CALLS.load_rows(_files(p))
    assert str(staged.value) == str(frame.value)
