"""Pack parameters: one YAML file per pack, validated in full before anything runs.

Unknown keys are errors. Relative paths resolve against the repo root. YAML is read with the
safe loader, so Python object tags (!!python/object) are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scrutiny import paths
from scrutiny.config import sections
from scrutiny.config.sections import missing_inputs

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ParamsError(Exception):
    """A params file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pack(_Strict):
    """The pack: its folder name, title and force."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100,
                    description="folder name under outputs/ (at most 100 characters: the file system also "
                                "names .build-/.failed-/.old-/.lock- folders after it)")
    title: str = Field(description="shown at the top of every page")
    force: str = Field(description="the force as the police.uk files' `Falls within` spell it, e.g. Gwent Police")


class Period(_Strict):
    """The months analysed; the last is the reporting month."""

    start: str = Field(description="first month, YYYY-MM")
    end: str = Field(description="reporting month, YYYY-MM (must have ended before the run date)")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, v):
        v = str(v)
        if not MONTH_RE.match(v):
            raise ValueError(f"must be a month written YYYY-MM, got {v!r}")
        return v

    @model_validator(mode="after")
    def _order(self):
        if self.end < self.start:
            raise ValueError(f"period end {self.end} is before start {self.start}")
        return self


class InputSpec(_Strict):
    path: str = Field(description="a file or glob (e.g. data/raw/police_uk/gwent/*-street.csv.gz); relative to the "
                                  "repository")
    contract: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*\.v[0-9]+$",
                                 description="a suite name in data_contracts/ (e.g. police_uk_street.v1), not a path")


def _month_text(v) -> str:
    """A month written YYYY-MM (YAML may read 2023-10 as text or a date-like value)."""
    v = str(v)
    if not MONTH_RE.match(v):
        raise ValueError(f"must be a month written YYYY-MM, got {v!r}")
    return v


class DeclaredBreak(_Strict):
    """A known series break (a recording change the force has told the OPCC about)."""

    measure: str = Field(description="catalogue measure id, e.g. criminal_damage_and_arson")
    month: str = Field(description="first month recorded the new way, YYYY-MM")
    reason: str = Field(min_length=1, description="why: shown on the data-quality page and in performance_breaks.csv")
    area: str | None = Field(None, description="one district; by default every area")

    _month = field_validator("month", mode="before")(classmethod(lambda cls, v: _month_text(v)))


class AcceptedMonth(_Strict):
    """A month whose volume is known to be unusual (e.g. a real event), so the volume check does not refuse it."""

    month: str = Field(description="YYYY-MM")
    reason: str = Field(min_length=1, description="why the volume is right, shown on the data-quality page")

    _month = field_validator("month", mode="before")(classmethod(lambda cls, v: _month_text(v)))


class Spc(_Strict):
    """Control charts (XmR) of the performance measures."""

    baseline_months: int = Field(24, ge=12, le=120, description="months the limits are computed from (12 to 120)")
    rules: Literal["mdc_7pt", "ihi_6pt"] = Field("mdc_7pt", description="special-cause rule set (how-to-read page)")
    breaks: list[DeclaredBreak] = Field(default_factory=list, description="known series breaks")


class Priority(_Strict):
    name: str = Field(min_length=1, description="a Police and Crime Plan priority, as the plan words it")
    measures: list[str] = Field(min_length=1, description="catalogue measure ids reported under it")


class Plan(_Strict):
    """The Police and Crime Plan's priorities: the front page groups its rows by them."""

    priorities: list[Priority] | None = Field(None, description="default: national crime and policing measures "
                                                                "groupings (performance.DEFAULT_PRIORITIES)")


class QuestionsSettings(_Strict):
    """The questions for the force (questions.html): generated ones to drop, own ones to add."""

    drop: list[str] = Field(default_factory=list, description="question ids (Q3) or row keys to leave out")
    add: list[dict] = Field(default_factory=list, description="questions asked as given: {question, priority, "
                                                               "measure, area, finding, evidence}")


class DataQuality(_Strict):
    """Data-quality checks of the input files."""

    accept_volume: list[AcceptedMonth] = Field(default_factory=list, description="months whose file volume is "
                                               "implausible against its neighbours but known to be right")


