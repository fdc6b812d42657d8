"""End to end: the peers pack from the real CLI on the shipped Home Office and ONS files, checked against
counts and populations read straight from those files."""

from __future__ import annotations

import csv
import gzip
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from conftest import REPO, RUN_DATE, run_cli
from scrutiny import contracts
from scrutiny.config.params import load as load_params

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("peers")]

HO = REPO / "data" / "raw" / "home_office" / "rec-crime-pfa.csv.gz"
POP = REPO / "data" / "reference" / "population_pfa.csv"
TOTAL = "Total recorded crime (excluding fraud)"


def raw_total(force: str, date: str = "31-12-2018") -> int:
    with gzip.open(HO, "rt", encoding="utf-8", newline="") as f:
        return sum(int(r["Rolling year total number of offences"]) for r in csv.DictReader(f)
                   if r["12 months ending"] == date and r["PFA"] == force and r["Offence"] != "Fraud offences")


def raw_population(name: str, year: int = 2018, edition: str = "mye2019") -> int:
    with open(POP, encoding="utf-8", newline="") as f:
        (row,) = [r for r in csv.DictReader(f) if r["pfa_name"] == name and r["year"] == str(year)
                  and r["edition"] == edition]
    return int(row["population"])


def _params(tmp_path, name="p.yaml", src="peers_example.yaml", **over):
    data = yaml.safe_load((REPO / "params" / src).read_text())
    for k, v in over.items():
        data[k] = {**data.get(k, {}), **v} if isinstance(v, dict) and isinstance(data.get(k), dict) else v
    f = tmp_path / name
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


