"""The presentation layer: no program values, no e-notation, human headers, count limits from 0."""

import re

import numpy as np
import pandas as pd
import pytest

from scrutiny.report import page, present


def cells(markup: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", markup)


def headers(markup: str) -> list[str]:
    return re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", markup)


@pytest.mark.parametrize("raw, shown", [
    ("first_outcome_within_k", "First outcome within k"),
    ("r12_pvalue", "Last 12 months p-value"),
    ("lower_998", "Lower 99.8% limit"),
    ("spc_rule", "SPC rule"),
    ("doc_id", "Document"),
    ("same month last year", "Same month last year"),
    ("June 2025", "June 2025"),
    ("p (exact Poisson)", "p (exact Poisson)"),
    ("95% low", "95% low"),
])
def test_header(raw, shown):
    assert present.header(raw) == shown


@pytest.mark.parametrize("v, shown", [
    (None, "–"), (float("nan"), "–"), (pd.NA, "–"), (pd.NaT, "–"), (np.nan, "–"),
    (True, "Yes"), (np.bool_(False), "No"), ("True", "Yes"), ("nan", "–"),
    (1234567, "1,234,567"), (np.int64(2500), "2,500"), (1234.0, "1,234"), (0.25, "0.2"),
    (1.2e-7, "0.0"), (3.5e12, "3,500,000,000,000"), ("Burglary", "Burglary"),
])
def test_cell(v, shown):
    assert present.cell(v) == shown


def test_pvalue():
    assert present.pvalue(7.37e-44) == "< 0.001"
    assert present.pvalue(0.0009999) == "< 0.001"
    assert present.pvalue(0.001) == "0.001"
    assert present.pvalue(0.04249) == "0.042"
    assert present.pvalue(None) == "–"


def test_html_table_has_no_program_values_and_floors_count_limits():
    df = pd.DataFrame({
        "area": ["force", "Newport", "Torfaen"],
        "value": [12000, 35, 4],
        "lower limit": [10500.5, -3.2, -1.0],
        "upper limit": [13000.25, 60.0, 12.5],
        "r12_pvalue": [7.37e-44, 0.0312, np.nan],
        "exceptional": [True, False, None],
        "previous 12 months": pd.array([100000, None, 3], dtype="Int64"),
    })
    markup, floored = present.html_table(df)
    text = cells(markup)
    assert floored == ["lower limit"]
    assert not {"None", "nan", "NaN", "&lt;NA&gt;", "True", "False"} & set(text)
    assert not any(re.search(r"\d[eE][-+]?\d", t) for t in text)
    rows = [text[i:i + 7] for i in range(0, len(text), 7)]
    assert rows[0] == ["force", "12,000", "10,500.5", "13,000.2", "&lt; 0.001", "Yes", "100,000"]
    assert rows[1] == ["Newport", "35", "0.0", "60.0", "0.031", "No", "–"]
    assert rows[2][2] == "0.0" and rows[2][4] == "–" and rows[2][5] == "–"
    assert headers(markup) == ["Area", "Value", "Lower limit", "Upper limit", "Last 12 months p-value",
                               "Exceptional", "Previous 12 months"]
    assert markup.startswith('<div class="table-wrap"') and "<thead>" in markup


def test_already_floored_limits_are_left_alone():
    df = pd.DataFrame({"lower": [0.0, 2.0], "value": [1, 3]})
    markup, floored = present.html_table(df)
    assert floored == [] and cells(markup)[0] == "0"


def test_nb_table_formats_and_suppression(monkeypatch):
    shown = []
    monkeypatch.setattr(page, "_display_html", shown.append)
    page.setup(min_count=5)
    try:
        page.table(pd.DataFrame({"crime_type": ["Robbery", "Burglary"], "crimes": [3, 1500],
                               "share": [0.002, 0.998], "flag": [False, True]}), formats={"share": "{:.1%}"})
    finally:
        page.setup()
    t = cells(shown[0])
    assert t == ["Robbery", "[c]", "0.2%", "No", "Burglary", "1,500", "99.8%", "Yes"]
    assert "Crime type" in headers(shown[0])


def test_tidy_text_writes_p_values_and_no_e_notation():
    assert present.tidy_text("a change (exact conditional Poisson test, p = 7.37e-44, 5% level).") == \
        "a change (exact conditional Poisson test, p < 0.001, 5% level)."
    assert present.tidy_text("p = 0.04249)") == "p = 0.042)"
    assert present.tidy_text("p = 0.2") == "p = 0.200"
    assert present.tidy_text("total 1.5e+06 and 2.5e-05") == "total 1,500,000 and 0.000025"
    assert present.tidy_text("sha 3e5a1 and 2024-06 and 12.5%") == "sha 3e5a1 and 2024-06 and 12.5%"


CTX = {"pack": {"title": "t", "force": "Gwent Police"}, "period_label": "x", "run_date": "2025-07-15", "nav": []}


@pytest.mark.parametrize("notebooks", [["performance", "outcomes"], ["performance", "outcomes", "stop_search"],
                                       ["peers"], ["audit"]])
def test_how_to_read_has_every_linked_entry_and_only_the_packs_own(notebooks, tmp_path):
    from scrutiny.report import views
    from scrutiny.stats.spc import rule_set

    out = tmp_path / "h.html"
    views.render("how_to_read.html.j2", out, page_title="How to read this pack", current="how-to-read.html",
                  baseline=24, rules=rule_set("mdc_7pt"), topics=present.topics(notebooks), **CTX)
    ids = set(re.findall(r'<h2 id="([^"]+)"', out.read_text()))
    linkable = {a for w, a in present.TERMS.items() if present.term_link(w, notebooks=notebooks) != w}
    assert linkable <= ids  # every link a page can make lands on an entry
    assert ids - {"synthetic", "assumptions"} == present.topics(notebooks)
    if notebooks in (["peers"], ["audit"]):
        assert not {"exceptional", "average", "outcomes", "charts"} & ids  # no crime-pack text


def test_judgement_words_link_only_where_the_pack_has_the_entry():
    crime = ["performance", "outcomes"]
    text = "Exceptional volumes; not significant (p = 7.37e-44); exceptional again"
    linked = present.link_terms(text, crime)
    assert linked.count('href="how-to-read.html#exceptional"') == 1  # first use only
    assert 'href="how-to-read.html#significant"' in linked and "p &lt; 0.001" in linked
    assert 'title="Exceptional: the month is outside' in linked
    assert "href" not in present.link_terms("exceptional", ["audit"])
    assert present.link_terms("<b>exceptional</b>", ["peers"]) == "&lt;b&gt;exceptional&lt;/b&gt;"


def test_nb_para_links_terms_from_the_packs_notebooks(monkeypatch):
    shown = []
    monkeypatch.setattr(page, "_display_html", shown.append)
    page.setup(notebooks=["performance"])
    try:
        page.para("A month is exceptional <here>.")
        assert page.term("significant").startswith('<a class="term" href="how-to-read.html#significant"')
        assert page.term("funnel plot") == "funnel plot"  # a peers entry: not in a performance pack
    finally:
        page.setup()
    assert shown[0] == ('<p>A month is <a class="term" href="how-to-read.html#exceptional" title="Exceptional: the '
                        'month is outside the process limits of its control chart. It does not say why.">exceptional'
                        '</a> &lt;here&gt;.</p>')


def test_a_p_value_named_by_what_it_tests_is_written_as_one():
    """A segmented regression's level and slope p-values ('level_p', 'slope_p'): '< 0.001', not '0.000'."""
    markup, _ = present.html_table(pd.DataFrame({"level_change": [13.14, -3.49], "level_p": [1.2e-9, 0.0484],
                                                 "slope_p": [0.8161, 0.00049]}))
    assert cells(markup) == ["13.1", "&lt; 0.001", "0.816", "-3.5", "0.048", "&lt; 0.001"]
    assert headers(markup) == ["Level change", "Level p", "Slope p"]
    assert not present.is_pvalue_column("group") and not present.is_pvalue_column("top")
