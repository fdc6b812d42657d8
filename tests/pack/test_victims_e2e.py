"""End to end: a victims pack on the shipped synthetic force extracts, built by the real CLI; its repeat-victim and
satisfaction figures recomputed straight from the raw CSV rows."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, RUN_DATE, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("victims")]

SAMPLE = REPO / "data" / "sample" / "force_extract"
MONTH = "2025-06"


@pytest.fixture(scope="session")
def victims_pack(tmp_path_factory) -> Path:
    import yaml

    d = tmp_path_factory.mktemp("victims")
    p = d / "victims.yaml"
    p.write_text(yaml.safe_dump({
        "pack": {"id": "victims-e2e", "title": "Victims test pack", "force": "Gwent Police"},
        "period": {"start": "2024-07", "end": MONTH},
        "inputs": {"force_crimes": {"path": str(SAMPLE / "force_crimes_*.csv.gz")},
                   "victim_survey": {"path": str(SAMPLE / "victim_survey.csv.gz")}},
        "notebooks": ["victims"]}), encoding="utf-8")
    out = d / "pack"
    res = run_cli("run", p, "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def raw(name: str) -> pd.DataFrame:
    files = sorted(SAMPLE.glob(name))
    return pd.concat([pd.read_csv(gzip.open(f, "rt"), dtype=str, keep_default_na=False) for f in files],
                     ignore_index=True)


def test_repeat_victims_of_the_reporting_month_recomputed_from_raw_rows(victims_pack):
    c = raw("force_crimes_*.csv.gz")
    c = c[c["victim_id"] != ""]
    offences = defaultdict(list)
    for v, d, ref in zip(c["victim_id"], c["recorded_date"], c["crime_ref"]):
        offences[v].append((dt.date.fromisoformat(d), ref))
    victims = repeat = 0
    for offs in offences.values():
        mine = [(d, ref) for d, ref in offs if d.isoformat()[:7] == MONTH]
        if not mine:
            continue
        victims += 1
        back = {d: (pd.Timestamp(d) - pd.DateOffset(months=12)).date() for d, _ in mine}
        repeat += any(ref2 != ref and back[d] <= d2 <= d for d, ref in mine for d2, ref2 in offs)
    t = pd.read_csv(victims_pack / "tables" / "victims_repeat.csv")
    assert list(t.columns) == ["month", "area", "victims", "repeat_victims", "rate"]
    row = t[(t["month"] == MONTH) & (t["area"] == "All districts")].iloc[0]
    assert (row["victims"], row["repeat_victims"]) == (victims, repeat)
    assert row["rate"] == pytest.approx(repeat / victims, rel=1e-5)
    districts = t[(t["month"] == MONTH) & (t["area"] != "All districts")]
    assert districts["victims"].sum() == victims and districts["repeat_victims"].sum() == repeat
    b = pd.read_csv(victims_pack / "tables" / "victims_repeat_bands.csv")
    assert b["repeat_victims"].sum() == repeat
    assert list(b["band"]) == ["2", "3–5", "6–19", "20+"]


def test_whole_experience_of_the_reporting_month_recomputed_from_raw_rows(victims_pack):
    s = raw("victim_survey.csv.gz")
    s = s[s["interview_date"].str[:7] == MONTH]
    answered = s["whole_experience"].isin([str(k) for k in range(1, 8)])
    satisfied = s["whole_experience"].isin(["1", "2", "3"])
    t = pd.read_csv(victims_pack / "tables" / "victims_satisfaction_monthly.csv")
    row = t[(t["month"] == MONTH) & (t["stage"] == "whole_experience")].iloc[0]
    assert (row["n"], row["satisfied"]) == (answered.sum(), satisfied.sum())
    ch = pd.read_csv(victims_pack / "tables" / "victims_satisfaction_change.csv")
    assert ch["judgement"].str.match(r"^(significant (increase|decrease)|no significant change|not compared)").all()


def test_page_is_marked_synthetic_and_provenance_says_so(victims_pack):
    page = (victims_pack / "victims.html").read_text(encoding="utf-8")
    assert "SYNTHETIC SAMPLE DATA" in page
    assert "Does follow-up drive satisfaction with the whole experience?" in page
    prov = json.loads((victims_pack / "provenance.json").read_text(encoding="utf-8"))
    marked = {i["dataset"]: i.get("synthetic") for i in prov["inputs"]}
    assert marked == {"force_crimes": True, "victim_survey": True}
