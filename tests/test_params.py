import pytest

from scrutiny import params
from conftest import write_params


def test_default_params_are_valid():
    p = params.load(params.paths.REPO_ROOT / "params" / "default.yaml")
    assert p.pack.id == "default"
    assert p.period.start == "2022-07" and p.period.end == "2025-06"


def test_unknown_key_is_an_error(tmp_path):
    f = write_params(tmp_path / "p.yaml", pack={"idd": "x"})
    with pytest.raises(params.ParamsError, match=r"pack.idd: unknown key"):
        params.load(f)


def test_unknown_top_level_key(tmp_path):
    f = write_params(tmp_path / "p.yaml", colour="blue")
    with pytest.raises(params.ParamsError, match=r"colour: unknown key"):
        params.load(f)


def test_period_end_before_start(tmp_path):
    f = write_params(tmp_path / "p.yaml", period={"start": "2025-06", "end": "2024-06"})
    with pytest.raises(params.ParamsError, match="before start"):
        params.load(f)


def test_bad_month_format(tmp_path):
    f = write_params(tmp_path / "p.yaml", period={"start": "2024/06", "end": "2025-06"})
    with pytest.raises(params.ParamsError, match="period.start.*YYYY-MM"):
        params.load(f)


def test_wrong_type(tmp_path):
    f = write_params(tmp_path / "p.yaml", spc={"baseline_months": "lots"})
    with pytest.raises(params.ParamsError, match="spc.baseline_months"):
        params.load(f)


def test_unknown_rule_set(tmp_path):
    f = write_params(tmp_path / "p.yaml", spc={"rules": "nelson"})
    with pytest.raises(params.ParamsError, match="spc.rules"):
        params.load(f)


def test_unknown_notebook_and_dataset(tmp_path):
    f = write_params(tmp_path / "p.yaml", notebooks=["performanse"])
    with pytest.raises(params.ParamsError, match="unknown notebook"):
        params.load(f)
    f = write_params(tmp_path / "p.yaml", inputs={"police_uk_streets": {"path": "x"}})
    with pytest.raises(params.ParamsError, match="unknown input dataset"):
        params.load(f)


def test_python_object_tag_refused(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("pack: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(params.ParamsError, match="not valid YAML"):
        params.load(f)


def test_relative_paths_resolve_against_repo_root():
    assert params.paths.resolve("data/raw") == params.paths.REPO_ROOT / "data" / "raw"
    assert str(params.paths.resolve("/tmp/x")) == "/tmp/x"


def test_audit_tolerance_defaults_and_unknown_keys(tmp_path):
    p = params.parse({"pack": {"id": "a", "title": "t", "force": "f"}, "period": {"start": "2024-01", "end": "2024-02"},
                      "inputs": {}, "notebooks": ["performance"]})
    assert (p.audit.tolerance.relative, p.audit.tolerance.points) == (0.05, 1.0)
    import pytest

    with pytest.raises(params.ParamsError, match="audit.tolerance.relatve"):
        params.parse({"pack": {"id": "a", "title": "t", "force": "f"}, "period": {"start": "2024-01", "end": "2024-02"},
                      "inputs": {}, "notebooks": ["performance"], "audit": {"tolerance": {"relatve": 0.1}}})
