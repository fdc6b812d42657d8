"""police.uk street and outcomes files staged by DuckDB (inputs/staging.py): read once into a cache keyed by the
file's bytes, checked by the SQL translation of their suites (the same rules failing on the same rows as Great
Expectations on the same rows in pandas), prepared by SQL into the same table the pandas path writes."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from scrutiny import contracts
from scrutiny.inputs import staging
from scrutiny.inputs.files import read_csv_strict
from scrutiny.inputs.police_uk import FilterError, filter_street
from scrutiny.inputs.registry import DATASETS
from scrutiny.reference import police_uk

GWENT = Path(__file__).resolve().parents[2] / "data" / "raw" / "police_uk" / "gwent"
PERIOD = ("2024-05", "2024-06")


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "cache"))


def raw_rows(name: str, month: str, n: int) -> list[list[str]]:
    with gzip.open(GWENT / f"{month}-gwent-{name}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        return [row for _, row in zip(range(n), r)]


def write(path: Path, header, rows) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header] + rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))
    return path


def broken_street(tmp_path: Path) -> Path:
    """Two months of 25 Gwent street rows each, with one break per rule."""
    h = police_uk.STREET_HEADER.index
    may, june = raw_rows("street", "2024-05", 25), raw_rows("street", "2024-06", 25)
    may[1][h("Month")] = "2024-13"
    may[2][h("Falls within")] = "Dyfed-Powys Police"
    may[3][h("Crime type")] = "Shoplifting-ish"
    may[4][h("Latitude")] = "12.5"
    may[5][h("Crime ID")] = may[6][h("Crime ID")]
    may[7][h("LSOA name")] = may[8][h("LSOA name")].upper()
    june[2][h("Last outcome category")] = "Sorted"
    june[3][h("LSOA code")] = "X01000001"
    june[4][h("Month")] = "2024-05"
    june[5][h("Crime ID")] = ""
    june[5][h("Crime type")] = "Burglary"
    june[6][h("Longitude")] = "not a number"
    return two_months(tmp_path, may, june)


def two_months(tmp_path: Path, may, june) -> Path:
    """A folder of Gwent street files for 2024-05 and 2024-06 holding these rows."""
    folder = tmp_path / "street"
    folder.mkdir(parents=True)
    write(folder / "2024-05-gwent-street.csv.gz", police_uk.STREET_HEADER, may)
    write(folder / "2024-06-gwent-street.csv.gz", police_uk.STREET_HEADER, june)
    return folder


def in_pandas(files: pd.DataFrame) -> pd.DataFrame:
    """The rows and the columns the contract reads, worked out in pandas from the published definitions."""
    df = read_csv_strict("police_uk_street", files["path"].tolist(), police_uk.STREET_HEADER)
    df["file_month"] = df["source_file"].map(police_uk.file_month)
    df["forces_in_file"] = df.groupby("source_file")["Falls within"].transform("nunique")
    df["crime_id_missing"] = df["Crime ID"].isna() & (df["Crime type"] != "Anti-social behaviour")
    raw = police_uk.districts_as_written(df["LSOA name"])
    df["district_spelling_ok"] = raw.isna() | (raw == police_uk.districts(df["LSOA name"]))
    df["latitude_value"] = pd.to_numeric(df["Latitude"], errors="coerce")
    df["longitude_value"] = pd.to_numeric(df["Longitude"], errors="coerce")
    return df


def staged(folder: Path, name: str = "police_uk_street"):
    ds = DATASETS[name]
    files = ds.files_frame(ds.discover(str(folder / "*.csv.gz")), PERIOD)
    return ds, files, ds.load_rows(files[files["in_period"]].reset_index(drop=True))


def test_street_rules_in_sql_agree_with_great_expectations(tmp_path):
    from scrutiny.contracts import _columns_used, _split, _sql_outcomes, load_suite_json

    ds, files, rows = staged(broken_street(tmp_path))
    assert len(rows) == 50 and rows.rows_per_file() == {"2024-05-gwent-street.csv.gz": 25,
                                                        "2024-06-gwent-street.csv.gz": 25}
    parameters = ds.expectation_parameters(PERIOD, "Gwent Police")
    suite = _split(load_suite_json("police_uk_street.v1"), "row")
    idx = ["source_file", "row", "Crime ID"]
    frame = in_pandas(files)
    gx = contracts._Validator().run(suite, _columns_used(suite, frame, idx), idx, parameters).results
    ours = _sql_outcomes("police_uk_street", suite, rows, idx, parameters, set())
    def key(t, kw):  # the rule and its column name it in this suite
        return t, kw.get("column") or kw.get("column_A")

    gx_by_rule = {key(g.expectation_config.type, g.expectation_config.kwargs): g for g in gx}
    failed = 0
    for e, o in zip(suite["expectations"], ours):
        g = gx_by_rule[key(e["type"], e["kwargs"])]
        want = sorted((i["source_file"], int(i["row"])) for i in (g.result.get("unexpected_index_list") or []))[:10]
        got = sorted((x["source_file"], x["row"]) for x in o.examples)
        assert (o.success, o.unexpected_count, got) == (g.success, g.result.get("unexpected_count", 0), want), \
            e["kwargs"]
        failed += not o.success
    assert failed == 11  # every break above is found: Month twice, the force (and so two forces in a file) ...


def test_a_district_spelled_two_ways_is_named_with_its_months(tmp_path):
    _, _, rows = staged(broken_street(tmp_path))
    names = raw_rows("street", "2024-05", 25)[8][police_uk.STREET_HEADER.index("LSOA name")]
    district = police_uk.district(names)
    assert rows.spelling_note() == (
        f"district spellings differ between months: {district!r}: {district.upper()!r} in 2024-05; "
        f"{district!r} in 2024-05, 2024-06 (counted as one district, spelled {district!r})")


def test_prepared_table_is_the_one_the_pandas_path_writes(tmp_path):
    ds, files, rows = staged(broken_street(tmp_path))
    a, b = tmp_path / "sql.parquet", tmp_path / "pandas.parquet"
    assert ds.prepare(rows, a) == ds.prepare(in_pandas(files), b) == 50
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))
    out = pd.read_parquet(a)
    caps = out["lsoa_name"].str.isupper().fillna(False)
    assert caps.sum() == 1 and out.loc[caps, "district"].iloc[0] == police_uk.district(
        out.loc[~caps, "lsoa_name"].iloc[8])


def test_a_prepared_table_written_in_chunks_is_the_one_written_at_once(tmp_path, monkeypatch):
    """Past CHUNK_ROWS rows the table is sorted chunk by chunk of months and the chunks joined: the same rows
    in the same order as one sort. By hand: a May Crime ID repeated in the June file (its row's month is May),
    a blank month (NULL, last), the months 2024-05, 2024-06 and 2024-13 in chunks of at most 26 rows. The cache
    folder's name has a quote and braces: the chunks' file names go into the SQL as literals."""
    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "o'brien {rows} cache"))
    h = police_uk.STREET_HEADER.index
    may, june = raw_rows("street", "2024-05", 25), raw_rows("street", "2024-06", 25)
    june[4][h("Month")], june[4][h("Crime ID")] = "2024-05", may[0][h("Crime ID")]
    june[7][h("Month")] = "2024-13"
    may[9][h("Month")] = ""
    ds, _, rows = staged(two_months(tmp_path, may, june))
    assert [(c, len(i)) for c, i, _ in rows.chunks("Month", 26)] == [
        ("\"Month\" BETWEEN '2024-05' AND '2024-05'", 2), ("\"Month\" BETWEEN '2024-06' AND '2024-13'", 1),
        ('"Month" IS NULL', 1)]
    real = staging.StagedRows.write_table
    with monkeypatch.context() as m:  # one sort of every row
        m.setattr(staging.StagedRows, "write_table", lambda self, sql, out, districts=True, chunk_by=None,
                  **_: real(self, sql, out, districts))
        assert ds.prepare(rows, tmp_path / "once.parquet") == 50
    monkeypatch.setattr(staging, "CHUNK_ROWS", 26)
    again = staging.StagedRows(rows.layout, rows.parts)  # a new query text is not needed: the cache is by query
    (staging.cache_dir() / "police_uk_street" / "tables").rename(tmp_path / "tables-once")
    assert ds.prepare(again, tmp_path / "chunked.parquet") == 50
    once, chunked = pd.read_parquet(tmp_path / "once.parquet"), pd.read_parquet(tmp_path / "chunked.parquet")
    pd.testing.assert_frame_equal(once, chunked)
    assert pd.isna(chunked["month"].iloc[-1]) and chunked["month"].iloc[:25].eq("2024-05").all()
    assert chunked.loc[chunked["crime_id"] == may[0][h("Crime ID")], "repeat_in_month"].tolist() == [True, False]


def test_repeated_crime_ids_are_flagged_but_the_last_in_the_files(tmp_path):
    """By hand: Crime ID a three times in 2024-05 (file s1 rows 1 and 5, file s2 row 2: the s2 row is the last)
    and once in 2024-06; b once; a row without a Crime ID. Only a's two earlier May rows are flagged."""
    h = police_uk.STREET_HEADER
    rows = [("a", "2024-05", "s1", 1), ("b", "2024-05", "s1", 2), ("a", "2024-05", "s1", 5),
            ("a", "2024-05", "s2", 2), ("a", "2024-06", "s2", 3), (None, "2024-05", "s2", 4)]
    frame = pd.DataFrame([{**{c: None for c in h}, "Crime ID": i, "Month": m, "Crime type": "Burglary",
                           "source_file": f, "row": r, "file_month": m} for i, m, f, r in rows])
    out = tmp_path / "p.parquet"
    assert DATASETS["police_uk_street"].prepare(frame, out) == 6
    got = pd.read_parquet(out)
    flagged = {(i, m, f, r) for i, m, f, r, x in zip(got["crime_id"], got["month"], got["source_file"],
                                                      got["source_row"], got["repeat_in_month"]) if x}
    assert flagged == {("a", "2024-05", "s1", 1), ("a", "2024-05", "s1", 5)}
    assert got["repeat_in_month"].notna().all()


def test_the_cache_is_reused_for_the_same_bytes_and_read_again_when_they_change(tmp_path, monkeypatch):
    folder = broken_street(tmp_path)
    _, files, _ = staged(folder)
    first = dict(zip(files["source_file"], files["staged"]))
    assert all(Path(p).is_file() for p in first.values())
    read = []
    real = staging.Layout.read_sql
    monkeypatch.setattr(staging.Layout, "read_sql", lambda self, path: read.append(path) or real(self, path))
    _, again, _ = staged(folder)
    assert dict(zip(again["source_file"], again["staged"])) == first and read == []
    june = folder / "2024-06-gwent-street.csv.gz"
    write(june, police_uk.STREET_HEADER, raw_rows("street", "2024-06", 30))
    _, changed, rows = staged(folder)
    now = dict(zip(changed["source_file"], changed["staged"]))
    assert now[june.name] != first[june.name] and now["2024-05-gwent-street.csv.gz"] == first[
        "2024-05-gwent-street.csv.gz"]
    assert read == [str(june)] and len(rows) == 55


def test_a_file_streamed_into_parquet_is_staged_as_one_read_through_a_table(tmp_path, monkeypatch):
    """A reader of one thread streams each file into Parquet and works out the forces in the file afterwards; a
    reader of two reads the file into a table first. Both stage the same rows, row numbers and per-file
    columns, in file order, for a file of two forces as for a file of one."""
    folder = broken_street(tmp_path)
    layout = DATASETS["police_uk_street"].layout()
    staged_by = {}
    for threads in (1, 2):
        monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / f"cache{threads}"))
        con = staging.reader(threads)
        try:
            for f in sorted(folder.iterdir()):
                verdict, out, n = staging.stage_file(layout, str(f), f.name, f"sha{threads}", f.name[:7], con=con)
                assert (verdict, n) == ("ok", 25)
                staged_by[threads, f.name] = pd.read_parquet(out)
        finally:
            con.close()
    for name in ("2024-05-gwent-street.csv.gz", "2024-06-gwent-street.csv.gz"):
        pd.testing.assert_frame_equal(staged_by[1, name], staged_by[2, name])
        assert staged_by[1, name]["row"].tolist() == list(range(1, 26))
        with gzip.open(folder / name, "rt", encoding="utf-8", newline="") as f:
            written = [r[0] for r in csv.reader(f)][1:]
        assert staged_by[1, name]["Crime ID"].fillna("").tolist() == written
    assert staged_by[1, "2024-05-gwent-street.csv.gz"]["forces_in_file"].unique().tolist() == [2]
    assert staged_by[1, "2024-06-gwent-street.csv.gz"]["forces_in_file"].unique().tolist() == [1]


