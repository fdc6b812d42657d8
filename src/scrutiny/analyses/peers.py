"""Peer groups and peer comparisons of rates per 1,000 residents.

Two kinds of peer group, never presented as each other:

- an official most similar group (MSG), read from a CSV the user supplies (`peers.msg_file`) with columns
  force, peer, source, as_of; the report prints its source, as-of date and file hash;
- by default, transparent statistical neighbours: the k forces nearest to the focal force (Euclidean distance)
  on standardised variables built from the pack's own data (NEIGHBOUR_VARIABLES), ties broken by force name,
  so the same data always give the same group. Labelled "statistical neighbours (not the Home Office MSG)".

Averages over a group are weighted (Σcounts / Σpopulation × 1000; HMICFRS VfM dashboards, domain notes §3.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scrutiny.analyses import narrative
from scrutiny.analyses.summary import frame as summary_frame
from scrutiny.reference.forces import CITY_OF_LONDON, TERRITORIAL
from scrutiny.reference.offences import GROUPS, TOTAL
from scrutiny.stats import distributions, funnel, rates

NEIGHBOUR_LABEL = "statistical neighbours (not the Home Office MSG)"
MSG_LABEL = "most similar group (official list supplied)"
WINDOW_YEARS = 3
NEIGHBOUR_VARIABLES = {
    "log10_population": "log10 of the resident population (ONS mid-year estimate at the reporting point)",
    "total_rate": f"total recorded crime (excluding fraud) per 1,000, mean of the {WINDOW_YEARS} 12-month periods "
                  "ending at the reporting point and one and two years before",
    **{f"share: {g}": f"share of total recorded crime that is {g.lower()}, same {WINDOW_YEARS} periods" for g in GROUPS},
}


def comparable_forces() -> list[str]:
    """Forces in per-resident comparisons: the 43 territorial PFAs less City of London (BTP has no PFA)."""
    return [f for f in TERRITORIAL if f != CITY_OF_LONDON]


def neighbour_features(rates_long: pd.DataFrame, period_end: pd.Timestamp, groups: list[str] = GROUPS,
                       total: str = TOTAL, window: int = WINDOW_YEARS, forces: list[str] | None = None) -> pd.DataFrame:
    """One row per comparable force (`forces`, default comparable_forces()): the NEIGHBOUR_VARIABLES
    (unstandardised) over `window` yearly periods, from crime_with_population output (or its police.uk form,
    with that source's `groups` and `total`)."""
    ends = [period_end - pd.DateOffset(years=i) for i in range(window)]
    d = rates_long[rates_long["period_end"].isin(ends)
                   & rates_long["force"].isin(comparable_forces() if forces is None else forces)]
    if d["period_end"].nunique() < window:
        raise ValueError(f"statistical neighbours need the {window} 12-month periods ending "
                         f"{', '.join(str(e.date()) for e in ends)}; the data have {sorted(d['period_end'].dt.date.unique())}")
    tot = d[d["offence"] == total]
    if tot["population"].isna().any():
        raise ValueError("statistical neighbours need a population for every force in the window")
    feats = pd.DataFrame(index=pd.Index(sorted(tot["force"].unique()), name="force"))
    cur = tot[tot["period_end"] == period_end].set_index("force")
    feats["log10_population"] = np.log10(cur["population"].astype(float))
    feats["total_rate"] = (1000 * tot["count"] / tot["population"]).groupby(tot["force"]).mean()
    summed = d.groupby(["force", "offence"])["count"].sum().unstack()
    for g in groups:
        feats[f"share: {g}"] = summed[g] / summed[total]
    return feats


def standardise(features: pd.DataFrame) -> pd.DataFrame:
    """z = (x − mean) / standard deviation (population, ddof=0) per column; constant columns are dropped."""
    sd = features.std(ddof=0)
    keep = sd[sd > 0].index
    return (features[keep] - features[keep].mean()) / sd[keep]


def nearest(features: pd.DataFrame, focal: str, k: int) -> pd.DataFrame:
    """The k forces nearest to `focal` on standardised features (Euclidean, equal weights).

    Deterministic: the order depends only on the values (ties broken by force name, not by row order).
    Returns columns force, distance, rank (1 = nearest)."""
    if focal not in features.index:
        raise ValueError(f"{focal!r} is not among the forces compared")
    z = standardise(features.sort_index())
    dist = np.sqrt(((z - z.loc[focal]) ** 2).sum(axis=1)).drop(focal)
    out = pd.DataFrame({"force": dist.index, "distance": dist.round(12).to_numpy()})
    out = out.sort_values(["distance", "force"], kind="stable").head(k).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def rate_table(d: pd.DataFrame) -> pd.DataFrame:
    """Add rate_per_1000 and its exact Poisson 95% interval (rates.poisson_exact_ci) to count/population rows."""
    d = d.copy()
    d["rate_per_1000"] = 1000 * d["count"] / d["population"]
    ci = [rates.poisson_exact_ci(c, p / 1000) if c >= 0 and p > 0 else (np.nan, np.nan)
          for c, p in zip(d["count"], d["population"])]
    d["ci_low"] = [c[0] for c in ci]
    d["ci_high"] = [c[1] for c in ci]
    return d


PEER_TEST = ("z-test against the peer average allowing for between-force variation (τ² as the funnel; "
             "Spiegelhalter 2005, FunnelPlotR od_adjustment.R)")
PEER_TEST_SHORT = "z-test with between-force variance τ², as the funnel"
PEER_Z = funnel.Z95  # two-sided 5%: the level of the verdict against the peer average
YOY_TEST = "quasi-Poisson z-test on the counts"
YOY_MIN_HISTORY = 3  # earlier year-on-year changes needed to estimate φ


def peer_z(count: float, population: float, peer_rate: float, tau2: float, per: float = 1000.0,
           peer_var: float = 0.0) -> dict:
    """The force's count against the count it would have at the peer average, allowing for between-force
    variation as the funnel does (Spiegelhalter 2005 §3; FunnelPlotR R/od_adjustment.R, SHMI form):

    E = peer_rate × population / per, y = ln(O / E), se = √(1/E + τ² + v), z = y / se, p = 2·Φ(−|z|).
    τ² is the DerSimonian–Laird between-force variance the funnel estimates over all comparable forces
    (funnel.overdispersion); v (`peer_var`, peer_average_variance) is the variance of the log peer average
    itself, which is a handful of forces each varying by τ². With τ² = v = 0 this is the log-scale normal
    approximation to a Poisson count. |z| ≥ 1.959964 (p < 0.05) gives "significantly above/below"."""
    e = peer_rate / per * population
    y = float(np.log(count / e)) if count > 0 and e > 0 else float("nan")
    se = float(np.sqrt(1 / e + tau2 + peer_var)) if e > 0 else float("nan")
    z = y / se
    p = 2 * distributions.norm_sf(abs(z)) if z == z else float("nan")
    verdict = ("not tested (zero count) against" if z != z else "significantly above" if z >= PEER_Z
               else "significantly below" if z <= -PEER_Z else "not significantly different from")
    return {"expected_at_peer_average": e, "log_ratio": y, "se": se, "z": z, "p_value": p, "verdict": verdict}


NOT_JUDGED = "not judged against"


def peer_average_variance(counts, populations, tau2: float) -> float:
    """Variance of the log of a weighted peer average Σc/Σn (delta method): each peer's log rate varies by
    τ² between forces plus its Poisson 1/c, weighted by its share of the population w = n/Σn, so
    v = τ²·Σw² + 1/Σc. Without it the peer verdict treats the peer average as known exactly and, in simulation
    (tests/analyses/test_peers_police_uk.py), calls about 6.5% of null comparisons significant at 5%."""
    c = np.asarray(counts, dtype=float)
    n = np.asarray(populations, dtype=float)
    w = n / n.sum()
    return float(tau2 * np.sum(w ** 2) + (1 / c.sum() if c.sum() > 0 else np.inf))


def compare(at: pd.DataFrame, focal: str, peers: list[str], tau2: dict[str, float],
            all_forces: list[str] | None = None, comparable: list[str] | None = None,
            judged: bool = True) -> pd.DataFrame:
    """Per offence: the focal force's rate and its own Poisson interval (descriptive), peer weighted averages
    without and with the focal force, the England and Wales rate (all 43 territorial forces), ranks (1 = highest
    rate) among the peer group and among the comparable forces, and ONE verdict against the peer average:
    peer_z with the funnel's between-force variance τ² for that offence (`tau2`: offence -> τ²).
    `all_forces` (default the 43 territorial) make the all-forces rate, `comparable` (default comparable_forces())
    the national ranks; with `judged` False (too few forces to estimate τ²) the verdict is NOT_JUDGED and z, p
    are empty."""
    rows = []
    comp = comparable_forces() if comparable is None else comparable
    all_forces = TERRITORIAL if all_forces is None else all_forces
    for off, g in at.groupby("offence", sort=False):
        g = g.set_index("force")
        f = g.loc[focal]
        lo, hi = rates.poisson_exact_ci(f["count"], f["population"] / 1000)
        rate = 1000 * f["count"] / f["population"]
        p_ex = funnel.weighted_rate(g.loc[peers, "count"], g.loc[peers, "population"])
        p_in = funnel.weighted_rate(g.loc[peers + [focal], "count"], g.loc[peers + [focal], "population"])
        ew = funnel.weighted_rate(g.loc[all_forces, "count"], g.loc[all_forces, "population"])
        r = 1000 * g["count"] / g["population"]
        rank_peer = int((r.loc[peers] > rate).sum() + 1)
        rank_nat = int((r.loc[comp] > rate).sum() + 1)
        v = peer_average_variance(g.loc[peers, "count"], g.loc[peers, "population"], float(tau2[off]))
        t = peer_z(float(f["count"]), float(f["population"]), p_ex, float(tau2[off]), peer_var=v)
        if not judged:
            t = {**t, "z": float("nan"), "p_value": float("nan"), "verdict": NOT_JUDGED}
        rows.append({"offence": off, "count": int(f["count"]), "population": int(f["population"]),
                     "rate_per_1000": rate, "ci_low": lo, "ci_high": hi,
                     "peer_average": p_ex, "peer_average_incl_force": p_in, "england_wales": ew,
                     "rank_in_group": rank_peer, "group_size": len(peers) + 1,
                     "rank_national": rank_nat, "forces_ranked": len(comp),
                     "tau2": float(tau2[off]) if judged else float("nan"), "expected_at_peer_average": t["expected_at_peer_average"],
                     "z": t["z"], "p_value": t["p_value"], "test": PEER_TEST_SHORT,
                     "vs_peer_average": t["verdict"]})
    return pd.DataFrame(rows)


def quasi_poisson_z(x1: float, x0: float, phi: float) -> tuple[float, float]:
    """Quasi-Poisson test of equal counts over equal periods: z = (x1 − x0) / √(φ·(x1 + x0)), p = 2·Φ(−|z|).

    Var(x) = φ·μ (McCullagh & Nelder 1989 §9.2; project domain notes §3.8); φ = 1 is the Poisson case."""
    if x1 + x0 <= 0 or not phi > 0:
        return float("nan"), float("nan")
    z = (x1 - x0) / np.sqrt(phi * (x1 + x0))
    return float(z), 2 * distributions.norm_sf(abs(z))


def dispersion_from_history(series: pd.Series, period_end: pd.Timestamp) -> tuple[float, int]:
    """φ for a year-on-year count test, from the force's own earlier year-on-year changes.

    series: counts indexed by period_end (12-month totals). The comparable periods are the 12 months ending at
    the same month and day in each earlier year; for each earlier pair (t, t − 1 year) z_i = (x_t − x_{t−1})/
    √(x_t + x_{t−1}) (the Poisson z) and φ = mean(z_i²), floored at 1 (no under-dispersion is assumed).
    The tested change itself is not used. Returns (φ, number of earlier changes); φ is NaN when there are fewer
    than YOY_MIN_HISTORY. Real trends in earlier years raise φ, so the test asks whether this year's change is
    unusual against the force's own history (a conservative reading)."""
    s = series.sort_index()
    zs = []
    for t in s.index:
        if t >= period_end or (t.month, t.day) != (period_end.month, period_end.day):
            continue
        t0 = t - pd.DateOffset(years=1)
        if t0 in s.index and s[t] + s[t0] > 0:
            zs.append((s[t] - s[t0]) / np.sqrt(s[t] + s[t0]))
    if len(zs) < YOY_MIN_HISTORY:
        return float("nan"), len(zs)
    return max(1.0, float(np.mean(np.square(zs)))), len(zs)


def year_on_year(long: pd.DataFrame, focal: str, period_end: pd.Timestamp, alpha: float = 0.05,
                 offences: list[str] | None = None) -> pd.DataFrame:
    """Change in the count on the same 12 months a year earlier for the focal force, quasi-Poisson z-test on
    the counts (quasi_poisson_z) with φ from the force's earlier year-on-year changes of that offence
    (dispersion_from_history). Rates are shown beside it; the test is on the counts, as the sentence quotes."""
    prev = period_end - pd.DateOffset(years=1)
    f = long[long["force"] == focal].set_index(["offence", "period_end"])
    rows = []
    for off in offences or [TOTAL] + GROUPS:
        if (off, prev) not in f.index or (off, period_end) not in f.index:
            continue
        a, b = f.loc[(off, period_end)], f.loc[(off, prev)]
        hist = long[(long["force"] == focal) & (long["offence"] == off)].set_index("period_end")["count"]
        phi, n_hist = dispersion_from_history(hist, period_end)
        z, p = quasi_poisson_z(float(a["count"]), float(b["count"]), phi)
        rise = a["count"] > b["count"]
        judgement = ((f"not tested (fewer than {YOY_MIN_HISTORY} earlier year-on-year changes to estimate φ)")
                     if p != p else "significant rise" if p < alpha and rise else
                     "significant fall" if p < alpha else "no significant change")
        rows.append({"offence": off, "count": int(a["count"]), "previous_count": int(b["count"]),
                     "change": int(a["count"] - b["count"]),
                     "change_pct": 100 * (a["count"] - b["count"]) / b["count"] if b["count"] else np.nan,
                     "rate_per_1000": 1000 * a["count"] / a["population"],
                     "previous_rate_per_1000": 1000 * b["count"] / b["population"],
                     "test": YOY_TEST, "phi": phi, "phi_changes": n_hist, "z": z, "p_value": p,
                     "judgement": judgement})
    return pd.DataFrame(rows, columns=YOY_OUT)


YOY_OUT = ["offence", "count", "previous_count", "change", "change_pct", "rate_per_1000", "previous_rate_per_1000",
           "test", "phi", "phi_changes", "z", "p_value", "judgement"]


def trend(long: pd.DataFrame, focal: str, peers: list[str], offence: str = TOTAL) -> pd.DataFrame:
    """Rate per 1,000 at every quarter end with a population: force, peer weighted average (excluding the
    force) and England and Wales (all 43 territorial forces)."""
    d = long[(long["offence"] == offence) & long["population"].notna()]
    out = []
    for end, g in d.groupby("period_end"):
        g = g.set_index("force")
        out.append({"period_end": end, "offence": offence,
                    "force": 1000 * g.loc[focal, "count"] / g.loc[focal, "population"],
                    "peer_average": funnel.weighted_rate(g.loc[peers, "count"], g.loc[peers, "population"]),
                    "england_wales": funnel.weighted_rate(g.loc[TERRITORIAL, "count"],
                                                          g.loc[TERRITORIAL, "population"])})
    return pd.DataFrame(out)


def funnels_by_offence(at: pd.DataFrame, comparable: pd.DataFrame, offences: list[str],
                       judged: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnel limits and positions for every offence (target: the England and Wales rate from `at`, all forces),
    and one row per offence of the overdispersion estimate (funnel.funnel; Spiegelhalter 2005). With `judged`
    False (too few forces to estimate the between-force variance) every position is 'not judged'."""
    funnels, od_rows = [], []
    for off in offences:
        ew = funnel.weighted_rate(at.loc[at["offence"] == off, "count"], at.loc[at["offence"] == off, "population"])
        fr, od, _ = funnel.funnel(comparable[comparable["offence"] == off].rename(columns={"force": "unit"}),
                                  target=ew)
        if not judged:  # limits from a τ² that cannot be estimated would look like a judgement
            fr = fr.assign(position="not judged", position_unadjusted="not judged",
                           **{c: float("nan") for c in ("lower_95", "upper_95", "lower_998", "upper_998")})
        funnels.append(fr.assign(offence=off))
        od_rows.append({"offence": off, "target_rate_per_1000": ew, "forces": od.k, "phi": od.phi, "tau2": od.tau2,
                        "overdispersion_adjusted": od.applied} if judged else
                       {"offence": off, "target_rate_per_1000": ew, "forces": od.k, "phi": float("nan"),
                        "tau2": float("nan"), "overdispersion_adjusted": False})
    return pd.concat(funnels, ignore_index=True).rename(columns={"unit": "force"}), pd.DataFrame(od_rows)


def chance_flags(n_tests: int, alpha: float = 0.05) -> str:
    """How many of n independent tests at level alpha chance alone would flag (n × alpha), in words."""
    return (f"with {n_tests} tests each at the {100 * alpha:g}% level, chance alone would flag "
            f"about {n_tests * alpha:.1f} of them even if nothing differed")


def peer_sentence(r, focal: str) -> str:
    """'<force> is significantly above the peer average (z-test …: z = 2.10, p = 0.036).' for one compare() row."""
    if r["vs_peer_average"] == NOT_JUDGED:
        return f"{focal} is not judged against the peer average (too few forces to estimate τ²)"
    return (f"{focal} is {r['vs_peer_average']} the peer average ({PEER_TEST_SHORT}, τ² = {r['tau2']:.4g}: "
            f"z = {r['z']:.2f}, {narrative.fmt_p(r['p_value'])})")


def yoy_sentence(y, period: str, previous: str) -> str:
    """The year-on-year sentence for one year_on_year() row: it quotes the count change, the quantity tested."""
    head = (f"{int(y['count']):,} crimes in the 12 months ending {period} against {int(y['previous_count']):,} in "
            f"the 12 months ending {previous} ({y['change']:+,}, {y['change_pct']:+.1f}% in the count): "
            f"{y['judgement']}")
    if y["p_value"] != y["p_value"]:
        return head + "."
    return (head + f" ({YOY_TEST}, dispersion φ = {y['phi']:.1f} from {int(y['phi_changes'])} earlier "
            f"year-on-year changes: z = {y['z']:.2f}, {narrative.fmt_p(y['p_value'])}).")


def measure_id(offence: str) -> str:
    """The measure id of an offence group on the Summary and in findings: 'Robbery' -> 'peers_robbery'."""
    return "peers_" + "_".join(offence.lower().replace("(", "").replace(")", "").split())


def summary_rows(cmp: pd.DataFrame, funnel_tbl: pd.DataFrame, od_tbl: pd.DataFrame, yoy: pd.DataFrame,
                 focal: str, group_label: str, end_label: str, link: str = "peers.html#rates",
                 total: str = TOTAL, all_label: str = "E&W", all_name: str = "England and Wales") -> pd.DataFrame:
    """Front-page Summary rows, one per offence: the same verdict as the comparison table (compare())."""
    adjusted = od_tbl.set_index("offence")["overdispersion_adjusted"]
    out = []
    for r in cmp.itertuples():
        f = funnel_tbl[(funnel_tbl["force"] == focal) & (funnel_tbl["offence"] == r.offence)].iloc[0]
        y = yoy[yoy["offence"] == r.offence]
        yy = (f"on previous year {y.iloc[0]['judgement']} in the count ({y.iloc[0]['change_pct']:+.1f}%; "
              f"{YOY_TEST}, φ = {y.iloc[0]['phi']:.1f})" if len(y) else "no previous year in the data")
        out.append({
            "topic": f"Peers: {r.offence}",
            "measure": measure_id(r.offence),
            "inclusion": "Always" if r.offence == total else "When outside the 99.8% funnel limits",
            "shown": r.offence == total or "99.8" in f.position,
            "data": f"{r.rate_per_1000:.1f} per 1,000 (peer avg {r.peer_average:.1f}; {all_label} "
                    f"{r.england_wales:.1f}), 12 months ending {end_label}",
            "commentary": (f"Not judged against the peer average or on the funnel: too few forces with complete data "
                           f"to estimate the variation between forces; rank {r.rank_national} of {r.forces_ranked}; "
                           f"{yy}." if r.vs_peer_average == NOT_JUDGED else
                           f"{r.vs_peer_average.capitalize()} the peer average ({group_label}; {PEER_TEST_SHORT}, "
                          f"{narrative.fmt_p(r.p_value)}); funnel against {all_name}: {f.position} "
                          f"({'overdispersion-adjusted' if bool(adjusted[r.offence]) else 'exact Poisson'} limits); "
                          f"rank {r.rank_national} of {r.forces_ranked}; {yy}."),
            "link": link})
    return summary_frame(out)


def findings(cmp: pd.DataFrame, focal: str, group_label: str, end_label: str,
             link: str = "peers.html#rates") -> pd.DataFrame:
    """Findings for questions to the force (questions.FINDING_COLUMNS): each offence group whose rate is
    significantly above the peer average by the comparison's verdict (compare(): peer_z with the between-force
    variance τ², p < 0.05). Nothing when the comparison is not judged (too few forces)."""
    from scrutiny.analyses.questions import FINDING_COLUMNS

    rows = []
    for r in cmp[cmp["vs_peer_average"] == "significantly above"].itertuples():
        rows.append({"section": "peers", "kind": "above_peers", "priority": "Comparison with similar forces",
                     "measure": measure_id(r.offence), "label": f"Peers: {r.offence}", "area": "force",
                     "finding": f"{r.offence}: {focal} recorded {r.rate_per_1000:,.1f} crimes per 1,000 residents in "
                                f"the 12 months ending {end_label}, against {r.peer_average:,.1f} for its peer "
                                f"group ({group_label}); significantly above ({PEER_TEST_SHORT}, "
                                f"{narrative.fmt_p(r.p_value)}).",
                     "evidence": link, "link": link, "csv": "tables/peers_comparison.csv",
                     "row_key": f"offence={r.offence}"})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


# --- page text and tables (the notebook only places them) -------------------------------------------------------

def at_period_end(long: pd.DataFrame, end: pd.Timestamp, edition: str, pop_year: int) -> pd.DataFrame:
    """The rows of crime_with_population() for the 12 months ending `end`; a clear error when the Home Office
    data have no such point or the ONS edition has no population for it."""
    at = long[long["period_end"] == end]
    if at.empty:
        raise ValueError(f"the data have no 12 months ending {end.date()} (Home Office: a quarter end in the table; "
                         f"police.uk: a file for each of the 12 months, for the force and the forces compared)")
    if at["population"].isna().any():
        raise ValueError(f"ONS edition {edition} has no mid-{pop_year} population; choose another edition or date")
    return at


def rates_out(comp_at: pd.DataFrame) -> pd.DataFrame:
    """rate_table() for the comparable forces in the columns of tables/peers_rates.csv (period_end as a date)."""
    return rate_table(comp_at)[["period_end", "force", "offence", "count", "population", "rate_per_1000", "ci_low",
                                "ci_high"]].assign(period_end=lambda d: d["period_end"].dt.date)


def funnel_out(funnel_tbl: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """funnels_by_offence()'s points with the reporting date, in the columns of tables/peers_funnel.csv."""
    return funnel_tbl.assign(period_end=end.date())[
        ["period_end", "offence", "force", "count", "population", "rate", "expected", "z", "lower_95", "upper_95",
         "lower_998", "upper_998", "position", "position_unadjusted"]]


def trend_all(long: pd.DataFrame, focal: str, group: list[str], offences: list[str]) -> pd.DataFrame:
    """trend() for every offence stacked, period_end as a date."""
    t = pd.concat([trend(long, focal, group, off) for off in offences], ignore_index=True)
    t["period_end"] = t["period_end"].dt.date
    return t


def end_label(end: pd.Timestamp) -> str:
    """'31 March 2024' for a reporting date."""
    return f"{end.day} {end:%B %Y}"


def intro_sentence(label: str, pop_year: int, edition: str, focal: str, group_label: str) -> str:
    """Reporting point, sources (with the population edition's basis), force and peer group."""
    basis = ("Census 2011-based, as used in Home Office rates published before about 2023" if edition == "mye2019"
             else "rebased after Census 2021")
    return (f"Reporting point: the 12 months ending {label}. Source: Home Office police recorded crime by police "
            f"force area (rolling 12-month totals), divided by the ONS mid-{pop_year} population estimate, edition "
            f"{edition} ({basis}). Force: {focal}. Peer group: {group_label}.")


def definitions_note(at: pd.DataFrame, n_comparable: int) -> str:
    """What total recorded crime is, the population date, and the forces left out of per-resident comparisons
    (with City of London's resident population from `at`)."""
    city = int(at.loc[(at["force"] == CITY_OF_LONDON) & (at["offence"] == TOTAL), "population"].iloc[0])
    return (f"Definitions. Total recorded crime excludes fraud (the sum of every Home Office offence line except "
            f"'Fraud offences'; fraud recorded centrally by Action Fraud, CIFAS and UK Finance has no force or "
            f"resident population). Offence groups follow the ONS presentation. The mid-year population used is the "
            f"30 June that falls inside the 12 months. British Transport Police (no resident population) and City of "
            f"London (about {city:,} residents against a large daytime population, so per-resident rates mean "
            f"little) are excluded from every per-resident comparison: ranks, funnel plots and peer selection cover "
            f"the other {n_comparable} forces. The England and Wales rate is all 43 territorial forces' crime over "
            f"their whole population.")


def neighbours_sentence(group: list[str], group_label: str) -> str:
    """Who the statistical neighbours are, and that they are not the Home Office MSG."""
    return (f"The peers are {len(group)} {group_label}: {', '.join(group)}. They are NOT the Home Office most "
            f"similar group (MSG), whose membership is not published with these data; supply it as peers.msg_file "
            f"to use it instead.")


def neighbours_note(n_comparable: int, n_variables: int, k: int, focal: str,
                    variables: dict[str, str] = NEIGHBOUR_VARIABLES) -> str:
    """How nearest() chooses the neighbours, and why they resemble the force in crime by construction."""
    return (f"How neighbours are chosen: each of the {n_comparable} comparable forces is described by "
            f"{n_variables} variables from the pack's own data; each variable is standardised (minus its "
            f"mean over the forces, divided by its standard deviation) and the k = {k} forces with the "
            f"smallest Euclidean distance to {focal} are taken (equal weights; ties broken by name, so the choice is "
            f"deterministic). Variables: " + "; ".join(f"{n}: {v}" for n, v in variables.items()) +
            ". Because crime rate and offence mix are among the variables, peers resemble the force in crime by "
            "construction, which narrows the gap to the peer average; the funnel plot against England and Wales "
            "below does not depend on this choice.")


def neighbour_table(features: pd.DataFrame, neighbours: pd.DataFrame, focal: str) -> pd.DataFrame:
    """The force and its neighbours' unstandardised variables, with each one's distance (the force's is 0)."""
    show = features.loc[[focal] + list(neighbours["force"])].reset_index()
    show.insert(1, "distance", [0.0] + list(neighbours["distance"]))
    return show


def distances(features: pd.DataFrame, focal: str) -> pd.DataFrame:
    """Every other force's Euclidean distance to the force on the standardised variables, nearest first."""
    allf = standardise(features.sort_index())
    d = ((allf - allf.loc[focal]) ** 2).sum(axis=1) ** 0.5
    return d.drop(focal).sort_values().rename("distance").reset_index()


def rates_paragraph(tot, focal: str, label: str, what: str = "crimes (excluding fraud)",
                    all_label: str = "England and Wales") -> str:
    """The force's total rate with its interval, the peer average, England and Wales, the verdict and ranks, from
    the compare() row for total recorded crime."""
    return (f"{focal} recorded {int(tot['count']):,} {what} in the 12 months ending {label}: "
            f"{tot['rate_per_1000']:.1f} per 1,000 residents (exact Poisson 95% interval of its own count, "
            f"{tot['ci_low']:.1f} to {tot['ci_high']:.1f}). The peer average is {tot['peer_average']:.1f} and "
            f"{all_label} {tot['england_wales']:.1f}. {peer_sentence(tot, focal)}, and ranks "
            f"{tot['rank_in_group']} of {tot['group_size']} in its peer group and {tot['rank_national']} of "
            f"{tot['forces_ranked']} nationally (1 = highest rate).")


def peer_tests_sentence(cmp: pd.DataFrame) -> str:
    """How many compare() rows differ significantly from the peer average, and how many chance would flag."""
    n_sig = int((cmp["vs_peer_average"] != "not significantly different from").sum())
    return (f"Against the peer average, {n_sig} of the {len(cmp)} rows (total and offence groups) are significantly "
            f"above or below it by the {PEER_TEST_SHORT} (p < 0.05); {chance_flags(len(cmp))}.")


def peer_method_note(cmp: pd.DataFrame) -> str:
    """The peer-average test (Spiegelhalter 2005 with the DerSimonian–Laird τ²) and how many rows the force's own
    Poisson interval alone would have called significant."""
    n_ci = int(((cmp["ci_low"] > cmp["peer_average"]) | (cmp["ci_high"] < cmp["peer_average"])).sum())
    return ("Method. The verdict against the peer average is one test, used in the table, the sentences and the "
            "Summary: the force's count O against the count it would have at the peer average, E = peer average × "
            "population ÷ 1,000, on the log scale with the between-force variance τ² that the funnel below "
            "estimates for the same offence over all comparable forces, and v, the variance of the log peer average "
            "itself (τ²·Σw² + 1/Σpeer counts, w each peer's share of the peers' population): z = ln(O/E) ÷ "
            "√(1/E + τ² + v), two-sided p = 2Φ(−|z|); 'significantly above/below' means p < 0.05 (|z| ≥ 1.96). "
            "This is the Spiegelhalter (2005) funnel form with the DerSimonian–Laird τ² (as FunnelPlotR's "
            "R/od_adjustment.R, without its 10% winsorising, which in simulation understates τ² and flags twice "
            "the nominal share), so the peer verdict and the funnel allow for the same extra-Poisson variation "
            "between forces. Peer average: "
            "weighted, Σcounts ÷ Σpopulation of the peers, shown WITHOUT the force itself (tables/peers_comparison.csv "
            "also gives it with the force). The '95% low/high' columns are the force's own exact Poisson interval (Garwood, "
            "χ²-based), descriptive only: it ignores the variation between forces, and judged by it alone "
            f"{n_ci} of the {len(cmp)} rows would have been called significant.")


def comparison_tables(cmp: pd.DataFrame, all_label: str = "England and Wales",
                      judged: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """compare()'s rows as two tables narrow enough to read and print (tables/peers_comparison.csv keeps every
    column): the rates with the verdict, then the ranks and the test behind the verdict (without the test's
    columns when nothing is judged)."""
    names = {**COMPARISON_COLUMNS, "england_wales": all_label}
    rates_cols = ["offence", "count", "population", "rate_per_1000", "ci_low", "ci_high", "peer_average",
                  "england_wales", "vs_peer_average"]
    test_cols = ["offence", "rank_in_group", "group_size", "rank_national", "forces_ranked",
                 "expected_at_peer_average"] + (["tau2", "z", "p_value"] if judged else [])
    return cmp[rates_cols].rename(columns=names), cmp[test_cols].rename(columns=names)


COMPARISON_COLUMNS = {"rate_per_1000": "rate", "ci_low": "95% low", "ci_high": "95% high",
                      "peer_average": "peer avg (excl. force)", "peer_average_incl_force": "peer avg (incl. force)",
                      "england_wales": "England and Wales", "rank_in_group": "rank in group",
                      "group_size": "group size", "rank_national": "rank nationally", "forces_ranked": "forces ranked",
                      "tau2": "τ² (between forces)", "expected_at_peer_average": "count at peer average",
                      "p_value": "p", "vs_peer_average": "against peer average"}


def funnel_paragraph(ft: pd.DataFrame, od_tot, label: str, what: str = "Total recorded crime",
                     target: str = "the England and Wales rate") -> str:
    """Total recorded crime on the funnel: the forces outside 99.8%, and how many unadjusted limits would flag
    when the limits are overdispersion-adjusted (ft: funnel_out() rows for the total, od_tot its overdispersion row)."""
    out998 = ft[ft["position"].isin(["above 99.8%", "below 99.8%"])].sort_values("rate", ascending=False)
    n_unadj = int(ft["position_unadjusted"].isin(["above 99.8%", "below 99.8%"]).sum())
    outside = "; ".join(f"{r.force} ({r.rate:.1f}, {r.position})" for r in out998.itertuples()) if len(out998) else "none"
    if (ft["position"] == "not judged").all():
        return (f"{what} per 1,000, 12 months ending {label}, for the {len(ft)} comparable forces, around "
                f"{target} of {od_tot['target_rate_per_1000']:.1f}. No force is placed inside or outside the limits: "
                f"too few forces to estimate the variation between them.")
    return (f"{what} per 1,000, 12 months ending {label}, for the {len(ft)} comparable forces, "
            f"around {target} of {od_tot['target_rate_per_1000']:.1f}. Outside the 99.8% limits: "
            f"{outside}." + (f" Against unadjusted exact Poisson limits {n_unadj} of the {len(ft)} forces "
                             f"would be outside 99.8%: that is what overdispersion looks like, and why the adjusted "
                             f"limits are the ones judged." if bool(od_tot["overdispersion_adjusted"]) else ""))


def funnel_note(od_tot) -> str:
    """The funnel method (Spiegelhalter 2005) with the overdispersion estimate for total recorded crime."""
    return ("Method: Spiegelhalter (2005) funnel plot. Limits at 95% (z = 1.959964) and 99.8% (z = 3.090232) around "
            "the England and Wales rate. " + funnel.Overdispersion(int(od_tot['forces']), float(od_tot['phi']),
                                                                    float(od_tot['tau2'])).describe() +
            " Without overdispersion the limits are exact Poisson. Overdispersion is estimated separately for each "
            "offence group (tables/peers_overdispersion.csv); limits and positions for every group are in "
            "tables/peers_funnel.csv.")


FUNNEL_COLUMNS = {"rate": "rate per 1,000", "lower_998": "99.8% lower", "upper_998": "99.8% upper"}


def funnel_force_table(ft: pd.DataFrame) -> pd.DataFrame:
    """Every comparable force on the total funnel, highest rate first, with the page's column names."""
    return ft.sort_values("rate", ascending=False)[["force", "count", "population", "rate", "lower_998",
                                                    "upper_998", "position"]].rename(columns=FUNNEL_COLUMNS)


def focal_positions(funnel_tbl: pd.DataFrame, od_tbl: pd.DataFrame, focal: str) -> pd.DataFrame:
    """The force's funnel position for each offence group and whether its limits are overdispersion-adjusted."""
    f = funnel_tbl[funnel_tbl["force"] == focal][["offence", "rate", "lower_998", "upper_998", "position"]]
    return f.merge(od_tbl[["offence", "overdispersion_adjusted"]], on="offence").rename(
        columns={**FUNNEL_COLUMNS, "overdispersion_adjusted": "limits overdispersion-adjusted"})


def trend_sentence(tt: pd.DataFrame, focal: str, label: str) -> str:
    """What the trend chart shows, from its first 12-months-ending date to the reporting date."""
    return (f"Total recorded crime per 1,000 at each 12 months ending date from {tt['period_end'].min():%B %Y} to "
            f"{label}: {focal}, its peer average (weighted, excluding {focal}; today's peer group throughout) and "
            f"England and Wales. Annual points to March 2007, quarterly after.")


TREND_NOTE = ("Recording practice changed over these years (notably after HMICFRS crime-data-integrity inspections "
              "from 2014), so rises in recorded crime are not by themselves rises in crime. Offence group series for "
              "every group are in tables/peers_trend.csv.")


def yoy_paragraph(yoy: pd.DataFrame, end: pd.Timestamp, total: str = TOTAL) -> str:
    """The total's year-on-year sentence and how many rows change significantly, with the chance count."""
    label = end_label(end)
    prev_label = label.replace(str(end.year), str(end.year - 1))
    if yoy.empty:
        return (f"Change on the previous year: not shown, because the data do not hold the 12 months ending "
                f"{end_label(end - pd.DateOffset(years=1))} as well.")
    yt = yoy[yoy["offence"] == total].iloc[0]
    n_yoy = int(yoy["judgement"].str.startswith("significant").sum())
    return (f"Change on the previous year: {yoy_sentence(yt, label, prev_label)} Over the {len(yoy)} rows "
            f"(total and offence groups), {n_yoy} are significant rises or falls by the same test; "
            f"{chance_flags(len(yoy))}.")


YOY_NOTE = ("Method: quasi-Poisson z-test on the two 12-month counts, z = (x₁ − x₀) ÷ √(φ(x₁ + x₀)), two-sided "
            "p = 2Φ(−|z|); 'significant' means p < 0.05. φ (the dispersion) is estimated from the force's own "
            "series: the mean of the squared Poisson z, (x_t − x_{t−1}) ÷ √(x_t + x_{t−1}), over its earlier "
            "year-on-year changes for the 12 months ending on the same date in earlier years (not the change "
            f"tested), floored at 1; at least {YOY_MIN_HISTORY} earlier changes are needed (project domain notes "
            "§3.8). Recorded crime varies far more from year to year than a Poisson count would (φ well above 1), "
            "and a Poisson-only test would call most changes in large counts significant; φ also absorbs real past "
            "trends, such as recording improvements, so the test asks whether this year's change is unusual for "
            "this force. The test is on counts; the rates are shown for information (the populations barely "
            "change).")
YOY_COLUMNS = {"previous_count": "previous 12 months", "change_pct": "change %", "rate_per_1000": "rate",
               "previous_rate_per_1000": "previous rate", "phi": "φ (dispersion)",
               "phi_changes": "earlier changes used for φ", "p_value": "p"}
