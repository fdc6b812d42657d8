"""Ingest: find an input's files, check them as files, load their rows with DuckDB, write typed Parquet.

Every input dataset is declared in DATASETS. A dataset knows its published header, the record id
column used to name failing rows, and how to turn validated rows into the prepared table that
notebooks read (`<work>/<dataset>.parquet`). Nothing is dropped silently: rows are only filtered
by the pack period, and the count filtered is reported.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import months, paths, policeuk, published
from .files import sha256_file
from .ho_outcomes import HomeOfficeOutcomes

zlib_error = zlib.error


MIN_FILE_ROWS = 50  # a volume check needs neighbouring files this large: below it chance alone moves a month far


class InputError(Exception):
    """An input that cannot be read at all (no files, unreadable); exit code 2."""


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never reaches for the network."""
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")
    return con


def _open_text(path: Path):
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
    with _open_text(path) as f:
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


@dataclass
class PoliceUkMonthly:
    """A data.police.uk monthly file set (street or outcomes): one file per month, YYYY-MM in the name."""

    name: str
    header: list[str]
    record_id: str = "Crime ID"
    contract: str = ""
    extra_params: dict = field(default_factory=dict)

    def discover(self, pattern: str) -> list[Path]:
        return discover_files(self.name, pattern)

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        """One row per file: name, month from the name, readability, header as read, size and hash."""
        rows = [{**file_record(f)[0], "file_month": policeuk.file_month(f.name)} for f in files]
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
        try:  # through Arrow: about half the peak memory of .df() (the rows are not materialised twice)
            df = con.sql(sql, params={"files": paths_}).to_arrow_table().to_pandas()
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
        if "Falls within" in df.columns:
            df["forces_in_file"] = df.groupby("source_file")["Falls within"].transform("nunique")
        if "Crime type" in df.columns:
            df["crime_id_missing"] = df["Crime ID"].isna() & (df["Crime type"] != "Anti-social behaviour")
        if "LSOA name" in df.columns:  # False where a district is spelled other than its most frequent spelling
            raw = policeuk.districts_as_written(df["LSOA name"])
            df["district_spelling_ok"] = raw.isna() | (raw == policeuk.districts(df["LSOA name"]))
        df["latitude_value"] = pd.to_numeric(df["Latitude"], errors="coerce")
        df["longitude_value"] = pd.to_numeric(df["Longitude"], errors="coerce")
        return df

    def file_stats(self, rows: pd.DataFrame, files: pd.DataFrame, accepted: dict[str, str]) -> pd.DataFrame:
        """One row per file, from its rows: rows, repeated Crime IDs and their share, and the month's volume
        against its neighbouring months (breaks.implausible_volume: below half or above twice the median of up
        to three months either side is implausible, for files whose neighbours hold at least MIN_FILE_ROWS rows).
        `accepted`: months declared right in params (data_quality.accept_volume), with the reason."""
        from .breaks import implausible_volume, neighbour_ratio

        g = rows.groupby("source_file", sort=False)
        ids = rows["Crime ID"] if "Crime ID" in rows.columns else pd.Series(index=rows.index, dtype="str")
        st = pd.DataFrame({"rows": g.size(),
                           "crime_ids": ids.notna().groupby(rows["source_file"]).sum(),
                           "distinct_crime_ids": ids.groupby(rows["source_file"]).nunique()})
        st = st.reset_index().merge(files[["source_file", "file_month"]], on="source_file", how="left")
        st = st.sort_values(["file_month", "source_file"], na_position="last").reset_index(drop=True)
        st["repeated_crime_ids"] = (st["crime_ids"] - st["distinct_crime_ids"]).astype("int64")
        st["repeat_share"] = (st["repeated_crime_ids"] / st["rows"]).round(4)
        declared = st["file_month"].isin(list(accepted)).to_numpy()
        bad = implausible_volume(st["rows"].to_numpy(), exclude=declared)
        ratio = neighbour_ratio(st["rows"].to_numpy(), exclude=declared | ~np.isnan(bad))
        ratio = np.where(np.isnan(bad), ratio, bad)
        judged = st["rows"].rolling(7, center=True, min_periods=3).median().to_numpy() >= MIN_FILE_ROWS
        st["volume_ratio"] = [round(float(r), 3) if r == r else "not judged (too few months)" for r in ratio]
        st["volume_check"] = ["accepted" if m in accepted else
                              "implausibly low" if j and b == b and b < 1 else
                              "implausibly high" if j and b == b else "ok"
                              for m, b, j in zip(st["file_month"], bad, judged)]
        return st

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        """Write the typed, prepared table notebooks read. Returns the row count written."""
        con = connect()
        con.register("rows", rows.assign(district=policeuk.districts(rows["LSOA name"])))
        # outcome categories in one spelling (the archive's); the API spelling is accepted by the contract
        norm = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in policeuk.OUTCOME_SPELLINGS.items())
        extra = (f", \"Crime type\" AS crime_type, CASE \"Last outcome category\" {norm} "
                 "ELSE \"Last outcome category\" END AS last_outcome"
                 if "Crime type" in rows.columns else
                 f", CASE \"Outcome type\" {norm} ELSE \"Outcome type\" END AS outcome_type")
        # One crime is one Crime ID within its month: a repeated Crime ID (an identical row, or the same crime with
        # another last outcome) is flagged on every row but the last one in the file, which is the one counted.
        repeat = (""",
                     "Crime ID" IS NOT NULL AND row_number() OVER (PARTITION BY "Month", "Crime ID"
                                                                 ORDER BY source_file DESC, "row" DESC) > 1
                       AS repeat_in_month""" if "Crime type" in rows.columns else "")
        n = write_parquet(con, f"""
              SELECT "Crime ID" AS crime_id, "Month" AS month, "Falls within" AS falls_within,
                     TRY_CAST("Longitude" AS DOUBLE) AS longitude, TRY_CAST("Latitude" AS DOUBLE) AS latitude,
                     "Location" AS location, "LSOA code" AS lsoa_code, "LSOA name" AS lsoa_name,
                     district
                     {extra}, source_file, "row" AS source_row{repeat}
              FROM rows ORDER BY month, source_file, source_row
        """, out)
        con.close()
        return n

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {
            "period_months": months.span(*period),
            "force": [force],
            "header": [self.expected_header()],
        }


