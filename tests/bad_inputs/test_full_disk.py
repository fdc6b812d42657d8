"""A real full disk and a real read-only file system (a small tmpfs; needs root, skipped otherwise).

The documented messages, exit 1, the last good pack byte-identical, and nothing left on the full disk (no
`.failed-`, `.build-` or `.lock-` entry)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import RUN_DATE
from scrutiny import cli
from .support import make_inputs, small_params, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("badinputs")]


@pytest.fixture
def tmpfs(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if res.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def _run(pfile, out, capsys) -> tuple[int, str]:
    code = cli.main(["run", str(pfile), "--out", str(out), "--run-date", RUN_DATE])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return code, cap.err


def test_full_disk_then_read_only(tmpfs, tmp_path, reference_pack, capsys):
    pfile = small_params(tmp_path / "p.yaml", make_inputs(tmp_path / "street"))
    pack = Path(shutil.copytree(reference_pack[0], tmpfs / "pack"))
    before = snapshot(pack)
    free = shutil.disk_usage(tmpfs).free
    (tmpfs / "filler").write_bytes(b"\0" * max(0, free - 160 * 1024))  # about 160 KB left: the build cannot fit
    code, err = _run(pfile, pack, capsys)
    assert code == 1, err
    assert "No space left on device (is the disk full or the output folder read-only?)" in err
    assert "The partial build was removed to free the space." in err
    assert "The last good pack (if any) is untouched" in err
    assert snapshot(pack) == before
    assert sorted(p.name for p in tmpfs.iterdir()) == ["filler", "pack"]

    (tmpfs / "filler").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    code, err = _run(pfile, pack, capsys)
    assert code == 1, err
    assert f"cannot write the pack under {tmpfs}: Read-only file system" in err
    assert snapshot(pack) == before
