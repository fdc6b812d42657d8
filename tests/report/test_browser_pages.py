"""Pages that read and print well, checked in headless Chromium over every page of built packs.

At a 1366 px window no page is wider than the window (wide tables scroll inside their own box); no table cell
shows a program value (None, nan, NaN, <NA>, True, False); no number is in e-notation; printed to A4, every
table keeps every column (each header's text is in the PDF, and no word lies outside the page).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, RUN_DATE, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
PDFTOTEXT = shutil.which("pdftotext")
WIDTH = 1366
PROGRAM_VALUES = {"None", "nan", "NaN", "<NA>", "NaT", "True", "False"}
E_NOTATION = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])")

# Writes the page's scroll width, and the first few elements that stick out of the window outside a
# scrolling table box, onto <html> so --dump-dom returns them.
PROBE = """<script>window.addEventListener("load", function () {
  var vw = document.documentElement.clientWidth, out = [];
  document.querySelectorAll("body *").forEach(function (e) {
    if (e.closest(".table-wrap")) return;
    var r = e.getBoundingClientRect();
    if (r.right > vw + 1 && out.length < 5) out.push(e.tagName + "." + e.className + ":" + Math.round(r.right));
  });
  var h = document.documentElement;
  h.setAttribute("data-scroll-width", h.scrollWidth);
  h.setAttribute("data-overflow", out.join("|"));
});</script>"""


def _chromium(*args: str, user_dir: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={user_dir}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def measure(page: Path, tmp: Path) -> tuple[int, str, str]:
    """(scroll width at a 1366 px window, elements sticking out, the DOM) of a copy of the page with PROBE."""
    copy = tmp / f"probe-{page.name}"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    res = _chromium(f"--window-size={WIDTH},900", "--virtual-time-budget=5000", "--dump-dom", copy.as_uri(),
                    user_dir=tmp / "ud-dom")
    assert res.returncode == 0, res.stderr[-2000:]
    m = re.search(r'<html[^>]*data-scroll-width="(\d+)"[^>]*data-overflow="([^"]*)"', res.stdout)
    assert m, f"{page.name}: the probe did not run"
    return int(m.group(1)), m.group(2), res.stdout


class Cells(HTMLParser):
    """Text of every table cell (th/td) and every table's header texts, skipping <code>."""

    def __init__(self):
        super().__init__()
        self.cells, self.tables, self._stack, self._buf, self._code = [], [], [], None, 0
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag in ("td", "th"):
            self._buf = []
            self._kind = tag
        elif tag == "code":
            self._code += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._buf is not None:
            text = " ".join("".join(self._buf).split())
            self.cells.append(text)
            if tag == "th" and self.tables:
                self.tables[-1].append(text)
            self._buf = None
        elif tag == "code":
            self._code -= 1

    def handle_data(self, data):
        if self._buf is not None and not self._code:
            self._buf.append(data)


