"""Since the last pack: signals that appeared or cleared, judgements that changed, and revised months.

police.uk reissues its files, so a month in last quarter's pack can hold a different count this quarter (seed 002
§8 N3: "historical data may change"). Given the folder of the previous pack, this compares what both packs hold:
`tables/performance_monthly.csv` month by month (a revision is a month present in both whose count differs), the
SPC signal of each series at each pack's reporting month (`tables/performance_spc.csv`), and the front-page Summary
commentary (`tables/summary.csv`). Packs built by earlier versions without a table are compared on what they have.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ["change", "measure", "area", "month", "old", "new", "difference"]


class PreviousPackError(ValueError):
    """The previous pack cannot be read (not a pack folder, or its tables are missing)."""


def _read(pack: Path, name: str) -> pd.DataFrame | None:
    p = pack / "tables" / name
    return pd.read_csv(p, keep_default_na=False, dtype=str) if p.is_file() else None


def revisions(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Months present in both monthly tables whose count changed: measure, area, month, old, new, difference."""
    key = ["measure", "area", "month"]
    m = old[key + ["value"]].merge(new[key + ["value"]], on=key, suffixes=("_old", "_new"))
    m["old"] = pd.to_numeric(m["value_old"], errors="coerce")
    m["new"] = pd.to_numeric(m["value_new"], errors="coerce")
    m = m[m["old"] != m["new"]].copy()
    m["difference"] = m["new"] - m["old"]
    m["change"] = "revision"
    return m[COLUMNS].sort_values(key).reset_index(drop=True)


def _last_signals(spc: pd.DataFrame) -> pd.DataFrame:
    last = spc["month"].max()
    d = spc[spc["month"] == last][["measure", "area", "month", "variation", "rule"]].copy()
    d["signal"] = [f"{v} ({r})" if r else "" for v, r in zip(d["variation"], d["rule"])]
    return d[["measure", "area", "month", "signal"]]


def signals(old_spc: pd.DataFrame, new_spc: pd.DataFrame) -> pd.DataFrame:
    """Special-cause signals at each pack's reporting month that appeared, cleared or changed rule."""
    a, b = _last_signals(old_spc), _last_signals(new_spc)
    m = a.merge(b, on=["measure", "area"], how="outer", suffixes=("_old", "_new")).fillna("")
    rows = []
    for r in m.itertuples():
        if r.signal_old == r.signal_new:
            continue
        kind = ("signal appeared" if not r.signal_old else "signal cleared" if not r.signal_new else "signal changed")
        rows.append({"change": kind, "measure": r.measure, "area": r.area, "month": r.month_new or r.month_old,
                     "old": r.signal_old or "none", "new": r.signal_new or "none", "difference": None})
    return pd.DataFrame(rows, columns=COLUMNS)


def judgements(old_summary: pd.DataFrame, new_summary: pd.DataFrame) -> pd.DataFrame:
    """Front-page commentary that changed between the packs, per measure."""
    col = "commentary"
    if col not in old_summary or col not in new_summary:
        return pd.DataFrame(columns=COLUMNS)
    m = old_summary[["measure", col]].merge(new_summary[["measure", col]], on="measure", suffixes=("_old", "_new"))
    m = m[m[f"{col}_old"] != m[f"{col}_new"]]
    return pd.DataFrame([{"change": "judgement changed", "measure": r.measure, "area": "force", "month": "",
                          "old": getattr(r, f"{col}_old"), "new": getattr(r, f"{col}_new"), "difference": None}
                         for r in m.itertuples()], columns=COLUMNS)


def compare(previous: Path, current: Path) -> pd.DataFrame:
    """Every change between a previous pack folder and the current one (COLUMNS), signals first."""
    previous = Path(previous)
    if not (previous / "MANIFEST.json").is_file():
        raise PreviousPackError(f"previous_pack {previous}: not a pack folder (no MANIFEST.json)")
    parts = []
    old_spc, new_spc = _read(previous, "performance_spc.csv"), _read(current, "performance_spc.csv")
    if old_spc is not None and new_spc is not None:
        parts.append(signals(old_spc, new_spc))
    old_s, new_s = _read(previous, "summary.csv"), _read(current, "summary.csv")
    if old_s is not None and new_s is not None:
        parts.append(judgements(old_s, new_s))
    old_m, new_m = _read(previous, "performance_monthly.csv"), _read(current, "performance_monthly.csv")
    if old_m is not None and new_m is not None:
        parts.append(revisions(old_m, new_m))
    if not parts:
        raise PreviousPackError(f"previous_pack {previous}: holds no table this pack can compare with")
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
