"""Where a pack may be written: never over a user's files, one run at a time, and never without a pack.

Each refused case asserts the exit code, the message, that every file that was there before is byte-identical
afterwards (user files and the last good pack included), and that nothing was created beside the target
(no `.build-`, `.old-`, `.failed-` or `.lock-` entry).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, RUN_DATE
from scrutiny import cli
from scrutiny.pack import builddir
from .support import make_inputs, small_params

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("badinputs")]


def tree(folder: Path) -> dict:
    """Every entry under a folder: file bytes, symlink targets, and folders (so nothing added goes unseen)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = ("link", os.readlink(p)) if p.is_symlink() else p.read_bytes() if p.is_file() else "dir"
    return out


@pytest.fixture
def sandbox(tmp_path, reference_pack):
    """(tmp, params file, good pack copy) with a private copy of the small inputs."""
    data = make_inputs(tmp_path / "street")
    pfile = small_params(tmp_path / "p.yaml", data)
    good = tmp_path / "pack"
    shutil.copytree(reference_pack[0], good)
    return tmp_path, pfile, good


def run(pfile: Path, out, capsys, cwd: Path | None = None, monkeypatch=None) -> tuple[int, str]:
    if cwd is not None:
        monkeypatch.chdir(cwd)
    code = cli.main(["run", str(pfile), "--out", str(out), "--run-date", RUN_DATE])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    if code:
        assert cap.err.startswith("scrutiny: error: "), cap.err
    return code, cap.out + cap.err


def user_folder(d: Path) -> Path:
    d.mkdir()
    (d / "letter.docx").write_bytes(b"PK\x03\x04 a user's document")
    (d / "sub").mkdir()
    (d / "sub" / "notes.txt").write_text("keep me\n")
    return d


def refused(tmp: Path, code: int, text: str, before: dict, fragments: list[str]) -> None:
    assert code == 1, text
    for f in fragments:
        assert f in text, f"{f!r} not in:\n{text}"
    assert "Nothing was written." in text
    assert tree(tmp) == before, "a file changed, or something was created"


def test_out_user_folder_refused(sandbox, capsys):
    tmp, pfile, _ = sandbox
    docs = user_folder(tmp / "my-documents")
    before = tree(tmp)
    code, text = run(pfile, docs, capsys)
    refused(tmp, code, text, before, [str(docs), "is a folder that is not a scrutiny pack", "not empty"])


def test_out_dot_refused(sandbox, capsys, monkeypatch):
    tmp, pfile, _ = sandbox
    docs = user_folder(tmp / "my-documents")
    before = tree(tmp)
    code, text = run(pfile, ".", capsys, cwd=docs, monkeypatch=monkeypatch)
    refused(tmp, code, text, before, [str(docs), "is a folder that is not a scrutiny pack"])


def test_out_existing_file_refused(sandbox, capsys):
    tmp, pfile, _ = sandbox
    f = tmp / "report.pdf"
    f.write_bytes(b"%PDF-1.4 a user's report")
    before = tree(tmp)
    code, text = run(pfile, f, capsys)
    refused(tmp, code, text, before, [str(f), "exists and is not a folder"])


@pytest.mark.parametrize("where", ["repo", "repo_parent"])
def test_out_repo_root_or_above_refused(sandbox, capsys, where):
    tmp, pfile, _ = sandbox
    out = REPO if where == "repo" else REPO.parent
    before = {p.name for p in out.iterdir()}
    code, text = run(pfile, out, capsys)
    assert code == 1, text
    assert "is the repository or a folder above it" in text and "Nothing was written." in text
    assert {p.name for p in out.iterdir()} == before
    assert not (out.parent / f".lock-{out.name}").exists() and not (out.parent / f".build-{out.name}").exists()


def test_out_folder_holding_inputs_refused(sandbox, capsys):
    tmp, pfile, _ = sandbox
    before = tree(tmp)
    code, text = run(pfile, tmp / "street", capsys)
    refused(tmp, code, text, before, [str(tmp / "street"), "2025-04-gwent-street.csv.gz",
                                      "which this run reads (an input or the params file)"])
    code, text = run(pfile, tmp, capsys)  # a folder above the inputs
    refused(tmp, code, text, before, [f"{tmp} holds", "which this run reads"])


def test_out_pack_holding_params_refused(sandbox, capsys):
    """Even a real pack folder is refused when the params file sits inside it."""
    tmp, _, good = sandbox
    pfile = small_params(good / "p.yaml", tmp / "street")
    before = tree(tmp)
    code, text = run(pfile, good, capsys)
    refused(tmp, code, text, before, [str(good), "p.yaml", "which this run reads"])


