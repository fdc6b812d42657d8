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

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import funnel, rates
from .pfa import CITY_OF_LONDON, GROUPS, TERRITORIAL, TOTAL, force_name

NEIGHBOUR_LABEL = "statistical neighbours (not the Home Office MSG)"
MSG_LABEL = "most similar group (official list supplied)"
WINDOW_YEARS = 3
NEIGHBOUR_VARIABLES = {
    "log10_population": "log10 of the resident population (ONS mid-year estimate at the reporting point)",
    "total_rate": f"total recorded crime (excluding fraud) per 1,000, mean of the {WINDOW_YEARS} 12-month periods "
                  "ending at the reporting point and one and two years before",
    **{f"share: {g}": f"share of total recorded crime that is {g.lower()}, same {WINDOW_YEARS} periods" for g in GROUPS},
}
MSG_COLUMNS = ["force", "peer", "source", "as_of"]


def comparable_forces() -> list[str]:
    """Forces in per-resident comparisons: the 43 territorial PFAs less City of London (BTP has no PFA)."""
    return [f for f in TERRITORIAL if f != CITY_OF_LONDON]


def neighbour_features(rates_long: pd.DataFrame, period_end: pd.Timestamp) -> pd.DataFrame:
    """One row per comparable force: the NEIGHBOUR_VARIABLES (unstandardised), from crime_with_population output."""
    ends = [period_end - pd.DateOffset(years=i) for i in range(WINDOW_YEARS)]
    d = rates_long[rates_long["period_end"].isin(ends) & rates_long["force"].isin(comparable_forces())]
    if d["period_end"].nunique() < WINDOW_YEARS:
        raise ValueError(f"statistical neighbours need the {WINDOW_YEARS} 12-month periods ending "
                         f"{', '.join(str(e.date()) for e in ends)}; the data have {sorted(d['period_end'].dt.date.unique())}")
    tot = d[d["offence"] == TOTAL]
    if tot["population"].isna().any():
        raise ValueError("statistical neighbours need a population for every force in the window")
    feats = pd.DataFrame(index=pd.Index(sorted(tot["force"].unique()), name="force"))
    cur = tot[tot["period_end"] == period_end].set_index("force")
    feats["log10_population"] = np.log10(cur["population"].astype(float))
    feats["total_rate"] = (1000 * tot["count"] / tot["population"]).groupby(tot["force"]).mean()
    summed = d.groupby(["force", "offence"])["count"].sum().unstack()
    for g in GROUPS:
        feats[f"share: {g}"] = summed[g] / summed[TOTAL]
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


@dataclass(frozen=True)
class MsgFile:
    """An official peer group list as supplied: the rows, with where it came from."""

    path: Path
    sha256: str
    rows: pd.DataFrame

    def peers_of(self, force: str) -> list[str]:
        r = self.rows[self.rows["force"] == force]
        if r.empty:
            raise ValueError(f"{self.path.name}: no peers listed for {force!r}")
        return list(r["peer"])

    def provenance(self, force: str) -> str:
        r = self.rows[self.rows["force"] == force]
        src = "; ".join(sorted(set(r["source"])))
        asof = ", ".join(sorted(set(r["as_of"])))
        return f"{self.path.name} (sha256 {self.sha256[:16]}…): source {src}; as of {asof}"


