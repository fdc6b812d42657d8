"""Home Office "Crime outcomes open data" (police recorded crime and outcomes open data tables).

Layout (domain notes §1.4): one row per financial year × financial quarter × force × offence code ×
outcome type, with the offence's description, group and subgroup, the outcome's description and group,
and two counts: outcomes for offences recorded in the quarter (the recorded basis) and outcomes for
investigations closed in the quarter (the closed basis). The Home Office publishes the data sheet in a
spreadsheet; this adapter reads that sheet saved as CSV (UTF-8), one file per financial year.

Rules the adapter enforces:
- The header must be one of the known variants below, exactly (names and order). Any other header is an
  error that names the file and the nearest variant: nothing is guessed.
- 1A, 2A and 3A are "of which" rows inside types 1, 2 and 3 (alternate offence): they are kept, flagged
  `of_which`, and never added to types 1, 2 or 3 or to any total.
- Type 0 ("not yet assigned an outcome") is kept, flagged `not_yet_assigned`, and never counted as an
  outcome; it is used only for the share of offences still without an outcome.
- Negative counts (published revisions) are kept as published and warned about (contract warning and a
  Python warning naming the rows).

The exact header strings per year are not verified against a real file (domain notes §1.4 say so):
when a real file is added, record its header here as a new variant.
"""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scrutiny.inputs.files import (
    InputError,
    check_readable,
    connect,
    discover_files,
    file_record,
    is_sample_copy,
    read_header,
    sql_string,
)
from scrutiny.reference.forces import force_name

FIELDS = ["financial_year", "financial_quarter", "force_name", "offence_description", "offence_group",
          "offence_subgroup", "offence_code", "offence_code_expired", "outcome_description", "outcome_group",
          "outcome_type", "count_recorded", "count_closed"]

_BASE = ["Financial Year", "Financial Quarter", "Force Name", "Offence Description", "Offence Group",
         "Offence Subgroup", "Offence Code"]
_OUTCOME = ["Outcome Description", "Outcome Group", "Outcome Type"]
_COUNTS_LONG = ["Number of outcomes for offences that were recorded in the quarter",
                "Number of outcomes for investigations that were closed in the quarter"]
_COUNTS_SHORT = ["Outcomes for offences recorded in the quarter",
                 "Outcomes for investigations closed in the quarter"]

# Known header variants: name -> published column names in order. Field order follows domain notes §1.4.
HEADER_VARIANTS: dict[str, list[str]] = {
    "with_expired_flag": _BASE + ["Offence Code Expired"] + _OUTCOME + _COUNTS_LONG,
    "without_expired_flag": _BASE + _OUTCOME + _COUNTS_LONG,
    "short_count_names": _BASE + _OUTCOME + _COUNTS_SHORT,
}
# published column -> field, shared by every variant
_TO_FIELD = dict(zip(_BASE, FIELDS[:7])) | {"Offence Code Expired": "offence_code_expired"} | dict(
    zip(_OUTCOME, ["outcome_description", "outcome_group", "outcome_type"])) | {
    _COUNTS_LONG[0]: "count_recorded", _COUNTS_LONG[1]: "count_closed",
    _COUNTS_SHORT[0]: "count_recorded", _COUNTS_SHORT[1]: "count_closed"}

OUTCOME_TYPES = ["0"] + [str(i) for i in range(1, 23)] + ["1A", "2A", "3A"]
OF_WHICH = {"1A": "1", "2A": "2", "3A": "3"}
NOT_YET_ASSIGNED = "0"
FIXTURE_MARKERS = ("fixture",)


class HeaderError(ValueError):
    """A file whose header is not a known Home Office outcomes variant (or that cannot be read)."""


def header_variant(header: list[str] | None) -> str | None:
    """The name of the known variant this header is, exactly; None if it is none of them."""
    if not header:
        return None
    h = [c.strip() for c in header]
    for name, cols in HEADER_VARIANTS.items():
        if h == cols:
            return name
    return None


def _nearest(header: list[str]) -> str:
    best = max(HEADER_VARIANTS, key=lambda n: len(set(HEADER_VARIANTS[n]) & set(header)))
    cols = HEADER_VARIANTS[best]
    missing = [c for c in cols if c not in header]
    extra = [c for c in header if c not in cols]
    return f"nearest known variant {best!r}: missing {missing}, unexpected {extra}"


