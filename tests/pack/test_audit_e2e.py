"""End to end: an audit pack through the real CLI (seed 003 transcription + a second figures file checked
against raw police.uk rows), and a hand-typed figures file that breaks its contract."""

from __future__ import annotations

import csv
import gzip
import shutil

import pandas as pd
import pytest
import yaml

from conftest import GWENT, REPO, RUN_DATE, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("audit")]


def raw_count(month: str, crime_type: str) -> int:
    with gzip.open(GWENT / f"{month}-gwent-street.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return sum(1 for r in csv.DictReader(f) if r["Crime type"] == crime_type)


def write_pack(d, inputs) -> str:
    p = d / "audit.yaml"
    p.write_text(yaml.safe_dump({
        "pack": {"id": "audit-test", "title": "Audit test", "force": "Gwent Police"},
        "period": {"start": "2025-05", "end": "2025-06"}, "inputs": inputs, "notebooks": ["audit"]},
        sort_keys=False), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def audit_pack(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit")
    pub = d / "published"
    pub.mkdir()
    shutil.copy(REPO / "data/published/seed_003/figures.csv", pub / "seed_003-figures.csv")
    shutil.copy(REPO / "data/published/seed_003/relations.csv", pub / "seed_003-relations.csv")
    b, a5, a6 = raw_count("2025-06", "Burglary"), raw_count("2025-05", "Anti-social behaviour"), \
        raw_count("2025-06", "Anti-social behaviour")
    # a made-up force report: burglary right, the two ASB months right, their printed total 7 too high
    (pub / "gwent-figures.csv").write_text(
        "figure_id,doc_id,location,measure,geography,period,value,unit,value_text,decimals\n"
        f"G1,gwent_report,p3,burglary,force,2025-06,{b},count,{b},0\n"
        f"G2,gwent_report,p4 table 2,anti_social_behaviour,force,2025-05,{a5},count,{a5},0\n"
        f"G3,gwent_report,p4 table 2,anti_social_behaviour,force,2025-06,{a6},count,{a6},0\n"
        f"G4,gwent_report,p4 table 2,anti_social_behaviour,force,2025-05..2025-06,{a5 + a6 + 7},count,"
        f"\"{a5 + a6 + 7:,}\",0\n", encoding="utf-8")
    (pub / "gwent-relations.csv").write_text("relation_id,type,target,inputs,claim,note\n"
                                             "G_R1,total,G4,G2 G3,,two months = total\n", encoding="utf-8")
    params = write_pack(d, {"published_figures": {"path": str(pub / "*figures.csv")},
                            "published_relations": {"path": str(pub / "*relations.csv")},
                            "police_uk_street": {"path": str(GWENT / "2025-0[56]-gwent-street.csv.gz")}})
    out = d / "pack"
    res = run_cli("run", params, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out, a5 + a6


def test_audit_pack_register_and_front_page(audit_pack):
    out, asb = audit_pack
    for name in ["index.html", "audit.html", "tables/audit_register.csv", "tables/audit_checks.csv",
                 "tables/audit_summary.csv", "tables/audit_raw.csv", "tables/audit_rounding.csv"]:
        assert (out / name).is_file(), name
    reg = pd.read_csv(out / "tables" / "audit_register.csv")
    # the register is for a Panel: document title, page/table/row (line as a fallback), the relation in words;
    # the transcription's own doc_id and location are kept last
    assert list(reg.columns) == ["id", "document", "where", "relation", "printed", "recomputed", "check",
                                 "severity", "explanation", "doc_id", "location"]
    assert reg.set_index("id").loc["G_R1", "where"].startswith("page 4, table 2")
    assert {"R_P2_target", "R_M_change", "R_P4_x_feb"} <= set(reg["id"])
    ids = set(reg["id"])
    assert "G_R1" in ids and "raw:G4" in ids and "raw:G1" not in ids
    g = reg.set_index("id")
    assert g.loc["raw:G4", "recomputed"] == f"{asb:,}"
    assert len(reg[reg["doc_id"] == "seed_003"]) == 15
    raw = pd.read_csv(out / "tables" / "audit_raw.csv").set_index("id")
    assert raw.loc["G1", "difference"] == 0 and raw.loc["G4", "difference"] == 7
    summary = pd.read_csv(out / "tables" / "summary.csv")
    row = summary[summary["topic"] == "Published figures audit"].iloc[0]
    assert row["link"] == "audit.html#register"
    assert row["data"].startswith(f"{len(reg)} discrepancies")
    page = (out / "audit.html").read_text(encoding="utf-8")
    assert 'id="register"' in page and "round-half-even" in page
    assert "Published figures audit" in (out / "index.html").read_text(encoding="utf-8")


def test_bad_transcription_is_refused_by_its_contract(tmp_path):
    (tmp_path / "figures.csv").write_text(
        "figure_id,doc_id,location,measure,geography,period,value,unit,value_text,decimals,note\n"
        "F1,doc,L1,x,,,12.5,percentage,12.5%,1,\n"
        "F1,doc,L2,x,,,1 526,count,1 526,0,\n", encoding="utf-8")
    (tmp_path / "relations.csv").write_text("relation_id,type,target,inputs,claim,note\n"
                                            "R1,sum,F1,F1,,\n", encoding="utf-8")
    params = write_pack(tmp_path, {"published_figures": {"path": str(tmp_path / "figures.csv")},
                                   "published_relations": {"path": str(tmp_path / "relations.csv")}})
    res = run_cli("validate", params)
    assert res.returncode == 2, res.stdout + res.stderr
    err = res.stdout + res.stderr
    for expected in ["column 'unit'", "column 'figure_id'", "column 'value'", "column 'type'", "figures.csv"]:
        assert expected in err, expected
