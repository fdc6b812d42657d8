"""Districts: every measure for each local authority district, with crimes per 1,000 residents.

Districts are the police.uk LSOA name without its code ("Newport 001A" -> "Newport"), which is the local
authority district's name. Each is matched to the ONS mid-year population estimate of that district
(data/reference/population_la_mye.csv) ignoring case and spaces; a district with no match gets no rate.

Rate per 1,000 residents = crimes / population × 1,000 (the Home Office and ONS convention for crime rates), with
the population of the latest mid-year in the chosen ONS edition that is not after the reporting month's year. The
quarter rate is the crimes of the reporting quarter (not annualised); the 12-month rate is the crimes of the 12
months ending in the reporting month.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scrutiny import paths
from scrutiny.analyses.measures import Catalogue, area_key
from scrutiny.analyses.narrative import MARKER
from scrutiny.analyses.performance import reporting_quarter
from scrutiny.reference import months

POPULATION_FILE = "data/reference/population_la_mye.csv"
POPULATION_COLUMNS = ["edition", "year", "lad_code", "lad_name", "population"]
EDITIONS = {
    "mye2019": "the mid-2019 edition, Census 2011-based, on April 2020 district codes",
    "mye2023": "the mid-2023 edition, rebased after Census 2021, on April 2023 district boundaries",
}
RATE_COLUMNS = ["district", "area", "lad_code", "population_edition", "population_year", "population", "measure",
                "label", "quarter", "quarter_value", "same_quarter_last_year", "quarter_rate_per_1000",
                "last12_first_month", "last12_last_month", "last12", "last12_rate_per_1000", "month",
                "spc_verdict", "breaks", "quarters_comparable"]


class PopulationError(ValueError):
    """A population file or edition that cannot give rates; the message names the file, column and rule."""


def key(name) -> str:
    """A district or local authority name for matching: case and spaces ignored ('Blaenau  gwent' ->
    'blaenaugwent')."""
    return "".join(str(name).split()).casefold()


def read_population(path: str | Path | None = None) -> pd.DataFrame:
    """The ONS local-authority population file (default data/reference/population_la_mye.csv), columns checked."""
    p = Path(path) if path is not None else paths.resolve(POPULATION_FILE)
    if not p.is_file():
        raise PopulationError(f"{p}: population file not found")
    df = pd.read_csv(p, dtype={"lad_code": str, "lad_name": str, "edition": str})
    missing = [c for c in POPULATION_COLUMNS if c not in df.columns]
    if missing:
        raise PopulationError(f"{p}: missing column(s) {missing}; expected {POPULATION_COLUMNS}")
    bad = df[pd.to_numeric(df["population"], errors="coerce").isna() | (pd.to_numeric(df["population"],
                                                                                      errors="coerce") <= 0)]
    if len(bad):
        raise PopulationError(f"{p}: column population must be a positive number; rows {list(bad.index[:5] + 2)}")
    return df


def population_year(pop: pd.DataFrame, edition: str, reporting_month: str) -> int:
    """The latest mid-year of `edition` that is not after the reporting month's year."""
    ed = pop[pop["edition"] == edition]
    if ed.empty:
        raise PopulationError(f"population edition {edition!r} is not in the population file; it holds "
                              f"{sorted(pop['edition'].unique())}")
    year = int(reporting_month[:4])
    ok = ed.loc[ed["year"] <= year, "year"]
    if ok.empty:
        raise PopulationError(f"population edition {edition!r} starts in mid-{int(ed['year'].min())}, after the "
                              f"reporting year {year}: choose an edition covering it (districts.population_edition)")
    return int(ok.max())


def match_population(districts: list[str], pop: pd.DataFrame, edition: str, year: int) -> pd.DataFrame:
    """One row per district: district, lad_code, lad_name, population (missing when no district of that name,
    ignoring case and spaces, is in the edition's year), population_year, population_edition."""
    rows = pop[(pop["edition"] == edition) & (pop["year"] == year)]
    by_key: dict[str, list] = {}
    for r in rows.itertuples():
        by_key.setdefault(key(r.lad_name), []).append(r)
    out = []
    for d in districts:
        hits = by_key.get(key(d), [])
        if len(hits) > 1:
            raise PopulationError(f"district {d!r} matches {len(hits)} local authorities in {edition} mid-{year} "
                                  f"({', '.join(h.lad_code for h in hits)}): the name is ambiguous")
        h = hits[0] if hits else None
        out.append({"district": d, "lad_code": h.lad_code if h else None, "lad_name": h.lad_name if h else None,
                    "population": float(h.population) if h else float("nan"), "population_year": year,
                    "population_edition": edition})
    return pd.DataFrame(out, columns=["district", "lad_code", "lad_name", "population", "population_year",
                                      "population_edition"])


