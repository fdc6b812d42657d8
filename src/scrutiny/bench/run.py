"""Time the pack on large generated inputs against plain pandas on the same files: `scrutiny bench`.

Each timed thing runs in its own process (a fresh interpreter, as a user would run it), `repeat` times; the
median is reported with every run, and the CPU seconds (user + system, the process and its children) beside the
wall seconds: on a machine shared with other work the CPU seconds move less than the wall seconds. Peak memory is the largest resident set of the process tree, sampled with
psutil every 200 ms (`peak_tree_mb`), and the largest single process's `ru_maxrss` from wait4 (`peak_process_mb`).
Step times inside a pack run are the runner's own step timings, read from its log.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from scrutiny import paths
from scrutiny.bench import data

OUT = paths.REPO_ROOT / "outputs" / "bench"
RUN_DATE = "2025-07-15"
CASES = ("met", "national", "default")
DEFAULT_PARAMS = paths.REPO_ROOT / "params" / "default.yaml"


class BenchError(Exception):
    """A case of the benchmark cannot run or failed; the message says which and why."""


def missing_inputs(params_path: Path) -> list[str]:
    """Why each input of a params file that matches no file cannot be read (empty when every input has files): the
    benchmark checks the default pack's before it starts, not after the other cases' minutes."""
    from scrutiny.config import params
    from scrutiny.inputs.files import InputError
    from scrutiny.inputs.registry import DATASETS

    out = []
    for name, spec in params.load(params_path).inputs.items():
        try:
            DATASETS[name].discover(spec.path)
        except InputError as e:
            out.append(str(e))
    return out
_STEP = re.compile(r"^\[(\d+)/(\d+)\] (.*?) …$")
_DONE = re.compile(r"\((\d+(?:\.\d+)?) s\)$")
_NOTEBOOK = re.compile(r"^notebook (\S+) ok \((\d+(?:\.\d+)?) s\)$")


def step_name(text: str) -> str:
    """The runner's step line to a short name ('running notebook outcomes' -> 'notebook outcomes')."""
    if text.startswith("validating"):
        return "validation"
    if text.startswith("preparing"):
        return "preparing tables"
    if text.startswith("running notebook "):
        return "notebook " + text[len("running notebook "):]
    if text.startswith("running ") and "notebook" in text:
        return "notebooks"
    if text.startswith("rendering"):
        return "rendering HTML"
    if text.startswith("writing provenance"):
        return "provenance and manifest"
    return text


def parse_steps(log: str) -> dict[str, float]:
    """Seconds of each step of a `scrutiny run` log ('[i/n] text …' then a line ending '(x s)'), and of each
    notebook ('notebook <name> ok (x s)' lines, written as each ends while several run at once)."""
    out, current = {}, None
    for line in log.splitlines():
        nb = _NOTEBOOK.match(line.strip())
        if nb:
            out[f"notebook {nb.group(1)}"] = float(nb.group(2))
            continue
        m = _STEP.match(line.strip())
        if m:
            current = step_name(m.group(3))
            continue
        d = _DONE.search(line.strip())
        if current and d:
            out[current] = float(d.group(1))
            current = None
    return out


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Run a command; its wall seconds, exit code, output, and peak memory (tree and largest process, MB)."""
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=paths.REPO_ROOT)
        peak = 0
        proc = psutil.Process(p.pid)
        while True:
            try:
                tree = [proc] + proc.children(recursive=True)
                rss = 0
                for q in tree:
                    try:
                        rss += q.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, rss)
            except psutil.Error:
                pass
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.2)
        secs = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"seconds": secs, "code": p.returncode, "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace"), "peak_tree_mb": peak / 2 ** 20,
                "peak_process_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}


def _env() -> dict:
    return {**os.environ, "PYTHONHASHSEED": "0", "GX_ANALYTICS_ENABLED": "false", "TQDM_DISABLE": "1"}


def _scrutiny() -> list[str]:
    return [sys.executable, "-m", "scrutiny.cli"]


class Results:
    """The timings collected: one row per (case, step), each with every run's seconds."""

    def __init__(self):
        self.rows: dict[tuple[str, str], dict] = {}

    def add(self, case: str, step: str, seconds: float, peak_mb: float | None = None, cpu_s: float | None = None):
        r = self.rows.setdefault((case, step), {"case": case, "step": step, "runs": [], "peaks_mb": [],
                                                "cpu_runs": []})
        r["runs"].append(round(seconds, 2))
        if peak_mb is not None:
            r["peaks_mb"].append(round(peak_mb))
        if cpu_s is not None:
            r["cpu_runs"].append(round(cpu_s, 2))

    def table(self) -> list[dict]:
        out = []
        for r in self.rows.values():
            out.append({**r, "median_s": round(statistics.median(r["runs"]), 2),
                        "median_cpu_s": round(statistics.median(r["cpu_runs"]), 2) if r["cpu_runs"] else None,
                        "peak_mb": max(r["peaks_mb"]) if r["peaks_mb"] else None})
        return out

    def median(self, case: str, step: str) -> float | None:
        r = self.rows.get((case, step))
        return statistics.median(r["runs"]) if r else None