class Performance(_Strict):
    """The performance section's measures and areas."""

    catalogue: str = Field("params/measures/police_uk.yaml", description="the measure catalogue")
    district_min_share: float = Field(0.01, ge=0, le=1, description="a district is an area of its own when it holds "
                                      "at least this share of the rows")


class Districts(_Strict):
    """The districts section (notebook `districts`): rates per 1,000 residents by local authority district."""

    population_edition: Literal["mye2019", "mye2023"] = Field(
        "mye2023", description="ONS mid-year estimates edition (data/reference/population_la_mye.csv)")


class Aqa(_Strict):
    """The assumptions and caveats log and the data log."""

    logs: str = Field("docs/aqa", description="folder holding assumptions.yaml and data_log.yaml")


class StopSearch(_Strict):
    """The stop and search section (notebook `stop_search`)."""

    census_year: Literal[2011, 2021] = Field(2021, description="Census whose ethnic-group populations are the "
                                                                  "denominators (data/reference/ethnicity_pfa_<year>.csv)")
    min_count: int = Field(10, ge=1, description="cells (searches in a group) below this are suppressed")
    pfa_code: str | None = Field(None, pattern=r"^[EW]\d{8}$",
                                 description="ONS police force area code; found from pack.force when not given")


class HoOutcomesSettings(_Strict):
    """The Home Office outcomes open data (input ho_outcomes), when given."""

    force: str | None = Field(None, description="the force as the Home Office file spells it; "
                                                "default: pack.force without a trailing 'Police'/'Constabulary'")
    basis: Literal["recorded", "closed"] = Field("recorded", description="the Home Office file's basis")


class Outcomes(_Strict):
    """The crime outcomes section (notebook `outcomes`)."""

    follow_up_months: int = Field(3, ge=0, le=24, description="k: months of follow-up for the fixed follow-up rate")
    same_period_window: Literal["month", "quarter", "financial_year"] = Field(
        "quarter", description="window of the same-period outcome rate")
    categories: str = Field("data/reference/outcome_categories.csv", description="outcome category groups")
    ho_outcomes: HoOutcomesSettings = HoOutcomesSettings()


class Peers(_Strict):
    """The peer comparison (notebook `peers`): on Home Office recorded crime by police force area
    (source home_office, input ho_prc_pfa), or on data.police.uk street files of many forces (source police_uk,
    input police_uk_street_forces)."""

    source: Literal["home_office", "police_uk"] = Field(
        "home_office", description="home_office: Home Office recorded crime by PFA (rolling 12-month totals at "
                                   "quarter ends); police_uk: data.police.uk street files of every force, any month")
    force: str | None = Field(None, description="Home Office PFA name; by default matched from pack.force")
    period_end: dt.date = Field(dt.date(2018, 12, 31), description="reporting point: the 12 months ending here")
    population_edition: Literal["mye2019", "mye2023"] = Field("mye2019", description="ONS mid-year estimates "
                                                              "edition of the force populations")
    k: int = Field(7, ge=1, le=20, description="number of statistical neighbours")
    msg_file: str | None = Field(None, description="official most similar group CSV: force, peer, source, as_of")

    @model_validator(mode="after")
    def _period_end(self):
        from scrutiny.inputs.pfa_tables import quarter_end

        v = self.period_end
        if self.source == "police_uk":
            if v != quarter_end(v.year, v.month):
                raise ValueError(f"peers.period_end must be the last day of a month (police.uk files are monthly), "
                                 f"got {v}")
        elif v.month not in (3, 6, 9, 12) or v != quarter_end(v.year, v.month):
            raise ValueError(f"peers.period_end must be the last day of a quarter (the Home Office data are 12 "
                             f"months ending 31 March, 30 June, 30 September or 31 December), got {v}")
        return self


class CriminalJustice(_Strict):
    """The criminal justice and public contact section (notebook `criminal_justice`)."""

    answer_999_seconds: float = Field(10, gt=0, description="a 999 call answered within this many seconds is in "
                                                            "time (national standard: 10; 10.0 s counts as within)")
    standard_999_pct: float = Field(90, ge=0, le=100, description="the national standard: % of 999 calls answered "
                                                                  "in time")
    answer_101_seconds: float = Field(30, gt=0, description="a 101 call answered within this many seconds is in time")
    calls_change_date: dt.date | None = Field(None, description="start of a call-handling change (e.g. a 101 pilot): "
                                                                "calls before and after are compared")
    charging_change_date: dt.date | None = Field(None, description="start of a charging change (e.g. a domestic "
                                                                   "abuse push): charge rates before and after")
    urban_target_minutes: float = Field(15, gt=0, description="emergency attendance target, urban incidents")
    rural_target_minutes: float = Field(20, gt=0, description="emergency attendance target, rural incidents")


