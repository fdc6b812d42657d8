"""Financial years and quarters, checked on hand examples (April–June = Q1; the year runs April to March)."""

import pandas as pd
import pytest

from scrutiny.reference import months


@pytest.mark.parametrize("month, fy, q, long", [
    ("2025-04", "2025/26", "Q1 2025/26", "Q1 2025/26 (April–June 2025)"),
    ("2025-06", "2025/26", "Q1 2025/26", "Q1 2025/26 (April–June 2025)"),
    ("2025-07", "2025/26", "Q2 2025/26", "Q2 2025/26 (July–September 2025)"),
    ("2025-12", "2025/26", "Q3 2025/26", "Q3 2025/26 (October–December 2025)"),
    ("2026-01", "2025/26", "Q4 2025/26", "Q4 2025/26 (January–March 2026)"),
    ("2026-03", "2025/26", "Q4 2025/26", "Q4 2025/26 (January–March 2026)"),
    ("2025-03", "2024/25", "Q4 2024/25", "Q4 2024/25 (January–March 2025)"),
    ("1999-05", "1999/00", "Q1 1999/00", "Q1 1999/00 (April–June 1999)"),
])
def test_financial_labels(month, fy, q, long):
    assert months.financial_year(month) == fy
    assert months.financial_quarter(month) == q
    assert months.financial_quarter_long(month) == long


def test_quarter_months_and_parse():
    assert months.financial_quarter_months("2025-05") == ["2025-04", "2025-05", "2025-06"]
    assert months.financial_quarter_months("2026-02") == ["2026-01", "2026-02", "2026-03"]
    assert months.financial_quarter_months("2025-12") == ["2025-10", "2025-11", "2025-12"]
    assert months.parse_financial_quarter("Q4 2025/26") == ["2026-01", "2026-02", "2026-03"]
    assert months.parse_financial_quarter("Q2 2024/25 (July–September 2024)") == ["2024-07", "2024-08", "2024-09"]
    with pytest.raises(ValueError, match="financial quarter"):
        months.parse_financial_quarter("2025 Q1")
    assert [m for m in months.span("2025-01", "2025-12") if months.is_financial_quarter_end(m)] == \
        ["2025-03", "2025-06", "2025-09", "2025-12"]


def test_financial_year_to_date():
    this, last = months.financial_year_to_date("2025-06")
    assert this == ["2025-04", "2025-05", "2025-06"] and last == ["2024-04", "2024-05", "2024-06"]
    this, last = months.financial_year_to_date("2026-02")
    assert this[0] == "2025-04" and this[-1] == "2026-02" and len(this) == 11
    assert last[0] == "2024-04" and last[-1] == "2025-02" and len(last) == 11
    assert months.financial_year_to_date("2025-04") == (["2025-04"], ["2024-04"])
    assert months.period_label(this[0], this[-1]) == "April 2025–February 2026"
    assert months.period_label("2025-04", "2025-06") == "April–June 2025"


def test_quarter_totals_complete_quarters_only():
    # February 2025 to August 2025: Q4 2024/25 lacks January, Q2 2025/26 lacks September; only Q1 2025/26 is complete.
    s = pd.Series({"2025-02": 1, "2025-03": 2, "2025-04": 10, "2025-05": 20, "2025-06": 30, "2025-07": 5,
                   "2025-08": 6})
    t = months.quarter_totals(s)
    assert t["quarter"].tolist() == ["Q1 2025/26"]
    assert t["total"].tolist() == [60]
    assert t["label"].iloc[0] == "Q1 2025/26 (April–June 2025)"
    # a missing value makes the quarter incomplete; quarters come out in time order across financial years
    s2 = pd.Series({m: 1.0 for m in months.span("2024-01", "2025-06")})
    s2["2024-11"] = float("nan")
    t2 = months.quarter_totals(pd.DataFrame({"month": s2.index, "value": s2.to_numpy()}))
    assert t2["quarter"].tolist() == ["Q4 2023/24", "Q1 2024/25", "Q2 2024/25", "Q4 2024/25", "Q1 2025/26"]
    assert (t2["total"] == 3).all()