def rate_per_1000(count, population) -> float:
    """count / population × 1,000; missing when either is missing or the population is not positive."""
    if count is None or population is None or pd.isna(count) or pd.isna(population) or population <= 0:
        return float("nan")
    return 1000.0 * float(count) / float(population)


def _sum(by: dict, wanted: list[str]) -> float:
    """The total over `wanted` months, missing unless every month is in the series."""
    return float(sum(by[m] for m in wanted)) if all(m in by for m in wanted) else float("nan")


def verdict(row) -> str:
    """The SPC verdict of the reporting month as words, from a performance.summarise row."""
    if row["volume_ratio"] is not None and pd.notna(row["volume_ratio"]):
        return "not judged (month implausible against its neighbours: a data problem)"
    if not row["limits_judged"]:
        return f"not judged ({int(row['segment_months'])} months since the series break)"
    if row["rule"]:
        return f"{row['variation']} ({row['rule']})"
    return str(row["variation"])


def rate_table(monthly: pd.DataFrame, summary: pd.DataFrame, found: pd.DataFrame, catalogue: Catalogue,
               populations: pd.DataFrame, reporting_month: str, min_count: int | None = None) -> pd.DataFrame:
    """tables/districts_rates.csv: one row per district × measure (RATE_COLUMNS).

    monthly: measures.monthly; summary: performance.summarise; found: performance.find_breaks; populations:
    match_population for the districts shown. Quarter: performance.reporting_quarter of the reporting month,
    against the same three months a year earlier (missing when outside the period); `quarters_comparable` is False
    when a series break starts after the first month of last year's quarter and by the end of this one.
    Last 12 months: the 12 months ending in the reporting month (missing when the period is shorter).
    min_count (params disclosure.min_count): a rate whose count is from 1 to min_count - 1 is left out (missing), so
    the rate and the population cannot give back a suppressed count."""
    q = reporting_quarter(reporting_month)
    ly = [months.shift(m, -12) for m in q]
    last12 = months.span(months.shift(reporting_month, -11), reporting_month)
    rows = []
    for pr in populations.itertuples():
        area = area_key("district", pr.district)
        for m in catalogue.measures:
            s = monthly[(monthly["measure"] == m.id) & (monthly["area"] == area)]
            by = dict(zip(s["month"], s["value"]))
            sm = summary[(summary["measure"] == m.id) & (summary["area"] == area)]
            bm = (sorted(found.loc[(found["measure"] == m.id) & (found["area"] == area), "month"])
                  if len(found) else [])
            qv, lyv, r12 = _sum(by, q), _sum(by, ly), _sum(by, last12)
            rows.append({
                "district": pr.district, "area": area, "lad_code": pr.lad_code,
                "population_edition": pr.population_edition, "population_year": pr.population_year,
                "population": pr.population, "measure": m.id, "label": m.label,
                "quarter": months.financial_quarter_long(q[-1]), "quarter_value": qv, "same_quarter_last_year": lyv,
                "quarter_rate_per_1000": rate_per_1000(qv, pr.population),
                "last12_first_month": last12[0], "last12_last_month": last12[-1], "last12": r12,
                "last12_rate_per_1000": rate_per_1000(r12, pr.population), "month": reporting_month,
                "spc_verdict": verdict(sm.iloc[0]) if len(sm) else "not judged (no series)",
                "breaks": "; ".join(months.label(b) for b in bm),
                "quarters_comparable": not any(ly[0] < b <= q[-1] for b in bm)})
    out = pd.DataFrame(rows, columns=RATE_COLUMNS)
    for c in ("population", "quarter_value", "same_quarter_last_year", "last12"):  # whole numbers in the CSV
        out[c] = out[c].round().astype("Int64")
    if min_count:
        for c, r in (("quarter_value", "quarter_rate_per_1000"), ("last12", "last12_rate_per_1000")):
            v = out[c].fillna(0)
            out.loc[(v > 0) & (v < min_count), r] = float("nan")
    return out


