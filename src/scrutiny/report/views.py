"""HTML pages of a pack: the front page, the data-quality page and one page per executed notebook.

All pages share one template with inline CSS and no external reference (no CDN script, font or style).
Text from data and params is escaped (Jinja autoescape; notebook helpers escape their own output).
Notebook pages are rendered with nbconvert's `basic` template (code cells hidden, stderr dropped)
and placed inside the pack template.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import nbformat
from markupsafe import Markup

from scrutiny import aqa, paths
from scrutiny.analyses.measures import load_catalogue
from scrutiny.reference import months
from scrutiny.report import disclosure, present
from scrutiny.stats.spc import rule_set

TEMPLATES = Path(__file__).parent / "templates"

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                          autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                          keep_trailing_newline=True, trim_blocks=False)


def _filters() -> None:
    """Jinja filters: `cell` (a value as a page shows it), `header` (a column name for readers), `term`
    (a judgement word linked to its how-to-read entry)."""
    from scrutiny.report import present

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


_exporter = None


def notebook_body(nb) -> str:
    """Notebook outputs as HTML body (nbconvert basic template; inputs and prompts hidden)."""
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
    global _exporter
    if _exporter is None:  # one exporter for every page: building its templates costs more than a page
        _exporter = _page_exporter()(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                                     exclude_output_prompt=True, embed_images=True)
    body, _ = _exporter.from_notebook_node(nb)
    return contents(body) + body


_NO_ALT = "No description has been provided for this image"
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)(?=[\s/>])", re.I)


def _page_exporter():
    """nbconvert's HTMLExporter without its last step.

    HTMLExporter.from_notebook_node ends by parsing the whole page with BeautifulSoup and writing it out again, to
    give images without alt text a placeholder and to make `.jp-Notebook` cells focusable. The basic template has
    no `.jp-Notebook` element and the pages draw charts as inline SVG, so for these pages that step only
    re-serialises: it took 1.9 s of the 2.0 s the default pack's performance page took to convert. This exporter
    does the rest of HTMLExporter's conversion (its two filters, then the template) and gives any `<img>` without
    an `alt` the same placeholder, by pattern. tests/report/test_page_exporter.py requires pages that parse to
    the same document as HTMLExporter's."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            lang = nb.metadata.get("language_info", {})
            lexer = lang.get("pygments_lexer", lang.get("name", None))
            self.register_filter("highlight_code",
                                 self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _IMG_WITHOUT_ALT.sub(f'<img alt="{_NO_ALT}"', body), resources

    return PageExporter


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)


def contents(body: str) -> str:
    """A table of contents for a section page: its second-level headings that carry an anchor, in order (none when
    the page has fewer than two)."""
    heads = _H2.findall(body)
    if len(heads) < 2:
        return ""
    items = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in heads)  # both already escaped by page.heading
    return f'<nav class="toc" aria-label="On this page"><p class="toc-title">On this page</p><ul>{items}</ul></nav>'


def breaks_rows(path: Path) -> list[dict]:
    """Rows of tables/performance_breaks.csv as the data-quality page shows them (month names, rounded means)."""
    import pandas as pd

    from scrutiny.reference.months import label

    d = pd.read_csv(path, keep_default_na=False)
    return [{"measure": r["measure"].replace("_", " ").capitalize(), "area": r["area"], "month": label(r["month"]),
             "before": f"{float(r['before_mean']):,.1f}", "after": f"{float(r['after_mean']):,.1f}",
             "ratio": f"{float(r['ratio']):,.2f}" if r["ratio"] != "" else "", "method": r["method"],
             "source": str(r["source"]).capitalize()} for _, r in d.iterrows()]


def _signed_pct(x) -> str:
    return "" if x != x else f"{'+' if x > 0 else '−' if x < 0 else ''}{abs(x):.1f}%"


