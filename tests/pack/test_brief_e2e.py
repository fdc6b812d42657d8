"""The quarterly brief end to end: financial quarter on the front page, questions whose links resolve, the brief on
at most two A4 pages, and changes since a previous pack ending a month earlier."""

import re
import shutil
import subprocess

import pandas as pd
import pytest

from conftest import GWENT, RUN_DATE, run_cli, write_params

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("pack")]


@pytest.fixture(scope="module")
def two_packs(tmp_path_factory):
    d = tmp_path_factory.mktemp("brief")
    inputs = {"police_uk_street": {"path": str(GWENT / "*-street.csv.gz")}}
    prev = write_params(d / "may.yaml", period={"start": "2023-06", "end": "2025-05"}, inputs=inputs)
    res = run_cli("run", prev, "--out", d / "may", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stderr
    cur = write_params(d / "june.yaml", period={"start": "2023-07", "end": "2025-06"}, inputs=inputs,
                       previous_pack=str(d / "may"))
    res = run_cli("run", cur, "--out", d / "june", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stderr
    return d / "may", d / "june"


def test_front_page_shows_the_financial_quarter(two_packs):
    _, june = two_packs
    html = (june / "index.html").read_text(encoding="utf-8")
    assert "What changed in Q1 2025/26 (April–June 2025)" in html
    q = pd.read_csv(june / "tables" / "performance_quarter.csv")
    assert set(q["quarter"]) == {"Q1 2025/26 (April–June 2025)"}
    mon = pd.read_csv(june / "tables" / "performance_monthly.csv")
    b = mon[(mon["measure"] == "burglary") & (mon["area"] == "force")].set_index("month")["value"]
    row = q.set_index("measure").loc["burglary"]
    assert row["quarter_value"] == b[["2025-04", "2025-05", "2025-06"]].sum()
    assert row["same_quarter_last_year"] == b[["2024-04", "2024-05", "2024-06"]].sum()


def test_questions_link_to_anchors_that_exist(two_packs):
    _, june = two_packs
    q = pd.read_csv(june / "tables" / "questions.csv", keep_default_na=False)
    assert len(q) >= 3
    for ev in q["evidence"]:
        page, _, anchor = ev.partition("#")
        text = (june / page).read_text(encoding="utf-8")
        assert f'id="{anchor}"' in text, ev
    html = (june / "questions.html").read_text(encoding="utf-8")
    assert all(f'id="{i}"' in html for i in q["id"])


def test_changes_since_the_previous_pack(two_packs):
    may, june = two_packs
    assert (june / "changes.html").is_file()
    c = pd.read_csv(june / "tables" / "changes.csv", keep_default_na=False)
    assert list(c.columns) == ["change", "measure", "area", "month", "old", "new", "difference"]
    # the same raw files feed both packs, so no month present in both is revised
    assert not (c["change"] == "revision").any()
    assert "Changes since the last pack" in (june / "index.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_brief_prints_on_at_most_two_a4_pages(two_packs, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium is not installed")
    _, june = two_packs
    pdf = tmp_path / "brief.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", (june / "brief.html").as_uri()], capture_output=True, timeout=120)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 1 <= pages <= 2
