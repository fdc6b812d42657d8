"""Calendar months as 'YYYY-MM' strings: ranges and offsets."""

from __future__ import annotations


def to_index(month: str) -> int:
    """Months since year 0: '2024-01' -> 2024*12 + 0."""
    y, m = month.split("-")
    return int(y) * 12 + int(m) - 1


def from_index(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def shift(month: str, n: int) -> str:
    """The month n months after (n<0: before) `month`."""
    return from_index(to_index(month) + n)


def span(start: str, end: str) -> list[str]:
    """Every month from start to end inclusive."""
    return [from_index(i) for i in range(to_index(start), to_index(end) + 1)]


def label(month: str) -> str:
    """'2025-06' -> 'June 2025', the way force papers write it."""
    names = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
    y, m = month.split("-")
    return f"{names[int(m) - 1]} {y}"


# Financial years and quarters, as police and OPCC papers use them: the year runs April to March and is
# written "2025/26"; Q1 = April–June, Q2 = July–September, Q3 = October–December, Q4 = January–March.
_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def financial_year_start(month: str) -> int:
    """Calendar year in which the month's financial year starts: '2026-02' -> 2025 (April 2025–March 2026)."""
    y, m = month.split("-")
    return int(y) if int(m) >= 4 else int(y) - 1


def financial_year(month: str) -> str:
    """'2025-04' and '2026-03' -> '2025/26'."""
    y = financial_year_start(month)
    return f"{y}/{(y + 1) % 100:02d}"


def financial_quarter_number(month: str) -> int:
    """1 for April–June, 2 for July–September, 3 for October–December, 4 for January–March."""
    return (int(month.split("-")[1]) - 4) % 12 // 3 + 1


def financial_quarter_months(month: str) -> list[str]:
    """The three months of the financial quarter holding `month`: '2025-05' -> ['2025-04', '2025-05', '2025-06']."""
    i = to_index(month)
    first = i - (i - 3) % 3  # quarters start in April (index % 12 == 3), July, October, January
    return [from_index(first + k) for k in range(3)]


def financial_quarter(month: str) -> str:
    """Short label of the month's financial quarter: '2025-05' -> 'Q1 2025/26'; '2026-02' -> 'Q4 2025/26'."""
    return f"Q{financial_quarter_number(month)} {financial_year(month)}"


def financial_quarter_long(month: str) -> str:
    """Long label: '2025-05' -> 'Q1 2025/26 (April–June 2025)'; '2026-01' -> 'Q4 2025/26 (January–March 2026)'."""
    a, b = financial_quarter_months(month)[0], financial_quarter_months(month)[-1]
    return f"{financial_quarter(month)} ({_NAMES[int(a[5:]) - 1]}–{_NAMES[int(b[5:]) - 1]} {b[:4]})"


def parse_financial_quarter(text: str) -> list[str]:
    """The three months of a label 'Q1 2025/26' (the long form is accepted too)."""
    import re

    m = re.match(r"\s*Q([1-4])\s+(\d{4})/\d{2}", text)
    if not m:
        raise ValueError(f"not a financial quarter label (expected e.g. 'Q1 2025/26'): {text!r}")
    q, y = int(m.group(1)), int(m.group(2))
    return financial_quarter_months(shift(f"{y:04d}-04", 3 * (q - 1)))


def is_financial_quarter_end(month: str) -> bool:
    """True for June, September, December and March."""
    return financial_quarter_months(month)[-1] == month


def financial_year_to_date(month: str) -> tuple[list[str], list[str]]:
    """Financial year to date for a reporting month and the same months a year earlier.

    '2025-06' -> (April–June 2025, April–June 2024); '2026-02' -> (April 2025–February 2026, April 2024–February 2025)."""
    start = f"{financial_year_start(month):04d}-04"
    this = span(start, month)
    return this, [shift(m, -12) for m in this]


def period_label(first: str, last: str) -> str:
    """'2025-04', '2025-06' -> 'April–June 2025'; across a year end 'April 2025–February 2026'."""
    a, b = _NAMES[int(first[5:]) - 1], _NAMES[int(last[5:]) - 1]
    if first == last:
        return f"{a} {first[:4]}"
    return f"{a}–{b} {last[:4]}" if first[:4] == last[:4] else f"{a} {first[:4]}–{b} {last[:4]}"


def quarter_totals(series):
    """Totals of a monthly series by financial quarter, complete quarters only.

    series: a pandas Series indexed by 'YYYY-MM' (or a frame with `month` and `value` columns). A quarter is
    kept only when all three of its months are present with a value (missing or NaN months make it
    incomplete). Returns a frame: quarter ('Q1 2025/26'), label (long form), first_month, last_month, total,
    in quarter order."""
    import pandas as pd

    if isinstance(series, pd.DataFrame):
        series = series.set_index("month")["value"]
    s = series.dropna()
    rows: dict[str, list] = {}
    for m, v in s.items():
        rows.setdefault(financial_quarter_months(str(m))[0], []).append(v)
    out = [{"quarter": financial_quarter(q), "label": financial_quarter_long(q), "first_month": q,
            "last_month": shift(q, 2), "total": sum(v)} for q, v in sorted(rows.items()) if len(v) == 3]
    return pd.DataFrame(out, columns=["quarter", "label", "first_month", "last_month", "total"])
