"""The SQL path on the benchmark's files: streamed DuckDB ingest of the police.uk CSVs to Parquet, then the
aggregate queries of inputs/aggregates.py. Run in its own process by the benchmark:
`python -m scrutiny.bench.sqlpath --street GLOB --outcomes GLOB --work DIR --period START END`."""

from __future__ import annotations

import argparse
import glob
import json
import shutil
import time
from pathlib import Path

from scrutiny.inputs import aggregates


def sql_path(street: list[str], outcomes: list[str], work: Path, period: tuple[str, str]) -> dict:
    t, c = time.perf_counter(), time.process_time()
    tables = aggregates.ingest_police_uk(street, outcomes, work)
    ingest = time.perf_counter() - t
    res = aggregates.run_duckdb(tables, period)
    total = time.perf_counter() - t
    return {"ingest_s": ingest, "aggregates_s": total - ingest, "seconds": total,
            "cpu_s": time.process_time() - c,
            "street_rows": int(res["monthly_counts"]["rows"].sum()),
            "outcome_rows": int(res["linkage"]["outcome_rows"].iloc[0])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--street", required=True)
    ap.add_argument("--outcomes", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--period", nargs=2, required=True)
    a = ap.parse_args(argv)
    work = Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    r = sql_path(sorted(glob.glob(a.street)), sorted(glob.glob(a.outcomes)), work, tuple(a.period))
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
