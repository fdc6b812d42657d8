"""Funnel plots for rates per head (Spiegelhalter 2005), with the overdispersion adjustment of FunnelPlotR.

A unit with count O and population n has expected count E = θ·n under the target rate θ = ΣO/Σn. Its
standardised ratio O/E is compared with limits that narrow as E grows:

- without overdispersion: exact Poisson limits for a count with mean E, divided by E, i.e.
  [χ²_{α/2}(2E)/2, χ²_{1−α/2}(2E+2)/2] / E (Garwood; FunnelPlotR R/calculate_limits.R, SR method). They are
  computed with rates.poisson_exact_ci(E, exposure=E, alpha), the same function as the intervals for rates;
- with overdispersion (SHMI method, Spiegelhalter 2005 §3): on the log scale y = log(O/E), s = 1/√E, limits
  exp(±z·√(s² + τ²)).

Overdispersion (FunnelPlotR R/od_adjustment.R; DerSimonian & Laird 1986; project domain notes §3.6):
z_i = (y_i − log θ̂/θ)/s_i (here y_i − 0, because E uses θ); φ = (1/k)·Σ z_i²; if k·φ > k − 1 then τ² = (k·φ − (k − 1)) / (Σw − Σw²/Σw) with w = 1/s², else τ² = 0. The
adjusted limits are used only when τ² > 0 ("overdispersed"); the page says which limits were drawn.

FunnelPlotR winsorises the z_i at the 10th/90th percentiles before φ by default. That understates φ and so τ²
when there are no outliers: in simulation (40 forces whose true rates differ by a log-normal spread, plus Poisson
noise; tests/stats/test_funnel.py) 11.5% of forces fall outside the 95% limits with it and 4.7% without. A
scrutiny page that flags twice the share it claims is confidently wrong, so the default here is no winsorising
(TRIM = 0; `trim` keeps the option). An outlying force then widens the limits a little: conservative.

Limits are given as rates (per `per` people), i.e. θ × ratio limit. z: 95% = 1.959964, 99.8% = 3.090232 (FunnelPlotR).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scrutiny.stats import distributions, rates

Z95 = 1.959964
Z998 = 3.090232
TRIM = 0.0  # winsorising fraction for φ (FunnelPlotR's default 0.1 understates τ²: see above)


def weighted_rate(counts, populations, per: float = 1000.0) -> float:
    """Weighted (pooled) rate: per × Σcounts / Σpopulation, as HMICFRS uses for MSG and all-force averages."""
    c = np.asarray(counts, dtype=float)
    p = np.asarray(populations, dtype=float)
    return float(per * c.sum() / p.sum())


def alpha_for(z: float) -> float:
    """Two-sided tail probability for a z multiplier (z = 1.959964 -> 0.05; z = 3.090232 -> 0.002)."""
    return 2 * distributions.norm_sf(z)


@dataclass(frozen=True)
class Overdispersion:
    """The overdispersion estimate: k units, φ (mean squared z), τ² and whether it is applied."""

    k: int
    phi: float
    tau2: float

    @property
    def applied(self) -> bool:
        return self.tau2 > 0

    def describe(self) -> str:
        rule = f"k·φ = {self.k * self.phi:,.1f} against k − 1 = {self.k - 1}"
        if self.applied:
            return (f"The data are overdispersed ({rule}; φ = {self.phi:,.2f}), so the limits are widened by a "
                    f"random-effects term τ² = {self.tau2:.4g} (DerSimonian–Laird).")
        return f"The data are not overdispersed ({rule}), so exact Poisson limits are drawn without adjustment."


def winsorise(z, trim: float = TRIM) -> np.ndarray:
    """Clamp values below the `trim` quantile and above the 1 − trim quantile to those quantiles (linear
    interpolation between order statistics, as R's default quantile type 7 and numpy's default)."""
    z = np.asarray(z, dtype=float)
    lo, hi = np.quantile(z, [trim, 1 - trim])
    return np.clip(z, lo, hi)


def overdispersion(z, s, trim: float = TRIM) -> Overdispersion:
    """φ and τ² from unit z-scores and standard errors (FunnelPlotR od_adjustment; DerSimonian–Laird)."""
    z = np.asarray(z, dtype=float)
    s = np.asarray(s, dtype=float)
    k = len(z)
    phi = float(np.mean(winsorise(z, trim) ** 2))
    if k * phi > k - 1:
        w = 1 / s ** 2
        tau2 = (k * phi - (k - 1)) / (w.sum() - (w ** 2).sum() / w.sum())
        tau2 = max(float(tau2), 0.0)
    else:
        tau2 = 0.0
    return Overdispersion(k=k, phi=phi, tau2=tau2)


def ratio_limits(expected, z: float, tau2: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits for O/E at expected count(s) E: exact Poisson when τ² = 0, else SHMI log scale."""
    e = np.atleast_1d(np.asarray(expected, dtype=float))
    if tau2 > 0:
        half = z * np.sqrt(1 / e + tau2)
        return np.exp(-half), np.exp(half)
    a = alpha_for(z)
    lims = np.array([rates.poisson_exact_ci(x, exposure=x, alpha=a) for x in e])
    return lims[:, 0], lims[:, 1]


