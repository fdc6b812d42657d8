"""The benchmark's bookkeeping: step times read from the runner's log, and the plain-pandas path's results
checked on a hand-made input."""

from __future__ import annotations

import pandas as pd

from scrutiny.bench.plain import plain_pandas
from scrutiny.bench.run import Results, parse_steps, ratios

LOG = """[1/6] validating inputs against their contracts …
      Passed with 2 warning(s): see the data-quality page (33.5 s)
[2/6] preparing tables …
      ok (5.0 s)
[3/6] running notebook performance …
      ok (38.2 s)
[4/6] rendering HTML …
      ok (1.2 s)
"""


def test_parse_steps_reads_each_step_time():
    assert parse_steps(LOG) == {"validation": 33.5, "preparing tables": 5.0, "notebook performance": 38.2,
                                "rendering HTML": 1.2}


def test_parse_steps_is_not_misled_by_progress_lines():
    log = ("[1/5] validating inputs against their contracts …\n"
           "      police_uk_street: reading files: 23 of 36, 1,874,130 rows, 5 s\n"
           "      police_uk_street: 36 file(s), 3,035,610 rows checked in 12.7 s\n"
           "      Passed with 2 warning(s): see the data-quality page. (19.5 s)\n")
    assert parse_steps(log) == {"validation": 19.5}


def test_parse_steps_reads_notebooks_run_at_once():
    log = ("[3/5] running 2 notebook(s), 2 at a time …\n      notebook districts ok (11.3 s)\n"
           "      notebook performance ok (20.9 s)\n      ok (21.0 s)\n[4/5] rendering HTML …\n      ok (3.6 s)\n")
    assert parse_steps(log) == {"notebooks": 21.0, "notebook districts": 11.3, "notebook performance": 20.9,
                                "rendering HTML": 3.6}


def test_ratio_is_data_stage_over_plain_pandas_medians():
    r = Results()
    for v, p, s, w in [(10, 2, 6, 30), (12, 2, 4, 31), (11, 3, 5, 29)]:
        r.add("met", "validation", v)
        r.add("met", "preparing tables", p)
        r.add("met", "plain pandas", s)
        r.add("met", "whole pack", w)
    # medians: validation 11, preparing 2, plain 5, whole 30
    assert ratios(r) == {"met_data_stage_over_plain_pandas": 2.6, "met_whole_pack_over_plain_pandas": 6.0}
    r.add("met", "validation (cold)", 40)  # one run with an empty ingest cache: its own ratios beside
    r.add("met", "preparing tables (cold)", 3)
    r.add("met", "whole pack (cold)", 70)
    assert ratios(r) == {"met_data_stage_over_plain_pandas": 2.6, "met_whole_pack_over_plain_pandas": 6.0,
                         "met_data_stage_cold_over_plain_pandas": 8.6, "met_whole_pack_cold_over_plain_pandas": 14.0}


def test_plain_pandas_counts_and_first_outcome(tmp_path):
    street = pd.DataFrame({"Crime ID": ["a", "b", None, "c"], "Month": ["2024-01", "2024-01", "2024-01", "2024-02"],
                           "Crime type": ["Burglary", "Burglary", "Anti-social behaviour", "Burglary"]})
    outcomes = pd.DataFrame({"Crime ID": ["a", "a", "c"], "Month": ["2024-03", "2024-02", "2024-02"],
                             "Outcome type": ["Charged", "Under investigation", "No suspect"]})
    street.to_csv(tmp_path / "s.csv", index=False)
    outcomes.to_csv(tmp_path / "o.csv", index=False)
    r = plain_pandas([str(tmp_path / "s.csv")], [str(tmp_path / "o.csv")])
    # cells: (01, Burglary), (01, ASB), (02, Burglary); crimes a and c have an outcome, b none
    assert (r["street_rows"], r["outcome_rows"], r["monthly_cells"], r["crimes_with_outcome"]) == (4, 3, 3, 2)


def _params_missing_sample(tmp_path):
    """params/default.yaml with the charge decisions pointed at a sample file that was never written."""
    import yaml

    from scrutiny import paths

    p = yaml.safe_load((paths.REPO_ROOT / "params" / "default.yaml").read_text(encoding="utf-8"))
    p["inputs"]["charge_decisions"]["path"] = "data/sample/criminal_justice/never-written.csv.gz"
    out = tmp_path / "default.yaml"
    out.write_text(yaml.safe_dump(p, sort_keys=False), encoding="utf-8")
    return out


def test_missing_inputs_names_the_input_and_how_to_write_the_sample(tmp_path):
    from scrutiny.bench.run import missing_inputs

    missing = missing_inputs(_params_missing_sample(tmp_path))
    assert len(missing) == 1
    assert "charge_decisions" in missing[0] and "never-written.csv.gz" in missing[0]
    assert "scrutiny make-sample criminal_justice" in missing[0]


def test_bench_stops_before_any_timing_when_the_default_pack_cannot_run(tmp_path, monkeypatch, capsys):
    from scrutiny import cli
    from scrutiny.bench import run

    monkeypatch.setattr(run, "DEFAULT_PARAMS", _params_missing_sample(tmp_path))
    out = tmp_path / "bench"
    assert cli.main(["bench", "--cases", "met,default", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("scrutiny: error: the default pack (params/default.yaml) cannot run: ")
    assert "never-written.csv.gz" in err and "Traceback" not in err
    assert not out.exists()  # nothing generated, nothing timed, no bench.json
