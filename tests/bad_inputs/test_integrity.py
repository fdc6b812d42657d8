"""`scrutiny verify` on damaged packs, the manifest's own digest, and what provenance says about the code."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from scrutiny import cli, provenance

pytestmark = [pytest.mark.xdist_group("badinputs")]


@pytest.fixture
def pack(tmp_path, reference_pack) -> Path:
    return Path(shutil.copytree(reference_pack[0], tmp_path / "pack", symlinks=True))


def verify(capsys, *args) -> tuple[int, str]:
    code = cli.main(["verify", *map(str, args)])
    cap = capsys.readouterr()
    text = cap.out + cap.err
    assert "Traceback" not in text
    return code, text


def test_reference_pack_verifies_with_its_digest(pack, capsys):
    digest = hashlib.sha256((pack / "MANIFEST.json").read_bytes()).hexdigest()
    assert (pack / "MANIFEST.sha256").read_text() == f"{digest}  MANIFEST.json\n"
    assert "MANIFEST.sha256" not in json.loads((pack / "MANIFEST.json").read_text())["files"]
    assert ".scrutiny-pack" in json.loads((pack / "MANIFEST.json").read_text())["files"]
    code, text = verify(capsys, pack, "--digest", digest)
    assert code == 0 and "MANIFEST.json has the digest given" in text, text


def test_wrong_digest_refused(pack, capsys):
    code, text = verify(capsys, pack, "--digest", "0" * 64)
    assert code == 1 and "this is not the pack that digest was published for" in text, text


def test_manifest_rewritten_after_the_run_is_caught(pack, capsys):
    """Someone edits a table and rewrites MANIFEST.json to match: MANIFEST.sha256 (and the published digest) differ."""
    digest = hashlib.sha256((pack / "MANIFEST.json").read_bytes()).hexdigest()
    t = pack / "tables" / "summary.csv"
    t.write_text("tampered\n")
    man = json.loads((pack / "MANIFEST.json").read_text())
    man["files"]["tables/summary.csv"] = {"sha256": hashlib.sha256(b"tampered\n").hexdigest(), "bytes": 9}
    (pack / "MANIFEST.json").write_text(json.dumps(man, indent=2, sort_keys=True) + "\n")
    code, text = verify(capsys, pack, "--digest", digest)
    assert code == 1
    assert "MANIFEST.sha256: does not match MANIFEST.json" in text and "not the pack that digest" in text


@pytest.mark.parametrize("content,message", [
    (b"{not json", "MANIFEST.json: not valid JSON (Expecting property name enclosed in double quotes at line 1"),
    (b"", "MANIFEST.json: not valid JSON"),
    (b"\xff\xfe", "MANIFEST.json: not UTF-8 text"),
    (b"[1, 2]", "MANIFEST.json: not a pack manifest"),
    (b'{"files": []}', "MANIFEST.json: not a pack manifest"),
    (b'{"files": {"index.html": "abc"}}', "index.html: MANIFEST.json entry has no sha256"),
    (b'{"files": {"../../etc/passwd": {"sha256": "x"}}}', "../../etc/passwd: listed in MANIFEST.json but not a path "
                                                           "inside the pack"),
    (b'{"files": {"/etc/passwd": {"sha256": "x"}}}', "/etc/passwd: listed in MANIFEST.json but not a path inside"),
], ids=["syntax", "empty", "not_utf8", "list", "files_list", "entry_string", "dotdot", "absolute"])
def test_malformed_manifest_is_a_clear_problem(pack, capsys, content, message):
    (pack / "MANIFEST.json").write_bytes(content)
    code, text = verify(capsys, pack)
    assert code == 1, text
    assert message in text, text


def test_malformed_provenance_is_a_clear_problem(pack, capsys):
    (pack / "provenance.json").write_text('{"inputs": [{"files": [{"path": 3}]}]}')
    code, text = verify(capsys, pack)
    assert code == 1 and "provenance.json: sha256 differs from MANIFEST.json" in text
    assert "provenance.json: an input or contract entry is malformed" in text, text


def test_symlinks_inside_a_pack_are_refused(pack, tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "extra.html").write_text("<p>not published</p>")
    (pack / "more").symlink_to(outside, target_is_directory=True)
    page = pack / "assumptions.html"
    (tmp_path / "copy.html").write_bytes(page.read_bytes())
    page.unlink()
    page.symlink_to(tmp_path / "copy.html")  # same bytes, but a link
    code, text = verify(capsys, pack)
    assert code == 1
    assert "more: a symbolic link" in text and "assumptions.html: a symbolic link" in text, text


def test_verify_not_a_folder(tmp_path, capsys):
    code, text = verify(capsys, tmp_path / "nowhere")
    assert code == 1 and "not a folder" in text


def test_code_digest_matches_the_shell_recipe():
    d = provenance.code_digest()
    cmd = ("find src notebooks data_contracts params -type f ! -path '*__pycache__*' ! -path '*.egg-info*' "
           "! -name '*.pyc' | LC_ALL=C sort | xargs sha256sum | sha256sum")
    out = subprocess.run(["bash", "-c", cmd], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == d["sha256"] and d["files"] > 30


def _git(root: Path, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=root, check=True,
                   capture_output=True)


def test_dirty_means_changed_code_not_any_untracked_file(tmp_path):
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text("x = 1\n")
    (root / "README.md").write_text("r\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "c")
    assert provenance.git_state(root)["dirty"] is False
    (root / "build.log").write_text("log\n")  # untracked, outside the code
    s = provenance.git_state(root)
    assert s["dirty"] is False and s["modified"] == [] and s["untracked_code"] == []
    (root / "src" / "b.py").write_text("y = 2\n")  # untracked code: it would run
    s = provenance.git_state(root)
    assert s["dirty"] is True and s["untracked_code"] == ["src/b.py"]
    (root / "src" / "b.py").unlink()
    (root / "README.md").write_text("changed\n")  # a tracked file modified
    s = provenance.git_state(root)
    assert s["dirty"] is True and s["modified"] == ["README.md"]
