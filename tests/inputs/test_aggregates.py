"""The aggregate queries (inputs/aggregates.py) by DuckDB against independent pandas implementations: the
performance page's type counts (analyses.measures.type_counts) and the outcomes page's linking
(analyses.outcomes.link), on a slice of Gwent's real files; and the outcomes page's own counts in DuckDB
(analyses.outcome_linkage.link_counts) against the same definitions in pandas (analyses.outcomes.count_frames)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import GWENT
from scrutiny.analyses import measures, outcome_linkage, outcomes
from scrutiny.inputs import aggregates
from scrutiny.inputs.registry import DATASETS

MONTHS = ("2024-01", "2024-06")


def prepared_slice(folder, months=MONTHS):
    """The pack's own prepared tables (load_rows, prepare) for the street and outcomes files of `months`."""
    out = {}
    for name, dataset in (("street", "police_uk_street"), ("outcomes", "police_uk_outcomes")):
        ds = DATASETS[dataset]
        files = ds.files_frame(ds.discover(str(GWENT / f"*-{name}.csv.gz")), months)
        files = files[files["in_period"]]
        out[name] = folder / f"{name}.parquet"
        ds.prepare(ds.load_rows(files), out[name])
    return out


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return prepared_slice(tmp_path_factory.mktemp("agg"))


def _sorted(df, cols):
    return df.sort_values(cols, na_position="first").reset_index(drop=True)


def test_monthly_counts_match_the_performance_type_counts(tables):
    got = aggregates.run_duckdb(tables, MONTHS, ("monthly_counts",))["monthly_counts"]
    want = measures.type_counts(tables["street"], MONTHS)
    keys = ["month", "crime_type", "district"]
    pd.testing.assert_frame_equal(_sorted(got, keys), _sorted(want[keys + ["n", "rows"]], keys), check_dtype=False)
    assert got["rows"].sum() == pd.read_parquet(tables["street"]).shape[0]


def test_first_outcomes_match_the_outcomes_link(tables):
    got = aggregates.run_duckdb(tables, MONTHS, ("first_outcomes", "linkage"))
    street = pd.read_parquet(tables["street"])
    outs = pd.read_parquet(tables["outcomes"])
    cats = pd.read_csv(GWENT.parents[2] / "reference" / "outcome_categories.csv")
    linked, counts = outcomes.link(street, outs, cats, MONTHS[1])
    want = (linked.assign(lag=linked["lag"].astype("Int64"))
            .groupby(["recorded_month", "crime_type", "lag"], dropna=False).size().rename("crimes").reset_index())
    g = got["first_outcomes"]
    g = (g.assign(lag=g["lag_months"].astype("Int64"))
         .groupby(["recorded_month", "crime_type", "lag"], dropna=False)["crimes"].sum().reset_index())
    keys = ["recorded_month", "crime_type", "lag"]
    pd.testing.assert_frame_equal(_sorted(g, keys), _sorted(want, keys), check_dtype=False)
    link = got["linkage"].iloc[0]
    assert link["outcome_rows"] == len(outs)
    assert link["without_street_record"] == (~outs["crime_id"].isin(street["crime_id"])).sum()


def test_first_outcome_is_the_earliest_month_then_file_order(tmp_path):
    """By hand: crime a has outcomes in 2024-03 then (later in the files) 2024-02: the first is 2024-02's, one
    month after recording; crime b has none; a repeated row of a is counted once. Of the four outcome rows, z's
    and the one with no Crime ID have no street record."""
    street = pd.DataFrame({"crime_id": ["a", "a", "b", None], "month": ["2024-01"] * 4,
                           "crime_type": ["Burglary"] * 3 + ["Anti-social behaviour"], "district": ["X"] * 4,
                           "source_file": ["s.csv"] * 4, "source_row": [1, 2, 3, 4],
                           "repeat_in_month": [True, False, False, False]})
    outs = pd.DataFrame({"crime_id": ["a", "a", "z", None], "month": ["2024-03", "2024-02", "2024-02", "2024-02"],
                         "outcome_type": ["Charged", "Under investigation", "Charged", "Charged"],
                         "source_file": ["o1.csv", "o2.csv", "o2.csv", "o2.csv"], "source_row": [1, 1, 2, 3]})
    street.to_parquet(tmp_path / "s.parquet")
    outs.to_parquet(tmp_path / "o.parquet")
    got = aggregates.run_duckdb({"street": tmp_path / "s.parquet", "outcomes": tmp_path / "o.parquet"},
                                ("2024-01", "2024-01"))
    f = got["first_outcomes"]
    assert f[["first_outcome", "lag_months", "crimes"]].astype(object).where(f.notna(), None).values.tolist() == [
        [None, None, 1], ["Under investigation", 1, 1]]
    m = got["monthly_counts"].set_index("crime_type")
    assert (m.loc["Burglary", "n"], m.loc["Burglary", "rows"]) == (2, 3)
    assert got["linkage"].iloc[0].tolist() == [4, 2]  # z, and the row with no Crime ID


