"""The criminal justice sample is what its generator writes from the fixed seed: the hashes in
data/sample/PROVENANCE.md are the bytes `scrutiny make-sample criminal_justice` writes."""

import re

import pytest

from conftest import REPO
from scrutiny.inputs.files import sha256_file
from scrutiny.synthetic import criminal_justice as synth

PROVENANCE = REPO / "data" / "sample" / "PROVENANCE.md"


def recorded() -> dict[str, str]:
    """file -> sha256, from the criminal_justice table of data/sample/PROVENANCE.md."""
    text = PROVENANCE.read_text(encoding="utf-8").split("## criminal_justice/", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| ([a-z_]+\.csv\.gz) \|.*\| ([0-9a-f]{64}) \|$", text, flags=re.M))


def test_provenance_lists_every_extract():
    assert set(recorded()) == {f"{n}.csv.gz" for n in synth.GENERATORS}


def test_small_extracts_regenerate_to_the_recorded_bytes(tmp_path):
    want = recorded()
    for p in synth.generate(tmp_path, only=["charge_decisions", "case_files", "court_cases"]):
        assert sha256_file(p) == want[p.name], p.name


@pytest.mark.e2e
def test_large_extracts_regenerate_to_the_recorded_bytes(tmp_path):
    want = recorded()
    for p in synth.generate(tmp_path, only=["calls", "incidents"]):
        assert sha256_file(p) == want[p.name], p.name


def test_generated_volumes_and_offsets():
    """A month of calls: both lines, the 999 share answered within 10 s near its planted level, and every time
    written with the Europe/London offset of its instant."""
    calls = synth.calls(start="2024-10", end="2024-10")
    assert set(calls["line"]) == {"999", "101"}
    assert 30_000 < len(calls) < 46_000
    suffix = calls["offered_ts"].str[-6:]
    before = calls["offered_ts"] < "2024-10-27T01"
    assert (suffix[before] == "+01:00").all()
    assert (suffix[calls["offered_ts"] >= "2024-10-27T02"] == "+00:00").all()
    assert {"+01:00", "+00:00"} <= set(suffix[calls["offered_ts"].str.startswith("2024-10-27T01")])
    abandoned = calls["abandoned_flag"] == "Y"
    assert (calls.loc[abandoned, "answered_ts"] == "").all() and (calls.loc[~abandoned, "answered_ts"] != "").all()
