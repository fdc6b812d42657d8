"""Victims analyses on hand-built data: the repeat-victim definition and its edges, bands and their sum,
persistence, satisfaction counts, suppression, changes and their wording, rolling pools, the funnel and the
follow-up models."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from scrutiny.analyses import victims as v


def crimes(rows) -> pd.DataFrame:
    """(crime_ref, victim_id, recorded_date, district[, da]) -> a crimes table."""
    df = pd.DataFrame([r if len(r) == 5 else (*r, False) for r in rows],
                      columns=["crime_ref", "victim_id", "recorded_date", "district", "da"])
    df["recorded_date"] = pd.to_datetime(df["recorded_date"]).dt.date
    return df


def repeat_of(df, month, **kw) -> dict:
    pv = v.repeat_victims(df, [month], **kw)
    return dict(zip(pv["victim_id"], pv["repeat_victim"]))


def test_same_day_offences_make_a_repeat_victim():
    df = crimes([("C1", "V0000001", "2025-06-10", "A"), ("C2", "V0000001", "2025-06-10", "A"),
                 ("C3", "V0000002", "2025-06-10", "A")])
    assert repeat_of(df, "2025-06") == {"V0000001": True, "V0000002": False}


def test_exactly_twelve_months_back_counts_one_day_more_does_not():
    df = crimes([("C1", "V1", "2024-06-15", "A"), ("C2", "V1", "2025-06-15", "A"),   # exactly 12 months: counts
                 ("C3", "V2", "2024-06-14", "A"), ("C4", "V2", "2025-06-15", "A"),   # 12 months and a day: not
                 ("C5", "V3", "2024-02-28", "A"), ("C6", "V3", "2025-02-28", "A"),   # leap: 2025-02-28 -> 2024-02-28
                 ("C7", "V4", "2023-02-28", "A"), ("C8", "V4", "2024-02-29", "A")])  # 29 Feb steps back to 28 Feb
    assert repeat_of(df, "2025-06") == {"V1": True, "V2": False}
    assert repeat_of(df, "2025-02") == {"V3": True}
    assert repeat_of(df, "2024-02") == {"V3": False, "V4": True}  # V3's first offence is in February 2024


def test_later_offences_do_not_count_but_a_later_offence_in_the_month_looks_back():
    df = crimes([("C1", "V1", "2025-06-03", "A"), ("C2", "V1", "2025-07-01", "A"),   # the other offence is later
                 ("C3", "V2", "2025-06-03", "A"), ("C4", "V2", "2025-06-20", "B")])  # two in the month
    assert repeat_of(df, "2025-06") == {"V1": False, "V2": True}
    pv = v.repeat_victims(df, ["2025-06"]).set_index("victim_id")
    assert pv.loc["V2", "district"] == "B"  # the district of the last offence in the month
    assert pv.loc["V2", "offences_in_month"] == 2 and pv.loc["V2", "offences_12m"] == 2
    assert pv.loc["V1", "offences_12m"] == 1  # the July offence is after the month


def test_null_victim_id_is_nobody():
    df = crimes([("C1", None, "2025-06-01", "A"), ("C2", None, "2025-06-02", "A"), ("C3", "", "2025-06-02", "A"),
                 ("C4", "V1", "2025-06-02", "A")])
    pv = v.repeat_victims(df, ["2025-06"])
    assert pv["victim_id"].tolist() == ["V1"] and not pv["repeat_victim"].any()
    nid = v.victims_without_id(df, ["2025-06"])
    assert nid.loc[0, "crimes"] == 4 and nid.loc[0, "crimes_without_victim_id"] == 3


def test_subsets_same_subset_or_any_other_offence():
    df = crimes([("C1", "V1", "2025-01-10", "A", False), ("C2", "V1", "2025-06-10", "A", True),
                 ("C3", "V2", "2025-02-10", "A", True), ("C4", "V2", "2025-06-11", "A", True),
                 ("C5", "V3", "2025-06-12", "A", False), ("C6", "V3", "2025-05-12", "A", False)])
    da = df["da"].to_numpy()
    assert repeat_of(df, "2025-06", subsets={"DA": da}) == {"V1": False, "V2": True}  # V3: no DA offence
    assert repeat_of(df, "2025-06", subsets={"DA": da}, same_subset=False) == {"V1": True, "V2": True}
    both = v.repeat_victims(df, ["2025-06"], subsets={"all": None, "DA": da})
    assert both.groupby("subset")["repeat_victim"].sum().to_dict() == {"DA": 1, "all": 3}


def timeline():
    """V1: 25 offences in the year to 2025-06-20 (band 20+); V2: 4 (3–5); V3: 2 (2); V4: 7 (6–19); V5: 1 (not a
    repeat victim); V6: an offence in June and one 13 months earlier (not a repeat victim)."""
    rows = []
    n = 0

    def add(vid, dates):
        nonlocal n
        for d in dates:
            n += 1
            rows.append((f"C{n:03d}", vid, d, "A"))

    add("V1", [str(d.date()) for d in pd.date_range("2024-06-21", "2025-06-20", periods=25)])
    add("V2", ["2024-09-01", "2024-12-01", "2025-03-01", "2025-06-01"])
    add("V3", ["2025-05-31", "2025-06-01"])
    add("V4", ["2024-08-01", "2024-10-01", "2024-12-01", "2025-02-01", "2025-04-01", "2025-05-01", "2025-06-05"])
    add("V5", ["2025-06-07"])
    add("V6", ["2024-05-07", "2025-06-07"])
    add("V1", ["2024-06-20"])  # 12 months before V1's last June offence: the 26th offence in the window
    return crimes(rows)


def test_bands_add_up_to_the_cohort_total():
    df = timeline()
    pv = v.repeat_victims(df, ["2025-06"])
    rep = pv.set_index("victim_id")["repeat_victim"].to_dict()
    assert rep == {"V1": True, "V2": True, "V3": True, "V4": True, "V5": False, "V6": False}
    totals = v.cohort_offence_totals(pv)
    assert totals == {(v.ALL_VICTIMS, "2025-06"): 26 + 4 + 2 + 7}
    bands = v.repeat_bands(pv, totals).set_index("band")
    assert bands["repeat_victims"].to_dict() == {"2": 1, "3–5": 1, "6–19": 1, "20+": 1}
    assert bands["offences_12m"].to_dict() == {"2": 2, "3–5": 4, "6–19": 7, "20+": 26}
    assert bands["offences_12m"].sum() == totals[(v.ALL_VICTIMS, "2025-06")]


def test_band_assertion_fails_when_the_bands_do_not_add_up():
    df = timeline()
    pv = v.repeat_victims(df, ["2025-06"])
    with pytest.raises(AssertionError, match="do not add up"):
        v.repeat_bands(pv, {(v.ALL_VICTIMS, "2025-06"): 38})
    with pytest.raises(ValueError):
        v.band_of(1)
    assert [v.band_of(k) for k in (2, 3, 5, 6, 19, 20, 300)] == ["2", "3–5", "3–5", "6–19", "6–19", "20+", "20+"]


def test_rates_by_area_and_persistence():
    df = crimes([
        ("C1", "V1", "2025-03-01", "A"), ("C2", "V1", "2025-04-01", "A"), ("C3", "V1", "2025-05-01", "A"),
        ("C4", "V1", "2025-06-01", "A"),                                     # repeat in Apr, May, Jun
        ("C5", "V2", "2025-04-20", "B"), ("C6", "V2", "2025-06-20", "B"),   # repeat in Jun only (not in May)
        ("C7", "V3", "2025-05-02", "A"), ("C8", "V3", "2025-05-03", "A"),   # repeat in May only
        ("C9", "V4", "2025-06-09", "B")])
    months = ["2025-04", "2025-05", "2025-06"]
    pv = v.repeat_victims(df, months)
    rates = v.repeat_rates(pv, months).set_index(["month", "area"])
    assert list(rates.columns) == ["victims", "repeat_victims", "rate"]
    assert rates.loc[("2025-06", v.ALL_AREAS)].tolist() == [3, 2, pytest.approx(2 / 3)]
    assert rates.loc[("2025-06", "B")].tolist() == [2, 1, 0.5]
    assert rates.loc[("2025-05", "B"), "victims"] == 0 and math.isnan(rates.loc[("2025-05", "B"), "rate"])
    per = v.persistence(pv, months).set_index("month")
    assert per.loc["2025-06"].tolist() == [2, 1, 1]  # V1 in all three; V2 not in May
    assert per.loc["2025-05", ["repeat_victims", "also_previous_month"]].tolist() == [2, 1]  # V1 and V3; V1
    # March is not a reporting month: whether April's or May's victims were repeat victims then is not known
    assert pd.isna(per.loc["2025-05", "each_of_last_3_months"]) and pd.isna(per.loc["2025-04", "also_previous_month"])


def test_repeat_months_need_a_full_lookback():
    assert v.repeat_months(["2023-06", "2023-07", "2023-08"], "2022-07") == ["2023-07", "2023-08"]


def survey(rows) -> pd.DataFrame:
    """(month, district, crime_type, ease, actions, follow_up, treatment, whole) -> a survey table."""
    df = pd.DataFrame(rows, columns=["month", "district", "crime_type"] + v.STAGES)
    df.insert(0, "respondent_id", [f"R{i}" for i in range(len(df))])
    df["survey_type"] = "aggregate"
    df["interview_date"] = pd.to_datetime(df.pop("month") + "-15").dt.date
    return df


def test_satisfied_is_the_top_three_points_and_dont_know_is_out_of_the_base():
    s = survey([("2025-06", "A", "Burglary", 1, 1, 3, 1, 3), ("2025-06", "A", "Burglary", 2, 8, 4, 1, 4),
                ("2025-06", "A", "Burglary", 3, 9, 7, 1, 8), ("2025-06", "A", "Burglary", 4, None, 1, 1, 2)])
    t = v.satisfaction(v.answers_long(s), ["month"], min_n=1).set_index("stage")
    assert t.loc["whole_experience", ["n", "satisfied"]].tolist() == [3, 2]  # the 8 is not in the base
    assert t.loc["actions", ["n", "satisfied"]].tolist() == [1, 1]  # 8, 9 and blank are not
    assert t.loc["ease_of_contact", ["n", "satisfied"]].tolist() == [4, 3]
    lo, hi = proportion_confint(2, 3, method="wilson")
    assert (t.loc["whole_experience", "low"], t.loc["whole_experience", "high"]) == pytest.approx((lo, hi))
    t2 = v.satisfaction(v.answers_long(s, satisfied=(1, 2)), ["month"], min_n=1).set_index("stage")
    assert t2.loc["ease_of_contact", "satisfied"] == 2
    with pytest.raises(ValueError):
        v.answers_long(s, satisfied=(1, 8))


def _month(month, district, sat, n):
    return [(month, district, "Burglary", 1, 1, 1, 1, 1 if i < sat else 6) for i in range(n)]


def test_suppression_and_change_wording():
    rows = (_month("2024-06", "A", 30, 40) + _month("2025-05", "A", 20, 40) + _month("2025-06", "A", 36, 40)
            + _month("2025-05", "B", 10, 12) + _month("2025-06", "B", 12, 12))
    long = v.answers_long(survey(rows))
    t = v.satisfaction(long, ["month", "district"], min_n=30)
    b = t[(t["district"] == "B") & (t["stage"] == "whole_experience")]
    assert b["suppressed"].all() and b["rate"].isna().all() and b["n"].tolist() == [12, 12]
    ch = v.changes(t, ["district"], ["2025-06"], min_n=30)
    a = ch[(ch["district"] == "A") & (ch["stage"] == "whole_experience")].set_index("comparison")
    z, p = proportions_ztest([36, 20], [40, 40])
    assert a.loc["previous month", "pvalue"] == pytest.approx(p)
    assert a.loc["previous month", "judgement"].startswith("significant increase (two-proportion z-test")
    # 36/40 vs 30/40: expected failures 7 per group, so the z-test; p = 0.17
    z2, p2 = proportions_ztest([36, 30], [40, 40])
    assert a.loc["same month last year", "pvalue"] == pytest.approx(p2)
    assert a.loc["same month last year", "judgement"].startswith("no significant change")
    bb = ch[(ch["district"] == "B") & (ch["stage"] == "whole_experience")]
    assert bb["judgement"].str.startswith("not compared: fewer than 30").all()
    assert not bb["judgement"].str.contains("no significant").any()
    # every stage but whole experience is 100% both months: tested, p = 1, so 'no significant change'
    assert a.index.size == 2
    same = ch[(ch["district"] == "A") & (ch["stage"] == "actions") & (ch["comparison"] == "previous month")]
    assert same["judgement"].iloc[0].startswith("no significant change (not tested (every answer the same)")


def test_change_words_directly():
    assert v.change_words(0.5, 0.7, 0.001, "two-proportion z-test (pooled)", False, 30).startswith(
        "significant decrease")
    assert v.change_words(0.5, 0.7, 0.2, "m", False, 30) == "no significant change (m, p = 0.200)"
    assert v.change_words(0.5, np.nan, np.nan, "m", False, 30).startswith("not compared: no responses")
    assert v.change_words(0.5, 0.6, 0.2, "m", True, 30).startswith("not compared: fewer than 30")


def test_rolling_pools_responses():
    rows = _month("2025-04", "A", 10, 10) + _month("2025-05", "A", 0, 10) + _month("2025-06", "A", 5, 20)
    long = v.answers_long(survey(rows))
    months = ["2025-04", "2025-05", "2025-06"]
    roll = v.rolling(long, months, [], windows=(1, 3), min_n=1)
    w = roll[roll["stage"] == "whole_experience"].set_index(["month", "window"])
    assert w.loc[("2025-06", 3), ["n", "satisfied"]].tolist() == [40, 15]
    assert w.loc[("2025-06", 3), "rate"] == pytest.approx(15 / 40)
    assert ("2025-05", 3) not in w.index  # the 3-month window would reach before April
    side = v.rolling_side_by_side(roll, "2025-06", []).set_index("stage")
    assert side.loc["whole_experience", ["rate_1m", "n_1m", "rate_3m", "n_3m"]].tolist() == [0.25, 20, 0.375, 40]


def test_funnel_places_districts():
    rows = (_month("2025-06", "A", 90, 100) + _month("2025-06", "B", 50, 100) + _month("2025-06", "C", 70, 100)
            + _month("2025-06", "D", 5, 5))
    f = v.district_funnel(v.answers_long(survey(rows)), ["2025-06"], min_n=30).set_index("district")
    p0 = 215 / 305
    assert f.loc["A", "force_rate"] == pytest.approx(p0)
    assert f.loc["A", "high998"] == pytest.approx(p0 + 3.090232 * math.sqrt(p0 * (1 - p0) / 100), abs=1e-6)
    assert f.loc["A", "position"] == "above the 99.8% limit"
    assert f.loc["B", "position"] == "below the 99.8% limit"
    assert f.loc["C", "position"] == "within the 95% limits"
    assert f.loc["D", "position"].startswith("not placed")


def test_followup_models_find_a_respondent_level_link():
    rng = np.random.default_rng(7)
    n = 2000
    follow = rng.random(n) < 0.6
    whole = rng.random(n) < np.where(follow, 0.85, 0.45)
    other = rng.random((n, 3)) < 0.8
    codes = lambda b: np.where(b, 2, 6)  # noqa: E731
    df = pd.DataFrame({"month": [f"2025-{1 + i % 6:02d}" for i in range(n)], "district": "A",
                       "crime_type": np.where(rng.random(n) < 0.5, "Burglary", "Vehicle crime"),
                       "ease_of_contact": codes(other[:, 0]), "actions": codes(other[:, 1]),
                       "follow_up": codes(follow), "treatment": codes(other[:, 2]), "whole_experience": codes(whole)})
    df.insert(0, "respondent_id", range(n))
    df["survey_type"] = "aggregate"
    df["interview_date"] = pd.to_datetime(df.pop("month") + "-15").dt.date
    w = v.satisfied_wide(df)
    assert len(w) == n
    res = v.followup_models(w, min_n=30)
    only = res["coefficients"].query("model == 'follow-up only'").iloc[0]
    # odds ratio of the 2×2 table, by hand
    t = pd.crosstab(w["follow_up"], w["whole_experience"])
    assert only["odds_ratio"] == pytest.approx(t.loc[1, 1] * t.loc[0, 0] / (t.loc[1, 0] * t.loc[0, 1]), rel=1e-6)
    assert res["adjusted"]["odds_ratio"] > 3 and res["adjusted"]["pvalue"] < 0.001
    assert res["months_used"] == 6
    text = v.followup_sentence(res)
    assert "The respondent-level model answers the question" in text and "times the odds" in text


def test_sentences_say_what_the_test_said():
    rows = _month("2025-05", "A", 20, 40) + _month("2025-06", "A", 36, 40) + _month("2024-06", "A", 5, 10)
    long = v.answers_long(survey(rows))
    t = v.satisfaction(long, ["month"], min_n=30)
    ch = v.changes(t, [], ["2025-06"], min_n=30)
    text = v.satisfaction_sentence(t, ch, "2025-06", min_n=30)
    assert text.startswith("In June 2025, 90.0% of respondents (36 of 40) were satisfied with the whole experience")
    assert "Against May 2025 (50.0% of 40): significant increase (two-proportion z-test (pooled), p < 0.001)" in text
    assert "Against June 2024 (10 respondents): not compared: fewer than 30" in text
    assert "no significant" not in text
    small = v.satisfaction(v.answers_long(survey(_month("2025-06", "A", 5, 10))), ["month"], min_n=30)
    assert "fewer than 30, so no rate is published" in v.satisfaction_sentence(small, ch.iloc[:0], "2025-06")


def test_repeat_sentence_states_values_without_judgement():
    rates = pd.DataFrame({"month": ["2025-05", "2025-06"], "area": [v.ALL_AREAS] * 2, "victims": [1000, 1200],
                          "repeat_victims": [250, 330], "rate": [0.25, 0.275]})
    text = v.repeat_sentence(rates, "2025-06")
    assert text == ("In June 2025, 1,200 victims were recorded; 330 of them (27.5%) had at least one other offence "
                    "in the preceding 12 months (repeat victims). The rate was 25.0% in May 2025 (the month before).")


def test_summary_rows_judge_satisfaction_by_its_test_and_state_repeat_values():
    rows = _month("2025-05", "A", 20, 40) + _month("2025-06", "A", 36, 40)
    t = v.satisfaction(v.answers_long(survey(rows)), ["month"], min_n=30)
    ch = v.changes(t, [], ["2025-06"], min_n=30)
    rates = pd.DataFrame({"month": ["2025-06"], "area": [v.ALL_AREAS], "victims": [1200], "repeat_victims": [330],
                          "rate": [0.275]})
    sat, rep = v.summary_rows(t, ch, rates, "2025-06")
    assert sat.data.startswith("90.0% of 40 respondents satisfied, June 2025")
    assert sat.commentary.startswith("Against May 2025: significant increase (two-proportion z-test")
    assert rep.data == "330 of 1,200 victims (27.5%), June 2025" and "no test" in rep.commentary


def test_group_changes_sentence_counts_against_chance():
    ch = pd.DataFrame({"group": ["A", "B", "C", "D"], "stage": ["whole_experience"] * 4,
                       "comparison": ["previous month"] * 4, "pvalue": [0.01, 0.2, np.nan, 0.5],
                       "judgement": ["significant decrease (t, p = 0.010)", "no significant change (t, p = 0.200)",
                                     "not compared: fewer than 30 responses in a month compared",
                                     "no significant change (t, p = 0.500)"]})
    text = v.group_changes_sentence(ch)
    assert text.startswith("By survey and by district (whole experience), 1 of 3 tested comparisons")
    assert "about 0.2 would be by chance alone" in text and "A against the previous month (significant decrease" in text
    assert v.group_changes_sentence(ch.iloc[2:3]).startswith("No survey or district")


def test_repeat_victims_read_from_the_prepared_parquet_as_from_the_frame(tmp_path):
    """The page reads the prepared crimes table with DuckDB (never whole into pandas): from the Parquet file, with
    subsets named by their column, the same victims, counts and cohort check as from the frame."""
    df = crimes([("C1", "V1", "2025-01-10", "A", False), ("C2", "V1", "2025-06-10", "A", True),
                 ("C3", "V2", "2025-02-10", "B", True), ("C4", "V2", "2025-06-11", "A", True),
                 ("C5", "V3", "2025-06-12", "A", False), ("C6", "V3", "2025-05-12", "B", False),
                 ("C7", None, "2025-06-13", "A", True), ("C8", "", "2025-05-02", "B", False)])
    df["extracted_at"] = pd.to_datetime("2025-07-10").date()
    path = tmp_path / "force_crimes.parquet"
    df.sort_values(["recorded_date", "crime_ref"]).to_parquet(path, index=False)
    months = ["2025-05", "2025-06"]
    for same in (True, False):
        a = v.repeat_victims(df, months, subsets={"all": None, "DA": df["da"].to_numpy()}, same_subset=same)
        b = v.repeat_victims(str(path), months, subsets={"all": None, "DA": "da"}, same_subset=same)
        assert v.cohort_offence_totals(a) == v.cohort_offence_totals(b)
        pd.testing.assert_frame_equal(a, b)
    got = b.set_index(["subset", "month", "victim_id"])["repeat_victim"].to_dict()
    assert got == {("DA", "2025-06", "V1"): True, ("DA", "2025-06", "V2"): True,  # any other offence counts
                   ("all", "2025-05", "V3"): False, ("all", "2025-06", "V1"): True, ("all", "2025-06", "V2"): True,
                   ("all", "2025-06", "V3"): True}
    pd.testing.assert_frame_equal(v.victims_without_id(df, months), v.victims_without_id(path, months))
    assert v.victims_without_id(path, months)["crimes_without_victim_id"].tolist() == [1, 1]
    assert v.crimes_facts(path) == {"first_month": "2025-01", "extracted_at": "2025-07-10"}
    with pytest.raises(TypeError, match="column's name"):
        v.repeat_victims(str(path), months, subsets={"DA": df["da"].to_numpy()})
