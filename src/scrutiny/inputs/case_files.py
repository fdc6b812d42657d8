"""`case_files`: case files assessed against the national file standards, one row per file (contract
case_files.v1)."""

from __future__ import annotations

from scrutiny.inputs.force_extract import ForceExtract

HEADER = ("file_id", "assessment_month", "compliant", "error_type")

CASE_FILES = ForceExtract(
    name="case_files", contract="case_files.v1", record_id="file_id", header=HEADER, derived=(),
    prepared="file_id, assessment_month AS month, compliant = 'Y' AS compliant, error_type",
)
