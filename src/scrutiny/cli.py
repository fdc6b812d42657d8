"""Command line: `scrutiny run`, `validate`, `prepare`, `verify`, `draft-audit`, `new-notebook`, `make-sample`,
`bench`.

Exit codes: 0 success; 2 an input broke a critical expectation of its contract (or could not be read);
1 any other failure (bad params, a notebook error, an unwritable output folder).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _log(msg: str) -> None:
    print(msg, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="scrutiny",
        description="Contract-validated, reproducible scrutiny packs for an Office of the Police and Crime "
                    "Commissioner. Exit codes: 0 success; 2 an input broke a critical expectation; 1 any other "
                    "failure.")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="validate the inputs, run the notebooks and write the HTML pack",
                       description="Run a pack: validate every input against its contract, run each notebook, "
                                   "render self-contained HTML, write provenance.json and MANIFEST.json. The "
                                   "pack is built in a temporary folder and replaces the previous one only on "
                                   "success.")
    r.add_argument("params", help="the pack's params YAML, e.g. params/default.yaml")
    r.add_argument("--out", help="output folder (default outputs/<pack.id>/)")
    r.add_argument("--run-date", help="date printed in the pack, YYYY-MM-DD (default today); fix it to "
                                      "reproduce a pack byte for byte")
    v = sub.add_parser("validate", help="only check the inputs against their contracts",
                       description="Validate every input of a pack against its data contract and report; "
                                   "exit 2 if a critical expectation is broken.")
    v.add_argument("params")
    pr = sub.add_parser("prepare", help="validate the inputs and write the prepared tables notebooks read",
                        description="Validate every input of a pack against its data contract (exit 2 if a "
                                    "critical expectation is broken, nothing written), then write the typed "
                                    "tables (<input>.parquet) and a copy of the params file to one folder, so "
                                    "notebooks can be opened and run by hand (e.g. in JupyterLab).")
    pr.add_argument("params", help="the pack's params YAML, e.g. params/default.yaml")
    pr.add_argument("--out", help="folder for the tables (default outputs/.prepared/<pack.id>/)")
    nn = sub.add_parser("new-notebook", help="create notebooks/NAME.py, a new section, from the template",
                        description="Create a section notebook from the template (jupytext percent format, a "
                                    "parameters cell, a chart, a table and a sentence built by the library). A "
                                    "params file may then list NAME under notebooks.")
    nn.add_argument("name", help="letters, digits and underscores, starting with a letter")
    nn.add_argument("--title", help="the page title (default: the name in words)")
    nn.add_argument("--pack", default="default", help="pack id whose prepared tables (outputs/.prepared/<id>/) the "
                                                      "notebook's default parameters read (default: default)")
    nn.add_argument("--dir", help="folder of the notebook (default notebooks/; the pack runs notebooks/ only)")
    f = sub.add_parser("verify", help="check a pack's files against MANIFEST.json and its inputs against "
                                      "provenance.json")
    f.add_argument("pack_dir")
    d = sub.add_parser("draft-audit", help="draft figures.csv and relations.csv for the audit from a document's text",
                       description="Read a text extraction of a published document (pdftotext -layout, or "
                                   "tab-separated tables) and write a draft figures.csv (every number) and "
                                   "relations.csv (proposed totals, changes, shares, repeats) to review.")
    d.add_argument("document", help="the document's text, e.g. report.txt from pdftotext -layout report.pdf")
    d.add_argument("--out", required=True, help="folder for figures.csv and relations.csv")
    d.add_argument("--doc-id", help="doc_id for every figure (default: the file name)")
    f.add_argument("--digest", help="the sha256 of MANIFEST.json as published (printed at the end of `scrutiny "
                                    "run`, kept in MANIFEST.sha256): the pack must be that pack")
    m = sub.add_parser("make-sample", help="regenerate a synthetic sample shipped in data/sample/ from its fixed seed",
                       description="Write a seeded synthetic sample (the same bytes every time) into its folder "
                                   "under data/sample/, or into --out.")
    m.add_argument("name", help="which sample: " + ", ".join(_generators()))
    m.add_argument("--out", help="folder to write to (default: the sample's folder in data/sample/)")
    b = sub.add_parser("bench", help="time the pack on generated large inputs against plain pandas",
                       description="Generate (once, with a fixed seed; cached in outputs/.bench-data/) a force the "
                                   "size of the Metropolitan Police (Gwent's 36 months x 15) and a national year "
                                   "(43 forces x 12 months, volumes in proportion to Home Office recorded crime), "
                                   "then time validation, preparing tables, each notebook and the whole pack, and "
                                   "plain pandas on the same files; median of --repeat runs, peak memory. Writes "
                                   "outputs/bench/bench.json and prints the table.")
    b.add_argument("--repeat", type=int, default=3, help="runs of each timing; the median is reported (default 3)")
    b.add_argument("--cold", type=int, default=1,
                   help="pack runs with empty caches (ingest and drawn charts) before the --repeat runs with them warm "
                        "(default 1)")
    b.add_argument("--scale", type=float, default=1.0,
                   help="volume relative to the benchmark's size (default 1: 15 x Gwent, a national year)")
    b.add_argument("--cases", default="met,national,default",
                   help="comma-separated: met, national, default (default all three)")
    b.add_argument("--out", help="folder for bench.json (default outputs/bench/)")
    a = ap.parse_args(argv)
    if a.command == "make-sample":
        return _make_sample(a.name, a.out)
    if a.command == "bench":
        from scrutiny.bench.run import CASES, OUT, BenchError, bench

        cases = tuple(c.strip() for c in a.cases.split(",") if c.strip())
        bad = [c for c in cases if c not in CASES]
        if bad or a.repeat < 1 or a.scale <= 0 or a.cold < 0:
            print(f"scrutiny: error: --cases takes {', '.join(CASES)}; --repeat at least 1; --cold at least 0; "
                  "--scale above 0",
                  file=sys.stderr)
            return 1
        try:
            bench(repeat=a.repeat, scale=a.scale, cases=cases, out=Path(a.out) if a.out else OUT, log=_log,
                  cold=a.cold)
        except BenchError as e:
            print(f"scrutiny: error: {e}", file=sys.stderr)
            return 1
        return 0
    if a.command == "draft-audit":
        from scrutiny.analyses.draft_audit import main as draft_main

        return draft_main(a.document, a.out, a.doc_id, log=_log)

    if a.command == "new-notebook":
        from scrutiny.pack import scaffold

        try:
            path = scaffold.new_notebook(a.name, Path(a.dir) if a.dir else scaffold.sections.NOTEBOOKS_DIR,
                                         a.title, a.pack)
        except scaffold.ScaffoldError as e:
            print(f"scrutiny: error: {e}", file=sys.stderr, flush=True)
            return 1
        _log(scaffold.how_to_use(a.name, path, a.pack))
        return 0

    from scrutiny.pack.runner import PackError, run, validate_only

    try:
        if a.command == "run":
            out = run(a.params, out=a.out, run_date=a.run_date, log=_log)
            _log(f"Pack ready: {out / 'index.html'}")
        elif a.command == "prepare":
            from scrutiny.pack.prepared import prepare

            folder = prepare(a.params, out=a.out, log=_log)
            _log(f"Prepared tables in {folder} (work_dir = {folder}, params_file = {folder / 'params.yaml'}).")
        elif a.command == "validate":
            validate_only(a.params, log=_log)
            _log("All critical expectations met.")
        else:
            from scrutiny.provenance import verify

            problems = verify(Path(a.pack_dir), digest=a.digest)
            for pr in problems:
                _log(pr)
            if problems:
                _log(f"{len(problems)} problem(s): the pack does not match its manifest or inputs.")
                return 1
            _log("All files match MANIFEST.json and all inputs match provenance.json." +
                 (" MANIFEST.json has the digest given." if a.digest else ""))
    except PackError as e:
        print(f"scrutiny: error: {e}", file=sys.stderr, flush=True)
        return e.code
    return 0


def _generators() -> dict:
    from scrutiny.synthetic import GENERATORS

    return GENERATORS


def _make_sample(name: str, out: str | None) -> int:
    import importlib

    from scrutiny import paths

    gens = _generators()
    if name not in gens:
        print(f"scrutiny: error: no sample called {name!r}; choose one of: {', '.join(gens)}", file=sys.stderr)
        return 1
    module, folder = gens[name]
    target = Path(out) if out else paths.REPO_ROOT / folder
    for path in importlib.import_module(module).generate(target):
        _log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
