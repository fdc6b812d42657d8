"""Which inputs are generated samples: the dataset ships one and the files given are the shipped ones."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

from scrutiny.inputs.registry import SAMPLE_DIR, synthetic

SURVEY = SAMPLE_DIR / "force_extract" / "victim_survey.csv.gz"
FIXTURE = next((SAMPLE_DIR / "ho_outcomes").glob("*.csv"))


def spec(path):
    return SimpleNamespace(path=str(path))


def test_the_shipped_sample_is_marked():
    assert synthetic({"victim_survey": spec(SURVEY)}) == ["victim_survey"]


def test_a_copy_of_the_sample_elsewhere_is_still_marked(tmp_path):
    """The sample copied to another folder (a deep dive's own inputs folder, a path with spaces) is the same
    generated data, so its pages still say SYNTHETIC."""
    copy = tmp_path / "our extracts" / "survey 2025.csv.gz"
    copy.parent.mkdir()
    shutil.copyfile(SURVEY, copy)
    assert synthetic({"victim_survey": spec(copy)}) == ["victim_survey"]


def test_a_forces_own_extract_is_not_marked(tmp_path):
    """A force's own file (here the sample with its last byte changed, so the same size and other bytes)."""
    own = tmp_path / "victim_survey.csv.gz"
    data = bytearray(SURVEY.read_bytes())
    data[-1] ^= 1
    own.write_bytes(bytes(data))
    assert synthetic({"victim_survey": spec(own)}) == []


def test_a_dataset_without_a_generated_sample_is_never_marked():
    assert synthetic({"ho_outcomes": spec(FIXTURE)}) == []


def test_a_missing_input_is_left_to_validation(tmp_path):
    assert synthetic({"victim_survey": spec(tmp_path / "nothing-*.csv")}) == []
