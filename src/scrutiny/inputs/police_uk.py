"""The data.police.uk monthly inputs (street, outcomes, stop and search): find the files, load their rows with
DuckDB, write typed Parquet.

Street and outcomes files (millions of rows for a large force) are read once by DuckDB into the staging cache
(inputs/staging.py) and checked, counted and prepared by SQL over it (`row_engine = "sql"`): no row passes
through pandas. Stop and search files are small and go through Great Expectations' pandas engine.

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

from scrutiny.inputs import staging
from scrutiny.inputs.files import (
    connect,
    discover_files,
    file_record,
    quick_records,
    read_csv_strict,
    sql_string,
    write_parquet,
)
from scrutiny.reference import months, police_uk

MIN_FILE_ROWS = 50  # a volume check needs neighbouring files this large: below it chance alone moves a month far


class FilterError(ValueError):
    """A deep-dive filter that cannot be applied (a district named that no row has)."""


def filter_street(rows: pd.DataFrame, crime_types=(), districts=()) -> pd.DataFrame:
    """The validated street rows a deep dive keeps: `Crime type` among crime_types (when any are given) and the
    LSOA name's district among districts (when any are given; matched ignoring case and spacing, as
    police_uk.district_key). A district named that no row has is refused, naming the districts present.
    Staged rows (inputs/staging.StagedRows) are narrowed by the same rule in SQL."""
    if isinstance(rows, staging.StagedRows):
        return _filter_staged(rows, crime_types, districts)
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


def _filter_staged(rows: staging.StagedRows, crime_types, districts) -> staging.StagedRows:
    """filter_street on staged rows: the rule applied to the distinct LSOA names, then a SQL condition."""
    if crime_types:
        rows = rows.narrowed('"Crime type" IN (' + ", ".join(sql_string(t) for t in crime_types) + ")")
    if districts:
        names = rows.district_map()
        key = names["as_written"].map(lambda d: police_uk.district_key(d) if isinstance(d, str) else None)
        wanted = {police_uk.district_key(d): d for d in districts}
        absent = [d for k, d in wanted.items() if not (key == k).any()]
        if absent:
            present = sorted(set(names["district"].dropna()))
            raise FilterError(f"filters.districts: {absent} match no row's LSOA name; districts in the data: "
                              f"{present}")
        kept = names.loc[key.isin(list(wanted)).to_numpy(), "lsoa_name"]
        rows = rows.narrowed('"LSOA name" IN (' + ", ".join(sql_string(n) for n in kept) + ")")
    return rows


# Columns the contract checks, computed as a file is staged: one for the whole file (staging.Layout.per_file:
# the forces named in it, nearly always one) and some for each row (staging.Layout.derived)
_PER_FILE = (("forces_in_file", 'count(DISTINCT "Falls within")', "1::BIGINT"),)
_PER_ROW = (
    'TRY_CAST("Latitude" AS DOUBLE) AS latitude_value',
    'TRY_CAST("Longitude" AS DOUBLE) AS longitude_value',
)
# the prepared street and outcomes tables: a Crime ID is a hash (64 hexadecimal digits), one per crime, so neither a
# dictionary nor snappy shrinks it; rows and coordinates nearly all differ too
_ENCODING = staging.Encoding(no_dictionary=("crime_id", "source_row", "longitude", "latitude"),
                             uncompressed=("crime_id",))
_CRIME_ID_MISSING = ("""("Crime ID" IS NULL AND "Crime type" IS DISTINCT FROM 'Anti-social behaviour') """
                     "AS crime_id_missing")


@dataclass
class PoliceUkMonthly:
    """A data.police.uk monthly file set (street or outcomes): one file per month, YYYY-MM in the name.

    Read by DuckDB into the staging cache as the files are checked (`files_frame`), so a file DuckDB cannot read
    fails the contract's `readable` rule, named; the rows are then staged Parquet (`load_rows` gives a
    staging.StagedRows), and the contract's row rules, the file statistics and the prepared table are SQL."""

    name: str
    header: list[str]
    record_id: str = "Crime ID"
    contract: str = ""
    extra_params: dict = field(default_factory=dict)
    synthetic: bool = False
    row_engine: str = "sql"

    def discover(self, pattern: str) -> list[Path]:
        return discover_files(self.name, pattern)

    def layout(self) -> staging.Layout:
        extra = (_CRIME_ID_MISSING,) if "Crime type" in self.header else ()
        return staging.Layout(self.name, tuple(self.header), _PER_ROW + extra, per_file=_PER_FILE)

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        """One row per file: name, month from the name, readability, header as read, size and hash. The files of
        the period whose header is the published one are read into the staging cache here (`staged`, `data_rows`),
        and a file DuckDB cannot read is not readable, saying why (files.inspect_file)."""
        rows = []
        for f, quick in zip(files, quick_records(files)):
            rec = {**quick, "file_month": police_uk.file_month(f.name), "staged": "", "data_rows": 0}
            if rec["readable"] != "ok":  # the first line or the gzip trailer is wrong: read it all to say why
                full = file_record(f)[0]
                rec.update(readable=full["readable"], header=full["header"])
            rows.append(rec)
        df = pd.DataFrame(rows)
        df["in_period"] = df["file_month"].between(period[0], period[1]) | df["file_month"].isna()
        todo = df[df["in_period"] & (df["readable"] == "ok") & (df["header"] == self.expected_header())]
        got = list(staging.stage_files(self.layout(), todo))
        if got:  # set once, not row by row (a national year is over 500 files)
            df.loc[todo.index, "readable"] = [g[0] for g in got]
            df.loc[todo.index, "staged"] = [g[1] for g in got]
            df.loc[todo.index, "data_rows"] = [g[2] for g in got]
        return df

    def expected_header(self) -> str:
        return "|".join(self.header)

    def load_rows(self, files: pd.DataFrame) -> staging.StagedRows:
        """The staged rows of the (readable, in-period) files: SQL over the cache, nothing loaded."""
        return staging.StagedRows(self.layout(), [s for s in files["staged"] if s])

    def file_stats(self, rows, files: pd.DataFrame, accepted: dict[str, str]) -> pd.DataFrame:
        """One row per file, from its rows: rows, repeated Crime IDs and their share, and the month's volume (its
        distinct records: rows less repeated Crime IDs) against its neighbouring months (breaks.implausible_volume:
        below half or above twice the median of up to three months either side is implausible, for files whose
        neighbours hold at least MIN_FILE_ROWS rows). `accepted`: months declared right in params
        (data_quality.accept_volume), with the reason. `rows`: staged rows (counted in SQL) or a frame."""
        return volume_checked(self.file_counts(rows, files), accepted)

    def file_counts(self, rows, files: pd.DataFrame) -> pd.DataFrame:
        """One row per file in month order: its month, rows, Crime IDs, distinct ones, repeated ones and their
        share of the rows."""
        if isinstance(rows, staging.StagedRows):
            st = rows.query('SELECT source_file, count(*) AS rows, count("Crime ID") AS crime_ids, '
                            'count(DISTINCT "Crime ID") AS distinct_crime_ids FROM rows GROUP BY source_file')
        else:
            g = rows.groupby("source_file", sort=False)
            ids = rows["Crime ID"] if "Crime ID" in rows.columns else pd.Series(index=rows.index, dtype="str")
            st = pd.DataFrame({"rows": g.size(),
                               "crime_ids": ids.notna().groupby(rows["source_file"]).sum(),
                               "distinct_crime_ids": ids.groupby(rows["source_file"]).nunique()}).reset_index()
        st = st.astype({"rows": "int64", "crime_ids": "int64", "distinct_crime_ids": "int64"})
        st = st.merge(files[["source_file", "file_month"]], on="source_file", how="left")
        st = st.sort_values(["file_month", "source_file"], na_position="last").reset_index(drop=True)
        st["repeated_crime_ids"] = (st["crime_ids"] - st["distinct_crime_ids"]).astype("int64")
        st["repeat_share"] = (st["repeated_crime_ids"] / st["rows"]).round(4)
        return st

    def prepare(self, rows, out: Path) -> int:
        """Write the typed, prepared table notebooks read; the row count written. `rows`: staged rows (SQL over
        the cache; a table already written from the same files, filters and query is copied from the cache) or a
        frame of the same columns."""
        cols = set(rows.columns)
        # outcome categories in one spelling (the archive's); the API spelling is accepted by the contract
        norm = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in police_uk.OUTCOME_SPELLINGS.items())
        extra = (f", \"Crime type\" AS crime_type, CASE \"Last outcome category\" {norm} "
                 "ELSE \"Last outcome category\" END AS last_outcome"
                 if "Crime type" in cols else
                 f", CASE \"Outcome type\" {norm} ELSE \"Outcome type\" END AS outcome_type")
        # One crime is one Crime ID within its month: a repeated Crime ID (an identical row, or the same crime with
        # another last outcome) is flagged on every row but the last one in the files (the greatest source file,
        # then row), which is the one counted. The repeated ones are found by grouping, then joined back: far
        # cheaper than numbering every row within its (month, Crime ID) when almost none repeat.
        street = "Crime type" in cols
        repeat = """,
                     coalesce({'f': r.source_file, 'r': r."row"} < d.last_row, FALSE) AS repeat_in_month""" \
            if street else ""
        repeats = """
              LEFT JOIN (SELECT "Month" AS month, "Crime ID" AS crime_id,
                                max({'f': source_file, 'r': "row"}) AS last_row
                         FROM rows WHERE "Crime ID" IS NOT NULL
                         GROUP BY "Month", "Crime ID" HAVING count(*) > 1) AS d
                     ON d.month = r."Month" AND d.crime_id = r."Crime ID" """ if street else ""
        columns = f"""
              SELECT r."Crime ID" AS crime_id, r."Month" AS month, r."Falls within" AS falls_within,
                     TRY_CAST(r."Longitude" AS DOUBLE) AS longitude, TRY_CAST(r."Latitude" AS DOUBLE) AS latitude,
                     r."Location" AS location, r."LSOA code" AS lsoa_code, r."LSOA name" AS lsoa_name,
                     r.district
                     {extra}, r.source_file, r."row" AS source_row"""
        select = f"""{columns}{repeat}
              FROM rows AS r{repeats}
              ORDER BY month, source_file, source_row"""
        if isinstance(rows, staging.StagedRows):  # the same staged files and query: the table written before
            # months whose files are in order are written with no join and no sort (staging.write_table); a month
            # where a Crime ID repeats needs the join that flags its repeats, and is sorted
            in_order = (f"{columns}{', FALSE AS repeat_in_month' if street else ''} FROM rows AS r",
                        'SELECT DISTINCT "Month" FROM rows WHERE "Crime ID" IS NOT NULL GROUP BY "Month", "Crime ID" '
                        'HAVING count(*) > 1' if street else 'SELECT NULL AS "Month" WHERE FALSE')
            return rows.write_table(select, out, chunk_by="Month", in_order=in_order, encoding=_ENCODING)
        con = connect()
        try:
            con.register("rows", rows.assign(district=police_uk.districts(rows["LSOA name"])))
            return write_parquet(con, select, out)
        finally:
            con.close()

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {
            "period_months": months.span(*period),
            "force": [force],
            "header": [self.expected_header()],
        }



