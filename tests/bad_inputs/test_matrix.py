"""The bad-input matrix: one row per thing an analyst may feed the pack.

Each case runs the real command line (in process, so Great Expectations and the parsers load once)
against a copy of small real inputs with one fault, and asserts
  - the exit code (2 input refused, 1 params/run failure, 0 accepted),
  - that the message names the file (or params key) and the column/row/expectation,
  - no bare traceback,
  - that the last good pack (built once per session) is byte-identical afterwards.
Cases the pack accepts say why in `why`; README "When the pack refuses your data" lists the messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import gzip
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import GWENT, REPO, RUN_DATE
from scrutiny import cli, contracts
from scrutiny.config import params
from scrutiny.inputs.registry import DATASETS
from scrutiny.report import views
from .support import (
    CJ_EXTRACTS,
    CJ_MONTH,
    FORCE,
    MONTHS,
    ROWS,
    SS_FORCE,
    SS_MONTHS,
    VICTIM_MONTHS,
    cj_rows,
    csv_bytes,
    force_extract,
    make_inputs,
    pack_params,
    real_rows,
    reference_params,
    shipped,
    small_params,
    snapshot,
    write_csv,
    write_gz,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("badinputs")]


@pytest.fixture(scope="session")
def base_inputs(tmp_path_factory) -> Path:
    return make_inputs(tmp_path_factory.mktemp("base") / "street")


@pytest.fixture(scope="session")
def good_pack(reference_pack) -> tuple[Path, dict]:
    """The last good pack (the session's reference pack): every case must leave it byte-identical."""
    return reference_pack[0], reference_pack[1]


class Ctx:
    """One case's sandbox: a private copy of the inputs and helpers to break them."""

    def __init__(self, tmp: Path, base: Path, pack: Path):
        import shutil

        self.tmp, self.pack = tmp, pack
        self.data = Path(shutil.copytree(base, tmp / "street"))

    def file(self, month: str) -> Path:
        return self.data / f"{month}-gwent-street.csv.gz"

    def edit(self, month: str, fn: Callable) -> Path:
        """Rewrite one month's file after fn(header, rows) -> (header, rows)."""
        h, rows = real_rows(month)
        h, rows = fn(list(h), [list(r) for r in rows])
        return write_gz(self.file(month), csv_bytes(h, rows))

    def cell(self, month: str, row: int, column: str, value: str) -> Path:
        """Set one cell: data row `row` (1-based, as messages count) of `column`."""
        def fn(h, rows):
            rows[row - 1][h.index(column)] = value
            return h, rows
        return self.edit(month, fn)

    def params(self, **overrides) -> Path:
        return small_params(self.tmp / "p.yaml", self.data, **overrides)

    def params_text(self, text: str) -> Path:
        p = self.tmp / "p.yaml"
        p.write_text(text, encoding="utf-8")
        return p

    # packs on the later inputs: each helper writes a private slice (fn(header, rows) -> (header, rows) breaks
    # it) and returns the params file of a small pack that reads it

    def peers(self, ho: Callable | None = None, pop: Callable | None = None) -> Path:
        """A peers pack: Home Office crime by PFA (the quarter ending December 2018) and ONS population by PFA."""
        d = self.tmp / "pfa"
        d.mkdir(exist_ok=True)
        h, rows = shipped("ho")
        write_csv(d / "rec-crime-pfa.csv.gz", *(ho(h, rows) if ho else (h, rows)), newline="\r\n")
        h, rows = shipped("pop")
        write_csv(d / "population_pfa.csv", *(pop(h, rows) if pop else (h, rows)))
        return pack_params(self.tmp / "p.yaml", {"id": "peers-small", "title": "Peers test pack", "force": FORCE},
                           {"ho_prc_pfa": d / "rec-crime-pfa.csv.gz", "ons_population_pfa": d / "population_pfa.csv"},
                           ["peers"], peers={"period_end": "2018-12-31"})

    def stop_search(self, month: str = "", fn: Callable | None = None) -> Path:
        """A stop and search pack: three Cambridgeshire months x 40 rows; fn edits `month`'s file."""
        d = self.tmp / "ss"
        d.mkdir(exist_ok=True)
        for m in SS_MONTHS:
            h, rows = shipped("ss", m)
            write_csv(d / f"{m}-cambridgeshire-stop-and-search.csv.gz", *(fn(h, rows) if m == month else (h, rows)))
        return pack_params(self.tmp / "p.yaml", {"id": "ss-small", "title": "Stop and search test", "force": SS_FORCE},
                           {"police_uk_stop_search": d / "*-stop-and-search.csv.gz"}, ["stop_search"],
                           period={"start": SS_MONTHS[0], "end": SS_MONTHS[-1]})

    def cj(self, name: str = "", fn: Callable | None = None, drop: str = "", extra: dict | None = None) -> Path:
        """A criminal justice pack on a slice of the generated extracts (one month); fn edits extract `name`,
        `drop` leaves one input out, `extra` adds inputs (name -> path)."""
        d = self.tmp / "cj"
        d.mkdir(exist_ok=True)
        inputs = {}
        for x in CJ_EXTRACTS:
            if x == drop:
                continue
            h, rows = cj_rows(x)
            inputs[x] = write_csv(d / f"{x}.csv.gz", *(fn(h, rows) if x == name else (h, rows)))
        return pack_params(self.tmp / "p.yaml", {"id": "cj-small", "title": "Criminal justice test", "force": FORCE},
                           {**inputs, **(extra or {})}, ["criminal_justice"],
                           period={"start": "2025-01", "end": CJ_MONTH})

    def published(self, figures: Callable | None = None, relations: Callable | None = None) -> Path:
        """An audit pack on a copy of the seed-000 transcription (figures.csv, relations.csv)."""
        d = self.tmp / "seed"
        d.mkdir(exist_ok=True)
        for kind, fn in (("figures", figures), ("relations", relations)):
            h, rows = shipped(kind)
            write_csv(d / f"{kind}.csv", *(fn(h, rows) if fn else (h, rows)))
        return pack_params(self.tmp / "p.yaml", {"id": "audit-small", "title": "Audit test",
                                                 "force": "Warwickshire Police"},
                           {"published_figures": d / "figures.csv", "published_relations": d / "relations.csv"},
                           ["audit"], period={"start": "2012-10", "end": "2014-01"})

    def victims(self, crimes: Callable | None = None, survey: Callable | None = None) -> Path:
        """A victims pack on two months of the synthetic force extracts; fn(header, rows) breaks a file."""
        d = self.tmp / "force"
        d.mkdir(exist_ok=True)
        h, rows = force_extract("crimes")
        write_csv(d / "force_crimes_2025.csv.gz", *(crimes(h, rows) if crimes else (h, rows)))
        h, rows = force_extract("survey")
        write_csv(d / "victim_survey.csv.gz", *(survey(h, rows) if survey else (h, rows)))
        inputs = {"force_crimes": d / "force_crimes_2025.csv.gz", "victim_survey": d / "victim_survey.csv.gz"}
        return pack_params(self.tmp / "p.yaml", {"id": "victims-small", "title": "Victims test", "force": FORCE},
                           inputs, ["victims"], period={"start": VICTIM_MONTHS[0], "end": VICTIM_MONTHS[-1]})


@dataclass
class Case:
    id: str
    setup: Callable[[Ctx], Path]     # breaks something; returns the params file
    code: int                        # expected exit code
    expect: list[str]                # fragments the message must contain (file, column/row/rule or params key)
    cmd: str = "run"                 # run | validate (accepted cases use validate: no notebooks, same checks)
    why: str = ""                    # for accepted cases: why the pack accepts it
    check: Callable | None = None    # extra assertions (ctx, params_file, output)
    out: Callable | None = None      # output folder other than the good pack
    patch: Callable | None = None    # monkeypatch hook for simulated faults
    marks: list = field(default_factory=list)


def _swap_cols(a: str, b: str):
    def fn(h, rows):
        i, j = h.index(a), h.index(b)
        for r in [h] + rows:
            r[i], r[j] = r[j], r[i]
        return h, rows
    return fn


def _drop_col(name: str):
    def fn(h, rows):
        i = h.index(name)
        return [c for k, c in enumerate(h) if k != i], [[c for k, c in enumerate(r) if k != i] for r in rows]
    return fn


def _dupe_ids(n: int):
    """Give n crime rows the Crime ID of an earlier crime row (each repeat makes 2 rows share an id)."""
    def fn(h, rows):
        ci = h.index("Crime ID")
        crimes = [r for r in rows if r[ci]]
        for k in range(n):
            crimes[2 * k + 1][ci] = crimes[2 * k][ci]
        return h, rows
    return fn


def _bom(c: Ctx) -> Path:
    h, rows = real_rows("2025-05")
    write_gz(c.file("2025-05"), b"\xef\xbb\xbf" + csv_bytes(h, rows))
    return c.params()


def _crlf(c: Ctx) -> Path:
    for m in MONTHS:
        h, rows = real_rows(m)
        write_gz(c.file(m), csv_bytes(h, rows, newline="\r\n"))
    return c.params()


def _counts_right(c: Ctx, pfile: Path, out: str) -> None:
    """Every row read once, ids without a BOM, no stray carriage return in the last column."""
    rep = contracts.validate(params.load(pfile))
    assert rep.ok and rep.inputs[0].rows_checked == ROWS * len(MONTHS)
    rows = rep.frames["police_uk_street"].to_frame()
    for m in MONTHS:
        h, raw = real_rows(m)
        got = rows[rows["file_month"] == m].sort_values("row")
        assert got["Crime ID"].fillna("").tolist() == [r[0] for r in raw]
        assert got["Context"].fillna("").tolist() == [r[-1] for r in raw]
        assert got["Crime type"].tolist() == [r[h.index("Crime type")] for r in raw]


def _cp1252(c: Ctx) -> Path:
    h, rows = real_rows("2025-05")
    rows[6][h.index("Location")] = "On or near Caf\u00e9 Street"
    data = csv_bytes(h, rows).replace("Caf\u00e9".encode("utf-8"), "Caf\u00e9".encode("cp1252"))
    write_gz(c.file("2025-05"), data)
    c.offset = data.index(b"\xe9")
    return c.params()


def _dotdot(c: Ctx, exists: bool = True) -> Path:
    rel = os.path.relpath(c.data if exists else c.tmp / "nowhere", REPO)
    assert rel.startswith("..")
    return c.params(inputs={"police_uk_street": {"path": f"{rel}/*-street.csv.gz"}})


def _dup_month(c: Ctx) -> Path:
    (c.data / "again").mkdir()
    (c.data / "again" / "2025-05-gwent-street.csv.gz").write_bytes(c.file("2025-05").read_bytes())
    return c.params(inputs={"police_uk_street": {"path": str(c.data / "**" / "*-street.csv.gz")}})


def _no_month_in_name(c: Ctx) -> Path:
    c.file("2025-05").rename(c.data / "gwent-street-may.csv.gz")
    return c.params(inputs={"police_uk_street": {"path": str(c.data / "*street*.csv.gz")}})


def _outcomes_unknown_type(c: Ctx) -> Path:
    """An outcomes file set (the second police.uk input) with an outcome category police.uk never used."""
    d = c.tmp / "outcomes"
    d.mkdir()
    for m in MONTHS:
        with gzip.open(GWENT / f"{m}-gwent-outcomes.csv.gz", "rt", encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            h, rows = next(r), [row for _, row in zip(range(30), r)]
        if m == "2025-06":
            rows[11][h.index("Outcome type")] = "Offender sent to the moon"
        write_gz(d / f"{m}-gwent-outcomes.csv.gz", csv_bytes(h, rows))
    return c.params(inputs={"police_uk_street": {"path": str(c.data / "*-street.csv.gz")},
                            "police_uk_outcomes": {"path": str(d / "*-outcomes.csv.gz")}})


def _raising_notebook(c: Ctx) -> Path:
    cat = c.tmp / "catalogue.yaml"
    cat.write_text("source: police_uk_street\nmeasures: []\n")  # the notebook fails on an empty catalogue
    return c.params(performance={"catalogue": str(cat)})


def _hanging_cell(c: Ctx) -> Path:
    fifo = c.tmp / "catalogue.yaml"
    os.mkfifo(fifo)  # reading a FIFO nobody writes blocks: a cell that never finishes
    return c.params(performance={"catalogue": str(fifo)}, run={"cell_timeout": 2})


def _failed_notebook_kept(c: Ctx, pfile: Path, out: str) -> None:
    kept = c.pack.parent / f".failed-{c.pack.name}" / "notebooks" / "performance.ipynb"
    assert str(kept) in out and kept.is_file()


def _enospc(monkeypatch, ctx=None):
    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "data-quality.html")
    monkeypatch.setattr(views, "render", full)


def _no_failed_build(c: Ctx, pfile: Path, out: str) -> None:
    """On a full disk the failed build is not kept (it would hold on to the space)."""
    assert not (c.tmp / ".failed-pack").exists() and not (c.tmp / ".build-pack").exists()


def _empty_suite_dir(monkeypatch, c: Ctx) -> None:
    """data_contracts/ with one more suite, police_uk_street.v0, that has no expectations."""
    import json
    import shutil

    d = Path(shutil.copytree(contracts.CONTRACTS_DIR, c.tmp / "data_contracts"))
    suite = json.loads((d / "police_uk_street.v1.json").read_text())
    (d / "police_uk_street.v0.json").write_text(json.dumps({**suite, "name": "police_uk_street.v0",
                                                           "expectations": []}))
    monkeypatch.setattr(contracts, "CONTRACTS_DIR", d)


def _lsoa_capitals(h, rows):
    """One month's LSOA names in capitals (a re-keyed file): the same districts, spelled differently."""
    i = h.index("LSOA name")
    for r in rows:
        r[i] = r[i].upper()
    return h, rows


def _one_district(c: Ctx, pfile: Path, out: str) -> None:
    """The districts are counted as one spelling each (the most frequent): none split in two."""
    from scrutiny.reference import police_uk

    rep = contracts.validate(params.load(pfile))
    rows = rep.frames["police_uk_street"].to_frame()
    d = rows["district"]  # as the prepared table has it: SQL joined to the spellings of the distinct names
    assert d.tolist() == police_uk.districts(rows["LSOA name"]).tolist()
    assert "BLAENAU GWENT" not in set(d) and d.str.casefold().nunique() == d.nunique()
    may = rows["file_month"] == "2025-05"
    n = rows.loc[may, "LSOA name"].str.startswith("BLAENAU GWENT ").sum()
    assert (d[may] == "Blaenau Gwent").sum() == n > 0
    assert "'BLAENAU GWENT' in 2025-05" in out and "'Blaenau Gwent' in 2025-04, 2025-06" in out, out
    assert re.search(r"warning: police_uk_street: column 'district_spelling_ok'.*\[warning\]", out), out


def _bomb(c: Ctx) -> Path:
    """A gzip file that decompresses to 2 MiB of valid rows (the guard is lowered to 1 MiB for the test; the
    real guard, 2 GiB, works the same way)."""
    h, rows = real_rows("2025-05")
    body = csv_bytes(h, rows)
    reps = (2 * 1024 ** 2) // len(body) + 1
    write_gz(c.file("2025-05"), body + body.split(b"\n", 1)[1] * reps)
    return c.params()


def _guard(name: str, value: int):
    def patch(monkeypatch, ctx=None):
        from scrutiny.inputs import files

        monkeypatch.setattr(files, name, value)
    return patch


def _huge_field(c: Ctx) -> Path:
    c.cell("2025-06", 4, "Context", "x" * (10 * 1024 ** 2))  # a 10 MB field
    return c.params()


def _warned(column: str, dataset: str = "police_uk_street"):
    def check(c: Ctx, pfile: Path, out: str) -> None:
        assert re.search(rf"warning: {dataset}: column '{column}'.*\[warning\]", out), out
    return check


def _set(row: int, column: str, value: str):
    """Set data row `row` (1-based, as messages count) of `column`."""
    def fn(h, rows):
        rows[row - 1][h.index(column)] = value
        return h, rows
    return fn


def _rename(old: str, new: str):
    return lambda h, rows: ([new if x == old else x for x in h], rows)


def _repeat(row: int):
    """Append a second copy of data row `row` at the end of the file."""
    return lambda h, rows: (h, rows + [list(rows[row - 1])])


def _drop_where(column: str, value: str):
    return lambda h, rows: (h, [r for r in rows if r[h.index(column)] != value])


def _cj_answer_before_offer(h, rows):
    r = rows[2]
    r[h.index("line")], r[h.index("abandoned_flag")] = "999", "N"
    r[h.index("answered_ts")] = r[h.index("offered_ts")][:17] + "00" + r[h.index("offered_ts")][19:]
    r[h.index("offered_ts")] = r[h.index("offered_ts")][:17] + "30" + r[h.index("offered_ts")][19:]
    return h, rows


def _cj_abandon_answered(h, rows):
    r = rows[3]
    r[h.index("abandoned_flag")] = "Y"
    r[h.index("answered_ts")] = r[h.index("offered_ts")]
    return h, rows


def _cj_naive(h, rows):
    rows[5][h.index("offered_ts")] = "2024-10-27T01:30:00"
    return h, rows


def _cj_arrive_early(h, rows):
    r = rows[1]
    r[h.index("arrived_ts")] = r[h.index("created_ts")].replace(f"{CJ_MONTH}-", "2025-05-", 1)
    return h, rows


def _cj_complete_early(h, rows):
    r = rows[6]
    r[h.index("first_hearing_date")] = ""
    r[h.index("completion_date")] = r[h.index("offence_date")]
    r[h.index("charge_date")] = CJ_MONTH + "-20"
    r[h.index("result")] = "guilty plea"
    return h, rows


def _cj_decision_before_crime(c: Ctx) -> Path:
    """A crimes extract (one row of the shipped crimes sample, re-referenced) recording the first decision's crime
    on the day after the decision."""
    h, rows = cj_rows("charge_decisions")
    ref, day = rows[0][h.index("crime_ref")], rows[0][h.index("decision_date")]
    src = sorted((REPO / "data" / "sample" / "force_extract").glob("force_crimes_*.csv.gz"))[-1]
    with gzip.open(src, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        head = next(reader)
        row = next(r for r in reader if r[head.index("recorded_date")].startswith(CJ_MONTH))
    row[head.index("crime_ref")] = ref
    row[head.index("recorded_date")] = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    for col in ("committed_date", "ho_outcome_type", "outcome_date"):
        if col in head:
            row[head.index(col)] = ""
    d = c.tmp / "crimes"
    d.mkdir()
    crimes = write_csv(d / "force_crimes.csv.gz", head, [row])
    return c.cj(extra={"force_crimes": crimes})


def _ho_row(pfa: str, offence: str) -> int:
    """The 1-based data row of one area and offence in the Home Office slice."""
    h, rows = shipped("ho")
    return next(i for i, r in enumerate(rows, 1) if r[h.index("PFA")] == pfa and r[h.index("Offence")] == offence)


HO = "rec-crime-pfa.csv.gz"
HO_ROW = _ho_row("Dorset", "Shoplifting")
SS = "2024-02-cambridgeshire-stop-and-search.csv.gz"
FC = "force_crimes_2025.csv.gz"
VS = "victim_survey.csv.gz"


def _crime_ref(row: int) -> str:
    return force_extract("crimes")[1][row - 1][0]


def _respondent(row: int) -> str:
    return force_extract("survey")[1][row - 1][0]


def _no_personal_value(value: str):
    def check(c: Ctx, pfile: Path, out: str) -> bool:
        return value not in out  # the refusal names the rows, never the personal data itself
    return check


def _without_survey(c: Ctx) -> Path:
    c.victims()
    return pack_params(c.tmp / "p.yaml", {"id": "victims-small", "title": "Victims test", "force": FORCE},
                       {"force_crimes": c.tmp / "force" / FC}, ["victims"],
                       period={"start": VICTIM_MONTHS[0], "end": VICTIM_MONTHS[-1]})


CASES = [
    # --- file and header faults: refused at the file level (exit 2) ---
    Case("missing_column", lambda c: (c.edit("2025-05", _drop_col("Context")), c.params())[1], 2,
         ["2025-05-gwent-street.csv.gz", "column 'header'", "missing column(s) 'Context'"]),
    Case("renamed_column", lambda c: (c.edit("2025-05", lambda h, r: (
        ["Crime Type" if x == "Crime type" else x for x in h], r)), c.params())[1], 2,
         ["2025-05-gwent-street.csv.gz", "missing column(s) 'Crime type'", "unexpected column(s) 'Crime Type'"]),
    Case("extra_column", lambda c: (c.edit("2025-04", lambda h, r: (h + ["Notes"], [x + [""] for x in r])),
                                    c.params())[1], 2,
         ["2025-04-gwent-street.csv.gz", "column 'header'", "unexpected column(s) 'Notes'"]),
    Case("reordered_columns", lambda c: (c.edit("2025-06", _swap_cols("Longitude", "Latitude")), c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "column 'header'", "same columns in a different order"]),
    Case("empty_file", lambda c: (c.file("2025-05").write_bytes(b""), c.params())[1], 2,
         ["2025-05-gwent-street.csv.gz", "column 'readable'", "empty file (0 bytes)"]),
    Case("header_only", lambda c: (c.edit("2025-05", lambda h, r: (h, [])), c.params())[1], 2,
         ["2025-05-gwent-street.csv.gz", "column 'readable'", "header only: no data rows"]),
    Case("truncated_gzip", lambda c: (c.file("2025-06").write_bytes(c.file("2025-06").read_bytes()[:-40]),
                                      c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "column 'readable'", "gzip stream is truncated"]),
    Case("not_gzip_named_gz", lambda c: (c.file("2025-04").write_bytes(csv_bytes(*real_rows("2025-04"))),
                                         c.params())[1], 2,
         ["2025-04-gwent-street.csv.gz", "column 'readable'", "named .gz but is not gzip-compressed"]),
    Case("windows_1252_location", _cp1252, 2,
         ["2025-05-gwent-street.csv.gz", "column 'readable'", "not UTF-8 text: byte 0xe9", "(line 8)"],
         check=lambda c, p, out: f"byte offset {c.offset} " in out),
    Case("gzip_bomb", _bomb, 2,
         ["2025-05-gwent-street.csv.gz", "column 'readable'", "decompresses to more than 1 MiB of text",
          "a gzip bomb?"], patch=_guard("MAX_DECOMPRESSED_BYTES", 1024 ** 2)),
    Case("too_many_rows", lambda c: (c.edit("2025-04", lambda h, r: (h, r * 2)), c.params())[1], 2,
         ["2025-04-gwent-street.csv.gz", "column 'readable'", "more than 150 data rows"],
         patch=_guard("MAX_ROWS", 150)),
    Case("field_larger_than_field_limit", _huge_field, 2,
         ["2025-06-gwent-street.csv.gz", "column 'readable'", "cannot be read as CSV at line 5 (data row 4)",
          "field larger than field limit"]),
    Case("ragged_row_extra_field", lambda c: (c.edit("2025-05", lambda h, r: (
        h, r[:2] + [r[2] + ["surplus"]] + r[3:])), c.params())[1], 2,
         ["2025-05-gwent-street.csv.gz", "cannot be parsed as CSV with the published header"]),
    # --- months ---
    Case("month_2019_slash_01", lambda c: (c.cell("2025-04", 3, "Month", "2019/01"), c.params())[1], 2,
         ["2025-04-gwent-street.csv.gz", "column 'Month'", "expect_column_values_to_match_regex", "row=3"]),
    Case("month_01_dash_2019", lambda c: (c.cell("2025-04", 3, "Month", "01-2019"), c.params())[1], 2,
         ["2025-04-gwent-street.csv.gz", "column 'Month'", "expect_column_values_to_match_regex", "row=3"]),
    Case("month_Jan_19", lambda c: (c.cell("2025-06", 5, "Month", "Jan-19"), c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "column 'Month'", "expect_column_values_to_match_regex", "row=5"]),
    Case("month_empty", lambda c: (c.cell("2025-06", 9, "Month", ""), c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "column 'Month'", "Month must be filled in", "row=9"]),
    Case("month_differs_from_file_name", lambda c: (c.cell("2025-05", 8, "Month", "2025-06"), c.params())[1], 2,
         ["2025-05-gwent-street.csv.gz", "Month' vs 'file_month", "row=8"]),
    Case("month_missing_in_period", lambda c: (c.file("2025-05").unlink(), c.params())[1], 2,
         ["column 'file_month'", "every month of the pack period must be present", "missing: 2025-05"]),
    Case("duplicated_month_file", _dup_month, 2,
         ["column 'file_month'", "expect_column_values_to_be_unique", "again/2025-05-gwent-street.csv.gz"]),
    Case("file_name_without_month", _no_month_in_name, 2,
         ["gwent-street-may.csv.gz", "column 'file_month'", "expect_column_values_to_not_be_null"]),
    Case("future_period_end", lambda c: c.params(period={"start": "2025-05", "end": "2025-08"}), 1,
         ["period.end 2025-08 is not before the run date 2025-07-15", "future dates are refused"]),
    Case("future_month_row", lambda c: (c.cell("2025-06", 2, "Month", "2031-01"), c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "Month' vs 'file_month", "row=2"]),
    # --- forces ---
    Case("two_forces_in_one_file", lambda c: (c.cell("2025-04", 2, "Falls within", "South Wales Police"),
                                              c.params())[1], 2,
         ["2025-04-gwent-street.csv.gz", "column 'forces_in_file'", "one force (Falls within) per file",
          "column 'Falls within'", "row=2"]),
    Case("file_from_another_force", lambda c: (c.edit("2025-06", lambda h, r: (
        h, [x[:3] + ["Dyfed-Powys Police"] + x[4:] for x in r])), c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "column 'Falls within'", "must be the pack's force", "row=1"]),
    # --- rows ---
    Case("duplicate_crime_ids_in_one_file", lambda c: (c.edit("2025-05", _dupe_ids(6)), c.params())[1], 0,
         ["column 'repeat_share'", "2025-05-gwent-street.csv.gz", "repeated_crime_ids=6",
          "All critical expectations met"], cmd="validate",
         why="a repeated Crime ID is one crime: it is counted once in its month (rows as published kept beside), "
             "and a file where more than 1% of rows repeat one is named with its count",
         check=_warned("repeat_share")),
    Case("duplicate_crime_ids_below_1pct", lambda c: (c.edit("2025-05", _dupe_ids(1)), c.params())[1], 0,
         ["column 'Crime ID'", "2025-05-gwent-street.csv.gz", "All critical expectations met"], cmd="validate",
         why="published data.police.uk files repeat about 0.7% of Crime IDs; a warning, each crime counted once",
         check=_warned("Crime ID")),
    Case("month_loaded_twice", lambda c: (c.edit("2025-05", lambda h, r: (h, r + r)), c.params())[1], 0,
         ["column 'repeat_share'", "2025-05-gwent-street.csv.gz", "All critical expectations met"], cmd="validate",
         why="a month appended to itself repeats every Crime ID: each crime is counted once, the file is named with "
             "its repeats, and its volume (distinct records) is plausible", check=_warned("repeat_share")),
    Case("month_file_cut_short", lambda c: (c.edit("2025-05", lambda h, r: (h, r[:2])), c.params())[1], 2,
         ["2025-05-gwent-street.csv.gz", "column 'volume_check'", "plausible number of rows", "rows=2",
          "volume_ratio=0.02"]),
    Case("month_file_cut_short_declared", lambda c: (c.edit("2025-05", lambda h, r: (h, r[:2])),
                                                     c.params(data_quality={"accept_volume": [
                                                         {"month": "2025-05", "reason": "test"}]}))[1], 0,
         ["All critical expectations met"], cmd="validate",
         why="a month declared in params data_quality.accept_volume is not refused"),
    Case("unknown_crime_type", lambda c: (c.cell("2025-06", 5, "Crime type", "Burglery"), c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "column 'Crime type'", "one of the 14 police.uk categories", "row=5"]),
    Case("crime_type_empty", lambda c: (c.cell("2025-06", 6, "Crime type", ""), c.params())[1], 2,
         ["2025-06-gwent-street.csv.gz", "column 'Crime type'", "Crime type must be filled in", "row=6"]),
    Case("unknown_outcome_category", lambda c: (c.cell("2025-04", 1, "Last outcome category", "Sent to the moon"),
                                                c.params())[1], 2,
         ["2025-04-gwent-street.csv.gz", "column 'Last outcome category'", "known police.uk outcome", "row=1"]),
    Case("outcomes_unknown_outcome_type", _outcomes_unknown_type, 2,
         ["police_uk_outcomes: column 'Outcome type'", "2025-06-gwent-outcomes.csv.gz", "row=12"]),
    Case("lsoa_code_malformed", lambda c: (c.cell("2025-04", 4, "LSOA code", "X01BAD"), c.params())[1], 0,
         ["column 'LSOA code'", "2025-04-gwent-street.csv.gz", "row=4", "All critical expectations met"],
         cmd="validate", why="a warning: the row still counts in the force total; the data-quality page names it",
         check=_warned("LSOA code")),
    # --- encodings and line endings that are accepted ---
    Case("utf8_bom", _bom, 0, ["All critical expectations met"], cmd="validate",
         why="a UTF-8 byte-order mark (Excel's 'CSV UTF-8') is still UTF-8; both readers skip it",
         check=_counts_right),
    Case("crlf_line_endings", _crlf, 0, ["All critical expectations met"], cmd="validate",
         why="Windows line endings change no value; both readers take them", check=_counts_right),
    # --- paths ---
    Case("glob_matches_nothing", lambda c: c.params(inputs={"police_uk_street": {"path": str(c.tmp / "no/*.gz")}}),
         2, ["inputs.police_uk_street.path", "matches no file", "no/*.gz"]),
    Case("path_is_a_folder", lambda c: c.params(inputs={"police_uk_street": {"path": str(c.data)}}), 2,
         ["inputs.police_uk_street.path", "matches no file (only folders)"]),
    Case("relative_dotdot_outside_repo_exists", _dotdot, 0, ["All critical expectations met"], cmd="validate",
         why="a relative path resolves against the repo root and may leave it with '..' when the files exist: "
             "inputs often sit beside the checkout; provenance.json records the resolved path and hashes"),
    Case("relative_dotdot_outside_repo_missing", lambda c: _dotdot(c, exists=False), 2,
         ["inputs.police_uk_street.path", "matches no file", "../"]),
    Case("unknown_contract", lambda c: c.params(inputs={"police_uk_street": {
        "path": str(c.data / "*-street.csv.gz"), "contract": "police_uk_street.v9"}}), 2,
         ["contract 'police_uk_street.v9' not found"]),
    Case("contract_path_traversal", lambda c: c.params(inputs={"police_uk_street": {
        "path": str(c.data / "*-street.csv.gz"), "contract": "../tests/empty"}}), 1,
         ["p.yaml", "inputs.police_uk_street.contract", "a name, not a path"]),
    Case("contract_absolute_path", lambda c: c.params(inputs={"police_uk_street": {
        "path": str(c.data / "*-street.csv.gz"), "contract": "/tmp/x.v1"}}), 1,
         ["p.yaml", "inputs.police_uk_street.contract", "a name, not a path"]),
    Case("contract_with_no_expectations", lambda c: c.params(inputs={"police_uk_street": {
        "path": str(c.data / "*-street.csv.gz"), "contract": "police_uk_street.v0"}}), 2,
         ["contract 'police_uk_street.v0'", "has no expectations", "refused"], cmd="validate",
         patch=_empty_suite_dir),
    # --- rows accepted with a warning ---
    Case("lsoa_names_in_capitals_one_month", lambda c: (c.edit("2025-05", _lsoa_capitals), c.params())[1], 0,
         ["column 'district_spelling_ok'", "2025-05-gwent-street.csv.gz", "All critical expectations met"],
         cmd="validate", check=_one_district,
         why="names that differ only in case or spaces are one district (counted under the most frequent spelling); "
             "the change of spelling is a warning naming the months"),
    Case("latitude_impossible", lambda c: (c.cell("2025-04", 7, "Latitude", "999"), c.params())[1], 0,
         ["column 'latitude_value'", "2025-04-gwent-street.csv.gz", "row=7", "All critical expectations met"],
         cmd="validate", check=_warned("latitude_value"),
         why="a warning: coordinates are not used in any count; the data-quality page names the row"),
    Case("longitude_impossible", lambda c: (c.cell("2025-06", 3, "Longitude", "-120.5"), c.params())[1], 0,
         ["column 'longitude_value'", "2025-06-gwent-street.csv.gz", "row=3", "All critical expectations met"],
         cmd="validate", check=_warned("longitude_value"),
         why="a warning: coordinates are not used in any count; the data-quality page names the row"),
    # --- params (exit 1, naming the params file and key) ---
    Case("params_duplicate_key", lambda c: c.params_text(
        c.params().read_text() + "period:\n  start: '2024-04'\n  end: '2025-06'\n"), 1,
         ["p.yaml", "duplicate key 'period' at lines"]),
    Case("params_pack_id_too_long", lambda c: c.params(pack={"id": "a" * 300, "title": "t", "force": FORCE}), 1,
         ["p.yaml", "pack.id", "at most 100 characters"]),
    Case("params_unknown_key", lambda c: c.params(colour="blue"), 1, ["p.yaml", "colour: unknown key"]),
    Case("params_unknown_nested_key", lambda c: c.params(pack={"id": "small", "title": "t", "force": FORCE,
                                                               "titel": "x"}), 1, ["p.yaml", "pack.titel: unknown key"]),
    Case("params_wrong_type", lambda c: c.params(spc={"baseline_months": "lots"}), 1,
         ["p.yaml", "spc.baseline_months"]),
    Case("params_end_before_start", lambda c: c.params(period={"start": "2025-06", "end": "2025-04"}), 1,
         ["p.yaml", "period", "period end 2025-04 is before start 2025-06"]),
    Case("params_month_format", lambda c: c.params(period={"start": "04/2025", "end": "2025-06"}), 1,
         ["p.yaml", "period.start", "YYYY-MM"]),
    Case("params_python_object_tag", lambda c: c.params_text("pack: !!python/object/apply:os.system ['touch x']\n"),
         1, ["p.yaml", "not valid YAML", "!!python/object"]),
    Case("params_not_a_mapping", lambda c: c.params_text("- just\n- a list\n"), 1,
         ["p.yaml", "must hold a YAML mapping"]),
    Case("params_yaml_syntax", lambda c: c.params_text("pack: {id: small\n"), 1, ["p.yaml", "not valid YAML"]),
    Case("params_pack_id_traversal", lambda c: c.params(pack={"id": "../../etc", "title": "t", "force": FORCE}), 1,
         ["p.yaml", "pack.id"]),
    Case("params_unknown_notebook", lambda c: c.params(notebooks=["performanse"]), 1,
         ["p.yaml", "notebooks", "unknown notebook(s) ['performanse']"]),
    Case("params_section_without_its_input", lambda c: c.params(notebooks=["performance", "stop_search"]), 1,
         ["p.yaml", "notebook 'stop_search' needs input(s) ['police_uk_stop_search'] under inputs"], cmd="validate"),
    Case("params_no_inputs", lambda c: c.params_text("pack: {id: small, title: t, force: Gwent Police}\n"
                                                      "period: {start: '2024-04', end: '2024-06'}\n"
                                                      "notebooks: [performance]\n"), 1,
         ["p.yaml", "notebook 'performance' needs input(s) ['police_uk_street'] under inputs"], cmd="validate"),
    Case("params_disclosure_zero", lambda c: c.params(disclosure={"min_count": 0}), 1,
         ["p.yaml", "disclosure.min_count"]),
    Case("params_file_missing", lambda c: c.tmp / "absent.yaml", 1, ["absent.yaml", "params file not found"]),
    Case("run_date_malformed", lambda c: c.params(), 1, ["--run-date must be YYYY-MM-DD"]),
    # --- Home Office recorded crime by PFA (peers) ---
    Case("ho_negative_count_beyond_warned_range", lambda c: c.peers(ho=_set(HO_ROW, "Rolling year total number of "
                                                                            "offences", "-5000")), 2,
         [HO, "ho_prc_pfa: column 'count'", "-1,000 to 2,000,000", f"row={HO_ROW}", "PFA=Dorset"]),
    Case("ho_negative_count_within_warned_range", lambda c: c.peers(ho=_set(HO_ROW, "Rolling year total number of "
                                                                            "offences", "-3")), 0,
         [HO, "column 'count'", "negative adjustments", f"row={HO_ROW}", "All critical expectations met"],
         cmd="validate", check=_warned("count", "ho_prc_pfa"),
         why="the published Home Office table itself holds 25 negative rolling totals (reclassification "
             "adjustments, e.g. Cheshire death by driving -1 to -3 in 2007); they are kept as published and "
             "listed as a warning; only totals beyond -1,000 are refused"),
    Case("ho_count_not_numeric", lambda c: c.peers(ho=_set(HO_ROW, "Rolling year total number of offences",
                                                          "1,234")), 2,
         [HO, "ho_prc_pfa: column 'count'", "the rolling total must be a whole number", f"row={HO_ROW}"]),
    Case("ho_count_blank", lambda c: c.peers(ho=_set(HO_ROW, "Rolling year total number of offences", "")), 2,
         [HO, "ho_prc_pfa: column 'count'", "the rolling total must be a whole number", f"row={HO_ROW}"]),
    Case("ho_territorial_force_missing", lambda c: c.peers(ho=_drop_where("PFA", "Dorset")), 2,
         [HO, "ho_prc_pfa: column 'PFA'", "all 43 territorial police force areas must be present", "missing: Dorset",
          "column 'territorial_forces_in_quarter'", "row=1"]),
    Case("ho_duplicate_key", lambda c: c.peers(ho=_repeat(HO_ROW)), 2,
         [HO, "expect_compound_columns_to_be_unique",
          "one row per quarter end, area and offence", f"row={HO_ROW}", "PFA=Dorset"]),
    Case("ho_renamed_column", lambda c: c.peers(ho=_rename("PFA", "Force")), 2,
         [HO, "ho_prc_pfa: column 'header'", "missing column(s) 'PFA'", "unexpected column(s) 'Force'"]),
    Case("ho_date_iso_format", lambda c: c.peers(ho=_set(3, "12 months ending", "2018-12-31")), 2,
         [HO, "ho_prc_pfa: column '12 months ending'", "dd-mm-yyyy", "row=3"]),
    Case("ho_date_not_a_day", lambda c: c.peers(ho=_set(3, "12 months ending", "31-09-2018")), 2,
         [HO, "ho_prc_pfa: column 'quarter'", "must be a real calendar date", "row=3"]),
    Case("ho_reporting_quarter_absent", lambda c: c.peers(ho=lambda h, r: (h, [["30-09-2018"] + x[1:] for x in r])),
         2,
         [HO, "ho_prc_pfa: column 'quarter'", "12 months ending at the pack's reporting month", "missing: 2018-12"]),
    # --- ONS population by PFA (peers) ---
    Case("pop_implausible", lambda c: c.peers(pop=_set(7, "population", "650000000")), 2,
         ["population_pfa.csv", "ons_population_pfa: column 'population_n'", "5,000 to 12,000,000", "row=7"]),
    Case("pop_not_numeric", lambda c: c.peers(pop=_set(7, "population", "1.2m")), 2,
         ["population_pfa.csv", "ons_population_pfa: column 'population_n'", "whole, non-negative number",
          "row=7"]),
    Case("pop_duplicate_area_year", lambda c: c.peers(pop=_repeat(7)), 2,
         ["population_pfa.csv", "ons_population_pfa", "one row per area, year and edition", "row=7",
          "pfa_code=E23000007"]),
    # --- data.police.uk stop and search ---
    Case("ss_date_not_iso", lambda c: c.stop_search("2024-02", _set(4, "Date", "01/02/2024 10:15")), 2,
         [SS, "police_uk_stop_search: column 'Date'", "ISO 8601 timestamp", "row=4"]),
    Case("ss_date_not_a_day", lambda c: c.stop_search("2024-02", _set(4, "Date", "2024-02-30T10:15:00+00:00")), 2,
         [SS, "police_uk_stop_search: column 'date_month'", "real calendar timestamp", "row=4"]),
    Case("ss_unknown_type", lambda c: c.stop_search("2024-02", _set(5, "Type", "Foot search")), 2,
         [SS, "police_uk_stop_search: column 'Type'", "police.uk search type", "row=5"]),
    Case("ss_unknown_gender", lambda c: c.stop_search("2024-02", _set(6, "Gender", "M")), 2,
         [SS, "police_uk_stop_search: column 'Gender'", "Male, Female or Other", "row=6"]),
    Case("ss_unknown_age_range", lambda c: c.stop_search("2024-02", _set(7, "Age range", "35-44")), 2,
         [SS, "police_uk_stop_search: column 'Age range'", "police.uk age band", "row=7"]),
    Case("ss_unknown_outcome", lambda c: c.stop_search("2024-02", _set(8, "Outcome", "Sent to the moon")), 2,
         [SS, "police_uk_stop_search: column 'Outcome'", "known police.uk stop and search outcome", "row=8"]),
    Case("ss_boolean_yes", lambda c: c.stop_search("2024-02", _set(9, "Part of a policing operation", "Yes")), 2,
         [SS, "police_uk_stop_search: column 'Part of a policing operation'", "True, False or empty", "row=9"]),
    Case("ss_outcome_linked_yes", lambda c: c.stop_search("2024-02", _set(9, "Outcome linked to object of search",
                                                                         "Yes")), 2,
         [SS, "police_uk_stop_search: column 'Outcome linked to object of search'", "True, False or empty", "row=9"]),
    Case("ss_header_renamed", lambda c: c.stop_search("2024-02", _rename("Age range", "Age")), 2,
         [SS, "police_uk_stop_search: column 'header'", "missing column(s) 'Age range'",
          "unexpected column(s) 'Age'"]),
    # --- published figures and their relations (audit) ---
    Case("fig_unknown_unit", lambda c: c.published(figures=_set(2, "unit", "pounds")), 2,
         ["figures.csv", "published_figures: column 'unit'", "unit must be one of", "row=2", "figure_id=S2"]),
    Case("fig_value_not_numeric", lambda c: c.published(figures=_set(2, "value", "13.6%")), 2,
         ["figures.csv", "published_figures: column 'value'", "plain signed number", "row=2", "figure_id=S2"]),
    Case("rel_unknown_figure", lambda c: c.published(relations=_set(1, "inputs", "S1 S2 S3 S4 S99")), 2,
         ["relations.csv", "published_relations: column 'unknown_figure_ids'", "must be a figure_id in the figures",
          "unknown_figure_ids=S99", "row=1", "relation_id=R_staff_total"]),
    Case("rel_range_unknown_end", lambda c: c.published(relations=_set(1, "inputs", "S1..S99")), 2,
         ["relations.csv", "column 'unknown_figure_ids'", "range 'S1..S99'", "row=1", "relation_id=R_staff_total"]),
    Case("rel_without_figures_input", lambda c: (c.published(), pack_params(
        c.tmp / "p.yaml", {"id": "audit-small", "title": "Audit test", "force": "Warwickshire Police"},
        {"published_relations": c.tmp / "seed" / "relations.csv"}, ["audit"],
        period={"start": "2012-10", "end": "2014-01"}))[1], 1,
         ["p.yaml", "notebook 'audit' needs input(s) ['published_figures']"]),
    Case("rel_unknown_type", lambda c: c.published(relations=_set(1, "type", "sum")), 2,
         ["relations.csv", "published_relations: column 'type'", "type must be one of", "row=1",
          "relation_id=R_staff_total"]),
    # --- force extracts (victims): crimes and victim survey ---
    Case("vic_outcome_before_recording", lambda c: c.victims(crimes=_set(5, "outcome_date", "2020-01-01")), 2,
         [FC, "force_crimes: column 'outcome_date' vs 'recorded_date'", "outcome cannot be dated before the crime "
          "was recorded", "row=5", f"crime_ref={_crime_ref(5)}"]),
    Case("vic_unknown_outcome_type", lambda c: c.victims(crimes=_set(6, "ho_outcome_type", "19B")), 2,
         [FC, "force_crimes: column 'ho_outcome_type'", "Home Office outcome type", "row=6", "ho_outcome_type=19B"]),
    Case("vic_future_date", lambda c: c.victims(crimes=_set(7, "recorded_date", "2026-01-05")), 2,
         [FC, "force_crimes: column 'extracted_at' vs 'recorded_date'", "after the extract date (a future date)",
          "row=7", "recorded_date=2026-01-05"]),
    Case("vic_two_extract_dates", lambda c: c.victims(crimes=_set(8, "extracted_at", "2025-07-31")), 2,
         [FC, "force_crimes: column 'extract_date'", "one extract date", "row=8", "extract_date=another date"]),
    Case("vic_crime_ref_repeated", lambda c: c.victims(crimes=_set(10, "crime_ref", _crime_ref(9))), 2,
         [FC, "force_crimes: column 'crime_ref'", "crime_ref is unique", "row=9", "row=10"]),
    Case("vic_answer_off_scale", lambda c: c.victims(survey=_set(4, "follow_up", "12")), 2,
         [VS, "victim_survey: column 'follow_up'", "7-point scale", "row=4", f"respondent_id={_respondent(4)}"]),
    Case("vic_respondent_crime_unknown", lambda c: c.victims(survey=_set(3, "crime_ref", "CR99999999")), 0,
         ["warning: victim_survey: column 'crime_ref_in_crimes'", "crime_ref is a crime in the crimes extract",
          "1 failing rows", "row=3", f"respondent_id={_respondent(3)}"], cmd="validate",
         why="a response about a crime missing from the extract is counted in a warning, not refused"),
    Case("vic_victim_id_a_name", lambda c: c.victims(crimes=_set(11, "victim_id", "Jane Doe-Smith")), 2,
         [FC, "force_crimes: column 'victim_id_form'", "personal data", "victim_id_form=looks like a name",
          "row=11", f"crime_ref={_crime_ref(11)}"], check=_no_personal_value("Jane Doe-Smith")),
    Case("vic_victim_id_a_birth_date", lambda c: c.victims(crimes=_set(12, "victim_id", "14/02/1987")), 2,
         [FC, "force_crimes: column 'victim_id_form'", "victim_id_form=looks like a date", "row=12"],
         check=_no_personal_value("14/02/1987")),
    Case("vic_renamed_column", lambda c: c.victims(crimes=_rename("ho_outcome_type", "outcome")), 2,
         [FC, "force_crimes: column 'header'", "missing column(s) 'ho_outcome_type'",
          "unexpected column(s) 'outcome'"]),
    Case("vic_section_without_survey", _without_survey, 1,
         ["p.yaml", "notebook 'victims' needs input(s) ['victim_survey']"]),
    # --- criminal justice extracts (synthetic slices) ---
    Case("cj_answer_before_offer", lambda c: c.cj("calls", _cj_answer_before_offer), 2,
         ["calls.csv.gz", "calls: column 'answered_at' vs 'offered_at'", "cannot be answered before it was offered",
          "row=3", "call_id="]),
    Case("cj_abandoned_with_answer_time", lambda c: c.cj("calls", _cj_abandon_answered), 2,
         ["calls.csv.gz", "calls: column 'answered_ts'", "an abandoned call has no answer time", "row=4",
          "call_id="]),
    Case("cj_line_not_999_or_101", lambda c: c.cj("calls", _set(5, "line", "112")), 2,
         ["calls.csv.gz", "calls: column 'line'", "line must be 999 or 101", "row=5", "call_id="]),
    Case("cj_time_without_offset", lambda c: c.cj("calls", _cj_naive), 2,
         ["calls.csv.gz", "calls: column 'offered_ts'", "with its UTC offset", "happens twice", "row=6",
          "call_id="]),
    Case("cj_arrival_before_creation", lambda c: c.cj("incidents", _cj_arrive_early), 2,
         ["incidents.csv.gz", "incidents: column 'arrived_at' vs 'created_at'",
          "cannot arrive before the incident was created", "row=2", "incident_id="]),
    Case("cj_completion_before_charge", lambda c: c.cj("court_cases", _cj_complete_early), 2,
         ["court_cases.csv.gz", "court_cases: column 'completion_day' vs 'charge_day'",
          "cannot be completed before it was charged", "row=7", "case_id="]),
    Case("cj_decision_not_a_date", lambda c: c.cj("charge_decisions", _set(2, "decision_date", "2025-06-31")), 2,
         ["charge_decisions.csv.gz", "charge_decisions: column 'decision_day'", "must be a real calendar date",
          "row=2", "decision_id="]),
    Case("cj_decision_before_crime_recorded", _cj_decision_before_crime, 2,
         ["charge_decisions.csv.gz", "charge_decisions: column 'decision_day' vs 'crime_recorded_day'",
          "cannot be made before its crime was recorded", "row=1", "decision_id="],
         marks=[pytest.mark.skipif("force_crimes" not in DATASETS, reason="needs the force_crimes input dataset")]),
    Case("cj_renamed_column", lambda c: c.cj("calls", _rename("queue", "skillset")), 2,
         ["calls.csv.gz", "calls: column 'header'", "missing column(s) 'queue'", "unexpected column(s) 'skillset'"]),
    Case("cj_section_without_calls", lambda c: c.cj(drop="calls"), 1,
         ["p.yaml", "notebook 'criminal_justice' needs input(s) ['calls']"]),
    # --- faults during a run (exit 1) ---
    Case("notebook_raises_mid_run", _raising_notebook, 1,
         ["notebook performance failed in cell", "The executed notebook is kept at"], check=_failed_notebook_kept),
    Case("cell_timeout", _hanging_cell, 1,
         ["notebook performance", "run.cell_timeout = 2 s (timeout)", "The executed notebook is kept at"]),
    Case("output_folder_unwritable", lambda c: (c.tmp.joinpath("file").write_text("x"), c.params())[1], 1,
         ["cannot write the pack under", "file"], out=lambda c: c.tmp / "file" / "pack"),
    Case("disk_full_mid_build", lambda c: c.params(), 1,
         ["No space left on device", "is the disk full", "data-quality.html",
          "The partial build was removed to free the space"],
         patch=_enospc, check=_no_failed_build, out=lambda c: c.tmp / "pack"),
]


def test_matrix_is_large_enough():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [pytest.param(c, marks=c.marks, id=c.id) for c in CASES])
def test_bad_input(case: Case, good_pack, base_inputs, tmp_path, capsys, monkeypatch):
    pack, before = good_pack
    ctx = Ctx(tmp_path, base_inputs, pack)
    pfile = case.setup(ctx)
    if case.patch:
        case.patch(monkeypatch, ctx)
    out = case.out(ctx) if case.out else pack
    if case.cmd == "run":
        run_date = "2025-7-15" if case.id == "run_date_malformed" else RUN_DATE
        argv = ["run", str(pfile), "--out", str(out), "--run-date", run_date]
    else:
        argv = ["validate", str(pfile)]
    code = cli.main(argv)
    cap = capsys.readouterr()
    text = cap.out + cap.err
    assert code == case.code, text
    for frag in case.expect:
        assert frag in text, f"{frag!r} not in output:\n{text}"
    assert "Traceback" not in text
    if case.code:
        assert cap.err.startswith("scrutiny: error: "), cap.err
    if case.check:
        assert case.check(ctx, pfile, text) is not False, text
    assert snapshot(pack) == before, "the last good pack changed"
    if case.code == 2 and case.cmd == "run":
        assert "The last good pack (if any) is untouched" in text


def test_not_utf8_message_names_byte_offset_and_line(tmp_path):
    """Unit level: the offset and line are those of the offending byte in the decompressed text."""
    from scrutiny.inputs.files import inspect_file

    data = "a,b\n1,2\n3,caf\u00e9\n".encode("cp1252")
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    verdict, _, _ = inspect_file(p)
    offset = data.index(b"\xe9")
    assert f"byte 0xe9 at byte offset {offset} (line 3)" in verdict
    write_gz(tmp_path / "x.csv.gz", data)
    assert "of the decompressed text (line 3)" in inspect_file(tmp_path / "x.csv.gz")[0]


def test_not_utf8_offset_across_chunks(tmp_path, monkeypatch):
    """The stream is read in chunks: the offset and line are exact when the bad byte falls in a later chunk,
    and when a multi-byte character is split between two chunks it is still UTF-8."""
    from scrutiny.inputs import files

    monkeypatch.setattr(files, "CHUNK", 7)
    data = "\ufeffa,b\n1,caf\u00e9\n2,\u00e9t\u00e9\n".encode("utf-8")
    p = tmp_path / "ok.csv"
    p.write_bytes(data)
    assert files.inspect_file(p) == ("ok", ["a", "b"], 2)
    bad = data + "3,caf\u00e9\n".encode("cp1252")
    p.write_bytes(bad)
    verdict = files.inspect_file(p)[0]
    assert f"byte 0xe9 at byte offset {len(bad) - 2} (line 4)" in verdict, verdict


def test_bom_and_crlf_header_read_as_published(tmp_path):
    from scrutiny.inputs.files import inspect_file

    h, rows = real_rows("2025-04", 5)
    p = tmp_path / "2025-04-x.csv"
    p.write_bytes(b"\xef\xbb\xbf" + csv_bytes(h, rows, newline="\r\n"))
    verdict, header, n = inspect_file(p)
    assert (verdict, header, n) == ("ok", h, 5)


def test_variant_pack_one_byte_changed_and_no_network(reference_pack, tmp_path):
    """One input byte changed -> that file's input hash (only) differs in provenance.json; the run needs no
    network: it is run inside an empty network namespace (no interface at all) where the machine allows it."""
    import json
    import shutil
    import subprocess
    import sys

    pack, _, ref_data, catalogue = reference_pack
    data = Path(shutil.copytree(ref_data, tmp_path / "street"))
    f = data / "2025-05-gwent-street.csv.gz"
    b = bytearray(f.read_bytes())
    b[4] ^= 0x01  # a byte of the gzip header's timestamp: same rows, different file
    f.write_bytes(bytes(b))
    assert gzip.decompress(bytes(b)) == gzip.decompress((ref_data / f.name).read_bytes())
    pfile = reference_params(tmp_path / "variant.yaml", data, catalogue)
    cmd = [sys.executable, "-m", "scrutiny.cli", "run", str(pfile), "--out", str(tmp_path / "pack"),
           "--run-date", RUN_DATE]
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True) \
        if shutil.which("unshare") else None
    netns = probe is not None and probe.returncode == 0
    reason = "" if netns else ("unshare is not installed" if probe is None else
                               f"unshare -n is not permitted here: {probe.stderr.strip()}")
    if netns:
        cmd = ["unshare", "-n"] + cmd
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    a = json.loads((pack / "provenance.json").read_text())["inputs"][0]["files"]
    v = json.loads((tmp_path / "pack" / "provenance.json").read_text())["inputs"][0]["files"]
    diff = [x["path"].rsplit("/", 1)[-1] for x, y in zip(a, v) if x["sha256"] != y["sha256"]]
    assert diff == ["2025-05-gwent-street.csv.gz"]
    # the same rows give the same tables
    for t in ("performance_monthly.csv", "performance_spc.csv"):
        assert (pack / "tables" / t).read_bytes() == (tmp_path / "pack" / "tables" / t).read_bytes()
    if not netns:
        print(f"no-network check skipped: {reason}")
        pytest.skip(f"one-byte check passed; no-network check skipped: {reason}")
    # what the run saw: no network interface at all (the kernel talks over IPC sockets)
    ns = subprocess.run(["unshare", "-n", "cat", "/proc/net/dev"], capture_output=True, text=True)
    assert [ln for ln in ns.stdout.splitlines()[2:] if ln.split(":")[0].strip() != "lo"] == []