def pack_params(name: str, street: str, outcomes: str, force: str, period: tuple[str, str], folder: Path) -> Path:
    """A params file like params/default_public_only.yaml (the default pack's police.uk sections) reading the
    generated files."""
    p = yaml.safe_load((paths.REPO_ROOT / "params" / "default_public_only.yaml").read_text(encoding="utf-8"))
    p["pack"] = {"id": f"bench-{name}", "title": f"Benchmark: {name}", "force": force}
    p["period"] = {"start": period[0], "end": period[1]}
    p["inputs"] = {"police_uk_street": {"path": street}, "police_uk_outcomes": {"path": outcomes}}
    out = folder / "params.yaml"
    out.write_text(yaml.safe_dump(p, sort_keys=False), encoding="utf-8")
    return out


def peers_params(street: str, force: str, period_end: str, folder: Path) -> Path:
    """A police.uk peers pack (params/peers_police_uk_example.yaml) over every force's generated street files."""
    p = yaml.safe_load((paths.REPO_ROOT / "params" / "peers_police_uk_example.yaml").read_text(encoding="utf-8"))
    p["pack"] = {"id": "bench-national-peers", "title": "Benchmark: police.uk peers", "force": force}
    p["inputs"]["police_uk_street"] = {"path": street}
    p["peers"]["period_end"] = period_end
    out = folder / "peers-params.yaml"
    out.write_text(yaml.safe_dump(p, sort_keys=False), encoding="utf-8")
    return out


def time_pack(res: Results, case: str, params: Path, out: Path, repeat: int, log, cold: int = 0) -> None:
    """`cold` runs with empty caches (every police.uk file read from its .csv.gz and every chart drawn: a first
    run, or new files), then `repeat` runs with the caches those left (the files unchanged: a re-run). The cold runs' steps are
    named '… (cold)'. The caches (ingest and drawn charts) are the benchmark's own, beside `out`, emptied before
    each cold run: a warm run is a re-run on unchanged files, whose charts are taken from the chart cache."""
    cache = out.parent / f"{out.name}-ingest-cache"
    charts = out.parent / f"{out.name}-chart-cache"
    for i in range(cold + repeat):
        label = " (cold)" if i < cold else ""
        if i < cold:
            for c in (cache, charts):
                if c.exists():
                    shutil.rmtree(c)
        m = measure(_scrutiny() + ["run", str(params), "--run-date", RUN_DATE, "--out", str(out)],
                    {**_env(), "SCRUTINY_CACHE": str(cache), "SCRUTINY_CHART_CACHE": str(charts)})
        if m["code"] != 0:
            raise BenchError(f"the {case} pack failed (exit {m['code']}):\n{m['stderr'][-3000:]}")
        steps = parse_steps(m["stdout"])
        for step, s in steps.items():
            res.add(case, step + label, s)
        res.add(case, "whole pack" + label, m["seconds"], m["peak_tree_mb"], m["cpu_s"])
        n, of = (i + 1, cold) if i < cold else (i + 1 - cold, repeat)
        log(f"  {case} pack{label or ' (cache warm)'} run {n}/{of}: {m['seconds']:.1f} s, peak "
            f"{m['peak_tree_mb']:,.0f} MB ({', '.join(f'{k} {v:.1f}' for k, v in steps.items())})")


