"""Build a pack: validate inputs, prepare tables, execute notebooks, render HTML, write provenance.

The pack is built in `outputs/.build-<id>/` and swapped into place only when everything succeeded,
so a failed run never deletes or half-overwrites the last good pack. A failed build is kept as
`outputs/.failed-<id>/` (executed notebooks included) and its path is printed, except on a full disk,
where it is removed. The output folder rules, the lock and the swap are in builddir.py.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd

from scrutiny import aqa, paths, provenance
from scrutiny.config.params import Params, ParamsError, load
from scrutiny.contracts import Report, validate
from scrutiny.inputs.files import InputError
from scrutiny.inputs.registry import DATASETS
from scrutiny.pack import builddir
from scrutiny.reference import months
from scrutiny.report import changes, views
from scrutiny.report.csvsafe import neutralise, restore

EXIT_OK, EXIT_FAILURE, EXIT_INPUT = 0, 1, 2


class PackError(Exception):
    """A run that failed; `code` is the exit code (2 for input data, 1 for anything else)."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


def _env() -> None:
    for k, v in {"GX_ANALYTICS_ENABLED": "false", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0",
                 "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}.items():
        os.environ.setdefault(k, v)


class Step:
    def __init__(self, log, n: int):
        self.log, self.n, self.i = log, n, 0

    def __call__(self, text: str):
        self.i += 1
        self.t = time.perf_counter()
        self.log(f"[{self.i}/{self.n}] {text} …")

    def done(self, extra: str = "ok"):
        self.log(f"      {extra} ({time.perf_counter() - self.t:.1f} s)")


def load_params(params_path: str | Path) -> Params:
    try:
        return load(params_path)
    except ParamsError as e:
        raise PackError(str(e), EXIT_FAILURE) from None


def run_validation(p: Params) -> Report:
    try:
        return validate(p)
    except InputError as e:
        raise PackError(f"Input problem: {e}", EXIT_INPUT) from None


def _dq_verdict(rep: Report) -> dict:
    crit = sum(len(r.critical) for r in rep.inputs)
    warn = sum(len(r.warnings) for r in rep.inputs)
    if crit:
        return {"cls": "fail", "text": f"FAILED: {crit} critical expectation(s) broken; the pack was not analysed."}
    if warn:
        return {"cls": "warn", "text": f"Passed with {warn} warning(s): every critical expectation was met; "
                                       "see the data-quality page for what was flagged."}
    return {"cls": "pass", "text": "Passed: every input met every expectation of its contract."}


def _dq_inputs(rep: Report) -> list[dict]:
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


def _common_ctx(p: Params, run_date: str, nav: list[dict]) -> dict:
    ctx = {"pack": p.pack, "period_label": f"{months.label(p.period.start)} to {months.label(p.period.end)}",
           "run_date": run_date, "nav": nav}
    if p.disclosure.min_count:
        from scrutiny.report.page import disclosure_text

        ctx["banners"] = [{"cls": "disclosure", "text": disclosure_text(p.disclosure.min_count)}]
    return ctx


def check_run_date(p: Params, run_date: str) -> None:
    """The reporting month must have ended before the run date: a later month cannot have complete data."""
    if p.period.end >= run_date[:7]:
        raise PackError(f"params period.end {p.period.end} is not before the run date {run_date}: data for a "
                        f"month that has not ended cannot be complete (future dates are refused; change "
                        f"period.end or --run-date)", EXIT_FAILURE)


def _execute(name: str, build: Path, p: Params) -> None:
    import jupytext
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError

    src = paths.REPO_ROOT / "notebooks" / f"{name}.py"
    nb = jupytext.read(src)
    out = build / "notebooks" / f"{name}.ipynb"
    try:
        pm.execute_notebook(nb, str(out), parameters={"params_file": "params.yaml", "work_dir": "_work",
                                                      "out_dir": "."},
                            kernel_name="python3", progress_bar=False, log_output=False,
                            kernel_manager_class="scrutiny.pack.kernel.IPCKernelManager",
                            execution_timeout=p.run.cell_timeout, cwd=str(build))
    except pm.PapermillExecutionError as e:
        raise PackError(f"notebook {name} failed in cell {e.cell_index}: {e.ename}: {e.evalue}\n"
                        f"The executed notebook is kept at {{failed}}/notebooks/{name}.ipynb", EXIT_FAILURE) from None
    except CellTimeoutError:
        raise PackError(f"notebook {name}: a cell ran longer than run.cell_timeout = {p.run.cell_timeout} s "
                        f"(timeout).\nThe executed notebook is kept at {{failed}}/notebooks/{name}.ipynb",
                        EXIT_FAILURE) from None
    except RuntimeError as e:  # kernel died or did not start
        raise PackError(f"notebook {name}: the kernel failed: {e}", EXIT_FAILURE) from None


def run(params_path: str | Path, out: str | Path | None = None, run_date: str | None = None,
        log=print) -> Path:
    """Run a pack end to end; returns the pack folder. Raises PackError with an exit code on failure."""
    _env()
    p = load_params(params_path)
    run_date = run_date or dt.date.today().isoformat()
    try:
        dt.date.fromisoformat(run_date)
    except ValueError:
        raise PackError(f"--run-date must be YYYY-MM-DD, got {run_date!r}") from None
    check_run_date(p, run_date)
    target = Path(out) if out else paths.REPO_ROOT / "outputs" / p.pack.id
    target = Path(os.path.abspath(target))  # the folder itself is not resolved: a symlink there is refused
    target = target.parent.resolve() / target.name
    try:
        builddir.check_target(target, paths.REPO_ROOT, _files_read(p, Path(params_path)))
    except builddir.OutError as e:
        raise PackError(f"{e}\nNothing was written.", EXIT_FAILURE) from None
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        lock = builddir.Lock(target).acquire()
    except builddir.OutError as e:
        raise PackError(str(e), EXIT_FAILURE) from None
    except OSError as e:
        raise PackError(f"cannot write the pack under {parent}: {e.strerror or e}", EXIT_FAILURE) from None
    try:
        return _run_locked(p, Path(params_path), target, run_date, log)
    finally:
        lock.release()


def _run_locked(p: Params, params_path: Path, target: Path, run_date: str, log) -> Path:
    parent = target.parent
    build = parent / f".build-{target.name}"
    failed = parent / f".failed-{target.name}"
    try:
        builddir.recover(target, log)
        if build.exists():
            shutil.rmtree(build)
        (build / "tables").mkdir(parents=True)
        (build / "notebooks").mkdir()
        (build / "_work").mkdir()
    except OSError as e:
        shutil.rmtree(build, ignore_errors=True)
        raise PackError(f"cannot write the pack under {parent}: {e.strerror or e}" +
                        (f" {_FULL_HINT}" if _disk_full(e) else ""), EXIT_FAILURE) from None

    step = Step(log, 4 + len(p.notebooks))
    untouched = f"\nThe last good pack (if any) is untouched at {target}."
    try:
        return _build(p, params_path, build, target, run_date, step, log)
    except PackError as e:
        if _disk_full(e):
            raise PackError(str(e).split("\nThe executed notebook")[0] + f" {_FULL_HINT}" + untouched +
                            _drop_build(build), e.code) from None
        keep = _keep_failed(build, failed)
        msg = str(e).replace("{failed}", str(keep))
        raise PackError(msg + untouched + (f"\nThe failed build is kept at {keep}." if keep else ""),
                        e.code) from None
    except OSError as e:  # disk full, folder made read-only mid-run, file vanished
        what = f"cannot read or write {e.filename or f'a file under {parent}'}: {e.strerror or e} {_FULL_HINT}"
        if _disk_full(e):
            raise PackError(what + untouched + _drop_build(build), EXIT_FAILURE) from None
        keep = _keep_failed(build, failed)
        raise PackError(what + untouched + (f"\nThe failed build is kept at {keep}." if keep else ""),
                        EXIT_FAILURE) from None
    except Exception as e:  # anything unexpected: still keep the last good pack
        if _disk_full(e):  # e.g. DuckDB's IOException when the disk fills while it writes
            raise PackError(f"cannot read or write a file under {parent}: {str(e).splitlines()[0]} {_FULL_HINT}" +
                            untouched + _drop_build(build), EXIT_FAILURE) from None
        keep = _keep_failed(build, failed)
        raise PackError(f"unexpected error: {type(e).__name__}: {e}" + untouched +
                        (f"\nThe failed build is kept at {keep}." if keep else ""), EXIT_FAILURE) from e


_FULL_HINT = "(is the disk full or the output folder read-only?)"
_FULL_ERRNO = {errno.ENOSPC, errno.EDQUOT}
_FULL_TEXT = (os.strerror(errno.ENOSPC), os.strerror(errno.EDQUOT))


def _disk_full(e: BaseException) -> bool:
    """No space (or quota) left: an OSError with that errno, or another library's error quoting it."""
    return (isinstance(e, OSError) and e.errno in _FULL_ERRNO) or any(t in str(e) for t in _FULL_TEXT)


def _drop_build(build: Path) -> str:
    """On a full disk the failed build is removed (keeping it would hold on to the space)."""
    shutil.rmtree(build, ignore_errors=True)
    return ("\nThe partial build was removed to free the space." if not build.exists() else
            f"\nThe partial build could not be removed: {build}")


def _files_read(p: Params, params_path: Path) -> list[Path]:
    """The files a run reads (params file, input files, catalogue, logs): an output folder must not hold them."""
    from scrutiny.inputs.police_uk import discover_files

    out = [params_path]
    for name, spec in p.inputs.items():
        try:
            out += discover_files(name, spec.path)
        except InputError:
            pass  # reported by validation
    for f in (p.performance.catalogue, p.aqa.logs, p.outcomes.categories, p.peers.msg_file):
        if f:
            out.append(paths.resolve(f))
    return out


def _keep_failed(build: Path, failed: Path) -> Path | None:
    try:
        if not build.exists():
            return None
        log = build / "_work" / "kernel-stderr.log"
        if log.is_file() and log.stat().st_size:
            log.replace(build / "notebooks" / "kernel-stderr.log")
        shutil.rmtree(build / "_work", ignore_errors=True)
        if failed.exists():
            shutil.rmtree(failed)
        build.rename(failed)
        return failed
    except OSError:
        return None


def _load_aqa(p: Params) -> aqa.Logs:
    try:
        return aqa.load(paths.resolve(p.aqa.logs))
    except aqa.AqaError as e:
        raise PackError(f"assumptions and data logs: {e}", EXIT_FAILURE) from None


def _section_measures(p: Params) -> dict[str, dict[str, str]]:
    """Section -> {measure id: label} for the measures a section shows (the performance catalogue)."""
    if "performance" not in p.notebooks:
        return {}
    from scrutiny.analyses.measures import load_catalogue

    path = paths.resolve(p.performance.catalogue)
    if not path.is_file():  # not a regular file (missing, a folder, a pipe): the notebook reports it
        return {}
    try:
        cat = load_catalogue(path)
    except Exception:  # a broken catalogue fails in its notebook, with the notebook's message
        return {}
    return {"performance": {m.id: m.label for m in cat.measures}}


def _aqa_pages(p: Params, logs: aqa.Logs, rep: Report, build: Path, section_titles: dict, ctx: dict) -> tuple:
    """Render assumptions.html and how-to-read.html; return (entries per section, counts by RAG)."""
    from scrutiny.report import present
    from scrutiny.stats.spc import rule_set

    files = {r.dataset: [paths.resolve(f["path"]) for f in r.files if f["in_period"]] for r in rep.inputs}
    applied = aqa.for_pack(logs, list(section_titles), _section_measures(p), files)
    by_section = {s: [a for a in applied if s in a.sections] for s in section_titles}
    views.render("assumptions.html.j2", build / "assumptions.html", page_title="Assumptions and caveats",
                  current="assumptions.html", applied=applied, logs=aqa.LOGS, definitions=aqa.DEFINITIONS,
                  section_titles=section_titles, omitted=len(logs.entries) - len(applied),
                  log_dir=p.aqa.logs, **ctx)
    views.render("how_to_read.html.j2", build / "how-to-read.html", page_title="How to read this pack",
                  current="how-to-read.html", baseline=min(p.spc.baseline_months,
                                                           len(months.span(p.period.start, p.period.end))),
                  rules=rule_set(p.spc.rules), topics=present.topics(p.notebooks), **ctx)
    return by_section, aqa.counts(applied)


def _build(p: Params, params_path: Path, build: Path, target: Path, run_date: str, step: Step, log) -> Path:
    shutil.copyfile(params_path, build / "params.yaml")
    logs = _load_aqa(p)
    nav = [{"href": "index.html", "title": "Summary"}]
    if "performance" in p.notebooks:
        nav.append({"href": "brief.html", "title": "Brief"})
    nav.append({"href": "questions.html", "title": "Questions for the force"})
    if p.previous_pack:
        nav.append({"href": "changes.html", "title": "Changes since the last pack"})
    nav.append({"href": "data-quality.html", "title": "Data quality"})

    step("validating inputs against their contracts")
    rep = run_validation(p)
    (build / "validation.json").write_text(json.dumps(rep.to_json(), indent=2, sort_keys=True, default=str) + "\n",
                                           encoding="utf-8")
    verdict = _dq_verdict(rep)
    section_titles = {}
    import jupytext

    for name in p.notebooks:
        section_titles[name] = views.notebook_title(jupytext.read(paths.REPO_ROOT / "notebooks" / f"{name}.py"))
    sections_nav = [{"href": f"{n}.html", "title": t} for n, t in section_titles.items()]
    nav += sections_nav + [{"href": "assumptions.html", "title": "Assumptions and caveats"},
                           {"href": "how-to-read.html", "title": "How to read this pack"}]
    ctx = _common_ctx(p, run_date, nav)
    dq_page = dict(page_title="Data quality", current="data-quality.html", dq=verdict, inputs=_dq_inputs(rep), **ctx)
    views.render("data_quality.html.j2", build / "data-quality.html", **dq_page)
    if not rep.ok:
        raise PackError(rep.error_message(), EXIT_INPUT)
    aqa_by_section, aqa_counts = _aqa_pages(p, logs, rep, build, section_titles, ctx)
    step.done(verdict["text"])

    step("preparing tables")
    rows_per_file = {}
    for name, frame in rep.frames.items():
        DATASETS[name].prepare(frame, build / "_work" / f"{name}.parquet")
        rows_per_file[name] = frame.groupby("source_file").size().to_dict()
    rep.frames.clear()
    step.done()

    for name in p.notebooks:
        step(f"running notebook {name}")
        _execute(name, build, p)
        step.done()

    step("rendering HTML")
    import nbformat

    summaries = []
    for name in p.notebooks:
        nbp = build / "notebooks" / f"{name}.ipynb"
        nb = nbformat.read(nbp, as_version=4)
        views.strip_volatile(nb)
        nbformat.write(nb, nbp)
        views.render("page.html.j2", build / f"{name}.html", page_title=section_titles[name],
                      current=f"{name}.html", body=views.notebook_body(nb), aqa_box=aqa_by_section[name],
                      **ctx)
        s = build / "tables" / f"{name}_summary.csv"
        if s.is_file():
            summaries.append(restore(pd.read_csv(s, keep_default_na=False)))
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame(
        columns=["topic", "measure", "inclusion", "shown", "data", "commentary", "link"])
    neutralise(summary).to_csv(build / "tables" / "summary.csv", index=False, lineterminator="\n")
    found = build / "tables" / "performance_breaks.csv"
    if found.is_file():  # series findings of the analyses join the data-quality page
        views.render("data_quality.html.j2", build / "data-quality.html", series_breaks=views.breaks_rows(found),
                      **dq_page)
    step.done()

    step("writing provenance and manifest")
    prov = _provenance(p, params_path, rep, rows_per_file, run_date)
    (build / "provenance.json").write_text(json.dumps(prov, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    try:
        brief = views.brief_pages(build, p, ctx, verdict)
    except changes.PreviousPackError as e:
        raise PackError(str(e), EXIT_FAILURE) from None
    views.render("index.html.j2", build / "index.html", page_title="Overview", current="index.html",
                  summary=summary.to_dict(orient="records"), dq=verdict, reporting_month=months.label(p.period.end),
                  sections=sections_nav, aqa_counts=aqa_counts, provenance_rows=_provenance_rows(prov), **brief,
                  **ctx)
    shutil.rmtree(build / "_work")
    builddir.write_marker(build)
    digest = provenance.write_manifest(build)
    builddir.swap(build, target)
    step.done(f"pack written to {target}")
    log(f"MANIFEST.json sha256 {digest} (kept in {provenance.DIGEST_FILE}; record it where the pack is "
        f"published, and check the pack later with: scrutiny verify {target} --digest {digest})")
    return target


def _provenance(p: Params, params_path: Path, rep: Report, rows_per_file: dict, run_date: str) -> dict:
    inputs, contracts = [], []
    for r in rep.inputs:
        files = [{"path": f["path"], "sha256": f["sha256"], "bytes": f["bytes"],
                  "rows": int(rows_per_file.get(r.dataset, {}).get(f["source_file"], 0)),
                  "used": bool(f["in_period"])} for f in r.files]
        inputs.append({"dataset": r.dataset, "pattern": r.pattern, "files": files,
                       "rows": sum(f["rows"] for f in files)})
        contracts.append({"name": r.contract, "path": r.contract_path, "sha256": r.contract_sha256})
    extra = []
    cat = paths.resolve(p.performance.catalogue)
    if cat.is_file():
        extra.append({"path": _rel(cat), "sha256": provenance.sha256_path(cat)})
    for f in sorted(paths.resolve(p.aqa.logs).glob("*.yaml")):
        extra.append({"path": _rel(f), "sha256": provenance.sha256_path(f)})
    ref = paths.resolve(p.outcomes.categories)
    if "outcomes" in p.notebooks and ref.is_file():
        extra.append({"path": _rel(ref), "sha256": provenance.sha256_path(ref)})
    if "peers" in p.notebooks and p.peers.msg_file:
        msg = paths.resolve(p.peers.msg_file)
        extra.append({"path": _rel(msg), "sha256": provenance.sha256_path(msg)})
    for n in p.notebooks:
        nbsrc = paths.REPO_ROOT / "notebooks" / f"{n}.py"
        extra.append({"path": _rel(nbsrc), "sha256": provenance.sha256_path(nbsrc)})
    return {
        "pack": p.pack.model_dump(), "run_date": run_date,
        # the params file's own location is not recorded when outside the repo (its copy is params.yaml),
        # so the same params give the same bytes wherever they were kept
        "params_file": {"path": _rel(params_path.resolve()) if _inside(params_path) else params_path.name,
                        "sha256": provenance.sha256_path(params_path), "copy": "params.yaml"},
        "params": p.model_dump(mode="json"),
        "inputs": inputs, "contracts": contracts, "code": extra, "code_digest": provenance.code_digest(),
        "git": provenance.git_state(), "versions": provenance.versions(),
    }


def _inside(path: Path) -> bool:
    return path.resolve().is_relative_to(paths.REPO_ROOT)


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _provenance_rows(prov: dict) -> list[tuple[str, str]]:
    rows = [("Run date", prov["run_date"]),
            ("Params", f"{prov['params_file']['path']} (sha256 {prov['params_file']['sha256'][:16]}…)"),
            ("Code", f"git commit {prov['git']['commit'] or 'unknown'}" +
             (" with uncommitted changes" if prov["git"]["dirty"] else "") +
             f"; code sha256 {prov['code_digest']['sha256'][:16]}… ({prov['code_digest']['files']} files)")]
    for i in prov["inputs"]:
        used = [f for f in i["files"] if f["used"]]
        rows.append((f"Input {i['dataset']}", f"{i['pattern']}: {len(used)} file(s), {i['rows']:,} rows"))
    for c in prov["contracts"]:
        rows.append((f"Contract {c['name']}", f"{c['path']} (sha256 {c['sha256'][:16]}…)"))
    v = prov["versions"]
    rows.append(("Software", ", ".join(f"{k} {v[k]}" for k in ("python", "great_expectations", "pandas", "duckdb",
                                                                 "statsmodels", "altair", "papermill") if v.get(k))))
    return rows


def validate_only(params_path: str | Path, log=print) -> Report:
    _env()
    p = load_params(params_path)
    check_run_date(p, dt.date.today().isoformat())
    rep = run_validation(p)
    for r in rep.inputs:
        log(f"{r.dataset}: {len(r.files)} file(s), {r.rows_checked:,} rows; "
            f"{len(r.critical)} critical and {len(r.warnings)} warning failure(s)")
        for o in r.warnings:
            log("  warning: " + o.line())
    if not rep.ok:
        raise PackError(rep.error_message(), EXIT_INPUT)
    return rep
