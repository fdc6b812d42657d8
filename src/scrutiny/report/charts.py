"""Altair charts. They only draw frames computed elsewhere (never recompute), and render as static SVG
through vl-convert so pages draw with no network and the same inputs give the same bytes.

One palette for the whole pack: the Okabe–Ito colour-blind-safe colours (Okabe & Ito 2008, "Color Universal
Design"), the light ones darkened, so every colour has at least 3:1 contrast against white (WCAG 2.1
success criterion 1.4.11, non-text contrast; tests/report/test_charts.py computes it). Special cause is shown by shape
as well as colour: a point outside the process limits is a diamond, another special-cause rule a triangle.
"""

from __future__ import annotations

import math
import os

import altair as alt
import pandas as pd

# Okabe–Ito: blue, vermillion, bluish green (darkened), reddish purple (darkened), grey, black.
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#C35400",
    "green": "#007A5E",
    "purple": "#A3478A",
    "grey": "#6E6E6E",
    "black": "#0B0C0C",
}
# series colours in order, for charts with several lines or groups
SERIES = [PALETTE[k] for k in ("blue", "vermillion", "green", "purple", "grey", "black")]

# Making Data Count meanings in the pack palette: improvement blue, concern orange (vermillion), neutral purple,
# common cause grey.
VARIATION_COLOURS = {
    "common cause": PALETTE["grey"],
    "special cause improvement": PALETTE["blue"],
    "special cause concern": PALETTE["vermillion"],
    "special cause neutral": PALETTE["purple"],
}
LINE_COLOUR = PALETTE["black"]      # centre line
LIMIT_COLOUR = "#505A5F"            # process limits (GOV.UK dark grey, 7:1 on white)
BASELINE_FILL = "#DCE6F0"           # shading behind the baseline months (a fill, not a mark: no contrast rule)

# the point shapes, by what the SPC rules said about the month
SHAPES = {"inside the limits": "circle", "outside the process limits": "diamond",
          "another special-cause rule": "triangle-up"}

FONT = "Arial, Helvetica, sans-serif"


def theme() -> dict:
    """Pack-wide chart style: plain fonts, tick labels of 11 px, the pack palette for every category.

    Axis and legend labels are never shortened (`labelLimit` 0): they name crime types, outcomes, districts and
    forces, whose longest names are about 45 characters, and a chart wider than the page is scaled to fit it. Vega
    measures every label against a limit to decide whether to cut it, which cost about a third of the time to draw
    an XmR chart (127 ms, 88 ms without); with the limits the pack had (axis 180 px, legend 320 px) no label in any
    shipped pack was cut, and every chart of them draws byte for byte the same without."""
    return {"config": {
        "font": FONT,
        "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal", "labelColor": "#0B0C0C",
                 "titleColor": "#0B0C0C", "gridColor": "#E5E5E5", "labelLimit": 0},
        "legend": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal", "labelLimit": 0},
        "title": {"fontSize": 14, "anchor": "start", "color": "#0B0C0C"},
        "range": {"category": SERIES},
        "view": {"stroke": None},
    }}


def setup() -> None:
    """Static SVG rendering for every chart (no JavaScript, no CDN) in the pack style; frames written as chart data
    by `to_data` (the same values as Altair's default, faster). Altair's check of every chart part against the
    Vega-Lite schema as it is built (its debug mode: about 45 ms of an XmR chart's 100) runs only when
    `check_specs()` does, as the whole-spec check does."""
    from altair.utils import schemapi

    (schemapi.enable_debug_mode if check_specs() else schemapi.disable_debug_mode)()
    alt.renderers.enable("svg")
    alt.theme.register("scrutiny", enable=True)(theme)
    alt.data_transformers.register("scrutiny", to_data)
    alt.data_transformers.enable("scrutiny")


MAX_ROWS = 5000  # Altair's default limit on the rows of a chart's inline data


