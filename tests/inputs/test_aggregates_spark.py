"""The same aggregate queries on Spark: the DuckDB SQL of inputs/aggregates.py translated by sqlglot to Spark
SQL and run by PySpark in local mode over the same Parquet files gives identical results."""

from __future__ import annotations

import importlib.util
import shutil

import pandas as pd
import pytest
from test_aggregates import MONTHS, prepared_slice

from scrutiny.inputs import aggregates

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("sqlglot") is None,
                       reason="pyspark not installed (make spark installs requirements/spark.lock; sqlglot is in the dev lock)"),
    pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime on PATH: Spark needs Java 17"),
]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    s = (SparkSession.builder.master("local[1]").appName("scrutiny-parity")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
         .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def test_spark_gives_the_duckdb_results(spark, tmp_path):
    tables = prepared_slice(tmp_path)
    want = aggregates.run_duckdb(tables, MONTHS)
    for t, path in tables.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(t)
    for name in aggregates.QUERIES:
        q = aggregates.sql(name, MONTHS, dialect="spark")
        rows = spark.sql(q).collect()
        got = pd.DataFrame([r.asDict() for r in rows], columns=list(want[name].columns))
        w = want[name]
        assert len(got) == len(w) > 0, name
        for c in w.columns:  # same values in the same order, nulls where DuckDB has nulls
            assert got[c].astype(object).where(got[c].notna(), None).tolist() == \
                w[c].astype(object).where(w[c].notna(), None).tolist(), (name, c)
