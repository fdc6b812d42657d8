"""Crimes linked to their outcomes in DuckDB, for forces of millions of rows: the outcomes page's counts
(outcomes.LinkedCounts) straight from the prepared Parquet tables, with no Crime ID and no record-level row in
pandas.

The definitions are outcomes.py's; outcomes.count_frames is the same in pandas on the frames, and
tests/inputs/test_aggregates.py requires both to give the same counts on Gwent's real files. The record-level
work is a few grouped scans in SQL:

- a crime is one row per (Crime ID, month) of the street rows with a Crime ID: the last row in file order (highest
  source file, then row; `arg_max`), with the number of rows it had as published;
- its first outcome and first charge are the earliest outcome months of its Crime ID (a charge: a category flagged
  charged_summonsed);
- its latest outcome by a cut-off month is the greatest (month, category) of its outcome rows up to that month:
  the latest month and, within it, the last category in text order.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from scrutiny.analyses import outcomes
from scrutiny.reference import months, police_uk

# DuckDB's memory for the linkage (past it, it spills to a temporary folder). On a force the size of the
# Metropolitan Police (3 million crimes; scrutiny bench) the process then peaks near 0.7 GB instead of 1.7 GB
# unbounded, and takes about 10 s instead of 6 s: the outcomes notebook runs beside the performance and districts
# notebooks, which take longer, so the pack is no slower.
MEMORY = "512MB"
MONTH_INDEX = "CAST(CAST(substr({0}, 1, 4) AS INTEGER) * 12 + CAST(substr({0}, 6, 2) AS INTEGER) - 1 AS BIGINT)"


def _frame(con, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A query's rows as a pandas frame, through Arrow."""
    return con.sql(sql, params=params).to_arrow_table().to_pandas()


def _counts(con, sql: str, params: list) -> pd.Series:
    """A (category, crimes) query as a value count, most crimes first (as pandas value_counts)."""
    d = _frame(con, sql, params)
    return d.set_index("category")["crimes"].astype("int64").sort_values(ascending=False, kind="stable")