def test_a_file_duckdb_cannot_read_fails_readable_naming_the_byte(tmp_path):
    folder = tmp_path / "street"
    folder.mkdir()
    rows = raw_rows("street", "2024-05", 5)
    text = "\n".join(",".join(f'"{c}"' for c in r) for r in [police_uk.STREET_HEADER] + rows) + "\n"
    data = text.encode().replace(b"Gwent Police", b"Gw\xe9nt Police", 1)
    (folder / "2024-05-gwent-street.csv.gz").write_bytes(gzip.compress(data, mtime=0))
    write(folder / "2024-06-gwent-street.csv.gz", police_uk.STREET_HEADER,
          raw_rows("street", "2024-06", 3) + [["only", "three", "cells"]])
    _, files, _ = staged(folder)
    verdict = dict(zip(files["source_file"], files["readable"]))
    assert verdict["2024-05-gwent-street.csv.gz"].startswith("not UTF-8 text: byte 0xe9 at byte offset")
    assert verdict["2024-06-gwent-street.csv.gz"].startswith("cannot be parsed as CSV with the published header")
    assert (files["staged"] == "").all()


def test_a_header_only_file_is_not_readable_as_a_month_of_no_crime(tmp_path):
    folder = tmp_path / "street"
    folder.mkdir()
    write(folder / "2024-05-gwent-street.csv.gz", police_uk.STREET_HEADER, [])
    _, files, _ = staged(folder)
    assert files["readable"].tolist() == ["header only: no data rows (a month with no rows would read as no crime)"]


