"""Draft transcription of a published document for the audit: `scrutiny draft-audit DOCUMENT.txt --out DIR`.

Reads a text extraction of the document (`pdftotext -layout` output, where form feeds separate pages and table
cells are separated by runs of spaces, or text whose table cells are separated by tabs) and writes
`figures.csv` and `relations.csv` in the formats the audit reads (README, "Auditing a published document").

Every number becomes a figure with its line, page (counted from form feeds; none when the text has none), table
row label and column (when it sits in a table), a unit guess (count, percent, pp, currency, rate, fte) and its
printed decimals. Relations are *proposed*, each with the reason in `note`:

- column totals: a row labelled "total" against the rows above it; and any last cell of a column that is the sum
  of the cells above it;
- row totals: a cell that is the sum of the run of cells next to it in its row (exactly, or within 1% when the run
  reaches the end of the row: "nearly holds", flagged in the note);
- running sums: a row that is the running (cumulative) sum of another row of the same table;
- changes: a "difference" / "% change" column or row that is the change between two other columns or rows
  (percentage points or relative change, whichever reproduces most cells);
- duplicate rows: two rows of a table printing the same values (same-figure, column by column);
- "n (x%)", "n of N (x%)" and "x% of N" in the text (share, share_of_n);
- the same number printed two to four times (same-figure candidates).

Whether a candidate holds is decided by the audit's own checks (scrutiny.audit), so "holds" here means what
the audit would call ok or consistent with rounding. Nothing here is a finding: the analyst deletes the
proposals that are wrong, adds what is missing (claims, constants, bounds) and runs the audit.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from scrutiny.analyses import audit

_TAG = re.compile(r"<[^>]+>")
_NUM = re.compile(r"^(?P<open>\()?(?P<sign>[-−–+])?(?P<cur>£)?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
                  r"(?P<pct>%)?(?P<scale>m|k|bn| ?million| ?thousand)?(?P<close>\))?$")
# a number inside prose: not part of a date (30/9/2013), a range (2015-2017), a code (A38) or a section number
_PROSE = re.compile(r"(?<![\w./£-])(?P<tok>\(?[-−+]?£?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?"
                    r"(?: ?million|m\b|k\b)?\)?)(?![\w/]|-\d|\.\d|<sup>|\s?[ap]\.?m\b| \d)")
_N_PCT = re.compile(r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\s+(?:of|out of)\s+(?P<den>\d{1,3}(?:,\d{3})+|\d+))?\s*"
                    r"\(\s*(?P<x>\d+(?:\.\d+)?)%\s*\)")
_X_OF_N = re.compile(r"(?P<x>\d+(?:\.\d+)?)%\s+of\s+(?:the\s+|all\s+)?(?P<n>\d{1,3}(?:,\d{3})+|\d+)\b")
_TOTAL = re.compile(r"\btotal\b", re.I)
_CHANGE = re.compile(r"differen|change|variance|\bdiff\b", re.I)
_EXACT_UNITS = {"count", "currency", "fte"}


@dataclass
class Num:
    value: Decimal
    text: str
    decimals: int
    unit: str  # "" when the text alone does not say


def parse_number(text: str) -> Num | None:
    """A cell or token as printed -> its signed value, decimals and the unit its own text shows, or None.
    '(7.6)' and '-7.6' are negative; '£6.2m' is currency_millions; '13.6%' percent."""
    t = _TAG.sub("", text).replace("*", "").strip()
    m = _NUM.match(t)
    if not m or (m.group("open") and not m.group("close")) or (m.group("close") and not m.group("open")):
        return None
    if len(m.group("num")) > 1 and m.group("num").startswith("0"):
        return None  # 01752, 0800: a telephone or reference number, not a figure
    dec = m.group("dec") or ""
    value = Decimal(m.group("num").replace(",", "") + dec)
    if m.group("open") or (m.group("sign") or "") in "-−–" and m.group("sign"):
        value = -value
    scale = (m.group("scale") or "").strip()
    unit = ""
    if m.group("pct"):
        unit = "percent"
    elif m.group("cur"):
        unit = {"m": "currency_millions", "million": "currency_millions", "bn": "currency_millions",
                "k": "currency_thousands", "thousand": "currency_thousands"}.get(scale, "currency")
        if scale == "bn":
            value *= 1000
    return Num(value, t, len(dec) - 1 if dec else 0, unit)


def unit_from_context(context: str, num: Num, title: str = "") -> str:
    """The unit a number's own text shows, else one its row label or column heading names (or, for money,
    rates and FTE, its table's title), else count."""
    c = context.lower()
    if title and not re.search(r"%|percent", c):
        u = unit_from_context(f"{context} {re.sub(r'%|percent', '', title, flags=re.I)}", num)
        if u != "count" or num.unit:
            return u
    if num.unit == "percent" and re.search(r"percentage points|\bpp\b|% ?points", c):
        return "pp"
    if num.unit:
        return num.unit
    if re.search(r"percentage points|\bpp\b", c):
        return "pp"
    if re.search(r"per 100,?000", c):
        return "rate_per_100000"
    if re.search(r"per 1,?000|rate per", c):
        return "rate_per_1000"
    if "£m" in c or "£ m" in c or "£million" in c:
        return "currency_millions"
    if "£k" in c or "£000" in c or "£'000" in c:
        return "currency_thousands"
    if "£" in c or "cost" in c or "budget" in c or "spend" in c:
        return "currency"
    if re.search(r"\bfte\b|full time equivalent", c):
        return "fte"
    if "%" in c or "percent" in c:
        return "percent"
    return "count"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub("", text).replace("*", "")).strip(" #:-\u2013")


