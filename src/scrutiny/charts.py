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