@dataclass
class PoliceUkForces(PoliceUkMonthly):
    """data.police.uk street files of many forces for one period (the police.uk peer comparison): one file per
    force and month, named YYYY-MM-<force>-street.csv[.gz]. Read, cached and checked by SQL as one force's street
    files are, except that each file may be any force's (its rows all one force) and a force may lack months: the
    peers page names the forces without the full 12 months and leaves them out. Prepared as counts per file,
    force, month and crime type, the one table the comparison reads."""

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        """PoliceUkMonthly.files_frame with the force from each file's name (`file_force`, None when the name is
        not a street file's) and `file_key` (force|month, one file each)."""
        df = super().files_frame(files, period)
        df["file_force"] = [police_uk.file_force(n) for n in df["source_file"]]
        df["file_key"] = [f"{f}|{m}" if f and m else None for f, m in zip(df["file_force"], df["file_month"])]
        return df

    def file_stats(self, rows, files: pd.DataFrame, accepted: dict[str, str]) -> pd.DataFrame:
        """PoliceUkMonthly.file_stats, with each file's volume judged against the same force's other months."""
        forces = files.set_index("source_file")["file_force"]
        st = self.file_counts(rows, files)
        st["file_force"] = st["source_file"].map(forces)
        parts = [volume_checked(g.reset_index(drop=True), accepted)
                 for _, g in st.groupby("file_force", sort=True, dropna=False)]
        return pd.concat(parts, ignore_index=True) if parts else st

    def prepare(self, rows, out: Path) -> int:
        """Counts per file, month, force (as written in the file name and in Falls within) and crime type: rows,
        and crimes. As for one force's street rows (prepare), one crime is one Crime ID within its file (one force's
        month): a repeated ID counts once, under the crime type of its last row; a row with no Crime ID (anti-social
        behaviour, or a crime the contract warns of) counts as itself."""
        select = r"""
              WITH r AS (
                SELECT source_file, "Month", "Falls within", "Crime type",
                       "Crime ID" IS NOT NULL AND row_number() OVER (PARTITION BY source_file, "Crime ID"
                                                                   ORDER BY "row" DESC) > 1 AS repeat
                FROM rows)
              SELECT source_file, regexp_extract(source_file, '^\d{4}-\d{2}-(.+)-street\.csv(\.gz)?$', 1)
                       AS file_force,
                     "Month" AS month, "Falls within" AS falls_within, "Crime type" AS crime_type,
                     count(*) AS rows, count(*) FILTER (WHERE NOT repeat) AS crimes
              FROM r GROUP BY 1, 2, 3, 4, 5 ORDER BY month, file_force, crime_type"""
        if isinstance(rows, staging.StagedRows):
            return rows.write_table(select, out, districts=False)
        con = connect()
        try:
            con.register("rows", rows)
            return write_parquet(con, select, out)
        finally:
            con.close()

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"period_months": months.span(*period), "header": [self.expected_header()]}

