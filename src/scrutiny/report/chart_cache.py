"""Drawn charts kept between runs: the SVG vl-convert drew for a Vega-Lite spec, found again by the spec.

Drawing a chart is a pure function of its spec, the Vega and Vega-Lite versions vl-convert carries, vl-convert
itself and the fonts it measures text with. The SVG is kept under a key made of all of these (SHA-256), so a pack
run again on the same data (an analyst changing a sentence, a scrutiny lead re-running before a meeting) draws only
the charts whose data or design changed: the same bytes as drawing them again, without the 0.1–0.4 s each chart
costs in vl-convert and the 0.6 s its JavaScript engine takes to start in each kernel.

Where: $SCRUTINY_CHART_CACHE, else outputs/.cache/charts/ in the repository; `off` (or a folder that cannot be
written) draws every chart. Entries are written whole (a temporary file renamed into place), read back only if
they are a whole SVG document, and `prune` (run at the end of each pack) removes those unused for 90 days and the
oldest beyond 256 MB. `make clean-cache` empties it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import uuid
from pathlib import Path

from scrutiny import paths

#: entries unused for longer than this are removed by prune
MAX_AGE_DAYS = 90
#: and the oldest beyond this total size
MAX_BYTES = 256 * 1024 * 1024

_state: dict = {}

#: the names this cache writes: an entry, and an entry being written; prune touches nothing else in the folder
ENTRY = re.compile(r"[0-9a-f]{64}\.svg")
PARTIAL = re.compile(r"\.[0-9a-f]{64}\.svg\.[0-9a-f]{32}\.tmp")


def folder() -> Path | None:
    """The cache folder, created if need be; None when the cache is off or cannot be written."""
    env = os.environ.get("SCRUTINY_CHART_CACHE", "")
    if env.strip().lower() == "off":
        return None
    root = Path(env) if env else paths.REPO_ROOT / "outputs" / ".cache" / "charts"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root if os.access(root, os.W_OK) else None


def font_dirs() -> list[Path]:
    """The usual system and user font folders of this platform, where fontdb (vl-convert's font loader) finds
    fonts. A font folder added only through a fontconfig setting elsewhere is not among them: after installing
    fonts there, `make clean-cache` (or SCRUTINY_CHART_CACHE=off) draws every chart again."""
    home = Path.home()
    if sys.platform == "darwin":
        return [Path("/Library/Fonts"), Path("/System/Library/Fonts"), home / "Library" / "Fonts"]
    if sys.platform.startswith("win"):
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return [windir / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    data = [Path(p) for p in os.environ.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":") if p]
    return [d / "fonts" for d in data] + [home / ".fonts", home / ".local" / "share" / "fonts"]


def fonts_fingerprint() -> str:
    """SHA-256 of every font file's path, size and modification time in font_dirs(): a font added, removed or
    replaced gives another key, so no chart measured with other fonts is reused."""
    h = hashlib.sha256()
    for d in font_dirs():
        for root, dirs, files in os.walk(d):
            dirs.sort()
            for name in sorted(files):
                f = os.path.join(root, name)
                try:
                    st = os.stat(f)
                except OSError:
                    continue
                h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def renderer_fingerprint() -> str:
    """What besides the spec decides the drawing: vl-convert (its compiled module's size and time), the Vega and
    Vega-Lite versions it draws with, and the fonts; computed once per process."""
    if "renderer" not in _state:
        import vl_convert as vlc
        from altair.utils._importers import vl_version_for_vl_convert

        module = Path(vlc.vl_convert.__file__)
        st = module.stat()
        _state["renderer"] = "|".join([module.name, str(st.st_size), str(st.st_mtime_ns), vlc.get_vega_version(),
                                       vl_version_for_vl_convert(), fonts_fingerprint()])
    return _state["renderer"]


def key(spec: str) -> str:
    """The entry name of a Vega-Lite spec (JSON text) drawn by this renderer."""
    return hashlib.sha256(f"{renderer_fingerprint()}\n{spec}".encode()).hexdigest()


def get(spec: str) -> str | None:
    """The SVG kept for this spec, or None. A hit is marked used (its time set to now) for prune."""
    root = folder()
    if root is None:
        return None
    f = root / f"{key(spec)}.svg"
    try:
        svg = f.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not (svg.startswith("<svg") and svg.rstrip().endswith("</svg>")):
        return None  # not a whole SVG document: drawn again (and written over)
    try:
        os.utime(f)
    except OSError:
        pass
    return svg


def put(spec: str, svg: str) -> None:
    """Keep the SVG drawn for this spec (written whole, then renamed into place; nothing kept on error)."""
    root = folder()
    if root is None:
        return
    f = root / f"{key(spec)}.svg"
    tmp = root / f".{f.name}.{uuid.uuid4().hex}.tmp"
    try:
        tmp.write_text(svg, encoding="utf-8")
        os.replace(tmp, f)
    except OSError:
        pass
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


def prune(now: float | None = None, max_age_days: float = MAX_AGE_DAYS, max_bytes: int = MAX_BYTES) -> int:
    """Remove entries unused for `max_age_days`, then the least recently used beyond `max_bytes` in all, and
    temporary files left by a process that stopped while writing (older than an hour); the number removed. Only
    files named as this cache names them are looked at: any other file in the folder is left alone."""
    import time

    root = folder()
    if root is None:
        return 0
    now = time.time() if now is None else now
    entries, removed = [], 0
    for f in root.iterdir():
        try:
            st = f.stat()
        except OSError:
            continue
        if not f.is_file():
            continue
        if PARTIAL.fullmatch(f.name):
            if now - st.st_mtime > 3600:
                removed += _remove(f)
        elif ENTRY.fullmatch(f.name):
            entries.append((st.st_mtime, st.st_size, f))
    entries.sort(reverse=True)  # most recently used first
    total = 0
    for mtime, size, f in entries:
        if now - mtime > max_age_days * 86400 or total + size > max_bytes:
            removed += _remove(f)
        else:
            total += size
    return removed


def _remove(f: Path) -> int:
    try:
        f.unlink()
        return 1
    except OSError:
        return 0
