import pytest

from conftest import GWENT, write_params
from scrutiny.config import params, sections
from scrutiny.config.sections import SECTIONS, Section

STREET = {"police_uk_street": {"path": str(GWENT / "*-street.csv.gz")}}


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
                      "inputs": STREET, "notebooks": ["performance"]})
    assert (p.audit.tolerance.relative, p.audit.tolerance.points) == (0.05, 1.0)
    import pytest

    with pytest.raises(params.ParamsError, match="audit.tolerance.relatve"):
        params.parse({"pack": {"id": "a", "title": "t", "force": "f"}, "period": {"start": "2024-01", "end": "2024-02"},
                      "inputs": STREET, "notebooks": ["performance"], "audit": {"tolerance": {"relatve": 0.1}}})


def test_every_notebook_is_a_section_and_every_section_input_a_dataset():
    from scrutiny.inputs.registry import DATASETS

    notebooks = {p.stem for p in (params.paths.REPO_ROOT / "notebooks").glob("*.py")}
    assert set(SECTIONS) <= notebooks
    for name in notebooks - set(SECTIONS):  # an analyst's notebook (scrutiny new-notebook) is a section too
        assert sections.analyst_section(name) is not None, name
    for name, s in SECTIONS.items():
        assert s.notebook == name and s.required
        assert set(s.inputs) <= set(DATASETS), name


def test_section_titles_are_the_notebook_titles():
    import jupytext

    from scrutiny.report import views

    for name, s in SECTIONS.items():
        nb = jupytext.read(params.paths.REPO_ROOT / "notebooks" / f"{name}.py")
        assert views.notebook_title(nb) == s.title


def test_section_missing_inputs():
    s = Section("x", "X", required=("a", "b"), optional=("c",))
    assert s.missing({"b": 1, "c": 1}) == ["a"]
    assert s.missing(["a", "b"]) == []
    assert s.inputs == ("a", "b", "c")


@pytest.mark.parametrize("notebooks, inputs, missing", [
    (["performance"], {}, "notebook 'performance' needs input(s) ['police_uk_street']"),
    (["performance", "stop_search"], STREET, "notebook 'stop_search' needs input(s) ['police_uk_stop_search']"),
    (["outcomes"], STREET, "notebook 'outcomes' needs input(s) ['police_uk_outcomes']"),
    (["audit"], STREET, "notebook 'audit' needs input(s) ['published_figures', 'published_relations']"),
])
def test_section_without_its_required_input_is_refused(tmp_path, notebooks, inputs, missing):
    f = write_params(tmp_path / "p.yaml", notebooks=notebooks, inputs=inputs or None)  # None: no inputs key
    with pytest.raises(params.ParamsError) as err:
        params.load(f)
    assert missing in str(err.value)


def test_optional_inputs_are_not_required(tmp_path):
    """audit reads the street input when given, and runs without it."""
    figs = {"published_figures": {"path": "f.csv"}, "published_relations": {"path": "r.csv"}}
    p = params.load(write_params(tmp_path / "p.yaml", notebooks=["audit"], inputs=figs))
    assert p.notebooks == ["audit"]


def test_validate_command_names_the_missing_input(tmp_path, capsys):
    from scrutiny import cli

    f = write_params(tmp_path / "p.yaml", notebooks=["stop_search"])
    assert cli.main(["validate", str(f)]) == 1
    err = capsys.readouterr().err
    assert "p.yaml" in err and "police_uk_stop_search" in err
