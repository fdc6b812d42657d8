"""police.uk rows read once by DuckDB and kept as Parquet, one file per input file, in a cache keyed by content.

A street or outcomes file is read by DuckDB straight from its `.csv.gz` (strictly: the published header given,
RFC 4180 quoting, a ragged row or a stray quote is an error, every column text as written) and written to
`<cache>/<dataset>/<sha256 of the file>-<name hash>-v<version>.parquet` with its 1-based `row`, its `source_file`
name, and the per-file columns the contract checks. The next run that is given the same file (same bytes, same
name) reads the Parquet instead; a changed file has another sha256, so it is read again. Nothing passes through
Python row by row, and nothing is held in memory between the steps: the contract, the file statistics and the
prepared table are SQL over the cached files (`StagedRows`).

The cache is `outputs/.cache/ingest/` (or `$SCRUTINY_CACHE`); deleting it is always safe. Where it cannot be
written, a temporary folder serves the one run.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from scrutiny import paths
from scrutiny.inputs import files as input_files
from scrutiny.inputs.files import sql_string

VERSION = 1  # of what a cached file holds; a change here re-reads every file
MEMORY_PER_FILE = "1GB"  # DuckDB's memory for reading one file (a month of the largest force is about 100 MB)
CHUNK_ROWS = 1_000_000  # rows a prepared table sorts at once (write_table's chunk_by): about 0.7 GB of sort
ROW_GROUP = 122_880  # rows per Parquet row group of a table written in chunks (DuckDB's own size)
# a district looked up in row order (StagedRows.district_lookup) is a binary search over runs of sorted LSOA names
# of one district, in nested CASEs; names making more runs than this are joined to their districts instead
MAX_DISTRICT_RUNS = 5_000
_fallback: dict[str, Path] = {}
_fallback_lock = threading.Lock()


def cache_dir() -> Path:
    """Where staged files are kept: $SCRUTINY_CACHE, else outputs/.cache/ingest/ in the repository; a temporary
    folder (for this process) when that cannot be created."""
    root = Path(os.environ.get("SCRUTINY_CACHE") or paths.REPO_ROOT / "outputs" / ".cache" / "ingest")
    try:
        root.mkdir(parents=True, exist_ok=True)
        if os.access(root, os.W_OK):
            return root
    except OSError:
        pass
    with _fallback_lock:
        if "dir" not in _fallback:
            _fallback["dir"] = Path(tempfile.mkdtemp(prefix="scrutiny-ingest-"))
        return _fallback["dir"]


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Layout:
    """What one dataset's staged files hold: the published header (read as text) and the per-file columns."""

    dataset: str
    header: tuple[str, ...]
    derived: tuple[str, ...] = ()  # SQL select items over the text columns of one row (and earlier derived ones)
    replace: tuple[str, ...] = ()  # `expr AS column` items that replace text columns as read (e.g. blank to NULL)
    # columns with one value for the whole file: (column, an aggregate over the file's rows, the value nearly every
    # file has, as a typed SQL literal); written before the derived columns
    per_file: tuple[tuple[str, str, str], ...] = ()

    def key(self) -> str:
        what = ((VERSION, self.header, self.derived) + ((self.replace,) if self.replace else ())
                + ((self.per_file,) if self.per_file else ()))
        h = hashlib.sha256(repr(what).encode()).hexdigest()[:10]
        return f"v{VERSION}-{h}"

    def read_sql(self, path: str) -> str:
        cols = "{" + ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in self.header) + "}"
        star = f"* REPLACE ({', '.join(self.replace)})" if self.replace else "*"
        return (f"SELECT {star} FROM read_csv({sql_string(path)}, header=true, auto_detect=false, columns={cols}, "
                "delim=',', quote='\"', escape='\"', strict_mode=true)")


def staged_path(layout: Layout, name: str, sha256: str) -> Path:
    tag = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return cache_dir() / layout.dataset / f"{sha256}-{tag}-{layout.key()}.parquet"


