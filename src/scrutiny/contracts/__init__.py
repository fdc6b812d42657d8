"""Data contracts: Great Expectations suites kept as plain JSON in data_contracts/, run once per pack.

Each suite is `data_contracts/<dataset>.v<N>.json` in GX 1.x's own format (no random ids). Every
expectation carries a `severity` (critical stops the pack; warning is reported) and a `meta` with
`level` ("file": checked on a table of one row per file; "row": checked on the rows of all files)
and `explain` (the rule in plain English, shown to users). `{"$PARAMETER": name}` values are
filled from the pack (period months, force name, expected header).

Great Expectations is imported here, lazily, and nowhere else: notebooks never import it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from scrutiny import paths
from scrutiny.inputs import staging
from scrutiny.inputs.files import InputError, sha256_file
from scrutiny.inputs.registry import DATASETS

CONTRACTS_DIR = paths.REPO_ROOT / "data_contracts"
MAX_EXAMPLES = 10


@dataclass
class ExpectationResult:
    """The result of one expectation on one input."""

    dataset: str
    expectation: str
    column: str
    level: str
    severity: str
    explain: str
    success: bool
    element_count: int = 0
    unexpected_count: int = 0
    examples: list[dict] = field(default_factory=list)
    note: str = ""

    def line(self) -> str:
        where = f"column '{self.column}'" if self.column else "table"
        head = (f"{self.dataset}: {where}: {self.expectation} [{self.severity}] — {self.explain}"
                f" — {self.unexpected_count} failing {'files' if self.level == 'file' else 'rows'}"
                if self.unexpected_count else
                f"{self.dataset}: {where}: {self.expectation} [{self.severity}] — {self.explain}")
        out = [head]
        if self.note:
            out.append(f"    {self.note}")
        for ex in self.examples:
            out.append("    " + ", ".join(f"{k}={v}" for k, v in ex.items()))
        return "\n".join(out)


@dataclass
class InputResult:
    dataset: str
    pattern: str
    contract: str
    contract_path: str
    contract_sha256: str
    files: list[dict]
    rows_checked: int
    outcomes: list[ExpectationResult]

    @property
    def critical(self) -> list[ExpectationResult]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationResult]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]


@dataclass
class Report:
    inputs: list[InputResult]
    frames: dict = field(default_factory=dict, repr=False)  # dataset -> validated rows (not serialised)

    @property
    def ok(self) -> bool:
        return not any(r.critical for r in self.inputs)

    def to_json(self) -> dict:
        return {"ok": self.ok, "inputs": [asdict(r) for r in self.inputs]}

    def error_message(self) -> str:
        lines = ["Input validation failed: a critical expectation was broken; nothing was analysed."]
        for r in self.inputs:
            for o in r.critical:
                lines.append(o.line())
        return "\n".join(lines)


CONTRACT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.v[0-9]+$")


def contract_path(name: str) -> Path:
    """data_contracts/<name>.json; a name, never a path (no folders, no '..')."""
    if not CONTRACT_NAME.match(name):
        raise InputError(f"contract {name!r} is not a contract name: write the name of a suite in data_contracts/ "
                         "such as 'police_uk_street.v1' (no folders, no '..', no .json)")
    return CONTRACTS_DIR / f"{name}.json"


def load_suite_json(name: str) -> dict:
    """A suite from data_contracts/, refused when missing, not a suite, or checking nothing."""
    p = contract_path(name)
    if not p.is_file():
        raise InputError(f"contract {name!r} not found at {p}")
    try:
        suite = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"contract {name!r} ({p}) is not valid JSON: {e}") from None
    exps = suite.get("expectations") if isinstance(suite, dict) else None
    if not isinstance(exps, list) or not all(isinstance(e, dict) and e.get("type") for e in exps):
        raise InputError(f"contract {name!r} ({p}) is not an expectation suite (it needs a list 'expectations' "
                         "of {type, kwargs, meta, severity})")
    if not exps:
        raise InputError(f"contract {name!r} ({p}) has no expectations: a suite that checks nothing would pass "
                         "any input, so it is refused")
    return suite


def _split(suite: dict, level: str) -> dict:
    return {**suite, "name": f"{suite['name']}:{level}",
            "expectations": [e for e in suite["expectations"] if e.get("meta", {}).get("level", "row") == level]}


def _columns_used(suite: dict, rows: pd.DataFrame, index_cols: list[str]) -> pd.DataFrame:
    """Only the columns the expectations read (and the index columns naming failing rows): Great Expectations
    copies the frame it checks, so a narrower frame lowers peak memory on large inputs."""
    cols = set(index_cols)
    for e in suite["expectations"]:
        kw = e.get("kwargs", {})
        cols |= {kw[k] for k in ("column", "column_A", "column_B") if isinstance(kw.get(k), str)}
        cols |= {c for k in ("column_list",) for c in kw.get(k, []) if isinstance(c, str)}
    return rows[[c for c in rows.columns if c in cols]]


@contextmanager
def _without_spark():
    """Great Expectations imports PySpark whenever it is installed (seconds, a warning, and under some launchers an
    exit) although the pack validates pandas frames only: hide it while GX is imported, then put it back. Its
    submodules are hidden too: when PySpark was imported earlier in the process (the Spark parity test), GX would
    otherwise reach `pyspark.sql` through them and import Spark Connect, which exits the interpreter when grpc is
    missing and the main module has no file (pytest-xdist workers, `python -c`)."""
    saved = {k: m for k, m in sys.modules.items() if k == "pyspark" or k.startswith("pyspark.")}
    for k in saved:
        del sys.modules[k]
    sys.modules["pyspark"] = None  # makes `import pyspark` raise ImportError, as if it were absent
    try:
        yield
    finally:
        for k in [k for k in sys.modules if k == "pyspark" or k.startswith("pyspark.")]:
            del sys.modules[k]
        sys.modules.update(saved)


class _Validator:
    """One ephemeral GX context for the whole pack."""

    def __init__(self):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        with _without_spark():
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.ds = self.ctx.data_sources.add_pandas("inputs")
        self.n = 0

    def run(self, suite_json: dict, df: pd.DataFrame, index_cols: list[str], parameters: dict):
        self.n += 1
        gx = self.gx
        suite = self.ctx.suites.add(gx.ExpectationSuite(**{**suite_json, "name": f"{suite_json['name']}#{self.n}"}))
        bd = self.ds.add_dataframe_asset(f"a{self.n}").add_batch_definition_whole_dataframe("whole")
        vd = self.ctx.validation_definitions.add(gx.ValidationDefinition(name=f"v{self.n}", data=bd, suite=suite))
        return vd.run(batch_parameters={"dataframe": df}, expectation_parameters=parameters,
                      result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_cols,
                                     "partial_unexpected_count": MAX_EXAMPLES})


def _clean(v):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v


def _outcome(dataset: str, res, df: pd.DataFrame, parameters: dict, level: str) -> ExpectationResult:
    cfg = res.expectation_config
    kw = cfg.kwargs
    meta = cfg.meta or {}
    column = kw.get("column") or kw.get("column_A") or ""
    if kw.get("column_B"):
        column = f"{kw['column_A']}' vs '{kw['column_B']}"
    r = res.result or {}
    out = ExpectationResult(dataset=dataset, expectation=cfg.type, column=column, level=level,
                  severity=str(getattr(cfg.severity, "value", cfg.severity) or "critical").lower(),
                  explain=meta.get("explain", ""), success=bool(res.success),
                  element_count=int(r.get("element_count") or len(df)),
                  unexpected_count=int(r.get("unexpected_count") or 0))
    if res.exception_info and res.exception_info.get("raised_exception"):
        out.success = False
        out.note = "the check could not run: " + str(res.exception_info.get("exception_message", ""))[:300]
        return out
    if out.success:
        return out
    for item in (r.get("unexpected_index_list") or [])[:MAX_EXAMPLES]:
        out.examples.append({k: _clean(v) for k, v in item.items()})
    if cfg.type == "expect_column_distinct_values_to_contain_set":
        vs = kw["value_set"]
        wanted = parameters[vs["$PARAMETER"]] if isinstance(vs, dict) else vs
        missing = sorted(set(wanted) - set(df[kw["column"]].dropna().unique()))
        out.unexpected_count = len(missing)
        out.note = f"missing: {', '.join(map(str, missing[:24]))}" + (" …" if len(missing) > 24 else "")
    elif cfg.type == "expect_column_unique_value_count_to_be_between":
        vals = df[kw["column"]].dropna().unique()
        out.note = f"found {len(vals)} distinct values: {sorted(map(str, vals))[:10]}"
    elif kw.get("column") == "district_spelling_ok" and "LSOA name" in df.columns:
        from scrutiny.reference.police_uk import district_spellings, spelling_note

        out.note = spelling_note(district_spellings(df["LSOA name"], df["file_month"]))
    elif cfg.type == "expect_column_values_to_be_in_set" and kw.get("column") == "header":
        _header_note(out, df, parameters)
    return out


def _header_note(out: ExpectationResult, df: pd.DataFrame, parameters: dict) -> None:
    """A failed header check: what is wrong with each file's header, and the header expected."""
    expected = str(parameters.get("header", [""])[0]).split("|")
    found = dict(zip(df["source_file"], df["header"]))
    for ex in out.examples:
        ex["problem"] = header_problem(expected, str(found.get(ex.get("source_file"), "")).split("|"))
    out.note = "expected header: " + ", ".join(expected)