def to_data(data):
    """Altair data transformer (`alt.data_transformers`): a DataFrame to `values(frame)`, anything else as
    Altair's default transformer does; more than MAX_ROWS rows refused as Altair refuses them."""
    from altair.utils.data import MaxRowsError, limit_rows, to_values

    if not isinstance(data, pd.DataFrame):
        return to_values(limit_rows(data, max_rows=MAX_ROWS))
    if len(data) > MAX_ROWS:
        raise MaxRowsError.from_limit_rows(len(data), MAX_ROWS)
    return values(data)


def check_specs() -> bool:
    """Whether charts are checked against the Vega-Lite schema as they are drawn: when SCRUTINY_CHECK_CHARTS is
    set (the test suite sets it, so every chart of every pack it builds is checked). A pack run skips it: the
    check costs about 0.2 s a chart (jsonschema over the whole spec), more than drawing it, and the charts are
    built by the same code the tests check."""
    return bool(os.environ.get("SCRUTINY_CHECK_CHARTS"))


def to_svg(chart) -> str:
    """Static SVG markup for a chart or a Vega-Lite JSON string (vl-convert, no network, deterministic); a spec
    drawn before by the same renderer with the same fonts is taken from the chart cache (report/chart_cache.py)."""
    from scrutiny.report import chart_cache

    spec = chart if isinstance(chart, str) else chart.to_json(validate=check_specs())
    svg = chart_cache.get(spec)
    if svg is None:
        import vl_convert as vlc
        from altair.utils._importers import vl_version_for_vl_convert

        svg = vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
        chart_cache.put(spec, svg)
    return svg


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour '#RRGGBB'."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05), lighter over darker."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _month_short(month: str) -> str:
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{names[int(month[5:7]) - 1]} {month[:4]}"


def values(frame: pd.DataFrame) -> dict:
    """A frame as Vega-Lite inline data, `{"values": records}`, exactly as Altair writes a DataFrame (its
    sanitize_pandas_dataframe: NaN and infinities to null, numpy numbers to Python numbers, dates to ISO strings,
    then one record per row), built column by column. Altair's own conversion costs about 25 ms a frame and runs
    again for every layer given the frame. Columns of other types go through Altair's conversion one at a time,
    so the result is the same whatever the frame holds."""
    import numpy as np
    from altair.utils.core import sanitize_pandas_dataframe

    if not len(frame.columns):
        return {"values": [{} for _ in range(len(frame))]}
    cols = []
    for name in frame.columns:
        s = frame[name]
        dt = s.dtype
        if isinstance(dt, np.dtype) and dt.kind in "biu":
            col = s.tolist()
        elif isinstance(dt, np.dtype) and dt.kind == "f":
            col = [v if math.isfinite(v) else None for v in s.tolist()]
        elif isinstance(dt, np.dtype) and dt.kind == "O":
            col = [None if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else
                   v.tolist() if isinstance(v, np.ndarray) else v.item() if isinstance(v, np.generic) else v
                   for v in s.tolist()]
        elif isinstance(dt, pd.StringDtype):
            col = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in s.tolist()]
        else:
            col = [r[str(name)] for r in
                   sanitize_pandas_dataframe(frame[[name]].reset_index(drop=True)).to_dict(orient="records")]
        cols.append((str(name), col))
    names = [n for n, _ in cols]
    return {"values": [dict(zip(names, row)) for row in zip(*(c for _, c in cols))]}


def month_axis(month_list: list[str], title: str = "Month", max_labels: int = 13) -> alt.Axis:
    """An axis for a month index 0..n-1 that reads 'Jul 2022', labelling every k-th month (k keeps ≤ max_labels)."""
    n = len(month_list)
    step = max(1, math.ceil(n / max_labels))
    ticks = list(range(0, n, step))
    labels = "[" + ",".join(f"'{_month_short(m)}'" for m in month_list) + "]"
    return alt.Axis(title=title, values=ticks, labelExpr=f"{labels}[datum.value]", labelAngle=-40,
                    grid=False, labelFontSize=11)


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.1f}"


