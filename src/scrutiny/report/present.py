"""How values and column names read on a page: no program values (None, nan, <NA>, True, False), no
e-notation, counts with thousands separators, p-values as "< 0.001" or to 3 decimals, human headers.

Every table a notebook shows goes through `html_table` (called by nb.table); templates use the `cell`
and `header` functions as Jinja filters. CSV files keep their raw values and column names: only the page
changes.
"""

from __future__ import annotations

import html
import math
import numbers
import re

import numpy as np
import pandas as pd

MISSING = "–"  # an en dash: no value (not zero)

# Words written as the reader expects them, whatever the case in the column name.
WORDS = {
    "ci": "CI", "spc": "SPC", "lsoa": "LSOA", "nfa": "NFA", "ons": "ONS", "id": "ID", "pfa": "PFA",
    "msg": "MSG", "uk": "UK", "csv": "CSV", "ho": "Home Office", "pnd": "PND", "cps": "CPS", "ucl": "UCL",
    "lcl": "LCL", "rag": "RAG", "pvalue": "p-value", "pct": "%", "r12": "last 12 months",
    "prev12": "previous 12 months", "mr": "moving range", "km": "Kaplan–Meier", "obs": "observed",
    "exp": "expected", "doc": "document", "yoy": "year on year", "fytd": "financial year to date",
}

# Whole column names with a better reading than word-by-word.
NAMES = {
    "p": "p-value", "p_value": "p-value", "pvalue": "p-value", "doc_id": "Document",
    "lower_998": "Lower 99.8% limit", "upper_998": "Upper 99.8% limit",
    "lower_95": "Lower 95% limit", "upper_95": "Upper 95% limit",
    "ci_low": "95% interval, low", "ci_high": "95% interval, high",
    "lower": "Lower limit", "upper": "Upper limit", "centre": "Centre line (average)",
    "value": "Value", "rule": "SPC rule", "variation": "SPC variation",
}

# a p-value column: 'p', 'p-value', 'r12_pvalue', 'p (two-sided)', and a test's p named by what it tests ('level_p',
# 'Slope p')
_P_NAME = re.compile(r"^(p|p-value|p_value|pvalue)$|^p[ _(]|[ _]p$|p-value|p_value|pvalue", re.I)
# lower limits of counts and rates: a count (or a rate of counts) below zero cannot happen, so it is shown as 0
_LOWER_LIMIT = re.compile(r"^(lower|lcl|lower[ _]limit.*|lower[ _]process[ _]limit.*|lower[ _]99\.?8.*|"
                          r"lower_998)$", re.I)


def header(name) -> str:
    """A column name as a reader writes it: 'first_outcome_within_k' -> 'First outcome within k';
    'r12_pvalue' -> 'Last 12 months p-value'; 'SPC rule' and 'June 2025' are left as they are."""
    s = str(name)
    if s in NAMES:
        return NAMES[s]
    if s.lower() in NAMES:
        return NAMES[s.lower()]
    if "_" in s or (s.isidentifier() and s.islower()):
        s = " ".join(WORDS.get(w.lower(), w) for w in s.split("_") if w)
    if _P_NAME.match(str(name)) and s[:1] == "p":
        return s  # p is written lower case, as statisticians write it
    return s[:1].upper() + s[1:] if s[:1].islower() else s


def is_pvalue_column(name) -> bool:
    return bool(_P_NAME.search(str(name)))


def is_lower_limit_column(name) -> bool:
    return bool(_LOWER_LIMIT.match(str(name).strip()))


def is_missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (str, bytes, list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


_PROGRAM_WORDS = {"None": MISSING, "nan": MISSING, "NaN": MISSING, "<NA>": MISSING, "NaT": MISSING,
                  "True": "Yes", "False": "No"}


def pvalue(p) -> str:
    """'< 0.001' below 0.001, else 3 decimals ('0.042'); missing -> '–'."""
    if is_missing(p):
        return MISSING
    p = float(p)
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


_P_IN_TEXT = re.compile(r"\b(p)\s*=\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])")
_E_IN_TEXT = re.compile(r"(?<![\w.])([-+]?\d+(?:\.\d+)?[eE][-+]?\d+)(?![\w.])")


def tidy_text(text: str) -> str:
    """A sentence with its p-values written as 'p < 0.001' or 'p = 0.042' and no number left in e-notation
    ('p = 7.37e-44' -> 'p < 0.001'; '1.5e+06' -> '1,500,000')."""
    def p_sub(m):
        v = float(m.group(2))
        return f"{m.group(1)} < 0.001" if v < 0.001 else f"{m.group(1)} = {v:.3f}"

    def e_sub(m):
        v = float(m.group(1))
        return f"{v:,.0f}" if abs(v) >= 1 and v == round(v) else f"{v:,.6f}".rstrip("0").rstrip(".")

    return _E_IN_TEXT.sub(e_sub, _P_IN_TEXT.sub(p_sub, text))


def number(v, decimals: int = 1) -> str:
    """Thousands separators, fixed decimals, never e-notation: 1234567 -> '1,234,567'; 0.000012 -> '0.0'."""
    if is_missing(v):
        return MISSING
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    v = float(v)
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:,.{decimals}f}"


