"""The peer comparison on data.police.uk street files of many forces (peers.source police_uk).

police.uk publishes every force's street-level crimes monthly, so forces can be compared on any recent 12 months,
where the Home Office table shipped stops in 2018. The comparison itself is analyses.peers (rates per 1,000, the
funnel, statistical neighbours, the peer test); this module turns the prepared counts (inputs.police_uk
PoliceUkForces: per file, month, force and crime type) into the same long table of 12-month totals with ONS
populations, and decides which forces can be compared:

- a force needs a file for each of the 12 months ending at the reporting point; one with fewer (some forces publish
  nothing for months) is named on the page and left out;
- a force whose monthly count is implausible against its own neighbouring months (below half or above twice the
  median of up to three months either side: stats.breaks.implausible_volume, as the street contract judges one
  force's files) is named and left out: a file cut short or loaded twice would move its rate;
- British Transport Police and any other name outside the 43 territorial police force areas has no resident
  population and is left out, named; City of London is counted in the all-forces rate but not ranked or used in
  the funnel (as with the Home Office source: per-resident rates mean little for ~9,000 residents).

Crime types map to offence groups by reference.offences.POLICE_UK_GROUP; anti-social behaviour is not crime and is
outside every count here.
"""

from __future__ import annotations

import pandas as pd

from scrutiny.inputs.pfa_tables import population_year
from scrutiny.reference import months as month_ref
from scrutiny.reference.forces import CITY_OF_LONDON, ONS_NAME, TERRITORIAL, force_name
from scrutiny.reference.offences import POLICE_UK_GROUP, POLICE_UK_GROUPS, POLICE_UK_TOTAL

OFFENCES = [POLICE_UK_TOTAL] + POLICE_UK_GROUPS
MIN_FORCES = 10  # fewer forces than this cannot estimate the variation between forces: nothing is judged
MAX_POPULATION_LAG = 2  # years an ONS estimate may lag the 12 months it divides (the latest published is used)
MIN_MONTH_CRIMES = 50  # a force's month is volume-checked only when its neighbouring months hold this many crimes


def pfa_of(falls_within: str, file_force: str | None = None) -> str | None:
    """The Home Office PFA name of a police.uk force ("Gwent Police" -> "Gwent"), from Falls within, else the file
    name's force part ("devon-and-cornwall"); None for a force outside the 43 territorial PFAs (British Transport
    Police, Police Service of Northern Ireland)."""
    for name in (falls_within, file_force):
        if isinstance(name, str) and name:
            try:
                return force_name(name)
            except ValueError:
                continue
    return None


def monthly(prepared: pd.DataFrame) -> pd.DataFrame:
    """Crimes per force, month and offence (the groups and the total), from the prepared table (columns
    source_file, file_force, month, falls_within, crime_type, crimes); ValueError when one force's month comes
    from two files. Columns force (PFA name; None outside the 43),
    written (the force as police.uk writes it), month, offence, count. Anti-social behaviour is left out."""
    d = prepared[prepared["crime_type"].map(POLICE_UK_GROUP).notna()].copy()
    names = d[["falls_within", "file_force"]].drop_duplicates()
    names["force"] = [pfa_of(a, b) for a, b in zip(names["falls_within"], names["file_force"])]
    d = d.merge(names, on=["falls_within", "file_force"], how="left")
    d["written"] = d["falls_within"].fillna(d["file_force"])
    files = d.drop_duplicates(["written", "month", "source_file"]).groupby(["written", "month"])["source_file"]
    twice = files.nunique()
    if (twice > 1).any():  # e.g. a file named for one force holding another force's rows: counted twice
        (w, m), _ = next(iter(twice[twice > 1].items()))
        raise ValueError(f"{w}'s rows for {m} come from more than one file ({', '.join(sorted(files.get_group((w, m))))}"
                         f"): one force's month must come from one file; check the files' names and their Falls "
                         f"within column")
    d["offence"] = d["crime_type"].map(POLICE_UK_GROUP)
    keys = ["force", "written", "month"]
    g = d.groupby(keys + ["offence"], dropna=False, as_index=False)["crimes"].sum()
    t = d.groupby(keys, dropna=False, as_index=False)["crimes"].sum().assign(offence=POLICE_UK_TOTAL)
    # every offence for every force-month with a file: a type with no crimes that month is a count of 0
    grid = t[keys].merge(pd.DataFrame({"offence": POLICE_UK_GROUPS}), how="cross")
    g = grid.merge(g, on=keys + ["offence"], how="left").fillna({"crimes": 0})
    out = pd.concat([t, g], ignore_index=True).rename(columns={"crimes": "count"})
    out["count"] = out["count"].astype("int64")
    order = {o: i for i, o in enumerate(OFFENCES)}
    return out.sort_values(["month", "written", "offence"],
                           key=lambda s: s.map(order) if s.name == "offence" else s).reset_index(drop=True)


