"""`scrutiny prepare`: validated tables and the params file in one folder, and a notebook run by hand on them."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import GWENT, REPO, run_cli, write_gz, write_params
from scrutiny.pack import prepared

pytestmark = [pytest.mark.e2e]


def _bad_street(tmp_path: Path) -> Path:
    """One month of real rows with 'Crime type' renamed: the contract refuses it."""
    d = tmp_path / "bad"
    d.mkdir()
    with gzip.open(GWENT / "2025-06-gwent-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))[:51]
    write_gz(d / "2025-06-gwent-street.csv.gz", ["Crime kind" if h == "Crime type" else h for h in header], rows)
    return d


@pytest.fixture(scope="module")
def prepared_default(tmp_path_factory) -> Path:
    """The 13-month Gwent slice prepared as the default pack would be, under <tmp>/outputs/.prepared/default."""
    root = tmp_path_factory.mktemp("lab")
    params = write_params(root / "default.yaml", pack={"id": "default"})
    out = root / "outputs" / ".prepared" / "default"
    res = run_cli("prepare", params, "--out", out)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"Prepared tables in {out}" in res.stdout
    return out


def test_prepare_writes_tables_and_params(prepared_default):
    names = sorted(p.name for p in prepared_default.iterdir())
    assert names == [prepared.MARKER, "params.yaml", "police_uk_street.parquet", "validation.json"]
    street = pd.read_parquet(prepared_default / "police_uk_street.parquet")
    assert {"crime_id", "month", "crime_type"} <= set(street.columns)
    assert street["month"].min() <= "2024-06" and street["month"].max() == "2025-06"


def test_notebook_runs_top_to_bottom_with_its_default_parameters(prepared_default, tmp_path):
    """performance.py, unchanged, through nbclient in a folder beside the prepared tables (as JupyterLab runs it
    from notebooks/): its default parameters find ../outputs/.prepared/default."""
    import jupytext
    import nbclient

    nb = jupytext.read(REPO / "notebooks" / "performance.py")
    cwd = prepared_default.parents[2] / "notebooks"
    cwd.mkdir(exist_ok=True)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "Reporting month: June 2025" in html
    assert (prepared_default / "tables" / "performance_monthly.csv").is_file()


def test_bad_input_refused_like_validate_and_nothing_written(tmp_path):
    params = write_params(tmp_path / "p.yaml", period={"start": "2025-06", "end": "2025-06"},
                          inputs={"police_uk_street": {"path": str(_bad_street(tmp_path) / "*-street.csv.gz")}})
    out = tmp_path / "prep"
    res = run_cli("prepare", params, "--out", out)
    val = run_cli("validate", params)
    assert res.returncode == 2 == val.returncode
    assert "2025-06-gwent-street.csv.gz" in res.stderr and "Crime type" in res.stderr
    assert val.stderr.strip().removeprefix("scrutiny: error: ") in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists() and not (tmp_path / ".build-prep").exists()


def test_refuses_a_folder_it_did_not_write_and_replaces_its_own(prepared_default, tmp_path):
    params = write_params(tmp_path / "p.yaml", period={"start": "2025-06", "end": "2025-06"})
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    res = run_cli("prepare", params, "--out", other)
    assert res.returncode == 1 and "not written by `scrutiny prepare`" in res.stderr
    assert (other / "notes.txt").read_text() == "keep me"
    again = tmp_path / "again"
    shutil.copytree(prepared_default, again)
    (again / "tables").mkdir(exist_ok=True)
    res = run_cli("prepare", params, "--out", again)
    assert res.returncode == 0, res.stderr
    assert not (again / "tables").exists()
    assert (again / "params.yaml").read_bytes() == params.read_bytes()