class Filters(_Strict):
    """A deep dive: only the police.uk street rows that pass every filter are prepared for the notebooks (the
    performance, districts and outcomes sections and analysts' notebooks read that table)."""

    crime_types: list[str] = Field(default_factory=list, description="police.uk crime types kept, e.g. "
                                   "[Violence and sexual offences] (default: every type)")
    districts: list[str] = Field(default_factory=list, description="local authority districts kept, as in the LSOA "
                                 "name, e.g. [Newport] (default: every row, those with no LSOA included)")

    @field_validator("crime_types")
    @classmethod
    def _types(cls, v):
        from scrutiny.reference.police_uk import CRIME_TYPES

        unknown = [t for t in v if t not in CRIME_TYPES]
        if unknown:
            raise ValueError(f"unknown police.uk crime type(s) {unknown}; known: {CRIME_TYPES}")
        if len(set(v)) != len(v):
            raise ValueError("a crime type is listed twice")
        return v

    @field_validator("districts")
    @classmethod
    def _districts(cls, v):
        if any(not str(d).strip() for d in v) or len({str(d).strip().casefold() for d in v}) != len(v):
            raise ValueError("districts must be names, each listed once")
        return v

    @property
    def active(self) -> bool:
        return bool(self.crime_types or self.districts)

    def describe(self) -> str:
        """The filters in words, e.g. 'crime type Violence and sexual offences; district Newport' ('' when off)."""
        parts = []
        if self.crime_types:
            parts.append(("crime type " if len(self.crime_types) == 1 else "crime types ") +
                         ", ".join(self.crime_types))
        if self.districts:
            parts.append(("district " if len(self.districts) == 1 else "districts ") + ", ".join(self.districts))
        return "; ".join(parts)


class Run(_Strict):
    """How notebooks run."""

    cell_timeout: int = Field(600, ge=1, description="seconds one notebook cell may run")
    kernels: int = Field(2, ge=1, le=8, description="notebooks run at once, each kernel running one section after "
                                                    "another (1: one at a time; each kernel holds its section's "
                                                    "tables in memory)")


class Disclosure(_Strict):
    """Small-number suppression for published packs."""

    min_count: int | None = Field(None, ge=1, description="counts below this are suppressed in every published "
                                                          "table and chart (null: off, for internal packs)")


class AuditTolerance(_Strict):
    """How far a worded claim may be from its figures and still hold."""

    relative: float = Field(0.05, ge=0, le=1, description="'in line'/'stable'/'similar' claims: largest gap as a "
                                                           "fraction of the reference figure (counts, £, FTE...)")
    points: float = Field(1.0, ge=0, description="the same for percent, pp, ratio and rate units, in points")


class Audit(_Strict):
    """The published-figures audit (notebook `audit`)."""

    tolerance: AuditTolerance = AuditTolerance()
    documents: dict[str, str] = Field(default_factory=dict, description="doc_id -> the document's title, shown "
                                                                        "in the register and on the page")


class Victims(_Strict):
    min_n: int = Field(30, ge=1, description="responses below which a satisfaction rate is not published")
    satisfied_codes: list[int] = Field([1, 2, 3], min_length=1, description="codes of the 7-point scale counted as "
                                       "satisfied (1 completely satisfied ... 7 completely dissatisfied)")
    windows: list[int] = Field([1, 3, 6, 12], min_length=1, description="rolling windows shown side by side, months")
    funnel_months: int = Field(12, ge=1, le=60, description="months pooled for the district funnel plot")

    @field_validator("satisfied_codes")
    @classmethod
    def _on_scale(cls, v):
        if not all(1 <= c <= 7 for c in v) or len(set(v)) != len(v):
            raise ValueError(f"must be distinct codes of the 7-point scale (1 to 7), got {v}")
        return sorted(v)

    @field_validator("windows")
    @classmethod
    def _windows(cls, v):
        if not all(1 <= w <= 36 for w in v) or len(set(v)) != len(v):
            raise ValueError(f"must be distinct numbers of months from 1 to 36, got {v}")
        return sorted(v)


