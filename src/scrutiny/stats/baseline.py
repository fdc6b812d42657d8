"""The force's baseline: the mean of the previous three financial years' percentages (April–March years)."""

from __future__ import annotations

import pandas as pd


def financial_year(month: str) -> int:
    """The starting calendar year of the financial year (April–March) holding a YYYY-MM month: 2024-03 → 2023."""
    y, m = int(month[:4]), int(month[5:7])
    return y if m >= 4 else y - 1


def fy_label(start_year: int) -> str:
    """2023 → '2023/24'."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def three_year_baseline(monthly: pd.DataFrame, numerator: str, denominator: str, years: int = 3) -> pd.Series:
    """For each month, the mean of the previous `years` financial years' percentages (numerator / denominator
    summed over each financial year, April–March), as forces state it: "the average of the percentage of
    calls answered within 10 seconds for the last 3 financial years" (seed 002, L1830).

    `monthly` has a `month` column (YYYY-MM). A financial year counts only when all 12 of its months are in
    the frame with a positive denominator; a month whose previous `years` financial years are not all complete
    gets NaN (no baseline: the data cannot support one). Returns a Series aligned to `monthly`, in percent.
    """
    fy = monthly["month"].map(financial_year)
    agg = (monthly.assign(_fy=fy, _ok=monthly[denominator] > 0)
           .groupby("_fy").agg(num=(numerator, "sum"), den=(denominator, "sum"), months=("month", "nunique"),
                               ok=("_ok", "all")))
    complete = agg[(agg["months"] == 12) & agg["ok"]]
    pct = 100 * complete["num"] / complete["den"]

    def base(y: int) -> float:
        prev = [y - k for k in range(1, years + 1)]
        return float(pct.loc[prev].mean()) if all(p in pct.index for p in prev) else float("nan")

    return fy.map(base).astype(float)