def cell(v, decimals: int = 1) -> str:
    """Any single value as text for a page: missing -> '–', booleans -> Yes/No, numbers without e-notation."""
    if isinstance(v, str):
        return _PROGRAM_WORDS.get(v.strip(), tidy_text(v))
    if isinstance(v, (bool, np.bool_)):
        return "Yes" if v else "No"
    if is_missing(v):
        return MISSING
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    if isinstance(v, numbers.Real):
        f = float(v)
        return number(f, 0 if f == round(f) else decimals)
    return str(v)


def _column_formatter(name, col: pd.Series, decimals: int, fmt: str | None, floor_zero: bool):
    """One function value -> text for a column, from its name, its dtype and an optional format string."""
    if fmt is not None:
        def f(v):
            if is_missing(v):
                return MISSING
            if isinstance(v, str):
                return cell(v)
            return fmt.format(max(v, 0) if floor_zero else v)
        return f
    if is_pvalue_column(name):
        return lambda v: cell(v) if isinstance(v, str) else pvalue(v)
    kind = col.dtype.kind
    nums = pd.to_numeric(col, errors="coerce").dropna() if kind in "iufO" else pd.Series(dtype=float)
    whole = len(nums) > 0 and bool((nums == nums.round()).all())

    def f(v):
        if isinstance(v, (str, bool, np.bool_)) or is_missing(v):
            return cell(v)
        if isinstance(v, numbers.Real):
            x = float(v)
            if floor_zero and x < 0:
                x = 0.0
            if isinstance(v, numbers.Integral) or whole:
                return number(round(x), 0) if x == round(x) else number(x, decimals)
            return number(x, decimals)
        return cell(v)
    return f


def _numeric(col: pd.Series) -> bool:
    """A column of numbers (suppression markers and missing values allowed): right-aligned."""
    if col.dtype.kind in "iuf":
        return True
    vals = [v for v in col if not is_missing(v)]
    return bool(vals) and all((isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))) or
                              (isinstance(v, str) and v.startswith("[")) for v in vals)


