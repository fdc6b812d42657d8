"""`scrutiny prepare`: validated tables and the params file in one folder, and a notebook run by hand on them."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import GWENT, REPO, run_cli, write_gz, write_params
from scrutiny.config.sections import SECTIONS
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
def lab_root(tmp_path_factory) -> Path:
    """A folder laid out like the repository for notebooks opened by hand: <root>/notebooks (the kernel's working
    folder) and <root>/outputs/.prepared/<pack id>/."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    return root


def _sample_inputs() -> dict:
    """The default pack's generated force extracts (victims, criminal justice), as params/default.yaml names them."""
    import yaml

    inputs = yaml.safe_load((REPO / "params" / "default.yaml").read_text(encoding="utf-8"))["inputs"]
    return {k: {"path": str(REPO / v["path"])} for k, v in inputs.items() if "data/sample/" in v["path"]}


SAMPLE_INPUTS = _sample_inputs()


@pytest.fixture(scope="module")
def prepared_default(lab_root) -> Path:
    """The 13-month Gwent slice (street and outcomes) prepared as the default pack would be."""
    params = write_params(lab_root / "default.yaml", pack={"id": "default"},
                          inputs={"police_uk_street": {"path": str(GWENT / "*-street.csv.gz")},
                                  "police_uk_outcomes": {"path": str(GWENT / "*-outcomes.csv.gz")},
                                  **SAMPLE_INPUTS},
                          notebooks=["performance", "districts", "outcomes", "victims", "criminal_justice"])
    out = lab_root / "outputs" / ".prepared" / "default"
    res = run_cli("prepare", params, "--out", out)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"Prepared tables in {out}" in res.stdout
    return out


def test_prepare_writes_tables_and_params(prepared_default):
    names = sorted(p.name for p in prepared_default.iterdir() if p.name != "tables")
    assert names == sorted([prepared.MARKER, "params.yaml", "police_uk_outcomes.parquet",
                            "police_uk_street.parquet", "validation.json", *(f"{k}.parquet" for k in SAMPLE_INPUTS)])
    street = pd.read_parquet(prepared_default / "police_uk_street.parquet")
    assert {"crime_id", "month", "crime_type"} <= set(street.columns)
    assert street["month"].min() <= "2024-06" and street["month"].max() == "2025-06"


# notebook -> the params file its default parameters name (tests: the Gwent slice stands in for the default pack)
SHIPPED = {"performance": None, "districts": None, "outcomes": None, "victims": None, "criminal_justice": None,
           "stop_search": "cambridgeshire_2024",
           "peers": "peers_gwent", "audit": "audit_seed_000"}


def test_every_shipped_notebook_is_listed():
    assert set(SHIPPED) == set(SECTIONS)
    assert all((REPO / "notebooks" / f"{n}.py").is_file() for n in SHIPPED)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_notebook_runs_top_to_bottom_with_its_default_parameters(name, prepared_default, lab_root):
    """Each shipped notebook, unchanged, through nbclient in <root>/notebooks (as JupyterLab runs it from
    notebooks/): its default parameters find ../outputs/.prepared/<pack id>/ written by `scrutiny prepare`."""
    import jupytext
    import nbclient

    from scrutiny.config import params

    folder = prepared_default
    if SHIPPED[name]:
        source = REPO / "params" / f"{SHIPPED[name]}.yaml"
        folder = lab_root / "outputs" / ".prepared" / params.load(source).pack.id
        if not folder.exists():
            res = run_cli("prepare", source, "--out", folder)
            assert res.returncode == 0, res.stdout + res.stderr
    nb = jupytext.read(REPO / "notebooks" / f"{name}.py")
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(lab_root / "notebooks")}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "<p" in html and "<table" in html
    assert list((folder / "tables").glob(f"{name}*.csv"))
    if name == "performance":
        assert "Reporting month: June 2025" in html


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
