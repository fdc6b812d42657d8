"""Small-number suppression (params `disclosure: {min_count: N}`): the policy, apart from the page helpers that
apply it.

Counts from 1 to N-1 are replaced by the marker `[c]` in tables and sentences and left undrawn in charts; zero
is shown (it discloses no one); averages, limits and tests use the unsuppressed counts. Count columns are the
integer-typed columns unless named.
"""

from __future__ import annotations

import pandas as pd

from scrutiny.analyses.narrative import MARKER


def disclosure_text(n: int) -> str:
    """The caption under a table or chart whose small counts were suppressed."""
    return (f"Small numbers suppressed: counts from 1 to {n - 1} are shown as {MARKER} in tables and sentences and "
            f"are not drawn in charts (params disclosure.min_count = {n}). Zero is shown. Averages, limits and tests "
            f"use the unsuppressed counts.")


def count_columns(df: pd.DataFrame, counts) -> list:
    """The columns holding counts: those named, else the integer-typed columns."""
    if counts is not None:
        return [c for c in counts if c in df.columns]
    return [c for c in df.columns if df[c].dtype.kind in "iu"]


def suppress(df: pd.DataFrame, counts, threshold: int | None) -> tuple[pd.DataFrame, int]:
    """Counts from 1 to threshold-1 replaced by MARKER; returns (new frame, cells suppressed).

    Zero is not suppressed (it discloses no one); missing values stay missing."""
    n = threshold
    if not n:
        return df, 0
    out, hidden = df.copy(), 0
    for c in count_columns(df, counts):
        v = pd.to_numeric(df[c], errors="coerce")
        small = v.notna() & (v > 0) & (v < n)
        if small.any():
            hidden += int(small.sum())
            out[c] = df[c].astype(object).where(~small, MARKER)
    return out, hidden


def suppress_spec(node, counts, n: int) -> int:
    """Blank small counts in every inline dataset of a Vega-Lite spec (in place); returns cells blanked."""
    hidden = 0
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("values", "datasets") and v:
                rows = [r for vals in (v.values() if k == "datasets" and isinstance(v, dict) else [v])
                        if isinstance(vals, list) for r in vals if isinstance(r, dict)]
                for r in rows:
                    for f, x in r.items():
                        is_count = (f in counts) if counts is not None else (type(x) is int)
                        if is_count and isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x < n:
                            r[f] = None
                            hidden += 1
            else:
                hidden += suppress_spec(v, counts, n)
    elif isinstance(node, list):
        for v in node:
            hidden += suppress_spec(v, counts, n)
    return hidden
