"""The shipped synthetic force extracts: what the fixed seed regenerates, and the volumes the sample claims."""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from scrutiny.synthetic import victims

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample" / "force_extract"


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.e2e
def test_fixed_seed_regenerates_the_shipped_bytes(tmp_path):
    written = victims.generate(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in SAMPLE.glob("*.csv.gz"))
    for p in written:
        assert sha(p) == sha(SAMPLE / p.name), p.name
        assert p.stat().st_size < 1024 * 1024  # the repository's per-file limit


def test_sample_volumes():
    c = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False)
                   for f in sorted(glob.glob(str(SAMPLE / "force_crimes_*.csv.gz")))], ignore_index=True)
    s = pd.read_csv(SAMPLE / "victim_survey.csv.gz", dtype=str, keep_default_na=False)
    per_month = c.groupby(c["recorded_date"].str[:7]).size()
    assert len(per_month) == 36 and 4000 <= per_month.mean() <= 5000
    assert c["crime_ref"].is_unique and c["extracted_at"].nunique() == 1
    victims_month = c[c["victim_id"] != ""].groupby(c["recorded_date"].str[:7])["victim_id"].nunique()
    surveyed = s.groupby(s["interview_date"].str[:7]).size()
    share = (surveyed.iloc[3:] / victims_month.reindex(surveyed.index[3:])).mean()
    assert 0.10 <= share <= 0.20
    hate = s[s["survey_type"] == "hate"].groupby(s["interview_date"].str[:7]).size()
    assert hate.iloc[3:].median() < 40  # small monthly hate-crime samples
    assert set(s["crime_ref"]) <= set(c["crime_ref"])