def window(end: pd.Timestamp, n: int = 12) -> list[str]:
    """The n months (YYYY-MM) ending with the month of `end`."""
    last = f"{end.year:04d}-{end.month:02d}"
    return month_ref.span(month_ref.shift(last, -(n - 1)), last)


def coverage(mon: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """One row per force (the 43 territorial PFAs, then any other force in the files): months with data among the
    12 ending at `end`, the months missing, the months whose volume is implausible, and `status`: 'compared' or
    why it is left out. City of London is 'all-forces rate only' when complete."""
    want = window(end)
    tot = mon[(mon["offence"] == POLICE_UK_TOTAL) & mon["month"].isin(want)]
    rows = []
    others = sorted(set(tot.loc[tot["force"].isna(), "written"]))
    for force in TERRITORIAL + others:
        own = tot[tot["force"] == force] if force in TERRITORIAL else tot[tot["force"].isna() & (tot["written"] == force)]
        have = sorted(own["month"].unique())
        missing = [m for m in want if m not in have]
        series = own.groupby("month")["count"].sum().reindex(want)
        odd = implausible_months(series) if not missing else {}
        if force not in TERRITORIAL:
            status = "left out: not a territorial police force area (no resident population)"
        elif len(have) == 0:
            status = "left out: no files for these 12 months"
        elif missing:
            status = f"left out: no file for {len(missing)} of the 12 months ({month_list(missing)})"
        elif odd:
            status = ("left out: implausible monthly count in " +
                      ", ".join(f"{month_ref.label(m)} ({r:.2f} × its neighbouring months)" for m, r in odd.items()))
        elif force == CITY_OF_LONDON:
            status = "all-forces rate only (about 9,000 residents: per-resident rates mean little)"
        else:
            status = "compared"
        rows.append({"force": force, "months_with_files": len(have), "missing_months": month_list(missing),
                     "crimes": int(own["count"].sum()), "status": status})
    return pd.DataFrame(rows)


def forces_compared(cov: pd.DataFrame, focal: str) -> tuple[list[str], list[str]]:
    """From coverage(): (the forces compared: ranked, in the funnel and the neighbours; the forces counted in the
    all-forces rate: those and City of London when complete). ValueError, with the reason, when the pack's own
    force cannot be compared."""
    comparable = list(cov.loc[cov["status"] == "compared", "force"])
    counted = list(cov.loc[(cov["status"] == "compared") | cov["status"].str.startswith("all-forces"), "force"])
    if focal not in comparable:
        why = cov.set_index("force")["status"].get(focal, "not in the files")
        raise ValueError(f"{focal} cannot be compared on these files: {why}")
    return comparable, counted


def implausible_months(series: pd.Series) -> dict[str, float]:
    """Months (index YYYY-MM, values crimes) below half or above twice the median of up to three months either
    side (stats.breaks.implausible_volume), judged only where the neighbouring months hold MIN_MONTH_CRIMES."""
    from scrutiny.stats.breaks import implausible_volume

    v = series.to_numpy(dtype=float)
    bad = implausible_volume(v)
    judged = series.rolling(7, center=True, min_periods=3).median().to_numpy() >= MIN_MONTH_CRIMES
    return {m: float(b) for m, b, j in zip(series.index, bad, judged) if j and b == b}


def month_list(ms: list[str]) -> str:
    """'March 2024, April 2024' (or '' for none); runs of more than three months as 'March 2024 to June 2024'."""
    if not ms:
        return ""
    if len(ms) > 3 and month_ref.span(ms[0], ms[-1]) == list(ms):
        return f"{month_ref.label(ms[0])} to {month_ref.label(ms[-1])}"
    return ", ".join(month_ref.label(m) for m in ms)


def population(pop: pd.DataFrame, edition: str, year: int) -> tuple[pd.Series, int]:
    """Population by force (PFA name) from ONS edition `edition` for mid-`year`, or the latest earlier year the
    edition has (at most MAX_POPULATION_LAG years before); returns (populations, the year used). ValueError when
    the edition has nothing close enough."""
    p = pop[pop["edition"] == edition]
    years = sorted(y for y in p["year"].unique() if y <= year)
    if not years or year - years[-1] > MAX_POPULATION_LAG:
        latest = int(p["year"].max()) if len(p) else None
        raise ValueError(f"ONS edition {edition} has no population estimate for mid-{year} or the "
                         f"{MAX_POPULATION_LAG} years before (its latest is mid-{latest}); choose another "
                         f"population_edition or period_end")
    used = int(years[-1])
    names = {ONS_NAME.get(n, n): n for n in TERRITORIAL}
    p = p[p["year"] == used]
    return p.set_index(p["pfa_name"].map(names))["population"].astype(float).rename("population"), used


def rolling_long(mon: pd.DataFrame, pop: pd.DataFrame, edition: str, forces: list[str],
                 end: pd.Timestamp) -> pd.DataFrame:
    """12-month totals for `forces` at every month end up to `end` where a force has all 12 months, with the ONS
    population (population()) of the mid-year inside those 12 months: columns period_end, force, offence, count,
    population, population_year (the estimate's year). The shape of pfa_tables.crime_with_population."""
    d = mon[mon["force"].isin(forces)]
    last = f"{end.year:04d}-{end.month:02d}"
    months_all = sorted(m for m in d["month"].unique() if m <= last)
    if not months_all:
        return pd.DataFrame(columns=["period_end", "force", "offence", "count", "population", "population_year"])
    wide = d.pivot_table(index=["force", "offence"], columns="month", values="count", aggfunc="sum")
    wide = wide.reindex(columns=month_ref.span(months_all[0], last))
    out = []
    for i in range(11, wide.shape[1]):
        block = wide.iloc[:, i - 11:i + 1]
        ok = block.notna().all(axis=1)
        if not ok.any():
            continue
        m = wide.columns[i]
        pe = month_end(m)
        p, used = population(pop, edition, population_year(pe.date()))
        s = block[ok].sum(axis=1).astype("int64").rename("count").reset_index()
        s["period_end"] = pe
        s["population"] = s["force"].map(p)
        s["population_year"] = used
        out.append(s)
    if not out:
        return pd.DataFrame(columns=["period_end", "force", "offence", "count", "population", "population_year"])
    res = pd.concat(out, ignore_index=True)[["period_end", "force", "offence", "count", "population",
                                             "population_year"]]
    order = {o: i for i, o in enumerate(OFFENCES)}
    return res.sort_values(["period_end", "force", "offence"],
                           key=lambda s: s.map(order) if s.name == "offence" else s).reset_index(drop=True)


def month_end(month: str) -> pd.Timestamp:
    """The last day of a YYYY-MM month."""
    return pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0)


