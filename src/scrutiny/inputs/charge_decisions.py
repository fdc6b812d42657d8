"""`charge_decisions`: charging decisions by the police or the CPS, one row per decision (contract
charge_decisions.v1). Checked after `force_crimes` when that input is given: a decision dated before its crime
was recorded is refused."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scrutiny.inputs.force_extract import ForceExtract, date_columns

HEADER = ("decision_id", "crime_ref", "decision_date", "decision", "decision_maker", "da_flag")


@dataclass
class ChargeDecisions(ForceExtract):
    after: str = "force_crimes"  # validated after the crimes extract, whose rows `link` reads

    def link(self, rows: pd.DataFrame, frames: dict) -> pd.DataFrame:
        """`crime_recorded_day`: the recorded date of each decision's crime_ref in the force_crimes rows (empty
        when the crime is not there). Without that input the column is absent and its rule is not run."""
        crimes = frames.get(self.after)
        if crimes is None or "crime_ref" not in crimes or "recorded_date" not in crimes:
            return rows
        rec = crimes[["crime_ref", "recorded_date"]].drop_duplicates("crime_ref")
        rec = rec.assign(crime_recorded_day=pd.to_datetime(rec["recorded_date"], errors="coerce", format="%Y-%m-%d"))
        return rows.merge(rec[["crime_ref", "crime_recorded_day"]], on="crime_ref", how="left")


CHARGE_DECISIONS = ChargeDecisions(
    name="charge_decisions", contract="charge_decisions.v1", record_id="decision_id", header=HEADER,
    derived=tuple(date_columns("decision_date", "decision_day")),
    prepared=("decision_id, crime_ref, decision_day AS decision_date, strftime(decision_day, '%Y-%m') AS month, "
              "decision, decision_maker, da_flag = 'Y' AS da"),
)