def test_filters_on_staged_rows_keep_the_rows_the_pandas_filter_keeps(tmp_path):
    ds, files, rows = staged(broken_street(tmp_path))
    frame = in_pandas(files)
    name = police_uk.district(raw_rows("street", "2024-05", 25)[8][police_uk.STREET_HEADER.index("LSOA name")])
    for kw in ({"crime_types": ["Violence and sexual offences", "Burglary"]}, {"districts": [name.lower()]},
               {"crime_types": ["Burglary"], "districts": [name]}):
        want = filter_street(frame, **kw)
        kept = filter_street(rows, **kw)
        got = kept.query('SELECT source_file, "row" FROM rows ORDER BY 1, 2')
        assert list(zip(got["source_file"], got["row"])) == sorted(zip(want["source_file"], want["row"])), kw
        assert len(kept) == len(want)
    with pytest.raises(FilterError, match=r"\['Cardiff'\] match no row's LSOA name; districts in the data"):
        filter_street(rows, districts=["Cardiff"])


def test_outcomes_are_staged_and_prepared_as_the_pandas_path_writes(tmp_path):
    folder = tmp_path / "outcomes"
    folder.mkdir()
    for m in PERIOD:
        write(folder / f"{m}-gwent-outcomes.csv.gz", police_uk.OUTCOMES_HEADER, raw_rows("outcomes", m, 40))
    ds, files, rows = staged(folder, "police_uk_outcomes")
    frame = read_csv_strict("police_uk_outcomes", files["path"].tolist(), police_uk.OUTCOMES_HEADER)
    a, b = tmp_path / "sql.parquet", tmp_path / "pandas.parquet"
    assert ds.prepare(rows, a) == ds.prepare(frame, b) == 80
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))