def point_kind(rule: str) -> str:
    """What the SPC rules said about a month, as the legend says it: the key of SHAPES."""
    if rule == "outside limits":
        return "outside the process limits"
    return "another special-cause rule" if rule else "inside the limits"


# legend entries for the points: (kind, variation) in a fixed order
POINT_STYLE = {
    "Common cause (inside the limits, no rule)": ("inside the limits", "common cause"),
    "Outside the limits: concern": ("outside the process limits", "special cause concern"),
    "Outside the limits: improvement": ("outside the process limits", "special cause improvement"),
    "Outside the limits: no direction set": ("outside the process limits", "special cause neutral"),
    "Run, trend or 2 of 3 near a limit: concern": ("another special-cause rule", "special cause concern"),
    "Run, trend or 2 of 3 near a limit: improvement": ("another special-cause rule", "special cause improvement"),
    "Run, trend or 2 of 3 near a limit: no direction set": ("another special-cause rule", "special cause neutral"),
}
POINT_ORDER = list(POINT_STYLE)


def point_label(kind: str, variation: str) -> str:
    """The legend entry of a point from its kind (point_kind) and its SPC variation."""
    for label, (k, v) in POINT_STYLE.items():
        if k == kind and v == variation:
            return label
    return POINT_ORDER[0]


