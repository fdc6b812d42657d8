"""Charts a reader can trust: contrast of every pack colour against white (WCAG 2.1), shapes as well as colour
for special cause, labelled limits, shaded baseline, marked breaks, limits that step, count axes from 0."""

import json

import pandas as pd
import pytest

from scrutiny.reference import months
from scrutiny.report import charts
from scrutiny.stats import spc


def test_wcag_contrast_formula_on_known_values():
    assert charts.relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert charts.relative_luminance("#000000") == pytest.approx(0.0)
    assert charts.contrast("#000000") == pytest.approx(21.0)
    assert charts.contrast("#767676") == pytest.approx(4.54, abs=0.01)  # the familiar 4.5:1 grey
    assert charts.contrast("#FAB428") < 3  # the old Making Data Count amber failed


def every_colour():
    return {*charts.PALETTE.values(), *charts.VARIATION_COLOURS.values(), *charts.SERIES, charts.LINE_COLOUR,
            charts.LIMIT_COLOUR}


@pytest.mark.parametrize("colour", sorted(every_colour()))
def test_every_pack_colour_has_3_to_1_against_white(colour):
    assert charts.contrast(colour) >= 3.0, colour


def frame(values, start="2023-01", **cols):
    x = spc.xmr(values, baseline=cols.pop("baseline", None), improvement="down")
    x.insert(0, "month", months.span(start, months.shift(start, len(values) - 1)))
    for k, v in cols.items():
        x[k] = v
    return x


def layers(chart):
    spec = chart.to_dict()
    data = spec.get("datasets", {})
    return spec, spec["layer"], data


def test_xmr_chart_marks_outside_points_by_shape_and_labels_limits():
    vals = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 40, 10]
    spec, ls, data = layers(charts.xmr_chart(frame(vals), "t"))
    pts = next(layer for layer in ls if layer["mark"]["type"] == "point")
    shape = pts["encoding"]["shape"]["scale"]
    assert dict(zip(shape["domain"], shape["range"]))["Outside the limits: concern"] == "diamond"
    assert pts["encoding"]["y"]["scale"]["zero"] is True
    assert pts["encoding"]["y"]["title"] == "Crimes recorded per month"
    texts = [row["text"] for rows in data.values() for row in rows if "text" in row]
    last = frame(vals).iloc[-1]
    assert f"Upper limit {last['upper']:,.1f}" in texts and f"Average {last['centre']:,.1f}" in texts
    assert "Lower limit 0" in texts or f"Lower limit {last['lower']:,.1f}" in texts
    assert "rect" in [layer["mark"]["type"] for layer in ls]  # every point is in the baseline: all shaded
    x_axes = [layer["encoding"]["x"]["axis"] for layer in ls if "axis" in layer["encoding"].get("x", {})]
    assert x_axes and all(a["title"] == "Month" and a["labelFontSize"] >= 11 for a in x_axes)


def test_baseline_shaded_and_break_drawn_with_stepped_limits():
    vals = [10, 12, 11, 9, 10, 11, 30, 31, 29, 30, 32, 31]
    f = frame(vals, baseline=6)
    # limits that change after the break: the frame varies by row (as a segmented SPC frame would)
    f["break_before"] = [False] * 6 + [True] + [False] * 5
    f.loc[6:, "centre"] = 30.5
    f.loc[6:, "upper"] = 34.0
    spec, ls, data = layers(charts.xmr_chart(f, "t"))
    kinds = [layer["mark"]["type"] for layer in ls]
    assert "rect" in kinds  # baseline shading
    rows = [r for rows in data.values() for r in rows]
    shade = [r for r in rows if "x2" in r]
    assert shade == [{"x": -0.5, "x2": 5.5, "label": "baseline: 6 months"}]
    breaks = [r for r in rows if r.get("label") == "series break"]
    assert [b["x"] for b in breaks] == [5.5]
    # centre drawn row by row (a rule per month), so both segments' values are in the drawn data
    uppers = {r["upper"] for r in rows if "upper" in r and "left" in r}
    assert 34.0 in uppers and len(uppers) == 2


def test_no_break_column_no_break_mark():
    f = frame([5, 6, 7, 6, 5, 6, 7, 6])
    _, ls, data = layers(charts.xmr_chart(f.drop(columns=["baseline"]), "t"))
    rows = [r for rows in data.values() for r in rows]
    assert not any(r.get("label") == "series break" for r in rows)
    assert "rect" not in [layer["mark"]["type"] for layer in ls]


def test_negative_lower_limit_drawn_at_zero_and_chart_renders():
    f = frame([0, 3, 1, 0, 4, 2, 0, 1])
    assert f["lower"].iloc[0] < 0
    ch = charts.xmr_chart(f, "t", y_title="Searches per month")
    rows = [r for rows in ch.to_dict()["datasets"].values() for r in rows]
    assert min(r["lower"] for r in rows if "lower" in r) == 0
    svg = charts.to_svg(ch)
    assert "Searches per month" in svg and "Lower limit 0" in svg and "Month" in svg


