"""files.cursor(): connections to one in-memory database per process, each with its own temporary views, tables,
registered frames and session settings; files.connect(): a database of its own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
import pytest

from scrutiny.inputs import files


def test_a_cursor_keeps_its_temporary_views_frames_and_time_zone_to_itself():
    a, b = files.cursor(), files.cursor()
    try:
        a.execute("CREATE TEMP VIEW rows AS SELECT 1 AS x")
        b.execute("CREATE TEMP VIEW rows AS SELECT 2 AS x UNION ALL SELECT 3")
        a.register("frame", pd.DataFrame({"y": [7, 8, 9, 10]}))
        a.execute("SET TimeZone='America/New_York'")
        b.execute("SET TimeZone='UTC'")
        assert a.execute("SELECT sum(x) FROM rows").fetchone()[0] == 1
        assert b.execute("SELECT sum(x) FROM rows").fetchone()[0] == 5
        assert a.execute("SELECT count(*) FROM frame").fetchone()[0] == 4
        with pytest.raises(duckdb.CatalogException):
            b.execute("SELECT count(*) FROM frame")
        assert a.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "America/New_York"
        assert b.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
    finally:
        a.close()
        b.close()
    c = files.cursor()
    try:  # a closed cursor's views are gone
        with pytest.raises(duckdb.CatalogException):
            c.execute("SELECT * FROM rows")
        assert c.execute("SELECT current_setting('autoload_known_extensions')").fetchone()[0] is False
    finally:
        c.close()


def test_cursors_used_side_by_side_in_threads_each_count_their_own_rows():
    # the contract's checks run in threads, each with a view named `rows` over its own input
    def count(n: int) -> int:
        con = files.cursor()
        try:
            con.execute(f"CREATE TEMP VIEW rows AS SELECT * FROM range({n})")
            con.register("extra", pd.DataFrame({"v": range(n % 7)}))
            return int(con.execute("SELECT (SELECT count(*) FROM rows) + (SELECT count(*) FROM extra)").fetchone()[0])
        finally:
            con.close()

    sizes = [1000 + 37 * i for i in range(40)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(count, sizes))
    assert got == [n + n % 7 for n in sizes]


def test_connect_gives_a_database_of_its_own():
    a, b = files.connect(), files.connect()
    try:
        a.execute("CREATE TABLE t AS SELECT 1 AS x")
        a.execute("SET threads=1")
        with pytest.raises(duckdb.CatalogException):
            b.execute("SELECT * FROM t")
        b.execute("CREATE TABLE t AS SELECT 2 AS x")  # no clash
        assert b.execute("SELECT x FROM t").fetchone()[0] == 2
        cur = files.cursor()
        try:  # nor did the shared database see either table or the thread setting
            with pytest.raises(duckdb.CatalogException):
                cur.execute("SELECT * FROM t")
            threads = "SELECT current_setting('threads')"
            assert cur.execute(threads).fetchone()[0] == b.execute(threads).fetchone()[0]
        finally:
            cur.close()
    finally:
        a.close()
        b.close()
