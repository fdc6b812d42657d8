"""Helpers notebooks call to show things: escaped text, tables written to CSV beside the HTML, charts.

Every string from data or params is HTML-escaped before display.
"""

from __future__ import annotations

import html
import warnings
from pathlib import Path

import pandas as pd

from . import charts


def setup() -> None:
    """Static SVG charts and quiet, deterministic output for a pack notebook."""
    charts.setup()
    warnings.filterwarnings("ignore")
    pd.set_option("display.max_rows", 200)


def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def heading(text: str, level: int = 2, anchor: str | None = None) -> None:
    a = f' id="{html.escape(anchor)}"' if anchor else ""
    _display_html(f"<h{level}{a}>{html.escape(str(text))}</h{level}>")


def para(text: str, cls: str | None = None) -> None:
    c = f' class="{html.escape(cls)}"' if cls else ""
    _display_html(f"<p{c}>{html.escape(str(text))}</p>")


def note(text: str) -> None:
    """A boxed method note: which test or rule made a judgement."""
    _display_html(f'<div class="method-note">{html.escape(str(text))}</div>')


def _formatter(name: str, col: pd.Series, decimals: int):
    """Whole-number columns without decimals, p-values to 3 significant figures, others to `decimals`."""
    if str(name).lower().startswith("p ") or str(name).lower() in ("p", "pvalue", "p_value") or "p-value" in str(name):
        return lambda v: "" if pd.isna(v) else f"{v:.3g}"
    vals = col.dropna()
    if len(vals) and (vals == vals.round()).all():
        return lambda v: "" if pd.isna(v) else f"{v:,.0f}"
    return lambda v: "" if pd.isna(v) else f"{v:,.{decimals}f}"


def table(df: pd.DataFrame, name: str | None = None, out_dir: str | Path | None = None,
          decimals: int = 1, caption: str | None = None, max_rows: int = 60, formats: dict | None = None) -> None:
    """Show a table (escaped) and, when `name` is given, write it in full to tables/<name>.csv.

    formats: column -> format string (e.g. "{:.1%}") overriding the defaults."""
    if name is not None:
        write_table(df, name, out_dir)
    shown = df.head(max_rows)
    fmt = {c: _formatter(c, shown[c], decimals) for c in shown.select_dtypes("number").columns
           if shown[c].dtype.kind == "f"}
    for c, f in (formats or {}).items():
        fmt[c] = (lambda f: lambda v: "" if pd.isna(v) else f.format(v))(f)
    body = shown.to_html(index=False, escape=True, na_rep="", formatters=fmt, border=0, classes="data")
    cap = f'<p class="caption">{html.escape(caption)}</p>' if caption else ""
    more = (f'<p class="caption">First {max_rows} of {len(df):,} rows; all rows in tables/{html.escape(name)}.csv</p>'
            if name and len(df) > max_rows else
            (f'<p class="caption">Table: tables/{html.escape(name)}.csv</p>' if name else ""))
    _display_html(cap + body + more)


def write_table(df: pd.DataFrame, name: str, out_dir: str | Path | None) -> None:
    """Write tables/<name>.csv (full precision to 6 significant figures, Unix line ends)."""
    p = Path(out_dir) / "tables" / f"{name}.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(p, index=False, lineterminator="\n", float_format="%.6g")


def chart(ch, description: str = "") -> None:
    """Draw an Altair chart as inline static SVG (vl-convert), with a text description for screen readers."""
    svg = charts.to_svg(ch)
    label = html.escape(description or "chart")
    _display_html(f'<figure class="chart" role="img" aria-label="{label}">{svg}</figure>')


def banner(text: str, cls: str = "synthetic") -> None:
    """A visible coloured label inside a section (yellow 'synthetic' style by default), e.g. for fixture data."""
    _display_html(f'<div class="banner {html.escape(cls)}" role="note">{html.escape(str(text))}</div>')
