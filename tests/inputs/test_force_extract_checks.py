"""The row checks of the force extracts: dates, pseudonymised victim ids, missing fields, the extract date, and the
survey's link to the crimes."""

from __future__ import annotations

import pandas as pd

from scrutiny.inputs import force_crimes as fc
from scrutiny.inputs import victim_survey as vs


def cells(s) -> list:
    """Missing cells as None (pandas keeps them as NaN or None depending on the column type)."""
    return [None if pd.isna(x) else x for x in s]


def test_victim_id_forms():
    s = pd.Series(["V0001234", "a3f9c2d81e7b4410", "PSN-000123", None, "", "  ", "John Smith", "SMITH",
                   "O'Brien", "12/03/1985", "1985-03-12", "V12.03.85", "V12", "abc def 1234", "V0001234 "])
    assert fc.victim_id_form(s).tolist() == [
        "pseudonymised", "pseudonymised", "pseudonymised", "blank", "blank", "blank", "looks like a name",
        "looks like a name", "looks like a name", "looks like a date", "looks like a date", "looks like a date",
        "not a pseudonymised id", "not a pseudonymised id", "pseudonymised"]


def test_date_problems_name_the_first_bad_cell():
    df = pd.DataFrame({"recorded_date": ["2025-01-31", "2025-02-30", "31/01/2025", "2024-02-29", None],
                       "committed_date": [None, "2025-01-01", "2025-13-01", "", "2025-01-01"],
                       "outcome_date": [None] * 5, "extracted_at": ["2025-07-10"] * 5})
    assert cells(fc.date_problem(df)) == [
        None, "recorded_date '2025-02-30' is not a real date", "recorded_date '31/01/2025' is not written yyyy-mm-dd",
        None, None]


def crimes(**change) -> pd.DataFrame:
    base = {"crime_ref": ["CR1", "CR2", "CR3"], "recorded_date": ["2025-06-01", "2025-06-02", "2025-06-03"],
            "committed_date": ["", "", ""], "ho_offence_code": ["028/01"] * 3, "offence_group": ["Theft offences"] * 3,
            "crime_type": ["Residential burglary"] * 3, "district": ["A", "B", "A"],
            "victim_id": ["V0000001", "", "V0000002"], "da_flag": ["N"] * 3, "hate_flag": ["N", "Y", "N"],
            "hate_strand": ["", "race", ""], "ho_outcome_type": ["18", "", "1"],
            "outcome_date": ["2025-06-20", "", ""], "extracted_at": ["2025-07-10"] * 3}
    base.update(change)
    return pd.DataFrame(base)


def test_check_columns():
    out = fc.check_columns(crimes(district=["A", "", "A"], extracted_at=["2025-07-10", "2025-07-10", "2025-07-11"]))
    assert cells(out["victim_id"])[1] is None  # blank cells become missing
    assert cells(out["missing_fields"]) == [None, "district", None]
    assert out["extract_date"].tolist() == ["the extract's date", "the extract's date", "another date"]
    assert out["outcome_pairing"].tolist() == ["both", "neither", "type without a date"]
    assert out["hate_strand_matches_flag"].tolist() == [True, True, True]
    assert out["recorded_month"].tolist() == ["2025-06"] * 3
    out = fc.check_columns(crimes(hate_strand=["race", "", ""]))
    assert out["hate_strand_matches_flag"].tolist() == [False, False, True]


def test_survey_link_to_crimes():
    c = fc.check_columns(crimes())
    s = pd.DataFrame({"respondent_id": ["R1", "R2", "R3"], "crime_ref": ["CR1", "CR9", "CR3"],
                      "survey_type": ["aggregate"] * 3, "crime_type": ["Burglary"] * 3, "district": ["A"] * 3,
                      "interview_date": ["2025-07-01", "2025-07-01", "2025-05-01"],
                      **{st: ["1", "8", ""] for st in vs.STAGES}, "questionnaire_version": ["AGG-3"] * 3})
    out = vs.link_columns(vs.check_columns(s), c)
    assert out["crime_ref_in_crimes"].tolist() == ["yes", "no", "yes"]
    assert out["interviewed_after_recording"].tolist() == ["yes", "not checked", "no"]
    assert cells(out["missing_fields"]) == [None, None, "whole_experience"]
    assert vs.link_columns(vs.check_columns(s), None)["crime_ref_in_crimes"].tolist() == ["not checked"] * 3