def reader(threads: int = 1) -> duckdb.DuckDBPyConnection:
    """A connection for reading files into the cache: one thread by default (one gzip stream is read by one
    thread; files are read side by side), and a memory limit past which a file's table spills to disk, so no file
    can fill memory. A single file (e.g. a force's calls extract) is read with every core: its rows are parsed and
    its derived columns computed in parallel."""
    con = input_files.connect()
    con.execute("SET TimeZone='UTC'")  # a derived column never reads a time in the machine's own zone
    con.execute(f"SET threads={int(threads)}")
    con.execute(f"SET memory_limit='{MEMORY_PER_FILE}'")
    con.execute(f"SET temp_directory={sql_string(cache_dir() / '.spill')}")
    return con


def stage_file(layout: Layout, path: str, name: str, sha256: str, file_month: str | None,
               con: duckdb.DuckDBPyConnection | None = None, allow_empty: bool = False) -> tuple[str, str, int]:
    """(verdict, staged Parquet path, data rows) for one file: 'ok' and its staged rows, or why it cannot be
    read (then no path). A staged file already in the cache is used as it is. `con`: a reader() to use (and
    leave open), else one of its own. allow_empty: a file with a header and no rows is staged (no rows), not
    refused.

    A connection reading with one thread streams the file straight into Parquet (`_stream`: nothing of the file
    is held in memory); one reading with more threads reads it into a table first, parsed by every core
    (`_via_table`). A file the stream cannot write is read again through the table, which names what is wrong."""
    out = staged_path(layout, name, sha256)
    if out.is_file():
        q = input_files.cursor()
        try:
            n = q.execute(f"SELECT count(*) FROM read_parquet({sql_string(out)})").fetchone()[0]
            return "ok", str(out), int(n)
        except duckdb.Error:
            pass  # an unreadable cache file is read again from the input
        finally:
            q.close()
    own = con is None
    con = reader() if own else con
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
        try:
            n = None
            if int(con.execute("SELECT current_setting('threads')").fetchone()[0]) == 1:
                with contextlib.suppress(duckdb.Error):
                    n = _stream(con, layout, path, name, file_month, tmp, allow_empty)
            verdict, n = _verdict(n, allow_empty) if n is not None else _via_table(
                con, layout, path, name, file_month, tmp, allow_empty)
            if verdict != "ok":
                return verdict, "", 0
            os.replace(tmp, out)
        finally:
            if tmp.exists():
                tmp.unlink()
        return "ok", str(out), n
    finally:
        if own:
            con.close()
        else:
            con.execute("DROP TABLE IF EXISTS t")


def _verdict(n: int, allow_empty: bool) -> tuple[str, int]:
    """('ok', n) for a file of n data rows, else why it is refused."""
    if n > input_files.MAX_ROWS:
        return (f"more than {input_files.MAX_ROWS:,} data rows: far beyond any published file, so it is refused "
                "before it fills memory (a gzip bomb?)"), n
    if n == 0 and not allow_empty:
        return "header only: no data rows (a month with no rows would read as no crime)", n
    return "ok", n


def _lead(name: str, file_month: str | None, row: str) -> str:
    """The first three columns of a staged file: its name, each row's data row (`row`, SQL) and its month."""
    month = sql_string(file_month) if file_month else "NULL"
    return f"{sql_string(name)} AS source_file, {row} AS row, {month} AS file_month"