@pytest.fixture(scope="module")
def warks(tmp_path_factory):
    d = tmp_path_factory.mktemp("peers")
    out = d / "pack"
    res = run_cli("run", REPO / "params" / "peers_example.yaml", "--out", out, "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def test_rate_equals_direct_count_over_population(warks):
    count, pop = raw_total("Warwickshire"), raw_population("Warwickshire")
    assert (count, pop) == (41304, 571010)
    r = pd.read_csv(warks / "tables" / "peers_rates.csv")
    assert list(r.columns) == ["period_end", "force", "offence", "count", "population", "rate_per_1000",
                               "ci_low", "ci_high"]
    row = r[(r["force"] == "Warwickshire") & (r["offence"] == TOTAL)].iloc[0]
    assert row["period_end"] == "2018-12-31"
    assert row["count"] == count and row["population"] == pop
    assert row["rate_per_1000"] == pytest.approx(count / pop * 1000, rel=1e-5)  # 72.335
    assert row["ci_low"] == pytest.approx(stats.chi2.ppf(0.025, 2 * count) / 2 / pop * 1000, rel=1e-5)
    assert row["ci_high"] == pytest.approx(stats.chi2.ppf(0.975, 2 * count + 2) / 2 / pop * 1000, rel=1e-5)
    # Devon and Cornwall: Home Office and ONS spell the name differently
    dc = r[(r["force"] == "Devon and Cornwall") & (r["offence"] == TOTAL)].iloc[0]
    assert dc["count"] == raw_total("Devon and Cornwall") == 106616
    assert dc["population"] == raw_population("Devon & Cornwall")
    # City of London and BTP are not compared per resident; 42 forces x (total + 9 groups)
    assert "City of London" not in set(r["force"]) and "British Transport Police" not in set(r["force"])
    assert r["force"].nunique() == 42 and len(r) == 420


def test_comparison_and_peer_average(warks):
    nbrs = pd.read_csv(warks / "tables" / "peers_neighbours.csv")
    group = list(nbrs["force"])[1:]
    assert len(group) == 7 and nbrs["force"].iloc[0] == "Warwickshire"
    r = pd.read_csv(warks / "tables" / "peers_rates.csv").query("offence == @TOTAL").set_index("force")
    c = pd.read_csv(warks / "tables" / "peers_comparison.csv").set_index("offence").loc[TOTAL]
    assert c["peer_average"] == pytest.approx(1000 * r.loc[group, "count"].sum() / r.loc[group, "population"].sum())
    both = group + ["Warwickshire"]
    assert c["peer_average_incl_force"] == pytest.approx(
        1000 * r.loc[both, "count"].sum() / r.loc[both, "population"].sum())
    # England and Wales: all 43 territorial forces (City of London included), BTP and fraud bodies not
    with gzip.open(HO, "rt", encoding="utf-8", newline="") as f:
        rows = [x for x in csv.DictReader(f) if x["12 months ending"] == "31-12-2018"
                and x["Offence"] != "Fraud offences"
                and x["PFA"] not in ("British Transport Police", "Action Fraud", "CIFAS", "UK Finance")]
    ew_count = sum(int(x["Rolling year total number of offences"]) for x in rows)
    assert c["england_wales"] == pytest.approx(1000 * ew_count / 59_115_809)
    assert c["rank_national"] == (r["rate_per_1000"] > c["rate_per_1000"]).sum() + 1


def test_pages_label_the_group_and_sources(warks):
    html = (warks / "peers.html").read_text()
    assert "statistical neighbours (not the Home Office MSG)" in html
    assert "mye2019" in html and "mid-2018" in html
    assert "City of London" in html and "British Transport Police" in html
    assert "99.8%" in html and "overdispersed" in html
    summary = pd.read_csv(warks / "tables" / "summary.csv")
    tot = summary[summary["topic"] == f"Peers: {TOTAL}"].iloc[0]
    assert bool(tot["shown"]) and "72.3 per 1,000" in tot["data"]
    index = (warks / "index.html").read_text()
    assert "72.3 per 1,000" in index and "December 2018" in index
    prov = json.loads((warks / "provenance.json").read_text())
    assert {i["dataset"] for i in prov["inputs"]} == {"ho_prc_pfa", "ons_population_pfa"}
    ho = [i for i in prov["inputs"] if i["dataset"] == "ho_prc_pfa"][0]
    assert ho["rows"] == 46469
    assert ho["files"][0]["sha256"] == "f092a01d1e03d642f7d69222ffab3445696d9c03f62e52dc94cc62efa51f95b0"
    val = json.loads((warks / "validation.json").read_text())
    warned = {o["column"] for i in val["inputs"] for o in i["outcomes"] if not o["success"]}
    assert warned == {"12 months ending", "count"}  # 30-12-2017 and the 25 published negative adjustments


def test_funnel_table_and_overdispersion(warks):
    f = pd.read_csv(warks / "tables" / "peers_funnel.csv")
    od = pd.read_csv(warks / "tables" / "peers_overdispersion.csv").set_index("offence")
    t = f[f["offence"] == TOTAL]
    assert len(t) == 42
    assert bool(od.loc[TOTAL, "overdispersion_adjusted"]) and od.loc[TOTAL, "tau2"] > 0
    assert ((t["rate"] > t["upper_998"]) == (t["position"] == "above 99.8%")).all()


def test_official_msg_file_is_used_and_cited(tmp_path):
    msg = tmp_path / "msg.csv"
    msg.write_text("force,peer,source,as_of\n" + "".join(
        f"Warwickshire,{p},Test list (not real),2021-01-01\n" for p in ["West Mercia", "Wiltshire", "Suffolk"]))
    params = _params(tmp_path, peers={"msg_file": str(msg)}, pack={"id": "msgtest"})
    res = run_cli("run", params, "--out", tmp_path / "pack", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "pack" / "peers.html").read_text()
    assert "most similar group (official list supplied)" in html
    assert "Test list (not real)" in html and "2021-01-01" in html and "msg.csv" in html
    assert "statistical neighbours (not the Home Office MSG)" not in html  # the group label; the caveat log may still mention them
    c = pd.read_csv(tmp_path / "pack" / "tables" / "peers_comparison.csv").set_index("offence").loc[TOTAL]
    assert c["group_size"] == 4
    prov = json.loads((tmp_path / "pack" / "provenance.json").read_text())
    assert any(x["path"].endswith("msg.csv") and len(x["sha256"]) == 64 for x in prov["code"])


def _ho_variant(tmp_path, edit) -> str:
    with gzip.open(HO, "rt", encoding="utf-8", newline="") as f:
        lines = f.read().split("\r\n")
    lines = edit(lines)
    out = tmp_path / "rec-crime-pfa.csv.gz"
    with gzip.open(out, "wt", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(lines))
    return str(out)


@pytest.mark.parametrize("edit,expect", [
    (lambda ls: [x for x in ls if not x.startswith("31-12-2018,Gwent,")], "all 43 territorial forces"),
    (lambda ls: ls + [ls[1]], "one row per quarter end, area and offence"),
    (lambda ls: [ls[0]] + [x.replace(",Bicycle theft,", ",Bike theft,") for x in ls[1:]], "25 published offence"),
    (lambda ls: [x for x in ls if not x.startswith("31-12-2018,")], "reporting month"),
])
def test_contract_rejects_bad_home_office_file(tmp_path, edit, expect):
    path = _ho_variant(tmp_path, edit)
    params = _params(tmp_path, inputs={"ho_prc_pfa": {"path": path},
                                       "ons_population_pfa": {"path": str(POP)}})
    rep = contracts.validate(load_params(params))
    assert not rep.ok
    assert expect in rep.error_message()


def test_contract_rejects_population_gap(tmp_path):
    text = POP.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "population_pfa.csv"
    bad.write_text("".join(x for x in text if not x.startswith("2018,W15000002,")), encoding="utf-8")
    params = _params(tmp_path, inputs={"ho_prc_pfa": {"path": str(HO)}, "ons_population_pfa": {"path": str(bad)}})
    rep = contracts.validate(load_params(params))
    assert not rep.ok
    msg = rep.error_message()
    assert "every year of an edition must cover all 43" in msg and "ons_population_pfa" in msg


def test_one_verdict_against_the_peer_average_uses_the_funnel_tau2(warks):
    c = pd.read_csv(warks / "tables" / "peers_comparison.csv").set_index("offence")
    od = pd.read_csv(warks / "tables" / "peers_overdispersion.csv").set_index("offence")
    summary = pd.read_csv(warks / "tables" / "summary.csv").set_index("topic")
    rates = pd.read_csv(warks / "tables" / "peers_rates.csv")
    group = list(pd.read_csv(warks / "tables" / "peers_neighbours.csv")["force"])[1:]
    for off, r in c.iterrows():
        assert r["tau2"] == pytest.approx(od.loc[off, "tau2"])
        e = r["peer_average"] * r["population"] / 1000
        pr = rates[(rates["offence"] == off) & rates["force"].isin(group)]
        w = pr["population"] / pr["population"].sum()
        v = od.loc[off, "tau2"] * (w ** 2).sum() + 1 / pr["count"].sum()  # the peer average's own variance
        z = np.log(r["count"] / e) / np.sqrt(1 / e + od.loc[off, "tau2"] + v)
        assert r["z"] == pytest.approx(z, rel=1e-5, abs=1e-5)  # the CSV keeps 6 significant digits
        want = ("significantly above" if z >= 1.959964 else "significantly below" if z <= -1.959964
                else "not significantly different from")
        assert r["vs_peer_average"] == want
        assert summary.loc[f"Peers: {off}", "commentary"].startswith(want.capitalize() + " the peer average")
    html = (warks / "peers.html").read_text()
    assert "z-test with between-force variance τ², as the funnel" in html
    assert "chance alone would flag about 0.5 of them" in html


def test_year_on_year_tests_the_counts_it_quotes(warks):
    def dec(year):  # the published file dates December 2017 as 30-12-2017 (the contract warns; ingest reads it)
        return raw_total("Warwickshire", "30-12-2017" if year == 2017 else f"31-12-{year}")

    y = pd.read_csv(warks / "tables" / "peers_change.csv").set_index("offence").loc[TOTAL]
    assert y["count"] == dec(2018) and y["previous_count"] == dec(2017)
    zs = [(dec(t) - dec(t - 1)) / np.sqrt(dec(t) + dec(t - 1)) for t in range(2008, 2018)]
    phi = max(1.0, float(np.mean(np.square(zs))))
    assert y["phi"] == pytest.approx(phi, rel=1e-5) and y["phi_changes"] == 10
    x1, x0 = y["count"], y["previous_count"]
    assert y["z"] == pytest.approx((x1 - x0) / np.sqrt(phi * (x1 + x0)), rel=1e-5)
    html = (warks / "peers.html").read_text()
    assert f"{y['change_pct']:+.1f}% in the count" in html and "quasi-Poisson z-test on the counts" in html
