"""The police.uk peer comparison's library: crime types to offence groups, which forces can be compared, 12-month
totals with populations, the monthly trend, and nothing judged with too few forces. Every number is worked by
hand from the small frames here."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO
from scrutiny.analyses import peers
from scrutiny.analyses import peers_police_uk as pu
from scrutiny.config import params
from scrutiny.reference import offences, police_uk


def test_every_police_uk_crime_type_has_a_group_and_asb_is_outside():
    assert set(offences.POLICE_UK_GROUP) == set(police_uk.CRIME_TYPES)
    assert offences.POLICE_UK_GROUP["Anti-social behaviour"] is None
    assert offences.POLICE_UK_GROUP["Burglary"] == offences.POLICE_UK_GROUP["Shoplifting"] == "Theft offences"
    assert len(offences.POLICE_UK_GROUPS) == 8


def test_force_names_from_falls_within_or_the_file_name():
    assert pu.pfa_of("Gwent Police") == "Gwent"
    assert pu.pfa_of("Metropolitan Police Service") == "Metropolitan Police"
    assert pu.pfa_of("Devon & Cornwall Police") == "Devon and Cornwall"
    assert pu.pfa_of(None, "devon-and-cornwall") == "Devon and Cornwall"
    assert pu.pfa_of("British Transport Police", "btp") is None
    assert pu.pfa_of("Police Service of Northern Ireland", "northern-ireland") is None
    assert police_uk.file_force("2024-01-devon-and-cornwall-street.csv.gz") == "devon-and-cornwall"
    assert police_uk.file_force("data/2024-01-gwent-street.csv") == "gwent"
    assert police_uk.file_force("2024-01-gwent-outcomes.csv.gz") is None


def _prepared(rows):
    d = pd.DataFrame(rows, columns=["file_force", "month", "falls_within", "crime_type", "crimes"])
    return d.assign(source_file=d["month"] + "-" + d["file_force"] + "-street.csv.gz")


def test_monthly_groups_counts_fills_zero_and_leaves_out_asb():
    mon = pu.monthly(_prepared([
        ("gwent", "2024-01", "Gwent Police", "Burglary", 5),
        ("gwent", "2024-01", "Gwent Police", "Shoplifting", 7),
        ("gwent", "2024-01", "Gwent Police", "Robbery", 2),
        ("gwent", "2024-01", "Gwent Police", "Anti-social behaviour", 100),
        ("btp", "2024-01", "British Transport Police", "Robbery", 3),
    ]))
    g = mon[mon["force"] == "Gwent"].set_index("offence")["count"]
    assert g[offences.POLICE_UK_TOTAL] == 14  # 5 + 7 + 2; the 100 ASB incidents are not crimes
    assert g["Theft offences"] == 12 and g["Robbery"] == 2
    assert g["Drug offences"] == 0  # a group with no crimes that month is 0, not missing
    assert len(g) == 1 + len(offences.POLICE_UK_GROUPS)
    btp = mon[mon["written"] == "British Transport Police"]
    assert btp["force"].isna().all() and int(btp.loc[btp["offence"] == offences.POLICE_UK_TOTAL, "count"].iloc[0]) == 3


def test_one_forces_month_from_two_files_is_refused():
    # a file named for Kent that holds Gwent's rows: Gwent's March would be counted twice
    with pytest.raises(ValueError, match=r"Gwent Police's rows for 2024-03 come from more than one file "
                                         r"\(2024-03-gwent-street.csv.gz, 2024-03-kent-street.csv.gz\)"):
        pu.monthly(_prepared([("gwent", "2024-03", "Gwent Police", "Robbery", 2),
                              ("kent", "2024-03", "Gwent Police", "Robbery", 2)]))


def _months(first: str, n: int) -> list[str]:
    from scrutiny.reference import months

    return months.span(first, months.shift(first, n - 1))


def _mon(counts: dict[str, list[int]], first: str = "2024-01") -> pd.DataFrame:
    """force -> monthly totals (all 'Robbery'), one file per month from `first`; None = no file that month."""
    rows = []
    for force, series in counts.items():
        for m, c in zip(_months(first, len(series)), series):
            if c is not None:
                rows.append((force.lower(), m, f"{force} Police", "Robbery", c))
    return pu.monthly(_prepared(rows))


def test_coverage_names_missing_months_implausible_months_and_other_forces():
    mon = _mon({"Gwent": [100] * 12, "Kent": [100] * 9 + [None] * 3, "Dorset": [100] * 5 + [30] + [100] * 6,
                "City of London": [60] * 12, "British Transport": [80] * 12})
    full = pu.coverage(mon, pd.Timestamp("2024-12-31"))
    cov = full.set_index("force")
    assert cov.loc["Gwent", "status"] == "compared" and cov.loc["Gwent", "crimes"] == 1200
    assert cov.loc["Kent", "status"] == ("left out: no file for 3 of the 12 months (October 2024, November 2024, "
                                         "December 2024)")
    # 30 against a neighbourhood median of 100: below half, a file cut short
    assert cov.loc["Dorset", "status"] == "left out: implausible monthly count in June 2024 (0.30 × its neighbouring months)"
    assert cov.loc["City of London", "status"].startswith("all-forces rate only")
    assert cov.loc["British Transport Police", "status"].startswith("left out: not a territorial")
    assert cov.loc["Essex", "status"] == "left out: no files for these 12 months"
    assert len(cov) == 44  # the 43 territorial forces and BTP
    note = pu.definitions_note(full)
    assert "1 force is compared" in note and "39 forces with no file" in note and "Kent (no file for 3" in note
    shown = pu.coverage_table(full)
    assert list(shown["force"]) == ["British Transport Police", "City of London", "Dorset", "Kent"]


def test_forces_compared_and_counted_and_a_force_that_cannot_be():
    mon = _mon({"Gwent": [100] * 12, "Kent": [100] * 11 + [None], "City of London": [60] * 12})
    cov = pu.coverage(mon, pd.Timestamp("2024-12-31"))
    assert pu.forces_compared(cov, "Gwent") == (["Gwent"], ["City of London", "Gwent"])
    with pytest.raises(ValueError, match=r"Kent cannot be compared on these files: left out: no file for 1 of the "
                                         r"12 months \(December 2024\)"):
        pu.forces_compared(cov, "Kent")


def test_small_months_are_not_volume_judged():
    # a force this small moves by chance: below MIN_MONTH_CRIMES nothing is implausible
    mon = _mon({"Gwent": [10] * 5 + [2] + [10] * 6})
    assert pu.coverage(mon, pd.Timestamp("2024-12-31")).set_index("force").loc["Gwent", "status"] == "compared"


def _pop():
    rows = []
    for year in (2021, 2022, 2023):
        rows += [{"year": year, "pfa_name": "Gwent", "population": 600_000 + year, "edition": "mye2023"},
                 {"year": year, "pfa_name": "Kent", "population": 1_900_000 + year, "edition": "mye2023"},
                 {"year": year, "pfa_name": "London, City of", "population": 9_000, "edition": "mye2023"}]
    return pd.DataFrame(rows)


def test_rolling_long_sums_each_complete_12_months_with_the_population_of_its_mid_year():
    gw = list(range(1, 15))  # January 2023 .. February 2024: 1, 2, ..., 14
    mon = _mon({"Gwent": gw, "Kent": [10] * 13 + [None]}, first="2023-01")
    long = pu.rolling_long(mon, _pop(), "mye2023", ["Gwent", "Kent"], pd.Timestamp("2024-02-29"))
    tot = long[long["offence"] == offences.POLICE_UK_TOTAL].set_index(["period_end", "force"])
    assert tot.loc[(pd.Timestamp("2023-12-31"), "Gwent"), "count"] == sum(range(1, 13))  # 78
    assert tot.loc[(pd.Timestamp("2024-01-31"), "Gwent"), "count"] == sum(range(2, 14))  # 90
    assert tot.loc[(pd.Timestamp("2024-02-29"), "Gwent"), "count"] == sum(range(3, 15))  # 102
    assert (pd.Timestamp("2024-02-29"), "Kent") not in tot.index  # Kent has no February 2024 file
    assert tot.loc[(pd.Timestamp("2024-01-31"), "Kent"), "count"] == 120
    # year ending December 2023 holds mid-2023; year ending January 2024 holds mid-2023 too
    assert tot.loc[(pd.Timestamp("2023-12-31"), "Gwent"), "population"] == 602_023
    assert set(long["population_year"]) == {2023}


def test_population_falls_back_to_the_latest_year_but_not_far():
    p, used = pu.population(_pop(), "mye2023", 2025)
    assert used == 2023 and p["Gwent"] == 602_023 and p["City of London"] == 9_000
    with pytest.raises(ValueError, match="no population estimate for mid-2026 or the 2 years before"):
        pu.population(_pop(), "mye2023", 2026)


def test_monthly_trend_leaves_out_a_month_a_compared_force_lacks():
    mon = _mon({"Gwent": [60, 120, 60], "Kent": [190, None, 380]}, first="2023-01")
    t = pu.monthly_trend(mon, _pop(), "mye2023", "Gwent", ["Kent"], ["Gwent", "Kent"], pd.Timestamp("2023-03-31"))
    assert list(t["period_end"]) == [pd.Timestamp("2023-01-31"), pd.Timestamp("2023-03-31")]
    first = t.iloc[0]
    assert first["force"] == pytest.approx(1000 * 60 / 602_023)
    assert first["peer_average"] == pytest.approx(1000 * 190 / 1_902_023)
    assert first["england_wales"] == pytest.approx(1000 * 250 / (602_023 + 1_902_023))


def test_window_years_counts_the_yearly_periods_every_force_has():
    mon = _mon({"Gwent": [10] * 36, "Kent": [10] * 24 + [None] * 12}, first="2022-01")
    pop = pd.concat([_pop(), _pop().assign(year=lambda d: d["year"] - 3)])
    long = pu.rolling_long(mon, pop, "mye2023", ["Gwent", "Kent"], pd.Timestamp("2024-12-31"))
    assert pu.window_years(long, pd.Timestamp("2024-12-31"), ["Gwent"]) == 3
    assert pu.window_years(long, pd.Timestamp("2024-12-31"), ["Gwent", "Kent"]) == 0
    assert pu.window_years(long, pd.Timestamp("2023-12-31"), ["Gwent", "Kent"]) == 2


def _at(n_forces: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    names = peers.comparable_forces()[:n_forces]
    pop = rng.integers(500_000, 2_000_000, n_forces)
    return pd.DataFrame({"force": names, "offence": offences.POLICE_UK_TOTAL, "population": pop,
                         "count": (pop * 0.08).astype(int), "period_end": pd.Timestamp("2024-12-31")})


def test_too_few_forces_judge_nothing():
    at = _at(3)
    names = list(at["force"])
    ft, od = peers.funnels_by_offence(at, at, [offences.POLICE_UK_TOTAL], judged=False)
    assert set(ft["position"]) == {"not judged"} and ft["upper_998"].isna().all()
    assert od["tau2"].isna().all() and not od["overdispersion_adjusted"].any()
    cmp = peers.compare(at, names[0], names[1:], dict(zip(od["offence"], od["tau2"])), all_forces=names,
                        comparable=names, judged=False)
    r = cmp.iloc[0]
    assert r["vs_peer_average"] == peers.NOT_JUDGED and np.isnan(r["p_value"]) and np.isnan(r["tau2"])
    assert r["forces_ranked"] == 3 and r["group_size"] == 3
    assert peers.peer_sentence(r, names[0]).endswith("is not judged against the peer average (too few forces to "
                                                     "estimate τ²)")
    rates_t, ranks_t = peers.comparison_tables(cmp, "all forces compared", judged=False)
    assert list(rates_t.columns) == ["offence", "count", "population", "rate", "95% low", "95% high",
                                     "peer avg (excl. force)", "all forces compared", "against peer average"]
    assert "p" not in ranks_t.columns and len(ranks_t.columns) == 6
    assert len(peers.comparison_tables(cmp)[1].columns) == 9  # judged: τ², z and p beside the ranks
    assert "No force is placed inside or outside the limits" in peers.funnel_paragraph(
        peers.funnel_out(ft, pd.Timestamp("2024-12-31")), od.iloc[0], "31 December 2024")


def _pu_params(tmp_path, drop_input=None, **over):
    data = yaml.safe_load((REPO / "params" / "peers_police_uk_example.yaml").read_text())
    data["inputs"].pop(drop_input, None)
    for k, v in over.items():
        data[k] = {**data.get(k, {}), **v} if isinstance(v, dict) and isinstance(data.get(k), dict) else v
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


def test_police_uk_peers_params(tmp_path):
    p = params.load(REPO / "params" / "peers_police_uk_example.yaml")
    assert p.peers.source == "police_uk" and p.peers.period_end == dt.date(2024, 12, 31)
    assert (p.period.start, p.period.end) == ("2024-01", "2024-12")
    # inputs.police_uk_street of a police.uk peers pack is every force's street files: read under that contract
    assert set(p.inputs) == {"police_uk_street_forces", "ons_population_pfa"}
    assert p.peers_force() == "Gwent"
    # any month end, not only a quarter end
    assert params.load(_pu_params(tmp_path, peers={"period_end": "2024-11-30"})).period.end == "2024-11"
    with pytest.raises(params.ParamsError, match="last day of a month"):
        params.load(_pu_params(tmp_path, peers={"period_end": "2024-11-29"}))
    with pytest.raises(params.ParamsError, match="runs the peers notebook only"):
        params.load(_pu_params(tmp_path, notebooks=["peers", "performance"]))
    with pytest.raises(params.ParamsError, match="needs input 'police_uk_street_forces'"):
        params.load(_pu_params(tmp_path, drop_input="police_uk_street"))
    # the Home Office source still wants a quarter end
    with pytest.raises(params.ParamsError, match="last day of a quarter"):
        params.load(_pu_params(tmp_path, peers={"source": "home_office", "period_end": "2024-11-30"}))


def test_peer_verdict_is_calibrated_when_forces_differ_only_by_chance_and_between_force_spread():
    """Forces whose true rates differ by a log-normal spread (sd 0.15, τ² = 0.0225) and Poisson noise, nothing
    special about the force: the peer verdict, with τ² estimated by the funnel over the 40 forces as the pack does,
    should call about 5% significant; with τ² set to 0 (a Poisson test) far more."""
    rng = np.random.default_rng(11)
    names = peers.comparable_forces()[:40]
    flagged = poisson_flagged = 0
    reps = 300
    for _ in range(reps):
        pop = rng.integers(400_000, 3_000_000, len(names))
        rate = 80 / 1000 * np.exp(rng.normal(0, 0.15, len(names)))
        at = pd.DataFrame({"force": names, "offence": offences.POLICE_UK_TOTAL, "population": pop,
                           "count": rng.poisson(rate * pop), "period_end": pd.Timestamp("2024-12-31")})
        _, od = peers.funnels_by_offence(at, at, [offences.POLICE_UK_TOTAL])
        group = names[1:8]
        r = peers.compare(at, names[0], group, dict(zip(od["offence"], od["tau2"])), all_forces=names,
                          comparable=names).iloc[0]
        flagged += r["vs_peer_average"] != "not significantly different from"
        r0 = peers.compare(at, names[0], group, {offences.POLICE_UK_TOTAL: 0.0}, all_forces=names,
                           comparable=names).iloc[0]
        poisson_flagged += r0["vs_peer_average"] != "not significantly different from"
    assert 0.01 <= flagged / reps <= 0.10, flagged / reps
    assert poisson_flagged / reps > 0.5, poisson_flagged / reps
