"""Every input dataset the pack knows, by the name params files use. Imported last: it imports each dataset
module, and no dataset module imports it."""

from __future__ import annotations

from pathlib import Path

from scrutiny.inputs import force_crimes, pfa_tables, published_figures, victim_survey
from scrutiny.inputs.base import InputDataset
from scrutiny.inputs.calls import CALLS
from scrutiny.inputs.case_files import CASE_FILES
from scrutiny.inputs.charge_decisions import CHARGE_DECISIONS
from scrutiny.inputs.court_cases import COURT_CASES
from scrutiny.inputs.files import SAMPLE_DIR, is_sample_copy
from scrutiny.inputs.ho_outcomes import HomeOfficeOutcomes
from scrutiny.inputs.incidents import INCIDENTS
from scrutiny.inputs.police_uk import PoliceUkForces, PoliceUkMonthly, PoliceUkStopSearch
from scrutiny.reference import police_uk

DATASETS: dict[str, InputDataset] = {
    "police_uk_street": PoliceUkMonthly("police_uk_street", police_uk.STREET_HEADER, contract="police_uk_street.v1"),
    "police_uk_outcomes": PoliceUkMonthly("police_uk_outcomes", police_uk.OUTCOMES_HEADER,
                                          contract="police_uk_outcomes.v1"),
    "police_uk_street_forces": PoliceUkForces("police_uk_street_forces", police_uk.STREET_HEADER,
                                              contract="police_uk_street_forces.v1"),
    "police_uk_stop_search": PoliceUkStopSearch("police_uk_stop_search", police_uk.STOP_SEARCH_HEADER, record_id="",
                                                contract="police_uk_stop_search.v1"),
    "ho_outcomes": HomeOfficeOutcomes(),
    **{d.name: d for d in (published_figures.FIGURES, published_figures.RELATIONS)},
    "ho_prc_pfa": pfa_tables.HoPrcPfa("ho_prc_pfa", pfa_tables.HO_HEADER, record_id="PFA", contract="ho_prc_pfa.v1"),
    "ons_population_pfa": pfa_tables.OnsPopulationPfa("ons_population_pfa", pfa_tables.POP_HEADER,
                                                      record_id="pfa_code", contract="ons_population_pfa.v1"),
    "force_crimes": force_crimes.ForceCrimes("force_crimes", force_crimes.HEADER, record_id="crime_ref",
                                             contract="force_crimes.v1", synthetic=True),
    "victim_survey": victim_survey.VictimSurvey("victim_survey", victim_survey.HEADER, record_id="respondent_id",
                                                contract="victim_survey.v1", synthetic=True),
    **{d.name: d for d in (CALLS, INCIDENTS, CHARGE_DECISIONS, CASE_FILES, COURT_CASES)},
}


def synthetic(inputs) -> list[str]:
    """The inputs among `inputs` (params name -> spec with `.path`) that are generated samples: their dataset
    ships a generated sample (`synthetic = True`) and a file given is one of the shipped ones: under data/sample/,
    or a copy of one anywhere else (the same bytes). A force's own extract for the same dataset is not marked."""
    out = []
    for name, spec in inputs.items():
        ds = DATASETS.get(name)
        if not getattr(ds, "synthetic", False):
            continue
        try:
            files = [Path(f) for f in ds.discover(spec.path)]
        except Exception:  # a missing or unreadable input is reported by validation, not here
            continue
        if any(f.resolve().is_relative_to(SAMPLE_DIR.resolve()) or is_sample_copy(f) for f in files):
            out.append(name)
    return out