def time_plain(res: Results, case: str, street: str, outcomes: str, repeat: int, log) -> None:
    for i in range(repeat):
        m = measure([sys.executable, "-m", "scrutiny.bench.plain", "--street", street, "--outcomes", outcomes],
                    _env())
        if m["code"] != 0:
            raise BenchError(f"plain pandas failed on {case}:\n{m['stderr'][-3000:]}")
        r = json.loads(m["stdout"].strip().splitlines()[-1])
        res.add(case, "plain pandas", r["seconds"], m["peak_tree_mb"], r["cpu_s"])
        log(f"  {case} plain pandas run {i + 1}/{repeat}: {r['seconds']:.1f} s, peak {m['peak_tree_mb']:,.0f} MB "
            f"({r['street_rows']:,} street rows, {r['outcome_rows']:,} outcome rows)")


def time_sql(res: Results, case: str, street: str, outcomes: str, period: tuple[str, str], work: Path,
             repeat: int, log) -> None:
    for i in range(repeat):
        m = measure([sys.executable, "-m", "scrutiny.bench.sqlpath", "--street", street, "--outcomes", outcomes,
                     "--work", str(work), "--period", *period], _env())
        if m["code"] != 0:
            raise BenchError(f"the SQL path failed on {case}:\n{m['stderr'][-3000:]}")
        r = json.loads(m["stdout"].strip().splitlines()[-1])
        res.add(case, "SQL ingest (DuckDB, csv.gz to Parquet)", r["ingest_s"])
        res.add(case, "SQL aggregates (DuckDB)", r["aggregates_s"])
        res.add(case, "SQL ingest + aggregates", r["seconds"], m["peak_tree_mb"], r["cpu_s"])
        log(f"  {case} SQL path run {i + 1}/{repeat}: ingest {r['ingest_s']:.1f} s, aggregates "
            f"{r['aggregates_s']:.1f} s, peak {m['peak_tree_mb']:,.0f} MB ({r['street_rows']:,} street rows)")


