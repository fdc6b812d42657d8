"""Altair charts. They only draw frames computed elsewhere (never recompute), and render as static SVG
through vl-convert so pages draw with no network and the same inputs give the same bytes."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Making Data Count colours: common cause grey, improvement blue, concern orange, neutral purple.
VARIATION_COLOURS = {
    "common cause": "#7B7D7D",
    "special cause improvement": "#289DE0",
    "special cause concern": "#FAB428",
    "special cause neutral": "#361475",
}


def setup() -> None:
    """Static SVG rendering for every chart (no JavaScript, no CDN)."""
    alt.renderers.enable("svg")


def to_svg(chart) -> str:
    """Static SVG markup for a chart or a Vega-Lite JSON string (vl-convert, no network, deterministic)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    spec = chart if isinstance(chart, str) else chart.to_json()
    return vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def xmr_chart(frame: pd.DataFrame, title: str, width: int = 640, height: int = 220) -> alt.LayerChart:
    """XmR chart of one series: values coloured by SPC variation, centre line and process limits."""
    d = frame[["month", "value", "centre", "lower", "upper", "variation", "rule"]].copy()
    d["rule"] = d["rule"].replace("", "none")
    base = alt.Chart(d).encode(x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-60)))
    line = base.mark_line(color="#7B7D7D", strokeWidth=1).encode(y=alt.Y("value:Q", title="count"))
    pts = base.mark_circle(size=40, opacity=1).encode(
        y="value:Q",
        color=alt.Color("variation:N", title="SPC variation",
                        scale=alt.Scale(domain=list(VARIATION_COLOURS), range=list(VARIATION_COLOURS.values()))),
        tooltip=["month:O", "value:Q", "variation:N", "rule:N"])
    centre = base.mark_line(color="#231f20", strokeWidth=1).encode(y="centre:Q")
    upper = base.mark_line(color="#231f20", strokeDash=[4, 3], strokeWidth=1).encode(y="upper:Q")
    lower = base.mark_line(color="#231f20", strokeDash=[4, 3], strokeWidth=1).encode(y="lower:Q")
    return alt.layer(line, centre, upper, lower, pts).properties(title=title, width=width, height=height)


def rate_lines(frame: pd.DataFrame, x: str, series: dict[str, str], title: str, y_title: str = "share of crimes",
               width: int = 640, height: int = 220) -> alt.Chart:
    """Lines of several rate columns (0–1) against an ordinal x; series maps column -> legend label."""
    d = frame[[x, *series]].melt(id_vars=[x], var_name="series", value_name="rate").dropna()
    d["series"] = d["series"].map(series)
    return alt.Chart(d).mark_line(point=True).encode(
        x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("rate:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=None, sort=list(series.values())),
    ).properties(title=title, width=width, height=height)


def step_curve(frame: pd.DataFrame, x: str, y: str, title: str, x_title: str, y_title: str,
               width: int = 640, height: int = 220) -> alt.Chart:
    """A cumulative step curve (e.g. Kaplan–Meier share outcomed by months since recording)."""
    d = frame[[x, y]].copy()
    return alt.Chart(d).mark_line(interpolate="step-after", point=True).encode(
        x=alt.X(f"{x}:Q", title=x_title),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
    ).properties(title=title, width=width, height=height)


def funnel_chart(points: pd.DataFrame, limits: pd.DataFrame, target: float, focal: str, group: list[str],
                 title: str, width: int = 640, height: int = 380) -> alt.LayerChart:
    """Funnel plot: units (columns force, population, rate, position) against population on a log scale, the
    95% (dashed) and 99.8% (solid) limit lines from funnel.curve() (`limits`) and the target line; the focal force
    red, its peers blue, and labels for them and for any unit outside 99.8%."""
    lines = limits.melt("population", var_name="limit", value_name="rate")
    lines["limit"] = lines["limit"].map({"lower_95": "95%", "upper_95": "95% ", "lower_998": "99.8%",
                                         "upper_998": "99.8% "})
    pts = points[["force", "population", "rate", "position"]].assign(group=points["force"].map(
        lambda f: "focal force" if f == focal else ("peer" if f in group else "other force")))
    x = alt.X("population:Q", scale=alt.Scale(type="log", domain=[float(limits["population"].min()),
                                                                  float(limits["population"].max())], nice=False),
              title="resident population (log scale)")
    base_l = alt.Chart(lines).mark_line(strokeWidth=1, color="#505a5f").encode(
        x=x, y=alt.Y("rate:Q", title="rate per 1,000"), detail="limit:N",
        strokeDash=alt.condition(alt.FieldOneOfPredicate("limit", ["95%", "95% "]), alt.value([4, 3]),
                                 alt.value([1, 0])))
    tline = alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(color="#0b0c0c").encode(y="y:Q")
    dots = alt.Chart(pts).mark_circle(size=60, opacity=1).encode(
        x=x, y="rate:Q", color=alt.Color("group:N", title=None, scale=alt.Scale(
            domain=["focal force", "peer", "other force"], range=["#d4351c", "#1d70b8", "#b1b4b6"])),
        tooltip=["force:N", "rate:Q", "position:N"])
    labels = alt.Chart(pts[(pts["group"] != "other force") | pts["position"].str.contains("99.8")]).mark_text(
        align="left", dx=6, fontSize=10).encode(x=x, y="rate:Q", text="force:N")
    return alt.layer(base_l, tline, dots, labels).properties(width=width, height=height, title=title)


def peer_trend_chart(trend: pd.DataFrame, focal: str, title: str, width: int = 640,
                     height: int = 260) -> alt.Chart:
    """Rate per 1,000 over time for the force, its peer average and England and Wales (columns period_end,
    force, peer_average, england_wales, as peers.trend() returns)."""
    tl = trend[["period_end", "force", "peer_average", "england_wales"]].melt(
        "period_end", var_name="series", value_name="rate")
    tl["series"] = tl["series"].map({"force": focal, "peer_average": "peer average",
                                     "england_wales": "England and Wales"})
    tl["period_end"] = pd.to_datetime(tl["period_end"])
    return alt.Chart(tl).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("period_end:T", title="12 months ending"), y=alt.Y("rate:Q", title="rate per 1,000"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=[focal, "peer average", "England and Wales"], range=["#d4351c", "#1d70b8", "#505a5f"])),
    ).properties(width=width, height=height, title=title)
