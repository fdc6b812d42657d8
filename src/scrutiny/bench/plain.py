"""The plain-pandas path the pack is measured against: read every file whole with `pandas.read_csv`, count
street rows by month and crime type, take each Crime ID's first outcome (earliest month, then file order) and
join it to the street rows. Run in its own process by the benchmark: `python -m scrutiny.bench.plain`."""

from __future__ import annotations

import argparse
import glob
import json
import time

import pandas as pd


def plain_pandas(street_files: list[str], outcome_files: list[str]) -> dict:
    """The naive aggregates; returns their sizes (to check the work was done) and the seconds taken."""
    t, c = time.perf_counter(), time.process_time()
    street = pd.concat([pd.read_csv(f) for f in street_files], ignore_index=True)
    outcomes = pd.concat([pd.read_csv(f) for f in outcome_files], ignore_index=True)
    monthly = street.groupby(["Month", "Crime type"]).size()
    first = outcomes.sort_values("Month", kind="stable").drop_duplicates("Crime ID", keep="first")
    joined = street.dropna(subset=["Crime ID"]).merge(
        first[["Crime ID", "Month", "Outcome type"]].rename(columns={"Month": "outcome_month"}),
        on="Crime ID", how="left")
    return {"seconds": time.perf_counter() - t, "cpu_s": time.process_time() - c,
            "street_rows": len(street), "outcome_rows": len(outcomes),
            "monthly_cells": len(monthly), "crimes_with_outcome": int(joined["Outcome type"].notna().sum())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--street", required=True, help="glob of the street files")
    ap.add_argument("--outcomes", required=True, help="glob of the outcomes files")
    a = ap.parse_args(argv)
    print(json.dumps(plain_pandas(sorted(glob.glob(a.street)), sorted(glob.glob(a.outcomes)))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