def _stream(con, layout: Layout, path: str, name: str, file_month: str | None, tmp: Path,
            allow_empty: bool) -> int:
    """The file read by one thread straight into Parquet at `tmp`: rows numbered as they are read (a streaming
    row_number: one thread reads the file from its first row to its last), at most MAX_ROWS + 1 of them (the
    row guard stops a gzip bomb). The per-file columns are written as the value nearly every file has, then
    worked out from the Parquet; where one differs (a file of two forces, an empty file), the file is written
    again from its Parquet with the right value. The rows written."""
    items = [_lead(name, file_month, "row_number() OVER ()"), "*",
             *(f"{lit} AS {ident(col)}" for col, _, lit in layout.per_file), *layout.derived]
    n = int(con.execute(f"COPY (SELECT {', '.join(items)} FROM ({layout.read_sql(path)} "
                        f"LIMIT {input_files.MAX_ROWS + 1})) TO {sql_string(tmp)} (FORMAT parquet)").fetchone()[0])
    if layout.per_file and _verdict(n, allow_empty)[0] == "ok":
        src = f"read_parquet({sql_string(tmp)})"
        same = " AND ".join(f"(({agg}) IS NOT DISTINCT FROM ({lit}))" for _, agg, lit in layout.per_file)
        if not con.execute(f"SELECT {same} FROM {src}").fetchone()[0]:
            fixed = tmp.with_name(tmp.name + ".fix")
            try:
                values = ", ".join(f"(SELECT {agg} FROM {src}) AS {ident(col)}" for col, agg, _ in layout.per_file)
                con.execute(f"COPY (SELECT * REPLACE ({values}) FROM {src}) TO {sql_string(fixed)} (FORMAT parquet)")
                os.replace(fixed, tmp)
            finally:
                if fixed.exists():
                    fixed.unlink()
    return n


def _via_table(con, layout: Layout, path: str, name: str, file_month: str | None, tmp: Path,
               allow_empty: bool) -> tuple[str, int]:
    """(verdict, rows) for the file read into table `t` (parsed by every thread of `con`), then written to
    Parquet at `tmp` when it passes the row guard."""
    try:
        con.execute("DROP TABLE IF EXISTS t")
        con.execute(f"CREATE TEMP TABLE t AS {layout.read_sql(path)} LIMIT {input_files.MAX_ROWS + 1}")
    except duckdb.Error as e:
        verdict = input_files.inspect_file(Path(path))[0]
        if verdict == "ok":
            verdict = f"cannot be parsed as CSV with the published header: {str(e).splitlines()[0]}"
        return verdict, 0
    verdict, n = _verdict(int(con.execute("SELECT count(*) FROM t").fetchone()[0]), allow_empty)
    if verdict != "ok":
        return verdict, n
    # t holds the rows in file order, so rowid + 1 is each row's data row, whatever order they are written in; no
    # ORDER BY: DuckDB keeps a table's order through a SELECT from it alone (its "order preservation" rules), and
    # sorting cost a tenth of the file's time
    items = [_lead(name, file_month, "rowid + 1"), "*",
             *(f"(SELECT {agg} FROM t) AS {ident(col)}" for col, agg, _ in layout.per_file), *layout.derived]
    con.execute(f"COPY (SELECT {', '.join(items)} FROM t) TO {sql_string(tmp)} (FORMAT parquet)")
    return verdict, n


_progress: contextvars.ContextVar = contextvars.ContextVar("staging_progress", default=None)


@contextlib.contextmanager
def reporting(line):
    """While inside, stage_files in this thread reports its progress through `line(text)` (a plain line every
    few seconds while files are being read: files read, rows)."""
    token = _progress.set(line)
    try:
        yield
    finally:
        _progress.reset(token)