def test_month_must_be_yyyy_mm():
    with pytest.raises(ValueError, match="YYYY-MM"):
        aggregates.sql("monthly_counts", ("2024-01'; DROP TABLE x; --", "2024-02"))


@pytest.mark.parametrize("dialect", ["spark", "tsql", "oracle", "postgres"])
def test_each_query_translates_to_text_the_dialect_parses(dialect):
    sqlglot = pytest.importorskip("sqlglot", reason="sqlglot is in the dev lock only")
    for name in aggregates.QUERIES:
        text = aggregates.sql(name, MONTHS, dialect=dialect, identify=True)
        assert "'2024-01'" in text or name == "linkage"
        sqlglot.parse_one(text, read=dialect)  # raises on text the dialect cannot read


def _assert_same(got: outcomes.LinkedCounts, want: outcomes.LinkedCounts):
    pd.testing.assert_frame_equal(got.profile, want.profile)
    pd.testing.assert_frame_equal(got.latest, want.latest)
    assert got.counts == want.counts
    assert got.coverage == want.coverage
    assert got.several_outcome_ids == want.several_outcome_ids
    for g, w in ((got.fixed, want.fixed), (got.last, want.last)):
        assert (g is None) == (w is None)
        if g is not None:
            assert [x.to_dict() for x in g] == [x.to_dict() for x in w]


@pytest.mark.parametrize("window", ["quarter", "financial_year", "month"])
def test_link_counts_gives_what_the_pandas_definitions_give(tables, window):
    """The outcomes page counts linked crimes in DuckDB (outcome_linkage.link_counts); on Gwent's real files the
    profile, the counts and the mix counts equal outcomes.count_frames (link() and the same definitions in pandas,
    one row per crime), and so does every table made from them."""
    street, outs = pd.read_parquet(tables["street"]), pd.read_parquet(tables["outcomes"])
    cats = outcomes.load_categories()
    want = outcomes.count_frames(street, outs, cats, MONTHS[1], window, 1, MONTHS[0])
    got = outcome_linkage.link_counts(tables["street"], tables["outcomes"], cats, MONTHS[1], window, 1, MONTHS[0])
    _assert_same(got, want)
    assert got.counts["outcome_rows"] == len(outs) > 0
    assert got.counts["crimes"] == int(got.profile["crimes"].sum()) > 1000
    linked, _ = outcomes.link(street, outs, cats, MONTHS[1], window)
    # every table of the page is the same from the profile as from one row per crime
    pd.testing.assert_frame_equal(outcomes.cohort(got.profile, 1), outcomes.cohort(linked, 1))
    for a, b in zip(outcomes.time_to_outcome(got.profile), outcomes.time_to_outcome(linked)):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(outcomes.group_shares_from_latest(got.latest, cats),
                                  outcomes.group_shares(linked, outs, cats))
    # Gwent 2024-01..06: neither the fixed follow-up months nor the last quarter have their year-earlier months
    assert got.fixed is None and got.last is None


