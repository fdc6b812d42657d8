"""The record-level aggregates the sections need, written once as SQL and run by any engine that reads it.

The queries read two tables with the prepared columns (`_work/police_uk_street.parquet`,
`_work/police_uk_outcomes.parquet`; see PoliceUkMonthly.prepare): `street` (crime_id, month, crime_type,
district, source_file, source_row, repeat_in_month) and `outcomes` (crime_id, month, outcome_type, source_file,
source_row). They are written in DuckDB's dialect in a portable subset (no FILTER, QUALIFY or GROUP BY ALL), run
by DuckDB by default, and translated with sqlglot (`sqlglot.transpile(sql, read="duckdb", write=dialect)`) for
another engine: Spark SQL (tests/inputs/test_aggregates_spark.py checks the results are identical), or a force's
warehouse (`tsql`, `oracle`, `postgres`; docs/performance.md). Only aggregated rows leave the engine.

- `monthly_counts`: crimes per month × crime type × district in the period; `n` counts one crime per Crime ID
  within its month (the last row in file order is the one counted, as `repeat_in_month` marks), `rows` the rows
  as published. The same numbers as analyses.measures.type_counts.
- `first_outcomes`: crimes (distinct Crime ID within its recording month: the row `repeat_in_month` leaves, the
  last in file order) per recording month × crime type × first outcome × months from recording to the first
  outcome (`lag_months`; the first outcome is the earliest month's, ties broken by file and row; null when the
  crime has no outcome).
- `linkage`: outcome rows, and those whose Crime ID has no street record (an anti-join: NOT EXISTS, in the WHERE
  clause where Spark allows it; a row with no Crime ID has none). A left join to the distinct street Crime IDs
  gives the same count, 0.4-0.7 s slower on a national year.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from scrutiny.inputs.files import cursor, sql_string

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def month_index(col: str) -> str:
    """SQL for a 'YYYY-MM' column's months since year 0, as reference.months.to_index ('2024-01' -> 2024*12)."""
    return f"(CAST(SUBSTRING({col}, 1, 4) AS INT) * 12 + CAST(SUBSTRING({col}, 6, 2) AS INT) - 1)"


QUERIES = {
    "monthly_counts": """
SELECT month, crime_type, district,
       COUNT(CASE WHEN NOT COALESCE(repeat_in_month, FALSE) THEN 1 END) AS n,
       COUNT(*) AS rows
FROM street
WHERE month BETWEEN '{start}' AND '{end}'
GROUP BY month, crime_type, district
ORDER BY month, crime_type, district NULLS FIRST
""",
    "first_outcomes": f"""
WITH crimes AS (
  SELECT crime_id, month, crime_type
  FROM street
  WHERE crime_id IS NOT NULL AND NOT COALESCE(repeat_in_month, FALSE) AND month BETWEEN '{{start}}' AND '{{end}}'
), firsts AS (
  SELECT crime_id, month AS outcome_month, outcome_type,
         ROW_NUMBER() OVER (PARTITION BY crime_id ORDER BY month, source_file, source_row) AS k
  FROM outcomes
  WHERE crime_id IS NOT NULL
)
SELECT c.month AS recorded_month, c.crime_type, f.outcome_type AS first_outcome,
       {month_index('f.outcome_month')} - {month_index('c.month')} AS lag_months,
       COUNT(*) AS crimes
FROM crimes AS c
LEFT JOIN firsts AS f ON f.crime_id = c.crime_id AND f.k = 1
GROUP BY c.month, c.crime_type, f.outcome_type,
         {month_index('f.outcome_month')} - {month_index('c.month')}
ORDER BY recorded_month, crime_type, first_outcome NULLS FIRST, lag_months NULLS FIRST
""",
    "linkage": """
SELECT a.outcome_rows, b.without_street_record
FROM (SELECT COUNT(*) AS outcome_rows FROM outcomes) AS a
CROSS JOIN (SELECT COUNT(*) AS without_street_record
            FROM outcomes AS o
            WHERE NOT EXISTS (SELECT 1 FROM street AS s WHERE s.crime_id = o.crime_id)) AS b
""",
}


def sql(name: str, period: tuple[str, str], dialect: str = "duckdb", identify: bool = False) -> str:
    """The query `name` for the months of `period`, in DuckDB's dialect or translated to `dialect` by sqlglot
    (`identify=True` quotes every identifier, for a warehouse where `month` or `rows` is a keyword)."""
    for m in period:
        if not _MONTH.match(str(m)):
            raise ValueError(f"a month is written YYYY-MM, got {m!r}")
    text = QUERIES[name].format(start=period[0], end=period[1]).strip()
    if dialect == "duckdb":
        return text
    import sqlglot

    return sqlglot.transpile(text, read="duckdb", write=dialect, pretty=True, identify=identify)[0]


def run_duckdb(tables: dict[str, Path | str], period: tuple[str, str],
               names: tuple[str, ...] = tuple(QUERIES)) -> dict[str, pd.DataFrame]:
    """Every query in `names` over Parquet tables {"street": path, "outcomes": path}, by DuckDB."""
    con = cursor()
    try:
        for t, path in tables.items():
            con.execute(f"CREATE TEMP VIEW {t} AS SELECT * FROM read_parquet({sql_string(path)})")
        return {n: con.execute(sql(n, period)).df() for n in names}
    finally:
        con.close()
