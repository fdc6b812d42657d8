"""Police force area (PFA) inputs: Home Office recorded crime by PFA and ONS mid-year population by PFA.

Two input datasets with the same methods as ingest.PoliceUkMonthly (discover, files_frame, load_rows, prepare,
expectation_parameters), so the runner validates them against their contracts and writes typed Parquet:

- `ho_prc_pfa`: the Home Office police recorded crime open data by PFA (`rec-crime-pfa.csv`): rolling 12-month
  totals at quarter ends, columns `12 months ending` (dd-mm-yyyy), `PFA`, `Region`, `Offence`,
  `Rolling year total number of offences`. CRLF line endings are read as ordinary line ends.
- `ons_population_pfa`: ONS mid-year population estimates summed to PFAs (`population_pfa.csv`), one row per
  PFA, year and edition.

Offence groups follow the ONS presentation (project domain notes §2.1). Total recorded crime here is the sum of
every offence row except `Fraud offences` ("total recorded crime excluding fraud"): force-recorded fraud stops
after 2013 and the central fraud bodies (Action Fraud, CIFAS, UK Finance) have no resident population.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scrutiny.inputs.files import discover_files, file_record, read_csv_strict
from scrutiny.reference.forces import NON_RESIDENT, ONS_NAME, TERRITORIAL
from scrutiny.reference.offences import GROUPS, OFFENCE_GROUP, TOTAL

HO_HEADER = ["12 months ending", "PFA", "Region", "Offence", "Rolling year total number of offences"]
POP_HEADER = ["year", "pfa_code", "pfa_name", "country", "population", "edition", "la_boundaries", "n_lads",
              "preferred"]

POP_EDITIONS = ["mye2019", "mye2023"]


def population_year(period_end: dt.date) -> int:
    """The ONS mid-year (30 June) estimate to divide a 12-month total by: the 30 June inside the 12 months.

    Every 12-month window holds exactly one 30 June: year ending December 2018 -> mid-2018; year ending March 2019
    (the financial year 2018/19) -> mid-2018, the usual ONS convention for financial years."""
    return period_end.year if period_end.month >= 6 else period_end.year - 1


def quarter_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass
class _CsvTable:
    """A single published CSV (optionally gzipped) read whole; shared by the two PFA datasets."""

    name: str
    header: list[str]
    record_id: str
    contract: str
    synthetic: bool = False

    def discover(self, pattern: str) -> list[Path]:
        return discover_files(self.name, pattern)

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        return pd.DataFrame([{**file_record(f)[0], "in_period": True} for f in files])

    def expected_header(self) -> str:
        return "|".join(self.header)

    def _read(self, files: pd.DataFrame) -> pd.DataFrame:
        return read_csv_strict(self.name, files["path"].tolist(), self.header)


@dataclass
class HoPrcPfa(_CsvTable):
    """Home Office police recorded crime by PFA, rolling 12-month totals at quarter ends."""

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        df = self._read(files)
        d = pd.to_datetime(df["12 months ending"], format="%d-%m-%Y", errors="coerce")
        df["quarter"] = d.dt.strftime("%Y-%m")
        df["count"] = pd.to_numeric(df["Rolling year total number of offences"].where(
            df["Rolling year total number of offences"].fillna("").str.fullmatch(r"-?\d+")), errors="coerce")
        terr = df[df["PFA"].isin(TERRITORIAL)]
        per_q = terr.groupby("quarter")["PFA"].nunique()
        df["territorial_forces_in_quarter"] = df["quarter"].map(per_q).fillna(0).astype(int)
        return df

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        q = pd.to_datetime(rows["quarter"] + "-01")
        ends = [quarter_end(y, m) for y, m in zip(q.dt.year, q.dt.month)]
        df = pd.DataFrame({
            "period_end": pd.to_datetime(ends),
            "published_date": rows["12 months ending"],
            "pfa": rows["PFA"], "region": rows["Region"], "offence": rows["Offence"],
            "offence_group": rows["Offence"].map(OFFENCE_GROUP),
            "count": rows["count"].astype("int64"),
            "source_file": rows["source_file"], "source_row": rows["row"],
        }).sort_values(["period_end", "pfa", "offence"], kind="stable")
        df.to_parquet(out, index=False)
        return len(df)

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"header": [self.expected_header()], "territorial": TERRITORIAL,
                "areas": TERRITORIAL + NON_RESIDENT, "offences": list(OFFENCE_GROUP),
                "reporting_quarter": [period[1]]}


@dataclass
class OnsPopulationPfa(_CsvTable):
    """ONS mid-year population estimates by PFA, one row per area, year and edition."""

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        df = self._read(files)
        for c in ("year", "population"):
            df[f"{c}_n"] = pd.to_numeric(df[c].where(df[c].fillna("").str.fullmatch(r"\d+")), errors="coerce")
        df["areas_in_year"] = df.groupby(["edition", "year"])["pfa_code"].transform("nunique")
        return df

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        df = pd.DataFrame({"year": rows["year_n"].astype("int64"), "pfa_code": rows["pfa_code"],
                           "pfa_name": rows["pfa_name"], "population": rows["population_n"].astype("int64"),
                           "edition": rows["edition"], "source_file": rows["source_file"],
                           "source_row": rows["row"]}).sort_values(["edition", "year", "pfa_code"])
        df.to_parquet(out, index=False)
        return len(df)

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"header": [self.expected_header()], "pfa_names": [ONS_NAME.get(n, n) for n in TERRITORIAL],
                "editions": POP_EDITIONS}


def crime_with_population(crime: pd.DataFrame, pop: pd.DataFrame, edition: str) -> pd.DataFrame:
    """Territorial-force offence-group counts per quarter end, with the matching ONS population.

    Returns columns period_end, force, offence (group name or TOTAL), count, population (NaN where the edition
    has no estimate for the year), population_year. BTP and the fraud bodies are dropped (no residents)."""
    c = crime[crime["pfa"].isin(TERRITORIAL) & crime["offence_group"].notna()]
    g = c.groupby(["period_end", "pfa", "offence_group"], as_index=False)["count"].sum()
    t = c.groupby(["period_end", "pfa"], as_index=False)["count"].sum().assign(offence_group=TOTAL)
    df = pd.concat([t, g], ignore_index=True).rename(columns={"pfa": "force", "offence_group": "offence"})
    df["population_year"] = df["period_end"].map(lambda d: population_year(d.date()))
    p = pop[pop["edition"] == edition].assign(force=lambda x: x["pfa_name"].map(
        {ONS_NAME.get(n, n): n for n in TERRITORIAL}))
    df = df.merge(p[["year", "force", "population"]].rename(columns={"year": "population_year"}),
                  on=["population_year", "force"], how="left")
    order = {o: i for i, o in enumerate([TOTAL] + GROUPS)}
    return df.sort_values(["period_end", "force", "offence"], key=lambda s: s.map(order) if s.name == "offence"
                          else s).reset_index(drop=True)
