"""Crimes linked to their outcomes in DuckDB, for forces of millions of rows: the outcomes page's counts
(outcomes.LinkedCounts) straight from the prepared Parquet tables, with no Crime ID and no record-level row in
pandas.

The definitions are outcomes.py's; outcomes.count_frames is the same in pandas on the frames, and
tests/inputs/test_aggregates.py requires both to give the same counts on Gwent's real files. The record-level
work is a few grouped scans in SQL:

- a crime is one row per (Crime ID, month) of the street rows with a Crime ID: the row the prepared table does not
  flag `repeat_in_month` (the last in file order; inputs/police_uk.py), with the rows it had as published (it and
  its flagged rows);
- each crime is joined once to the outcome rows of its Crime ID: its first outcome and first charge are the
  earliest of their months (a charge: a category flagged charged_summonsed); its latest outcome by a cut-off month
  is the greatest (month, category) up to that month, the latest month and, within it, the last category in text
  order, found as the greatest of month × 64 + the category's place in text order.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from scrutiny.analyses import outcomes
from scrutiny.reference import months, police_uk

# DuckDB's memory for the linkage (past it, it spills to a temporary folder). On a force the size of the
# Metropolitan Police (3 million crimes; scrutiny bench) the process then peaks near 0.8 GB instead of 1.7 GB
# unbounded, and takes about 6.5 s instead of 5 s alone. In the pack the outcomes notebook runs beside the
# performance and districts notebooks, which together take as long (18.0 s against 15.2 + 3.6 s in make bench at
# fc8efd3), so the cap costs the pack little.
MEMORY = "512MB"


def _counts(con, sql: str, params: dict) -> pd.Series:
    """A (category, crimes) query as a value count, most crimes first (as pandas value_counts)."""
    d = outcomes.frame(con, sql, params)
    return d.set_index("category")["crimes"].astype("int64").sort_values(ascending=False, kind="stable")


def link_counts(street_parquet: str | Path, outcomes_parquet: str | Path, categories: pd.DataFrame,
                reporting_month: str, window: str, k: int, start: str) -> outcomes.LinkedCounts:
    """outcomes.count_frames on the prepared tables (police_uk_street.parquet, police_uk_outcomes.parquet): every
    count the outcomes page needs, computed in DuckDB. Raises ValueError on an outcome category missing from the
    reference table, as outcomes.link does."""
    from scrutiny.inputs.aggregates import month_index
    from scrutiny.inputs.files import connect, sql_string

    pmap = outcomes.police_uk_map(categories)
    charged = [c for c, f in pmap["charged_summonsed"].items() if bool(f)]
    norm = " ".join(f"WHEN {sql_string(a)} THEN {sql_string(b)}" for a, b in police_uk.OUTCOME_SPELLINGS.items())
    start_idx = months.to_index(start)
    street = f"read_parquet({sql_string(str(street_parquet))})"
    spill = tempfile.TemporaryDirectory(prefix="scrutiny-spill-")
    con = connect()
    try:
        con.execute(f"SET memory_limit='{MEMORY}'")
        con.execute(f"SET temp_directory={sql_string(spill.name)}")
        charged_sql = ", ".join(sql_string(c) for c in charged) or "NULL"
        # each outcome row with its month index and a key that orders its (month, category): the month index
        # times 64 plus the category's place in text order, so the greatest key is the latest outcome
        cat_codes = pd.DataFrame({"outcome_type": sorted(pmap.index)})
        cat_codes["code"] = range(len(cat_codes))
        if len(cat_codes) > 64:
            raise ValueError("more than 64 police.uk outcome categories: the latest-outcome key needs widening")
        con.register("cat_codes", cat_codes)
        con.execute(f"""CREATE TEMP TABLE outs AS
            SELECT o.crime_id, o.midx, o.outcome_type, o.outcome_type IN ({charged_sql}) AS charged,
                   o.midx * 64 + k.code AS latest_key
            FROM (SELECT crime_id, {month_index("month")} AS midx,
                         CASE outcome_type {norm} ELSE outcome_type END AS outcome_type
                  FROM read_parquet({sql_string(str(outcomes_parquet))})) AS o
            LEFT JOIN cat_codes AS k USING (outcome_type)""")
        unknown = [r[0] for r in con.execute(
            "SELECT DISTINCT outcome_type FROM outs WHERE outcome_type IS NOT NULL ORDER BY 1").fetchall()
            if r[0] not in pmap.index]
        if unknown or con.execute("SELECT count(*) FROM outs WHERE outcome_type IS NULL").fetchall()[0][0]:
            raise ValueError(f"outcome categories not in the reference table: {unknown or [None]}")
        # one row per Crime ID within its month: the prepared table flags every row of a repeated Crime ID but the
        # last in file order (repeat_in_month), so the unflagged row is the crime, and its rows as published are
        # it and its flagged rows
        kept = f"FROM {street} WHERE crime_id IS NOT NULL AND NOT coalesce(repeat_in_month, FALSE)"
        con.execute(f"""CREATE TEMP TABLE crimes AS
            SELECT s.crime_id, {month_index("s.month")} AS recorded_idx, s.crime_type,
                   1 + coalesce(r.repeats, 0) AS rows
            FROM (SELECT crime_id, month, crime_type {kept}) AS s
            LEFT JOIN (SELECT crime_id, month, count(*) AS repeats FROM {street}
                       WHERE crime_id IS NOT NULL AND repeat_in_month GROUP BY crime_id, month) AS r
            USING (crime_id, month)""")
        recorded = pd.DataFrame({"recorded_idx": [r[0] for r in con.execute(
            "SELECT DISTINCT recorded_idx FROM crimes ORDER BY 1").fetchall()]}, dtype="int64")
        recorded["window_end_idx"] = outcomes.add_lags(
            recorded.assign(first_idx=0, charge_idx=0), reporting_month, window)["window_end_idx"].astype("int64")
        con.register("windows", recorded)
        # each crime with its first outcome, first charge, latest outcome by the end of its window and latest
        # outcome within k months of its recording month (latest: the greatest (month, category))
        con.execute(f"""CREATE TEMP TABLE per_crime AS
            SELECT any_value(c.crime_type) AS crime_type, any_value(c.recorded_idx) AS recorded_idx,
                   any_value(c.rows) AS rows, min(o.midx) AS first_idx,
                   min(o.midx) FILTER (WHERE o.charged) AS charge_idx,
                   max(o.latest_key) FILTER (WHERE o.midx <= w.window_end_idx) % 64 AS latest,
                   max(o.latest_key) FILTER (WHERE o.midx <= c.recorded_idx + {int(k)}) % 64 AS within_k
            FROM crimes AS c JOIN windows AS w USING (recorded_idx)
            LEFT JOIN outs AS o ON o.crime_id = c.crime_id
            GROUP BY c.rowid""")
        prof = outcomes.frame(con, """
            SELECT crime_type, recorded_idx, CAST(first_idx AS DOUBLE) AS first_idx,
                   CAST(charge_idx AS DOUBLE) AS charge_idx, rows, count(*) AS crimes
            FROM per_crime GROUP BY ALL""")
        latest = outcomes.frame(con, """
            SELECT p.crime_type, p.recorded_idx, k.outcome_type, count(*) AS crimes
            FROM per_crime AS p JOIN cat_codes AS k ON k.code = p.latest GROUP BY ALL""")
        # per Crime ID of the outcome rows (a missing one too: one group): its rows, those dated in the first
        # month, and whether the street files record it
        n = con.execute(f"""
            WITH ids AS (SELECT crime_id, count(*) AS n, count(*) FILTER (WHERE midx = {start_idx}) AS n_start
                         FROM outs GROUP BY crime_id),
                 flagged AS (SELECT *, (crime_id IN (SELECT crime_id FROM crimes)) IS TRUE AS matched FROM ids)
            SELECT sum(n), count(crime_id), sum(n) FILTER (WHERE NOT matched),
                   count(crime_id) FILTER (WHERE NOT matched),
                   (SELECT sum(rows) FROM crimes),
                   (SELECT count(*) FROM (SELECT crime_id FROM crimes GROUP BY crime_id HAVING count(*) > 1)),
                   count(*) FILTER (WHERE crime_id IS NOT NULL AND n > 1),
                   sum(n_start), sum(n_start) FILTER (WHERE NOT matched)
            FROM flagged""").fetchall()[0]
        n = [int(x or 0) for x in n]
        ff = outcomes.fixed_followup_months(reporting_month, k, start)
        fixed = None
        if ff is not None:
            fixed = tuple(_counts(con, """
                SELECT coalesce(k.outcome_type, $none) AS category, count(*) AS crimes
                FROM per_crime AS p LEFT JOIN cat_codes AS k ON k.code = p.within_k
                WHERE list_contains($months, p.recorded_idx) GROUP BY ALL""",
                {"none": outcomes.NO_OUTCOME.format(k=k), "months": [months.to_index(m) for m in ms]}) for ms in ff)
        lq = outcomes.last_quarter_months(reporting_month, start)
        last = None
        if lq is not None:
            # the street files' last outcome of each crime recorded in the months compared
            last = tuple(_counts(con, f"""
                SELECT coalesce(CASE last_outcome {norm} ELSE last_outcome END, '(blank)') AS category,
                       count(*) AS crimes
                {kept} AND list_contains($months, month) GROUP BY ALL""", {"months": ms}) for ms in lq)
    finally:
        con.close()
        spill.cleanup()
    for f in (prof, latest):
        f.insert(1, "recorded_month", f["recorded_idx"].map(months.from_index))
    latest = latest.drop(columns="recorded_idx")
    prof = outcomes.tidy_profile(prof, reporting_month, window)
    latest = latest.astype({"crimes": "int64"}).sort_values(
        ["crime_type", "recorded_month", "outcome_type"], kind="stable").reset_index(drop=True)
    rows = int(n[4])
    counts = {
        "outcome_rows": int(n[0]),
        "outcome_crime_ids": int(n[1]),
        "unmatched_rows": int(n[2]),
        "unmatched_crime_ids": int(n[3]),
        "before_recording_rows": int(prof.loc[prof["lag"] < 0, "crimes"].sum()),
        "rows_as_published": rows,
        "crimes": int(prof["crimes"].sum()),
        "repeat_rows_within_month": rows - int(prof["crimes"].sum()),
        "crime_ids_in_several_months": int(n[5]),
    }
    coverage = {"month": start, "rows": int(n[7]), "unmatched": int(n[8]),
                "share": int(n[8]) / int(n[7]) if int(n[7]) else float("nan")}
    return outcomes.LinkedCounts(profile=prof, counts=counts, latest=latest, fixed=fixed, last=last,
                                 coverage=coverage, several_outcome_ids=int(n[6]))
