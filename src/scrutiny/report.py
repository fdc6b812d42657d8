"""HTML pages of a pack: the front page, the data-quality page and one page per executed notebook.

All pages share one template with inline CSS and no external reference (no CDN script, font or style).
Text from data and params is escaped (Jinja autoescape; notebook helpers escape their own output).
Notebook pages are rendered with nbconvert's `basic` template (code cells hidden, stderr dropped)
and placed inside the pack template.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import nbformat
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                          autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                          keep_trailing_newline=True, trim_blocks=False)


def _filters() -> None:
    """Jinja filters: `cell` (a value as a page shows it), `header` (a column name for readers), `term`
    (a judgement word linked to its how-to-read entry)."""
    from . import present

    _env.filters["cell"] = present.cell
    _env.filters["header"] = present.header
    _env.filters["term"] = lambda word, text=None: Markup(present.term_link(word, text))


_filters()

FOOTER = ("Contains public sector information licensed under the Open Government Licence v3.0. "
          "Produced by scrutiny notebooks; figures are reproducible from provenance.json.")


def render(template: str, out: Path, **ctx) -> Path:
    ctx.setdefault("footer", FOOTER)
    ctx.setdefault("banners", [])
    out.write_text(_env.get_template(template).render(**ctx), encoding="utf-8")
    return out


def notebook_title(nb) -> str:
    """The first '# ' heading of the notebook's first markdown cell."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Section"


def strip_volatile(nb) -> None:
    """Remove run timestamps, durations and random cell ids so the same run gives the same bytes."""
    nb.metadata.pop("papermill", None)
    nb.metadata.get("widgets", None) and nb.metadata.pop("widgets")
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream"
                                                             and o.get("name") == "stderr")]


def notebook_body(nb) -> str:
    """Notebook outputs as HTML body (nbconvert basic template; inputs and prompts hidden)."""
    from nbconvert import HTMLExporter

    nb = nbformat.from_dict(nb)
    # the page heading comes from the pack template; drop the notebook's own title cell
    cells = []
    dropped = False
    for c in nb.cells:
        if not dropped and c.cell_type == "markdown" and c.source.lstrip().startswith("# "):
            rest = "\n".join(c.source.splitlines()[1:]).strip()
            dropped = True
            if not rest:
                continue
            c.source = rest
        if "parameters" in c.metadata.get("tags", []) or "injected-parameters" in c.metadata.get("tags", []):
            continue
        cells.append(c)
    nb.cells = cells
    exp = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                       exclude_output_prompt=True, embed_images=True)
    body, _ = exp.from_notebook_node(nb)
    return body


def breaks_rows(path: Path) -> list[dict]:
    """Rows of tables/performance_breaks.csv as the data-quality page shows them (month names, rounded means)."""
    import pandas as pd

    from .months import label

    d = pd.read_csv(path, keep_default_na=False)
    return [{"measure": r["measure"].replace("_", " ").capitalize(), "area": r["area"], "month": label(r["month"]),
             "before": f"{float(r['before_mean']):,.1f}", "after": f"{float(r['after_mean']):,.1f}",
             "ratio": f"{float(r['ratio']):,.2f}" if r["ratio"] != "" else "", "method": r["method"],
             "source": str(r["source"]).capitalize()} for _, r in d.iterrows()]
