"""Shared fixtures: a small real pack (13 months of Gwent data) built once per test session."""

from __future__ import annotations

import csv
import gzip
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# every chart drawn while testing (packs included: kernels inherit it) is checked against the Vega-Lite schema
os.environ.setdefault("SCRUTINY_CHECK_CHARTS", "1")
# charts drawn while testing are kept in a folder of this test process, not in outputs/.cache/charts: every test
# session draws its charts with vl-convert at least once
if "SCRUTINY_CHART_CACHE" not in os.environ:
    import atexit
    import tempfile

    os.environ["SCRUTINY_CHART_CACHE"] = tempfile.mkdtemp(prefix="scrutiny-test-charts-")
    atexit.register(shutil.rmtree, os.environ["SCRUTINY_CHART_CACHE"], True)

REPO = Path(__file__).resolve().parents[1]
GWENT = REPO / "data" / "raw" / "police_uk" / "gwent"
RUN_DATE = "2025-07-15"


@pytest.fixture(scope="session", autouse=True)
def criminal_justice_sample():
    """The default pack reads a generated sample (data/sample/criminal_justice/, not stored in git): write a file
    when it is missing or is not the one data/sample/PROVENANCE.md records (made by an older generator). Each file
    is written under a temporary name and renamed, so parallel workers are safe."""
    import re

    from scrutiny.inputs.files import sha256_file
    from scrutiny.synthetic import criminal_justice as synth

    folder = REPO / "data" / "sample" / "criminal_justice"
    text = (REPO / "data" / "sample" / "PROVENANCE.md").read_text(encoding="utf-8")
    want = dict(re.findall(r"^\| ([a-z_]+\.csv\.gz) \|.*\| ([0-9a-f]{64}) \|$", text, flags=re.M))
    stale = [n for n in synth.GENERATORS if not (folder / f"{n}.csv.gz").is_file()
             or sha256_file(folder / f"{n}.csv.gz") != want.get(f"{n}.csv.gz")]
    if stale:
        synth.generate(folder, only=stale)


def run_cli(*args: str, cwd: Path = REPO, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    return subprocess.run([sys.executable, "-m", "scrutiny.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def write_params(path: Path, **overrides) -> Path:
    """A params file for the 13-month Gwent slice (2024-06..2025-06), with overrides merged in."""
    data = {
        "pack": {"id": "gwent13", "title": "Gwent Police — test pack", "force": "Gwent Police"},
        "period": {"start": "2024-06", "end": "2025-06"},
        "inputs": {"police_uk_street": {"path": str(GWENT / "*-street.csv.gz")}},
        "spc": {"baseline_months": 24, "rules": "mdc_7pt"},
        "notebooks": ["performance"],
    }
    for k, v in overrides.items():
        if v is None:
            data.pop(k, None)
        elif isinstance(v, dict) and isinstance(data.get(k), dict):
            data[k] = {**data[k], **v}
        else:
            data[k] = v
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def gwent13(tmp_path_factory) -> Path:
    """The 13-month Gwent pack, built once with the real CLI."""
    d = tmp_path_factory.mktemp("gwent13")
    params = write_params(d / "gwent13.yaml")
    out = d / "pack"
    res = run_cli("run", params, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def write_gz(path: Path, header, rows) -> Path:
    """A gzip-compressed CSV with the given header and rows (Unix line ends), as data.police.uk ships them."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8")))
    return path


def copy_months(dst: Path, months: list[str], kind: str = "street") -> list[Path]:
    dst.mkdir(parents=True, exist_ok=True)
    out = []
    for m in months:
        src = GWENT / f"{m}-gwent-{kind}.csv.gz"
        out.append(Path(shutil.copy(src, dst / src.name)))
    return out