class Params(_Strict):
    pack: Pack
    period: Period
    inputs: dict[str, InputSpec] = Field(default_factory=dict, description="dataset name -> its files; each "
                                         "section's required inputs are in sections.SECTIONS")
    notebooks: list[str] = Field(min_length=1, description="the sections, in page order: shipped ones (sections."
                                 "SECTIONS) or an analyst's notebooks/NAME.py")
    spc: Spc = Spc()
    performance: Performance = Performance()
    districts: Districts = Districts()
    stop_search: StopSearch = StopSearch()
    victims: Victims = Victims()
    outcomes: Outcomes = Outcomes()
    peers: Peers = Peers()
    run: Run = Run()
    aqa: Aqa = Aqa()
    disclosure: Disclosure = Disclosure()
    data_quality: DataQuality = DataQuality()
    plan: Plan = Plan()
    questions: QuestionsSettings = QuestionsSettings()
    previous_pack: str | None = Field(None, description="folder of last quarter's pack: changes.html lists what "
                                                        "changed since")
    audit: Audit = Audit()
    criminal_justice: CriminalJustice = CriminalJustice()
    filters: Filters = Filters()

    @model_validator(mode="before")
    @classmethod
    def _police_uk_peers_input(cls, data):
        """With peers.source police_uk, `inputs.police_uk_street` (every force's street files) is read as
        police_uk_street_forces: the street contract of one force would refuse many forces' files."""
        if not (isinstance(data, dict) and isinstance(data.get("peers"), dict)
                and data["peers"].get("source") == "police_uk"):
            return data
        others = [n for n in (data.get("notebooks") or []) if n != "peers"]
        if others:
            raise ValueError(f"a police.uk peers pack (peers.source police_uk) reads every force's street files, "
                             f"so it runs the peers notebook only; run {', '.join(map(str, others))} in the force's "
                             f"own pack")
        if (isinstance(data.get("inputs"), dict)
                and "police_uk_street" in data["inputs"] and "police_uk_street_forces" not in data["inputs"]):
            inputs = {("police_uk_street_forces" if k == "police_uk_street" else k): v
                      for k, v in data["inputs"].items()}
            data = {**data, "inputs": inputs}
        return data

    @model_validator(mode="before")
    @classmethod
    def _peers_period(cls, data):
        """A peers-only pack may leave out `period`: it is the 12 months ending peers.period_end."""
        if isinstance(data, dict) and "period" not in data and "peers" in (data.get("notebooks") or []):
            try:
                end = Peers(**(data.get("peers") or {})).period_end
            except (ValidationError, TypeError):
                return data  # reported against the peers key
            start = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=32)
            data = {**data, "period": {"start": f"{start.year:04d}-{start.month:02d}",
                                       "end": f"{end.year:04d}-{end.month:02d}"}}
        return data

    @model_validator(mode="after")
    def _section_inputs(self):
        """Each listed section has its required inputs (sections.SECTIONS, or an analyst's notebook's `# requires:`
        line), else the first lacking is named."""
        from scrutiny.inputs.registry import DATASETS

        for name in self.notebooks:
            unknown = [i for i in getattr(sections.get(name), "required", ()) if i not in DATASETS]
            if unknown:
                raise ValueError(f"notebook {name!r} requires input(s) {unknown} (its `# requires:` line) that are "
                                 f"not input datasets; known: {sorted(DATASETS)}")
        for name, lacking in missing_inputs(self.notebooks, self.inputs).items():
            raise ValueError(f"notebook {name!r} needs input(s) {lacking} under inputs (the {name} section "
                             f"reads {', '.join(sections.get(name).required)})")
        return self

    @model_validator(mode="after")
    def _filters_apply(self):
        """Filters narrow the police.uk street rows; a section reading no street rows, or the audit (which
        recounts the raw rows), cannot be run filtered."""
        if not self.filters.active:
            return self
        for name in self.notebooks:
            s = sections.get(name)
            if name == "audit" or (s is not None and "police_uk_street" not in s.required):
                raise ValueError(f"filters apply to police.uk street rows only: the {name} section "
                                 + ("recounts the raw rows" if name == "audit" else "reads no street rows")
                                 + "; run it in a pack without filters")
        return self

    @model_validator(mode="after")
    def _peers_ready(self):
        if "peers" not in self.notebooks:
            return self
        from scrutiny.inputs.msg_file import read_msg
        from scrutiny.reference.forces import force_name

        end = self.peers.period_end
        if self.period.end != f"{end.year:04d}-{end.month:02d}":
            raise ValueError(f"period.end ({self.period.end}) must be the month of peers.period_end ({end}): the "
                             "pack's reporting month is the peer comparison's 12 months ending date (or leave "
                             "period out and it is set to those 12 months)")
        force_name(self.peers.force or self.pack.force)
        needs = "police_uk_street_forces" if self.peers.source == "police_uk" else "ho_prc_pfa"
        if needs not in self.inputs:
            raise ValueError(f"notebook 'peers' with peers.source {self.peers.source} needs input {needs!r} under "
                             f"inputs" + (" (the street files of every force for the period, e.g. path: "
                                          "'data/police_uk/*/*-street.csv.gz')" if needs != "ho_prc_pfa" else ""))
        if self.peers.msg_file:
            read_msg(paths.resolve(self.peers.msg_file))
        return self

    @property
    def reporting_month(self) -> str:
        """The month the pack reports on ('YYYY-MM'): the last month of the period, the one word used for it."""
        return self.period.end

    def peers_force(self) -> str:
        """The Home Office PFA name of the pack's force (peers.force, else matched from pack.force)."""
        from scrutiny.reference.forces import force_name

        return force_name(self.peers.force or self.pack.force)

    @field_validator("inputs")
    @classmethod
    def _known_inputs(cls, v):
        from scrutiny.inputs.registry import DATASETS

        unknown = sorted(set(v) - set(DATASETS))
        if unknown:
            raise ValueError(f"unknown input dataset(s) {unknown}; known: {sorted(DATASETS)}")
        return v

    @field_validator("notebooks")
    @classmethod
    def _known_notebooks(cls, v):
        unknown = [n for n in v if sections.get(n) is None]
        if unknown:
            raise ValueError(f"unknown notebook(s) {unknown} (no such section and no notebooks/<name>.py; "
                             f"`scrutiny new-notebook NAME` makes one); known: {sections.known()}")
        if len(set(v)) != len(v):
            raise ValueError("a notebook is listed twice")
        return v


