"""The assumptions and caveats log and the data log: their contract, how entries apply to a pack, and the pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import GWENT, REPO, RUN_DATE, run_cli, write_params
from scrutiny import aqa
from scrutiny.report import views

NOTEBOOKS = {"performance"}
MEASURES = {"neighbourhood_crime", "drugs", "burglary"}
DATASETS = {"police_uk_street", "police_uk_outcomes"}


def assumption(**kw) -> dict:
    e = {"id": "a-test", "title": "A test assumption", "description": "Plain words.", "quality": "Amber",
         "impact": "Green", "affects": ["performance"], "owner": "Lead analyst"}
    e.update(kw)
    return {k: v for k, v in e.items() if v is not None}


def datum(**kw) -> dict:
    e = {"id": "d-test", "title": "A test source", "description": "Plain words.", "quality": "Green",
         "suitability": "Amber", "affects": ["performance"], "owner": "Data manager"}
    e.update(kw)
    return {k: v for k, v in e.items() if v is not None}


def write_logs(d: Path, assumptions: list[dict], data: list[dict] | None = None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "assumptions.yaml").write_text(yaml.safe_dump({"entries": assumptions}, sort_keys=False))
    (d / "data_log.yaml").write_text(yaml.safe_dump({"entries": data or []}, sort_keys=False))
    return d


def load(d: Path) -> aqa.Logs:
    return aqa.check(aqa.read(d), NOTEBOOKS, MEASURES, DATASETS, root=REPO)


# --- the shipped logs ---------------------------------------------------------------------------------------------

def test_shipped_logs_meet_the_contract():
    logs = aqa.load(REPO / "docs" / "aqa")
    assert len(logs.of("assumptions")) >= 10 and len(logs.of("data")) >= 2
    for e in logs.entries:
        assert e.quality in aqa.RAG and e.rating in aqa.RAG
        assert e.description and e.owner and e.affects


def test_shipped_logs_name_the_project_assumptions():
    ids = {e.id for e in aqa.load(REPO / "docs" / "aqa").entries}
    assert {"spc-baseline", "exceptional-definition", "rolling12-poisson", "neighbourhood-crime-police-uk",
            "district-from-lsoa", "snap-point-locations", "archives-reissued", "duplicate-crime-ids",
            "police-uk-street", "gwent-street-2022-07-2025-06"} <= ids


# --- the contract -------------------------------------------------------------------------------------------------

def test_valid_logs_load(tmp_path):
    logs = load(write_logs(tmp_path, [assumption()], [datum(dataset="police_uk_street")]))
    assert [e.id for e in logs.entries] == ["a-test", "d-test"]
    assert logs.entries[0].rating_name == "impact" and logs.entries[1].rating_name == "suitability"


@pytest.mark.parametrize("field", ["quality", "impact"])
def test_missing_rag_fails(tmp_path, field):
    with pytest.raises(aqa.AqaError, match=rf"id 'a-test'.*missing {field}"):
        load(write_logs(tmp_path, [assumption(**{field: None})]))


def test_missing_suitability_fails(tmp_path):
    with pytest.raises(aqa.AqaError, match=r"id 'd-test'.*missing suitability"):
        load(write_logs(tmp_path, [], [datum(suitability=None)]))


@pytest.mark.parametrize("value", ["red", "RED", "Purple", "R", 1])
def test_rag_must_be_red_amber_or_green(tmp_path, value):
    with pytest.raises(aqa.AqaError, match="must be one of Red, Amber, Green"):
        load(write_logs(tmp_path, [assumption(quality=value)]))


def test_affects_naming_nothing_fails(tmp_path):
    with pytest.raises(aqa.AqaError, match=r"affects 'outcomes', which names no notebook.*and no measure id"):
        load(write_logs(tmp_path, [assumption(affects=["performance", "outcomes"])]))


def test_affects_real_names_and_all(tmp_path):
    logs = load(write_logs(tmp_path, [assumption(id="a1", affects=["neighbourhood_crime"]),
                                      assumption(id="a2", affects=["all"]), assumption(id="a3", affects="performance")]))
    assert [e.affects for e in logs.entries] == [("neighbourhood_crime",), ("all",), ("performance",)]


@pytest.mark.parametrize("affects", [[], None, ""])
def test_affects_is_required(tmp_path, affects):
    with pytest.raises(aqa.AqaError, match="missing affects"):
        load(write_logs(tmp_path, [assumption(affects=affects)]))


def test_all_must_stand_alone(tmp_path):
    with pytest.raises(aqa.AqaError, match="use \\[all\\] alone"):
        load(write_logs(tmp_path, [assumption(affects=["all", "performance"])]))


def test_ids_unique_across_both_logs(tmp_path):
    with pytest.raises(aqa.AqaError, match="duplicate id"):
        load(write_logs(tmp_path, [assumption(id="same")], [datum(id="same")]))


def test_unknown_key_and_bad_id(tmp_path):
    with pytest.raises(aqa.AqaError, match=r"unknown key\(s\) \['impcat'\]"):
        load(write_logs(tmp_path, [assumption(impcat="Red")]))
    with pytest.raises(aqa.AqaError, match="id must be lower-case"):
        load(write_logs(tmp_path, [assumption(id="Spc Baseline")]))
    with pytest.raises(aqa.AqaError, match="unknown key"):  # suitability belongs to the data log
        load(write_logs(tmp_path, [assumption(suitability="Red")]))


def test_data_entry_dataset_and_files_must_exist(tmp_path):
    with pytest.raises(aqa.AqaError, match="dataset 'police_uk_stret' is not an input dataset"):
        load(write_logs(tmp_path, [], [datum(dataset="police_uk_stret")]))
    with pytest.raises(aqa.AqaError, match="matches no file"):
        load(write_logs(tmp_path, [], [datum(dataset="police_uk_street", files=["data/raw/nowhere/*.csv"])]))


def test_file_shape_errors(tmp_path):
    (tmp_path / "assumptions.yaml").write_text("- id: x\n")
    with pytest.raises(aqa.AqaError, match="one key, entries"):
        aqa.read(tmp_path)
    (tmp_path / "assumptions.yaml").write_text("entries: [1]\n")
    with pytest.raises(aqa.AqaError, match="must be a mapping"):
        aqa.read(tmp_path)


def test_known_measures_come_from_the_catalogues():
    assert {"all_crime", "neighbourhood_crime", "drugs"} <= aqa.known_measures()
    assert "performance" in aqa.known_notebooks()


# --- which entries apply to a pack --------------------------------------------------------------------------------

STREET = sorted(GWENT.glob("2025-0[4-6]-gwent-street.csv.gz"))


def test_for_pack_filters_by_section_measure_dataset_and_files(tmp_path):
    logs = load(write_logs(tmp_path, [
        assumption(id="a-green", quality="Green", impact="Green"),
        assumption(id="a-red", quality="Amber", impact="Red", affects=["neighbourhood_crime"]),
        assumption(id="a-all", quality="Green", impact="Amber", affects=["all"]),
        assumption(id="a-other-measure", affects=["burglary"]),
    ], [
        datum(id="d-street", dataset="police_uk_street"),
        datum(id="d-outcomes", dataset="police_uk_outcomes"),
        datum(id="d-gwent-files", dataset="police_uk_street", files=["data/raw/police_uk/gwent/*-street.csv.gz"]),
    ]))
    measures = {"performance": {"neighbourhood_crime": "Neighbourhood crime", "drugs": "Drugs"}}
    applied = aqa.for_pack(logs, ["performance"], measures, {"police_uk_street": STREET}, root=REPO)
    ids = [a.entry.id for a in applied]
    # burglary is not in this pack's catalogue; the pack reads no outcomes files
    assert "a-other-measure" not in ids and "d-outcomes" not in ids
    assert ids[0] == "a-red"  # Red first
    assert ids[-1] == "a-green"  # Green/Green last
    red = applied[0]
    assert red.sections == ("performance",) and red.measures == ("Neighbourhood crime",)
    assert {"a-all", "d-street", "d-gwent-files"} <= set(ids)
    # the same log in a pack reading another force's files: the Gwent entry drops out
    other = tmp_path / "other" / "2025-04-x-street.csv"
    other.parent.mkdir()
    other.write_text("")
    ids = [a.entry.id for a in aqa.for_pack(logs, ["performance"], measures, {"police_uk_street": [other]},
                                            root=REPO)]
    assert "d-gwent-files" not in ids and "d-street" in ids
    # a copy of a Gwent file under another name and folder is the same data: the entry applies
    copy = tmp_path / "other" / "copy of may.csv.gz"
    copy.write_bytes(Path(STREET[0]).read_bytes())
    ids = [a.entry.id for a in aqa.for_pack(logs, ["performance"], measures, {"police_uk_street": [other, copy]},
                                            root=REPO)]
    assert "d-gwent-files" in ids
    # a pack without the section: nothing but `all` entries, and those only with a section to show them on
    assert aqa.for_pack(logs, [], {}, {"police_uk_street": STREET}, root=REPO) == []


def test_red_first_ordering():
    def e(i, q, r):
        return aqa.Entry("assumptions", i, i, "d", q, r, ("performance",), "o")

    logs = aqa.Logs([e("g", "Green", "Green"), e("ag", "Amber", "Green"), e("rg", "Green", "Red"),
                     e("aa", "Amber", "Amber"), e("rr", "Red", "Red")])
    assert [a.entry.id for a in aqa.for_pack(logs, ["performance"])] == ["rr", "rg", "aa", "ag", "g"]


def test_counts_by_rag():
    logs = aqa.Logs([aqa.Entry("assumptions", "a", "a", "d", "Red", "Amber", ("all",), "o"),
                     aqa.Entry("assumptions", "b", "b", "d", "Green", "Amber", ("all",), "o"),
                     aqa.Entry("data", "c", "c", "d", "Green", "Red", ("all",), "o")])
    rows = aqa.counts(aqa.for_pack(logs, ["performance"]))
    assert rows[0] == {"log": "Assumptions and caveats log", "rating": "quality", "entries": 2,
                       "Red": 1, "Amber": 0, "Green": 1}
    assert rows[1]["Amber"] == 2 and rows[3] == {"log": "Data log", "rating": "suitability", "entries": 1,
                                                 "Red": 1, "Amber": 0, "Green": 0}


# --- the pages (rendered directly: fast) --------------------------------------------------------------------------

CTX = {"pack": {"title": "T", "force": "Gwent Police"}, "period_label": "April 2025 to June 2025",
       "run_date": RUN_DATE, "nav": []}


def test_pages_escape_log_text(tmp_path):
    bad = "<script>alert(1)</script> & <b>bold</b>"
    logs = aqa.Logs([aqa.Entry("assumptions", "x", bad, bad, "Red", "Red", ("performance",), bad)])
    applied = aqa.for_pack(logs, ["performance"])
    views.render("assumptions.html.j2", tmp_path / "a.html", page_title="Assumptions and caveats",
                  current="assumptions.html", applied=applied, logs=aqa.LOGS, definitions=aqa.DEFINITIONS,
                  section_titles={"performance": "Performance summary"}, omitted=0, log_dir="docs/aqa", **CTX)
    views.render("page.html.j2", tmp_path / "p.html", page_title="P", current="p.html", body="<p>body</p>",
                  aqa_box=applied, **CTX)
    for f in ("a.html", "p.html"):
        text = (tmp_path / f).read_text()
        assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in text


def test_section_box_absent_on_other_pages_and_says_so_when_empty(tmp_path):
    views.render("page.html.j2", tmp_path / "p.html", page_title="P", current="p.html", body="", **CTX)
    assert 'class="aqa-box"' not in (tmp_path / "p.html").read_text()
    views.render("page.html.j2", tmp_path / "q.html", page_title="P", current="q.html", body="", aqa_box=[], **CTX)
    assert "No entry in the assumptions and caveats log or the data log names this section" in \
        (tmp_path / "q.html").read_text()


def test_how_to_read_page(tmp_path):
    from scrutiny.stats.spc import rule_set

    out = tmp_path / "h.html"
    views.render("how_to_read.html.j2", out, page_title="How to read this pack", current="how-to-read.html",
                  baseline=24, rules=rule_set("mdc_7pt"), **CTX)
    text = re.sub(r"\s+", " ", out.read_text())
    for phrase in ["average of the first 24 months", "outside the process limits", "95% interval",
                   "exact conditional Poisson test", "Wilson score interval", "exact Poisson interval",
                   "p-value is below 0.05", "fixed follow-up", "same period", "SYNTHETIC DATA", "mdc_7pt"]:
        assert phrase in text, phrase
    assert "This pack includes synthetic data" not in text
    views.render("how_to_read.html.j2", out, page_title="How to read this pack", current="how-to-read.html",
                  baseline=24, rules=rule_set("mdc_7pt"),
                  banners=[{"cls": "synthetic", "text": "SYNTHETIC DATA"}], **CTX)
    assert "This pack includes synthetic data" in out.read_text()


def test_params_accept_an_aqa_folder():
    from scrutiny.config.params import ParamsError, parse

    base = yaml.safe_load((REPO / "params" / "default.yaml").read_text())
    assert parse(base).aqa.logs == "docs/aqa"
    assert parse({**base, "aqa": {"logs": "elsewhere"}}).aqa.logs == "elsewhere"
    with pytest.raises(ParamsError, match="aqa.log: unknown key"):
        parse({**base, "aqa": {"log": "x"}})


# --- in built packs -----------------------------------------------------------------------------------------------

def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", path.read_text())


def expected(period: tuple[str, str], logs_dir: Path = REPO / "docs" / "aqa") -> list[aqa.Applied]:
    """The entries a performance-only pack on the shipped Gwent street files should show, worked out directly."""
    from scrutiny.analyses.measures import load_catalogue
    from scrutiny.reference import months

    cat = load_catalogue(REPO / "params" / "measures" / "police_uk.yaml")
    files = [GWENT / f"{m}-gwent-street.csv.gz" for m in months.span(*period)]
    return aqa.for_pack(aqa.load(logs_dir), ["performance"], {"performance": {m.id: m.label for m in cat.measures}},
                        {"police_uk_street": files})


def box_items(page: Path) -> list[str]:
    text = _text(page)
    start = text.index('class="aqa-box"')
    box = text[start:text.index("</details>", start)]
    return box.split("<li>")[1:]


def count_row(index: Path, log: str, rating: str) -> str:
    m = re.search(rf"<tr><td>{log}</td><td>{rating}</td>(.*?)</tr>", _text(index))
    return re.sub(r"</?td>", " ", m.group(1)).split()


@pytest.mark.e2e
@pytest.mark.xdist_group("pack")
def test_every_pack_has_the_aqa_pages_and_boxes(gwent13):
    want = expected(("2024-06", "2025-06"))
    assert want, "the shipped logs should have entries for the performance section"
    for page in gwent13.glob("*.html"):
        text = page.read_text()
        assert 'href="assumptions.html"' in text and 'href="how-to-read.html"' in text, page.name
    assert (gwent13 / "how-to-read.html").is_file()
    assumptions = (gwent13 / "assumptions.html").read_text()
    assert re.findall(r'<tr id="([a-z0-9-]+)">', assumptions) == \
        [a.entry.id for a in want if a.entry.log == "assumptions"] + [a.entry.id for a in want if a.entry.log == "data"]
    items = box_items(gwent13 / "performance.html")
    assert [re.search(r'href="assumptions.html#([a-z0-9-]+)"', i).group(1) for i in items] == \
        [a.entry.id for a in want]  # Red first
    assert f"Quality: {want[0].entry.quality}" in items[0]
    assert any("(for Neighbourhood crime)" in i for i in items)
    a = [x.entry for x in want if x.entry.log == "assumptions"]
    assert count_row(gwent13 / "index.html", "Assumptions and caveats log", "impact") == \
        [str(len(a))] + [str(sum(e.rating == r for e in a)) for r in aqa.RAG]
    d = [x.entry for x in want if x.entry.log == "data"]
    assert count_row(gwent13 / "index.html", "Data log", "quality") == \
        [str(len(d))] + [str(sum(e.quality == r for e in d)) for r in aqa.RAG]


NEW_ENTRY = """
  - id: new-red-entry
    title: A brand-new caveat for burglary
    description: Added after the code, with no code change.
    quality: Red
    impact: Red
    affects: [burglary]
    owner: Lead analyst