def test_a_gzip_trailer_that_lies_is_stopped_by_the_row_guard(tmp_path, monkeypatch):
    """The gzip trailer holds the unpacked size modulo 4 GiB, so a bomb can claim to be small: the quick check
    believes it, and the read into the cache stops one row past the row guard, naming the file as refused."""
    from scrutiny.inputs import files

    folder = tmp_path / "street"
    folder.mkdir()
    p = write(folder / "2024-05-gwent-street.csv.gz", police_uk.STREET_HEADER, raw_rows("street", "2024-05", 40))
    raw = bytearray(p.read_bytes())
    raw[-4:] = (10).to_bytes(4, "little")  # the trailer now claims 10 bytes of text
    p.write_bytes(bytes(raw))
    monkeypatch.setattr(files, "MAX_ROWS", 25)
    _, found, rows = staged(folder)
    assert found["readable"].tolist() == [
        "more than 25 data rows: far beyond any published file, so it is refused before it fills memory "
        "(a gzip bomb?)"]
    assert found["staged"].tolist() == [""] and len(rows) == 0
    assert not any((tmp_path / "cache").rglob("*.parquet"))


def test_a_prepared_table_is_reused_for_the_same_files_and_filters_only(tmp_path, monkeypatch):
    ds, files, rows = staged(broken_street(tmp_path))
    first, again = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert ds.prepare(rows, first) == 50
    written = []
    real = staging.StagedRows.connect
    monkeypatch.setattr(staging.StagedRows, "connect", lambda self, *a, **k: written.append(1) or real(self, *a, **k))
    assert ds.prepare(rows, again) == 50 and written == []  # copied from the cache, not written again
    pd.testing.assert_frame_equal(pd.read_parquet(first), pd.read_parquet(again))
    kept = filter_street(rows, crime_types=["Burglary"])
    assert ds.prepare(kept, tmp_path / "c.parquet") == len(kept) < 50 and written  # other filters: written