def _format(err: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid parameters"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key (not allowed; check the spelling against README)"
        elif e["type"] == "missing":
            msg = "required key is missing"
        elif e["type"] == "string_pattern_mismatch" and loc.endswith(".contract"):
            msg = ("must be the name of a suite in data_contracts/, such as 'police_uk_street.v1' (a name, not a "
                   "path: no folders, no '..', no .json)")
        lines.append(f"  - {loc}: {msg}")
    return "\n".join(lines)


def parse(data: dict, source: str = "params") -> Params:
    """Validate a params mapping; raise ParamsError naming every bad key."""
    if not isinstance(data, dict):
        raise ParamsError(f"{source}: the file must hold a YAML mapping of keys, not {type(data).__name__}")
    try:
        return Params.model_validate(data)
    except ValidationError as err:
        raise ParamsError(_format(err, source)) from None


class DuplicateKey(yaml.YAMLError):
    pass


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key written twice in one mapping (plain YAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: reported by the constructor below
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise DuplicateKey(f"duplicate key {key!r} at lines {first} and {line} (YAML would silently keep "
                                   "only the second; remove one)")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:map", _UniqueKeyLoader.construct_yaml_map)


def load(path: str | Path) -> Params:
    """Read and validate a params YAML file (safe loader: no Python object tags; no key written twice)."""
    p = Path(path)
    if not p.is_file():
        raise ParamsError(f"{path}: params file not found")
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except DuplicateKey as err:
        raise ParamsError(f"{path}: {err}") from None
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML (or uses a tag that is refused, such as !!python/object): "
                          f"{str(err).splitlines()[0]}") from None
    return parse(data, str(path))