def monthly_trend(mon: pd.DataFrame, pop: pd.DataFrame, edition: str, focal: str, peers: list[str],
                  forces: list[str], end: pd.Timestamp, offence: str = POLICE_UK_TOTAL) -> pd.DataFrame:
    """Crimes per 1,000 residents in each month of the data up to `end`: the force, its peer weighted average
    (excluding the force) and all `forces` compared, each month divided by the population of its own mid-year
    (population()). Months where a peer or a compared force has no file are left out (an average over whoever
    published that month would move with who is missing). Columns period_end (the month's last day), offence,
    force, peer_average, england_wales (here: all forces compared)."""
    last = f"{end.year:04d}-{end.month:02d}"
    d = mon[(mon["offence"] == offence) & (mon["month"] <= last) & mon["force"].isin(forces)]
    rows = []
    for m, g in d.groupby("month"):
        c = g.groupby("force")["count"].sum()
        if not set(forces) <= set(c.index):
            continue
        pe = month_end(m)
        p, _ = population(pop, edition, pe.year)
        rows.append({"period_end": pe, "offence": offence,
                     "force": 1000 * c[focal] / p[focal],
                     "peer_average": 1000 * c[peers].sum() / p[peers].sum(),
                     "england_wales": 1000 * c[forces].sum() / p[forces].sum()})
    return pd.DataFrame(rows, columns=["period_end", "offence", "force", "peer_average", "england_wales"])