"""


@pytest.mark.e2e
def test_new_log_entry_shows_in_the_next_run_and_a_broken_log_stops_it(tmp_path):
    logs = tmp_path / "aqa"
    shutil.copytree(REPO / "docs" / "aqa", logs)
    with open(logs / "assumptions.yaml", "a", encoding="utf-8") as f:
        f.write(NEW_ENTRY)
    period = ("2025-04", "2025-06")
    want = expected(period, logs)
    assert want[0].entry.id == "new-red-entry"
    params = write_params(tmp_path / "p.yaml", period=dict(zip(("start", "end"), period)), aqa={"logs": str(logs)})
    res = run_cli("run", params, "--out", tmp_path / "pack", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    pack = tmp_path / "pack"
    assert '<tr id="new-red-entry">' in (pack / "assumptions.html").read_text()
    first = box_items(pack / "performance.html")[0]
    assert "A brand-new caveat for burglary" in first and "(for Burglary)" in first
    a = [x.entry for x in want if x.entry.log == "assumptions"]
    assert count_row(pack / "index.html", "Assumptions and caveats log", "quality") == \
        [str(len(a))] + [str(sum(e.quality == r for e in a)) for r in aqa.RAG]
    assert count_row(pack / "index.html", "Assumptions and caveats log", "quality")[1] == "1"

    with open(logs / "assumptions.yaml", "a", encoding="utf-8") as f:
        f.write("  - {id: no-rating, title: t, description: d, quality: Amber, affects: [performance], owner: o}\n")
    res = run_cli("run", params, "--out", pack, "--run-date", RUN_DATE)
    assert res.returncode == 1
    assert "id 'no-rating'" in res.stderr and "missing impact" in res.stderr
    assert '<tr id="new-red-entry">' in (pack / "assumptions.html").read_text()  # the last good pack is untouched