def rate_limits(target: float, population, z: float, tau2: float = 0.0, per: float = 1000.0):
    """Funnel limits as rates per `per` people at the given population(s), around `target` (also per `per`)."""
    pop = np.atleast_1d(np.asarray(population, dtype=float))
    lo, hi = ratio_limits(target / per * pop, z, tau2)
    return target * lo, target * hi


def funnel(frame: pd.DataFrame, target: float | None = None, per: float = 1000.0) -> tuple[pd.DataFrame, Overdispersion, float]:
    """Place each unit (columns unit, count, population) on the funnel.

    target: the rate per `per` to centre on (default: the pooled rate of the units). Returns (table, od, target):
    the table has the rate, expected count, z-score, the 95% and 99.8% limits at its population (overdispersion-
    adjusted when the data are overdispersed) and `position` ('above 99.8%', 'above 95%', 'within 95%',
    'below 95%', 'below 99.8%'), and `position_unadjusted`, the same against exact Poisson limits (τ² = 0)."""
    d = frame.copy()
    if target is None:
        target = weighted_rate(d["count"], d["population"], per)
    d["rate"] = per * d["count"] / d["population"]
    d["expected"] = target / per * d["population"]
    y = np.log(d["count"].astype(float) / d["expected"])
    s = 1 / np.sqrt(d["expected"])
    d["z"] = y / s
    od = overdispersion(d["z"], s)
    for lab, z in (("95", Z95), ("998", Z998)):
        lo, hi = rate_limits(target, d["population"], z, od.tau2, per)
        d[f"lower_{lab}"], d[f"upper_{lab}"] = lo, hi
    d["position"] = _position(d["rate"], d["lower_95"], d["upper_95"], d["lower_998"], d["upper_998"])
    if od.applied:  # for the record: where the unadjusted exact Poisson limits would have put each unit
        lo95, hi95 = rate_limits(target, d["population"], Z95, 0.0, per)
        lo998, hi998 = rate_limits(target, d["population"], Z998, 0.0, per)
        d["position_unadjusted"] = _position(d["rate"], lo95, hi95, lo998, hi998)
    else:
        d["position_unadjusted"] = d["position"]
    return d, od, target


def _position(rate, lo95, hi95, lo998, hi998) -> np.ndarray:
    return np.select([rate > hi998, rate > hi95, rate < lo998, rate < lo95],
                     ["above 99.8%", "above 95%", "below 99.8%", "below 95%"], "within 95%")


def curve(target: float, pop_min: float, pop_max: float, tau2: float = 0.0, per: float = 1000.0,
          points: int = 120) -> pd.DataFrame:
    """The funnel lines to draw: populations on a log grid and the 95%/99.8% limits at each."""
    pops = np.exp(np.linspace(math.log(pop_min), math.log(pop_max), points))
    out = {"population": pops}
    for lab, z in (("95", Z95), ("998", Z998)):
        out[f"lower_{lab}"], out[f"upper_{lab}"] = rate_limits(target, pops, z, tau2, per)
    return pd.DataFrame(out)
