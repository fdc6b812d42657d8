"""A force's own extract (calls, incidents, charge decisions, case files, court cases): the InputDataset shared
by the criminal justice inputs. Each dataset module gives its header, record id, derived columns and typed table.

Files are CSV (optionally gzipped) with a fixed header (data_contracts/README.md). Rows are read with DuckDB as
text, as sent, plus the derived columns the contract checks: each timestamp parsed to an instant (UTC epoch
seconds) and each date to a date (empty when the text is not one), with a `<column>_present` flag
('true'/'false', a flag for the contract's conditions). Timestamps must carry their UTC offset (ISO 8601, `Z` or `±hh:mm`); the month of an event is
the month of its local time in Europe/London, so 00:30+01:00 on 1 July is July and 23:30+00:00 on 31 December
is December.

These extracts are large (about 1.5 million calls for a force of 600,000 people over three years), so:
- the file check reads only the first line and the gzip trailer (the strict read of every row is DuckDB's, and
  a row it cannot parse stops the pack naming the file and line);
- the row rules of the contract run as DuckDB SQL (contracts/sql.py), not through Great Expectations' pandas
  engine (`row_engine = "sql"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from scrutiny import paths
from scrutiny.inputs import files as input_files
from scrutiny.inputs import staging
from scrutiny.inputs.files import InputError, discover_files, quick_records

LOCAL_ZONE = "Europe/London"
SAMPLE_HINT = ("the shipped sample is generated, not stored: write it with `scrutiny make-sample "
               "criminal_justice` (or `make report`)")


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (files.cursor: it makes only temporary views and tables) that never reaches for the
    network, in UTC (a time without an offset is never read in the machine's own zone)."""
    con = input_files.cursor()
    con.execute("SET TimeZone='UTC';")
    return con


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def present(col: str) -> str:
    return f"CASE WHEN {q(col)} IS NULL THEN 'false' ELSE 'true' END AS {q(col + '_present')}"


def ts_columns(col: str, parsed: str) -> list[str]:
    """`<col>_present` and the instant as UTC epoch seconds (empty when the text is not a date and time; the
    contract's shape rule refuses a time without an offset, which would otherwise be read as UTC)."""
    return [present(col), f"epoch(try_cast({q(col)} AS TIMESTAMPTZ)) AS {q(parsed)}"]


def date_columns(col: str, parsed: str) -> list[str]:
    return [present(col), f"try_cast({q(col)} AS DATE) AS {q(parsed)}"]


def local_month(text_col: str, epoch_col: str) -> str:
    """SQL: the Europe/London month (YYYY-MM) of a timestamp. From the 2nd to the 27th of a month no UTC offset
    (at most 14 hours) can move the instant into another month, so the month is read from the text; nearer a
    month's edge it is the month of the instant (UTC epoch seconds) in Europe/London time."""
    return (f"CASE WHEN substr({q(text_col)}, 9, 2) BETWEEN '02' AND '27' THEN substr({q(text_col)}, 1, 7) "
            f"ELSE strftime(timezone('{LOCAL_ZONE}', to_timestamp({q(epoch_col)})), '%Y-%m') END")


@dataclass
class ForceExtract:
    """One extract: the InputDataset protocol (inputs/base.py) with rows checked by SQL."""

    name: str
    contract: str
    record_id: str
    header: tuple[str, ...]
    derived: tuple[str, ...]  # SQL select items over the text columns (and earlier derived ones)
    prepared: str  # SQL select list over `rows` for the typed Parquet
    synthetic: bool = True
    row_engine: str = "sql"

    def discover(self, pattern: str) -> list[Path]:
        try:
            return discover_files(self.name, pattern)
        except InputError as e:
            if "data/sample/" in str(paths.resolve(pattern)).replace("\\", "/"):
                raise InputError(f"{e}; {SAMPLE_HINT}") from None
            raise

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        return pd.DataFrame(quick_records(files))

    def expected_header(self) -> str:
        return "|".join(self.header)

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"header": [self.expected_header()]}

    def read_sql(self) -> str:
        cols = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in self.header) + "}"
        extra = "".join(f", {d}" for d in self.derived)
        return (f"SELECT *{extra} FROM (SELECT * FROM read_csv($file, header=true, auto_detect=false, "
                f"columns={cols}, delim=',', quote='\"', escape='\"', strict_mode=true))")

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        """Every row, text as sent plus derived columns, with source_file and 1-based row; file by file (no file
        name repeated on every row of a large file)."""
        parts = []
        con = connect()
        try:
            for name, p in zip(files["source_file"], files["path"]):
                try:  # streamed, and stopped one row past the limit: the trailer check alone can be fooled
                    tbl = con.sql(f"{self.read_sql()} LIMIT {input_files.MAX_ROWS + 1}",
                                  params={"file": str(p)}).to_arrow_table()
                except duckdb.Error as e:
                    raise InputError(f"input {self.name}: {name}: cannot be read as CSV with the documented "
                                     f"header: {str(e).splitlines()[0]}") from None
                if tbl.num_rows > input_files.MAX_ROWS:
                    raise InputError(f"input {self.name}: {name}: more than {input_files.MAX_ROWS:,} rows, the pack's "
                                     "limit for one file; refused before it fills memory (a gzip bomb?)")
                df = tbl.to_pandas()
                df.insert(0, "row", np.arange(1, len(df) + 1))
                df.insert(0, "source_file", name)
                parts.append(df)
        finally:
            con.close()
        if not parts:
            return pd.DataFrame(columns=["source_file", "row", *self.header])
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    def layout(self) -> staging.Layout:
        return staging.Layout(self.name, tuple(self.header), tuple(self.derived))

    def stage_rows(self, files: pd.DataFrame) -> staging.StagedRows | pd.DataFrame:
        """The rows load_rows reads, kept as Parquet in the ingest cache (inputs/staging.py): a file read before
        (the same bytes under the same name) is not parsed again, and the contract's rules and the typed table are
        SQL over the cached rows (an input checked against another's rows joins them in the view the contract
        reads: `link`). A file that cannot be read raises the InputError load_rows raises for it."""
        results = staging.stage_files(self.layout(), files.assign(file_month=None), allow_empty=True)
        bad = [i for i, (verdict, _, _) in enumerate(results) if verdict != "ok"]
        if bad:  # read as a frame, only to raise load_rows's error for the first such file
            self.load_rows(files.iloc[bad[:1]])
            raise InputError(f"input {self.name}: {files['source_file'].iloc[bad[0]]}: {results[bad[0]][0]}")
        return staging.StagedRows(self.layout(), [part for _, part, _ in results])

    def prepare(self, rows: pd.DataFrame | staging.StagedRows, out: Path) -> int:
        """The typed table (columns in analyses/criminal_justice.py) to Parquet; the rows written. Staged rows
        (stage_rows) are written by SQL through the ingest cache (StagedRows.write_table)."""
        if isinstance(rows, staging.StagedRows):
            return rows.write_table(f"SELECT {self.prepared} FROM rows", out, districts=False)
        con = connect()
        try:
            con.register("rows", rows)
            target = str(out).replace("'", "''")
            # rows are in file and row order already, and COPY keeps that order
            con.execute(f"COPY (SELECT {self.prepared} FROM rows) TO '{target}' (FORMAT parquet)")
            return con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
        finally:
            con.close()