def xmr_chart(frame: pd.DataFrame, title: str, width: int = 640, height: int = 220,
              y_title: str | None = None, x_title: str = "Month") -> alt.LayerChart:
    """XmR chart of one series drawn from its SPC frame (never recomputed).

    Reads columns month, value, centre, lower, upper, variation, rule; and, when present, baseline (bool: the
    months the limits were computed from, shaded) and break_before (bool: a series break before this month,
    drawn as a vertical rule labelled "series break"). Centre and limits are drawn row by row as steps, so
    limits that change after a break are drawn as they are. A lower limit below zero is drawn at 0 (counts
    cannot be negative); the y axis starts at 0. Limit and centre lines are labelled with their last values.
    y_title: default "Crimes recorded per month" ("Incidents recorded per month" for anti-social behaviour)."""
    d = frame.reset_index(drop=True).copy()
    if y_title is None:
        asb = "measure" in d and d["measure"].astype(str).str.contains("anti_social").any()
        y_title = "Incidents recorded per month" if asb else "Crimes recorded per month"
    n = len(d)
    d["i"] = [float(k) for k in range(n)]  # floats: integer fields are read as counts by suppression
    d["rule"] = d["rule"].fillna("").astype(str)
    d["kind"] = d["rule"].map(point_kind)
    d["kind_size"] = d["kind"]  # a separate field, so the size scale does not swallow the shape legend
    d["lower"] = d["lower"].clip(lower=0)
    d["left"], d["right"] = d["i"] - 0.5, d["i"] + 0.5
    d["point"] = [point_label(k, v) for k, v in zip(d["kind"], d["variation"])]
    present = [c for c in POINT_ORDER if c in set(d["point"])]
    # the fields the line, point and limit layers draw (the SPC frame's other columns would only be copied)
    drawn = d[["month", "i", "left", "right", "value", "centre", "lower", "upper", "point", "kind_size", "variation",
               "rule"]]
    months = d["month"].astype(str).tolist()
    x_scale = alt.Scale(domain=[-0.5, n - 0.5], nice=False, zero=False)
    y_scale = alt.Scale(zero=True, nice=True)
    layers = []

    if "baseline" in d and d["baseline"].fillna(False).astype(bool).any():
        # one shaded run per segment (limits are rebased after a series break): contiguous baseline months
        flags = d["baseline"].fillna(False).astype(bool).to_numpy()
        seg = d["segment"].to_numpy() if "segment" in d else [0] * len(d)
        runs, start = [], None
        for i, f in enumerate(list(flags) + [False]):
            if start is not None and (i == len(flags) or not f or seg[i] != seg[start]):
                runs.append((start, i - 1))
                start = None
            if f and start is None:
                start = i
        shade = pd.DataFrame({"x": [a - 0.5 for a, _ in runs], "x2": [b + 0.5 for _, b in runs],
                              "label": [f"baseline: {b - a + 1} months" for a, b in runs]})
        layers.append(alt.Chart(shade).mark_rect(color=BASELINE_FILL, opacity=0.6).encode(
            x=alt.X("x:Q", scale=x_scale, axis=month_axis(months, x_title)), x2=alt.X2("x2:Q")))
        layers.append(alt.Chart(shade).mark_text(align="left", baseline="top", dx=3, dy=3, fontSize=11,
                                                 color="#505A5F").encode(
            x=alt.X("x:Q", scale=x_scale), y=alt.YValue(0), text=alt.Text("label:N")))

    def steps(col: str, dash=None, colour=LIMIT_COLOUR, width_=1.2):
        kw = {"strokeDash": dash} if dash else {}
        return alt.Chart().mark_rule(color=colour, strokeWidth=width_, **kw).encode(
            x=alt.X("left:Q", scale=x_scale, axis=month_axis(months, x_title)), x2=alt.X2("right:Q"),
            y=alt.Y(f"{col}:Q", scale=y_scale, title=y_title))

    layers += [steps("upper", [5, 3]), steps("lower", [5, 3]), steps("centre", None, LINE_COLOUR, 1.5)]

    if "break_before" in d and d["break_before"].fillna(False).astype(bool).any():
        br = d[d["break_before"].fillna(False).astype(bool)][["i"]].copy()
        br["x"] = br["i"] - 0.5
        br["label"] = "series break"
        layers.append(alt.Chart(br).mark_rule(color=PALETTE["black"], strokeWidth=1.5, strokeDash=[2, 2]).encode(
            x=alt.X("x:Q", scale=x_scale)))
        layers.append(alt.Chart(br).mark_text(align="left", baseline="bottom", dx=3, dy=-3, fontSize=11,
                                              color=PALETTE["black"]).encode(
            x=alt.X("x:Q", scale=x_scale), y=alt.YValue(height), text=alt.Text("label:N")))

    if "repeated_rows" in d:
        rep = d[d["repeated_rows"].fillna(0) > 0.01 * d["value"].clip(lower=1)][["i"]].copy()
        if len(rep):  # months whose file repeats Crime IDs (each crime counted once): marked, not hidden
            rep["label"] = "repeats"
            layers.append(alt.Chart(rep).mark_text(align="center", baseline="top", dy=2, fontSize=10,
                                                   color=PALETTE["black"]).encode(
                x=alt.X("i:Q", scale=x_scale), y=alt.YValue(0), text=alt.Text("label:N")))

    layers.append(alt.Chart().mark_line(color=PALETTE["grey"], strokeWidth=1).encode(
        x=alt.X("i:Q", scale=x_scale, axis=month_axis(months, x_title)),
        y=alt.Y("value:Q", scale=y_scale, title=y_title)))
    layers.append(alt.Chart().mark_point(filled=True, opacity=1, stroke="#FFFFFF", strokeWidth=0.5).encode(
        x=alt.X("i:Q", scale=x_scale),
        y=alt.Y("value:Q", scale=y_scale, title=y_title),
        color=alt.Color("point:N", title=None, scale=alt.Scale(domain=present, range=[
            VARIATION_COLOURS[POINT_STYLE[c][1]] for c in present]),
            legend=alt.Legend(orient="bottom", direction="vertical", columns=2, symbolSize=90)),
        shape=alt.Shape("point:N", title=None, scale=alt.Scale(domain=present, range=[
            SHAPES[POINT_STYLE[c][0]] for c in present])),
        size=alt.Size("kind_size:N", scale=alt.Scale(domain=list(SHAPES), range=[30, 130, 80]), legend=None),
        tooltip=[alt.Tooltip(f) for f in ("month:N", "value:Q", "variation:N", "rule:N")]))

    last = d.iloc[-1]
    lab = pd.DataFrame({
        "x": [n - 0.5] * 3,
        "y": [last["upper"], last["centre"], last["lower"]],
        "text": [f"Upper limit {_fmt(last['upper'])}", f"Average {_fmt(last['centre'])}",
                 f"Lower limit {_fmt(last['lower'])}"],
    })
    lab = _spread(lab, height, d[["value", "upper", "lower", "centre"]].max().max())
    layers.append(alt.Chart(lab).mark_text(align="left", dx=4, fontSize=11, color="#0B0C0C").encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text=alt.Text("text:N")))

    # the line, point and limit layers read the chart's data (given once, not copied into each layer)
    return alt.layer(*layers, data=drawn, title=title, width=width, height=height)


