"""contracts.sql on a table small enough to count by hand: the uniqueness rule's repeated values found once and
used for both its count and its failing rows; a set of text looked up as a subquery only for a text column."""

from __future__ import annotations

import pytest

from scrutiny.contracts import sql
from scrutiny.inputs.files import connect


@pytest.fixture()
def con():
    c = connect()
    c.execute("""CREATE TABLE t AS SELECT * FROM (VALUES
        ('a.csv', 1, 'X1', 'Burglary', 3),
        ('a.csv', 2, 'X2', 'Robbery', 4),
        ('a.csv', 3, 'X1', 'Bicycle theft', 5),
        ('b.csv', 1, 'X3', NULL, NULL),
        ('b.csv', 2, NULL, 'Drugs', 3),
        ('b.csv', 3, 'X1', 'Burglary', 9)) v(source_file, "row", id, crime_type, n)""")
    yield c
    c.close()


def _rule(kind: str, column: str, **kw) -> dict:
    return {"type": kind, "kwargs": {"column": column, **kw}}


def test_a_repeated_value_fails_on_every_row_that_holds_it(con):
    res = sql.run(con, "t", [_rule("expect_column_values_to_be_unique", "id")], ["source_file", "row"], {})
    # X1 is on three rows (a.csv rows 1 and 3, b.csv row 3); the NULL id is not a repeat
    assert (res[0].element_count, res[0].unexpected_count) == (6, 3)
    assert [(e["source_file"], e["row"]) for e in res[0].examples] == [("a.csv", 1), ("a.csv", 3), ("b.csv", 3)]
    assert all(e["id"] == "X1" for e in res[0].examples)
    # the table of repeated values is gone with the run
    assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_repeated_%'").fetchone()[0]


def test_a_value_set_on_text_is_a_subquery_and_on_numbers_a_list(con):
    rules = [_rule("expect_column_values_to_be_in_set", "crime_type", value_set=["Burglary", "Robbery", "Drugs"]),
             _rule("expect_column_values_to_be_in_set", "n", value_set=[3, 4, 5]),
             _rule("expect_column_values_to_be_in_set", "n", value_set=["3", "4", "5"])]
    res = sql.run(con, "t", rules, ["source_file", "row"], {})
    # 'Bicycle theft' is not in the set; a missing type is not checked by this rule
    assert res[0].unexpected_count == 1 and res[0].examples[0]["crime_type"] == "Bicycle theft"
    # n = 9 is not in {3, 4, 5}, given as numbers or as text (a list compares across types; a subquery would not)
    assert res[1].unexpected_count == 1 and res[2].unexpected_count == 1
    text = frozenset({"crime_type"})
    assert "SELECT unnest" in sql.failing_predicate(rules[0], {}, "t", text=text)
    assert "SELECT unnest" not in sql.failing_predicate(rules[2], {}, "t", text=text)
    # a set holding a missing value: no value fails (x NOT IN (…, NULL) is never true), whichever form
    with_null = _rule("expect_column_values_to_be_in_set", "crime_type", value_set=["Burglary", None])
    assert sql.run(con, "t", [with_null], ["source_file", "row"], {})[0].unexpected_count == 0
