"""The data.police.uk monthly inputs (street, outcomes, stop and search): find the files, load their rows with
DuckDB, write typed Parquet.

Each dataset knows its published header, the record id column used to name failing rows, and how to turn
validated rows into the prepared table notebooks read (`<work>/<dataset>.parquet`). Nothing is dropped
silently: rows are only filtered by the pack period (and, for a deep dive, by the params `filters`:
`filter_street`), and the count filtered is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny.inputs.files import connect, discover_files, file_record, read_csv_strict, write_parquet
from scrutiny.reference import months, police_uk

MIN_FILE_ROWS = 50  # a volume check needs neighbouring files this large: below it chance alone moves a month far


class FilterError(ValueError):
    """A deep-dive filter that cannot be applied (a district named that no row has)."""


def filter_street(rows: pd.DataFrame, crime_types=(), districts=()) -> pd.DataFrame:
    """The validated street rows a deep dive keeps: `Crime type` among crime_types (when any are given) and the
    LSOA name's district among districts (when any are given; matched ignoring case and spacing, as
    police_uk.district_key). A district named that no row has is refused, naming the districts present."""
    keep = pd.Series(True, index=rows.index)
    if crime_types:
        keep &= rows["Crime type"].isin(list(crime_types))
    if districts:
        key = police_uk.districts_as_written(rows["LSOA name"]).map(
            lambda d: police_uk.district_key(d) if isinstance(d, str) else None)
        wanted = {police_uk.district_key(d): d for d in districts}
        absent = [d for k, d in wanted.items() if not (key == k).any()]
        if absent:
            present = sorted(set(police_uk.districts(rows["LSOA name"]).dropna()))
            raise FilterError(f"filters.districts: {absent} match no row's LSOA name; districts in the data: "
                              f"{present}")
        keep &= key.isin(list(wanted))
    return rows[keep]


@dataclass
class PoliceUkMonthly:
    """A data.police.uk monthly file set (street or outcomes): one file per month, YYYY-MM in the name."""

    name: str
    header: list[str]
    record_id: str = "Crime ID"
    contract: str = ""
    extra_params: dict = field(default_factory=dict)
    synthetic: bool = False

    def discover(self, pattern: str) -> list[Path]:
        return discover_files(self.name, pattern)

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        """One row per file: name, month from the name, readability, header as read, size and hash."""
        rows = [{**file_record(f)[0], "file_month": police_uk.file_month(f.name)} for f in files]
        df = pd.DataFrame(rows)
        in_period = df["file_month"].between(period[0], period[1]) | df["file_month"].isna()
        df["in_period"] = in_period
        return df

    def expected_header(self) -> str:
        return "|".join(self.header)

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        """All rows of the (readable, in-period) files at once with DuckDB; strings kept as published."""
        df = read_csv_strict(self.name, files["path"].tolist(), self.header)
        fm = files.set_index("source_file")["file_month"]
        df["file_month"] = df["source_file"].map(fm)
        if "Falls within" in df.columns:
            df["forces_in_file"] = df.groupby("source_file")["Falls within"].transform("nunique")
        if "Crime type" in df.columns:
            df["crime_id_missing"] = df["Crime ID"].isna() & (df["Crime type"] != "Anti-social behaviour")
        if "LSOA name" in df.columns:  # False where a district is spelled other than its most frequent spelling
            raw = police_uk.districts_as_written(df["LSOA name"])
            df["district_spelling_ok"] = raw.isna() | (raw == police_uk.districts(df["LSOA name"]))
        df["latitude_value"] = pd.to_numeric(df["Latitude"], errors="coerce")
        df["longitude_value"] = pd.to_numeric(df["Longitude"], errors="coerce")
        return df

    def file_stats(self, rows: pd.DataFrame, files: pd.DataFrame, accepted: dict[str, str]) -> pd.DataFrame:
        """One row per file, from its rows: rows, repeated Crime IDs and their share, and the month's volume (its
        distinct records: rows less repeated Crime IDs) against its neighbouring months (breaks.implausible_volume: below half or above twice the median of up
        to three months either side is implausible, for files whose neighbours hold at least MIN_FILE_ROWS rows).
        `accepted`: months declared right in params (data_quality.accept_volume), with the reason."""
        from scrutiny.stats.breaks import implausible_volume, neighbour_ratio

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
        # volume on crimes, not rows: a month loaded twice repeats its Crime IDs and is counted once (the repeat
        # check names it), so only a month with too few or too many distinct records is implausible
        st["crimes"] = st["rows"] - st["repeated_crime_ids"]
        bad = implausible_volume(st["crimes"].to_numpy(), exclude=declared)
        ratio = neighbour_ratio(st["crimes"].to_numpy(), exclude=declared | ~np.isnan(bad))
        ratio = np.where(np.isnan(bad), ratio, bad)
        judged = st["crimes"].rolling(7, center=True, min_periods=3).median().to_numpy() >= MIN_FILE_ROWS
        st["volume_ratio"] = [round(float(r), 3) if r == r else "not judged (too few months)" for r in ratio]
        st["volume_check"] = ["accepted" if m in accepted else
                              "implausibly low" if j and b == b and b < 1 else
                              "implausibly high" if j and b == b else "ok"
                              for m, b, j in zip(st["file_month"], bad, judged)]
        return st

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        """Write the typed, prepared table notebooks read. Returns the row count written."""
        con = connect()
        con.register("rows", rows.assign(district=police_uk.districts(rows["LSOA name"])))
        # outcome categories in one spelling (the archive's); the API spelling is accepted by the contract
        norm = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in police_uk.OUTCOME_SPELLINGS.items())
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