def neighbour_variables(window_years: int) -> dict[str, str]:
    """What each statistical-neighbour variable is, for this source."""
    periods = ("the 12 months ending at the reporting point" if window_years == 1 else
               f"mean of the {window_years} 12-month periods ending at the reporting point and "
               + ("one year before" if window_years == 2 else "one and two years before"))
    return {"log10_population": "log10 of the resident population (ONS mid-year estimate)",
            "total_rate": f"all police.uk crime (excluding anti-social behaviour) per 1,000, {periods}",
            **{f"share: {g}": f"share of that crime that is {g.lower()}" for g in POLICE_UK_GROUPS}}


def window_years(long: pd.DataFrame, end: pd.Timestamp, forces: list[str]) -> int:
    """How many yearly 12-month periods (ending at `end`, one and two years before) every force in `forces` has:
    the statistical neighbours average over these (1 to 3)."""
    n = 0
    for i in range(3):
        e = end - pd.DateOffset(years=i)
        have = set(long.loc[(long["period_end"] == e) & (long["offence"] == POLICE_UK_TOTAL), "force"])
        if not set(forces) <= have:
            break
        n += 1
    return n


def intro_sentence(label: str, pop_year: int, edition: str, focal: str, group_label: str, end: pd.Timestamp) -> str:
    """Reporting point, the source and the population used (saying when it is an earlier year's estimate)."""
    wanted = population_year(end.date())
    lag = (f" (the latest estimate this edition has; the 12 months span mid-{wanted}, so rates are slightly high "
           f"where the population has grown since)") if pop_year != wanted else ""
    return (f"Reporting point: the 12 months ending {label}. Source: data.police.uk street-level crime files of "
            f"every force for those months, counted by this pack (one crime per Crime ID), divided by the ONS "
            f"mid-{pop_year} population estimate, edition {edition}{lag}. Force: {focal}. Peer group: "
            f"{group_label}.")


def definitions_note(cov: pd.DataFrame) -> str:
    """What the counts are and which forces are left out, named, with why."""
    out = cov[~cov["status"].isin(["compared"])]
    none = out[out["months_with_files"] == 0]
    some = out[out["months_with_files"] > 0]
    left = "; ".join(f"{r.force} ({r.status.removeprefix('left out: ')})" for r in some.itertuples())
    if len(none):
        left = (left + "; " if left else "") + (f"{len(none)} {'force' if len(none) == 1 else 'forces'} with no file for these 12 months: "
                                                + ", ".join(none["force"]))
    n = int((cov["status"] == "compared").sum())
    return ("Definitions. Crimes are the data.police.uk street-level records of each force (every crime type "
            "except anti-social behaviour, which is not a crime), counted once per Crime ID in its month. police.uk "
            "leaves out fraud (recorded nationally by Action Fraud) and a few offences without a location, so its "
            "totals are a little below the Home Office's police recorded crime, and police.uk publishes violence "
            "and sexual offences as one group. Rates are per 1,000 residents. "
            f"{n} {'force is' if n == 1 else 'forces are'} compared. Not compared: {left or 'none'}. The all-forces rate is the crime of every "
            "force with a complete 12 months (City of London included) over their population; it is not the "
            "England and Wales rate when forces are missing.")


def too_few_note(n: int) -> str:
    """Why nothing is judged when fewer than MIN_FORCES forces have complete data."""
    return (f"Only {n} {'force has' if n == 1 else 'forces have'} a complete, plausible 12 months in these files. At least {MIN_FORCES} are "
            f"needed to estimate how much forces differ beyond chance (the between-force variance τ² of the funnel "
            f"and the peer test), so no force is judged above or below anything here: the rates are shown for "
            f"information only. Add the street files of the other forces for the same months to judge.")


TREND_NOTE = ("Monthly rates move with the seasons and with how quickly each force publishes; a month is left out "
              "where a peer or a compared force has no file for it. Offence group series are in "
              "tables/peers_trend.csv.")


def coverage_table(cov: pd.DataFrame) -> pd.DataFrame:
    """The forces with some file in the 12 months that are not compared, with why (those with no file are named
    in definitions_note, the compared ones counted there; every force is in tables/peers_coverage.csv)."""
    return (cov[(cov["months_with_files"] > 0) & cov["status"].ne("compared")].sort_values("force")
            .rename(columns={"months_with_files": "months with files", "missing_months": "months missing",
                             "crimes": "crimes in the months present"}))
