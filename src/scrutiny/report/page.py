"""Helpers notebooks call to show things: escaped text, tables written to CSV beside the HTML, charts.

Every string from data or params is HTML-escaped before display.

Small-number suppression (params `disclosure: {min_count: N}`) is applied here, centrally: every table
shown or written and every chart drawn through these helpers has its counts below N replaced by the
marker `[c]` (tables) or left undrawn (charts), with a caption saying so; sentences write counts
through `count(n)` (and narrative's `min_count=` arguments) so they carry the same marker. Count columns are the
integer-typed columns (chart fields holding whole numbers stored as integers) unless the notebook
names them with `counts=[...]`. The threshold is read from the pack's params.yaml in the working
folder (the runner puts it there) unless `setup(min_count=...)` sets it.
"""

from __future__ import annotations

import html
import json
import warnings
from pathlib import Path

import pandas as pd

from scrutiny.analyses.narrative import fmt_count
from scrutiny.report import charts, disclosure
from scrutiny.report.csvsafe import neutralise

_UNSET = object()
_min_count = _UNSET
_notebooks = _UNSET
_params_path = Path("params.yaml")  # the pack's params: params.yaml in the working folder unless start() says


def setup(min_count=_UNSET, notebooks=_UNSET) -> None:
    """Static SVG charts and quiet, deterministic output for a pack notebook.

    min_count: suppression threshold; by default taken from params.yaml (disclosure.min_count).
    notebooks: the pack's notebooks, which decide the how-to-read entries judgement words link to; by default
    taken from params.yaml (no params.yaml: words are not linked)."""
    global _min_count, _notebooks, _params_path
    charts.setup()
    warnings.filterwarnings("ignore")
    pd.set_option("display.max_rows", 200)
    _min_count = min_count
    _notebooks = notebooks
    _params_path = Path("params.yaml")


def start(params_file, min_count=_UNSET, notebooks=_UNSET):
    """A pack notebook's first step: `setup(...)`, then the pack's params loaded from params_file.

    Returns (p, period): the params object and period = (p.period.start, p.period.end) as 'YYYY-MM' strings."""
    from scrutiny.config import params

    global _params_path
    setup(min_count=min_count, notebooks=notebooks)
    p = params.load(params_file)
    _params_path = Path(params_file)  # suppression and links follow this params file (e.g. opened by hand)
    return p, (p.period.start, p.period.end)


_loaded: dict = {}


def _params_at(path: Path):
    """The params file at `path`, parsed once while it is unchanged (a page asks for its threshold and notebooks
    many times; parsing and checking the YAML each time cost a second and a half a section)."""
    from scrutiny.config import params

    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = params.load(path)
    return _loaded[key]


def pack_notebooks() -> list | None:
    """The notebooks of the pack being built: setup(notebooks=...), else params.yaml's notebooks, else None."""
    if _notebooks is not _UNSET:
        return _notebooks
    p = _params_path
    if not p.is_file():
        return None
    try:
        return list(_params_at(p).notebooks)
    except Exception:  # a params problem is reported by the notebook's own load, not here
        return None


def term(word: str, text: str | None = None) -> str:
    """HTML for a judgement word linked to its how-to-read entry, with the definition as a tooltip
    (e.g. term("exceptional")); plain escaped text when this pack's how-to-read page has no such entry."""
    from scrutiny.report import present

    nbs = pack_notebooks()
    if nbs is None:
        return html.escape(text if text is not None else word)
    return present.term_link(word, text, nbs)


def linked(text: str) -> str:
    """Escaped text with the first use of each judgement word linked to how-to-read (see present.AUTOLINK)."""
    from scrutiny.report import present

    nbs = pack_notebooks()
    return html.escape(present.tidy_text(str(text))) if nbs is None else present.link_terms(str(text), nbs)


def min_count() -> int | None:
    """The suppression threshold in force: setup(min_count=...), else params.yaml's disclosure.min_count."""
    if _min_count is not _UNSET:
        return _min_count
    p = _params_path
    if not p.is_file():
        return None
    return _params_at(p).disclosure.min_count


def suppress(df: pd.DataFrame, counts=None, threshold: int | None = None) -> tuple[pd.DataFrame, int]:
    """disclosure.suppress at the threshold in force (setup's or params.yaml's) unless one is given."""
    return disclosure.suppress(df, counts, min_count() if threshold is None else threshold)


def count(n) -> str:
    """A count for a sentence: '1,234', or MARKER when it is below the suppression threshold in force."""
    return fmt_count(n, min_count())


def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def heading(text: str, level: int = 2, anchor: str | None = None) -> None:
    a = f' id="{html.escape(anchor)}"' if anchor else ""
    _display_html(f"<h{level}{a}>{html.escape(str(text))}</h{level}>")


