"""Every HTML page opens in headless Chromium with no network: charts drew, no request left the page."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("pack")]

# Chromium's own background services (not the page): update checks and network time. They fail in the
# empty namespace anyway; anything else in the net-log came from the page and fails the test.
BROWSER_SERVICES = ("update.googleapis.com", "clients2.google.com", "gvt1.com", "googleapis.com/chromewebstore",
                    "accounts.google.com", "safebrowsing.googleapis.com", "optimizationguide-pa.googleapis.com")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _netns_prefix() -> list[str]:
    """Run inside an empty network namespace (only loopback) when the machine allows it."""
    if shutil.which("unshare"):
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
        if probe.returncode == 0:
            return ["unshare", "-n"]
    return []


def open_page(path, tmp_path):
    if not CHROMIUM:
        pytest.skip("chromium is not installed (CI installs Debian's chromium)")
    netlog = tmp_path / f"{path.stem}-netlog.json"
    cmd = _netns_prefix() + [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                             "--no-first-run", "--disable-background-networking", "--disable-component-update",
                             "--disable-sync", f"--user-data-dir={tmp_path / ('ud-' + path.stem)}",
                             "--virtual-time-budget=5000", f"--log-net-log={netlog}", "--dump-dom",
                             path.resolve().as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    urls = re.findall(r'"url":"([^"]+)"', netlog.read_text()) if netlog.exists() else []
    return res.stdout, urls


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def browser_own_requests(tmp_path) -> set[str]:
    """What this Chromium asks for by itself (each address without its query) when it opens a page that names
    no address at all: its own services, which differ from version to version (Chromium 150 asks Google's
    www.google.com/async/folae whatever the page), not the page's."""
    blank = tmp_path / "blank.html"
    blank.write_text('<!DOCTYPE html><html lang="en"><head><title>blank</title></head><body><p>x</p></body></html>',
                     encoding="utf-8")
    return {_without_query(u) for u in open_page(blank, tmp_path)[1]}


def test_every_page_renders_offline_with_charts(gwent13, tmp_path):
    pages = sorted(gwent13.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "data-quality.html", "performance.html"}
    own = browser_own_requests(tmp_path)
    for page in pages:
        dom, urls = open_page(page, tmp_path)
        external = [u for u in urls if not u.startswith(("file:", "data:", "about:", "chrome:"))
                    and not any(h in u for h in BROWSER_SERVICES) and _without_query(u) not in own]
        assert external == [], f"{page.name} requested {external}"
        assert "<main>" in dom
        if page.name == "performance.html":
            drawn = len(re.findall(r'<svg[^>]*class="marks"', dom))
            assert drawn == 16, f"expected one XmR chart per measure (16), found {drawn}"