def test_out_pack_with_a_user_file_refused(sandbox, capsys):
    """A file saved into a pack folder is not the pack's: replacing the pack would delete it."""
    tmp, pfile, good = sandbox
    (good / "tables" / "my-notes.xlsx").write_bytes(b"PK\x03\x04 notes")
    before = tree(tmp)
    code, text = run(pfile, good, capsys)
    refused(tmp, code, text, before, [str(good), "holds files it did not write", "tables/my-notes.xlsx"])


def test_pack_recognised_by_marker_or_by_an_older_manifest(tmp_path, reference_pack):
    good = Path(shutil.copytree(reference_pack[0], tmp_path / "pack"))
    assert builddir.is_pack(good)
    builddir.check_target(good, REPO, [])
    (good / builddir.MARKER).unlink()  # a pack written before the marker: its manifest lists the pack's files
    assert builddir.is_pack(good) and builddir.unlisted(good) == []
    (good / "MANIFEST.json").write_text('{"files": {"notes.txt": {}}}')
    assert not builddir.is_pack(good)


def test_out_symlink_refused(sandbox, capsys):
    tmp, pfile, good = sandbox
    (tmp / "link").symlink_to(good)
    before = tree(tmp)
    code, text = run(pfile, tmp / "link", capsys)
    refused(tmp, code, text, before, [str(tmp / "link"), "exists and is not a folder"])


def test_second_writer_refused_naming_the_first(sandbox, capsys):
    tmp, pfile, good = sandbox
    with builddir.Lock(good) as lock:
        held = lock.path.read_text()
        before = tree(tmp)
        code, text = run(pfile, good, capsys)
        assert code == 1, text
        assert f"another run is writing this pack (pid {os.getpid()}, started " in text
        assert held.strip() in text and str(lock.path) in text
        assert tree(tmp) == before
    assert not lock.path.exists()  # released and removed


def test_interrupted_swap_is_recovered(sandbox, capsys):
    """A run stopped between the two renames left the pack only in .old-<id>: the next run restores it and
    says so (here that run then fails on a missing month, and the restored pack is left as it was)."""
    tmp, pfile, good = sandbox
    before = tree(good)
    good.rename(tmp / ".old-pack")
    (tmp / "street" / "2025-05-gwent-street.csv.gz").unlink()
    code, text = run(pfile, good, capsys)
    assert code == 2, text
    assert f"Restored the last good pack from {tmp / '.old-pack'} to {good}" in text
    assert tree(good) == before
    assert not (tmp / ".old-pack").exists()


def _pack(d: Path, text: str) -> Path:
    d.mkdir()
    (d / "MANIFEST.json").write_text('{"files": {"page.html": {}, ".scrutiny-pack": {}}}')
    builddir.write_marker(d)
    (d / "page.html").write_text(text)
    return d


@pytest.mark.parametrize("atomic", [True, False])
def test_swap_replaces_the_pack(tmp_path, atomic):
    target, build = _pack(tmp_path / "pack", "old"), _pack(tmp_path / ".build-pack", "new")
    if atomic:
        assert builddir.exchange(build, target)  # Linux: renameat2(RENAME_EXCHANGE) on tmp_path's file system
        builddir.exchange(build, target)  # and back
    builddir.swap(build, target, use_exchange=atomic)
    assert (target / "page.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]


def test_fallback_swap_stopped_midway_leaves_a_recoverable_pack(tmp_path, monkeypatch):
    target, build = _pack(tmp_path / "pack", "old"), _pack(tmp_path / ".build-pack", "new")
    real = Path.rename

    def stop(self, dst):
        if self == build:
            raise KeyboardInterrupt  # the process stops between the two renames
        return real(self, dst)

    monkeypatch.setattr(Path, "rename", stop)
    with pytest.raises(KeyboardInterrupt):
        builddir.swap(build, target, use_exchange=False)
    monkeypatch.undo()
    assert not target.exists() and builddir.is_pack(tmp_path / ".old-pack")
    said = []
    builddir.recover(target, said.append)
    assert (target / "page.html").read_text() == "old" and "Restored the last good pack" in said[0]


def test_empty_folder_with_an_apostrophe_becomes_a_pack(sandbox, capsys):
    """An empty folder is accepted; a quote in the path reaches DuckDB as a parameter or a quoted literal."""
    tmp, pfile, _ = sandbox
    out = tmp / "o'brien" / "pack"
    out.mkdir(parents=True)
    code, text = run(pfile, out, capsys)
    assert code == 0, text
    assert builddir.is_pack(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["pack"]  # no lock, build or old folder left
    digest = hashlib.sha256((out / "MANIFEST.json").read_bytes()).hexdigest()
    assert f"MANIFEST.json sha256 {digest} " in text and f"--digest {digest}" in text
    assert cli.main(["verify", str(out), "--digest", digest]) == 0
    prov = json.loads((out / "provenance.json").read_text())
    assert len(prov["code_digest"]["sha256"]) == 64 and "modified" in prov["git"]