def quarter_rows(path: Path) -> tuple[list[dict], list[dict]]:
    """tables/performance_quarter.csv as the front page shows it: (rows, groups by plan priority in the order of
    their most urgent verdict). Numbers with separators, changes signed, p-values in words, no program values."""
    import pandas as pd

    from scrutiny.analyses.narrative import fmt_p
    from scrutiny.analyses.performance import VERDICT_ORDER

    raw = pd.read_csv(path, keep_default_na=False, dtype=str)
    d = raw.copy()
    numeric = ["quarter_value", "same_quarter_last_year", "quarter_change_pct", "quarter_pvalue", "ytd_value",
               "ytd_last_year", "ytd_change_pct", "r12", "prev12", "r12_change_pct", "r12_pvalue"]
    for c in numeric:
        d[c] = pd.to_numeric(d[c].str.lstrip("'"), errors="coerce")
    suppressed = raw[["quarter_value", "same_quarter_last_year", "ytd_value", "ytd_last_year", "r12", "prev12"]]\
        .apply(lambda col: col.str.contains(r"\[c\]", regex=True))
    for c in ["quarter_change_pct", "ytd_change_pct", "r12_change_pct"]:  # a change would give a suppressed count back
        d.loc[suppressed.any(axis=1), c] = float("nan")
    rows = []
    for i, r in enumerate(d.to_dict(orient="records")):
        shown = raw.iloc[i]

        def num(v, col=None, i=i):
            if col is not None and suppressed.iloc[i].get(col, False):
                return "[c]"
            return "–" if v != v else f"{v:,.0f}"
        qc = ("not judged (series break)" if r["quarter_change_pct"] != r["quarter_change_pct"] and
              r["same_quarter_last_year"] == r["same_quarter_last_year"] else _signed_pct(r["quarter_change_pct"]))
        if r["quarter_pvalue"] == r["quarter_pvalue"] and qc and not qc.startswith("not"):
            qc += f", {fmt_p(r['quarter_pvalue'])}"
        if r["same_quarter_last_year"] != r["same_quarter_last_year"] and not shown["same_quarter_last_year"]:
            qc = "no data a year earlier"
        if suppressed.iloc[i].any():
            qc = "withheld (small numbers)"
        ytd = num(r["ytd_value"], "ytd_value")
        if r["ytd_last_year"] == r["ytd_last_year"] or shown["ytd_last_year"]:
            ytd += f" vs {num(r['ytd_last_year'], 'ytd_last_year')}" + (
                f" ({_signed_pct(r['ytd_change_pct'])})" if r["ytd_change_pct"] == r["ytd_change_pct"] else
                " (not judged: series break)")
        if r["r12"] != r["r12"] and not shown["r12"]:
            r12 = "fewer than 24 months of data"
        elif r["r12_note"].startswith("not judged"):
            r12 = f"{num(r['r12'], 'r12')} vs {num(r['prev12'], 'prev12')}: {r['r12_note']}"
        elif r["r12_pvalue"] == r["r12_pvalue"]:
            r12 = (f"{num(r['r12'], 'r12')} vs {num(r['prev12'], 'prev12')}: "
                   + (f"{_signed_pct(r['r12_change_pct'])}, " if r["r12_change_pct"] == r["r12_change_pct"] else "")
                   + fmt_p(r["r12_pvalue"]) + (" (significant)" if r["r12_pvalue"] < 0.05 else ""))
        else:
            r12 = f"{num(r['r12'], 'r12')} vs {num(r['prev12'], 'prev12')}"
        rows.append({**r, "quarter_short": str(r["quarter"]).split(" (")[0],
                     "quarter_value_text": num(r["quarter_value"], "quarter_value"),
                     "same_quarter_last_year_text": num(r["same_quarter_last_year"], "same_quarter_last_year"),
                     "quarter_change_text": qc,
                     "ytd_text": ytd, "r12_text": r12,
                     "direction_text": {"down": "Lower is better", "up": "Higher is better"}.get(
                         r["direction"], "No desired direction"),
                     "_order": VERDICT_ORDER.get(r["verdict"], 9)})
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r["priority"], []).append(r)
    ordered = sorted(groups.items(), key=lambda kv: min(x["_order"] for x in kv[1]))
    return rows, [{"name": k, "rows": v} for k, v in ordered]


def _findings(build: Path):
    import pandas as pd

    from scrutiny.analyses.questions import FINDING_COLUMNS

    parts = [pd.read_csv(f, keep_default_na=False, dtype=str) for f in sorted((build / "tables").glob("*_findings.csv"))]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FINDING_COLUMNS)


