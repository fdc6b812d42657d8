"""File helpers every input and the manifest share: find an input's files, check each as a file (readable,
UTF-8, CSV, within the size guards), hash it, read its header, and write Parquet or connect to DuckDB.

A leaf: it imports only `paths` of ours, so every input module (ingest, ho_outcomes, pfa, published) and
provenance can use it without importing each other. `ingest` re-exports these names for older callers.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import hashlib
import io
import os
import struct
import threading
import zlib
from pathlib import Path

import duckdb
import pandas as pd

from scrutiny import paths

zlib_error = zlib.error


class InputError(Exception):
    """An input that cannot be read at all (no files, unreadable); exit code 2."""


_database: tuple[int, duckdb.DuckDBPyConnection] | None = None  # (process id, the process's in-memory database)
_database_lock = threading.Lock()


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB database of its own that never reaches for the network, and draws no progress bar of its own (the
    pack reports progress in its own lines; DuckDB's bar, drawn for a query of over 2 s, filled logs with redraws).
    In a notebook kernel DuckDB refuses to change that setting without ipywidgets, and draws no bar without it.
    For queries that make only temporary views and tables, cursor() costs nothing to open."""
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")
    try:
        con.execute("SET enable_progress_bar=false")
    except duckdb.InvalidInputException:
        pass
    return con


def cursor() -> duckdb.DuckDBPyConnection:
    """A connection (cursor) to one in-memory database per process, set up as connect()'s. Opening a DuckDB
    database costs about 40 ms (its catalog of built-in functions is built each time) and a pack ran some sixty
    queries each on a database of its own; a cursor costs nothing. The views and tables a cursor makes TEMP, the
    frames registered on it and its session settings (e.g. TimeZone) are its own and dropped when it is closed;
    it must make nothing else, nor change a setting of the whole database (threads, memory_limit: use connect())."""
    global _database
    with _database_lock:
        if _database is None or _database[0] != os.getpid():  # a forked process opens its own
            _database = (os.getpid(), connect())
        con = _database[1].cursor()
    try:
        con.execute("SET enable_progress_bar=false")
    except duckdb.InvalidInputException:
        pass
    return con


def close_shared() -> None:
    """Close cursor()'s database, returning the memory DuckDB keeps for it (its buffers and the metadata of the
    files it read); the next cursor() opens a new one. For when no cursor is in use and this process will wait
    long (e.g. the pack runner before its notebooks, whose kernels need the memory)."""
    global _database
    with _database_lock:
        if _database is not None and _database[0] == os.getpid():
            _database[1].close()
        _database = None


def open_text(path: Path):
    """A CSV file (optionally gzipped) opened as UTF-8 text; a byte-order mark is skipped."""
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


# Guards on one input file, whatever its compressed size: far beyond any published file (a month of the
# Metropolitan Police's street file is about 100,000 rows, 25 MB), small enough to stop a gzip bomb (2 MB of gzip
# can hold 2 GB of text) before it fills memory. Not params: a file this large is not an input, whatever the pack.
MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3  # 2 GiB of text per file
MAX_ROWS = 20_000_000  # data rows per file
CHUNK = 1 << 20


class _TooLarge(Exception):
    pass


class _Counted(io.RawIOBase):
    """A binary stream that counts the bytes read through it and stops past MAX_DECOMPRESSED_BYTES."""

    def __init__(self, f, limit: int):
        self.f, self.limit, self.n = f, limit, 0

    def readable(self):
        return True

    def readinto(self, b):
        data = self.f.read(len(b))
        self.n += len(data)
        if self.n > self.limit:
            raise _TooLarge
        b[:len(data)] = data
        return len(data)


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def _bad_utf8(path: Path) -> str:
    """Where the text stops being UTF-8: the byte, its offset in the (decompressed) text and its line."""
    dec = codecs.getincrementaldecoder("utf-8")()
    offset, lines, first = 0, 1, True
    with _open_binary(path) as f:
        while True:
            chunk = f.read(CHUNK)
            if first and chunk.startswith(codecs.BOM_UTF8):
                chunk, offset = chunk[3:], 3
            first = False
            pending = dec.getstate()[0]
            try:
                dec.decode(chunk, final=not chunk)
            except UnicodeDecodeError as e:
                data = pending + chunk
                at = offset - len(pending) + e.start
                line = lines + data.count(b"\n", 0, e.start)
                where = "of the decompressed text " if path.name.endswith(".gz") else ""
                return (f"not UTF-8 text: byte 0x{data[e.start]:02x} at byte offset {at} {where}(line {line}); "
                        "re-save the file as UTF-8 (it may be Windows-1252 from a spreadsheet)")
            if not chunk:
                return "not UTF-8 text"
            offset += len(chunk)
            lines += chunk.count(b"\n")