def is_fixture(path: str | Path) -> bool:
    """A file is an illustrative fixture (not real data) when its name says so, or when it is a copy of the
    shipped fixture (the same bytes under another name)."""
    return any(m in Path(path).name.lower() for m in FIXTURE_MARKERS) or is_sample_copy(Path(path))


def normalise_year(value: str | None) -> str | None:
    """'2024/25', '2024-25', '2024_25' or '2024/2025' -> '2024/25'; None when unreadable."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*(20\d{2})\s*[/_-]\s*(\d{2}|20\d{2})\s*", str(value))
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2)) % 100
    return f"{a}/{b:02d}" if b == (a + 1) % 100 else None


def normalise_quarter(value: str | None) -> int | None:
    """'Q1', 'q1', '1' -> 1 (financial quarter: Q1 = April to June); None when unreadable."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*[Qq]?\s*([1-4])\s*", str(value))
    return int(m.group(1)) if m else None


def read_file(path: str | Path) -> pd.DataFrame:
    """Read one outcomes CSV into the canonical fields (strings as published) plus source_file and row.

    Raises HeaderError on an unknown header. Use `typed` to get counts and flags."""
    path = Path(path)
    readable = check_readable(path)
    if readable != "ok":
        raise HeaderError(f"{path}: {readable}")
    header = read_header(path)
    variant = header_variant(header)
    if variant is None:
        raise HeaderError(f"{path}: unknown Home Office outcomes header {header!r}; "
                          f"{_nearest([c.strip() for c in header or []])}. Known variants: "
                          f"{sorted(HEADER_VARIANTS)} (src/scrutiny/ho_outcomes.py)")
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = csv.reader(f)
        next(r)
        rows = [row for row in r if any(cell.strip() for cell in row)]
    cols = HEADER_VARIANTS[variant]
    bad = [i + 1 for i, row in enumerate(rows) if len(row) != len(cols)]
    if bad:
        raise HeaderError(f"{path}: rows {bad[:10]} do not have {len(cols)} fields")
    df = pd.DataFrame(rows, columns=[_TO_FIELD[c] for c in cols])
    for f_ in FIELDS:
        if f_ not in df.columns:
            df[f_] = None
    df = df[FIELDS]
    df = df.apply(lambda s: s.str.strip() if s.dtype == object else s)
    for c in FIELDS:
        df[c] = df[c].replace("", None)  # a blank cell is a missing value, not an empty string
    df["source_file"] = path.name
    df["row"] = range(1, len(df) + 1)
    df["header_variant"] = variant
    df["fixture"] = is_fixture(path)
    return df


def typed(rows: pd.DataFrame, warn: bool = True) -> pd.DataFrame:
    """Canonical rows -> typed table: year 'YYYY/YY', quarter 1–4, integer counts, of_which and
    not_yet_assigned flags. Negative counts are kept and (warn=True) reported with a warning."""
    out = rows.copy()
    out["financial_year"] = out["financial_year"].map(normalise_year)
    out["financial_quarter"] = out["financial_quarter"].map(normalise_quarter).astype("Int64")
    for c in ("count_recorded", "count_closed"):
        out[c] = pd.to_numeric(out[c].replace("", None), errors="coerce").astype("Int64")
    out["of_which"] = out["outcome_type"].isin(list(OF_WHICH))
    out["not_yet_assigned"] = out["outcome_type"] == NOT_YET_ASSIGNED
    neg = out[(out["count_recorded"] < 0).fillna(False) | (out["count_closed"] < 0).fillna(False)]
    if warn and len(neg):
        where = ", ".join(f"{s} row {r}" for s, r in zip(neg["source_file"].head(10), neg["row"].head(10)))
        warnings.warn(f"{len(neg)} Home Office outcomes row(s) have a negative count (kept as published): "
                      f"{where}", UserWarning, stacklevel=2)
    return out


