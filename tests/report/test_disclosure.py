"""Small-number suppression in the notebook helpers (params disclosure.min_count)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from conftest import write_params
from scrutiny.config import params
from scrutiny.report import page


@pytest.fixture
def threshold():
    def set_(n):
        page.setup(min_count=n)
    yield set_
    page._min_count = page._UNSET


def frame():
    return pd.DataFrame({"area": ["a", "b", "c", "d", "e", "f"], "n": [0, 1, 4, 5, 12, 3],
                         "rate": [0.0, 1.0, 4.0, 2.5, 3.0, 1.0]})


def test_default_is_off(tmp_path, monkeypatch):
    p = params.load(params.paths.REPO_ROOT / "params" / "default.yaml")
    assert p.disclosure.min_count is None
    write_params(tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    page._min_count = page._UNSET
    assert page.min_count() is None
    out, hidden = page.suppress(frame())
    assert hidden == 0 and out.equals(frame())


def test_counts_below_threshold_become_marker_zero_kept():
    out, hidden = page.suppress(frame(), threshold=5)
    assert out["n"].tolist() == [0, "[c]", "[c]", 5, 12, "[c]"]
    assert hidden == 3
    assert out["rate"].tolist() == frame()["rate"].tolist()  # float columns are not counts by default


def test_named_count_columns():
    out, hidden = page.suppress(frame(), counts=["rate"], threshold=5)
    assert out["rate"].tolist() == [0.0, "[c]", "[c]", "[c]", "[c]", "[c]"]
    assert out["n"].tolist() == frame()["n"].tolist()
    assert hidden == 5


def test_write_table_and_table_suppress(tmp_path, threshold, monkeypatch):
    threshold(10)
    shown = []
    monkeypatch.setattr(page, "_display_html", shown.append)
    page.table(frame(), "t", tmp_path)
    csv = (tmp_path / "tables" / "t.csv").read_text()
    assert csv.splitlines()[1:3] == ["a,0,0", "b,[c],1"]
    assert '<td class="num">[c]</td>' in shown[0]  # counts are right-aligned cells
    assert "counts from 1 to 9 are shown as [c]" in shown[0]


def test_chart_data_blanked(threshold, monkeypatch):
    threshold(5)
    seen = {}

    def fake_svg(spec):
        seen["spec"] = spec
        return "<svg></svg>"
    monkeypatch.setattr(page.charts, "to_svg", fake_svg)
    shown = []
    monkeypatch.setattr(page, "_display_html", shown.append)
    ch = alt.Chart(frame()).mark_bar().encode(x="area:N", y="n:Q")
    page.chart(ch, "bars")
    import json

    spec = json.loads(seen["spec"])
    rows = next(iter(spec["datasets"].values()))
    assert [r["n"] for r in rows] == [0, None, None, 5, 12, None]
    assert [r["rate"] for r in rows] == frame()["rate"].tolist()
    assert "figcaption" in shown[0] and "[c]" in shown[0]


def test_threshold_read_from_params_yaml_in_working_folder(tmp_path, monkeypatch):
    write_params(tmp_path / "params.yaml", disclosure={"min_count": 10})
    monkeypatch.chdir(tmp_path)
    page._min_count = page._UNSET
    assert page.min_count() == 10


def test_sentences_mark_small_counts():
    from scrutiny.analyses import narrative

    s = narrative.monthly_sentence("robberies", 3, "June 2025", "May 2025", 12, 6.25, min_count=5)
    assert s == ("[c] robberies were recorded in June 2025. This is a decrease compared to May 2025 (12) and below "
                 "the monthly average (6.2).")
    s = narrative.monthly_sentence("robberies", 12, "June 2025", "May 2025", 4, 6.25, min_count=5)
    assert "compared to May 2025 ([c])" in s and s.startswith("12 robberies")
    assert narrative.monthly_sentence("robberies", 3, "June 2025", "May 2025", 0, 6.25, min_count=5) \
        .endswith("compared to May 2025 (0) and below the monthly average (6.2).")  # zero is shown
    # off (the default): unchanged
    assert narrative.monthly_sentence("robberies", 3, "June 2025", "May 2025", 12, 6.25).startswith("3 robberies")


def test_rolling_sentence_withholds_the_difference_when_a_total_is_suppressed():
    from scrutiny.analyses import narrative

    s = narrative.rolling_sentence(4, 30, "June 2025", 0.0001, min_count=5)
    assert s.startswith("In the 12 months to June 2025, [c] were recorded, against 30 in the previous 12 months: "
                        "a statistically significant change")
    assert "26" not in s.split("(")[0] and "%" not in s.split("(")[0]  # no difference or percentage to subtract back
    s = narrative.rolling_sentence(40, 30, "June 2025", 0.2, min_count=5)
    assert "10 more (33.3%) than in the previous 12 months (30)" in s
    assert narrative.rolling_sentence(4, 30, "June 2025", 0.0001).startswith(
        "In the 12 months to June 2025, 4 were recorded, 26 fewer")


def test_count_in_text_follows_threshold(threshold):
    threshold(10)
    assert [page.count(n) for n in (0, 1, 9, 10, 1234)] == ["0", "[c]", "[c]", "10", "1,234"]
    threshold(None)
    assert page.count(3) == "3"


def test_start_loads_params_and_period(tmp_path):
    f = write_params(tmp_path / "p.yaml", period={"start": "2024-04", "end": "2025-03"})
    try:
        p, period = page.start(f, min_count=3)
        assert period == ("2024-04", "2025-03")
        assert p.period.end == "2025-03"
        assert page.min_count() == 3
    finally:
        page.setup()  # back to params.yaml in the working folder


def test_place_shows_blocks_and_writes_tables_to_out_dir(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(page, "_display_html", shown.append)
    page.setup(min_count=None, notebooks=None)
    df = pd.DataFrame({"crimes": [12, 3]})
    page.place([("heading", ("Mix", 2), {"anchor": "mix"}), ("para", ("Two rows.",), {}),
                ("table", (df, "t_mix"), {"caption": "c"}), ("write_table", (df, "t_raw"), {})], tmp_path)
    assert shown[0] == '<h2 id="mix">Mix</h2>' and shown[1] == "<p>Two rows.</p>"
    assert (tmp_path / "tables" / "t_mix.csv").read_text() == "crimes\n12\n3\n"
    assert (tmp_path / "tables" / "t_raw.csv").is_file()


def test_place_refuses_an_unknown_block():
    with pytest.raises(ValueError, match="unknown page block 'exec'"):
        page.place([("exec", ("x",), {})])
