"""The one Summary row schema every section writes."""

from __future__ import annotations

import pytest

from scrutiny.analyses.summary import COLUMNS, SummaryRow, frame


def test_columns_are_the_fields_in_order():
    assert COLUMNS == ["topic", "measure", "inclusion", "shown", "data", "commentary", "link"]


def test_frame_from_rows_and_dicts():
    row = SummaryRow("Burglary", "burglary", "Always", True, "179 in June 2025", "Common cause", "performance.html#b")
    df = frame([row, {**row.__dict__, "measure": "b2", "shown": False}])
    assert list(df.columns) == COLUMNS
    assert df["measure"].tolist() == ["burglary", "b2"]
    assert df["shown"].tolist() == [True, False]


def test_frame_of_nothing_still_has_the_columns():
    assert list(frame([]).columns) == COLUMNS and frame([]).empty


@pytest.mark.parametrize("bad", [{"topic": "x"}, {**dict.fromkeys(COLUMNS, ""), "extra": 1}])
def test_a_missing_or_unknown_field_is_refused(bad):
    with pytest.raises(TypeError):
        frame([bad])