def page_checks(pack: Path, tmp_path: Path) -> dict:
    """Every check on every page of a pack; returns what was measured (for the report) and asserts."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium poppler-utils)")
    measured = {}
    problems = []
    for page in sorted(pack.glob("*.html")):
        width, overflow, dom = measure(page, tmp_path)
        parsed = Cells()
        parsed.feed(dom)
        bad = [c for c in parsed.cells if c in PROGRAM_VALUES]
        text = re.sub(r"<code>.*?</code>", " ", dom, flags=re.S)
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
        text = re.sub(r"<svg.*?</svg>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        enot = E_NOTATION.findall(text)
        measured[page.name] = width
        if width > WIDTH:
            problems.append(f"{page.name}: {width} px wide at a {WIDTH} px window ({overflow})")
        if bad:
            problems.append(f"{page.name}: {len(bad)} cells show program values, e.g. {sorted(set(bad))}")
        if enot:
            problems.append(f"{page.name}: numbers in e-notation: {enot[:5]}")
        headers = [h for t in parsed.tables for h in t if h]
        if PDFTOTEXT and headers:
            problems += pdf_problems(page, headers, tmp_path)
    assert not problems, "\n".join(problems)
    return measured


def pdf_problems(page: Path, headers: list[str], tmp: Path) -> list[str]:
    """Print the page to A4 PDF; every table header's text must be in the PDF and no word off the page."""
    pdf = tmp / f"{page.stem}.pdf"
    res = _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", "--virtual-time-budget=5000",
                    page.resolve().as_uri(), user_dir=tmp / "ud-pdf")
    assert res.returncode == 0 and pdf.is_file(), res.stderr[-2000:]
    raw = subprocess.run([PDFTOTEXT, "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    squashed = re.sub(r"\s+", "", raw)
    out = []
    missing = sorted({h for h in headers if re.sub(r"\s+", "", h) not in squashed})
    if missing:
        out.append(f"{page.name}: printed on A4, {len(missing)} table column header(s) are not in the PDF: "
                   f"{missing[:8]}")
    bbox = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, flags=re.S)
    sizes = {tuple(sorted((round(float(w)), round(float(h))))) for w, h, _ in pages}
    if sizes - {(595, 842)}:
        out.append(f"{page.name}: printed pages are not all A4 (portrait or landscape): {sorted(sizes)}")
    beyond = sum(1 for w, _, words in pages
                 for x in re.findall(r'<word xMin="[-\d.]+" yMin="[-\d.]+" xMax="([-\d.]+)"', words)
                 if float(x) > float(w) + 1)
    if beyond:
        out.append(f"{page.name}: {beyond} printed words lie beyond the page edge")
    return out


def build(params: str, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp(Path(params).stem)
    res = run_cli("run", REPO / "params" / params, "--out", d / "pack", "--run-date", RUN_DATE, timeout=1200)
    assert res.returncode == 0, res.stdout + res.stderr
    return d / "pack"


@pytest.fixture(scope="module")
def default_pack(tmp_path_factory) -> Path:
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    return build("default.yaml", tmp_path_factory)


@pytest.fixture(scope="module")
def cambridgeshire_pack(tmp_path_factory) -> Path:
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    return build("cambridgeshire_2024.yaml", tmp_path_factory)


def test_default_pack_pages_fit_the_window_and_print_every_column(default_pack, tmp_path):
    widths = page_checks(default_pack, tmp_path)
    assert {"index.html", "performance.html", "outcomes.html", "how-to-read.html"} <= set(widths)


def test_cambridgeshire_pack_pages_fit_the_window_and_print_every_column(cambridgeshire_pack, tmp_path):
    widths = page_checks(cambridgeshire_pack, tmp_path)
    assert "stop_search.html" in widths  # the 19-column stop-and-search tables


@pytest.mark.parametrize("params", ["peers_example.yaml", "audit_seed_000.yaml"])
def test_peers_and_audit_packs(params, tmp_path_factory, tmp_path):
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    pack = build(params, tmp_path_factory)
    page_checks(pack, tmp_path)
    how = (pack / "how-to-read.html").read_text(encoding="utf-8")
    assert 'id="exceptional"' not in how and 'id="outcomes"' not in how  # no crime-pack text


def test_the_checks_can_fail(tmp_path):
    """A page with a 2,000 px table outside a scroll box, a 'None' cell and a p-value in e-notation fails."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    pack, work = tmp_path / "pack", tmp_path / "work"
    pack.mkdir()
    work.mkdir()
    (pack / "wide.html").write_text(
        "<!DOCTYPE html><html><body><table><tr><th>Area</th><th>Count</th></tr><tr><td style='min-width:2000px'>"
        "None</td><td>1</td></tr></table><p>p = 7.37e-44</p></body></html>", encoding="utf-8")
    with pytest.raises(AssertionError) as e:
        page_checks(pack, work)
    msg = str(e.value)
    assert "px wide" in msg and "program values" in msg and "e-notation" in msg
    assert "not in the PDF" in msg  # the 2,000 px column pushes 'Count' off the printed page
