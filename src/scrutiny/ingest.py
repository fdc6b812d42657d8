"""Ingest: find an input's files, check them as files, load their rows with DuckDB, write typed Parquet.

Every input dataset is declared in DATASETS. A dataset knows its published header, the record id
column used to name failing rows, and how to turn validated rows into the prepared table that
notebooks read (`<work>/<dataset>.parquet`). Nothing is dropped silently: rows are only filtered
by the pack period, and the count filtered is reported.
"""

from __future__ import annotations

import csv
import glob
import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from . import months, paths, policeuk

zlib_error = zlib.error


class InputError(Exception):
    """An input that cannot be read at all (no files, unreadable); exit code 2."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never reaches for the network."""
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")
    return con


def _open_text(path: Path):
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def inspect_file(path: Path) -> tuple[str, list[str] | None, int]:
    """(verdict, header, data rows) of one CSV file, reading it once.

    The verdict is 'ok' or why the file cannot be used: empty, not gzip though named .gz, truncated
    gzip, not UTF-8 (naming the byte, its offset and its line), or a header with no data rows (which
    would otherwise read as a month with no crime at all). A UTF-8 byte-order mark is accepted.
    """
    try:
        if path.is_dir():
            return "is a folder, not a file", None, 0
        if path.stat().st_size == 0:
            return "empty file (0 bytes)", None, 0
        if path.name.endswith(".gz"):
            with open(path, "rb") as f:
                if f.read(2) != b"\x1f\x8b":
                    return "named .gz but is not gzip-compressed", None, 0
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            raw = path.read_bytes()
    except EOFError:
        return "gzip stream is truncated (incomplete download?)", None, 0
    except (OSError, gzip.BadGzipFile, zlib_error) as e:
        return f"cannot read or decompress: {getattr(e, 'strerror', None) or e}", None, 0
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        where = "of the decompressed text " if path.name.endswith(".gz") else ""
        return (f"not UTF-8 text: byte 0x{raw[e.start]:02x} at byte offset {e.start} {where}(line {line}); "
                "re-save the file as UTF-8 (it may be Windows-1252 from a spreadsheet)"), None, 0
    if not text.strip():
        return "empty file (no header row)", None, 0
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    rows = sum(1 for r in reader if r)
    if rows == 0:
        return "header only: no data rows (a month with no rows would read as no crime)", header, 0
    return "ok", header, rows


def check_readable(path: Path) -> str:
    """'ok', or why the file cannot be read as UTF-8 CSV (bad gzip, truncated, not UTF-8, empty)."""
    return inspect_file(path)[0]


def read_header(path: Path) -> list[str] | None:
    with _open_text(path) as f:
        row = next(csv.reader(f), None)
    return row


@dataclass
class PoliceUkMonthly:
    """A data.police.uk monthly file set (street or outcomes): one file per month, YYYY-MM in the name."""

    name: str
    header: list[str]
    record_id: str = "Crime ID"
    contract: str = ""
    extra_params: dict = field(default_factory=dict)

    def discover(self, pattern: str) -> list[Path]:
        p = str(paths.resolve(pattern))
        found = sorted(Path(f) for f in glob.glob(p, recursive=True))
        files = [f for f in found if f.is_file()]
        if not files:
            what = " (only folders)" if found else ""
            raise InputError(f"input {self.name}: the path {pattern!r} (params inputs.{self.name}.path) matches "
                             f"no file{what} (looked for {p})")
        return files

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        """One row per file: name, month from the name, readability, header as read, size and hash."""
        rows = []
        for f in files:
            readable, header, data_rows = inspect_file(f)
            rows.append({
                "source_file": f.name,
                "path": str(f),
                "file_month": policeuk.file_month(f.name),
                "readable": readable,
                "header": "|".join(header) if header else "",
                "data_rows": data_rows,
                "bytes": f.stat().st_size,
                "sha256": sha256_file(f),
            })
        df = pd.DataFrame(rows)
        in_period = df["file_month"].between(period[0], period[1]) | df["file_month"].isna()
        df["in_period"] = in_period
        return df

    def expected_header(self) -> str:
        return "|".join(self.header)

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        """All rows of the (readable, in-period) files at once with DuckDB; strings kept as published."""
        paths_ = files["path"].tolist()
        cols = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in self.header) + "}"
        sql = (f"SELECT * FROM read_csv($files, header=true, auto_detect=false, columns={cols}, "
               "filename=true, delim=',', quote='\"', escape='\"', strict_mode=true)")
        con = connect()
        try:
            df = con.execute(sql, {"files": paths_}).df()
        except duckdb.Error as e:
            # find the file that breaks, to name it
            for p in paths_:
                try:
                    con.execute(sql, {"files": [p]}).fetchall()
                except duckdb.Error as e1:
                    raise InputError(f"input {self.name}: {p}: cannot be parsed as CSV with the published "
                                     f"header: {str(e1).splitlines()[0]}") from None
            raise InputError(f"input {self.name}: cannot be parsed: {str(e).splitlines()[0]}") from None
        finally:
            con.close()
        df["source_file"] = df.pop("filename").map(lambda s: Path(s).name)
        df["row"] = df.groupby("source_file", sort=False).cumcount() + 1
        fm = files.set_index("source_file")["file_month"]
        df["file_month"] = df["source_file"].map(fm)
        df["forces_in_file"] = df.groupby("source_file")["Falls within"].transform("nunique")
        if "Crime type" in df.columns:
            df["crime_id_missing"] = df["Crime ID"].isna() & (df["Crime type"] != "Anti-social behaviour")
        return df

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        """Write the typed, prepared table notebooks read. Returns the row count written."""
        con = connect()
        con.register("rows", rows.assign(district=policeuk.districts(rows["LSOA name"])))
        extra = ", \"Crime type\" AS crime_type, \"Last outcome category\" AS last_outcome" \
            if "Crime type" in rows.columns else ", \"Outcome type\" AS outcome_type"
        con.execute(f"""
            COPY (
              SELECT "Crime ID" AS crime_id, "Month" AS month, "Falls within" AS falls_within,
                     TRY_CAST("Longitude" AS DOUBLE) AS longitude, TRY_CAST("Latitude" AS DOUBLE) AS latitude,
                     "Location" AS location, "LSOA code" AS lsoa_code, "LSOA name" AS lsoa_name,
                     district
                     {extra}, source_file, "row" AS source_row
              FROM rows ORDER BY month, source_file, source_row
            ) TO '{out}' (FORMAT parquet)
        """)
        n = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
        con.close()
        return n

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {
            "period_months": months.span(*period),
            "force": [force],
            "header": [self.expected_header()],
        }


DATASETS: dict[str, PoliceUkMonthly] = {
    "police_uk_street": PoliceUkMonthly("police_uk_street", policeuk.STREET_HEADER, contract="police_uk_street.v1"),
    "police_uk_outcomes": PoliceUkMonthly("police_uk_outcomes", policeuk.OUTCOMES_HEADER,
                                          contract="police_uk_outcomes.v1"),
}
