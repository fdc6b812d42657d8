"""Quality-assurance records: the assumptions and caveats log and the data log (docs/aqa/*.yaml).

Each entry is rated Red/Amber/Green for quality and for impact (assumptions) or suitability (data),
using the Home Office Analytical Quality Assurance definitions (as published in the
govcookiecutter AQA templates; restated in docs/aqa/README.md and on every pack's
Assumptions and caveats page). `affects` names the notebooks (sections) or measure ids an entry
bears on, or `all`.

The contract (`check`) is strict, like the params schema: unknown keys, a missing or misspelt RAG
rating, a duplicate id or an `affects` value that names no notebook and no measure are errors that
name the file and the entry. The logs are read on every run, so a new entry appears in the next
pack with no code change.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scrutiny import paths

RAG = ("Red", "Amber", "Green")
RANK = {r: i for i, r in enumerate(RAG)}
ALL = "all"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# log name -> file, heading, name of the second rating
LOGS = {
    "assumptions": ("assumptions.yaml", "Assumptions and caveats log", "impact"),
    "data": ("data_log.yaml", "Data log", "suitability"),
}
REQUIRED = ("id", "title", "description", "quality", "affects", "owner")
OPTIONAL = {"assumptions": ("dataset",), "data": ("source", "dataset", "files")}

# Home Office Analytical Quality Assurance definitions (via the govcookiecutter AQA templates).
DEFINITIONS = {
    "quality": {
        "Green": "Reliable assumption, well understood and/or documented; anything up to a validated and recent "
                 "set of actual data.",
        "Amber": "Some evidence to support the assumption; may vary from a source with poor methodology to a good "
                 "source that is a few years old.",
        "Red": "Little evidence to support the assumption; may vary from an opinion to a limited data source with "
               "poor methodology.",
    },
    "impact": {
        "Green": "Marginal assumptions; their changes have no or limited impact on the outputs.",
        "Amber": "Assumptions with a relevant, even if not critical, impact on the outputs.",
        "Red": "Core assumptions of the analysis; the output would be drastically affected by their change.",
    },
    "data_quality": {
        "Green": "Data is well understood and there are no major issues with quality. Minor issues are understood "
                 "and documented.",
        "Amber": "Data is well understood. There are quality issues (e.g. missing values, step changes, a large "
                 "number of outliers) that can be explained, documented or shown to have negligible impact.",
        "Red": "Data is not well understood. There are major quality issues that cannot be fully explained and/or "
               "have a significant impact on analysis outputs.",
    },
    "suitability": {
        "Green": "Data is the best available for the required purpose and has been validated (e.g. against "
                 "published statistics).",
        "Amber": "Not the ideal data set for the analysis, but the best available at the time. Results reflect "
                 "that it is not the ideal data set and are subject to sensitivity analysis where appropriate.",
        "Red": "There are concerns about the suitability of the data set for this application, which could "
               "negatively affect the quality and accuracy of the analysis. Its derivation or sample size is "
               "not known.",
    },
}


class AqaError(ValueError):
    """A log that breaks the contract; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Entry:
    log: str  # "assumptions" | "data"
    id: str
    title: str
    description: str
    quality: str
    rating: str  # impact (assumptions) or suitability (data)
    affects: tuple[str, ...]
    owner: str
    source: str = ""
    dataset: str = ""
    files: tuple[str, ...] = ()

    @property
    def rating_name(self) -> str:
        return LOGS[self.log][2]

    def sort_key(self) -> tuple:
        """Red first: the worse of the two ratings, then the better one, then the id."""
        q, r = RANK[self.quality], RANK[self.rating]
        return (min(q, r), max(q, r), self.id)


@dataclass
class Logs:
    entries: list[Entry] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def of(self, log: str) -> list[Entry]:
        return [e for e in self.entries if e.log == log]


def known_notebooks(root: Path = paths.REPO_ROOT) -> set[str]:
    return {p.stem for p in (root / "notebooks").glob("*.py")}


