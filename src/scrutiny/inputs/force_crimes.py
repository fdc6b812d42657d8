"""The force crimes extract (`force_crimes.v1`): one row per recorded crime, sent by a force to its OPCC.

Columns (data dictionary in data_contracts/README.md): crime_ref, recorded_date, committed_date, ho_offence_code,
offence_group, crime_type, district, victim_id (pseudonymised; blank when the crime has no personal victim),
da_flag, hate_flag (Y/N), hate_strand, ho_outcome_type (blank: not yet assigned), outcome_date, extracted_at.
The extract may come in several files (parts of one extract, one extracted_at date throughout).

Rows are read as text; `check_columns` adds the columns the contract checks beside the published ones
(date_problem, victim_id_form, hate_strand_matches_flag, outcome_pairing, recorded_month). A victim_id that
looks like a name or a date of birth is classified here, so the contract can refuse it by its form and name the
rows by crime_ref without ever showing the value.

A pack reads the extract once into the ingest cache (`ForceCrimes.stage_rows`, inputs/staging.py): DuckDB
computes the same columns as each file is read (`LAYOUT`, the SQL twin of `check_columns`, with the same regular
expressions), and the extract's date, which needs every file, in the view the contract reads (`EXTRACT_DATE`).
`check_columns` stays the definition the SQL is tested against (tests/inputs/test_force_extract_checks.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny.inputs import staging
from scrutiny.inputs.files import InputError, connect, sql_string, write_parquet
from scrutiny.inputs.pfa_tables import _CsvTable
from scrutiny.reference import months

HEADER = ["crime_ref", "recorded_date", "committed_date", "ho_offence_code", "offence_group", "crime_type",
          "district", "victim_id", "da_flag", "hate_flag", "hate_strand", "ho_outcome_type", "outcome_date",
          "extracted_at"]
REQUIRED = ["crime_ref", "recorded_date", "ho_offence_code", "offence_group", "crime_type", "district", "da_flag",
            "hate_flag", "extracted_at"]
DATE_COLUMNS = ["recorded_date", "committed_date", "outcome_date", "extracted_at"]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
# a date anywhere in the value: 12/03/1985, 1985-03-12, 12.3.85, 12 03 1985
DATE_LIKE = re.compile(r"\d{1,4}[-/. ]\d{1,2}[-/. ]\d{2,4}")
NAME_LIKE = re.compile(r"^[^\d]*[A-Za-z]{2,}[^\d]*$")  # letters (spaces, hyphens, apostrophes) and no digit


def blank(s: pd.Series) -> pd.Series:
    """True where a text cell is missing or only spaces."""
    return s.isna() | (s.astype("string").str.strip() == "")


def _real_dates(values: pd.Series) -> pd.Series:
    """For each distinct text value: '' when a real yyyy-mm-dd date, else why not (checked once per value)."""
    u = pd.Series(values.dropna().unique(), dtype="string")
    fmt = u.str.fullmatch(ISO_DATE.pattern).fillna(False).astype(bool)
    real = pd.to_datetime(u.where(fmt), format="%Y-%m-%d", errors="coerce").notna()
    why = np.where(fmt & real, "", np.where(fmt, "is not a real date", "is not written yyyy-mm-dd"))
    return pd.Series(why, index=u.to_numpy(dtype=object))


def date_problem(df: pd.DataFrame, columns=DATE_COLUMNS) -> pd.Series:
    """Per row, the first date cell that is neither blank nor a real yyyy-mm-dd date (e.g. "outcome_date
    '2025-02-30' is not a real date"), or None."""
    out = pd.Series(None, index=df.index, dtype=object)
    for c in columns:
        s = df[c].where(~blank(df[c]), None)
        why = s.map(_real_dates(s)).fillna("")
        bad = ((why != "") & out.isna()).to_numpy()
        if bad.any():
            out[bad] = [f"{c} '{v}' {w}" for v, w in zip(s[bad].tolist(), why[bad].tolist())]
    return out


FOUR_DIGITS = r"[0-9][^0-9]*[0-9][^0-9]*[0-9][^0-9]*[0-9]"


def victim_id_form(s: pd.Series) -> pd.Series:
    """blank | pseudonymised | looks like a date | looks like a name | not a pseudonymised id.

    Pseudonymised: 6 to 64 letters, digits, '-' or '_' with at least 4 digits and no date in it (e.g. V0001234
    or a hex digest). A value with a date in it (a date of birth?) or made of letters alone (a name?) is personal
    data and must not reach a pack."""
    t = s.astype("string").str.strip()
    is_blank = (t.isna() | (t == "")).to_numpy()
    date = t.str.contains(DATE_LIKE.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    name = t.str.fullmatch(NAME_LIKE.pattern).fillna(False).to_numpy(dtype=bool)
    pseudo = (t.str.fullmatch(PSEUDONYM.pattern).fillna(False).to_numpy(dtype=bool)
              & t.str.contains(FOUR_DIGITS, regex=True).fillna(False).to_numpy(dtype=bool))
    form = np.select([is_blank, date, name, pseudo],
                     ["blank", "looks like a date", "looks like a name", "pseudonymised"], "not a pseudonymised id")
    return pd.Series(form, index=s.index, dtype=object)


def missing_fields(df: pd.DataFrame, required: list[str]) -> pd.Series:
    """Per row, the required fields left blank ("district, da_flag"), or None."""
    gone = df[required].isna().to_numpy()
    out = pd.Series(None, index=df.index, dtype=object)
    rows = np.flatnonzero(gone.any(axis=1))
    if len(rows):
        out.iloc[rows] = [", ".join(c for c, g in zip(required, gone[i]) if g) for i in rows]
    return out


def check_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The rows with the columns the contract checks added; blank cells become None."""
    out = df.copy()
    for c in HEADER:
        out[c] = out[c].where(~blank(out[c]), None)
    out["date_problem"] = date_problem(out)
    out["victim_id_form"] = victim_id_form(out["victim_id"])
    strand, flag = ~blank(out["hate_strand"]), out["hate_flag"] == "Y"
    out["hate_strand_matches_flag"] = (strand == flag).astype(bool)
    typed, dated = ~blank(out["ho_outcome_type"]), ~blank(out["outcome_date"])
    out["outcome_pairing"] = np.where(typed & dated, "both", np.where(~typed & ~dated, "neither",
                                      np.where(typed, "type without a date", "date without a type")))
    out["recorded_month"] = out["recorded_date"].astype("string").str[:7]
    dates = out["extracted_at"].dropna()
    first = dates.mode().iloc[0] if len(dates) else None
    out["extract_date"] = np.where(out["extracted_at"].isna(), "missing",
                                   np.where(out["extracted_at"] == first, "the extract's date", "another date"))
    out["missing_fields"] = missing_fields(out, REQUIRED)
    return out


# SQL twins of the definitions above, over one file's text columns as read (DuckDB's regular expressions are RE2,
# as are pandas' string methods on Arrow strings: `\d` is an ASCII digit in both)
SPACE = (r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}"
         r"\x{3000}]")  # what str.strip() removes (Python's whitespace)


def _whole(pattern: re.Pattern) -> str:
    return sql_string(pattern.pattern.removeprefix("^").removesuffix("$"))


def _date_problem_sql(c: str) -> str:
    def says(why: str) -> str:
        return f"{sql_string(c + ' ' + chr(39))} || {c} || {sql_string(chr(39) + ' ' + why)}"
    return (f"CASE WHEN {c} IS NULL THEN NULL WHEN NOT regexp_full_match({c}, {_whole(ISO_DATE)}) "
            f"THEN {says('is not written yyyy-mm-dd')} "
            f"WHEN try_strptime({c}, '%Y-%m-%d') IS NULL THEN {says('is not a real date')} END")


LAYOUT = staging.Layout(
    "force_crimes", tuple(HEADER),
    derived=(
        f"coalesce({', '.join(_date_problem_sql(c) for c in DATE_COLUMNS)}) AS date_problem",
        "CASE WHEN victim_id IS NULL THEN 'blank' "
        f"WHEN regexp_matches(victim_id, {sql_string(DATE_LIKE.pattern)}) THEN 'looks like a date' "
        f"WHEN regexp_full_match(victim_id, {_whole(NAME_LIKE)}) THEN 'looks like a name' "
        f"WHEN regexp_full_match(regexp_replace(victim_id, {sql_string(f'^{SPACE}+|{SPACE}+$')}, '', 'g'), "
        f"{_whole(PSEUDONYM)}) AND regexp_matches(victim_id, {sql_string(FOUR_DIGITS)}) THEN 'pseudonymised' "
        "ELSE 'not a pseudonymised id' END AS victim_id_form",
        "(hate_strand IS NOT NULL) = coalesce(hate_flag = 'Y', false) AS hate_strand_matches_flag",
        "CASE WHEN ho_outcome_type IS NOT NULL AND outcome_date IS NOT NULL THEN 'both' "
        "WHEN ho_outcome_type IS NULL AND outcome_date IS NULL THEN 'neither' "
        "WHEN ho_outcome_type IS NOT NULL THEN 'type without a date' ELSE 'date without a type' END "
        "AS outcome_pairing",
        "substr(recorded_date, 1, 7) AS recorded_month",
        "nullif(concat_ws(', ', " + ", ".join(f"CASE WHEN {c} IS NULL THEN '{c}' END" for c in REQUIRED)
        + "), '') AS missing_fields",
    ),
    # a blank cell (empty or only spaces) is read as missing, as `blank` says
    replace=tuple(f"CASE WHEN regexp_full_match(coalesce({c}, ''), {sql_string(SPACE + '*')}) THEN NULL ELSE {c} END "
                  f"AS {c}" for c in HEADER),
)
# the extract's date is the most frequent extracted_at of all its files (the earliest of equally frequent ones, as
# pandas' mode), so it is a column of the view the contract reads rather than of each staged file
EXTRACT_DATE = """SELECT r.*, CASE WHEN r.extracted_at IS NULL THEN 'missing'
       WHEN r.extracted_at = (SELECT extracted_at FROM {rows} WHERE extracted_at IS NOT NULL GROUP BY 1
                              ORDER BY count(*) DESC, extracted_at LIMIT 1) THEN 'the extract''s date'
       ELSE 'another date' END AS extract_date
FROM {rows} AS r"""


def first_recorded(crimes: pd.DataFrame | staging.StagedRows, refs: pd.Series) -> np.ndarray:
    """For each crime_ref of `refs`, the recorded_date (text as sent) of the first row with that crime_ref in the
    crimes rows (file, then row order), None where there is none. Staged crimes are looked up by DuckDB."""
    if isinstance(crimes, pd.DataFrame):
        rec = crimes[["crime_ref", "recorded_date"]].drop_duplicates("crime_ref")
        got = pd.DataFrame({"crime_ref": refs.to_numpy()}).merge(rec, on="crime_ref", how="left")["recorded_date"]
    else:
        con = connect()
        try:
            con.register("q", pd.DataFrame({"i": np.arange(len(refs)), "crime_ref": refs.astype(object).to_numpy()}))
            files = "[" + ", ".join(sql_string(p) for p in crimes.parts) + "]"
            got = con.execute(f"""
                WITH c AS (SELECT crime_ref, recorded_date FROM read_parquet({files}, union_by_name=true)
                           WHERE crime_ref IN (SELECT crime_ref FROM q)
                           QUALIFY row_number() OVER (PARTITION BY crime_ref ORDER BY file_index, "row") = 1)
                SELECT q.i, c.recorded_date FROM q LEFT JOIN c ON c.crime_ref = q.crime_ref ORDER BY q.i""").df()[
                "recorded_date"]
        finally:
            con.close()
    return got.astype(object).where(got.notna(), None).to_numpy(dtype=object)


@dataclass
class ForceCrimes(_CsvTable):
    """The crimes extract: one or more CSV files (parts of one extract) with the contract's header."""

    row_engine: str = "sql"  # the contract's rules run as DuckDB SQL (contracts/sql.py) over the staged rows

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        return check_columns(self._read(files))

    def stage_rows(self, files: pd.DataFrame) -> staging.StagedRows:
        """The rows load_rows reads, with the same check columns, kept as Parquet in the ingest cache: an extract
        file read before (same bytes, same name) is not read again. A file that cannot be read raises the
        InputError load_rows raises for it."""
        results = staging.stage_files(LAYOUT, files.assign(file_month=None), allow_empty=True)
        bad = [i for i, (verdict, _, _) in enumerate(results) if verdict != "ok"]
        if bad:  # read as a frame, only to raise load_rows's error for the first such file
            self._read(files.iloc[bad[:1]])
            raise InputError(f"input {self.name}: {files['source_file'].iloc[bad[0]]}: {results[bad[0]][0]}")
        return staging.StagedRows(LAYOUT, [part for _, part, _ in results], checks=EXTRACT_DATE)

    def prepare(self, rows: pd.DataFrame | staging.StagedRows, out: Path) -> int:
        """Typed table: dates as DATE, flags as BOOLEAN, blanks as NULL, with source_file and source_row."""
        dates = ", ".join(f"CAST({c} AS DATE) AS {c}" for c in DATE_COLUMNS)
        select = f"""
                SELECT crime_ref, ho_offence_code, offence_group, crime_type, district, victim_id,
                       da_flag = 'Y' AS da_flag, hate_flag = 'Y' AS hate_flag, hate_strand, ho_outcome_type, {dates},
                       source_file, "row" AS source_row
                FROM rows ORDER BY recorded_date, crime_ref"""
        if isinstance(rows, staging.StagedRows):
            return rows.write_table(select, out, districts=False)
        con = connect()
        try:
            con.register("rows", rows[HEADER + ["source_file", "row"]])
            return write_parquet(con, select, out)
        finally:
            con.close()

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"header": [self.expected_header()], "reporting_month": [period[1]],
                "period_months": months.span(*period)}
