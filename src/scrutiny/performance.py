"""Performance summary: SPC, comparisons and sentences for every measure × area.

For each series: XmR chart over the whole period with limits from the first `baseline` months;
the reporting month (last month of the period) against the previous month, the same month last
year and the baseline monthly average (the centre line); rolling 12 months against the previous
12 with the exact conditional Poisson test. "Exceptional" means the reporting month lies outside
the SPC process limits (rule: astronomical point).
"""

from __future__ import annotations

import pandas as pd

from . import months, narrative, rates, spc
from .measures import Catalogue

QUARTER_END = {"03", "06", "09", "12"}


def spc_table(monthly: pd.DataFrame, catalogue: Catalogue, baseline: int, rules: str) -> pd.DataFrame:
    """XmR frames for every measure × area, stacked: measure, area, month + spc.xmr columns."""
    frames = []
    for (mid, area), g in monthly.groupby(["measure", "area"], sort=False):
        g = g.sort_values("month")
        x = spc.xmr(g["value"].to_numpy(), baseline=baseline, rules=rules,
                    improvement=catalogue.get(mid).direction)
        x.insert(0, "month", g["month"].to_numpy())
        x.insert(0, "area", area)
        x.insert(0, "measure", mid)
        frames.append(x.reset_index(drop=True))
    return pd.concat(frames, ignore_index=True)


def series_summary(chart: pd.DataFrame, direction: str) -> dict:
    """Comparisons for the last point of one series' XmR frame."""
    chart = chart.sort_values("month").reset_index(drop=True)
    last = chart.iloc[-1]
    month = last["month"]
    by_month = dict(zip(chart["month"], chart["value"]))
    prev_m, smly_m = months.shift(month, -1), months.shift(month, -12)
    out = {
        "month": month, "value": float(last["value"]),
        "previous_month": by_month.get(prev_m), "same_month_last_year": by_month.get(smly_m),
        "monthly_average": float(last["centre"]), "lower": float(last["lower"]), "upper": float(last["upper"]),
        "special_cause": last["special_cause"], "rule": last["rule"], "variation": last["variation"],
        "exceptional": last["rule"] == "outside limits", "direction": direction,
        "r12": None, "prev12": None, "r12_pvalue": None, "r12_significant": None,
    }
    if len(chart) >= 24:
        r12 = float(chart["value"].iloc[-12:].sum())
        p12 = float(chart["value"].iloc[-24:-12].sum())
        t = rates.poisson_2indep(r12, p12)
        out.update(r12=r12, prev12=p12, r12_pvalue=t.pvalue, r12_significant=t.significant())
    return out


def summarise(spc_frame: pd.DataFrame, catalogue: Catalogue, min_count: int | None = None) -> pd.DataFrame:
    """One row per measure × area: the reporting-month comparisons, SPC verdict and sentences.

    min_count (params disclosure.min_count): counts below it are written as [c] in the sentences."""
    rows = []
    for (mid, area), g in spc_frame.groupby(["measure", "area"], sort=False):
        m = catalogue.get(mid)
        s = series_summary(g, m.direction)
        s.update(measure=mid, area=area, label=m.label)
        s["sentence"] = narrative.monthly_sentence(
            m.noun, s["value"], months.label(s["month"]), months.label(months.shift(s["month"], -1)),
            s["previous_month"], s["monthly_average"], min_count=min_count)
        s["rolling_sentence"] = (narrative.rolling_sentence(s["r12"], s["prev12"], months.label(s["month"]),
                                                            s["r12_pvalue"], min_count=min_count)
                                 if s["r12"] is not None else
                                 "Fewer than 24 months in the period: no rolling 12-month comparison.")
        rows.append(s)
    cols = ["measure", "label", "area", "month", "value", "previous_month", "same_month_last_year",
            "monthly_average", "lower", "upper", "exceptional", "special_cause", "rule", "variation",
            "r12", "prev12", "r12_pvalue", "r12_significant", "direction", "sentence", "rolling_sentence"]
    return pd.DataFrame(rows)[cols]


def included(inclusion: str, month: str, exceptional: bool) -> bool:
    """Summary-table inclusion rule: 'Month & quarter' always; 'Quarter unless exceptional' at quarter ends
    or when the force or a district is exceptional."""
    if inclusion == "Month & quarter":
        return True
    return month.split("-")[1] in QUARTER_END or exceptional


def commentary(summary: pd.DataFrame, measure_id: str) -> str:
    """Commentary on exceptional volumes for one measure: the force and every district outside its limits."""
    s = summary[summary["measure"] == measure_id]
    f = s[s["area"] == "force"].iloc[0]
    d = s[(s["area"] != "force") & s["exceptional"]]
    return narrative.exceptional_phrase(f["special_cause"] if f["exceptional"] else "",
                                        [(r["area"], r["special_cause"]) for _, r in d.iterrows()])


def summary_rows(summary: pd.DataFrame, catalogue: Catalogue, link: str = "performance.html") -> pd.DataFrame:
    """The front page Summary table: Topic | Inclusion | Data | Commentary | link, one row per measure."""
    rows = []
    for m in catalogue.measures:
        s = summary[summary["measure"] == m.id]
        f = s[s["area"] == "force"].iloc[0]
        d = s[(s["area"] != "force") & s["exceptional"]]
        any_exc = bool(f["exceptional"]) or len(d) > 0
        rows.append({
            "topic": m.label, "measure": m.id, "inclusion": m.inclusion,
            "shown": included(m.inclusion, f["month"], any_exc),
            "data": narrative.summary_data(f["value"], f["previous_month"], f["monthly_average"]),
            "commentary": commentary(summary, m.id),
            "link": f"{link}#{m.id}",
        })
    return pd.DataFrame(rows)


def charts_for(chart_frame: pd.DataFrame, title: str):
    """The XmR chart for one series (drawn from the frame, not recomputed)."""
    from .charts import xmr_chart

    return xmr_chart(chart_frame, title)
