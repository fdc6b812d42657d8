"""A result computed once for the sections of one pack: the second caller reads what the first kept, a
different key computes again, a broken kept file is computed over, and two processes at once compute once."""

from __future__ import annotations

import multiprocessing
import time

from scrutiny import reuse


def test_second_call_with_the_same_key_reads_the_kept_value(tmp_path):
    calls = []
    first = reuse.once(tmp_path, "r", {"a": 1}, lambda: calls.append(1) or {"n": 41 + len(calls)})
    second = reuse.once(tmp_path, "r", {"a": 1}, lambda: calls.append(1) or {"n": 0})
    assert first == second == {"n": 42} and len(calls) == 1


def test_a_different_key_computes_again_and_replaces_it(tmp_path):
    assert reuse.once(tmp_path, "r", {"a": 1}, lambda: 1) == 1
    assert reuse.once(tmp_path, "r", {"a": 2}, lambda: 2) == 2
    assert reuse.once(tmp_path, "r", {"a": 1}, lambda: 3) == 3  # only the last key is kept
    assert len(list(tmp_path.glob(".r.pickle"))) == 1


def test_a_broken_kept_file_is_computed_over(tmp_path):
    (tmp_path / ".r.pickle").write_bytes(b"not a pickle")
    assert reuse.once(tmp_path, "r", {"a": 1}, lambda: 5) == 5
    assert reuse.once(tmp_path, "r", {"a": 1}, lambda: 6) == 5


def test_a_folder_that_cannot_be_written_still_gives_the_result(tmp_path):
    missing = tmp_path / "no-such-folder"
    assert reuse.once(missing, "r", {"a": 1}, lambda: 7) == 7
    assert not missing.exists()


def _slow(folder: str, out: str) -> None:
    def compute():
        with open(out, "a") as f:
            f.write("computed\n")
        time.sleep(0.5)
        return "value"
    assert reuse.once(folder, "r", {"k": 1}, compute) == "value"


def test_two_processes_asking_at_once_compute_once(tmp_path):
    log = tmp_path / "log.txt"
    ctx = multiprocessing.get_context("spawn")
    ps = [ctx.Process(target=_slow, args=(str(tmp_path), str(log))) for _ in range(2)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(30)
    assert [p.exitcode for p in ps] == [0, 0]
    assert log.read_text().splitlines() == ["computed"]


def test_the_key_digest_and_code_version_are_stable():
    assert reuse.digest({"b": 2, "a": 1}) == reuse.digest({"a": 1, "b": 2}) != reuse.digest({"a": 1, "b": 3})
    assert reuse.code_version() == reuse.code_version() and len(reuse.code_version()) == 64
