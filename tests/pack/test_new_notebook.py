"""`scrutiny new-notebook`: an analyst's section from the template, accepted by the params check with no edit to
the library, and rendered into the pack."""

from __future__ import annotations

import os

import jupytext
import pytest

from conftest import REPO, RUN_DATE, run_cli, write_params
from scrutiny import cli
from scrutiny.config import params, sections
from scrutiny.pack import scaffold
from scrutiny.report import views


def test_template_notebook_shape(tmp_path):
    path = scaffold.new_notebook("knife_crime", tmp_path)
    assert path == tmp_path / "knife_crime.py"
    nb = jupytext.read(path)
    assert views.notebook_title(nb) == "Knife crime"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'params_file = "../outputs/.prepared/default/params.yaml"' in tagged[0].source
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "page.start(params_file)" in code and "page.chart(" in code and "page.table(" in code
    assert "page.para(" in code and 'name="knife_crime_areas"' in code
    s = sections.analyst_section("knife_crime", tmp_path)
    assert s == sections.Section("knife_crime", "Knife crime", required=("police_uk_street",))


def test_pack_option_sets_the_default_parameters(tmp_path):
    text = scaffold.new_notebook("nd", tmp_path, pack="deep_dive_violence").read_text()
    assert 'work_dir = "../outputs/.prepared/deep_dive_violence"' in text and "{{" not in text
    with pytest.raises(scaffold.ScaffoldError, match="is not a pack id"):
        scaffold.new_notebook("nd2", tmp_path, pack="../x")


def test_title_option_and_requires_line_are_read(tmp_path):
    path = scaffold.new_notebook("vso2", tmp_path, title="Violence: a deep dive")
    path.write_text(path.read_text().replace("# requires: police_uk_street",
                                             "# requires: police_uk_street, police_uk_outcomes"))
    s = sections.get("vso2", tmp_path)
    assert (s.title, s.required) == ("Violence: a deep dive", ("police_uk_street", "police_uk_outcomes"))
    assert s.missing({"police_uk_street": 1}) == ["police_uk_outcomes"]


@pytest.mark.parametrize("name", ["1abc", "a-b", "a b", "", "../x", "é"])
def test_bad_names_are_refused(tmp_path, name, capsys):
    assert cli.main(["new-notebook", name, "--dir", str(tmp_path)]) == 1
    assert "is not allowed" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_existing_file_and_shipped_section_are_refused(tmp_path, capsys):
    (tmp_path / "mine.py").write_text("# mine\n")
    assert cli.main(["new-notebook", "mine", "--dir", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "mine.py").read_text() == "# mine\n"
    assert cli.main(["new-notebook", "performance", "--dir", str(tmp_path)]) == 1
    assert "shipped section" in capsys.readouterr().err


def test_command_prints_how_to_list_it(tmp_path, capsys):
    assert cli.main(["new-notebook", "deep_dive", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "notebooks: [performance, deep_dive]" in out and str(tmp_path / "deep_dive.py") in out


@pytest.mark.xdist_group("pack")  # it adds a notebook to notebooks/ for a moment: kept apart from the determinism test
def test_params_check_refuses_an_unknown_name_and_a_bad_requires_line(tmp_path):
    f = write_params(tmp_path / "p.yaml", notebooks=["no_such_notebook_here"])
    with pytest.raises(params.ParamsError, match=r"unknown notebook\(s\) \['no_such_notebook_here'\]"):
        params.load(f)
    name = f"t_requires_{os.getpid()}"
    path = scaffold.new_notebook(name, sections.NOTEBOOKS_DIR)
    try:
        path.write_text(path.read_text().replace("# requires: police_uk_street", "# requires: police_uk_streets"))
        with pytest.raises(params.ParamsError, match=r"requires input\(s\) \['police_uk_streets'\]"):
            params.load(write_params(tmp_path / "q.yaml", notebooks=[name]))
    finally:
        path.unlink()


@pytest.mark.e2e
@pytest.mark.xdist_group("pack")  # it adds a notebook to notebooks/ for a while: kept apart from the determinism test
def test_new_notebook_runs_in_a_pack(tmp_path):
    name = f"t_analyst_{os.getpid()}"
    res = run_cli("new-notebook", name)
    path = REPO / "notebooks" / f"{name}.py"
    try:
        assert res.returncode == 0, res.stderr
        assert path.is_file()
        f = write_params(tmp_path / "p.yaml", notebooks=[name])
        res = run_cli("run", f, "--out", tmp_path / "pack", "--run-date", RUN_DATE)
        assert res.returncode == 0, res.stdout + res.stderr
        page = (tmp_path / "pack" / f"{name}.html").read_text(encoding="utf-8")
        assert "Violence and sexual offences" in page and "<svg" in page
        assert (tmp_path / "pack" / "tables" / f"{name}_areas.csv").is_file()
        assert f'href="{name}.html"' in (tmp_path / "pack" / "index.html").read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
