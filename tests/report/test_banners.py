"""The SYNTHETIC SAMPLE DATA banner: on every page a generated input feeds, and only there."""

from __future__ import annotations

from types import SimpleNamespace

from scrutiny.report import views


def _params(min_count=None):
    return SimpleNamespace(pack=SimpleNamespace(id="x"), period=SimpleNamespace(start="2024-01", end="2024-12"),
                           disclosure=SimpleNamespace(min_count=min_count))


def test_pack_pages_name_the_synthetic_sections():
    ctx = views.common_ctx(_params(), "2025-01-15", [], {"Victims' experience": ["force_crimes", "victim_survey"]})
    (b,) = ctx["banners"]
    assert b["cls"] == "synthetic"
    assert "SYNTHETIC SAMPLE DATA" in b["text"] and "Victims' experience section is built" in b["text"]


def test_no_banner_without_synthetic_inputs():
    assert views.common_ctx(_params(), "2025-01-15", [], {}).get("banners", []) == []


def test_section_pages_carry_the_banner_only_when_fed_by_generated_data():
    synthetic = {"victims": ["force_crimes"]}
    ctx = views.common_ctx(_params(min_count=10), "2025-01-15", [], {"Victims' experience": ["force_crimes"]})
    perf = views.section_banners(ctx, "performance", synthetic)
    vict = views.section_banners(ctx, "victims", synthetic)
    assert [b["cls"] for b in perf] == ["disclosure"]
    assert [b["cls"] for b in vict] == ["disclosure", "synthetic"]
    assert "(force_crimes)" in vict[-1]["text"] and "describe no real force" in vict[-1]["text"]


def test_provenance_rows_mark_a_synthetic_input():
    prov = {"run_date": "2025-01-15", "params_file": {"path": "p.yaml", "sha256": "a" * 64},
            "git": {"commit": "abc", "dirty": False}, "code_digest": {"sha256": "b" * 64, "files": 3},
            "inputs": [{"dataset": "victim_survey", "pattern": "data/sample/*.csv.gz", "rows": 1234,
                        "files": [{"used": True}], "synthetic": True}],
            "contracts": [], "versions": {}}
    rows = dict(views.provenance_rows(prov))
    assert rows["Input victim_survey"] == "data/sample/*.csv.gz: 1 file(s), 1,234 rows (SYNTHETIC sample)"


def test_summary_rows_of_a_synthetic_section_are_marked():
    import pandas as pd

    rows = pd.DataFrame({"topic": ["Victim satisfaction"], "data": ["81%"]})
    assert views.mark_synthetic(rows)["topic"].tolist() == ["Victim satisfaction (SYNTHETIC SAMPLE DATA)"]
    assert rows["topic"].tolist() == ["Victim satisfaction"]


def test_contents_lists_anchored_second_level_headings():
    body = '<h2 id="a">Volume</h2><p>x</p><h2>No anchor</h2><h3 id="c">Sub</h3><h2 id="b">Find &amp; arrest</h2>'
    toc = views.contents(body)
    assert toc.count("<li>") == 2
    assert '<a href="#a">Volume</a>' in toc and '<a href="#b">Find &amp; arrest</a>' in toc
    assert views.contents('<h2 id="a">Only one</h2>') == ""