def _sql_outcomes(dataset: str, suite: dict, rows: pd.DataFrame, index_cols: list[str], parameters: dict,
                  inputs: set[str], level: str = "row") -> list[ExpectationResult]:
    """Expectations run by contracts.sql on DuckDB (the rows, or the one-row-per-file table). An expectation
    whose `meta.requires` names an input the pack does not have is not run, and says so."""
    from scrutiny.contracts import sql
    from scrutiny.inputs.force_extract import connect

    run, skipped = [], []
    for e in suite["expectations"]:
        need = e.get("meta", {}).get("requires")
        (skipped if need and need not in inputs else run).append(e)
    if hasattr(rows, "connect"):  # staged rows (inputs/staging.py): a view over the cached Parquet
        con = rows.connect("rows")
    else:
        con = connect()
        con.register("rows", rows)
    try:
        results = sql.run(con, "rows", run, index_cols, parameters)
    finally:
        con.close()
    out = []
    for r in results:
        kw, meta = r.expectation.get("kwargs", {}), r.expectation.get("meta", {})
        column = kw.get("column") or kw.get("column_A") or ""
        if kw.get("column_B"):
            column = f"{kw['column_A']}' vs '{kw['column_B']}"
        out.append(ExpectationResult(dataset=dataset, expectation=r.expectation["type"], column=column, level=level,
                                     severity=str(r.expectation.get("severity") or "critical").lower(),
                                     explain=meta.get("explain", ""), success=r.success,
                                     element_count=r.element_count, unexpected_count=r.unexpected_count,
                                     examples=r.examples, note=r.note))
        if not r.success and column == "header":
            _header_note(out[-1], rows, parameters)
        elif not r.success and column == "district_spelling_ok" and hasattr(rows, "spelling_note"):
            out[-1].note = rows.spelling_note()
    for e in skipped:
        kw = e.get("kwargs", {})
        out.append(ExpectationResult(dataset=dataset, expectation=e["type"], column=kw.get("column_A", ""),
                                     level=level, severity=str(e.get("severity") or "critical").lower(),
                                     explain=e.get("meta", {}).get("explain", ""), success=True,
                                     note=f"not run: this pack has no {e['meta']['requires']} input to check it "
                                          "against"))
    return out