def machine() -> dict:
    import psutil

    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo", encoding="utf-8")
                    if ln.startswith("model name")), "")
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2 ** 30, 1), "cpu": cpu,
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def bench(repeat: int = 3, scale: float = 1.0, cases: tuple[str, ...] = CASES, out: Path = OUT,
          cache: Path = data.CACHE, log=print, cold: int = 1) -> dict:
    """Generate (or reuse) the data, time every case, write bench.json; returns what was written. Each pack is
    run `cold` times with empty caches (ingest and drawn charts), then `repeat` times with them warm."""
    if "default" in cases:
        missing = missing_inputs(DEFAULT_PARAMS)
        if missing:
            raise BenchError("the default pack (params/default.yaml) cannot run: " + "; ".join(missing))
    out.mkdir(parents=True, exist_ok=True)
    res = Results()
    info = {"machine": machine(), "repeat": repeat, "cold_runs": cold, "scale": scale, "run_date": RUN_DATE,
            "data": {}}
    if "met" in cases:
        reps = data.REPEATS * scale
        t = time.perf_counter()
        folder, stamp = data.cached("met", lambda f: data.met_sized(f, reps, log=log), cache, seed=data.SEED,
                                    repeats=reps)
        info["data"]["met"] = {"folder": str(folder), "rows": stamp["rows"], "repeats": reps,
                               "prepare_s": round(time.perf_counter() - t, 1)}
        log(f"met-sized force: {stamp['rows']['street']:,} street rows, {stamp['rows']['outcomes']:,} outcome rows "
            f"in {folder}")
        street, outcomes = str(folder / "*-street.csv.gz"), str(folder / "*-outcomes.csv.gz")
        params = pack_params("met", street, outcomes, "Gwent Police", ("2022-07", "2025-06"), folder)
        time_pack(res, "met", params, out / "pack-met", repeat, log, cold=cold)
        time_plain(res, "met", street, outcomes, repeat, log)
        time_sql(res, "met", street, outcomes, ("2022-07", "2025-06"), out / "work-met", repeat, log)
    if "national" in cases:
        t = time.perf_counter()
        folder, stamp = data.cached("national", lambda f: data.national_year(f, scale, log=log), cache,
                                    seed=data.SEED, scale=scale)
        info["data"]["national"] = {"folder": str(folder), "rows": stamp["rows"], "scale": scale,
                                    "prepare_s": round(time.perf_counter() - t, 1)}
        log(f"national year: {stamp['rows']['street']:,} street rows, {stamp['rows']['outcomes']:,} outcome rows "
            f"in {folder}")
        street, outcomes = str(folder / "*-street.csv.gz"), str(folder / "*-outcomes.csv.gz")
        time_plain(res, "national", street, outcomes, repeat, log)
        time_sql(res, "national", street, outcomes, ("2024-07", "2025-06"), out / "work-national", repeat, log)
        peers = peers_params(street, "Kent Police", "2025-06-30", out)
        time_pack(res, "national peers", peers, out / "pack-national-peers", repeat, log, cold=cold)
    if "default" in cases:
        time_pack(res, "default", DEFAULT_PARAMS, out / "pack-default", repeat, log, cold=cold)
    table = res.table()
    result = {**info, "results": table, "ratios": ratios(res)}
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    log(format_table(table, result["ratios"]))
    log(f"written {out / 'bench.json'}")
    return result


def ratios(res: Results) -> dict:
    """The pack against plain pandas on the same files, same run: data stage (validation + preparing tables)
    and whole pack, each divided by the plain-pandas median (above 1: the pack is slower)."""
    out = {}
    plain = res.median("met", "plain pandas")
    for label, key in (("", ""), (" (cold)", "_cold")):
        if plain and res.median("met", "whole pack" + label):
            data_stage = ((res.median("met", "validation" + label) or 0)
                          + (res.median("met", "preparing tables" + label) or 0))
            out[f"met_data_stage{key}_over_plain_pandas"] = round(data_stage / plain, 2)
            out[f"met_whole_pack{key}_over_plain_pandas"] = round(res.median("met", "whole pack" + label) / plain, 2)
    for case in ("met", "national"):
        plain, sql = res.median(case, "plain pandas"), res.median(case, "SQL ingest + aggregates")
        if plain and sql:
            out[f"{case}_sql_path_over_plain_pandas"] = round(sql / plain, 2)
    return out


def format_table(table: list[dict], ratio: dict) -> str:
    lines = ["| case | step | median s | runs (s) | CPU s (median) | peak memory MB |",
             "|---|---|---:|---|---:|---:|"]
    for r in table:
        peak = f"{r['peak_mb']:,}" if r["peak_mb"] is not None else ""
        cpu = f"{r['median_cpu_s']:,.1f}" if r["median_cpu_s"] is not None else ""
        lines.append(f"| {r['case']} | {r['step']} | {r['median_s']:,.1f} | "
                     f"{', '.join(f'{x:.1f}' for x in r['runs'])} | {cpu} | {peak} |")
    for k, v in ratio.items():
        lines.append(f"\n{k.replace('_', ' ')}: {v:.2f}")
    return "\n".join(lines)