def volume_checked(st: pd.DataFrame, accepted: dict[str, str]) -> pd.DataFrame:
    """Add each file's volume check to per-file counts in month order (columns file_month, rows,
    repeated_crime_ids): its distinct records against its neighbouring months (breaks.implausible_volume), the
    ratio, and 'ok', 'accepted', 'implausibly low' or 'implausibly high' (see PoliceUkMonthly.file_stats)."""
    from scrutiny.stats.breaks import implausible_volume, neighbour_ratio

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
    row_engine: str = "gx"

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        """One row per file (files.file_record: the whole file read as a stream): name, month from the name,
        readability, header as read, size and hash."""
        df = pd.DataFrame([{**file_record(f)[0], "file_month": police_uk.file_month(f.name)} for f in files])
        df["in_period"] = df["file_month"].between(period[0], period[1]) | df["file_month"].isna()
        return df

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        """Every row in pandas, text as published, with the timestamp's month and its lag behind the file's."""
        df = read_csv_strict(self.name, files["path"].tolist(), self.header)
        df["file_month"] = df["source_file"].map(files.set_index("source_file")["file_month"])
        df["latitude_value"] = pd.to_numeric(df["Latitude"], errors="coerce")
        df["longitude_value"] = pd.to_numeric(df["Longitude"], errors="coerce")
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
