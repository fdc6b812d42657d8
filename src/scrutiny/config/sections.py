"""The pack's sections, declared once: each section's notebook, page title and the inputs it reads.

A section is one notebook in notebooks/ and one page of the pack. `required` inputs must be named under
`inputs` in the params file whenever the section is listed under `notebooks` (the params check refuses the
file otherwise, naming the missing input); `optional` inputs are read when given. Input names are the keys
of `inputs.registry.DATASETS`. This module imports only `paths`, so anything may read it.

An analyst's notebook (made with `scrutiny new-notebook NAME`) is a section without editing this file: any
`notebooks/NAME.py` not in SECTIONS is accepted, titled by its `# ` heading, and requires the inputs named on a
`# requires: a, b` comment line near its top (default: police_uk_street). A name with no notebook file is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scrutiny import paths


@dataclass(frozen=True)
class Section:
    """One section of the pack: notebooks/<notebook>.py, shown under `title`."""

    notebook: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # results computed once per pack for several sections (reuse.once names): two sections sharing one are not
    # started together while another section could run instead, as the second would only wait for the first
    shares: tuple[str, ...] = ()

    def missing(self, inputs) -> list[str]:
        """The required inputs not among `inputs` (names), in declaration order."""
        return [name for name in self.required if name not in inputs]

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every input the section reads: required, then optional."""
        return self.required + self.optional


SECTIONS: dict[str, Section] = {s.notebook: s for s in (
    Section("performance", "Performance summary", required=("police_uk_street",), shares=("performance-series",)),
    Section("outcomes", "Crime outcomes", required=("police_uk_street", "police_uk_outcomes"),
            optional=("ho_outcomes",)),
    Section("stop_search", "Stop and search", required=("police_uk_stop_search",)),
    # peers reads ho_prc_pfa (peers.source home_office) or police_uk_street_forces (police_uk): the params check
    # asks for the one its source needs
    Section("peers", "Peer comparison", required=("ons_population_pfa",),
            optional=("ho_prc_pfa", "police_uk_street_forces")),
    Section("audit", "Published figures audit", required=("published_figures", "published_relations"),
            optional=("police_uk_street",)),
    Section("districts", "Districts", required=("police_uk_street",), shares=("performance-series",)),
    Section("victims", "Victims", required=("force_crimes", "victim_survey")),
    Section("criminal_justice", "Criminal justice and public contact",
            required=("calls", "incidents", "charge_decisions", "case_files"), optional=("court_cases",)),
)}


NOTEBOOKS_DIR = paths.REPO_ROOT / "notebooks"
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
DEFAULT_REQUIRES = ("police_uk_street",)
_REQUIRES = re.compile(r"^#\s*requires:\s*(.*?)\s*$")
_HEADER_LINES = 60  # the `# requires:` line is looked for in this many lines at the top of the notebook


def analyst_section(name: str, folder: Path = NOTEBOOKS_DIR) -> Section | None:
    """The section of an analyst's notebook folder/NAME.py (a name not in SECTIONS), or None when there is no
    such file. Title: the first `# ` heading in a markdown cell; required inputs: the `# requires:` line."""
    if name in SECTIONS or not NAME_RE.match(name):
        return None
    f = folder / f"{name}.py"
    if not f.is_file():
        return None
    lines = f.read_text(encoding="utf-8").splitlines()
    required, title, in_markdown = DEFAULT_REQUIRES, name, False
    for i, line in enumerate(lines):
        m = _REQUIRES.match(line)
        if m and i < _HEADER_LINES:
            required = tuple(x.strip() for x in m.group(1).split(",") if x.strip()) or DEFAULT_REQUIRES
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
        elif in_markdown and line.startswith("# # ") and title == name:
            title = line[4:].strip()
    return Section(name, title, required=required)


def get(name: str, folder: Path = NOTEBOOKS_DIR) -> Section | None:
    """The section called `name`: a declared one (SECTIONS), else an analyst's notebook, else None."""
    return SECTIONS.get(name) or analyst_section(name, folder)


def known(folder: Path = NOTEBOOKS_DIR) -> list[str]:
    """Every section a params file may list: SECTIONS and the analysts' notebooks found in the folder."""
    extra = sorted(f.stem for f in folder.glob("*.py") if analyst_section(f.stem, folder))
    return list(SECTIONS) + extra


def missing_inputs(notebooks, inputs) -> dict[str, list[str]]:
    """Section -> the required inputs it lacks, for each listed section that lacks any (unknown sections skipped)."""
    out = {}
    for name in notebooks:
        section = get(name)
        lacking = section.missing(inputs) if section else []
        if lacking:
            out[name] = lacking
    return out
