"""The victim survey extract (`victim_survey.v1`): one row per respondent, linked to the crime by crime_ref.

Columns (data dictionary in data_contracts/README.md): respondent_id, crime_ref, survey_type (aggregate, domestic
abuse, hate), crime_type, district, interview_date, the five stage answers (ease_of_contact, actions, follow_up,
treatment, whole_experience: 1 completely satisfied … 7 completely dissatisfied, 8 don't know, 9 refused, blank
not asked) and questionnaire_version.

The survey is checked after the crimes extract: `link_columns` adds crime_ref_in_crimes and
interviewed_after_recording from the crimes rows ("not checked" when no crimes rows passed their own checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny.inputs.files import connect, write_parquet
from scrutiny.inputs.force_crimes import blank, date_problem, first_recorded, missing_fields
from scrutiny.inputs.pfa_tables import _CsvTable
from scrutiny.inputs.staging import StagedRows

HEADER = ["respondent_id", "crime_ref", "survey_type", "crime_type", "district", "interview_date",
          "ease_of_contact", "actions", "follow_up", "treatment", "whole_experience", "questionnaire_version"]
REQUIRED = ["respondent_id", "crime_ref", "survey_type", "crime_type", "district", "interview_date",
            "whole_experience", "questionnaire_version"]
STAGES = ["ease_of_contact", "actions", "follow_up", "treatment", "whole_experience"]


def check_columns(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in HEADER:
        out[c] = out[c].where(~blank(out[c]), None)
    for c in STAGES:
        out[c] = out[c].astype("string").str.strip().astype(object).where(out[c].notna(), None)
    out["date_problem"] = date_problem(out, ["interview_date"])
    out["missing_fields"] = missing_fields(out, REQUIRED)
    return out


def link_columns(rows: pd.DataFrame, crimes: pd.DataFrame | StagedRows | None) -> pd.DataFrame:
    """crime_ref_in_crimes (yes / no / not checked) and interviewed_after_recording (yes / no / not checked);
    `crimes`: the crimes rows, as a frame or staged (force_crimes.first_recorded looks each crime_ref up)."""
    out = rows.copy()
    if crimes is None:
        out["crime_ref_in_crimes"] = "not checked"
        out["interviewed_after_recording"] = "not checked"
        return out
    rec = first_recorded(crimes, out["crime_ref"])
    known = pd.notna(rec)
    out["crime_ref_in_crimes"] = np.where(known, "yes", "no")
    ok = (out["date_problem"].isna() & out["interview_date"].notna()).to_numpy() & known
    after = out["interview_date"].astype("string").to_numpy() >= np.where(known, rec, "").astype(str)
    out["interviewed_after_recording"] = np.where(~ok, "not checked", np.where(after, "yes", "no"))
    return out


@dataclass
class VictimSurvey(_CsvTable):
    """The survey responses: one CSV with the contract's header, checked after the crimes extract."""

    row_engine: str = "sql"  # the contract's rules run as DuckDB SQL (contracts/sql.py), like the crimes

    after: str = "force_crimes"  # validated after the crimes, whose rows `link` reads

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        return check_columns(self._read(files))

    def link(self, rows: pd.DataFrame, frames: dict) -> pd.DataFrame:
        return link_columns(rows, frames.get(self.after))

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        """Typed table: interview_date as DATE, the stage answers as integers (blank: NULL)."""
        con = connect()
        try:
            con.register("r", rows[HEADER + ["source_file", "row"]])
            stages = ", ".join(f"CAST({c} AS INTEGER) AS {c}" for c in STAGES)
            return write_parquet(con, f"""
                SELECT respondent_id, crime_ref, survey_type, crime_type, district,
                       CAST(interview_date AS DATE) AS interview_date, {stages}, questionnaire_version,
                       source_file, "row" AS source_row
                FROM r ORDER BY interview_date, respondent_id""", out)
        finally:
            con.close()

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"header": [self.expected_header()]}