def display(t: pd.DataFrame, min_count: int | None = None) -> pd.DataFrame:
    """One district's rows of rate_table as shown on the page. A rate whose count is suppressed (1 to
    min_count - 1) is shown as the suppression marker too, so the rate cannot give the count back."""
    quarter = t["quarter"].iloc[0] if len(t) else "Quarter"
    month = months.label(t["month"].iloc[0]) if len(t) else ""

    def rate(c, r):
        if min_count and pd.notna(c) and 0 < c < min_count:
            return MARKER
        return r

    def breaks(b, ok, last_year):
        if not b:
            return "none"
        return b + ("" if ok or pd.isna(last_year) else " (the two quarters are not comparable)")

    return pd.DataFrame({
        "Measure": t["label"].to_numpy(),
        quarter: t["quarter_value"].to_numpy(),
        "Same quarter last year": t["same_quarter_last_year"].to_numpy(),
        "Per 1,000 residents, quarter": [rate(c, r) for c, r in zip(t["quarter_value"],
                                                                    t["quarter_rate_per_1000"])],
        "Last 12 months": t["last12"].to_numpy(),
        "Per 1,000 residents, 12 months": [rate(c, r) for c, r in zip(t["last12"], t["last12_rate_per_1000"])],
        f"SPC verdict, {month}": t["spc_verdict"].to_numpy(),
        "Series breaks": [breaks(b, ok, ly) for b, ok, ly in zip(t["breaks"], t["quarters_comparable"],
                                                                 t["same_quarter_last_year"])],
    })


def population_sentence(row, force: str | None = None) -> str:
    """What the district's rates are per: its population, year and edition; or why it has no rate."""
    ed = row["population_edition"]
    if pd.isna(row["population"]):
        return (f"No rate per 1,000 residents for {row['district']}: no local authority of that name (ignoring case "
                f"and spaces) is in the ONS population file for edition {ed}, mid-{row['population_year']}.")
    return (f"{row['district']} ({row['lad_code']}): {row['population']:,.0f} residents at mid-{row['population_year']} "
            f"(ONS mid-year population estimates, edition {ed}: {EDITIONS.get(ed, ed)}). Rates per 1,000 residents "
            f"use this population.")


def anchor(name: str) -> str:
    """An HTML id from a district name: 'Blaenau Gwent' -> 'district-blaenau-gwent'."""
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", str(name).casefold()).strip("-")
    return f"district-{slug or 'unnamed'}"


def intro(populations: pd.DataFrame, force: str, period: tuple[str, str],
          min_share: float) -> str:
    """The page's opening paragraph: reporting month and quarter, which districts, which have no rate."""
    q = reporting_quarter(period[1])
    names = list(populations["district"])
    none = list(populations.loc[populations["population"].isna(), "district"])
    return (f"Reporting month: {months.label(period[1])}; reporting quarter: {months.financial_quarter_long(q[-1])}, "
            f"the latest complete financial quarter. Period analysed: {months.label(period[0])} to "
            f"{months.label(period[1])}. One section per local authority district (the LSOA name in the data.police.uk "
            f"street-level files for {force}, without its code) holding at least {min_share:.0%} of the rows: "
            f"{', '.join(names) if names else 'none'}. Rows in other districts or with no LSOA count only in the "
            f"force total (performance page)."
            + (f" No ONS population matched {', '.join(none)}: no rate per 1,000 residents is given for "
               f"{'it' if len(none) == 1 else 'them'}." if none else ""))


def method_note(populations: pd.DataFrame, rules: str, n_months: int | None = None,
                baseline: int | None = None) -> str:
    """How the rates, verdicts and breaks on the page are made, naming the population edition and year.
    n_months, baseline: the period's length and params spc.baseline_months (a shorter period: provisional limits)."""
    from scrutiny.stats.spc import rule_set

    ed = populations["population_edition"].iloc[0] if len(populations) else ""
    year = populations["population_year"].iloc[0] if len(populations) else ""
    return (f"How the figures are made. Counts: one crime per Crime ID in its month, as on the performance page. "
            f"Rate per 1,000 residents = crimes ÷ resident population × 1,000, with the ONS mid-year population "
            f"estimate for mid-{year}, edition {ed} ({EDITIONS.get(ed, ed)}), the latest mid-year of that edition not "
            f"after the reporting year (params districts.population_edition). The quarter rate is the quarter's "
            f"crimes per 1,000 residents, not annualised; the 12-month rate uses the 12 months ending in the "
            f"reporting month. District names are matched to ONS local authority names ignoring case and spaces. "
            f"Residents are not everyone present: a district that draws many visitors or commuters has a higher "
            f"rate per resident for that reason alone. SPC verdict: the reporting month against the process limits "
            f"of the district's own XmR chart (rule set {rule_set(rules).name}, rebased after a series break), as on "
            f"the performance page; exceptional means outside the limits. "
            + (f"The period has only {n_months} months, fewer than the {baseline}-month baseline, so the limits "
               f"come from all {n_months} months and are provisional. " if n_months and baseline and
               n_months < baseline else "")
            + "Series breaks: found in the district's "
            "series or carried from the force level or from a crime type inside the measure; where one falls "
            "between the same quarter last year and the reporting quarter the two counts are not comparable. In "
            "the small charts a dashed vertical line marks a series break.")
