"""The params reference in README is the one generated from the schema."""

from __future__ import annotations

from typing import Literal

from scrutiny.config import params, params_doc


def test_readme_reference_matches_the_schema():
    readme = (params.paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert params_doc.markdown() in readme, "run: python -m scrutiny.config.params_doc --write README.md"


def test_every_top_level_and_nested_key_is_listed():
    keys = [r[0] for r in params_doc.rows()]
    assert set(params.Params.model_fields) <= set(keys)
    assert {"filters.crime_types", "inputs.<name>.path", "spc.breaks[].reason", "plan.priorities[].name"} <= set(keys)
    assert len(keys) == len(set(keys))


def test_type_words():
    assert params_doc.type_text(Literal["a", "b"]) == "one of a, b"
    assert params_doc.type_text(int | None) == "whole number or null"
    assert params_doc.type_text(list[str]) == "list of text"
    assert params_doc.type_text(dict[str, params.InputSpec]) == "mapping of text to InputSpec"