# --------------------------------------------------------------------------------------------- reading

@dataclass
class Cell:
    fid: str
    line: int
    col: int
    num: Num
    unit: str = "count"


@dataclass
class Row:
    line: int
    label: str
    cells: dict[int, Cell] = field(default_factory=dict)   # column index -> numeric cell
    texts: dict[int, str] = field(default_factory=dict)    # column index -> non-numeric cell text


@dataclass
class Table:
    title: str
    headers: list[Row] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def column(self, j: int) -> str:
        return " ".join(h.texts[j] for h in self.headers if h.texts.get(j))


def _split_cells(line: str) -> list[tuple[int, str]] | None:
    """(position, text) of each cell of a table line: tab-separated cells (position = cell index), or runs of
    two or more spaces (pdftotext -layout; position = the cell's right end, so right-aligned numbers line up)."""
    if "\t" in line:
        return list(enumerate(line.split("\t")))
    parts = [(m.end(), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", line)]
    if len(parts) >= 2 and any(parse_number(t) for _, t in parts[1:]):
        return parts
    return None


def _heading_years(cells: list[tuple[int, str]]) -> bool:
    """A column-heading row of years (2023  2024  % change): every number in it is a year 1900-2100 printed
    without a comma, and it has no row label before them."""
    nums = [(k, parse_number(t)) for k, (_, t) in enumerate(cells) if t.strip()]
    vals = [(k, n) for k, n in nums if n is not None]
    return bool(vals) and vals[0][0] == nums[0][0] and all(
        n.decimals == 0 and not n.unit and 1900 <= n.value <= 2100 and "," not in n.text for _, n in vals)


def _layout_columns(tables_raw: list[list[tuple[int, list[tuple[int, str]]]]]):
    """Map the right-end positions of a layout table's cells to column indices (positions within 2 characters
    of each other are one column)."""
    out = []
    for rows in tables_raw:
        ends = sorted({p for _, cells in rows for p, _ in cells})
        cols, last = {}, None
        k = -1
        for p in ends:
            if last is None or p - last > 2:
                k += 1
            cols[p] = k
            last = p
        out.append(cols)
    return out


class Draft:
    def __init__(self, text: str, doc_id: str):
        self.doc_id = doc_id
        self.lines = text.split("\n")
        self.pages = "\f" in text
        self.page_of: list[int] = []
        page = 1
        for ln in self.lines:
            page += ln.count("\f") if ln.startswith("\f") else 0
            self.page_of.append(page)
            if "\f" in ln and not ln.startswith("\f"):
                page += ln.count("\f")
        self.figures: list[dict] = []
        self.fig_cells: dict[str, Cell] = {}
        self.tables: list[Table] = []
        self.relations: list[dict] = []
        self._rel_keys: set = set()
        self._read()

    # -- figures
    def _loc(self, line: int) -> str:
        return (f"p{self.page_of[line - 1]} " if self.pages else "") + f"L{line}"

    def _add(self, fid: str, line: int, num: Num, unit: str, measure: str, period: str, note: str,
             col: int = -1) -> Cell:
        self.figures.append({"figure_id": fid, "doc_id": self.doc_id, "location": self._loc(line),
                             "measure": measure, "geography": "", "period": period,
                             "value": format(num.value, "f"), "unit": unit, "value_text": num.text,
                             "decimals": str(num.decimals), "note": note})
        cell = Cell(fid, line, col, num, unit)
        self.fig_cells[fid] = cell
        return cell

    def _read(self) -> None:
        raw_tables: list[tuple[str, list[tuple[int, list[tuple[int, str]]]]]] = []
        cur: list[tuple[int, list[tuple[int, str]]]] = []
        title, last_text, gap = "", "", 0
        prose: list[int] = []
        for i, line in enumerate(self.lines, start=1):
            body = line.replace("\f", "")
            cells = _split_cells(body) if body.strip() else None
            if cells is None and not body.strip():
                gap += 1
                if gap > 3 and cur:
                    raw_tables.append((title, cur))
                    cur = []
                continue
            if cells is not None:
                numeric = any(parse_number(t) for _, t in cells[1:]) or (
                    "\t" in body and parse_number(cells[0][1]) is not None)
                if numeric and _heading_years(cells):
                    numeric = False
                filled = sum(1 for _, t in cells if t.strip())
                if not numeric and filled < 2 and any(any(parse_number(t) for _, t in c[1:]) for _, c in cur):
                    gap = 0
                    continue  # a wrapped label ('- Agency') inside a table: not a row
                if not numeric and cur and any(any(parse_number(t) for _, t in c[1:]) for _, c in cur):
                    raw_tables.append((title, cur))  # a heading row after data rows starts a new table
                    cur = []
                if not cur:
                    title = last_text
                cur.append((i, cells))
                gap = 0
                continue
            if cur:
                raw_tables.append((title, cur))
                cur = []
            gap = 0
            last_text = _clean(body)[:80]
            prose.append(i)
        if cur:
            raw_tables.append((title, cur))
        layout = _layout_columns([rows for _, rows in raw_tables])
        order: list[tuple[int, str, object]] = []  # (line, kind, payload) to write figures in line order
        for (title, rows), cols in zip(raw_tables, layout):
            tab = Table(title)
            for ln, cells in rows:
                tabbed = "\t" in self.lines[ln - 1]
                label = ""
                r = Row(ln, "")
                years = _heading_years(cells)
                for pos, text in cells:
                    j = pos if tabbed else cols[pos]
                    num = None if years else parse_number(text)
                    if num is None or (j == 0 and tabbed and not any(parse_number(t) for _, t in cells[1:])):
                        if text.strip():
                            r.texts[j] = _clean(text)
                    else:
                        r.cells[j] = num  # type: ignore[assignment]
                first = min([j for j in r.texts] + [10 ** 6])
                if r.texts and first < min(list(r.cells) + [10 ** 6]):
                    label = r.texts[first]
                r.label = label
                (tab.rows if r.cells else tab.headers).append(r)
            if not tab.rows:
                continue
            tab.title = _clean(tab.headers[0].texts.get(0) or tab.title) if tab.headers else _clean(tab.title)
            self.tables.append(tab)
            for r in tab.rows:
                order.append((r.line, "row", (tab, r)))
        for ln in prose:
            order.append((ln, "prose", None))
        for ln, kind, payload in sorted(order, key=lambda x: (x[0], x[1])):
            if kind == "row":
                tab, r = payload
                for j in sorted(r.cells):
                    num = r.cells[j]
                    colname = tab.column(j)
                    unit = unit_from_context(f"{colname} {r.label}", num, tab.title)
                    if unit == "count" and not num.unit:
                        # a column whose other rows name a currency (spend, budget, £) is currency throughout
                        others = [unit_from_context(f"{colname} {q.label}", q.cells[j], tab.title)
                                  for q in tab.rows if j in q.cells and isinstance(q.cells[j], Num)]
                        if others.count("currency") > len(others) / 2:
                            unit = "currency"
                    note = "; ".join(x for x in (f"table: {tab.title}" if tab.title else "",
                                                 f"row: {r.label}" if r.label else "",
                                                 f"column: {colname}" if colname else f"column {j + 1}") if x)
                    r.cells[j] = self._add(f"L{ln}_c{j}", ln, num, unit, r.label or tab.title, colname, note, j)
            else:
                self._prose(ln)

    def _prose(self, ln: int) -> None:
        body = self.lines[ln - 1].replace("\f", "")
        if body.lstrip().startswith("#") or not body.strip():
            return
        text = _TAG.sub(lambda m: " " * len(m.group(0)), body)
        k = 0
        for m in _PROSE.finditer(text):
            tok = m.group("tok").strip().strip("()")  # in running text, brackets enclose, they do not negate
            if m.start() == len(text) - len(text.lstrip(" -*\u2022")) and re.match(r"\d+(\.\d+)+ ", text[m.start():]):
                continue  # a section number opening the line (3.7 Performance ...)
            num = parse_number(tok)
            if num is None or re.search(r"\bper\s*$", text[:m.start()]) or re.fullmatch(r"\d{6,}", tok):
                continue  # 'per 1,000 population' is a rate's base; 412322 (no commas) a telephone number
            after = text[m.end():m.end() + 25].lower()
            unit = unit_from_context(after if re.match(r"\s*(percentage points|pp\b|fte|per 1)", after) else "", num)
            k += 1
            self._add(f"L{ln}_n{k}", ln, num, unit, _clean(body)[:60], "", "text", -1)

    # -- relations
    def _figs(self) -> dict[str, audit.Figure]:
        if not hasattr(self, "_fig_cache") or len(self._fig_cache) != len(self.figures):
            self._fig_cache = audit.load_figures(pd.DataFrame(self.figures, columns=audit.FIGURES_HEADER))
        return self._fig_cache

    def judge(self, typ: str, target: str, inputs: list[str], claim: str = "") -> str:
        """'holds', 'nearly' (a minor discrepancy) or 'fails', by the audit's own check."""
        rel = audit.Relation("draft", typ, target, tuple(inputs), claim)
        c = audit.evaluate(rel, self._figs())
        if c.status in (audit.STATUS_OK, audit.STATUS_ROUNDING):
            return "holds"
        if c.status == audit.STATUS_FLAG and c.severity == "minor":
            return "nearly"
        return "fails"

    def propose(self, typ: str, target: str, inputs: list[str], note: str, claim: str = "",
                verdict: str | None = None) -> None:
        key = (typ, target, tuple(sorted(inputs)) if typ == "same_figure" else tuple(inputs))
        if key in self._rel_keys:
            return
        self._rel_keys.add(key)
        verdict = verdict or self.judge(typ, target, inputs, claim)
        tag = {"holds": "holds", "nearly": "NEARLY holds (check: a slip, or not this relation?)",
               "fails": "does NOT hold (check: an error, or not this relation?)"}[verdict]
        self.relations.append({"relation_id": f"D{len(self.relations) + 1}", "type": typ, "target": target,
                               "inputs": _ids(inputs, self), "claim": claim, "note": f"{note}; {tag}"})

    def propose_all(self) -> None:
        for tab in self.tables:
            self._column_totals(tab)
            self._row_totals(tab)
            self._running_sums(tab)
            self._change_columns(tab)
            self._change_rows(tab)
            self._duplicate_rows(tab)
            self._column_runs(tab)
            self._column_sum_elsewhere(tab)
        self._prose_sums()
        self._shares()
        self._repeated()

    def _column_totals(self, tab: Table) -> None:
        start = 0
        for i, r in enumerate(tab.rows):
            if _TOTAL.search(r.label or ""):
                for j, t in r.cells.items():
                    parts = [q.cells[j] for q in tab.rows[start:i] if j in q.cells and q.cells[j].unit == t.unit]
                    if len(parts) >= 2 and t.unit in _EXACT_UNITS | audit.ROUNDED_UNITS - {"percent"}:
                        self.propose("total", t.fid, [p.fid for p in parts],
                                     f"'{r.label}' row = the {len(parts)} rows above it (column {_col(tab, j)})")
                start = i + 1
        last_cols = defaultdict(list)
        for r in tab.rows:
            for j, c in r.cells.items():
                last_cols[j].append((r, c))
        for j, seq in last_cols.items():
            r, t = seq[-1]
            parts = [c for _, c in seq[:-1]]
            if len(parts) >= 2 and t.unit in _EXACT_UNITS and not _TOTAL.search(r.label or "") and \
                    all(p.unit == t.unit for p in parts) and self.judge("total", t.fid, [p.fid for p in parts]) == "holds":
                self.propose("total", t.fid, [p.fid for p in parts],
                             f"last cell of column {_col(tab, j)} = the {len(parts)} cells above it", verdict="holds")

    def _row_totals(self, tab: Table) -> None:
        for r in tab.rows:
            js = sorted(r.cells)
            cells = [r.cells[j] for j in js]
            for k, t in enumerate(cells):
                if t.unit not in _EXACT_UNITS or t.num.value == 0:
                    continue
                runs = [cells[k - n:k] for n in range(k, 1, -1)] + [cells[k + 1:k + 1 + n]
                                                                    for n in range(len(cells) - k - 1, 1, -1)]
                for run in runs:
                    if any(c.unit != t.unit for c in run):
                        continue
                    ids = [c.fid for c in run]
                    v = self.judge("total", t.fid, ids)
                    whole = run[0] is cells[0] or run[-1] is cells[-1] or run[0] is cells[k + 1 if k + 1 < len(cells) else k]
                    if v == "holds" or (v == "nearly" and whole and len(run) >= 3):
                        self.propose("total", t.fid, ids, f"row '{r.label}': column {_col(tab, t.col)} = the "
                                                          f"{len(run)} cells {'before' if run[-1] is cells[k - 1] else 'after'} it",
                                     verdict=v)
                        break

    def _column_runs(self, tab: Table) -> None:
        """A cell that is exactly the sum of the run of cells just below (or above) it in its column: a
        budget = spend + balance layout."""
        cols = defaultdict(list)
        for r in tab.rows:
            for j, c in r.cells.items():
                cols[j].append(c)
        for j, cells in cols.items():
            for k, t in enumerate(cells):
                if t.unit not in _EXACT_UNITS | audit.ROUNDED_UNITS - {"percent", "pp"} or abs(t.num.value) < 10:
                    continue
                for run in [cells[k + 1:k + 1 + n] for n in range(2, min(6, len(cells) - k))] + \
                        [cells[k - n:k] for n in range(2, min(6, k + 1))]:
                    if len(run) >= 2 and all(c.unit == t.unit for c in run) and \
                            self.judge("total", t.fid, [c.fid for c in run]) == "holds":
                        self.propose("total", t.fid, [c.fid for c in run],
                                     f"column {_col(tab, j)}: the cell at L{t.line} = the {len(run)} cells "
                                     f"{'below' if run[0].line > t.line else 'above'} it", verdict="holds")
                        break

    def _column_sum_elsewhere(self, tab: Table) -> None:
        """A table column without a total whose sum (100 or more) is printed within 20 lines outside the table."""
        if any(_TOTAL.search(r.label or "") for r in tab.rows):
            return
        cols = defaultdict(list)
        for r in tab.rows:
            for j, c in r.cells.items():
                cols[j].append(c)
        for j, cells in cols.items():
            if len(cells) < 3 or any(c.unit not in _EXACT_UNITS or c.unit != cells[0].unit for c in cells):
                continue
            total = sum(c.num.value for c in cells)
            table_lines = {r.line for r in tab.rows}
            lo, hi = cells[0].line - 20, cells[-1].line + 20
            for fid, c in self.fig_cells.items():
                if c.line not in table_lines and lo <= c.line <= hi and c.unit == cells[0].unit and \
                        c.num.value == total and abs(total) >= 100:
                    self.propose("total", fid, [x.fid for x in cells],
                                 f"column {_col(tab, j)} of table '{tab.title}' has no total row; its "
                                 f"{len(cells)} cells sum to the {c.num.text} at L{c.line}", verdict="holds")
                    break

    def _prose_sums(self) -> None:
        """A number in the text that is exactly the sum of the two or three numbers just before it (within
        five lines; within thirty when its line says 'total')."""
        prose = [c for c in self.fig_cells.values() if c.col < 0]
        for k, t in enumerate(prose):
            if t.unit not in _EXACT_UNITS or abs(t.num.value) < 10:
                continue
            reach = 30 if _TOTAL.search(self.lines[t.line - 1]) else 5
            before = [c for c in prose[max(0, k - 8):k] if t.line - c.line <= reach and c.unit == t.unit]
            for n in (2, 3):
                if len(before) < n:
                    break
                run = before[-n:]
                if sum(c.num.value for c in run) == t.num.value and all(c.num.value > 0 for c in run):
                    self.propose("total", t.fid, [c.fid for c in run],
                                 f"the {n} numbers printed just before it in the text add up to it", verdict="holds")
                    break

    def _running_sums(self, tab: Table) -> None:
        for ci, c in enumerate(tab.rows):
            best = None
            for mi, m in enumerate(tab.rows):
                if mi == ci:
                    continue
                js = [j for j in sorted(c.cells) if j in m.cells and c.cells[j].unit in _EXACT_UNITS]
                starts = [j for j in js if c.cells[j].num.value == m.cells[j].num.value]
                if not starts:
                    continue
                for j0 in starts:
                    run = [j for j in js if j >= j0]
                    if len(run) < 3:
                        continue
                    total, hold = Decimal(0), 0
                    for j in run:
                        total += m.cells[j].num.value
                        hold += total == c.cells[j].num.value
                    if hold >= max(3, 0.75 * len(run)):
                        score = (hold, -abs(ci - mi) if mi < ci else -100 - mi)
                        if best is None or score > best[0]:
                            best = (score, m, run)
            if best:
                _, m, run = best
                for n, j in enumerate(run):
                    self.propose("total", c.cells[j].fid, [m.cells[q].fid for q in run[:n + 1]],
                                 f"running sum: row '{c.label}' = row '{m.label}' summed from column "
                                 f"{_col(tab, run[0])} to {_col(tab, j)}")

    def _pair_change(self, target: Cell, a: Cell, b: Cell) -> str:
        return self.judge("change", target.fid, [a.fid, b.fid])

    def _change_columns(self, tab: Table) -> None:
        for j in sorted({j for r in tab.rows for j in r.cells}):
            if not _CHANGE.search(tab.column(j)):
                continue
            votes = defaultdict(int)
            for r in tab.rows:
                if j not in r.cells:
                    continue
                left = [q for q in sorted(r.cells) if q < j]
                for a in left:
                    for b in left:
                        if a != b and self._pair_change(r.cells[j], r.cells[a], r.cells[b]) == "holds":
                            votes[(a, b)] += 1
            if not votes:
                continue
            (a, b), n = max(votes.items(), key=lambda kv: (kv[1], kv[0][0] < kv[0][1]))
            if n < 2:
                continue
            for r in tab.rows:
                if j in r.cells and a in r.cells and b in r.cells:
                    self.propose("change", r.cells[j].fid, [r.cells[a].fid, r.cells[b].fid],
                                 f"'{tab.column(j)}' column = change from column {_col(tab, a)} to {_col(tab, b)} "
                                 f"(row '{r.label}'; {n} of the table's rows reproduce this way)")

    def _change_rows(self, tab: Table) -> None:
        for t in tab.rows:
            if not _CHANGE.search(t.label or "") or not t.cells:
                continue
            votes = defaultdict(int)
            for a in tab.rows:
                for b in tab.rows:
                    if len({id(a), id(b), id(t)}) < 3:
                        continue
                    for j in t.cells:
                        if j in a.cells and j in b.cells and a.cells[j].unit in _EXACT_UNITS and \
                                self._pair_change(t.cells[j], a.cells[j], b.cells[j]) == "holds":
                            votes[(id(a), id(b))] += 1
            if not votes:
                continue
            line = {id(r): r.line for r in tab.rows}
            # most columns reproduced; ties go to the rows nearest the change row (the usual layout)
            (ia, ib), n = max(votes.items(), key=lambda kv: (kv[1], -abs(t.line - line[kv[0][0]])
                                                             - abs(t.line - line[kv[0][1]])))
            if n < max(2, len(t.cells) // 2):
                continue
            a = next(r for r in tab.rows if id(r) == ia)
            b = next(r for r in tab.rows if id(r) == ib)
            for j in sorted(t.cells):
                if j in a.cells and j in b.cells:
                    self.propose("change", t.cells[j].fid, [a.cells[j].fid, b.cells[j].fid],
                                 f"row '{t.label}' = change from row '{a.label}' to row '{b.label}' (column "
                                 f"{_col(tab, j)}; {n} of {len(t.cells)} columns reproduce this way)")

    def _duplicate_rows(self, tab: Table) -> None:
        for i, a in enumerate(tab.rows):
            for b in tab.rows[i + 1:]:
                js = [j for j in sorted(a.cells) if j in b.cells]
                same = sum(a.cells[j].num.value == b.cells[j].num.value for j in js)
                distinct = {a.cells[j].num.value for j in js if a.cells[j].num.value == b.cells[j].num.value}
                if len(js) >= 4 and same >= 0.75 * len(js) and len(distinct) >= 3:
                    for j in js:
                        self.propose("same_figure", "", [a.cells[j].fid, b.cells[j].fid],
                                     f"rows '{a.label}' and '{b.label}' print the same values in {same} of "
                                     f"{len(js)} columns (column {_col(tab, j)})")

    def _shares(self) -> None:
        by_line = defaultdict(list)
        for f in self.figures:
            by_line[int(re.search(r"L(\d+)", f["location"]).group(1))].append(f)
        for ln, figs in sorted(by_line.items()):
            body = _TAG.sub("", self.lines[ln - 1])
            for m in _N_PCT.finditer(body):
                n = _find(figs, m.group("n"), "count")
                x = _find(figs, m.group("x") + "%", "percent")
                if not n or not x or n == x:
                    continue
                if m.group("den"):
                    den = _find(figs, m.group("den"), "count")
                    if den:
                        self.propose("share", x, [n, den], f"'{m.group(0).strip()}': n of N (x%)")
                        continue
                den = self._denominator(ln, n, x)
                if den:
                    self.propose("share", x, [n, den], f"'{m.group(0).strip()}' = n / the {self._value(den)} at "
                                                       f"{self.fig_cells[den].line} (the nearest number above that reproduces x%)")
                else:
                    self.propose("share", x, [n], f"'{m.group(0).strip()}': no printed number above reproduces "
                                                  f"x%; only whether some whole denominator exists is checked")
            for m in _X_OF_N.finditer(body):
                x = _find(figs, m.group("x") + "%", "percent")
                n = _find(figs, m.group("n"), "count")
                if x and n:
                    self.propose("share_of_n", x, [n], f"'{m.group(0).strip()}': x% of N must be k/N for a whole k")

    def _value(self, fid: str) -> str:
        return self.fig_cells[fid].num.text

    def _denominator(self, ln: int, n: str, x: str) -> str | None:
        nv = self.fig_cells[n].num.value
        for back in range(0, 16):
            cands = [f for f in self.figures if f["location"].endswith(f"L{ln - back}") and f["unit"] == "count"
                     and f["figure_id"] not in (n, x) and Decimal(f["value"]) > nv]
            for f in cands:
                if self.judge("share", x, [n, f["figure_id"]]) == "holds":
                    return f["figure_id"]
        return None

    def _repeated(self) -> None:
        groups = defaultdict(list)
        for f in self.figures:
            v, d, u = Decimal(f["value"]), int(f["decimals"]), f["unit"]
            if v == 0 or (u == "count" and d == 0 and (abs(v) < 100 or (1900 <= v <= 2100 and "," not in f["value_text"]))):
                continue
            if u == "percent" and d == 0:
                continue
            groups[(v, u)].append(f)
        for (_, u), fs in groups.items():
            lines = {f["location"] for f in fs}
            if all(f["note"] != "text" for f in fs) and (u in ("percent", "pp") or int(fs[0]["decimals"]) == 0):
                continue  # the same whole number or percentage in two table cells is as often chance as not
            if 2 <= len(fs) <= 4 and len(lines) >= 2:
                self.propose("same_figure", "", [f["figure_id"] for f in fs],
                             f"{fs[0]['value_text']} is printed {len(fs)} times ("
                             + ", ".join(f["location"] for f in fs) + "): the same quantity?")


def _find(figs: list[dict], text: str, unit: str) -> str | None:
    want = Decimal(text.replace(",", "").rstrip("%"))
    for f in figs:
        if f["unit"] == unit and Decimal(f["value"]) == want:
            return f["figure_id"]
    return None


def _col(tab: Table, j: int) -> str:
    name = tab.column(j)
    return f"'{name}'" if name else str(j + 1)


def _ids(ids: list[str], d: Draft) -> str:
    """Figure ids for relations.csv, a run of three or more cells of one row written A..B."""
    order = [f["figure_id"] for f in d.figures]
    pos = {f: i for i, f in enumerate(order)}
    if len(ids) >= 3 and all(i in pos for i in ids) and \
            [pos[i] for i in ids] == list(range(pos[ids[0]], pos[ids[0]] + len(ids))):
        return f"{ids[0]}..{ids[-1]}"
    return " ".join(ids)


def draft(text: str, doc_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figures, relations) drafted from a document's text."""
    d = Draft(text, doc_id)
    d.propose_all()
    figs = pd.DataFrame(d.figures, columns=audit.FIGURES_HEADER[:11])
    rels = pd.DataFrame(d.relations, columns=audit.RELATIONS_HEADER[:6])
    return figs, rels


def write(document: str | Path, out: str | Path, doc_id: str | None = None) -> tuple[int, int]:
    path = Path(document)
    text = path.read_text(encoding="utf-8", errors="replace")
    figs, rels = draft(text, doc_id or re.sub(r"[^A-Za-z0-9_-]+", "_", path.stem))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in (("figures.csv", figs), ("relations.csv", rels)):
        df.to_csv(out / name, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return len(figs), len(rels)


def main(document: str, out: str, doc_id: str | None = None, log=print) -> int:
    if not Path(document).is_file():
        log(f"scrutiny draft-audit: {document}: no such file")
        return 1
    nf, nr = write(document, out, doc_id)
    log(f"Drafted {nf:,} figures and {nr:,} proposed relations into {out}/ (figures.csv, relations.csv). "
        f"Review them: delete wrong proposals, add claims and what is missing, then run the audit.")
    return 0


# --------------------------------------------------------------------------------------------- measuring

def match_hand(hand_figs: pd.DataFrame, hand_rels: pd.DataFrame, draft_figs: pd.DataFrame,
               draft_rels: pd.DataFrame) -> dict:
    """How many hand-declared relations the draft proposes (same type; same target; same set of inputs, or for
    same_figure all of the hand relation's figures in one proposed group), figures matched by line and value."""
    def key(loc, value):
        return int(re.search(r"L(\d+)", loc).group(1)), Decimal(value) if value else None

    by_key = defaultdict(set)
    for f in draft_figs.itertuples():
        by_key[key(f.location, f.value)].add(f.figure_id)
    hmap = {f.figure_id: by_key.get(key(f.location, f.value), set()) for f in hand_figs.itertuples()}
    hf = audit.load_figures(hand_figs)
    df_ = audit.load_figures(draft_figs)
    hr = audit.load_relations(hand_rels, hf)
    dr = audit.load_relations(draft_rels, df_)
    covered_figs = set().union(*hmap.values()) if hmap else set()
    found, proposals_in, matched_ids = [], 0, set()
    for r in hr:
        ok = False
        for p in dr:
            if p.type != r.type:
                continue
            if r.type == "same_figure":
                group = set(p.inputs) | ({p.target} if p.target else set())
                ids = [r.target] * bool(r.target) + list(r.inputs)
                ok = all(hmap[i] & group for i in ids)
            else:
                ok = p.target in hmap.get(r.target, set()) and len(p.inputs) == len(r.inputs) and \
                    all(hmap[ri] & set(p.inputs) for ri in r.inputs)
                if ok and r.type == "change":
                    ok = p.inputs[0] in hmap[r.inputs[0]] and p.inputs[1] in hmap[r.inputs[1]]
            if ok:
                matched_ids.add(p.id)
                break
        found.append((r.id, ok))
    for p in dr:
        ids = set(p.inputs) | ({p.target} if p.target else set())
        proposals_in += ids <= covered_figs
    return {"hand": len(hr), "recalled": sum(ok for _, ok in found), "proposals": len(dr),
            "proposals_matching": len(matched_ids), "proposals_on_transcribed_figures": proposals_in,
            "missed": [rid for rid, ok in found if not ok], "matched_ids": matched_ids}