def brief_pages(build: Path, params, ctx: dict, dq: dict, log=print) -> dict:
    """questions.html (+ tables/questions.csv), brief.html, and changes.html (+ tables/changes.csv) when the params
    name a previous pack. Returns counts for the front page."""
    import pandas as pd

    from scrutiny import paths
    from scrutiny.analyses import questions as questions_mod
    from scrutiny.reference.months import label
    from scrutiny.report import changes as changes_mod
    from scrutiny.report.csvsafe import neutralise as safe_frame

    q = questions_mod.from_findings(_findings(build), drop=params.questions.drop, add=params.questions.add)
    safe_frame(q).to_csv(build / "tables" / "questions.csv", index=False, lineterminator="\n")
    qs = q.to_dict(orient="records")
    render("questions.html.j2", build / "questions.html", page_title="Questions for the force",
           current="questions.html", questions=qs, rules=questions_mod.rule_table().to_dict(orient="records"), **ctx)
    out = {"questions_count": len(qs)}
    qpath = build / "tables" / "performance_quarter.csv"
    if qpath.is_file():
        rows, groups = quarter_rows(qpath)
        out.update(quarter=rows, quarter_groups=groups)
        top = [r for r in rows if r["verdict"] in ("data problem", "series break", "worse", "better")][:6]
        counts = pd.Series([r["verdict"] for r in rows]).value_counts()
        headline = ", ".join(f"{n} {v}" for v, n in counts.items()) + f" across {len(rows)} measures."
        render("brief.html.j2", build / "brief.html", page_title="Brief", current="brief.html", top=top,
               quarter_label=rows[0]["quarter"] if rows else "", headline=headline, questions=qs, dq=dq, **ctx)
    if params.previous_pack:
        prev = paths.resolve(params.previous_pack)
        c = changes_mod.compare(prev, build)
        safe_frame(c).to_csv(build / "tables" / "changes.csv", index=False, lineterminator="\n")
        shown = []
        for r in c.to_dict(orient="records"):
            diff = r["difference"]
            shown.append({**r, "measure_label": str(r["measure"]).replace("_", " ").capitalize(),
                          "month_label": label(r["month"]) if r["month"] else "",
                          "old_text": f"{r['old']:,.0f}" if isinstance(r["old"], (int, float)) else r["old"],
                          "new_text": f"{r['new']:,.0f}" if isinstance(r["new"], (int, float)) else r["new"],
                          "difference_text": f"{diff:+,.0f}" if isinstance(diff, (int, float)) and diff == diff
                          else ""})
        render("changes.html.j2", build / "changes.html", page_title="Changes since the last pack",
               current="changes.html", changes=shown, previous=str(params.previous_pack), **ctx)
        out["changes_count"] = len(c)
    return out


def dq_verdict(rep) -> dict:
    """The data-quality verdict of a validation report: its banner class and sentence."""
    crit = sum(len(r.critical) for r in rep.inputs)
    warn = sum(len(r.warnings) for r in rep.inputs)
    if crit:
        return {"cls": "fail", "text": f"FAILED: {crit} critical expectation(s) broken; the pack was not analysed."}
    if warn:
        return {"cls": "warn", "text": f"Passed with {warn} warning(s): every critical expectation was met; "
                                       "see the data-quality page for what was flagged."}
    return {"cls": "pass", "text": "Passed: every input met every expectation of its contract."}


def dq_inputs(rep) -> list[dict]:
    """One entry per input for the data-quality page: its files, contract and expectation results."""
    out = []
    for r in rep.inputs:
        d = {k: getattr(r, k) for k in ("dataset", "pattern", "contract_path", "contract_sha256", "files",
                                        "rows_checked")}
        d["outcomes"] = sorted(r.outcomes, key=lambda o: (o.success, o.severity != "critical"))
        d["passed"] = sum(o.success for o in r.outcomes)
        d["n_critical"] = len(r.critical)
        d["n_warning"] = len(r.warnings)
        out.append(d)
    return out


def common_ctx(p, run_date: str, nav: list[dict], synthetic_sections: dict[str, list[str]]) -> dict:
    """What every page shares: pack, period, run date, navigation and the pack-wide banners."""
    ctx = {"pack": p.pack, "period_label": f"{months.label(p.period.start)} to {months.label(p.period.end)}",
           "run_date": run_date, "nav": nav}
    if p.disclosure.min_count:
        ctx["banners"] = [{"cls": "disclosure", "text": disclosure.disclosure_text(p.disclosure.min_count)}]
    if synthetic_sections:
        ctx["banners"] = ctx.get("banners", []) + [pack_synthetic_banner(synthetic_sections)]
    filters = getattr(p, "filters", None)
    if filters is not None and filters.active:
        ctx["pack"] = p.pack.model_copy(update={"title": deep_dive_title(p.pack.title, filters)})
        ctx["filters_text"] = filters_sentence(filters)
        ctx["banners"] = ctx.get("banners", []) + [{"cls": "filters", "text": ctx["filters_text"]}]
    return ctx


def deep_dive_title(title: str, filters) -> str:
    """A filtered pack's title names its filters: 'Gwent Police — … (filtered: crime type Violence and …)'."""
    return f"{title} (filtered: {filters.describe()})"


def filters_sentence(filters) -> str:
    """What a deep dive counts, in words, for its banner, Summary and provenance."""
    return (f"Deep dive: only police.uk street-level rows with {filters.describe()} are counted in this pack "
            "(params filters); every count, chart and test covers those rows only.")


