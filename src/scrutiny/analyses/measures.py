"""The measure catalogue and monthly counts per measure and area, aggregated with DuckDB.

Areas are the force and each local authority district (from the LSOA name) that holds at least
`district_min_share` of the force's rows in the period; rows in other districts, or with no LSOA,
count in the force total only (the page says how many).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from scrutiny.inputs.files import connect
from scrutiny.reference import months, police_uk

DIRECTIONS = ("up", "down", "neutral")
INCLUSIONS = ("Month & quarter", "Quarter unless exceptional")


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    noun: str
    direction: str
    signs_of_improvement: str
    inclusion: str
    crime_types: tuple[str, ...] = ()
    exclude_crime_types: tuple[str, ...] = ()

    def types(self) -> list[str]:
        """The police.uk crime types this measure counts."""
        if self.crime_types:
            return list(self.crime_types)
        return [t for t in police_uk.CRIME_TYPES if t not in self.exclude_crime_types]


@dataclass
class Catalogue:
    source: str
    measures: list[Measure] = field(default_factory=list)

    def get(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and check a measure catalogue YAML (unknown keys, crime types and rules are errors)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    allowed = {f for f in Measure.__dataclass_fields__}
    out = Catalogue(source=data.get("source", "police_uk_street"))
    seen = set()
    for i, m in enumerate(data.get("measures") or []):
        where = f"{path}: measures[{i}]"
        unknown = set(m) - allowed
        if unknown:
            raise CatalogueError(f"{where}: unknown key(s) {sorted(unknown)}")
        missing = {"id", "label", "noun", "direction", "signs_of_improvement", "inclusion"} - set(m)
        if missing:
            raise CatalogueError(f"{where}: missing key(s) {sorted(missing)}")
        if m["direction"] not in DIRECTIONS:
            raise CatalogueError(f"{where}: direction must be one of {DIRECTIONS}")
        if m["inclusion"] not in INCLUSIONS:
            raise CatalogueError(f"{where}: inclusion must be one of {INCLUSIONS}")
        if bool(m.get("crime_types")) == bool(m.get("exclude_crime_types")):
            raise CatalogueError(f"{where}: give exactly one of crime_types or exclude_crime_types")
        for t in list(m.get("crime_types") or []) + list(m.get("exclude_crime_types") or []):
            if t not in police_uk.CRIME_TYPES:
                raise CatalogueError(f"{where}: {t!r} is not a police.uk crime type")
        if m["id"] in seen:
            raise CatalogueError(f"{where}: duplicate id {m['id']!r}")
        seen.add(m["id"])
        m = {**m, "crime_types": tuple(m.get("crime_types") or ()),
             "exclude_crime_types": tuple(m.get("exclude_crime_types") or ())}
        out.measures.append(Measure(**m))
    return out


def restrict(catalogue: Catalogue, crime_types) -> Catalogue:
    """The catalogue's measures that count at least one of crime_types (a deep dive's filter); all of them when
    crime_types is empty. A measure counting none of them would be zero in every month."""
    if not crime_types:
        return catalogue
    keep = [m for m in catalogue.measures if set(m.types()) & set(crime_types)]
    return Catalogue(source=catalogue.source, measures=keep)


def type_counts(street_parquet: str | Path, period: tuple[str, str]) -> pd.DataFrame:
    """Crimes per month × crime type × district (district None for no LSOA) within the period.

    n counts one crime per Crime ID within its month (anti-social behaviour rows, which have no Crime ID, each
    count once); rows counts the rows as published, repeats included."""
    con = connect()
    df = con.execute(
        "SELECT month, crime_type, district, count(*) FILTER (WHERE NOT coalesce(repeat_in_month, false)) AS n, "
        "count(*) AS rows FROM read_parquet(?) WHERE month BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL",
        [str(street_parquet), *period]).df()
    con.close()
    return df


def districts(counts: pd.DataFrame, min_share: float) -> list[str]:
    """Districts holding at least `min_share` of all rows in the period, largest first."""
    by = counts.groupby("district", dropna=True)["n"].sum()
    total = counts["n"].sum()
    keep = by[by >= min_share * total].sort_values(ascending=False)
    return list(keep.index)


def monthly(counts: pd.DataFrame, catalogue: Catalogue, period: tuple[str, str],
            min_share: float) -> pd.DataFrame:
    """Tidy monthly counts `measure, area, month, value, rows_as_published` on the complete grid (a month with no
    rows is 0): for each measure, the force total then each district of `districts` (largest first)."""
    if "rows" not in counts.columns:
        counts = counts.assign(rows=counts["n"])
    dists = districts(counts, min_share)
    grid = months.span(*period)
    nm, nd = len(grid), len(dists)
    mi = pd.Index(grid).get_indexer(counts["month"])  # -1: a month outside the period
    di = pd.Index(dists).get_indexer(counts["district"])  # -1: not an analysed district (or no LSOA)
    n, rows = counts["n"].to_numpy(dtype="int64"), counts["rows"].to_numpy(dtype="int64")
    ctype = counts["crime_type"].to_numpy(dtype=object)
    areas = [FORCE, *(area_key("district", d) for d in dists)]
    cell = (di + 1) * nm + mi  # each row's (district, month) cell, after the force's nm months
    parts = {"measure": [], "area": [], "month": [], "value": [], "rows_as_published": []}
    for m in catalogue.measures:
        sel = (pd.Index(m.types()).get_indexer(ctype) >= 0) & (mi >= 0)
        for key, w in (("value", n), ("rows_as_published", rows)):
            force = np.bincount(mi[sel], weights=w[sel], minlength=nm)
            by_d = np.bincount(cell[sel & (di >= 0)], weights=w[sel & (di >= 0)], minlength=(nd + 1) * nm)[nm:]
            parts[key].append(np.rint(np.concatenate([force, by_d])).astype("int64"))
        parts["measure"].append(np.full(len(areas) * nm, m.id, dtype=object))
        parts["area"].append(np.repeat(np.array(areas, dtype=object), nm))
        parts["month"].append(np.tile(np.array(grid, dtype=object), len(areas)))
    if not catalogue.measures:
        return pd.DataFrame({k: [] for k in parts})
    return pd.DataFrame({k: np.concatenate(v) for k, v in parts.items()})


FORCE = "force"


def area_key(level: str, name: str) -> str:
    """The area column: 'force' for the force total; a district's name, except that a district whose name could be
    read as the force total ('force', in any case or spacing) is written 'force (district)' so the two never merge."""
    if level == "force":
        return FORCE
    return f"{name} (district)" if name.strip().lower() == FORCE else name


def coverage(counts: pd.DataFrame, areas: list[str]) -> dict:
    """How many rows count only in the force total (district not analysed, or no LSOA)."""
    total = int(counts["n"].sum())
    no_lsoa = int(counts.loc[counts["district"].isna(), "n"].sum())
    other = int(counts.loc[counts["district"].notna() & ~counts["district"].isin(areas), "n"].sum())
    return {"rows": total, "no_lsoa": no_lsoa, "other_districts": other}