def inspect_file(path: Path) -> tuple[str, list[str] | None, int]:
    """(verdict, header, data rows) of one CSV file, read as a stream (memory does not grow with the file).

    The verdict is 'ok' or why the file cannot be used: empty, not gzip though named .gz, truncated
    gzip, not UTF-8 (naming the byte, its offset and its line), a row the CSV reader cannot parse (naming the
    line), larger than MAX_DECOMPRESSED_BYTES or MAX_ROWS (a gzip bomb), or a header with no data rows (which
    would otherwise read as a month with no crime at all). A UTF-8 byte-order mark is accepted.
    """
    gz = path.name.endswith(".gz")
    try:
        if path.is_dir():
            return "is a folder, not a file", None, 0
        if path.stat().st_size == 0:
            return "empty file (0 bytes)", None, 0
        if gz:
            with open(path, "rb") as f:
                if f.read(2) != b"\x1f\x8b":
                    return "named .gz but is not gzip-compressed", None, 0
        elif path.stat().st_size > MAX_DECOMPRESSED_BYTES:
            raise _TooLarge
        with _open_binary(path) as raw:
            text = io.TextIOWrapper(io.BufferedReader(_Counted(raw, MAX_DECOMPRESSED_BYTES), CHUNK),
                                    encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            header, rows, blank = None, 0, True
            for row in reader:
                if header is None:
                    header = row
                    blank = not any(c.strip() for c in row)
                    continue
                if row:
                    rows += 1
                    if rows > MAX_ROWS:
                        return (f"more than {MAX_ROWS:,} data rows: far beyond any published file, so it is "
                                "refused before it fills memory (a gzip bomb?)"), None, 0
    except _TooLarge:
        what = "decompresses to" if gz else "is"
        n = MAX_DECOMPRESSED_BYTES
        size = f"{n / 1024 ** 3:g} GiB" if n >= 1024 ** 3 else f"{n / 1024 ** 2:g} MiB"
        return (f"{what} more than {size} of text: far beyond any published file, so it is refused before it "
                "fills memory (a gzip bomb?)"), None, 0
    except EOFError:
        return "gzip stream is truncated (incomplete download?)", None, 0
    except UnicodeDecodeError:
        return _bad_utf8(path), None, 0
    except csv.Error as e:
        return (f"cannot be read as CSV at line {reader.line_num} (data row {rows + 1}): {e}"), None, 0
    except (OSError, gzip.BadGzipFile, zlib_error) as e:
        return f"cannot read or decompress: {getattr(e, 'strerror', None) or e}", None, 0
    if header is None or (blank and rows == 0):
        return "empty file (no header row)", None, 0
    if rows == 0:
        return "header only: no data rows (a month with no rows would read as no crime)", header, 0
    return "ok", header, rows


def check_readable(path: Path) -> str:
    """'ok', or why the file cannot be read as UTF-8 CSV (bad gzip, truncated, not UTF-8, empty)."""
    return inspect_file(path)[0]


def read_header(path: Path) -> list[str] | None:
    with open_text(path) as f:
        row = next(csv.reader(f), None)
    return row


def discover_files(name: str, pattern: str) -> list[Path]:
    """The files an input's path (a glob, ** allowed) matches, sorted; InputError when it matches no file."""
    p = str(paths.resolve(pattern))
    found = sorted(Path(f) for f in glob.glob(p, recursive=True))
    files = [f for f in found if f.is_file()]
    if not files:
        what = " (only folders)" if found else ""
        raise InputError(f"input {name}: the path {pattern!r} (params inputs.{name}.path) matches "
                         f"no file{what} (looked for {p})")
    return files


def quick_records(paths: list[Path]) -> list[dict]:
    """quick_record of each path, in order, hashed on every core (hashlib releases the GIL while it hashes: the
    national year's 1,032 files, 657 MB, in 0.4 s on two cores against 0.7–1.0 s one after the other)."""
    if len(paths) < 2:
        return [quick_record(p) for p in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1)) as pool:
        return list(pool.map(quick_record, paths))