def header_problem(expected: list[str], found: list[str]) -> str:
    """What is wrong with a header, in words: columns missing, columns not expected, or the order."""
    if found == [""]:
        return "no header could be read (the file itself is unreadable: see column 'readable')"
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(repr(c) for c in missing))
    if extra:
        parts.append("unexpected column(s) " + ", ".join(repr(c) for c in extra))
    if not parts:
        parts.append("same columns in a different order" if sorted(found) == sorted(expected)
                     else "a column is repeated")
    return "; ".join(parts)


def validate(params, progress=None) -> Report:
    """Run every input of a pack through its contract. Never raises for bad data: see Report.ok. `progress`, when
    given, is called with one line per input as its checks end.

    Inputs whose rules run as DuckDB SQL (police.uk street and outcomes, the force's extracts) are checked in a
    second thread while Great Expectations checks the others (DuckDB works outside Python's interpreter lock, so
    the two overlap on two cores), or, when no input needs Great Expectations, in two threads; an input checked
    against another is checked after it, in the same thread. The report lists the inputs in the same order either
    way, and an input that cannot be read stops the run with the error of the first such input in that order."""
    from concurrent.futures import ThreadPoolExecutor

    report = Report(inputs=[])
    period = (params.period.start, params.period.end)
    # an input checked against another (relations against figures) comes after it
    order = [n for n, _ in sorted(params.inputs.items(),
                                  key=lambda kv: getattr(DATASETS[kv[0]], "after", "") in params.inputs)]
    sql = [n for n in order if getattr(DATASETS[n], "row_engine", "gx") == "sql"]
    gx = [n for n in order if n not in sql]
    crossed = any(getattr(DATASETS[n], "after", None) in (gx if n in sql else sql) for n in order)
    results: dict[str, InputResult] = {}
    said = threading.Lock()

    def say(line: str) -> None:
        with said:
            progress(line)

    def check(names: list[str], v) -> None:
        for name in names:
            t = time.perf_counter()
            with staging.reporting(say if progress else None):  # files read into the ingest cache, as they go
                r = results[name] = _check_input(name, params.inputs[name], params, period, v, report.frames)
            if progress:
                say(f"{name}: {len(r.files)} file(s), {r.rows_checked:,} rows checked in "
                    f"{time.perf_counter() - t:.1f} s")

    if crossed or not sql:
        check(order, _Validator() if gx else None)
    else:
        chains, failed = after_chains(sql), {}
        todo = list(chains)

        def drain() -> None:  # the next chain of inputs until none is left or one cannot be read
            while True:
                with said:
                    if not todo or failed:
                        return
                    chain = todo.pop(0)
                try:
                    check(chain, None)
                except InputError as e:
                    with said:
                        failed[order.index(chain[0])] = e
                    return

        workers = 1 if gx else 2
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sql-contracts") as pool:
            runs = [pool.submit(drain) for _ in range(workers)]
            try:
                if gx:
                    check(gx, _Validator())
            finally:
                for r in runs:
                    r.result()
        if failed:
            raise failed[min(failed)]
    report.inputs = [results[n] for n in order]
    return report