def _spread(lab: pd.DataFrame, height: int, top: float, gap_px: float = 13) -> pd.DataFrame:
    """Nudge right-end labels apart (in data units) so they do not overprint when limits are close."""
    if not top or math.isnan(top):
        return lab
    unit = top * 1.1 / height  # data units per pixel (the axis runs from 0 to a little above the top)
    gap = gap_px * unit
    ys = lab["y"].tolist()  # upper, centre, lower: descending
    for k in (1, 2):
        if ys[k - 1] - ys[k] < gap:
            ys[k] = ys[k - 1] - gap
    lab = lab.copy()
    lab["y"] = ys
    return lab


def rate_lines(frame: pd.DataFrame, x: str, series: dict[str, str], title: str, y_title: str = "share of crimes",
               width: int = 640, height: int = 220, x_title: str = "Month recorded") -> alt.Chart:
    """Lines of several rate columns (0–1) against an ordinal x; series maps column -> legend label."""
    d = frame[[x, *series]].melt(id_vars=[x], var_name="series", value_name="rate").dropna()
    d["series"] = d["series"].map(series)
    labels = list(series.values())
    xs = list(dict.fromkeys(d[x].astype(str)))
    step = max(1, math.ceil(len(xs) / 13))
    legend = alt.Legend(orient="bottom", direction="vertical", title=None)
    return alt.Chart(d).mark_line(point=True).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=-40, labelFontSize=11, values=xs[::step])),
        y=alt.Y("rate:Q", title=_sentence(y_title), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", sort=labels, scale=alt.Scale(domain=labels, range=SERIES[:len(labels)]),
                        legend=legend),
        shape=alt.Shape("series:N", sort=labels, scale=alt.Scale(domain=labels, range=LINE_SHAPES[:len(labels)]),
                        legend=legend),
    ).properties(title=title, width=width, height=height)


LINE_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]


