"""Hostile text from data and params is shown as text, never markup; small counts are suppressed when asked.

The session's reference pack (support.reference_pack) is built from inputs whose force name, LSOA names,
locations and a Crime ID, and from params whose title and a measure label, carry script/markup payloads;
it also sets `disclosure: {min_count: 5}`. Every page is checked as text (parsed HTML) and in headless Chromium.
"""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from .support import FORCE_H as FORCE
from .support import FORMULA, IMG, LABEL, PAYLOADS, SCRIPT, TITLE

pytestmark = [pytest.mark.xdist_group("badinputs")]



@pytest.fixture(scope="session")
def hostile_pack(reference_pack) -> Path:
    return reference_pack[0]


class Page(HTMLParser):
    """Elements, attributes and text of a page, as a browser would parse them."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.handlers, self.text = [], [], []
        self.feed(markup)
        self.close()
        self.all_text = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [(tag, k, v) for k, v in attrs if k.lower().startswith("on")]
        self.text += [v or "" for _, v in attrs]  # attribute values count as text shown (titles, aria-labels)

    def handle_data(self, data):
        self.text.append(data)


# where each payload must visibly arrive, as text (page -> payload fragments)
EXPECTED_TEXT = {
    "index.html": [TITLE, LABEL, FORCE],
    "data-quality.html": [TITLE, FORCE, IMG, SCRIPT],
    "performance.html": [TITLE, FORCE, LABEL, f"{LABEL}: {FORCE}, monthly (XmR)", IMG, f"crimes {IMG}"],
}


def check_page(name: str, markup: str) -> None:
    page = Page(markup)
    assert "script" not in page.tags and "img" not in page.tags, f"{name}: markup from data became elements"
    assert page.handlers == [], f"{name}: event-handler attributes {page.handlers}"
    for payload in PAYLOADS:
        assert payload not in markup, f"{name}: {payload!r} written unescaped"
    for frag in EXPECTED_TEXT.get(name, []):
        assert frag in page.all_text, f"{name}: {frag!r} not shown as text"


@pytest.mark.e2e
def test_payloads_are_text_in_every_page(hostile_pack):
    pages = sorted(hostile_pack.glob("*.html"))
    assert {p.name for p in pages} >= set(EXPECTED_TEXT)
    for p in pages:
        check_page(p.name, p.read_text(encoding="utf-8"))


@pytest.mark.e2e
def test_payloads_are_text_in_tables_and_notebooks(hostile_pack):
    monthly = pd.read_csv(hostile_pack / "tables" / "performance_monthly.csv", keep_default_na=False)
    assert IMG in set(monthly["area"])  # the district name kept exactly, as data
    summary = pd.read_csv(hostile_pack / "tables" / "summary.csv", keep_default_na=False)
    assert LABEL in set(summary["topic"])


@pytest.mark.e2e
@pytest.mark.browser
def test_csv_tables_are_formula_safe(hostile_pack):
    """A district named `=HYPERLINK(...)` (from LSOA names) is written with a leading quote in every
    tables/*.csv (OWASP CSV injection guidance); no text cell starts with =, +, -, @, tab or CR; numbers
    (negative ones included) stay numbers."""
    import csv

    seen = 0
    for t in sorted((hostile_pack / "tables").glob("*.csv")):
        with open(t, newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                for v in row:
                    if v.startswith(("=", "+", "-", "@", "\t", "\r")):
                        float(v)  # only a number may start so (e.g. -3)
                    seen += v == "'" + FORMULA
    assert seen, "the formula district should appear in some table"
    monthly = pd.read_csv(hostile_pack / "tables" / "performance_monthly.csv")
    assert "'" + FORMULA in set(monthly["area"])


def test_no_dialog_or_injected_element_in_chromium(hostile_pack, tmp_path):
    from report.test_offline_html import CHROMIUM, _netns_prefix

    if not CHROMIUM:
        pytest.skip("chromium is not installed (CI installs Debian's chromium)")
    for p in sorted(hostile_pack.glob("*.html")):
        cmd = _netns_prefix() + [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                 f"--user-data-dir={tmp_path / ('ud-' + p.stem)}", "--virtual-time-budget=3000",
                                 "--dump-dom", p.resolve().as_uri()]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        dom = Page(res.stdout)
        # no <script>, no <img>, no on* handler in the live DOM: nothing exists that could open a dialog
        assert "script" not in dom.tags and "img" not in dom.tags, p.name
        assert dom.handlers == [], p.name
        assert "<main>" in res.stdout
        for frag in EXPECTED_TEXT.get(p.name, []):
            assert frag in dom.all_text, f"{p.name}: {frag!r} not shown as text in the DOM"


@pytest.mark.e2e
def test_disclosure_marks_small_counts_in_tables_charts_and_pages(hostile_pack):
    for name in ("index.html", "data-quality.html", "performance.html"):
        text = (hostile_pack / name).read_text(encoding="utf-8")
        assert "Small numbers suppressed: counts from 1 to 4 are shown as [c]" in text, name
    perf = (hostile_pack / "performance.html").read_text(encoding="utf-8")
    assert "[c]" in perf and "figcaption" in perf
    for t in ("performance_monthly.csv", "performance_spc.csv"):
        v = pd.read_csv(hostile_pack / "tables" / t, dtype=str)["value"]
        assert (v == "[c]").any(), t
        nums = pd.to_numeric(v[v != "[c]"]).astype(float)
        assert not ((nums > 0) & (nums < 5)).any(), f"{t}: a count from 1 to 4 was published"
    # sentences too: "N <noun> were recorded in <month>", "compared to <month> (N)", "N were recorded, ..."
    import re

    said = re.findall(r"(\S+) [^<>.]*? were recorded in ", perf) + re.findall(r"compared to \w+ \d{4} \((\S+?)\)", perf) \
        + re.findall(r"months to \w+ \d{4}, (\S+) were recorded", perf)
    assert said and "[c]" in said, said
    small = [x for x in said if x.replace(",", "").isdigit() and 0 < int(x.replace(",", "")) < 5]
    assert small == [], f"counts from 1 to 4 published in sentences: {small}"


@pytest.mark.parametrize("markup", [f"<p>{SCRIPT}</p>", f'<p title="{IMG}">x</p>', f"<p>{IMG}</p>",
                                    '<svg><text onload="alert(1)">x</text></svg>'])
def test_checker_catches_unescaped_markup(markup):
    """The page check itself fails on markup that a browser would run (so a pass means something)."""
    with pytest.raises(AssertionError):
        check_page("x.html", markup)
