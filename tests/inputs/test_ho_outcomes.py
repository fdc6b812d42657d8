"""Home Office outcomes adapter: header variants, unknown headers, 1A/2A/3A, type 0, negative counts, contract."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pytest

from scrutiny import contracts, paths
from scrutiny.config import params
from scrutiny.inputs import ho_outcomes

FIXTURE = paths.REPO_ROOT / "data" / "sample" / "ho_outcomes" / "FIXTURE-prc-outcomes-open-data-mar2025-illustrative.csv"

# One force-quarter, one offence: counts chosen so every rule shows in the totals.
ROWS = [
    # type, group, recorded, closed
    ("0", "Not yet assigned an outcome", 10, 0),
    ("1", "Charged/Summonsed", 20, 18),
    ("1A", "Charged/Summonsed", 5, 4),
    ("2", "Out-of-court (formal)", 3, 3),
    ("2A", "Out-of-court (formal)", 1, 1),
    ("3", "Out-of-court (formal)", 4, 4),
    ("3A", "Out-of-court (formal)", 2, 2),
    ("14", "Evidential difficulties (victim does not support action)", 6, 6),
    ("15", "Evidential difficulties (suspect identified; victim supports action)", 7, 7),
    ("16", "Evidential difficulties (victim does not support action)", 30, 31),
    ("18", "Investigation complete – no suspect identified", 30, -2),
]


def write(path: Path, variant: str, force: str = "Gwent", rows=ROWS, header=None) -> Path:
    cols = header or ho_outcomes.HEADER_VARIANTS[variant]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for t, g, rec, clo in rows:
            base = ["2024/25", "Q1", force, "Assault with injury", "Violence against the person",
                    "Violence with injury", "8N"]
            if "Offence Code Expired" in cols:
                base.append("N")
            w.writerow(base + [f"type {t}", g, t, rec, clo])
    return path


@pytest.mark.parametrize("variant", sorted(ho_outcomes.HEADER_VARIANTS))
def test_known_header_variants_read_to_the_same_fields(tmp_path, variant):
    f = write(tmp_path / f"{variant}.csv", variant)
    df = ho_outcomes.read_file(f)
    assert list(df.columns[:len(ho_outcomes.FIELDS)]) == ho_outcomes.FIELDS
    assert (df["header_variant"] == variant).all()
    assert len(df) == len(ROWS) and df["row"].tolist() == list(range(1, len(ROWS) + 1))
    if variant != "with_expired_flag":
        assert df["offence_code_expired"].isna().all()


def test_unknown_header_fails_loudly_naming_the_file(tmp_path):
    cols = list(ho_outcomes.HEADER_VARIANTS["without_expired_flag"])
    cols[-2] = "Outcomes recorded"  # a renamed count column
    f = write(tmp_path / "renamed.csv", "without_expired_flag", header=cols)
    with pytest.raises(ho_outcomes.HeaderError, match=r"renamed\.csv.*unknown Home Office outcomes header") as e:
        ho_outcomes.read_file(f)
    assert "Outcomes recorded" in str(e.value) and "nearest known variant" in str(e.value)
    # same names, different order: also refused (no guessing)
    cols = list(ho_outcomes.HEADER_VARIANTS["without_expired_flag"])
    cols[0], cols[1] = cols[1], cols[0]
    f = write(tmp_path / "swapped.csv", "without_expired_flag", header=cols)
    with pytest.raises(ho_outcomes.HeaderError):
        ho_outcomes.read_file(f)


def test_of_which_rows_never_added_and_type_0_never_in_totals(tmp_path):
    f = write(tmp_path / "a.csv", "with_expired_flag")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = ho_outcomes.typed(ho_outcomes.read_file(f))
    assert t.loc[t["outcome_type"].isin(["1A", "2A", "3A"]), "of_which"].all()
    assert t.loc[t["outcome_type"] == "0", "not_yet_assigned"].all()
    s = ho_outcomes.summary(t, "Gwent").set_index(["area", "offence_group"])
    g = s.loc[("Gwent", "All offences")]
    assigned = 20 + 3 + 4 + 6 + 7 + 30 + 30  # types 1–22 only: no 1A/2A/3A (8) and no type 0 (10)
    assert g["outcomes_assigned"] == assigned == 100
    assert g["offences_recorded"] == assigned + 10
    assert g["charged"] == 20  # 1A's 5 are inside the 20, not added to it
    assert g["not_yet_assigned"] == 10
    assert g["evidential"] == 43 and g["outcome_16"] == 30
    assert g["charge_rate"] == pytest.approx(20 / 110)
    assert g["outcome16_share"] == pytest.approx(0.30)
    assert g["not_yet_assigned_share"] == pytest.approx(10 / 110)
    ow = ho_outcomes.of_which_rows(t, "Gwent").set_index("outcome_type")
    assert ow.loc["1A", "of_which_count"] == 5 and ow.loc["1A", "parent_count"] == 20


def test_negative_counts_are_kept_and_warned(tmp_path):
    f = write(tmp_path / "neg.csv", "short_count_names")
    with pytest.warns(UserWarning, match=r"1 Home Office outcomes row\(s\) have a negative count.*neg\.csv row 11"):
        t = ho_outcomes.typed(ho_outcomes.read_file(f))
    assert t["count_closed"].min() == -2  # kept as published
    s = ho_outcomes.summary(t, "Gwent", "count_closed").set_index(["area", "offence_group"])
    assert s.loc[("Gwent", "All offences"), "outcomes_assigned"] == 18 + 3 + 4 + 6 + 7 + 31 - 2


def test_england_and_wales_is_every_force_in_the_file(tmp_path):
    a = ho_outcomes.read_file(write(tmp_path / "a.csv", "with_expired_flag", force="Gwent"))
    b = ho_outcomes.read_file(write(tmp_path / "b.csv", "with_expired_flag", force="South Wales"))
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = ho_outcomes.typed(pd.concat([a, b], ignore_index=True))
    s = ho_outcomes.summary(t, "Gwent").set_index(["area", "offence_group"])
    assert s.loc[("England and Wales", "All offences"), "charged"] == 40
    assert s.loc[("Gwent", "All offences"), "charged"] == 20


def test_normalisers_and_force_name():
    assert ho_outcomes.normalise_year("2024-25") == "2024/25" == ho_outcomes.normalise_year("2024/2025")
    assert ho_outcomes.normalise_year("2024/26") is None
    assert ho_outcomes.normalise_quarter("Q3") == 3 == ho_outcomes.normalise_quarter("3")
    assert ho_outcomes.normalise_quarter("Q5") is None
    assert ho_outcomes.ho_force_name("Gwent Police") == "Gwent"
    assert ho_outcomes.ho_force_name("Cambridgeshire Constabulary") == "Cambridgeshire"
    assert ho_outcomes.ho_force_name("Devon & Cornwall Police") == "Devon and Cornwall"  # pfa.force_name
    assert ho_outcomes.ho_force_name("British Transport Police") == "British Transport Police"  # no PFA: as written


def test_fixture_is_marked_and_follows_the_layout():
    assert ho_outcomes.is_fixture(FIXTURE)
    df = ho_outcomes.read_file(FIXTURE)
    assert (df["header_variant"] == "with_expired_flag").all() and df["fixture"].all()
    assert {"1A", "2A", "3A", "0"} <= set(df["outcome_type"])
    assert "Gwent" in set(df["force_name"])


def test_a_renamed_copy_of_the_fixture_is_still_the_fixture_and_a_real_file_is_not(tmp_path):
    copy = tmp_path / "prc-outcomes-open-data-mar2025.csv"
    copy.write_bytes(FIXTURE.read_bytes())
    assert ho_outcomes.is_fixture(copy) and ho_outcomes.read_file(copy)["fixture"].all()
    edited = tmp_path / "prc-outcomes-open-data-mar2025-edited.csv"
    edited.write_bytes(FIXTURE.read_bytes().replace(b"Gwent", b"Gwynt", 1))  # same size, other bytes
    assert not ho_outcomes.is_fixture(edited)


def _params(path_pattern: str) -> params.Params:
    """Params whose only input is the Home Office file (no section reads it alone, so the section check is
    passed with a street input that is then replaced: only the Home Office file is validated)."""
    p = params.parse({
        "pack": {"id": "ho", "title": "t", "force": "Gwent Police"},
        "period": {"start": "2024-04", "end": "2025-03"},
        "inputs": {"police_uk_street": {"path": path_pattern}},
        "notebooks": ["performance"],
    })
    return p.model_copy(update={"inputs": {"ho_outcomes": params.InputSpec(path=path_pattern)}})


def test_contract_passes_fixture_with_negative_count_warning():
    rep = contracts.validate(_params(str(FIXTURE)))
    assert rep.ok, rep.error_message()
    warned = {(o.expectation, o.column) for r in rep.inputs for o in r.warnings}
    assert ("expect_column_values_to_be_between", "count_closed_number") in warned


def test_contract_refuses_unknown_header(tmp_path):
    cols = list(ho_outcomes.HEADER_VARIANTS["with_expired_flag"])
    cols[2] = "Police Force"
    write(tmp_path / "bad.csv", "with_expired_flag", header=cols)
    rep = contracts.validate(_params(str(tmp_path / "bad.csv")))
    assert not rep.ok
    crit = {(o.expectation, o.column): o for r in rep.inputs for o in r.critical}
    h = crit[("expect_column_values_to_be_in_set", "header")]
    assert h.examples[0]["source_file"].endswith("bad.csv")


def test_contract_refuses_unknown_outcome_type(tmp_path):
    rows = ROWS + [("4A", "Taken into consideration", 1, 1)]
    write(tmp_path / "t.csv", "with_expired_flag", rows=rows)
    rep = contracts.validate(_params(str(tmp_path / "t.csv")))
    crit = {(o.expectation, o.column): o for r in rep.inputs for o in r.critical}
    o = crit[("expect_column_values_to_be_in_set", "outcome_type")]
    assert o.unexpected_count == 1 and o.examples[0]["row"] == len(rows)
