"""Force extracts for the criminal justice section: calls, incidents, charge decisions, case files, court cases.

Each extract is a CSV (optionally gzipped) with a fixed header (data_contracts/README.md). Rows are read with
DuckDB as text, as sent, plus the derived columns the contract checks: each timestamp parsed to an instant
(UTC epoch seconds) and each date to a date (empty when the text is not one), with a `<column>_present` flag
('true'/'false'). Timestamps must carry their UTC offset (ISO 8601, `Z` or `±hh:mm`); the month of an
event is the month of its local time in Europe/London, so 00:30+01:00 on 1 July is July and 23:30+00:00 on
31 December is December.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

TS_REGEX = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$"
DATE_REGEX = r"^\d{4}-\d{2}-\d{2}$"
LOCAL_ZONE = "Europe/London"


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false; SET TimeZone='UTC';")
    return con


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _present(col: str) -> str:
    return f"CASE WHEN {q(col)} IS NULL THEN 'false' ELSE 'true' END AS {q(col + '_present')}"


def ts_columns(col: str, parsed: str) -> list[str]:
    """`<col>_present` and the instant as UTC epoch seconds (empty when the text is not a date and time; the
    contract's shape rule refuses a time without an offset, which DuckDB alone would read as UTC)."""
    return [_present(col), f"epoch(try_cast({q(col)} AS TIMESTAMPTZ)) AS {q(parsed)}"]


def date_columns(col: str, parsed: str) -> list[str]:
    return [_present(col), f"try_cast({q(col)} AS DATE) AS {q(parsed)}"]


def local_month(epoch_col: str) -> str:
    """SQL: the Europe/London month (YYYY-MM) of an instant held as UTC epoch seconds."""
    return f"strftime(timezone('{LOCAL_ZONE}', to_timestamp({q(epoch_col)})), '%Y-%m')"


@dataclass(frozen=True)
class Extract:
    """What differs between the extracts: header, record id, derived columns and the typed table."""

    name: str
    contract: str
    record_id: str
    header: tuple[str, ...]
    derived: tuple[str, ...]      # SQL select items over the text columns
    prepared: str                 # SQL select list over `rows` for the typed Parquet

    def read_sql(self, source: str) -> str:
        cols = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in self.header) + "}"
        extra = "".join(f", {d}" for d in self.derived)
        return (f"SELECT *{extra} FROM (SELECT * FROM read_csv({source}, header=true, "
                f"auto_detect=false, columns={cols}, delim=',', quote='\"', escape='\"', "
                f"strict_mode=true))")


def read_rows(ex: Extract, paths: list[str]) -> pd.DataFrame:
    """All rows of the files, text as sent plus derived columns, with source_file (name) and row (1-based data
    row within its file), read file by file (no file-name column repeated on every row of a large file)."""
    con = connect()
    parts = []
    try:
        for p in paths:
            df = con.sql(ex.read_sql("$file"), params={"file": str(p)}).to_arrow_table().to_pandas()
            df.insert(0, "row", np.arange(1, len(df) + 1))
            df.insert(0, "source_file", pd.Categorical([Path(p).name] * len(df)) if len(df) else [])
            parts.append(df)
    finally:
        con.close()
    if not parts:
        return pd.DataFrame(columns=["source_file", "row", *ex.header])
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out["source_file"] = out["source_file"].astype(str)
    return out


def prepare(ex: Extract, rows: pd.DataFrame, out: Path) -> int:
    """Write the typed table to Parquet; returns the rows written."""
    con = connect()
    try:
        con.register("rows", rows)
        con.execute(f"COPY (SELECT {ex.prepared} FROM rows ORDER BY source_file, row) TO '{out}' (FORMAT parquet)")
        return con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0]
    finally:
        con.close()


CALLS = Extract(
    name="calls", contract="calls.v1", record_id="call_id",
    header=("call_id", "line", "offered_ts", "answered_ts", "abandoned_flag", "queue"),
    derived=(*ts_columns("offered_ts", "offered_at"), *ts_columns("answered_ts", "answered_at"),
             "answered_at - offered_at AS answer_s"),
    prepared=(f"call_id, line, {local_month('offered_at')} AS month, offered_at, answer_s, "
              "abandoned_flag = 'true' AS abandoned, queue"),
)

INCIDENTS = Extract(
    name="incidents", contract="incidents.v1", record_id="incident_id",
    header=("incident_id", "grade", "created_ts", "arrived_ts", "district", "rural_flag"),
    derived=(*ts_columns("created_ts", "created_at"), *ts_columns("arrived_ts", "arrived_at"),
             "(arrived_at - created_at) / 60 AS arrive_min"),
    prepared=(f"incident_id, grade, {local_month('created_at')} AS month, created_at, arrive_min, district, "
              "rural_flag = 'true' AS rural"),
)

CHARGE_DECISIONS = Extract(
    name="charge_decisions", contract="charge_decisions.v1", record_id="decision_id",
    header=("decision_id", "crime_ref", "decision_date", "decision", "decision_maker", "da_flag"),
    derived=tuple(date_columns("decision_date", "decision_day")),
    prepared=("decision_id, crime_ref, decision_day AS decision_date, strftime(decision_day, '%Y-%m') AS month, "
              "decision, decision_maker, da_flag = 'true' AS da"),
)

CASE_FILES = Extract(
    name="case_files", contract="case_files.v1", record_id="file_id",
    header=("file_id", "assessment_month", "compliant", "error_type"),
    derived=(),
    prepared="file_id, assessment_month AS month, compliant = 'true' AS compliant, error_type",
)

COURT_CASES = Extract(
    name="court_cases", contract="court_cases.v1", record_id="case_id",
    header=("case_id", "offence_date", "charge_date", "first_hearing_date", "completion_date", "result"),
    derived=(*date_columns("offence_date", "offence_day"), *date_columns("charge_date", "charge_day"),
             *date_columns("first_hearing_date", "first_hearing_day"),
             *date_columns("completion_date", "completion_day"),
             "CASE WHEN completion_date IS NULL THEN 'false' ELSE 'true' END AS completed"),
    prepared=("case_id, offence_day AS offence_date, charge_day AS charge_date, "
              "first_hearing_day AS first_hearing_date, completion_day AS completion_date, result"),
)

EXTRACTS = {e.name: e for e in (CALLS, INCIDENTS, CHARGE_DECISIONS, CASE_FILES, COURT_CASES)}


def link_crimes(rows: pd.DataFrame, crimes: pd.DataFrame | None) -> pd.DataFrame:
    """Charge decisions joined to the force_crimes extract: `crime_recorded_day` is the recorded date of the
    decision's crime_ref (empty when the crime is not in that extract)."""
    if crimes is None:
        return rows
    rec = crimes[["crime_ref", "recorded_date"]].drop_duplicates("crime_ref")
    rec = rec.assign(crime_recorded_day=pd.to_datetime(rec["recorded_date"], errors="coerce", format="%Y-%m-%d"))
    return rows.merge(rec[["crime_ref", "crime_recorded_day"]], on="crime_ref", how="left")
