"""Districts: population matching, rates per 1,000 residents and the per-district table, on hand-built frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from scrutiny.analyses import districts
from scrutiny.analyses.measures import Catalogue, Measure
from scrutiny.reference import months
from scrutiny.report import charts


def pop_frame():
    rows = []
    for ed, years in {"mye2019": range(2017, 2020), "mye2023": range(2021, 2024)}.items():
        for y in years:
            rows += [{"edition": ed, "year": y, "lad_code": "W06000022", "lad_name": "Newport",
                      "population": 150000 + 1000 * (y - 2017)},
                     {"edition": ed, "year": y, "lad_code": "W06000019", "lad_name": "Blaenau Gwent",
                      "population": 70000}]
    return pd.DataFrame(rows)


def test_key_ignores_case_and_spaces():
    assert districts.key("Blaenau  gwent") == districts.key("BLAENAU GWENT ") == "blaenaugwent"
    assert districts.key("Newport") != districts.key("Newport East")


def test_population_year_is_latest_not_after_reporting_year():
    pop = pop_frame()
    assert districts.population_year(pop, "mye2023", "2025-06") == 2023
    assert districts.population_year(pop, "mye2023", "2022-03") == 2022
    assert districts.population_year(pop, "mye2019", "2025-06") == 2019
    with pytest.raises(districts.PopulationError, match="starts in mid-2021"):
        districts.population_year(pop, "mye2023", "2020-12")
    with pytest.raises(districts.PopulationError, match="'mye2099' is not in"):
        districts.population_year(pop, "mye2099", "2025-06")


def test_match_population_case_and_space_insensitive_and_unmatched_named():
    m = districts.match_population(["NEWPORT", "Blaenau  Gwent", "Nowhere"], pop_frame(), "mye2023", 2022)
    assert list(m["lad_code"][:2]) == ["W06000022", "W06000019"]
    assert m["population"].iloc[0] == 155000 and m["population"].iloc[1] == 70000
    assert math.isnan(m["population"].iloc[2]) and pd.isna(m["lad_code"].iloc[2])
    s = districts.population_sentence(m.iloc[2])
    assert "No rate" in s and "Nowhere" in s and "mye2023" in s and "mid-2022" in s
    s = districts.population_sentence(m.iloc[0])
    assert "155,000 residents" in s and "mid-2022" in s and "edition mye2023" in s


def test_match_population_refuses_an_ambiguous_name():
    pop = pd.concat([pop_frame(), pd.DataFrame([{"edition": "mye2023", "year": 2023, "lad_code": "X1",
                                                 "lad_name": "newport", "population": 5}])])
    with pytest.raises(districts.PopulationError, match="ambiguous"):
        districts.match_population(["Newport"], pop, "mye2023", 2023)


def test_rate_per_1000():
    assert districts.rate_per_1000(30, 150000) == pytest.approx(0.2)
    assert districts.rate_per_1000(1500, 150000) == pytest.approx(10.0)
    assert math.isnan(districts.rate_per_1000(5, float("nan")))
    assert math.isnan(districts.rate_per_1000(float("nan"), 100))


def test_read_population_checks_columns(tmp_path):
    p = tmp_path / "pop.csv"
    p.write_text("edition,year,lad_name,population\nmye2023,2023,Newport,1\n")
    with pytest.raises(districts.PopulationError, match=r"missing column\(s\) \['lad_code'\]"):
        districts.read_population(p)
    p.write_text("edition,year,lad_code,lad_name,population\nmye2023,2023,W1,Newport,0\n")
    with pytest.raises(districts.PopulationError, match="positive"):
        districts.read_population(p)


def test_shipped_population_file_matches_gwent_districts():
    pop = districts.read_population()
    year = districts.population_year(pop, "mye2023", "2025-06")
    m = districts.match_population(["Newport", "Caerphilly", "Torfaen", "Monmouthshire", "Blaenau Gwent"], pop,
                                   "mye2023", year)
    assert year == 2023 and m["population"].notna().all()


CAT = Catalogue(source="police_uk_street", measures=[
    Measure("burglary", "Burglary", "burglaries", "down", "", "Month & quarter", ("Burglary",)),
    Measure("robbery", "Robbery", "robberies", "down", "", "Month & quarter", ("Robbery",))])


def hand_frames():
    """24 months July 2023–June 2025 for Newport: burglary = 10 a month, robbery = month number (1..24)."""
    ms = months.span("2023-07", "2025-06")
    monthly = pd.concat([
        pd.DataFrame({"measure": "burglary", "area": "Newport", "month": ms, "value": 10}),
        pd.DataFrame({"measure": "robbery", "area": "Newport", "month": ms, "value": range(1, 25)})])
    summary = pd.DataFrame([
        {"measure": "burglary", "area": "Newport", "variation": "common cause", "rule": "", "limits_judged": True,
         "segment_months": 24, "volume_ratio": None},
        {"measure": "robbery", "area": "Newport", "variation": "special cause concern", "rule": "outside limits",
         "limits_judged": True, "segment_months": 9, "volume_ratio": None}])
    found = pd.DataFrame([{"measure": "robbery", "area": "Newport", "month": "2024-10"}])
    pops = pd.DataFrame([{"district": "Newport", "lad_code": "W06000022", "population": 200000.0,
                          "population_year": 2023, "population_edition": "mye2023"}])
    return monthly, summary, found, pops


def test_rate_table_quarter_12_months_and_rates_by_hand():
    t = districts.rate_table(*hand_frames()[:3], CAT, hand_frames()[3], "2025-06").set_index("measure")
    b, r = t.loc["burglary"], t.loc["robbery"]
    assert b["quarter"] == "Q1 2025/26 (April–June 2025)"
    assert b["quarter_value"] == 30 and b["same_quarter_last_year"] == 30 and b["last12"] == 120
    assert b["quarter_rate_per_1000"] == pytest.approx(30 / 200) and b["last12_rate_per_1000"] == pytest.approx(0.6)
    # robbery: April–June 2025 are months 22..24; April–June 2024 are 10..12; last 12 are 13..24
    assert r["quarter_value"] == 22 + 23 + 24 and r["same_quarter_last_year"] == 10 + 11 + 12
    assert r["last12"] == sum(range(13, 25))
    assert r["last12_rate_per_1000"] == pytest.approx(sum(range(13, 25)) / 200)
    assert b["spc_verdict"] == "common cause" and r["spc_verdict"] == "special cause concern (outside limits)"
    assert r["breaks"] == "October 2024" and not r["quarters_comparable"] and b["quarters_comparable"]


def test_rate_table_reporting_month_mid_quarter_and_short_period():
    monthly, summary, found, pops = hand_frames()
    # reporting month August 2024: the latest complete financial quarter is April–June 2024
    short = monthly[monthly["month"] <= "2024-08"]
    t = districts.rate_table(short, summary, found, CAT, pops, "2024-08").set_index("measure")
    assert t.loc["robbery", "quarter"] == "Q1 2024/25 (April–June 2024)"
    assert t.loc["robbery", "quarter_value"] == 10 + 11 + 12
    assert pd.isna(t.loc["robbery", "same_quarter_last_year"])  # April–June 2023 is before the period
    assert t.loc["robbery", "last12"] == sum(range(3, 15))  # September 2023–August 2024
    assert t.loc["robbery", "quarters_comparable"]  # the break is after the months compared
    tiny = monthly[monthly["month"] <= "2023-12"]
    t = districts.rate_table(tiny, summary, found, CAT, pops, "2023-12").set_index("measure")
    assert pd.isna(t.loc["robbery", "last12"]) and math.isnan(t.loc["robbery", "last12_rate_per_1000"])


def test_rate_table_unmatched_district_has_counts_but_no_rate():
    monthly, summary, found, pops = hand_frames()
    pops = pops.assign(population=float("nan"), lad_code=None)
    t = districts.rate_table(monthly, summary, found, CAT, pops, "2025-06")
    assert (t["last12"] == [120, sum(range(13, 25))]).all()
    assert t["last12_rate_per_1000"].isna().all() and t["quarter_rate_per_1000"].isna().all()


def test_display_suppresses_rate_with_its_count_and_writes_no_program_values():
    from scrutiny.report import present

    t = districts.rate_table(*hand_frames()[:3], CAT, hand_frames()[3], "2025-06")
    d = districts.display(t, min_count=40)
    assert list(d.columns)[1] == "Q1 2025/26 (April–June 2025)"
    assert d.loc[0, "Per 1,000 residents, quarter"] == "[c]"      # burglary quarter 30 < 40
    assert d.loc[0, "Per 1,000 residents, 12 months"] == pytest.approx(0.6)  # 120 is shown
    assert d.loc[1, "Series breaks"] == "October 2024 (the two quarters are not comparable)"
    assert d.loc[0, "Series breaks"] == "none"
    no_last_year = districts.display(t.assign(same_quarter_last_year=float("nan")))
    assert no_last_year.loc[1, "Series breaks"] == "October 2024"  # nothing compared, nothing to warn about
    body, _ = present.html_table(d)
    for word in ("None", "nan", "True", "False"):
        assert f">{word}<" not in body


def test_verdict_words():
    base = {"variation": "common cause", "rule": "", "limits_judged": True, "segment_months": 20, "volume_ratio": None}
    assert districts.verdict(base) == "common cause"
    assert districts.verdict({**base, "limits_judged": False, "segment_months": 4}) == \
        "not judged (4 months since the series break)"
    assert districts.verdict({**base, "volume_ratio": 0.4}).startswith("not judged (month implausible")


def test_anchor():
    assert districts.anchor("Blaenau Gwent") == "district-blaenau-gwent"
    assert districts.anchor("King's Lynn and West Norfolk") == "district-king-s-lynn-and-west-norfolk"


def test_small_multiples_one_panel_per_measure_shared_months_axis_from_zero_and_breaks():
    ms = months.span("2024-01", "2024-12")
    f = pd.DataFrame([{"measure": mid, "month": m, "value": k + 5, "break_before": mid == "robbery" and m == "2024-05"}
                      for mid in ("burglary", "robbery") for k, m in enumerate(ms)])
    ch = charts.small_multiples(f, {"robbery": "Robbery", "burglary": "Burglary"}, "Newport")
    spec = ch.to_dict()
    assert spec["facet"]["field"] == "label" and spec["facet"]["sort"] == ["Robbery", "Burglary"]
    assert spec["resolve"]["scale"]["y"] == "independent"
    layers = spec["spec"]["layer"]
    line = layers[0]
    assert line["mark"]["color"] == charts.PALETTE["blue"]
    assert line["encoding"]["y"]["scale"]["zero"] is True
    assert line["encoding"]["x"]["scale"]["domain"] == [-0.5, 11.5]
    rows = next(iter(spec["datasets"].values()))
    brk = [r for r in rows if r["brk"]]
    assert len(brk) == 1 and brk[0]["label"] == "Robbery" and brk[0]["xb"] == 3.5
    assert any(layer["mark"]["type"] == "rule" for layer in layers)
    no_breaks = charts.small_multiples(f.drop(columns="break_before"), {"burglary": "Burglary"}, "t").to_dict()
    assert len(no_breaks["spec"]["layer"]) == 1


def test_rate_table_leaves_out_rates_of_suppressed_counts():
    t = districts.rate_table(*hand_frames()[:3], CAT, hand_frames()[3], "2025-06", min_count=40).set_index("measure")
    assert math.isnan(t.loc["burglary", "quarter_rate_per_1000"])  # 30 crimes: suppressed
    assert t.loc["burglary", "last12_rate_per_1000"] == pytest.approx(0.6)  # 120 crimes: shown
    assert t.loc["robbery", "quarter_rate_per_1000"] == pytest.approx(69 / 200)


def test_intro_and_method_note_name_edition_year_and_unmatched():
    pops = pd.DataFrame([{"district": "Newport", "lad_code": "W06000022", "population": 200000.0,
                          "population_year": 2023, "population_edition": "mye2023"},
                         {"district": "Nowhere", "lad_code": None, "population": float("nan"),
                          "population_year": 2023, "population_edition": "mye2023"}])
    text = districts.intro(pops, "Gwent Police", ("2024-05", "2025-04"), 0.01)
    assert "Q4 2024/25 (January–March 2025)" in text and "Newport, Nowhere" in text
    assert "No ONS population matched Nowhere" in text and "for it." in text
    note = districts.method_note(pops, "mdc_7pt", 12, 24)
    assert "mid-2023, edition mye2023" in note and "only 12 months, fewer than the 24-month baseline" in note
    assert "only 12 months" not in districts.method_note(pops, "mdc_7pt", 36, 24)


def test_rate_table_counts_and_population_are_whole_numbers():
    monthly, summary, found, pops = hand_frames()
    t = districts.rate_table(monthly, summary, found, CAT, pops.assign(population=1_150_000.0), "2025-06")
    assert str(t["population"].dtype) == "Int64" and str(t["last12"].dtype) == "Int64"
    assert t["population"].iloc[0] == 1_150_000  # written as 1150000 in the CSV, never 1.15e+06
    assert t["last12_rate_per_1000"].iloc[0] == pytest.approx(120 / 1150)
