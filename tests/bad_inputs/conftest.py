"""Fixtures of the bad-input and hostile-content tests."""

from __future__ import annotations

import pytest
import yaml

from .support import IMG, LABEL, hostile_inputs, reference_params, snapshot


@pytest.fixture(scope="session")
def reference_pack(tmp_path_factory):
    """(pack folder, snapshot of its bytes, params file, catalogue) of the session's reference pack."""
    from conftest import REPO, RUN_DATE, run_cli

    d = tmp_path_factory.mktemp("reference")
    data = hostile_inputs(d / "street")
    cat = yaml.safe_load((REPO / "params" / "measures" / "police_uk.yaml").read_text(encoding="utf-8"))
    cat["measures"][0]["label"] = LABEL
    cat["measures"][0]["noun"] = f"crimes {IMG}"
    catalogue = d / "catalogue.yaml"
    catalogue.write_text(yaml.safe_dump(cat, sort_keys=False), encoding="utf-8")
    p = reference_params(d / "reference.yaml", data, catalogue)
    res = run_cli("run", p, "--out", d / "pack", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return d / "pack", snapshot(d / "pack"), data, catalogue