def spy_chunks(monkeypatch) -> list[list[bool]]:
    """For each table written in chunks, which chunks were read in order (True) and which sorted (False)."""
    seen, real = [], staging.StagedRows.chunks

    def spy(self, *a, **k):
        got = real(self, *a, **k)
        seen.append([plain for *_, plain in got])
        return got

    monkeypatch.setattr(staging.StagedRows, "chunks", spy)
    return seen


def sorted_and_in_order(ds, rows, tmp_path, monkeypatch) -> tuple[pd.DataFrame, pd.DataFrame, list[bool]]:
    """The prepared table written with one sort (as before months were read in order) and as the pack writes it
    now, with which of its chunks were read in order."""
    real = staging.StagedRows.write_table
    monkeypatch.setattr(staging.StagedRows, "write_table",
                        lambda self, sql, out, districts=True, chunk_by=None, **_:
                        real(self, sql, out, districts))
    assert ds.prepare(rows, tmp_path / "sorted.parquet") == len(rows)
    monkeypatch.undo()
    monkeypatch.setenv("SCRUTINY_CACHE", str(tmp_path / "cache-2"))  # not the table cached by the sorted write
    seen = spy_chunks(monkeypatch)
    fresh = staging.StagedRows(rows.layout, rows.parts, rows.where)
    assert ds.prepare(fresh, tmp_path / "in-order.parquet") == len(rows)
    assert len(seen) == 1
    return pd.read_parquet(tmp_path / "sorted.parquet"), pd.read_parquet(tmp_path / "in-order.parquet"), seen[0]


def test_a_table_written_from_files_in_order_is_the_sorted_table(tmp_path, monkeypatch):
    """Two months of street rows, a district spelled two ways and a row with no LSOA, the staged files listed
    June first: read May then June with no sort, the table is the sorted one, row for row, districts and all.
    (Gwent's May 2024 file repeats Crime IDs: "May" here is 25 other June rows.)"""
    h = police_uk.STREET_HEADER.index
    spread = raw_rows("street", "2024-06", 5000)  # sorted by LSOA: every 100th row reaches every district
    june, may = spread[::200], spread[100::200]
    for r in may:
        r[h("Month")] = "2024-05"
    ids = [r[h("Crime ID")] for r in may + june if r[h("Crime ID")]]
    assert len(set(ids)) == len(ids) >= 40
    may[7][h("LSOA name")] = may[8][h("LSOA name")].upper()
    june[3][h("LSOA name")] = ""
    ds, _, rows = staged(two_months(tmp_path, may, june))
    rows = staging.StagedRows(rows.layout, rows.parts[::-1])
    want, got, plain = sorted_and_in_order(ds, rows, tmp_path, monkeypatch)
    assert plain == [True]
    pd.testing.assert_frame_equal(got, want)
    assert got["month"].tolist() == ["2024-05"] * 25 + ["2024-06"] * 25 and got["source_row"].tolist() == [
        *range(1, 26), *range(1, 26)]
    assert got["district"].isna().sum() == 1 and got["district"].nunique() == want["district"].nunique() >= 4
    assert not got["repeat_in_month"].any()
    # the same values, with the Crime IDs written with neither dictionary nor compression (police_uk._ENCODING)
    meta = pq.ParquetFile(tmp_path / "in-order.parquet").metadata.row_group(0)
    col = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert col["crime_id"].compression == "UNCOMPRESSED" and not col["crime_id"].has_dictionary_page
    assert col["source_row"].compression == "SNAPPY" and not col["source_row"].has_dictionary_page
    assert col["district"].compression == "SNAPPY" and col["district"].has_dictionary_page


