"""`charge_decisions`: charging decisions by the police or the CPS, one row per decision (contract
charge_decisions.v1). Checked after `force_crimes` when that input is given: a decision dated before its crime
was recorded is refused."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from scrutiny.inputs.force_crimes import first_recorded
from scrutiny.inputs.force_extract import ForceExtract, date_columns
from scrutiny.inputs.staging import StagedRows

HEADER = ("decision_id", "crime_ref", "decision_date", "decision", "decision_maker", "da_flag")

# each staged decision with the recorded date of its crime: the first force_crimes row of its crime_ref (file, then
# row order), as a timestamp (empty when the crime is not there or its date is not one)
_LINKED = """SELECT r.*, c.crime_recorded_day
FROM {rows} AS r LEFT JOIN (
    SELECT crime_ref, try_strptime(recorded_date, '%Y-%m-%d') AS crime_recorded_day
    FROM crime_rows
    QUALIFY row_number() OVER (PARTITION BY crime_ref ORDER BY part, "row") = 1) AS c
ON c.crime_ref = r.crime_ref"""


@dataclass
class ChargeDecisions(ForceExtract):
    after: str = "force_crimes"  # validated after the crimes extract, whose rows `link` reads

    def link(self, rows: pd.DataFrame | StagedRows, frames: dict) -> pd.DataFrame | StagedRows:
        """`crime_recorded_day`: the recorded date of each decision's crime_ref in the force_crimes rows (empty
        when the crime is not there). Without that input the column is absent and its rule is not run. Staged
        decisions and staged crimes are joined by DuckDB in the view the contract reads."""
        crimes = frames.get(self.after)
        if crimes is None or "crime_ref" not in crimes.columns or "recorded_date" not in crimes.columns:
            return rows
        if isinstance(rows, StagedRows):
            if not isinstance(crimes, StagedRows):
                raise TypeError("staged charge decisions are linked to staged force_crimes rows only")
            return dataclasses.replace(rows, checks=_LINKED, joined=(("crime_rows", tuple(crimes.parts)),))
        rec = pd.Series(first_recorded(crimes, rows["crime_ref"]), index=rows.index)
        return rows.assign(crime_recorded_day=pd.to_datetime(rec, errors="coerce", format="%Y-%m-%d"))


CHARGE_DECISIONS = ChargeDecisions(
    name="charge_decisions", contract="charge_decisions.v1", record_id="decision_id", header=HEADER,
    derived=tuple(date_columns("decision_date", "decision_day")),
    prepared=("decision_id, crime_ref, decision_day AS decision_date, strftime(decision_day, '%Y-%m') AS month, "
              "decision, decision_maker, da_flag = 'Y' AS da"),
)
