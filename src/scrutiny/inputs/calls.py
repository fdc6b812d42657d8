"""`calls`: a force's 999 and 101 call records, one row per call offered (contract calls.v1)."""

from __future__ import annotations

from scrutiny.inputs.force_extract import ForceExtract, local_month, ts_columns

HEADER = ("call_id", "line", "offered_ts", "answered_ts", "abandoned_flag", "queue")

CALLS = ForceExtract(
    name="calls", contract="calls.v1", record_id="call_id", header=HEADER,
    derived=(*ts_columns("offered_ts", "offered_at"), *ts_columns("answered_ts", "answered_at"),
             "answered_at - offered_at AS answer_s"),
    # what the analyses read (one row per call; the record-level columns stay in the input file)
    prepared=f"line, {local_month('offered_ts', 'offered_at')} AS month, answer_s, abandoned_flag = 'Y' AS abandoned",
)