def step_curve(frame: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str,
               width: int = 640, height: int = 220) -> alt.Chart:
    """A cumulative step curve (e.g. Kaplan–Meier share outcomed by months since recording)."""
    d = frame[[x, y]].copy()
    return alt.Chart(d).mark_line(interpolate="step-after", point=True, color=PALETTE["blue"]).encode(
        x=alt.X(f"{x}:Q", title=_sentence(x_title), scale=alt.Scale(zero=True)),
        y=alt.Y(f"{y}:Q", title=_sentence(y_title), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
    ).properties(title=title, width=width, height=height)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _label_shifts(population, rate, y_max: float, gap: float = 0.035) -> list[int]:
    """Vertical offsets (px) for point labels so that two labels close in population (log scale) and rate do not
    print over each other: a label within `gap` of the axis height of the one below it moves up a line."""
    import math

    shifts, placed = [], []
    for pop, r in zip(population, rate):
        sh = 0
        for (p2, r2, s2) in placed:
            if abs(math.log10(pop) - math.log10(p2)) < 0.15 and abs(r - r2) / max(y_max, 1e-9) < gap and s2 == sh:
                sh = -11 if sh == 0 else 0
        placed.append((pop, r, sh))
        shifts.append(sh)
    return shifts


def funnel_chart(points: pd.DataFrame, limits: pd.DataFrame, target: float, focal: str, group: list[str],
                 title: str, width: int = 640, height: int = 380,
                 target_label: str = "England and Wales rate") -> alt.LayerChart:
    """Funnel plot: units (columns force, population, rate, position) against population on a log scale, the
    95% (dashed) and 99.8% (solid) limit lines from funnel.curve() (`limits`) and the target line; the focal force
    red, its peers blue, and labels for them and for any unit outside 99.8%."""
    lines = limits.melt("population", var_name="line", value_name="rate")
    lines["limits"] = lines["line"].map({"lower_95": "95% limits", "upper_95": "95% limits",
                                         "lower_998": "99.8% limits", "upper_998": "99.8% limits"})
    pts = points[["force", "population", "rate", "position"]].assign(group=points["force"].map(
        lambda f: "focal force" if f == focal else ("peer" if f in group else "other force")))
    x = alt.X("population:Q", scale=alt.Scale(type="log", domain=[float(limits["population"].min()),
                                                                  float(limits["population"].max())], nice=False),
              title="Resident population (log scale)")
    # limits and the target told apart by line style and named in a legend, not drawn alike
    base_l = alt.Chart(lines).mark_line(strokeWidth=1.2, color=PALETTE["grey"]).encode(
        x=x, y=alt.Y("rate:Q", title="Rate per 1,000 residents"), detail=alt.Detail("line:N"),
        strokeDash=alt.StrokeDash("limits:N", title=None, scale=alt.Scale(
            domain=["95% limits", "99.8% limits"], range=[[5, 3], [1, 0]]),
            legend=alt.Legend(orient="bottom", symbolStrokeColor=PALETTE["grey"])))
    t = pd.DataFrame({"y": [target], "label": [f"{target_label} {target:,.1f}"]})
    tline = alt.Chart(t).mark_rule(color=PALETTE["black"], strokeWidth=1.5).encode(y=alt.Y("y:Q"))
    tlabel = alt.Chart(t).mark_text(align="right", baseline="bottom", dy=-3, fontSize=11,
                                    color=PALETTE["black"]).encode(y=alt.Y("y:Q"), x=alt.XValue(width), text=alt.Text("label:N"))
    dots = alt.Chart(pts).mark_circle(size=60, opacity=1).encode(
        x=x, y=alt.Y("rate:Q"), color=alt.Color("group:N", title=None, scale=alt.Scale(
            domain=["focal force", "peer", "other force"],
            range=[PALETTE["vermillion"], PALETTE["blue"], PALETTE["grey"]])),
        tooltip=[alt.Tooltip(f) for f in ("force:N", "rate:Q", "position:N")])
    lab = pts[(pts["group"] != "other force") | pts["position"].str.contains("99.8")].sort_values("rate").copy()
    lab["shift"] = _label_shifts(lab["population"].to_numpy(), lab["rate"].to_numpy(),
                                 float(max(limits.drop(columns="population").max().max(), pts["rate"].max())))
    labels = [alt.Chart(lab[lab["shift"] == sh]).mark_text(align="left", dx=6, dy=sh, fontSize=10).encode(
        x=x, y=alt.Y("rate:Q"), text=alt.Text("force:N")) for sh in sorted(set(lab["shift"]))]
    return alt.layer(base_l, tline, tlabel, dots, *labels).properties(width=width, height=height, title=title)


def peer_trend_chart(trend: pd.DataFrame, focal: str, title: str, width: int = 640,
                     height: int = 260, x_title: str = "12 months ending",
                     all_label: str = "England and Wales") -> alt.Chart:
    """Rate per 1,000 over time for the force, its peer average and England and Wales (columns period_end,
    force, peer_average, england_wales, as peers.trend() returns)."""
    tl = trend[["period_end", "force", "peer_average", "england_wales"]].melt(
        "period_end", var_name="series", value_name="rate")
    tl["series"] = tl["series"].map({"force": focal, "peer_average": "peer average", "england_wales": all_label})
    tl["period_end"] = pd.to_datetime(tl["period_end"])
    return alt.Chart(tl).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("period_end:T", title=x_title), y=alt.Y("rate:Q", title="Rate per 1,000 residents"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=[focal, "peer average", all_label], range=[PALETTE["vermillion"], PALETTE["blue"], PALETTE["grey"]])),
    ).properties(width=width, height=height, title=title)


