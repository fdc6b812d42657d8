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
- `first_outcomes`: crimes (distinct Crime ID within its recording month, the last row in file order) per
  recording month × crime type × first outcome × months from recording to the first outcome (`lag_months`; the
  first outcome is the earliest month's, ties broken by file and row; null when the crime has no outcome).
- `linkage`: outcome rows, and those whose Crime ID has no street record.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from scrutiny.inputs.files import connect, sql_string

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _month_index(col: str) -> str:
    return f"(CAST(SUBSTRING({col}, 1, 4) AS INT) * 12 + CAST(SUBSTRING({col}, 6, 2) AS INT))"


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
  SELECT crime_id, month, crime_type,
         ROW_NUMBER() OVER (PARTITION BY crime_id, month ORDER BY source_file DESC, source_row DESC) AS k
  FROM street
  WHERE crime_id IS NOT NULL AND month BETWEEN '{{start}}' AND '{{end}}'
), firsts AS (
  SELECT crime_id, month AS outcome_month, outcome_type,
         ROW_NUMBER() OVER (PARTITION BY crime_id ORDER BY month, source_file, source_row) AS k
  FROM outcomes
  WHERE crime_id IS NOT NULL
)
SELECT c.month AS recorded_month, c.crime_type, f.outcome_type AS first_outcome,
       {_month_index('f.outcome_month')} - {_month_index('c.month')} AS lag_months,
       COUNT(*) AS crimes
FROM crimes AS c
LEFT JOIN firsts AS f ON f.crime_id = c.crime_id AND f.k = 1
WHERE c.k = 1
GROUP BY c.month, c.crime_type, f.outcome_type,
         {_month_index('f.outcome_month')} - {_month_index('c.month')}
ORDER BY recorded_month, crime_type, first_outcome NULLS FIRST, lag_months NULLS FIRST
""",
    "linkage": """
SELECT COUNT(*) AS outcome_rows,
       COUNT(CASE WHEN s.crime_id IS NULL THEN 1 END) AS without_street_record
FROM outcomes AS o
LEFT JOIN (SELECT DISTINCT crime_id FROM street WHERE crime_id IS NOT NULL) AS s ON s.crime_id = o.crime_id
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
    con = connect()
    try:
        for t, path in tables.items():
            con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet({sql_string(path)})")
        return {n: con.execute(sql(n, period)).df() for n in names}
    finally:
        con.close()


# Streamed ingest: police.uk CSV files straight to the prepared columns the queries read, without loading them
# into Python. The rows land in a table in file order (DuckDB preserves insertion order by default), so `rowid`
# gives each row's place in its file; districts are the LSOA name less its code, in each district's most
# frequent spelling (as reference.police_uk.districts).
_RAW = """
CREATE TEMP TABLE {table} AS
SELECT "Crime ID" AS crime_id, "Month" AS month, {extra}
       regexp_extract(filename, '[^/]*$') AS source_file
FROM read_csv({files}, header=true, auto_detect=false, columns={columns}, filename=true,
              delim=',', quote='"', escape='"', strict_mode=true)
"""
_ROW = "row_number() OVER (PARTITION BY source_file ORDER BY rowid) AS source_row"


def ingest_police_uk(street: list[str], outcomes: list[str], work: Path) -> dict[str, Path]:
    """Street and outcomes CSV files (gzipped or not) to Parquet with the prepared columns the queries need,
    by DuckDB streaming from the files. Returns {"street": path, "outcomes": path}."""
    from scrutiny.reference import police_uk

    work.mkdir(parents=True, exist_ok=True)
    con = connect()
    try:
        def cols(header):
            return "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"

        def files(fs):
            return "[" + ", ".join(sql_string(f) for f in fs) + "]"

        con.execute("SET preserve_insertion_order = true")
        con.execute(_RAW.format(table="raw_street", extra='"Crime type" AS crime_type, "LSOA name" AS lsoa_name,',
                                files=files(street), columns=cols(police_uk.STREET_HEADER)))
        con.execute(f"""CREATE TEMP TABLE spelled AS
            SELECT *, {_ROW},
                   nullif(regexp_replace(trim(lsoa_name), '\\s+\\d{{3}}[A-Za-z]$', ''), '') AS raw_district
            FROM raw_street""")
        out = {"street": work / "street.parquet", "outcomes": work / "outcomes.parquet"}
        con.execute(f"""COPY (
            WITH keys AS (
              SELECT lower(regexp_replace(raw_district, '\\s+', ' ', 'g')) AS key, raw_district AS name,
                     count(*) AS n
              FROM spelled WHERE raw_district IS NOT NULL GROUP BY 1, 2
            ), canon AS (
              SELECT key, arg_min(name, (-n, name)) AS district FROM keys GROUP BY key
            )
            SELECT s.crime_id, s.month, s.crime_type, c.district, s.source_file, s.source_row,
                   s.crime_id IS NOT NULL AND row_number() OVER (PARTITION BY s.month, s.crime_id
                                                                ORDER BY s.source_file DESC, s.source_row DESC) > 1
                     AS repeat_in_month
            FROM spelled AS s
            LEFT JOIN canon AS c ON c.key = lower(regexp_replace(s.raw_district, '\\s+', ' ', 'g'))
            ORDER BY s.month, s.source_file, s.source_row
        ) TO {sql_string(out['street'])} (FORMAT parquet)""")
        # outcome categories in the archive's spelling, as the pack's prepare writes them
        norm = " ".join(f"WHEN {sql_string(a)} THEN {sql_string(b)}" for a, b in police_uk.OUTCOME_SPELLINGS.items())
        con.execute(_RAW.format(table="raw_outcomes", files=files(outcomes), columns=cols(police_uk.OUTCOMES_HEADER),
                                extra=f'CASE "Outcome type" {norm} ELSE "Outcome type" END AS outcome_type,'))
        con.execute(f"COPY (SELECT crime_id, month, outcome_type, source_file, {_ROW} FROM raw_outcomes "
                    f"ORDER BY month, source_file, source_row) TO {sql_string(out['outcomes'])} (FORMAT parquet)")
        return out
    finally:
        con.close()
