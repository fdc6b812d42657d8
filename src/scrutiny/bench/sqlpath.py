"""The SQL path on the benchmark's files: the pack's own ingest (each police.uk file read by DuckDB into an empty
ingest cache, inputs/staging.py, then the prepared tables written by SQL over it, as `scrutiny run` prepares
them), then the aggregate queries of inputs/aggregates.py. No contract is checked: the files of many forces are
not one pack's input. Run in its own process by the benchmark:
`python -m scrutiny.bench.sqlpath --street GLOB --outcomes GLOB --work DIR --period START END`."""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scrutiny.inputs import aggregates


def ingest(street: list[str], outcomes: list[str], work: Path, period: tuple[str, str]) -> dict[str, Path]:
    """The prepared street and outcomes tables of the files, as the pack writes them; {"street": path, ...}."""
    from scrutiny.inputs.registry import DATASETS

    work.mkdir(parents=True, exist_ok=True)
    tables, rows = {}, {}
    for key, name, files in (("street", "police_uk_street", street), ("outcomes", "police_uk_outcomes", outcomes)):
        ds = DATASETS[name]
        found = ds.files_frame([Path(f) for f in files], period)
        found = found[found["in_period"]].reset_index(drop=True)
        bad = found[found["readable"] != "ok"]
        if len(bad):
            raise SystemExit(f"{name}: {bad['source_file'].iloc[0]}: {bad['readable'].iloc[0]}")
        tables[key], rows[key] = work / f"{key}.parquet", (ds, ds.load_rows(found))
    # the two tables written side by side, as the pack's runner writes them (pack/runner.py: prepare_stage)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(ds.prepare, r, tables[k]) for k, (ds, r) in rows.items()]:
            f.result()
    return tables


def sql_path(street: list[str], outcomes: list[str], work: Path, period: tuple[str, str]) -> dict:
    t, c = time.perf_counter(), time.process_time()
    tables = ingest(street, outcomes, work, period)
    ingest_s = time.perf_counter() - t
    res = aggregates.run_duckdb(tables, period)
    total = time.perf_counter() - t
    return {"ingest_s": ingest_s, "aggregates_s": total - ingest_s, "seconds": total,
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
    os.environ["SCRUTINY_CACHE"] = str(work / "ingest-cache")  # empty: every file read from its .csv.gz
    r = sql_path(sorted(glob.glob(a.street)), sorted(glob.glob(a.outcomes)), work, tuple(a.period))
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