def rate_ratio_chart(disp: pd.DataFrame, title: str, width: int = 560, height: int = 200) -> alt.LayerChart | None:
    """Rate ratios to White with their 95% intervals (log scale), one row per ethnic group other than White and
    one point per definition, from stopsearch.disproportionality(); a dashed line at ratio 1. None when no
    group has a ratio (all suppressed)."""
    plot = disp[disp["ratio_to_white"].notna() & (disp["ethnic_group"] != "White")]
    if not len(plot):
        return None
    base = alt.Chart(plot).encode(y=alt.Y("ethnic_group:N", title=None), yOffset=alt.YOffset("definition:N"),
                                  color=alt.Color("definition:N", title="ethnicity"))
    return (base.mark_rule().encode(x=alt.X("ci_low:Q", scale=alt.Scale(type="log"),
                                            title="rate ratio to White (log scale), 95% interval"), x2=alt.X2("ci_high:Q"))
            + base.mark_point(filled=True, size=60).encode(x=alt.X("ratio_to_white:Q"))
            + alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 3], color="#231f20").encode(x=alt.X("x:Q"))
            ).properties(width=width, height=height, title=title)


def small_multiples(frame: pd.DataFrame, labels: dict[str, str], title: str, columns: int = 4, width: int = 200,
                    height: int = 70, y_title: str | None = None) -> alt.FacetChart:
    """Small multiples: one small line chart per measure (panels in the order of `labels`, measure id -> label),
    every panel on the same month axis, each count axis from 0 on its own scale.

    Reads columns measure, month, value and, when present, break_before (bool: a series break before this month,
    drawn as a dashed vertical rule labelled "break"). Drawn from the frame, never recomputed."""
    d = frame[frame["measure"].isin(labels)].copy()
    month_list = sorted(d["month"].astype(str).unique())
    pos = {m: float(k) for k, m in enumerate(month_list)}
    d["i"] = d["month"].astype(str).map(pos)
    d["label"] = d["measure"].map(labels)
    d["brk"] = d["break_before"].fillna(False).astype(bool) if "break_before" in d else False
    d["xb"] = d["i"] - 0.5
    d = d[["label", "month", "i", "value", "brk", "xb"]]
    n = len(month_list)
    x_scale = alt.Scale(domain=[-0.5, n - 0.5], nice=False, zero=False)
    axis = month_axis(month_list, None, max_labels=7)
    line = alt.Chart().mark_line(color=PALETTE["blue"], strokeWidth=1.5).encode(
        x=alt.X("i:Q", scale=x_scale, axis=axis),
        y=alt.Y("value:Q", scale=alt.Scale(zero=True, nice=True), title=y_title,
                axis=alt.Axis(format=",~f", tickMinStep=1, tickCount=2, labelOverlap="greedy",
                              labelFontSize=11)))
    layers = [line]
    if bool(d["brk"].any()):
        breaks = alt.Chart().transform_filter("datum.brk").encode(x=alt.X("xb:Q", scale=x_scale))
        layers += [breaks.mark_rule(color=PALETTE["black"], strokeWidth=1.2, strokeDash=[2, 2]),
                   breaks.mark_text(align="left", baseline="top", dx=2, dy=1, fontSize=10,
                                    color=PALETTE["black"]).encode(y=alt.YValue(0), text=alt.TextValue("break"))]
    return alt.layer(*layers, data=d).properties(width=width, height=height).facet(
        facet=alt.Facet("label:N", sort=list(labels.values()), title=None,
                        header=alt.Header(labelFontSize=12, labelAnchor="start", labelLimit=width)),
        columns=columns, title=title).resolve_scale(y="independent").configure_facet(spacing=18)