def html_table(df: pd.DataFrame, decimals: int = 1, formats: dict | None = None, floor_zero=None,
               numeric_right: bool = True) -> tuple[str, list[str]]:
    """An escaped <table class="data"> inside a horizontally scrolling box, and the columns floored at 0.

    formats: column -> format string ("{:.1%}"). floor_zero: columns whose negative values are shown as 0
    (lower limits of counts); by default the columns named like a lower limit ('lower', 'lower limit', 'lcl',
    'lower_998')."""
    formats = formats or {}
    floors = ([c for c in df.columns if is_lower_limit_column(c)] if floor_zero is None
              else [c for c in floor_zero if c in df.columns])
    floored = [c for c in floors
               if (pd.to_numeric(df[c], errors="coerce") < 0).any()]
    fns = {c: _column_formatter(c, df[c], decimals, formats.get(c), c in floors) for c in df.columns}
    numeric = {c: c in formats or _numeric(df[c]) for c in df.columns}
    # more than 9 columns: smaller type; more than 14: printed on a landscape A4 page of its own
    wide = " wide very-wide" if len(df.columns) > 14 else " wide" if len(df.columns) > 9 else ""
    out = [f'<div class="table-wrap{wide}" role="region" tabindex="0"><table class="data{wide}">', "<thead><tr>"]
    for c in df.columns:
        cls = ' class="num"' if numeric_right and numeric[c] else ""
        out.append(f"<th{cls}>{html.escape(header(c))}</th>")
    out.append("</tr></thead><tbody>")
    for row in df.itertuples(index=False, name=None):
        out.append("<tr>")
        for c, v in zip(df.columns, row):
            cls = ' class="num"' if numeric_right and numeric[c] else ""
            out.append(f"<td{cls}>{html.escape(fns[c](v))}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out), floored


# --- judgement words and their how-to-read entries ----------------------------------------------------------------
# A word links to how-to-read.html#<anchor> only in packs whose how-to-read page has that entry: the entries
# shown depend on the notebooks in the pack (`topics`), so a peers or audit pack gets no crime-pack text.
SPC = frozenset({"performance", "stop_search", "districts"})
TESTS = frozenset({"performance", "outcomes", "stop_search", "peers"})
QUARTERS = frozenset({"performance", "outcomes", "stop_search", "districts"})
EVERY = frozenset({"performance", "outcomes", "stop_search", "peers", "audit", "districts"})

# anchor -> (notebooks whose pages need it, tooltip)
TOPICS = {
    "inclusion": (EVERY, "When a row appears on the front Summary: every month, or at quarter ends unless a "
                         "month is exceptional."),
    "quarters": (QUARTERS, "Financial quarters: Q1 = April–June … Q4 = January–March; the year runs April to March."),
    "charts": (SPC, "How the control charts are drawn: lines, shapes and shading."),
    "average": (SPC, "The monthly average is the mean of the baseline months (the centre line); the process "
                     "limits are 2.66 average moving ranges either side."),
    "exceptional": (SPC, "Exceptional: the month is outside the process limits of its control chart. It does not "
                         "say why."),
    "series-break": (SPC, "A series break: a month from which the series is not comparable with earlier months "
                          "(limits are recomputed after it)."),
    "verdict": (frozenset({"performance"}), "Verdict on the front page: data problem, series break, worse, better, "
                                            "changed or no clear change, by stated rules."),
    "interval": (TESTS, "A 95% interval: the values the underlying figure could plausibly take, given the numbers."),
    "significant": (TESTS, "Significant: a named test gives p < 0.05. It does not mean large or important."),
    "overdispersion": (frozenset({"performance", "peers"}),
                       "Overdispersion: counts vary more than pure chance (Poisson) allows, so tests and limits "
                       "that assume Poisson call too much significant."),
    "outcomes": (frozenset({"outcomes"}), "Fixed follow-up: every crime gets the same months to reach an outcome."),
    "funnel": (frozenset({"peers"}), "A funnel plot: each force's rate against its population, with limits that "
                                     "narrow as the population grows."),
    "rank": (frozenset({"peers"}), "Rank 1 = the highest rate. A rank ignores how close the rates are."),
    "peer-average": (frozenset({"peers"}), "The average rate of the peer forces (the most similar forces), "
                                           "without the force itself unless stated."),
    "register": (frozenset({"audit"}), "The discrepancy register: every printed figure its own document does "
                                       "not support."),
    "severity": (frozenset({"audit"}), "Severity: a mechanical size rule for a discrepancy, not a judgement of "
                                       "importance."),
}

# word (as written in text, matched case-insensitively as a whole word) -> anchor
TERMS = {
    "exceptional": "exceptional", "special cause": "exceptional", "monthly average": "average",
    "process limits": "average", "series break": "series-break", "significant": "significant",
    "overdispersion": "overdispersion", "funnel plot": "funnel", "peer average": "peer-average",
    "register": "register", "severity": "severity", "inclusion": "inclusion", "financial quarter": "quarters",
    "fixed follow-up": "outcomes", "rank": "rank", "interval": "interval",
}
# the words linked automatically in sentences and notes (the others only through nb.term)
AUTOLINK = ("special cause", "monthly average", "process limits", "series break", "exceptional", "significant",
            "overdispersion", "funnel plot", "peer average", "fixed follow-up")


def topics(notebooks) -> set[str]:
    """The how-to-read entries a pack with these notebooks shows."""
    nbs = set(notebooks)
    return {a for a, (need, _) in TOPICS.items() if need & nbs}


def term_link(word: str, text: str | None = None, notebooks=None) -> str:
    """Escaped HTML: `text` (default the word) linked to its how-to-read entry with a tooltip, or plain
    escaped text when the word has no entry in this pack (notebooks=None: every entry exists)."""
    shown = html.escape(text if text is not None else word)
    anchor = TERMS.get(word.lower())
    if anchor is None or (notebooks is not None and anchor not in topics(notebooks)):
        return shown
    tip = html.escape(TOPICS[anchor][1], quote=True)
    return f'<a class="term" href="how-to-read.html#{anchor}" title="{tip}">{shown}</a>'


_AUTO = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in AUTOLINK) + r")(?![\w-])", re.I)


def link_terms(text: str, notebooks=None) -> str:
    """Escape text and link the first use of each judgement word (AUTOLINK) to its how-to-read entry
    (p-values and e-notation tidied first: tidy_text)."""
    text = tidy_text(text)
    out, pos, seen = [], 0, set()
    for m in _AUTO.finditer(text):
        word = m.group(1).lower()
        anchor = TERMS[word]
        if anchor in seen or (notebooks is not None and anchor not in topics(notebooks)):
            continue
        seen.add(anchor)
        out.append(html.escape(text[pos:m.start()]))
        out.append(term_link(word, m.group(1), notebooks))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)
