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