def test_outcomes_written_from_files_in_order_are_the_sorted_table(tmp_path, monkeypatch):
    folder = tmp_path / "outcomes"
    folder.mkdir()
    for m in PERIOD:
        write(folder / f"{m}-gwent-outcomes.csv.gz", police_uk.OUTCOMES_HEADER, raw_rows("outcomes", m, 40))
    ds, _, rows = staged(folder, "police_uk_outcomes")
    want, got, plain = sorted_and_in_order(ds, rows, tmp_path, monkeypatch)
    assert plain == [True] and len(got) == 80
    pd.testing.assert_frame_equal(got, want)


def test_a_month_with_a_repeat_or_a_file_of_two_months_is_sorted_the_others_read_in_order(tmp_path, monkeypatch):
    """Read in file order, a June file holding a May row would come after May's rows, and a repeated Crime ID
    needs a join: those months are sorted, the others read in order, and the table is the sorted one. By hand:
    May (three repeated Crime IDs in Gwent's first 25 rows), June, July (a July file holding one August row),
    August, September (25 rows each): chunks May sorted; June in order; July to August sorted; September in
    order."""
    h = police_uk.STREET_HEADER.index
    folder = tmp_path / "street"
    folder.mkdir()
    may = raw_rows("street", "2024-05", 25)
    assert len({r[h("Crime ID")] for r in may}) == 22
    june = raw_rows("street", "2024-06", 25)
    later = raw_rows("street", "2024-06", 100)[25:]
    for m, got in (("2024-05", may), ("2024-06", june), ("2024-07", later[:25]), ("2024-08", later[25:50]),
                   ("2024-09", later[50:])):
        for r in got:
            r[h("Month")] = m
        write(folder / f"{m}-gwent-street.csv.gz", police_uk.STREET_HEADER, got)
    july = later[:25]
    july[4][h("Month")] = "2024-08"
    write(folder / "2024-07-gwent-street.csv.gz", police_uk.STREET_HEADER, july)
    ds = DATASETS["police_uk_street"]
    files = ds.files_frame(ds.discover(str(folder / "*.csv.gz")), ("2024-05", "2024-09"))
    rows = ds.load_rows(files[files["in_period"]].reset_index(drop=True))
    want, got, plain = sorted_and_in_order(ds, rows, tmp_path, monkeypatch)
    assert plain == [False, True, False, True]
    pd.testing.assert_frame_equal(got, want)
    assert got["repeat_in_month"].sum() == 3 and got["month"].value_counts().to_dict() == {
        "2024-05": 25, "2024-06": 25, "2024-07": 24, "2024-08": 26, "2024-09": 25}
    i = got.index[got["month"] == "2024-08"]
    assert got.loc[i[0], "source_file"] == "2024-07-gwent-street.csv.gz" and got.loc[i[0], "source_row"] == 5


