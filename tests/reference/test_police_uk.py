import pandas as pd

from scrutiny.reference import months, police_uk


def test_slug():
    assert police_uk.slug("Anti-social behaviour") == "anti_social_behaviour"
    assert police_uk.slug("Violence and sexual offences") == "violence_and_sexual_offences"
    assert police_uk.slug("Criminal damage and arson") == "criminal_damage_and_arson"


def test_district_parser():
    assert police_uk.district("Newport 012A") == "Newport"
    assert police_uk.district("Blaenau Gwent 001A") == "Blaenau Gwent"
    assert police_uk.district("Rhondda Cynon Taf 010F") == "Rhondda Cynon Taf"
    assert police_uk.district("") is None
    assert police_uk.district(None) is None
    assert police_uk.district("Newport") == "Newport"


def test_vectorised_district_agrees():
    s = pd.Series(["Newport 012A", None, "", "Vale of Glamorgan 003B"])
    out = police_uk.districts(s)
    assert out[0] == "Newport" and out[3] == "Vale of Glamorgan"
    assert out[1:3].isna().all()


def _districts_row_by_row(names):
    """The rule applied row by row (each row's spelling counted once): the independent reference."""
    raw = police_uk.districts_as_written(names)
    canon = police_uk.canonical_spellings(raw)
    return raw.map(lambda r: None if pd.isna(r) else canon[police_uk.district_key(r)]).astype(object).where(
        raw.notna(), None)


def test_districts_on_distinct_names_equal_the_row_by_row_rule():
    # "NEWPORT" twice beats "Newport" once (most frequent spelling); "Cardiff" and "cardiff" tie: first sorted wins
    s = pd.Series(["NEWPORT 001A", "NEWPORT 002B", "Newport 003C", None, "", "  ", "cardiff 001A", "Cardiff 002A",
                   "Vale  of Glamorgan 003B", "vale of glamorgan 004B", "Torfaen"], index=range(10, 21), name="LSOA name")
    got = police_uk.districts(s)
    assert got.tolist() == ["NEWPORT", "NEWPORT", "NEWPORT", None, None, None, "Cardiff", "Cardiff",
                            "Vale  of Glamorgan", "Vale  of Glamorgan", "Torfaen"]
    pd.testing.assert_series_equal(got, _districts_row_by_row(s), check_names=False)
    assert list(got.index) == list(s.index) and got.dtype == object


def test_districts_on_real_names_equal_the_row_by_row_rule():
    import duckdb

    from conftest import GWENT

    names = duckdb.sql(f"SELECT \"LSOA name\" FROM read_csv('{GWENT}/2024-0*-gwent-street.csv.gz', all_varchar=true)"
                       ).df()["LSOA name"]
    pd.testing.assert_series_equal(police_uk.districts(names), _districts_row_by_row(names), check_names=False)


def test_file_month():
    assert police_uk.file_month("2024-01-gwent-street.csv.gz") == "2024-01"
    assert police_uk.file_month("street.csv") is None


def test_months():
    assert months.span("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert months.shift("2025-01", -1) == "2024-12"
    assert months.shift("2025-06", -12) == "2024-06"
    assert months.label("2025-06") == "June 2025"


def test_contract_value_sets_match_constants():
    import json

    from scrutiny import contracts

    s = contracts.load_suite_json("police_uk_street.v1")
    sets = {e["kwargs"]["column"]: e["kwargs"]["value_set"] for e in s["expectations"]
            if e["type"] == "expect_column_values_to_be_in_set" and isinstance(e["kwargs"]["value_set"], list)}
    assert sets["Crime type"] == police_uk.CRIME_TYPES
    assert sets["Last outcome category"] == police_uk.OUTCOME_CATEGORIES
    assert len(police_uk.CRIME_TYPES) == 14
    json.dumps(s)


def test_normalise_outcomes_is_normalise_outcome_on_every_value():
    import pandas as pd

    from scrutiny.reference import police_uk

    values = ["Offender given a penalty notice", "Offender given penalty notice", "Suspect charged", None, ""]
    for dtype in (object, "str"):
        s = pd.Series(values, dtype=dtype)
        got = police_uk.normalise_outcomes(s)
        want = s.map(police_uk.normalise_outcome)
        pd.testing.assert_series_equal(got, want)
        assert got.tolist()[:3] == ["Offender given penalty notice"] * 2 + ["Suspect charged"]
