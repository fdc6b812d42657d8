"""Deep-dive filters on police.uk street rows (inputs.police_uk.filter_street) and the catalogue they leave."""

from __future__ import annotations

import pandas as pd
import pytest

from scrutiny.analyses import measures
from scrutiny.config import params
from scrutiny.inputs.police_uk import FilterError, filter_street

ROWS = pd.DataFrame({
    "Crime type": ["Burglary", "Violence and sexual offences", "Violence and sexual offences", "Drugs",
                   "Violence and sexual offences"],
    "LSOA name": ["Newport 001A", "Newport 002B", "NEWPORT 003C", "Torfaen 001A", None],
})


def test_crime_type_filter_keeps_rows_of_those_types_only():
    kept = filter_street(ROWS, crime_types=["Violence and sexual offences"])
    assert kept.index.tolist() == [1, 2, 4]


def test_district_filter_ignores_case_and_drops_rows_with_no_lsoa():
    assert filter_street(ROWS, districts=["newport"]).index.tolist() == [0, 1, 2]
    assert filter_street(ROWS, crime_types=["Violence and sexual offences"], districts=["Newport"]).index.tolist() \
        == [1, 2]


def test_no_filters_keep_every_row_and_an_absent_district_is_refused():
    assert len(filter_street(ROWS)) == 5
    with pytest.raises(FilterError, match=r"\['Cardiff'\] match no row's LSOA name; districts in the data: "
                                          r"\['Newport', 'Torfaen'\]"):
        filter_street(ROWS, districts=["Cardiff"])


def test_restrict_keeps_the_measures_counting_a_filtered_type():
    cat = measures.load_catalogue(params.paths.REPO_ROOT / "params" / "measures" / "police_uk.yaml")
    ids = [m.id for m in measures.restrict(cat, ["Violence and sexual offences"]).measures]
    assert ids == ["all_crime", "violence_and_sexual_offences"]
    ids = [m.id for m in measures.restrict(cat, ["Burglary", "Anti-social behaviour"]).measures]
    assert ids == ["all_crime", "anti_social_behaviour", "neighbourhood_crime", "burglary"]
    assert measures.restrict(cat, []) is cat


def test_filters_in_words():
    f = params.Filters(crime_types=["Drugs", "Robbery"], districts=["Newport"])
    assert f.active and f.describe() == "crime types Drugs, Robbery; district Newport"
    assert not params.Filters().active and params.Filters().describe() == ""
