"""README's "Your first deep dive": the command block runs as written (make lab aside: tests/test_lab.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

MADE = ["notebooks/my_deep_dive.py", "params/my_deep_dive.yaml", "outputs/my_deep_dive",
        "outputs/.prepared/my_deep_dive"]


def walkthrough() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Your first deep dive", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```bash\n(.*?)\n```", section, re.S).group(1)


def test_walkthrough_has_five_steps():
    steps = [ln for ln in walkthrough().splitlines() if re.match(r"# \d\. ", ln)]
    assert [s[2] for s in steps] == list("12345")


@pytest.mark.e2e
@pytest.mark.xdist_group("pack")  # it adds a notebook to notebooks/ for a while: kept apart from the determinism test
def test_walkthrough_commands_run():
    if any((REPO / m).exists() for m in MADE):
        pytest.skip(f"one of {MADE} exists already: the walkthrough would overwrite it")
    script = walkthrough().replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    script = "\n".join(ln for ln in script.splitlines() if ln.strip() != "make lab")
    try:
        res = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=REPO, capture_output=True, text=True,
                             timeout=1500)
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
        assert (REPO / "outputs/.prepared/my_deep_dive/police_uk_street.parquet").is_file()
        page = (REPO / "outputs/my_deep_dive/my_deep_dive.html").read_text(encoding="utf-8")
        assert "Violence in Newport" in page and "district Newport" in page
    finally:
        for m in MADE:
            p = REPO / m
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