def stage_files(layout: Layout, files: pd.DataFrame, every: float = 5.0,
                allow_empty: bool = False) -> list[tuple[str, str, int]]:
    """stage_file for each row of a files table (path, source_file, sha256, file_month), two at a time (one per
    core); results in the table's order."""
    args = list(zip(files["path"], files["source_file"], files["sha256"], files["file_month"]))
    report, t0 = _progress.get(), time.monotonic()
    last, done, rows = t0, 0, 0
    cores = os.cpu_count() or 1
    workers = max(1, min(len(args), cores))
    # one connection a worker, reused file after file; made when a file is first read (a file already in the
    # cache needs none)
    readers: queue.SimpleQueue = queue.SimpleQueue()

    def one(a):
        if staged_path(layout, a[1], a[2]).is_file():
            return stage_file(layout, *a, allow_empty=allow_empty)
        try:
            con = readers.get_nowait()
        except queue.Empty:
            con = reader(max(1, cores // workers))
        try:
            return stage_file(layout, *a, con=con, allow_empty=allow_empty)
        finally:
            readers.put(con)

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(one, a) for a in args]
            for f in as_completed(futures):
                done, rows = done + 1, rows + f.result()[2]
                now = time.monotonic()
                if report and (now - last >= every or (done == len(args) and now - t0 >= every)):
                    report(f"{layout.dataset}: reading files: {done} of {len(args)}, {rows:,} rows, "
                           f"{now - t0:.0f} s")
                    last = now
    finally:
        while not readers.empty():
            readers.get().close()
    return [f.result() for f in futures]


@dataclass(frozen=True)
class Encoding:
    """How a table written in chunks (pyarrow's Parquet writer) encodes some columns, where the default (a
    dictionary of the values, then snappy) costs time for nothing. `no_dictionary`: columns whose values nearly all
    differ (an identifier, a row number, coordinates): the writer builds a dictionary until it outgrows its page,
    then writes the values plain anyway. `uncompressed`: columns of random text that snappy cannot shrink (a Crime
    ID is 64 hexadecimal digits of a hash). A national year's street table: 3.1 s to write instead of 4.1 s, 464
    MB instead of 462 MB. The values read back are the same."""

    no_dictionary: tuple[str, ...] = ()
    uncompressed: tuple[str, ...] = ()

    def writer_options(self, columns: list[str]) -> dict:
        """Keyword arguments of pyarrow.parquet.ParquetWriter for a table of `columns`."""
        return {"compression": {c: ("none" if c in self.uncompressed else "snappy") for c in columns},
                "use_dictionary": [c for c in columns if c not in self.no_dictionary]}


@dataclass
class StagedRows:
    """The rows of one input's files as staged Parquet: what the contract checks and the prepared table is
    written from, by SQL. `where` narrows them (a deep dive's filters)."""

    layout: Layout
    parts: list[str]  # staged Parquet files, in the order of the files table
    where: str = ""
    # a query over `{rows}` (the staged rows) adding the columns checked across files or against another input
    # (the extract's date, a decision's crime); the view `rows` the contract reads, not the typed table
    checks: str = ""
    # other inputs' staged rows the checks read, each as a view (name, staged Parquet files) with `part`, the
    # file's place in that list (names in SQL, so no file path is ever spliced into the checks' text)
    joined: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _n: int | None = field(default=None, repr=False)
    _districts: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def columns(self) -> list[str]:
        return ["source_file", "row", "file_month", *self.layout.header]

    def source_sql(self, file_index: bool = False) -> str:
        """The staged rows as SQL (`file_index`: with the index of each row's staged file in `parts`)."""
        if not self.parts:
            cols = ", ".join(f"NULL::VARCHAR AS {ident(c)}" for c in ["source_file", "file_month",
                                                                      *self.layout.header])
            return f"SELECT {cols}, NULL::BIGINT AS row{', 0 AS file_index' if file_index else ''} WHERE FALSE"
        files = "[" + ", ".join(sql_string(p) for p in self.parts) + "]"
        return (f"SELECT *{', file_index' if file_index else ''} FROM read_parquet({files}, union_by_name=true)"
                + (f" WHERE {self.where}" if self.where else ""))

    def connect(self, name: str = "rows", districts: bool = True, checks: bool = True) -> duckdb.DuckDBPyConnection:
        """A connection with the rows as view `name`, and (when the files have LSOA names) columns `district`
        (one spelling per district, as reference.police_uk.districts) and `district_spelling_ok`. checks: with the
        columns of `self.checks` (their join keeps no row order: not for writing a table)."""
        con = input_files.cursor()
        con.execute("SET TimeZone='UTC'")  # as the rows were staged: no time is read in the machine's own zone
        view = self.rows_sql(con, districts)
        if checks and self.checks:
            for other, parts in self.joined:
                files = "[" + ", ".join(sql_string(p) for p in parts) + "]"
                con.execute(f"CREATE TEMP VIEW {ident(other)} AS SELECT *, file_index AS part "
                            f"FROM read_parquet({files}, union_by_name=true)")
            view = self.checks.replace("{rows}", f"({view})")
        con.execute(f"CREATE TEMP VIEW {ident(name)} AS {view}")
        return con

    def rows_sql(self, con: duckdb.DuckDBPyConnection, districts: bool = True) -> str:
        """The rows as SQL on `con`, with `district` and `district_spelling_ok` (the district map registered on
        `con` as `district_map`) when `districts` and the files have LSOA names."""
        if not (districts and "LSOA name" in self.layout.header):
            return self.source_sql()
        con.register("district_map", self.district_map())
        return f"""
                SELECT r.*, m.district, (m.as_written IS NULL OR m.as_written = m.district) AS district_spelling_ok
                FROM ({self.source_sql()}) AS r
                LEFT JOIN district_map AS m ON m.lsoa_name = r."LSOA name" """

    def __len__(self) -> int:
        if self._n is None:
            con = input_files.cursor()
            try:
                self._n = int(con.execute(f"SELECT count(*) FROM ({self.source_sql()})").fetchone()[0])
            finally:
                con.close()
        return self._n

    def query(self, sql: str, districts: bool = False) -> pd.DataFrame:
        """An aggregate over the rows (view `rows`) as a pandas frame."""
        con = self.connect(districts=districts)
        try:
            return con.execute(sql).df()
        finally:
            con.close()

    def district_map(self) -> pd.DataFrame:
        """Each distinct LSOA name of the rows with its district (reference.police_uk.district_table)."""
        from scrutiny.reference.police_uk import district_table

        if self._districts is None:
            names = self.query('SELECT "LSOA name" AS name, count(*) AS n FROM rows GROUP BY 1 ORDER BY 1 NULLS LAST')
            self._districts = district_table(names["name"].astype(object), names["n"].to_numpy())
        return self._districts

    def rows_per_file(self) -> dict[str, int]:
        t = self.query("SELECT source_file, count(*) AS n FROM rows GROUP BY 1")
        return {str(f): int(n) for f, n in zip(t["source_file"], t["n"])}

    def spelling_note(self) -> str:
        """The districts spelled more than one way and the months each spelling appears in, in words."""
        from scrutiny.reference.police_uk import district_spellings, spelling_note

        t = self.query('SELECT "LSOA name" AS name, file_month, count(*) AS n FROM rows '
                       'WHERE "LSOA name" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2')
        return spelling_note(district_spellings(t["name"].astype(object), t["file_month"], t["n"].to_numpy()))

    def to_frame(self) -> pd.DataFrame:
        """Every row, with `district` and `district_spelling_ok`, in file and row order: for a look by hand at a
        small input (it loads them all)."""
        return self.query('SELECT * FROM rows ORDER BY source_file, "row"', districts=True)

    def write_table(self, select_sql: str, out: Path, districts: bool = True, chunk_by: str | None = None,
                    in_order=None, encoding: Encoding | None = None) -> int:
        """COPY `select_sql` (a query over the view `rows`, with districts) to Parquet at `out`, through the cache:
        the table is a function of the staged files (named by their contents), the narrowing and the query, so a
        table written before from the same three is copied instead of written again. The rows written.

        in_order (with chunk_by): (query, refused) for a query ordered by (chunk_by, source_file, row): `query` is
        the same query with no ORDER BY and nothing that reorders rows (no join, no grouping, no window), right for
        rows of the values of chunk_by that `refused` (a query over `rows`) does not give (e.g. the months where
        a Crime ID repeats, whose flag needs a join). The rows of a value whose files hold it alone, once by name,
        are then written from `query` with the files read in (value, name) order, each from its first row to its
        last, with no sort and each row's district found without a join (district_lookup): DuckDB keeps the
        order of one table's rows through SELECT and WHERE ("order preservation",
        duckdb.org/docs/sql/dialect/order_preservation). The other values' rows are sorted, as below
        (write_chunked).

        chunk_by: a column of the rows that leads the query's ORDER BY (ascending, NULLs last) and that every
        row-to-row reference in the query stays within (e.g. the month, for repeats within a month). More than
        CHUNK_ROWS rows are then written in chunks of consecutive values, each sorted alone, one after the other
        (`write_chunked`): DuckDB's sort holds every row it sorts in memory (a national year's street rows:
        4.4 GB), a chunk's sort only its own.

        encoding: columns written in chunks with no dictionary or no compression (see Encoding); the values are
        the same either way."""
        key = hashlib.sha256(repr((VERSION, [Path(p).name for p in self.parts], self.where, select_sql)
                                  + (() if districts else ("no districts",))).encode()).hexdigest()
        cached = cache_dir() / self.layout.dataset / "tables" / f"{key}.parquet"
        con = None
        try:
            if not cached.is_file():
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_name(f".{cached.name}.{uuid.uuid4().hex}.tmp")
                try:
                    if chunk_by and (in_order is not None or len(self) > CHUNK_ROWS):
                        self.write_chunked(select_sql, tmp, districts, chunk_by, in_order, encoding)
                    else:
                        con = self.connect("rows", districts=districts, checks=False)
                        con.execute(f"COPY ({select_sql}) TO {sql_string(tmp)} (FORMAT parquet)")
                    os.replace(tmp, cached)
                finally:
                    if tmp.exists():
                        tmp.unlink()
            shutil.copyfile(cached, out)
            con = con or input_files.cursor()
            return int(con.execute(f"SELECT count(*) FROM read_parquet({sql_string(out)})").fetchall()[0][0])
        finally:
            if con is not None:
                con.close()

    def district_lookup(self, column: str = '"LSOA name"') -> str | None:
        """Each row's `district` (as district_map) as a SQL expression over `column` that keeps the rows' order,
        as a join does not: the distinct LSOA names sorted, cut into runs of names of one district, and a name's
        run found by binary search in nested CASEs (about 0.25 s for 6 million rows). None when the names make
        more than MAX_DISTRICT_RUNS runs."""
        m = self.district_map()
        m = m[m["lsoa_name"].notna()]
        pairs = sorted(zip(m["lsoa_name"], m["district"]))
        runs = [(name, d) for i, (name, d) in enumerate(pairs) if i == 0 or d != pairs[i - 1][1]]
        if not runs:
            return "NULL::VARCHAR"
        if len(runs) > MAX_DISTRICT_RUNS:
            return None

        def value(d) -> str:
            return "NULL::VARCHAR" if d is None or d != d else sql_string(d)

        def search(lo: int, hi: int) -> str:
            if hi - lo == 1:
                return value(runs[lo][1])
            mid = (lo + hi) // 2
            return f"CASE WHEN {column} < {sql_string(runs[mid][0])} THEN {search(lo, mid)} ELSE {search(mid, hi)} END"

        return f"CASE WHEN {column} IS NULL THEN NULL::VARCHAR ELSE {search(0, len(runs))} END"

    def chunks(self, column: str, limit: int, refused=None) -> list[tuple[str, list[int], bool]]:
        """The rows split by `column` into consecutive runs of its values (ascending, NULLs last): for each, a SQL
        condition on the column, the indexes (in `parts`) of the staged files holding its rows, and whether they
        are read in order (True: the files in (value, name) order, see write_table) or sorted (False: at most
        `limit` rows, a value with more rows alone, NULL alone). refused: values that are not read in order; None
        when none is. A value is read in order when it is not refused and its files hold no other value (no NULL)
        and have distinct names."""
        con = input_files.cursor()
        try:
            c = ident(column)
            got = con.execute(f"SELECT {c}, file_index, min(source_file), count(*) FROM "
                              f"({self.source_sql(file_index=True)}) GROUP BY 1, 2").fetchall()
        finally:
            con.close()
        values: dict = {}  # value: [(file index, name, rows)]
        spans: dict[int, int] = {}  # file index: the values it holds
        for value, i, name, n in got:
            values.setdefault(value, []).append((int(i), name, int(n)))
            spans[int(i)] = spans.get(int(i), 0) + 1
        runs: list[list] = []  # [first value, last value, rows, [(value, name, file index)], in order]
        for value in sorted(values, key=lambda v: (v is None, v)):  # str order is DuckDB's: UTF-8 keeps code points
            held, n = values[value], sum(f[2] for f in values[value])
            names = [f[1] for f in held]
            plain = (refused is not None and value is not None and value not in refused
                     and all(spans[f[0]] == 1 for f in held) and len(set(names)) == len(names))
            files = [(value, f[1], f[0]) for f in held]
            last = runs[-1] if runs else None
            if (last is None or value is None or last[0] is None or last[4] != plain
                    or (not plain and last[2] + n > limit)):
                runs.append([value, value, n, files, plain])
            else:
                last[1:4] = [value, last[2] + n, last[3] + files]
        out = []
        for lo, hi, _, files, plain in runs:
            cond = f"{c} IS NULL" if lo is None else f"{c} BETWEEN {sql_string(lo)} AND {sql_string(hi)}"
            idx = [i for *_, i in sorted(files)] if plain else sorted({i for *_, i in files})
            out.append((cond, idx, plain))
        return out

    def write_chunked(self, select_sql: str, out: Path, districts: bool, chunk_by: str, in_order=None,
                      encoding: Encoding | None = None) -> None:
        """Write `select_sql` to `out` chunk by chunk (see write_table): each chunk's rows, read from the staged
        files holding them with the districts of all the rows, sorted by the query (or, for a chunk read in
        order, read in order by `in_order`'s query) and streamed as Arrow batches into one Parquet file (pyarrow's
        writer, snappy, row groups of 122,880 rows as DuckDB writes them), chunk after chunk, so no chunk is
        written twice."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        lsoa = districts and "LSOA name" in self.layout.header
        dmap = self.district_map() if lsoa else None
        refused = None
        if in_order is not None:
            lookup = self.district_lookup() if lsoa else ""
            if lookup is not None:
                refused = {v for (v,) in self.query(in_order[1]).itertuples(index=False)}
        con = input_files.cursor()
        con.execute("SET TimeZone='UTC'")  # as connect(): no time is read in the machine's own zone
        writer = None
        try:
            for cond, idx, plain in self.chunks(chunk_by, CHUNK_ROWS, refused):
                where = f"({self.where}) AND ({cond})" if self.where else cond
                part = StagedRows(self.layout, [self.parts[i] for i in idx], where, _districts=dmap)
                if plain:
                    view = f"SELECT *, {lookup} AS district FROM ({part.source_sql()})" if lsoa else part.source_sql()
                else:
                    view = part.rows_sql(con, districts)
                con.execute(f"CREATE OR REPLACE TEMP VIEW rows AS {view}")
                batches = con.sql(in_order[0] if plain else select_sql).to_arrow_reader(ROW_GROUP)
                if writer is None:
                    writer = pq.ParquetWriter(str(out), batches.schema,
                                              **(encoding or Encoding()).writer_options(batches.schema.names))
                for b in batches:
                    if b.schema != writer.schema:  # e.g. a column of nulls only in this chunk
                        b = pa.Table.from_batches([b]).cast(writer.schema)
                    writer.write(b, row_group_size=ROW_GROUP)
            if writer is None:  # no rows: the query's columns, written by DuckDB
                con.execute(f"CREATE OR REPLACE TEMP VIEW rows AS {self.rows_sql(con, districts)}")
                con.execute(f"COPY ({select_sql}) TO {sql_string(out)} (FORMAT parquet)")
        finally:
            if writer is not None:
                writer.close()
            con.close()

    def narrowed(self, where: str) -> StagedRows:
        both = f"({self.where}) AND ({where})" if self.where else where
        return StagedRows(self.layout, self.parts, both, self.checks, self.joined)
