"""Performance summary arithmetic on a hand-built series."""

import pandas as pd
import pytest

from scrutiny.analyses import measures, performance
from scrutiny.analyses.measures import Catalogue, Measure
from scrutiny.reference import months


def catalogue():
    return Catalogue(source="police_uk_street", measures=[
        Measure(id="burglary", label="Burglary", noun="burglaries", direction="down",
                signs_of_improvement="fall", inclusion="Month & quarter", crime_types=("Burglary",)),
        Measure(id="robbery", label="Robbery", noun="robberies", direction="down",
                signs_of_improvement="fall", inclusion="Quarter unless exceptional", crime_types=("Robbery",)),
    ])


def monthly_frame(period=("2023-01", "2025-02")):
    ms = months.span(*period)
    rows = []
    for i, m in enumerate(ms):
        rows.append({"measure": "burglary", "area": "force", "month": m, "value": 100 + (i % 2)})
        rows.append({"measure": "robbery", "area": "force", "month": m, "value": 10 if m != ms[-1] else 40})
    return pd.DataFrame(rows)


def test_comparisons_by_hand():
    cat = catalogue()
    spc = performance.spc_table(monthly_frame(), cat, baseline=24, rules="mdc_7pt")
    s = performance.summarise(spc, cat).set_index("measure")
    b = s.loc["burglary"]
    # 26 months, i = 0..25; last month i=25 -> 101; previous i=24 -> 100; same month last year i=13 -> 101
    assert b["month"] == "2025-02" and b["value"] == 101
    assert b["previous_month"] == 100 and b["same_month_last_year"] == 101
    assert b["monthly_average"] == pytest.approx(100.5)  # baseline: first 24 months alternate 100/101
    assert b["r12"] == 12 * 100.5 and b["prev12"] == 12 * 100.5
    assert b["r12_pvalue"] == pytest.approx(1.0)
    assert "not a statistically significant change" in b["rolling_sentence"]
    r = s.loc["robbery"]
    # a flat baseline has a zero moving range: limits collapse onto 10 and 40 is outside them
    assert bool(r["exceptional"]) and r["special_cause"] == "high" and r["variation"] == "special cause concern"
    assert r["sentence"] == ("40 robberies were recorded in February 2025. This is an increase compared to "
                             "January 2025 (10) and above the monthly average (10.0).")


def test_summary_rows_and_inclusion_rule():
    cat = catalogue()
    spc = performance.spc_table(monthly_frame(), cat, baseline=24, rules="mdc_7pt")
    rows = performance.summary_rows(performance.summarise(spc, cat), cat).set_index("measure")
    assert rows.loc["burglary", "shown"]  # month & quarter: always
    assert rows.loc["robbery", "shown"]   # February is not a quarter end, but robbery is exceptional
    assert rows.loc["robbery", "commentary"] == "Exceptionally high volume for the force."
    assert rows.loc["burglary", "data"] == "Increase on previous month and above monthly average"
    assert performance.included("Quarter unless exceptional", "2025-02", False) is False
    assert performance.included("Quarter unless exceptional", "2025-03", False) is True


def test_no_rolling_comparison_under_24_months():
    cat = catalogue()
    spc = performance.spc_table(monthly_frame(("2024-01", "2024-12")), cat, baseline=24, rules="mdc_7pt")
    s = performance.summarise(spc, cat).set_index("measure")
    assert s.loc["burglary", "r12"] is None or pd.isna(s.loc["burglary", "r12"])
    assert "Fewer than 24 months" in s.loc["burglary", "rolling_sentence"]


def test_monthly_fills_missing_months_with_zero_and_picks_districts():
    counts = pd.DataFrame([
        {"month": "2024-01", "crime_type": "Burglary", "district": "Newport", "n": 50},
        {"month": "2024-03", "crime_type": "Burglary", "district": "Newport", "n": 40},
        {"month": "2024-01", "crime_type": "Robbery", "district": "Cardiff", "n": 1},
        {"month": "2024-02", "crime_type": "Burglary", "district": None, "n": 9},
    ])
    out = measures.monthly(counts, catalogue(), ("2024-01", "2024-03"), min_share=0.05)
    got = out.set_index(["measure", "area", "month"])["value"]
    assert got[("burglary", "force", "2024-02")] == 9      # no-LSOA rows count in the force total
    assert got[("burglary", "Newport", "2024-02")] == 0    # a month with no rows is a zero, not missing
    assert "Cardiff" not in set(out["area"])               # 1 of 100 rows < 5%
    cov = measures.coverage(counts, ["Newport"])
    assert cov == {"rows": 100, "no_lsoa": 9, "other_districts": 1}