def read_msg(path: Path) -> MsgFile:
    """Read and check an official MSG CSV (force, peer, source, as_of); ValueError says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"peers.msg_file: {path} not found")
    raw = path.read_bytes()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in MSG_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"peers.msg_file {path.name}: missing column(s) {missing}; expected {MSG_COLUMNS}")
    df = df[MSG_COLUMNS].apply(lambda s: s.str.strip())
    if df.empty:
        raise ValueError(f"peers.msg_file {path.name}: no rows")
    for c in ("force", "peer"):
        try:
            df[c] = df[c].map(force_name)
        except ValueError as e:
            raise ValueError(f"peers.msg_file {path.name}: column {c}: {e}") from None
    if (df["source"] == "").any():
        raise ValueError(f"peers.msg_file {path.name}: every row needs a source")
    for v in df["as_of"]:
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            raise ValueError(f"peers.msg_file {path.name}: as_of must be a date YYYY-MM-DD, got {v!r}") from None
    if (df["force"] == df["peer"]).any():
        raise ValueError(f"peers.msg_file {path.name}: a force is listed as its own peer")
    if df.duplicated(["force", "peer"]).any():
        raise ValueError(f"peers.msg_file {path.name}: a force-peer pair is listed twice")
    return MsgFile(path=path, sha256=hashlib.sha256(raw).hexdigest(), rows=df.reset_index(drop=True))


def rate_table(d: pd.DataFrame) -> pd.DataFrame:
    """Add rate_per_1000 and its exact Poisson 95% interval (rates.poisson_exact_ci) to count/population rows."""
    d = d.copy()
    d["rate_per_1000"] = 1000 * d["count"] / d["population"]
    ci = [rates.poisson_exact_ci(c, p / 1000) if c >= 0 and p > 0 else (np.nan, np.nan)
          for c, p in zip(d["count"], d["population"])]
    d["ci_low"] = [c[0] for c in ci]
    d["ci_high"] = [c[1] for c in ci]
    return d


def compare(at: pd.DataFrame, focal: str, peers: list[str]) -> pd.DataFrame:
    """Per offence: the focal force's rate and interval, peer weighted averages without and with the focal
    force, the England and Wales rate (all 43 territorial forces), ranks (1 = highest rate) among the peer group
    and among the comparable forces, and the judgement against the peer average (exact Poisson 95% interval)."""
    rows = []
    comp = comparable_forces()
    for off, g in at.groupby("offence", sort=False):
        g = g.set_index("force")
        f = g.loc[focal]
        lo, hi = rates.poisson_exact_ci(f["count"], f["population"] / 1000)
        rate = 1000 * f["count"] / f["population"]
        p_ex = funnel.weighted_rate(g.loc[peers, "count"], g.loc[peers, "population"])
        p_in = funnel.weighted_rate(g.loc[peers + [focal], "count"], g.loc[peers + [focal], "population"])
        ew = funnel.weighted_rate(g.loc[TERRITORIAL, "count"], g.loc[TERRITORIAL, "population"])
        r = 1000 * g["count"] / g["population"]
        rank_peer = int((r.loc[peers] > rate).sum() + 1)
        rank_nat = int((r.loc[comp] > rate).sum() + 1)
        verdict = ("significantly above" if lo > p_ex else "significantly below" if hi < p_ex
                   else "not significantly different from")
        rows.append({"offence": off, "count": int(f["count"]), "population": int(f["population"]),
                     "rate_per_1000": rate, "ci_low": lo, "ci_high": hi,
                     "peer_average": p_ex, "peer_average_incl_force": p_in, "england_wales": ew,
                     "rank_in_group": rank_peer, "group_size": len(peers) + 1,
                     "rank_national": rank_nat, "forces_ranked": len(comp),
                     "vs_peer_average": verdict})
    return pd.DataFrame(rows)


def year_on_year(long: pd.DataFrame, focal: str, period_end: pd.Timestamp) -> pd.DataFrame:
    """Change on the same 12 months a year earlier for the focal force, exact conditional Poisson test
    (rates.poisson_2indep, exposures = the two populations)."""
    prev = period_end - pd.DateOffset(years=1)
    f = long[long["force"] == focal].set_index(["offence", "period_end"])
    rows = []
    for off in [TOTAL] + GROUPS:
        if (off, prev) not in f.index or (off, period_end) not in f.index:
            continue
        a, b = f.loc[(off, period_end)], f.loc[(off, prev)]
        t = rates.poisson_2indep(int(a["count"]), int(b["count"]), float(a["population"]), float(b["population"]))
        rows.append({"offence": off, "count": int(a["count"]), "previous_count": int(b["count"]),
                     "change": int(a["count"] - b["count"]),
                     "change_pct": 100 * (a["count"] - b["count"]) / b["count"] if b["count"] else np.nan,
                     "rate_per_1000": 1000 * a["count"] / a["population"],
                     "previous_rate_per_1000": 1000 * b["count"] / b["population"],
                     "rate_ratio": t.ratio, "p_value": t.pvalue,
                     "judgement": ("significant rise" if t.significant() and t.ratio > 1 else
                                   "significant fall" if t.significant() else "no significant change")})
    return pd.DataFrame(rows)


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


def funnels_by_offence(at: pd.DataFrame, comparable: pd.DataFrame, offences: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnel limits and positions for every offence (target: the England and Wales rate from `at`, all forces),
    and one row per offence of the overdispersion estimate (funnel.funnel; Spiegelhalter 2005)."""
    funnels, od_rows = [], []
    for off in offences:
        ew = funnel.weighted_rate(at.loc[at["offence"] == off, "count"], at.loc[at["offence"] == off, "population"])
        fr, od, _ = funnel.funnel(comparable[comparable["offence"] == off].rename(columns={"force": "unit"}),
                                  target=ew)
        funnels.append(fr.assign(offence=off))
        od_rows.append({"offence": off, "target_rate_per_1000": ew, "forces": od.k, "phi": od.phi, "tau2": od.tau2,
                        "overdispersion_adjusted": od.applied})
    return pd.concat(funnels, ignore_index=True).rename(columns={"unit": "force"}), pd.DataFrame(od_rows)
