"""The aggregate queries (inputs/aggregates.py) by DuckDB against independent pandas implementations: the
performance page's type counts (analyses.measures.type_counts) and the outcomes page's linking
(analyses.outcomes.link), on a slice of Gwent's real files; and the outcomes page's own linking in DuckDB
(analyses.outcomes.link_prepared) against link()."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import GWENT
from scrutiny.analyses import measures, outcomes
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
    month after recording; crime b has none; a repeated row of a is counted once."""
    street = pd.DataFrame({"crime_id": ["a", "a", "b", None], "month": ["2024-01"] * 4,
                           "crime_type": ["Burglary"] * 3 + ["Anti-social behaviour"], "district": ["X"] * 4,
                           "source_file": ["s.csv"] * 4, "source_row": [1, 2, 3, 4],
                           "repeat_in_month": [True, False, False, False]})
    outs = pd.DataFrame({"crime_id": ["a", "a", "z"], "month": ["2024-03", "2024-02", "2024-02"],
                         "outcome_type": ["Charged", "Under investigation", "Charged"],
                         "source_file": ["o1.csv", "o2.csv", "o2.csv"], "source_row": [1, 1, 2]})
    street.to_parquet(tmp_path / "s.parquet")
    outs.to_parquet(tmp_path / "o.parquet")
    got = aggregates.run_duckdb({"street": tmp_path / "s.parquet", "outcomes": tmp_path / "o.parquet"},
                                ("2024-01", "2024-01"))
    f = got["first_outcomes"]
    assert f[["first_outcome", "lag_months", "crimes"]].astype(object).where(f.notna(), None).values.tolist() == [
        [None, None, 1], ["Under investigation", 1, 1]]
    m = got["monthly_counts"].set_index("crime_type")
    assert (m.loc["Burglary", "n"], m.loc["Burglary", "rows"]) == (2, 3)
    assert got["linkage"].iloc[0].tolist() == [3, 1]


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


def _by_text_ids(frames_ids, *frames):
    """Integer keys for Crime IDs as link_prepared numbers them: rank among every id of both files."""
    ids = sorted(set().union(*(set(f["crime_id"].dropna()) for f in frames_ids)))
    key = {c: i for i, c in enumerate(ids, start=1)}
    return [f.assign(crime_id=f["crime_id"].map(key).astype("Int64")) for f in frames]


@pytest.mark.parametrize("window", ["quarter", "financial_year", "month"])
def test_link_prepared_gives_what_link_gives_on_the_frames(tables, window):
    """The outcomes page links crimes to outcomes in DuckDB (outcomes.link_prepared); on Gwent's real files the
    linked crimes, the counts and every table made from them equal link() and the same functions in pandas."""
    street, outs = pd.read_parquet(tables["street"]), pd.read_parquet(tables["outcomes"])
    cats = outcomes.load_categories()
    want, want_counts = outcomes.link(street, outs, cats, MONTHS[1], window)
    got, counts, crimes, o = outcomes.link_prepared(tables["street"], tables["outcomes"], cats, MONTHS[1], window)
    assert counts == want_counts and counts["outcome_rows"] == len(outs) > 0
    (want,) = _by_text_ids([street, outs], want)
    want = want.sort_values(["crime_id", "recorded_month"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.assign(crime_id=got["crime_id"].astype("Int64")), want, check_dtype=False)
    (o_want,) = _by_text_ids([street, outs], outs[["crime_id", "month", "outcome_type"]])
    pd.testing.assert_frame_equal(o, o_want.reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(outcomes.group_shares(got, o, cats), outcomes.group_shares(want, o_want, cats))
    pd.testing.assert_frame_equal(outcomes.mix_fixed_followup(got, o, cats, 3, ["2024-03"], ["2024-01"]),
                                  outcomes.mix_fixed_followup(want, o_want, cats, 3, ["2024-03"], ["2024-01"]))
    (s_ids,) = _by_text_ids([street, outs], street)
    assert outcomes.first_month_coverage(crimes, o, MONTHS[0]) == outcomes.first_month_coverage(street, outs,
                                                                                                MONTHS[0])
    pd.testing.assert_frame_equal(outcomes.mix_compare(crimes, ["2024-05", "2024-06"], ["2024-01"]),
                                  outcomes.mix_compare(s_ids, ["2024-05", "2024-06"], ["2024-01"]))
    assert outcomes.reissue_note(o) == outcomes.reissue_note(outs)


def test_link_prepared_counts_repeats_unmatched_and_missing_ids_by_hand(tmp_path):
    """By hand: crime a twice in January (the later row, a Robbery, is the one kept) and once in February; an
    outcome row with no Crime ID and one for crime z (no street record) are both unmatched; a's one outcome, in
    January, lies before its February recording."""
    street = pd.DataFrame({"crime_id": ["a", "a", "a", None], "month": ["2024-01", "2024-01", "2024-02", "2024-01"],
                           "crime_type": ["Burglary", "Robbery", "Robbery", "Anti-social behaviour"],
                           "last_outcome": [None] * 4, "source_file": ["s1", "s1", "s2", "s1"],
                           "source_row": [1, 2, 1, 3]})
    outs = pd.DataFrame({"crime_id": ["a", "z", None], "month": ["2024-01", "2024-02", "2024-02"],
                         "outcome_type": ["Suspect charged"] * 3, "source_file": ["o"] * 3, "source_row": [1, 2, 3]})
    street.to_parquet(tmp_path / "s.parquet")
    outs.to_parquet(tmp_path / "o.parquet")
    linked, counts, crimes, _ = outcomes.link_prepared(tmp_path / "s.parquet", tmp_path / "o.parquet",
                                                       outcomes.load_categories(), "2024-03")
    assert counts == {"outcome_rows": 3, "outcome_crime_ids": 2, "unmatched_rows": 2, "unmatched_crime_ids": 1,
                      "before_recording_rows": 1, "rows_as_published": 3, "crimes": 2, "repeat_rows_within_month": 1,
                      "crime_ids_in_several_months": 1}
    assert linked[["recorded_month", "crime_type", "rows", "lag", "charge_lag"]].values.tolist() == [
        ["2024-01", "Robbery", 2, 0.0, 0.0], ["2024-02", "Robbery", 1, -1.0, -1.0]]
    assert crimes["crime_id"].tolist() == [1, 1]  # 'a' is the first id in text order ('a' < 'z')