def link_counts(street_parquet: str | Path, outcomes_parquet: str | Path, categories: pd.DataFrame,
                reporting_month: str, window: str, k: int, start: str) -> outcomes.LinkedCounts:
    """outcomes.count_frames on the prepared tables (police_uk_street.parquet, police_uk_outcomes.parquet): every
    count the outcomes page needs, computed in DuckDB. Raises ValueError on an outcome category missing from the
    reference table, as outcomes.link does."""
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
        con.execute(f"""CREATE TEMP TABLE outs AS
            SELECT crime_id, {MONTH_INDEX.format("month")} AS midx,
                   CASE outcome_type {norm} ELSE outcome_type END AS outcome_type
            FROM read_parquet({sql_string(str(outcomes_parquet))})""")
        unknown = [r[0] for r in con.execute(
            "SELECT DISTINCT outcome_type FROM outs WHERE outcome_type IS NOT NULL ORDER BY 1").fetchall()
            if r[0] not in pmap.index]
        if unknown or con.execute("SELECT count(*) FROM outs WHERE outcome_type IS NULL").fetchall()[0][0]:
            raise ValueError(f"outcome categories not in the reference table: {unknown or [None]}")
        # one row per Crime ID within its month: the last in file order (the file's rank among the files' names,
        # then its row, as one integer), with the rows it had as published
        last_in_file = f"""
            WITH s AS (SELECT * FROM {street} WHERE crime_id IS NOT NULL {{where}}),
                 f AS (SELECT source_file, dense_rank() OVER (ORDER BY source_file) AS rank
                       FROM (SELECT DISTINCT source_file FROM s))
            SELECT crime_id, {MONTH_INDEX.format("month")} AS recorded_idx, {{columns}}, count(*) AS rows
            FROM (SELECT *, f.rank * 4294967296 + s.source_row AS key FROM s JOIN f USING (source_file))
            GROUP BY crime_id, month"""
        con.execute("CREATE TEMP TABLE crimes AS " + last_in_file.format(
            where="", columns="arg_max(crime_type, key) AS crime_type"))
        recorded = pd.DataFrame({"recorded_idx": [r[0] for r in con.execute(
            "SELECT DISTINCT recorded_idx FROM crimes ORDER BY 1").fetchall()]}, dtype="int64")
        recorded["window_end_idx"] = outcomes.add_lags(
            recorded.assign(first_idx=0, charge_idx=0), reporting_month, window)["window_end_idx"].astype("int64")
        con.register("windows", recorded)
        charged_sql = ", ".join(sql_string(c) for c in charged) or "NULL"
        # per Crime ID of the outcome rows (a missing one too): its rows, those dated in the first month, its first
        # outcome and first charge, and whether the street files record it
        con.execute(f"""CREATE TEMP TABLE firsts AS
            SELECT o.*, o.crime_id IN (SELECT crime_id FROM crimes) AS matched
            FROM (SELECT crime_id, count(*) AS n, count(*) FILTER (WHERE midx = {start_idx}) AS n_start,
                         min(midx) AS first_idx,
                         min(midx) FILTER (WHERE outcome_type IN ({charged_sql})) AS charge_idx
                  FROM outs GROUP BY crime_id) AS o""")
        prof = _frame(con, """
            SELECT c.crime_type, c.recorded_idx,
                   CAST(f.first_idx AS DOUBLE) AS first_idx, CAST(f.charge_idx AS DOUBLE) AS charge_idx,
                   c.rows, count(*) AS crimes
            FROM crimes AS c LEFT JOIN firsts AS f ON f.crime_id = c.crime_id
            GROUP BY ALL""")
        n = con.execute("""
            SELECT (SELECT sum(n) FROM firsts),
                   (SELECT count(crime_id) FROM firsts),
                   (SELECT sum(n) FROM firsts WHERE matched IS NOT TRUE),
                   (SELECT count(crime_id) FROM firsts WHERE matched IS NOT TRUE),
                   (SELECT sum(rows) FROM crimes),
                   (SELECT count(*) FROM (SELECT crime_id FROM crimes GROUP BY crime_id HAVING count(*) > 1)),
                   (SELECT count(*) FROM firsts WHERE crime_id IS NOT NULL AND n > 1),
                   (SELECT sum(n_start) FROM firsts),
                   (SELECT sum(n_start) FROM firsts WHERE matched IS NOT TRUE)""").fetchall()[0]
        n = [int(x or 0) for x in n]
        # each crime's latest outcome by the end of its window, counted by category
        latest = _frame(con, """
            SELECT crime_type, recorded_idx, outcome_type, count(*) AS crimes
            FROM (SELECT c.crime_type, c.recorded_idx, max({'m': o.midx, 't': o.outcome_type}).t AS outcome_type
                  FROM crimes AS c JOIN windows AS w USING (recorded_idx)
                  JOIN outs AS o ON o.crime_id = c.crime_id AND o.midx <= w.window_end_idx
                  GROUP BY c.crime_id, c.recorded_idx, c.crime_type)
            GROUP BY ALL""")
        ff = outcomes.fixed_followup_months(reporting_month, k, start)
        fixed = None
        if ff is not None:
            # each crime's latest outcome within k months of its recording month, or none
            fixed = tuple(_counts(con, """
                SELECT coalesce(t, $none) AS category, count(*) AS crimes
                FROM (SELECT max({'m': o.midx, 't': o.outcome_type}).t AS t
                      FROM crimes AS c
                      LEFT JOIN outs AS o ON o.crime_id = c.crime_id AND o.midx <= c.recorded_idx + $k
                      WHERE list_contains($months, c.recorded_idx)
                      GROUP BY c.crime_id, c.recorded_idx)
                GROUP BY ALL""", {"none": outcomes.NO_OUTCOME.format(k=k), "k": k,
                                  "months": [months.to_index(m) for m in ms]}) for ms in ff)
        lq = outcomes.last_quarter_months(reporting_month, start)
        last = None
        if lq is not None:
            # the street files' last outcome of each crime recorded in the months compared
            con.execute("CREATE TEMP TABLE lasts AS " + last_in_file.format(
                where=f"AND month IN ({', '.join(sql_string(m) for m in lq[0] + lq[1])})",
                columns="arg_max(last_outcome, key) AS last_outcome"))
            last = tuple(_counts(con, f"""
                SELECT coalesce(CASE last_outcome {norm} ELSE last_outcome END, '(blank)') AS category,
                       count(*) AS crimes
                FROM lasts WHERE list_contains($months, recorded_idx)
                GROUP BY ALL""", {"months": [months.to_index(m) for m in ms]}) for ms in lq)
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
