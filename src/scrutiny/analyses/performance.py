"""Performance summary: SPC, comparisons and sentences for every measure × area.

For each series: XmR chart over the whole period with limits from the first `baseline` months;
the reporting month (last month of the period) against the previous month, the same month last
year and the baseline monthly average (the centre line); rolling 12 months against the previous
12 with the exact conditional Poisson test. "Exceptional" means the reporting month lies outside
the SPC process limits (rule: astronomical point).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from scrutiny import reuse
from scrutiny.analyses import measures, narrative
from scrutiny.analyses.measures import Catalogue
from scrutiny.analyses.summary import frame as summary_frame
from scrutiny.reference import months
from scrutiny.stats import breaks, dispersion, spc

QUARTER_END = {"03", "06", "09", "12"}


BREAK_COLUMNS = ["measure", "area", "month", "before_mean", "after_mean", "ratio", "method", "source"]
CHANGE_COLUMNS = ["measure", "area", "last12", "prev12", "change", "pct_change", "method", "dispersion", "p_value",
                  "significant"]
MIN_JUDGE = 6          # months a segment needs before its limits judge a point (Wheeler: trial limits from 5-6)
MIN_VOLUME = 50        # a series' neighbouring months must average this many for a volume check to mean anything


def _series_columns(frame: pd.DataFrame, columns=None):
    """(measure, area, {column: that series' values by month}) for each series in order of first appearance: one
    stable sort of the whole table, then array slices (a groupby, a sort and a frame per series cost more than
    the series' own sums). columns: the columns wanted (default: all)."""
    if not len(frame):
        return
    codes, pairs = pd.factorize(pd.MultiIndex.from_arrays([frame["measure"], frame["area"]]))
    order = np.lexsort((frame["month"].to_numpy(dtype=object), codes))
    cols = {c: frame[c].to_numpy()[order] for c in (frame.columns if columns is None else columns) if c in frame}
    ends = np.flatnonzero(np.diff(codes[order])) + 1
    for (mid, area), a, b in zip(pairs, [0, *ends], [*ends, len(frame)]):
        yield mid, area, {c: v[a:b] for c, v in cols.items()}


def _series(monthly: pd.DataFrame):
    """(measure, area, that series' rows by month, indexed 0..n-1) in order of first appearance."""
    if not len(monthly):
        return
    codes, _ = pd.factorize(pd.MultiIndex.from_arrays([monthly["measure"], monthly["area"]]))
    ordered = monthly.iloc[np.lexsort((monthly["month"].to_numpy(dtype=object), codes))].reset_index(drop=True)
    ends = [0, *(np.flatnonzero(np.diff(np.sort(codes))) + 1), len(ordered)]
    for a, b in zip(ends[:-1], ends[1:]):
        g = ordered.iloc[a:b].reset_index(drop=True)
        yield g["measure"].iloc[0], g["area"].iloc[0], g


def _centred_median(v: np.ndarray, window: int = 7, min_periods: int = 3) -> np.ndarray:
    """pandas' rolling(window, center=True, min_periods).median(): the median of the months within window // 2 on
    each side (fewer at the ends), blank where fewer than min_periods are there."""
    half = window // 2
    padded = np.concatenate([np.full(half, np.nan), np.asarray(v, dtype=float), np.full(half, np.nan)])
    w = np.lib.stride_tricks.sliding_window_view(padded, window)
    have = (~np.isnan(w)).sum(axis=1)
    out = np.full(len(v), np.nan)
    ok = have >= min_periods
    if ok.any():
        out[ok] = np.nanmedian(w[ok], axis=1)
    return out


def _window_means(values, at: int, window: int = breaks.WINDOW) -> tuple[float, float]:
    return float(values[max(0, at - window):at].mean()), float(values[at:at + window].mean())


# the name the performance and districts pages keep their shared series under (reuse.once); the sections that read
# it name it in config.sections (Section.shares), so that they are not started side by side
SHARED_SERIES = "performance-series"


def prepare(street_parquet, p, catalogue: Catalogue, min_count: int | None = None,
            keep_in: str | Path | None = None) -> dict:
    """Everything the performance and districts pages share, from the prepared street table and the params:
    counts, monthly (one crime per Crime ID in its month), districts, breaks (detected and declared), the XmR
    frame rebased after breaks, and the per-series summary.

    keep_in: the pack's work folder; the result is then computed once for both pages (`reuse.once`), keyed by
    the table's size and modification time, the params, the catalogue, min_count and the package's code."""
    if keep_in is not None:
        st = Path(street_parquet).stat()
        key = {"table": [str(Path(street_parquet).resolve()), st.st_size, st.st_mtime_ns],
               "params": p.model_dump(mode="json"), "catalogue": dataclasses.asdict(catalogue),
               "min_count": min_count, "code": reuse.code_version()}
        return reuse.once(keep_in, SHARED_SERIES, key,
                          lambda: prepare(street_parquet, p, catalogue, min_count=min_count))
    period = (p.period.start, p.period.end)
    counts = measures.type_counts(street_parquet, period)
    monthly = measures.monthly(counts, catalogue, period, p.performance.district_min_share)
    found = find_breaks(monthly, catalogue, [b.model_dump() for b in p.spc.breaks])
    chart_frame = spc_table(monthly, catalogue, p.spc.baseline_months, p.spc.rules, found)
    return {"counts": counts, "monthly": monthly,
            "districts": measures.districts(counts, p.performance.district_min_share), "breaks": found,
            "chart_frame": chart_frame,
            "summary": summarise(chart_frame, catalogue, min_count=min_count, monthly=monthly)}


def find_breaks(monthly: pd.DataFrame, catalogue: Catalogue, declared=()) -> pd.DataFrame:
    """Series breaks for every measure × area: detected (breaks.detect) and declared in params (spc.breaks).

    A break found in a measure also breaks every measure that contains its crime types (all crime contains
    criminal damage and arson), in the same area; a break found at force level breaks every area of that
    measure (a recording change is force-wide). Breaks within a month of one another in a series are one break;
    a declared break wins over a detected one. Columns: BREAK_COLUMNS (source: detected or declared).
    """
    series = {(mid, area): g for mid, area, g in _series(monthly)}
    areas = list(dict.fromkeys(monthly["area"]))
    found = []  # (measure, area, month index, source, method, priority)
    for (mid, area), g in series.items():
        for b in breaks.detect(g["value"].to_numpy()):
            found.append((mid, area, b.at, "detected", breaks.METHOD, 1))
    for d in declared:
        mid, month = d["measure"], d["month"]
        for area in ([d["area"]] if d.get("area") else areas):
            g = series.get((mid, area))
            if g is None or month not in set(g["month"]):
                continue
            at = int(g.index[g["month"] == month][0])
            found.append((mid, area, at, "declared", f"declared in params: {d.get('reason', '')}".strip(), 0))
    spread = []
    for mid, area, at, source, method, pri in found:
        targets = areas if area == "force" else [area]
        types = set(catalogue.get(mid).types())
        for m in catalogue.measures:
            if not types <= set(m.types()):
                continue
            for a in targets:
                if (m.id, a) not in series:
                    continue
                how = method
                if m.id != mid or a != area:
                    how = f"{method}; found in {catalogue.get(mid).label.lower()} ({'force' if area == 'force' else area})"
                spread.append((m.id, a, at, source, how, pri if (m.id, a) == (mid, area) else pri + 2))
    rows = []
    for (mid, area), g in series.items():
        mine = sorted([f for f in spread if f[0] == mid and f[1] == area], key=lambda f: (f[5], f[2]))
        kept = []
        for f in mine:
            if all(abs(f[2] - k[2]) > 1 for k in kept):
                kept.append(f)
        v = g["value"].to_numpy(dtype=float)
        for _, _, at, source, how, _ in sorted(kept, key=lambda f: f[2]):
            before, after = _window_means(v, at)
            rows.append({"measure": mid, "area": area, "month": g["month"].iloc[at], "before_mean": before,
                         "after_mean": after, "ratio": after / before if before > 0 else float("nan"),
                         "method": how, "source": source})
    return pd.DataFrame(rows, columns=BREAK_COLUMNS)


def spc_table(monthly: pd.DataFrame, catalogue: Catalogue, baseline: int, rules: str,
              breaks_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """XmR frames for every measure × area, stacked: measure, area, month + spc.xmr columns.

    Limits are rebased after each series break (breaks_frame, from find_breaks). `repeated_rows`: rows of the month
    that repeat a Crime ID already counted (not counted again; charts mark such months). `volume_ratio` is set where a
    month is implausibly far from its neighbouring months (breaks.implausible_volume; a file cut short), for
    series whose neighbouring months average at least MIN_VOLUME; such a month is a data problem, not a signal.
    """
    declared: dict[tuple, list] = {}
    if breaks_frame is not None and len(breaks_frame):
        for mid, area, month in zip(breaks_frame["measure"], breaks_frame["area"], breaks_frame["month"]):
            declared.setdefault((mid, area), []).append(month)
    parts: dict[str, list] = {}
    for mid, area, g in _series_columns(monthly, ["month", "value", "rows_as_published"]):
        n = len(g["month"])
        where = {m: i for i, m in reversed(list(enumerate(g["month"])))}  # a month's first position
        starts = [where[m] for m in declared.get((mid, area), [])]
        v = g["value"]
        x, _ = spc.xmr_columns(v, baseline=baseline, rules=rules, improvement=catalogue.get(mid).direction,
                               breaks=starts, counts=True)
        ratio = breaks.implausible_volume(v)
        big = _centred_median(v) >= MIN_VOLUME
        rep = g["rows_as_published"] - v if "rows_as_published" in g else np.zeros(n)
        for k, col in (("measure", np.full(n, mid, dtype=object)), ("area", np.full(n, area, dtype=object)),
                       ("month", g["month"]), *x.items(),
                       ("volume_ratio", np.where(big, ratio, np.nan)), ("repeated_rows", rep.astype("int64"))):
            parts.setdefault(k, []).append(col)
    return pd.DataFrame({k: np.concatenate(v) for k, v in parts.items()})


def _break_month(segment: np.ndarray, break_before: np.ndarray, month: np.ndarray, i: int) -> str | None:
    """The month of the series break between point i and the last point, if any (the latest one)."""
    if segment[i] == segment[-1]:
        return None
    starts = np.flatnonzero(break_before & (np.arange(len(month)) > i))
    return month[starts[-1]]


def series_summary(chart: pd.DataFrame, direction: str) -> dict:
    """Comparisons for the last point of one series' XmR frame (segments from any series break respected)."""
    chart = chart.sort_values("month", kind="stable")
    return _summary_of({c: chart[c].to_numpy() for c in chart.columns}, direction)


def _summary_of(col: dict[str, np.ndarray], direction: str) -> dict:
    """series_summary on the series' columns as arrays, in month order."""
    n = len(col["month"])
    month = col["month"][-1]
    value = col["value"].astype(float)
    by_month = dict(zip(col["month"].tolist(), col["value"].tolist()))
    prev_m, smly_m = months.shift(month, -1), months.shift(month, -12)
    seg = col["segment"] if "segment" in col else np.zeros(n, dtype=int)
    bb = col["break_before"].astype(bool) if "break_before" in col else np.zeros(n, dtype=bool)
    in_last = seg == seg[-1]
    seg_len = int(in_last.sum())
    judged = seg_len >= MIN_JUDGE and pd.notna(col["upper"][-1])
    vr = col["volume_ratio"][-1] if "volume_ratio" in col else None
    data_problem = vr is not None and pd.notna(vr)
    verdict = judged and not data_problem
    out = {
        "month": month, "value": float(value[-1]),
        "rows_as_published": None,
        "previous_month": by_month.get(prev_m), "same_month_last_year": by_month.get(smly_m),
        "previous_month_break": _break_month(seg, bb, col["month"], n - 2) if n >= 2 else None,
        "same_month_last_year_break": _break_month(seg, bb, col["month"], n - 13) if n >= 13 else None,
        "monthly_average": float(col["centre"][-1]), "lower": float(col["lower"][-1]),
        "upper": float(col["upper"][-1]),
        "special_cause": col["special_cause"][-1] if verdict else "",
        "rule": col["rule"][-1] if verdict else "",
        "variation": col["variation"][-1] if verdict else "not judged",
        "exceptional": bool(verdict and col["rule"][-1] == "outside limits"),
        "direction": direction, "breaks": list(col["month"][bb]) if "break_before" in col else [],
        "segment_months": seg_len, "limits_judged": bool(judged),
        "volume_ratio": float(vr) if data_problem else None,
        "baseline_outside": int(col["baseline_outside"][in_last].sum()) if "baseline_outside" in col else 0,
        "r12": None, "prev12": None, "r12_pvalue": None, "r12_significant": None, "r12_method": None,
        "r12_dispersion": None, "r12_break": None,
    }
    if n >= 24:
        r12 = float(value[-12:].sum())
        p12 = float(value[-24:-12].sum())
        out.update(r12=r12, prev12=p12)
        straddle = _break_month(seg, bb, col["month"], n - 24)
        if straddle:
            out.update(r12_break=straddle, r12_method=f"not tested: series break in {months.label(straddle)}")
        else:
            disp = dispersion.moving_range_dispersion(value[-24:])
            t = dispersion.quasi_poisson_2indep(r12, p12, disp)
            out.update(r12_pvalue=t.pvalue, r12_significant=t.significant(), r12_method=t.method,
                       r12_dispersion=t.dispersion)
    return out


def change_table(summary: pd.DataFrame) -> pd.DataFrame:
    """tables/performance_change.csv: rolling 12 months against the previous 12 for every measure × area."""
    d = summary[summary["r12"].notna()].copy()
    d["change"] = d["r12"] - d["prev12"]
    d["pct_change"] = [100 * c / p if p else float("nan") for c, p in zip(d["change"], d["prev12"])]
    out = d.rename(columns={"r12": "last12", "prev12": "prev12", "r12_method": "method",
                            "r12_dispersion": "dispersion", "r12_pvalue": "p_value", "r12_significant": "significant"})
    return out[CHANGE_COLUMNS].reset_index(drop=True)


def chance_note(summary: pd.DataFrame, alpha: float = 0.05) -> str:
    """How many signals chance alone would give across the series judged on a page."""
    tested = summary[summary["r12_pvalue"].notna()]
    flagged = int(tested["r12_significant"].fillna(False).astype(bool).sum())
    judged = summary[summary["limits_judged"].astype(bool)]
    outside = int(judged["exceptional"].astype(bool).sum())
    untested = int(summary["r12"].notna().sum()) - len(tested)
    return (f"Many series are judged on this page. Of {len(tested)} rolling 12-month comparisons tested at the "
            f"{alpha:.0%} level, about {dispersion.expected_false_signals(len(tested), alpha):.1f} would be called "
            f"significant by chance alone if nothing had changed; {flagged} were."
            + (f" {untested} were not tested because a series break falls inside the 24 months compared."
               if untested else "")
            + f" A month outside 3-sigma process limits happens by chance about 3 times in 1,000: across the "
            f"{len(judged)} series judged in the reporting month about {len(judged) * 0.0027:.1f} would be expected; "
            f"{outside} were outside.")


def summarise(spc_frame: pd.DataFrame, catalogue: Catalogue, min_count: int | None = None,
              monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per measure × area: the reporting-month comparisons, SPC verdict and sentences.

    min_count (params disclosure.min_count): counts below it are written as [c] in the sentences.
    monthly: the monthly table, for the rows as published beside the crimes counted."""
    rows = []
    published = ({} if monthly is None or "rows_as_published" not in monthly else
                 monthly.set_index(["measure", "area", "month"])["rows_as_published"].to_dict())
    for mid, area, g in _series_columns(spc_frame):
        m = catalogue.get(mid)
        s = _summary_of(g, m.direction)
        s.update(measure=mid, area=area, label=m.label)
        s["rows_as_published"] = published.get((mid, area, s["month"]))
        prev_label = months.label(months.shift(s["month"], -1))
        s["sentence"] = narrative.monthly_sentence(
            m.noun, s["value"], months.label(s["month"]), prev_label,
            None if s["previous_month_break"] else s["previous_month"], s["monthly_average"], min_count=min_count)
        if s["previous_month_break"]:
            s["sentence"] += (f" The previous month is not compared: a series break starts in "
                              f"{months.label(s['previous_month_break'])}.")
        if s["r12"] is None:
            s["rolling_sentence"] = "Fewer than 24 months in the period: no rolling 12-month comparison."
        elif s["r12_break"]:
            s["rolling_sentence"] = narrative.rolling_sentence_not_tested(
                s["r12"], s["prev12"], months.label(s["month"]), months.label(s["r12_break"]), min_count=min_count)
        else:
            s["rolling_sentence"] = narrative.rolling_sentence(
                s["r12"], s["prev12"], months.label(s["month"]), s["r12_pvalue"], min_count=min_count,
                dispersion=s["r12_dispersion"])
        rows.append(s)
    cols = ["measure", "label", "area", "month", "value", "rows_as_published", "previous_month",
            "previous_month_break", "same_month_last_year", "same_month_last_year_break", "monthly_average", "lower",
            "upper", "exceptional", "special_cause", "rule", "variation", "limits_judged", "segment_months", "breaks",
            "volume_ratio", "baseline_outside", "r12", "prev12", "r12_method", "r12_dispersion", "r12_pvalue",
            "r12_significant", "r12_break", "direction", "sentence", "rolling_sentence"]
    return pd.DataFrame(rows)[cols]


def included(inclusion: str, month: str, exceptional: bool) -> bool:
    """Summary-table inclusion rule: 'Month & quarter' always; 'Quarter unless exceptional' at quarter ends
    or when the force or a district is exceptional."""
    if inclusion == "Month & quarter":
        return True
    return month.split("-")[1] in QUARTER_END or exceptional


def commentary(summary: pd.DataFrame, measure_id: str) -> str:
    """Commentary for one measure: series breaks first, then data problems, then exceptional volumes (the force
    and every district outside its process limits, rebased after a break)."""
    s = summary[summary["measure"] == measure_id]
    f = s[s["area"] == "force"].iloc[0]
    parts = []
    if f["breaks"]:
        parts.append(narrative.break_phrase([months.label(b) for b in f["breaks"]]))
    if f["volume_ratio"] is not None and pd.notna(f["volume_ratio"]):
        parts.append(narrative.volume_phrase(months.label(f["month"]), f["volume_ratio"]))
    elif not f["limits_judged"]:
        parts.append(f"Too few months since the series break ({f['segment_months']}) to judge "
                     f"{months.label(f['month'])} against process limits.")
    d = s[(s["area"] != "force") & s["exceptional"]]
    parts.append(narrative.exceptional_phrase(f["special_cause"] if f["exceptional"] else "",
                                              [(r["area"], r["special_cause"]) for _, r in d.iterrows()]))
    return " ".join(parts)


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
            "data": narrative.summary_data(f["value"], None if f["previous_month_break"] else f["previous_month"],
                                           f["monthly_average"]),
            "commentary": commentary(summary, m.id),
            "link": f"{link}#{m.id}",
        })
    return summary_frame(rows)


def repeated_rows(monthly: pd.DataFrame) -> int:
    """Rows in the period that repeat a Crime ID already counted in its month (all police.uk crime types)."""
    f = monthly[monthly["area"] == "force"]
    ids = {"all_crime", "anti_social_behaviour"} & set(f["measure"])
    f = f[f["measure"].isin(ids)] if ids else f
    return int((f["rows_as_published"] - f["value"]).sum())


def breaks_sentence(found: pd.DataFrame, chart_frame: pd.DataFrame, catalogue: Catalogue | None = None) -> str:
    """What the break check found, in words, with the baseline-stability check beside it."""
    labels = {m.id: m.label.lower() for m in catalogue.measures} if catalogue else {}
    n_series = chart_frame.groupby(["measure", "area"]).ngroups
    unstable = chart_frame[chart_frame["baseline_outside"]].groupby(["measure", "area"]).size()
    unstable = unstable[unstable >= 2]
    stab = (f" Baseline stability: {len(unstable)} series have two or more baseline months outside the limits "
            f"computed from those same months (a stable process puts about 3 in 1,000 points there): "
            + ", ".join(f"{labels.get(m, m)} ({a})" for m, a in unstable.index[:8]) + ("…" if len(unstable) > 8 else "") +
            "; their limits are less trustworthy." if len(unstable) else
            " Baseline stability: no series has two or more baseline months outside its own limits.")
    if found.empty:
        return f"No series break was found in the {n_series} series checked." + stab
    own = found[~found["method"].str.contains("; found in", regex=False)]
    top = own.sort_values("ratio", key=lambda r: (r.where(r >= 1, 1 / r)), ascending=False).head(6)
    lead = "; ".join(f"{labels.get(r.measure, r.measure)} ({r.area}) in {months.label(r.month)}, "
                     f"{r.before_mean:,.0f} to {r.after_mean:,.0f} a month" for r in top.itertuples())
    return (f"{len(found)} series break(s) in {found.groupby(['measure', 'area']).ngroups} of {n_series} series "
            f"({len(own)} found in the series itself, the rest carried from a crime type inside the measure or from "
            f"the force level). The largest: {lead}. Limits are rebased after each break and no comparison across "
            f"it is judged." + stab)


def breaks_display(found: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The breaks table as shown: measure label, area, month name, means, ratio, how found."""
    d = found.copy()
    d["measure"] = [catalogue.get(m).label for m in d["measure"]]
    d["month"] = d["month"].map(months.label)
    d["source"] = d["source"].map({"detected": "Detected", "declared": "Declared"})
    return d.rename(columns={"measure": "Measure", "area": "Area", "month": "First month after the break",
                             "before_mean": "Monthly mean before", "after_mean": "Monthly mean after",
                             "ratio": "Ratio", "method": "How found", "source": "Source"})


def area_table(s: pd.DataFrame, month_label: str) -> pd.DataFrame:
    """One measure's comparisons by area, as shown under its chart (p-values as text, no program values)."""
    t = pd.DataFrame({
        "Area": s["area"], month_label: s["value"].astype("int64"),
        "Previous month": s["previous_month"], "Same month last year": s["same_month_last_year"],
        "Monthly average": s["monthly_average"], "Lower limit": s["lower"], "Upper limit": s["upper"],
        "SPC verdict": s["variation"], "SPC rule": s["rule"].replace("", "none"),
        "Last 12 months": s["r12"], "Previous 12 months": s["prev12"],
        "Rolling 12-month test": [("not tested (series break)" if b else "") if p is None or pd.isna(p) else
                                  narrative.fmt_p(p) + (", significant" if p < 0.05 else "")
                                  for p, b in zip(s["r12_pvalue"], s["r12_break"])],
    })
    return t


# Police and Crime Plan priorities when params give none (params plan.priorities): the national crime and policing
# measures' groupings (domain notes §2.2) with the police.uk categories that fall under them.
DEFAULT_PRIORITIES = [
    {"name": "Reduce neighbourhood crime", "measures": ["neighbourhood_crime", "burglary", "robbery", "vehicle_crime",
                                                        "theft_from_the_person", "bicycle_theft", "other_theft",
                                                        "shoplifting"]},
    {"name": "Reduce violence", "measures": ["violence_and_sexual_offences", "possession_of_weapons"]},
    {"name": "Tackle anti-social behaviour and damage", "measures": ["anti_social_behaviour",
                                                                     "criminal_damage_and_arson", "public_order"]},
    {"name": "Disrupt drugs supply", "measures": ["drugs"]},
    {"name": "Overall crime", "measures": ["all_crime", "other_crime"]},
]


def priority_of(measure_id: str, priorities=None) -> str:
    """The plan priority a measure sits under ('Other measures' when none names it)."""
    for p in priorities or DEFAULT_PRIORITIES:
        p = p if isinstance(p, dict) else p.model_dump()
        if measure_id in p["measures"]:
            return p["name"]
    return "Other measures"


def findings(summary: pd.DataFrame, found: pd.DataFrame, catalogue: Catalogue, priorities=None,
             link: str = "performance.html") -> pd.DataFrame:
    """The performance findings that questions are asked about (questions.FINDING_COLUMNS): data problems and
    series breaks at force level, months outside the limits in the unwanted direction (force or district), and
    significant rolling 12-month changes in the unwanted direction."""
    from scrutiny.analyses.questions import FINDING_COLUMNS

    rows = []

    def add(kind, m, area, text, csv, evidence):
        rows.append({"section": "performance", "kind": kind, "priority": priority_of(m.id, priorities),
                     "measure": m.id, "label": m.label, "area": area, "finding": text, "evidence": evidence,
                     "link": f"{link}#{m.id}", "csv": csv, "row_key": f"measure={m.id};area={area}"})

    own = found[~found["method"].str.contains("; found in", regex=False)] if len(found) else found
    for m in catalogue.measures:
        s = summary[summary["measure"] == m.id]
        bad = {"down": "high", "up": "low"}.get(m.direction)
        for _, r in s.iterrows():
            area = r["area"]
            where = "for the force" if area == "force" else f"in {area}"
            if area == "force" and r["volume_ratio"] is not None and pd.notna(r["volume_ratio"]):
                add("data_problem", m, area, f"{m.label}: {months.label(r['month'])} holds {r['volume_ratio']:.2f} "
                    "times the median of its neighbouring months, more than chance or season moves a month.",
                    "tables/performance_spc.csv", f"{link}#{m.id}")
            if area == "force":
                for b in own[(own["measure"] == m.id) & (own["area"] == "force")].itertuples():
                    add("series_break", m, area, f"{m.label} for the force steps from about {b.before_mean:,.0f} to "
                        f"{b.after_mean:,.0f} a month in {months.label(b.month)} ({b.source}).",
                        "tables/performance_breaks.csv", "data-quality.html#series-breaks")
            if r["exceptional"] and bad and r["special_cause"] == bad:
                add("exceptional", m, area, f"{m.label} {where}: {narrative.fmt_count(r['value'])} in "
                    f"{months.label(r['month'])}, {'above the upper' if bad == 'high' else 'below the lower'} process "
                    f"limit of {narrative.fmt_mean(r['upper'] if bad == 'high' else r['lower'])} (SPC rule 1).",
                    "tables/performance_spc.csv", f"{link}#{m.id}")
            if r["r12_significant"] is True and bad and r["prev12"]:
                up = r["r12"] > r["prev12"]
                if (bad == "high") == up:
                    pct = 100 * (r["r12"] - r["prev12"]) / r["prev12"]
                    add("worse", m, area, f"{m.label} {where}: {narrative.fmt_count(r['r12'])} in the 12 months to "
                        f"{months.label(r['month'])}, {abs(pct):.1f}% {'more' if up else 'fewer'} than the 12 months "
                        f"before ({narrative.fmt_count(r['prev12'])}; quasi-Poisson test, "
                        f"{narrative.fmt_p(r['r12_pvalue'])}).", "tables/performance_change.csv", f"{link}#{m.id}")
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


QUARTER_COLUMNS = ["priority", "measure", "label", "quarter", "quarter_value", "same_quarter_last_year",
                   "quarter_change_pct", "quarter_pvalue", "ytd_label", "ytd_value", "ytd_last_year", "ytd_change_pct",
                   "r12", "prev12", "r12_change_pct", "r12_pvalue", "r12_note", "signal", "direction", "verdict",
                   "verdict_reason", "link"]
VERDICT_ORDER = {"data problem": 0, "series break": 1, "worse": 2, "better": 3, "changed": 4, "no clear change": 5}


def reporting_quarter(last_month: str) -> list[str]:
    """The latest complete financial quarter ending at or before the reporting month."""
    q = months.financial_quarter_months(last_month)
    return q if q[-1] == last_month else months.financial_quarter_months(months.shift(q[0], -1))


def _pct(a, b):
    return 100.0 * (a - b) / b if b else float("nan")


def quarter_view(chart_frame: pd.DataFrame, summary: pd.DataFrame, catalogue: Catalogue, priorities=None,
                 link: str = "performance.html") -> pd.DataFrame:
    """The front page's quarterly view, one row per measure at force level (QUARTER_COLUMNS).

    The reporting quarter is the latest complete financial quarter; it is compared with the same quarter a year
    earlier by the quasi-Poisson test (dispersion from the series' moving range over the last 24 months; not judged
    across a series break); the financial year to date with the same months a year earlier; and the rolling 12
    months as on the performance page. `signal`: the SPC rule that fired in the quarter's months, if any. The verdict
    follows stated rules, first that applies: "data problem" (a month of the quarter implausible against its
    neighbours), "series break" (a break inside the 24 months compared), "worse"/"better" (a significant quarter or
    rolling 12-month change, or an SPC signal in the quarter, in the direction the catalogue wants or not; "changed"
    when the measure has no desired direction), else "no clear change"."""
    rows = []
    for m in catalogue.measures:
        ch = chart_frame[(chart_frame["measure"] == m.id) & (chart_frame["area"] == "force")].sort_values("month")
        sm = summary[(summary["measure"] == m.id) & (summary["area"] == "force")].iloc[0]
        ch = ch.reset_index(drop=True)
        by = dict(zip(ch["month"], ch["value"]))
        seg = dict(zip(ch["month"], ch["segment"]))
        q = reporting_quarter(ch["month"].iloc[-1])
        ly = [months.shift(x, -12) for x in q]
        qv = sum(by.get(x, float("nan")) for x in q)
        lyv = sum(by[x] for x in ly) if all(x in by for x in ly) else float("nan")
        broken = any(seg.get(x) != seg.get(q[-1]) for x in ly if x in seg)
        qp = float("nan")
        if lyv == lyv and not broken:
            window = ch[ch["month"] <= q[-1]].tail(24)["value"].to_numpy()
            qp = dispersion.quasi_poisson_2indep(qv, lyv, dispersion.moving_range_dispersion(window)).pvalue
        ytd, ytd_ly = months.financial_year_to_date(q[-1] if ch["month"].iloc[-1] == q[-1] else ch["month"].iloc[-1])
        yv = sum(by.get(x, float("nan")) for x in ytd)
        ylv = sum(by[x] for x in ytd_ly) if all(x in by for x in ytd_ly) else float("nan")
        inq = ch[ch["month"].isin(q)]
        fired = inq[inq["rule"] != ""]
        groups: dict[tuple, list] = {}
        for r in fired.itertuples():
            groups.setdefault((r.rule, r.variation), []).append(r.month)
        signal = ("; ".join(f"{rule}, {var.replace('special cause ', '')} ({months.period_label(ms[0], ms[-1])})"
                            for (rule, var), ms in groups.items()) if groups else "none")
        bad_month = inq["volume_ratio"].notna().any() if "volume_ratio" in inq else False
        r12_break = sm["r12_break"] if isinstance(sm["r12_break"], str) else None
        want = {"down": -1, "up": 1}.get(m.direction)
        moves = []
        if qp == qp and qp < 0.05:
            moves.append((1 if qv > lyv else -1, f"quarter vs same quarter last year, {narrative.fmt_p(qp)}"))
        if sm["r12_significant"] is True:
            moves.append((1 if sm["r12"] > sm["prev12"] else -1,
                          f"rolling 12 months, {narrative.fmt_p(sm['r12_pvalue'])}"))
        sides: dict[tuple, list] = {}
        for r in fired.itertuples():
            if r.special_cause:
                sides.setdefault((r.rule, r.special_cause), []).append(r.month)
        for (rule, side), ms in sides.items():
            moves.append((1 if side == "high" else -1, f"SPC {rule} ({months.period_label(ms[0], ms[-1])})"))
        if bad_month:
            verdict, why = "data problem", "a month of the quarter is implausible against its neighbours"
        elif broken and (r12_break or sm["r12"] is None or sm["r12"] != sm["r12"]):
            b = r12_break or next(x for x in ly if seg.get(x) != seg.get(q[-1]))
            verdict, why = "series break", f"series break inside the months compared ({months.label(b)})"
        elif moves and want is None:
            verdict, why = "changed", "; ".join(w for _, w in moves) + " (no desired direction set)"
        elif moves:
            good = [w for d, w in moves if d == want]
            bad = [w for d, w in moves if d != want]
            verdict = "worse" if bad and not good else "better" if good and not bad else "no clear change"
            why = "; ".join(bad or good) if verdict != "no clear change" else "signals point both ways: " + \
                "; ".join(w for _, w in moves)
        elif lyv != lyv and (sm["r12"] is None or sm["r12"] != sm["r12"]):
            verdict, why = "no clear change", ("no data a year earlier to compare with, and no SPC signal in the "
                                               "quarter")
        else:
            verdict, why = "no clear change", "no significant change and no SPC signal in the quarter"
        if verdict not in ("data problem", "series break") and (r12_break or broken):
            why += (f"; series break in {months.label(r12_break or ch.loc[ch['break_before'], 'month'].iloc[-1])}: "
                    "comparisons across it not judged")
        rows.append({
            "priority": priority_of(m.id, priorities), "measure": m.id, "label": m.label,
            "quarter": months.financial_quarter_long(q[-1]), "quarter_value": qv, "same_quarter_last_year": lyv,
            "quarter_change_pct": _pct(qv, lyv) if not broken else float("nan"), "quarter_pvalue": qp,
            "ytd_label": f"{months.period_label(ytd[0], ytd[-1])} ({months.financial_year(ytd[-1])} to date)",
            "ytd_value": yv, "ytd_last_year": ylv,
            "ytd_change_pct": _pct(yv, ylv) if not any(seg.get(x) != seg.get(ytd[-1]) for x in ytd_ly if x in seg)
            else float("nan"),
            "r12": sm["r12"], "prev12": sm["prev12"],
            "r12_change_pct": _pct(sm["r12"], sm["prev12"]) if sm["r12"] == sm["r12"] and not r12_break and
            sm["r12"] is not None else float("nan"),
            "r12_pvalue": sm["r12_pvalue"],
            "r12_note": (f"not judged: series break in {months.label(r12_break)}" if r12_break else
                         "quasi-Poisson test" if sm["r12_pvalue"] == sm["r12_pvalue"] and sm["r12_pvalue"] is not None
                         else ""),
            "signal": signal, "direction": m.direction, "verdict": verdict, "verdict_reason": why,
            "link": f"{link}#{m.id}"})
    out = pd.DataFrame(rows, columns=QUARTER_COLUMNS)
    out["_o"] = out["verdict"].map(VERDICT_ORDER)
    return out.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
