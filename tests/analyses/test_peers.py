"""Statistical neighbours, official MSG files, force names and peers params."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from scrutiny.analyses import peers, questions
from scrutiny.config import params
from scrutiny.inputs import msg_file, pfa_tables
from scrutiny.reference import forces, offences

REPO = params.paths.REPO_ROOT


def _features(seed=0):
    rng = np.random.default_rng(seed)
    forces = peers.comparable_forces()
    return pd.DataFrame({"a": rng.normal(size=len(forces)), "b": rng.normal(10, 3, size=len(forces)),
                         "c": 5.0}, index=pd.Index(forces, name="force"))


def test_neighbours_are_deterministic_and_ignore_row_order():
    f = _features()
    a = peers.nearest(f, "Gwent", 7)
    b = peers.nearest(f.sample(frac=1, random_state=3), "Gwent", 7)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 7 and "Gwent" not in set(a["force"])
    assert list(a["rank"]) == list(range(1, 8))
    assert a["distance"].is_monotonic_increasing


def test_neighbours_by_hand_with_tie_broken_by_name():
    # one variable x = 0, 1, -1, 2, -2: mean 0, sd √2, so z = x/√2. Gwent at 0; Kent and Dorset tie at 1/√2.
    f = pd.DataFrame({"x": [0.0, 1.0, -1.0, 2.0, -2.0]},
                     index=pd.Index(["Gwent", "Kent", "Dorset", "Essex", "Surrey"], name="force"))
    n = peers.nearest(f, "Gwent", 3)
    assert list(n["force"]) == ["Dorset", "Kent", "Essex"]
    assert list(n["distance"]) == pytest.approx([2 ** -0.5, 2 ** -0.5, 2 ** 0.5])


def test_standardise_drops_constant_columns():
    z = peers.standardise(_features())
    assert list(z.columns) == ["a", "b"]
    assert z.mean().abs().max() < 1e-12 and (z.std(ddof=0) - 1).abs().max() < 1e-12


def test_force_name_matching():
    assert forces.force_name("Gwent Police") == "Gwent"
    assert forces.force_name("Warwickshire Police") == "Warwickshire"
    assert forces.force_name("Devon & Cornwall Police") == "Devon and Cornwall"
    assert forces.force_name("Metropolitan Police Service") == "Metropolitan Police"
    assert forces.force_name("dyfed powys") == "Dyfed-Powys"
    assert forces.force_name("London, City of") == "City of London"
    with pytest.raises(ValueError, match="43 territorial"):
        forces.force_name("British Transport Police")
    with pytest.raises(ValueError):
        forces.force_name("Gwentshire")


def test_one_force_key_for_every_matcher():
    """forces.force_key is the one normalisation: peers, stop and search and Home Office outcomes all use it."""
    assert forces.force_key("Devon & Cornwall Police") == "devon and cornwall" == forces.force_key("Devon and Cornwall")
    assert forces.force_key("Metropolitan Police Service") == "metropolitan" == forces.force_key("Metropolitan Police")
    assert forces.force_key("Dyfed-Powys Police") == "dyfed powys"


def test_population_year_is_the_30_june_inside_the_12_months():
    assert pfa_tables.population_year(dt.date(2018, 12, 31)) == 2018
    assert pfa_tables.population_year(dt.date(2019, 3, 31)) == 2018
    assert pfa_tables.population_year(dt.date(2018, 6, 30)) == 2018
    assert pfa_tables.population_year(dt.date(2018, 9, 30)) == 2018
    assert pfa_tables.population_year(dt.date(2003, 3, 31)) == 2002


def _msg(path, rows):
    pd.DataFrame(rows, columns=["force", "peer", "source", "as_of"]).to_csv(path, index=False)
    return path


def test_read_msg_ok_and_provenance(tmp_path):
    f = _msg(tmp_path / "msg.csv", [["Gwent", "South Wales", "Test list", "2021-01-01"],
                                    ["Gwent Police", "Durham", "Test list", "2021-01-01"]])
    m = msg_file.read_msg(f)
    assert m.peers_of("Gwent") == ["South Wales", "Durham"]
    assert "Test list" in m.provenance("Gwent") and "2021-01-01" in m.provenance("Gwent")
    with pytest.raises(ValueError, match="no peers"):
        m.peers_of("Kent")


@pytest.mark.parametrize("rows,match", [
    ([["Gwent", "Atlantis", "x", "2021-01-01"]], "43 territorial"),
    ([["Gwent", "Durham", "x", "1 Jan 2021"]], "as_of"),
    ([["Gwent", "Gwent", "x", "2021-01-01"]], "own peer"),
    ([["Gwent", "Durham", "", "2021-01-01"]], "source"),
    ([["Gwent", "Durham", "x", "2021-01-01"], ["Gwent", "Durham", "x", "2021-01-01"]], "twice"),
])
def test_read_msg_rejects(tmp_path, rows, match):
    with pytest.raises(ValueError, match=match):
        msg_file.read_msg(_msg(tmp_path / "m.csv", rows))


def test_read_msg_missing_column(tmp_path):
    (tmp_path / "m.csv").write_text("force,peer\nGwent,Durham\n")
    with pytest.raises(ValueError, match="missing column"):
        msg_file.read_msg(tmp_path / "m.csv")


def _peers_params(tmp_path, **over):
    data = yaml.safe_load((REPO / "params" / "peers_example.yaml").read_text())
    for k, v in over.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


def test_peers_example_params_fill_period_and_force():
    p = params.load(REPO / "params" / "peers_example.yaml")
    assert p.period.start == "2018-01" and p.period.end == "2018-12"
    assert p.peers.period_end == dt.date(2018, 12, 31) and p.peers.k == 7 and p.peers.msg_file is None
    assert p.peers.population_edition == "mye2019"
    assert p.peers_force() == "Warwickshire"
    assert set(p.inputs) == {"ho_prc_pfa", "ons_population_pfa"}
    assert params.load(REPO / "params" / "peers_gwent.yaml").peers_force() == "Gwent"


def test_default_pack_has_no_peers_section_in_use():
    p = params.load(REPO / "params" / "default.yaml")
    assert "peers" not in p.notebooks


def test_peers_params_errors(tmp_path):
    bad = {"period_end": "2018-12-30", "population_edition": "mye2019", "k": 7, "msg_file": None}
    with pytest.raises(params.ParamsError, match="peers.period_end.*last day of a quarter"):
        params.load(_peers_params(tmp_path, peers=bad))
    with pytest.raises(params.ParamsError, match="population_edition"):
        params.load(_peers_params(tmp_path, peers={"population_edition": "mye2031"}))
    with pytest.raises(params.ParamsError, match="must be the month of peers.period_end"):
        params.load(_peers_params(tmp_path, period={"start": "2018-01", "end": "2018-11"}))
    with pytest.raises(params.ParamsError, match=r"notebook 'peers' needs input\(s\) \['ons_population_pfa'\]"):
        params.load(_peers_params(tmp_path, inputs={"ho_prc_pfa": {"path": "x"}}))
    with pytest.raises(params.ParamsError, match="43 territorial"):
        params.load(_peers_params(tmp_path, pack={"id": "x", "title": "x", "force": "British Transport Police"}))
    with pytest.raises(params.ParamsError, match="msg_file"):
        params.load(_peers_params(tmp_path, peers={"msg_file": str(tmp_path / "nope.csv")}))
    with pytest.raises(params.ParamsError, match="peers.colour: unknown key"):
        params.load(_peers_params(tmp_path, peers={"colour": "red"}))
    # an explicit force overrides the name match
    p = params.load(_peers_params(tmp_path, peers={"force": "Dyfed-Powys"}))
    assert p.peers_force() == "Dyfed-Powys"


def test_funnels_by_offence_targets_are_weighted_national_rates():
    at = pd.DataFrame({"force": ["A", "B", "C", "A", "B", "C"], "offence": ["x"] * 3 + ["y"] * 3,
                       "count": [100, 300, 600, 10, 20, 30], "population": [10_000, 20_000, 30_000] * 2})
    f, od = peers.funnels_by_offence(at, at, ["x", "y"])
    od = od.set_index("offence")
    assert od.loc["x", "target_rate_per_1000"] == pytest.approx(1000 * 1000 / 60_000)
    assert od.loc["y", "target_rate_per_1000"] == pytest.approx(1000 * 60 / 60_000)
    assert len(f) == 6 and set(f["offence"]) == {"x", "y"} and "force" in f.columns


def test_peer_z_uses_between_force_variance_by_hand():
    # O = 1,200 crimes, population 100,000, peer average 10 per 1,000 -> E = 1,000; ln(1.2) = 0.182322
    t = peers.peer_z(1200, 100_000, 10.0, tau2=0.01)
    assert t["expected_at_peer_average"] == pytest.approx(1000)
    assert t["se"] == pytest.approx(0.104881, rel=1e-5)           # √(1/1000 + 0.01) = √0.011
    assert t["z"] == pytest.approx(0.182322 / 0.104881, rel=1e-5)  # 1.73838
    assert t["p_value"] == pytest.approx(0.082138, rel=1e-3)
    assert t["verdict"] == "not significantly different from"
    # the same force with no between-force variation: z = 0.182322 / √0.001 = 5.7655, significantly above
    t0 = peers.peer_z(1200, 100_000, 10.0, tau2=0.0)
    assert t0["z"] == pytest.approx(5.76552, rel=1e-5) and t0["verdict"] == "significantly above"
    assert peers.peer_z(800, 100_000, 10.0, tau2=0.0)["verdict"] == "significantly below"
    assert peers.peer_z(0, 100_000, 10.0, tau2=0.0)["verdict"].startswith("not tested")
    # the peer average's own variance adds to the variance: v = 0.002 -> se = √(0.001 + 0.01 + 0.002) = √0.013
    assert peers.peer_z(1200, 100_000, 10.0, tau2=0.01, peer_var=0.002)["se"] == pytest.approx(0.114018, rel=1e-5)


def test_peer_average_variance_by_hand():
    # two peers, populations 100,000 and 300,000 (w = 0.25, 0.75; Σw² = 0.625), counts 900 and 3,100:
    # v = 0.01 × 0.625 + 1/4,000 = 0.00625 + 0.00025
    assert peers.peer_average_variance([900, 3100], [100_000, 300_000], 0.01) == pytest.approx(0.0065)


def test_quasi_poisson_z_by_hand():
    z, p = peers.quasi_poisson_z(1100, 1000, phi=4.0)
    assert z == pytest.approx(100 / (4 * 2100) ** 0.5)   # 1.09109
    assert p == pytest.approx(0.275233, rel=1e-4)
    z1, p1 = peers.quasi_poisson_z(1100, 1000, phi=1.0)  # Poisson: 100 / √2100 = 2.18218
    assert z1 == pytest.approx(2.18218, rel=1e-5) and p1 == pytest.approx(0.029090, rel=1e-3)


def test_dispersion_from_earlier_changes_at_the_same_quarter_end():
    s = pd.Series({pd.Timestamp("2010-12-31"): 100, pd.Timestamp("2011-06-30"): 500,
                   pd.Timestamp("2011-12-31"): 120, pd.Timestamp("2012-12-31"): 100,
                   pd.Timestamp("2013-12-31"): 110, pd.Timestamp("2014-12-31"): 400})
    phi, n = peers.dispersion_from_history(s, pd.Timestamp("2014-12-31"))
    # z² = 20²/220, 20²/220, 10²/210; the June value and the tested change (2014) are not used
    assert n == 3
    assert phi == pytest.approx((400 / 220 + 400 / 220 + 100 / 210) / 3)  # 1.370851
    phi2, n2 = peers.dispersion_from_history(s, pd.Timestamp("2013-12-31"))
    assert n2 == 2 and phi2 != phi2  # too few earlier changes: NaN, not tested
    flat = pd.Series({pd.Timestamp(f"{y}-12-31"): 1000 for y in range(2010, 2016)})
    assert peers.dispersion_from_history(flat, pd.Timestamp("2015-12-31")) == (1.0, 4)  # floored at 1


# --- page text and tables ---------------------------------------------------------------------------------------

END = pd.Timestamp("2024-03-31")


def _long():
    """Three forces and City of London at one reporting date, total only."""
    return pd.DataFrame({"period_end": [END] * 4, "force": ["Gwent", "Kent", "Dorset", forces.CITY_OF_LONDON],
                         "offence": [offences.TOTAL] * 4, "count": [50_000, 150_000, 40_000, 9_000],
                         "population": [600_000, 1_900_000, 780_000, 8_600]})


def test_at_period_end_and_its_errors():
    long = _long()
    assert len(peers.at_period_end(long, END, "mye2022", 2023)) == 4
    with pytest.raises(ValueError, match="no 12 months ending 2023-03-31"):
        peers.at_period_end(long, pd.Timestamp("2023-03-31"), "mye2022", 2022)
    with pytest.raises(ValueError, match="ONS edition mye2019 has no mid-2023 population"):
        peers.at_period_end(long.assign(population=[600_000, None, 1, 1]), END, "mye2019", 2023)


def test_intro_and_definitions_by_hand():
    assert peers.end_label(END) == "31 March 2024"
    s = peers.intro_sentence("31 March 2024", 2023, "mye2019", "Gwent Police", peers.NEIGHBOUR_LABEL)
    assert "ONS mid-2023 population estimate, edition mye2019 (Census 2011-based" in s
    assert s.endswith("Force: Gwent Police. Peer group: statistical neighbours (not the Home Office MSG).")
    assert "(rebased after Census 2021)" in peers.intro_sentence("x", 2023, "mye2023", "F", "G")
    d = peers.definitions_note(_long(), 41)
    assert "City of London (about 8,600 residents" in d and "cover the other 41 forces" in d


def test_rates_paragraph_and_peer_tests_by_hand():
    tot = pd.Series({"count": 50_000, "rate_per_1000": 83.333, "ci_low": 82.6, "ci_high": 84.1,
                     "peer_average": 70.04, "england_wales": 75.96, "vs_peer_average": "significantly above",
                     "tau2": 0.01, "z": 2.5, "p_value": 0.0124, "rank_in_group": 1, "group_size": 3,
                     "rank_national": 5, "forces_ranked": 41})
    s = peers.rates_paragraph(tot, "Gwent Police", "31 March 2024")
    assert s.startswith("Gwent Police recorded 50,000 crimes (excluding fraud) in the 12 months ending 31 March "
                        "2024: 83.3 per 1,000 residents (exact Poisson 95% interval of its own count, 82.6 to 84.1). "
                        "The peer average is 70.0 and England and Wales 76.0. Gwent Police is significantly above")
    assert s.endswith("and ranks 1 of 3 in its peer group and 5 of 41 nationally (1 = highest rate).")
    cmp = pd.DataFrame({"vs_peer_average": ["significantly above", "not significantly different from"],
                        "ci_low": [80.0, 9.0], "ci_high": [85.0, 11.0], "peer_average": [70.0, 10.5]})
    assert peers.peer_tests_sentence(cmp).startswith("Against the peer average, 1 of the 2 rows")
    # the force's own interval excludes the peer average in the first row only
    assert peers.peer_method_note(cmp).endswith("judged by it alone 1 of the 2 rows would have been called "
                                                "significant.")


def test_funnel_paragraph_lists_forces_outside_and_unadjusted_count():
    ft = pd.DataFrame({"force": ["A", "B", "C"], "rate": [90.0, 60.0, 40.0],
                       "position": ["above 99.8%", "within 95%", "below 99.8%"],
                       "position_unadjusted": ["above 99.8%", "above 99.8%", "below 99.8%"]})
    od = pd.Series({"target_rate_per_1000": 62.5, "overdispersion_adjusted": True})
    s = peers.funnel_paragraph(ft, od, "31 March 2024")
    assert ("around the England and Wales rate of 62.5. Outside the 99.8% limits: A (90.0, above 99.8%); C (40.0, "
            "below 99.8%). Against unadjusted exact Poisson limits 3 of the 3 forces") in s
    s = peers.funnel_paragraph(ft.assign(position="within 95%"), od.copy().replace({True: False}), "x")
    assert s.endswith("Outside the 99.8% limits: none.")
    n = peers.funnel_note(pd.Series({"forces": 41, "phi": 1.0, "tau2": 0.0}))
    assert "not overdispersed (k·φ = 41.0 against k − 1 = 40)" in n


def test_page_tables_by_hand():
    f = pd.DataFrame({"x": [0.0, 1.0, -1.0, 2.0, -2.0]},
                     index=pd.Index(["Gwent", "Kent", "Dorset", "Essex", "Surrey"], name="force"))
    n = peers.nearest(f, "Gwent", 2)
    t = peers.neighbour_table(f, n, "Gwent")
    assert list(t["force"]) == ["Gwent", "Dorset", "Kent"] and list(t["distance"]) == pytest.approx(
        [0, 2 ** -0.5, 2 ** -0.5])
    d = peers.distances(f, "Gwent")
    assert list(d["force"]) == ["Dorset", "Kent", "Essex", "Surrey"]
    assert list(d["distance"]) == pytest.approx([2 ** -0.5, 2 ** -0.5, 2 ** 0.5, 2 ** 0.5])
    funnel_tbl = pd.DataFrame({"offence": [offences.TOTAL, "Robbery", offences.TOTAL], "force": ["Gwent", "Gwent", "Kent"],
                               "rate": [80.0, 1.0, 70.0], "lower_998": [60.0, 0.5, 61.0],
                               "upper_998": [90.0, 2.0, 89.0], "position": ["within 95%"] * 3})
    od = pd.DataFrame({"offence": [offences.TOTAL, "Robbery"], "overdispersion_adjusted": [True, False]})
    fp = peers.focal_positions(funnel_tbl, od, "Gwent")
    assert list(fp.columns) == ["offence", "rate per 1,000", "99.8% lower", "99.8% upper", "position",
                                "limits overdispersion-adjusted"]
    assert list(fp["limits overdispersion-adjusted"]) == [True, False]
    ft = funnel_tbl[funnel_tbl["offence"] == offences.TOTAL].assign(count=[1, 2], population=[3, 4])
    assert list(peers.funnel_force_table(ft)["force"]) == ["Gwent", "Kent"]
    tt = pd.DataFrame({"period_end": [dt.date(2003, 3, 31), dt.date(2024, 3, 31)]})
    assert peers.trend_sentence(tt, "Gwent", "31 March 2024").startswith(
        "Total recorded crime per 1,000 at each 12 months ending date from March 2003 to 31 March 2024: Gwent, its")


def test_yoy_paragraph_counts_significant_rows():
    yoy = pd.DataFrame({"offence": [offences.TOTAL, "Robbery"], "count": [1100, 50], "previous_count": [1000, 40],
                        "change": [100, 10], "change_pct": [10.0, 25.0], "judgement": ["significant rise", "no change"],
                        "p_value": [float("nan")] * 2})
    s = peers.yoy_paragraph(yoy, END)
    assert s.startswith("Change on the previous year: 1,100 crimes in the 12 months ending 31 March 2024 against "
                        "1,000 in the 12 months ending 31 March 2023 (+100, +10.0% in the count): significant rise.")
    assert "Over the 2 rows (total and offence groups), 1 are significant rises or falls" in s
    assert f"at least {peers.YOY_MIN_HISTORY} earlier changes" in peers.YOY_NOTE


def test_findings_ask_about_offences_significantly_above_the_peer_average_only():
    cmp = pd.DataFrame({"offence": ["Total recorded crime (excluding fraud)", "Burglary", "Robbery", "Theft"],
                        "rate_per_1000": [83.333, 6.12, 0.9, 20.0], "peer_average": [70.04, 4.0, 1.2, 20.1],
                        "p_value": [0.0124, 0.0004, 0.01, float("nan")],
                        "vs_peer_average": ["significantly above", "significantly above", "significantly below",
                                            peers.NOT_JUDGED]})
    f = peers.findings(cmp, "Gwent Police", "5 most similar forces", "31 March 2024")
    assert list(f.columns) == questions.FINDING_COLUMNS
    assert list(f["row_key"]) == ["offence=Total recorded crime (excluding fraud)", "offence=Burglary"]
    assert set(f["kind"]) == {"above_peers"} and list(f["measure"])[1] == "peers_burglary"
    assert f.iloc[1]["finding"] == ("Burglary: Gwent Police recorded 6.1 crimes per 1,000 residents in the 12 months "
                                    "ending 31 March 2024, against 4.0 for its peer group (5 most similar forces); "
                                    f"significantly above ({peers.PEER_TEST_SHORT}, p < 0.001).")
    q = questions.from_findings(f)
    assert list(q["id"]) == ["Q1", "Q2"] and q.iloc[0]["evidence"] == "peers.html#rates"


def test_measure_id_of_an_offence_group():
    assert peers.measure_id("Total recorded crime (excluding fraud)") == "peers_total_recorded_crime_excluding_fraud"
    assert peers.measure_id("Robbery") == "peers_robbery"
