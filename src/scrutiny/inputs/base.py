"""The interface every input dataset offers: what the validate and prepare stages call, and nothing else.

An input dataset is one kind of file a pack reads (police.uk street files, a force's crimes extract, ...). It
is registered once in `inputs/registry.py` under the name params files use (`inputs: {<name>: {path: ...}}`),
and sections name it in `config/sections.py`. `contracts` runs its Great Expectations suite on the frames the
dataset returns; the runner calls `prepare` to write the typed table notebooks read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class InputDataset(Protocol):
    """One input dataset. Optional extras the validate stage uses when present:

    - `after: str`, `link(rows, frames) -> rows`: checked after another input, with columns computed from its
      rows (e.g. a relation naming figures of the published-figures input);
    - `file_stats(rows, files, accepted) -> frame`: one row per file for the `file_rows` level of the contract;
    - `row_engine = "sql"`: the row-level expectations run as DuckDB SQL (contracts/sql.py) instead of through
      Great Expectations' pandas engine, for inputs of millions of rows (inputs/force_extract.py).
    """

    name: str  # key under `inputs:` in params
    contract: str  # data_contracts/<contract>.json
    record_id: str  # column naming failing rows ("" when the rows have no identifier)
    synthetic: bool  # ships a generated sample (data/sample/): given those files, pages carry the SYNTHETIC banner

    def discover(self, pattern: str) -> list[Path]:
        """The files a params `path` (a file, folder or glob) names, sorted; InputError when none."""

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        """One row per file: source_file, path, in_period, readable, header, bytes, sha256 (files.file_record)."""

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        """Every row of the (readable, in-period) files, with `source_file` and 1-based `row`."""

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        """Write the typed table notebooks read (Parquet at `out`); the number of rows written."""

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        """Values for the contract's `$PARAMETER` placeholders."""