def known_measures(root: Path = paths.REPO_ROOT) -> set[str]:
    """Every measure id in every catalogue under params/measures/."""
    out: set[str] = set()
    for p in sorted((root / "params" / "measures").glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        out |= {str(m["id"]) for m in data.get("measures") or [] if isinstance(m, dict) and "id" in m}
    return out


def _entry(log: str, raw, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise AqaError(f"{where}: an entry must be a mapping of keys, not {type(raw).__name__}")
    rating_name = LOGS[log][2]
    required = REQUIRED + (rating_name,)
    allowed = set(required) | set(OPTIONAL[log])
    label = f"{where} (id {raw.get('id')!r})" if raw.get("id") else where
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise AqaError(f"{label}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    missing = [k for k in required if raw.get(k) in (None, "", [])]
    if missing:
        raise AqaError(f"{label}: missing {', '.join(missing)} (every entry needs {', '.join(required)})")
    for k in ("id", "title", "description", "owner") + tuple(k for k in OPTIONAL[log] if k != "files"):
        if k in raw and not isinstance(raw[k], str):
            raise AqaError(f"{label}: {k} must be text")
    if not ID_RE.match(raw["id"]):
        raise AqaError(f"{label}: id must be lower-case letters, digits and hyphens, got {raw['id']!r}")
    for k in ("quality", rating_name):
        if raw[k] not in RAG:
            raise AqaError(f"{label}: {k} is {raw[k]!r}; a RAG rating must be one of {', '.join(RAG)}")
    affects = raw["affects"]
    if isinstance(affects, str):
        affects = [affects]
    if not isinstance(affects, list) or not all(isinstance(a, str) and a for a in affects):
        raise AqaError(f"{label}: affects must be a list of section (notebook) names or measure ids, or [all]")
    files = raw.get("files") or ()
    if isinstance(files, str):
        files = [files]
    return Entry(log=log, id=raw["id"], title=raw["title"].strip(), description=" ".join(raw["description"].split()),
                 quality=raw["quality"], rating=raw[rating_name], affects=tuple(affects), owner=raw["owner"].strip(),
                 source=" ".join(str(raw.get("source", "")).split()), dataset=raw.get("dataset", ""),
                 files=tuple(files))


def read(directory: str | Path) -> Logs:
    """Read both logs from a folder (each file optional; an absent file is an empty log). Shape checks only."""
    directory = Path(directory)
    out = Logs()
    for log, (fname, _, _) in LOGS.items():
        p = directory / fname
        if not p.is_file():
            continue
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise AqaError(f"{p}: not valid YAML: {str(err).splitlines()[0]}") from None
        if data is None:
            data = {"entries": []}
        if not isinstance(data, dict) or set(data) != {"entries"} or not isinstance(data["entries"], list | None):
            raise AqaError(f"{p}: the file must hold one key, entries, with a list of entries")
        out.files.append(p)
        for i, raw in enumerate(data["entries"] or []):
            out.entries.append(_entry(log, raw, f"{p}: entries[{i}]"))
    return out


def check(logs: Logs, notebooks: set[str], measures: set[str], datasets: set[str] | None = None,
          root: Path = paths.REPO_ROOT) -> Logs:
    """The contract across entries: unique ids, every `affects` names something real, data sources exist."""
    seen: dict[str, str] = {}
    for e in logs.entries:
        where = f"{LOGS[e.log][0]}: id {e.id!r}"
        if e.id in seen:
            raise AqaError(f"{where}: duplicate id (also in {seen[e.id]}); ids must be unique across both logs")
        seen[e.id] = LOGS[e.log][0]
        if ALL in e.affects and len(e.affects) > 1:
            raise AqaError(f"{where}: affects lists 'all' with other names; use [all] alone")
        for a in e.affects:
            if a != ALL and a not in notebooks and a not in measures:
                raise AqaError(f"{where}: affects {a!r}, which names no notebook (notebooks/*.py: "
                               f"{', '.join(sorted(notebooks))}) and no measure id in params/measures/; "
                               "use a notebook name, a measure id or all")
        if e.dataset and datasets is not None and e.dataset not in datasets:
            raise AqaError(f"{where}: dataset {e.dataset!r} is not an input dataset ({', '.join(sorted(datasets))})")
        for pattern in e.files:
            if not glob.glob(str(paths.resolve(pattern, root))):
                raise AqaError(f"{where}: files {pattern!r} matches no file")
    return logs


def load(directory: str | Path, root: Path = paths.REPO_ROOT) -> Logs:
    """Read and check the logs against the notebooks, measure catalogues and input datasets of the repository."""
    from scrutiny.inputs.registry import DATASETS

    return check(read(directory), known_notebooks(root), known_measures(root), set(DATASETS), root)


@dataclass(frozen=True)
class Applied:
    """An entry as it applies to one pack: the pack's sections it touches and the measures it names there."""

    entry: Entry
    sections: tuple[str, ...]
    measures: tuple[str, ...]


def for_pack(logs: Logs, sections: list[str], section_measures: dict[str, dict[str, str]] | None = None,
             input_files: dict[str, list[Path]] | None = None, root: Path = paths.REPO_ROOT) -> list[Applied]:
    """The entries that apply to a pack, Red first.

    sections: the pack's notebooks in order. section_measures: section -> {measure id: label} for the
    measures that section shows. input_files: dataset -> files the pack reads; a data entry naming a
    dataset applies only when the pack reads it, and one naming files only when it reads one of them.
    """
    from scrutiny.inputs.files import same_bytes

    section_measures = section_measures or {}
    input_files = input_files or {}
    out = []
    for e in logs.entries:
        if e.dataset and e.dataset not in input_files:
            continue
        if e.files:
            wanted = {Path(f).resolve() for pat in e.files for f in glob.glob(str(paths.resolve(pat, root)))}
            used = {Path(f).resolve() for f in input_files.get(e.dataset, [])} if e.dataset else \
                {Path(f).resolve() for fs in input_files.values() for f in fs}
            if not (wanted & used or same_bytes(used, wanted)):  # a copy of a named file is that file
                continue
        hit, ms = [], []
        for s in sections:
            if ALL in e.affects or s in e.affects:
                hit.append(s)
                continue
            named = [m for m in e.affects if m in section_measures.get(s, {})]
            if named:
                hit.append(s)
                ms += [section_measures[s][m] for m in named]
        if hit:
            out.append(Applied(e, tuple(hit), tuple(dict.fromkeys(ms))))
    return sorted(out, key=lambda a: (a.entry.sort_key(), a.entry.log))


def counts(applied: list[Applied]) -> list[dict]:
    """Counts by RAG for the front page: one row per log and rating."""
    rows = []
    for log, (_, heading, second) in LOGS.items():
        es = [a.entry for a in applied if a.entry.log == log]
        for name, attr in (("quality", "quality"), (second, "rating")):
            c = {r: sum(getattr(e, attr) == r for e in es) for r in RAG}
            rows.append({"log": heading, "rating": name, "entries": len(es), **c})
    return rows
