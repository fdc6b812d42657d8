"""Calibration on seeded data where nothing changes: about 5% of rolling 12-month tests significant, no breaks;
a x3 step injected in one crime type is found within a month of where it starts."""

import pandas as pd
import pytest

from conftest import RUN_DATE, run_cli, write_params
from scrutiny import paths
from scrutiny.analyses import measures, performance
from scrutiny.reference import months
from scrutiny.synthetic import street

PERIOD = ("2022-07", "2025-06")
CAT = measures.load_catalogue(paths.REPO_ROOT / "params" / "measures" / "police_uk.yaml")


def _summary(counts):
    mon = measures.monthly(counts, CAT, PERIOD, 0.01)
    found = performance.find_breaks(mon, CAT)
    return found, performance.summarise(performance.spc_table(mon, CAT, 24, "mdc_7pt", found), CAT)


def test_null_data_about_five_percent_significant_and_no_breaks():
    tested = flagged = 0
    for seed in range(10):
        found, s = _summary(street.monthly_counts(seed, PERIOD, overdispersion=40))
        assert found[found["area"] == "force"].empty, (seed, found)
        f = s[s["area"] == "force"]
        tested += int(f["r12_pvalue"].notna().sum())
        flagged += int(f["r12_significant"].fillna(False).astype(bool).sum())
    assert tested == 160
    # 40 seeds (640 tests) gave 19 (3.0%); an exact Poisson test on the same data calls about a third significant
    assert 0.005 <= flagged / tested <= 0.10, flagged


def test_poisson_test_would_not_be_calibrated():
    """The reason for the quasi-Poisson test: on the same null data the exact Poisson test flags far more."""
    from scrutiny.stats import rates

    flagged = tested = 0
    for seed in range(5):
        mon = measures.monthly(street.monthly_counts(seed, PERIOD), CAT, PERIOD, 0.01)
        for _, g in mon[mon["area"] == "force"].groupby("measure"):
            v = g.sort_values("month")["value"].to_numpy()
            tested += 1
            flagged += rates.poisson_2indep(int(v[-12:].sum()), int(v[-24:-12].sum())).pvalue < 0.05
    assert flagged / tested > 0.2


@pytest.mark.parametrize("seed,crime_type,month", [(101, "Burglary", "2023-10"), (102, "Vehicle crime", "2024-05"),
                                                   (103, "Criminal damage and arson", "2022-11")])
def test_x3_step_found_within_a_month(seed, crime_type, month):
    found, s = _summary(street.monthly_counts(seed, PERIOD, step=(crime_type, month, 3.0)))
    mid = next(m.id for m in CAT.measures if list(m.crime_types) == [crime_type])
    f = found[(found["measure"] == mid) & (found["area"] == "force")]
    assert len(f) == 1
    assert abs(months.to_index(f["month"].iloc[0]) - months.to_index(month)) <= 1
    row = s[(s["measure"] == mid) & (s["area"] == "force")].iloc[0]
    if months.to_index(month) > months.to_index(PERIOD[1]) - 24:  # the 24 months compared straddle the step
        assert row["r12_break"] == f["month"].iloc[0] and pd.isna(row["r12_pvalue"])
    assert not found[found["area"] == "force"]["measure"].isin(["robbery", "drugs", "shoplifting"]).any()


@pytest.mark.e2e
def test_pack_on_simulated_files(tmp_path):
    """The whole pack on police.uk-shaped files with no change and repeated rows: no break, counts recount."""
    counts = street.monthly_counts(7, ("2023-07", "2025-06"), mean=800, overdispersion=10)
    files = street.write_street_files(counts, tmp_path / "data", seed=7)
    params = write_params(tmp_path / "p.yaml", pack={"id": "sim", "title": "Simulated", "force": street.FORCE},
                          period={"start": "2023-07", "end": "2025-06"},
                          inputs={"police_uk_street": {"path": str(tmp_path / "data" / "*-street.csv.gz")}})
    res = run_cli("run", params, "--out", tmp_path / "pack", "--run-date", RUN_DATE)
    assert res.returncode == 0, res.stderr
    brk = pd.read_csv(tmp_path / "pack" / "tables" / "performance_breaks.csv")
    assert brk[brk["area"] == "force"].empty
    mon = pd.read_csv(tmp_path / "pack" / "tables" / "performance_monthly.csv")
    f = mon[(mon["measure"] == "all_crime") & (mon["area"] == "force")].set_index("month")["value"]
    want = counts[counts["crime_type"] != "Anti-social behaviour"].groupby("month")["n"].sum()
    assert (f == want).all()
    assert len(files) == 24
