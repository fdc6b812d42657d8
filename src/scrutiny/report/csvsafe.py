"""Formula-safe CSV: text cells a spreadsheet would run as a formula are written with a leading quote.

OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection): a cell beginning with `=`, `+`,
`-`, `@`, a tab or a carriage return may be evaluated by Excel, LibreOffice or Google Sheets (e.g.
`=HYPERLINK(...)` in an LSOA name). Such text cells get a leading single quote (`'=HYPERLINK(...)`), which the
spreadsheet shows as text. Numbers are left alone (a negative number stored as a number is written `-3`), so
only text can change, and only text that starts with one of those characters.
"""

from __future__ import annotations

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(v):
    """One value: text starting with a trigger character gets a leading single quote; anything else as is."""
    return "'" + v if isinstance(v, str) and v.startswith(TRIGGERS) else v


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df whose text cells are formula-safe (columns holding no text are not touched)."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype.kind in "biufcmM":
            continue
        risky = col.map(lambda v: isinstance(v, str) and v.startswith(TRIGGERS))
        if risky.any():
            out[c] = col.astype(object).where(~risky, col.map(cell))
    out.columns = [cell(c) for c in out.columns]
    return out


def restore(df: pd.DataFrame) -> pd.DataFrame:
    """The text as written before `neutralise`, for a table read back to be shown in HTML (where a formula is
    inert): a leading single quote followed by a trigger character is dropped."""
    def back(v):
        return v[1:] if isinstance(v, str) and v.startswith("'") and v[1:].startswith(TRIGGERS) else v

    out = df.copy()
    for c in out.columns:
        if out[c].dtype.kind not in "biufcmM":
            out[c] = out[c].map(back)
    out.columns = [back(c) for c in out.columns]
    return out