def para(text: str, cls: str | None = None) -> None:
    """A paragraph (escaped); judgement words link to their how-to-read entry."""
    c = f' class="{html.escape(cls)}"' if cls else ""
    _display_html(f"<p{c}>{linked(text)}</p>")


def note(text: str) -> None:
    """A boxed method note: which test or rule made a judgement (judgement words linked to how-to-read)."""
    _display_html(f'<div class="method-note">{linked(text)}</div>')


def table(df: pd.DataFrame, name: str | None = None, out_dir: str | Path | None = None,
          decimals: int = 1, caption: str | None = None, max_rows: int = 60, formats: dict | None = None,
          counts: list | None = None, floor_zero: list | None = None) -> None:
    """Show a table (escaped, through present.html_table) and, when `name` is given, write it in full to
    tables/<name>.csv.

    formats: column -> format string (e.g. "{:.1%}") overriding the defaults.
    counts: the columns holding counts, for small-number suppression (default: integer-typed columns).
    floor_zero: columns whose values below zero are shown as 0 (default: columns named like a lower limit)."""
    from scrutiny.report import present

    if name is not None:
        write_table(df, name, out_dir, counts=counts)
    shown = df.head(max_rows)
    shown, hidden = suppress(shown, counts)
    body, floored = present.html_table(shown, decimals=decimals, formats=formats, floor_zero=floor_zero)
    cap = f'<p class="caption">{html.escape(present.tidy_text(caption))}</p>' if caption else ""
    if hidden:
        cap += f'<p class="caption">{html.escape(disclosure.disclosure_text(min_count()))}</p>'
    if floored:
        body += (f'<p class="caption">{html.escape(", ".join(present.header(c) for c in floored))}: a limit below '
                 f'zero is shown as 0 (a count cannot be negative); the CSV keeps the computed value.</p>')
    if len(shown.columns) > 14:
        body = ('<p class="scroll-hint">A wide table: scroll sideways inside the box to see every column '
                '(printed, it has a landscape page).</p>' + body)
    link = f'<a href="tables/{html.escape(name)}.csv" download>tables/{html.escape(name)}.csv</a>' if name else ""
    more = (f'<p class="caption">First {max_rows} of {len(df):,} rows; all rows in {link} (CSV)</p>'
            if name and len(df) > max_rows else
            (f'<p class="caption">Table: {link} (CSV)</p>' if name else ""))
    _display_html(cap + body + more)


def write_table(df: pd.DataFrame, name: str, out_dir: str | Path | None, counts: list | None = None) -> None:
    """Write tables/<name>.csv (full precision to 6 significant figures, Unix line ends), small counts suppressed,
    text cells formula-safe (csvsafe)."""
    p = Path(out_dir) / "tables" / f"{name}.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    neutralise(suppress(df, counts)[0]).to_csv(p, index=False, lineterminator="\n", float_format="%.6g")


def chart(ch, description: str = "", counts: list | None = None) -> None:
    """Draw an Altair chart as inline static SVG (vl-convert), with a text description for screen readers.

    counts: the data fields holding counts, for small-number suppression (default: integer-valued fields)."""
    n = min_count()
    hidden = 0
    spec = ch.to_dict(validate=charts.check_specs())
    if n:
        hidden = disclosure.suppress_spec(spec, counts, n)
    svg = charts.to_svg(json.dumps(spec))
    label = html.escape(description or "chart")
    note = f'<figcaption class="caption">{html.escape(disclosure.disclosure_text(n))}</figcaption>' if hidden else ""
    _display_html(f'<figure class="chart" role="img" aria-label="{label}">{svg}{note}</figure>')


def banner(text: str, cls: str = "synthetic") -> None:
    """A visible coloured label inside a section (yellow 'synthetic' style by default), e.g. for fixture data."""
    _display_html(f'<div class="banner {html.escape(cls)}" role="note">{html.escape(str(text))}</div>')


#: what a block of a page part may be: the display helpers above, by name
_BLOCKS = {"heading", "para", "note", "table", "write_table", "chart", "banner"}


def place(blocks, out_dir: str | Path | None = None) -> None:
    """Show a page part the library built as data: blocks `(helper, args, kwargs)` naming one of the display
    helpers (heading, para, note, table, write_table, chart, banner). Tables written to CSV go to `out_dir`.

    Analyses cannot import the page helpers (they sit downstream), so a part whose content depends on the data
    (e.g. a comparison shown only when the period allows it) is returned as blocks and placed here."""
    for helper, args, kwargs in blocks:
        if helper not in _BLOCKS:
            raise ValueError(f"unknown page block {helper!r}; known: {sorted(_BLOCKS)}")
        if helper in ("table", "write_table") and len(args) >= 2:
            args = (*args[:2], out_dir, *args[2:])
        globals()[helper](*args, **kwargs)
