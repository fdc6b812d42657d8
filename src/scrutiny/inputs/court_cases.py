"""`court_cases`: charged cases with their court dates, one row per case (contract court_cases.v1; optional)."""

from __future__ import annotations

from scrutiny.inputs.force_extract import ForceExtract, date_columns

HEADER = ("case_id", "offence_date", "charge_date", "first_hearing_date", "completion_date", "result")

COURT_CASES = ForceExtract(
    name="court_cases", contract="court_cases.v1", record_id="case_id", header=HEADER,
    derived=(*date_columns("offence_date", "offence_day"), *date_columns("charge_date", "charge_day"),
             *date_columns("first_hearing_date", "first_hearing_day"),
             *date_columns("completion_date", "completion_day"),
             "CASE WHEN completion_date IS NULL THEN 'false' ELSE 'true' END AS completed"),
    prepared=("case_id, offence_day AS offence_date, charge_day AS charge_date, "
              "first_hearing_day AS first_hearing_date, completion_day AS completion_date, result"),
)