def utc_month(dates: pd.Series) -> pd.Series:
    """Calendar month (YYYY-MM) of ISO timestamps, read in UTC; None where the value is not a timestamp.

    data.police.uk writes stop and search `Date` in UTC ("2024-03-31T23:51:00+00:00"), so a search just after
    midnight British Summer Time on the 1st belongs to the previous month by this rule. A timestamp with no
    offset is taken to be UTC.
    """
    ts = pd.to_datetime(dates, utc=True, errors="coerce", format="ISO8601")
    return ts.dt.strftime("%Y-%m").astype(object).where(ts.notna(), None)


@dataclass
class PoliceUkStopSearch(PoliceUkMonthly):
    """data.police.uk monthly stop and search files: the 15-column header, no Month column, one row per search.

    The month of a search is the month of its UTC `Date`, not the month in the file name; rows where the two
    differ are kept (counted under their timestamp month) and their number is reported.
    """

    record_id: str = ""

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        df = super().load_rows(files)
        df["date_month"] = utc_month(df["Date"])
        fm = df["file_month"].map(lambda m: months.to_index(m) if isinstance(m, str) else None)
        dm = df["date_month"].map(lambda m: months.to_index(m) if isinstance(m, str) else None)
        df["date_month_lag"] = (fm - dm).astype("Float64")  # months the timestamp lies before the file month
        return df

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        con = connect()
        con.register("rows", rows)
        n = write_parquet(con, """
              SELECT "Type" AS type, "Date" AS date, date_month AS month, file_month,
                     "Part of a policing operation" = 'True' AS part_of_operation,
                     "Policing operation" AS policing_operation,
                     latitude_value AS latitude, longitude_value AS longitude,
                     "Gender" AS gender, "Age range" AS age_range,
                     "Self-defined ethnicity" AS self_defined_ethnicity,
                     "Officer-defined ethnicity" AS officer_defined_ethnicity,
                     "Legislation" AS legislation, "Object of search" AS object_of_search, "Outcome" AS outcome,
                     CASE "Outcome linked to object of search" WHEN 'True' THEN TRUE WHEN 'False' THEN FALSE END
                       AS outcome_linked,
                     CASE "Removal of more than just outer clothing" WHEN 'True' THEN TRUE WHEN 'False' THEN FALSE END
                       AS removal_more_than_outer,
                     source_file, "row" AS source_row
              FROM rows ORDER BY file_month, source_file, source_row
        """, out)
        con.close()
        return n

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"period_months": months.span(*period), "header": [self.expected_header()]}


from . import pfa  # noqa: E402  (pfa builds on the helpers above)

DATASETS: dict[str, object] = {
    "police_uk_street": PoliceUkMonthly("police_uk_street", policeuk.STREET_HEADER, contract="police_uk_street.v1"),
    "police_uk_outcomes": PoliceUkMonthly("police_uk_outcomes", policeuk.OUTCOMES_HEADER,
                                          contract="police_uk_outcomes.v1"),
    "police_uk_stop_search": PoliceUkStopSearch("police_uk_stop_search", policeuk.STOP_SEARCH_HEADER, record_id="",
                                                contract="police_uk_stop_search.v1"),
    "ho_outcomes": HomeOfficeOutcomes(),
    **{d.name: d for d in (published.FIGURES, published.RELATIONS)},
    "ho_prc_pfa": pfa.HoPrcPfa("ho_prc_pfa", pfa.HO_HEADER, record_id="PFA", contract="ho_prc_pfa.v1"),
    "ons_population_pfa": pfa.OnsPopulationPfa("ons_population_pfa", pfa.POP_HEADER, record_id="pfa_code",
                                               contract="ons_population_pfa.v1"),
}
