"""`scrutiny make-sample`: the victims sample regenerated from its seed into a folder of one's choice."""

from __future__ import annotations

import hashlib

import pytest

from conftest import REPO, run_cli

pytestmark = pytest.mark.e2e


def test_make_sample_victims_writes_the_shipped_bytes(tmp_path):
    res = run_cli("make-sample", "victims", "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    written = sorted(tmp_path.glob("*.csv.gz"))
    assert [p.name for p in written] == sorted(p.name for p in (REPO / "data/sample/force_extract").glob("*.csv.gz"))
    for p in written:
        shipped = REPO / "data/sample/force_extract" / p.name
        assert hashlib.sha256(p.read_bytes()).hexdigest() == hashlib.sha256(shipped.read_bytes()).hexdigest()
        assert f"wrote {p}" in res.stdout


def test_make_sample_unknown_name(tmp_path):
    res = run_cli("make-sample", "nothing", "--out", tmp_path)
    assert res.returncode == 1 and "no sample called 'nothing'" in res.stderr and "victims" in res.stderr