def test_theme_sets_palette_and_tick_size():
    charts.setup()
    spec = json.loads(pd.DataFrame({"a": [1]}).pipe(lambda d: charts.alt.Chart(d).mark_point().encode(x="a:Q"))
                      .to_json())
    assert spec["config"]["axis"]["labelFontSize"] >= 11
    assert spec["config"]["range"]["category"] == charts.SERIES


def test_funnel_labels_close_together_are_moved_apart():
    from scrutiny.report.charts import _label_shifts

    # Gwent (96.4, 590k) and Durham (98.9, 640k) are close on both axes: the higher label moves up a line;
    # Surrey (62.0, 1.2m) is far from both and stays
    assert _label_shifts([590_000, 640_000, 1_200_000], [96.4, 98.9, 62.0], 160) == [0, -11, 0]


def test_rate_ratio_chart_draws_every_group_but_white_and_none_when_all_suppressed():
    disp = pd.DataFrame({"definition": ["officer-defined"] * 3 + ["self-defined"],
                         "ethnic_group": ["White", "Black", "Mixed", "Black"],
                         "ratio_to_white": [1.0, 2.5, float("nan"), 2.0], "ci_low": [float("nan"), 1.3, None, 1.1],
                         "ci_high": [float("nan"), 5.0, None, 3.6]})
    spec, ls, data = layers(charts.rate_ratio_chart(disp, "t"))
    rows = [r for rs in data.values() for r in rs if "ethnic_group" in r]
    assert sorted((r["ethnic_group"], r["definition"]) for r in rows) == [("Black", "officer-defined"),
                                                                          ("Black", "self-defined")]
    assert any(r.get("x") == 1.0 for rs in data.values() for r in rs)  # the reference line at ratio 1
    assert charts.rate_ratio_chart(disp[disp["ethnic_group"].isin(["White", "Mixed"])], "t") is None


def test_chart_data_are_altairs_own_values_for_every_column_type():
    """charts.values (the pack's data transformer) against Altair's default conversion of the same frame: the
    same records, the same Python types (so suppression sees the same counts), the same JSON."""
    import numpy as np
    from altair.utils.data import to_values

    df = pd.DataFrame({
        "int": [1, 2, 3], "float": [1.5, np.nan, np.inf], "obj": ["x", None, "z"], "bool": [True, False, True],
        "nullable_int": pd.array([1, None, 3], dtype="Int64"), "str": pd.Series(["p", None, "q"], dtype="string"),
        "date": pd.to_datetime(["2024-01-01", None, "2024-03-01"]), "cat": pd.Categorical(["u", "v", None]),
        "mixed": [np.int64(3), np.nan, "s"], "neg_inf": [-np.inf, 0.0, -0.5]})
    ours, altair = charts.values(df), to_values(df)
    assert ours == altair
    assert json.dumps(ours) == json.dumps(altair)
    assert [[type(v) for v in r.values()] for r in ours["values"]] == \
        [[type(v) for v in r.values()] for r in altair["values"]]
    assert ours["values"][1] == {"int": 2, "float": None, "obj": None, "bool": False, "nullable_int": None,
                                 "str": None, "date": "", "cat": "v", "mixed": None, "neg_inf": 0.0}
    assert type(ours["values"][0]["int"]) is int and type(ours["values"][0]["mixed"]) is int


def test_chart_spec_is_the_same_with_the_packs_data_transformer(monkeypatch):
    """An XmR chart's Vega-Lite spec is identical whether Altair's default transformer or the pack's writes the
    frames, and more rows than Altair allows are refused by both."""
    import altair as alt

    ch = charts.xmr_chart(frame([10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 40, 10], baseline=6,
                                break_before=[False] * 8 + [True] + [False] * 3), "t")
    with alt.data_transformers.enable("default"):
        before = ch.to_dict(validate=False)
    alt.data_transformers.register("scrutiny", charts.to_data)
    with alt.data_transformers.enable("scrutiny"):
        after = ch.to_dict(validate=False)
        with pytest.raises(alt.MaxRowsError):
            alt.Chart(pd.DataFrame({"x": range(charts.MAX_ROWS + 1)})).mark_point().encode(x="x:Q").to_dict()
    assert after == before


def test_long_axis_and_legend_labels_are_drawn_whole():
    # the longest names the pack draws are outcome and district names of about 45 characters: past Vega's default
    # axis limit (180 px), drawn whole, never cut to "…"
    charts.setup()
    long_ = "Investigation complete; no suspect identified (Bournemouth, Christchurch and Poole)"
    d = pd.DataFrame({"group": [long_, "Other"], "share": [0.2, 0.8]})
    bars = charts.alt.Chart(d).mark_bar().encode(y="group:N", x="share:Q", color="group:N")
    import re

    texts = re.findall(r"<text[^>]*>([^<]*)</text>", charts.to_svg(bars))
    assert texts.count(long_) == 2 and not any("…" in t for t in texts)  # the axis label and the legend label
    assert charts.theme()["config"]["axis"]["labelLimit"] == 0
    assert charts.theme()["config"]["legend"]["labelLimit"] == 0