def quick_record(path: Path) -> dict:
    """One row of the files table without reading the whole file: readable ('ok' or why not), the header (first
    line), size and sha256. A gzip file whose trailer says it unpacks to more than the pack's limit is refused
    (the trailer holds the size modulo 4 GiB, so load_rows also stops reading one row past files.MAX_ROWS)."""
    rec = {"source_file": path.name, "path": str(path), "file_month": None, "in_period": True, "readable": "ok",
           "header": "", "bytes": path.stat().st_size if path.is_file() else 0,
           "sha256": sha256_file(path) if path.is_file() else ""}
    gz = path.name.endswith(".gz")
    try:
        if path.is_dir():
            return {**rec, "readable": "is a folder, not a file"}
        if rec["bytes"] == 0:
            return {**rec, "readable": "empty file (0 bytes)"}
        with open(path, "rb") as f:
            if gz:
                if f.read(2) != b"\x1f\x8b":
                    return {**rec, "readable": "named .gz but is not gzip-compressed"}
                f.seek(-4, 2)
                if struct.unpack("<I", f.read(4))[0] > MAX_DECOMPRESSED_BYTES:
                    return {**rec, "readable": "unpacks to more than the pack's limit of text (a gzip bomb?)"}
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as raw:
            first = raw.readline(1 << 16)
        line = first.decode("utf-8-sig")
    except (EOFError, OSError, gzip.BadGzipFile) as e:
        return {**rec, "readable": f"cannot read or decompress: {getattr(e, 'strerror', None) or e}"}
    except UnicodeDecodeError:
        return {**rec, "readable": "the header line is not UTF-8 text; re-save the file as UTF-8"}
    header = next(csv.reader(io.StringIO(line)), [])
    if not header:
        return {**rec, "readable": "empty file (no header row)"}
    return {**rec, "header": "|".join(header)}


def file_record(path: Path, strip_header: bool = False) -> tuple[dict, list[str] | None]:
    """One row of an input's files table (name, path, readability, header as read, data rows, size, sha256),
    and the header cells themselves (None when unreadable)."""
    readable, header, data_rows = inspect_file(path)
    if header is not None and strip_header:
        header = [c.strip() for c in header]
    return ({"source_file": path.name, "path": str(path), "file_month": None, "readable": readable,
             "header": "|".join(header) if header else "", "data_rows": data_rows,
             "bytes": path.stat().st_size if path.is_file() else 0, "sha256": sha256_file(path) if path.is_file()
             else ""}, header)


def write_parquet(con: duckdb.DuckDBPyConnection, select_sql: str, out: Path) -> int:
    """COPY the rows of a SELECT to a Parquet file; returns how many rows were written."""
    con.execute(f"COPY ({select_sql}) TO {sql_string(out)} (FORMAT parquet)")
    return con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0]


def sql_string(value) -> str:
    """A SQL string literal (single quotes doubled), for the places DuckDB takes no parameter (COPY ... TO)."""
    return "'" + str(value).replace("'", "''") + "'"


SAMPLE_DIR = paths.REPO_ROOT / "data" / "sample"  # the generated samples and fixtures the project ships


def is_sample_copy(path: Path) -> bool:
    """Whether a file has the bytes of a file under data/sample/: a shipped sample or fixture copied elsewhere,
    under any name, is still that sample."""
    return same_bytes({Path(path)}, {f for f in SAMPLE_DIR.rglob("*") if f.is_file()})


def same_bytes(these, those) -> bool:
    """Whether a file of `these` has the bytes of a file of `those` (paths; compared by size, then sha256, so
    only files of the same size are read). A file that cannot be read matches nothing."""
    def size(f: Path) -> int | None:
        try:
            return Path(f).stat().st_size
        except OSError:
            return None

    sizes: dict[int, list[Path]] = {}
    for f in those:
        if (n := size(f)) is not None:
            sizes.setdefault(n, []).append(Path(f))
    for f in these:
        if (n := size(f)) in sizes:
            try:
                if sha256_file(Path(f)) in {sha256_file(g) for g in sizes[n]}:
                    return True
            except OSError:
                continue
    return False


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes (hex), read in 1 MiB chunks: what `sha256sum` prints."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_csv_strict(name: str, paths_: list[str], header: list[str]) -> pd.DataFrame:
    """Every row of CSV files that share a published header, all columns as text exactly as written, with
    `source_file` (the file's name) and `row` (1-based data row within its file).

    The one strict reader of the project: DuckDB with the header given (no type sniffing), RFC 4180 quoting and
    strict mode, so a ragged row or a stray quote fails instead of shifting columns; the failing file is named
    (InputError). Read through Arrow: about half the peak memory of materialising rows twice."""
    cols = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
    sql = (f"SELECT * FROM read_csv($files, header=true, auto_detect=false, columns={cols}, "
           "filename=true, delim=',', quote='\"', escape='\"', strict_mode=true)")
    con = connect()
    try:
        df = con.sql(sql, params={"files": list(paths_)}).to_arrow_table().to_pandas()
    except duckdb.Error as e:
        for p in paths_:  # find the file that breaks, to name it
            try:
                con.execute(sql, {"files": [p]}).fetchall()
            except duckdb.Error as e1:
                raise InputError(f"input {name}: {p}: cannot be parsed as CSV with the published "
                                 f"header: {str(e1).splitlines()[0]}") from None
        raise InputError(f"input {name}: cannot be parsed: {str(e).splitlines()[0]}") from None
    finally:
        con.close()
    filename = df.pop("filename")
    df["source_file"] = filename.map({f: Path(f).name for f in filename.unique()})  # once per file, not per row
    df["row"] = df.groupby("source_file", sort=False).cumcount() + 1
    return df