def test_link_counts_mixes_count_each_crime_once(tmp_path):
    """Sixteen months of Gwent files (2023-03..2024-06) and k = 1, so both outcome-mix comparisons exist: the counts equal
    the pandas definitions, and every crime recorded in the months compared is counted once in each mix."""
    t = prepared_slice(tmp_path, ("2023-03", "2024-06"))
    street, outs = pd.read_parquet(t["street"]), pd.read_parquet(t["outcomes"])
    cats = outcomes.load_categories()
    got = outcome_linkage.link_counts(t["street"], t["outcomes"], cats, "2024-06", "quarter", 1, "2023-03")
    _assert_same(got, outcomes.count_frames(street, outs, cats, "2024-06", "quarter", 1, "2023-03"))
    distinct = street[street["crime_id"].notna()].drop_duplicates(["crime_id", "month"])
    for (now, before), counts in ((outcomes.fixed_followup_months("2024-06", 1, "2023-03"), got.fixed),
                                  (outcomes.last_quarter_months("2024-06", "2023-03"), got.last)):
        assert int(counts[0].sum()) == int(distinct["month"].isin(now).sum()) > 0
        assert int(counts[1].sum()) == int(distinct["month"].isin(before).sum()) > 0


def _write(tmp_path, street: pd.DataFrame, outs: pd.DataFrame):
    street.to_parquet(tmp_path / "s.parquet")
    outs.to_parquet(tmp_path / "o.parquet")
    return tmp_path / "s.parquet", tmp_path / "o.parquet"


def test_link_counts_repeats_unmatched_and_missing_ids_by_hand(tmp_path):
    """By hand: crime a twice in January (the later row, a Robbery, is the one kept) and once in February; an
    outcome row with no Crime ID and one for crime z (no street record) are both unmatched; a's one outcome, in
    January, lies before its February recording."""
    street = pd.DataFrame({"crime_id": ["a", "a", "a", None], "month": ["2024-01", "2024-01", "2024-02", "2024-01"],
                           "crime_type": ["Burglary", "Robbery", "Robbery", "Anti-social behaviour"],
                           "last_outcome": [None] * 4, "source_file": ["s1", "s1", "s2", "s1"],
                           "source_row": [1, 2, 1, 3], "repeat_in_month": [True, False, False, False]})
    outs = pd.DataFrame({"crime_id": ["a", "z", None], "month": ["2024-01", "2024-02", "2024-02"],
                         "outcome_type": ["Suspect charged"] * 3, "source_file": ["o"] * 3, "source_row": [1, 2, 3]})
    got = outcome_linkage.link_counts(*_write(tmp_path, street, outs), outcomes.load_categories(),
                                      "2024-03", "quarter", 3, "2024-01")
    assert got.counts == {"outcome_rows": 3, "outcome_crime_ids": 2, "unmatched_rows": 2, "unmatched_crime_ids": 1,
                          "before_recording_rows": 1, "rows_as_published": 3, "crimes": 2,
                          "repeat_rows_within_month": 1, "crime_ids_in_several_months": 1}
    assert got.profile[["recorded_month", "crime_type", "rows", "lag", "charge_lag", "crimes"]].values.tolist() == [
        ["2024-01", "Robbery", 2, 0.0, 0.0, 1], ["2024-02", "Robbery", 1, -1.0, -1.0, 1]]
    assert got.coverage == {"month": "2024-01", "rows": 1, "unmatched": 0, "share": 0.0}
    assert got.several_outcome_ids == 0
    assert got.latest.values.tolist() == [["Robbery", "2024-01", "Suspect charged", 1],
                                          ["Robbery", "2024-02", "Suspect charged", 1]]


def test_link_counts_refuses_an_unknown_outcome_category(tmp_path):
    street = pd.DataFrame({"crime_id": ["a"], "month": ["2024-01"], "crime_type": ["Robbery"],
                           "last_outcome": [None], "source_file": ["s1"], "source_row": [1],
                           "repeat_in_month": [False]})
    outs = pd.DataFrame({"crime_id": ["a"], "month": ["2024-01"], "outcome_type": ["Sent to the moon"],
                         "source_file": ["o"], "source_row": [1]})
    with pytest.raises(ValueError, match="Sent to the moon"):
        outcome_linkage.link_counts(*_write(tmp_path, street, outs), outcomes.load_categories(),
                                    "2024-03", "quarter", 3, "2024-01")