@dataclass
class HomeOfficeOutcomes:
    """A set of Home Office outcomes open-data files (one per financial year), checked by contract."""

    name: str = "ho_outcomes"
    record_id: str = "offence_code"
    contract: str = "ho_outcomes.v1"
    synthetic: bool = False

    @property
    def header(self) -> list[str]:
        return FIELDS

    def discover(self, pattern: str) -> list[Path]:
        return discover_files(self.name, pattern)

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        rows = []
        for f in files:
            rec, header = file_record(f, strip_header=True)
            rows.append({**rec, "header_variant": header_variant(header) or "", "in_period": True,
                         "fixture": is_fixture(f)})
        return pd.DataFrame(rows)

    def expected_header(self) -> list[str]:
        return ["|".join(v) for v in HEADER_VARIANTS.values()]

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        try:
            df = pd.concat([read_file(p) for p in files["path"]], ignore_index=True)
        except HeaderError as e:
            raise InputError(f"input {self.name}: {e}") from None
        for c in ("count_recorded", "count_closed"):
            df[f"{c}_number"] = pd.to_numeric(df[c].replace("", None), errors="coerce")
        return df

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        t = typed(rows, warn=False)
        t = t.rename(columns={"row": "source_row"}).drop(columns=["count_recorded_number", "count_closed_number"],
                                                          errors="ignore")
        con = connect()
        con.register("t", t)
        con.execute(f"COPY (SELECT * FROM t ORDER BY source_file, source_row) TO {sql_string(out)} (FORMAT parquet)")
        con.close()
        return len(t)

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"header": self.expected_header(), "outcome_types": OUTCOME_TYPES,
                "force": [ho_force_name(force)]}


def ho_force_name(force: str) -> str:
    """The Home Office spelling of a police.uk force name: 'Gwent Police' -> 'Gwent',
    'Cambridgeshire Constabulary' -> 'Cambridgeshire' (pfa.force_name; a name that is none of the 43
    territorial forces is kept as written, and then matches no row of the file)."""
    try:
        return force_name(force)
    except ValueError:
        return force.strip()


# ---- analysis ---------------------------------------------------------------------------------------

EVIDENTIAL = ("14", "15", "16")


def summary(t: pd.DataFrame, force: str, basis: str = "count_recorded") -> pd.DataFrame:
    """Force vs England and Wales (every force row in the data), by offence group and for all offences.

    Per area and offence group: offences_recorded = outcomes assigned (types 1–22, no 1A/2A/3A) + not yet
    assigned (type 0) — the Home Office denominator on the recorded basis; outcomes_assigned (types 1–22
    only: type 0 and the 'of which' rows are never in it); charged (type 1); evidential (14, 15, 16);
    outcome_16; not_yet_assigned (type 0). Rates: charge_rate = charged / offences_recorded (the Home
    Office charge/summons rate); evidential_share and outcome16_share = of outcomes assigned;
    not_yet_assigned_share = of offences recorded.
    """
    d = t[~t["of_which"]].copy()
    d["n"] = d[basis].fillna(0).astype("int64")
    frames = []
    for area, sub in (("force", d[d["force_name"] == force]), ("England and Wales", d)):
        for grp, g in list(sub.groupby("offence_group", sort=True)) + [("All offences", sub)]:
            ot = g["outcome_type"]
            assigned = int(g.loc[~g["not_yet_assigned"], "n"].sum())
            pending = int(g.loc[g["not_yet_assigned"], "n"].sum())
            frames.append({
                "area": force if area == "force" else area, "offence_group": grp,
                "offences_recorded": assigned + pending, "outcomes_assigned": assigned,
                "charged": int(g.loc[ot == "1", "n"].sum()),
                "evidential": int(g.loc[ot.isin(EVIDENTIAL), "n"].sum()),
                "outcome_16": int(g.loc[ot == "16", "n"].sum()),
                "not_yet_assigned": pending,
            })
    out = pd.DataFrame(frames)
    rec = out["offences_recorded"].where(out["offences_recorded"] > 0)
    ass = out["outcomes_assigned"].where(out["outcomes_assigned"] > 0)
    out["charge_rate"] = out["charged"] / rec
    out["evidential_share"] = out["evidential"] / ass
    out["outcome16_share"] = out["outcome_16"] / ass
    out["not_yet_assigned_share"] = out["not_yet_assigned"] / rec
    return out


def of_which_rows(t: pd.DataFrame, force: str, basis: str = "count_recorded") -> pd.DataFrame:
    """The 1A/2A/3A rows for the force, beside their parent type's count, shown and never added."""
    d = t[t["force_name"] == force].copy()
    d["n"] = d[basis].fillna(0).astype("int64")
    a = d[d["of_which"]].groupby("outcome_type")["n"].sum()
    rows = [{"outcome_type": k, "of_which_count": int(v), "parent_type": OF_WHICH[k],
             "parent_count": int(d.loc[d["outcome_type"] == OF_WHICH[k], "n"].sum())} for k, v in a.items()]
    return pd.DataFrame(rows, columns=["outcome_type", "of_which_count", "parent_type", "parent_count"])
