"""Seeded police.uk-shaped street data where nothing changes, to measure how often the pack cries wolf.

Every month is drawn from one pool: the monthly total is gamma-Poisson (negative binomial) with mean `mean` and
variance `overdispersion` × mean (real force totals vary about 40 times more than Poisson), split across crime types
and districts with fixed shares (multinomial). Nothing changes over time unless `step` asks for a level shift in one
crime type from a given month. Used by the calibration tests; files are written exactly in the data.police.uk street
layout so the whole pack can run on them.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny.reference import months as months_
from scrutiny.reference.police_uk import STREET_HEADER

FORCE = "Simulated Police"
# shares roughly as in the shipped Gwent files (police.uk crime types)
SHARES = {
    "Anti-social behaviour": 0.17, "Violence and sexual offences": 0.40, "Public order": 0.11,
    "Shoplifting": 0.07, "Criminal damage and arson": 0.05, "Other theft": 0.06, "Vehicle crime": 0.04,
    "Burglary": 0.03, "Drugs": 0.025, "Other crime": 0.025, "Possession of weapons": 0.008, "Robbery": 0.005,
    "Bicycle theft": 0.004, "Theft from the person": 0.003,
}
DISTRICTS = {"Northtown": 0.35, "Southvale": 0.25, "Eastbury": 0.2, "Westford": 0.12, "Midholm": 0.08}


def monthly_counts(seed: int, period: tuple[str, str], mean: float = 5500, overdispersion: float = 40,
                   step: tuple[str, str, float] | None = None) -> pd.DataFrame:
    """Crimes per month × crime type × district: columns month, crime_type, district, n.

    step: (crime type, first month, factor) multiplies that type's expected count from that month on."""
    rng = np.random.default_rng(seed)
    ms = months_.span(*period)
    shape = mean / (overdispersion - 1)
    types = list(SHARES)
    p_type = np.array([SHARES[t] for t in types])
    p_type = p_type / p_type.sum()
    dists = list(DISTRICTS)
    p_dist = np.array([DISTRICTS[d] for d in dists])
    rows = []
    for m in ms:
        level = rng.gamma(shape, mean / shape)
        lam = level * p_type
        if step and months_.to_index(m) >= months_.to_index(step[1]):
            lam = lam.copy()
            lam[types.index(step[0])] *= step[2]
        by_type = rng.poisson(lam)
        for t, n in zip(types, by_type):
            for d, k in zip(dists, rng.multinomial(int(n), p_dist)):
                rows.append({"month": m, "crime_type": t, "district": d, "n": int(k)})
    return pd.DataFrame(rows)


def write_street_files(counts: pd.DataFrame, folder: Path, seed: int = 0) -> list[Path]:
    """One gzip CSV per month, `YYYY-MM-simulated-street.csv.gz`, in the published 12-column layout."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    out = []
    for m, g in counts.groupby("month", sort=True):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(STREET_HEADER)
        k = 0
        for r in g.itertuples():
            di = list(DISTRICTS).index(r.district)
            for _ in range(r.n):
                k += 1
                asb = r.crime_type == "Anti-social behaviour"
                cid = "" if asb else f"{m.replace('-', '')}{k:07d}{rng.integers(16 ** 8):08x}"
                lsoa = f"E0100{di:01d}{k % 1000:03d}"
                w.writerow([cid, m, FORCE, FORCE, f"{-3.0 + di / 10:.6f}", f"{51.5 + di / 10:.6f}",
                            "On or near Simulated Street", lsoa, f"{r.district} {k % 90 + 1:03d}A", r.crime_type,
                            "" if asb else "Under investigation", ""])
        p = folder / f"{m}-simulated-street.csv.gz"
        p.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
        out.append(p)
    return out
