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


def test_a_forces_own_extract_is_not_marked(tmp_path):
    own = tmp_path / "victim_survey.csv.gz"
    shutil.copyfile(SURVEY, own)
    assert synthetic({"victim_survey": spec(own)}) == []


def test_a_dataset_without_a_generated_sample_is_never_marked():
    assert synthetic({"ho_outcomes": spec(FIXTURE)}) == []


def test_a_missing_input_is_left_to_validation(tmp_path):
    assert synthetic({"victim_survey": spec(tmp_path / "nothing-*.csv")}) == []