def synthetic_banner(inputs: list[str]) -> dict:
    """The banner of a page built from generated sample data (inputs whose dataset is marked synthetic)."""
    return {"cls": "synthetic", "text": "SYNTHETIC SAMPLE DATA: this page is built from generated records "
            f"({', '.join(inputs)}), not from a force's own data. Its figures describe no real force; they show "
            "what the page reports once the force supplies its extract."}


def pack_synthetic_banner(sections: dict[str, list[str]]) -> dict:
    """The banner of a pack-wide page (summary, brief, questions) when any section reads generated data."""
    names = ", ".join(sections)
    return {"cls": "synthetic", "text": f"SYNTHETIC SAMPLE DATA in this pack: the {names} section"
            f"{'s are' if len(sections) > 1 else ' is'} built from generated records, not a force's own data; "
            "rows from them are marked on every page."}


def mark_synthetic(summary_rows):
    """Summary rows of a section fed by generated data, marked so on the front page and in summary.csv."""
    out = summary_rows.copy()
    out["topic"] = out["topic"].astype(str) + " (SYNTHETIC SAMPLE DATA)"
    return out


def section_banners(ctx: dict, name: str, synthetic_sections: dict[str, list[str]]) -> list[dict]:
    """A section page's banners: the pack-wide ones except the pack's synthetic notice, then this section's own
    synthetic banner when it reads generated data."""
    out = [b for b in ctx.get("banners", []) if b["cls"] != "synthetic"]
    if name in synthetic_sections:
        out.append(synthetic_banner(synthetic_sections[name]))
    return out



def provenance_rows(prov: dict) -> list[tuple[str, str]]:
    """The front page's provenance table: run date, params, code, inputs, contracts, software."""
    rows = [("Run date", prov["run_date"]),
            ("Params", f"{prov['params_file']['path']} (sha256 {prov['params_file']['sha256'][:16]}…)"),
            ("Code", f"git commit {prov['git']['commit'] or 'unknown'}" +
             (" with uncommitted changes" if prov["git"]["dirty"] else "") +
             f"; code sha256 {prov['code_digest']['sha256'][:16]}… ({prov['code_digest']['files']} files)")]
    for i in prov["inputs"]:
        used = [f for f in i["files"] if f["used"]]
        rows.append((f"Input {i['dataset']}", f"{i['pattern']}: {len(used)} file(s), {i['rows']:,} rows" +
                     (" (SYNTHETIC sample)" if i.get("synthetic") else "")))
    if prov.get("filters"):
        rows.append(("Filters", prov["filters"]["text"]))
    for c in prov["contracts"]:
        rows.append((f"Contract {c['name']}", f"{c['path']} (sha256 {c['sha256'][:16]}…)"))
    v = prov["versions"]
    rows.append(("Software", ", ".join(f"{k} {v[k]}" for k in ("python", "great_expectations", "pandas", "duckdb",
                                                                 "statsmodels", "altair", "papermill") if v.get(k))))
    return rows


def section_measures(p) -> dict[str, dict[str, str]]:
    """Section -> {measure id: label} for the measures a section shows (the performance catalogue)."""
    if "performance" not in p.notebooks:
        return {}
    path = paths.resolve(p.performance.catalogue)
    if not path.is_file():  # not a regular file (missing, a folder, a pipe): the notebook reports it
        return {}
    try:
        cat = load_catalogue(path)
    except Exception:  # a broken catalogue fails in its notebook, with the notebook's message
        return {}
    return {"performance": {m.id: m.label for m in cat.measures}}


def aqa_pages(p, logs, rep, build: Path, section_titles: dict, ctx: dict) -> tuple:
    """Render assumptions.html and how-to-read.html; return (entries per section, counts by RAG)."""
    files = {r.dataset: [paths.resolve(f["path"]) for f in r.files if f["in_period"]] for r in rep.inputs}
    applied = aqa.for_pack(logs, list(section_titles), section_measures(p), files)
    by_section = {s: [a for a in applied if s in a.sections] for s in section_titles}
    render("assumptions.html.j2", build / "assumptions.html", page_title="Assumptions and caveats",
                  current="assumptions.html", applied=applied, logs=aqa.LOGS, definitions=aqa.DEFINITIONS,
                  section_titles=section_titles, omitted=len(logs.entries) - len(applied),
                  log_dir=p.aqa.logs, **ctx)
    render("how_to_read.html.j2", build / "how-to-read.html", page_title="How to read this pack",
                  current="how-to-read.html", baseline=min(p.spc.baseline_months,
                                                           len(months.span(p.period.start, p.period.end))),
                  rules=rule_set(p.spc.rules), topics=present.topics(p.notebooks), **ctx)
    return by_section, aqa.counts(applied)
