"""`incidents`: a force's command and control incidents with grade and first arrival (contract incidents.v1)."""

from __future__ import annotations

from scrutiny.inputs.force_extract import ForceExtract, local_month, ts_columns

HEADER = ("incident_id", "grade", "created_ts", "arrived_ts", "district", "rural_flag")

INCIDENTS = ForceExtract(
    name="incidents", contract="incidents.v1", record_id="incident_id", header=HEADER,
    derived=(*ts_columns("created_ts", "created_at"), *ts_columns("arrived_ts", "arrived_at"),
             "(arrived_at - created_at) / 60 AS arrive_min"),
    # what the analyses read (one row per incident)
    prepared=(f"grade, {local_month('created_ts', 'created_at')} AS month, arrive_min, district, "
              "rural_flag = 'Y' AS rural"),
)