def test_catalogue_errors(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("measures:\n  - {id: x, label: X, noun: xs, direction: sideways, signs_of_improvement: s, "
                 "inclusion: Month & quarter, crime_types: [Burglary]}\n")
    with pytest.raises(measures.CatalogueError, match="direction"):
        measures.load_catalogue(f)
    f.write_text("measures:\n  - {id: x, label: X, noun: xs, direction: up, signs_of_improvement: s, "
                 "inclusion: Month & quarter, crime_types: [Burglery]}\n")
    with pytest.raises(measures.CatalogueError, match="Burglery"):
        measures.load_catalogue(f)


def test_shipped_catalogue_has_every_crime_type():
    from scrutiny import paths
    from scrutiny.reference import police_uk

    cat = measures.load_catalogue(paths.REPO_ROOT / "params" / "measures" / "police_uk.yaml")
    ids = {m.id for m in cat.measures}
    assert {police_uk.slug(t) for t in police_uk.CRIME_TYPES} <= ids
    assert {"all_crime", "neighbourhood_crime"} <= ids
    assert cat.get("neighbourhood_crime").types() == ["Burglary", "Robbery", "Theft from the person", "Vehicle crime"]
    assert "Anti-social behaviour" not in cat.get("all_crime").types()


def test_findings_for_questions_follow_the_desired_direction():
    cat = catalogue()
    spc = performance.spc_table(monthly_frame(), cat, baseline=24, rules="mdc_7pt")
    s = performance.summarise(spc, cat)
    f = performance.findings(s, performance.find_breaks(monthly_frame(), cat), cat)
    # robbery: 40 against a flat 10 (down is better): one 'exceptional' finding at force level
    assert f[["kind", "measure", "area"]].values.tolist() == [["exceptional", "robbery", "force"]]
    assert f.iloc[0]["finding"].startswith("Robbery for the force: 40 in February 2025, above the upper process limit")
    assert f.iloc[0]["priority"] == "Reduce neighbourhood crime"


def test_quarter_view_financial_quarter_and_verdicts():
    cat = catalogue()
    frame = monthly_frame(("2023-04", "2025-06"))  # 27 months; burglary alternates 100/101, robbery 10 then 40
    spc = performance.spc_table(frame, cat, baseline=24, rules="mdc_7pt")
    s = performance.summarise(spc, cat)
    q = performance.quarter_view(spc, s, cat).set_index("measure")
    b = q.loc["burglary"]
    assert b["quarter"] == "Q1 2025/26 (April–June 2025)"
    # i = 24, 25, 26 -> 100, 101, 100 (i % 2); a year earlier i = 12, 13, 14 -> 100, 101, 100
    assert b["quarter_value"] == 301 and b["same_quarter_last_year"] == 301 and b["quarter_change_pct"] == 0
    assert b["ytd_value"] == 301 and b["ytd_label"] == "April–June 2025 (2025/26 to date)"
    assert b["verdict"] == "no clear change"
    r = q.loc["robbery"]
    assert r["verdict"] == "worse" and "outside limits" in r["signal"]  # 40 against a flat 10, and down is better
    assert list(q.index[:1]) == ["robbery"]  # exceptions first
    assert performance.reporting_quarter("2025-05") == ["2025-01", "2025-02", "2025-03"]


def test_monthly_sums_a_measures_types_by_area_and_month_with_rows_as_published():
    cat = Catalogue(source="police_uk_street", measures=[
        Measure(id="acq", label="Acquisitive", noun="crimes", direction="down", signs_of_improvement="fall",
                inclusion="Month & quarter", crime_types=("Burglary", "Robbery"))])
    counts = pd.DataFrame({
        "month": ["2024-01", "2024-01", "2024-02", "2024-02", "2023-12", "2024-02"],
        "crime_type": ["Burglary", "Robbery", "Burglary", "Vehicle crime", "Burglary", "Robbery"],
        "district": ["Newport", "Newport", "Torfaen", "Newport", "Newport", None],
        "n": [30, 5, 20, 99, 7, 2], "rows": [31, 5, 20, 99, 7, 4]})
    out = measures.monthly(counts, cat, ("2024-01", "2024-02"), min_share=0.05)
    # the force first, then districts by size (Newport 141 of 163, Torfaen 20); vehicle crime is not in the
    # measure and 2023-12 is outside the period
    assert out[["area", "month", "value", "rows_as_published"]].values.tolist() == [
        ["force", "2024-01", 35, 36], ["force", "2024-02", 22, 24],
        ["Newport", "2024-01", 35, 36], ["Newport", "2024-02", 0, 0],
        ["Torfaen", "2024-01", 0, 0], ["Torfaen", "2024-02", 20, 20]]
    assert out["value"].dtype == "int64"


def test_centred_median_is_pandas_rolling_median():
    import numpy as np

    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 4, 7, 12, 36):
        v = rng.poisson(80, n).astype(float)
        want = pd.Series(v).rolling(7, center=True, min_periods=3).median().to_numpy()
        np.testing.assert_array_equal(performance._centred_median(v), want)
    # three months each side where there are: (1, 5, 3, 9) -> 4; (1, 5, 3, 9, 2) -> 3; (2, 8, 4, 7) -> 5.5
    got = performance._centred_median(np.array([1.0, 5.0, 3.0, 9.0, 2.0, 8.0, 4.0, 7.0]))
    assert (got[0], got[1], got[7]) == (4.0, 3.0, 5.5)
    assert np.isnan(performance._centred_median(np.array([1.0, 2.0]))).all()  # fewer than 3 months


def test_series_come_in_order_of_first_appearance_each_by_month():
    frame = pd.DataFrame({"measure": ["b", "a", "b", "a", "b"], "area": ["x", "x", "x", "x", "y"],
                          "month": ["2024-02", "2024-02", "2024-01", "2024-01", "2024-01"], "value": [1, 2, 3, 4, 5]})
    got = [(m, a, g["month"].tolist(), g["value"].tolist()) for m, a, g in performance._series_columns(frame)]
    assert got == [("b", "x", ["2024-01", "2024-02"], [3, 1]), ("a", "x", ["2024-01", "2024-02"], [4, 2]),
                   ("b", "y", ["2024-01"], [5])]
    assert [(m, a, g["value"].tolist()) for m, a, g in performance._series(frame)] == [
        (m, a, v) for m, a, _, v in got]
