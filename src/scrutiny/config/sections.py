"""The pack's sections, declared once: each section's notebook, page title and the inputs it reads.

A section is one notebook in notebooks/ and one page of the pack. `required` inputs must be named under
`inputs` in the params file whenever the section is listed under `notebooks` (the params check refuses the
file otherwise, naming the missing input); `optional` inputs are read when given. Input names are the keys
of `ingest.DATASETS`. This module imports nothing of ours, so anything may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One section of the pack: notebooks/<notebook>.py, shown under `title`."""

    notebook: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    def missing(self, inputs) -> list[str]:
        """The required inputs not among `inputs` (names), in declaration order."""
        return [name for name in self.required if name not in inputs]

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every input the section reads: required, then optional."""
        return self.required + self.optional


SECTIONS: dict[str, Section] = {s.notebook: s for s in (
    Section("performance", "Performance summary", required=("police_uk_street",)),
    Section("outcomes", "Crime outcomes", required=("police_uk_street", "police_uk_outcomes"),
            optional=("ho_outcomes",)),
    Section("stop_search", "Stop and search", required=("police_uk_stop_search",)),
    Section("peers", "Peer comparison", required=("ho_prc_pfa", "ons_population_pfa")),
    Section("audit", "Published figures audit", required=("published_figures", "published_relations"),
            optional=("police_uk_street",)),
    Section("districts", "Districts", required=("police_uk_street",)),
    Section("victims", "Victims", required=("force_crimes", "victim_survey")),
    Section("criminal_justice", "Criminal justice and public contact",
            required=("calls", "incidents", "charge_decisions", "case_files"), optional=("court_cases",)),
)}


def missing_inputs(notebooks, inputs) -> dict[str, list[str]]:
    """Section -> the required inputs it lacks, for each listed section that lacks any (unknown sections skipped)."""
    out = {}
    for name in notebooks:
        section = SECTIONS.get(name)
        lacking = section.missing(inputs) if section else []
        if lacking:
            out[name] = lacking
    return out
