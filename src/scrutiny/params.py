"""Pack parameters: one YAML file per pack, validated in full before anything runs.

Unknown keys are errors. Relative paths resolve against the repo root. YAML is read with the
safe loader, so Python object tags (!!python/object) are refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import paths

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ParamsError(Exception):
    """A params file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pack(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="folder name under outputs/")
    title: str
    force: str


class Period(_Strict):
    start: str
    end: str

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
    path: str
    contract: str | None = None


class Spc(_Strict):
    baseline_months: int = Field(24, ge=12, le=120)
    rules: Literal["mdc_7pt", "ihi_6pt"] = "mdc_7pt"


class Performance(_Strict):
    catalogue: str = "params/measures/police_uk.yaml"
    district_min_share: float = Field(0.01, ge=0, le=1)


class Run(_Strict):
    cell_timeout: int = Field(600, ge=1, description="seconds one notebook cell may run")


class Disclosure(_Strict):
    min_count: int | None = Field(None, ge=1, description="counts below this are suppressed in every published "
                                                          "table and chart (None: off, for internal packs)")


class Params(_Strict):
    pack: Pack
    period: Period
    inputs: dict[str, InputSpec]
    notebooks: list[str] = Field(min_length=1)
    spc: Spc = Spc()
    performance: Performance = Performance()
    run: Run = Run()
    disclosure: Disclosure = Disclosure()

    @field_validator("inputs")
    @classmethod
    def _known_inputs(cls, v):
        from .ingest import DATASETS

        unknown = sorted(set(v) - set(DATASETS))
        if unknown:
            raise ValueError(f"unknown input dataset(s) {unknown}; known: {sorted(DATASETS)}")
        return v

    @field_validator("notebooks")
    @classmethod
    def _known_notebooks(cls, v):
        known = sorted(p.stem for p in (paths.REPO_ROOT / "notebooks").glob("*.py"))
        unknown = [n for n in v if n not in known]
        if unknown:
            raise ValueError(f"unknown notebook(s) {unknown}; known: {known}")
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


def load(path: str | Path) -> Params:
    """Read and validate a params YAML file (safe loader: no Python object tags)."""
    p = Path(path)
    if not p.is_file():
        raise ParamsError(f"{path}: params file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML (or uses a tag that is refused, such as !!python/object): "
                          f"{str(err).splitlines()[0]}") from None
    return parse(data, str(path))