def test_months_are_read_in_order_only_when_their_files_hold_them_alone_once_by_name(tmp_path):
    h = police_uk.STREET_HEADER.index
    may, june = raw_rows("street", "2024-06", 10)[:5], raw_rows("street", "2024-06", 10)[5:]
    for r in may:
        r[h("Month")] = "2024-05"
    _, _, rows = staged(two_months(tmp_path / "ok", may, june))
    assert rows.chunks("Month", 100, refused=set()) == [
        ("\"Month\" BETWEEN '2024-05' AND '2024-06'", [0, 1], True)]
    assert rows.chunks("Month", 100, refused={"2024-06"}) == [
        ("\"Month\" BETWEEN '2024-05' AND '2024-05'", [0], True),
        ("\"Month\" BETWEEN '2024-06' AND '2024-06'", [1], False)]
    assert [plain for *_, plain in rows.chunks("Month", 100)] == [False]  # no query to read them in order
    # narrowed to June's rows, May's file (no rows left) is left out
    assert rows.narrowed("\"Month\" = '2024-06'").chunks("Month", 100, set()) == [
        ("\"Month\" BETWEEN '2024-06' AND '2024-06'", [1], True)]
    # a row with no Month (it sorts last, alone): June's file holds June and NULL, so both are sorted
    blank = [r[:] for r in june]
    blank[2][h("Month")] = ""
    _, _, rows = staged(two_months(tmp_path / "blank", may, blank))
    assert rows.chunks("Month", 100, set()) == [
        ("\"Month\" BETWEEN '2024-05' AND '2024-05'", [0], True),
        ("\"Month\" BETWEEN '2024-06' AND '2024-06'", [1], False), ('"Month" IS NULL', [1], False)]
    # the same file name twice for one month (two folders): sorted; the files of a month read in name order
    _, _, a = staged(two_months(tmp_path / "x", may, june))
    twice = staging.StagedRows(a.layout, a.parts + a.parts[1:])
    assert [plain for *_, plain in twice.chunks("Month", 100, set())] == [True, False]
    _, _, b = staged(two_months(tmp_path / "y", may, june))
    named = staging.StagedRows(a.layout, [b.parts[1], a.parts[0]])
    assert named.chunks("Month", 100, set()) == [("\"Month\" BETWEEN '2024-05' AND '2024-06'", [1, 0], True)]


def test_a_district_looked_up_in_row_order_is_the_joined_district(tmp_path, monkeypatch):
    """Every LSOA name's district by the binary search over sorted names is district_map's (one spelling per
    district); past MAX_DISTRICT_RUNS runs of names there is no lookup (the districts are joined)."""
    h = police_uk.STREET_HEADER.index
    may, june = raw_rows("street", "2024-05", 5000)[::100], raw_rows("street", "2024-06", 5000)[::100]
    may[7][h("LSOA name")] = may[8][h("LSOA name")].upper()
    june[3][h("LSOA name")] = ""
    _, _, rows = staged(two_months(tmp_path, may, june))
    m = rows.district_map()
    lookup = rows.district_lookup("name")
    from scrutiny.inputs.files import cursor

    con = cursor()
    try:
        con.register("m", m)
        got = con.execute(f"SELECT name, {lookup} AS d, district FROM m AS t(name, as_written, district) "
                          "ORDER BY 1").fetchall()
    finally:
        con.close()
    assert len(got) == len(m) >= 50 and len({d for _, d, _ in got}) >= 5 and all(d == want for _, d, want in got)
    assert sum(name is None for name, _, _ in got) == 1
    runs = len(rows.district_lookup("name").split(" THEN ")) - 1  # each run one THEN, and one for a missing name
    monkeypatch.setattr(staging, "MAX_DISTRICT_RUNS", runs - 1)
    assert rows.district_lookup() is None


def test_a_table_of_no_rows_is_written_with_its_columns(tmp_path):
    """Narrowed to no row (a deep dive's filters), the table is written empty with the columns of one with rows."""
    ds, _, rows = staged(two_months(tmp_path, raw_rows("street", "2024-05", 5), raw_rows("street", "2024-06", 5)))
    assert ds.prepare(rows, tmp_path / "all.parquet") == 10
    assert ds.prepare(rows.narrowed("\"Crime type\" = 'No such type'"), tmp_path / "none.parquet") == 0
    full, none = pd.read_parquet(tmp_path / "all.parquet"), pd.read_parquet(tmp_path / "none.parquet")
    assert len(none) == 0 and list(none.columns) == list(full.columns)


def test_files_hashed_side_by_side_are_recorded_in_order_as_one_by_one(tmp_path):
    """quick_records (threads) gives quick_record's rows in the files' order: good files, an empty one, a folder."""
    from scrutiny.inputs.files import quick_record, quick_records, sha256_file

    folder = two_months(tmp_path, raw_rows("street", "2024-05", 5), raw_rows("street", "2024-06", 7))
    (folder / "2024-07-gwent-street.csv.gz").write_bytes(b"")
    (folder / "2024-08-gwent-street.csv.gz").mkdir()
    paths = sorted(folder.iterdir())
    got = quick_records(paths)
    assert got == [quick_record(p) for p in paths]
    assert [g["readable"] for g in got] == ["ok", "ok", "empty file (0 bytes)", "is a folder, not a file"]
    assert got[1]["sha256"] == sha256_file(paths[1]) and got[1]["source_file"] == "2024-06-gwent-street.csv.gz"
