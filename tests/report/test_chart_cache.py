"""The cache of drawn charts: a spec drawn once is not drawn again, gives the same bytes, and is drawn again when
the spec, the renderer or the fonts change; a damaged entry is never used; prune keeps the folder bounded."""

from __future__ import annotations

import os
import time

import altair as alt
import pandas as pd
import pytest

from scrutiny.report import chart_cache, charts


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "charts"
    monkeypatch.setenv("SCRUTINY_CHART_CACHE", str(folder))
    monkeypatch.setattr(chart_cache, "_state", {})
    return folder


def bars(values: list[int]) -> alt.Chart:
    charts.setup()
    d = pd.DataFrame({"area": [f"Area {i}" for i in range(len(values))], "n": [float(v) for v in values]})
    return alt.Chart(d).mark_bar().encode(x="n:Q", y="area:N")


def count_draws(monkeypatch) -> list[str]:
    import vl_convert as vlc

    drawn, real = [], vlc.vegalite_to_svg

    def spy(spec, *a, **kw):
        drawn.append(spec)
        return real(spec, *a, **kw)

    monkeypatch.setattr(vlc, "vegalite_to_svg", spy)
    return drawn


def test_a_chart_drawn_once_is_taken_from_the_cache_with_the_same_bytes(cache, monkeypatch):
    drawn = count_draws(monkeypatch)
    first = charts.to_svg(bars([3, 5, 8]))
    second = charts.to_svg(bars([3, 5, 8]))
    assert len(drawn) == 1
    assert second == first and first.startswith("<svg")
    assert [f.suffix for f in cache.iterdir()] == [".svg"]


def test_another_spec_is_drawn_and_kept_beside_the_first(cache, monkeypatch):
    drawn = count_draws(monkeypatch)
    a, b = charts.to_svg(bars([3, 5, 8])), charts.to_svg(bars([3, 5, 9]))
    assert len(drawn) == 2 and a != b
    assert len(list(cache.glob("*.svg"))) == 2


def test_a_damaged_entry_is_drawn_again_and_replaced(cache, monkeypatch):
    svg = charts.to_svg(bars([1, 2]))
    (entry,) = cache.glob("*.svg")
    entry.write_text(svg[: len(svg) // 2], encoding="utf-8")  # cut short, as by a full disk
    drawn = count_draws(monkeypatch)
    assert charts.to_svg(bars([1, 2])) == svg
    assert len(drawn) == 1
    assert entry.read_text(encoding="utf-8") == svg


def test_off_draws_every_chart_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRUTINY_CHART_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    drawn = count_draws(monkeypatch)
    charts.to_svg(bars([4, 2]))
    charts.to_svg(bars([4, 2]))
    assert len(drawn) == 2
    assert chart_cache.folder() is None


def test_a_font_added_changes_every_key(cache, tmp_path, monkeypatch):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    monkeypatch.setattr(chart_cache, "font_dirs", lambda: [fonts])
    before = chart_cache.key("{}")
    (fonts / "Extra.ttf").write_bytes(b"\0" * 10)
    monkeypatch.setattr(chart_cache, "_state", {})  # a new process: the fingerprint is taken again
    assert chart_cache.key("{}") != before
    assert chart_cache.key("{}") != chart_cache.key('{"mark": "bar"}')


def test_prune_removes_unused_entries_then_the_oldest_beyond_the_size_limit(cache):
    cache.mkdir()
    now = time.time()
    ages_days = {"old": 100, "a": 3, "b": 2, "c": 1}
    name = {k: k[0] * 64 for k in ages_days}  # entries are named by a SHA-256: 64 hex digits
    name["old"] = "0" * 64
    for k, days in ages_days.items():
        f = cache / f"{name[k]}.svg"
        f.write_text("<svg>" + "x" * 994 + "</svg>", encoding="utf-8")  # 1,005 bytes
        os.utime(f, (now - days * 86400, now - days * 86400))
    stale = cache / f".{'e' * 64}.svg.{'1' * 32}.tmp"
    stale.write_text("<svg", encoding="utf-8")
    os.utime(stale, (now - 7200, now - 7200))
    fresh = cache / f".{'f' * 64}.svg.{'2' * 32}.tmp"
    fresh.write_text("<svg", encoding="utf-8")
    assert chart_cache.prune(now=now, max_bytes=2500) == 3  # old (age), a (size: b and c are newer), stale tmp
    assert sorted(f.name for f in cache.iterdir()) == sorted([fresh.name, f"{name['b']}.svg", f"{name['c']}.svg"])


def test_prune_never_touches_a_file_the_cache_did_not_name(cache):
    """SCRUTINY_CHART_CACHE may be pointed at a folder holding other files: prune removes only its own."""
    cache.mkdir()
    long_ago = time.time() - 1000 * 86400
    mine = [cache / "logo.svg", cache / "notes.tmp", cache / f"{'a' * 63}.svg", cache / ".draft.svg.1234.tmp"]
    for f in mine:
        f.write_text("<svg></svg>", encoding="utf-8")
        os.utime(f, (long_ago, long_ago))
    (cache / f"{'b' * 64}.svg").mkdir()  # a folder with an entry's name
    assert chart_cache.prune(max_bytes=0) == 0
    assert all(f.exists() for f in mine) and (cache / f"{'b' * 64}.svg").is_dir()


def test_a_relative_cache_folder_is_made_absolute_before_the_kernels_start(tmp_path, monkeypatch):
    from scrutiny.pack import runner

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRUTINY_CHART_CACHE", "my charts")
    runner._env()
    assert os.environ["SCRUTINY_CHART_CACHE"] == str(tmp_path / "my charts")
    monkeypatch.setenv("SCRUTINY_CHART_CACHE", "off")
    runner._env()
    assert os.environ["SCRUTINY_CHART_CACHE"] == "off"


def test_a_hit_marks_the_entry_used(cache):
    svg = charts.to_svg(bars([7]))
    (entry,) = cache.glob("*.svg")
    long_ago = time.time() - 200 * 86400
    os.utime(entry, (long_ago, long_ago))
    assert charts.to_svg(bars([7])) == svg
    assert time.time() - entry.stat().st_mtime < 3600
    assert chart_cache.prune() == 0