def after_chains(names: list[str]) -> list[list[str]]:
    """`names` (each after the input it is checked against) grouped so that an input checked against another is
    in the same group, after it: the groups are checked one after another in a thread, two threads at a time."""
    chains: list[list[str]] = []
    home: dict[str, list[str]] = {}
    for n in names:
        chain = home.get(getattr(DATASETS[n], "after", None))
        if chain is None:
            chain = []
            chains.append(chain)
        chain.append(n)
        home[n] = chain
    return chains


def _check_input(name: str, spec, params, period: tuple[str, str], v, frames: dict) -> InputResult:
    """One input through its contract: the file-level rules, then (when the files pass) the row-level rules on
    its rows, kept in `frames` for the tables notebooks read. `v` is the GX validator (None for SQL-only inputs)."""
    ds = DATASETS[name]
    cname = spec.contract or ds.contract
    suite = load_suite_json(cname)
    cpath = contract_path(cname)
    files = ds.discover(spec.path)
    fdf = ds.files_frame(files, period)
    parameters = ds.expectation_parameters(period, params.pack.force)
    in_period = fdf[fdf["in_period"]].reset_index(drop=True)
    if getattr(ds, "row_engine", "gx") == "sql":
        outcomes = _sql_outcomes(name, _split(suite, "file"), in_period, ["source_file"], parameters,
                                 set(params.inputs), level="file")
    else:
        res = v.run(_split(suite, "file"), in_period, ["source_file"], parameters)
        outcomes = [_outcome(name, r, in_period, parameters, "file") for r in res.results]
    rows_checked = 0
    file_ok = not any(not o.success and o.severity == "critical" for o in outcomes)
    if file_ok:
        # a force's large extracts are staged as Parquet in the ingest cache, as police.uk files are
        rows = ds.stage_rows(in_period) if hasattr(ds, "stage_rows") else ds.load_rows(in_period)
        if hasattr(ds, "link"):  # columns that need another input's rows (e.g. figure ids named)
            rows = ds.link(rows, frames)
        rows_checked = len(rows)
        idx = ["source_file", "row"] + ([ds.record_id] if ds.record_id else [])
        rsuite = _split(suite, "row")
        if getattr(ds, "row_engine", "gx") == "sql":  # large extracts: the same rules as DuckDB SQL
            outcomes += _sql_outcomes(name, rsuite, rows, idx, parameters, set(params.inputs))
        else:
            rres = v.run(rsuite, _columns_used(rsuite, rows, idx), idx, parameters)
            outcomes += [_outcome(name, r, rows, parameters, "row") for r in rres.results]
        file_rows = _split(suite, "file_rows")
        if file_rows["expectations"] and hasattr(ds, "file_stats"):
            accepted = {a.month: a.reason for a in params.data_quality.accept_volume}
            stats = ds.file_stats(rows, in_period, accepted)
            named = ["source_file", "rows", "repeated_crime_ids", "volume_ratio"]
            if getattr(ds, "row_engine", "gx") == "sql":  # the ratio is a number or words: text for DuckDB
                stats = stats.assign(volume_ratio=stats["volume_ratio"].map(str))
                checked = _sql_outcomes(name, file_rows, stats, named, parameters, set(params.inputs),
                                        level="file")
                for ex in (ex for o in checked for ex in o.examples):
                    ex["volume_ratio"] = _number_or_words(ex.get("volume_ratio"))
                outcomes += checked
            else:
                fres = v.run(file_rows, stats, named, parameters)
                outcomes += [_outcome(name, r, stats, parameters, "file") for r in fres.results]
        frames[name] = rows
    else:
        outcomes.append(ExpectationResult(dataset=name, expectation="row checks", column="", level="row",
                                severity="critical", explain="row-level checks were not run because "
                                "the files themselves failed a critical check", success=False))
    shown = {f: _display(p) for f, p in zip(fdf["source_file"], fdf["path"])}
    checked = [shown[f] for f in in_period["source_file"]] if len(in_period) else list(shown.values())
    for o in outcomes:
        for ex in o.examples:
            if "source_file" in ex:
                ex["source_file"] = shown.get(ex["source_file"], ex["source_file"])
        if not o.success and not any("source_file" in ex for ex in o.examples) and checked:
            # a check on the input as a whole (a value missing from every file): name the files it read
            files = ", ".join(checked[:5]) + (f" and {len(checked) - 5} more" if len(checked) > 5 else "")
            o.note = (o.note + "; " if o.note else "") + f"file(s) checked: {files}"
    return InputResult(
        dataset=name, pattern=spec.path, contract=cname,
        contract_path=str(cpath.relative_to(paths.REPO_ROOT)),
        contract_sha256=sha256_file(cpath),
        files=fdf[["source_file", "file_month", "in_period", "readable", "bytes", "sha256"]]
        .assign(path=[_display(p) for p in fdf["path"]]).to_dict(orient="records"),
        rows_checked=rows_checked,
        outcomes=outcomes)


def _number_or_words(v):
    """A volume ratio read back from text: the number, or the words ("not judged ...") as they were."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def _display(p: str) -> str:
    """A path as users wrote it: relative to the repo root when inside it."""
    try:
        return str(Path(p).resolve().relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(p)
