"""The front page's Summary table: one row per measure a section reports, in one schema.

Each section writes `tables/<section>_summary.csv` with these columns; the front page shows the rows whose
`shown` is true (the measure's inclusion rule decides: e.g. "Always", "When exceptional"), and
`tables/summary.csv` joins every section's rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd


@dataclass(frozen=True)
class SummaryRow:
    """One measure on the front page."""

    topic: str  # the row's heading, e.g. "Burglary" or "Stop and search: find rate"
    measure: str  # a stable id (the catalogue id for performance measures)
    inclusion: str  # the rule that puts the row on the front page, in words
    shown: bool  # whether that rule puts it there this edition
    data: str  # the figures, in words with separators
    commentary: str  # the judgement, naming its rule or test
    link: str  # page#anchor of the section that shows the measure


COLUMNS = [f.name for f in fields(SummaryRow)]


def frame(rows) -> pd.DataFrame:
    """Rows (SummaryRow, or dicts with exactly its fields) as a frame in COLUMNS order; a missing or unknown
    field raises TypeError, so every section writes the same schema."""
    recs = [asdict(r) if isinstance(r, SummaryRow) else asdict(SummaryRow(**r)) for r in rows]
    return pd.DataFrame(recs, columns=COLUMNS)
